//! Following a trade to its end: the server's event stream, or polling when the
//! stream is not available; resuming after a reload; and picking up the trade another
//! tab of the same checkout made.

use super::ctx::{abort_in, sleep_ms, FlowCtx};
use super::persist::Persisted;
use crate::api::FetchError;
use leptos::prelude::*;
use quote_core::wire::TradeView;
use web_sys::AbortController;

/// Polling interval when the event stream is not available.
const POLL_MS: u32 = 2_000;

#[derive(Clone, Copy)]
pub struct Follower {
    ctx: FlowCtx,
    persisted: Persisted,
    following: StoredValue<Option<AbortController>, LocalStorage>,
}

impl Follower {
    pub fn install(ctx: FlowCtx, persisted: Persisted) -> Follower {
        let follower = Follower { ctx, persisted, following: StoredValue::new_local(None) };
        on_cleanup(move || abort_in(follower.following));
        follower
    }

    /// Shows the trade, remembers it while it is not terminal, and follows it.
    pub fn show(self, trade: TradeView) {
        let (id, terminal) = (trade.trade_id.clone(), trade.is_terminal());
        self.persisted.set_pending_trade((!terminal).then_some(id.as_str()));
        self.ctx.stage.update(|s| s.trade(trade));
        if !terminal {
            self.follow(id);
        }
    }

    /// Streams the trade's updates until it is terminal (polling if the stream fails).
    pub fn follow(self, trade_id: String) {
        abort_in(self.following);
        let Ok(controller) = AbortController::new() else { return };
        let signal = controller.signal();
        self.following.set_value(Some(controller));
        let (ctx, persisted) = (self.ctx, self.persisted);
        let on_update = move |t: TradeView| {
            if t.is_terminal() {
                persisted.set_pending_trade(None);
            }
            ctx.stage.update(|s| s.trade(t));
        };
        ctx.spawn(async move {
            let api = ctx.api();
            if api.follow(&trade_id, &signal, on_update).await.is_ok() {
                return;
            }
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

    /// A reload while pending resumes the same trade.
    pub fn resume(self) {
        let Some(trade_id) = self.persisted.pending_trade() else { return };
        let ctx = self.ctx;
        ctx.spawn(async move {
            match ctx.api().trade(&trade_id, None).await {
                Ok(t) => self.show(t),
                // The server does not know it (any more): nothing to resume.
                Err(FetchError::Api { .. }) => self.persisted.set_pending_trade(None),
                Err(_) => {}
            }
        });
    }

    /// Another tab of this checkout accepted (it wrote the trade it follows into the
    /// storage both tabs share): show that trade here at once. The server would refuse
    /// a second conversion anyway; this keeps Accept from being offered at all.
    pub fn listen_to_other_tabs(self) {
        let ctx = self.ctx;
        let key = self.persisted.pending_trade_key();
        let listener = window_event_listener(leptos::ev::storage, move |e: web_sys::StorageEvent| {
            let Some(trade_id) = e.new_value().filter(|_| e.key().as_deref() == Some(key.as_str())) else { return };
            let shown = ctx.stage.with_untracked(|s| s.trade_id() == Some(trade_id.as_str()));
            if shown {
                return;
            }
            ctx.spawn(async move {
                if let Ok(trade) = ctx.api().trade(&trade_id, None).await {
                    let terminal = trade.is_terminal();
                    ctx.stage.update(|s| s.converted_elsewhere(trade));
                    if !terminal {
                        self.follow(trade_id);
                    }
                }
            });
        });
        let listener = send_wrapper::SendWrapper::new(listener);
        on_cleanup(move || listener.take().remove());
    }
}
