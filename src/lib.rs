//! The quote widget: a Leptos client-side app. Components stay thin; the rules they
//! follow live in `quote-core`, tested natively.

pub mod api;
pub mod components;
pub mod ui;

use leptos::prelude::*;

/// Mounts the widget on `<body>` for the life of the page; `/gallery` shows the
/// designer gallery instead (every state, from fixtures, no server calls).
pub fn start() {
    console_error_panic_hook::set_once();
    let path = window().location().pathname().unwrap_or_default();
    if path.trim_end_matches('/').ends_with("/gallery") {
        leptos::mount::mount_to_body(components::gallery::Gallery);
    } else {
        leptos::mount::mount_to_body(|| view! { <components::Widget /> });
    }
}
