//! Ledger reconciliation: pulls 0Pools' ledger incrementally (the cursor is stored,
//! so each pass reads only new rows), mirrors every row, and judges each trade not
//! yet matched by its rows (`ledger_match`): `open`, `matched`, or `exception` with
//! the reason, raising an alert when an exception first appears.

use super::ledger_match::{self, Row, TradeFacts};
use crate::quoting::Pools;
use crate::store::{self, Store, StoreKind};
use crate::zeropools::{UpstreamClient, UpstreamError};
use std::time::Duration;

/// The cursor's name in `sync_cursors`.
const CURSOR: &str = "ledger";
/// Rows asked for per page (the contract's maximum).
const PAGE: u32 = 500;
/// Ledger rows, or verdicts, per write. On SQLite the sync shares the one writer with
/// checkouts, so its writes stay short; on Postgres every write is a commit of its
/// own (a WAL flush each) and holds nothing others wait for, so fewer, larger ones
/// cost less: a pass after 10 s at 200 checkouts/s (4,000 rows, 2,000 verdicts) took
/// 1.2 s in writes of 25, with the requests answered meanwhile queueing behind it.
fn rows_per_write(store: &Store) -> usize {
    match StoreKind::of_pool(&store.db) {
        StoreKind::Sqlite => 25,
        StoreKind::Postgres => PAGE as usize,
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub rows_pulled: usize,
    pub trades_judged: usize,
    pub newly_matched: usize,
    pub new_exceptions: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// What a ledger pass reaches. Cheap to clone.
#[derive(Clone)]
pub struct LedgerSync {
    store: Store,
    upstream: UpstreamClient,
    pools: Pools,
    /// How long ledger rows may lag a trade before their absence is an exception.
    grace: Duration,
}

impl LedgerSync {
    pub(crate) fn new(store: Store, upstream: UpstreamClient, pools: Pools, grace: Duration) -> Self {
        LedgerSync { store, upstream, pools, grace }
    }

    /// One pass: pull what is new, then judge every trade not yet matched.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        sync_once(self).await
    }
}

async fn sync_once(state: &LedgerSync) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let started = std::time::Instant::now();
    let mut cursor = store::sync_cursor(&state.store.db, CURSOR).await?;
    loop {
        let page = state.upstream.ledger(cursor.as_deref(), PAGE).await?.value;
        let Some(last) = page.entries.last().map(|e| e.ledger_id.clone()) else { break };
        // The cursor moves with the page's last rows: a pass cut short re-reads, never
        // skips. Written in units of `rows_per_write` (short ones on SQLite, whose one
        // writer the sync shares with checkouts).
        let chunks: Vec<Vec<_>> = page.entries.chunks(rows_per_write(&state.store)).map(<[_]>::to_vec).collect();
        let count = chunks.len();
        for (i, rows) in chunks.into_iter().enumerate() {
            let moves_cursor = (i + 1 == count).then(|| last.clone());
            state
                .store
                .writes
                .run(move |c| {
                    Box::pin(async move { store::insert_ledger_rows(c, &rows, moves_cursor.as_deref().map(|l| (CURSOR, l))).await })
                })
                .await?;
        }
        report.rows_pulled += page.entries.len();
        cursor = Some(last);
        if !page.has_more {
            break;
        }
    }
    // The balance gauge follows each pass (0Pools' answer, not our arithmetic).
    if let Ok(answer) = state.upstream.balances().await {
        for b in &answer.value.balances {
            // A gauge is a float; a balance too large for one is left out, never shown as 0.
            if let Some(available) = rust_decimal::prelude::ToPrimitive::to_f64(&b.available) {
                crate::telemetry::balance(&b.asset, available);
            }
        }
    }
    let now = chrono::Utc::now();
    let grace = chrono::Duration::from_std(state.grace).unwrap_or(chrono::Duration::seconds(60));
    // Verdicts are stored a few at a time, each batch before its alerts are raised.
    let mut changed = Vec::new();
    let trades = store::trades_to_reconcile(&state.store.db).await?;
    // Read after the trades, so each listed trade's rows are at least as new as it.
    let mut rows_by_trade = store::ledger_rows_to_reconcile(&state.store.db).await?;
    for trade in trades {
        let rows = rows_by_trade.remove(&trade.trade_id).unwrap_or_default();
        let verdict = match trade.amounts() {
            Some(read) => {
                report.trades_judged += 1;
                judge(state, &trade, read, rows, now, grace).await
            }
            // A trade whose stored amounts or times cannot be read (only a damaged row;
            // the read logged which) cannot be judged: judging it against zero would be
            // a false verdict, and leaving it open would hide it. Finance sees it as an
            // exception, with an alert.
            None => ledger_match::Reconciliation::Exception(UNREADABLE.to_owned()),
        };
        let judged = verdict.state();
        if judged == trade.reconciliation_state && verdict.reason() == trade.reconciliation_reason.as_deref() {
            continue;
        }
        changed.push(store::Verdict {
            trade_id: trade.trade_id.clone(),
            state: judged,
            reason: verdict.reason().map(str::to_owned),
            judged_from: trade.reconciliation_state,
        });
        match &verdict {
            ledger_match::Reconciliation::Matched => report.newly_matched += 1,
            ledger_match::Reconciliation::Exception(_) => report.new_exceptions += 1,
            ledger_match::Reconciliation::Open => {}
        }
        if changed.len() == rows_per_write(&state.store) {
            store_verdicts(state, std::mem::take(&mut changed)).await?;
        }
    }
    store_verdicts(state, changed).await?;
    // The readiness record judges "the ledger reconciles" by the last full pass.
    let detail = format!("{} rows pulled, {} trades judged", report.rows_pulled, report.trades_judged);
    store::set_signal(&state.store.db, crate::partner::program::SIGNAL_LEDGER_SYNCED, &store::now(), Some(&detail)).await?;
    if report.rows_pulled > 0 || report.newly_matched > 0 || report.new_exceptions > 0 {
        tracing::info!(?report, took_ms = started.elapsed().as_millis() as u64, "ledger reconciled");
    }
    Ok(report)
}

