//! The indicative preview: asked for after the debounce, refreshed while idle, never
//! while the page is hidden (each one is a 0Pools call), and never shown out of order
//! (an older answer never overwrites a newer one).

use super::ctx::{abort_in, FlowCtx};
use crate::api::{now_ms, FetchError};
use crate::components::PreviewState;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use quote_core::flow::Stage;
use quote_core::form::check_amount;
use quote_core::host_event::HostEvent;
use quote_core::preview::{refresh_due, Sequencer, DEBOUNCE_MS};
use quote_core::wire::QuoteType;
use web_sys::AbortController;

#[derive(Clone, Copy)]
pub struct Preview {
    ctx: FlowCtx,
    sequencer: StoredValue<Sequencer>,
    last_answer_at: StoredValue<Option<i64>>,
    in_flight: StoredValue<Option<AbortController>, LocalStorage>,
    /// A `gloo-timers` timeout: replacing or dropping it clears it.
    debounce: StoredValue<Option<Timeout>, LocalStorage>,
    /// The debounce ended while the page was hidden: ask once it is shown again.
    deferred: StoredValue<bool>,
}

fn page_visible() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Visible
}

impl Preview {
    /// Previews for the flow: debounced on what changes the price (pool, side, amount).
    pub fn install(ctx: FlowCtx) -> Preview {
        let preview = Preview {
            ctx,
            sequencer: StoredValue::new(Sequencer::default()),
            last_answer_at: StoredValue::new(None),
            in_flight: StoredValue::new_local(None),
            debounce: StoredValue::new_local(None),
            deferred: StoredValue::new(false),
        };
        let price_inputs = Memo::new(move |_| (ctx.pool_id.get(), ctx.input.with(|i| (i.side, i.amount.clone()))));
        crate::task::effect(move |_| {
            // `get`, not `track`: the memo must recompute for later changes to reach here.
            let _ = price_inputs.get();
            let timer =
                matches!(ctx.stage.get_untracked(), Stage::Form).then(|| Timeout::new(DEBOUNCE_MS, move || preview.request_when_visible()));
            preview.debounce.set_value(timer);
        });
        on_cleanup(move || {
            abort_in(preview.in_flight);
            preview.debounce.try_set_value(None);
        });
        preview
    }

    /// Drops the preview in flight (and one waiting for the page to be shown) and makes
    /// every earlier answer stale.
    pub fn cancel(self) {
        self.deferred.try_set_value(false);
        self.sequencer.try_update_value(Sequencer::invalidate);
        abort_in(self.in_flight);
    }

    fn request_when_visible(self) {
        if page_visible() {
            self.request();
        } else {
            self.deferred.set_value(true);
        }
    }

    /// On the clock's tick: sends a preview deferred while the page was hidden, and
    /// refreshes an idle estimate when it is due and the page is visible.
    pub fn refresh_if_due(self, now: i64) {
        let ctx = self.ctx;
        if self.deferred.get_value() && page_visible() {
            self.deferred.set_value(false);
            if matches!(ctx.stage.get_untracked(), Stage::Form) {
                self.request();
            }
            return;
        }
        let idle_with_estimate =
            matches!(ctx.stage.get_untracked(), Stage::Form) && matches!(ctx.preview.get_untracked(), PreviewState::Ready(_));
        if idle_with_estimate && refresh_due(now, self.last_answer_at.get_value(), page_visible()) {
            self.request();
        }
    }

    /// Asks for an estimate of what the form says now (after checking the amount).
    pub fn request(self) {
        let ctx = self.ctx;
        let Some(pool) = ctx.current_pool() else { return };
        let typed = ctx.input.get_untracked();
        self.cancel();
        if let Err(problem) = check_amount(&pool, &typed, ctx.order_cap.get_value().as_ref()) {
            let shown = (!typed.amount.trim().is_empty()).then(|| ctx.field_message(&problem));
            ctx.set_field_error("amount", shown);
            ctx.preview.set(PreviewState::Idle);
            return;
        }
        ctx.set_field_error("amount", None);
        let Some(intent) = ctx.intent(QuoteType::Indicative) else { return };
        let mut ticket = 0;
        self.sequencer.update_value(|s| ticket = s.issue());
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        self.in_flight.set_value(controller);
        // The last estimate stays visible while the next one loads.
        ctx.preview.update(|p| {
            let last = match p {
                PreviewState::Ready(t) => Some(t.clone()),
                PreviewState::Loading(t) => t.clone(),
                _ => None,
            };
            *p = PreviewState::Loading(last);
        });
        ctx.spawn(async move {
            let result = ctx.api().quote(&intent, signal.as_ref()).await;
            if !self.sequencer.with_value(|s| s.is_current(ticket)) {
                return;
            }
            self.last_answer_at.set_value(Some(now_ms()));
            let shown = match result {
                Ok((view, _, _)) if view.available => match view.terms {
                    Some(terms) => {
                        ctx.emit(HostEvent::Preview {
                            pool_id: intent.pool_id,
                            side: intent.side,
                            amount: intent.amount,
                            terms: terms.clone(),
                        });
                        PreviewState::Ready(terms)
                    }
                    None => PreviewState::Failed,
                },
                Ok((view, _, _)) => PreviewState::Unavailable(view.unavailable_reason.unwrap_or_default()),
                Err(FetchError::Aborted) => return,
                Err(FetchError::Api { detail, .. }) if detail.field.as_deref() == Some("amount") => {
                    let message = ctx.refusal_message(&detail);
                    ctx.emit(HostEvent::Error { code: detail.code.clone(), message: message.clone() });
                    ctx.set_field_error("amount", Some(message));
                    PreviewState::Idle
                }
                Err(_) => PreviewState::Failed,
            };
            ctx.preview.set(shown);
        });
    }
}
