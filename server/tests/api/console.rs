//! The partner console's sign-in: one configured credential (kept hashed), sessions
//! in the database behind an HttpOnly SameSite=Strict cookie, accepted by the partner
//! read API only; nothing of the console open when no credential is configured.

use quote_server::config::{ConsoleCredential, ConsoleSettings};
use quote_testkit::harness::*;
use reqwest::header::{COOKIE, SET_COOKIE};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;

const PASSWORD: &str = "finance-team-password";

fn console_at(dir: &std::path::Path) -> ConsoleSettings {
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Partner console</title>").unwrap();
    ConsoleSettings {
        credential: ConsoleCredential::from_password("finance", &SecretString::from(PASSWORD)).unwrap(),
        dir: dir.to_owned(),
        session_ttl: Duration::from_secs(3600),
        cookie_secure: true,
    }
}

async fn sign_in(srv: &TestServer, user: &str, password: &str) -> reqwest::Response {
    srv.http.post(format!("{}/console/api/session", srv.url)).json(&json!({"user": user, "password": password})).send().await.unwrap()
}

async fn get_with_cookie(srv: &TestServer, path: &str, cookie: &str) -> (u16, Value) {
    let r = srv.http.get(format!("{}{path}", srv.url)).header(COOKIE, cookie).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn without_a_configured_credential_nothing_of_the_console_is_open() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    for path in ["/console", "/console/", "/console/index.html", "/console/api/session"] {
        assert_eq!(srv.http.get(format!("{}{path}", srv.url)).send().await.unwrap().status(), 404, "{path}");
    }
    assert_eq!(sign_in(srv, "finance", PASSWORD).await.status(), 404);
    let (status, body) = srv.get("/api/partner/alerts", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("partner_key_invalid")));
    // A forged cookie means nothing either.
    let (status, _) = get_with_cookie(srv, "/api/partner/alerts", "qw_console=qwc_forged").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_signed_in_person_reads_the_partner_api_until_signing_out() {
    let files = tempfile::tempdir().unwrap();
    let console = console_at(files.path());
    let s = stack(|_| {}, move |settings| settings.console = Some(console)).await;
    let srv = &s.server;

    let (status, body) = srv.get("/api/partner/utilization", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("console_sign_in_required")));
    let page = srv.http.get(format!("{}/console/", srv.url)).send().await.unwrap();
    assert_eq!(page.status(), 200, "the sign-in page itself is public");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.text().await.unwrap().contains("Partner console"));

    for (user, password) in [("finance", "wrong-password-123"), ("support", PASSWORD), ("", "")] {
        let refused = sign_in(srv, user, password).await;
        assert_eq!(refused.status(), 401);
        assert!(refused.headers().get(SET_COOKIE).is_none());
        assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "console_credentials_invalid");
    }

    let signed = sign_in(srv, "finance", PASSWORD).await;
    assert_eq!(signed.status(), 200);
    let set_cookie = signed.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set_cookie.contains(part), "{part} missing: {set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let token = cookie.trim_start_matches("qw_console=");
    assert_eq!(signed.json::<Value>().await.unwrap()["user"], "finance");
    // Only a hash of the token is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM console_sessions").fetch_all(&srv.state.store.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);

    let (status, me) = get_with_cookie(srv, "/console/api/session", &cookie).await;
    assert_eq!((status, me["user"].as_str()), (200, Some("finance")));
    for path in ["/api/partner/utilization?window=1h", "/api/partner/alerts", "/api/partner/ledger"] {
        assert_eq!(get_with_cookie(srv, path, &cookie).await.0, 200, "{path}");
    }
    let csv = srv.http.get(format!("{}/api/partner/exports/trades.csv", srv.url)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    // Reads only: minting a checkout still takes the partner key.
    let mint = srv.http.post(format!("{}/api/checkouts", srv.url)).header(COOKIE, &cookie).json(&json!({})).send().await.unwrap();
    assert_eq!(mint.status(), 401);

    let out = srv.http.delete(format!("{}/console/api/session", srv.url)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert!(out.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    // The session ended on the server: the old cookie, replayed, reads nothing.
    let (status, body) = get_with_cookie(srv, "/api/partner/alerts", &cookie).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("console_sign_in_required")));
    assert_eq!(get_with_cookie(srv, "/console/api/session", &cookie).await.0, 401);
}

#[tokio::test]
async fn password_guessing_is_limited_per_address_and_bad_bodies_are_400() {
    let files = tempfile::tempdir().unwrap();
    let console = console_at(files.path());
    let s = stack(|_| {}, move |settings| settings.console = Some(console)).await;
    let srv = &s.server;
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(sign_in(srv, "finance", &format!("guess-number-{i}")).await.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    let limited = sign_in(srv, "finance", PASSWORD).await;
    assert_eq!(limited.status(), 429, "even the right password waits: no oracle while limited");
    assert!(limited.headers().contains_key("retry-after"));

    for body in [r#"{"user": 1, "password": "x"}"#, "not json", r#"{"user":"finance"}"#] {
        let r = srv
            .http
            .post(format!("{}/console/api/session", srv.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(status == 400 || status == 429, "{body}: {status}");
    }
}

#[tokio::test]
async fn an_expired_console_session_reads_nothing_and_the_sweep_forgets_it() {
    let files = tempfile::tempdir().unwrap();
    let console = console_at(files.path());
    let s = stack(|_| {}, move |settings| settings.console = Some(console)).await;
    let srv = &s.server;
    let signed = sign_in(srv, "finance", PASSWORD).await;
    let cookie = signed.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    sqlx::query("UPDATE console_sessions SET expires_at = '2020-01-01T00:00:00.000Z'").execute(&srv.state.store.db).await.unwrap();
    assert_eq!(get_with_cookie(srv, "/api/partner/alerts", &cookie).await.0, 401);
    let report = srv.workers.sweep_once().await.unwrap();
    // (The server's own first sweep, started with it, may have been the one.)
    assert!(report.console_sessions_ended <= 1);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM console_sessions").fetch_one(&srv.state.store.db).await.unwrap();
    assert_eq!(left, 0, "the expired console session is gone");
}

#[tokio::test]
async fn a_demo_serves_the_console_beside_its_pages() {
    let files = tempfile::tempdir().unwrap();
    let mut console = console_at(files.path());
    console.cookie_secure = false;
    let s = stack(
        |_| {},
        move |settings| {
            settings.demo = true;
            settings.console = Some(console);
        },
    )
    .await;
    let srv = &s.server;
    let redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let bare = redirect.get(format!("{}/console", srv.url)).send().await.unwrap();
    assert_eq!((bare.status().as_u16(), bare.headers()["location"].to_str().unwrap()), (308, "/console/"));
    let page = srv.http.get(format!("{}/console/", srv.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Partner console"));
    let signed = sign_in(srv, "finance", PASSWORD).await;
    assert!(!signed.headers()[SET_COOKIE].to_str().unwrap().contains("Secure"), "plain-HTTP demo cookie");
}
