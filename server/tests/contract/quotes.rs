//! Discovery and quotes (`trades`: transact, reject and trades; `delivery`:
//! webhooks, faults, retries and the secret key; `balances`: balances and ledger).

use quote_server::zeropools::types::*;
use quote_server::zeropools::UpstreamErrorKind;
use quote_testkit::contract::*;
use quote_testkit::harness::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::time::Duration;
use zeropools_sandbox::Faults;

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

    let quote: serde_json::Value =
        http.post(format!("{}/v1/quotes", sb.url)).bearer_auth(KEY).json(&firm("100.00")).send().await.unwrap().json().await.unwrap();
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
    let refused = http.put(format!("{}/sandbox/faults", sb.url)).json(&faults).send().await.unwrap();
    assert_eq!(refused.status(), 401, "the controls take the sandbox's key");
    let forged =
        http.put(format!("{}/sandbox/faults", sb.url)).bearer_auth("sk_test_sandbox_embedded_key").json(&faults).send().await.unwrap();
    assert_eq!(forged.status(), 401, "not another key");
    let put = http.put(format!("{}/sandbox/faults", sb.url)).bearer_auth(KEY).json(&faults).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let outcome = sb.client.create_quote(&firm("100.00")).await.unwrap().value;
    assert_eq!(outcome, QuoteOutcome::Unavailable { reason: UnavailableReason::Maintenance });
    assert!(!sb.client.list_pools().await.unwrap().value.pools[0].available);
}

#[tokio::test]
async fn quote_errors_map_to_typed_variants() {
    let sb = start_sandbox(sandbox_config()).await;
    let kind = |r: Result<_, quote_server::zeropools::UpstreamError>| r.unwrap_err().kind;

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
