//! Trunk's entry point: mounts the partner console on the page's body.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(quote_console::App);
}
