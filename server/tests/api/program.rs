//! The partner program of 0Pools' pages, through the API on the store the suite runs
//! against: the readiness record's flags follow the evidence, approved pools are the
//! only ones offered, launch limits cap first orders and pilots, the capacity
//! guardrail answers `headroom` before 0Pools would say `pool_dry`, incidents are
//! acknowledged and resolved with a note (by the backend or a console user), and the
//! review adds up the period.

use quote_server::config::{ConsoleCredential, ConsoleSettings};
use quote_testkit::harness::*;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn item<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["checklist"].as_array().unwrap().iter().find(|e| e["item"] == name).unwrap_or_else(|| panic!("no {name} item: {record}"))
}

#[tokio::test]
async fn the_readiness_record_derives_each_flag_from_the_evidence_the_server_holds() {
    let mut partner = webhook_receiver(0).await;
    let hook = partner.url.clone();
    let s = stack(
        |_| {},
        move |settings| {
            settings.metrics_token = Some(SecretString::from("mt_readiness_test_token_0123"));
            settings.partner_webhook = Some((hook, SecretString::from(PARTNER_WEBHOOK_SECRET)));
            settings.program.program_id = "lp_partner_01".into();
            settings.program.product = "neobank_stablecoin_buy".into();
            settings.program.approved_pools = Some(vec!["EUR-USDT".into()]);
            settings.program.limits.first_order_limit = Some("500.00".parse().unwrap());
        },
    )
    .await;
    let srv = &s.server;

    let (status, record) = srv.get("/api/partner/program", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{record}");
    // The page's record, with the page's field names.
    assert_eq!(record["program_id"], "lp_partner_01");
    assert_eq!(record["product"], "neobank_stablecoin_buy");
    assert_eq!(record["approved_pools"], json!(["EUR-USDT"]));
    assert_eq!(record["enabled_lanes"], json!(["EUR-USDT"]));
    assert_eq!((record["first_order_limit"].as_str(), record["funding_model"].as_str()), (Some("500.00"), Some("prefunded")));
    assert_eq!(record["checklist"].as_array().unwrap().len(), 11);
    // Before anything happened: funded (the sandbox's 25,000 USDT), entitled and capped,
    // but no delivery, nobody watching, no console for support.
    assert_eq!(record["funding_ready"], true, "{record}");
    assert_eq!((record["webhooks_ready"].as_bool(), record["monitoring_ready"].as_bool()), (Some(false), Some(false)));
    assert_eq!(record["support_ready"], false);
    assert_eq!(item(&record, "entitlements")["state"], "ready");
    assert!(item(&record, "entitlements")["evidence"].as_str().unwrap().contains("listed but not offered: USD-USDC"), "{record}");
    assert_eq!(item(&record, "limits")["state"], "ready");
    assert_eq!(item(&record, "runbook")["state"], "ready", "the runbook this build ships answers at /runbook");
    assert_eq!(item(&record, "approved_messaging")["state"], "to_review");
    assert!(item(&record, "webhooks")["action"].as_str().unwrap().contains("sandbox"), "{record}");
    assert_eq!(item(&record, "signed_webhooks")["state"], "not_ready", "no 0Pools webhook verified yet");

    // A scrape with the metrics token: someone watches.
    let scrape = srv.http.get(format!("{}/metrics", srv.url)).bearer_auth("mt_readiness_test_token_0123").send().await.unwrap();
    assert_eq!(scrape.status(), 200);
    // An order, settled: 0Pools' webhooks verified, the partner's endpoint answered 2xx.
    let (_, token) = srv.checkout(json!({"partner_user_id": "user_1"})).await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    loop {
        if partner.next(10).await.json()["type"] == "trade.settled" {
            break;
        }
    }
    let record = eventually(10, || async {
        let (_, record) = srv.get("/api/partner/program", Some(PARTNER_KEY)).await;
        (record["webhooks_ready"] == true && item(&record, "signed_webhooks")["state"] == "ready").then_some(record)
    })
    .await;
    assert_eq!(record["monitoring_ready"], true, "{record}");
    assert!(item(&record, "monitoring")["evidence"].as_str().unwrap().starts_with("Metrics scraped"), "{record}");
    assert!(item(&record, "webhooks")["action"].is_null());
    assert_eq!(record["support_ready"], false, "still no console credential");
}

#[tokio::test]
async fn only_approved_pools_are_offered_quoted_or_bound() {
    let s = stack(|_| {}, |settings| settings.program.approved_pools = Some(vec!["EUR-USDT".into()])).await;
    let srv = &s.server;
    let (_, pools) = srv.get("/api/pools", None).await;
    let ids: Vec<&str> = pools["pools"].as_array().unwrap().iter().map(|p| p["pool_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["EUR-USDT"], "0Pools lists USD-USDC too");
    let (_, token) = srv.checkout(json!({})).await;
    let body = json!({"pool_id": "USD-USDC", "side": "buy", "amount": "100.00", "currency": "USD", "quote_type": "indicative"});
    let (status, refused) = srv.post("/api/quotes", Some(&token), body).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("unknown_pool")), "{refused}");
    let (status, refused) = srv.post("/api/checkouts", Some(PARTNER_KEY), json!({"pool_id": "USD-USDC"})).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str(), refused["error"]["field"].as_str()),
        (422, Some("field_conflict"), Some("pool_id"))
    );
}

