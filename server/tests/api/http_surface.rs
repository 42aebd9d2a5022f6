//! The HTTP surface as a client meets it: unknown paths and methods answer JSON (404,
//! 405), demo pages exist only in demo mode, CORS, request ids, health, and an
//! OpenAPI document that lists every route with every answer it can give.

use quote_testkit::harness::*;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn unknown_paths_are_404_and_demo_pages_exist_only_in_demo_mode() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("gallery")).unwrap();
    for (name, text) in [
        ("index.html", "<title>demo</title>"),
        ("gallery.html", "gallery"),
        ("embed.js", "export {}"),
        ("embed.d.ts", "export {};"),
        ("gallery/index.html", "gallery"),
        ("gallery/quote-gallery_bg.wasm", "wasm"),
    ] {
        std::fs::write(site.path().join(name), text).unwrap();
    }
    for demo in [false, true] {
        let dir = site.path().to_owned();
        let s = stack(
            |_| {},
            move |settings| {
                settings.widget_dir = dir;
                settings.demo = demo;
            },
        )
        .await;
        let status = |path: &'static str| {
            let http = s.server.http.clone();
            let url = format!("{}{path}", s.server.url);
            async move { http.get(url).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status("/embed.js").await, 200, "hosts always load the widget");
        let types = s.server.http.get(format!("{}/embed.d.ts", s.server.url)).send().await.unwrap();
        assert_eq!(types.status(), 200, "product teams always get the declarations");
        assert_eq!(types.headers()["content-type"], "application/typescript; charset=utf-8");
        for path in ["/metricz", "/typo", "/api/typo", "/.env"] {
            assert_eq!(status(path).await, 404, "{path} (demo: {demo})");
        }
        let page = if demo { 200 } else { 404 };
        for path in ["/", "/index.html", "/gallery.html", "/gallery/", "/gallery/quote-gallery_bg.wasm"] {
            assert_eq!(status(path).await, page, "{path} (demo: {demo})");
        }
        if !demo {
            for path in ["/%67allery.html", "//gallery.html", "/./index.html", "/INDEX.HTML", "/gallery.html?x=1"] {
                assert_eq!(status(path).await, 404, "{path} stays hidden outside demo mode");
            }
        }
        let (code, body) = s.server.post("/api/sessions", None, json!({})).await;
        assert_eq!(code, if demo { 201 } else { 401 }, "{body}");
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_with_every_status_links_and_real_constraints() {
    // With a console configured, so its sign-in routes answer (they are 404 without one).
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("index.html"), "console").unwrap();
    let console = quote_server::config::ConsoleSettings {
        credential: quote_server::config::ConsoleCredential::from_password("finance", &SecretString::from("a-console-password")).unwrap(),
        dir: files.path().to_owned(),
        session_ttl: Duration::from_secs(60),
        cookie_secure: true,
    };
    let s = stack(|_| {}, move |settings| settings.console = Some(console)).await;
    let (status, doc) = s.server.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let expected = [
        ("post", "/api/sessions"),
        ("post", "/api/checkouts"),
        ("get", "/api/checkouts/{checkout_id}"),
        ("post", "/api/checkouts/{checkout_id}/client_tokens"),
        ("get", "/api/checkout"),
        ("get", "/api/pools"),
        ("post", "/api/quotes"),
        ("post", "/api/quotes/{quote_id}/accept"),
        ("post", "/api/quotes/{quote_id}/reject"),
        ("get", "/api/trades/{trade_id}"),
        ("get", "/api/trades/{trade_id}/events"),
        ("post", "/webhooks/0pools"),
        ("get", "/healthz"),
        ("get", "/api/partner/utilization"),
        ("get", "/api/partner/lookup/{id}"),
        ("get", "/api/partner/alerts"),
        ("get", "/api/partner/ledger"),
        ("get", "/api/partner/exports/trades.csv"),
        ("get", "/api/partner/exports/ledger.csv"),
        ("get", "/api/partner/program"),
        ("post", "/api/partner/incidents/{incident_id}/acknowledge"),
        ("post", "/api/partner/incidents/{incident_id}/resolve"),
        ("get", "/api/partner/review"),
        ("get", "/api/partner/exports/review.csv"),
        ("get", "/runbook"),
        ("get", "/metrics"),
        ("post", "/console/api/session"),
        ("get", "/console/api/session"),
        ("delete", "/console/api/session"),
        ("get", "/readyz"),
    ];
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    assert_eq!(documented.len(), expected.len(), "{documented:?}");
    for (method, path) in expected {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        // Each documented route exists: its method is routed (not the JSON 404 of unknown paths).
        let url = format!(
            "{}{}",
            s.server.url,
            path.replace("{checkout_id}", "chk_x")
                .replace("{quote_id}", "pq_x")
                .replace("{trade_id}", "pt_x")
                .replace("{id}", "x")
                .replace("{incident_id}", "1")
        );
        let answer = s.server.http.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap();
        let code = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        assert!(code != 405 && body["error"]["code"] != "not_found", "{method} {path} is routed: {code} {body}");
        // Every refusal it can give is documented with the error body.
        let authenticated =
            operation.get("security").is_some_and(|s| s.as_array().unwrap().iter().any(|r| !r.as_object().unwrap().is_empty()));
        if authenticated && !path.starts_with("/webhooks") && path != "/api/sessions" {
            assert!(operation["responses"]["401"].is_object(), "{method} {path} documents 401");
        }
        // A control character in the address is refused before any handler: every
        // operation says so, and every string parameter's pattern rules it out.
        let bad_request = operation["responses"]["400"]["description"].as_str().unwrap_or_default();
        assert!(bad_request.contains("control character"), "{method} {path} documents the address refusal: {bad_request}");
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            if schema["type"] == "string" || schema["type"].as_array().is_some_and(|t| t.contains(&json!("string"))) {
                assert!(schema["pattern"].is_string() || schema["format"].is_string(), "{method} {path} {parameter}");
            }
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ApiErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
    // The flow can be walked from the document alone.
    assert_eq!(
        doc["paths"]["/api/quotes"]["post"]["responses"]["200"]["links"]["AcceptQuote"]["parameters"]["quote_id"],
        "$response.body#/quote_id"
    );
    assert_eq!(doc["paths"]["/api/quotes/{quote_id}/accept"]["post"]["responses"]["200"]["links"]["GetTrade"]["operationId"], "get_trade");
    assert!(doc["paths"]["/api/checkouts"]["post"]["responses"]["201"]["links"]["CreateQuote"].is_object());
    // Request schemas carry the server's real constraints.
    let quote = &doc["components"]["schemas"]["QuoteBody"];
    assert!(quote["properties"]["amount"]["pattern"].as_str().unwrap().contains("{1,6}"));
    assert!(quote["required"].as_array().unwrap().contains(&json!("amount")), "the server refuses a quote without one");
    // What one field cannot say: an exact amount or a range, and a currency with either.
    let rules = &doc["components"]["schemas"]["CreateCheckout"]["allOf"];
    assert_eq!(rules.as_array().map(Vec::len), Some(3), "{rules}");
    // Periods are date-times; the trade stream is described event by event.
    let period = &doc["paths"]["/api/partner/exports/trades.csv"]["get"]["parameters"];
    assert!(period.as_array().unwrap().iter().all(|p| p["schema"]["format"] == "date-time"), "{period}");
    let stream = &doc["paths"]["/api/trades/{trade_id}/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]["schema"];
    assert_eq!(stream["$ref"], "#/components/schemas/TradeStatusEvent");
    assert_eq!(quote["properties"]["destination_address"]["maxLength"], 200);
    assert_eq!(doc["components"]["schemas"]["Side"]["enum"], json!(["buy", "sell"]));
    assert!(doc["components"]["securitySchemes"]["partner_key"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["console_session"]["in"], "cookie");
    // Every schema the document points at is in it.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| match (k.as_str(), v) {
                ("$ref", Value::String(r)) => out.push(r.clone()),
                _ => refs(v, out),
            }),
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut pointed = Vec::new();
    refs(&doc, &mut pointed);
    assert!(pointed.len() > 50, "{pointed:?}");
    for r in pointed {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{r} is in the document");
    }
    // A support record's status is one of three vocabularies, each listed.
    let status = &doc["components"]["schemas"]["RecordStatus"]["oneOf"];
    assert_eq!(status.as_array().map(Vec::len), Some(3), "{status}");
}

#[tokio::test]
async fn cors_request_ids_health_and_openapi() {
    let s = stack(|_| {}, |settings| settings.cors_allowed_origins = vec!["https://shop.example".into()]).await;
    let srv = &s.server;
    let preflight = |origin: &'static str| {
        srv.http
            .request(reqwest::Method::OPTIONS, format!("{}/api/quotes", srv.url))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://shop.example");
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(!refused.headers().contains_key("access-control-allow-origin"));

    let health = srv.http.get(format!("{}/healthz", srv.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));

    let (status, doc) = srv.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/sessions",
        "/api/pools",
        "/api/quotes",
        "/api/quotes/{quote_id}/accept",
        "/api/quotes/{quote_id}/reject",
        "/api/trades/{trade_id}",
        "/api/trades/{trade_id}/events",
        "/webhooks/0pools",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    // Statuses and sides are documented as their words, not as any string.
    let words = |schema: &str, field: &str| {
        let mut property = &doc["components"]["schemas"][schema]["properties"][field];
        if let Some(named) = property["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            property = &doc["components"]["schemas"][named];
        }
        property["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{field} lists its words: {property}"))
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(words("RejectView", "status"), ["active", "accepting", "accepted", "expired", "rejected", "unavailable", "accept_failed"]);
    // Open vocabularies name today's words without an enum a generated client would hold to.
    for (schema, field, word) in [
        ("HistoryEvidence", "source", "`reconcile`"),
        ("RecordedAlert", "kind", "`terms_mismatch`"),
        ("ApiErrorDetail", "code", "`quote_expired`"),
    ] {
        let named = doc["components"]["schemas"][schema]["properties"][field]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .unwrap_or_else(|| panic!("{schema}.{field} is a named schema"));
        let property = &doc["components"]["schemas"][named];
        assert!(property.get("enum").is_none(), "{named} is open: {property}");
        assert!(property["description"].as_str().is_some_and(|d| d.contains(word)), "{named} names its words: {property}");
    }
    assert_eq!(words("TradeEvidence", "status"), ["reserved", "settled", "failed", "released"]);
    assert_eq!(words("QuoteEvidence", "side"), ["buy", "sell"]);
}

#[tokio::test]
async fn a_known_path_with_a_method_it_does_not_take_answers_json_405() {
    let s = stack(|_| {}, |_| {}).await;
    for (method, path) in
        [(reqwest::Method::DELETE, "/api/quotes"), (reqwest::Method::GET, "/api/quotes"), (reqwest::Method::PUT, "/api/checkouts")]
    {
        let answer = s.server.http.request(method.clone(), format!("{}{path}", s.server.url)).send().await.unwrap();
        assert_eq!(answer.status(), 405, "{method} {path}");
        assert!(answer.headers().get("allow").is_some_and(|v| v.to_str().unwrap().contains("POST")), "{method} {path} says what it takes");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "method_not_allowed", "{method} {path}");
        assert!(body["error"]["message"].as_str().unwrap().contains("openapi"));
    }
}

