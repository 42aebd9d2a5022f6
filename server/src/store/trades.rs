//! Trades: stored once per quote with their first history entry, read, and moved
//! forward only (a terminal status is final).

use super::outcomes::bind_outcome;
use super::{now, AnyQuery, Db, Joined, OutcomeRow, TradeRow};
use quote_core::vocab::{StatusSource, TradeStatus};
use sqlx::{AnyConnection, FromRow, Row};
use std::sync::LazyLock;

/// Stores the trade 0Pools reserved, its first history entry and its `accepted`
/// outcome row (`accepted`: utilization counts it once per trade, whoever recorded
/// it), marks the quote accepted and the checkout converted, all or nothing, in one
/// hand-off to the database (see [`Joined`]). A second insert for the same quote
/// writes no second row, entry or outcome.
pub async fn insert_trade(
    conn: &mut AnyConnection,
    t: &TradeRow,
    source: &StatusSource,
    accepted: &OutcomeRow,
) -> sqlx::Result<TradeStored> {
    // The entry and the outcome follow only a new row (SQLite: the insert changed one;
    // Postgres: from its RETURNING). The checkout converts to this trade unless it
    // already has one: this is its one trade, whatever any later request says (the
    // right-hand sides read the row as it was).
    static STORE: LazyLock<Joined> = LazyLock::new(|| {
        const TRADE: &str =
            "INSERT INTO trades (trade_id, quote_id, session_id, idempotency_key, status, request_id, pool_id, side, source_asset,
                source_amount, target_asset, target_amount, network, destination_address, created_at, updated_at, partner_reference,
                checkout_id, terms_mismatch, terminal_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT DO NOTHING";
        const ENTRY: &str = "INSERT INTO trade_status_history (trade_id, status, source, request_id, recorded_at)";
        const OUTCOME: &str =
            "INSERT INTO quote_outcomes (at, pool_id, side, quote_type, outcome, reason, notional_usdt, checkout_id, quote_id)
             SELECT $23, $24, $25, $26, $27, $28, $29, $30, $31";
        const ACCEPTED: &str = "UPDATE quotes SET status = 'accepted' WHERE quote_id = $2";
        const CONVERTED: &str = "UPDATE checkouts SET trade_id = COALESCE(trade_id, $1), accept_quote_id = CASE WHEN trade_id IS NULL THEN $2 ELSE accept_quote_id END
             WHERE checkout_id = $18 RETURNING trade_id";
        Joined::per_store(
            &format!("{TRADE};\n{ENTRY} SELECT $1, $5, $21, $6, $22 WHERE changes() = 1;\n{OUTCOME} WHERE changes() = 1;\n{ACCEPTED};\n{CONVERTED}"),
            &format!("WITH t AS ({TRADE} RETURNING trade_id), e AS ({ENTRY} SELECT trade_id, $5, $21, $6, $22 FROM t), o AS ({OUTCOME} FROM t), q AS ({ACCEPTED}) {CONVERTED}"),
        )
    });
    let at = now();
    // A trade first seen already terminal (resolved by a status read) ends now, here.
    let terminal_at = t.status.is_terminal().then_some(at.clone());
    let rows = STORE
        .fetch_all(conn, |query| bind_outcome(bind_trade(query, t, terminal_at).bind(source.as_str()).bind(at.clone()), accepted))
        .await?;
    let owner: Option<String> = match rows.last() {
        Some(row) => row.try_get(0)?,
        None => None,
    };
    Ok(TradeStored { owns_checkout: owner.is_none_or(|id| id == t.trade_id) })
}

fn bind_trade<'q>(query: AnyQuery<'q>, t: &'q TradeRow, terminal_at: Option<String>) -> AnyQuery<'q> {
    query
        .bind(&t.trade_id)
        .bind(&t.quote_id)
        .bind(&t.session_id)
        .bind(&t.idempotency_key)
        .bind(t.status.as_str())
        .bind(&t.request_id)
        .bind(&t.pool_id)
        .bind(t.side.as_str())
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
}

/// What storing a trade did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeStored {
    /// False when the checkout's one conversion is another trade's (an exception: it
    /// must be alerted, never happen silently).
    pub owns_checkout: bool,
}

