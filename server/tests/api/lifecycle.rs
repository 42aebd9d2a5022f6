//! Running behind a load balancer: readiness says when a replica should get traffic,
//! and stopping ends live streams at once (the widget reconnects elsewhere) while
//! in-flight requests finish.

use quote_testkit::harness::*;
use serde_json::json;
use std::time::{Duration, Instant};
use zeropools_sandbox::Faults;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

#[tokio::test]
async fn readiness_fails_while_0pools_does_not_answer_and_recovers() {
    let s = stack(|_| {}, |settings| settings.readiness_probe_interval = Duration::ZERO).await;
    let srv = &s.server;
    let ready = || async { srv.http.get(format!("{}/readyz", srv.url)).send().await.unwrap() };
    assert_eq!(ready().await.status(), 200);
    s.sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let refused = ready().await;
    assert_eq!(refused.status(), 503);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(body["error"]["message"].as_str().unwrap().contains("0Pools"), "{body}");
    // Liveness is another question: the process is fine.
    assert_eq!(srv.http.get(format!("{}/healthz", srv.url)).send().await.unwrap().status(), 200);
    s.sandbox.set_faults(Faults::default());
    assert_eq!(ready().await.status(), 200);
}

#[tokio::test]
async fn stopping_ends_live_streams_at_once_instead_of_at_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sandbox_config();
    config.settle_delay = Duration::from_secs(600);
    let sandbox = start_sandbox(config).await;
    let (listener, url) = bind().await;
    let app = build_server(ServerOptions {
        db_path: dir.path().join("server.db"),
        sandbox_url: sandbox.url.clone(),
        listener,
        reconcile_every: Duration::from_secs(3600),
        // A long grace: if the stream only ended when it ran out, the test would see it.
        settings: Box::new(|settings| settings.serve.shutdown_grace = Duration::from_secs(60)),
    })
    .await;
    let state = app.state.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let (_, created) = {
        let r = http.post(format!("{url}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({})).send().await.unwrap();
        (r.status(), r.json::<serde_json::Value>().await.unwrap())
    };
    let token = created["client_token"].as_str().unwrap().to_owned();
    let quote: serde_json::Value = http
        .post(format!("{url}/api/quotes"))
        .bearer_auth(&token)
        .json(&json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR", "quote_type": "firm", "network": "tron", "destination_address": DEST}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let trade: serde_json::Value = http
        .post(format!("{url}/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trade["status"], "reserved");
    let mut stream =
        http.get(format!("{url}/api/trades/{}/events", trade["trade_id"].as_str().unwrap())).bearer_auth(&token).send().await.unwrap();
    let first = stream.chunk().await.unwrap().expect("the current status at once");
    assert!(String::from_utf8_lossy(&first).contains("reserved"));

    let asked_to_stop = Instant::now();
    stop.send(()).unwrap();
    // The stream ends (cleanly: the body completes) long before the 60 s grace.
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.chunk().await.transpose() {
            chunk.expect("a clean end, not a reset");
        }
    })
    .await;
    assert!(rest.is_ok(), "the live stream was still open after 10 s");
    tokio::time::timeout(Duration::from_secs(10), serving).await.expect("the server stopped").unwrap().unwrap();
    assert!(asked_to_stop.elapsed() < Duration::from_secs(10));
    assert!(state.stopping.is_set(), "readiness answers not_ready from the moment stopping began");
}
