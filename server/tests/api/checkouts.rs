//! Checkouts minted by the partner's backend, and exactly-once to the end: each test
//! is an attack or a failure that today's browser-trusting server got wrong. Real
//! HTTP against the real sandbox.

use quote_server::store;
use quote_testkit::harness::*;
use serde_json::{json, Value};
use std::time::Duration;
use zeropools_sandbox::Faults;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

fn firm(amount: &str) -> Value {
    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "quote_type": "firm",
           "network": "tron", "destination_address": DEST})
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

async fn stored_quotes(srv: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM quotes").fetch_one(&srv.state.store.db).await.unwrap()
}

#[tokio::test]
async fn bound_amount_destination_and_reference_cannot_be_changed_through_the_api() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (checkout_id, token) = srv
        .checkout(json!({"pool_id": "EUR-USDT", "amount": "500.00", "currency": "EUR", "destination_address": DEST,
                         "network": "tron", "partner_reference": "order_500", "partner_user_id": "user_9"}))
        .await;

    // The widget learns what it must lock.
    let (status, checkout) = srv.get("/api/checkout", Some(&token)).await;
    assert_eq!(status, 200, "{checkout}");
    assert_eq!(checkout["checkout_id"], checkout_id.as_str());
    assert_eq!(checkout["status"], "open");
    assert_eq!(checkout["bindings"]["amount"], "500.00");
    assert_eq!(checkout["bindings"]["destination_address"], DEST);

    let attacks = [
        (with(firm("10.00"), "amount", json!("10.00")), "amount"),
        (with(firm("500.00"), "destination_address", json!("T-attacker-wallet")), "destination_address"),
        (with(firm("500.00"), "partner_reference", json!("order_other")), "partner_reference"),
        (with(firm("500.00"), "network", json!("ethereum")), "network"),
        (with(with(firm("500.00"), "pool_id", json!("USD-USDC")), "currency", json!("USD")), "pool_id"),
        (with(firm("10.00"), "quote_type", json!("indicative")), "amount"),
    ];
    for (body, field) in attacks {
        let (status, refused) = srv.post("/api/quotes", Some(&token), body.clone()).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str(), refused["error"]["field"].as_str()),
            (422, Some("field_locked"), Some(field)),
            "{body}"
        );
    }
    assert_eq!(stored_quotes(srv).await, 0, "nothing refused reached 0Pools or the database");

    // The bound destination and reference are the partner's even when the browser leaves them out.
    let mut body = firm("500");
    body.as_object_mut().unwrap().remove("destination_address");
    let (status, quote) = srv.post("/api/quotes", Some(&token), body).await;
    assert_eq!(status, 200, "{quote}");
    assert_eq!(quote["terms"]["destination_address"], DEST);
    let row = store::quote(&srv.state.store.db, quote["quote_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!((row.partner_reference.as_deref(), row.checkout_id.as_str()), (Some("order_500"), checkout_id.as_str()));
}

#[tokio::test]
async fn only_the_partner_writes_the_order_reference_outside_demo_mode() {
    // A checkout minted without a reference: the widget may not give it one.
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    let naming = with(firm("100"), "partner_reference", json!("order_forged"));
    let (status, refused) = srv.post("/api/quotes", Some(&token), naming.clone()).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str(), refused["error"]["field"].as_str()),
        (422, Some("field_locked"), Some("partner_reference")),
        "{refused}"
    );
    assert_eq!(stored_quotes(srv).await, 0);
    let (status, quote) = srv.post("/api/quotes", Some(&token), firm("100")).await;
    assert_eq!(status, 200, "without a reference the quote is given: {quote}");
    let row = store::quote(srv.db(), quote["quote_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(row.partner_reference, None);

    // The partner sets it when minting, through /api/sessions too.
    let (status, session) = srv.post("/api/sessions", Some(PARTNER_KEY), json!({"partner_reference": "order_77"})).await;
    assert_eq!(status, 201, "{session}");
    let (_, quote) = srv.post("/api/quotes", Some(session["session_token"].as_str().unwrap()), firm("100")).await;
    let row = store::quote(srv.db(), quote["quote_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(row.partner_reference.as_deref(), Some("order_77"));

    // In demo mode the page is the demo shop's backend: it may name the order.
    let demo = stack(|_| {}, |settings| settings.demo = true).await;
    let (status, anonymous) = demo.server.post("/api/sessions", None, json!({})).await;
    assert_eq!(status, 201, "{anonymous}");
    let (status, quote) = demo.server.post("/api/quotes", Some(anonymous["session_token"].as_str().unwrap()), naming).await;
    assert_eq!(status, 200, "{quote}");
}

#[tokio::test]
async fn one_partner_reference_is_one_checkout() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let order = json!({"pool_id": "EUR-USDT", "amount": "100.00", "currency": "EUR", "partner_reference": "order_1"});
    let (status, first) = srv.post("/api/checkouts", Some(PARTNER_KEY), order.clone()).await;
    assert_eq!(status, 201, "{first}");
    // The same order again (a retry of the partner's call): the same checkout, a fresh token.
    let (status, again) = srv.post("/api/checkouts", Some(PARTNER_KEY), order.clone()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["checkout"]["checkout_id"], first["checkout"]["checkout_id"]);
    assert_ne!(again["client_token"], first["client_token"]);
    // The same reference for other terms is refused.
    let (status, conflict) = srv.post("/api/checkouts", Some(PARTNER_KEY), with(order, "amount", json!("900.00"))).await;
    assert_eq!((status, conflict["error"]["code"].as_str()), (409, Some("partner_reference_conflict")));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM checkouts").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(count, 1);
    // One session per token handed out: none for the refused call's checkout, which was never stored.
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(sessions, 2);

    // Minting is the partner's alone, and bad bindings name their field.
    let (status, body) = srv.post("/api/checkouts", None, json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("partner_key_invalid")));
    let (status, body) = srv.post("/api/checkouts", Some(first["client_token"].as_str().unwrap()), json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("partner_key_invalid")), "a client token is not a partner key");
    // 400: the body breaks its documented schema; 422 field_conflict: it reads, but
    // does not fit together or with the pools.
    for (body, status, field) in [
        (json!({"pool_id": "DOGE-USDT"}), 422, "pool_id"),
        (json!({"amount": "100"}), 400, "currency"),
        (json!({"amount": "100", "amount_min": "50", "currency": "EUR"}), 400, "amount"),
        (json!({"amount_min": "50", "amount_max": "10", "currency": "EUR"}), 422, "amount_min"),
        (json!({"amount": "-1", "currency": "EUR"}), 400, "amount"),
        (json!({"pool_id": "EUR-USDT", "network": "solana"}), 422, "network"),
        (json!({"pool_id": "EUR-USDT", "currency": "JPY"}), 422, "currency"),
        (json!({"side": "sideways"}), 400, "side"),
        (json!({"pool_id": "EUR-USDT", "side": "BUY"}), 400, "side"),
        (json!({"amount": 100, "currency": "EUR"}), 400, "amount"),
        // The documented decimal pattern: digits, one point. No exponent, no separators.
        (json!({"amount": "1e3", "currency": "EUR"}), 400, "amount"),
        (json!({"amount": "1_000", "currency": "EUR"}), 400, "amount"),
        (json!({"amount_max": "5E3", "currency": "EUR"}), 400, "amount_max"),
        (json!({"surprise": true}), 400, "surprise"),
        (json!({"expires_in_secs": 5}), 400, "expires_in_secs"),
        (json!({"expires_in_secs": 600.5}), 400, "expires_in_secs"),
        (json!({"partner_reference": "  "}), 400, "partner_reference"),
    ] {
        let (got, refused) = srv.post("/api/checkouts", Some(PARTNER_KEY), body.clone()).await;
        assert_eq!((got, refused["error"]["field"].as_str()), (status, Some(field)), "{body} → {refused}");
        assert_eq!(refused["error"]["code"], if status == 422 { "field_conflict" } else { "invalid_field" }, "{body}");
    }
    // JSON Schema's integer: 600.0 is 600. No body at all is an unbound checkout.
    let (status, whole) = srv.post("/api/checkouts", Some(PARTNER_KEY), json!({"expires_in_secs": 600.0})).await;
    assert_eq!(status, 201, "{whole}");
    let r = srv.http.post(format!("{}/api/checkouts", srv.url)).bearer_auth(PARTNER_KEY).send().await.unwrap();
    assert_eq!(r.status(), 201);
    // A bound side and the checkout's status come back as the wire's words.
    let (status, sell) = srv.post("/api/checkouts", Some(PARTNER_KEY), json!({"pool_id": "EUR-USDT", "side": "sell"})).await;
    assert_eq!(status, 201, "{sell}");
    assert_eq!((sell["checkout"]["bindings"]["side"].as_str(), sell["checkout"]["status"].as_str()), (Some("sell"), Some("open")));
}

