//! The quote widget: a Leptos client-side app compiled to WebAssembly, embedded by
//! host pages through `QuoteWidget.mount` or `<quote-widget>`. Components stay thin;
//! the rules they follow live in `quote-core`, tested natively.

pub mod api;
pub mod components;
pub mod embed;
pub mod host;
pub mod ui;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Runs when the module loads: defines `QuoteWidget` and `<quote-widget>`. On a
/// `/gallery.html` page it also shows the designer gallery (every state, from fixtures).
pub fn start() {
    console_error_panic_hook::set_once();
    embed::register();
    let path = window().location().pathname().unwrap_or_default();
    if path.ends_with("/gallery.html") {
        let target = document()
            .get_element_by_id("quote-widget-gallery")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .or_else(|| document().body());
        if let Some(target) = target {
            embed::mount_gallery(&target);
        }
    }
}
