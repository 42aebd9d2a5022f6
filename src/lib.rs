//! The quote widget: a Leptos client-side app. Components stay thin; the rules they
//! follow live in `quote-core`, tested natively.

pub mod api;
pub mod components;


/// Mounts the widget on `<body>` and keeps it there for the life of the page.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(components::App);
}
