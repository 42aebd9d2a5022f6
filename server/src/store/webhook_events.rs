//! 0Pools' webhook events: stored once by `event_id`, and applied to their trade in
//! the same hand-off.

use super::{now, AnyQuery, Joined, TradeRow};
use quote_core::vocab::TradeStatus;
use sqlx::{AnyConnection, Column, FromRow, Row};
use std::sync::LazyLock;

/// A verified 0Pools event, as it is stored.
#[derive(Debug, Clone)]
pub struct WebhookEventRecord {
    pub event_id: String,
    pub event_type: String,
    pub transact_id: String,
    pub quote_id: String,
    /// The trade status the event announces.
    pub status: TradeStatus,
    pub created_at: String,
    /// The body as received, kept for evidence until retention blanks it.
    pub body: String,
}

/// What storing and applying one event did.
#[derive(Debug)]
pub struct ReceivedEvent {
    /// False when this `event_id` was already stored (a redelivery).
    pub fresh: bool,
    /// The event's trade, if it is stored yet.
    pub trade: Option<ReceivedTrade>,
}

#[derive(Debug)]
pub struct ReceivedTrade {
    /// As moved by this event, or as stored when the event did not move it.
    pub row: TradeRow,
    /// Whether this event moved the trade forward.
    pub moved: bool,
}

/// The event's columns as `$1…$8`, in table order (`received_at` is now).
fn bind_event<'q>(query: AnyQuery<'q>, event: &'q WebhookEventRecord) -> AnyQuery<'q> {
    query
        .bind(&event.event_id)
        .bind(&event.event_type)
        .bind(&event.transact_id)
        .bind(&event.quote_id)
        .bind(event.status.as_str())
        .bind(&event.created_at)
        .bind(now())
        .bind(&event.body)
}

/// Stores the event (once) and moves its trade forward if it is still reserved, with
/// the history entry — all in one hand-off, one commit on Postgres — and returns the
/// trade as it now is. A redelivery is applied again: if an earlier delivery was
/// stored but not applied, this one applies it.
///
/// On Postgres a trade the event did not move is read from the statement's snapshot:
/// when another writer moved it meanwhile, it may come back a status behind. Callers
/// only announce it (live streams re-read the trade; the partner's queue takes each
/// status once), so that is harmless.
pub async fn receive_webhook_event(conn: &mut AnyConnection, event: &WebhookEventRecord) -> sqlx::Result<ReceivedEvent> {
    // SQLite: each statement's rows come back: a `fresh_events` row if the event was
    // new, then the trade from the UPDATE (moved) or from the last SELECT (not moved:
    // the history insert changed no row). Postgres: one row holding both.
    static RECEIVE: LazyLock<Joined> = LazyLock::new(|| {
        Joined::per_store(
            "INSERT INTO webhook_events (event_id, event_type, transact_id, quote_id, status, created_at, received_at, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(event_id) DO NOTHING RETURNING 1 AS fresh_events;
             UPDATE trades SET status = $5, updated_at = $7, terminal_at = $7
                 WHERE trade_id = $3 AND status = 'reserved' AND $5 <> 'reserved' RETURNING *, 'moved' AS came_from;
             INSERT INTO trade_status_history (trade_id, status, source, event_id, request_id, recorded_at)
                 SELECT $3, $5, 'webhook', $1, NULL, $7 WHERE changes() = 1;
             SELECT *, 'stored' AS came_from FROM trades WHERE trade_id = $3 AND changes() = 0",
            "WITH e AS (INSERT INTO webhook_events (event_id, event_type, transact_id, quote_id, status, created_at, received_at, body)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(event_id) DO NOTHING RETURNING event_id),
                  moved AS (UPDATE trades SET status = $5, updated_at = $7, terminal_at = $7
                     WHERE trade_id = $3 AND status = 'reserved' AND $5 <> 'reserved' RETURNING *),
                  entry AS (INSERT INTO trade_status_history (trade_id, status, source, event_id, request_id, recorded_at)
                     SELECT trade_id, $5, 'webhook', $1, NULL, $7 FROM moved)
             SELECT x.*, (SELECT COUNT(*) FROM e) AS fresh_events
             FROM (SELECT 1 AS one) one
             LEFT JOIN (SELECT m.*, 'moved' AS came_from FROM moved m
                        UNION ALL
                        SELECT t.*, 'stored' AS came_from FROM trades t WHERE t.trade_id = $3 AND NOT EXISTS (SELECT 1 FROM moved)) x ON TRUE",
        )
    });
    let rows = RECEIVE.fetch_all(conn, |query| bind_event(query, event)).await?;
    let mut received = ReceivedEvent { fresh: false, trade: None };
    for row in &rows {
        let has = |name: &str| row.columns().iter().any(|c| c.name() == name);
        if has("fresh_events") {
            received.fresh |= row.try_get::<i64, _>("fresh_events")? > 0;
        }
        if has("came_from") {
            if let Some(came_from) = row.try_get::<Option<String>, _>("came_from")? {
                received.trade = Some(ReceivedTrade { row: TradeRow::from_row(row)?, moved: came_from == "moved" });
            }
        }
    }
    Ok(received)
}
