//! The partner's operations API over real HTTP: utilization rebuilt from the
//! recorded outcomes of a scripted run of checkouts, exact to the digit.

use quote_testkit::harness::*;
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::str::FromStr;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

fn preview(amount: &str) -> Value {
    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "quote_type": "indicative"})
}

#[tokio::test]
async fn utilization_counts_a_scripted_run_exactly_and_only_for_the_partner() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    // Two previews, a pool_dry answer, a limit error, a firm quote that is accepted
    // (twice: one conversion), and one that is left to be declined.
    for amount in ["100", "120"] {
        assert_eq!(srv.post("/api/quotes", Some(&token), preview(amount)).await.0, 200);
    }
    assert_eq!(srv.firm_quote(&token, "13.01", DEST).await["unavailable_reason"], "pool_dry");
    let (status, _) = srv
        .post(
            "/api/quotes",
            Some(&token),
            json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "1.00", "currency": "EUR",
        "quote_type": "firm", "network": "tron", "destination_address": DEST}),
        )
        .await;
    assert_eq!(status, 422);
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap();
    let leg = Decimal::from_str(quote["terms"]["target_amount"].as_str().unwrap()).unwrap();
    for _ in 0..2 {
        assert_eq!(srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.0, 200);
    }
    let trade_id =
        srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1["trade_id"].as_str().unwrap().to_owned();
    eventually(10, || async {
        let (_, t) = srv.get(&format!("/api/trades/{trade_id}"), Some(&token)).await;
        (t["status"] == "settled").then_some(())
    })
    .await;

    let (status, report) = srv.get("/api/partner/utilization?window=1h", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["window"], "1h");
    let eur = report["pools"].as_array().unwrap().iter().find(|p| p["pool_id"] == "EUR-USDT").unwrap();
    assert_eq!(eur["quote_requests"], 5);
    assert_eq!((eur["indicative_requests"].as_u64(), eur["firm_requests"].as_u64()), (Some(2), Some(3)));
    assert_eq!((eur["firm_quotes"].as_u64(), eur["accepted_quotes"].as_u64()), (Some(1), Some(1)));
    assert_eq!(eur["limit_errors"], 1);
    assert_eq!(eur["unavailable_reasons"], json!({"pool_dry": 1}));
    assert_eq!(eur["unavailable_rate"], "0.25", "1 unavailable of 4 answers");
    assert_eq!(eur["quote_success_rate"], "0.6", "3 available of 5 requests");
    assert_eq!(eur["settled_notional"].as_str().map(|s| Decimal::from_str(s).unwrap()), Some(leg));
    assert_eq!(eur["reserved_notional"], "0");
    assert_eq!(eur["balance_asset"], "USDT");
    assert_eq!(
        eur["balance_available"].as_str().map(|s| Decimal::from_str(s).unwrap()),
        Some(Decimal::from_str("25000.00").unwrap() - leg)
    );
    assert_eq!(eur["daily_band"]["approved_usdt"], "200000.00");
    assert_eq!(eur["buckets"].as_array().unwrap().len(), 12);
    let bucketed: u64 = eur["buckets"].as_array().unwrap().iter().map(|b| b["quote_requests"].as_u64().unwrap()).sum();
    assert_eq!(bucketed, 5);
    let usd = report["pools"].as_array().unwrap().iter().find(|p| p["pool_id"] == "USD-USDC").unwrap();
    assert_eq!(usd["quote_requests"], 0);

    // A window before any of it is empty; bad windows say what to fix; the widget cannot read it.
    let (_, earlier) =
        srv.get("/api/partner/utilization?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&pool_id=EUR-USDT", Some(PARTNER_KEY)).await;
    assert_eq!(earlier["pools"][0]["quote_requests"], 0);
    assert_eq!(earlier["pools"].as_array().unwrap().len(), 1);
    let (status, bad) = srv.get("/api/partner/utilization?window=2h", Some(PARTNER_KEY)).await;
    assert_eq!((status, bad["error"]["field"].as_str()), (400, Some("window")));
    assert_eq!(srv.get("/api/partner/utilization", Some(&token)).await.0, 401);
    assert_eq!(srv.get("/api/partner/utilization", None).await.0, 401);
}

