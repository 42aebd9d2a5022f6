//! All reads and writes of the companion server's database. Status changes happen
//! only here, as guarded updates, so "forward only" and "one trade per quote" are
//! enforced by SQL whatever the caller does.

use sqlx::{AnyConnection, AnyPool, Connection, FromRow};

mod alerts;
mod checkouts;
mod console;
mod evidence;
mod leases;
mod ledger;
mod outcomes;
mod outbox;
mod retention;
pub use alerts::*;
pub use checkouts::*;
pub use console::*;
pub use evidence::*;
pub use leases::*;
pub use ledger::*;
pub use outcomes::*;
pub use outbox::*;
pub use retention::*;

/// SQLite (embedded, one replica) or Postgres (shared by replicas), through one
/// code path: every query is portable SQL with `$n` placeholders.
pub type Db = AnyPool;

/// A 0/1 INTEGER column read as a flag (SQLite has no boolean type, so both stores
/// keep an integer and the row turns it into a `bool`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Self {
        Flag(value != 0)
    }
}

/// RFC 3339 UTC with milliseconds: sortable as text.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn now() -> String {
    timestamp(chrono::Utc::now())
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub session_id: String,
    pub checkout_id: String,
    pub partner_user_id: Option<String>,
    pub expires_at: String,
}

