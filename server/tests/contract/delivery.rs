//! Signed webhooks and their retries,
//! the sandbox's faults, which calls the client retries, an unreachable upstream,
//! and the secret key that never prints.

use quote_server::zeropools::signature;
use quote_server::zeropools::types::*;
use quote_server::zeropools::{UpstreamClient, UpstreamErrorKind};
use quote_testkit::contract::*;
use quote_testkit::harness::*;
use secrecy::SecretString;
use std::time::{Duration, Instant};
use zeropools_sandbox::Faults;

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_accepted() {
    let mut receiver = webhook_receiver(2).await;
    let mut config = sandbox_config();
    config.webhook_url = Some(receiver.url.clone());
    // Each event is sent by a task of its own: the trade settles late enough that the reserved
    // event's retries are over before the settled one is sent, however slow the machine.
    config.settle_delay = Duration::from_secs(1);
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
    // As above: both copies of the reserved event go out before the settled ones are sent.
    config.settle_delay = Duration::from_secs(1);
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
        .bearer_auth(KEY)
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
