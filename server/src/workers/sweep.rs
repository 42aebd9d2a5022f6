//! Housekeeping on a timer: quotes past their window are marked expired, retention
//! deletes what may go (never trades or their evidence), stale previews and ended
//! console sessions are forgotten, accepts unresolved past their retry age raise
//! an alert, and a trade whose current status has no partner event gets one.
//! (Rate limiters forget idle clients on their own timer, in `http`.)

use super::Workers;
use crate::store;
use std::time::Duration;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub quotes_expired: u64,
    pub purged: store::Purged,
    pub stale_accepts: usize,
    pub console_sessions_ended: u64,
    /// Partner events queued for trades whose status had none.
    pub partner_events_queued: usize,
}

pub(crate) async fn sweep_once(state: &Workers) -> Result<SweepReport, sqlx::Error> {
    let expired = store::expire_quotes(&state.store.db).await?;
    expired.iter().for_each(crate::quoting::outcomes::count);
    let quotes_expired = expired.len() as u64;
    let cutoff = store::timestamp(chrono::Utc::now() - state.settings.retention);
    let purged = store::purge_before(&state.store.db, &cutoff).await?;
    let console_sessions_ended = store::purge_console_sessions(&state.store.db).await?;
    state.quoting.forget_stale();
    let stale_before = store::timestamp(chrono::Utc::now() - state.settings.accept_retry_max_age);
    let stale = store::stale_accepts(&state.store.db, &stale_before).await?;
    for quote in &stale {
        let message = format!(
            "the accept of {} (idempotency key {}) is still unconfirmed since {}; retries stopped: check the trade with 0Pools",
            quote.quote_id,
            quote.idempotency_key.as_deref().unwrap_or("-"),
            quote.accepted_at.as_deref().unwrap_or("-")
        );
        state.store.raise_alert(quote_core::vocab::RecordedAlertKind::AcceptStuck, &quote.quote_id, &message).await;
    }
    let partner_events_queued = state.trading.outbox.queue_missing().await?;
    let report = SweepReport { quotes_expired, purged, stale_accepts: stale.len(), console_sessions_ended, partner_events_queued };
    if report != SweepReport::default() {
        tracing::info!(?report, "swept");
    }
    Ok(report)
}

/// Sweeps now, then every `interval`, for the life of the process.
pub(crate) fn spawn(state: Workers, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep_once(&state).await {
                tracing::error!(cause = %e, "sweep failed");
            }
            tokio::time::sleep(interval).await;
        }
    })
}