#[tokio::test]
async fn a_checkout_converts_once_and_its_partner_reads_the_outcome_from_the_server() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (checkout_id, token) = srv.checkout(json!({"partner_reference": "order_once"})).await;
    let a = srv.post("/api/quotes", Some(&token), firm("100.00")).await.1["quote_id"].as_str().unwrap().to_owned();
    let b = srv.post("/api/quotes", Some(&token), firm("100.00")).await.1["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = srv.post(&format!("/api/quotes/{a}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    // A second live quote of the same checkout answers the existing trade, never a second conversion.
    let (status, same) = srv.post(&format!("/api/quotes/{b}/accept"), Some(&token), json!({})).await;
    assert_eq!((status, &same["trade_id"]), (200, &trade["trade_id"]));
    assert_eq!(s.sandbox.sandbox.transact_requests(), 1);
    let (status, refused) = srv.post("/api/quotes", Some(&token), with(firm("100.00"), "quote_type", json!("indicative"))).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str(), &refused["error"]["trade_id"]),
        (409, Some("checkout_converted"), &trade["trade_id"])
    );

    // The partner's backend reads the outcome (the browser cannot).
    let (status, view) = srv.get(&format!("/api/checkouts/{checkout_id}"), Some(PARTNER_KEY)).await;
    assert_eq!(status, 200);
    assert_eq!((view["status"].as_str(), &view["trade"]["trade_id"]), (Some("converted"), &trade["trade_id"]));
    assert_eq!(view["partner_reference"], "order_once");
    let (status, _) = srv.get(&format!("/api/checkouts/{checkout_id}"), Some(&token)).await;
    assert_eq!(status, 401);
    let settled = eventually(10, || async {
        let (_, v) = srv.get(&format!("/api/checkouts/{checkout_id}"), Some(PARTNER_KEY)).await;
        (v["trade"]["status"] == "settled").then_some(v)
    })
    .await;
    assert_eq!(settled["status"], "converted");
}

