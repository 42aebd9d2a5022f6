//! The mirrored ledger, newest first, each row with its trade's reconciliation;
//! exceptions are highlighted (colour, a badge and the reason, not colour alone).

use leptos::prelude::*;
use quote_core::display::{amount, Locale};
use quote_core::partner::{LedgerListing, ReconciliationState};

/// 0Pools' amount as finance reads it (grouped, at least cents); text that is not a
/// decimal is shown as it came.
fn shown(text: &str) -> String {
    text.parse().map_or_else(|_| text.to_owned(), |d| amount(&d, Locale::En))
}

/// Props: the `listing` (newest first).
#[component]
pub fn Ledger(listing: LedgerListing) -> impl IntoView {
    let exceptions = listing
        .entries
        .iter()
        .filter(|r| r.matched.as_ref().is_some_and(|m| m.reconciliation_state == ReconciliationState::Exception))
        .count();
    let empty = listing.entries.is_empty();
    let rows = listing
        .entries
        .into_iter()
        .map(|r| {
            let state = r.matched.as_ref().map(|m| m.reconciliation_state);
            let exception = state == Some(ReconciliationState::Exception);
            let trade = r.matched.as_ref().map(|m| m.trade_id.clone()).unwrap_or_else(|| "—".into());
            let ledger_id = r.ledger_id.clone();
            let reason = r.matched.as_ref().and_then(|m| m.reason.clone());
            view! {
                <tr class:exception=exception data-ledger-id=ledger_id role="row">
                    <td role="cell" data-label="Ledger id"><code>{r.ledger_id}</code></td>
                    <td role="cell" data-label="Time (UTC)">{r.created_at.replace('T', " ").get(..19).unwrap_or_default().to_owned()}</td>
                    <td role="cell" data-label="Type" data-type=r.entry_type.as_str()>{r.entry_type.label()}</td>
                    <td role="cell" data-label="Amount" class="num">{shown(&r.amount)}" " {r.asset}</td>
                    <td role="cell" data-label="Available after" class="num">{shown(&r.available_after)}</td>
                    <td role="cell" data-label="Trade"><code>{trade}</code></td>
                    <td role="cell" data-label="Reconciliation">
                        // One box for the verdict and its reason (a stacked row lays a cell out in two columns).
                        <span>
                            {match state {
                                Some(ReconciliationState::Exception) => view! { <mark class="exception-badge">{ReconciliationState::Exception.label()}</mark> }.into_any(),
                                Some(s) => view! { <span class="state" data-state=s.as_str()>{s.label()}</span> }.into_any(),
                                None => view! { <span class="muted">"no trade"</span> }.into_any(),
                            }}
                            {reason.map(|r| view! { <span class="sub">{r}</span> })}
                        </span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted" data-testid="ledger-summary">
            {if exceptions == 0 { "All shown rows reconcile or are still open.".to_owned() } else { format!("{exceptions} row(s) disagree with our trades: look up the trade for its evidence.") }}
            {listing.has_more.then_some(" Showing the 50 most recent rows.")}
        </p>
        {empty.then(|| view! { <p class="muted">"No ledger rows yet."</p> })}
        <div class="table-wrap" tabindex="0" role="region" aria-label="Ledger rows">
            // Explicit roles: on a phone the rows are stacked (CSS), which would otherwise
            // strip the table's meaning from screen readers.
            <table data-testid="ledger-rows" class="stacking" role="table">
                <thead role="rowgroup">
                    <tr role="row">
                        <th role="columnheader" scope="col">"Ledger id"</th>
                        <th role="columnheader" scope="col">"Time (UTC)"</th>
                        <th role="columnheader" scope="col">"Type"</th>
                        <th role="columnheader" scope="col">"Amount"</th>
                        <th role="columnheader" scope="col">"Available after"</th>
                        <th role="columnheader" scope="col">"Trade"</th>
                        <th role="columnheader" scope="col">"Reconciliation"</th>
                    </tr>
                </thead>
                <tbody role="rowgroup">{rows}</tbody>
            </table>
        </div>
    }
}
