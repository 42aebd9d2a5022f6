//! Previews that spare 0Pools' quota: identical indicative intents share one upstream
//! call while it is in flight and its answer for a short window; firm quotes never do.

use quote_testkit::harness::*;
use serde_json::{json, Value};
use std::time::Duration;
use zeropools_sandbox::Faults;

fn preview(amount: &str, destination: &str) -> Value {
    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "network": "tron",
           "destination_address": destination, "quote_type": "indicative"})
}

#[tokio::test]
async fn identical_previews_of_many_users_cost_one_upstream_call_within_the_window() {
    let s = stack(|_| {}, |settings| settings.preview_window = Duration::from_secs(60)).await;
    let srv = &s.server;
    let mut tokens = Vec::new();
    for _ in 0..10 {
        tokens.push(srv.session().await);
    }
    let before = s.sandbox.sandbox.quote_requests();
    let mut answers = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        // The same question, written differently, with each user's own address.
        for amount in ["100", "100.00", "100.0"] {
            let (status, body) =
                srv.post("/api/quotes", Some(token), preview(amount, &format!("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbL{i:02}"))).await;
            assert_eq!(status, 200, "{body}");
            answers.push(body);
        }
    }
    assert_eq!(s.sandbox.sandbox.quote_requests() - before, 1, "30 previews, one call");
    assert!(answers.iter().all(|a| a["terms"] == answers[0]["terms"] && a["available"] == true));
    assert!(
        answers[0]["terms"].get("destination_address").is_none_or(Value::is_null),
        "no user's address in a shared preview: {}",
        answers[0]
    );

    // Another question is another call; a firm quote is always its own call.
    srv.post("/api/quotes", Some(&tokens[0]), preview("250", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")).await;
    assert_eq!(s.sandbox.sandbox.quote_requests() - before, 2);
    let firm: Vec<String> = {
        let mut ids = Vec::new();
        for token in &tokens[..3] {
            ids.push(srv.firm_quote(token, "100", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE").await["quote_id"].as_str().unwrap().to_owned());
        }
        ids
    };
    assert_eq!(s.sandbox.sandbox.quote_requests() - before, 5);
    assert!(firm[0] != firm[1] && firm[1] != firm[2], "each firm quote is its own: {firm:?}");
    // Every preview is still a request the partner sees in utilization.
    let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quote_outcomes WHERE quote_type = 'indicative'")
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(counted, 31);
}

#[tokio::test]
async fn with_no_window_only_calls_in_flight_are_shared() {
    let s = stack(|_| {}, |settings| settings.preview_window = Duration::ZERO).await;
    let srv = &s.server;
    let token = srv.session().await;
    let others: Vec<String> = {
        let mut v = Vec::new();
        for _ in 0..8 {
            v.push(srv.session().await);
        }
        v
    };
    // A slow 0Pools: previews asked together all wait on the one call.
    s.sandbox.set_faults(Faults { latency_ms: 400, ..Faults::default() });
    let before = s.sandbox.sandbox.quote_requests();
    let asks = others.iter().map(|t| srv.post("/api/quotes", Some(t), preview("100", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")));
    let answers = futures::future::join_all(asks).await;
    assert!(answers.iter().all(|(status, _)| *status == 200));
    let shared_calls = s.sandbox.sandbox.quote_requests() - before;
    assert!(shared_calls < 8, "8 previews in flight together made {shared_calls} calls");
    // Asked again after they finished: a fresh call, not a reused answer.
    let after = s.sandbox.sandbox.quote_requests();
    assert_eq!(srv.post("/api/quotes", Some(&token), preview("100", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")).await.0, 200);
    assert_eq!(s.sandbox.sandbox.quote_requests() - after, 1);
}

#[tokio::test]
async fn a_failed_preview_is_not_served_again() {
    let s = stack(|_| {}, |settings| settings.preview_window = Duration::from_secs(60)).await;
    let srv = &s.server;
    let token = srv.session().await;
    // 0Pools down (every call fails: background reads share the sandbox, so a
    // count of failures would race them), then back.
    s.sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let (status, _) = srv.post("/api/quotes", Some(&token), preview("100", "T1")).await;
    assert!(status >= 500, "0Pools down: {status}");
    s.sandbox.set_faults(Faults::default());
    let (status, body) = srv.post("/api/quotes", Some(&token), preview("100", "T1")).await;
    assert_eq!((status, body["available"].as_bool()), (200, Some(true)), "the error was not cached: {body}");
}
