//! Resource limits, housekeeping, outgoing webhooks and fail-closed start-up: each
//! test is an abuse or a misconfiguration the server must withstand.

use quote_server::store;
use quote_testkit::harness::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zeropools_sandbox::Faults;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

#[tokio::test]
async fn a_loop_of_new_sessions_and_firm_quotes_hits_the_mint_limit_and_0pools_gets_at_most_the_budget() {
    let s = stack(
        |_| {},
        |settings| {
            settings.demo = true;
            settings.partner_api_key = None;
            settings.limits.upstream_quotes_per_second = 5;
            // One mint a minute after the burst of 10: the loop takes seconds, so no slot
            // comes back while it runs, however slow the machine.
            settings.limits.mints_per_minute = 1;
        },
    )
    .await;
    let srv = &s.server;
    let before = s.sandbox.sandbox.quote_requests();
    let started = Instant::now();
    let (mut minted, mut refused, mut busy, mut served) = (0, 0, 0, 0);
    for _ in 0..30 {
        let (status, session) = srv.post("/api/sessions", None, json!({})).await;
        if status == 429 {
            refused += 1;
            continue;
        }
        assert_eq!(status, 201, "{session}");
        minted += 1;
        let token = session["session_token"].as_str().unwrap().to_owned();
        for _ in 0..20 {
            let body = srv.firm_quote(&token, "100.00", DEST).await;
            match body["unavailable_reason"].as_str() {
                Some("busy") => {
                    assert!(body["retry_after_ms"].as_u64().unwrap() >= 1000);
                    busy += 1;
                }
                _ => served += 1,
            }
        }
    }
    assert_eq!((minted, refused), (10, 20), "one address mints its burst, then is refused");
    let upstream = s.sandbox.sandbox.quote_requests() - before;
    // Burst of 5, then 5 a second.
    let allowed = 5 + (started.elapsed().as_secs_f64() * 5.0).ceil() as u64;
    assert!(upstream <= allowed, "0Pools received {upstream} quote calls, the budget allows {allowed}");
    // Every quote served went to 0Pools once; everything past the budget was answered busy.
    assert_eq!(busy + served, 200);
    assert!(served <= upstream, "{served} served from {upstream} upstream calls");
    assert!(busy > 0, "the rest were answered busy, fail-soft: {busy} busy, {served} served");
}

