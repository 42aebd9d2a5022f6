//! Reads behind the partner's alerts: the conditions are computed from these each
//! time, so an alert clears by itself when its condition ends.

use super::{now, Db};

pub async fn record_webhook_failure(db: &Db, code: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO webhook_failures (at, code) VALUES ($1, $2)").bind(now()).bind(code).execute(db).await?;
    Ok(())
}

pub async fn webhook_failures_since(db: &Db, since: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_failures WHERE at >= $1").bind(since).fetch_one(db).await
}

/// Trades still reserved that were created before `before`: (trade id, created at).
pub async fn reserved_before(db: &Db, before: &str) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT trade_id, created_at FROM trades WHERE status = 'reserved' AND created_at < $1 ORDER BY created_at")
        .bind(before)
        .fetch_all(db)
        .await
}

/// Trades whose ledger rows disagree: (trade id, reason).
pub async fn ledger_exceptions(db: &Db) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as("SELECT trade_id, reconciliation_reason FROM trades WHERE reconciliation_state = 'exception' ORDER BY created_at")
        .fetch_all(db)
        .await
}

/// Accepts begun before `before` and still unconfirmed: (quote id, accepted at).
pub async fn accepts_open_before(db: &Db, before: &str) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as("SELECT quote_id, accepted_at FROM quotes WHERE status = 'accepting' AND accepted_at < $1 ORDER BY accepted_at")
        .bind(before)
        .fetch_all(db)
        .await
}

/// Per pool since `since`: (pool, unavailable answers, all answers).
pub async fn unavailability_since(db: &Db, since: &str) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT pool_id, SUM(CASE WHEN outcome = 'unavailable' THEN 1 ELSE 0 END), COUNT(*) FROM quote_outcomes
         WHERE at >= $1 AND outcome IN ('available', 'unavailable') GROUP BY pool_id ORDER BY pool_id",
    )
    .bind(since)
    .fetch_all(db)
    .await
}

/// Alerts recorded when something happened (terms mismatches, stuck accepts, …), newest first.
pub async fn recorded_alerts(db: &Db, limit: i64) -> sqlx::Result<Vec<super::AlertRow>> {
    sqlx::query_as("SELECT kind, subject, message, raised_at FROM alerts ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(db).await
}

/// Per pool, limit errors since `split` and between `since` and `split`: (pool, recent, before).
pub async fn limit_errors_in_windows(db: &Db, since: &str, split: &str) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT pool_id, SUM(CASE WHEN at >= $2 THEN 1 ELSE 0 END), SUM(CASE WHEN at < $2 THEN 1 ELSE 0 END) FROM quote_outcomes
         WHERE at >= $1 AND outcome = 'limit_error' GROUP BY pool_id ORDER BY pool_id",
    )
    .bind(since)
    .bind(split)
    .fetch_all(db)
    .await
}

/// One pool's (accepted quotes, firm quotes offered) in a recent window and in the
/// baseline before it.
pub type Acceptance = (String, (i64, i64), (i64, i64));

/// Per pool, (accepted quotes, firm quotes offered) since `split`, and between `since`
/// and `split`. An accept's row is written once per trade, so accepted rows count quotes.
pub async fn acceptance_in_windows(db: &Db, since: &str, split: &str) -> sqlx::Result<Vec<Acceptance>> {
    let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT pool_id,
                SUM(CASE WHEN at >= $2 AND outcome = 'accepted' THEN 1 ELSE 0 END),
                SUM(CASE WHEN at >= $2 AND quote_type = 'firm' AND outcome = 'available' THEN 1 ELSE 0 END),
                SUM(CASE WHEN at < $2 AND outcome = 'accepted' THEN 1 ELSE 0 END),
                SUM(CASE WHEN at < $2 AND quote_type = 'firm' AND outcome = 'available' THEN 1 ELSE 0 END)
         FROM quote_outcomes WHERE at >= $1 AND outcome IN ('accepted', 'available') GROUP BY pool_id ORDER BY pool_id",
    )
    .bind(since)
    .bind(split)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(pool, a, f, ba, bf)| (pool, (a, f), (ba, bf))).collect())
}
