//! Trades: stored once per quote with their first history entry, read, and moved
//! forward only (a terminal status is final).

use super::{insert_outcome, now, Db, HistoryRow, OutcomeRow, TradeRow};
use crate::upstream::types::TradeStatus;
use sqlx::{AnyConnection, Connection};

/// Stores the trade 0Pools reserved, its first history entry and its `accepted`
/// outcome row (`accepted`: utilization counts it once per trade, whoever recorded
/// it), and marks the quote accepted, in one transaction. A second insert for the
/// same quote is a no-op.
pub async fn insert_trade(conn: &mut AnyConnection, t: &TradeRow, source: &str, accepted: &OutcomeRow) -> sqlx::Result<TradeStored> {
    let mut tx = conn.begin().await?;
    let at = now();
    // A trade first seen already terminal (resolved by a status read) ends now, here.
    let terminal_at = TradeStatus::parse(&t.status).is_some_and(TradeStatus::is_terminal).then_some(at.as_str());
    let inserted = sqlx::query(
        "INSERT INTO trades (trade_id, quote_id, session_id, idempotency_key, status, request_id, pool_id, side, source_asset,
            source_amount, target_asset, target_amount, network, destination_address, created_at, updated_at, partner_reference,
            checkout_id, terms_mismatch, terminal_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT DO NOTHING",
    )
    .bind(&t.trade_id)
    .bind(&t.quote_id)
    .bind(&t.session_id)
    .bind(&t.idempotency_key)
    .bind(&t.status)
    .bind(&t.request_id)
    .bind(&t.pool_id)
    .bind(&t.side)
    .bind(&t.source_asset)
    .bind(&t.source_amount)
    .bind(&t.target_asset)
    .bind(&t.target_amount)
    .bind(&t.network)
    .bind(&t.destination_address)
    .bind(&t.created_at)
    .bind(&t.updated_at)
    .bind(&t.partner_reference)
    .bind(&t.checkout_id)
    .bind(&t.terms_mismatch)
    .bind(terminal_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("INSERT INTO trade_status_history (trade_id, status, source, request_id, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&t.trade_id)
            .bind(&t.status)
            .bind(source)
            .bind(&t.request_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        insert_outcome(&mut tx, accepted).await?;
    }
    sqlx::query("UPDATE quotes SET status = 'accepted' WHERE quote_id = $1").bind(&t.quote_id).execute(&mut *tx).await?;
    // The checkout converted: this is its one trade, whatever any later request says.
    // (The right-hand sides read the row as it was.)
    let owner: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE checkouts SET trade_id = COALESCE(trade_id, $1), accept_quote_id = CASE WHEN trade_id IS NULL THEN $2 ELSE accept_quote_id END
         WHERE checkout_id = $3 RETURNING trade_id",
    )
    .bind(&t.trade_id)
    .bind(&t.quote_id)
    .bind(&t.checkout_id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(TradeStored { inserted: inserted == 1, owns_checkout: owner.flatten().is_none_or(|id| id == t.trade_id) })
}

/// What storing a trade did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeStored {
    /// The row is the one just written (no earlier call had stored it).
    pub inserted: bool,
    /// False when the checkout's one conversion is another trade's (an exception: it
    /// must be alerted, never happen silently).
    pub owns_checkout: bool,
}

pub async fn trade(db: &Db, trade_id: &str) -> sqlx::Result<Option<TradeRow>> {
    sqlx::query_as("SELECT * FROM trades WHERE trade_id = $1").bind(trade_id).fetch_optional(db).await
}

pub async fn trade_for_quote(db: &Db, quote_id: &str) -> sqlx::Result<Option<TradeRow>> {
    sqlx::query_as("SELECT * FROM trades WHERE quote_id = $1").bind(quote_id).fetch_optional(db).await
}

pub async fn trade_history(db: &Db, trade_id: &str) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as("SELECT status, source, event_id, recorded_at FROM trade_status_history WHERE trade_id = $1 ORDER BY id")
        .bind(trade_id)
        .fetch_all(db)
        .await
}

/// Moves a reserved trade to a terminal status, recording where the news came from,
/// and returns the trade as moved. Statuses only move forward: anything else is a
/// no-op returning `None`.
pub async fn advance_trade(conn: &mut AnyConnection, trade_id: &str, status: &str, source: &str, event_id: Option<&str>, request_id: Option<&str>) -> sqlx::Result<Option<TradeRow>> {
    if status == "reserved" {
        return Ok(None);
    }
    let mut tx = conn.begin().await?;
    let moved: Option<TradeRow> = sqlx::query_as("UPDATE trades SET status = $1, updated_at = $2, terminal_at = $3 WHERE trade_id = $4 AND status = 'reserved' RETURNING *")
        .bind(status)
        .bind(now())
        .bind(now())
        .bind(trade_id)
        .fetch_optional(&mut *tx)
        .await?;
    if moved.is_some() {
        sqlx::query("INSERT INTO trade_status_history (trade_id, status, source, event_id, request_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(trade_id)
            .bind(status)
            .bind(source)
            .bind(event_id)
            .bind(request_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(moved)
}

pub async fn open_trade_ids(db: &Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT trade_id FROM trades WHERE status = 'reserved' ORDER BY created_at").fetch_all(db).await
}
