//! Trunk's entry point: mounts the widget on the page's body.
fn main() {
    quote_widget::start();
}