#[tokio::test]
async fn any_id_of_a_checkout_looks_up_the_same_evidence_packet_with_no_secret_in_it() {
    // Partner webhooks on (to a port nobody listens on), so the checkout has partner events too.
    let s = stack(
        |_| {},
        |settings| settings.partner_webhook = Some(("http://127.0.0.1:9/never".into(), SecretString::from(PARTNER_WEBHOOK_SECRET))),
    )
    .await;
    let srv = &s.server;
    let (checkout_id, token) = srv.checkout(json!({"partner_reference": "order_42", "partner_user_id": "user_7"})).await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();
    let trade_id =
        srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1["trade_id"].as_str().unwrap().to_owned();
    eventually(10, || async {
        // Both of its webhooks: one arriving between the lookups below would change the packet.
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT status) FROM webhook_events WHERE transact_id = $1 AND status IN ('reserved', 'settled')",
        )
        .bind(&trade_id)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
        (n == 2).then_some(())
    })
    .await;
    srv.workers.ledger_once().await.unwrap();

    let db = &srv.state.store.db;
    let scalar = |sql: &'static str| async move { sqlx::query_scalar::<_, String>(sql).fetch_one(db).await.unwrap() };
    let ids = [
        ("checkout_id", checkout_id.clone()),
        ("session_id", scalar("SELECT session_id FROM sessions ORDER BY created_at LIMIT 1").await),
        ("quote_id", quote_id.clone()),
        ("transact_id", trade_id.clone()),
        ("request_id", scalar("SELECT request_id FROM quotes LIMIT 1").await),
        ("webhook_event_id", scalar("SELECT event_id FROM webhook_events LIMIT 1").await),
        ("ledger_id", scalar("SELECT ledger_id FROM ledger_entries WHERE transact_id IS NOT NULL LIMIT 1").await),
        ("partner_reference", "order_42".to_owned()),
    ];
    let mut packets = Vec::new();
    for (kind, id) in &ids {
        let (status, mut packet) = srv.get(&format!("/api/partner/lookup/{id}"), Some(PARTNER_KEY)).await;
        assert_eq!(status, 200, "{kind} {id}: {packet}");
        assert_eq!(packet["matched"]["kind"], *kind, "{id}");
        packet.as_object_mut().unwrap().remove("matched");
        // Delivery attempts to the unreachable partner change these between lookups.
        let events = packet.as_object_mut().unwrap().remove("partner_events").unwrap();
        assert!(!events.as_array().unwrap().is_empty(), "{kind}: the trade's partner events are in the packet");
        packets.push(packet);
    }
    assert!(packets.windows(2).all(|w| w[0] == w[1]), "every id gives the same packet");
    let p = &packets[0];
    let partner_event = scalar("SELECT event_id FROM partner_events LIMIT 1").await;
    let (status, by_event) = srv.get(&format!("/api/partner/lookup/{partner_event}"), Some(PARTNER_KEY)).await;
    assert_eq!((status, &by_event["matched"]["kind"]), (200, &json!("partner_event_id")));
    assert_eq!(by_event["record"], p["record"]);
    assert!(!by_event["partner_events"].as_array().unwrap().is_empty());
    assert_eq!(p["record"]["transact_id"], trade_id.as_str());
    assert_eq!(p["record"]["partner_reference"], "order_42");
    assert_eq!(p["record"]["status"], "settled");
    assert_eq!(p["record"]["reconciliation_state"], "matched");
    assert_eq!(p["quotes"][0]["rate"], quote["terms"]["rate"], "terms exactly as returned");
    assert_eq!(p["quotes"][0]["target_amount"], quote["terms"]["target_amount"]);
    let sources: Vec<_> =
        p["trades"][0]["status_history"].as_array().unwrap().iter().map(|h| h["source"].as_str().unwrap().to_owned()).collect();
    assert_eq!(sources[0], "transact", "what moved each status is kept");
    assert_eq!(p["ledger_rows"].as_array().unwrap().len(), 2);
    assert!(p["webhook_events"].as_array().unwrap().len() >= 2);
    let text = p.to_string();
    for secret in [token.as_str(), PARTNER_KEY, KEY, WEBHOOK_SECRET] {
        assert!(!text.contains(secret), "no credential in the packet");
    }
    let (status, body) = srv.get("/api/partner/lookup/pq_nobody_has_this", Some(PARTNER_KEY)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("evidence_not_found")));
    assert_eq!(srv.get(&format!("/api/partner/lookup/{quote_id}"), Some(&token)).await.0, 401);
}

