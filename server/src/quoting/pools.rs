//! A short-lived cache of 0Pools discovery, so rendering the form and validating
//! each quote intent does not cost an upstream call per request.

use crate::zeropools::types::{Pool, PoolList};
use crate::zeropools::{UpstreamClient, UpstreamError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The last list and when it was read.
type Cached = Option<(Instant, Arc<PoolList>)>;

/// The entitled pools, as 0Pools last listed them. Cheap to clone (one cache).
#[derive(Clone)]
pub(crate) struct Pools {
    upstream: UpstreamClient,
    ttl: Duration,
    cached: Arc<Mutex<Cached>>,
}

impl Pools {
    pub(crate) fn new(upstream: UpstreamClient, ttl: Duration) -> Self {
        Pools { upstream, ttl, cached: Arc::new(Mutex::new(None)) }
    }

    /// The entitled pools, from the cache while fresh. Concurrent callers share one
    /// refresh (the lock is held across it).
    pub(crate) async fn all(&self) -> Result<Arc<PoolList>, UpstreamError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, list)) = cached.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(Arc::clone(list));
            }
        }
        let list = Arc::new(self.upstream.list_pools().await?.value);
        *cached = Some((Instant::now(), Arc::clone(&list)));
        Ok(list)
    }

    pub(crate) async fn find(&self, pool_id: &str) -> Result<Option<Pool>, UpstreamError> {
        Ok(self.all().await?.pools.iter().find(|p| p.pool_id == pool_id).cloned())
    }
}
