//! Leases: how replicas sharing one database take turns without holding a lock
//! across an upstream call. A lease names its holder and when it ends; another
//! replica may take it only once it has ended, so a replica that dies leaves work
//! that someone else picks up after at most one lease.

use super::StoreKind;
use super::{now, Db};
use sqlx::AnyConnection;
use std::time::Duration;

/// The database's clock, `ms` (a bound parameter) milliseconds from now, as text in
/// the server's stored time format (RFC 3339, milliseconds, `Z`; see
/// [`super::timestamp`]).
pub(super) fn database_clock_plus(kind: StoreKind, ms: &str) -> String {
    match kind {
        StoreKind::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('%+.3f seconds', {ms} / 1000.0))"),
        StoreKind::Postgres => format!("to_char((clock_timestamp() + {ms}::bigint * interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"),
    }
}

/// Takes (or renews) the named lease for `holder` for `ttl`; true when this holder
/// now has it. Free, ended, or already ours: taken; anyone else's: not.
///
/// When a lease ends is set and judged by the database's clock alone: replicas
/// whose own clocks disagree still agree on it, so a replica whose clock runs ahead
/// cannot take a lease its holder still counts on.
pub async fn hold_lease(db: &Db, name: &str, holder: &str, ttl: Duration) -> sqlx::Result<bool> {
    let kind = StoreKind::of_pool(db);
    let sql = format!(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, {until})
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= {now}",
        until = database_clock_plus(kind, "$3"),
        now = database_clock_plus(kind, "0"),
    );
    let done = sqlx::query(&sql).bind(name).bind(holder).bind(millis(ttl)).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a lease up at once (a replica stopping cleanly), if `holder` has it.
pub async fn release_lease(db: &Db, name: &str, holder: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2").bind(name).bind(holder).execute(db).await?;
    Ok(())
}

/// Takes the right to call 0Pools for an accept that has begun, for `ttl`: only
/// while the quote is accepting and nobody else's lease on it is running. The end is
/// written and judged by the database's clock, like every lease.
pub async fn take_accept_lease(db: &Db, quote_id: &str, holder: &str, ttl: Duration) -> sqlx::Result<bool> {
    let kind = StoreKind::of_pool(db);
    let sql = format!(
        "UPDATE quotes SET accept_lease_holder = $1, accept_lease_until = {until}
         WHERE quote_id = $3 AND status = 'accepting'
           AND (accept_lease_until IS NULL OR accept_lease_until <= {now})",
        until = database_clock_plus(kind, "$2"),
        now = database_clock_plus(kind, "0"),
    );
    let done = sqlx::query(&sql).bind(holder).bind(millis(ttl)).bind(quote_id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// Extends our running accept lease by `ttl` from the database's now; false when it
/// is no longer ours (it ended and another took it, or the accept ended).
pub(crate) async fn renew_accept_lease(db: &Db, quote_id: &str, holder: &str, ttl: Duration) -> sqlx::Result<bool> {
    let kind = StoreKind::of_pool(db);
    let sql = format!(
        "UPDATE quotes SET accept_lease_until = {until}
         WHERE quote_id = $3 AND status = 'accepting' AND accept_lease_holder = $1 AND accept_lease_until > {now}",
        until = database_clock_plus(kind, "$2"),
        now = database_clock_plus(kind, "0"),
    );
    let done = sqlx::query(&sql).bind(holder).bind(millis(ttl)).bind(quote_id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// A duration as the bound milliseconds the clock expressions take.
pub(super) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Ends our accept lease early (the outcome is still open, and a retry, from any
/// replica, may go on at once).
pub async fn release_accept_lease(db: &Db, quote_id: &str, holder: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE quotes SET accept_lease_until = NULL WHERE quote_id = $1 AND accept_lease_holder = $2")
        .bind(quote_id)
        .bind(holder)
        .execute(db)
        .await?;
    Ok(())
}

/// Claims a due partner event for delivery until `until`: true when this replica
/// should send it (no other replica can claim it meanwhile).
pub async fn claim_partner_event(conn: &mut AnyConnection, event_id: &str, until: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE partner_events SET next_attempt_at = $1 WHERE event_id = $2 AND delivered_at IS NULL AND next_attempt_at <= $3",
    )
    .bind(until)
    .bind(event_id)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
