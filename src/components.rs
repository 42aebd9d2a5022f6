//! The widget's components. Thin: they render state and forward intents.

use crate::api;
use leptos::prelude::*;
use quote_core::wire::PoolView;

/// The widget's root: loads the partner's pools and renders them.
#[component]
pub fn App() -> impl IntoView {
    let pools = LocalResource::new(api::fetch_pools);
    view! {
        <main class="qw" data-testid="quote-widget">
            <h1 class="qw-title">"Convert"</h1>
            <Transition fallback=|| view! { <p class="qw-loading" aria-busy="true">"Loading available pools…"</p> }>
                <ErrorBoundary fallback=|_errors| view! {
                    <p class="qw-error" role="alert" data-testid="pools-error">
                        "We could not load the available pools. Check your connection and reload."
                    </p>
                }>
                    {move || Suspend::new(async move {
                        pools.await.map(|answer| view! { <PoolList pools=answer.pools /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </main>
    }
}

/// The pools the partner is entitled to, with their pair and limits.
#[component]
pub fn PoolList(
    /// Pools as discovery returned them; unavailable ones are shown disabled.
    pools: Vec<PoolView>,
) -> impl IntoView {
    view! {
        <ul class="qw-pools" aria-label="Available pools">
            {pools
                .into_iter()
                .map(|pool| {
                    let limits = match pool.max_order_usdt {
                        Some(max) => format!("{} – {} USDT", pool.min_order_usdt, max),
                        None => format!("from {} USDT", pool.min_order_usdt),
                    };
                    view! {
                        <li class="qw-pool" data-testid="pool" data-pool-id=pool.pool_id.clone() aria-disabled=(!pool.available).to_string()>
                            <span class="qw-pool-pair">{format!("{} → {}", pool.source_asset, pool.target_asset)}</span>
                            <span class="qw-pool-limits">{limits}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
