//! The program review of 0Pools' page for a period: limits and limit errors,
//! availability, failed trades, reserved-age alerts, ledger exceptions and the
//! incidents still unresolved, with the same figures as CSV.

use leptos::prelude::*;
use quote_core::chart::percent_or_dash;
use quote_core::display::{amount, Locale};
use quote_core::partner::ProgramReview;

/// Props: the `review` from the server.
#[component]
pub fn Review(review: ProgramReview) -> impl IntoView {
    let cap = |c: Option<rust_decimal::Decimal>| c.map(|c| format!("{} USDT", amount(&c, Locale::En))).unwrap_or_else(|| "none".into());
    let money = |d: &rust_decimal::Decimal| amount(d, Locale::En);
    let rows = review
        .pools
        .iter()
        .map(|p| {
            let limits = match (&p.min_order_usdt, &p.max_order_usdt) {
                (Some(min), Some(max)) => format!("{} – {}", money(min), money(max)),
                (Some(min), None) => format!("from {}", money(min)),
                _ => "not listed".into(),
            };
            view! {
                <tr data-pool=p.pool_id.clone()>
                    <th scope="row">{p.pool_id.clone()}</th>
                    <td class="num">{limits}</td>
                    <td class="num">{p.quote_requests}</td>
                    <td class="num" data-testid="review-limit-errors">{p.limit_errors}</td>
                    <td class="num">{format!("{} of {} min", p.availability_minutes, p.period_minutes)}</td>
                    <td>{percent_or_dash(p.quote_success_rate)}</td>
                    <td>{percent_or_dash(p.accepted_quote_rate)}</td>
                    <td class="num">{format!("{} ({} USDT)", p.failed_trades, money(&p.failed_notional))}</td>
                    <td class="num">{p.ledger_exception_count}</td>
                </tr>
            }
        })
        .collect_view();
    let incidents = review
        .incidents
        .iter()
        .map(|i| {
            let state = i.state.as_str();
            view! {
                <li data-state=state>
                    <code>{i.opened_at.clone()}</code>" "<strong>{i.label.clone()}</strong>" ("{i.severity.as_str()}", "{state.to_owned()}") "
                    {i.message.clone()}
                    {i.note.clone().map(|n| view! { <span class="sub">"Note: "{n}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="records" data-testid="review-summary">
            <div><dt>"Period"</dt><dd>{format!("{} to {}", review.period.from.get(..16).unwrap_or_default().replace('T', " "), review.period.to.get(..16).unwrap_or_default().replace('T', " "))}" UTC"</dd></div>
            <div><dt>"First-order limit"</dt><dd>{format!("{} · {} refused", cap(review.first_order_limit), review.first_order_refusals)}</dd></div>
            <div><dt>"Per-order limit"</dt><dd>{format!("{} · {} refused", cap(review.order_limit), review.order_limit_refusals)}</dd></div>
            <div><dt>"Failed trades"</dt><dd>{review.failed_trades}</dd></div>
            <div><dt>"Reserved-age alerts"</dt><dd>{review.reserved_age_alerts}</dd></div>
            <div><dt>"Ledger exceptions"</dt><dd>{review.ledger_exceptions}</dd></div>
            <div><dt>"Unresolved incidents"</dt><dd data-testid="unresolved-incidents">{review.unresolved_incidents}</dd></div>
        </dl>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Review per pool">
            <table class="figures" data-testid="review-rows">
                <thead>
                    <tr>
                        <th scope="col">"Pool"</th>
                        <th scope="col">"Limits (USDT)"</th>
                        <th scope="col">"Quote requests"</th>
                        <th scope="col">"Limit errors"</th>
                        <th scope="col">"Available"</th>
                        <th scope="col"><abbr title="Quote attempts answered with a price (previews included), of all quote attempts">"Quote success"</abbr></th>
                        <th scope="col"><abbr title="Accepted quotes / firm quotes">"Accepted-quote rate"</abbr></th>
                        <th scope="col">"Failed trades"</th>
                        <th scope="col">"Ledger exceptions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <h3>"Incidents in the period, and older ones still unresolved"</h3>
        {review.incidents.is_empty().then(|| view! { <p class="ok">"None."</p> })}
        <ul class="recorded" data-testid="review-incidents">{incidents}</ul>
    }
}
