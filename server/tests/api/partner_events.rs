//! The partner hears of every outcome: a trade's status and the partner's event for
//! it are written in one transaction (a failure between them loses neither alone), a
//! trade whose status has no event gets one from the sweep, and an event the
//! partner's endpoint keeps refusing raises an alert, is listed for the console and
//! counts in the metrics. Run on SQLite and, with `QW_TEST_STORE=postgres`, Postgres.

use quote_server::store::fail_points;
use quote_testkit::harness::*;
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

async fn events_of(srv: &TestServer, trade_id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT status FROM partner_events WHERE trade_id = $1 ORDER BY created_at")
        .bind(trade_id)
        .fetch_all(srv.db())
        .await
        .unwrap()
}

async fn status_of(srv: &TestServer, trade_id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM trades WHERE trade_id = $1").bind(trade_id).fetch_one(srv.db()).await.unwrap()
}

/// A converted checkout; returns its trade id.
async fn accepted(srv: &TestServer) -> String {
    let (_, token) = srv.checkout(json!({})).await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    trade["trade_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_status_change_and_its_partner_event_are_written_together_or_not_at_all() {
    let receiver = webhook_receiver(0).await;
    let url = receiver.url.clone();
    // The sandbox settles after 1.5 s and retries a refused webhook after 300 ms.
    let s = stack(
        |sandbox| {
            sandbox.settle_delay = Duration::from_millis(1_500);
            sandbox.webhook_retry_base = Duration::from_millis(300);
        },
        move |settings| settings.partner_webhook = Some((url, SecretString::from(PARTNER_WEBHOOK_SECRET))),
    )
    .await;
    let srv = &s.server;
    let trade_id = accepted(srv).await;
    assert_eq!(events_of(srv, &trade_id).await, vec!["reserved"], "the reserved event was written with the trade");

    // Writing the settled event now fails, as a database error would between the two.
    fail_points::partner_events_fail_for(&trade_id, true);
    let failed_once = eventually(10, || async {
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE transact_id = $1 AND status <> 'reserved'")
            .bind(&trade_id)
            .fetch_one(srv.db())
            .await
            .unwrap();
        // The terminal webhook's own row went with the rolled-back move: none is stored
        // yet, and the sandbox's deliveries were answered 5xx (so it retries).
        let tried = s.sandbox.sandbox.webhook_refusals_for(&trade_id);
        (tried >= 2 && stored == 0).then_some(tried)
    })
    .await;
    assert!(failed_once >= 2);
    assert_eq!(status_of(srv, &trade_id).await, "reserved", "the status did not move without its event");
    assert_eq!(events_of(srv, &trade_id).await, vec!["reserved"]);

    // The reconciler may not move it either while the event cannot be written.
    srv.workers.reconcile_once().await.unwrap();
    assert_eq!(status_of(srv, &trade_id).await, "reserved");

    fail_points::partner_events_fail_for(&trade_id, false);
    let events = eventually(15, || async {
        let events = events_of(srv, &trade_id).await;
        (events.len() == 2).then_some(events)
    })
    .await;
    assert_eq!(events, vec!["reserved", "settled"]);
    assert_eq!(status_of(srv, &trade_id).await, "settled", "moved, with its event, once the write works");
}

#[tokio::test]
async fn the_sweep_queues_an_event_for_a_status_that_has_none() {
    let receiver = webhook_receiver(0).await;
    let url = receiver.url.clone();
    let s = stack(|_| {}, move |settings| settings.partner_webhook = Some((url, SecretString::from(PARTNER_WEBHOOK_SECRET)))).await;
    let srv = &s.server;
    let trade_id = accepted(srv).await;
    // As if the trade had been stored before partner webhooks were configured.
    sqlx::query("DELETE FROM partner_events WHERE trade_id = $1").bind(&trade_id).execute(srv.db()).await.unwrap();
    let report = srv.workers.sweep_once().await.unwrap();
    // The server also sweeps once as it starts, on its own task; on a slow machine that sweep
    // can run after the DELETE above and queue the event first (seen once on Postgres). Either
    // way a sweep queued it, and a status never has two events.
    let status = status_of(srv, &trade_id).await;
    let events = events_of(srv, &trade_id).await;
    assert_eq!(events.iter().filter(|e| **e == status).count(), 1, "one event for the current status ({status}): {events:?}, {report:?}");
    assert_eq!(srv.workers.sweep_once().await.unwrap().partner_events_queued, 0, "once");
}

#[tokio::test]
async fn an_event_the_partner_keeps_refusing_is_alerted_listed_and_counted() {
    let receiver = webhook_receiver(u32::MAX).await;
    let url = receiver.url.clone();
    let s = stack(
        |_| {},
        move |settings| {
            settings.partner_webhook = Some((url, SecretString::from(PARTNER_WEBHOOK_SECRET)));
            settings.partner_webhook_retry_base = Duration::from_millis(10);
        },
    )
    .await;
    let srv = &s.server;
    let trade_id = accepted(srv).await;
    let alerts = eventually(20, || async {
        let (_, alerts) = srv.get("/api/partner/alerts", Some(PARTNER_KEY)).await;
        // Listed after its eighth attempt (a read may see the alert recorded just after
        // the attempt count it read).
        let listed = alerts["undelivered_events"]
            .as_array()
            .is_some_and(|l| l.iter().any(|e| e["trade_id"] == trade_id.as_str() && e["attempts"].as_i64() >= Some(8)));
        // The alert is recorded just after the eighth attempt is.
        let recorded = alerts["recorded"].as_array().is_some_and(|l| l.iter().any(|a| a["kind"] == "partner_webhook_undelivered"));
        (listed && recorded).then_some(alerts)
    })
    .await;
    let event = alerts["undelivered_events"].as_array().unwrap().iter().find(|e| e["trade_id"] == trade_id.as_str()).unwrap();
    assert!(event["attempts"].as_i64().unwrap() >= 8, "{event}");
    assert!(event["last_error"].as_str().unwrap().contains("500"), "{event}");
    let active = alerts["active"].as_array().unwrap();
    assert!(
        active
            .iter()
            .any(|a| a["kind"] == "partner_webhook_undelivered" && a["severity"] == "critical" && a["subject"] == event["event_id"]),
        "{active:?}"
    );
    let recorded = alerts["recorded"].as_array().unwrap();
    assert!(recorded.iter().any(|a| a["kind"] == "partner_webhook_undelivered"), "recorded once when the retries ran out: {recorded:?}");

    let metrics = srv.http.get(format!("{}/metrics", srv.url)).bearer_auth(METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
    let value = |name: &str| {
        metrics.lines().find(|l| l.starts_with(name)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
    };
    assert!(value("quote_server_partner_webhook_failures_total") >= 8.0, "{metrics}");
    assert!(value("quote_server_partner_webhook_oldest_undelivered_seconds") > 0.0, "{metrics}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_with_the_signature() {
    use axum::http::{header, StatusCode};
    let mut elsewhere = webhook_receiver(0).await;
    let target = elsewhere.url.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || std::future::ready((StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target.clone())]))),
    );
    let (listener, base) = bind().await;
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!("{base}/hook");
    let s = stack(
        |_| {},
        move |settings| {
            settings.partner_webhook = Some((url, SecretString::from(PARTNER_WEBHOOK_SECRET)));
            settings.partner_webhook_retry_base = Duration::from_millis(10);
        },
    )
    .await;
    let srv = &s.server;
    let trade_id = accepted(srv).await;
    let error: String = eventually(10, || async {
        sqlx::query_scalar::<_, Option<String>>("SELECT last_error FROM partner_events WHERE trade_id = $1 AND attempts >= 2")
            .bind(&trade_id)
            .fetch_optional(srv.db())
            .await
            .unwrap()
            .flatten()
    })
    .await;
    assert!(error.contains("307") && error.contains("redirects are not followed"), "{error}");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), elsewhere.rx.recv()).await.is_err(),
        "the redirect's target never received the signed delivery"
    );
}