#[tokio::test]
async fn a_broken_date_header_neither_expires_quotes_on_arrival_nor_goes_unnoticed() {
    let s = stack(|_| {}, |_| {}).await;
    s.sandbox.set_faults(Faults { bad_date_header: true, ..Faults::default() });
    let token = s.server.session().await;
    let quote = s.server.firm_quote(&token, "100.00", DEST).await;
    let expires = chrono::DateTime::parse_from_rfc3339(quote["terms"]["expires_at"].as_str().unwrap()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(quote["server_time"].as_str().unwrap()).unwrap();
    let window = (expires - now).num_milliseconds();
    assert!((10_000..=16_000).contains(&window), "the quote's own 15 s window, less the time the answer took: {window} ms");
    let (status, _) = s.server.post(&format!("/api/quotes/{}/accept", quote["quote_id"].as_str().unwrap()), Some(&token), json!({})).await;
    assert_eq!(status, 200);
    let alerts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE kind = 'upstream_clock'").fetch_one(&s.server.state.store.db).await.unwrap();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn live_streams_are_capped_per_checkout_and_freed_when_closed() {
    let s = stack(|c| c.settle_delay = Duration::from_secs(600), |settings| settings.limits.sse_per_checkout = 2).await;
    let srv = &s.server;
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let accepted = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1;
    let trade_id = accepted["trade_id"].as_str().unwrap_or_else(|| panic!("the accept answered {accepted}")).to_owned();
    let open = || srv.http.get(format!("{}/api/trades/{trade_id}/events", srv.url)).bearer_auth(&token).send();
    let first = open().await.unwrap();
    let second = open().await.unwrap();
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    let third = open().await.unwrap();
    assert_eq!(third.status(), 429);
    assert_eq!(third.json::<Value>().await.unwrap()["error"]["code"], "too_many_streams");
    drop(first);
    eventually(5, || async { (open().await.unwrap().status() == 200).then_some(()) }).await;
    drop(second);
}

#[tokio::test]
async fn the_sweep_expires_quotes_and_retention_deletes_all_but_trades_and_their_evidence() {
    // Long enough for the accept to land on a busy machine (the tests of this file run
    // at once), short enough to wait out for the unaccepted quote.
    let s = stack(|c| c.quote_window = Duration::from_millis(3000), |settings| settings.retention = Duration::ZERO).await;
    let srv = &s.server;
    let (token, other) = (srv.session().await, srv.session().await);
    let unaccepted = srv.firm_quote(&other, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let kept = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let trade = srv.post(&format!("/api/quotes/{kept}/accept"), Some(&token), json!({})).await.1;
    let trade_id = trade["trade_id"].as_str().unwrap_or_else(|| panic!("the accept answered {trade}")).to_owned();
    eventually(10, || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE transact_id = $1")
            .bind(&trade_id)
            .fetch_one(&srv.state.store.db)
            .await
            .unwrap();
        (n >= 2).then_some(())
    })
    .await;
    eventually(5, || async {
        (store::now() > store::quote(&srv.state.store.db, &unaccepted).await.unwrap().unwrap().expires_at.unwrap()).then_some(())
    })
    .await;

    let report = srv.workers.sweep_once().await.unwrap();
    assert!(report.quotes_expired >= 1, "{report:?}");
    // (The server's own sweep also runs once at start: on a slow machine it may come after
    // the webhooks and empty their bodies first, so those are checked as they end up, below.)
    assert!(report.purged.quotes >= 1, "{report:?}");
    assert!(store::quote(&srv.state.store.db, &unaccepted).await.unwrap().is_none(), "an unaccepted quote is deleted");
    let row = store::trade(&srv.state.store.db, &trade_id).await.unwrap().expect("trades are never deleted");
    assert!(store::quote(&srv.state.store.db, &row.quote_id).await.unwrap().is_some(), "nor the quote a trade was made from");
    assert_eq!(quote_testkit::rows::trade_history(&srv.state.store.db, &trade_id).await.unwrap().len(), 2);
    let (status, view) = srv.get(&format!("/api/trades/{trade_id}"), Some(PARTNER_KEY)).await;
    assert_eq!(status, 401, "{view}");
    let events: Vec<(String, String)> = sqlx::query_as("SELECT event_id, body FROM webhook_events WHERE transact_id = $1")
        .bind(&trade_id)
        .fetch_all(&srv.state.store.db)
        .await
        .unwrap();
    assert!(events.len() >= 2 && events.iter().all(|(_, body)| body.is_empty()), "event ids kept as evidence, bodies gone");
}

#[tokio::test]
async fn checkouts_that_expired_without_converting_are_deleted_after_retention() {
    let s = stack(|_| {}, |settings| settings.retention = Duration::from_secs(3_600)).await;
    let srv = &s.server;
    let (unconverted, token) = srv.checkout(json!({"partner_reference": "order_gone"})).await;
    srv.firm_quote(&token, "100.00", DEST).await;
    let (converted, token) = srv.checkout(json!({"partner_reference": "order_paid"})).await;
    let quote = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    assert_eq!(srv.post(&format!("/api/quotes/{quote}/accept"), Some(&token), json!({})).await.0, 200);
    let (fresh, _) = srv.checkout(json!({"partner_reference": "order_new"})).await;
    // Both older ones expired two hours ago, past the hour of retention.
    let long_ago = store::timestamp(chrono::Utc::now() - chrono::Duration::hours(2));
    for table in ["checkouts", "sessions"] {
        sqlx::query(&format!("UPDATE {table} SET expires_at = $1 WHERE checkout_id IN ($2, $3)"))
            .bind(&long_ago)
            .bind(&unconverted)
            .bind(&converted)
            .execute(srv.db())
            .await
            .unwrap();
    }
    sqlx::query("UPDATE quotes SET created_at = $1, expires_at = $1 WHERE checkout_id IN ($2, $3)")
        .bind(&long_ago)
        .bind(&unconverted)
        .bind(&converted)
        .execute(srv.db())
        .await
        .unwrap();
    let report = srv.workers.sweep_once().await.unwrap();
    assert_eq!(report.purged.checkouts, 1, "{report:?}");
    assert!(store::checkout(srv.db(), &unconverted).await.unwrap().is_none(), "expired, never converted: deleted");
    assert!(store::checkout(srv.db(), &converted).await.unwrap().is_some(), "a converted checkout is kept with its trade");
    assert!(store::checkout(srv.db(), &fresh).await.unwrap().is_some(), "a live one is kept");
}

/// Retention never deletes a quote that can still be accepted, however short it is
/// (a sweep racing a fresh quote with a zero retention used to).
#[tokio::test]
async fn retention_keeps_a_quote_until_it_expired() {
    let s = stack(|_| {}, |_| {}).await;
    let srv = &s.server;
    let token = srv.session().await;
    let live = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let after_it = store::timestamp(chrono::Utc::now() + chrono::Duration::seconds(1));
    assert_eq!(store::purge_before(&srv.state.store.db, &after_it).await.unwrap().quotes, 0);
    assert!(store::quote(&srv.state.store.db, &live).await.unwrap().is_some(), "still executable: kept");
    sqlx::query("UPDATE quotes SET expires_at = $1 WHERE quote_id = $2")
        .bind("2000-01-01T00:00:00.000Z")
        .bind(&live)
        .execute(&srv.state.store.db)
        .await
        .unwrap();
    assert_eq!(
        store::purge_before(&srv.state.store.db, &after_it).await.unwrap().quotes,
        1,
        "past its window (not yet marked expired): deleted"
    );
}

#[tokio::test]
async fn the_partners_backend_gets_signed_deduplicable_webhooks_retried_until_it_answers() {
    let mut receiver = webhook_receiver(1).await;
    let secret = PARTNER_WEBHOOK_SECRET;
    let url = receiver.url.clone();
    let s = stack(|_| {}, move |settings| settings.partner_webhook = Some((url, SecretString::from(secret)))).await;
    let srv = &s.server;
    let (checkout_id, token) = srv.checkout(json!({"partner_reference": "order_42"})).await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let accepted = srv.post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await.1;
    let trade_id = accepted["trade_id"].as_str().unwrap_or_else(|| panic!("the accept answered {accepted}")).to_owned();

    let mut seen = Vec::new();
    let count = |seen: &[(String, String)], kind: &str| seen.iter().filter(|(t, _)| t == kind).count();
    while count(&seen, "trade.settled") < 1 || count(&seen, "trade.reserved") < 2 {
        let delivery = receiver.next(15).await;
        verify_standard_webhook(secret, &delivery.headers, &delivery.body).expect("signed with the partner secret");
        let other = "whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQtb2YtMzItYnl0ZXM=";
        assert!(verify_standard_webhook(other, &delivery.headers, &delivery.body).is_err(), "not with another secret");
        assert_eq!(delivery.headers["webhook-id"].to_str().unwrap(), delivery.json()["event_id"], "webhook-id is the event id");
        let event = delivery.json();
        assert_eq!(event["data"]["checkout_id"], checkout_id.as_str());
        assert_eq!(event["data"]["trade"]["trade_id"], trade_id.as_str());
        assert_eq!(event["data"]["trade"]["partner_reference"], "order_42");
        seen.push((event["type"].as_str().unwrap().to_owned(), event["event_id"].as_str().unwrap().to_owned()));
    }
    // The first delivery was refused (500) and retried with the same event id; the
    // settled event may overtake that retry (partners order by the trade's status).
    assert_eq!(seen[0].0, "trade.reserved");
    let reserved: Vec<_> = seen.iter().filter(|(t, _)| t == "trade.reserved").collect();
    assert_eq!(reserved[0], reserved[1], "a retry carries the same event_id");
    assert_eq!(seen.len(), 3, "{seen:?}");
    eventually(5, || async {
        let undelivered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM partner_events WHERE delivered_at IS NULL")
            .fetch_one(&srv.state.store.db)
            .await
            .unwrap();
        (undelivered == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn client_request_ids_are_checked_before_they_reach_a_log() {
    let s = stack(|_| {}, |_| {}).await;
    let echo = |id: &'static str| {
        let req = s.server.http.get(format!("{}/healthz", s.server.url)).header("x-request-id", id);
        async move { req.send().await.unwrap().headers()["x-request-id"].to_str().unwrap().to_owned() }
    };
    assert_eq!(echo("checkout-7f3a:retry.2").await, "checkout-7f3a:retry.2");
    for bad in ["id with spaces", "a\"b", "x;rm -rf", "{\"json\":1}"] {
        let got = echo(bad).await;
        assert_ne!(got, bad);
        assert!(uuid::Uuid::parse_str(&got).is_ok(), "replaced by our own id: {got}");
    }
    let long: &'static str = Box::leak("a".repeat(300).into_boxed_str());
    assert_eq!(echo(long).await.len(), 36);
}

/// Runs the real binary with only these settings; (exit code, stderr).
fn start_with(vars: &[(&str, &str)], cwd: &std::path::Path) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_quote-server"));
    command
        .arg("run")
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LISTEN_ADDR", "127.0.0.1:0");
    for (k, v) in vars {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn start_up_refuses_every_misconfiguration_with_a_clear_message_and_no_panic() {
    let cwd = tempfile::tempdir().unwrap();
    let empty = cwd.path().join("empty-secret");
    std::fs::write(&empty, "\n").unwrap();
    let empty = empty.to_str().unwrap().to_owned();
    let sandbox = ("EMBEDDED_SANDBOX", "true");
    // (environment, exit code, what stderr must say)
    type Case<'a> = (Vec<(&'a str, &'a str)>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (vec![], 78, "ZEROPOOLS_BASE_URL: is required"),
        (vec![sandbox, ("ZEROPOOLS_SECRET_KEY", "sk_live_0123456789abcdef")], 78, "ZEROPOOLS_SECRET_KEY: is a live key"),
        (vec![sandbox, ("ZEROPOOLS_WEBHOOK_SECRET_FILE", &empty)], 78, "ZEROPOOLS_WEBHOOK_SECRET: is empty"),
        (vec![sandbox, ("ZEROPOOLS_WEBHOOK_SECRET", "short")], 78, "ZEROPOOLS_WEBHOOK_SECRET: is too short"),
        (vec![sandbox, ("CORS_ALLOWED_ORIGINS", "*")], 78, "CORS_ALLOWED_ORIGINS: a wildcard"),
        (vec![sandbox, ("DATABASE_URL", "postgres://app:secret@localhost/")], 78, "DATABASE_URL: names no Postgres database"),
        (
            vec![sandbox, ("DATABASE_URL", "mysql://app:secret@localhost/quotes")],
            78,
            "DATABASE_URL: \"localhost/quotes\" is not a database URL",
        ),
        (vec![sandbox, ("PARTNER_API_KEY", "123")], 78, "PARTNER_API_KEY"),
        (
            vec![("ZEROPOOLS_BASE_URL", "https://api.0pools.example"), ("ZEROPOOLS_SECRET_KEY", "sk_live_0123456789abcdef")],
            78,
            "ZEROPOOLS_WEBHOOK_SECRET: is required",
        ),
        (vec![sandbox, ("SESSION_TTL_SECS", "99999999999999999999")], 2, "SESSION_TTL_SECS"),
        (vec![sandbox, ("QUOTE_RATE_PER_MINUTE", "0")], 2, "QUOTE_RATE_PER_MINUTE"),
        (vec![sandbox, ("RECONCILE_INTERVAL_MS", "-5")], 2, "RECONCILE_INTERVAL_MS"),
    ];
    for (vars, code, message) in cases {
        let (got, stderr) = start_with(&vars, cwd.path());
        assert_eq!(got, Some(code), "{vars:?}: {stderr}");
        assert!(stderr.contains(message), "{vars:?} should say {message:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for secret in ["sk_live_0123456789abcdef", "app:secret"] {
            assert!(!stderr.contains(secret), "{stderr}");
        }
    }
    let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no stray database file was created: {left:?}");
}

#[test]
fn start_up_prints_each_setting_with_secrets_redacted() {
    let cwd = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_quote-server"))
        .arg("run")
        .current_dir(cwd.path())
        .env_clear()
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env("EMBEDDED_SANDBOX", "true")
        .env("DATABASE_URL", "sqlite://db/test.db")
        .env("ZEROPOOLS_SECRET_KEY", "sk_test_0123456789abcdef")
        .env("ZEROPOOLS_WEBHOOK_SECRET", "whsec_0123456789abcdef")
        .env("PARTNER_API_KEY", "pk_0123456789abcdef")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert!(line.starts_with("Quote widget ready at http://127.0.0.1:"), "{line}");
    // What an orchestrator sends: SIGTERM stops the server gracefully, exit code 0.
    let term = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("stopping: readiness fails"), "{stderr}");
    for expected in [
        "mode: production",
        "0Pools: embedded test-mode sandbox",
        "0Pools secret key: test key (redacted)",
        "partner API key: set (redacted)",
        "limits:",
        "retention:",
    ] {
        assert!(stderr.contains(expected), "{expected:?} missing from:\n{stderr}");
    }
    for secret in ["sk_test_0123456789abcdef", "whsec_0123456789abcdef", "pk_0123456789abcdef"] {
        assert!(!stderr.contains(secret), "a secret was printed:\n{stderr}");
    }
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off_and_connections_are_capped() {
    let s = stack(
        |_| {},
        |settings| {
            settings.serve.header_read_timeout = Duration::from_millis(500);
            settings.serve.idle_timeout = Duration::from_millis(800);
            settings.serve.max_connections = 16;
        },
    )
    .await;
    let addr = s.server.url.trim_start_matches("http://").to_owned();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = Instant::now();
    let mut buffer = Vec::new();
    // The server closes the connection (maybe with a 408) instead of waiting forever.
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer)).await.expect("closed by the server");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Silent connections are closed after the timeout too: they cannot hold the cap.
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut nothing = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut nothing)).await.expect("a silent connection is closed");

    // Beyond the cap, new connections are closed at once; below it, served. (On a server whose
    // timeouts are long, so a stall of the machine cannot close held connections and free slots.)
    let s = stack(|_| {}, |settings| settings.serve.max_connections = 16).await;
    let addr = s.server.url.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..16 {
        held.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let mut extra = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut answer)).await.expect("closed at once");
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"), "no answer beyond the cap");
    drop(held);
    eventually(5, || async { s.server.http.get(format!("{}/healthz", s.server.url)).send().await.ok().filter(|r| r.status() == 200) })
        .await;
}

