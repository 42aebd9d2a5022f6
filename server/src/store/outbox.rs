//! Webhooks owed to the partner's backend: written in the same transaction as the
//! status change they announce, delivered (with retries) by the outbox worker; the
//! trades whose current status has no event yet (written before partner webhooks
//! were configured, say) are found for the sweep to queue.

use super::{now, Db, TradeRow};
use quote_core::vocab::TradeStatus;
use sqlx::AnyConnection;
use sqlx::FromRow;

/// A fail point for tests: queueing the partner event of a listed trade fails, as a
/// database error between the status change and its event would. Production never
/// lists a trade.
pub mod fail_points {
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    static PARTNER_EVENT_FAILS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

    /// Makes queueing `trade_id`'s partner events fail (`on`) or work again.
    pub fn partner_events_fail_for(trade_id: &str, on: bool) {
        let mut listed = PARTNER_EVENT_FAILS.lock().unwrap_or_else(|p| p.into_inner());
        if on {
            listed.insert(trade_id.to_owned());
        } else {
            listed.remove(trade_id);
        }
    }

    pub(crate) fn partner_event_fails(trade_id: &str) -> bool {
        PARTNER_EVENT_FAILS.lock().unwrap_or_else(|p| p.into_inner()).contains(trade_id)
    }
}

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
    if fail_points::partner_event_fails(trade_id) {
        return Err(sqlx::Error::Protocol(format!("fail point: the partner event of {trade_id}")));
    }
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

/// Trades whose current status has no partner event, oldest change first.
pub(crate) async fn trades_without_partner_event(db: &Db, limit: i64) -> sqlx::Result<Vec<TradeRow>> {
    sqlx::query_as(
        "SELECT t.* FROM trades t WHERE t.checkout_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM partner_events e WHERE e.trade_id = t.trade_id AND e.status = t.status)
         ORDER BY t.updated_at LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Undelivered events tried at least `attempts` times or created before `before`,
/// oldest first.
pub(crate) async fn undelivered_partner_events(db: &Db, attempts: i64, before: &str, limit: i64) -> sqlx::Result<Vec<PartnerEventRow>> {
    sqlx::query_as(
        "SELECT * FROM partner_events WHERE delivered_at IS NULL AND (attempts >= $1 OR created_at < $2) ORDER BY created_at LIMIT $3",
    )
    .bind(attempts)
    .bind(before)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// When the oldest undelivered event was created.
pub(crate) async fn oldest_undelivered_partner_event(db: &Db) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT MIN(created_at) FROM partner_events WHERE delivered_at IS NULL").fetch_one(db).await
}