#[tokio::test]
async fn a_users_first_order_is_capped_and_a_pilot_caps_every_order() {
    let s = stack(
        |_| {},
        |settings| {
            settings.program.limits.first_order_limit = Some("500.00".parse().unwrap());
            settings.program.limits.order_limit = Some("2000.00".parse().unwrap());
        },
    )
    .await;
    let srv = &s.server;
    let (_, token) = srv.checkout(json!({"partner_user_id": "user_7"})).await;
    // The widget learns the cap before the user types.
    let (_, checkout) = srv.get("/api/checkout", Some(&token)).await;
    assert_eq!(checkout["order_cap"], json!({"limit_usdt": "500.00", "kind": "first_order"}), "{checkout}");

    // In the stablecoin, the amount is the leg: refused before any upstream call.
    let asked = s.sandbox.sandbox.quote_requests();
    let sell =
        |amount: &str| json!({"pool_id": "EUR-USDT", "side": "sell", "amount": amount, "currency": "USDT", "quote_type": "indicative"});
    let (status, refused) = srv.post("/api/quotes", Some(&token), sell("500.01")).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str(), refused["error"]["max_order_usdt"].as_str()),
        (422, Some("first_order_limit"), Some("500.00")),
        "{refused}"
    );
    assert_eq!(refused["error"]["field"], "amount");
    assert_eq!(s.sandbox.sandbox.quote_requests(), asked, "no upstream call for an amount over the cap");
    let (status, _) = srv.post("/api/quotes", Some(&token), sell("500.00")).await;
    assert_eq!(status, 200, "the cap itself is allowed");

    // In EUR, only the answer says the leg: a firm quote over the cap is refused (and
    // declined upstream), one under it is offered.
    let firm_eur = |amount: &str| json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "quote_type": "firm", "network": "tron", "destination_address": DEST});
    let (status, refused) = srv.post("/api/quotes", Some(&token), firm_eur("480.00")).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("first_order_limit")), "480 EUR is over 500 USDT: {refused}");
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let (status, _) = srv.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert_eq!(status, 200);

    // The same user's next checkout: no longer a first order, the pilot's cap applies.
    let (_, next) = srv.checkout(json!({"partner_user_id": "user_7"})).await;
    let (_, checkout) = srv.get("/api/checkout", Some(&next)).await;
    assert_eq!(checkout["order_cap"], json!({"limit_usdt": "2000.00", "kind": "order"}));
    let (status, _) = srv.post("/api/quotes", Some(&next), sell("1500.00")).await;
    assert_eq!(status, 200);
    let (status, refused) = srv.post("/api/quotes", Some(&next), sell("2000.01")).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("order_limit")), "{refused}");
    // Another user (and a checkout without one) is still on a first order.
    let (_, other) = srv.checkout(json!({"partner_user_id": "user_8"})).await;
    let (_, anonymous) = srv.checkout(json!({})).await;
    for token in [other, anonymous] {
        let (_, checkout) = srv.get("/api/checkout", Some(&token)).await;
        assert_eq!(checkout["order_cap"]["kind"], "first_order");
    }

    // The review counts each refusal by its cap; they are limit errors too.
    let (status, review) = srv.get("/api/partner/review", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{review}");
    assert_eq!((review["first_order_refusals"].as_u64(), review["order_limit_refusals"].as_u64()), (Some(2), Some(1)), "{review}");
    let eur = review["pools"].as_array().unwrap().iter().find(|p| p["pool_id"] == "EUR-USDT").unwrap();
    assert_eq!(eur["limit_errors"], 3);
}

