//! After accept: pending until terminal, then settled or failed/released. Nothing
//! here implies funds arrived while the trade is only reserved.

use crate::ui::ui;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::display::money;
use quote_core::flow::Display;
use quote_core::stage_copy::{self, Tone};
use quote_core::wire::TradeView;

#[component]
pub fn TradePanel(
    /// The trade as the server last reported it.
    trade: Memo<TradeView>,
    /// Starts over, once the trade is terminal.
    on_new: Callback<()>,
    /// Whether a new conversion can start here (a partner's checkout converts once:
    /// only the partner can start another).
    #[prop(default = true)]
    can_start_new: bool,
) -> impl IntoView {
    let ui = ui();
    let state = move || trade.with(|t| t.status.as_str());
    let (u1, u2, u3) = (ui.clone(), ui.clone(), ui.clone());
    let look = move || stage_copy::status_line(Display::of_trade(trade.with(|t| t.status)));
    let message = move || {
        let line = look()?;
        Some(view! {
            {if line.tone == Tone::Working { view! { <span class="qw-spinner" aria-hidden="true"></span> }.into_any() }
             else { view! { <span class="qw-icon" aria-hidden="true">{line.icon}</span> }.into_any() }}
            <span data-testid="trade-status">{u1.t(line.key)}</span>
        })
    };
    let tone_class = move || match look().map(|l| l.tone) {
        Some(Tone::Good) => "qw-status--ok",
        Some(Tone::Bad) => "qw-status--bad",
        _ => "qw-status--pending",
    };
    let summary = move || {
        let t = trade.get();
        let ui = u2.clone();
        view! {
            <dl class="qw-terms">
                <div><dt>{ui.t(Copy::YouPay)}</dt><dd>{money(&t.source_amount, &t.source_asset, ui.locale)}</dd></div>
                <div><dt>{ui.t(Copy::YouReceive)}</dt><dd>{money(&t.target_amount, &t.target_asset, ui.locale)}</dd></div>
                <div><dt>{ui.t(Copy::Network)}</dt><dd>{t.network.clone()}</dd></div>
                <div><dt>{ui.t(Copy::Destination)}</dt><dd class="qw-mono">{t.destination_address.clone()}</dd></div>
                <div><dt>{ui.t(Copy::TradeReference)}</dt><dd class="qw-mono" data-testid="trade-id">{t.trade_id.clone()}</dd></div>
            </dl>
        }
    };
    view! {
        <div class="qw-panel qw-trade" data-testid="trade" data-state=state>
            <h3 class=move || format!("qw-heading qw-status {}", tone_class()) tabindex="-1" data-focus-target>{message}</h3>
            {summary}
            // Told as it is: the conversion that was executed differs from the quote.
            {move || trade.with(|t| t.terms_mismatch.clone()).map(|fields| view! {
                <p class="qw-notice qw-notice--error" role="alert" data-testid="terms-mismatch">
                    <span class="qw-icon" aria-hidden="true">"⚠"</span>
                    {u3.fill(Copy::TradeTermsMismatch, &[("fields", &fields.join(", ").replace('_', " "))])}
                </p>
            })}
            {move || (can_start_new && trade.with(TradeView::is_terminal)).then(|| view! {
                <div class="qw-actions">
                    <button type="button" class="qw-button qw-button--primary" data-testid="new-conversion"
                        on:click=move |_| on_new.run(())>{ui.t(Copy::NewConversion)}</button>
                </div>
            })}
        </div>
    }
}
