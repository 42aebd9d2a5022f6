//! Ledger reconciliation against the sandbox's ledger over real HTTP: the pull is
//! incremental (a stored cursor), every row is mirrored once, and each trade ends
//! matched, or an exception naming what is wrong (a settle row of another amount,
//! or none at all), with an alert.

use quote_server::partner::ledger_sync;
use quote_server::store;
use quote_testkit::harness::*;
use serde_json::json;
use std::time::Duration;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

async fn settled_trade(srv: &TestServer, amount: &str) -> String {
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, amount, DEST).await["quote_id"].as_str().unwrap().to_owned();
    let trade_id =
        srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1["trade_id"].as_str().unwrap().to_owned();
    eventually(10, || async {
        let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
        (t["status"] == "settled").then_some(())
    })
    .await;
    trade_id
}

async fn reconciliation(srv: &TestServer, trade_id: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT reconciliation_state, reconciliation_reason FROM trades WHERE trade_id = $1")
        .bind(trade_id)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap()
}

/// A server whose background reconciler is slowed down, so a test drives every pass
/// itself. The directory and sandbox live as long as the test holds them.
async fn server_driven_by_hand() -> (tempfile::TempDir, TestSandbox, TestServer) {
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
    (dir, sandbox, srv)
}

#[tokio::test]
async fn a_trade_whose_stored_figures_cannot_be_read_is_an_exception_not_left_open() {
    let (_dir, _sandbox, srv) = server_driven_by_hand().await;
    let trade_id = settled_trade(&srv, "100.00").await;
    let stored: String = sqlx::query_scalar("SELECT target_amount FROM trades WHERE trade_id = $1")
        .bind(&trade_id)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
    let damage = |amount: String| {
        let (db, trade_id) = (srv.state.store.db.clone(), trade_id.clone());
        async move {
            sqlx::query("UPDATE trades SET target_amount = $1 WHERE trade_id = $2").bind(amount).bind(trade_id).execute(&db).await.unwrap()
        }
    };
    damage("ninety-nine".into()).await;

    let first = srv.workers.ledger_once().await.unwrap();
    assert_eq!((first.trades_judged, first.new_exceptions), (0, 1), "not judged against zero, yet not left open");
    assert_eq!(reconciliation(&srv, &trade_id).await, ("exception".into(), Some(ledger_sync::UNREADABLE.into())));
    let alerts = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM alerts WHERE kind = 'ledger_exception' AND subject = $1")
            .bind(&trade_id)
            .fetch_one(&srv.state.store.db)
            .await
            .unwrap()
    };
    assert_eq!(alerts().await, 1);
    assert_eq!(srv.workers.ledger_once().await.unwrap().new_exceptions, 0, "the same verdict is not news");
    assert_eq!(alerts().await, 1);

    // Repaired, it is judged by its rows like any other trade.
    damage(stored).await;
    let repaired = srv.workers.ledger_once().await.unwrap();
    assert_eq!((repaired.trades_judged, repaired.newly_matched), (1, 1));
    assert_eq!(reconciliation(&srv, &trade_id).await, ("matched".into(), None));
    srv.kill().await;
}

