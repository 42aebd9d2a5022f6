//! Reads and writes only tests make, straight in SQL: a trade's status history, a
//! trade's mirrored ledger rows, and a webhook event stored as if its delivery had
//! failed before it was applied. (The server itself never needs them this way.)

use quote_server::store::{Db, HistoryRow, LedgerRow};

/// A trade's status history, oldest first.
pub async fn trade_history(db: &Db, trade_id: &str) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as("SELECT status, source, event_id, recorded_at FROM trade_status_history WHERE trade_id = $1 ORDER BY id")
        .bind(trade_id)
        .fetch_all(db)
        .await
}

/// The mirrored ledger rows of one trade.
pub async fn ledger_rows_for(db: &Db, transact_id: &str) -> sqlx::Result<Vec<LedgerRow>> {
    sqlx::query_as("SELECT * FROM ledger_entries WHERE transact_id = $1 ORDER BY ledger_id").bind(transact_id).fetch_all(db).await
}

/// A 0Pools webhook event stored but not applied (the server stores and applies in
/// one step; this is what a crash between the two would have left).
pub async fn store_unapplied_event(db: &Db, event_id: &str, transact_id: &str, quote_id: &str, status: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO webhook_events (event_id, event_type, transact_id, quote_id, status, created_at, received_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '{}')",
    )
    .bind(event_id)
    .bind(format!("trade.{status}"))
    .bind(transact_id)
    .bind(quote_id)
    .bind(status)
    .bind("2026-11-21T12:00:00.000Z")
    .bind(quote_server::store::now())
    .execute(db)
    .await?;
    Ok(())
}
