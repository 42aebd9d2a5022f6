//! The firm quote: every term, a countdown tied to `expires_at` (corrected by the
//! server's clock), Accept disabled the moment it expires, and a refresh.

use crate::ui::ui;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::display::{format_decimal, money, rate_line};
use quote_core::flow::{changes, Display, FirmQuote};
use quote_core::stage_copy;

/// A firm quote awaiting the user's decision.
#[component]
pub fn FirmQuotePanel(
    /// The quote and its clock offset.
    quote: Memo<FirmQuote>,
    /// Device time, ticking. The flow's own signal rather than a `Signal<i64>`: each
    /// type read through `Signal` brings its own 2 KB of reading code (issue #26).
    now: RwSignal<i64>,
    /// An accept is in flight.
    #[prop(into)]
    accepting: Signal<bool>,
    /// A transient problem to show (e.g. the accept could not be confirmed).
    #[prop(optional)]
    notice: Option<RwSignal<Option<String>>>,
    on_accept: Callback<()>,
    on_refresh: Callback<()>,
    on_back: Callback<()>,
) -> impl IntoView {
    let ui = ui();
    let display = Memo::new(move |_| if accepting.get() { Display::Accepting } else { quote.with(|q| q.display(now.get())) });
    let state_name = move || display.get().name();
    let accept_enabled = move || !accepting.get() && quote.with(|q| q.can_accept(now.get()));
    let expired = move || display.get() == Display::Expired;
    let seconds = move || quote.with(|q| q.seconds_left(now.get()));

    let (u1, u2, u3, u4) = (ui.clone(), ui.clone(), ui.clone(), ui.clone());
    let status = move || {
        let line = stage_copy::status_line(display.get())?;
        Some(view! { <span class="qw-icon" aria-hidden="true">{line.icon}</span>{u1.t(line.key)} })
    };
    let countdown = move || u2.fill(Copy::SecondsLeft, &[("seconds", &seconds().to_string())]);
    let what_changed = move || {
        let q = quote.get();
        let old = q.replaced.as_ref()?;
        let diff = changes(old, &q.terms);
        let ui = u3.clone();
        if diff.is_empty() {
            return Some(ui.t(Copy::NothingChanged));
        }
        let parts: Vec<String> = diff
            .iter()
            .map(|c| format!("{} {} → {}", ui.t(c.label), format_decimal(&c.before, ui.locale), format_decimal(&c.after, ui.locale)))
            .collect();
        Some(ui.fill(Copy::WhatChanged, &[("changes", &parts.join(", "))]))
    };
    let terms = move || {
        let ui = u4.clone();
        let t = quote.get().terms;
        let bps = |v: &rust_decimal::Decimal| ui.fill(Copy::Bps, &[("bps", &format_decimal(v, ui.locale))]);
        view! {
            <dl class="qw-terms" data-testid="terms">
                <div><dt>{ui.t(Copy::YouPay)}</dt><dd data-testid="source-amount">{money(&t.source_amount, &t.source_asset, ui.locale)}</dd></div>
                <div class="qw-terms-main"><dt>{ui.t(Copy::YouReceive)}</dt><dd data-testid="target-amount">{money(&t.target_amount, &t.target_asset, ui.locale)}</dd></div>
                <div><dt>{ui.t(Copy::Rate)}</dt><dd data-testid="rate">{rate_line(&t.rate, &t.source_asset, &t.target_asset, ui.locale)}</dd></div>
                <div><dt>{ui.t(Copy::Spread)}</dt><dd data-testid="spread-bps">{bps(&t.spread_bps)}</dd></div>
                <div><dt>{ui.t(Copy::Fee)}</dt><dd data-testid="fee-bps">{bps(&t.fee_bps)}</dd></div>
                <div><dt>{ui.t(Copy::Network)}</dt><dd data-testid="network-value">{t.network.clone().unwrap_or_default()}</dd></div>
                <div><dt>{ui.t(Copy::Destination)}</dt><dd class="qw-mono" data-testid="destination-value">{t.destination_address.clone().unwrap_or_default()}</dd></div>
            </dl>
        }
    };

    view! {
        <div class="qw-panel qw-quote" data-testid="firm-quote" data-state=state_name>
            <h3 class="qw-heading" tabindex="-1" data-focus-target>{ui.t(Copy::FirmQuoteTitle)}</h3>
            {terms}
            <div class="qw-countdown" class:qw-countdown--soon=move || display.get() == Display::ExpiringSoon
                class:qw-countdown--expired=expired role="timer">
                <span class="qw-countdown-value" data-testid="seconds-left">{countdown}</span>
            </div>
            <p class="qw-status" data-testid="quote-status">{status}</p>
            {move || what_changed().map(|text| view! { <p class="qw-changed" data-testid="what-changed">{text}</p> })}
            {move || notice.and_then(|n| n.get()).map(|text| view! { <p class="qw-notice qw-notice--error" role="alert"><span class="qw-icon" aria-hidden="true">"⚠"</span>{text}</p> })}
            <div class="qw-actions">
                <button type="button" class="qw-button qw-button--primary" data-testid="accept"
                    disabled=move || !accept_enabled()
                    on:click=move |_| on_accept.run(())>
                    {let ui = ui.clone(); move || if accepting.get() { ui.t(Copy::Accepting) } else { ui.t(Copy::Accept) }}
                </button>
                <button type="button" class="qw-button" class:qw-button--primary=expired data-testid="refresh"
                    disabled=move || accepting.get()
                    on:click=move |_| on_refresh.run(())>{ui.t(Copy::Refresh)}</button>
                <button type="button" class="qw-button qw-button--link" data-testid="back"
                    disabled=move || accepting.get()
                    on:click=move |_| on_back.run(())>{ui.t(Copy::Back)}</button>
            </div>
        </div>
    }
}