fn active(report: &Value, kind: &str) -> Vec<String> {
    report["active"].as_array().unwrap().iter().filter(|a| a["kind"] == kind).map(|a| a["subject"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn alerts_fire_while_their_condition_holds_and_clear_when_it_ends() {
    // No webhooks from the sandbox and a ten-minute settle: this test moves the trade.
    let s = stack(
        |c| {
            c.webhook_url = None;
            c.settle_delay = std::time::Duration::from_secs(600);
        },
        |settings| {
            settings.alerts.reserved_longer_than = std::time::Duration::from_millis(300);
            settings.alerts.unavailable_at_least = 2;
            settings.alerts.balance_below = Decimal::from_str("25000.00").unwrap();
        },
    )
    .await;
    let srv = &s.server;
    let report = || async { srv.get("/api/partner/alerts", Some(PARTNER_KEY)).await.1 };
    assert!(report().await["active"].as_array().unwrap().is_empty(), "{}", report().await);

    let token = srv.session().await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();
    let trade_id =
        srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1["trade_id"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        srv.firm_quote(&srv.session().await, "13.01", DEST).await;
    }
    let fired = eventually(5, || async {
        let r = report().await;
        (active(&r, "trade_reserved_too_long") == [trade_id.clone()]).then_some(r)
    })
    .await;
    assert_eq!(active(&fired, "unavailable_spike"), ["EUR-USDT"]);
    assert_eq!(active(&fired, "balance_low"), ["USDT"], "25000.00 less the trade's leg");
    let low = fired["active"].as_array().unwrap().iter().find(|a| a["kind"] == "balance_low").unwrap();
    let message = low["message"].as_str().unwrap();
    assert!(
        message.starts_with("USDT available 24,") && message.contains(" is below 25,000.00: top up"),
        "amounts grouped, with cents: {message}"
    );

    // A webhook with a wrong signature is counted.
    let (status, _) = srv.post("/webhooks/0pools", None, json!({"event_id": "evt_forged"})).await;
    assert_eq!(status, 401);
    assert_eq!(active(&report().await, "webhook_verification_failures"), ["/webhooks/0pools"]);

    // The trade settles (a signed webhook) and the balance is topped up: both clear.
    let event = json!({"event_id": "evt_settle", "type": "trade.settled", "created_at": "2026-11-21T12:00:00Z",
        "data": {"transact_id": trade_id, "quote_id": quote_id, "status": "settled"}});
    let raw = event.to_string();
    let header = quote_server::zeropools::signature::sign(
        &secrecy::SecretString::from(WEBHOOK_SECRET),
        chrono::Utc::now().timestamp(),
        raw.as_bytes(),
    );
    let r = srv
        .http
        .post(format!("{}/webhooks/0pools", srv.url))
        .header(quote_server::zeropools::signature::HEADER, header)
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    reqwest::Client::new()
        .post(format!("{}/sandbox/top_up", s.sandbox.url))
        .bearer_auth(KEY)
        .json(&json!({"asset": "USDT", "amount": "1000.00"}))
        .send()
        .await
        .unwrap();
    let cleared = report().await;
    assert!(active(&cleared, "trade_reserved_too_long").is_empty(), "{cleared}");
    assert!(active(&cleared, "balance_low").is_empty(), "{cleared}");
    assert_eq!(srv.get("/api/partner/alerts", Some(&token)).await.0, 401);
}

/// The summed value of every sample of `name` whose labels include all of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_are_prometheus_text_behind_the_partner_key_and_move_with_traffic() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let scrape = || async {
        let r = srv.http.get(format!("{}/metrics", srv.url)).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        r.text().await.unwrap()
    };
    let token = srv.session().await;
    assert_eq!(srv.http.get(format!("{}/metrics", srv.url)).send().await.unwrap().status(), 401);
    assert_eq!(srv.http.get(format!("{}/metrics", srv.url)).bearer_auth(&token).send().await.unwrap().status(), 401);
    let with_the_partner_key = srv.http.get(format!("{}/metrics", srv.url)).bearer_auth(PARTNER_KEY).send().await.unwrap();
    assert_eq!(with_the_partner_key.status(), 401, "the partner key does not open the metrics");
    assert_eq!(with_the_partner_key.json::<Value>().await.unwrap()["error"]["code"], "metrics_token_invalid");

    let labels = ["pool=\"EUR-USDT\"", "type=\"indicative\"", "outcome=\"available\""];
    let before = sample(&scrape().await, "quote_server_quotes_total", &labels);
    for amount in ["100", "101", "102"] {
        assert_eq!(srv.post("/api/quotes", Some(&token), preview(amount)).await.0, 200);
    }
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    assert_eq!(srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.0, 200);
    let text = eventually(10, || async {
        let text = scrape().await;
        (sample(&text, "quote_server_settlement_seconds_count", &[]) >= 1.0).then_some(text)
    })
    .await;
    assert!(sample(&text, "quote_server_quotes_total", &labels) >= before + 3.0, "three previews counted");
    assert!(sample(&text, "quote_server_accepts_total", &["outcome=\"accepted\""]) >= 1.0);
    assert!(sample(&text, "quote_server_upstream_seconds_count", &["endpoint=\"/v1/transact\""]) >= 1.0);
    for gauge in ["quote_server_sse_streams", "quote_server_oldest_reserved_seconds"] {
        assert!(text.lines().any(|l| l.starts_with(gauge)), "{gauge} is exported");
    }
    eventually(5, || async { scrape().await.contains("quote_server_balance_available{asset=\"USDT\"}").then_some(()) }).await;
    // Every sample line is `name{labels} value`, every other line a comment.
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        assert!(value.parse::<f64>().is_ok() || value == "+Inf", "{line}");
        let name = series.split('{').next().unwrap();
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'), "{line}");
        if series.contains('{') {
            assert!(series.ends_with('}'), "{line}");
        }
    }
}

