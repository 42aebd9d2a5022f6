//! The quote widget: a Leptos client-side app. Components stay thin; the rules they
//! follow live in `quote-core`, tested natively.

pub mod api;
pub mod components;
pub mod ui;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Mounts the widget on `#quote-widget` (or `<body>`) for the life of the page; `/gallery` shows the
/// designer gallery instead (every state, from fixtures, no server calls).
pub fn start() {
    console_error_panic_hook::set_once();
    let path = window().location().pathname().unwrap_or_default();
    let gallery = path.trim_end_matches('/').ends_with("/gallery");
    match document().get_element_by_id("quote-widget").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(host) if gallery => leptos::mount::mount_to(host, components::gallery::Gallery).forget(),
        Some(host) => leptos::mount::mount_to(host, || view! { <components::Widget /> }).forget(),
        None if gallery => leptos::mount::mount_to_body(components::gallery::Gallery),
        None => leptos::mount::mount_to_body(|| view! { <components::Widget /> }),
    }
}
