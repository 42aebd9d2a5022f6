//! Several replicas on one Postgres database (a throwaway cluster): exactly one
//! upstream transact however the accepts of a quote are spread, trade updates from
//! one replica's webhook on another replica's live stream, one reconciler at a time,
//! and an accept finished by another replica after the one holding it is killed.

use quote_server::store;
use quote_server::zeropools::signature;
use quote_testkit::harness::*;
use quote_testkit::throwaway_postgres::ThrowawayPostgres;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zeropools_sandbox::Faults;

const DEST: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

/// `n` replicas of the server on one fresh Postgres database, all pointed at `sandbox_url`;
/// the first is bound to `first` (where the sandbox's webhooks go, when it sends any).
async fn replicas(
    n: usize,
    first: tokio::net::TcpListener,
    sandbox_url: &str,
    settings: fn(&mut quote_server::config::Settings),
) -> Vec<TestServer> {
    let url = ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    let dir = std::env::temp_dir();
    let mut servers = Vec::new();
    let mut listeners = vec![first];
    for _ in 1..n {
        listeners.push(bind().await.0);
    }
    for listener in listeners {
        let options = ServerOptions {
            db_path: dir.join("unused.db"),
            sandbox_url: sandbox_url.to_owned(),
            listener,
            reconcile_every: Duration::from_millis(100),
            settings: Box::new(settings),
        };
        let running = build_server_on(options, url.clone()).await.spawn();
        servers.push(TestServer::serving(running));
    }
    servers
}

fn lifted_limits(s: &mut quote_server::config::Settings) {
    // Hundreds of accepts from one checkout are far past its limit; lift it here.
    s.limits.accept_burst = 1_000;
    s.limits.accepts_per_minute = 60_000;
}

#[tokio::test]
async fn three_hundred_accepts_across_three_replicas_make_one_transact_and_one_trade() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let servers = replicas(3, bind().await.0, &sandbox.url, lifted_limits).await;
    let token = servers[0].session().await;
    let quote_id = servers[0].firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    // 0Pools answers slowly, so the accepts arrive while the first one's transact is in flight.
    sandbox.set_faults(Faults { latency_ms: 500, ..Faults::default() });
    let accepts = (0..300).map(|i| {
        let server = &servers[i % 3];
        let (http, url, token, quote_id) = (server.http.clone(), server.url.clone(), token.clone(), quote_id.clone());
        tokio::spawn(async move {
            let r = http.post(format!("{url}/api/quotes/{quote_id}/accept")).bearer_auth(token).send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            assert_eq!(status, 200, "{body}");
            body["trade_id"].as_str().unwrap().to_owned()
        })
    });
    let ids: std::collections::BTreeSet<_> = futures::future::join_all(accepts).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(ids.len(), 1, "every accept, on every replica, answered the same trade: {ids:?}");
    assert_eq!(sandbox.sandbox.transact_requests(), 1, "0Pools transact was called exactly once");
    assert_eq!(sandbox.sandbox.trade_count(), 1);
    let trades: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trades").fetch_one(&servers[2].state.store.db).await.unwrap();
    assert_eq!(trades, 1);
}

