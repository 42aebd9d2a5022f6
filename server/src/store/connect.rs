//! The database, chosen by `DATABASE_URL`: embedded SQLite (`sqlite://…`, the
//! default, one replica) or Postgres (`postgres://…`, shared by any number of
//! replicas). Both are reached through sqlx's `Any` driver, so every query is one
//! code path; each has its own migrations folder, kept in step by a test.

use super::Db;
use sqlx::any::AnyPoolOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Executor;
use std::str::FromStr;
use std::time::Duration;

/// Which store a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    pub fn of(database_url: &str) -> Option<StoreKind> {
        let url = database_url.trim();
        if url.starts_with("sqlite:") {
            Some(StoreKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(StoreKind::Postgres)
        } else {
            None
        }
    }

    /// The store behind an open connection.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> StoreKind {
        match conn.backend_name() {
            "PostgreSQL" => StoreKind::Postgres,
            _ => StoreKind::Sqlite,
        }
    }

    /// The store behind an open pool.
    pub fn of_pool(db: &Db) -> StoreKind {
        match db.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => StoreKind::Postgres,
            _ => StoreKind::Sqlite,
        }
    }
}

/// The file of an SQLite database on disk (`None` for Postgres or in memory).
pub(crate) fn sqlite_file(db: &Db) -> Option<std::path::PathBuf> {
    let url = &db.connect_options().database_url;
    if StoreKind::of_pool(db) != StoreKind::Sqlite
        || url.as_str().contains(":memory:")
        || url.query_pairs().any(|(k, v)| k == "mode" && v == "memory")
    {
        return None;
    }
    Some(SqliteConnectOptions::from_str(url.as_str()).ok()?.get_filename().to_owned())
}

/// Opens (creating an SQLite file if missing) and migrates the database.
pub async fn open(database_url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    match StoreKind::of(database_url) {
        Some(StoreKind::Postgres) => open_postgres(database_url).await,
        Some(StoreKind::Sqlite) => open_sqlite(database_url).await,
        None => anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://"),
    }
}

async fn open_sqlite(database_url: &str) -> anyhow::Result<Db> {
    let filename = SqliteConnectOptions::from_str(database_url)?.get_filename().to_owned();
    if let Some(parent) = filename.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)?;
        }
    }
    // `Any` takes SQLite's options from the URL only: create the file when missing,
    // and set the rest on every new connection.
    let url = if database_url.contains("mode=") {
        database_url.to_owned()
    } else {
        format!("{database_url}{}mode=rwc", if database_url.contains('?') { '&' } else { '?' })
    };
    // A local file does not hang up: no liveness round trip to the connection's
    // worker thread on every acquire (it was one hand-off more per statement).
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // WAL lets readers and the one writer proceed together; FULL sync means a
                // committed row survives the process (or machine) dying right after.
                // Savepoints (a group commit's units) keep their statement journals in
                // memory: on disk each one would create and delete a file.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

async fn open_postgres(database_url: &str) -> anyhow::Result<Db> {
    // Statements take well under a millisecond: more connections than this only add
    // backends competing for the cores (docs/deploy.md).
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| Box::pin(async move { check_if_idle(conn, meta.idle_for).await }))
        .connect(database_url)
        .await?;
    // sqlx takes an advisory lock while migrating, so replicas starting together
    // apply each migration once.
    sqlx::migrate!("./migrations-postgres").run(&pool).await?;
    // Timestamps and ids are compared as text: byte order is what they sort by.
    let collation: Option<String> =
        sqlx::query_scalar("SELECT datcollate::text FROM pg_database WHERE datname = current_database()").fetch_optional(&pool).await?;
    if !matches!(collation.as_deref(), Some("C" | "POSIX")) {
        tracing::warn!(?collation, "the database's collation is not C: create it with LC_COLLATE 'C' (docs/deploy.md)");
    }
    Ok(pool)
}

/// A pooled Postgres connection idle this long is pinged before it is handed out.
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// sqlx's default pings every connection on every acquire: one more round trip to
/// Postgres for each statement, which under load doubled the round trips of a
/// checkout. Connections in steady use skip it; one that sat idle (and may have been
/// closed by Postgres restarting, a proxy or a firewall meanwhile) is still checked,
/// and a failed check makes the pool open a fresh one instead.
async fn check_if_idle(conn: &mut sqlx::AnyConnection, idle_for: Duration) -> Result<bool, sqlx::Error> {
    if idle_for >= PING_AFTER_IDLE {
        sqlx::Connection::ping(conn).await?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn sqlite_connections_are_durable_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::open(&format!("sqlite://{}", dir.path().join("nested/dir/p.db").display())).await.unwrap();
        // Every pooled connection, not only the first.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = db.acquire().await.unwrap();
            let settings: (String, i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous),
                        (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT temp_store FROM pragma_temp_store)",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(settings, ("wal".to_owned(), 2, 1, 2), "journal mode, synchronous=FULL, foreign keys, temp store=MEMORY");
            held.push(conn);
        }
        // The file whose WAL the group writer syncs.
        assert_eq!(super::sqlite_file(&db), Some(dir.path().join("nested/dir/p.db")));
    }
}