/// The exception reason of a trade whose stored figures cannot be read.
pub const UNREADABLE: &str = "its stored amounts or times cannot be read (see the server log)";

/// Judges one readable trade by its mirrored ledger rows.
async fn judge(
    state: &LedgerSync,
    trade: &store::TradeFigures,
    read: store::TradeAmounts,
    rows: Vec<store::LedgerRow>,
    now: chrono::DateTime<chrono::Utc>,
    grace: chrono::Duration,
) -> ledger_match::Reconciliation {
    // A mirrored row that cannot be read is left out (logged): its trade then lacks
    // it and shows as an exception, not as matched.
    let rows: Vec<Row> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Row {
                amount: store::stored::decimal(&r.amount, "ledger_entries.amount", &r.ledger_id)?,
                entry_type: r.entry_type,
                asset: r.asset,
            })
        })
        .collect();
    // The stablecoin leg is the pool's stablecoin (its target asset), never taken
    // from the ledger itself: a row of the wrong asset must not match.
    let pool = state.pools.find(&trade.pool_id).await.ok().flatten();
    let leg_asset = pool.map_or_else(|| trade.target_asset.clone(), |p| p.target_asset);
    let leg_amount = quote_core::notional::stablecoin_leg(&leg_asset, &trade.target_asset, read.target_amount, read.source_amount);
    let facts = TradeFacts { status: trade.status, leg_asset, leg_amount, created_at: read.created_at, terminal_at: read.terminal_at };
    ledger_match::reconcile(&facts, &rows, now, grace)
}

/// Stores verdicts, then raises an alert for each new exception among those stored.
async fn store_verdicts(state: &LedgerSync, verdicts: Vec<store::Verdict>) -> sqlx::Result<()> {
    if verdicts.is_empty() {
        return Ok(());
    }
    let stored = verdicts.clone();
    let written = state.store.writes.run(move |c| Box::pin(async move { store::set_reconciliations(c, &stored).await })).await?;
    for verdict in verdicts.into_iter().filter(|v| written.contains(&v.trade_id)) {
        if let Some(reason) = verdict.reason {
            let trade_id = verdict.trade_id;
            state
                .store
                .raise_alert(quote_core::vocab::RecordedAlertKind::LedgerException, &trade_id, &format!("trade {trade_id}: {reason}"))
                .await;
        }
    }
    Ok(())
}
