//! Accepting a firm quote until the answer is definite (the policy is
//! `quote_core::accept`'s): the same quote again after an unknown outcome, with
//! backoff, and across a reload, since the server executes a quote at most once.

use super::ctx::{sleep_ms, FlowCtx};
use super::follow::Follower;
use super::persist::Persisted;
use leptos::prelude::*;
use quote_core::accept::{verdict, AcceptBackoff, AcceptVerdict};
use quote_core::copy::Copy;
use quote_core::host_event::HostEvent;

pub fn run(ctx: FlowCtx, persisted: Persisted, follower: Follower, quote_id: String) {
    ctx.spawn(async move {
        let mut backoff = AcceptBackoff::default();
        loop {
            match ctx.api().accept(&quote_id).await {
                Ok(trade) => {
                    persisted.set_pending_accept(None);
                    ctx.notice.set(None);
                    ctx.emit(HostEvent::Accepted { quote_id, trade_id: trade.trade_id.clone(), status: trade.status });
                    follower.show(trade);
                    return;
                }
                Err(e) => {
                    ctx.emit_error(&e);
                    if verdict(&e.code()) == AcceptVerdict::Refused {
                        persisted.set_pending_accept(None);
                        ctx.stage.update(|s| s.accept_refused(&e.code(), e.support_id()));
                        return;
                    }
                    ctx.notice.set(Some(ctx.t(Copy::AcceptUnconfirmed)));
                    sleep_ms(backoff.next_wait_ms()).await;
                }
            }
        }
    });
}
