//! Durable writes, committed in groups where that is what makes the store fast.
//!
//! SQLite has one writer at a time and, with full sync, an fsync per commit: under
//! load, writers queueing for the lock (SQLite's busy handler makes them sleep 1, 2,
//! 5, 10 ms…) and one fsync per small transaction, not the work, were the server's
//! latency. So on SQLite every hot write is a *unit* handed to one task, which runs
//! whatever units are waiting in one transaction and commits once. Every caller
//! still waits until its unit is committed: nothing is acknowledged before it is
//! durable.
//!
//! A unit is written as if it had a connection of its own: one statement is atomic
//! by itself (SQLite undoes a failing statement alone), and a unit of several
//! statements that must stand or fall together begins its own transaction — inside
//! a group that is a savepoint, so a failing unit is undone alone either way. The
//! writer adds no savepoint of its own: that one writer is the store's throughput
//! limit, and every statement it runs is a hand-off to SQLite's thread and back.
//!
//! On Postgres, replicas write concurrently and Postgres shares WAL flushes between
//! concurrent commits itself; grouping there would only hold row locks longer (and
//! let one replica's group deadlock another's). So there a unit runs at once on a
//! pooled connection — the same call, the other strategy.

use super::wal_sync;
use super::Db;
use super::StoreKind;
use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

/// Most units one transaction takes.
const GROUP: usize = 128;

type Reply = wal_sync::Ack;
/// A unit of work: run on the group's connection, it answers whether it succeeded
/// and how to tell its caller the group's fate.
type Unit = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Reply)> + Send>;

/// What one failing unit does to the others in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// A failing unit is undone alone (see the module's note on units); the others
    /// in its group are committed.
    PerUnit,
    /// A failing unit fails the whole group, and every caller in it hears so. For
    /// rows that cannot conflict.
    AllOrNothing,
}

#[derive(Clone)]
pub struct GroupCommit {
    db: Db,
    /// The group writer's queue; `None` runs each unit at once on a pooled connection.
    queue: Option<mpsc::Sender<Unit>>,
}

impl GroupCommit {
    /// The strategy the store wants: grouped on SQLite, direct on Postgres.
    pub fn for_store(db: Db) -> Self {
        match StoreKind::of_pool(&db) {
            StoreKind::Sqlite => GroupCommit::grouped(db, Isolation::PerUnit),
            StoreKind::Postgres => GroupCommit::direct(db),
        }
    }

    /// Each unit at once, on a pooled connection: a unit that needs a transaction
    /// begins its own, a single statement commits by itself.
    pub fn direct(db: Db) -> Self {
        GroupCommit { db, queue: None }
    }

    /// Units share transactions, written by one task (it ends with the last handle).
    /// On an SQLite file its callers are acknowledged once the WAL is synced, off the
    /// writer ([`crate::store::wal_sync`]).
    pub fn grouped(db: Db, isolation: Isolation) -> Self {
        let durable = super::sqlite_file(&db).map(|file| wal_sync::fsync(wal_sync::wal_of(&file)));
        GroupCommit::grouped_with(db, isolation, durable)
    }

