//! Making SQLite group commits durable off the writer.
//!
//! With `synchronous = FULL` each commit fsyncs the WAL before it returns, and the
//! one writer waited for that fsync — almost half of its time per group — while the
//! next units queued. Instead the writer's own connection commits with
//! `synchronous = NORMAL` (the WAL is written, not synced) and hands its callers'
//! acknowledgements here; a thread of its own fsyncs the WAL file and only then acknowledges
//! them, while the writer already runs the next group. One fsync covers every
//! commit written before it began, so under load several groups share one.
//!
//! Nothing is acknowledged before it is on disk, as before. What changes: another
//! connection may read a committed row up to one fsync before it is durable (well
//! under a millisecond, unless the disk stalls). A power cut in that window loses only writes whose callers
//! had not been answered; anything a reader did with such a row is repeated safely
//! (accepts resume with the same idempotency key).
//!
//! SQLite's recovery reads committed transactions back from the WAL's frames (each
//! checksummed), whoever synced them; checkpoints still sync the WAL before and the
//! database file after.
//!
//! Checkpoints are mostly taken off the writer too. SQLite runs one inside whichever
//! commit finds the WAL past 1,000 pages — at 200 checkouts a second, every few
//! hundred milliseconds a group commit that also copied megabytes into the database
//! file, while every caller queued behind it. Here a task copies frames on a pooled
//! connection every [`CHECKPOINT_EVERY`] (passive: concurrent with the writer, which
//! WAL mode allows), so when the writer's own checkpoint comes due
//! ([`WRITER_CHECKPOINT_PAGES`]) little is left to copy. The writer's checkpoint is
//! still needed: only it can find every frame copied at the moment a write begins,
//! which is when SQLite restarts the WAL from its beginning; the passive ones alone
//! let the WAL grow until that bound (measured: 40 MB, then one long checkpoint).
//!
//! The WAL is found as SQLite finds it (beside the database file, symlinks
//! followed) and opened per fsync; it exists while the writer's connection is
//! open, so a missing WAL is an error, never "nothing to sync". A failed fsync
//! fails every acknowledgement after it too, until the process restarts: Linux may
//! report a lost write-back once and then let later fsyncs succeed, so nothing
//! written after a failure can be vouched for (Postgres stops in this case).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc;

/// How often the WAL is checkpointed into the database file.
pub(super) const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL pages past which the writer checkpoints itself (SQLite's default, about 4 MB).
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 1_000;

/// Checkpoints `db`'s WAL every [`CHECKPOINT_EVERY`] until the pool closes.
pub(super) fn spawn_checkpointer(db: crate::store::Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let closing = db.close_event();
        tokio::pin!(closing);
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = &mut closing => break,
            }
            // PASSIVE: copies what no reader still needs, never waits for readers or
            // the writer. A failure is retried at the next tick.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&db).await {
                tracing::warn!(error = %e, "WAL checkpoint failed; retried shortly");
            }
        }
    })
}

/// Makes every commit written so far durable.
pub(super) type Sync = Arc<dyn Fn() -> io::Result<()> + Send + std::marker::Sync>;

