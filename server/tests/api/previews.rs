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

#[tokio::test]
async fn a_flood_from_thirty_tokens_leaves_a_quiet_checkout_its_quotes() {
    // A budget of 10 calls a second; 30 checkouts of one client ask as fast as they can.
    let s = stack(
        |_| {},
        |settings| {
            settings.limits.upstream_quotes_per_second = 10;
            settings.limits.quote_burst = 100_000;
            settings.limits.quotes_per_minute = 6_000;
        },
    )
    .await;
    let srv = &s.server;
    let mut flooders = Vec::new();
    for _ in 0..30 {
        flooders.push(srv.checkout(serde_json::json!({})).await.1);
    }
    let quiet_token = srv.checkout(serde_json::json!({})).await.1;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flood: Vec<_> = flooders
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            let (http, url, stop, busy) = (srv.http.clone(), srv.url.clone(), stop.clone(), busy.clone());
            tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let body = serde_json::json!({"pool_id": "EUR-USDT", "side": "buy", "amount": format!("{}.{:02}", 100 + i, n % 100),
                        "currency": "EUR", "quote_type": "indicative"});
                    let answer: serde_json::Value =
                        http.post(format!("{url}/api/quotes")).bearer_auth(&token).json(&body).send().await.unwrap().json().await.unwrap();
                    if answer["unavailable_reason"] == "busy" {
                        busy.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    // The quiet checkout, from another address, asks once a second meanwhile.
    let quiet = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let mut answered = Vec::new();
    for n in 0..4 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let body = serde_json::json!({"pool_id": "EUR-USDT", "side": "buy", "amount": format!("5{n}.00"), "currency": "EUR", "quote_type": "indicative"});
        let answer: serde_json::Value =
            quiet.post(format!("{}/api/quotes", srv.url)).bearer_auth(&quiet_token).json(&body).send().await.unwrap().json().await.unwrap();
        answered.push(answer);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in flood {
        task.await.unwrap();
    }
    assert!(busy.load(std::sync::atomic::Ordering::Relaxed) > 100, "the flood was over the budget");
    for answer in &answered {
        assert_eq!(answer["available"], true, "the quiet checkout got its quote: {answer}");
    }
}
