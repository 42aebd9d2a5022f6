//! Active conditions (they clear by themselves) and what the server recorded.

use leptos::prelude::*;
use quote_core::partner::{AlertsReport, Severity};

/// Props: the `report` from the server.
#[component]
pub fn Alerts(report: AlertsReport) -> impl IntoView {
    let mut active = report.active;
    active.sort_by_key(|a| std::cmp::Reverse(a.severity));
    let none = active.is_empty();
    let items = active
        .into_iter()
        .map(|a| {
            let severity = match a.severity {
                Severity::Critical => "Critical",
                Severity::Warning => "Warning",
            };
            view! {
                <li class=format!("alert {}", severity.to_lowercase()) data-kind=a.kind.as_str()>
                    <span class="badge">{severity}</span>
                    <span class="kind">{a.kind.label()}</span>
                    <p>{a.message}</p>
                    <p class="muted">"About " <code>{a.subject}</code>{a.since.map(|s| format!(" · since {s}"))}</p>
                </li>
            }
        })
        .collect_view();
    let recorded_count = report.recorded.len();
    let recorded = report
        .recorded
        .into_iter()
        .map(|r| view! { <li><code>{r.raised_at}</code>" " <strong data-kind=r.kind.as_str().to_owned()>{r.kind.label().to_owned()}</strong>" " {r.message}</li> })
        .collect_view();
    view! {
        {none.then(|| view! { <p class="ok" data-testid="no-alerts">"Nothing needs attention."</p> })}
        <ul class="alerts" data-testid="active-alerts">{items}</ul>
        <details>
            <summary>{format!("Recorded alerts ({recorded_count})")}</summary>
            <ul class="recorded">{recorded}</ul>
        </details>
    }
}
