//! What one more order may draw now, for the guardrail that answers `headroom`
//! before 0Pools would answer `pool_dry`: the partner's available balance of the
//! pool's stablecoin and today's band headroom (`quote_core::program::capacity`).
//! 0Pools' balances are read at most once per [`BALANCES_TTL`] for the whole
//! server (a failed read too), so the guardrail costs no upstream call per quote.

use crate::zeropools::balances::Balances;
use crate::zeropools::types::Pool;
use crate::zeropools::UpstreamClient;
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long one read of 0Pools' balances serves the guardrail. A balance a few
/// seconds old can let one order through that 0Pools then answers `pool_dry`; it can
/// never refuse one that fits by more than what moved in that time.
pub(crate) const BALANCES_TTL: Duration = Duration::from_secs(10);

/// When the balances were read, and what 0Pools answered (`None`: it could not be asked).
type Cached = Option<(Instant, Option<Arc<Balances>>)>;

/// The balances cache. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Capacity {
    upstream: UpstreamClient,
    cached: Arc<Mutex<Cached>>,
}

impl Capacity {
    pub(crate) fn new(upstream: UpstreamClient) -> Self {
        Capacity { upstream, cached: Arc::new(Mutex::new(None)) }
    }

    /// 0Pools' balances, from the cache while fresh; `None` when they could not be read.
    pub(crate) async fn balances(&self) -> Option<Arc<Balances>> {
        let mut cached = self.cached.lock().await;
        if let Some((at, balances)) = cached.as_ref() {
            if at.elapsed() < BALANCES_TTL {
                return balances.clone();
            }
        }
        let read = match self.upstream.balances().await {
            Ok(answer) => Some(Arc::new(answer.value)),
            Err(e) => {
                tracing::warn!(kind = ?e.kind, "balances unavailable: the capacity guardrail lets 0Pools decide");
                None
            }
        };
        *cached = Some((Instant::now(), read.clone()));
        read
    }

    /// What one more order in `pool` may draw now; `None` when unknown.
    pub(crate) async fn for_pool(&self, pool: &Pool) -> Option<Decimal> {
        let balances = self.balances().await?;
        let available = balances.balances.iter().find(|b| b.asset == pool.target_asset).map(|b| b.available);
        let band = balances.daily_bands.iter().find(|b| b.pool_id == pool.pool_id).map(|b| (b.approved_usdt, b.used_usdt));
        quote_core::program::capacity(available, band)
    }
}