#[tokio::test]
async fn a_token_renewed_while_an_accept_is_unknown_sees_it_and_ends_in_exactly_one_trade() {
    // Tokens live 4 s: short enough to expire below, long enough for each token's steps on a slow machine.
    let s = stack(|_| {}, |settings| settings.session_ttl = Duration::from_secs(4)).await;
    let srv = &s.server;
    let (checkout_id, first_token) = srv.checkout(json!({"partner_reference": "order_unknown"})).await;
    let quote_id = srv.post("/api/quotes", Some(&first_token), firm("100.00")).await.1["quote_id"].as_str().unwrap().to_owned();
    // Every attempt of the accept fails before 0Pools processes it: the outcome is unknown.
    s.sandbox.set_faults(Faults { error_rate: 1.0, ..Faults::default() });
    let (status, pending) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&first_token), json!({})).await;
    assert_eq!((status, pending["error"]["code"].as_str()), (503, Some("accept_pending")));

    // The widget's token expires; the partner's backend mints a new one for the same checkout.
    eventually(10, || async { (srv.get("/api/checkout", Some(&first_token)).await.0 == 401).then_some(()) }).await;
    let (status, renewed) = srv.post(&format!("/api/checkouts/{checkout_id}/client_tokens"), Some(PARTNER_KEY), json!({})).await;
    assert_eq!(status, 201, "{renewed}");
    let token = renewed["client_token"].as_str().unwrap();
    assert_eq!(renewed["checkout"]["status"], "accepting");
    assert_eq!(renewed["checkout"]["accept_quote_id"], quote_id.as_str());

    // No new firm quote while the outcome is open; the renewed token sees the first accept.
    let (status, refused) = srv.post("/api/quotes", Some(token), firm("100.00")).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str(), refused["error"]["quote_id"].as_str()),
        (409, Some("accept_in_progress"), Some(quote_id.as_str()))
    );
    s.sandbox.set_faults(Faults::default());
    let trade = eventually(10, || async {
        let (status, t) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(token), json!({})).await;
        (status == 200).then_some(t)
    })
    .await;
    assert_eq!(s.sandbox.sandbox.trade_count(), 1, "exactly one conversion upstream");
    let (_, view) = srv.get(&format!("/api/checkouts/{checkout_id}"), Some(PARTNER_KEY)).await;
    assert_eq!(view["trade"]["trade_id"], trade["trade_id"]);
}

