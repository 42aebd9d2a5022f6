//! The launch readiness record as a go-live checklist: the program's records, then
//! each item with the evidence the server holds and what to do when it is not ready.

use leptos::prelude::*;
use quote_core::display::{amount, Locale};
use quote_core::partner::{ProgramRecord, ReadinessState};

fn state_label(state: ReadinessState) -> &'static str {
    match state {
        ReadinessState::Ready => "Ready",
        ReadinessState::NotReady => "Not ready",
        ReadinessState::ToReview => "To review",
    }
}

/// Props: the `record` from the server.
#[component]
pub fn Readiness(record: ProgramRecord) -> impl IntoView {
    let cap = |c: Option<rust_decimal::Decimal>| c.map(|c| format!("{} USDT", amount(&c, Locale::En))).unwrap_or_else(|| "none".into());
    let flags = [
        ("Funding", record.funding_ready),
        ("Webhooks", record.webhooks_ready),
        ("Monitoring", record.monitoring_ready),
        ("Support", record.support_ready),
    ];
    let ready_count = record.checklist.iter().filter(|e| e.state == ReadinessState::Ready).count();
    let total = record.checklist.len();
    let items = record
        .checklist
        .into_iter()
        .map(|e| {
            let state = e.state.as_str();
            view! {
                <li class=format!("check {state}") data-item=e.item.as_str() data-state=state>
                    <span class="badge">{state_label(e.state)}</span>
                    <strong>{e.label}</strong>
                    <p>{e.evidence}</p>
                    {e.action.map(|a| view! { <p class="action"><span class="visually-hidden">"What to do: "</span>{a}</p> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="records" data-testid="program-records">
            <div><dt>"Program"</dt><dd><code>{record.program_id}</code></dd></div>
            <div><dt>"Product"</dt><dd><code>{record.product}</code></dd></div>
            <div><dt>"Approved pools"</dt><dd>{record.approved_pools.join(", ")}</dd></div>
            <div><dt>"Enabled lanes"</dt><dd data-testid="enabled-lanes">{if record.enabled_lanes.is_empty() { "none".to_owned() } else { record.enabled_lanes.join(", ") }}</dd></div>
            <div><dt>"Funding"</dt><dd>{record.funding_model.as_str().replace('_', " ")}</dd></div>
            <div><dt>"Support policy"</dt><dd>{record.support_sla_label}</dd></div>
            <div><dt>"First-order limit"</dt><dd data-testid="first-order-limit">{cap(record.first_order_limit)}</dd></div>
            <div><dt>"Per-order limit"</dt><dd>{cap(record.order_limit)}</dd></div>
        </dl>
        <p class="flags" data-testid="readiness-flags">
            {flags.map(|(name, ready)| view! {
                <span class=if ready { "flag ready" } else { "flag not_ready" } data-flag=name.to_lowercase()>
                    {name}": "{if ready { "ready" } else { "not ready" }}
                </span>
            }).collect_view()}
        </p>
        <p class="muted">{format!("{ready_count} of {total} go-live items are proven ready. Each is judged from what the server holds, never typed in.")}</p>
        <ol class="checklist" data-testid="checklist">{items}</ol>
    }
}
