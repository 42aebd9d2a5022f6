//! Group commit for outcome rows. Every quote answer writes one row, and with the
//! database's full sync each lone commit waits for its own fsync; under load that
//! wait, not the work, was most of a preview's latency. Here concurrent rows are
//! written by one task in one transaction (one fsync for the group), and each
//! caller still waits until its row is committed, so nothing is acknowledged before
//! it is durable.

use crate::store::{self, Db, OutcomeRow};
use tokio::sync::{mpsc, oneshot};

/// Most rows one transaction takes.
const GROUP: usize = 256;

type Ack = oneshot::Sender<Result<(), String>>;

#[derive(Clone)]
pub struct OutcomeWriter {
    queue: mpsc::Sender<(OutcomeRow, Ack)>,
}

impl OutcomeWriter {
    /// Starts the writer task (it ends when the last handle is dropped).
    pub fn spawn(db: Db) -> Self {
        let (queue, mut rows) = mpsc::channel::<(OutcomeRow, Ack)>(4 * GROUP);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(GROUP);
            while rows.recv_many(&mut group, GROUP).await > 0 {
                let written = write_group(&db, group.iter().map(|(row, _)| row)).await.map_err(|e| e.to_string());
                for (_, ack) in group.drain(..) {
                    let _ = ack.send(written.clone());
                }
            }
        });
        OutcomeWriter { queue }
    }

    /// Writes `row` with whatever else is waiting; returns once it is committed.
    pub async fn record(&self, row: OutcomeRow) -> Result<(), String> {
        let (ack, committed) = oneshot::channel();
        self.queue.send((row, ack)).await.map_err(|_| "the outcome writer stopped".to_owned())?;
        committed.await.map_err(|_| "the outcome writer stopped".to_owned())?
    }
}

async fn write_group<'a>(db: &Db, rows: impl Iterator<Item = &'a OutcomeRow>) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    for row in rows {
        store::insert_outcome(&mut *tx, row).await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_rows_are_all_committed_before_their_callers_return() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
        let writer = OutcomeWriter::spawn(db.clone());
        let mut calls = Vec::new();
        for i in 0..500 {
            let writer = writer.clone();
            calls.push(tokio::spawn(async move {
                let row = OutcomeRow { pool_id: "EUR-USDT".into(), quote_type: "indicative".into(), outcome: "available".into(), quote_id: Some(format!("q{i}")), ..OutcomeRow::default() };
                writer.record(row).await
            }));
        }
        for call in calls {
            call.await.unwrap().unwrap();
        }
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT quote_id) FROM quote_outcomes").fetch_one(&db).await.unwrap();
        assert_eq!(stored, 500);
    }

    #[tokio::test]
    async fn a_failed_group_is_reported_to_each_caller() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
        sqlx::query("DROP TABLE quote_outcomes").execute(&db).await.unwrap();
        let writer = OutcomeWriter::spawn(db);
        assert!(writer.record(OutcomeRow::default()).await.is_err());
    }
}
