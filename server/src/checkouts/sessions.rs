//! Widget sessions by token hash, kept in memory. Every widget request begins by
//! finding its session, and a session row never changes once written — it only
//! expires, and is deleted some time after — so a copy is as good as the row until
//! its expiry, on any replica. Unknown tokens are never remembered: a token minted
//! on another replica a moment ago must still be found in the database.

use crate::store::{self, CheckoutRow, SessionRow};
use std::collections::HashMap;
use std::sync::Mutex;

/// A session found by its token, and its checkout when it was read with it.
pub(crate) struct Found {
    pub(crate) session: SessionRow,
    pub(crate) checkout: Option<CheckoutRow>,
}

pub(crate) struct SessionCache {
    rows: Mutex<HashMap<String, SessionRow>>,
    capacity: usize,
}

impl SessionCache {
    pub(crate) fn new(capacity: usize) -> Self {
        SessionCache { rows: Mutex::new(HashMap::new()), capacity }
    }

    /// The session of `token_hash`, from memory or the database (then remembered);
    /// read from the database, it comes with its checkout as read with it (a checkout
    /// changes, so only the session is remembered).
    pub(crate) async fn find(&self, db: &store::Db, token_hash: &str) -> sqlx::Result<Option<Found>> {
        if let Some(row) = self.rows.lock().unwrap_or_else(|e| e.into_inner()).get(token_hash) {
            return Ok(Some(Found { session: row.clone(), checkout: None }));
        }
        let Some((session, checkout)) = store::session_with_checkout(db, token_hash).await? else { return Ok(None) };
        self.remember(token_hash, session.clone());
        Ok(Some(Found { session, checkout: Some(checkout) }))
    }

    /// A session just stored by this replica: its token's first request needs no lookup.
    pub(crate) fn stored(&self, token_hash: &str, row: SessionRow) {
        self.remember(token_hash, row);
    }

    fn remember(&self, token_hash: &str, row: SessionRow) {
        let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        if rows.len() >= self.capacity {
            // Full: forget the expired, and if that is not enough, everything (the
            // database still has every row; only lookups get slower for a moment).
            let now = store::now();
            rows.retain(|_, r| r.expires_at > now);
            if rows.len() >= self.capacity {
                rows.clear();
            }
        }
        rows.insert(token_hash.to_owned(), row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db_with_sessions(n: usize) -> (tempfile::TempDir, store::Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::open(&format!("sqlite://{}", dir.path().join("s.db").display())).await.unwrap();
        sqlx::query("INSERT INTO checkouts (checkout_id, anonymous, created_at, expires_at) VALUES ('chk_1', 0, '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')")
            .execute(&db)
            .await
            .unwrap();
        for i in 0..n {
            store::insert_session(
                &mut db.acquire().await.unwrap(),
                &format!("ses_{i}"),
                "chk_1",
                &format!("hash_{i}"),
                None,
                "2999-01-01T00:00:00.000Z",
            )
            .await
            .unwrap();
        }
        (dir, db)
    }

    #[tokio::test]
    async fn a_known_session_is_answered_from_memory_and_an_unknown_one_is_looked_up_every_time() {
        let (_dir, db) = db_with_sessions(1).await;
        let cache = SessionCache::new(10);
        // Read from the database: the session with its checkout.
        let first = cache.find(&db, "hash_0").await.unwrap().unwrap();
        assert_eq!((first.session.session_id.as_str(), first.checkout.map(|c| c.checkout_id)), ("ses_0", Some("chk_1".to_owned())));
        assert!(cache.find(&db, "hash_late").await.unwrap().is_none());
        // The row is gone from the database (retention), yet still answered from memory;
        // a token stored after its first miss is found.
        sqlx::query("DELETE FROM sessions WHERE session_id = 'ses_0'").execute(&db).await.unwrap();
        store::insert_session(&mut db.acquire().await.unwrap(), "ses_late", "chk_1", "hash_late", None, "2999-01-01T00:00:00.000Z")
            .await
            .unwrap();
        let remembered = cache.find(&db, "hash_0").await.unwrap().unwrap();
        assert_eq!(remembered.session.session_id, "ses_0");
        assert!(remembered.checkout.is_none(), "from memory: the checkout is the caller's to read");
        assert_eq!(cache.find(&db, "hash_late").await.unwrap().unwrap().session.session_id, "ses_late");
    }

    #[tokio::test]
    async fn a_session_this_replica_stored_needs_no_lookup() {
        let (_dir, db) = db_with_sessions(0).await;
        let cache = SessionCache::new(10);
        let row = SessionRow {
            session_id: "ses_new".into(),
            checkout_id: "chk_1".into(),
            partner_user_id: None,
            expires_at: "2999-01-01T00:00:00.000Z".into(),
        };
        cache.stored("hash_new", row);
        // Not in the database: found only because it was remembered when stored.
        assert_eq!(cache.find(&db, "hash_new").await.unwrap().unwrap().session.session_id, "ses_new");
    }

    #[tokio::test]
    async fn it_never_holds_more_than_its_capacity() {
        let (_dir, db) = db_with_sessions(25).await;
        let cache = SessionCache::new(10);
        for i in 0..25 {
            assert!(cache.find(&db, &format!("hash_{i}")).await.unwrap().is_some());
            assert!(cache.rows.lock().unwrap().len() <= 10);
        }
    }
}