#[tokio::test]
async fn trades_are_matched_against_the_ledger_and_each_exception_is_named() {
    let (_dir, _sandbox, srv) = server_driven_by_hand().await;

    let good = settled_trade(&srv, "100.00").await;
    let off = settled_trade(&srv, "14.05").await;
    let missing = settled_trade(&srv, "14.06").await;

    srv.workers.ledger_once().await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(stored, 2 + 3 + 2, "two top-ups, three reserves, two settle rows (one is missing)");
    assert_eq!(reconciliation(&srv, &good).await, ("matched".into(), None));
    let (state, reason) = reconciliation(&srv, &off).await;
    assert_eq!(state, "exception");
    assert!(reason.unwrap().contains("settle row is"), "the reason names the mismatch");
    // A missing row is only an exception once it is overdue.
    eventually(5, || async {
        srv.workers.ledger_once().await.unwrap();
        (reconciliation(&srv, &missing).await == ("exception".to_owned(), Some("no settle row".to_owned()))).then_some(())
    })
    .await;

    // Incremental: the cursor is stored, and nothing is pulled twice.
    let cursor = store::sync_cursor(&srv.state.store.db, "ledger").await.unwrap().unwrap();
    assert_eq!(cursor, "led_test_000007");
    assert_eq!(srv.workers.ledger_once().await.unwrap().rows_pulled, 0);
    let more = settled_trade(&srv, "50.00").await;
    let next = srv.workers.ledger_once().await.unwrap();
    assert_eq!(next.rows_pulled, 2, "only the new reserve and settle rows");
    assert_eq!(reconciliation(&srv, &more).await.0, "matched");
    let alerts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'ledger_exception'").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(alerts, 2);

    // Finance reads the same, with each row's match, page by page and as CSV.
    let (status, first_page) = srv.get("/api/partner/ledger?limit=4", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{first_page}");
    assert_eq!(first_page["has_more"], true);
    let last = first_page["entries"][3]["ledger_id"].as_str().unwrap().to_owned();
    let (_, rest) = srv.get(&format!("/api/partner/ledger?after={last}&limit=500"), Some(PARTNER_KEY)).await;
    assert_eq!((rest["entries"].as_array().unwrap().len(), rest["has_more"].as_bool()), (5, Some(false)));
    let all: Vec<serde_json::Value> =
        first_page["entries"].as_array().unwrap().iter().chain(rest["entries"].as_array().unwrap()).cloned().collect();
    assert!(all[0]["match"].is_null(), "a top-up belongs to no trade");
    // Newest first (what the console shows), paged backwards.
    let (_, newest) = srv.get("/api/partner/ledger?order=newest&limit=5", Some(PARTNER_KEY)).await;
    let newest_ids: Vec<&str> = newest["entries"].as_array().unwrap().iter().map(|r| r["ledger_id"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = all.iter().rev().take(5).map(|r| r["ledger_id"].as_str().unwrap()).collect();
    assert_eq!(newest_ids, expected);
    assert_eq!(newest["has_more"], true);
    let (_, older) = srv.get(&format!("/api/partner/ledger?order=newest&before={}&limit=500", newest_ids[4]), Some(PARTNER_KEY)).await;
    expected = all.iter().rev().skip(5).map(|r| r["ledger_id"].as_str().unwrap()).collect();
    let older_ids: Vec<&str> = older["entries"].as_array().unwrap().iter().map(|r| r["ledger_id"].as_str().unwrap()).collect();
    assert_eq!((older_ids, older["has_more"].as_bool()), (expected, Some(false)));
    let (status, refused) = srv.get("/api/partner/ledger?order=sideways", Some(PARTNER_KEY)).await;
    assert_eq!((status, refused["error"]["field"].as_str()), (400, Some("order")));
    // Both cursors bound the rows between them, in either order; an empty cursor is
    // the start; a cursor that names no row is refused (it would answer an empty page
    // that reads as the end of the ledger).
    let ids: Vec<&str> = all.iter().map(|r| r["ledger_id"].as_str().unwrap()).collect();
    for order in ["oldest", "newest"] {
        let query = format!("/api/partner/ledger?order={order}&after={}&before={}", ids[1], ids[5]);
        let (status, between) = srv.get(&query, Some(PARTNER_KEY)).await;
        let mut expected = ids[2..5].to_vec();
        if order == "newest" {
            expected.reverse();
        }
        let got: Vec<&str> = between["entries"].as_array().unwrap().iter().map(|r| r["ledger_id"].as_str().unwrap()).collect();
        assert_eq!((status, got), (200, expected), "{query}");
    }
    let (_, from_start) = srv.get("/api/partner/ledger?after=&limit=2", Some(PARTNER_KEY)).await;
    assert_eq!(from_start["entries"][0]["ledger_id"], ids[0], "an empty cursor is the first page");
    for (query, field) in [("after=zzz", "after"), ("order=newest&before=zzz", "before"), ("before=led_nope&after=", "before")] {
        let (status, refused) = srv.get(&format!("/api/partner/ledger?{query}"), Some(PARTNER_KEY)).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str(), refused["error"]["field"].as_str()),
            (422, Some("field_conflict"), Some(field)),
            "{query}: {refused}"
        );
    }
    // Each parameter once: a repeated one is a 400 in the API's shape, naming it.
    let (status, refused) = srv.get("/api/partner/ledger?order=newest&order=oldest", Some(PARTNER_KEY)).await;
    assert_eq!((status, refused["error"]["field"].as_str()), (400, Some("order")), "{refused}");
    let off_rows: Vec<_> = all.iter().filter(|r| r["transact_id"] == off.as_str()).collect();
    assert!(off_rows.iter().all(|r| r["match"]["reconciliation_state"] == "exception"));
    let csv = srv.http.get(format!("{}/api/partner/exports/ledger.csv", srv.url)).bearer_auth(PARTNER_KEY).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 9);
    assert!(text.starts_with("ledger_id,type,asset,amount,"));
    let trades_csv = srv
        .http
        .get(format!("{}/api/partner/exports/trades.csv", srv.url))
        .bearer_auth(PARTNER_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(trades_csv.lines().count(), 1 + 4);
    let off_line = trades_csv.lines().find(|l| l.starts_with(&off)).unwrap();
    assert!(off_line.contains(",settled,") && off_line.contains(",exception,"), "{off_line}");
    assert_eq!(srv.http.get(format!("{}/api/partner/exports/trades.csv", srv.url)).send().await.unwrap().status(), 401);

    // A row that arrives late for a matched trade (a correction, a duplicate) reopens
    // it, and the next pass judges it again: two settle rows are an exception.
    let matched_rows = quote_testkit::rows::ledger_rows_for(&srv.state.store.db, &good).await.unwrap();
    let settle = matched_rows.iter().find(|r| r.entry_type == "settle").unwrap();
    let late: quote_server::zeropools::balances::LedgerEntry = serde_json::from_value(json!({
        "ledger_id": "led_late_correction", "type": "settle", "asset": settle.asset, "amount": settle.amount,
        "available_after": "0", "reserved_after": "0", "transact_id": good, "created_at": "2026-11-21T12:00:00Z"
    }))
    .unwrap();
    store::insert_ledger_rows(&mut srv.state.store.db.acquire().await.unwrap(), &[late], None).await.unwrap();
    assert_eq!(reconciliation(&srv, &good).await, ("open".into(), None));
    assert_eq!(reconciliation(&srv, &more).await.0, "matched", "only the trade the row names reopens");
    srv.workers.ledger_once().await.unwrap();
    assert_eq!(reconciliation(&srv, &good).await.0, "exception");

    // A verdict is stored only while the trade is in the state it was judged from (a
    // pass of a former leader, judging from older rows, must not overwrite a newer one).
    use quote_core::partner::ReconciliationState;
    let verdict = |judged_from| store::Verdict { trade_id: good.clone(), state: ReconciliationState::Matched, reason: None, judged_from };
    let written =
        store::set_reconciliations(&mut srv.state.store.db.acquire().await.unwrap(), &[verdict(ReconciliationState::Open)]).await.unwrap();
    assert!(written.is_empty());
    assert_eq!(reconciliation(&srv, &good).await.0, "exception");
    let written = store::set_reconciliations(&mut srv.state.store.db.acquire().await.unwrap(), &[verdict(ReconciliationState::Exception)])
        .await
        .unwrap();
    assert_eq!(written, std::slice::from_ref(&good));
    assert_eq!(reconciliation(&srv, &good).await, ("matched".into(), None));
    srv.kill().await;
}
