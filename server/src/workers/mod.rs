//! Background work: the reconciler (one replica at a time, by a lease in the
//! database: `leadership`) finishes what a lost answer or a restart left open, keeps
//! the ledger matched and the incidents in step with the alerts; the sweep expires
//! quotes, applies retention and raises the alerts for accepts that never resolved.
//!
//! Uses `trading`, `partner` (the ledger pass), `quoting` (outcome counts, the
//! preview cache), `store` and `config`.

pub mod leadership;
pub mod reconcile;
pub mod sweep;

pub use leadership::Leadership;
pub use reconcile::Report;
pub use sweep::SweepReport;

use crate::config::Settings;
use crate::partner::LedgerSync;
use crate::quoting::Quoting;
use crate::store::Store;
use crate::trading::Trading;
use crate::zeropools::UpstreamClient;
use std::sync::Arc;
use std::time::Duration;

/// What the background workers reach. Cheap to clone.
#[derive(Clone)]
pub struct Workers {
    pub(crate) store: Store,
    pub(crate) upstream: UpstreamClient,
    pub(crate) trading: Trading,
    pub(crate) quoting: Quoting,
    pub(crate) ledger: LedgerSync,
    pub(crate) program: crate::partner::program::Program,
    pub(crate) settings: Arc<Settings>,
    /// Whether this replica runs the reconciler now (one replica at a time).
    pub reconciler: Arc<Leadership>,
}

impl Workers {
    /// One reconciliation pass (a no-op on a replica that does not lead).
    pub async fn reconcile_once(&self) -> Result<Report, sqlx::Error> {
        reconcile::reconcile_once(self).await
    }

    /// One ledger pass (pull, mirror, judge), whether or not this replica leads.
    pub async fn ledger_once(&self) -> Result<crate::partner::SyncReport, crate::partner::ledger_sync::SyncError> {
        self.ledger.sync_once().await
    }

    /// One watch pass: incidents brought in step with the active alerts (the guardrail
    /// alerts included), whether or not anyone reads them.
    pub async fn watch_once(&self) -> Result<usize, sqlx::Error> {
        let t = &self.settings.alerts;
        let facts = crate::partner::alerts::gather(&self.store.db, &self.upstream, &self.quoting.pools, t).await?;
        let active = crate::partner::alerts::active(&facts, t);
        self.program.sync_incidents(&active).await?;
        Ok(active.len())
    }

    /// One sweep.
    pub async fn sweep_once(&self) -> Result<SweepReport, sqlx::Error> {
        sweep::sweep_once(self).await
    }

    /// Reconciles, then every `interval`, for the life of the process.
    pub fn spawn_reconciler(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        reconcile::spawn(self.clone(), interval)
    }

    /// Sweeps, then every `interval`, for the life of the process.
    pub fn spawn_sweep(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        sweep::spawn(self.clone(), interval)
    }
}
