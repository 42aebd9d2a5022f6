//! Thousands of generated requests, most of them malformed, over real HTTP against
//! every route the server's own OpenAPI document lists (the router makes it, so a new
//! route is fuzzed without anyone adding it here): wrong methods, odd ids, missing or forged credentials, bodies of the
//! wrong shape, type, size or encoding. Not one may answer 5xx, and the server must
//! still be up and correct afterwards.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use quote_testkit::harness::*;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const CASES: u32 = 5_200;

/// One route as the server's own OpenAPI document lists it (the document is made by
/// the router that serves the routes, so a route cannot be missing here): its method,
/// and its path with every path and query parameter written `{name}`.
#[derive(Debug, Clone)]
struct Route {
    method: reqwest::Method,
    template: String,
}

/// Every operation of the document at `/api/openapi.json`, and the document itself.
async fn routes_of(url: &str) -> Vec<Route> {
    let doc: Value = reqwest::get(format!("{url}/api/openapi.json")).await.unwrap().json().await.unwrap();
    let mut routes = vec![Route { method: reqwest::Method::GET, template: "/api/openapi.json".into() }];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = method.to_ascii_uppercase().parse::<reqwest::Method>() else { continue };
            let query: Vec<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| format!("{0}={{{0}}}", p["name"].as_str().unwrap()))
                .collect();
            let template = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
            routes.push(Route { method, template });
        }
    }
    routes
}

/// Field names the API knows, so generated objects reach the field checks.
const FIELDS: &[&str] = &[
    "pool_id",
    "side",
    "amount",
    "currency",
    "quote_type",
    "network",
    "destination_address",
    "partner_reference",
    "partner_user_id",
    "amount_min",
    "amount_max",
    "expires_in_secs",
    "event_id",
    "type",
    "created_at",
    "data",
    "transact_id",
    "quote_id",
    "status",
    "order",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            " ",
            "100",
            "100.00",
            "-5",
            "0",
            "1e9",
            "0.0000001",
            "99999999999999999999999",
            "NaN",
            "buy",
            "sell",
            "firm",
            "indicative",
            "EUR-USDT",
            "EUR",
            "tron",
            "solana",
            "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
            "13.01",
            "\u{0}",
            "é€😀",
            "'; DROP TABLE quotes; --",
            "../../etc/passwd",
            "%00",
            "\r\nX-Injected: 1",
        ])
        .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        (1usize..70_000).prop_map(|n| Value::from("9".repeat(n))),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned), inner.clone()), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    /// A valid quote intent with one field replaced (deep checks, not just parsing).
    Mutated(String, Value),
    Bytes(Vec<u8>),
    Truncated(usize),
    Deep(usize),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::None),
        json_value().prop_map(Body::Json),
        (prop::sample::select(FIELDS.to_vec()).prop_map(str::to_owned), scalar()).prop_map(|(k, v)| Body::Mutated(k, v)),
        prop::collection::vec(any::<u8>(), 0..200).prop_map(Body::Bytes),
        (0usize..120).prop_map(Body::Truncated),
        (1usize..5_000).prop_map(Body::Deep),
    ]
}

#[derive(Debug, Clone)]
enum Id {
    Known,
    Text(String),
}

#[derive(Debug, Clone)]
enum Auth {
    None,
    Client,
    Partner,
    Garbage(String),
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    wrong_method: bool,
    id: Id,
    auth: Auth,
    content_type: Option<&'static str>,
    body: Body,
    request_id: Option<String>,
}

fn case(routes: usize) -> impl Strategy<Value = Case> {
    (
        0..routes,
        prop::bool::weighted(0.1),
        prop_oneof![Just(Id::Known), "[A-Za-z0-9_%.~-]{0,300}".prop_map(Id::Text)],
        prop_oneof![Just(Auth::None), Just(Auth::Client), Just(Auth::Partner), "\\PC{0,60}".prop_map(Auth::Garbage)],
        prop::option::of(prop::sample::select(vec![
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin1",
        ])),
        body(),
        prop::option::of("\\PC{0,200}"),
    )
        .prop_map(|(route, wrong_method, id, auth, content_type, body, request_id)| Case {
            route,
            wrong_method,
            id,
            auth,
            content_type,
            body,
            request_id,
        })
}

struct Fixture {
    url: String,
    routes: Vec<Route>,
    http: reqwest::Client,
    client_token: String,
    checkout_id: String,
    quote_id: String,
    trade_id: String,
}

fn valid_intent() -> Value {
    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR", "quote_type": "indicative",
           "network": "tron", "destination_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"})
}

