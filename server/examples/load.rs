//! A bounded load run on loopback: the companion server and the sandbox in this
//! process, then `USERS` simulated checkouts (`CONCURRENCY` at a time), each doing
//! what a person does: get a checkout from the partner, load pools, get five live estimates while
//! typing, lock a firm quote, accept it, read the trade. Prints latency percentiles
//! per endpoint, requests per second, and 0Pools calls per user. Then `WIDGETS`
//! previewing widgets (1,000 by default) type amounts at once, with the preview
//! window on and off: upstream indicative calls per checkout and per second.
//! Asserts nothing.
//!
//!     cargo run --release -p quote-server --example load [USERS] [CONCURRENCY] [WIDGETS]

mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::PARTNER_KEY;

type Timings = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

async fn timed(timings: &Timings, name: &'static str, request: reqwest::RequestBuilder) -> Value {
    let started = Instant::now();
    let response = request.send().await.expect("loopback answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    timings.lock().unwrap().entry(name).or_default().push(started.elapsed());
    assert!(status.is_success(), "{name} answered {status}: {body}");
    body
}

async fn checkout(http: reqwest::Client, base: String, timings: Timings) {
    // The partner's backend mints the checkout; the widget gets its client token.
    let created =
        timed(&timings, "POST /api/checkouts", http.post(format!("{base}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({}))).await;
    let token = created["client_token"].as_str().unwrap().to_owned();
    timed(&timings, "GET /api/pools", http.get(format!("{base}/api/pools"))).await;
    for amount in ["12", "125", "125.5", "125.50", "1255"] {
        let preview = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "quote_type": "indicative"});
        timed(&timings, "POST /api/quotes (indicative)", http.post(format!("{base}/api/quotes")).bearer_auth(&token).json(&preview)).await;
    }
    let firm = json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "125.50", "currency": "EUR", "quote_type": "firm",
                      "network": "tron", "destination_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"});
    let quote = timed(&timings, "POST /api/quotes (firm)", http.post(format!("{base}/api/quotes")).bearer_auth(&token).json(&firm)).await;
    let quote_id = quote["quote_id"].as_str().unwrap();
    let trade =
        timed(&timings, "POST /api/quotes/{id}/accept", http.post(format!("{base}/api/quotes/{quote_id}/accept")).bearer_auth(&token))
            .await;
    let trade_id = trade["trade_id"].as_str().unwrap();
    timed(&timings, "GET /api/trades/{id}", http.get(format!("{base}/api/trades/{trade_id}")).bearer_auth(&token)).await;
}

/// The server with its embedded sandbox, on a temporary database.
async fn start(
    preview_window: Duration,
) -> anyhow::Result<(quote_server::app::Running, std::sync::Arc<zeropools_sandbox::Sandbox>, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let running = support::start_server(dir.path(), |settings| {
        settings.limits.quote_burst = 100;
        settings.preview_window = preview_window;
    })
    .await?;
    let sandbox = running.sandbox.clone().expect("the embedded sandbox");
    Ok((running, sandbox, dir))
}

/// `widgets` widgets, each in its own checkout, previewing while their users type
/// (a keystroke's preview every 300 ms, after the widget's debounce), all at once.
/// Returns (upstream indicative calls, previews, seconds).
async fn previewing(base: &str, sandbox: &zeropools_sandbox::Sandbox, widgets: usize) -> anyhow::Result<(u64, usize, f64)> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let mut tokens = Vec::with_capacity(widgets);
    for _ in 0..widgets {
        let created: Value =
            http.post(format!("{base}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({})).send().await?.json().await?;
        tokens.push(created["client_token"].as_str().unwrap_or_default().to_owned());
    }
    // What people type: most go for a round amount, every tenth for their own.
    let typed = |i: usize| -> Vec<String> {
        let target = if i.is_multiple_of(10) { format!("{}", 37 + i) } else { ["50", "100", "250", "500", "1000"][i % 5].to_owned() };
        (1..=target.len()).map(|n| target[..n].to_owned()).collect()
    };
    let before = sandbox.quote_requests();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(widgets);
    for (i, token) in tokens.into_iter().enumerate() {
        let (http, base, amounts) = (http.clone(), base.to_owned(), typed(i));
        tasks.push(tokio::spawn(async move {
            let mut sent = 0;
            for amount in amounts {
                let preview =
                    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR", "quote_type": "indicative"});
                if http.post(format!("{base}/api/quotes")).bearer_auth(&token).json(&preview).send().await.is_ok() {
                    sent += 1;
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            sent
        }));
    }
    let mut previews = 0;
    for t in tasks {
        previews += t.await?;
    }
    Ok((sandbox.quote_requests() - before, previews, started.elapsed().as_secs_f64()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let users: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);

    let widgets: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let (running, sandbox, _dir) = start(Duration::from_millis(1_000)).await?;
    let base = running.url.clone();

    let http = reqwest::Client::new();
    let timings: Timings = Arc::default();
    let before = sandbox.contract_requests();
    let started = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(users);
    for _ in 0..users {
        let permit = Arc::clone(&semaphore).acquire_owned().await?;
        let (http, base, timings) = (http.clone(), base.clone(), Arc::clone(&timings));
        tasks.push(tokio::spawn(async move {
            checkout(http, base, timings).await;
            drop(permit);
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let upstream_calls = sandbox.contract_requests() - before;

    // The timings read, then let go before the server stops.
    {
        let timings = timings.lock().unwrap();
        let requests: usize = timings.values().map(Vec::len).sum();
        println!("== companion server under load (loopback, {users} checkouts, {concurrency} at a time, in-process sandbox)");
        println!("{:<34} {:>7} {:>9} {:>9} {:>9} {:>9}", "endpoint", "n", "p50 ms", "p90 ms", "p99 ms", "max ms");
        for (name, samples) in timings.iter() {
            let mut sorted = samples.clone();
            sorted.sort();
            let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
            println!(
                "{:<34} {:>7} {:>9} {:>9} {:>9} {:>9}",
                name,
                sorted.len(),
                ms(percentile(&sorted, 0.5)),
                ms(percentile(&sorted, 0.9)),
                ms(percentile(&sorted, 0.99)),
                ms(*sorted.last().unwrap())
            );
        }
        println!("requests/s (all endpoints): {:.0}", requests as f64 / elapsed.as_secs_f64());
        println!("checkouts/s: {:.1}", users as f64 / elapsed.as_secs_f64());
        println!(
            "0Pools calls per checkout: {:.2} ({} calls; pools discovery is cached)",
            upstream_calls as f64 / users as f64,
            upstream_calls
        );
    }
    running.stop().await;

    println!();
    println!("== {widgets} widgets previewing at once (one checkout each, a preview per keystroke every 300 ms)");
    println!("{:<44} {:>9} {:>14} {:>12} {:>10}", "preview window", "previews", "0Pools calls", "per checkout", "calls/s");
    for (label, window) in [("1000 ms (default): in flight + reuse", 1_000), ("0 ms: calls in flight shared only", 0)] {
        let (running, sandbox, _dir) = start(Duration::from_millis(window)).await?;
        let (calls, previews, secs) = previewing(&running.url, &sandbox, widgets).await?;
        println!("{:<44} {:>9} {:>14} {:>12.3} {:>10.1}", label, previews, calls, calls as f64 / widgets as f64, calls as f64 / secs);
        running.stop().await;
    }
    println!("(without sharing, each preview would be its own 0Pools call)");
    Ok(())
}
