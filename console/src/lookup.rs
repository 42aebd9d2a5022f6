//! Support's lookup: any id (request, quote, transact, webhook event, ledger row,
//! partner reference, session or checkout) to the evidence packet, shown section by
//! section as the server wrote it.

use crate::api::{self, ApiError};
use crate::failed::failed;
use leptos::prelude::*;
use quote_core::partner::ReconciliationState;
use quote_core::wire::ErrorCode;
use serde_json::Value;

/// The packet's sections in the order support reads them; any other follows.
const ORDER: [&str; 9] = ["matched", "record", "checkout", "quotes", "trades", "webhook_events", "ledger_rows", "partner_events", "alerts"];

fn ordered(packet: serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    let mut sections: Vec<(String, Value)> = packet.into_iter().collect();
    sections.sort_by_key(|(key, _)| ORDER.iter().position(|k| k == key).unwrap_or(ORDER.len()));
    sections
}

/// Fields support reads first in any record (what it is, its status, its amounts),
/// in this order; every other field follows alphabetically. Without this a quote's
/// table began with "Accept failure" and its status sat far off to the right.
const FIRST_FIELDS: [&str; 22] = [
    "kind",
    "id",
    "ledger_id",
    "event_id",
    "quote_id",
    "trade_id",
    "transact_id",
    "checkout_id",
    "status",
    "type",
    "entry_type",
    "amount",
    "asset",
    "source_amount",
    "source_asset",
    "target_amount",
    "target_asset",
    "rate",
    "spread_bps",
    "fee_bps",
    "network",
    "created_at",
];

/// `keys` in the order support reads them (see [`FIRST_FIELDS`]).
fn field_order<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = keys.collect();
    keys.sort_by_key(|k| (FIRST_FIELDS.iter().position(|f| f == k).unwrap_or(FIRST_FIELDS.len()), k.as_str()));
    keys.dedup();
    keys
}

fn title(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn scalar(value: &Value) -> AnyView {
    match value {
        Value::Null => view! { <span class="muted">"—"</span> }.into_any(),
        Value::String(s) if s == ReconciliationState::Exception.as_str() => {
            view! { <mark class="exception-badge">{s.clone()}</mark> }.into_any()
        }
        Value::String(s) => s.clone().into_any(),
        other => other.to_string().into_any(),
    }
}

/// Objects as definition lists, lists of objects as tables, the rest as text.
fn render(value: &Value) -> AnyView {
    match value {
        // Nothing bound, say: shown as such instead of a label with nothing beside it.
        Value::Object(map) if map.is_empty() => view! { <p class="muted">"None."</p> }.into_any(),
        Value::Object(map) => {
            let rows = field_order(map.keys()).into_iter().map(|k| view! { <dt>{title(k)}</dt><dd>{render(&map[k])}</dd> }).collect_view();
            view! { <dl class="evidence-fields">{rows}</dl> }.into_any()
        }
        Value::Array(items) if items.is_empty() => view! { <p class="muted">"None."</p> }.into_any(),
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let columns: Vec<String> =
                field_order(items.iter().filter_map(Value::as_object).flat_map(|o| o.keys())).into_iter().cloned().collect();
            let head = columns.iter().map(|c| view! { <th scope="col">{title(c)}</th> }).collect_view();
            let body = items
                .iter()
                .map(|item| {
                    let cells = columns.iter().map(|c| view! { <td>{render(item.get(c).unwrap_or(&Value::Null))}</td> }).collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view();
            view! { <div class="table-wrap" tabindex="0" role="region" aria-label="Evidence rows"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div> }.into_any()
        }
        Value::Array(items) => items.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ").into_any(),
        other => scalar(other),
    }
}

/// Props: `on_signed_out` when the session ended.
#[component]
pub fn Lookup(on_signed_out: Callback<()>) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<Value, ApiError>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = id.get_untracked().trim().to_owned();
        if wanted.is_empty() {
            // Nothing asked: nothing shown (an earlier answer would read as this one's).
            result.set(None);
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            result.set(Some(api::lookup(&wanted).await));
            busy.set(false);
        });
    };
    view! {
        <form class="lookup" on:submit=submit role="search">
            <label for="lookup-id">"Any id: request, quote, transact, webhook event, ledger row, partner reference, session or checkout"</label>
            <div class="row">
                <input id="lookup-id" bind:value=id autocomplete="off" spellcheck="false" data-testid="lookup-id" />
                <button type="submit" class="primary" disabled=move || busy.get() data-testid="lookup-submit">"Look up"</button>
            </div>
        </form>
        <div aria-live="polite" data-testid="evidence">
            {move || result.get().map(|r| match r {
                Ok(packet) => {
                    let sections = ordered(packet.as_object().cloned().unwrap_or_default()).into_iter().map(|(key, value)| view! {
                        <section class="evidence-section" data-section=key.clone()>
                            <h3>{title(&key)}</h3>
                            {render(&value)}
                        </section>
                    }).collect_view();
                    view! { <div class="card evidence">{sections}</div> }.into_any()
                }
                Err(ApiError::Refused { code: ErrorCode::EvidenceNotFound, .. }) => {
                    view! { <p class="error" role="alert">"Nothing has this id. Check it and try again: ids are case-sensitive."</p> }.into_any()
                }
                Err(e) => failed(e, on_signed_out),
            })}
        </div>
    }
}
