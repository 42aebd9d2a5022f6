//! Transact, reject, single use, idempotency keys, expiry, and trades that only
//! move forward.

use quote_server::zeropools::types::*;
use quote_server::zeropools::UpstreamErrorKind;
use quote_testkit::contract::*;
use quote_testkit::harness::*;
use std::time::Duration;
use zeropools_sandbox::Faults;

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
    let ids: std::collections::BTreeSet<_> = results.into_iter().map(|r| r.unwrap().unwrap().value.transact_id).collect();
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