#[derive(Debug, Clone, FromRow, Default)]
pub struct QuoteRow {
    pub quote_id: String,
    pub session_id: String,
    pub checkout_id: String,
    pub status: String,
    pub request_id: Option<String>,
    pub pool_id: String,
    pub side: String,
    pub requested_amount: String,
    pub requested_currency: String,
    pub network: Option<String>,
    pub destination_address: Option<String>,
    pub partner_reference: Option<String>,
    pub source_asset: Option<String>,
    pub source_amount: Option<String>,
    pub target_asset: Option<String>,
    pub target_amount: Option<String>,
    pub rate: Option<String>,
    pub spread_bps: Option<String>,
    pub fee_bps: Option<String>,
    pub unavailable_reason: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub accepted_at: Option<String>,
    pub idempotency_key: Option<String>,
    pub accept_failure: Option<String>,
    pub accept_lease_holder: Option<String>,
    pub accept_lease_until: Option<String>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TradeRow {
    pub trade_id: String,
    pub quote_id: String,
    pub session_id: String,
    pub idempotency_key: String,
    pub status: String,
    pub request_id: Option<String>,
    pub pool_id: String,
    pub side: String,
    pub source_asset: String,
    pub source_amount: String,
    pub target_asset: String,
    pub target_amount: String,
    pub network: String,
    pub destination_address: String,
    pub created_at: String,
    pub updated_at: String,
    pub partner_reference: Option<String>,
    pub checkout_id: Option<String>,
    pub terms_mismatch: Option<String>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct HistoryRow {
    pub status: String,
    pub source: String,
    pub event_id: Option<String>,
    pub recorded_at: String,
}

pub async fn insert_session(conn: &mut AnyConnection, session_id: &str, checkout_id: &str, token_hash: &str, partner_user_id: Option<&str>, expires_at: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO sessions (session_id, checkout_id, token_hash, partner_user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(session_id)
        .bind(checkout_id)
        .bind(token_hash)
        .bind(partner_user_id)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn session_by_token_hash(db: &Db, token_hash: &str) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as("SELECT session_id, checkout_id, partner_user_id, expires_at FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(db)
        .await
}

pub async fn insert_quote(conn: &mut AnyConnection, q: &QuoteRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO quotes (quote_id, session_id, checkout_id, status, request_id, pool_id, side, requested_amount, requested_currency,
            network, destination_address, partner_reference, source_asset, source_amount, target_asset, target_amount,
            rate, spread_bps, fee_bps, unavailable_reason, created_at, expires_at, accepted_at, idempotency_key, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
    )
    .bind(&q.quote_id)
    .bind(&q.session_id)
    .bind(&q.checkout_id)
    .bind(&q.status)
    .bind(&q.request_id)
    .bind(&q.pool_id)
    .bind(&q.side)
    .bind(&q.requested_amount)
    .bind(&q.requested_currency)
    .bind(&q.network)
    .bind(&q.destination_address)
    .bind(&q.partner_reference)
    .bind(&q.source_asset)
    .bind(&q.source_amount)
    .bind(&q.target_asset)
    .bind(&q.target_amount)
    .bind(&q.rate)
    .bind(&q.spread_bps)
    .bind(&q.fee_bps)
    .bind(&q.unavailable_reason)
    .bind(&q.created_at)
    .bind(&q.expires_at)
    .bind(&q.accepted_at)
    .bind(&q.idempotency_key)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn quote(db: &Db, quote_id: &str) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE quote_id = $1").bind(quote_id).fetch_optional(db).await
}

/// Moves a quote from one of `from` to `to`; false if it was in none of them.
pub async fn move_quote(db: &Db, quote_id: &str, from: &[&str], to: &str) -> sqlx::Result<bool> {
    let placeholders = (3..3 + from.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE quotes SET status = $1 WHERE quote_id = $2 AND status IN ({placeholders})");
    let mut query = sqlx::query(&sql).bind(to).bind(quote_id);
    for f in from {
        query = query.bind(*f);
    }
    Ok(query.execute(db).await?.rows_affected() == 1)
}

/// How claiming a checkout's one conversion for a quote went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This quote holds the claim (now, or already from an earlier accept).
    Held,
    /// Another quote of the checkout holds it; its trade, once there is one.
    Taken { quote_id: String, trade_id: Option<String> },
    /// The quote is no longer active (the sweep expired it meanwhile): nothing began.
    NotActive,
}

/// Claims the checkout's one conversion for `quote_id` and records the intent to
/// execute, in one transaction, before 0Pools is called: a restart finds and
/// finishes an accept that was cut short, and no second quote of the checkout can
/// begin while this one's outcome is open. Only an active quote can begin; the
/// replica that begins it holds the accept's lease (`lease` = holder, end).
pub async fn begin_accept(conn: &mut AnyConnection, checkout_id: &str, quote_id: &str, idempotency_key: &str, lease: (&str, &str)) -> sqlx::Result<Claim> {
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE checkouts SET accept_quote_id = $1 WHERE checkout_id = $2 AND accept_quote_id IS NULL")
        .bind(quote_id)
        .bind(checkout_id)
        .execute(&mut *tx)
        .await?;
    let (holder, trade_id): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT accept_quote_id, trade_id FROM checkouts WHERE checkout_id = $1").bind(checkout_id).fetch_one(&mut *tx).await?;
    if holder.as_deref() != Some(quote_id) {
        tx.rollback().await?;
        return Ok(Claim::Taken { quote_id: holder.unwrap_or_default(), trade_id });
    }
    let (lease_holder, lease_until) = lease;
    let began = sqlx::query(
        "UPDATE quotes SET status = 'accepting', accepted_at = $1, idempotency_key = $2, accept_lease_holder = $3, accept_lease_until = $4
         WHERE quote_id = $5 AND status = 'active'",
    )
        .bind(now())
        .bind(idempotency_key)
        .bind(lease_holder)
        .bind(lease_until)
        .bind(quote_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if began != 1 {
        tx.rollback().await?;
        return Ok(Claim::NotActive);
    }
    tx.commit().await?;
    Ok(Claim::Held)
}

/// Whether `quote_id` still holds its checkout's one conversion (and is accepting):
/// only then may an accept of it be resumed.
pub async fn holds_claim(db: &Db, quote: &QuoteRow) -> sqlx::Result<bool> {
    let holder: Option<Option<String>> = sqlx::query_scalar("SELECT accept_quote_id FROM checkouts WHERE checkout_id = $1")
        .bind(&quote.checkout_id)
        .fetch_optional(db)
        .await?;
    Ok(holder.flatten().as_deref() == Some(quote.quote_id.as_str()))
}

/// Ends an accept without a trade: the quote moves to `to` (from `active` or
/// `accepting`) with the reason, and the checkout's claim is released so the user
/// may convert with a new quote.
pub async fn end_accept(conn: &mut AnyConnection, quote: &QuoteRow, to: &str, failure: Option<&str>) -> sqlx::Result<()> {
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE quotes SET status = $1, accept_failure = COALESCE($2, accept_failure) WHERE quote_id = $3 AND status IN ('active', 'accepting')")
        .bind(to)
        .bind(failure)
        .bind(&quote.quote_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE checkouts SET accept_quote_id = NULL WHERE checkout_id = $1 AND accept_quote_id = $2 AND trade_id IS NULL")
        .bind(&quote.checkout_id)
        .bind(&quote.quote_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Stores the trade 0Pools reserved, its first history entry, and marks the quote
/// accepted, in one transaction. A second insert for the same quote is a no-op.
/// Returns false when the checkout's one conversion is another trade's (an
/// exception: it must be alerted, never happen silently).
pub async fn insert_trade(conn: &mut AnyConnection, t: &TradeRow, source: &str) -> sqlx::Result<bool> {
    let mut tx = conn.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO trades (trade_id, quote_id, session_id, idempotency_key, status, request_id, pool_id, side, source_asset,
            source_amount, target_asset, target_amount, network, destination_address, created_at, updated_at, partner_reference,
            checkout_id, terms_mismatch)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING",
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
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        sqlx::query("INSERT INTO trade_status_history (trade_id, status, source, request_id, recorded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&t.trade_id)
            .bind(&t.status)
            .bind(source)
            .bind(&t.request_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE quotes SET status = 'accepted' WHERE quote_id = $1").bind(&t.quote_id).execute(&mut *tx).await?;
    // The checkout converted: this is its one trade, whatever any later request says.
    sqlx::query("UPDATE checkouts SET trade_id = $1, accept_quote_id = $2 WHERE checkout_id = $3 AND trade_id IS NULL")
        .bind(&t.trade_id)
        .bind(&t.quote_id)
        .bind(&t.checkout_id)
        .execute(&mut *tx)
        .await?;
    // A trade first seen already terminal (resolved by a status read) ends now, here.
    sqlx::query("UPDATE trades SET terminal_at = COALESCE(terminal_at, $1) WHERE trade_id = $2 AND status IN ('settled', 'failed', 'released')")
        .bind(now())
        .bind(&t.trade_id)
        .execute(&mut *tx)
        .await?;
    let owner: Option<Option<String>> = sqlx::query_scalar("SELECT trade_id FROM checkouts WHERE checkout_id = $1").bind(&t.checkout_id).fetch_optional(&mut *tx).await?;
    tx.commit().await?;
    Ok(owner.flatten().is_none_or(|id| id == t.trade_id))
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

/// Moves a reserved trade to a terminal status, recording where the news came from.
/// Statuses only move forward: anything else is a no-op returning false.
pub async fn advance_trade(conn: &mut AnyConnection, trade_id: &str, status: &str, source: &str, event_id: Option<&str>, request_id: Option<&str>) -> sqlx::Result<bool> {
    if status == "reserved" {
        return Ok(false);
    }
    let mut tx = conn.begin().await?;
    let moved = sqlx::query("UPDATE trades SET status = $1, updated_at = $2, terminal_at = $3 WHERE trade_id = $4 AND status = 'reserved'")
        .bind(status)
        .bind(now())
        .bind(now())
        .bind(trade_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if moved {
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

/// Stores a webhook event once; false if its `event_id` was already stored.
pub async fn insert_webhook_event(
    conn: &mut AnyConnection,
    event_id: &str,
    event_type: &str,
    transact_id: &str,
    quote_id: &str,
    status: &str,
    created_at: &str,
    body: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO webhook_events (event_id, event_type, transact_id, quote_id, status, created_at, received_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT(event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(event_type)
    .bind(transact_id)
    .bind(quote_id)
    .bind(status)
    .bind(created_at)
    .bind(now())
    .bind(body)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A terminal status already announced by a webhook for a trade we had not stored yet.
pub async fn stored_terminal_event(db: &Db, transact_id: &str) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT event_id, status FROM webhook_events WHERE transact_id = $1 AND status != 'reserved' ORDER BY received_at LIMIT 1",
    )
    .bind(transact_id)
    .fetch_optional(db)
    .await
}

pub async fn open_trade_ids(db: &Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT trade_id FROM trades WHERE status = 'reserved' ORDER BY created_at").fetch_all(db).await
}

/// Quotes whose accept began but whose trade was never stored (the process died, or
/// the answer was lost), begun after `since`: older ones are no longer retried.
pub async fn unfinished_accepts(db: &Db, since: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at >= $1 ORDER BY accepted_at").bind(since).fetch_all(db).await
}

/// Accepts still unresolved that began before `before` (retries stopped: alert).
pub async fn stale_accepts(db: &Db, before: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at < $1 ORDER BY accepted_at").bind(before).fetch_all(db).await
}

/// The transact id a webhook named for this quote, if any came.
pub async fn webhook_transact_for_quote(db: &Db, quote_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT transact_id FROM webhook_events WHERE quote_id = $1 ORDER BY received_at LIMIT 1")
        .bind(quote_id)
        .fetch_optional(db)
        .await
}

/// Records an alert once per (kind, subject); true when it is new.
pub async fn raise_alert(conn: &mut AnyConnection, kind: &str, subject: &str, message: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("INSERT INTO alerts (kind, subject, message, raised_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(kind)
        .bind(subject)
        .bind(message)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