#[tokio::test]
async fn a_firm_quote_that_expires_unaccepted_is_counted_in_the_metrics_and_the_outcomes() {
    let s = stack(|c| c.quote_window = std::time::Duration::from_millis(300), |_| {}).await;
    let srv = &s.server;
    let scrape =
        || async { srv.http.get(format!("{}/metrics", srv.url)).bearer_auth(METRICS_TOKEN).send().await.unwrap().text().await.unwrap() };
    let labels = ["pool=\"EUR-USDT\"", "type=\"firm\"", "outcome=\"expired\""];
    let before = sample(&scrape().await, "quote_server_quotes_total", &labels);
    let token = srv.session().await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();
    let expires_at = chrono::DateTime::parse_from_rfc3339(quote["terms"]["expires_at"].as_str().unwrap()).unwrap();
    // The accept comes after the quote's window (the server and this test share a clock).
    eventually(5, || async { (chrono::Utc::now() > expires_at + chrono::Duration::milliseconds(50)).then_some(()) }).await;
    let (status, expired) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!((status, expired["error"]["code"].as_str()), (410, Some("quote_expired")), "{expired}");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quote_outcomes WHERE quote_id = $1 AND outcome = 'expired'")
        .bind(&quote_id)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // Metrics are process-wide (other tests may count too): at least this one.
    assert!(sample(&scrape().await, "quote_server_quotes_total", &labels) >= before + 1.0, "the expiry is counted");
}
