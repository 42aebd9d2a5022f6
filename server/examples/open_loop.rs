//! Open-loop load on loopback, side by side in one run. Checkouts start on a fixed
//! schedule whatever the answers do: each is its own task, so a slow answer delays
//! no other checkout's start and cannot hide by slowing the sender. (Latency counts
//! from the moment a request is sent; the client timer's own lateness, up to a
//! millisecond, is not charged to the target.)
//!
//! Targets, each with the same schedule:
//! - `floor`: a minimal axum handler (one JSON answer) — loopback, HTTP and the client;
//! - `sandbox`: the 0Pools sandbox alone — firm quote, then transact;
//! - `server, SQLite`: the companion server on SQLite in front of its own sandbox — the
//!   partner mints a checkout, the widget asks for a firm quote, then accepts it;
//! - `server, Postgres ×1` and `×3`: the same checkouts against one replica, and against
//!   three replicas sharing one Postgres database (a throwaway cluster with Postgres'
//!   durable defaults) and one sandbox, each request going to the next replica in turn
//!   as a round-robin balancer would send it. Every server target also takes its
//!   sandbox's webhooks (two per trade), as in production.
//!
//! Prints p50 / p99 / max per endpoint and errors, the server's added latency over the
//! sandbox (difference and ratio) for the firm quote and the accept, and the highest
//! rate each target held with every p99 under 50 ms; beside each server target, the
//! disk's own fsync latency measured meanwhile (every durable commit waits for one), and
//! once before any load, as long as one measurement; and how busy the machine's cores
//! were (all processes). Each measurement follows one
//! uncounted second at the same rate (connection pools open, caches fill). Asserts nothing.
//!
//!     cargo run --release -p quote-server --example open_loop [RATES] [SECONDS] [TARGETS]
//!     (RATES: comma-separated checkouts/s, default 25,50,100,200; SECONDS per rate, default 4;
//!      optionally TARGETS, e.g. sandbox,pg1, to run only those)
//!
//! `QW_TIMELINE=file` also writes every request (seconds since start, endpoint, ms),
//! to see when the slow ones came (together, at a background pass, or spread out).

mod support;

use axum::routing::post;
use axum::{Json, Router};
use quote_server::config::UpstreamChoice;
use quote_server::sandbox::{self, Faults, Sandbox, SandboxConfig};
use quote_server::throwaway_postgres::{Durability, ThrowawayPostgres};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::time::Instant;

use support::{roomy, PARTNER_KEY, SECRET_KEY, WEBHOOK_SECRET};
const P99_TARGET_MS: f64 = 50.0;

/// Latencies (ms) and error count per endpoint.
#[derive(Default)]
struct Endpoint {
    ms: Vec<f64>,
    errors: usize,
}
type Results = Arc<Mutex<BTreeMap<&'static str, Endpoint>>>;

/// When the run started, and every request since (for `QW_TIMELINE`).
static T0: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);
static TIMELINE: Mutex<Vec<(f64, &'static str, f64)>> = Mutex::new(Vec::new());
fn record(results: &Results, name: &'static str, since: Instant, ok: bool) {
    TIMELINE.lock().unwrap().push(((since - *T0).as_secs_f64(), name, since.elapsed().as_secs_f64() * 1000.0));
    let mut all = results.lock().unwrap();
    let e = all.entry(name).or_default();
    e.ms.push(since.elapsed().as_secs_f64() * 1000.0);
    if !ok {
        e.errors += 1;
    }
}

/// Sends `request`, records it under `name` from `since`; the JSON body if it succeeded.
async fn send(results: &Results, name: &'static str, since: Instant, request: reqwest::RequestBuilder) -> Option<Value> {
    let answer = match request.send().await {
        Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
        _ => None,
    };
    record(results, name, since, answer.is_some());
    answer
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Floor,
    Sandbox,
    Server,
    Postgres,
    Postgres3,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Floor => "floor (minimal axum)",
            Target::Sandbox => "sandbox alone",
            Target::Server => "server, SQLite",
            Target::Postgres => "server, Postgres ×1",
            Target::Postgres3 => "server, Postgres ×3",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Target::Floor => "floor",
            Target::Sandbox => "sandbox",
            Target::Server => "sqlite",
            Target::Postgres => "pg1",
            Target::Postgres3 => "pg3",
        }
    }

    fn is_server(self) -> bool {
        matches!(self, Target::Server | Target::Postgres | Target::Postgres3)
    }
}

