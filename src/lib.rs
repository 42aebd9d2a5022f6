//! The quote widget: a Leptos client-side app compiled to WebAssembly, embedded by
//! host pages through `QuoteWidget.mount` or `<quote-widget>`. Components stay thin;
//! the rules they follow live in `quote-core`, tested natively.

pub mod api;
pub mod components;
pub mod embed;
#[cfg(feature = "gallery")]
pub mod gallery;
pub mod host;
pub mod json;
pub mod locales;
pub mod task;
pub mod ui;

/// Runs when the module loads: defines `QuoteWidget` and `<quote-widget>`.
pub fn start() {
    console_error_panic_hook::set_once();
    embed::register();
}

/// The designer gallery's entry point (its own build): every state, from fixtures,
/// in `#quote-widget-gallery` (or the body).
#[cfg(feature = "gallery")]
pub fn start_gallery() {
    use leptos::prelude::document;
    use wasm_bindgen::JsCast;
    console_error_panic_hook::set_once();
    let target = document()
        .get_element_by_id("quote-widget-gallery")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document().body());
    if let Some(target) = target {
        gallery::mount(&target);
    }
}
