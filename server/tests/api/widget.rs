//! Integration tests of the companion server: spawned on port 0 with a temporary
//! SQLite file and the real sandbox, driven with a real HTTP client.

use quote_server::store;
use quote_testkit::harness::*;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;
use zeropools_sandbox::Faults;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";
/// An accept lease that ended a minute ago (its replica is gone).
const ENDED_LEASE: i64 = -60_000;

fn default_stack() -> impl std::future::Future<Output = Stack> {
    stack(|_| {}, |_| {})
}

/// Reads an SSE stream to its end, returning each `status` event's data.
async fn read_events(mut resp: reqwest::Response) -> Vec<Value> {
    let mut buffer = String::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(15), resp.chunk()).await.expect("events keep coming").unwrap() {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
    buffer
        .split("\n\n")
        .filter(|block| block.lines().any(|l| l == "event: status"))
        .map(|block| {
            let data: String = block.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
            serde_json::from_str(&data).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn the_whole_flow_from_session_to_settled() {
    let s = default_stack().await;
    let srv = &s.server;
    // The partner's backend mints the session with its order reference.
    let (status, session) = srv.post("/api/sessions", Some(PARTNER_KEY), json!({"partner_reference": "order_42"})).await;
    assert_eq!(status, 201, "{session}");
    let token = session["session_token"].as_str().unwrap().to_owned();

    let (status, pools) = srv.get("/api/pools", None).await;
    assert_eq!(status, 200);
    assert_eq!(pools["pools"][0]["pool_id"], "EUR-USDT");
    assert_eq!(pools["pools"][0]["min_order_usdt"], "10.00");
    assert!(pools["server_time"].is_string());

    // Indicative: terms, no id, nothing stored.
    let (status, preview) = srv
        .post(
            "/api/quotes",
            Some(&token),
            json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100", "currency": "EUR", "quote_type": "indicative"}),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["available"], true);
    assert_eq!(preview["quote_type"], "indicative");
    assert!(preview.get("quote_id").is_none());
    assert_eq!(preview["terms"]["executable"], false);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quotes").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(stored, 0);

    // Firm: stored with every term exactly as 0Pools returned it.
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();
    let terms = &quote["terms"];
    assert!(quote["server_time"].is_string());
    assert_eq!(terms["executable"], true);
    let row = store::quote(&srv.state.store.db, &quote_id).await.unwrap().unwrap();
    assert_eq!(row.status, store::QuoteStatus::Active);
    assert_eq!(row.rate.as_deref(), terms["rate"].as_str());
    assert_eq!(row.target_amount.as_deref(), terms["target_amount"].as_str());
    assert_eq!(row.spread_bps.as_deref(), Some("35"));
    assert_eq!(row.fee_bps.as_deref(), Some("20"));
    assert_eq!(row.expires_at.as_deref(), terms["expires_at"].as_str());
    assert_eq!(row.partner_reference.as_deref(), Some("order_42"));
    assert!(row.request_id.as_deref().unwrap().starts_with("req_"), "0Pools' request id is kept for support");

    // Accept, then follow the trade live until it is terminal.
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    assert_eq!(trade["status"], "reserved");
    assert_eq!(trade["target_amount"], terms["target_amount"]);
    assert_eq!(trade["partner_reference"], "order_42", "the host's order id is stored with the trade");
    let trade_id = trade["trade_id"].as_str().unwrap().to_owned();
    let events = srv.http.get(format!("{}/api/trades/{trade_id}/events", srv.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let statuses: Vec<_> = read_events(events).await.iter().map(|e| e["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(statuses.last().map(String::as_str), Some("settled"));
    assert!(statuses.len() <= 2 && statuses.iter().all(|s| s == "reserved" || s == "settled"), "{statuses:?}");

    let (status, final_trade) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(final_trade["status"], "settled");
    let history = quote_testkit::rows::trade_history(&srv.state.store.db, &trade_id).await.unwrap();
    assert_eq!(history[0].status, "reserved");
    assert_eq!(history[0].source, "transact");
    assert_eq!(history.last().unwrap().status, "settled");
    assert_eq!(store::quote(&srv.state.store.db, &quote_id).await.unwrap().unwrap().status, store::QuoteStatus::Accepted);
}

#[tokio::test]
async fn a_0pools_slower_than_the_accept_lease_still_gets_one_transact() {
    // The lease is a second; 0Pools takes two and a half to answer. The reconciler
    // looks for accepts whose lease ended every 250 ms, and a second accept follows
    // the first: neither may take the accept over while its holder is alive.
    let s = stack(|_| {}, |settings| settings.accept_lease = Duration::from_secs(1)).await;
    let srv = &s.server;
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    s.sandbox.set_faults(Faults { latency_ms: 2_500, ..Faults::default() });
    let accept = || {
        let (http, url, token, quote_id) = (srv.http.clone(), srv.url.clone(), token.clone(), quote_id.clone());
        async move { http.post(format!("{url}/api/quotes/{quote_id}/accept")).bearer_auth(token).send().await.unwrap() }
    };
    let (first, second) = tokio::join!(accept(), async {
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        accept().await
    });
    assert_eq!(first.status(), 200);
    let trade_id = first.json::<Value>().await.unwrap()["trade_id"].as_str().unwrap().to_owned();
    let second = second.json::<Value>().await.unwrap();
    assert!(second["trade_id"] == trade_id.as_str() || second["error"]["code"] == "accept_pending", "{second}");
    srv.workers.reconcile_once().await.unwrap();
    assert_eq!(s.sandbox.sandbox.transacts_arrived(), 1, "one transact reached 0Pools, however slow it was");
}

#[tokio::test]
async fn a_hundred_concurrent_accepts_make_one_upstream_transact() {
    // A hundred at once from one checkout is far past its accept limit; lift it here.
    let s = stack(|_| {}, |settings| settings.limits.accept_burst = 200).await;
    let token = s.server.session().await;
    let quote_id = s.server.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let accepts = (0..100).map(|_| {
        let (http, url, token, quote_id) = (s.server.http.clone(), s.server.url.clone(), token.clone(), quote_id.clone());
        tokio::spawn(async move {
            let r = http.post(format!("{url}/api/quotes/{quote_id}/accept")).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["trade_id"].as_str().unwrap().to_owned()
        })
    });
    let ids: std::collections::BTreeSet<_> = futures::future::join_all(accepts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(ids.len(), 1, "every accept answered the same trade");
    assert_eq!(s.sandbox.sandbox.transact_requests(), 1, "0Pools transact was called exactly once");
    assert_eq!(s.sandbox.sandbox.trade_count(), 1);
    let trades: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trades").fetch_one(&s.server.state.store.db).await.unwrap();
    assert_eq!(trades, 1);
    let key: String = sqlx::query_scalar("SELECT idempotency_key FROM trades").fetch_one(&s.server.state.store.db).await.unwrap();
    assert_eq!(key, format!("qw-accept-{quote_id}"));
    // Utilization's record: one `accepted` row for the trade, not one per answer; the
    // firm quote's row was stored with the quote.
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT quote_type, outcome FROM quote_outcomes ORDER BY quote_type")
        .fetch_all(&s.server.state.store.db)
        .await
        .unwrap();
    assert_eq!(rows, vec![("accept".to_owned(), "accepted".to_owned()), ("firm".to_owned(), "available".to_owned())]);
}

#[tokio::test]
async fn accept_after_expiry_is_refused_before_any_upstream_call() {
    let s = stack(|c| c.quote_window = Duration::from_millis(300), |_| {}).await;
    let token = s.server.session().await;
    let quote = s.server.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap();
    let expires_at = chrono::DateTime::parse_from_rfc3339(quote["terms"]["expires_at"].as_str().unwrap()).unwrap();
    eventually(5, || async { (chrono::Utc::now() >= expires_at).then_some(()) }).await;
    let (status, body) = s.server.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (410, Some("quote_expired")));
    assert_eq!(s.sandbox.sandbox.transact_requests(), 0);
    assert_eq!(store::quote(&s.server.state.store.db, quote_id).await.unwrap().unwrap().status, store::QuoteStatus::Expired);
    // Asking again gives the same answer, still without calling 0Pools.
    let (status, _) = s.server.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 410);
    assert_eq!(s.sandbox.sandbox.transact_requests(), 0);
}

#[tokio::test]
async fn another_sessions_ids_are_not_found() {
    let s = default_stack().await;
    let (alice, mallory) = (s.server.session().await, s.server.session().await);
    let quote_id = s.server.firm_quote(&alice, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    for path in [format!("/api/quotes/{quote_id}/accept"), format!("/api/quotes/{quote_id}/reject")] {
        let (status, body) = s.server.post(&path, Some(&mallory), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("quote_not_found")), "{path}");
    }
    assert_eq!(s.sandbox.sandbox.transact_requests(), 0);
    let (_, trade) = s.server.post(&format!("/api/quotes/{quote_id}/accept"), Some(&alice), json!({})).await;
    let trade_id = trade["trade_id"].as_str().unwrap();
    for path in [format!("/api/trades/{trade_id}"), format!("/api/trades/{trade_id}/events")] {
        let (status, body) = s.server.get(&path, Some(&mallory)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("trade_not_found")), "{path}");
    }
}

#[tokio::test]
async fn reject_unavailable_and_single_use() {
    let s = default_stack().await;
    let token = s.server.session().await;

    let rejected = s.server.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, body) = s.server.post(&format!("/api/quotes/{rejected}/reject"), Some(&token), json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("rejected")));
    let (status, body) = s.server.post(&format!("/api/quotes/{rejected}/accept"), Some(&token), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("quote_rejected")));

    // Unavailable is an answer, not an error, and it is stored (with no executable id).
    let body = s.server.firm_quote(&token, "13.01", DEST).await;
    assert_eq!(body["available"], false);
    assert_eq!(body["unavailable_reason"], "pool_dry");
    assert!(body["retry_after_ms"].as_u64().unwrap() >= 1000);
    assert!(body.get("quote_id").is_none());
    let (reason, status): (String, String) = sqlx::query_as("SELECT unavailable_reason, status FROM quotes WHERE status = 'unavailable'")
        .fetch_one(&s.server.state.store.db)
        .await
        .unwrap();
    assert_eq!((reason.as_str(), status.as_str()), ("pool_dry", "unavailable"));

    let accepted = s.server.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    s.server.post(&format!("/api/quotes/{accepted}/accept"), Some(&token), json!({})).await;
    let (status, body) = s.server.post(&format!("/api/quotes/{accepted}/reject"), Some(&token), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("quote_already_accepted")));
}

#[tokio::test]
async fn failed_and_released_trades_end_there() {
    let s = default_stack().await;
    for (destination, want) in [("T-dest-fail", "failed"), ("T-dest-release", "released")] {
        // One conversion per checkout: each outcome gets its own.
        let token = s.server.session().await;
        let quote_id = s.server.firm_quote(&token, "100.00", destination).await["quote_id"].as_str().unwrap().to_owned();
        let (_, trade) = s.server.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
        let trade_id = trade["trade_id"].as_str().unwrap().to_owned();
        let got = eventually(10, || async {
            let (_, t) = s.server.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
            (t["status"] != "reserved").then(|| t["status"].as_str().unwrap().to_owned())
        })
        .await;
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn a_restart_finds_and_finishes_unfinished_work() {
    // The sandbox outlives the server; its webhooks go nowhere, so only
    // reconciliation can bring the news.
    let dir = tempfile::tempdir().unwrap();
    let mut config = sandbox_config();
    config.settle_delay = Duration::from_millis(300);
    let sandbox = start_sandbox(config).await;
    let options = |listener| ServerOptions {
        db_path: dir.path().join("server.db"),
        sandbox_url: sandbox.url.clone(),
        listener,
        reconcile_every: Duration::from_secs(3600),
        // The first process dies holding the reconciler's lease: the second leads once it ends.
        settings: Box::new(|s| s.leader_lease = Duration::from_secs(1)),
    };

    let first = start_server(options(bind().await.0)).await;
    let token = first.session().await;
    let reserved_quote = first.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (_, trade) = first.post(&format!("/api/quotes/{reserved_quote}/accept"), Some(&token), json!({})).await;
    let trade_id = trade["trade_id"].as_str().unwrap().to_owned();
    assert_eq!(trade["status"], "reserved");
    // A second accept (in another checkout) was cut short right after its intent was written.
    let other = first.session().await;
    let cut_short = first.firm_quote(&other, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let other_checkout = store::quote(&first.state.store.db, &cut_short).await.unwrap().unwrap().checkout_id;
    begin_accept_as(&first, &other_checkout, &cut_short, ("first-process", ENDED_LEASE)).await.expect("an active quote begins");
    first.kill().await;

    // Meanwhile, upstream, the trade settles.
    eventually(10, || async {
        let t = sandbox.client.get_trade(&trade_id).await.unwrap().value;
        (t.status == quote_server::zeropools::types::TradeStatus::Settled).then_some(())
    })
    .await;

    let second = start_server(options(bind().await.0)).await;
    let settled = eventually(10, || async {
        let (_, t) = second.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
        (t["status"] == "settled").then_some(t)
    })
    .await;
    assert_eq!(settled["trade_id"], trade_id.as_str());
    let history = quote_testkit::rows::trade_history(&second.state.store.db, &trade_id).await.unwrap();
    assert_eq!(history.last().unwrap().source, "reconcile");
    // The cut-short accept was executed exactly once, with its stored key.
    let resumed = eventually(10, || async { store::trade_for_quote(&second.state.store.db, &cut_short).await.unwrap() }).await;
    assert_eq!(resumed.idempotency_key, format!("qw-accept-{cut_short}"));
    // …and counted as accepted, with its notional, though no accept request got the answer.
    let accepted: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT quote_id, notional_usdt FROM quote_outcomes WHERE quote_type = 'accept' AND outcome = 'accepted' AND checkout_id = $1",
    )
    .bind(&other_checkout)
    .fetch_all(&second.state.store.db)
    .await
    .unwrap();
    assert_eq!(accepted, vec![(Some(cut_short.clone()), Some(resumed.target_amount.clone()))]);
    assert_eq!(sandbox.sandbox.transact_requests(), 2);
    assert_eq!(sandbox.sandbox.trade_count(), 2);
    second.kill().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_stable_code() {
    // Many refusals from one session: more than the default burst allows.
    let s = stack(|_| {}, |settings| settings.limits.quote_burst = 100).await;
    let srv = &s.server;
    let token = srv.session().await;
    let base = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR",
                      "quote_type": "firm", "network": "tron", "destination_address": DEST});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (with("amount", json!(100)), 400, "invalid_field"),
        (with("amount", json!("-5")), 400, "amount_not_positive"),
        (with("amount", json!("0")), 400, "amount_not_positive"),
        (with("amount", json!("")), 400, "amount_required"),
        (with("amount", json!("1e9")), 400, "amount_invalid"),
        (with("amount", json!("99999999999999999999")), 400, "amount_too_large"),
        (with("amount", json!("1.0000001")), 400, "amount_too_precise"),
        (with("amount", json!("100.001")), 422, "field_conflict"),
        (with("amount", json!("1.00")), 422, "amount_out_of_limits"),
        (with("amount", json!("999999.00")), 422, "amount_out_of_limits"),
        (with("pool_id", json!("DOGE-USDT")), 422, "unknown_pool"),
        (with("pool_id", json!("GBP-USDT")), 422, "unknown_pool"),
        (with("side", json!("sideways")), 422, "unsupported_side"),
        (with("network", json!("solana")), 422, "unsupported_network"),
        (with("currency", json!("JPY")), 422, "unsupported_currency"),
        (with("destination_address", json!("")), 400, "invalid_field"),
        (with("destination_address", json!(null)), 422, "destination_required"),
        (with("destination_address", json!("x".repeat(201))), 400, "invalid_field"),
        (with("quote_type", json!("binding")), 400, "invalid_field"),
        (json!([1, 2]), 400, "invalid_json"),
    ];
    for (body, status, code) in cases {
        let (got_status, got) = srv.post("/api/quotes", Some(&token), body.clone()).await;
        assert_eq!((got_status, got["error"]["code"].as_str()), (status, Some(code)), "{body}");
        assert!(!got["error"]["message"].as_str().unwrap().is_empty());
    }
    // 0Pools refused the amount's third decimal: the message says what to change.
    let (status, refused) = srv.post("/api/quotes", Some(&token), with("amount", json!("100.001"))).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("field_conflict")), "{refused}");
    assert_eq!(refused["error"]["field"], "amount");
    assert!(refused["error"]["message"].as_str().unwrap().contains("decimal places"), "{refused}");
    // Limits come with the pool's min and max for the widget to show.
    let (_, limits) = srv.post("/api/quotes", Some(&token), with("amount", json!("1.00"))).await;
    assert_eq!((limits["error"]["min_order_usdt"].as_str(), limits["error"]["max_order_usdt"].as_str()), (Some("10.00"), Some("5000.00")));

    let raw = |body: &'static str| {
        srv.http.post(format!("{}/api/quotes", srv.url)).bearer_auth(&token).header("content-type", "application/json").body(body).send()
    };
    let r = raw("{\"pool_id\": ").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_json");
    let huge = srv.http.post(format!("{}/api/quotes", srv.url)).bearer_auth(&token).body("x".repeat(100_000)).send().await.unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(huge.json::<Value>().await.unwrap()["error"]["code"], "payload_too_large");

    for (token, code) in [(None, "session_required"), (Some("qws_forged"), "session_invalid")] {
        let (status, body) = srv.post("/api/quotes", token, base.clone()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some(code)));
    }
    for path in ["/api/quotes/pq_test_nope/accept", "/api/quotes/pq_test_nope/reject"] {
        let (status, body) = srv.post(path, Some(&token), json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("quote_not_found")));
    }
    let (status, body) = srv.get("/api/trades/pt_test_nope", Some(&token)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("trade_not_found")));
    let (status, body) = srv.get("/api/no-such-thing", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn sessions_expire_and_can_be_minted_only_by_the_partner_outside_demo_mode() {
    let s = stack(
        |_| {},
        |settings| {
            settings.session_ttl = Duration::ZERO;
            settings.partner_api_key = Some(SecretString::from("pk_partner_secret_0123456789"));
        },
    )
    .await;
    let srv = &s.server;
    let (status, body) = srv.post("/api/sessions", None, json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("anonymous_sessions_disabled")));
    let (status, body) = srv.post("/api/sessions", Some("pk_wrong"), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("partner_key_invalid")));
    let (status, body) = srv.post("/api/sessions", Some("pk_partner_secret_0123456789"), json!({"partner_user_id": "user_7"})).await;
    assert_eq!(status, 201);
    let token = body["session_token"].as_str().unwrap();
    let owner: Option<String> = sqlx::query_scalar("SELECT partner_user_id FROM sessions").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(owner.as_deref(), Some("user_7"));
    let (status, body) = srv.get("/api/trades/x", Some(token)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("session_expired")));
}

