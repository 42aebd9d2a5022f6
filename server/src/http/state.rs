//! What every handler can reach: the rooms below (each a cheap clone of shared
//! parts), the settings, and this replica's machinery at the door (limits, live
//! stream slots, readiness). Built once by `app`.

use super::limits::{BoundedWork, Limiters, StreamSlots};
use super::readiness::{Stopping, UpstreamProbe};
use crate::checkouts::Checkouts;
use crate::config::Settings;
use crate::partner::program::Program;
use crate::quoting::Quoting;
use crate::store::Store;
use crate::trading::Trading;
use crate::zeropools::UpstreamClient;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub upstream: UpstreamClient,
    pub(crate) settings: Arc<Settings>,
    pub(crate) quoting: Quoting,
    pub(crate) trading: Trading,
    pub(crate) checkouts: Checkouts,
    pub(crate) program: Program,
    pub(crate) limiters: Arc<Limiters>,
    pub(crate) streams: Arc<StreamSlots>,
    /// Set when the process begins to stop (readiness fails, live streams end).
    pub stopping: Stopping,
    pub(crate) upstream_probe: Arc<UpstreamProbe>,
    /// Password hashing for console sign-ins, a few at a time.
    pub(crate) password_work: Arc<BoundedWork>,
}

impl AppState {
    pub(crate) fn new(
        store: Store,
        upstream: UpstreamClient,
        settings: Arc<Settings>,
        quoting: Quoting,
        trading: Trading,
        checkouts: Checkouts,
        program: Program,
    ) -> Self {
        AppState {
            limiters: Arc::new(Limiters::new(&settings.limits)),
            streams: Arc::new(StreamSlots::new(settings.limits.sse_per_checkout, settings.limits.sse_total)),
            stopping: Stopping::default(),
            upstream_probe: Arc::new(UpstreamProbe::new(settings.readiness_probe_interval)),
            password_work: Arc::new(BoundedWork::for_cores()),
            store,
            upstream,
            settings,
            quoting,
            trading,
            checkouts,
            program,
        }
    }
}
