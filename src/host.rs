//! What the page that embeds a widget decides: defaults and locks for the form,
//! its order id, where the widget keeps its state, and where events go. Provided as
//! context; a widget without a host (tests, gallery) gets a standalone one.

use leptos::prelude::*;
use quote_core::form::FormInput;
use send_wrapper::SendWrapper;
use serde_json::Value;

/// Initial form values a host may set (and lock).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    pub pool: Option<String>,
    pub side: Option<String>,
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

    /// Dispatches `quote-widget:<name>` with `detail`.
    pub fn emit(&self, name: &str, detail: Value) {
        let Some(target) = &self.0 else { return };
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        if let Ok(detail) = js_sys::JSON::parse(&detail.to_string()) {
            init.set_detail(&detail);
        }
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(&format!("quote-widget:{name}"), &init) {
            let _ = target.dispatch_event(&event);
        }
    }
}

#[derive(Clone)]
pub struct Host {
    /// The form's state lives here, so it survives a re-render (e.g. a locale change).
    pub pool_id: RwSignal<String>,
    pub input: RwSignal<FormInput>,
    /// Fields the user may not change: `pool`, `side`, `amount`, `network`, `destination`.
    pub locked: RwSignal<Vec<String>>,
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
            partner_reference: RwSignal::new(self.partner_reference.get_untracked()),
            emitter: self.emitter.clone(),
        }
    }

    /// Applies the defaults the host gave (only those it gave).
    pub fn apply_defaults(&self, d: &Defaults) {
        if let Some(pool) = &d.pool {
            self.pool_id.set(pool.clone());
        }
        self.input.update(|i| {
            for (value, field) in [(&d.side, &mut i.side), (&d.amount, &mut i.amount), (&d.network, &mut i.network), (&d.destination, &mut i.destination)] {
                if let Some(v) = value {
                    *field = v.clone();
                }
            }
        });
    }

}

pub fn host() -> Host {
    use_context::<Host>().unwrap_or_else(|| Host::new(Emitter::default()))
}