#[tokio::test]
async fn outside_demo_mode_the_embedded_sandbox_cannot_be_forged_with_its_documented_secrets() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("forge.db").display());
    let build = |demo: bool| {
        let mut argv = vec!["quote-server", "--embedded-sandbox", "--database-url", database.as_str(), "--listen", "127.0.0.1:0"];
        if demo {
            argv.push("--demo");
        }
        quote_server::config::Cli::try_parse_from(argv).unwrap().server.validate().unwrap()
    };
    let documented = quote_server::config::SANDBOX_DEFAULT_WEBHOOK_SECRET;

    // Not a demo: the key and webhook secret are made per process, never the documented ones.
    let config = build(false);
    let (first_key, second_key) = (config.secret_key.expose_secret().to_owned(), build(false).secret_key.expose_secret().to_owned());
    assert!(first_key.starts_with("sk_test_") && first_key != quote_server::config::SANDBOX_DEFAULT_KEY);
    assert_ne!(first_key, second_key, "a fresh key per process");
    assert_ne!(config.settings.webhook_secret.expose_secret(), documented);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = quote_server::app::Application::build(quote_server::app::Parts::from_config(config, listener)).await.unwrap().spawn();
    let srv = TestServer::serving(running);
    let body = r#"{"event_id":"evt_forged","type":"trade.settled","created_at":"2026-12-01T00:00:00Z","data":{"transact_id":"pt_x","quote_id":"pq_x","status":"settled"}}"#;
    let forged = quote_server::zeropools::signature::sign(&SecretString::from(documented), chrono::Utc::now().timestamp(), body.as_bytes());
    let r = srv.http.post(format!("{}/webhooks/0pools", srv.url)).header("0Pools-Signature", forged).body(body).send().await.unwrap();
    assert_eq!(r.status(), 401, "a webhook signed with the documented secret is refused");
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "signature_mismatch");
    srv.kill().await;

    // A demo keeps the documented ones (the standalone sandbox does too).
    let demo = build(true);
    assert_eq!(demo.secret_key.expose_secret(), quote_server::config::SANDBOX_DEFAULT_KEY);
    assert_eq!(demo.settings.webhook_secret.expose_secret(), documented);
}
