//! A short-lived cache of 0Pools discovery, so rendering the form and validating
//! each quote intent does not cost an upstream call per request; and the program's
//! approval: every reader but the readiness record sees only the approved pools, so
//! a pool 0Pools lists but the program has not approved is never offered or quoted.

use crate::zeropools::types::{Pool, PoolList};
use crate::zeropools::{UpstreamClient, UpstreamError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// When the list was read, what 0Pools listed, and the approved part of it.
type Cached = Option<(Instant, Arc<PoolList>, Arc<PoolList>)>;

/// The entitled pools, as 0Pools last listed them. Cheap to clone (one cache).
#[derive(Clone)]
pub(crate) struct Pools {
    upstream: UpstreamClient,
    ttl: Duration,
    /// `PROGRAM_APPROVED_POOLS`; `None` approves every listed pool.
    approved: Option<Arc<[String]>>,
    cached: Arc<Mutex<Cached>>,
}

impl Pools {
    pub(crate) fn new(upstream: UpstreamClient, ttl: Duration, approved: Option<Vec<String>>) -> Self {
        Pools { upstream, ttl, approved: approved.map(Arc::from), cached: Arc::new(Mutex::new(None)) }
    }

    /// The approved pools 0Pools lists, from the cache while fresh.
    pub(crate) async fn all(&self) -> Result<Arc<PoolList>, UpstreamError> {
        Ok(self.read().await?.1)
    }

    /// Everything 0Pools lists for this key, approved or not (for the readiness record).
    pub(crate) async fn listed(&self) -> Result<Arc<PoolList>, UpstreamError> {
        Ok(self.read().await?.0)
    }

    /// Both lists, refreshed when stale. Concurrent callers share one refresh (the lock
    /// is held across it).
    async fn read(&self) -> Result<(Arc<PoolList>, Arc<PoolList>), UpstreamError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, listed, approved)) = cached.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok((Arc::clone(listed), Arc::clone(approved)));
            }
        }
        let listed = Arc::new(self.upstream.list_pools().await?.value);
        let approved = match &self.approved {
            None => Arc::clone(&listed),
            Some(ids) => Arc::new(PoolList { pools: listed.pools.iter().filter(|p| ids.contains(&p.pool_id)).cloned().collect() }),
        };
        *cached = Some((Instant::now(), Arc::clone(&listed), Arc::clone(&approved)));
        Ok((listed, approved))
    }

    pub(crate) async fn find(&self, pool_id: &str) -> Result<Option<Pool>, UpstreamError> {
        Ok(self.all().await?.pools.iter().find(|p| p.pool_id == pool_id).cloned())
    }
}
