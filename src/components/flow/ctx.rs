//! What every part of the flow shares: the state signals, the server, the host's
//! event target and the tasks, cancelled when the widget goes away. It is
//! `Copy`, so each part takes it by value instead of capturing a dozen handles.

use super::super::form::{FieldErrors, PreviewState};
use crate::api::{Api, FetchError};
use crate::host::Emitter;
use crate::task::Tasks;
use crate::ui::Ui;
use leptos::prelude::*;
use quote_core::copy::Copy;
use quote_core::flow::{Problem, Stage};
use quote_core::form::{pay_currency, FieldProblem, FormInput};
use quote_core::host_event::HostEvent;
use quote_core::wire::{PoolView, QuoteIntent, QuoteType};
use std::future::Future;

#[derive(Clone, Copy)]
pub struct FlowCtx {
    pub api: StoredValue<Api, LocalStorage>,
    /// Pools from discovery, read again when stale.
    pub pools: RwSignal<Vec<PoolView>>,
    /// Device time the pools were last read.
    pub pools_read_at: StoredValue<i64>,
    /// Whether the pool is not the user's to change (the checkout or the host chose it).
    pub pool_locked: Signal<bool>,
    pub pool_id: RwSignal<String>,
    pub input: RwSignal<FormInput>,
    pub partner_reference: RwSignal<Option<String>>,
    pub errors: RwSignal<FieldErrors>,
    pub preview: RwSignal<PreviewState>,
    pub stage: RwSignal<Stage>,
    /// Device time, ticking (countdowns read it).
    pub now: RwSignal<i64>,
    /// A transient line under the quote (an accept not confirmed yet).
    pub notice: RwSignal<Option<String>>,
    /// What the polite live region says.
    pub announcement: RwSignal<String>,
    pub root: NodeRef<leptos::html::Div>,
    /// The program's cap on this checkout's next order, as the server said.
    pub order_cap: StoredValue<Option<quote_core::wire::OrderCap>>,
    ui: StoredValue<Ui>,
    emitter: StoredValue<Emitter, LocalStorage>,
    tasks: Tasks,
}

impl FlowCtx {
    /// The flow's state for these pools, under the current owner.
    pub fn new(api: Api, pools: Vec<PoolView>, host: &crate::host::Host, ui: Ui, order_cap: Option<quote_core::wire::OrderCap>) -> FlowCtx {
        FlowCtx {
            api: StoredValue::new_local(api),
            pools: RwSignal::new(pools),
            pools_read_at: StoredValue::new(crate::api::now_ms()),
            pool_locked: {
                let locked = host.all_locked();
                Signal::derive(move || locked.with(|l| l.iter().any(|f| f == "pool")))
            },
            pool_id: host.pool_id,
            input: host.input,
            partner_reference: host.partner_reference,
            errors: RwSignal::new(FieldErrors::new()),
            preview: RwSignal::new(PreviewState::Idle),
            stage: RwSignal::new(Stage::Form),
            now: RwSignal::new(crate::api::now_ms()),
            notice: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            root: NodeRef::new(),
            order_cap: StoredValue::new(order_cap),
            ui: StoredValue::new(ui),
            emitter: StoredValue::new_local(host.emitter.clone()),
            tasks: Tasks::here(),
        }
    }

    pub fn api(&self) -> Api {
        self.api.get_value()
    }
    // The `try_` reads below make a call that comes after the widget went away (its
    // owner disposed these values) a no-op instead of a panic.
    pub fn t(&self, key: Copy) -> String {
        self.ui.try_with_value(|ui| ui.t(key)).unwrap_or_default()
    }
    pub fn fill(&self, key: Copy, args: &[(&str, &str)]) -> String {
        self.ui.try_with_value(|ui| ui.fill(key, args)).unwrap_or_default()
    }
    /// A field problem in the deck's words.
    pub fn field_message(&self, problem: &FieldProblem) -> String {
        self.ui.try_with_value(|ui| problem.message(&ui.deck)).unwrap_or_default()
    }
    /// Tells the host page (a DOM event on its element).
    pub fn emit(&self, event: HostEvent) {
        self.emitter.try_with_value(|e| e.emit(event));
    }
    /// Tells the host a request was refused.
    pub fn emit_error(&self, e: &FetchError) {
        self.emit(HostEvent::Error { code: e.code(), message: e.to_string() });
    }