    /// [`GroupCommit::grouped`] with `sync` making commits durable after the writer
    /// committed them (`None`: each commit syncs itself, `synchronous = FULL`).
    pub fn grouped_with(db: Db, isolation: Isolation, sync: Option<wal_sync::Sync>) -> Self {
        let (queue, mut units) = mpsc::channel::<Unit>(4 * GROUP);
        let writer_db = db.clone();
        let syncer = sync.map(wal_sync::spawn);
        if syncer.is_some() {
            wal_sync::spawn_checkpointer(db.clone());
        }
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP);
            // The writer keeps its connection between groups (see `WriterConnection`);
            // after any failure it takes a fresh one.
            let mut held: Option<WriterConnection> = None;
            let closing = writer_db.close_event();
            tokio::pin!(closing);
            loop {
                let received = tokio::select! {
                    received = units.recv_many(&mut group, GROUP) => received,
                    _ = &mut closing => 0,
                };
                if received == 0 {
                    break;
                }
                let held_or_new = match held.take() {
                    Some(conn) => Ok(conn),
                    None => writer_connection(&writer_db, syncer.is_some()).await,
                };
                // If the transaction cannot even begin, dropping the units tells their
                // callers the write did not happen (they answer "retry"); a held
                // connection that went bad is dropped with them, and the next group
                // takes a fresh one.
                let Ok(mut conn) = held_or_new else {
                    group.clear();
                    continue;
                };
                let Ok(mut tx) = begin_group(&mut conn).await else {
                    group.clear();
                    continue;
                };
                let mut replies = Vec::with_capacity(group.len());
                let mut all_ok = true;
                for unit in group.drain(..) {
                    let (ok, reply) = unit(&mut tx).await;
                    all_ok &= ok;
                    replies.push(reply);
                }
                let committed = match (isolation, all_ok) {
                    (Isolation::AllOrNothing, false) => {
                        let _ = tx.rollback().await;
                        Err("a write of its group failed, so none was kept".to_owned())
                    }
                    _ => tx.commit().await.map_err(|e| e.to_string()),
                };
                if committed.is_ok() {
                    held = Some(conn);
                }
                match (&syncer, committed) {
                    // Answered once durable; the writer goes on to the next group.
                    (Some(syncer), Ok(())) => {
                        if let Err(unsent) = syncer.send(replies) {
                            for reply in unsent.0 {
                                reply(Err("the write could not be made durable: the process is stopping".to_owned()));
                            }
                        }
                    }
                    (_, committed) => {
                        for reply in replies {
                            reply(committed.clone());
                        }
                    }
                }
            }
            if let Some(WriterConnection::Own(conn)) = held {
                let _ = conn.close().await;
            }
        });
        GroupCommit { db, queue: Some(queue) }
    }

    /// Runs `op` and returns once its effects are committed (or it failed and left none).
    pub async fn run<T, F>(&self, op: F) -> sqlx::Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, sqlx::Result<T>> + Send + 'static,
    {
        let Some(queue) = &self.queue else {
            let mut conn = self.db.acquire().await?;
            return op(&mut conn).await;
        };
        let (answer, answered) = oneshot::channel();
        let unit: Unit = Box::new(move |conn| {
            Box::pin(async move {
                let result = op(conn).await;
                let ok = result.is_ok();
                let reply: Reply = Box::new(move |committed| {
                    let _ = answer.send(committed.map_err(sqlx::Error::Protocol).and(result));
                });
                (ok, reply)
            })
        });
        queue.send(unit).await.map_err(|_| not_written())?;
        answered.await.map_err(|_| not_written())?
    }
}

/// The writer's connection: with the syncer, one of its own, taken out of the pool
/// (commits on it do not wait for the disk, which no other writer may do); else a
/// pooled one, counted in the pool's size like any other.
enum WriterConnection {
    Own(AnyConnection),
    Pooled(PoolConnection<Any>),
}

impl std::ops::Deref for WriterConnection {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            WriterConnection::Own(conn) => conn,
            WriterConnection::Pooled(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for WriterConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriterConnection::Own(conn) => conn,
            WriterConnection::Pooled(conn) => conn,
        }
    }
}

/// With `unsynced`, commits on the connection wait neither for the disk (the syncer
/// does) nor, normally, for a checkpoint (the checkpointer does most of the copying).
async fn writer_connection(db: &Db, unsynced: bool) -> sqlx::Result<WriterConnection> {
    let pooled = db.acquire().await?;
    if !unsynced {
        return Ok(WriterConnection::Pooled(pooled));
    }
    let mut conn = pooled.detach();
    let pragmas = format!("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {}", wal_sync::WRITER_CHECKPOINT_PAGES);
    sqlx::query(&pragmas).execute(&mut conn).await?;
    Ok(WriterConnection::Own(conn))
}

