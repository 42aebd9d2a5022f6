//! Unavailable quotes and errors: product states with approved copy, a retry that
//! backs off, and an alternate pool when there is one.

use crate::ui::{ui, Ui};
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::flow::{Problem, Unavailable};
use quote_core::preview::retry_backoff_ms;
use quote_core::stage_copy;
use quote_core::wire::{PoolView, UnavailableReason};

/// Copy for an unavailable reason; unknown reasons get generic copy, never internals.
pub fn unavailable_text(ui: &Ui, reason: &UnavailableReason) -> String {
    ui.t(stage_copy::unavailable(reason))
}

#[component]
pub fn UnavailablePanel(
    /// The unavailable answer and how many retries were made.
    unavailable: Memo<Unavailable>,
    /// Device time, ticking (for the retry countdown).
    now: RwSignal<i64>,
    /// Another entitled, available pool to offer.
    #[prop(into)]
    alternate: Signal<Option<PoolView>>,
    on_retry: Callback<()>,
    on_alternate: Callback<String>,
    on_back: Callback<()>,
) -> impl IntoView {
    let ui = ui();
    let wait_ms = move || unavailable.with(|u| (u.at_ms + retry_backoff_ms(u.retry_after_ms, u.attempt) as i64 - now.get()).max(0));
    let (u1, u2, u3) = (ui.clone(), ui.clone(), ui.clone());
    view! {
        <div class="qw-panel qw-notice qw-notice--warn" data-testid="unavailable" data-reason=move || unavailable.with(|u| u.reason.to_string())>
            <h3 class="qw-heading" tabindex="-1" data-focus-target>
                <span class="qw-icon" aria-hidden="true">"⚠"</span>
                {move || unavailable_text(&u1, &unavailable.with(|u| u.reason.clone()))}
            </h3>
            <div class="qw-actions">
                <button type="button" class="qw-button qw-button--primary" data-testid="retry"
                    disabled={move || wait_ms() > 0} on:click=move |_| on_retry.run(())>
                    {move || {
                        let ms = wait_ms();
                        if ms > 0 { u2.fill(Copy::RetryIn, &[("seconds", &((ms + 999) / 1000).to_string())]) } else { u2.t(Copy::Retry) }
                    }}
                </button>
                {move || alternate.get().map(|p| {
                    let id = p.pool_id.clone();
                    let label = u3.fill(Copy::TryAlternate, &[("pool", &format!("{} → {}", p.source_asset, p.target_asset))]);
                    view! { <button type="button" class="qw-button" data-testid="alternate" on:click=move |_| on_alternate.run(id.clone())>{label}</button> }
                })}
                <button type="button" class="qw-button qw-button--link" on:click=move |_| on_back.run(())>{ui.t(Copy::Back)}</button>
            </div>
        </div>
    }
}

/// A problem, as it was when the panel opened (the flow replaces the panel when the
/// stage moves on, never updates it in place): a plain value, where a
/// `Signal<Problem>` cost 2.5 KB of the wasm for its reading code alone (issue #26).
#[component]
pub fn ProblemPanel(problem: Problem, on_retry: Callback<()>, on_back: Callback<()>) -> impl IntoView {
    let ui = ui();
    let key = stage_copy::problem(&problem);
    let text = match &problem {
        Problem::AcceptFailed { support_id } => ui.fill(key, &[("support_id", support_id)]),
        _ => ui.t(key),
    };
    // An expired checkout cannot be retried from here: only the shop can start a new one.
    let can_retry = !matches!(problem, Problem::CheckoutExpired);
    view! {
        <div class="qw-panel qw-notice qw-notice--error" data-testid="problem" role="alert">
            <h3 class="qw-heading" tabindex="-1" data-focus-target>
                <span class="qw-icon" aria-hidden="true">"⚠"</span>{text}
            </h3>
            {can_retry.then(|| {
                view! {
                    <div class="qw-actions">
                        <button type="button" class="qw-button qw-button--primary" data-testid="retry" on:click=move |_| on_retry.run(())>{ui.t(Copy::Retry)}</button>
                        <button type="button" class="qw-button qw-button--link" on:click=move |_| on_back.run(())>{ui.t(Copy::Back)}</button>
                    </div>
                }
            })}
        </div>
    }
}

/// No pool to quote in for this checkout right now: said plainly, with a way to look
/// again (the pools are also read again whenever the page is looked at after a while).
#[component]
pub fn NoPoolsPanel(on_retry: Callback<()>) -> impl IntoView {
    let ui = ui();
    view! {
        <div class="qw-panel qw-notice qw-notice--warn" data-testid="no-pools" role="status">
            <h3 class="qw-heading" tabindex="-1" data-focus-target>
                <span class="qw-icon" aria-hidden="true">"⚠"</span>{ui.t(Copy::NoPools)}
            </h3>
            <div class="qw-actions">
                <button type="button" class="qw-button" data-testid="retry" on:click=move |_| on_retry.run(())>{ui.t(Copy::Retry)}</button>
            </div>
        </div>
    }
}
