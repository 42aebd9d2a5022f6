//! The quote flow, wired to the server: owns the state, the timers and the requests;
//! renders one panel per stage. The decisions themselves are `quote_core::flow`'s.

use super::form::{FieldErrors, PreviewState, QuoteForm};
use super::{FirmQuotePanel, ProblemPanel, TradePanel, UnavailablePanel};
use crate::api::{now_ms, Api, FetchError};
use crate::ui::ui;
use leptos::prelude::*;
use leptos::reactive::owner::Owner;
use std::future::Future;
use quote_core::copy::Copy;
use quote_core::flow::{crossed_mark, Display, Problem, Stage};

/// The product state a refused request stands for (with its support id, if any).
fn problem_of(e: &FetchError) -> Problem {
    let support_id = match e {
        FetchError::Api { detail, .. } => detail.support_id.as_deref(),
        _ => None,
    };
    Problem::from_code(e.code(), support_id)
}

/// What the host hears of a refused request.
fn error_event(e: &FetchError) -> HostEvent {
    HostEvent::Error { code: e.code().to_owned(), message: e.to_string() }
}

fn support_id_of(e: &FetchError) -> Option<String> {
    match e {
        FetchError::Api { detail, .. } => detail.support_id.clone(),
        _ => None,
    }
}
use quote_core::form::{check_amount, check_firm, pay_currency, FieldProblem};
use quote_core::host_event::HostEvent;
use quote_core::preview::{refresh_due, Sequencer, DEBOUNCE_MS};
use quote_core::wire::{CheckoutView, PoolView, QuoteIntent, TradeView};
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;
use web_sys::AbortController;

/// Countdown and preview ticks. The exact expiry moment gets its own timer.
const TICK_MS: u32 = 250;
/// Polling interval when the event stream is not available.
const POLL_MS: u32 = 2_000;
/// First wait before accepting again after an unknown outcome; doubled up to the max.
const ACCEPT_RETRY_FIRST_MS: u32 = 1_000;
const ACCEPT_RETRY_MAX_MS: u32 = 15_000;

/// Runs `task` under `owner`, cancelled when the owner is cleaned up: a request that
/// answers after the widget was destroyed (or re-rendered) touches nothing.
fn spawn_scoped(owner: &Owner, task: impl Future<Output = ()> + 'static) {
    owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
}

/// Cancels the request a slot holds, if any.
fn abort_in(slot: StoredValue<Option<AbortController>, LocalStorage>) {
    slot.update_value(|c| {
        if let Some(c) = c.take() {
            c.abort();
        }
    });
}

fn page_visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

