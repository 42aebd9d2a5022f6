//! Statements sent as one (`store::Joined`) on the suite's store: all or none, also
//! inside a transaction that goes on after one of them failed.

use quote_server::store::Joined;
use sqlx::{Connection, Row};
use std::sync::LazyLock;

static TWO_INSERTS: LazyLock<Joined> =
    LazyLock::new(|| Joined::new(&["INSERT INTO scratch (id) VALUES ($1)", "INSERT INTO scratch (id) VALUES ($1) RETURNING id"]));

async fn ids(conn: &mut sqlx::AnyConnection) -> Vec<String> {
    sqlx::query("SELECT id FROM scratch ORDER BY id").fetch_all(conn).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
}

#[tokio::test]
async fn joined_statements_stand_or_fall_together() {
    let dir = tempfile::tempdir().unwrap();
    let db = quote_server::store::open(&quote_testkit::harness::database_url(&dir.path().join("joined.db")).await).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    sqlx::query("CREATE TABLE scratch (id TEXT PRIMARY KEY)").execute(&mut *conn).await.unwrap();

    // Both written; the last statement's rows come back.
    let rows = TWO_INSERTS.fetch_all(&mut conn, |q| q.bind("a").bind("b")).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.get::<String, _>(0)).collect::<Vec<_>>(), ["b"]);
    assert_eq!(ids(&mut conn).await, ["a", "b"]);

    // The second fails (its id exists): the first is undone with it.
    TWO_INSERTS.fetch_all(&mut conn, |q| q.bind("c").bind("a")).await.is_err().then_some(()).expect("a duplicate id fails");
    assert_eq!(ids(&mut conn).await, ["a", "b"], "no half-written pair");

    // Inside a transaction (as in a group commit): the failure is undone alone and the
    // transaction goes on to commit what else it did.
    let mut tx = conn.begin().await.unwrap();
    TWO_INSERTS.fetch_all(&mut tx, |q| q.bind("d").bind("e")).await.unwrap();
    if quote_server::store::StoreKind::of_connection(&tx) == quote_server::store::StoreKind::Sqlite {
        // (On Postgres a failed statement aborts the whole transaction: there the
        // group writer is not used and each unit runs alone, so only SQLite needs this.)
        TWO_INSERTS.fetch_all(&mut tx, |q| q.bind("f").bind("a")).await.is_err().then_some(()).expect("a duplicate id fails");
    }
    tx.commit().await.unwrap();
    assert_eq!(ids(&mut conn).await, ["a", "b", "d", "e"]);
}
