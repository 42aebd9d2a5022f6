//! What every handler and background worker can reach: the upstream client, the
//! store, the settings and the replica's shared machinery.

use crate::{group_commit, leadership, limits, outcome_writer, partner_webhooks, pools, previews, quote_calls, readiness, session_cache, store, trade_events, upstream, Settings};
use std::sync::Arc;

/// Most widget sessions one replica keeps in memory (a few hundred bytes each).
const SESSIONS_REMEMBERED: usize = 50_000;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub upstream: upstream::UpstreamClient,
    pub db: store::Db,
    pub settings: Arc<Settings>,
    pub pools: Arc<pools::PoolsCache>,
    pub limiters: Arc<limits::Limiters>,
    pub streams: Arc<limits::StreamSlots>,
    /// Trade status changes, to this replica's live streams and (Postgres) the others'.
    pub updates: trade_events::TradeEvents,
    /// This replica's name in leases (random per process).
    pub replica_id: Arc<str>,
    /// Whether this replica runs the reconciler now (one replica at a time).
    pub reconciler: Arc<leadership::Leadership>,
    pub outbox: partner_webhooks::Outbox,
    /// Indicative previews: identical intents share one upstream call.
    pub previews: Arc<previews::Coalescer<quote_calls::QuoteCall>>,
    /// Set when the process begins to stop (readiness fails, live streams end).
    pub stopping: readiness::Stopping,
    pub upstream_probe: Arc<readiness::UpstreamProbe>,
    /// Outcome rows, group-committed.
    pub outcome_writer: outcome_writer::OutcomeWriter,
    /// Widget sessions by token hash (they never change once written).
    pub sessions: Arc<session_cache::SessionCache>,
    /// The hot path's writes (quotes, accepts, trades, checkouts): grouped commits on
    /// SQLite, one transaction each on Postgres.
    pub writes: group_commit::GroupCommit,
}

impl AppState {
    pub fn new(upstream: upstream::UpstreamClient, db: store::Db, settings: Settings) -> Self {
        let writes = group_commit::GroupCommit::for_store(db.clone());
        let replica_id: Arc<str> = format!("replica-{}", uuid::Uuid::new_v4().simple()).into();
        AppState {
            upstream,
            pools: Arc::new(pools::PoolsCache::new(settings.pools_cache_ttl)),
            limiters: Arc::new(limits::Limiters::new(&settings.limits)),
            streams: Arc::new(limits::StreamSlots::new(settings.limits.sse_per_checkout, settings.limits.sse_total)),
            updates: trade_events::TradeEvents::new(&db, replica_id.clone()),
            replica_id: replica_id.clone(),
            reconciler: Arc::new(leadership::Leadership::new("reconciler", replica_id, settings.leader_lease)),
            outbox: partner_webhooks::Outbox::new(db.clone(), writes.clone(), settings.partner_webhook.clone()),
            previews: Arc::new(previews::Coalescer::new(settings.preview_window)),
            sessions: Arc::new(session_cache::SessionCache::new(SESSIONS_REMEMBERED)),
            stopping: readiness::Stopping::default(),
            outcome_writer: outcome_writer::OutcomeWriter::new(&writes, db.clone()),
            writes,
            upstream_probe: Arc::new(readiness::UpstreamProbe::new(settings.readiness_probe_interval)),
            db,
            settings: Arc::new(settings),
        }
    }
}
