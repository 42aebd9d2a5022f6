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
use crate::ui::Ui;
use leptos::prelude::*;
use quote_core::copy::{Copy, CopyDeck};
use quote_core::display::Locale;

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
    let api = api.unwrap_or_else(|| Api::new(api_base));
    // Discovery, and the checkout this session belongs to (what the partner bound,
    // and its trade if it already converted). Without a checkout answer the widget
    // still runs: the server enforces the bindings either way.
    let pools = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            // Both at once: the checkout's session (the host's token callback, then the
            // server) does not wait for the pools, which took one round trip off the
            // start-up's critical path (docs/performance.md).
            async move {
                let (pools, checkout) = futures::future::join(api.pools(), api.checkout()).await;
                Ok::<_, crate::api::FetchError>((pools?, checkout.ok()))
            }
        }
    });
    let loading = ui.t(Copy::LoadingPools);
    // The client holds JS values (a token callback), so it is not Send; it crosses
    // the Suspend boundary wrapped (it never leaves this thread).
    let api_for_flow = send_wrapper::SendWrapper::new(api.clone());
    view! {
        <section class="qw" data-testid="quote-widget" aria-labelledby=ui.id("title")>
            <h2 class="qw-title" id=ui.id("title")>{ui.t(Copy::Title)}</h2>
            <Transition fallback=move || view! { <p class="qw-loading" role="status">{loading.clone()}</p> }>
                {move || {
                    let api = api_for_flow.clone();
                    // A failed discovery is a product state, matched here rather than
                    // thrown to an `ErrorBoundary`: that boundary's error registry and
                    // every `Debug` of the error chain were 23.6 KB of the wasm (6.5 KB Brotli).
                    Suspend::new(async move {
                        match pools.await {
                            Ok((answer, Some(checkout))) => view! { <Flow api=api.take() pools=answer.pools checkout /> }.into_any(),
                            Ok((answer, None)) => view! { <Flow api=api.take() pools=answer.pools /> }.into_any(),
                            Err(_) => {
                                crate::host::host().emitter.emit(quote_core::host_event::HostEvent::Error {
                                    code: quote_core::wire::ErrorCode::PoolsUnavailable,
                                    message: "The available conversions could not be loaded.".into(),
                                });
                                view! { <PoolsError on_retry=Callback::new(move |_| pools.refetch()) /> }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </section>
    }
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