fn firm_body() -> Value {
    json!({"pool_id": "EUR-USDT", "side": "buy", "amount": "125.50", "currency": "EUR", "quote_type": "firm",
           "network": "tron", "destination_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"})
}

/// One checkout's requests against `target`, the first sent at `due`; the `n`th
/// checkout's `k`th request goes to replica `(n + k) % replicas`.
async fn checkout(target: Target, http: reqwest::Client, replicas: Arc<Vec<String>>, n: usize, results: Results, due: Instant) {
    let at = |k: usize| replicas[(n + k) % replicas.len()].clone();
    let base = at(0);
    match target {
        Target::Floor => {
            send(&results, "answer", due, http.post(format!("{base}/answer")).json(&json!({"ping": 1}))).await;
        }
        Target::Sandbox => {
            let Some(quote) = send(&results, "firm quote", due, http.post(format!("{base}/v1/quotes")).bearer_auth(SECRET_KEY).json(&firm_body())).await else { return };
            let Some(quote_id) = quote["quote_id"].as_str() else { return };
            let key = uuid::Uuid::new_v4().to_string();
            let request = http.post(format!("{base}/v1/transact")).bearer_auth(SECRET_KEY).header("Idempotency-Key", key).json(&json!({"quote_id": quote_id}));
            send(&results, "accept", Instant::now(), request).await;
        }
        Target::Server | Target::Postgres | Target::Postgres3 => {
            let Some(created) = send(&results, "mint checkout", due, http.post(format!("{base}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({}))).await else { return };
            let token = created["client_token"].as_str().unwrap_or_default().to_owned();
            let quote = http.post(format!("{}/api/quotes", at(1))).bearer_auth(&token).json(&firm_body());
            let Some(quote) = send(&results, "firm quote", Instant::now(), quote).await else { return };
            let Some(quote_id) = quote["quote_id"].as_str() else { return };
            send(&results, "accept", Instant::now(), http.post(format!("{}/api/quotes/{quote_id}/accept", at(2))).bearer_auth(&token)).await;
        }
    }
}

/// `rate` checkouts per second for `seconds`, each started at its due moment.
async fn run(target: Target, http: &reqwest::Client, replicas: &[String], rate: u32, seconds: u32) -> BTreeMap<&'static str, Endpoint> {
    let replicas = Arc::new(replicas.to_vec());
    let results: Results = Arc::default();
    let start = Instant::now() + Duration::from_millis(50);
    let count = rate * seconds;
    let mut tasks = Vec::with_capacity(count as usize);
    for i in 0..count {
        let due = start + Duration::from_secs_f64(f64::from(i) / f64::from(rate));
        let (http, replicas, results) = (http.clone(), Arc::clone(&replicas), Arc::clone(&results));
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due).await;
            checkout(target, http, replicas, i as usize, results, Instant::now()).await;
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(results).ok().expect("all tasks ended").into_inner().unwrap()
}

/// The disk's own fsync latency while a target is measured: a thread writes and
/// fdatasyncs a small file beside the databases 20 times a second. No durable write
/// is faster than this, and while the disk stalls every commit in flight waits.
struct DiskProbe {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Vec<f64>>,
}

impl DiskProbe {
    fn start(dir: &std::path::Path) -> DiskProbe {
        use std::io::Write;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let path = dir.join("fsync-probe");
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut file = std::fs::File::create(&path).expect("the probe's file");
            let mut ms = Vec::new();
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let since = std::time::Instant::now();
                file.write_all(&[0u8; 512]).expect("a write");
                file.sync_data().expect("an fsync");
                ms.push(since.elapsed().as_secs_f64() * 1000.0);
                std::thread::sleep(Duration::from_millis(50));
            }
            ms
        });
        DiskProbe { stop, thread }
    }

    fn finish(self) -> Vec<f64> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().expect("the probe thread")
    }
}

/// The whole machine's CPU time while a target is measured (every process: client,
/// servers, sandbox, Postgres), from `/proc/stat`: when it nears 100 %, answers wait
/// for a core, not for the server's own work.
struct CpuMeter {
    busy: u64,
    total: u64,
}

