//! 0Pools' webhooks at the companion server: verified, stored once by `event_id`,
//! applied forward only, also when they come before their trade or come again.

use quote_core::vocab::TradeStatus;
use quote_server::store;
use quote_server::zeropools::signature;
use quote_testkit::harness::*;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";
/// An accept lease that ended a minute ago (its replica is gone).
const ENDED_LEASE: i64 = -60_000;

/// A stack whose sandbox sends no webhooks and settles only after ten minutes, so
/// the test itself is the only source of trade news.
async fn quiet_stack() -> Stack {
    stack(
        |c| {
            c.webhook_url = None;
            c.settle_delay = Duration::from_secs(600);
        },
        |_| {},
    )
    .await
}

/// A new session with one accepted (reserved) trade: (token, quote id, trade id).
async fn accepted_trade(srv: &TestServer) -> (String, String, String) {
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    let trade_id = trade["trade_id"].as_str().unwrap().to_owned();
    (token, quote_id, trade_id)
}

fn signed(body: &Value, secret: &str, at: i64) -> (String, String) {
    let raw = serde_json::to_string(body).unwrap();
    (signature::sign(&SecretString::from(secret.to_owned()), at, raw.as_bytes()), raw)
}

async fn post_webhook(srv: &TestServer, header: Option<&str>, raw: &str) -> (u16, Value) {
    let mut req = srv.http.post(format!("{}/webhooks/0pools", srv.url)).header("content-type", "application/json").body(raw.to_owned());
    if let Some(h) = header {
        req = req.header(signature::HEADER, h);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn webhooks_are_verified_deduplicated_and_only_move_forward() {
    // No sandbox webhooks and a slow settle: this test is the only source of events.
    let s = quiet_stack().await;
    let srv = &s.server;
    let (token, quote_id, trade_id) = accepted_trade(srv).await;
    let now = chrono::Utc::now().timestamp();
    let event = |id: &str, status: &str| {
        json!({
            "event_id": id, "type": format!("trade.{status}"), "created_at": "2026-11-21T12:00:00Z",
            "data": { "transact_id": trade_id, "quote_id": quote_id, "status": status }
        })
    };

    let settled = event("evt_1", "settled");
    let (header, raw) = signed(&settled, "whsec_not_ours", now);
    assert_eq!(post_webhook(srv, Some(&header), &raw).await.1["error"]["code"], "signature_mismatch");
    let (header, raw) = signed(&settled, WEBHOOK_SECRET, now - 301);
    assert_eq!(post_webhook(srv, Some(&header), &raw).await.1["error"]["code"], "signature_stale");
    assert_eq!(post_webhook(srv, None, &raw).await.1["error"]["code"], "signature_missing");
    assert_eq!(post_webhook(srv, Some("t=abc"), &raw).await.1["error"]["code"], "signature_malformed");
    let (header, tampered) = signed(&settled, WEBHOOK_SECRET, now);
    let tampered_body = tampered.replace("settled", "failed");
    let (status, body) = post_webhook(srv, Some(&header), &tampered_body).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("signature_mismatch")));
    let (header, raw) = signed(&json!({"hello": "world"}), WEBHOOK_SECRET, now);
    assert_eq!(post_webhook(srv, Some(&header), &raw).await.1["error"]["code"], "invalid_event");
    let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
    assert_eq!(t["status"], "reserved", "nothing unverified moved the trade");

    // The real one moves the trade; a replay of it is a duplicate, stored once.
    let (header, raw) = signed(&settled, WEBHOOK_SECRET, now);
    let (status, body) = post_webhook(srv, Some(&header), &raw).await;
    assert_eq!((status, body["duplicate"].as_bool()), (200, Some(false)));
    let (status, body) = post_webhook(srv, Some(&header), &raw).await;
    assert_eq!((status, body["duplicate"].as_bool()), (200, Some(true)));
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(events, 1);

    // Late and contradicting events are stored but never move a terminal status.
    for (id, status) in [("evt_0", "reserved"), ("evt_2", "failed")] {
        let (header, raw) = signed(&event(id, status), WEBHOOK_SECRET, now);
        assert_eq!(post_webhook(srv, Some(&header), &raw).await.0, 200);
    }
    let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
    assert_eq!(t["status"], "settled");
    let history = quote_testkit::rows::trade_history(&srv.state.store.db, &trade_id).await.unwrap();
    let path: Vec<_> = history.iter().map(|h| (h.status.as_str(), h.source.as_str())).collect();
    assert_eq!(path, [("reserved", "transact"), ("settled", "webhook")]);
    assert_eq!(history[1].event_id.as_deref(), Some("evt_1"));
}

