//! Active conditions (they clear by themselves), the webhooks your backend has not
//! received yet, and what the server recorded.

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
    let undelivered = (!report.undelivered_events.is_empty()).then(|| {
        let rows = report
            .undelivered_events
            .into_iter()
            .map(|e| {
                view! {
                    <tr>
                        <td><code>{e.event_id}</code></td>
                        <td><code>{e.trade_id}</code></td>
                        <td>{e.status.event_type()}</td>
                        <td class="num">{e.attempts}</td>
                        <td>{e.last_error.unwrap_or_else(|| "not tried yet".to_owned())}</td>
                        <td><code>{e.next_attempt_at}</code></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h3 id="undelivered-title">"Webhooks your backend has not received"</h3>
            <p class="muted">"Each is retried until your endpoint answers 2xx; the runbook says what to check."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="undelivered-title">
                <table data-testid="undelivered-events">
                    <thead>
                        <tr>
                            <th scope="col">"Event"</th>
                            <th scope="col">"Trade"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Attempts"</th>
                            <th scope="col">"Last answer"</th>
                            <th scope="col">"Next attempt"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    view! {
        {none.then(|| view! { <p class="ok" data-testid="no-alerts">"Nothing needs attention."</p> })}
        <ul class="alerts" data-testid="active-alerts">{items}</ul>
        {undelivered}
        <details>
            <summary>{format!("Recorded alerts ({recorded_count})")}</summary>
            <ul class="recorded">{recorded}</ul>
        </details>
    }
}
