//! Quotes: asking 0Pools within the server's budget of calls (`calls`), sharing
//! identical previews (`previews`), turning an answer into the widget's terms in
//! this server's clock (`terms`), the entitled and approved pools (`pools`), what
//! one more order may draw (`capacity`), and recording every outcome for
//! utilization and the metrics (`outcomes`).
//!
//! Uses `zeropools`, `store`, `config` and `telemetry`.

pub(crate) mod calls;
pub(crate) mod capacity;
pub(crate) mod outcomes;
pub(crate) mod pools;
pub(crate) mod previews;
pub(crate) mod terms;

pub(crate) use calls::{Asker, QuoteCall};
pub(crate) use capacity::Capacity;
pub(crate) use outcomes::Outcomes;
pub(crate) use pools::Pools;

use crate::config::Settings;
use crate::store::Store;
use crate::zeropools::types::QuoteRequest;
use crate::zeropools::UpstreamClient;
use std::sync::Arc;

/// What the quote endpoints reach. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Quoting {
    pub(crate) pools: Pools,
    pub(crate) outcomes: Outcomes,
    /// 0Pools' balances, cached: the capacity guardrail and the readiness record.
    pub(crate) capacity: Capacity,
    calls: calls::Calls,
    /// Indicative previews: identical intents share one upstream call.
    previews: Arc<previews::Coalescer<QuoteCall>>,
}

impl Quoting {
    pub(crate) fn new(upstream: &UpstreamClient, store: &Store, settings: &Settings) -> Self {
        let pools = Pools::new(upstream.clone(), settings.pools_cache_ttl, settings.program.approved_pools.clone());
        Quoting {
            outcomes: Outcomes::new(store.outcomes.clone(), pools.clone()),
            calls: calls::Calls::new(upstream.clone(), settings.limits.upstream_quotes_per_second),
            capacity: Capacity::new(upstream.clone()),
            previews: Arc::new(previews::Coalescer::new(settings.preview_window)),
            pools,
        }
    }

    /// A firm quote is its own call (its own executable promise); previews of the
    /// same question share one upstream call and, briefly, its answer.
    pub(crate) async fn ask(&self, request: &QuoteRequest, asker: Asker<'_>) -> QuoteCall {
        if request.quote_type == quote_core::vocab::QuoteType::Firm {
            return self.calls.call(request, asker).await;
        }
        let request = calls::preview_request(request);
        // Only the asker whose call is made spends budget; those sharing it do not.
        self.previews.get(&calls::key(&request), QuoteCall::reusable, || self.calls.call(&request, asker)).await.0
    }

    /// Forgets previews past their window (the sweep calls this).
    pub(crate) fn forget_stale(&self) {
        self.previews.forget_stale();
        self.calls.forget_idle();
    }
}
