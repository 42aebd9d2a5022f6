//! Upgrading a database that has real rows: the checkout migration (0003) rebuilds
//! `quotes` under trades that reference it, and gives every old session a checkout
//! that holds what it had begun.

use quote_server::store as db;
use sqlx::sqlite::SqliteConnectOptions;
use std::str::FromStr;

#[tokio::test]
async fn a_database_with_trades_and_an_open_accept_upgrades_and_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    // The schema as the previous release left it: migrations 0001 and 0002 only.
    let old = dir.path().join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for name in ["0001_init.sql", "0002_trade_partner_reference.sql"] {
        std::fs::copy(format!("{}/migrations/{name}", env!("CARGO_MANIFEST_DIR")), old.join(name)).unwrap();
    }
    let options = SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&pool).await.unwrap();
    let at = "2026-11-20T10:00:00.000Z";
    for statement in [
        "INSERT INTO sessions VALUES ('ses_a', 'hash_a', NULL, '2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z')",
        "INSERT INTO sessions VALUES ('ses_b', 'hash_b', 'user_7', '2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z')",
        "INSERT INTO quotes (quote_id, session_id, status, pool_id, side, requested_amount, requested_currency, created_at, recorded_at, idempotency_key)
            VALUES ('pq_done', 'ses_a', 'accepted', 'EUR-USDT', 'buy', '100', 'EUR', $1, $1, 'qw-accept-pq_done')",
        "INSERT INTO quotes (quote_id, session_id, status, pool_id, side, requested_amount, requested_currency, created_at, recorded_at, accepted_at, idempotency_key)
            VALUES ('pq_open', 'ses_b', 'accepting', 'EUR-USDT', 'buy', '100', 'EUR', $1, $1, $1, 'qw-accept-pq_open')",
        "INSERT INTO trades (trade_id, quote_id, session_id, idempotency_key, status, pool_id, side, source_asset, source_amount,
            target_asset, target_amount, network, destination_address, created_at, updated_at, partner_reference)
            VALUES ('pt_1', 'pq_done', 'ses_a', 'qw-accept-pq_done', 'settled', 'EUR-USDT', 'buy', 'EUR', '100.00', 'USDT', '107.42', 'tron', 'T1', $1, $1, 'order_1')",
        "INSERT INTO trade_status_history (trade_id, status, source, recorded_at) VALUES ('pt_1', 'reserved', 'transact', $1)",
    ] {
        sqlx::query(statement).bind(at).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let db = db::open(&url).await.expect("the upgrade applies");
    let violations: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&db).await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    let quotes: Vec<(String, String, String)> =
        sqlx::query_as("SELECT quote_id, checkout_id, status FROM quotes ORDER BY quote_id").fetch_all(&db).await.unwrap();
    assert_eq!(
        quotes,
        vec![("pq_done".into(), "chk_ses_a".into(), "accepted".into()), ("pq_open".into(), "chk_ses_b".into(), "accepting".into()),]
    );
    type CheckoutClaims = (String, Option<String>, Option<String>, Option<String>);
    let checkouts: Vec<CheckoutClaims> =
        sqlx::query_as("SELECT checkout_id, accept_quote_id, trade_id, partner_user_id FROM checkouts ORDER BY checkout_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        checkouts,
        vec![
            ("chk_ses_a".into(), Some("pq_done".into()), Some("pt_1".into()), None),
            ("chk_ses_b".into(), Some("pq_open".into()), None, Some("user_7".into())),
        ],
        "the open accept holds its checkout, so no second quote can begin meanwhile"
    );
    let trade: (Option<String>, String) = sqlx::query_as("SELECT checkout_id, quote_id FROM trades").fetch_one(&db).await.unwrap();
    assert_eq!(trade, (Some("chk_ses_a".into()), "pq_done".into()));
    // The rebuilt table keeps its constraints: a new status is allowed, nonsense is not.
    sqlx::query("UPDATE quotes SET status = 'accept_failed' WHERE quote_id = 'pq_open'").execute(&db).await.unwrap();
    assert!(sqlx::query("UPDATE quotes SET status = 'nonsense' WHERE quote_id = 'pq_open'").execute(&db).await.is_err());
}

/// (table, column, type family) of every column the migrations made.
type Columns = std::collections::BTreeSet<(String, String, &'static str)>;

fn family(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        "text" => "text",
        "integer" | "bigint" => "integer",
        other => panic!("a column of type {other}: give it a twin in both stores"),
    }
}

async fn sqlite_schema(db: &sqlx::AnyPool) -> (Columns, Vec<String>) {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")
            .fetch_all(db)
            .await
            .unwrap();
    (rows.into_iter().map(|(t, c, ty)| (t, c, family(&ty))).collect(), indexes)
}

async fn postgres_schema(db: &sqlx::AnyPool) -> (Columns, Vec<String>) {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    // Indexes the migrations named (not the ones behind PRIMARY KEY and UNIQUE).
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key' ORDER BY indexname",
    )
    .fetch_all(db)
    .await
    .unwrap();
    (rows.into_iter().map(|(t, c, ty)| (t, c, family(&ty))).collect(), indexes)
}

#[tokio::test]
async fn the_sqlite_and_postgres_migrations_stay_in_step() {
    // The same versions, with the same names, in both folders.
    let names = |m: sqlx::migrate::Migrator| m.iter().map(|m| (m.version, m.description.to_string())).collect::<Vec<_>>();
    let (sqlite_versions, postgres_versions) = (names(sqlx::migrate!("./migrations")), names(sqlx::migrate!("./migrations-postgres")));
    assert_eq!(sqlite_versions, postgres_versions, "every migration needs its twin in the other folder");

    // The same tables, columns (by type family) and named indexes once applied.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(&format!("sqlite://{}", dir.path().join("parity.db").display())).await.unwrap();
    let cluster = quote_testkit::throwaway_postgres::ThrowawayPostgres::shared().unwrap();
    let postgres = db::open(&cluster.new_database().await.unwrap()).await.unwrap();
    let (sqlite_columns, sqlite_indexes) = sqlite_schema(&sqlite).await;
    let (postgres_columns, postgres_indexes) = postgres_schema(&postgres).await;
    assert!(sqlite_columns.len() > 100, "{sqlite_columns:?}");
    let only_sqlite: Vec<_> = sqlite_columns.difference(&postgres_columns).collect();
    let only_postgres: Vec<_> = postgres_columns.difference(&sqlite_columns).collect();
    assert!(only_sqlite.is_empty() && only_postgres.is_empty(), "only in SQLite: {only_sqlite:?}; only in Postgres: {only_postgres:?}");
    assert_eq!(sqlite_indexes, postgres_indexes);
}
