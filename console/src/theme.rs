//! Light, dark or the system's choice, remembered in this browser.

use leptos::prelude::*;

const KEY: &str = "qw-console-theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn apply(theme: &str) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// A labelled select: System, Light, Dark.
#[component]
pub fn ThemePicker() -> impl IntoView {
    let initial = storage().and_then(|s| s.get_item(KEY).ok().flatten()).unwrap_or_else(|| "system".into());
    apply(&initial);
    let (theme, set_theme) = signal(initial);
    view! {
        <label class="theme">
            <span>"Theme"</span>
            <select prop:value=move || theme.get() on:change=move |ev| {
                let value = event_target_value(&ev);
                apply(&value);
                if let Some(s) = storage() {
                    let _ = s.set_item(KEY, &value);
                }
                set_theme.set(value);
            }>
                <option value="system">"System"</option>
                <option value="light">"Light"</option>
                <option value="dark">"Dark"</option>
            </select>
        </label>
    }
}
