//! An accept's life in the database: claiming the checkout's one conversion with the
//! intent to execute (and the accept's lease), ending it without a trade, and finding
//! the accepts a crash or a lost answer left open.

use super::StoreKind;
use super::{now, Db, Joined, QuoteRow, QuoteStatus};
use sqlx::{AnyConnection, Connection, FromRow, Row};
use std::sync::LazyLock;

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

/// An accept that [`begin_accept`] found able to begin: the quote as it found it
/// (before the accept began: its terms are what execution needs), and the claim.
#[derive(Debug, Clone)]
pub struct Begun {
    pub quote: QuoteRow,
    pub claim: Claim,
}

/// Claims the checkout's one conversion for `quote_id` and records the intent to
/// execute, all or nothing, before 0Pools is called: a restart finds and finishes
/// an accept that was cut short, and no second quote of the checkout can begin
/// while this one's outcome is open. Only an active, unexpired quote of
/// `checkout_id` can begin (by this server's clock), and only while the checkout's
/// conversion is free or already this quote's; the replica that begins it holds the
/// accept's lease (`lease` = holder, and milliseconds from the database's now to its
/// end: the database's clock writes and judges every lease end).
///
/// `None` when the quote is not an active, unexpired quote of this checkout: the
/// caller reads it to say why. The usual accept thus needs no read before it.
///
/// One hand-off to the database: on SQLite statements sent as one (the group
/// writer runs one unit at a time, so nothing comes between them); on Postgres one
/// statement that calls `qw_begin_accept` (migration 0007, which locks the
/// checkout's row first) for the quote only if it qualifies.
pub async fn begin_accept(
    conn: &mut AnyConnection,
    checkout_id: &str,
    quote_id: &str,
    idempotency_key: &str,
    lease: (&str, i64),
) -> sqlx::Result<Option<Begun>> {
    static BEGIN: LazyLock<Joined> = LazyLock::new(|| {
        let sqlite_until = super::leases::database_clock_plus(StoreKind::Sqlite, "$6");
        let postgres_until = super::leases::database_clock_plus(StoreKind::Postgres, "$6");
        Joined::per_store(
            // The quote as found, if it qualifies (its row comes first); then it begins
            // only if the checkout's conversion is free or this quote's; the claim
            // follows only a begun quote (`changes()`: rows the statement before
            // changed), and the last row's `changes()` says whether it did.
            &format!("SELECT * FROM quotes WHERE quote_id = $2 AND checkout_id = $1 AND status = 'active' AND expires_at > $3;
             UPDATE quotes SET status = 'accepting', accepted_at = $3, idempotency_key = $4, accept_lease_holder = $5, accept_lease_until = {sqlite_until}
                 WHERE quote_id = $2 AND checkout_id = $1 AND status = 'active' AND expires_at > $3
                   AND (SELECT COALESCE(accept_quote_id, $2) FROM checkouts WHERE checkout_id = $1) = $2;
             UPDATE checkouts SET accept_quote_id = $2 WHERE checkout_id = $1 AND changes() = 1;
             SELECT changes() AS began_now, accept_quote_id AS holder_quote, trade_id AS holder_trade FROM checkouts WHERE checkout_id = $1"),
            // The function's arguments name the quote's row, so it runs only for a row
            // that qualified (in this statement's snapshot, i.e. as found).
            &format!("SELECT q.*, b.began_now, b.holder_quote, b.holder_trade
             FROM quotes q CROSS JOIN LATERAL qw_begin_accept(q.checkout_id, q.quote_id, $3, $4, $5, {postgres_until}) b
             WHERE q.quote_id = $2 AND q.checkout_id = $1 AND q.status = 'active' AND q.expires_at > $3"),
        )
    });
    let (holder, lease_ms) = lease;
    let rows =
        BEGIN.fetch_all(conn, |q| q.bind(checkout_id).bind(quote_id).bind(now()).bind(idempotency_key).bind(holder).bind(lease_ms)).await?;
    let (quote_row, claim_row) = match (StoreKind::of_connection(conn), rows.as_slice()) {
        (StoreKind::Postgres, [row]) => (row, row),
        (StoreKind::Sqlite, [quote, claim]) => (quote, claim),
        _ => return Ok(None),
    };
    let quote = QuoteRow::from_row(quote_row)?;
    let began: i64 = claim_row.try_get("began_now")?;
    let holder_quote: Option<String> = claim_row.try_get("holder_quote")?;
    let claim = match holder_quote {
        _ if began == 1 => Claim::Held,
        Some(other) if other != quote_id => Claim::Taken { quote_id: other, trade_id: claim_row.try_get("holder_trade")? },
        // Free, or already this quote's: the quote was no longer active by the time
        // the checkout was locked (another call began it first, or the sweep expired it).
        _ => Claim::NotActive,
    };
    Ok(Some(Begun { quote, claim }))
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
pub async fn end_accept(conn: &mut AnyConnection, quote: &QuoteRow, to: QuoteStatus, failure: Option<&str>) -> sqlx::Result<()> {
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE quotes SET status = $1, accept_failure = COALESCE($2, accept_failure) WHERE quote_id = $3 AND status IN ('active', 'accepting')")
        .bind(to.as_str())
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

/// Quotes whose accept began but whose trade was never stored (the process died, or
/// the answer was lost), begun after `since`: older ones are no longer retried.
pub async fn unfinished_accepts(db: &Db, since: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at >= $1 ORDER BY accepted_at")
        .bind(since)
        .fetch_all(db)
        .await
}

/// Accepts still unresolved that began before `before` (retries stopped: alert).
pub async fn stale_accepts(db: &Db, before: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at < $1 ORDER BY accepted_at")
        .bind(before)
        .fetch_all(db)
        .await
}
