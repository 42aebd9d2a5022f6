//! A short-lived cache of 0Pools discovery, so rendering the form and validating
//! each quote intent does not cost an upstream call per request.

use crate::upstream::types::{Pool, PoolList};
use crate::upstream::{UpstreamClient, UpstreamError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub struct PoolsCache {
    ttl: Duration,
    cached: Mutex<Option<(Instant, Arc<PoolList>)>>,
}

impl PoolsCache {
    pub fn new(ttl: Duration) -> Self {
        PoolsCache { ttl, cached: Mutex::new(None) }
    }

    /// The entitled pools, from the cache while fresh. Concurrent callers share one
    /// refresh (the lock is held across it).
    pub async fn all(&self, upstream: &UpstreamClient) -> Result<Arc<PoolList>, UpstreamError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, list)) = cached.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(Arc::clone(list));
            }
        }
        let list = Arc::new(upstream.list_pools().await?.value);
        *cached = Some((Instant::now(), Arc::clone(&list)));
        Ok(list)
    }

    pub async fn find(&self, upstream: &UpstreamClient, pool_id: &str) -> Result<Option<Pool>, UpstreamError> {
        Ok(self.all(upstream).await?.pools.iter().find(|p| p.pool_id == pool_id).cloned())
    }
}
