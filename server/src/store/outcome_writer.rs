//! Group commit for outcome rows. Every quote answer writes one row, and with the
//! database's full sync each lone commit waits for its own fsync; under load that
//! wait, not the work, was most of a preview's latency. Here concurrent rows are
//! written by one task in one transaction (one fsync for the group), and each
//! caller still waits until its row is committed, so nothing is acknowledged before
//! it is durable.

use super::StoreKind;
use super::{Db, OutcomeRow};
use super::{GroupCommit, Isolation};

#[derive(Clone)]
pub struct OutcomeWriter {
    writes: GroupCommit,
}

impl OutcomeWriter {
    /// On SQLite the rows join the store's one group writer (`writes`: a second
    /// writer would only queue for the same lock); on Postgres they get a group
    /// writer of their own, without savepoints (they touch no row anyone else writes).
    pub fn new(writes: &GroupCommit, db: Db) -> Self {
        let writes = match StoreKind::of_pool(&db) {
            StoreKind::Sqlite => writes.clone(),
            StoreKind::Postgres => GroupCommit::grouped(db, Isolation::AllOrNothing),
        };
        OutcomeWriter { writes }
    }

    /// Writes `row` with whatever else is waiting; returns once it is committed.
    pub async fn record(&self, row: OutcomeRow) -> Result<(), String> {
        self.writes.run(move |c| Box::pin(async move { super::insert_outcome(c, &row).await })).await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote_core::vocab::{Outcome, OutcomeSubject};

    #[tokio::test]
    async fn concurrent_rows_are_all_committed_before_their_callers_return() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
        let writer = OutcomeWriter::new(&GroupCommit::grouped(db.clone(), Isolation::PerUnit), db.clone());
        let mut calls = Vec::new();
        for i in 0..500 {
            let writer = writer.clone();
            calls.push(tokio::spawn(async move {
                let row = OutcomeRow {
                    pool_id: "EUR-USDT".into(),
                    subject: OutcomeSubject::Indicative,
                    outcome: Outcome::Available,
                    quote_id: Some(format!("q{i}")),
                    ..OutcomeRow::default()
                };
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
    async fn a_failed_write_is_reported_to_its_caller() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(&format!("sqlite://{}", dir.path().join("w.db").display())).await.unwrap();
        sqlx::query("DROP TABLE quote_outcomes").execute(&db).await.unwrap();
        let writer = OutcomeWriter::new(&GroupCommit::grouped(db.clone(), Isolation::PerUnit), db);
        assert!(writer.record(OutcomeRow::default()).await.is_err());
    }
}
