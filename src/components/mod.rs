//! The widget's components. Thin: they render state from `quote-core` and forward
//! intents; the rules live in `quote-core` and are tested natively.

mod flow;
mod form;
mod notices;
mod quote;
mod trade;

pub use flow::Flow;
pub use form::{FieldErrors, PreviewPanel, PreviewState, QuoteForm};
pub use notices::{NoPoolsPanel, ProblemPanel, UnavailablePanel};
pub use quote::FirmQuotePanel;
pub use trade::TradePanel;

use crate::api::Api;
use crate::task::Tasks;
use crate::ui::Ui;
use leptos::prelude::*;
use quote_core::copy::{Copy, CopyDeck};
use quote_core::display::Locale;
use quote_core::wire::{CheckoutView, PoolView};

/// The whole widget: loads the partner's pools, then runs the quote flow.
#[component]
pub fn Widget(
    /// The companion server's base URL; empty means the page's own origin.
    #[prop(optional, into)]
    api_base: String,
    /// Copy with any host overrides applied.
    #[prop(optional)]
    deck: Option<CopyDeck>,
    /// Number format and copy language.
    #[prop(optional)]
    locale: Option<Locale>,
    /// A configured client (session source, storage scope); wins over `api_base`.
    #[prop(optional)]
    api: Option<Api>,
) -> impl IntoView {
    let ui = Ui::new(deck.unwrap_or_default(), locale.unwrap_or_default());
    provide_context(ui.clone());
    let api = StoredValue::new_local(api.unwrap_or_else(|| Api::new(api_base)));
    let tasks = Tasks::here();
    // Discovery, and the checkout this session belongs to (what the partner bound,
    // and its trade if it already converted): `None` until they answer. Without a
    // checkout answer the widget still runs: the server enforces the bindings either
    // way. Read through a plain signal rather than a resource under `<Transition>`:
    // resources and suspense contexts were 48.0 KB of the wasm (15.2 KB Brotli) for
    // this wait and the locale file's, and the `<ErrorBoundary>` for the failure
    // (its error registry, the `Debug` of the error chain) another 23.6 KB.
    let discovery = RwSignal::new(None::<Result<Discovered, ()>>);
    let discover = move || {
        let Some(api) = api.try_get_value() else { return };
        tasks.spawn(async move {
            // Both at once: the checkout's session (the host's token callback, then the
            // server) does not wait for the pools, which took one round trip off the
            // start-up's critical path (docs/performance.md).
            let (pools, checkout) = futures::future::join(api.pools(), api.checkout()).await;
            let found = match pools {
                Ok(answer) => Ok(Discovered { pools: answer.pools, checkout: checkout.ok() }),
                Err(_) => {
                    crate::host::host().emitter.emit(quote_core::host_event::HostEvent::Error {
                        code: quote_core::wire::ErrorCode::PoolsUnavailable,
                        message: "The available conversions could not be loaded.".into(),
                    });
                    Err(())
                }
            };
            discovery.set(Some(found));
        });
    };
    discover();
    // A retry keeps the error on screen until the new answer is in.
    let on_retry = Callback::new(move |_| discover());
    let loading = ui.t(Copy::LoadingPools);
    view! {
        <section class="qw" data-testid="quote-widget" aria-labelledby=ui.id("title")>
            <h2 class="qw-title" id=ui.id("title")>{ui.t(Copy::Title)}</h2>
            {move || match discovery.get() {
                None => view! { <p class="qw-loading" role="status">{loading.clone()}</p> }.into_any(),
                Some(Err(())) => view! { <PoolsError on_retry /> }.into_any(),
                Some(Ok(Discovered { pools, checkout })) => view! { <Flow api=api.get_value() pools checkout /> }.into_any(),
            }}
        </section>
    }
}

/// What discovery found: the pools, and the checkout when the server answered for it.
#[derive(Clone)]
struct Discovered {
    pools: Vec<PoolView>,
    checkout: Option<CheckoutView>,
}

/// Discovery failed: say so, and offer to try again.
#[component]
pub fn PoolsError(on_retry: Callback<()>) -> impl IntoView {
    let ui = crate::ui::ui();
    view! {
        <div class="qw-panel qw-notice qw-notice--error" role="alert" data-testid="pools-error">
            <p><span class="qw-icon" aria-hidden="true">"⚠"</span>{ui.t(Copy::PoolsError)}</p>
            <button type="button" class="qw-button" on:click=move |_| on_retry.run(())>{ui.t(Copy::Retry)}</button>
        </div>
    }
}