/// When the oldest trade still reserved was created, if any is (and readable).
pub async fn oldest_reserved_at(db: &Db) -> sqlx::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let oldest: Option<String> = sqlx::query_scalar("SELECT MIN(created_at) FROM trades WHERE status = 'reserved'").fetch_one(db).await?;
    Ok(oldest.and_then(|t| super::stored::time(&t, "trades.created_at", "oldest reserved")))
}

pub async fn trade(db: &Db, trade_id: &str) -> sqlx::Result<Option<TradeRow>> {
    sqlx::query_as("SELECT * FROM trades WHERE trade_id = $1").bind(trade_id).fetch_optional(db).await
}

/// The trade as a transaction in progress sees it.
pub(crate) async fn trade_on(conn: &mut AnyConnection, trade_id: &str) -> sqlx::Result<Option<TradeRow>> {
    sqlx::query_as("SELECT * FROM trades WHERE trade_id = $1").bind(trade_id).fetch_optional(conn).await
}

pub async fn trade_for_quote(db: &Db, quote_id: &str) -> sqlx::Result<Option<TradeRow>> {
    sqlx::query_as("SELECT * FROM trades WHERE quote_id = $1").bind(quote_id).fetch_optional(db).await
}

/// Moves a reserved trade to a terminal status, recording where the news came from,
/// and returns the trade as moved. Statuses only move forward: anything else is a
/// no-op returning `None`.
pub async fn advance_trade(
    conn: &mut AnyConnection,
    trade_id: &str,
    status: TradeStatus,
    source: &StatusSource,
    event_id: Option<&str>,
    request_id: Option<&str>,
) -> sqlx::Result<Option<TradeRow>> {
    if !status.is_terminal() {
        return Ok(None);
    }
    // The move and its history entry in one hand-off: the entry is written only when
    // the trade moved (SQLite: the update changed a row; Postgres: from its RETURNING).
    static MOVE: LazyLock<Joined> = LazyLock::new(|| {
        Joined::per_store(
            "UPDATE trades SET status = $1, updated_at = $2, terminal_at = $2 WHERE trade_id = $3 AND status = 'reserved' RETURNING *;
             INSERT INTO trade_status_history (trade_id, status, source, event_id, request_id, recorded_at)
                 SELECT $3, $1, $4, $5, $6, $2 WHERE changes() = 1",
            "WITH moved AS (UPDATE trades SET status = $1, updated_at = $2, terminal_at = $2 WHERE trade_id = $3 AND status = 'reserved' RETURNING *),
                  entry AS (INSERT INTO trade_status_history (trade_id, status, source, event_id, request_id, recorded_at)
                      SELECT trade_id, $1, $4, $5, $6, $2 FROM moved)
             SELECT * FROM moved",
        )
    });
    let rows = MOVE
        .fetch_all(conn, |query| {
            query.bind(status.as_str()).bind(now()).bind(trade_id).bind(source.as_str()).bind(event_id).bind(request_id)
        })
        .await?;
    rows.first().map(TradeRow::from_row).transpose()
}

/// A trade as stored, with the terminal status a webhook announced for it before it
/// was stored, if one did (event id, status): one read where two were.
pub async fn trade_with_early_event(db: &Db, trade_id: &str) -> sqlx::Result<Option<(TradeRow, Option<(String, TradeStatus)>)>> {
    let sql = "SELECT t.*,
            (SELECT event_id FROM webhook_events WHERE transact_id = t.trade_id AND status != 'reserved' ORDER BY received_at, event_id LIMIT 1) AS early_event_id,
            (SELECT status FROM webhook_events WHERE transact_id = t.trade_id AND status != 'reserved' ORDER BY received_at, event_id LIMIT 1) AS early_status
         FROM trades t WHERE t.trade_id = $1";
    let Some(row) = sqlx::query(sql).bind(trade_id).fetch_optional(db).await? else { return Ok(None) };
    let early = match (row.try_get::<Option<String>, _>("early_event_id")?, row.try_get::<Option<String>, _>("early_status")?) {
        (Some(event_id), Some(status)) => Some((event_id, TradeStatus::try_from(status).map_err(|e| sqlx::Error::Decode(e.into()))?)),
        _ => None,
    };
    Ok(Some((TradeRow::from_row(&row)?, early)))
}

pub async fn open_trade_ids(db: &Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT trade_id FROM trades WHERE status = 'reserved' ORDER BY created_at").fetch_all(db).await
}
