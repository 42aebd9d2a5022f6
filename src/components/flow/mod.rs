//! The quote flow, wired to the server. This file assembles the parts and renders
//! one panel per step; each part owns one job:
//! - [`ctx`]: the shared state and helpers,
//! - [`controller`]: the named operations (lock, accept, back, refresh, resume),
//! - [`preview`]: the debounced indicative estimate,
//! - [`accept`]: accepting until the answer is definite,
//! - [`follow`]: following a trade, across reloads and tabs,
//! - [`announce`]: the live region, host status events and focus,
//! - [`clock`]: the countdown tick and the exact-expiry timer,
//! - [`persist`]: what survives a reload.
//!
//! The decisions themselves are `quote_core`'s.

mod accept;
mod announce;
mod clock;
mod controller;
mod ctx;
mod follow;
mod persist;
mod preview;

use super::form::QuoteForm;
use super::{FirmQuotePanel, NoPoolsPanel, ProblemPanel, TradePanel, UnavailablePanel};
use crate::api::Api;
use crate::ui::ui;
use announce::Panel;
use controller::Controller;
use ctx::FlowCtx;
use follow::Follower;
use leptos::prelude::*;
use persist::Persisted;
use preview::Preview;
use quote_core::copy::Copy;
use quote_core::flow::Stage;
use quote_core::wire::{CheckoutView, PoolView};

/// Runs the flow for the given pools.
#[component]
pub fn Flow(
    /// The companion server.
    api: Api,
    /// Pools from discovery.
    pools: Vec<PoolView>,
    /// The checkout this session belongs to, when the server answered for it: its
    /// bindings are locked, its trade shown.
    checkout: Option<CheckoutView>,
) -> impl IntoView {
    let ui = ui();
    let host = crate::host::host();
    // What the partner's backend bound is not the user's to change.
    if let Some(c) = &checkout {
        host.apply_bindings(&c.bindings);
    }
    let ctx = FlowCtx::new(api, pools, &host, ui.clone(), checkout.as_ref().and_then(|c| c.order_cap.clone()));
    let persisted = Persisted::new(ctx.api);
    let preview = Preview::install(ctx);
    let follower = Follower::install(ctx, persisted);
    let controller = Controller::install(ctx, preview, follower, persisted);
    clock::install(ctx, preview);
    let panel = Memo::new(move |_| ctx.stage.with(Panel::of));
    announce::install(ctx, panel);
    controller.resume(checkout.as_ref());

    let on_submit = Callback::new(move |_| controller.lock());
    let on_accept = Callback::new(move |_| controller.accept());
    let on_back = Callback::new(move |_| controller.back());
    let on_new = Callback::new(move |_| controller.start_over());
    let on_alternate = Callback::new(move |id: String| controller.switch_pool(id));
    let alternate = controller.alternate();
    let locking_text = ui.t(Copy::Locking);
    let all_locked = host.all_locked();
    let stage = ctx.stage;

    // One panel per step; within a step, panels follow the stage through signals
    // instead of being rebuilt (which would lose focus and flicker).
    let body = move || match panel.get() {
        Panel::Form => {
            let locking = move || matches!(stage.get(), Stage::Locking { .. });
            let locking_text = locking_text.clone();
            // No pool to quote in (none entitled, or not the one the checkout is bound
            // to): a clear state, never an empty form whose button does nothing.
            let no_pool = Memo::new(move |_| {
                let id = ctx.pool_id.get();
                ctx.pools.with(|p| !p.iter().any(|p| p.pool_id == id))
            });
            let on_pools_retry = Callback::new(move |_| ctx.refresh_pools());
            view! {
                {move || if no_pool.get() {
                    view! { <NoPoolsPanel on_retry=on_pools_retry /> }.into_any()
                } else {
                    let locking_text = locking_text.clone();
                    view! {
                        <div class="qw-form-wrap" aria-busy=move || locking().to_string()>
                            <QuoteForm pools=ctx.pools pool_id=ctx.pool_id input=ctx.input errors=ctx.errors preview=ctx.preview locked=all_locked order_cap=ctx.order_cap.get_value() on_submit />
                            {move || locking().then(|| view! {
                                <p class="qw-loading" role="status" data-testid="locking"><span class="qw-spinner" aria-hidden="true"></span>{locking_text.clone()}</p>
                            })}
                        </div>
                    }.into_any()
                }}
            }
            .into_any()
        }
        Panel::Quote => {
            let Some(quote) = follow_stage(stage, |s| match s {
                Stage::Quoted(q) | Stage::Accepting(q) => Some(q.clone()),
                _ => None,
            }) else {
                return ().into_any();
            };
            let accepting = Signal::derive(move || matches!(stage.get(), Stage::Accepting(_)));
            view! { <FirmQuotePanel quote now=ctx.now accepting notice=ctx.notice on_accept on_refresh=on_submit on_back /> }.into_any()
        }
        Panel::Trade => {
            let Some(trade) = follow_stage(stage, |s| match s {
                Stage::Pending(t) | Stage::Finished(t) => Some(t.clone()),
                _ => None,
            }) else {
                return ().into_any();
            };
            let can_start_new = ctx.api.with_value(Api::starts_own_checkouts);
            view! { <TradePanel trade on_new can_start_new /> }.into_any()
        }
        Panel::Unavailable => {
            let Some(unavailable) = follow_stage(stage, |s| match s {
                Stage::Unavailable(u) => Some(u.clone()),
                _ => None,
            }) else {
                return ().into_any();
            };
            view! { <UnavailablePanel unavailable now=ctx.now alternate on_retry=on_submit on_alternate on_back /> }.into_any()
        }
        Panel::Problem => {
            let Stage::Problem(problem) = stage.get_untracked() else { return ().into_any() };
            view! { <ProblemPanel problem on_retry=on_submit on_back /> }.into_any()
        }
    };

    view! {
        <div class="qw-flow" node_ref=ctx.root>
            <p class="qw-sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">{move || ctx.announcement.get()}</p>
            {body}
        </div>
    }
}

/// The part of the stage a panel shows, starting from the current stage. While the
/// stage moves on to another panel it keeps the last value, so the panel being
/// replaced never sees a state it cannot render. A `Memo` rather than a derived
/// `Signal`: the panels read one kind of signal, not four (issue #26).
fn follow_stage<T: Clone + PartialEq + Send + Sync + 'static>(stage: RwSignal<Stage>, part: fn(&Stage) -> Option<T>) -> Option<Memo<T>> {
    let first = stage.with_untracked(part)?;
    Some(Memo::new(move |last: Option<&T>| stage.with(part).or_else(|| last.cloned()).unwrap_or_else(|| first.clone())))
}
