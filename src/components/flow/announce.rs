//! What the flow tells people and pages as it moves: the polite live region (at
//! seconds-left marks and the states `stage_copy` names), the host's status events
//! (whichever path brought the news: accept, stream, poll, reload, another tab), and
//! keyboard focus, which follows the step.

use super::ctx::FlowCtx;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::flow::{crossed_mark, Display, Stage};
use quote_core::host_event::HostEvent;
use quote_core::stage_copy;
use quote_core::wire::{TradeStatus, TradeView};

/// Which panel is up, ignoring the countdown's sub-states (focus moves between
/// panels, not while a quote ticks down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Form,
    Quote,
    Trade,
    Unavailable,
    Problem,
}

impl Panel {
    pub fn of(stage: &Stage) -> Panel {
        match stage {
            Stage::Form | Stage::Locking { .. } => Panel::Form,
            Stage::Quoted(_) | Stage::Accepting(_) => Panel::Quote,
            Stage::Pending(_) | Stage::Finished(_) => Panel::Trade,
            Stage::Unavailable(_) => Panel::Unavailable,
            Stage::Problem(_) => Panel::Problem,
        }
    }
}

pub fn install(ctx: FlowCtx, panel: Memo<Panel>) {
    speak(ctx);
    report_trade_status(ctx);
    follow_focus(ctx, panel);
}

/// The live region speaks at thresholds and on status changes, not every second.
fn speak(ctx: FlowCtx) {
    // The seconds left of the quote on screen at the last tick, and which quote it was:
    // marks are crossed between ticks of one quote, never by a new one appearing.
    let last_seconds: StoredValue<Option<(String, u64)>> = StoredValue::new(None);
    crate::task::effect(move |previous: Option<Display>| {
        let t = ctx.now.get();
        let display = ctx.stage.with(|s| s.display(t));
        let quoted = ctx.stage.with_untracked(|s| match s {
            Stage::Quoted(q) => Some(q.clone()),
            _ => None,
        });
        let now = quoted.as_ref().map(|q| (q.quote_id.clone(), q.seconds_left(t)));
        let mark = now.as_ref().and_then(|(quote_id, seconds)| {
            let previous = last_seconds.with_value(|last| last.as_ref().filter(|(id, _)| id == quote_id).map(|(_, s)| *s));
            crossed_mark(previous, *seconds)
        });
        if let Some(mark) = mark {
            ctx.announcement.set(ctx.fill(Copy::SecondsLeftAnnouncement, &[("seconds", &mark.to_string())]));
        }
        last_seconds.set_value(now);
        if previous != Some(display) {
            match stage_copy::announcement(display) {
                Some(key) => ctx.announcement.set(ctx.t(key)),
                // A state with nothing to say empties the region, so what an earlier
                // state said (a countdown mark, a failure) does not linger to be read again.
                None if mark.is_none() => ctx.announcement.set(String::new()),
                None => {}
            }
            if let (Display::Expired, Some(q)) = (display, quoted) {
                ctx.emit(HostEvent::Expired { quote_id: q.quote_id, expires_at: q.terms.expires_at });
            }
        }
        display
    });
}

/// `status` for every new status of the trade on screen, and `terminal` once.
fn report_trade_status(ctx: FlowCtx) {
    crate::task::effect(move |previous: Option<Option<(String, TradeStatus)>>| {
        let trade = ctx.stage.with(|s| match s {
            Stage::Pending(t) | Stage::Finished(t) => Some(t.clone()),
            _ => None,
        });
        let current = trade.as_ref().map(|t| (t.trade_id.clone(), t.status));
        if let Some(TradeView { trade_id, quote_id, status, .. }) = trade {
            if previous.flatten() != current {
                ctx.emit(HostEvent::Status { trade_id: trade_id.clone(), quote_id: quote_id.clone(), status });
                if status.is_terminal() {
                    ctx.emit(HostEvent::Terminal { trade_id, quote_id, status });
                }
            }
        }
        current
    });
}

/// Focus follows the step: the new panel's heading, so keyboard and screen-reader
/// users land where the content changed.
fn follow_focus(ctx: FlowCtx, panel: Memo<Panel>) {
    crate::task::effect(move |previous: Option<Panel>| {
        let current = panel.get();
        if previous.is_some_and(|p| p != current) {
            request_animation_frame(move || {
                ctx.focus(if current == Panel::Form { "[data-testid=get-firm-quote]" } else { "[data-focus-target]" });
            });
        }
        current
    });
}
