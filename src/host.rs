//! What the page that embeds a widget decides: defaults and locks for the form,
//! its order id, where the widget keeps its state, and where events go. Provided as
//! context; a widget without a host (tests, gallery) gets a standalone one.

use leptos::prelude::*;
use quote_core::form::FormInput;
use quote_core::host_event::HostEvent;
use quote_core::wire::{CheckoutBindings, Side};
use send_wrapper::SendWrapper;

/// Initial form values a host may set (and lock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    pub pool: Option<String>,
    pub side: Option<Side>,
    pub amount: Option<String>,
    pub network: Option<String>,
    pub destination: Option<String>,
}

/// Dispatches the widget's DOM events on the host element: they bubble, and cross
/// shadow boundaries, so a page listens with one line.
#[derive(Clone, Default)]
pub struct Emitter(Option<SendWrapper<web_sys::EventTarget>>);

impl Emitter {
    pub fn on(target: web_sys::EventTarget) -> Self {
        Emitter(Some(SendWrapper::new(target)))
    }

    /// Dispatches `quote-widget:<name>` with the event's fields as `detail`.
    pub fn emit(&self, event: HostEvent) {
        let Some(target) = &self.0 else { return };
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&crate::json::write(&event));
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(&format!("quote-widget:{}", event.name()), &init) {
            let _ = target.dispatch_event(&event);
        }
    }
}

#[derive(Clone)]
pub struct Host {
    /// The form's state lives here, so it survives a re-render (e.g. a locale change).
    pub pool_id: RwSignal<String>,
    pub input: RwSignal<FormInput>,
    /// Fields the host locked: `pool`, `side`, `amount`, `network`, `destination`.
    pub locked: RwSignal<Vec<String>>,
    /// Fields the partner's checkout bound: locked whatever the host's options say,
    /// and never overwritten by them.
    pub bound: RwSignal<Vec<String>>,
    /// The host's order id, sent with every quote and stored with the trade.
    pub partner_reference: RwSignal<Option<String>>,
    pub emitter: Emitter,
}

impl Host {
    pub fn new(emitter: Emitter) -> Self {
        Host {
            pool_id: RwSignal::new(String::new()),
            input: RwSignal::new(FormInput::default()),
            locked: RwSignal::new(Vec::new()),
            bound: RwSignal::new(Vec::new()),
            partner_reference: RwSignal::new(None),
            emitter,
        }
    }

    /// The same host with new signals holding the current values. A re-rendered view
    /// gets these, and the old signals are never written again, so nothing left of the
    /// old view (an effect already queued) can be woken by them.
    pub fn fork(&self) -> Host {
        Host {
            pool_id: RwSignal::new(self.pool_id.get_untracked()),
            input: RwSignal::new(self.input.get_untracked()),
            locked: RwSignal::new(self.locked.get_untracked()),
            bound: RwSignal::new(self.bound.get_untracked()),
            partner_reference: RwSignal::new(self.partner_reference.get_untracked()),
            emitter: self.emitter.clone(),
        }
    }

    /// Applies what the partner's backend bound the checkout to: those values, locked.
    pub fn apply_bindings(&self, b: &CheckoutBindings) {
        self.bound.set(Vec::new());
        self.apply_defaults(&Defaults {
            pool: b.pool_id.clone(),
            side: b.side,
            amount: b.amount.map(|a| a.to_string()),
            network: b.network.clone(),
            destination: b.destination_address.clone(),
        });
        self.bound.set(b.locked_fields().into_iter().map(str::to_owned).collect());
    }

    /// Every locked field: the host's and the checkout's.
    pub fn all_locked(&self) -> Signal<Vec<String>> {
        let (locked, bound) = (self.locked, self.bound);
        Signal::derive(move || {
            let mut all = locked.get();
            for field in bound.get() {
                if !all.contains(&field) {
                    all.push(field);
                }
            }
            all
        })
    }

    /// Applies the defaults the host gave (only those it gave, and none the checkout bound).
    pub fn apply_defaults(&self, d: &Defaults) {
        let bound = self.bound.get_untracked();
        let free = |name: &str| !bound.iter().any(|f| f == name);
        if let (Some(pool), true) = (&d.pool, free("pool")) {
            self.pool_id.set(pool.clone());
        }
        self.input.update(|i| {
            if let (Some(side), true) = (d.side, free("side")) {
                i.side = side;
            }
            for (name, value, field) in [
                ("amount", &d.amount, &mut i.amount),
                ("network", &d.network, &mut i.network),
                ("destination", &d.destination, &mut i.destination),
            ] {
                if let (Some(v), true) = (value, free(name)) {
                    *field = v.clone();
                }
            }
        });
    }
}

pub fn host() -> Host {
    use_context::<Host>().unwrap_or_else(|| Host::new(Emitter::default()))
}
