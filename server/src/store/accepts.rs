//! An accept's life in the database: claiming the checkout's one conversion with the
//! intent to execute (and the accept's lease), ending it without a trade, and finding
//! the accepts a crash or a lost answer left open.

use super::{now, Db, QuoteRow};
use sqlx::{AnyConnection, Connection};

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
    let (holder, trade_id): (Option<String>, Option<String>) =
        sqlx::query_as("UPDATE checkouts SET accept_quote_id = COALESCE(accept_quote_id, $1) WHERE checkout_id = $2 RETURNING accept_quote_id, trade_id")
            .bind(quote_id)
            .bind(checkout_id)
            .fetch_one(&mut *tx)
            .await?;
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

/// Quotes whose accept began but whose trade was never stored (the process died, or
/// the answer was lost), begun after `since`: older ones are no longer retried.
pub async fn unfinished_accepts(db: &Db, since: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at >= $1 ORDER BY accepted_at").bind(since).fetch_all(db).await
}

/// Accepts still unresolved that began before `before` (retries stopped: alert).
pub async fn stale_accepts(db: &Db, before: &str) -> sqlx::Result<Vec<QuoteRow>> {
    sqlx::query_as("SELECT * FROM quotes WHERE status = 'accepting' AND accepted_at < $1 ORDER BY accepted_at").bind(before).fetch_all(db).await
}
