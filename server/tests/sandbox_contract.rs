//! Contract tests: the upstream client against the sandbox over real HTTP on
//! loopback, for every endpoint and every error code of `shared/0pools-api.md`.
//! No mocks stand in for the sandbox.

mod common;

use common::*;
use quote_server::sandbox::Faults;
use quote_server::signature;
use quote_server::upstream::types::*;
use quote_server::upstream::{UpstreamClient, UpstreamErrorKind};
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::str::FromStr;
use std::time::{Duration, Instant};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn firm(amount: &str) -> QuoteRequest {
    QuoteRequest {
        pool_id: "EUR-USDT".into(),
        quote_type: QuoteType::Firm,
        side: Side::Buy,
        amount: d(amount),
        currency: "EUR".into(),
        network: Some("tron".into()),
        destination_address: Some("TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE".into()),
        partner_reference: Some("order_123".into()),
    }
}

async fn firm_quote(client: &UpstreamClient, request: &QuoteRequest) -> Quote {
    match client.create_quote(request).await.unwrap().value {
        QuoteOutcome::Available(q) => q,
        other => panic!("expected an available quote, got {other:?}"),
    }
}

async fn wait_for_status(client: &UpstreamClient, id: &str, want: TradeStatus) -> Trade {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let trade = client.get_trade(id).await.unwrap().value;
        if trade.status == want {
            return trade;
        }
        assert!(Instant::now() < deadline, "trade {id} stuck at {:?}", trade.status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn discovery_lists_only_entitled_pools_with_exact_limits() {
    let sb = start_sandbox(sandbox_config()).await;
    let answer = sb.client.list_pools().await.unwrap();
    let ids: Vec<_> = answer.value.pools.iter().map(|p| p.pool_id.as_str()).collect();
    assert_eq!(ids, ["EUR-USDT", "USD-USDC"]);
    let eur = &answer.value.pools[0];
    assert_eq!(eur.min_order_usdt.to_string(), "10.00");
    assert_eq!(eur.max_order_usdt.unwrap().to_string(), "5000.00");
    assert_eq!(eur.networks, ["ethereum", "tron"]);
    assert!(answer.request_id.as_deref().is_some_and(|id| id.starts_with("req_")));
    // Same machine, same clock: the estimate from Date is within its 1 s resolution.
    assert!(answer.clock_offset_ms.unwrap().abs() <= 1_500);
}

#[tokio::test]
async fn every_answer_has_request_id_date_and_string_money_on_the_wire() {
    let sb = start_sandbox(sandbox_config()).await;
    let http = reqwest::Client::new();
    let ok = http.get(format!("{}/v1/pools", sb.url)).bearer_auth(KEY).send().await.unwrap();
    assert!(ok.headers().contains_key("x-request-id"));
    assert!(ok.headers().contains_key("date"));
    let json: serde_json::Value = ok.json().await.unwrap();
    assert!(json["pools"][0]["min_order_usdt"].is_string());

    let quote: serde_json::Value = http
        .post(format!("{}/v1/quotes", sb.url))
        .bearer_auth(KEY)
        .json(&firm("100.00"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for field in ["source_amount", "target_amount", "rate", "spread_bps", "fee_bps"] {
        assert!(quote[field].is_string(), "{field} must be a string: {quote}");
    }
    assert_eq!(quote["available"], true);
    assert_eq!(quote["executable"], true);

    let err = http.get(format!("{}/v1/pools", sb.url)).bearer_auth("sk_test_wrong").send().await.unwrap();
    assert_eq!(err.status(), 401);
    let header_id = err.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = err.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["request_id"], header_id.as_str());
}

#[tokio::test]
async fn firm_quote_terms_are_consistent_to_the_digit() {
    let sb = start_sandbox(sandbox_config()).await;
    let q = firm_quote(&sb.client, &firm("100.00")).await;
    assert_eq!(q.quote_type, QuoteType::Firm);
    assert!(q.quote_id.as_deref().unwrap().starts_with("pq_test_"));
    assert_eq!(q.source_amount.to_string(), "100.00");
    assert_eq!(q.spread_bps.to_string(), "35");
    assert_eq!(q.fee_bps.to_string(), "20");
    assert_eq!(q.rate.scale(), 6);
    assert_eq!(q.target_amount, (q.source_amount * q.rate).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero));
    let window = q.expires_at.unwrap() - q.created_at;
    assert_eq!(window.num_milliseconds(), 15_000, "default quote window");

    // Amount in the target asset: the input is rounded up so the user gets at least that.
    let mut in_target = firm("107.00");
    in_target.currency = "USDT".into();
    let q = firm_quote(&sb.client, &in_target).await;
    assert_eq!(q.target_amount.to_string(), "107.00");
    assert!(q.source_amount * q.rate >= q.target_amount);

    // Sell converts the other way.
    let mut sell = firm("100.00");
    sell.side = Side::Sell;
    sell.currency = "USDT".into();
    let q = firm_quote(&sb.client, &sell).await;
    assert_eq!((q.source_asset.as_str(), q.target_asset.as_str()), ("USDT", "EUR"));
    assert!(q.rate < Decimal::ONE);
}

#[tokio::test]
async fn indicative_quotes_have_no_id_and_cannot_execute() {
    let sb = start_sandbox(sandbox_config()).await;
    let mut req = firm("100.00");
    req.quote_type = QuoteType::Indicative;
    req.network = None;
    req.destination_address = None;
    let q = firm_quote(&sb.client, &req).await;
    assert_eq!(q.quote_type, QuoteType::Indicative);
    assert_eq!(q.quote_id, None);
    assert_eq!(q.expires_at, None);
    assert!(!q.executable);
}

#[tokio::test]
async fn decimal_strings_survive_the_client_byte_for_byte() {
    let mut config = sandbox_config();
    let pool = &mut config.pools[1]; // USD-USDC, made exactly 1:1 and frozen.
    pool.base_mid = d("1.000000");
    pool.spread_bps = d("0");
    pool.fee_bps = d("0");
    pool.volatility_tenth_bps = 0;
    pool.min_order_usdt = d("0.10");
    let sb = start_sandbox(config).await;
    let request = QuoteRequest {
        pool_id: "USD-USDC".into(),
        amount: d("0.10"),
        currency: "USD".into(),
        network: Some("solana".into()),
        ..firm("0.10")
    };
    let raw: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v1/quotes", sb.url))
        .bearer_auth(KEY)
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["rate"], "1.000000");
    assert_eq!(raw["source_amount"], "0.10");
    assert_eq!(raw["spread_bps"], "0");
    let q = firm_quote(&sb.client, &request).await;
    let back = serde_json::to_value(&q).unwrap();
    for field in ["rate", "source_amount", "target_amount", "spread_bps", "fee_bps"] {
        assert_eq!(back[field], raw[field], "{field} kept its exact string");
    }
    assert_eq!(back["rate"], "1.000000");
    assert_eq!(back["target_amount"], "0.10");
    let pools = sb.client.list_pools().await.unwrap().value;
    assert_eq!(serde_json::to_value(&pools.pools[1]).unwrap()["min_order_usdt"], "0.10");
}

#[tokio::test]
async fn prices_move_over_time_deterministically_for_a_seed() {
    let mut config = sandbox_config();
    config.price_tick = Duration::from_millis(1);
    let sb = start_sandbox(config).await;
    let mut indicative = firm("1000.00");
    indicative.quote_type = QuoteType::Indicative;
    let mut rates = std::collections::BTreeSet::new();
    for _ in 0..20 {
        rates.insert(firm_quote(&sb.client, &indicative).await.rate);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(rates.len() > 1, "the price walk moves: {rates:?}");
}

#[tokio::test]
async fn unavailable_is_a_value_for_each_reason() {
    let sb = start_sandbox(sandbox_config()).await;
    for (amount, reason) in [
        ("13.01", UnavailableReason::PoolDry),
        ("13.02", UnavailableReason::RateUnavailable),
        ("13.03", UnavailableReason::NetworkUnavailable),
        ("13.04", UnavailableReason::Maintenance),
    ] {
        let mut req = firm(amount);
        req.currency = "USDT".into();
        let outcome = sb.client.create_quote(&req).await.unwrap().value;
        assert_eq!(outcome, QuoteOutcome::Unavailable { reason });
    }
    // A whole pool, switched off from the control endpoint, also shows in discovery.
    let mut faults = Faults::default();
    faults.pool_unavailable.insert("EUR-USDT".into(), UnavailableReason::Maintenance);
    let http = reqwest::Client::new();
    let put = http.put(format!("{}/sandbox/faults", sb.url)).json(&faults).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let outcome = sb.client.create_quote(&firm("100.00")).await.unwrap().value;
    assert_eq!(outcome, QuoteOutcome::Unavailable { reason: UnavailableReason::Maintenance });
    assert!(!sb.client.list_pools().await.unwrap().value.pools[0].available);
}

#[tokio::test]
async fn quote_errors_map_to_typed_variants() {
    let sb = start_sandbox(sandbox_config()).await;
    let kind = |r: Result<_, quote_server::upstream::UpstreamError>| r.unwrap_err().kind;

    let bad_key = sb.client_with(|c| c.secret_key = SecretString::from("sk_test_nope"));
    assert_eq!(kind(bad_key.list_pools().await.map(|_| ())), UpstreamErrorKind::Unauthorized);

    let mut gbp = firm("100.00");
    gbp.pool_id = "GBP-USDT".into();
    gbp.currency = "GBP".into();
    assert_eq!(kind(sb.client.create_quote(&gbp).await.map(|_| ())), UpstreamErrorKind::PoolNotEntitled);

    let err = sb.client.create_quote(&firm("100.005")).await.unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::InvalidRequest { field: Some("amount".into()) });
    assert!(err.request_id.is_some());

    let mut no_destination = firm("100.00");
    no_destination.destination_address = None;
    assert_eq!(
        kind(sb.client.create_quote(&no_destination).await.map(|_| ())),
        UpstreamErrorKind::InvalidRequest { field: Some("destination_address".into()) }
    );

    for amount in ["1.00", "999999.00"] {
        assert_eq!(
            kind(sb.client.create_quote(&firm(amount)).await.map(|_| ())),
            UpstreamErrorKind::AmountOutOfLimits { min_order_usdt: Some(d("10.00")), max_order_usdt: Some(d("5000.00")) }
        );
    }

    let mut solana = firm("100.00");
    solana.network = Some("solana".into());
    assert_eq!(kind(sb.client.create_quote(&solana).await.map(|_| ())), UpstreamErrorKind::UnsupportedNetwork);

    assert_eq!(kind(sb.client.get_trade("pt_test_nope").await.map(|_| ())), UpstreamErrorKind::NotFound);
}

#[tokio::test]
async fn malformed_json_and_wrong_types_get_400_naming_the_field() {
    let sb = start_sandbox(sandbox_config()).await;
    let http = reqwest::Client::new();
    let post = |body: &'static str| {
        http.post(format!("{}/v1/quotes", sb.url)).bearer_auth(KEY).header("content-type", "application/json").body(body).send()
    };
    for (body, field) in [
        ("{not json", "body"),
        ("[]", "body"),
        (r#"{"pool_id":"EUR-USDT","side":"buy","amount":100,"currency":"EUR"}"#, "amount"),
        (r#"{"pool_id":"EUR-USDT","side":"up","amount":"100","currency":"EUR"}"#, "side"),
        (r#"{"pool_id":"EUR-USDT","side":"buy","amount":"-5","currency":"EUR"}"#, "amount"),
        (r#"{"pool_id":"EUR-USDT","side":"buy","amount":"100","currency":"JPY"}"#, "currency"),
    ] {
        let r = post(body).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(json["error"]["code"], "invalid_request");
        assert_eq!(json["error"]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn transact_reject_and_single_use() {
    let sb = start_sandbox(sandbox_config()).await;

    // Execute once; the same key replays; another key is refused.
    let q = firm_quote(&sb.client, &firm("100.00")).await;
    let id = q.quote_id.clone().unwrap();
    let trade = sb.client.transact(&id, "key-1").await.unwrap().value;
    assert_eq!(trade.status, TradeStatus::Reserved);
    assert_eq!((trade.source_amount, trade.target_amount), (q.source_amount, q.target_amount));
    assert_eq!(trade.destination_address, q.destination_address.unwrap());
    let replay = sb.client.transact(&id, "key-1").await.unwrap().value;
    assert_eq!(replay, trade);
    let second = sb.client.transact(&id, "key-2").await.unwrap_err();
    assert_eq!(second.kind, UpstreamErrorKind::QuoteConsumed);
    // The same key with another quote: a conflict, not a second trade.
    let other = firm_quote(&sb.client, &firm("50.00")).await.quote_id.unwrap();
    assert_eq!(sb.client.transact(&other, "key-1").await.unwrap_err().kind, UpstreamErrorKind::IdempotencyConflict);
    assert_eq!(sb.sandbox.trade_count(), 1);
    // A consumed quote cannot be rejected.
    assert_eq!(sb.client.reject_quote(&id).await.unwrap_err().kind, UpstreamErrorKind::QuoteConsumed);

    // Reject makes a quote unusable forever; rejecting again is harmless.
    let rejected = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    let answer = sb.client.reject_quote(&rejected).await.unwrap().value;
    assert_eq!((answer.quote_id.as_str(), answer.status.as_str()), (rejected.as_str(), "rejected"));
    sb.client.reject_quote(&rejected).await.unwrap();
    assert_eq!(sb.client.transact(&rejected, "key-3").await.unwrap_err().kind, UpstreamErrorKind::QuoteRejected);

    assert_eq!(sb.client.transact("pq_test_unknown", "key-4").await.unwrap_err().kind, UpstreamErrorKind::QuoteNotFound);
    assert_eq!(sb.client.reject_quote("pq_test_unknown").await.unwrap_err().kind, UpstreamErrorKind::QuoteNotFound);

    // A quote whose pool went down after it was issued is not executable.
    let q = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    let mut faults = Faults::default();
    faults.pool_unavailable.insert("EUR-USDT".into(), UnavailableReason::PoolDry);
    sb.set_faults(faults);
    assert_eq!(sb.client.transact(&q, "key-5").await.unwrap_err().kind, UpstreamErrorKind::QuoteNotExecutable);
}

#[tokio::test]
async fn transact_needs_a_sane_idempotency_key() {
    let sb = start_sandbox(sandbox_config()).await;
    let http = reqwest::Client::new();
    let id = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    let body = serde_json::json!({ "quote_id": id });
    let missing = http.post(format!("{}/v1/transact", sb.url)).bearer_auth(KEY).json(&body).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    let long = http
        .post(format!("{}/v1/transact", sb.url))
        .bearer_auth(KEY)
        .header("Idempotency-Key", "k".repeat(256))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 400);
    assert_eq!(sb.sandbox.trade_count(), 0);
    assert!(sb.client.transact(&id, &"k".repeat(255)).await.is_ok());
}

#[tokio::test]
async fn expired_quotes_answer_410() {
    let mut config = sandbox_config();
    config.quote_window = Duration::from_millis(200);
    let sb = start_sandbox(config).await;
    let q = firm_quote(&sb.client, &firm("100.00")).await;
    let expires_at = q.expires_at.unwrap();
    assert_eq!((expires_at - q.created_at).num_milliseconds(), 200);
    while chrono::Utc::now() < expires_at {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let err = sb.client.transact(q.quote_id.as_deref().unwrap(), "late").await.unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::QuoteExpired);
    assert_eq!(sb.sandbox.trade_count(), 0);
}

#[tokio::test]
async fn fifty_concurrent_transacts_with_one_key_make_one_trade() {
    let sb = start_sandbox(sandbox_config()).await;
    let id = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    let attempts = (0..50).map(|_| {
        let (client, id) = (sb.client.clone(), id.clone());
        tokio::spawn(async move { client.transact(&id, "one-key").await })
    });
    let results = futures::future::join_all(attempts).await;
    let ids: std::collections::BTreeSet<_> =
        results.into_iter().map(|r| r.unwrap().unwrap().value.transact_id).collect();
    assert_eq!(ids.len(), 1, "every attempt saw the same trade");
    assert_eq!(sb.sandbox.trade_count(), 1);
}

#[tokio::test]
async fn trades_settle_fail_release_and_only_move_forward() {
    let sb = start_sandbox(sandbox_config()).await;
    let cases = [
        ("100.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", TradeStatus::Settled),
        ("100.00", "T-destination-fail", TradeStatus::Failed),
        ("100.00", "T-destination-release", TradeStatus::Released),
        ("14.01", "T123", TradeStatus::Failed),
        ("14.02", "T123", TradeStatus::Released),
    ];
    for (amount, destination, want) in cases {
        let mut req = firm(amount);
        if amount.starts_with("14.") {
            req.currency = "USDT".into();
        }
        req.destination_address = Some(destination.into());
        let id = firm_quote(&sb.client, &req).await.quote_id.unwrap();
        let trade = sb.client.transact(&id, &format!("k-{destination}-{amount}")).await.unwrap().value;
        assert_eq!(trade.status, TradeStatus::Reserved);
        let done = wait_for_status(&sb.client, &trade.transact_id, want).await;
        assert!(done.updated_at >= done.created_at);
        // Terminal is final.
        assert_eq!(sb.client.get_trade(&trade.transact_id).await.unwrap().value.status, want);
    }
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_accepted() {
    let mut receiver = webhook_receiver(2).await;
    let mut config = sandbox_config();
    config.webhook_url = Some(receiver.url.clone());
    let sb = start_sandbox(config).await;
    let id = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    let trade = sb.client.transact(&id, "wh").await.unwrap().value;

    let secret = SecretString::from(WEBHOOK_SECRET);
    let mut seen = Vec::new();
    // Two refusals, then the reserved event is accepted, then the settled one.
    for _ in 0..4 {
        let delivery = receiver.next(10).await;
        let header = delivery.headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
        signature::verify(&secret, header, &delivery.body, chrono::Utc::now().timestamp()).expect("signature verifies");
        assert_eq!(
            signature::verify(&SecretString::from("whsec_wrong"), header, &delivery.body, chrono::Utc::now().timestamp()),
            Err(signature::SignatureError::Mismatch)
        );
        let event: WebhookEvent = serde_json::from_slice(&delivery.body).unwrap();
        assert_eq!(event.data.transact_id, trade.transact_id);
        assert_eq!(event.data.quote_id, id);
        seen.push((event.event_id, event.event_type));
    }
    assert_eq!(seen[0], seen[1], "a refused delivery is retried with the same event");
    assert_eq!(seen[1], seen[2]);
    assert_eq!(seen[2].1, "trade.reserved");
    assert_eq!(seen[3].1, "trade.settled");
    assert_ne!(seen[3].0, seen[2].0);
}

#[tokio::test]
async fn webhook_faults_drop_duplicate_delay_and_reorder() {
    let mut receiver = webhook_receiver(0).await;
    let mut config = sandbox_config();
    config.webhook_url = Some(receiver.url.clone());
    let sb = start_sandbox(config).await;
    let run_trade = |key: &'static str| {
        let client = sb.client.clone();
        async move {
            let id = firm_quote(&client, &firm("100.00")).await.quote_id.unwrap();
            client.transact(&id, key).await.unwrap().value
        }
    };
    let event_of = |d: &Delivery| serde_json::from_slice::<WebhookEvent>(&d.body).unwrap();

    // Dropped: the trade settles, and none of its events ever arrive.
    sb.set_faults(Faults { webhook_drop_rate: 1.0, ..Faults::default() });
    let dropped = run_trade("drop").await;
    wait_for_status(&sb.client, &dropped.transact_id, TradeStatus::Settled).await;

    // Duplicated: every event twice, with one event id.
    sb.set_faults(Faults { webhook_duplicate_rate: 1.0, ..Faults::default() });
    let dup = run_trade("dup").await;
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(event_of(&receiver.next(10).await));
    }
    assert!(got.iter().all(|e| e.data.transact_id == dup.transact_id), "nothing of the dropped trade arrived");
    assert_eq!(got[0].event_id, got[1].event_id);
    assert_eq!(got[2].event_id, got[3].event_id);
    assert_eq!((got[0].event_type.as_str(), got[2].event_type.as_str()), ("trade.reserved", "trade.settled"));

    // Out of order: the terminal event comes before the reserved one.
    sb.set_faults(Faults { webhook_reorder: true, ..Faults::default() });
    let reordered = run_trade("reorder").await;
    let first = event_of(&receiver.next(10).await);
    let second = event_of(&receiver.next(10).await);
    assert_eq!(first.data.transact_id, reordered.transact_id);
    assert_eq!((first.event_type.as_str(), second.event_type.as_str()), ("trade.settled", "trade.reserved"));

    // Delayed: nothing before the delay has passed.
    sb.set_faults(Faults { webhook_delay_ms: 400, ..Faults::default() });
    let started = Instant::now();
    run_trade("delay").await;
    let delayed = event_of(&receiver.next(10).await);
    assert_eq!(delayed.event_type, "trade.reserved");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn request_faults_latency_5xx_429_and_malformed() {
    let sb = start_sandbox(sandbox_config()).await;
    let single = sb.client_with(|c| c.max_attempts = 1);

    sb.set_faults(Faults { latency_ms: 300, ..Faults::default() });
    let started = Instant::now();
    single.list_pools().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let impatient = sb.client_with(|c| c.timeout = Duration::from_millis(100));
    assert_eq!(impatient.list_pools().await.unwrap_err().kind, UpstreamErrorKind::Timeout);

    sb.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let err = single.list_pools().await.unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::Server { status: 503, code: Some("service_unavailable".into()) });

    sb.set_faults(Faults { rate_limit_rate: 1.0, retry_after_secs: 7, ..Faults::default() });
    let err = single.list_pools().await.unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::RateLimited { retry_after: Some(Duration::from_secs(7)) });

    sb.set_faults(Faults { malformed_rate: 1.0, ..Faults::default() });
    assert_eq!(single.list_pools().await.unwrap_err().kind, UpstreamErrorKind::MalformedResponse);

    // A transact whose answer was damaged still happened; the same key recovers it.
    sb.set_faults(Faults::default());
    let id = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    sb.set_faults(Faults { malformed_rate: 1.0, ..Faults::default() });
    assert_eq!(single.transact(&id, "damaged").await.unwrap_err().kind, UpstreamErrorKind::MalformedResponse);
    sb.set_faults(Faults::default());
    let recovered = single.transact(&id, "damaged").await.unwrap().value;
    assert_eq!(recovered.quote_id, id);
    assert_eq!(sb.sandbox.trade_count(), 1);

    // Bad fault settings are refused.
    let r = reqwest::Client::new()
        .put(format!("{}/sandbox/faults", sb.url))
        .json(&serde_json::json!({ "error_rate": 2.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn retries_only_where_safe() {
    let sb = start_sandbox(sandbox_config()).await;

    // Reads ride out transient failures.
    sb.set_faults(Faults { fail_next_requests: 2, ..Faults::default() });
    sb.client.list_pools().await.expect("third attempt succeeds");

    // Transact with one key is retried: a replay, never a second trade.
    let id = firm_quote(&sb.client, &firm("100.00")).await.quote_id.unwrap();
    sb.set_faults(Faults { fail_next_requests: 1, ..Faults::default() });
    sb.client.transact(&id, "retry").await.expect("retried with the same key");
    assert_eq!(sb.sandbox.trade_count(), 1);

    // A firm quote is never retried: one failure is reported as is.
    sb.set_faults(Faults { fail_next_requests: 1, ..Faults::default() });
    let err = sb.client.create_quote(&firm("100.00")).await.unwrap_err();
    assert!(matches!(err.kind, UpstreamErrorKind::Server { status: 503, .. }));
    assert_eq!(sb.sandbox.faults().fail_next_requests, 0, "exactly one attempt was made");
    firm_quote(&sb.client, &firm("100.00")).await;
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = UpstreamClient::new(client_config(&url));
    assert_eq!(client.list_pools().await.unwrap_err().kind, UpstreamErrorKind::Transport);
}

#[tokio::test]
async fn the_secret_key_never_prints() {
    let config = client_config("http://127.0.0.1:1");
    let printed = format!("{config:?} {:?}", UpstreamClient::new(config.clone()));
    assert!(!printed.contains(KEY), "{printed}");
    assert!(printed.contains("REDACTED"));
}
