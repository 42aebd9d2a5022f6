//! The sandbox held to the contract's own examples (`wire/golden/`): asked with the
//! example requests over real HTTP, it answers with exactly the example answers'
//! fields and JSON types, read as plain JSON (never through `zeropools-wire`'s types,
//! which the sandbox itself writes with). The client is held to the same files from
//! its side (`server/tests/contract/golden.rs`).

#[path = "../../wire/golden/shape.rs"]
mod shape;

use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use secrecy::SecretString;
use serde_json::{json, Value};
use shape::{assert_shaped_like, golden};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use zeropools_sandbox::{Sandbox, SandboxConfig};

const KEY: &str = "sk_test_golden_0123456789";

struct Running {
    url: String,
    http: reqwest::Client,
    webhooks: mpsc::UnboundedReceiver<Value>,
}

impl Running {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(KEY);
        if path == "/v1/transact" {
            request = request.header("Idempotency-Key", "qw-golden-1");
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

/// The sandbox on a loopback port, its webhooks delivered to a channel.
async fn start() -> Running {
    let (deliveries, webhooks) = mpsc::unbounded_channel();
    let receiver = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let deliveries = deliveries.clone();
            async move {
                let _ = deliveries.send(serde_json::from_slice::<Value>(&body).unwrap());
            }
        }),
    );
    let hooks = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", hooks.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(hooks, receiver).await.unwrap() });
    let mut config = SandboxConfig::new(SecretString::from(KEY), SecretString::from("whsec_golden_0123456789"));
    config.webhook_url = Some(hook_url);
    config.settle_delay = Duration::from_millis(50);
    let url = zeropools_sandbox::serve(Sandbox::new(config), TcpListener::bind("127.0.0.1:0").await.unwrap()).await.unwrap();
    Running { url, http: reqwest::Client::new(), webhooks }
}

/// The golden request with some fields changed.
fn asked(name: &str, changes: Value) -> Value {
    let mut body = golden(name);
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[tokio::test]
async fn the_sandbox_answers_in_the_contract_s_shapes() {
    let mut sandbox = start().await;

    let (status, pools) = sandbox.get("/v1/pools").await;
    assert_eq!(status, 200);
    assert_shaped_like("pools.json", &pools, &["pools[].max_order_usdt"]);

    let (status, firm) = sandbox.post("/v1/quotes", golden("quote_request.json")).await;
    assert_eq!(status, 200, "{firm}");
    assert_shaped_like("quote_firm.json", &firm, &[]);

    let (status, preview) = sandbox.post("/v1/quotes", golden("quote_indicative_request.json")).await;
    assert_eq!(status, 200, "{preview}");
    assert_shaped_like("quote_indicative.json", &preview, &[]);

    // The sandbox's documented magic amount for `pool_dry`, and one under the minimum.
    let (status, dry) = sandbox.post("/v1/quotes", asked("quote_request.json", json!({"amount": "13.01"}))).await;
    assert_eq!(status, 200);
    assert_shaped_like("quote_unavailable.json", &dry, &[]);
    let (status, refused) = sandbox.post("/v1/quotes", asked("quote_request.json", json!({"amount": "1.00"}))).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("amount_out_of_limits")));
    assert_shaped_like("error_amount_out_of_limits.json", &refused, &["error.min_order_usdt", "error.max_order_usdt"]);

    let (_, second) = sandbox.post("/v1/quotes", golden("quote_request.json")).await;
    let (status, rejected) = sandbox.post(&format!("/v1/quotes/{}/reject", second["quote_id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, 200);
    assert_shaped_like("reject.json", &rejected, &[]);

    let quote_id = firm["quote_id"].as_str().unwrap();
    let (status, trade) = sandbox.post("/v1/transact", asked("transact_request.json", json!({"quote_id": quote_id}))).await;
    assert_eq!(status, 200, "{trade}");
    assert_shaped_like("trade.json", &trade, &[]);
    let (_, read) = sandbox.get(&format!("/v1/transact/{}", trade["transact_id"].as_str().unwrap())).await;
    assert_shaped_like("trade.json", &read, &[]);

    // Its webhooks: `trade.reserved`, then the terminal one.
    for _ in 0..2 {
        let event = tokio::time::timeout(Duration::from_secs(10), sandbox.webhooks.recv()).await.expect("a webhook in time").unwrap();
        assert_shaped_like("webhook_event.json", &event, &[]);
    }

    let (status, balances) = sandbox.get("/v1/balances").await;
    assert_eq!(status, 200);
    assert_shaped_like("balances.json", &balances, &[]);

    // The sandbox's own control (with the sandbox's key, as every call here).
    let (status, topped) = sandbox.post("/sandbox/top_up", golden("top_up_request.json")).await;
    assert_eq!(status, 200, "{topped}");

    let (status, ledger) = sandbox.get("/v1/ledger?limit=500").await;
    assert_eq!(status, 200);
    // Top-ups move no trade's funds: they carry no `transact_id`.
    assert_shaped_like("ledger_page.json", &ledger, &["entries[].transact_id"]);
    assert!(ledger["entries"].as_array().unwrap().iter().any(|e| e["transact_id"].is_string()), "the trade's reserve row is in the ledger");
}