#[tokio::test]
async fn an_event_for_a_trade_not_yet_stored_is_applied_when_it_is() {
    let s = quiet_stack().await;
    let srv = &s.server;
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    // Execute upstream directly with the server's own key, as a crashed accept would have.
    let key = quote_server::trading::idempotency_key(&quote_id);
    let checkout_id = store::quote(&srv.state.store.db, &quote_id).await.unwrap().unwrap().checkout_id;
    // The crashed replica's accept lease has run out.
    begin_accept_as(srv, &checkout_id, &quote_id, ("crashed-replica", ENDED_LEASE)).await.expect("an active quote begins");
    let upstream = srv.state.upstream.transact(&quote_id, &key).await.unwrap().value;
    let event = json!({"event_id": "evt_early", "type": "trade.released", "created_at": "2026-11-21T12:00:00Z",
        "data": {"transact_id": upstream.transact_id, "quote_id": quote_id, "status": "released"}});
    let (header, raw) = signed(&event, WEBHOOK_SECRET, chrono::Utc::now().timestamp());
    assert_eq!(post_webhook(srv, Some(&header), &raw).await.0, 200);
    // The widget's accept retry (or the reconciler, which may resume the same accept
    // meanwhile: its lease ended) stores the trade and applies the early event.
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(trade["trade_id"], upstream.transact_id.as_str());
    eventually(10, || async {
        let (_, t) = srv.get(&format!("/api/trades/{}", upstream.transact_id), Some(&token)).await;
        (t["status"] == "released").then_some(())
    })
    .await;
    let history = quote_testkit::rows::trade_history(&srv.state.store.db, &upstream.transact_id).await.unwrap();
    assert_eq!(history.last().map(|h| (h.status.as_str(), h.event_id.as_deref())), Some(("released", Some("evt_early"))));
}

#[tokio::test]
async fn a_redelivered_webhook_applies_what_an_earlier_delivery_stored_but_did_not_apply() {
    let s = quiet_stack().await;
    let srv = &s.server;
    let (token, quote_id, trade_id) = accepted_trade(srv).await;
    let event = json!({"event_id": "evt_half", "type": "trade.settled", "created_at": "2026-11-21T12:00:00Z",
        "data": {"transact_id": trade_id, "quote_id": quote_id, "status": "settled"}});
    // As if the first delivery was stored and then failed before applying (and got a 5xx).
    quote_testkit::rows::store_unapplied_event(srv.db(), "evt_half", &trade_id, &quote_id, "settled").await.unwrap();
    let (header, raw) = signed(&event, WEBHOOK_SECRET, chrono::Utc::now().timestamp());
    let (status, body) = post_webhook(srv, Some(&header), &raw).await;
    assert_eq!((status, body["duplicate"].as_bool()), (200, Some(true)));
    let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
    assert_eq!(t["status"], "settled");
}

#[tokio::test]
async fn an_event_is_stored_once_and_moves_its_trade_in_the_same_step() {
    let s = quiet_stack().await;
    let srv = &s.server;
    let (_token, quote_id, trade_id) = accepted_trade(srv).await;
    let event = |id: &str, transact_id: &str, status: &str| store::WebhookEventRecord {
        event_id: id.into(),
        event_type: format!("trade.{status}"),
        transact_id: transact_id.into(),
        quote_id: quote_id.clone(),
        status: TradeStatus::parse(status).expect("a trade status"),
        created_at: "2026-11-21T12:00:00.000Z".into(),
        body: "{}".into(),
    };
    let receive = |e: store::WebhookEventRecord| async move {
        let got = store::receive_webhook_event(&mut srv.state.store.db.acquire().await.unwrap(), &e).await.unwrap();
        (got.fresh, got.trade.map(|t| (t.row.status, t.moved)))
    };
    let history = || async {
        quote_testkit::rows::trade_history(&srv.state.store.db, &trade_id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.status, h.event_id))
            .collect::<Vec<_>>()
    };

    // A `reserved` event never moves a trade; the trade comes back as stored.
    assert_eq!(receive(event("evt_r", &trade_id, "reserved")).await, (true, Some((TradeStatus::Reserved, false))));
    // The first terminal event moves it, with its history entry.
    assert_eq!(receive(event("evt_s", &trade_id, "settled")).await, (true, Some((TradeStatus::Settled, true))));
    // Again: a duplicate, and no second move.
    assert_eq!(receive(event("evt_s", &trade_id, "settled")).await, (false, Some((TradeStatus::Settled, false))));
    // A contradicting one is stored but moves nothing.
    assert_eq!(receive(event("evt_f", &trade_id, "failed")).await, (true, Some((TradeStatus::Settled, false))));
    assert_eq!(history().await, [(TradeStatus::Reserved, None), (TradeStatus::Settled, Some("evt_s".to_owned()))]);
    // An event for a trade not stored (yet) is stored all the same.
    assert_eq!(receive(event("evt_x", "trd_not_yet", "settled")).await, (true, None));
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT event_id FROM webhook_events ORDER BY event_id").fetch_all(&srv.state.store.db).await.unwrap();
    assert_eq!(stored, ["evt_f", "evt_r", "evt_s", "evt_x"]);
}
