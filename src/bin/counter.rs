//! The start-up bench's baseline: a bare Leptos counter with an amount field, built
//! exactly as the widget is (this crate's release profile, `erase_components`, Trunk,
//! wasm-opt -Oz), so the widget's start-up ratio against it isolates what the widget
//! itself adds. Never shipped; built by `scripts/bench.sh` only.
use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0u32);
        view! {
            <label>"Amount " <input data-testid="amount" inputmode="decimal" prop:value=move || count.get().to_string() /></label>
            <button type="button" on:click=move |_| count.update(|c| *c += 1)>"+1"</button>
        }
    });
}