async fn send(f: &Fixture, c: &Case) -> Result<u16, String> {
    let route = &f.routes[c.route];
    let method = match (route.method.as_str(), c.wrong_method) {
        ("GET", true) => reqwest::Method::DELETE,
        (_, true) => reqwest::Method::PUT,
        _ => route.method.clone(),
    };
    let known = |name: &str| match name {
        "checkout_id" => f.checkout_id.clone(),
        "trade_id" => f.trade_id.clone(),
        _ => f.quote_id.clone(),
    };
    // Each `{name}` gets the case's id: a real one of its kind, or generated text.
    let mut path = String::new();
    let mut rest = route.template.as_str();
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').unwrap();
        path.push_str(&rest[..open]);
        path.push_str(&match &c.id {
            Id::Known => known(&rest[open + 1..close]),
            Id::Text(t) => t.clone(),
        });
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    let template = route.template.as_str();
    let mut request = f.http.request(method, format!("{}{path}", f.url));
    request = match &c.auth {
        Auth::None => request,
        Auth::Client => request.bearer_auth(&f.client_token),
        Auth::Partner => request.bearer_auth(PARTNER_KEY),
        Auth::Garbage(g) => match reqwest::header::HeaderValue::from_str(g) {
            Ok(v) => request.header(reqwest::header::AUTHORIZATION, v),
            Err(_) => request,
        },
    };
    if let Some(ct) = c.content_type {
        request = request.header(reqwest::header::CONTENT_TYPE, ct);
    }
    if let Some(Ok(v)) = c.request_id.as_deref().map(reqwest::header::HeaderValue::from_str) {
        request = request.header("x-request-id", v);
    }
    request = match &c.body {
        Body::None => request,
        Body::Json(v) => request.body(v.to_string()),
        Body::Mutated(k, v) => {
            let mut intent = valid_intent();
            intent[k.as_str()] = v.clone();
            request.body(intent.to_string())
        }
        Body::Bytes(b) => request.body(b.clone()),
        Body::Truncated(n) => {
            let text = valid_intent().to_string();
            request.body(text[..(*n).min(text.len())].to_owned())
        }
        Body::Deep(n) => request.body(format!("{}{}", "[".repeat(*n), "]".repeat(*n))),
    };
    let response = request.timeout(std::time::Duration::from_secs(20)).send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = response.status().as_u16();
    // Streams are not read to the end; everything else is read whole.
    if !template.ends_with("/events") {
        let _ = response.bytes().await;
    }
    Ok(status)
}

#[test]
fn thousands_of_malformed_requests_get_no_5xx_and_the_server_stays_up() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // A console configured, so its sign-in routes run for real (404 without one).
    let console_files = tempfile::tempdir().unwrap();
    std::fs::write(console_files.path().join("index.html"), "console").unwrap();
    let console = quote_server::config::ConsoleSettings {
        credential: quote_server::config::ConsoleCredential::from_password("finance", &secrecy::SecretString::from("a-console-password"))
            .unwrap(),
        dir: console_files.path().to_owned(),
        session_ttl: std::time::Duration::from_secs(3600),
        cookie_secure: false,
    };
    let s = runtime.block_on(stack(
        |_| {},
        move |settings| {
            settings.console = Some(console);
            settings.demo = true;
            settings.limits.quote_burst = 100_000;
            settings.limits.quotes_per_minute = 6_000;
            settings.limits.accept_burst = 100_000;
            settings.limits.mints_per_minute = 6_000;
            settings.limits.upstream_quotes_per_second = 10_000;
            settings.limits.sse_per_checkout = 100;
        },
    ));
    let fixture = runtime.block_on(async {
        let srv = &s.server;
        let (checkout_id, client_token) = srv.checkout(json!({"partner_reference": "order_42"})).await;
        let other = srv.session().await;
        let quote_id =
            srv.firm_quote(&other, "100.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE").await["quote_id"].as_str().unwrap().to_owned();
        let trade = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&other), json!({})).await.1;
        let quote_id = srv.firm_quote(&client_token, "100.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE").await;
        // The client token's own live quote (so accept/reject paths run for real, once).
        let quote_id = quote_id.get("quote_id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let routes = routes_of(&srv.url).await;
        // Every route the router serves, demo and console ones included.
        for expected in ["/api/quotes/{quote_id}/accept", "/demo/checkouts", "/console/api/session", "/readyz"] {
            assert!(routes.iter().any(|r| r.template.starts_with(expected)), "{expected} among {routes:?}");
        }
        Fixture {
            url: srv.url.clone(),
            routes,
            // A fresh connection per request: a pooled one the server closed for idling
            // (its header-read timeout) would fail on the client's side, not the server's.
            http: reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap(),
            client_token,
            checkout_id,
            quote_id,
            trade_id: trade["trade_id"].as_str().unwrap().to_owned(),
        }
    });

    let sent = Arc::new(AtomicUsize::new(0));
    let by_class = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let result = runner.run(&case(fixture.routes.len()), |c| {
        let status = runtime.block_on(send(&fixture, &c)).map_err(TestCaseError::fail)?;
        sent.fetch_add(1, Ordering::Relaxed);
        *by_class.lock().unwrap().entry(status / 100 * 100).or_default() += 1;
        prop_assert!(status < 500, "{status} for {c:?}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let sent = sent.load(Ordering::Relaxed);
    println!("fuzz: {sent} requests, answers by class: {:?}", by_class.lock().unwrap());
    assert!(sent >= 5_000, "only {sent} requests were sent");

    // Still up, still correct.
    runtime.block_on(async {
        let srv = &s.server;
        let (status, pools) = srv.get("/api/pools", None).await;
        assert_eq!(status, 200, "{pools}");
        let token = srv.session().await;
        let quote = srv.firm_quote(&token, "100.00", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE").await;
        let (status, trade) =
            srv.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
        assert_eq!(status, 200, "{trade}");
    });
}
