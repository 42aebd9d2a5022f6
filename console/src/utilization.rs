//! The utilization report: one row per pool with the period's figures, the pages'
//! formulas per pool, then each pool's graphs (counts, and reserved / settled
//! notional) over its buckets. Every figure is the partner's own program activity.

use crate::chart::BarChart;
use leptos::prelude::*;
use quote_core::chart::{percent, percent_or_dash, COUNTS, NOTIONAL, RATE};
use quote_core::display::{amount, Locale};
use quote_core::partner::{PoolReport, UtilizationReport};

fn unavailable_reasons(pool: &PoolReport) -> String {
    let reasons = &pool.utilization.figures.unavailable_reasons;
    if reasons.is_empty() {
        return "—".into();
    }
    reasons.iter().map(|(reason, n)| format!("{reason} {n}")).collect::<Vec<_>>().join(", ")
}

/// Props: the `report` as the server computed it.
#[component]
pub fn Utilization(report: UtilizationReport) -> impl IntoView {
    let period = format!(
        "{} to {} (UTC)",
        report.period.from.replace('T', " ").get(..16).unwrap_or_default(),
        report.period.to.replace('T', " ").get(..16).unwrap_or_default()
    );
    let rows = report
        .pools
        .iter()
        .map(|p| {
            let f = &p.utilization.figures;
            let u = &p.utilization;
            view! {
                <tr data-pool=u.pool_id.clone()>
                    <th scope="row">{u.pool_id.clone()}</th>
                    <td data-testid="quote-requests">{f.quote_requests}</td>
                    <td>{f.firm_quotes}</td>
                    <td data-testid="accepted">{f.accepted_quotes}</td>
                    <td>{f.expired_quotes}</td>
                    <td data-testid="quote-success">{percent_or_dash(f.quote_success_rate)}</td>
                    <td>{percent(f.unavailable_rate)}<span class="sub">{unavailable_reasons(p)}</span></td>
                    <td>{f.limit_errors}</td>
                    <td class="num"><span data-testid="reserved">{amount(&f.reserved_notional, Locale::En)}</span>" "<span class="unit">{p.balance_asset.clone()}</span></td>
                    <td class="num"><span data-testid="settled">{amount(&f.settled_notional, Locale::En)}</span>" "<span class="unit">{p.balance_asset.clone()}</span></td>
                    <td class="num">{amount(&f.failed_notional, Locale::En)}" / "{amount(&f.released_notional, Locale::En)}" "<span class="unit">{p.balance_asset.clone()}</span></td>
                    <td>{format!("{} of {} min", u.availability_minutes, u.period_minutes)}</td>
                </tr>
            }
        })
        .collect_view();
    let money = |d: &rust_decimal::Decimal| amount(d, Locale::En);
    let formulas = report
        .pools
        .iter()
        .map(|p| {
            let f = &p.utilization.figures;
            view! {
                <tr data-pool=p.utilization.pool_id.clone()>
                    <th scope="row">{p.utilization.pool_id.clone()}</th>
                    <td class="num">{money(&f.quoted_volume)}</td>
                    <td class="num">{money(&f.settled_volume)}</td>
                    <td class="num">{p.approved_band_usdt.as_ref().map(money).unwrap_or_else(|| "—".into())}</td>
                    <td data-testid="quote-utilization">{percent_or_dash(p.quote_utilization)}</td>
                    <td data-testid="execution-utilization">{percent_or_dash(p.execution_utilization)}</td>
                    <td data-testid="reserved-utilization">{percent_or_dash(p.reserved_utilization)}</td>
                    <td data-testid="failure-utilization">{percent_or_dash(f.failure_utilization)}</td>
                    <td data-testid="accepted-quote-rate">{percent_or_dash(f.accepted_quote_rate)}</td>
                    <td>{f.ledger_exception_count}</td>
                </tr>
            }
        })
        .collect_view();
    let graphs = report
        .pools
        .into_iter()
        .map(|p| {
            let u = p.utilization;
            let f = &u.figures;
            let counts_summary = format!(
                "{}: {} quote requests, {} accepted, {} unavailable answers in the period, per bucket.",
                u.pool_id, f.quote_requests, f.accepted_quotes, f.unavailable_answers
            );
            let rate_summary = format!("{}: {} of answers unavailable in the period, per bucket.", u.pool_id, percent(f.unavailable_rate));
            let notional_summary = format!(
                "{}: {} {asset} reserved and {} {asset} settled in the period, per bucket.",
                u.pool_id,
                amount(&f.reserved_notional, Locale::En),
                amount(&f.settled_notional, Locale::En),
                asset = p.balance_asset,
            );
            view! {
                <article class="pool-graphs card" data-pool=u.pool_id.clone()>
                    <h3>{u.pool_id.clone()}</h3>
                    <div class="graphs">
                        <BarChart buckets=u.buckets.clone() measures=&COUNTS summary=counts_summary testid=format!("chart-counts-{}", u.pool_id) />
                        <BarChart buckets=u.buckets.clone() measures=&RATE summary=rate_summary testid=format!("chart-rate-{}", u.pool_id) />
                        <BarChart buckets=u.buckets measures=&NOTIONAL summary=notional_summary testid=format!("chart-notional-{}", u.pool_id) />
                    </div>
                </article>
            }
        })
        .collect_view();
    view! {
        <p class="note" data-testid="utilization-scope">
            "These figures describe your own program's activity with 0Pools: your quotes, trades, balance and band. "
            "They are not 0Pools' capacity or inventory, and not a promise of future availability."
        </p>
        <p class="muted" data-testid="period">{period}" · updated " {report.generated_at.get(11..19).unwrap_or_default().to_owned()}" UTC"</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Utilization per pool">
            <table class="figures" data-testid="utilization-rows">
                <thead>
                    <tr>
                        <th scope="col">"Pool"</th>
                        <th scope="col">"Quote requests"</th>
                        <th scope="col">"Firm quotes"</th>
                        <th scope="col">"Accepted"</th>
                        <th scope="col">"Expired"</th>
                        <th scope="col"><abbr title="Quote attempts answered with a price (previews included), of all quote attempts">"Quote success"</abbr></th>
                        <th scope="col">"Unavailable"</th>
                        <th scope="col">"Limit errors"</th>
                        <th scope="col">"Reserved"</th>
                        <th scope="col">"Settled"</th>
                        <th scope="col">"Failed / released"</th>
                        <th scope="col">"Available"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <h3 id="formulas-title">"Program utilization (0Pools' formulas)"</h3>
        <p class="muted">"Dashes mean there is nothing to divide by (no attempts, no band, no balance), not zero."</p>
        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="formulas-title">
            <table class="figures" data-testid="formula-rows">
                <thead>
                    <tr>
                        <th scope="col">"Pool"</th>
                        <th scope="col"><abbr title="Stablecoin legs of firm quotes answered with a price">"Quoted volume"</abbr></th>
                        <th scope="col"><abbr title="Stablecoin legs of trades settled in the period">"Settled volume"</abbr></th>
                        <th scope="col"><abbr title="Today's approved daily band times the period's days">"Band for the period"</abbr></th>
                        <th scope="col"><abbr title="Quoted volume / band for the period">"Quote utilization"</abbr></th>
                        <th scope="col"><abbr title="Settled volume / band for the period">"Execution utilization"</abbr></th>
                        <th scope="col"><abbr title="Reserved at the period's end / available balance">"Reserved utilization"</abbr></th>
                        <th scope="col"><abbr title="Quote attempts not answered with a price / all quote attempts">"Failure utilization"</abbr></th>
                        <th scope="col"><abbr title="Accepted quotes / firm quotes">"Accepted-quote rate"</abbr></th>
                        <th scope="col">"Ledger exceptions"</th>
                    </tr>
                </thead>
                <tbody>{formulas}</tbody>
            </table>
        </div>
        {graphs}
    }
}