impl CpuMeter {
    fn start() -> Option<CpuMeter> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3)? + fields.get(4)?;
        Some(CpuMeter { busy: total - idle, total })
    }

    /// Busy share of all cores since `start`, in percent.
    fn busy_percent(&self) -> Option<f64> {
        let now = CpuMeter::start()?;
        let total = now.total.checked_sub(self.total).filter(|t| *t > 0)?;
        Some(100.0 * (now.busy.saturating_sub(self.busy)) as f64 / total as f64)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

async fn start_floor() -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = Router::new().route("/answer", post(|Json(body): Json<Value>| async move { Json(json!({"ok": true, "echo": body})) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

/// A sandbox; with `webhooks_to`, it sends its signed webhooks to that server (as
/// the embedded sandbox of the SQLite target does), so every server target handles
/// them too.
async fn start_sandbox(webhooks_to: Option<&str>) -> anyhow::Result<String> {
    let mut config = SandboxConfig::new(SecretString::from(SECRET_KEY), SecretString::from(WEBHOOK_SECRET));
    config.webhook_url = webhooks_to.map(|url| format!("{url}/webhooks/0pools"));
    config.quote_window = Duration::from_secs(15);
    config.settle_delay = Duration::from_millis(200);
    roomy(&mut config);
    Ok(sandbox::serve(Sandbox::with_faults(config, Faults::default()), TcpListener::bind("127.0.0.1:0").await?).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // QW_TRACE=sqlx::query=debug (say) prints every statement: for counting them per checkout.
    if std::env::var_os("QW_TRACE").is_some() {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_env("QW_TRACE")).init();
    }
    let mut args = std::env::args().skip(1);
    let rates: Vec<u32> = args.next().map_or(vec![25, 50, 100, 200], |a| a.split(',').filter_map(|r| r.trim().parse().ok()).collect());
    let seconds: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    // Optional: only these targets (floor,sandbox,sqlite,pg1,pg3), for experiments.
    let only: Option<Vec<String>> = args.next().map(|a| a.split(',').map(str::to_owned).collect());

    let _ = *T0;
    let dir = tempfile::tempdir()?;
    let floor = start_floor().await?;
    let sandbox = start_sandbox(None).await?;
    let server = support::start_server(dir.path(), |_| {}).await?;
    // Postgres with its durable defaults (fsync, synchronous commit), as in production;
    // only started when a Postgres target runs.
    let wanted = |short: &str| only.as_ref().is_none_or(|o| o.iter().any(|n| n == short));
    let cluster = if wanted("pg1") || wanted("pg3") { Some(ThrowawayPostgres::start(Durability::Full)?) } else { None };
    let mut replicas = Vec::new();
    for (count, short) in [(1, "pg1"), (3, "pg3")] {
        let Some(cluster) = &cluster else { break };
        if !wanted(short) {
            replicas.push(Vec::new());
            continue;
        }
        // Each set shares one database and one sandbox, whose webhooks go to its first replica.
        let database = cluster.new_database().await?;
        let mut listeners = Vec::new();
        for _ in 0..count {
            listeners.push(TcpListener::bind("127.0.0.1:0").await?);
        }
        let first = format!("http://{}", listeners[0].local_addr()?);
        let shared_sandbox = start_sandbox(Some(&first)).await?;
        let mut set = Vec::new();
        for listener in listeners {
            set.push(support::start_replica(listener, database.clone(), UpstreamChoice::Url(shared_sandbox.clone()), |_| {}).await?);
        }
        replicas.push(set);
    }
    let urls = |set: &[quote_server::startup::Running]| set.iter().map(|r| r.url.clone()).collect::<Vec<_>>();
    let mut bases = vec![(Target::Floor, vec![floor]), (Target::Sandbox, vec![sandbox]), (Target::Server, vec![server.url.clone()])];
    for (target, set) in [Target::Postgres, Target::Postgres3].into_iter().zip(&replicas) {
        bases.push((target, urls(set)));
    }

    println!("== open loop on loopback: checkouts/s held for {seconds} s each, started on schedule whatever the answers do");
    println!("{:>6}  {:<22} {:<14} {:>6} {:>6} {:>9} {:>9} {:>9}", "rate", "target", "endpoint", "n", "errors", "p50 ms", "p99 ms", "max ms");
    // The disk with no load at all, for as long as one measurement: what it does by
    // itself (on a shared virtual disk, stalls come whether or not anything writes).
    let idle = DiskProbe::start(dir.path());
    tokio::time::sleep(Duration::from_secs(u64::from(seconds) + 1)).await;
    let mut alone = idle.finish();
    alone.sort_by(f64::total_cmp);
    println!("{:>6}  {:<22} {:<14} {:>6} {:>6} {:>9.2} {:>9.2} {:>9.2}", "", "disk, no load", "fsync probe", alone.len(), 0,
             percentile(&alone, 0.5), percentile(&alone, 0.99), alone.last().copied().unwrap_or(f64::NAN));
    let mut held: BTreeMap<Target, u32> = BTreeMap::new();
    let mut added = Vec::new();
    for &rate in &rates {
        let mut p99s: BTreeMap<(Target, &'static str), f64> = BTreeMap::new();
        for (target, base) in bases.iter().filter(|(t, _)| wanted(t.short())) {
            // A second at the rate first, not counted: pools and caches fill (the client's
            // connections too: it is the same client), as they would have in a server that
            // was already running.
            let http = reqwest::Client::builder().pool_max_idle_per_host(1024).build().expect("a client");
            run(*target, &http, base, rate, 1).await;
            let probe = DiskProbe::start(dir.path());
            let cpu = CpuMeter::start();
            let results = run(*target, &http, base, rate, seconds).await;
            let busy = cpu.and_then(|c| c.busy_percent());
            let mut fsyncs = probe.finish();
            fsyncs.sort_by(f64::total_cmp);
            let mut worst = 0.0_f64;
            let mut errors = 0;
            for (name, e) in results {
                let mut sorted = e.ms.clone();
                sorted.sort_by(f64::total_cmp);
                let p99 = percentile(&sorted, 0.99);
                worst = worst.max(p99);
                errors += e.errors;
                p99s.insert((*target, name), p99);
                println!("{:>6}  {:<22} {:<14} {:>6} {:>6} {:>9.2} {:>9.2} {:>9.2}", rate, target.name(), name, sorted.len(), e.errors,
                         percentile(&sorted, 0.5), p99, sorted.last().copied().unwrap_or(f64::NAN));
            }
            if target.is_server() {
                println!("{:>6}  {:<22} {:<14} {:>6} {:>6} {:>9.2} {:>9.2} {:>9.2}", "", "  (disk, meanwhile)", "fsync probe", fsyncs.len(), 0,
                         percentile(&fsyncs, 0.5), percentile(&fsyncs, 0.99), fsyncs.last().copied().unwrap_or(f64::NAN));
            }
            if let Some(busy) = busy {
                println!("{:>6}  {:<22} {:<14} {busy:>5.0} % of all cores busy", "", "  (machine, meanwhile)", "cpu");
            }
            if worst < P99_TARGET_MS && errors == 0 {
                held.insert(*target, rate);
            }
        }
        for target in bases.iter().map(|(t, _)| *t).filter(|t| t.is_server()) {
            for endpoint in ["firm quote", "accept"] {
                if let (Some(s), Some(b)) = (p99s.get(&(target, endpoint)), p99s.get(&(Target::Sandbox, endpoint))) {
                    added.push(format!("{rate:>6}/s  {:<20} {endpoint:<11} p99 {s:>8.2} ms − sandbox p99 {b:>7.2} ms = +{:>7.2} ms ({:.1}×)", target.name(), s - b, s / b));
                }
            }
        }
    }
    println!();
    println!("the server's added latency at p99 (target: firm quote ≤ +5 ms, accept ≤ +10 ms at 200/s):");
    for line in added {
        println!("{line}");
    }
    println!();
    for (target, _) in bases.iter().filter(|(t, _)| wanted(t.short())) {
        match held.get(target) {
            Some(rate) => println!("highest rate held with every p99 < {P99_TARGET_MS} ms and no errors, {}: {rate}/s", target.name()),
            None => println!("highest rate held with every p99 < {P99_TARGET_MS} ms and no errors, {}: none of {rates:?}", target.name()),
        }
    }
    println!("(client, server and sandbox share this machine's cores: the floor shows what that costs)");
    if let Ok(path) = std::env::var("QW_TIMELINE") {
        let lines: Vec<String> = TIMELINE.lock().unwrap().iter().map(|(t, n, ms)| format!("{t:.4}\t{n}\t{ms:.2}")).collect();
        std::fs::write(path, lines.join("\n")).unwrap();
    }
    server.stop().await;
    for running in replicas.into_iter().flatten() {
        running.stop().await;
    }
    Ok(())
}