/// The next `event: status` of an SSE response, as JSON.
async fn next_status(response: &mut reqwest::Response, buffer: &mut String) -> Value {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                return serde_json::from_str(data.trim()).unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn a_webhook_on_replica_one_reaches_a_stream_on_replica_three_within_a_second() {
    // Trades stay reserved upstream, and the sandbox sends no webhooks: the test does.
    let mut config = sandbox_config();
    config.settle_delay = Duration::from_secs(600);
    let sandbox = start_sandbox(config).await;
    let servers = replicas(3, bind().await.0, &sandbox.url, |_| {}).await;
    let token = servers[0].session().await;
    let quote_id = servers[0].firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = servers[1].post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");
    let trade_id = trade["trade_id"].as_str().unwrap().to_owned();

    let mut stream =
        servers[2].http.get(format!("{}/api/trades/{trade_id}/events", servers[2].url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut buffer = String::new();
    assert_eq!(next_status(&mut stream, &mut buffer).await["status"], "reserved");

    let event = json!({"event_id": "evt_across", "type": "trade.settled", "created_at": "2026-11-27T12:00:00Z",
        "data": {"transact_id": trade_id, "quote_id": quote_id, "status": "settled"}});
    let raw = serde_json::to_string(&event).unwrap();
    let header = signature::sign(&SecretString::from(WEBHOOK_SECRET.to_owned()), chrono::Utc::now().timestamp(), raw.as_bytes());
    let posted = Instant::now();
    let r = servers[0]
        .http
        .post(format!("{}/webhooks/0pools", servers[0].url))
        .header("content-type", "application/json")
        .header(signature::HEADER, header)
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(next_status(&mut stream, &mut buffer).await["status"], "settled");
    let took = posted.elapsed();
    assert!(took < Duration::from_secs(1), "the stream on replica 3 saw the webhook of replica 1 after {took:?}");
}

#[tokio::test]
async fn one_replica_reconciles_at_a_time_and_another_takes_over_when_it_dies() {
    let sandbox = start_sandbox(sandbox_config()).await;
    // A lease of 3 s: long beside a pass (so a slow machine does not lose it mid-run), short
    // enough that the takeover below comes quickly.
    let mut servers = replicas(3, bind().await.0, &sandbox.url, |s| s.leader_lease = Duration::from_secs(3)).await;
    let passes = |servers: &[TestServer]| servers.iter().map(|s| s.workers.reconciler.passes()).collect::<Vec<_>>();
    // Every replica tries every 100 ms; after many tries, exactly one has reconciled.
    eventually(10, || async { (passes(&servers).iter().sum::<u64>() >= 10).then_some(()) }).await;
    let seen = passes(&servers);
    assert_eq!(seen.iter().filter(|&&n| n > 0).count(), 1, "passes per replica: {seen:?}");
    let leader = seen.iter().position(|&n| n > 0).unwrap();

    // The leader dies without giving the lease back; another leads within about a lease.
    let dead = servers.remove(leader);
    dead.kill().await;
    let before = passes(&servers);
    eventually(10, || async { (passes(&servers).iter().zip(&before).any(|(now, then)| now > then)).then_some(()) }).await;
    eventually(10, || async {
        (passes(&servers).iter().zip(&before).filter(|(now, then)| now > then).count() == 1
            && passes(&servers).iter().sum::<u64>() >= before.iter().sum::<u64>() + 5)
            .then_some(())
    })
    .await;
    let after = passes(&servers);
    let moved = after.iter().zip(&before).filter(|(now, then)| now > then).count();
    assert_eq!(moved, 1, "only the new leader reconciles: before {before:?}, after {after:?}");
}

#[tokio::test]
async fn a_replica_killed_mid_accept_leaves_work_another_replica_finishes_once() {
    let mut config = sandbox_config();
    config.settle_delay = Duration::from_secs(600);
    let sandbox = start_sandbox(config).await;
    let database = ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    let spawn = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quote-server"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", &database)
            .env("ZEROPOOLS_BASE_URL", &sandbox.url)
            .env("ZEROPOOLS_SECRET_KEY", KEY)
            .env("ZEROPOOLS_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("PARTNER_API_KEY", PARTNER_KEY)
            .env("RECONCILE_INTERVAL_MS", "200")
            .env("ACCEPT_LEASE_SECS", "2")
            // One attempt of a second: one call's worst case fits the 2 s lease.
            .env("UPSTREAM_TIMEOUT_SECS", "1")
            .env("UPSTREAM_ATTEMPTS", "1")
            .env("LEADER_LEASE_SECS", "1")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let free_port = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (port_a, port_b) = (free_port(), free_port());
    let mut a = spawn(port_a);
    let mut b = spawn(port_b);
    let http = reqwest::Client::new();
    let (url_a, url_b) = (format!("http://127.0.0.1:{port_a}"), format!("http://127.0.0.1:{port_b}"));
    for url in [&url_a, &url_b] {
        eventually(30, || async { http.get(format!("{url}/readyz")).send().await.ok().filter(|r| r.status() == 200).map(|_| ()) }).await;
    }

    let created: Value =
        http.post(format!("{url_a}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({})).send().await.unwrap().json().await.unwrap();
    let token = created["client_token"].as_str().unwrap().to_owned();
    let intent = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR", "quote_type": "firm", "network": "tron", "destination_address": DEST});
    let quote: Value =
        http.post(format!("{url_a}/api/quotes")).bearer_auth(&token).json(&intent).send().await.unwrap().json().await.unwrap();
    let quote_id = quote["quote_id"].as_str().unwrap().to_owned();

    // 0Pools now answers slowly: replica A's accept is in flight when A is killed.
    sandbox.set_faults(Faults { latency_ms: 3_000, ..Faults::default() });
    let in_flight = tokio::spawn({
        let (http, url, token, quote_id) = (http.clone(), url_a.clone(), token.clone(), quote_id.clone());
        async move { http.post(format!("{url}/api/quotes/{quote_id}/accept")).bearer_auth(token).send().await }
    });
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&database).await.unwrap();
    // The accept began (A holds its lease) and its transact is at 0Pools, unanswered.
    // (Counted at the transact route itself: the leader's reconcile passes call 0Pools too.)
    eventually(10, || async { (sandbox.sandbox.transacts_arrived() > 0).then_some(()) }).await;
    assert_eq!(sandbox.sandbox.transact_requests(), 0, "0Pools has not answered it yet");
    let holder: Option<String> =
        sqlx::query_scalar("SELECT accept_lease_holder FROM quotes WHERE quote_id = $1").bind(&quote_id).fetch_one(&db).await.unwrap();
    assert!(holder.is_some(), "A holds the accept's lease");
    a.kill().unwrap(); // SIGKILL: no clean shutdown, no lease given back.
    a.wait().unwrap();
    assert!(in_flight.await.unwrap().is_err(), "A's caller never got an answer");
    sandbox.set_faults(Faults::default());

    // B takes the accept over once A's lease ends, with the same key: one trade.
    let trade = eventually(20, || async { store::trade_for_quote(&db, &quote_id).await.unwrap() }).await;
    let answer: Value =
        http.post(format!("{url_b}/api/quotes/{quote_id}/accept")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["trade_id"], trade.trade_id.as_str());
    assert_eq!(trade.idempotency_key, format!("qw-accept-{quote_id}"));
    assert_eq!(sandbox.sandbox.trade_count(), 1, "one trade upstream");
    let trades: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trades").fetch_one(&db).await.unwrap();
    assert_eq!(trades, 1);
    b.kill().unwrap();
    b.wait().unwrap();
}

#[tokio::test]
async fn trade_updates_reach_other_replicas_and_leave_the_pool_durable() {
    let url = ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    let setup = quote_server::store::open(&url).await.unwrap();
    // The test cluster runs without synchronous commits; this database's sessions get
    // Postgres' durable default back, so a setting left behind would show.
    sqlx::query("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', current_database()); END $$")
        .execute(&setup)
        .await
        .unwrap();
    // One pooled connection: the notification's and the check's.
    let db = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    let mut listener = sqlx::postgres::PgListener::connect(&url).await.unwrap();
    listener.listen("qw_trade_updates").await.unwrap();
    let events = quote_server::trading::TradeEvents::new(&db, "replica-a".into());
    events.publish(quote_server::trading::TradeUpdate { trade_id: "trd_1".into(), status: quote_core::wire::TradeStatus::Settled });
    let heard = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await.expect("a notification").unwrap();
    assert_eq!(heard.payload(), "replica-a\ntrd_1\tsettled");
    // The notification committed without waiting for the disk, for its own transaction
    // only: the connection it used still commits durably.
    let setting: String = sqlx::query_scalar("SELECT current_setting('synchronous_commit')").fetch_one(&db).await.unwrap();
    assert_eq!(setting, "on");
}

#[tokio::test]
async fn a_webhook_that_races_its_trades_commit_is_still_applied() {
    let mut config = sandbox_config();
    config.webhook_url = None;
    config.settle_delay = Duration::from_secs(600);
    let sandbox = start_sandbox(config).await;
    let url = ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    let options = ServerOptions {
        db_path: std::env::temp_dir().join("unused.db"),
        sandbox_url: sandbox.url.clone(),
        listener: bind().await.0,
        reconcile_every: Duration::from_secs(3600),
        settings: Box::new(|_| {}),
    };
    let running = build_server_on(options, url).await.spawn();
    let srv = TestServer::serving(running);
    let db = &srv.state.store.db;
    let token = srv.session().await;
    let quote_id = srv.firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let quote = store::quote(db, &quote_id).await.unwrap().unwrap();

    // The webhook's statement will wait on this uncommitted row with its event id …
    let mut holder = db.begin().await.unwrap();
    sqlx::query("INSERT INTO webhook_events (event_id, event_type, transact_id, quote_id, status, created_at, received_at, body)
                 VALUES ('evt_race', 'trade.settled', 'trd_race', $1, 'settled', '2026-11-27T12:00:00.000Z', '2026-11-27T12:00:00.000Z', '')")
        .bind(&quote_id)
        .execute(&mut *holder)
        .await
        .unwrap();
    // … while the trade is being stored, not committed yet.
    let mut storing = db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO trades (trade_id, quote_id, session_id, idempotency_key, status, pool_id, side, source_asset, source_amount,
                             target_asset, target_amount, network, destination_address, created_at, updated_at, checkout_id)
         VALUES ('trd_race', $1, $2, 'key_race', 'reserved', $3, $4, 'EUR', '100.00', 'USDT', '107.00', 'tron', $5, $6, $6, $7)",
    )
    .bind(&quote_id)
    .bind(&quote.session_id)
    .bind(&quote.pool_id)
    .bind(quote.side.as_str())
    .bind(DEST)
    .bind(store::now())
    .bind(&quote.checkout_id)
    .execute(&mut *storing)
    .await
    .unwrap();

    let event = json!({"event_id": "evt_race", "type": "trade.settled", "created_at": "2026-11-27T12:00:00Z",
        "data": {"transact_id": "trd_race", "quote_id": quote_id, "status": "settled"}});
    let raw = serde_json::to_string(&event).unwrap();
    let header = signature::sign(&SecretString::from(WEBHOOK_SECRET.to_owned()), chrono::Utc::now().timestamp(), raw.as_bytes());
    let request = srv
        .http
        .post(format!("{}/webhooks/0pools", srv.url))
        .header("content-type", "application/json")
        .header(signature::HEADER, header)
        .body(raw);
    let delivery = tokio::spawn(request.send());
    // Its statement has begun (its snapshot is taken) and waits on the held event id.
    eventually(10, || async {
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                .fetch_one(db)
                .await
                .unwrap();
        (waiting > 0).then_some(())
    })
    .await;
    // The trade commits after that snapshot, and the accept's look for early events
    // (here: none) would run now, before the webhook commits.
    storing.commit().await.unwrap();
    holder.rollback().await.unwrap();
    assert_eq!(delivery.await.unwrap().unwrap().status(), 200);

    let trade = store::trade(db, "trd_race").await.unwrap().unwrap();
    assert_eq!(trade.status, "settled", "the event was applied, not only stored");
    let history = quote_testkit::rows::trade_history(db, "trd_race").await.unwrap();
    assert_eq!(history.last().and_then(|h| h.event_id.as_deref()), Some("evt_race"));
}

/// Pooled connections are not pinged on every acquire (that doubled a checkout's round
/// trips), but one that sat idle is: after Postgres dropped every connection (a
/// restart, a proxy), the next request past the idle mark gets a fresh one, no error.
#[tokio::test]
async fn a_pooled_connection_dropped_by_postgres_while_idle_is_replaced_unnoticed() {
    let url = ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    let db = quote_server::store::open(&url).await.unwrap();
    let before: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&db).await.unwrap();

    let admin = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .execute(&admin)
        .await
        .unwrap();
    eventually(10, || async {
        let others: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
                .fetch_one(&admin)
                .await
                .unwrap();
        (others == 0).then_some(())
    })
    .await;
    // The condition under test is the connection's idle time itself.
    tokio::time::sleep(quote_server::store::PING_AFTER_IDLE + Duration::from_millis(200)).await;

    let after: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&db).await.expect("a fresh connection, not the dropped one");
    assert_ne!(before, after);
}

/// A replica that has not seen a widget's session reads it together with its
/// checkout; what it answers from that checkout is the checkout as it is now.
#[tokio::test]
async fn a_replica_new_to_a_session_answers_from_its_checkout_as_it_is_now() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let servers = replicas(3, bind().await.0, &sandbox.url, |_| {}).await;
    let token = servers[0].session().await;
    let (status, open) = servers[1].get("/api/checkout", Some(&token)).await;
    assert_eq!((status, open["status"].as_str()), (200, Some("open")), "{open}");

    let quote_id = servers[0].firm_quote(&token, "100.00", DEST).await["quote_id"].as_str().unwrap().to_owned();
    let (status, trade) = servers[0].post(&format!("/api/quotes/{quote_id}/accept"), Some(&token), json!({})).await;
    assert_eq!(status, 200, "{trade}");

    // Replica 2 has never seen this token: the firm quote is refused from the checkout
    // read with the session, converted by now.
    let body = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR", "quote_type": "firm",
                      "network": "tron", "destination_address": DEST});
    let (status, refused) = servers[2].post("/api/quotes", Some(&token), body).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("checkout_converted")), "{refused}");
    assert_eq!(refused["error"]["trade_id"], trade["trade_id"], "{refused}");
    let (_, converted) = servers[1].get("/api/checkout", Some(&token)).await;
    assert_eq!(converted["status"], "converted", "replica 1 remembers the session, not the checkout: {converted}");
}