#[tokio::test]
async fn an_order_beyond_the_balance_is_the_headroom_state_before_0pools_says_pool_dry() {
    let s = stack(|sandbox| sandbox.starting_balances = vec![("USDT".into(), "300.00".parse().unwrap())], |_| {}).await;
    let srv = &s.server;
    let (_, token) = srv.checkout(json!({})).await;
    let sell = |amount: &str, quote_type: &str| json!({"pool_id": "EUR-USDT", "side": "sell", "amount": amount, "currency": "USDT", "quote_type": quote_type, "network": "tron", "destination_address": DEST});
    let asked = s.sandbox.sandbox.quote_requests();
    for quote_type in ["indicative", "firm"] {
        let (status, answer) = srv.post("/api/quotes", Some(&token), sell("300.01", quote_type)).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!((answer["available"].as_bool(), answer["unavailable_reason"].as_str()), (Some(false), Some("headroom")), "{answer}");
        assert_eq!(answer["retry_after_ms"], 60_000);
    }
    assert_eq!(s.sandbox.sandbox.quote_requests(), asked, "answered from the cached balance, not by 0Pools");
    let (_, fits) = srv.post("/api/quotes", Some(&token), sell("300.00", "indicative")).await;
    assert_eq!(fits["available"], true, "{fits}");
    // In EUR the answer's leg is judged: 290 EUR is over 300 USDT.
    let eur = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "290.00", "currency": "EUR", "quote_type": "indicative"});
    let (_, answer) = srv.post("/api/quotes", Some(&token), eur).await;
    assert_eq!(answer["unavailable_reason"], "headroom", "{answer}");
    // Counted as unavailable answers, by reason.
    let (_, report) = srv.get("/api/partner/utilization?window=1h", Some(PARTNER_KEY)).await;
    let pool = report["pools"].as_array().unwrap().iter().find(|p| p["pool_id"] == "EUR-USDT").unwrap();
    assert_eq!(pool["unavailable_reasons"]["headroom"], 3, "{pool}");
}

#[tokio::test]
async fn the_utilization_report_carries_the_pages_formulas() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (_, token) = srv.checkout(json!({})).await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let leg = d(quote["terms"]["target_amount"].as_str().unwrap());
    let (status, _) = srv.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert_eq!(status, 200);
    let (_, other) = srv.checkout(json!({})).await;
    srv.firm_quote(&other, "50.00", DEST).await;
    let pool = eventually(10, || async {
        let (_, report) = srv.get("/api/partner/utilization?window=1h", Some(PARTNER_KEY)).await;
        let pool = report["pools"].as_array().unwrap().iter().find(|p| p["pool_id"] == "EUR-USDT").cloned().unwrap();
        (pool["settled_volume"] == leg.to_string()).then_some(pool)
    })
    .await;
    assert_eq!(pool["settled_volume"], pool["settled_notional"]);
    // 2 firm quotes, 1 accepted; both firm requests answered with a price.
    assert_eq!(pool["accepted_quote_rate"], "0.5", "{pool}");
    assert_eq!((pool["failure_utilization"].as_str(), pool["quote_success_rate"].as_str()), (Some("0"), Some("1")));
    let quoted = d(pool["quoted_volume"].as_str().unwrap());
    assert!(quoted > leg, "both firm quotes' legs: {quoted}");
    // The sandbox's band is 200,000.00 a day: an hour of it is 8,333.33…
    let band = d(pool["approved_band_usdt"].as_str().unwrap());
    assert_eq!(band, d("200000.00") * d("60") / d("1440"));
    assert_eq!(d(pool["quote_utilization"].as_str().unwrap()), quote_core::notional::ratio(quoted, band));
    assert_eq!(d(pool["execution_utilization"].as_str().unwrap()), quote_core::notional::ratio(leg, band));
    assert!(pool["reserved_utilization"].is_string(), "{pool}");
    // A pool with no attempts has no rates (null), not zero ones.
    let (_, report) = srv.get("/api/partner/utilization?window=1h&pool_id=USD-USDC", Some(PARTNER_KEY)).await;
    let usdc = &report["pools"][0];
    assert!(usdc["quote_success_rate"].is_null() && usdc["accepted_quote_rate"].is_null(), "{usdc}");
    assert_eq!(usdc["quote_utilization"], "0", "a measured zero against a real band");
}

