//! The flow's clocks: a tick for countdowns and idle preview refreshes, and a timer
//! at the exact moment a firm quote expires, so Accept is disabled then and not at
//! the next tick. Both are `gloo-timers` values, dropped (and so cleared) with the flow.

use super::ctx::FlowCtx;
use super::preview::Preview;
use crate::api::now_ms;
use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use quote_core::flow::Stage;

/// Countdown and preview ticks.
const TICK_MS: u32 = 250;

pub fn install(ctx: FlowCtx, preview: Preview) {
    let tick = Interval::new(TICK_MS, move || {
        let t = now_ms();
        ctx.now.set(t);
        preview.refresh_if_due(t);
    });
    let tick = send_wrapper::SendWrapper::new(tick);
    on_cleanup(move || drop(tick));

    let expiry = StoredValue::new_local(None::<Timeout>);
    crate::task::effect(move |_| {
        let remaining = match ctx.stage.get() {
            Stage::Quoted(q) => q.remaining_ms(now_ms()),
            _ => 0,
        };
        let timer = (remaining > 0).then(|| Timeout::new(u32::try_from(remaining + 1).unwrap_or(u32::MAX), move || ctx.now.set(now_ms())));
        expiry.set_value(timer);
    });
    on_cleanup(move || {
        expiry.try_set_value(None);
    });
}