#[tokio::test]
async fn quote_consumed_under_our_own_key_resolves_to_the_trade_never_to_unavailable() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    // Executed with the server's own secret key but another idempotency key (as an
    // older release or an operator's script would): 0Pools now says quote_consumed.
    let upstream = s.sandbox.client.transact(&quote_id, "operator-script-key").await.unwrap().value;
    let trade = eventually(10, || async {
        let (status, t) = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
        assert!(status == 200 || status == 503, "{status} {t}");
        (status == 200).then_some(t)
    })
    .await;
    assert_eq!(trade["trade_id"], upstream.transact_id.as_str());
    assert_eq!(store::quote(&srv.state.store.db, &quote_id).await.unwrap().unwrap().status, store::QuoteStatus::Accepted);
    assert_eq!(s.sandbox.sandbox.trade_count(), 1);
}

#[tokio::test]
async fn a_permanent_upstream_refusal_ends_in_an_explained_state_with_a_support_id() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (checkout_id, token) = srv.checkout(json!({})).await;
    let quote_a = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let other = srv.session().await;
    let quote_b = srv.firm_quote(&other, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    // Quote A's idempotency key was already used for another quote: idempotency_conflict.
    s.sandbox.client.transact(&quote_b, &quote_server::trading::idempotency_key(&quote_a)).await.unwrap();
    let (status, failed) = srv.post(&format!("/api/quotes/{quote_a}/accept"), Some(&token), json!({})).await;
    assert_eq!(
        (status, failed["error"]["code"].as_str(), failed["error"]["support_id"].as_str()),
        (409, Some("accept_failed"), Some(quote_a.as_str()))
    );
    let row = store::quote(&srv.state.store.db, &quote_a).await.unwrap().unwrap();
    assert_eq!((row.status, row.accept_failure.as_deref()), (store::QuoteStatus::AcceptFailed, Some("idempotency_conflict")));
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'accept_failed' AND subject = $1")
        .bind(&quote_a)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(alerts, 1);
    // Definite, not retried: asking again gives the same answer without calling 0Pools.
    let before = s.sandbox.sandbox.transact_requests();
    assert_eq!(srv.post(&format!("/api/quotes/{quote_a}/accept"), Some(&token), json!({})).await.0, 409);
    assert_eq!(s.sandbox.sandbox.transact_requests(), before);
    // Nothing converted, so the checkout is open again for a new quote.
    let (_, view) = srv.get(&format!("/api/checkouts/{checkout_id}"), Some(PARTNER_KEY)).await;
    assert_eq!(view["status"], "open");
    assert_eq!(srv.post("/api/quotes", Some(&token), firm("100.00")).await.0, 200);
}

