//! The database: opening and migrating it (`connect`), every statement the server
//! runs, and how writes reach the disk (`group_commit`, `wal_sync`,
//! `outcome_writer`). Status changes happen only here, as guarded updates, so
//! "forward only" and "one trade per quote" are enforced by SQL whatever the caller
//! does.
//!
//! Uses `telemetry` and the wire types only: every room above reads and writes
//! through [`Store`].

use quote_core::vocab::{Side, StatusSource, TradeStatus};
use sqlx::{AnyConnection, AnyPool, FromRow, Row};
use std::sync::LazyLock;

/// A query on either store, binds added one by one.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

mod accepts;
mod alerts;
mod checkouts;
mod connect;
mod console;
mod evidence;
mod group_commit;
mod joined;
mod leases;
mod ledger;
mod outbox;
mod outcome_writer;
mod outcomes;
mod program;
mod quote_status;
mod retention;
pub mod stored;
mod trades;
mod wal_sync;
mod webhook_events;
pub use accepts::*;
pub use alerts::*;
pub use checkouts::*;
pub(crate) use connect::sqlite_file;
pub use connect::{open, StoreKind, PING_AFTER_IDLE};
pub use console::*;
pub use evidence::*;
pub use group_commit::GroupCommit;
pub(crate) use group_commit::Isolation;
pub use joined::Joined;
pub use leases::*;
pub use ledger::*;
pub use outbox::*;
pub use outcome_writer::OutcomeWriter;
pub use outcomes::*;
pub use program::*;
pub use quote_status::QuoteStatus;
pub use retention::*;
pub use stored::TradeAmounts;
pub use trades::*;
pub use webhook_events::*;

/// SQLite (embedded, one replica) or Postgres (shared by replicas), through one
/// code path: every query is portable SQL with `$n` placeholders.
pub type Db = AnyPool;

/// The database as every room holds it: reads on the pool, the hot path's writes
/// through the group writer, outcome rows through theirs. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub db: Db,
    /// Quotes, accepts, trades, checkouts: grouped commits on SQLite, one
    /// transaction each on Postgres.
    pub writes: GroupCommit,
    /// Outcome rows, group-committed.
    pub outcomes: OutcomeWriter,
}

impl Store {
    /// The writers for `db` (they start their tasks: call inside a runtime).
    pub fn new(db: Db) -> Store {
        let writes = GroupCommit::for_store(db.clone());
        let outcomes = OutcomeWriter::new(&writes, db.clone());
        Store { db, writes, outcomes }
    }

    /// Records an alert (once per kind and subject), counts and logs it. Storage
    /// trouble here must not hide the outcome being alerted on, so it is only logged.
    pub async fn raise_alert(&self, kind: quote_core::vocab::RecordedAlertKind, subject: &str, message: &str) {
        let severity = kind.severity();
        let kind = kind.as_str();
        let (k, s, m) = (kind.to_owned(), subject.to_owned(), message.to_owned());
        // The incident a person acknowledges and resolves, opened with the alert (once).
        let raised = self
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let new = raise_alert(c, &k, &s, &m).await?;
                    if new {
                        see_incident(c, &k, &s, severity, &m, false, &now()).await?;
                    }
                    Ok(new)
                })
            })
            .await;
        match raised {
            Ok(true) => {
                crate::telemetry::alert(kind);
                tracing::error!(alert = kind, subject, message, "alert raised");
            }
            Ok(false) => {}
            Err(e) => tracing::error!(alert = kind, subject, message, cause = %e, "alert could not be stored"),
        }
    }
}

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
    #[sqlx(try_from = "String")]
    pub status: QuoteStatus,
    pub request_id: Option<String>,
    pub pool_id: String,
    #[sqlx(try_from = "String")]
    pub side: Side,
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
    #[sqlx(try_from = "String")]
    pub status: TradeStatus,
    pub request_id: Option<String>,
    pub pool_id: String,
    #[sqlx(try_from = "String")]
    pub side: Side,
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
    #[sqlx(try_from = "String")]
    pub status: TradeStatus,
    #[sqlx(try_from = "String")]
    pub source: StatusSource,
    pub event_id: Option<String>,
    pub recorded_at: String,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    session_id: &str,
    checkout_id: &str,
    token_hash: &str,
    partner_user_id: Option<&str>,
    expires_at: &str,
) -> sqlx::Result<()> {
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

/// The session of `token_hash` with its checkout, read together: a request that must
/// read its session anyway (not remembered on this replica) then needs no second read
/// for the checkout.
pub async fn session_with_checkout(db: &Db, token_hash: &str) -> sqlx::Result<Option<(SessionRow, CheckoutRow)>> {
    let row = sqlx::query(
        "SELECT s.session_id AS session_session_id, s.partner_user_id AS session_partner_user_id, s.expires_at AS session_expires_at, c.*
         FROM sessions s JOIN checkouts c ON c.checkout_id = s.checkout_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let checkout = CheckoutRow::from_row(&row)?;
    let session = SessionRow {
        session_id: row.try_get("session_session_id")?,
        checkout_id: checkout.checkout_id.clone(),
        partner_user_id: row.try_get("session_partner_user_id")?,
        expires_at: row.try_get("session_expires_at")?,
    };
    Ok(Some((session, checkout)))
}

/// Stores a firm quote (or a firm request's unavailable answer) with its outcome
/// row, both or neither, in one hand-off to the database.
pub async fn insert_quote(conn: &mut AnyConnection, q: &QuoteRow, outcome: Option<&OutcomeRow>) -> sqlx::Result<()> {
    static WITH_OUTCOME: LazyLock<Joined> = LazyLock::new(|| Joined::new(&[INSERT_QUOTE, outcomes::INSERT_OUTCOME]));
    match outcome {
        None => bind_quote(sqlx::query(INSERT_QUOTE), q).execute(conn).await.map(drop),
        Some(o) => WITH_OUTCOME.fetch_all(conn, |query| outcomes::bind_outcome(bind_quote(query, q), o)).await.map(drop),
    }
}

const INSERT_QUOTE: &str =
    "INSERT INTO quotes (quote_id, session_id, checkout_id, status, request_id, pool_id, side, requested_amount, requested_currency,
        network, destination_address, partner_reference, source_asset, source_amount, target_asset, target_amount,
        rate, spread_bps, fee_bps, unavailable_reason, created_at, expires_at, accepted_at, idempotency_key, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)";

fn bind_quote<'q>(query: AnyQuery<'q>, q: &'q QuoteRow) -> AnyQuery<'q> {
    query
        .bind(&q.quote_id)
        .bind(&q.session_id)
        .bind(&q.checkout_id)
        .bind(q.status.as_str())
        .bind(&q.request_id)
        .bind(&q.pool_id)
        .bind(q.side.as_str())
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
}

pub async fn quote(db: &Db, quote_id: &str) -> sqlx::Result<Option<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE quote_id = $1").bind(quote_id).fetch_optional(db).await
}

/// Moves a quote from one of `from` to `to`; false if it was in none of them.
pub async fn move_quote(db: &Db, quote_id: &str, from: &[QuoteStatus], to: QuoteStatus) -> sqlx::Result<bool> {
    let placeholders = (3..3 + from.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = format!("UPDATE quotes SET status = $1 WHERE quote_id = $2 AND status IN ({placeholders})");
    let mut query = sqlx::query(&sql).bind(to.as_str()).bind(quote_id);
    for f in from {
        query = query.bind(f.as_str());
    }
    Ok(query.execute(db).await?.rows_affected() == 1)
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
