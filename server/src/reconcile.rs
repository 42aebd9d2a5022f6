//! Finds what a missed webhook or a restart left unfinished, and finishes it from
//! 0Pools' own answers: accepts that began but never stored a trade, and trades
//! that are not terminal yet.

use crate::store;
use crate::trading;
use crate::AppState;
use std::time::Duration;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub accepts_resumed: usize,
    pub trades_checked: usize,
    pub trades_advanced: usize,
}

/// One pass. Errors on one item are logged and the pass goes on.
pub async fn reconcile_once(state: &AppState) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    // Accepts older than the retry age are no longer retried: the sweep alerts on them.
    let since = store::timestamp(chrono::Utc::now() - state.settings.accept_retry_max_age);
    for quote in store::unfinished_accepts(&state.db, &since).await? {
        let _serialised = state.accept_locks.lock(&quote.quote_id).await;
        if store::trade_for_quote(&state.db, &quote.quote_id).await?.is_some() {
            continue;
        }
        match trading::execute(state, &quote).await {
            Ok(_) => report.accepts_resumed += 1,
            Err(e) => tracing::warn!(quote_id = %quote.quote_id, error = %e, "could not resume an accept"),
        }
    }
    for trade_id in store::open_trade_ids(&state.db).await? {
        report.trades_checked += 1;
        match state.upstream.get_trade(&trade_id).await {
            Ok(answer) => {
                let status = answer.value.status.as_str();
                match trading::advance(state, &trade_id, status, "reconcile", None, answer.request_id.as_deref()).await {
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

/// Reconciles now, then every `interval`, for the life of the process.
pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = reconcile_once(&state).await {
                tracing::error!(error = %e, "reconciliation pass failed");
            }
            tokio::time::sleep(interval).await;
        }
    })
}
