//! Finds what a missed webhook or a restart left unfinished, and finishes it from
//! 0Pools' own answers: accepts that began but never stored a trade, and trades
//! that are not terminal yet.

use super::Workers;
use crate::store::{self, QuoteStatus};
use crate::zeropools::types::StatusSource;
use std::time::Duration;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub accepts_resumed: usize,
    pub trades_checked: usize,
    pub trades_advanced: usize,
}

/// One pass. Errors on one item are logged and the pass goes on. With several
/// replicas only the leader runs passes (a no-op elsewhere), and a pass stops when its leadership could
/// run out before the next item is done.
pub(crate) async fn reconcile_once(state: &Workers) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    if !state.reconciler.hold(&state.store.db).await {
        return Ok(report);
    }
    state.reconciler.count_pass();
    // Accepts older than the retry age are no longer retried: the sweep alerts on them.
    let since = store::timestamp(chrono::Utc::now() - state.settings.accept_retry_max_age);
    for listed in store::unfinished_accepts(&state.store.db, &since).await? {
        if !state.reconciler.still_leading() {
            return Ok(report);
        }
        // Only an accept nobody is executing (its lease ended) is resumed, under our
        // own lease; a replica busy with it keeps it.
        if !store::take_accept_lease(&state.store.db, &listed.quote_id, state.trading.replica_id(), state.trading.accept_lease()).await? {
            continue;
        }
        // Re-read under the lease: the list is stale by now. Only an accept still open
        // that still holds its checkout's claim may be resumed; anything else could be
        // a second conversion.
        let Some(quote) = store::quote(&state.store.db, &listed.quote_id).await?.filter(|q| q.status == QuoteStatus::Accepting) else {
            continue;
        };
        if store::trade_for_quote(&state.store.db, &quote.quote_id).await?.is_some() {
            continue;
        }
        if !store::holds_claim(&state.store.db, &quote).await? {
            state
                .store
                .raise_alert(
                    quote_core::vocab::RecordedAlertKind::AcceptWithoutClaim,
                    &quote.quote_id,
                    &format!(
                        "quote {} is accepting but does not hold checkout {}'s conversion; not resumed",
                        quote.quote_id, quote.checkout_id
                    ),
                )
                .await;
            continue;
        }
        match state.trading.execute_leased(&quote).await {
            // Its outcome row was stored with the trade; the user's accept request never
            // got this answer, so the metric counts it here.
            Ok(_) => {
                report.accepts_resumed += 1;
                crate::telemetry::accept(quote_core::vocab::Outcome::Accepted.as_str());
            }
            Err(e) => tracing::warn!(quote_id = %quote.quote_id, error = %e, "could not resume an accept"),
        }
    }
    for trade_id in store::open_trade_ids(&state.store.db).await? {
        if !state.reconciler.still_leading() {
            return Ok(report);
        }
        report.trades_checked += 1;
        match state.upstream.get_trade(&trade_id).await {
            Ok(answer) => {
                match state
                    .trading
                    .advance(&trade_id, answer.value.status, StatusSource::Reconcile, None, answer.request_id.as_deref())
                    .await
                {
                    Ok(true) => report.trades_advanced += 1,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(%trade_id, error = %e, "could not record a reconciled status"),
                }
            }
            Err(e) => tracing::warn!(%trade_id, kind = ?e.kind, upstream_request_id = ?e.request_id, "could not read a trade's status"),
        }
    }
    if report != Report::default() {
        tracing::info!(?report, "reconciled");
    }
    Ok(report)
}

/// How often the leader brings incidents in step with the alerts when nobody reads them.
const WATCH_EVERY: Duration = Duration::from_secs(30);

/// Reconciles now, then every `interval`, for the life of the process, whenever
/// this replica leads.
pub(crate) fn spawn(state: Workers, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_watch = None;
        loop {
            if let Err(e) = reconcile_once(&state).await {
                tracing::error!(error = %e, "reconciliation pass failed");
            }
            // Then the ledger: new rows pulled, trades judged against them (by the leader).
            let pause = if state.reconciler.still_leading() {
                if let Err(e) = state.ledger.sync_once().await {
                    tracing::warn!(error = %e, "ledger reconciliation pass failed");
                }
                // Then the incidents, at most every WATCH_EVERY (each pass reads 0Pools' balances).
                if last_watch.is_none_or(|at: std::time::Instant| at.elapsed() >= WATCH_EVERY) {
                    last_watch = Some(std::time::Instant::now());
                    if let Err(e) = state.watch_once().await {
                        tracing::warn!(error = %e, "watch pass failed");
                    }
                }
                interval
            } else {
                // Ready to take over soon after a leader that died stops renewing.
                interval.min(state.settings.leader_lease / 2)
            };
            tokio::time::sleep(pause).await;
        }
    })
}