#[tokio::test]
async fn assets_are_served_compressed_when_asked_and_cached_by_their_names() {
    let site = tempfile::tempdir().unwrap();
    let wasm = "quote-widget-0123456789abcdef_bg.wasm";
    for (name, bytes) in [
        (wasm.to_owned(), &b"raw wasm bytes"[..]),
        (format!("{wasm}.br"), b"brotli bytes"),
        (format!("{wasm}.gz"), b"gzip bytes"),
        ("embed.js".to_owned(), b"export {}"),
        ("embed.js.br".to_owned(), b"brotli embed"),
    ] {
        std::fs::write(site.path().join(name), bytes).unwrap();
    }
    let dir = site.path().to_owned();
    let s = stack(|_| {}, move |settings| settings.widget_dir = dir).await;
    let get = |path: String, encoding: Option<&'static str>| {
        let (http, url) = (s.server.http.clone(), format!("{}{path}", s.server.url));
        async move {
            let mut request = http.get(url);
            if let Some(e) = encoding {
                request = request.header("accept-encoding", e);
            }
            let r = request.send().await.unwrap();
            let header = |name: &str| r.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
            let (encoding, cache, vary) = (header("content-encoding"), header("cache-control"), header("vary"));
            (encoding, cache, vary, r.bytes().await.unwrap().to_vec())
        }
    };
    // The best encoding the browser accepts, and only one it accepts.
    for (accepts, encoding, body) in [
        (Some("br, gzip"), Some("br"), &b"brotli bytes"[..]),
        (Some("gzip, deflate"), Some("gzip"), b"gzip bytes"),
        (Some("identity"), None, b"raw wasm bytes"),
        (None, None, b"raw wasm bytes"),
    ] {
        let (got, cache, vary, bytes) = get(format!("/{wasm}"), accepts).await;
        assert_eq!((got.as_deref(), bytes.as_slice()), (encoding, body), "accepts {accepts:?}");
        assert_eq!(cache.as_deref(), Some("public, max-age=31536000, immutable"), "a hashed name never changes");
        assert_eq!(vary.as_deref(), Some("accept-encoding"));
    }
    // The loader hosts write into their pages is revalidated, compressed or not.
    let (got, cache, _, _) = get("/embed.js".into(), Some("br")).await;
    assert_eq!((got.as_deref(), cache.as_deref()), (Some("br"), Some("no-cache")));
    let (got, cache, _, _) = get("/embed.js".into(), Some("gzip")).await;
    assert_eq!((got, cache.as_deref()), (None, Some("no-cache")), "no gzip copy: the file itself");
}