/// An acknowledgement, given once the commit it follows is durable (or told why not).
pub(super) type Ack = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The WAL of the SQLite database at `database`: beside the file it resolves to,
/// as SQLite places it when the path is a symlink.
pub(super) fn wal_of(database: &Path) -> PathBuf {
    let mut name = std::fs::canonicalize(database).unwrap_or_else(|_| database.to_owned()).into_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// Fsyncs the file at `wal` (a missing one is an error: see the module note).
pub(super) fn fsync(wal: PathBuf) -> Sync {
    Arc::new(move || std::fs::File::open(&wal).and_then(|file| file.sync_data()))
}

/// Starts the thread that acknowledges batches once `sync` has run after them; it
/// ends when the last sender is dropped.
///
/// A thread of its own, not a task: a commit's callers are answered after one wake-up
/// here (the fsync runs on this thread, then it answers), where a task handing the
/// fsync to the blocking pool and waiting for it back took three. Each wake-up is a
/// chance to wait for a core, and on a busy machine the answer waits as long.
pub(super) fn spawn(sync: Sync) -> mpsc::UnboundedSender<Vec<Ack>> {
    let (sender, mut batches) = mpsc::unbounded_channel::<Vec<Ack>>();
    std::thread::Builder::new()
        .name("qw-wal-sync".into())
        .spawn(move || {
            // The first failure, repeated to every caller after it (see the module note).
            let mut failed: Option<String> = None;
            while let Some(first) = batches.blocking_recv() {
                // Every batch taken here was committed before this fsync begins.
                let mut waiting = vec![first];
                while let Ok(more) = batches.try_recv() {
                    waiting.push(more);
                }
                let synced = match &failed {
                    Some(e) => Err(e.clone()),
                    None => sync().map_err(|e| {
                        let e = format!(
                            "the database's writes can no longer be made durable (fsync of its WAL failed: {e}); restart the server"
                        );
                        tracing::error!(error = %e, "fsync of the SQLite WAL failed: no write is acknowledged from now on");
                        failed = Some(e.clone());
                        e
                    }),
                };
                for ack in waiting.into_iter().flatten() {
                    ack(synced.clone());
                }
            }
        })
        .expect("the WAL sync thread starts");
    sender
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn the_wal_sits_beside_the_file_the_database_path_resolves_to() {
        assert_eq!(wal_of(Path::new("/no/such/dir/quotes.db")), PathBuf::from("/no/such/dir/quotes.db-wal"));
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("volume");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("quotes.db"), b"").unwrap();
        std::os::unix::fs::symlink(real.join("quotes.db"), dir.path().join("link.db")).unwrap();
        assert_eq!(
            wal_of(&dir.path().join("link.db")),
            std::fs::canonicalize(real.join("quotes.db")).unwrap().with_file_name("quotes.db-wal")
        );
    }

    #[test]
    fn a_missing_wal_is_an_error_and_an_existing_one_is_synced() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("q.db-wal");
        assert!(fsync(wal.clone())().is_err(), "nothing was synced: never report success");
        std::fs::write(&wal, b"frames").unwrap();
        assert!(fsync(wal)().is_ok());
    }

    #[tokio::test]
    async fn acknowledgements_wait_for_the_sync_and_hear_its_failure() {
        let (release, released) = std::sync::mpsc::channel::<io::Result<()>>();
        let released = std::sync::Mutex::new(released);
        let syncs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&syncs);
        let syncer = spawn(Arc::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            released.lock().unwrap().recv().unwrap()
        }));
        let (told, mut heard) = mpsc::unbounded_channel();
        let ack = |told: mpsc::UnboundedSender<Result<(), String>>| -> Ack { Box::new(move |r| told.send(r).unwrap()) };
        syncer.send(vec![ack(told.clone()), ack(told.clone())]).unwrap();
        // Not acknowledged while the fsync has not returned.
        tokio::task::yield_now().await;
        assert!(heard.try_recv().is_err());
        release.send(Ok(())).unwrap();
        assert_eq!(heard.recv().await.unwrap(), Ok(()));
        assert_eq!(heard.recv().await.unwrap(), Ok(()));
        // A failed fsync is every waiting caller's failure, and every later one's: even
        // if a later fsync would succeed, nothing is vouched for again.
        syncer.send(vec![ack(told.clone())]).unwrap();
        release.send(Err(io::Error::other("disk gone"))).unwrap();
        assert!(heard.recv().await.unwrap().unwrap_err().contains("disk gone"));
        syncer.send(vec![ack(told)]).unwrap();
        assert!(heard.recv().await.unwrap().unwrap_err().contains("disk gone"));
        assert_eq!(syncs.load(Ordering::SeqCst), 2, "no fsync after the failure");
    }
}
