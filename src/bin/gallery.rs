//! Trunk's entry point for the designer gallery (gallery/index.html).
fn main() {
    quote_widget::start_gallery();
}
