//! The upstream client held to the contract's own examples (`wire/golden/`): pointed
//! at a stub that answers exactly those bodies, it parses every one of them, and the
//! bodies it sends have the example requests' fields and JSON types. (The sandbox is
//! held to the same files from its side: `sandbox/tests/golden.rs`.) Renaming a field
//! in the wire types, on both the client and the sandbox, fails here.

#[path = "../../../wire/golden/shape.rs"]
mod shape;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use quote_server::zeropools::types::*;
use quote_server::zeropools::{ClientConfig, UpstreamClient, UpstreamErrorKind};
use quote_testkit::contract::d;
use secrecy::SecretString;
use serde_json::Value;
use shape::{assert_shaped_like, golden};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// What the stub received: (path, body) of every POST.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

fn answer(status: StatusCode, name: &str) -> Response {
    (status, [("content-type", "application/json"), ("x-request-id", "req_golden")], golden(name).to_string()).into_response()
}

/// An error answer whose request id is only in its body.
fn error(status: StatusCode, name: &str) -> Response {
    (status, [("content-type", "application/json")], golden(name).to_string()).into_response()
}

/// A 0Pools that answers the golden bodies: a firm or indicative quote by the asked
/// type, and the sheet's unavailable answer and error for two amounts.
async fn stub() -> (String, Received) {
    let received: Received = Arc::default();
    let quotes = Arc::clone(&received);
    let transacts = Arc::clone(&received);
    let app = Router::new()
        .route("/v1/pools", get(|| async { answer(StatusCode::OK, "pools.json") }))
        .route(
            "/v1/quotes",
            post(move |body: Bytes| {
                let received = Arc::clone(&quotes);
                async move {
                    let body: Value = serde_json::from_slice(&body).unwrap();
                    received.lock().unwrap().push(("/v1/quotes".into(), body.clone()));
                    match (body["quote_type"].as_str(), body["amount"].as_str()) {
                        (_, Some("13.01")) => answer(StatusCode::OK, "quote_unavailable.json"),
                        (_, Some("1.00")) => error(StatusCode::UNPROCESSABLE_ENTITY, "error_amount_out_of_limits.json"),
                        (Some("indicative"), _) => answer(StatusCode::OK, "quote_indicative.json"),
                        _ => answer(StatusCode::OK, "quote_firm.json"),
                    }
                }
            }),
        )
        .route("/v1/quotes/{id}/reject", post(|| async { answer(StatusCode::OK, "reject.json") }))
        .route(
            "/v1/transact",
            post(move |headers: HeaderMap, body: Bytes| {
                let received = Arc::clone(&transacts);
                async move {
                    assert!(headers.contains_key("idempotency-key"), "transact carries an Idempotency-Key");
                    received.lock().unwrap().push(("/v1/transact".into(), serde_json::from_slice(&body).unwrap()));
                    answer(StatusCode::OK, "trade.json")
                }
            }),
        )
        .route("/v1/transact/{id}", get(|| async { answer(StatusCode::OK, "trade.json") }))
        .route("/v1/balances", get(|| async { answer(StatusCode::OK, "balances.json") }))
        .route("/v1/ledger", get(|| async { answer(StatusCode::OK, "ledger_page.json") }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

fn client(url: &str) -> UpstreamClient {
    UpstreamClient::new(ClientConfig::new(url, SecretString::from("sk_test_golden_0123456789")))
}

/// A quote request as the server builds one from a widget's intent.
fn request(quote_type: QuoteType, amount: &str) -> QuoteRequest {
    let firm = quote_type == QuoteType::Firm;
    QuoteRequest {
        pool_id: "EUR-USDT".into(),
        quote_type,
        side: Side::Buy,
        amount: d(amount),
        currency: "EUR".into(),
        network: firm.then(|| "tron".into()),
        destination_address: firm.then(|| "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".into()),
        partner_reference: firm.then(|| "partner_order_123".into()),
    }
}

#[tokio::test]
async fn the_client_parses_every_answer_of_the_contract() {
    let (url, _) = stub().await;
    let client = client(&url);

    let pools = client.list_pools().await.unwrap();
    assert_eq!(pools.request_id.as_deref(), Some("req_golden"));
    let pool = &pools.value.pools[0];
    assert_eq!((pool.pool_id.as_str(), pool.min_order_usdt, pool.max_order_usdt), ("EUR-USDT", d("10.00"), Some(d("5000.00"))));
    assert_eq!(pool.sides, vec![Side::Buy, Side::Sell]);

    let QuoteOutcome::Available(firm) = client.create_quote(&request(QuoteType::Firm, "100.00")).await.unwrap().value else {
        panic!("a firm quote")
    };
    assert_eq!(firm.quote_id.as_deref(), Some("pq_test_01J4ZX7Q"));
    assert_eq!(
        (firm.target_amount.to_string(), firm.rate.to_string(), firm.spread_bps.to_string()),
        ("107.42".into(), "1.0742".into(), "35".into()),
        "exact digits"
    );
    assert!(firm.executable && firm.expires_at.is_some());

    let QuoteOutcome::Available(preview) = client.create_quote(&request(QuoteType::Indicative, "100.00")).await.unwrap().value else {
        panic!("an indicative quote")
    };
    assert_eq!((preview.quote_id, preview.expires_at, preview.executable), (None, None, false));

    let unavailable = client.create_quote(&request(QuoteType::Firm, "13.01")).await.unwrap().value;
    assert_eq!(unavailable, QuoteOutcome::Unavailable { reason: UnavailableReason::PoolDry });

    let refused = client.create_quote(&request(QuoteType::Firm, "1.00")).await.unwrap_err();
    assert_eq!(refused.kind, UpstreamErrorKind::AmountOutOfLimits { min_order_usdt: Some(d("10.00")), max_order_usdt: Some(d("5000.00")) });
    assert_eq!(refused.request_id.as_deref(), Some("req_01HZY0POOLS"), "the error body's request id");

    let rejected = client.reject_quote("pq_test_01J4ZX7Q").await.unwrap().value;
    assert_eq!(rejected.status, "rejected");

    let trade = client.transact("pq_test_01J4ZX7Q", "qw-accept-pq_test_01J4ZX7Q").await.unwrap().value;
    assert_eq!(
        (trade.transact_id.as_str(), trade.status, trade.source_amount.to_string()),
        ("pt_test_456", TradeStatus::Reserved, "100.00".into())
    );
    assert_eq!(client.get_trade("pt_test_456").await.unwrap().value, trade);

    let balances = client.balances().await.unwrap().value;
    assert_eq!((balances.balances[0].available, balances.daily_bands[0].used_usdt), (d("12800.00"), d("39120.00")));

    let ledger = client.ledger(None, 500).await.unwrap().value;
    assert!(ledger.has_more);
    assert_eq!((ledger.entries[0].amount, ledger.entries[0].transact_id.as_deref()), (d("-107.42"), Some("pt_test_456")));

    // The webhook the server receives, read as its receiver reads it.
    let event: WebhookEvent = serde_json::from_value(golden("webhook_event.json")).unwrap();
    assert_eq!((event.event_type.as_str(), event.data.status), ("trade.settled", TradeStatus::Settled));
}

#[tokio::test]
async fn the_client_sends_the_contract_s_requests() {
    let (url, received) = stub().await;
    let client = client(&url);
    client.create_quote(&request(QuoteType::Firm, "100.00")).await.unwrap();
    client.create_quote(&request(QuoteType::Indicative, "100.00")).await.unwrap();
    client.transact("pq_test_01J4ZX7Q", "qw-accept-pq_test_01J4ZX7Q").await.unwrap();
    let sent = received.lock().unwrap().clone();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_shaped_like("quote_request.json", &sent[0].1, &[]);
    assert_eq!(sent[0].1, golden("quote_request.json"), "the same request, value for value");
    assert_shaped_like("quote_indicative_request.json", &sent[1].1, &[]);
    assert_shaped_like("transact_request.json", &sent[2].1, &[]);
}