fn console_at(dir: &std::path::Path) -> ConsoleSettings {
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Partner console</title>").unwrap();
    ConsoleSettings {
        credential: ConsoleCredential::from_password("finance", &SecretString::from("finance-team-password")).unwrap(),
        dir: dir.to_owned(),
        session_ttl: Duration::from_secs(3600),
        cookie_secure: false,
    }
}

async fn open_incident(srv: &TestServer, kind: &str, subject: &str) -> Value {
    let (status, alerts) = srv.get("/api/partner/alerts", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{alerts}");
    let incidents = alerts["incidents"].as_array().unwrap();
    incidents
        .iter()
        .find(|i| i["kind"] == kind && i["subject"] == subject)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} incident: {alerts}"))
}

#[tokio::test]
async fn incidents_are_acknowledged_and_resolved_with_a_note_by_the_backend_or_a_console_user() {
    let files = tempfile::tempdir().unwrap();
    let console = console_at(files.path());
    let s = stack(
        |_| {},
        move |settings| {
            settings.console = Some(console);
            // Above the sandbox's 25,000: the balance_low alert holds.
            settings.alerts.balance_below = "30000".parse().unwrap();
        },
    )
    .await;
    let srv = &s.server;
    let incident = open_incident(srv, "balance_low", "USDT").await;
    assert_eq!(
        (incident["state"].as_str(), incident["live"].as_bool(), incident["severity"].as_str()),
        (Some("open"), Some(true), Some("warning"))
    );
    assert_eq!(incident["label"], "Balance low");
    let id = incident["incident_id"].as_i64().unwrap();
    let path = |action: &str| format!("/api/partner/incidents/{id}/{action}");

    let (status, acked) = srv.post(&path("acknowledge"), Some(PARTNER_KEY), json!({"note": "  topping up today  "})).await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(
        (acked["state"].as_str(), acked["acknowledged_by"].as_str(), acked["note"].as_str()),
        (Some("acknowledged"), Some("partner API"), Some("topping up today"))
    );
    // Resolving takes a note: what was found or done.
    for (body, status) in
        [(json!({}), 400), (json!({"note": "   "}), 400), (json!({"note": "x".repeat(2001)}), 400), (json!({"note": 7}), 400)]
    {
        let (got, refused) = srv.post(&path("resolve"), Some(PARTNER_KEY), body.clone()).await;
        assert_eq!((got, refused["error"]["field"].as_str()), (status, Some("note")), "{body}: {refused}");
    }

    // A console user resolves it, from the console's own origin only.
    let signed = srv
        .http
        .post(format!("{}/console/api/session", srv.url))
        .json(&json!({"user": "finance", "password": "finance-team-password"}))
        .send()
        .await
        .unwrap();
    let cookie = signed.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let resolve = |origin: &str| {
        srv.http
            .post(format!("{}{}", srv.url, path("resolve")))
            .header(COOKIE, cookie.clone())
            .header(ORIGIN, origin.to_owned())
            .json(&json!({"note": "Topped up 10,000 USDT (ticket 4512)."}))
    };
    let foreign = resolve("https://evil.example").send().await.unwrap();
    assert_eq!(foreign.status(), 401, "a foreign origin's request is refused even with the cookie");
    let own = resolve(&srv.url).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let resolved: Value = own.json().await.unwrap();
    assert_eq!((resolved["state"].as_str(), resolved["resolved_by"].as_str()), (Some("resolved"), Some("finance")));
    assert_eq!(resolved["acknowledged_by"], "partner API", "the first acknowledgement is kept");

    // Nothing more to do on it; unknown and malformed ids say so.
    let (status, body) = srv.post(&path("acknowledge"), Some(PARTNER_KEY), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("incident_resolved")));
    let (status, body) = srv.post("/api/partner/incidents/999999/acknowledge", Some(PARTNER_KEY), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("incident_not_found")));
    let (status, body) = srv.post("/api/partner/incidents/abc/acknowledge", Some(PARTNER_KEY), json!({})).await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("incident_id")));
    let (status, _) = srv.post(&path("acknowledge"), None, json!({})).await;
    assert_eq!(status, 401);

    // The balance is still below: the condition opens a new incident.
    let again = open_incident(srv, "balance_low", "USDT").await;
    assert_ne!(again["incident_id"].as_i64(), Some(id));
    // A recorded alert opens one too (not live: it happened once).
    s.server.state.store.raise_alert(quote_core::vocab::RecordedAlertKind::TermsMismatch, "pt_x", "terms differ").await;
    let recorded = open_incident(srv, "terms_mismatch", "pt_x").await;
    assert_eq!((recorded["live"].as_bool(), recorded["severity"].as_str()), (Some(false), Some("critical")));

    // The review: the resolved incident was opened in the period; USDC's (its balance
    // is below too), USDT's new one and the recorded one are unresolved.
    let (status, review) = srv.get("/api/partner/review", Some(PARTNER_KEY)).await;
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["unresolved_incidents"], 3, "{review}");
    assert_eq!(review["incidents"].as_array().unwrap().len(), 4);
    // And as CSV, the page's names in the header, a row per pool and the program's.
    let csv = srv.http.get(format!("{}/api/partner/exports/review.csv", srv.url)).bearer_auth(PARTNER_KEY).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().contains("quote_success_rate,accepted_quote_rate"));
    assert!(text.lines().last().unwrap().starts_with("all,"), "{text}");
    assert!(text.lines().last().unwrap().ends_with(",3"), "unresolved incidents last: {text}");
    // A backwards or too long period is refused, naming it.
    let (status, refused) = srv.get("/api/partner/review?from=2026-06-28T00:00:00Z&to=2026-06-27T00:00:00Z", Some(PARTNER_KEY)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("field_conflict")));
}

#[tokio::test]
async fn limit_errors_rising_raise_an_alert_and_an_incident_with_the_watch() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (_, token) = srv.checkout(json!({})).await;
    for _ in 0..5 {
        let body = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "1.00", "currency": "EUR", "quote_type": "indicative"});
        let (status, refused) = srv.post("/api/quotes", Some(&token), body).await;
        assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("amount_out_of_limits")), "{refused}");
    }
    // Nobody read the alerts: the watch (the leader's pass) opens the incident anyway.
    let raised = srv.workers.watch_once().await.unwrap();
    assert!(raised >= 1);
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, subject FROM incidents WHERE resolved_at IS NULL").fetch_all(&srv.state.store.db).await.unwrap();
    assert!(rows.contains(&("limit_errors_rising".into(), "EUR-USDT".into())), "{rows:?}");
    let (_, alerts) = srv.get("/api/partner/alerts", Some(PARTNER_KEY)).await;
    let alert = alerts["active"].as_array().unwrap().iter().find(|a| a["kind"] == "limit_errors_rising").cloned().unwrap();
    assert!(alert["message"].as_str().unwrap().starts_with("5 quote attempts for EUR-USDT hit a limit in the last 60 minutes"), "{alert}");
}