#[tokio::test]
async fn an_executed_trade_that_differs_from_the_quote_is_stored_as_an_exception_and_shown() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    s.sandbox.set_faults(Faults { transact_terms_drift: true, ..Faults::default() });
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let (status, trade) = srv.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    assert_eq!(trade["terms_mismatch"], json!(["target_amount"]));
    assert_ne!(trade["target_amount"], quote["terms"]["target_amount"], "the trade is shown as it really is");
    let row = store::trade(&srv.state.store.db, trade["trade_id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(row.terms_mismatch.as_deref(), Some("target_amount"));
    let alerts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'terms_mismatch'").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(alerts, 1);
    // Support sees it among the recorded alerts, under its stored word. (The ledger pass may
    // also have flagged the drifted leg by now, as a ledger_exception: that one is counted
    // by the ledger tests, and whether it has run yet is a matter of timing.)
    let (_, report) = srv.get("/api/partner/alerts", Some(PARTNER_KEY)).await;
    let recorded: Vec<_> = report["recorded"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["subject"] == trade["trade_id"] && a["kind"] != "ledger_exception")
        .map(|a| a["kind"].clone())
        .collect();
    assert_eq!(recorded, [json!("terms_mismatch")]);
    // A faithful trade has no exception.
    s.sandbox.set_faults(Faults::default());
    let token = srv.session().await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await;
    let (_, trade) = srv.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert!(trade.get("terms_mismatch").is_none(), "{trade}");
}

#[tokio::test]
async fn demo_sessions_are_limited_per_address_and_renewed_on_the_same_checkout() {
    let s = stack(
        |_| {},
        |settings| {
            settings.demo = true;
            settings.partner_api_key = None;
            settings.session_ttl = Duration::from_secs(2);
            // No slot comes back while the test runs, however slow the machine.
            settings.limits.mints_per_minute = 1;
        },
    )
    .await;
    let srv = &s.server;
    let (status, minted) = srv.post("/api/sessions", None, json!({})).await;
    assert_eq!(status, 201);
    let first = minted["session_token"].as_str().unwrap().to_owned();
    let (_, checkout) = srv.get("/api/checkout", Some(&first)).await;
    eventually(5, || async { (srv.get("/api/checkout", Some(&first)).await.0 == 401).then_some(()) }).await;
    // Renewing with the expired token keeps the checkout (and whatever it owns).
    let (status, renewed) = srv.post("/api/sessions", Some(&first), json!({})).await;
    assert_eq!(status, 201);
    let (_, again) = srv.get("/api/checkout", Some(renewed["session_token"].as_str().unwrap())).await;
    assert_eq!(again["checkout_id"], checkout["checkout_id"]);
    // A loop of anonymous mints from one address runs into its limit.
    let mut refused = 0;
    for _ in 0..20 {
        let (status, body) = srv.post("/api/sessions", None, json!({})).await;
        if status == 429 {
            assert_eq!(body["error"]["code"], "rate_limited");
            refused += 1;
        }
    }
    assert!(refused >= 10, "only the burst is minted: {refused} refused");
}

#[tokio::test]
async fn the_reconciler_never_resumes_an_accept_that_does_not_hold_its_checkout() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    let a = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let b = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let checkout = store::quote(&srv.state.store.db, &a).await.unwrap().unwrap().checkout_id;
    // A began (and holds the checkout); B is left "accepting" without the claim, as a
    // stale list or an old release could leave it.
    // (A's replica is gone: its accept lease has ended.)
    let lease = ("gone-replica", -60_000);
    assert_eq!(begin_accept_as(srv, &checkout, &a, lease).await.map(|b| b.claim), Some(store::Claim::Held));
    sqlx::query("UPDATE quotes SET status = 'accepting', accepted_at = $1, idempotency_key = $2 WHERE quote_id = $3")
        .bind(store::now())
        .bind(quote_server::trading::idempotency_key(&b))
        .bind(&b)
        .execute(&srv.state.store.db)
        .await
        .unwrap();
    srv.workers.reconcile_once().await.unwrap();
    // (The background pass may be the one that finishes it.)
    eventually(5, || async { store::trade_for_quote(&srv.state.store.db, &a).await.unwrap() }).await;
    srv.workers.reconcile_once().await.unwrap();
    assert!(store::trade_for_quote(&srv.state.store.db, &b).await.unwrap().is_none(), "the other is never executed");
    assert_eq!(s.sandbox.sandbox.trade_count(), 1);
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'accept_without_claim' AND subject = $1")
        .bind(&b)
        .fetch_one(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn an_accept_the_partner_balance_cannot_cover_ends_definitely_and_frees_the_checkout() {
    let s = stack(|c| c.starting_balances = vec![("USDT".into(), rust_decimal::Decimal::new(15_000, 2))], |_| {}).await;
    let srv = &s.server;
    let (first, second) = (srv.session().await, srv.session().await);
    let a = srv.firm_quote(&first, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let b = srv.firm_quote(&second, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    assert_eq!(srv.post(&format!("/api/quotes/{a}/accept"), Some(&first), json!({})).await.0, 200);
    let (status, refused) = srv.post(&format!("/api/quotes/{b}/accept"), Some(&second), json!({})).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("quote_not_executable")), "not a 503 retried forever");
    let row = store::quote(&srv.state.store.db, &b).await.unwrap().unwrap();
    assert_eq!((row.status, row.accept_failure.as_deref()), (store::QuoteStatus::Unavailable, Some("pool_dry")));
    // Nothing converted in that checkout: it may ask again, and hears the lane is dry.
    let again = srv.firm_quote(&second, "100.00", DEST).await;
    assert_eq!((again["available"].as_bool(), again["unavailable_reason"].as_str()), (Some(false), Some("pool_dry")));
}

/// [`begin_accept_as`] by a replica whose lease is long.
async fn begin(srv: &TestServer, checkout: &str, quote: &str) -> Option<store::Begun> {
    begin_accept_as(srv, checkout, quote, ("this-replica", 3_600_000)).await
}

/// The usual accept needs no read first: beginning it says, in one statement, whether
/// the quote is an active, unexpired quote of this checkout (on either store).
#[tokio::test]
async fn an_accept_begins_only_for_an_active_unexpired_quote_of_its_own_checkout() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let (mine, theirs) = (srv.session().await, srv.session().await);
    let a = srv.firm_quote(&mine, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let b = srv.firm_quote(&mine, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let foreign = srv.firm_quote(&theirs, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let checkout = store::quote(&srv.state.store.db, &a).await.unwrap().unwrap().checkout_id;

    assert!(begin(srv, &checkout, &foreign).await.is_none(), "another checkout's quote");
    assert!(begin(srv, &checkout, "pq_unknown").await.is_none(), "an unknown quote");
    let expires_at = store::quote(&srv.state.store.db, &b).await.unwrap().unwrap().expires_at;
    let set_expiry = |at: Option<String>| {
        sqlx::query("UPDATE quotes SET expires_at = $1 WHERE quote_id = $2").bind(at).bind(b.clone()).execute(&srv.state.store.db)
    };
    set_expiry(Some("2000-01-01T00:00:00.000Z".into())).await.unwrap();
    assert!(begin(srv, &checkout, &b).await.is_none(), "an expired quote");
    set_expiry(expires_at).await.unwrap();

    let begun = begin(srv, &checkout, &a).await.expect("an active quote of this checkout begins");
    assert_eq!(begun.claim, store::Claim::Held);
    assert_eq!((begun.quote.quote_id.as_str(), begun.quote.status.as_str()), (a.as_str(), "active"), "the quote as found");
    let stored = store::quote(&srv.state.store.db, &a).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.accept_lease_holder.as_deref()), (store::QuoteStatus::Accepting, Some("this-replica")));
    assert!(begin(srv, &checkout, &a).await.is_none(), "no longer active: the caller reads why");
    let second = begin(srv, &checkout, &b).await.expect("b is still active");
    assert_eq!(second.claim, store::Claim::Taken { quote_id: a.clone(), trade_id: None }, "the checkout's one conversion is a's");
    assert_eq!(store::quote(&srv.state.store.db, &b).await.unwrap().unwrap().status, store::QuoteStatus::Active);
}

#[tokio::test]
async fn in_demo_mode_an_order_belongs_to_the_browser_that_made_it() {
    let s = stack(|_| {}, |settings| settings.demo = true).await;
    let srv = &s.server;
    let order_of = |cookie: Option<String>, order: Option<String>| {
        let mut request = srv.http.post(format!("{}/demo/checkouts", srv.url)).json(&json!({"order": order}));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let first = order_of(None, None).await.unwrap();
    assert_eq!(first.status(), 200);
    let set = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    let order = first["order"].as_str().unwrap().to_owned();

    // The same browser, reloading: the same checkout.
    let again: Value = order_of(Some(cookie.clone()), Some(order.clone())).await.unwrap().json().await.unwrap();
    assert_eq!(again["checkout_id"], first["checkout_id"]);

    // Another browser, with the order's number (guessed or shared): never its checkout.
    for other in [None, Some("qw_demo_browser=0123456789abcdef0123456789abcdef".to_owned())] {
        let taken = order_of(other, Some(order.clone())).await.unwrap();
        assert_eq!(taken.status(), 404);
        let body: Value = taken.json().await.unwrap();
        assert_eq!(body["error"]["code"], "checkout_not_found", "{body}");
        assert!(body.get("client_token").is_none());
    }
}
