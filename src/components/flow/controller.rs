//! The flow's named operations: what Lock, Accept, Back, Refresh and the rest do.
//! Each asks `quote_core::flow::Stage` whether it may happen, then does the I/O.

use super::accept;
use super::ctx::FlowCtx;
use super::follow::Follower;
use super::persist::Persisted;
use super::preview::Preview;
use crate::api::{now_ms, FetchError};
use crate::components::PreviewState;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::flow::{alternate_pool, pools_stale, Problem, Stage};
use quote_core::form::check_firm;
use quote_core::host_event::HostEvent;
use quote_core::wire::{CheckoutStatus, CheckoutView, ErrorCode, PoolView, QuoteType};

#[derive(Clone, Copy)]
pub struct Controller {
    ctx: FlowCtx,
    preview: Preview,
    follower: Follower,
    persisted: Persisted,
}

impl Controller {
    pub fn install(ctx: FlowCtx, preview: Preview, follower: Follower, persisted: Persisted) -> Controller {
        let controller = Controller { ctx, preview, follower, persisted };
        controller.keep_form_consistent();
        controller.read_pools_again_when_stale();
        controller
    }

    /// The pools are read again when the page is looked at after a while (a pool may
    /// have come back, or gone): on the window's focus and the page being shown, once
    /// they are stale.
    fn read_pools_again_when_stale(self) {
        let ctx = self.ctx;
        let when_stale = move || {
            if pools_stale(ctx.pools_read_at.get_value(), now_ms()) {
                ctx.refresh_pools();
            }
        };
        let focus = window_event_listener(leptos::ev::focus, move |_| when_stale());
        let shown = window_event_listener(leptos::ev::pageshow, move |_| when_stale());
        let visible = {
            use wasm_bindgen::JsCast;
            let callback = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                if document().visibility_state() == web_sys::VisibilityState::Visible {
                    when_stale();
                }
            });
            let _ = document().add_event_listener_with_callback("visibilitychange", callback.as_ref().unchecked_ref());
            callback
        };
        let handles = send_wrapper::SendWrapper::new((focus, shown, visible));
        on_cleanup(move || {
            use wasm_bindgen::JsCast;
            let (focus, shown, visible) = handles.take();
            focus.remove();
            shown.remove();
            let _ = document().remove_event_listener_with_callback("visibilitychange", visible.as_ref().unchecked_ref());
        });
    }

    /// Locks a firm quote for what the form says (or refreshes the quote on screen).
    pub fn lock(self) {
        let ctx = self.ctx;
        let Some(pool) = ctx.current_pool() else { return };
        let problems = check_firm(&pool, &ctx.input.get_untracked(), ctx.order_cap.get_value().as_ref());
        ctx.errors.set(problems.iter().map(|(f, p)| ((*f).to_owned(), ctx.field_message(p))).collect());
        if !problems.is_empty() {
            ctx.focus("[aria-invalid=true]");
            return;
        }
        let previous_attempt = match ctx.stage.get_untracked() {
            Stage::Unavailable(u) => Some(u.attempt),
            _ => None,
        };
        let mut started = false;
        ctx.stage.update(|s| started = s.lock());
        if !started {
            return;
        }
        ctx.notice.set(None);
        self.preview.cancel();
        let Some(intent) = ctx.intent(QuoteType::Firm) else { return };
        let asked_for = (ctx.pool_id.get_untracked(), ctx.input.get_untracked());
        ctx.spawn(async move {
            match ctx.api().quote(&intent, None).await {
                // The host changed what is being paid for while the quote was being
                // locked: that quote is declined, never shown for accepting.
                Ok((view, _, _)) if (ctx.pool_id.get_untracked(), ctx.input.get_untracked()) != asked_for => {
                    if let Some(id) = view.quote_id {
                        let _ = ctx.api().reject(&id).await;
                    }
                    ctx.stage.set(Stage::Form);
                    self.preview.request();
                }
                Ok((view, sent, received)) => {
                    ctx.stage.update(|s| {
                        s.locked(&view, sent, received);
                        if let Some(attempt) = previous_attempt.filter(|_| !view.available) {
                            s.still_unavailable(attempt);
                        }
                    });
                    match ctx.stage.get_untracked() {
                        Stage::Quoted(q) => {
                            ctx.emit(HostEvent::Quote { quote_id: q.quote_id, expires_at: q.terms.expires_at.clone(), terms: q.terms })
                        }
                        Stage::Unavailable(u) => {
                            ctx.emit(HostEvent::Unavailable { reason: u.reason, retry_after_ms: u.retry_after_ms });
                            // What discovery says may have changed too (the pool, or another).
                            ctx.refresh_pools();
                        }
                        _ => {}
                    }
                }
                // The pool itself is unavailable (discovery says so): the unavailable
                // state, with its copy and a backed-off retry, never an error.
                Err(FetchError::Api { detail, .. }) if detail.code == ErrorCode::PoolUnavailable => {
                    ctx.stage.update(|s| s.pool_unavailable(now_ms(), previous_attempt));
                    if let Stage::Unavailable(u) = ctx.stage.get_untracked() {
                        ctx.emit(HostEvent::Unavailable { reason: u.reason, retry_after_ms: u.retry_after_ms });
                    }
                    ctx.refresh_pools();
                }
                // The checkout converted meanwhile (another tab): show that trade.
                Err(FetchError::Api { detail, .. }) if detail.code == ErrorCode::CheckoutConverted && detail.trade_id.is_some() => {
                    match ctx.api().trade(&detail.trade_id.unwrap_or_default(), None).await {
                        Ok(trade) => self.follower.show(trade),
                        Err(e) => ctx.fail(&e),
                    }
                }
                Err(FetchError::Api { detail, .. }) if detail.field.is_some() || detail.code == ErrorCode::AmountOutOfLimits => {
                    let field = match detail.field.as_deref() {
                        Some("destination_address") => "destination",
                        Some("network") => "network",
                        _ => "amount",
                    };
                    let message = ctx.refusal_message(&detail);
                    ctx.emit(HostEvent::Error { code: detail.code.clone(), message: message.clone() });
                    ctx.set_field_error(field, Some(message));
                    ctx.stage.set(Stage::Form);
                }
                Err(e) => {
                    ctx.emit_error(&e);
                    ctx.fail(&e);
                }
            }
        });
    }

    /// Accepts the quote on screen: only the first click of a live quote sends.
    pub fn accept(self) {
        let ctx = self.ctx;
        let mut quote_id = None;
        ctx.stage.update(|s| quote_id = s.accept(now_ms()));
        let Some(quote_id) = quote_id else { return };
        if let Stage::Accepting(q) = ctx.stage.get_untracked() {
            self.persisted.set_pending_accept(Some(&q));
        }
        ctx.notice.set(None);
        accept::run(ctx, self.persisted, self.follower, quote_id);
    }

    /// Back to the form. A firm quote left behind is declined, so it can never execute.
    pub fn back(self) {
        let ctx = self.ctx;
        if let Stage::Quoted(q) = ctx.stage.get_untracked() {
            ctx.spawn(async move {
                let _ = ctx.api().reject(&q.quote_id).await;
            });
        }
        ctx.stage.update(Stage::back_to_form);
        ctx.notice.set(None);
        self.preview.request();
    }

    /// Another conversion pair, from the unavailable panel.
    pub fn switch_pool(self, pool_id: String) {
        self.ctx.pool_id.set(pool_id);
        self.ctx.stage.update(Stage::back_to_form);
        self.preview.request();
    }

    /// After a terminal trade: a fresh form (and, in the demo, a fresh checkout).
    pub fn start_over(self) {
        self.persisted.forget_conversion();
        self.ctx.stage.set(Stage::Form);
        self.ctx.preview.set(PreviewState::Idle);
        self.preview.request();
    }

    /// Carries on where this page left off: an accept whose outcome is unknown, a
    /// trade being followed, or the checkout's own state.
    pub fn resume(self, checkout: Option<&CheckoutView>) {
        let ctx = self.ctx;
        self.follower.resume();
        match checkout {
            // A demo checkout whose conversion is over, and was seen to its end, starts
            // afresh (as "Start a new conversion" would); a partner's checkout, or one
            // this page was still waiting on, shows its one conversion.
            Some(CheckoutView { trade: Some(trade), .. })
                if trade.is_terminal()
                    && ctx.api.with_value(|a| a.starts_own_checkouts())
                    && !self.persisted.has_pending_accept()
                    && self.persisted.pending_trade().is_none() =>
            {
                ctx.api.with_value(|a| a.forget_session());
            }
            Some(CheckoutView { trade: Some(trade), .. }) => {
                // The accept this page may have been retrying is answered: this is its trade.
                self.persisted.set_pending_accept(None);
                self.follower.show(trade.clone());
            }
            Some(c) if c.status == CheckoutStatus::Expired => ctx.stage.set(Stage::Problem(Problem::CheckoutExpired)),
            _ => {}
        }
        self.follower.listen_to_other_tabs();
        // A reload during an accept whose outcome is unknown carries on with that accept.
        if let Some(q) = self.persisted.pending_accept() {
            let id = q.quote_id.clone();
            ctx.stage.set(Stage::Accepting(q));
            ctx.notice.set(Some(ctx.t(Copy::AcceptUnconfirmed)));
            accept::run(ctx, self.persisted, self.follower, id);
        }
    }

    /// Another available pool to offer when this one cannot quote; none when the
    /// pool is locked (the checkout, or the host, chose it).
    pub fn alternate(self) -> Signal<Option<PoolView>> {
        let ctx = self.ctx;
        Signal::derive(move || {
            let current = ctx.pool_id.get();
            ctx.pools.with(|p| alternate_pool(p, &current, ctx.pool_locked.get()))
        })
    }

    /// The form's choices stay ones the pool offers, and a quote-bound change made by
    /// the host (`update()`) while a firm quote is up sends the user back to the form.
    fn keep_form_consistent(self) {
        let ctx = self.ctx;
        // Start on the host's pool if it is offered, else the first available one; a
        // pool the checkout (or host) locked is never swapped for another: if it is not
        // offered, the widget says so instead.
        let offered = ctx.current_pool().is_some();
        if !offered && !ctx.pool_locked.get_untracked() {
            if let Some(first) = ctx.pools.with_untracked(|p| p.iter().find(|p| p.available).or(p.first()).cloned()) {
                ctx.pool_id.set(first.pool_id.clone());
            }
        }
        // A new pool: pick a side and network it offers.
        crate::task::effect(move |_| {
            let id = ctx.pool_id.get();
            if let Some(p) = ctx.pools.with(|ps| ps.iter().find(|p| p.pool_id == id).cloned()) {
                ctx.input.update(|i| {
                    if !p.sides.contains(&i.side) {
                        i.side = p.sides.first().copied().unwrap_or_default();
                    }
                    if !p.networks.contains(&i.network) {
                        i.network = p.networks.first().cloned().unwrap_or_default();
                    }
                });
            }
        });
        // That quote no longer matches what is being paid for: declined upstream, and
        // the user is back on the form with the new values.
        crate::task::effect(move |previous: Option<(String, quote_core::form::FormInput)>| {
            let current = (ctx.pool_id.get(), ctx.input.get());
            if previous.is_some_and(|p| p != current) && matches!(ctx.stage.get_untracked(), Stage::Quoted(_)) {
                self.back();
            }
            current
        });
    }
}