#[tokio::test]
async fn a_session_body_is_read_whoever_sends_it_and_its_fields_are_the_partners() {
    const KEY: &str = "pk_partner_secret_0123456789";
    for demo in [true, false] {
        let s = stack(
            |_| {},
            move |settings| {
                settings.demo = demo;
                settings.partner_api_key = Some(SecretString::from(KEY));
            },
        )
        .await;
        let srv = &s.server;
        for key in [None, Some(KEY)] {
            // The wrong shape is a 400 with or without the key (it was ignored without one).
            for body in [json!({"partner_user_id": {}}), json!({"partner_reference": 7}), json!({"partner_user_id": ""}), json!([])] {
                let (status, refused) = srv.post("/api/sessions", key, body.clone()).await;
                assert_eq!(status, 400, "demo {demo}, key {key:?}, {body}: {refused}");
            }
        }
        // Partner fields without the partner key: the partner's backend is who sets them.
        let (status, refused) = srv.post("/api/sessions", None, json!({"partner_user_id": "user_7"})).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (401, Some("partner_key_invalid")), "demo {demo}");
        // No body, `null` and `{}` are the same request.
        for body in [Value::Null, json!({})] {
            let (status, minted) = srv.post("/api/sessions", Some(KEY), body).await;
            assert_eq!(status, 201, "{minted}");
        }
        let r = srv.http.post(format!("{}/api/sessions", srv.url)).bearer_auth(KEY).send().await.unwrap();
        assert_eq!(r.status(), 201);
    }
}

