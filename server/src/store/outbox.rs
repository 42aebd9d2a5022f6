//! Webhooks owed to the partner's backend: written in the same breath as the status
//! change they announce, delivered (with retries) by the outbox worker.

use super::{now, Db};
use quote_core::vocab::TradeStatus;
use sqlx::AnyConnection;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PartnerEventRow {
    pub event_id: String,
    pub checkout_id: String,
    pub trade_id: String,
    #[sqlx(try_from = "String")]
    pub status: TradeStatus,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

/// Queues one event per (trade, status); a repeat is a no-op.
pub async fn queue_partner_event(
    conn: &mut AnyConnection,
    event_id: &str,
    checkout_id: &str,
    trade_id: &str,
    status: TradeStatus,
    body: &str,
) -> sqlx::Result<bool> {
    let at = now();
    let done = sqlx::query(
        "INSERT INTO partner_events (event_id, checkout_id, trade_id, status, body, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(trade_id, status) DO NOTHING",
    )
    .bind(event_id)
    .bind(checkout_id)
    .bind(trade_id)
    .bind(status.as_str())
    .bind(body)
    .bind(&at)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Undelivered events whose next attempt is due, oldest first.
pub async fn due_partner_events(db: &Db, limit: i64) -> sqlx::Result<Vec<PartnerEventRow>> {
    sqlx::query_as("SELECT * FROM partner_events WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY created_at LIMIT $2")
        .bind(now())
        .bind(limit)
        .fetch_all(db)
        .await
}

pub async fn partner_event_delivered(conn: &mut AnyConnection, event_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE partner_events SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE event_id = $2")
        .bind(now())
        .bind(event_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn partner_event_failed(conn: &mut AnyConnection, event_id: &str, next_attempt_at: &str, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE partner_events SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE event_id = $3")
        .bind(next_attempt_at)
        .bind(error)
        .bind(event_id)
        .execute(conn)
        .await?;
    Ok(())
}
