//! The database refuses any word outside a closed vocabulary (migrations 0008, 0009), on the
//! store the suite runs against: each guard allows exactly its enum's words (read back
//! from the schema, so the migration and `quote_core::vocab` cannot drift apart), a
//! stored row takes every one of them, and any other word is refused by name.

use quote_core::vocab::{LedgerEntryType, ReconciliationState, Severity, Side, TradeStatus};
use quote_server::store::{self, StoreKind};
use quote_testkit::harness::*;
use secrecy::SecretString;
use serde_json::json;
use std::collections::BTreeMap;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

/// A guarded column, the key of its rows, and the words its enum has.
struct Guard {
    table: &'static str,
    column: &'static str,
    key: &'static str,
    words: Vec<&'static str>,
}

impl Guard {
    fn name(&self) -> String {
        format!("{}_{}_word", self.table, self.column)
    }
}

fn guards() -> Vec<Guard> {
    let sides: Vec<_> = Side::ALL.iter().map(|w| w.as_str()).collect();
    let statuses: Vec<_> = TradeStatus::ALL.iter().map(|w| w.as_str()).collect();
    let guard = |table, column, key, words: &Vec<&'static str>| Guard { table, column, key, words: words.clone() };
    vec![
        guard("checkouts", "side", "checkout_id", &sides),
        guard("quotes", "side", "quote_id", &sides),
        guard("trades", "side", "trade_id", &sides),
        guard("trades", "reconciliation_state", "trade_id", &ReconciliationState::ALL.iter().map(|w| w.as_str()).collect()),
        guard("trade_status_history", "status", "id", &statuses),
        guard("webhook_events", "status", "event_id", &statuses),
        guard("partner_events", "status", "event_id", &statuses),
        guard("quote_outcomes", "side", "id", &sides),
        guard("ledger_entries", "entry_type", "ledger_id", &LedgerEntryType::ALL.iter().map(|w| w.as_str()).collect()),
        guard("incidents", "severity", "id", &vec![Severity::Warning.as_str(), Severity::Critical.as_str()]),
    ]
}

/// The words between single quotes in a guard's definition, sorted.
fn quoted_words(definition: &str) -> Vec<String> {
    let mut words: Vec<String> = definition.split('\'').skip(1).step_by(2).map(str::to_owned).collect();
    words.sort();
    words.dedup();
    words
}

/// Each guard's allowed words as the schema holds them, by guard name (SQLite: one
/// trigger per write kind, which must agree; Postgres: the CHECK constraint).
async fn allowed_words(db: &quote_server::store::Db) -> BTreeMap<String, Vec<String>> {
    let mut allowed = BTreeMap::new();
    match StoreKind::of_pool(db) {
        StoreKind::Sqlite => {
            let triggers: Vec<(String, String)> =
                sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_word\\_%' ESCAPE '\\'")
                    .fetch_all(db)
                    .await
                    .unwrap();
            for (name, sql) in triggers {
                let guard = name.trim_end_matches("_insert").trim_end_matches("_update").to_owned();
                // Only the WHEN clause's list: the RAISE message has quotes too.
                let when = &sql[sql.find("NOT IN").unwrap()..sql.find("BEGIN").unwrap()];
                let words = quoted_words(when);
                let previous = allowed.insert(guard.clone(), words.clone());
                assert!(previous.is_none_or(|p| p == words), "{guard}: its insert and update triggers differ");
            }
        }
        StoreKind::Postgres => {
            let constraints: Vec<(String, String)> = sqlx::query_as(
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conname LIKE '%\\_word'",
            )
            .fetch_all(db)
            .await
            .unwrap();
            for (name, definition) in constraints {
                allowed.insert(name, quoted_words(&definition));
            }
        }
    }
    allowed
}

#[tokio::test]
async fn closed_vocabularies_are_refused_by_the_database_outside_their_words() {
    let s = stack(
        |_| {},
        |settings| settings.partner_webhook = Some(("http://127.0.0.1:9/never".into(), SecretString::from(PARTNER_WEBHOOK_SECRET))),
    )
    .await;
    let srv = &s.server;

    // Every guard allows exactly its enum's words, and there is no other guard.
    let allowed = allowed_words(&srv.state.store.db).await;
    let expected: BTreeMap<String, Vec<String>> = guards()
        .iter()
        .map(|g| {
            let mut words: Vec<String> = g.words.iter().map(|w| (*w).to_owned()).collect();
            words.sort();
            (g.name(), words)
        })
        .collect();
    assert_eq!(allowed, expected);

    // A row in every guarded table: a checkout bound to a side, its quote, a settled
    // trade (history, webhooks, partner events), outcomes and the mirrored ledger.
    let (_, token) = srv.checkout(json!({"pool_id": "EUR-USDT", "side": "buy"})).await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    let trade_id = trade["trade_id"].as_str().unwrap().to_owned();
    eventually(10, || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM partner_events WHERE trade_id = $1 AND status = 'settled'")
            .bind(&trade_id)
            .fetch_one(&srv.state.store.db)
            .await
            .unwrap();
        (n > 0).then_some(())
    })
    .await;
    srv.workers.ledger_once().await.unwrap();
    let db = &srv.state.store.db;
    // One partner event per trade and status: keep one row, so that it can take every status.
    sqlx::query("DELETE FROM partner_events WHERE status != 'settled'").execute(db).await.unwrap();
    // An incident, as an alert opens one.
    let mut conn = db.acquire().await.unwrap();
    store::see_incident(&mut conn, "balance_low", "USDT", Severity::Warning, "low", true, &store::now()).await.unwrap();
    drop(conn);
    for guard in guards() {
        let (table, column, key) = (guard.table, guard.column, guard.key);
        let row: String = sqlx::query_scalar(&format!("SELECT CAST({key} AS TEXT) FROM {table} WHERE {column} IS NOT NULL LIMIT 1"))
            .fetch_optional(db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no row in {table} to try {column} on"));
        let set = |word: &'static str| {
            let row = row.clone();
            async move {
                sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE CAST({key} AS TEXT) = $2"))
                    .bind(word)
                    .bind(row)
                    .execute(db)
                    .await
            }
        };
        for word in &guard.words {
            let done = set(word).await.unwrap_or_else(|e| panic!("{table}.{column} refused its own word {word:?}: {e}"));
            assert_eq!(done.rows_affected(), 1);
        }
        // A near miss and a stranger are refused, and the error names the guard.
        for stranger in ["BUY", "Settled", "unknown", ""] {
            let refused = set(stranger).await.expect_err(&format!("{table}.{column} took {stranger:?}"));
            assert!(refused.to_string().contains(&guard.name()), "{table}.{column} refused {stranger:?} but not by its guard: {refused}");
        }
    }
}

#[tokio::test]
async fn a_request_in_an_unknown_side_is_refused_and_still_counted_with_no_side() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (checkout_id, token) = srv.checkout(json!({})).await;
    for side in ["sideways", "BUY"] {
        let body = json!({"pool_id": "EUR-USDT", "side": side, "amount": "100.00", "currency": "EUR", "quote_type": "indicative"});
        let (status, refused) = srv.post("/api/quotes", Some(&token), body).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("unsupported_side")), "{refused}");
    }
    // Both refusals are rows of the partner's utilization: the guard on the side column
    // must not turn a refusal into a lost outcome.
    let rows: Vec<(Option<String>, String)> = sqlx::query_as("SELECT side, outcome FROM quote_outcomes WHERE checkout_id = $1 ORDER BY id")
        .bind(&checkout_id)
        .fetch_all(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(rows, [(None, "refused".to_owned()), (None, "refused".to_owned())]);
}