#[tokio::test]
async fn quote_creation_is_rate_limited_per_session() {
    let s = stack(
        |_| {},
        |settings| {
            settings.limits.quote_burst = 3;
            settings.limits.quotes_per_minute = 1;
        },
    )
    .await;
    let (a, b) = (s.server.session().await, s.server.session().await);
    let preview = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100", "currency": "EUR", "quote_type": "indicative"});
    for _ in 0..3 {
        assert_eq!(s.server.post("/api/quotes", Some(&a), preview.clone()).await.0, 200);
    }
    let r = s.server.http.post(format!("{}/api/quotes", s.server.url)).bearer_auth(&a).json(&preview).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["retry_after_ms"].as_u64().unwrap() > 0);
    assert_eq!(s.server.post("/api/quotes", Some(&b), preview).await.0, 200, "another session is not limited");
}

#[tokio::test]
async fn expiry_is_counted_in_this_servers_clock_when_0pools_clock_is_off() {
    // 0Pools' clock runs a minute ahead: its expires_at is a minute "later" than ours.
    let s = stack(|c| c.clock_skew = chrono::Duration::seconds(60), |_| {}).await;
    let token = s.server.session().await;
    let quote = s.server.firm_quote(&token, "100.00", DEST).await;
    let expires = chrono::DateTime::parse_from_rfc3339(quote["terms"]["expires_at"].as_str().unwrap()).unwrap();
    let server_now = chrono::DateTime::parse_from_rfc3339(quote["server_time"].as_str().unwrap()).unwrap();
    let window = (expires - server_now).num_milliseconds();
    assert!((10_000..=16_000).contains(&window), "the real 15 s window (less the time the answer took), not 75 s: {window} ms");
    let stored = store::quote(&s.server.state.store.db, quote["quote_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.expires_at.as_deref(), quote["terms"]["expires_at"].as_str());
    let (status, _) = s.server.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_lease_ends_by_the_database_clock_and_is_stored_like_every_other_time() {
    let s = stack(|_| {}, |_| {}).await;
    let db = &s.server.state.store.db;
    let short = Duration::from_millis(800);
    assert!(store::hold_lease(db, "test_lease", "replica_a", short).await.unwrap());
    assert!(
        !store::hold_lease(db, "test_lease", "replica_b", Duration::from_secs(60)).await.unwrap(),
        "another's running lease is not taken"
    );
    assert!(store::hold_lease(db, "test_lease", "replica_a", short).await.unwrap(), "its holder renews it");

    // The database wrote its end in the server's one time format, so text order is time order.
    let stored: String = sqlx::query_scalar("SELECT expires_at FROM leases WHERE name = 'test_lease'").fetch_one(db).await.unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(&stored).unwrap().with_timezone(&chrono::Utc);
    assert_eq!(store::timestamp(end), stored);
    let ahead = (end - chrono::Utc::now()).num_milliseconds();
    assert!((0..=800).contains(&ahead), "the end is the database's now plus the lease ({ahead} ms ahead)");

    // Once the database's clock passes the end, another replica takes it, and the
    // former holder cannot renew it.
    eventually(5, || async { store::hold_lease(db, "test_lease", "replica_b", Duration::from_secs(60)).await.unwrap().then_some(()) })
        .await;
    assert!(!store::hold_lease(db, "test_lease", "replica_a", short).await.unwrap());

    // An accept's lease too: written by the database's clock, taken only once it ended.
    let token = s.server.session().await;
    let quote = s.server.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap();
    let checkout = store::quote(db, quote_id).await.unwrap().unwrap().checkout_id;
    begin_accept_as(&s.server, &checkout, quote_id, ("replica_a", 800)).await.expect("an active quote begins");
    let stored = store::quote(db, quote_id).await.unwrap().unwrap().accept_lease_until.unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(&stored).unwrap().with_timezone(&chrono::Utc);
    assert_eq!(store::timestamp(end), stored);
    assert!((0..=800).contains(&(end - chrono::Utc::now()).num_milliseconds()), "{stored}");
    assert!(!store::take_accept_lease(db, quote_id, "replica_b", Duration::from_secs(60)).await.unwrap(), "running: not taken");
    eventually(5, || async { store::take_accept_lease(db, quote_id, "replica_b", Duration::from_secs(60)).await.unwrap().then_some(()) })
        .await;
}
