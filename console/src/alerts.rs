//! Active conditions (they clear by themselves), the incidents a person
//! acknowledges and resolves with a note, the webhooks your backend has not
//! received yet, and what the server recorded.

use crate::api;
use leptos::prelude::*;
use quote_core::partner::{AlertsReport, Incident, IncidentState, Severity};

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::Warning => "Warning",
    }
}

/// The notes being written, by incident. The dashboard's refresh (a button, and a
/// clock every 15 s) builds the alerts again from the new answer, row by row in
/// place; without this a note in progress went back to empty under the person
/// writing it. Each row shows its own incident's draft.
#[derive(Clone, Copy)]
pub(crate) struct NoteDrafts(StoredValue<Vec<(i64, String)>>);

impl NoteDrafts {
    pub(crate) fn new() -> Self {
        NoteDrafts(StoredValue::new(Vec::new()))
    }
    fn get(self, id: i64) -> String {
        self.0.with_value(|d| d.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()).unwrap_or_default())
    }
    fn set(self, id: i64, note: String) {
        self.0.update_value(|d| {
            d.retain(|(i, _)| *i != id);
            if !note.is_empty() {
                d.push((id, note));
            }
        });
    }
    /// Forgets the drafts of incidents no longer open (someone else resolved them).
    fn keep_only(self, open: &[i64]) {
        self.0.update_value(|d| d.retain(|(i, _)| open.contains(i)));
    }
}

/// One open incident, with its actions. `on_changed` after an acknowledgement or a
/// resolution (the alerts are read again).
#[component]
fn IncidentItem(incident: Incident, drafts: NoteDrafts, on_changed: Callback<()>) -> impl IntoView {
    let id = incident.incident_id;
    let note = RwSignal::new(drafts.get(id));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let run = move |resolve: bool| {
        let text = note.get_untracked();
        if resolve && text.trim().is_empty() {
            error.set(Some("Write what was found or done before resolving.".into()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let done = if resolve {
                api::resolve(id, text.trim()).await
            } else {
                api::acknowledge(id, Some(text.trim()).filter(|t| !t.is_empty())).await
            };
            busy.set(false);
            match done {
                Ok(_) => {
                    // Acknowledged, the note is on the record; resolved, the incident is gone.
                    // Unless more was typed while the request was out: that stays.
                    if drafts.get(id).trim() == text.trim() {
                        drafts.set(id, String::new());
                    }
                    on_changed.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let severity = severity_word(incident.severity);
    let state = match (&incident.state, &incident.acknowledged_by) {
        (IncidentState::Acknowledged, Some(by)) => format!("Acknowledged by {by}"),
        (IncidentState::Acknowledged, None) => "Acknowledged".into(),
        _ => "Open".into(),
    };
    let live = if incident.live { "condition still holds" } else { "condition cleared" };
    let note_id = format!("note-{id}");
    let error_id = format!("note-error-{id}");
    view! {
        <li class=format!("alert incident {}", severity.to_lowercase()) data-incident=id data-kind=incident.kind.clone() data-state=incident.state.as_str()>
            <span class="badge">{severity}</span>
            <span class="kind">{incident.label}</span>
            <span class="muted">" · "{state}" · "{live}</span>
            <p>{incident.message}</p>
            <p class="muted">"About " <code>{incident.subject}</code>" · opened " {incident.opened_at}</p>
            {incident.note.map(|n| view! { <p class="sub">"Note: "{n}</p> })}
            <div class="incident-actions">
                <label for=note_id.clone()>"Note"</label>
                <textarea id=note_id rows="2" data-testid="incident-note" aria-describedby=error_id.clone()
                    prop:value=move || note.get() on:input=move |ev| {
                        let text = event_target_value(&ev);
                        drafts.set(id, text.clone());
                        note.set(text);
                    }></textarea>
                <div class="row">
                    {(incident.state == IncidentState::Open).then(|| view! {
                        <button type="button" data-testid="acknowledge" disabled=move || busy.get() on:click=move |_| run(false)>"Acknowledge"</button>
                    })}
                    <button type="button" data-testid="resolve" disabled=move || busy.get() on:click=move |_| run(true)>"Resolve with this note"</button>
                </div>
                <p class="error" id=error_id role="alert">{move || error.get()}</p>
            </div>
        </li>
    }
}

/// Props: the `report` from the server; the `drafts` of notes, kept across reads;
/// `on_changed` when an incident changed.
#[component]
pub fn Alerts(report: AlertsReport, drafts: NoteDrafts, on_changed: Callback<()>) -> impl IntoView {
    let mut active = report.active;
    active.sort_by_key(|a| std::cmp::Reverse(a.severity));
    let none = active.is_empty();
    let items = active
        .into_iter()
        .map(|a| {
            let severity = severity_word(a.severity);
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
    let open_count = report.incidents.len();
    drafts.keep_only(&report.incidents.iter().map(|i| i.incident_id).collect::<Vec<_>>());
    let incidents = report.incidents.into_iter().map(|incident| view! { <IncidentItem incident drafts on_changed /> }).collect_view();
    view! {
        {none.then(|| view! { <p class="ok" data-testid="no-alerts">"Nothing needs attention."</p> })}
        <ul class="alerts" data-testid="active-alerts">{items}</ul>
        <h3 id="incidents-title">{format!("Incidents to handle ({open_count})")}</h3>
        <p class="muted">"An alert opens an incident. It stays open after its condition clears, until someone resolves it with a note; the runbook says who acts, how fast."</p>
        {(open_count == 0).then(|| view! { <p class="ok" data-testid="no-incidents">"No open incidents."</p> })}
        <ul class="alerts" data-testid="incidents" aria-labelledby="incidents-title">{incidents}</ul>
        {undelivered}
        <details>
            <summary>{format!("Recorded alerts ({recorded_count})")}</summary>
            <ul class="recorded">{recorded}</ul>
        </details>
    }
}