/// Begins a group's transaction. On SQLite `IMMEDIATE`: the group takes the write
/// lock as it begins (waiting for it like any write). A deferred transaction begins
/// as a reader when its first unit reads first, and its first write then fails at
/// once (SQLITE_BUSY, without waiting) if another connection wrote in between.
async fn begin_group(conn: &mut AnyConnection) -> sqlx::Result<sqlx::Transaction<'_, Any>> {
    match StoreKind::of_connection(conn) {
        StoreKind::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
        StoreKind::Postgres => conn.begin().await,
    }
}

/// The caller's unit never ran: its group's transaction could not begin, or the
/// writer is gone (the process is stopping).
fn not_written() -> sqlx::Error {
    sqlx::Error::Protocol("the write could not be committed: its group's transaction did not begin".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store;
    use sqlx::Connection;

    async fn sqlite() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(&format!("sqlite://{}", dir.path().join("g.db").display())).await.unwrap();
        (dir, db)
    }

    fn alert(writes: &GroupCommit, subject: String) -> impl std::future::Future<Output = sqlx::Result<bool>> + '_ {
        writes.run(move |conn| Box::pin(async move { store::raise_alert(conn, "test", &subject, "m").await }))
    }

    #[tokio::test]
    async fn concurrent_units_are_committed_before_their_callers_return_and_a_failing_one_is_undone_alone() {
        let (_dir, db) = sqlite().await;
        let writes = GroupCommit::grouped(db.clone(), Isolation::PerUnit);
        let mut calls = Vec::new();
        for i in 0..300 {
            let writes = writes.clone();
            calls.push(tokio::spawn(async move {
                if i % 50 == 7 {
                    // Writes a row, then fails, in its own transaction: its row must not
                    // survive the group's commit.
                    writes
                        .run(move |conn| {
                            Box::pin(async move {
                                let mut tx = conn.begin().await?;
                                store::raise_alert(&mut tx, "test", &format!("failed-{i}"), "m").await?;
                                sqlx::query("INSERT INTO no_such_table VALUES (1)").execute(&mut *tx).await.map(|_| false)
                            })
                        })
                        .await
                } else if i % 50 == 8 {
                    // One statement that fails: SQLite undoes it alone.
                    writes
                        .run(move |conn| {
                            Box::pin(
                                async move { sqlx::query("INSERT INTO no_such_table VALUES (1)").execute(&mut *conn).await.map(|_| false) },
                            )
                        })
                        .await
                } else {
                    alert(&writes, format!("s{i}")).await
                }
            }));
        }
        let mut failed = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(inserted) => assert!(inserted),
                Err(_) => failed += 1,
            }
        }
        assert_eq!(failed, 12);
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'test'").fetch_one(&db).await.unwrap();
        assert_eq!(stored, 288, "every unit that succeeded was committed, and no failed unit's row");
    }

    #[tokio::test]
    async fn a_unit_that_reads_before_it_writes_is_not_failed_by_another_connections_write() {
        let (_dir, db) = sqlite().await;
        let writes = GroupCommit::grouped(db.clone(), Isolation::PerUnit);
        let (read, has_read) = oneshot::channel();
        let (tried, other_tried) = oneshot::channel::<()>();
        let unit = writes.run(move |conn| {
            Box::pin(async move {
                let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(&mut *conn).await?;
                let _ = read.send(());
                let _ = other_tried.await;
                store::raise_alert(conn, "test", "after-read", "m").await
            })
        });
        // Another connection writes after the unit read and before it writes (or tries
        // to: while the group holds the write lock it gives up after 50 ms).
        let beside = async {
            has_read.await.unwrap();
            let mut conn = db.acquire().await.unwrap();
            sqlx::query("PRAGMA busy_timeout = 50").execute(&mut *conn).await.unwrap();
            let _ = store::raise_alert(&mut conn, "test", "beside", "m").await;
            tried.send(()).unwrap();
        };
        let (unit, ()) = tokio::join!(unit, beside);
        assert!(unit.expect("the unit's write is not refused for the read before it"));
    }

    #[tokio::test]
    async fn all_or_nothing_groups_acknowledge_exactly_what_they_kept() {
        let (_dir, db) = sqlite().await;
        let writes = GroupCommit::grouped(db.clone(), Isolation::AllOrNothing);
        let calls: Vec<_> = (0..300)
            .map(|i| {
                let writes = writes.clone();
                tokio::spawn(async move {
                    let subject = if i % 50 == 7 { "dup".to_owned() } else { format!("s{i}") };
                    // The table has no row "x": the 7th of every 50 fails after its insert.
                    writes
                        .run(move |conn| {
                            Box::pin(async move {
                                store::raise_alert(&mut *conn, "test", &subject, "m").await?;
                                if subject == "dup" {
                                    sqlx::query("INSERT INTO no_such_table VALUES (1)").execute(&mut *conn).await?;
                                }
                                Ok(())
                            })
                        })
                        .await
                })
            })
            .collect();
        let mut acknowledged = 0;
        for call in calls {
            acknowledged += i64::from(call.await.unwrap().is_ok());
        }
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'test'").fetch_one(&db).await.unwrap();
        assert!(acknowledged <= 294, "the failing units were not acknowledged");
        assert_eq!(stored, acknowledged, "what was acknowledged is exactly what was kept");
    }

    #[tokio::test]
    async fn the_wal_is_checkpointed_beside_the_writer() {
        let (dir, db) = sqlite().await;
        let file = dir.path().join("g.db");
        let before = std::fs::metadata(&file).unwrap().len();
        let writes = GroupCommit::grouped(db.clone(), Isolation::PerUnit);
        // About 1 MB of rows: far below the writer's own checkpoint threshold, so in
        // WAL mode only a checkpoint by someone else copies them into the file.
        for i in 0..250 {
            let message = "x".repeat(4000);
            writes.run(move |c| Box::pin(async move { store::raise_alert(c, "bulk", &format!("s{i}"), &message).await })).await.unwrap();
        }
        let copied = async {
            while std::fs::metadata(&file).unwrap().len() < before + 900_000 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), copied).await.expect("the rows reached the database file");
    }

    #[tokio::test]
    async fn closing_the_pool_does_not_wait_for_the_idle_writer() {
        let (_dir, db) = sqlite().await;
        let writes = GroupCommit::grouped(db.clone(), Isolation::PerUnit);
        assert!(alert(&writes, "held".into()).await.unwrap());
        tokio::time::timeout(std::time::Duration::from_secs(10), db.close()).await.expect("the pool closed while the writer was idle");
    }

    #[tokio::test]
    async fn only_the_writer_commits_without_syncing_and_its_callers_wait_for_the_sync() {
        let (_dir, db) = sqlite().await;
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = std::sync::Mutex::new(released);
        let writes = GroupCommit::grouped_with(
            db.clone(),
            Isolation::PerUnit,
            Some(std::sync::Arc::new(move || released.lock().unwrap().recv().map_err(std::io::Error::other))),
        );
        let writing = tokio::spawn({
            let writes = writes.clone();
            async move { alert(&writes, "synced".into()).await }
        });
        // Committed (another connection reads it) but not answered until the sync returns.
        let committed = async {
            while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alerts WHERE subject = 'synced'").fetch_one(&db).await.unwrap() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), committed).await.expect("the unit was committed");
        assert!(!writing.is_finished());
        release.send(()).unwrap();
        assert!(writing.await.unwrap().unwrap());
        // Every pooled connection still syncs each commit itself (FULL = 2): the
        // writer's own connection is not among them.
        let mut pooled = Vec::new();
        for _ in 0..8 {
            let mut conn = db.acquire().await.unwrap();
            let synchronous: i64 = sqlx::query_scalar("SELECT synchronous FROM pragma_synchronous").fetch_one(&mut *conn).await.unwrap();
            assert_eq!(synchronous, 2);
            pooled.push(conn);
        }
    }

    #[tokio::test]
    async fn direct_units_commit_alone() {
        let (_dir, db) = sqlite().await;
        let writes = GroupCommit::direct(db.clone());
        assert!(alert(&writes, "one".into()).await.unwrap());
        assert!(!alert(&writes, "one".into()).await.unwrap(), "the unique alert is already there");
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(&db).await.unwrap();
        assert_eq!(stored, 1);
    }
}
