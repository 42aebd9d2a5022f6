//! The form (pool, side, amount, network, destination) and the live indicative
//! preview under it.

use crate::ui::ui;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::display::{money, rate_line};
use quote_core::form::{pay_currency, FormInput};
use quote_core::wire::{PoolView, QuoteTerms, Side};

/// The indicative preview's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewState {
    /// Nothing to estimate (no valid amount yet).
    Idle,
    /// Asking; the last terms (if any) stay visible meanwhile.
    Loading(Option<QuoteTerms>),
    Ready(QuoteTerms),
    Unavailable(quote_core::wire::UnavailableReason),
    /// The estimate could not be fetched; the form still works.
    Failed,
}

/// Field errors as (field, message): fields are `amount`, `network`, `destination`.
pub type FieldErrors = Vec<(String, String)>;

fn error_for(errors: RwSignal<FieldErrors>, field: &'static str) -> impl Fn() -> Option<String> + std::marker::Copy {
    move || errors.with(|e| e.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()))
}

/// The conversion form. Validation happens before any quote request; problems are
/// shown next to their field.
///
/// Its state is the flow's own signals, not `Signal<T>`s: each type read through
/// `Signal` brings its own 2–2.5 KB of reading code to the wasm (issue #26).
#[component]
pub fn QuoteForm(
    /// Pools from discovery (read again when stale); unavailable ones are listed but disabled.
    pools: RwSignal<Vec<PoolView>>,
    /// The selected pool id.
    pool_id: RwSignal<String>,
    /// What the user typed.
    input: RwSignal<FormInput>,
    /// Problems per field.
    errors: RwSignal<FieldErrors>,
    /// The live estimate.
    preview: RwSignal<PreviewState>,
    /// Fields the host locked (not editable): any of `pool`, `side`, `amount`, `network`, `destination`.
    #[prop(optional, into)]
    locked: Signal<Vec<String>>,
    /// The program's cap on this checkout's next order (the hint names it).
    #[prop(default = None)]
    order_cap: Option<quote_core::wire::OrderCap>,
    /// Asks for a firm quote.
    on_submit: Callback<()>,
) -> impl IntoView {
    let ui = ui();
    let pool = Memo::new(move |_| {
        let id = pool_id.get();
        pools.with(|p| p.iter().find(|p| p.pool_id == id).cloned().or_else(|| p.first().cloned()))
    });
    let is_locked = move |field: &str| locked.with(|l| l.iter().any(|f| f == field));
    let set = move |f: fn(&mut FormInput, String)| move |ev: leptos::ev::Event| input.update(|i| f(i, event_target_value(&ev)));

    let amount_error = error_for(errors, "amount");
    let network_error = error_for(errors, "network");
    let destination_error = error_for(errors, "destination");
    let (id_pool, id_amount, id_amount_hint, id_amount_error) =
        (ui.id("pool"), ui.id("amount"), ui.id("amount-hint"), ui.id("amount-error"));
    let (id_network, id_network_error, id_dest, id_dest_hint, id_dest_error) =
        (ui.id("network"), ui.id("network-error"), ui.id("destination"), ui.id("destination-hint"), ui.id("destination-error"));
    let side_name = ui.id("side");

    let ui_for_label = ui.clone();
    let amount_label = move || {
        let currency = pool.get().map(|p| pay_currency(&p, input.with(|i| i.side)).to_owned()).unwrap_or_default();
        ui_for_label.fill(Copy::LabelAmount, &[("currency", &currency)])
    };
    let ui_for_hint = ui.clone();
    let limits_hint = move || {
        pool.get().map(|p| {
            let (key, values) = quote_core::form::OrderLimits::of(&p, order_cap.as_ref()).hint_parts(ui_for_hint.locale);
            let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ui_for_hint.fill(key, &args)
        })
    };
    let ui_for_sides = ui.clone();
    let sides = move || {
        let Some(p) = pool.get() else { return Vec::new() };
        p.sides
            .iter()
            .map(|side| {
                let key = if *side == Side::Sell { Copy::SideSell } else { Copy::SideBuy };
                (*side, ui_for_sides.fill(key, &[("source", &p.source_asset), ("target", &p.target_asset)]))
            })
            .collect::<Vec<_>>()
    };

    view! {
        <form class="qw-form" novalidate on:submit=move |ev| { ev.prevent_default(); on_submit.run(()); }>
            <div class="qw-field">
                <label for=id_pool.clone()>{ui.t(Copy::LabelPool)}</label>
                <select id=id_pool data-testid="pool-select" disabled=move || is_locked("pool")
                    prop:value=move || { pools.track(); pool_id.get() }
                    on:change=move |ev| pool_id.set(event_target_value(&ev))>
                    {move || pools.get().into_iter().map(|p| {
                        let label = format!("{} → {}", p.source_asset, p.target_asset);
                        view! { <option value=p.pool_id.clone() disabled=!p.available>{label}</option> }
                    }).collect_view()}
                </select>
            </div>

            <fieldset class="qw-field qw-sides" disabled=move || is_locked("side")>
                <legend>{ui.t(Copy::LabelSide)}</legend>
                {move || sides().into_iter().map(|(side, label)| {
                    let checked = move || input.with(|i| i.side == side);
                    let value = side;
                    view! {
                        <label class="qw-side">
                            <input type="radio" name=side_name.clone() value=side.as_str() data-testid=format!("side-{side}")
                                prop:checked=checked
                                on:change=move |_| input.update(|i| i.side = value) />
                            <span>{label}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>

            <div class="qw-field" class:qw-field--invalid=move || amount_error().is_some()>
                <label for=id_amount.clone()>{amount_label}</label>
                <input id=id_amount type="text" inputmode="decimal" autocomplete="off" data-testid="amount"
                    readonly=move || is_locked("amount")
                    aria-invalid=move || amount_error().is_some().to_string()
                    aria-describedby=format!("{id_amount_hint} {id_amount_error}")
                    prop:value=move || input.with(|i| i.amount.clone())
                    on:input=set(|i, v| i.amount = v) />
                <p class="qw-hint" id=id_amount_hint>{limits_hint}</p>
                <FieldMessage id=id_amount_error testid="amount-error" message=amount_error />
            </div>

            <div class="qw-field" class:qw-field--invalid=move || network_error().is_some()>
                <label for=id_network.clone()>{ui.t(Copy::LabelNetwork)}</label>
                <select id=id_network data-testid="network" disabled=move || is_locked("network")
                    aria-describedby=id_network_error.clone()
                    prop:value=move || input.with(|i| i.network.clone())
                    on:change=set(|i, v| i.network = v)>
                    {move || pool.get().map(|p| p.networks.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view())}
                </select>
                <FieldMessage id=id_network_error message=network_error />
            </div>

            <div class="qw-field" class:qw-field--invalid=move || destination_error().is_some()>
                <label for=id_dest.clone()>{ui.t(Copy::LabelDestination)}</label>
                <input id=id_dest type="text" autocomplete="off" spellcheck="false" data-testid="destination"
                    readonly=move || is_locked("destination")
                    aria-invalid=move || destination_error().is_some().to_string()
                    aria-describedby=format!("{id_dest_hint} {id_dest_error}")
                    prop:value=move || input.with(|i| i.destination.clone())
                    on:input=set(|i, v| i.destination = v) />
                <p class="qw-hint" id=id_dest_hint>{ui.t(Copy::DestinationHint)}</p>
                <FieldMessage id=id_dest_error testid="destination-error" message=destination_error />
            </div>

            <PreviewPanel state=preview />

            <button type="submit" class="qw-button qw-button--primary" data-testid="get-firm-quote">{ui.t(Copy::GetFirmQuote)}</button>
        </form>
    }
}

/// A field's problem, shown next to it (and referenced by its `aria-describedby`).
#[component]
fn FieldMessage(
    /// The element id the field's `aria-describedby` names.
    id: String,
    /// The problem, if any (a closure: three `Signal::derive`s cost more).
    message: impl Fn() -> Option<String> + Send + Sync + 'static,
    /// For tests.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <p class="qw-error" id=id data-testid=testid>
            {move || message().map(|m| view! { <span class="qw-icon" aria-hidden="true">"⚠"</span>{m} })}
        </p>
    }
}

/// The indicative estimate: clearly labelled as one that cannot be accepted.
#[component]
pub fn PreviewPanel(
    /// What to show.
    state: RwSignal<PreviewState>,
) -> impl IntoView {
    let ui = ui();
    let label = ui.t(Copy::PreviewLabel);
    let body = move || {
        let ui = ui.clone();
        let (terms, loading) = match state.get() {
            PreviewState::Idle => return None,
            PreviewState::Loading(terms) => (terms, true),
            PreviewState::Ready(terms) => (Some(terms), false),
            PreviewState::Unavailable(reason) => {
                return Some(view! { <p class="qw-preview-note" data-testid="preview-unavailable">{crate::components::notices::unavailable_text(&ui, &reason)}</p> }.into_any())
            }
            PreviewState::Failed => return Some(view! { <p class="qw-preview-note">{ui.t(Copy::ErrorNetwork)}</p> }.into_any()),
        };
        Some(
            view! {
                <div class="qw-preview-terms" aria-busy=loading.to_string()>
                    {terms.map(|t| view! {
                        <p class="qw-preview-amount">
                            <span class="qw-muted">{ui.t(Copy::YouReceive)}" ≈ "</span>
                            <strong data-testid="preview-amount">{money(&t.target_amount, &t.target_asset, ui.locale)}</strong>
                        </p>
                        <p class="qw-muted qw-small">{rate_line(&t.rate, &t.source_asset, &t.target_asset, ui.locale)}</p>
                    })}
                    {loading.then(|| view! { <p class="qw-muted qw-small qw-updating">{ui.t(Copy::PreviewLoading)}</p> })}
                </div>
            }
            .into_any(),
        )
    };
    // The live region stays in the DOM (so announcements are heard); it is empty
    // until there is something to estimate.
    view! {
        <div class="qw-preview" class:qw-preview--idle=move || state.get() == PreviewState::Idle data-testid="preview" aria-live="polite">
            {move || (state.get() != PreviewState::Idle).then(|| view! { <p class="qw-badge">{label.clone()}</p> })}
            {body}
        </div>
    }
}