/// Waits `ms`. The wait is a `gloo-timers` future: a task cancelled while waiting
/// (the widget went away) drops it, and dropping it clears the browser's timeout.
async fn sleep_ms(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Which panel is up, ignoring the countdown's sub-states (focus moves between
/// panels, not while a quote ticks down).
fn panel_of(stage: &Stage) -> u8 {
    match stage {
        Stage::Form | Stage::Locking { .. } => 0,
        Stage::Quoted(_) | Stage::Accepting(_) => 1,
        Stage::Pending(_) | Stage::Finished(_) => 2,
        Stage::Unavailable(_) => 3,
        Stage::Problem(_) => 4,
    }
}

/// Runs the flow for the given pools.
#[component]
pub fn Flow(
    /// The companion server.
    api: Api,
    /// Pools from discovery.
    pools: Vec<PoolView>,
    /// The checkout this session belongs to: its bindings are locked, its trade shown.
    #[prop(optional)]
    checkout: Option<CheckoutView>,
) -> impl IntoView {
    let ui = ui();
    let host = crate::host::host();
    let emitter = host.emitter.clone();
    let api = StoredValue::new_local(api);
    let pools = StoredValue::new(pools);
    let (pool_id, input) = (host.pool_id, host.input);
    // What the partner's backend bound is not the user's to change.
    if let Some(c) = &checkout {
        host.apply_bindings(&c.bindings);
    }
    // Start on the host's pool if it is offered, else the first available one.
    let offered = pools.with_value(|p| p.iter().any(|p| p.pool_id == pool_id.get_untracked()));
    if !offered {
        if let Some(first) = pools.with_value(|p| p.iter().find(|p| p.available).or(p.first()).cloned()) {
            pool_id.set(first.pool_id.clone());
        }
    }
    let errors = RwSignal::new(FieldErrors::new());
    let preview = RwSignal::new(PreviewState::Idle);
    let stage = RwSignal::new(Stage::Form);
    let now = RwSignal::new(now_ms());
    let notice = RwSignal::new(None::<String>);
    let announcement = RwSignal::new(String::new());
    let sequencer = StoredValue::new(Sequencer::default());
    let last_preview_at = StoredValue::new(None::<i64>);
    let preview_abort = StoredValue::new_local(None::<AbortController>);
    let follow_abort = StoredValue::new_local(None::<AbortController>);
    // Timers are `gloo-timers` values: replacing or dropping one clears it.
    let debounce = StoredValue::new_local(None::<Timeout>);
    let expiry_timer = StoredValue::new_local(None::<Timeout>);
    let root = NodeRef::<leptos::html::Div>::new();
    let owner = Owner::current().expect("components run under an owner");

    let current_pool = move || pools.with_value(|p| p.iter().find(|p| p.pool_id == pool_id.get_untracked()).cloned());
    let set_field_error = move |field: &str, message: Option<String>| {
        errors.update(|e| {
            e.retain(|(f, _)| f != field);
            if let Some(m) = message {
                e.push((field.to_owned(), m));
            }
        })
    };
    let deck_message = {
        let ui = ui.clone();
        move |p: &FieldProblem| p.message(&ui.deck)
    };

    // A new pool: pick a side and network it offers.
    Effect::new(move |_| {
        let id = pool_id.get();
        if let Some(p) = pools.with_value(|ps| ps.iter().find(|p| p.pool_id == id).cloned()) {
            input.update(|i| {
                if !p.sides.contains(&i.side) {
                    i.side = p.sides.first().cloned().unwrap_or_default();
                }
                if !p.networks.contains(&i.network) {
                    i.network = p.networks.first().cloned().unwrap_or_default();
                }
            });
        }
    });

    let intent = move |quote_type: &str| -> Option<QuoteIntent> {
        let pool = current_pool()?;
        let i = input.get_untracked();
        let firm = quote_type == "firm";
        Some(QuoteIntent {
            pool_id: pool.pool_id.clone(),
            side: i.side.clone(),
            amount: i.amount.trim().to_owned(),
            currency: pay_currency(&pool, &i.side).to_owned(),
            quote_type: quote_type.to_owned(),
            network: firm.then(|| i.network.clone()),
            destination_address: firm.then(|| i.destination.trim().to_owned()),
            partner_reference: host.partner_reference.get_untracked(),
        })
    };

    // ---- Indicative preview ------------------------------------------------
    let abort_preview = move || {
        sequencer.update_value(Sequencer::invalidate);
        abort_in(preview_abort);
    };
    let request_preview = {
        let deck_message = deck_message.clone();
        let emitter = emitter.clone();
        let owner = owner.clone();
        move || {
            let Some(pool) = current_pool() else { return };
            let typed = input.get_untracked();
            abort_preview();
            match check_amount(&pool, &typed) {
                Err(problem) => {
                    let shown = (!typed.amount.trim().is_empty()).then(|| deck_message(&problem));
                    set_field_error("amount", shown);
                    preview.set(PreviewState::Idle);
                    return;
                }
                Ok(_) => set_field_error("amount", None),
            }
            let Some(intent) = intent("indicative") else { return };
            let mut ticket = 0;
            sequencer.update_value(|s| ticket = s.issue());
            let controller = AbortController::new().ok();
            let signal = controller.as_ref().map(AbortController::signal);
            preview_abort.set_value(controller);
            preview.update(|p| {
                let last = match p {
                    PreviewState::Ready(t) => Some(t.clone()),
                    PreviewState::Loading(t) => t.clone(),
                    _ => None,
                };
                *p = PreviewState::Loading(last);
            });
            let deck_message = deck_message.clone();
            let emitter = emitter.clone();
            spawn_scoped(&owner, async move {
                let result = api.get_value().quote(&intent, signal.as_ref()).await;
                // An older answer never overwrites a newer one.
                if !sequencer.with_value(|s| s.is_current(ticket)) {
                    return;
                }
                last_preview_at.set_value(Some(now_ms()));
                match result {
                    Ok((view, _, _)) if view.available => {
                        if let Some(terms) = &view.terms {
                            emitter.emit(HostEvent::Preview { pool_id: intent.pool_id.clone(), side: intent.side.clone(), amount: intent.amount.clone(), terms: terms.clone() });
                        }
                        preview.set(view.terms.map(PreviewState::Ready).unwrap_or(PreviewState::Failed));
                    }
                    Ok((view, _, _)) => preview.set(PreviewState::Unavailable(view.unavailable_reason.unwrap_or_default())),
                    Err(FetchError::Aborted) => {}
                    Err(FetchError::Api { detail, .. }) if detail.field.as_deref() == Some("amount") => {
                        let message = match (detail.min_order_usdt, detail.max_order_usdt) {
                            (Some(min), max) => deck_message(&FieldProblem::OutOfLimits { min, max }),
                            _ => detail.message,
                        };
                        emitter.emit(HostEvent::Error { code: detail.code.clone(), message: message.clone() });
                        set_field_error("amount", Some(message));
                        preview.set(PreviewState::Idle);
                    }
                    Err(_) => preview.set(PreviewState::Failed),
                }
            });
        }
    };
    let request_preview = StoredValue::new_local(request_preview);

    // Debounced on what changes the price: pool, side, amount.
    let price_inputs = Memo::new(move |_| (pool_id.get(), input.with(|i| (i.side.clone(), i.amount.clone()))));
    Effect::new(move |_| {
        // `get`, not `track`: the memo must recompute for later changes to reach here.
        let _ = price_inputs.get();
        if !matches!(stage.get_untracked(), Stage::Form) {
            debounce.set_value(None);
            return;
        }
        debounce.set_value(Some(Timeout::new(DEBOUNCE_MS as u32, move || {
            let _ = request_preview.try_with_value(|f| f());
        })));
    });

    // The clock: countdowns, and idle preview refreshes while the page is visible.
    let clock = Interval::new(TICK_MS, move || {
        let t = now_ms();
        now.set(t);
        let idle_with_estimate = matches!(stage.get_untracked(), Stage::Form)
            && matches!(preview.get_untracked(), PreviewState::Ready(_));
        if idle_with_estimate && refresh_due(t, last_preview_at.get_value(), page_visible()) {
            request_preview.with_value(|f| f());
        }
    });
    let clock = send_wrapper::SendWrapper::new(clock);
    on_cleanup(move || drop(clock));

    // Accept is disabled at the exact moment of expiry, not at the next tick.
    Effect::new(move |_| {
        let timer = match stage.get() {
            Stage::Quoted(q) if q.remaining_ms(now_ms()) > 0 => {
                let remaining = q.remaining_ms(now_ms());
                Some(Timeout::new(u32::try_from(remaining + 1).unwrap_or(u32::MAX), move || now.set(now_ms())))
            }
            _ => None,
        };
        expiry_timer.set_value(timer);
    });

    // The live region speaks at thresholds and on status changes, not every second.
    let last_seconds = StoredValue::new(u64::MAX);
    {
        let ui = ui.clone();
        let emitter = emitter.clone();
        Effect::new(move |previous: Option<Display>| {
            let t = now.get();
            let display = stage.with(|s| s.display(t));
            if let Stage::Quoted(q) = stage.get_untracked() {
                let seconds = q.seconds_left(t);
                if let Some(mark) = crossed_mark(last_seconds.get_value(), seconds) {
                    announcement.set(ui.fill(Copy::SecondsLeftAnnouncement, &[("seconds", &mark.to_string())]));
                }
                last_seconds.set_value(seconds);
            } else {
                last_seconds.set_value(u64::MAX);
            }
            if previous != Some(display) {
                let key = match display {
                    Display::ExpiringSoon => Some(Copy::FirmExpiringSoon),
                    Display::Expired => Some(Copy::FirmExpired),
                    Display::Pending => Some(Copy::TradePending),
                    Display::Settled => Some(Copy::TradeSettled),
                    Display::Failed => Some(Copy::TradeFailed),
                    _ => None,
                };
                if let Some(key) = key {
                    announcement.set(ui.t(key));
                }
                if let (Display::Expired, Stage::Quoted(q)) = (display, stage.get_untracked()) {
                    emitter.emit(HostEvent::Expired { quote_id: q.quote_id.clone(), expires_at: q.terms.expires_at.clone() });
                }
            }
            display
        });
    }

    // Trade status events, whichever path brought the news (accept, stream, poll, reload).
    {
        let emitter = emitter.clone();
        Effect::new(move |previous: Option<Option<(String, String)>>| {
            let current = stage.with(|s| match s {
                Stage::Pending(t) | Stage::Finished(t) => Some((t.trade_id.clone(), t.status.clone())),
                _ => None,
            });
            if let Some((trade_id, status)) = &current {
                if previous.flatten().as_ref() != Some(&(trade_id.clone(), status.clone())) {
                    let quote_id = stage.with_untracked(|s| match s {
                        Stage::Pending(t) | Stage::Finished(t) => t.quote_id.clone(),
                        _ => String::new(),
                    });
                    let (trade_id, status) = (trade_id.clone(), status.clone());
                    let terminal = matches!(status.as_str(), "settled" | "failed" | "released");
                    emitter.emit(HostEvent::Status { trade_id: trade_id.clone(), quote_id: quote_id.clone(), status: status.clone() });
                    if terminal {
                        emitter.emit(HostEvent::Terminal { trade_id, quote_id, status });
                    }
                }
            }
            current
        });
    }

    // Focus follows the step: the new panel's heading, so keyboard and screen-reader
    // users land where the content changed.
    let panel = Memo::new(move |_| stage.with(panel_of));
    Effect::new(move |previous: Option<u8>| {
        let current = panel.get();
        if previous.is_some_and(|p| p != current) {
            request_animation_frame(move || {
                let Some(root) = root.try_get_untracked().flatten() else { return };
                let target = if current == 0 {
                    root.query_selector("[data-testid=get-firm-quote]").ok().flatten()
                } else {
                    root.query_selector("[data-focus-target]").ok().flatten()
                };
                if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            });
        }
        current
    });

    // ---- Following a trade ---------------------------------------------------
    let follow = {
        let owner = owner.clone();
        move |trade_id: String| {
        abort_in(follow_abort);
        let Ok(controller) = AbortController::new() else { return };
        let signal = controller.signal();
        follow_abort.set_value(Some(controller));
        spawn_scoped(&owner, async move {
            let api = api.get_value();
            let keeper = api.clone();
            let on_update = move |t: TradeView| {
                if t.is_terminal() {
                    keeper.remember("pending_trade", None);
                }
                stage.update(|s| s.trade(t));
            };
            if api.follow(&trade_id, &signal, |t| on_update(t)).await.is_ok() {
                return;
            }
            // The stream failed: poll until terminal (or until this widget goes away).
            while !signal.aborted() {
                sleep_ms(POLL_MS).await;
                if signal.aborted() {
                    break;
                }
                if let Ok(t) = api.trade(&trade_id, Some(&signal)).await {
                    let terminal = t.is_terminal();
                    on_update(t);
                    if terminal {
                        break;
                    }
                }
            }
        });
        }
    };
    on_cleanup(move || {
        abort_in(preview_abort);
        abort_in(follow_abort);
        debounce.try_set_value(None);
        expiry_timer.try_set_value(None);
    });

    // A reload while pending resumes the same trade.
    if let Some(trade_id) = api.with_value(|a| a.recall("pending_trade")) {
        let follow = follow.clone();
        spawn_scoped(&owner, async move {
            match api.get_value().trade(&trade_id, None).await {
                Ok(t) => {
                    let terminal = t.is_terminal();
                    stage.update(|s| s.trade(t));
                    if terminal {
                        api.with_value(|a| a.remember("pending_trade", None));
                    } else {
                        follow(trade_id);
                    }
                }
                Err(FetchError::Api { .. }) => api.with_value(|a| a.remember("pending_trade", None)),
                Err(_) => {}
            }
        });
    }

    // A checkout that already converted (in another tab, or before a reload) shows
    // its one trade; an expired one says so.
    let show_trade = {
        let follow = follow.clone();
        move |trade: TradeView| {
            let (id, terminal) = (trade.trade_id.clone(), trade.is_terminal());
            api.with_value(|a| a.remember("pending_trade", (!terminal).then_some(id.as_str())));
            stage.update(|s| s.trade(trade));
            if !terminal {
                follow(id);
            }
        }
    };
    match checkout.as_ref() {
        // A demo checkout whose conversion is over, and was seen to its end, starts
        // afresh (as "Start a new conversion" would); a partner's checkout, or one
        // this page was still waiting on, shows its one conversion.
        Some(CheckoutView { trade: Some(trade), .. })
            if trade.is_terminal()
                && api.with_value(|a| a.starts_own_checkouts() && a.recall("pending_accept").is_none() && a.recall("pending_trade").is_none()) =>
        {
            api.with_value(Api::forget_session);
        }
        Some(CheckoutView { trade: Some(trade), .. }) => {
            // The accept this page may have been retrying is answered: this is its trade.
            api.with_value(|a| a.remember("pending_accept", None));
            show_trade(trade.clone());
        }
        Some(c) if c.status == "expired" => stage.set(Stage::Problem(Problem::CheckoutExpired)),
        _ => {}
    }

    // Another tab of this checkout accepted (it wrote the trade it follows into the
    // storage both tabs share): show that trade here at once. The server would refuse
    // a second conversion anyway; this keeps Accept from being offered at all.
    {
        let owner = owner.clone();
        let follow = follow.clone();
        let key = api.with_value(|a| a.storage_key("pending_trade"));
        let listener = window_event_listener(leptos::ev::storage, move |e: web_sys::StorageEvent| {
            let Some(trade_id) = e.new_value().filter(|_| e.key().as_deref() == Some(key.as_str())) else { return };
            let shown = stage.with_untracked(|s| matches!(s, Stage::Pending(t) | Stage::Finished(t) if t.trade_id == trade_id));
            if shown {
                return;
            }
            let follow = follow.clone();
            spawn_scoped(&owner, async move {
                if let Ok(trade) = api.get_value().trade(&trade_id, None).await {
                    let terminal = trade.is_terminal();
                    stage.update(|s| s.converted_elsewhere(trade));
                    if !terminal {
                        follow(trade_id);
                    }
                }
            });
        });
        let listener = send_wrapper::SendWrapper::new(listener);
        on_cleanup(move || listener.take().remove());
    }

    // ---- Intents ---------------------------------------------------------------
    let lock = {
        let deck_message = deck_message.clone();
        let emitter = emitter.clone();
        let owner = owner.clone();
        let show_trade = show_trade.clone();
        move || {
            let Some(pool) = current_pool() else { return };
            let problems = check_firm(&pool, &input.get_untracked());
            errors.set(problems.iter().map(|(f, p)| ((*f).to_owned(), deck_message(p))).collect());
            if !problems.is_empty() {
                if let Some(root) = root.try_get_untracked().flatten() {
                    if let Some(el) = root.query_selector("[aria-invalid=true]").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = el.focus();
                    }
                }
                return;
            }
            let previous_attempt = match stage.get_untracked() {
                Stage::Unavailable(u) => Some(u.attempt),
                _ => None,
            };
            let mut started = false;
            stage.update(|s| started = s.lock());
            if !started {
                return;
            }
            notice.set(None);
            abort_preview();
            let Some(intent) = intent("firm") else { return };
            let asked_for = (pool_id.get_untracked(), input.get_untracked());
            let deck_message = deck_message.clone();
            let emitter = emitter.clone();
            let show_trade = show_trade.clone();
            spawn_scoped(&owner, async move {
                match api.get_value().quote(&intent, None).await {
                    // The host changed what is being paid for while the quote was being
                    // locked: that quote is declined, never shown for accepting.
                    Ok((view, _, _)) if (pool_id.get_untracked(), input.get_untracked()) != asked_for => {
                        if let Some(id) = view.quote_id {
                            let _ = api.get_value().reject(&id).await;
                        }
                        stage.set(Stage::Form);
                        request_preview.with_value(|f| f());
                    }
                    Ok((view, sent, received)) => {
                        stage.update(|s| {
                            s.locked(&view, sent, received);
                            if let Some(attempt) = previous_attempt.filter(|_| !view.available) {
                                s.still_unavailable(attempt);
                            }
                        });
                        match stage.get_untracked() {
                            Stage::Quoted(q) => emitter.emit(HostEvent::Quote { quote_id: q.quote_id, expires_at: q.terms.expires_at.clone(), terms: q.terms }),
                            Stage::Unavailable(u) => emitter.emit(HostEvent::Unavailable { reason: u.reason, retry_after_ms: u.retry_after_ms }),
                            _ => {}
                        }
                    }
                    // The checkout converted meanwhile (another tab): show that trade.
                    Err(FetchError::Api { detail, .. }) if detail.code == "checkout_converted" && detail.trade_id.is_some() => {
                        let trade_id = detail.trade_id.unwrap_or_default();
                        match api.get_value().trade(&trade_id, None).await {
                            Ok(trade) => show_trade(trade),
                            Err(e) => stage.update(|s| s.failed(problem_of(&e))),
                        }
                    }
                    Err(FetchError::Api { detail, .. }) if detail.field.is_some() || detail.code == "amount_out_of_limits" => {
                        let field = match detail.field.as_deref() {
                            Some("destination_address") => "destination",
                            Some("network") => "network",
                            _ => "amount",
                        };
                        let message = match (detail.min_order_usdt, detail.max_order_usdt) {
                            (Some(min), max) => deck_message(&FieldProblem::OutOfLimits { min, max }),
                            _ => detail.message,
                        };
                        emitter.emit(HostEvent::Error { code: detail.code.clone(), message: message.clone() });
                        set_field_error(field, Some(message));
                        stage.set(Stage::Form);
                    }
                    Err(e) => {
                        emitter.emit(error_event(&e));
                        stage.update(|s| s.failed(problem_of(&e)));
                    }
                }
            });
        }
    };
    let lock = StoredValue::new_local(lock);

    // Accepting runs until the answer is definite. With no answer (or "not confirmed
    // yet") the same quote is accepted again, with backoff, past its expiry if need
    // be: the server executes a quote at most once, and offering a new quote while
    // the first may have executed could make a second conversion.
    let run_accept = {
        let ui = ui.clone();
        let emitter = emitter.clone();
        let owner = owner.clone();
        let follow = follow.clone();
        move |quote_id: String| {
            let ui = ui.clone();
            let emitter = emitter.clone();
            let follow = follow.clone();
            spawn_scoped(&owner, async move {
                let mut wait_ms = ACCEPT_RETRY_FIRST_MS;
                loop {
                    match api.get_value().accept(&quote_id).await {
                        Ok(trade) => {
                            let (id, terminal) = (trade.trade_id.clone(), trade.is_terminal());
                            api.with_value(|a| {
                                a.remember("pending_accept", None);
                                a.remember("pending_trade", (!terminal).then_some(id.as_str()));
                            });
                            notice.set(None);
                            emitter.emit(HostEvent::Accepted { quote_id: quote_id.clone(), trade_id: id.clone(), status: trade.status.clone() });
                            stage.update(|s| s.trade(trade));
                            if !terminal {
                                follow(id);
                            }
                            return;
                        }
                        Err(e) if Stage::is_definite_refusal(e.code()) => {
                            api.with_value(|a| a.remember("pending_accept", None));
                            emitter.emit(error_event(&e));
                            let support_id = support_id_of(&e);
                            stage.update(|s| s.accept_refused(e.code(), support_id.as_deref()));
                            return;
                        }
                        Err(e) => {
                            emitter.emit(error_event(&e));
                            notice.set(Some(ui.t(Copy::AcceptUnconfirmed)));
                            sleep_ms(wait_ms).await;
                            wait_ms = (wait_ms * 2).min(ACCEPT_RETRY_MAX_MS);
                        }
                    }
                }
            });
        }
    };
    let accept = {
        let run_accept = run_accept.clone();
        move || {
            let mut quote_id = None;
            stage.update(|s| quote_id = s.accept(now_ms()));
            // However often it is clicked, only the first click of a live quote sends.
            let Some(quote_id) = quote_id else { return };
            if let Stage::Accepting(q) = stage.get_untracked() {
                api.with_value(|a| a.remember_json("pending_accept", Some(&q)));
            }
            notice.set(None);
            run_accept(quote_id);
        }
    };
    // A reload during an accept whose outcome is unknown carries on with that accept.
    if let Some(q) = api.with_value(|a| a.recall_json::<quote_core::flow::FirmQuote>("pending_accept")) {
        let id = q.quote_id.clone();
        stage.set(Stage::Accepting(q));
        notice.set(Some(ui.t(Copy::AcceptUnconfirmed)));
        run_accept(id);
    }

    let back = {
        let owner = owner.clone();
        move || {
        // A firm quote left behind is declined, so it can never execute.
        if let Stage::Quoted(q) = stage.get_untracked() {
            let id = q.quote_id.clone();
            spawn_scoped(&owner, async move {
                let _ = api.get_value().reject(&id).await;
            });
        }
        stage.update(Stage::back_to_form);
        notice.set(None);
        request_preview.with_value(|f| f());
        }
    };
    // The host changed a quote-bound input (`update()`) while a firm quote was live:
    // that quote no longer matches what is being paid for, so it is declined
    // upstream and the user is back on the form with the new values.
    {
        let back = back.clone();
        Effect::new(move |previous: Option<(String, quote_core::form::FormInput)>| {
            let current = (pool_id.get(), input.get());
            if previous.is_some_and(|p| p != current) && matches!(stage.get_untracked(), Stage::Quoted(_)) {
                back();
            }
            current
        });
    }
    let start_over = move || {
        api.with_value(|a| {
            a.remember("pending_trade", None);
            // A checkout converts once: a new conversion needs a new (demo) checkout.
            a.forget_session();
        });
        stage.set(Stage::Form);
        preview.set(PreviewState::Idle);
        request_preview.with_value(|f| f());
    };
    let alternate = Signal::derive(move || {
        let current = pool_id.get();
        pools.with_value(|p| p.iter().find(|p| p.available && p.pool_id != current).cloned())
    });

    let on_submit = Callback::new(move |_| lock.with_value(|f| f()));
    let on_accept = Callback::new(move |_| accept());
    let on_back = Callback::new(move |_| back());
    let on_new = Callback::new(move |_| start_over());
    let on_alternate = Callback::new(move |id: String| {
        pool_id.set(id);
        stage.update(Stage::back_to_form);
        request_preview.with_value(|f| f());
    });

    let locking_text = ui.t(Copy::Locking);
    let all_locked = host.all_locked();
    // One panel per step; within a step, panels follow the stage through signals
    // instead of being rebuilt (which would lose focus and flicker).
    let body = move || match panel.get() {
        0 => {
            let locking = move || matches!(stage.get(), Stage::Locking { .. });
            let locking_text = locking_text.clone();
            view! {
                <div class="qw-form-wrap" aria-busy=move || locking().to_string()>
                    <QuoteForm pools=pools.get_value() pool_id input errors preview locked=all_locked on_submit />
                    {move || locking().then(|| view! {
                        <p class="qw-loading" role="status" data-testid="locking"><span class="qw-spinner" aria-hidden="true"></span>{locking_text.clone()}</p>
                    })}
                </div>
            }
            .into_any()
        }
        1 => {
            let (Stage::Quoted(initial) | Stage::Accepting(initial)) = stage.get_untracked() else { return ().into_any() };
            let accepting = Signal::derive(move || matches!(stage.get(), Stage::Accepting(_)));
            let latest = StoredValue::new(initial);
            let quote = Signal::derive(move || {
                if let Stage::Quoted(q) | Stage::Accepting(q) = stage.get() {
                    latest.set_value(q);
                }
                latest.get_value()
            });
            view! { <FirmQuotePanel quote now accepting notice on_accept on_refresh=on_submit on_back /> }.into_any()
        }
        2 => {
            let (Stage::Pending(initial) | Stage::Finished(initial)) = stage.get_untracked() else { return ().into_any() };
            let latest = StoredValue::new(initial);
            let trade = Signal::derive(move || {
                if let Stage::Pending(t) | Stage::Finished(t) = stage.get() {
                    latest.set_value(t);
                }
                latest.get_value()
            });
            let can_start_new = api.with_value(Api::starts_own_checkouts);
            view! { <TradePanel trade on_new can_start_new /> }.into_any()
        }
        3 => {
            let Stage::Unavailable(initial) = stage.get_untracked() else { return ().into_any() };
            let latest = StoredValue::new(initial);
            let unavailable = Signal::derive(move || {
                if let Stage::Unavailable(u) = stage.get() {
                    latest.set_value(u);
                }
                latest.get_value()
            });
            view! { <UnavailablePanel unavailable now alternate on_retry=on_submit on_alternate on_back /> }.into_any()
        }
        _ => {
            let Stage::Problem(problem) = stage.get_untracked() else { return ().into_any() };
            view! { <ProblemPanel problem=Signal::stored(problem) on_retry=on_submit on_back /> }.into_any()
        }
    };

    view! {
        <div class="qw-flow" node_ref=root>
            <p class="qw-sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">{move || announcement.get()}</p>
            {body}
        </div>
    }
}