    /// Runs `task` under the flow's owner (`crate::task`).
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        self.tasks.spawn(task);
    }

    /// The pool the form is on.
    pub fn current_pool(&self) -> Option<PoolView> {
        let id = self.pool_id.get_untracked();
        self.pools.with_untracked(|p| p.iter().find(|p| p.pool_id == id).cloned())
    }

    /// Reads the pools again (stale, or after an unavailable answer); a failed read
    /// keeps the ones on screen.
    pub fn refresh_pools(&self) {
        let ctx = *self;
        ctx.pools_read_at.set_value(crate::api::now_ms());
        self.spawn(async move {
            if let Ok(answer) = ctx.api().pools().await {
                ctx.pools.set(answer.pools);
            }
        });
    }

    /// Shows (or clears) one field's message.
    pub fn set_field_error(&self, field: &str, message: Option<String>) {
        self.errors.update(|e| {
            e.retain(|(f, _)| f != field);
            if let Some(m) = message {
                e.push((field.to_owned(), m));
            }
        })
    }

    /// What the form asks for, as an intent of the given type (firm quotes carry the
    /// network and destination).
    pub fn intent(&self, quote_type: QuoteType) -> Option<QuoteIntent> {
        let pool = self.current_pool()?;
        let i = self.input.get_untracked();
        let firm = quote_type == QuoteType::Firm;
        Some(QuoteIntent {
            pool_id: pool.pool_id.clone(),
            side: i.side,
            amount: i.amount.trim().to_owned(),
            currency: pay_currency(&pool, i.side).to_owned(),
            quote_type,
            network: firm.then(|| i.network.clone()),
            destination_address: firm.then(|| i.destination.trim().to_owned()),
            partner_reference: self.partner_reference.get_untracked(),
        })
    }

    /// The stage a failed request leaves the flow in.
    pub fn fail(&self, e: &FetchError) {
        let problem = Problem::from_code(&e.code(), e.support_id());
        self.stage.update(|s| s.failed(problem));
    }

    /// Moves keyboard focus to the first element under the flow matching `selector`.
    pub fn focus(&self, selector: &str) {
        use wasm_bindgen::JsCast;
        let Some(root) = self.root.try_get_untracked().flatten() else { return };
        if let Some(el) = root.query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
        // Focus scrolls only its target into view: on a phone a firm quote's heading
        // showed with Accept below the fold while its timer ran. The whole widget is
        // brought into view when it fits the screen.
        let fits = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .is_some_and(|h| root.get_bounding_client_rect().height() <= h);
        if fits {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            root.scroll_into_view_with_scroll_into_view_options(&options);
        }
    }
}

impl FlowCtx {
    /// A refusal's message for its field: the program's cap or the pool's limits in
    /// the deck's words when the server sent them, else the server's own sentence.
    pub fn refusal_message(&self, detail: &quote_core::wire::ApiErrorDetail) -> String {
        use quote_core::wire::ErrorCode;
        let cap = match detail.code {
            ErrorCode::FirstOrderLimit => Some(quote_core::vocab::CapKind::FirstOrder),
            ErrorCode::OrderLimit => Some(quote_core::vocab::CapKind::Order),
            _ => None,
        };
        match (cap, detail.min_order_usdt, detail.max_order_usdt) {
            (Some(kind), _, Some(max)) => self.field_message(&FieldProblem::OverCap { max, kind }),
            (None, Some(min), max) => self.field_message(&FieldProblem::OutOfLimits { min, max }),
            _ => detail.message.clone(),
        }
    }
}

/// Cancels the request a slot holds, if any.
pub fn abort_in(slot: StoredValue<Option<web_sys::AbortController>, LocalStorage>) {
    slot.try_update_value(|c| {
        if let Some(c) = c.take() {
            c.abort();
        }
    });
}

/// Waits `ms`. The wait is a `gloo-timers` future: a task cancelled while waiting
/// (the widget went away) drops it, and dropping it clears the browser's timeout.
pub async fn sleep_ms(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}
