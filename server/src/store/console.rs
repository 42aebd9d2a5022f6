//! Partner console sessions: token hashes with an expiry.

use super::{now, Db};

pub async fn insert_console_session(db: &Db, token_hash: &str, user: &str, expires_at: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO console_sessions (token_hash, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user)
        .bind(now())
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// The user and expiry of a live session with this token hash.
pub async fn console_session(db: &Db, token_hash: &str) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT user_name, expires_at FROM console_sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash)
        .bind(now())
        .fetch_optional(db)
        .await
}

pub async fn delete_console_session(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM console_sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

/// Forgets sessions that ended; returns how many.
pub async fn purge_console_sessions(db: &Db) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1").bind(now()).execute(db).await?.rows_affected())
}
