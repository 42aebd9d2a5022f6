//! Ledger reconciliation against the sandbox's ledger over real HTTP: the pull is
//! incremental (a stored cursor), every row is mirrored once, and each trade ends
//! matched, or an exception naming what is wrong (a settle row of another amount,
//! or none at all), with an alert.

mod common;

use common::*;
use quote_server::{ledger_sync, store};
use serde_json::json;
use std::time::Duration;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

async fn settled_trade(srv: &TestServer, amount: &str) -> String {
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, amount, DEST).await["quote_id"].as_str().unwrap().to_owned();
    let trade_id = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1["trade_id"].as_str().unwrap().to_owned();
    eventually(10, || async {
        let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
        (t["status"] == "settled").then_some(())
    })
    .await;
    trade_id
}

async fn reconciliation(srv: &TestServer, trade_id: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT reconciliation_state, reconciliation_reason FROM trades WHERE trade_id = ?").bind(trade_id).fetch_one(&srv.state.db).await.unwrap()
}

#[tokio::test]
async fn trades_are_matched_against_the_ledger_and_each_exception_is_named() {
    // The background reconciler is slowed down, so this test drives every pass itself.
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = bind().await;
    let mut config = sandbox_config();
    config.webhook_url = Some(format!("{url}/webhooks/0pools"));
    let sandbox = start_sandbox(config).await;
    let srv = start_server(ServerOptions {
        db_path: dir.path().join("server.db"),
        sandbox_url: sandbox.url.clone(),
        listener,
        reconcile_every: Duration::from_secs(3600),
        settings: Box::new(|s| s.ledger_grace = Duration::from_millis(500)),
    })
    .await;

    let good = settled_trade(&srv, "100.00").await;
    let off = settled_trade(&srv, "14.05").await;
    let missing = settled_trade(&srv, "14.06").await;

    ledger_sync::sync_once(&srv.state).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries").fetch_one(&srv.state.db).await.unwrap();
    assert_eq!(stored, 2 + 3 + 2, "two top-ups, three reserves, two settle rows (one is missing)");
    assert_eq!(reconciliation(&srv, &good).await, ("matched".into(), None));
    let (state, reason) = reconciliation(&srv, &off).await;
    assert_eq!(state, "exception");
    assert!(reason.unwrap().contains("settle row is"), "the reason names the mismatch");
    // A missing row is only an exception once it is overdue.
    eventually(5, || async {
        ledger_sync::sync_once(&srv.state).await.unwrap();
        (reconciliation(&srv, &missing).await == ("exception".to_owned(), Some("no settle row".to_owned()))).then_some(())
    })
    .await;

    // Incremental: the cursor is stored, and nothing is pulled twice.
    let cursor = store::sync_cursor(&srv.state.db, "ledger").await.unwrap().unwrap();
    assert_eq!(cursor, "led_test_000007");
    assert_eq!(ledger_sync::sync_once(&srv.state).await.unwrap().rows_pulled, 0);
    let more = settled_trade(&srv, "50.00").await;
    let next = ledger_sync::sync_once(&srv.state).await.unwrap();
    assert_eq!(next.rows_pulled, 2, "only the new reserve and settle rows");
    assert_eq!(reconciliation(&srv, &more).await.0, "matched");
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'ledger_exception'").fetch_one(&srv.state.db).await.unwrap();
    assert_eq!(alerts, 2);
    srv.kill().await;
}
