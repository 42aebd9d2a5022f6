//! The periodic sweep's writes: expire quotes whose window passed, and delete what
//! retention allows (sessions, unaccepted quotes, webhook bodies), never a trade or
//! any row a trade's evidence points to.

use super::outcomes::{bind_outcome, INSERT_OUTCOME};
use super::{now, Db, OutcomeRow};
use quote_core::vocab::{Outcome, OutcomeSubject};

/// Marks active quotes past their `expires_at` as expired (releasing nothing: an
/// active quote holds no claim), recording each as an `expired` outcome in the same
/// transaction. Returns the outcome rows recorded (one per quote that moved), for the
/// metrics.
pub async fn expire_quotes(db: &Db) -> sqlx::Result<Vec<OutcomeRow>> {
    let mut tx = db.begin().await?;
    let expired: Vec<(String, String, String, String)> = sqlx::query_as(
        "UPDATE quotes SET status = 'expired' WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= $1
         RETURNING quote_id, checkout_id, pool_id, side",
    )
    .bind(now())
    .fetch_all(&mut *tx)
    .await?;
    let mut recorded = Vec::with_capacity(expired.len());
    for (quote_id, checkout_id, pool_id, side) in expired {
        let row = OutcomeRow {
            at: now(),
            pool_id,
            side: Some(side),
            subject: OutcomeSubject::Firm,
            outcome: Outcome::Expired,
            checkout_id: Some(checkout_id),
            quote_id: Some(quote_id),
            ..OutcomeRow::default()
        };
        bind_outcome(sqlx::query(INSERT_OUTCOME), &row).execute(&mut *tx).await?;
        recorded.push(row);
    }
    tx.commit().await?;
    Ok(recorded)
}

/// What one retention pass removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    pub quotes: u64,
    pub sessions: u64,
    pub webhook_bodies: u64,
    pub checkouts: u64,
}

/// Deletes, older than `cutoff`: quotes that never became a trade (and are neither an
/// accept still being confirmed nor, however short the retention, still executable),
/// sessions no quote or trade points to, checkouts that expired without converting
/// (once nothing of theirs is left), and the raw bodies of webhook events (their ids,
/// statuses and times stay as evidence).
pub async fn purge_before(db: &Db, cutoff: &str) -> sqlx::Result<Purged> {
    let mut tx = db.begin().await?;
    let quotes = sqlx::query(
        "DELETE FROM quotes WHERE created_at < $1
           AND (status IN ('expired', 'rejected', 'unavailable') OR (status = 'active' AND expires_at < $1))
           AND quote_id NOT IN (SELECT quote_id FROM trades)
           AND quote_id NOT IN (SELECT accept_quote_id FROM checkouts WHERE accept_quote_id IS NOT NULL)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let sessions = sqlx::query(
        "DELETE FROM sessions WHERE expires_at < $1
           AND session_id NOT IN (SELECT session_id FROM quotes)
           AND session_id NOT IN (SELECT session_id FROM trades)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let checkouts = sqlx::query(
        "DELETE FROM checkouts WHERE expires_at < $1 AND trade_id IS NULL AND accept_quote_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.checkout_id = checkouts.checkout_id)
           AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.checkout_id = checkouts.checkout_id)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let webhook_bodies = sqlx::query("UPDATE webhook_events SET body = '' WHERE received_at < $1 AND body != ''")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // Counters of refusals and utilization rows age out with the rest.
    for table in ["webhook_failures", "quote_outcomes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE at < $1")).bind(cutoff).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Purged { quotes, sessions, webhook_bodies, checkouts })
}
