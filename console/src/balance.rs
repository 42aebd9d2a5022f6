//! The partner's balance per stablecoin, the daily band's use, and a top-up prompt
//! when the server's `balance_low` alert is active for that asset.

use leptos::prelude::*;
use quote_core::chart::percent;
use quote_core::display::{amount, Locale};
use quote_core::partner::{AlertKind, AlertsReport, UtilizationReport};
use std::collections::BTreeMap;

/// Props: the utilization `report` (balances and bands) and the `alerts` (which say low).
#[component]
pub fn Balance(report: UtilizationReport, alerts: AlertsReport) -> impl IntoView {
    let mut assets: BTreeMap<String, Option<rust_decimal::Decimal>> = BTreeMap::new();
    for p in &report.pools {
        assets.insert(p.balance_asset.clone(), p.balance_available);
    }
    let unknown = alerts.active.iter().any(|a| a.kind == AlertKind::BalanceUnknown);
    let cards = assets
        .into_iter()
        .map(|(asset, available)| {
            let low = alerts.active.iter().find(|a| a.kind == AlertKind::BalanceLow && a.subject == asset).map(|a| a.message.clone());
            let is_low = low.is_some();
            let shown = available.map_or("unknown".to_owned(), |a| amount(&a, Locale::En));
            view! {
                <article class="card balance" class:low=is_low data-asset=asset.clone() data-testid=format!("balance-{asset}")>
                    <h3>{asset.clone()}" available"</h3>
                    <p class="big num">{shown}</p>
                    {low.map(|message| view! {
                        <div class="prompt" role="note">
                            <p><strong>"Balance low. "</strong>{message}</p>
                            <p>"Top up " {asset.clone()} " through your 0Bit liquidity program before users see the pool run dry; in test mode the sandbox takes "<code>"POST /sandbox/top_up"</code>"."</p>
                        </div>
                    })}
                </article>
            }
        })
        .collect_view();
    let bands = report
        .pools
        .iter()
        .filter_map(|p| p.daily_band.as_ref().map(|b| (p.utilization.pool_id.clone(), b.clone())))
        .map(|(pool, band)| {
            view! {
                <li>
                    <strong>{pool}</strong>": " {amount(&band.used_usdt, Locale::En)} " of " {amount(&band.approved_usdt, Locale::En)}
                    " USDT approved for " {band.period.clone()} " (" {percent(band.utilization)} ")"
                </li>
            }
        })
        .collect_view();
    view! {
        {unknown.then(|| view! { <p class="error" role="alert">"0Pools' balance could not be read just now; figures below may be missing."</p> })}
        <div class="cards">{cards}</div>
        <h3>"Daily bands"</h3>
        <ul class="bands">{bands}</ul>
    }
}
