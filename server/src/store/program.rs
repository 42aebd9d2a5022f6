//! The partner program's rows: incidents (alerts as people handle them), the signals
//! the launch readiness record is judged by, and the reads behind the readiness
//! record, the launch limits and the program review.

use super::{Db, Flag};
use quote_core::vocab::Severity;
use sqlx::{AnyConnection, FromRow};

/// One incident as stored.
#[derive(Debug, Clone, FromRow)]
pub struct IncidentRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    #[sqlx(try_from = "String")]
    pub severity: Severity,
    pub message: String,
    #[sqlx(try_from = "i64")]
    pub live: Flag,
    pub opened_at: String,
    pub last_seen_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub note: Option<String>,
}

const INCIDENT_COLUMNS: &str = "id, kind, subject, severity, message, live, opened_at, last_seen_at, acknowledged_at, acknowledged_by, \
                                resolved_at, resolved_by, note";

/// An alert that holds at `at` (`live`), or was just recorded (not live): opens an
/// incident, or brings the unresolved one for its kind and subject up to date (its
/// latest message and severity; seen now).
pub async fn see_incident(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
    severity: Severity,
    message: &str,
    live: bool,
    at: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO incidents (kind, subject, severity, message, live, opened_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (kind, subject) WHERE resolved_at IS NULL DO UPDATE SET
           severity = excluded.severity, message = excluded.message, live = excluded.live, last_seen_at = excluded.last_seen_at",
    )
    .bind(kind)
    .bind(subject)
    .bind(severity.as_str())
    .bind(message)
    .bind(i64::from(live))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Incidents that were live but not seen at `at` (their condition cleared): no longer
/// live. They stay open until a person resolves them.
pub async fn clear_unseen_incidents(conn: &mut AnyConnection, at: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE incidents SET live = 0 WHERE resolved_at IS NULL AND live = 1 AND last_seen_at < $1")
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Incidents not resolved yet, oldest first.
pub async fn unresolved_incidents(db: &Db) -> sqlx::Result<Vec<IncidentRow>> {
    sqlx::query_as(&format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE resolved_at IS NULL ORDER BY opened_at, id"))
        .fetch_all(db)
        .await
}

/// Incidents opened in `[from, to)`, and older ones not resolved by `to`, oldest first.
pub async fn incidents_for_period(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<IncidentRow>> {
    sqlx::query_as(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents
         WHERE opened_at < $2 AND (opened_at >= $1 OR resolved_at IS NULL OR resolved_at >= $2) ORDER BY opened_at, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

pub async fn incident(db: &Db, id: i64) -> sqlx::Result<Option<IncidentRow>> {
    sqlx::query_as(&format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1")).bind(id).fetch_optional(db).await
}

/// Acknowledges an unresolved incident (the first acknowledgement is kept; a note
/// given now replaces the earlier one). False when it is resolved or unknown.
pub async fn acknowledge_incident(db: &Db, id: i64, by: &str, note: Option<&str>, at: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE incidents SET acknowledged_at = COALESCE(acknowledged_at, $2), acknowledged_by = COALESCE(acknowledged_by, $3),
           note = COALESCE($4, note) WHERE id = $1 AND resolved_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .bind(note)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Resolves an unresolved incident with a note (acknowledging it too, if nobody had).
/// False when it is resolved already or unknown.
pub async fn resolve_incident(db: &Db, id: i64, by: &str, note: &str, at: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE incidents SET resolved_at = $2, resolved_by = $3, note = $4,
           acknowledged_at = COALESCE(acknowledged_at, $2), acknowledged_by = COALESCE(acknowledged_by, $3)
         WHERE id = $1 AND resolved_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .bind(note)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that a signal happened at `at` (a metrics scrape, the alerts read, the
/// runbook checked), with what was found.
pub async fn set_signal(db: &Db, name: &str, at: &str, detail: Option<&str>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO program_signals (name, at, detail) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET at = excluded.at, detail = excluded.detail",
    )
    .bind(name)
    .bind(at)
    .bind(detail)
    .execute(db)
    .await?;
    Ok(())
}

/// When a signal last happened, and what was found.
pub async fn signal(db: &Db, name: &str) -> sqlx::Result<Option<(String, Option<String>)>> {
    sqlx::query_as("SELECT at, detail FROM program_signals WHERE name = $1").bind(name).fetch_optional(db).await
}

/// Whether this user (the partner's id) already has an order: a trade reserved or
/// settled in any of their checkouts. (A failed or released one did not happen.)
pub async fn user_has_order(db: &Db, partner_user_id: &str) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM trades t JOIN checkouts c ON c.checkout_id = t.checkout_id
         WHERE c.partner_user_id = $1 AND t.status IN ('reserved', 'settled') LIMIT 1",
    )
    .bind(partner_user_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// 0Pools webhooks received (verified) since `since`.
pub async fn webhooks_received_since(db: &Db, since: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE received_at >= $1").bind(since).fetch_one(db).await
}

/// The partner's webhook endpoint's last delivery: when, and whether it answered 2xx.
/// An event still undelivered after a try counts as the last one (it failed).
pub async fn last_partner_delivery(db: &Db) -> sqlx::Result<Option<(String, bool)>> {
    let failing: Option<String> = sqlx::query_scalar(
        "SELECT created_at FROM partner_events WHERE delivered_at IS NULL AND attempts > 0 ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    if let Some(at) = failing {
        return Ok(Some((at, false)));
    }
    let delivered: Option<String> =
        sqlx::query_scalar("SELECT delivered_at FROM partner_events WHERE delivered_at IS NOT NULL ORDER BY delivered_at DESC LIMIT 1")
            .fetch_optional(db)
            .await?;
    Ok(delivered.map(|at| (at, true)))
}

/// Recorded alerts of a kind (second trades, for the idempotent-accepts item).
pub async fn recorded_alert_count(db: &Db, kind: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = $1").bind(kind).fetch_one(db).await
}

/// Unresolved incidents of a kind.
pub async fn unresolved_incident_count(db: &Db, kind: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM incidents WHERE kind = $1 AND resolved_at IS NULL").bind(kind).fetch_one(db).await
}

/// Trades the ledger has been compared with (matched or exception).
pub async fn trades_reconciled(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM trades WHERE reconciliation_state IN ('matched', 'exception')").fetch_one(db).await
}

/// Per pool, trades created in `[from, to)` whose ledger rows disagree with them.
pub async fn ledger_exceptions_between(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT pool_id, COUNT(*) FROM trades WHERE reconciliation_state = 'exception' AND created_at >= $1 AND created_at < $2
         GROUP BY pool_id ORDER BY pool_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
