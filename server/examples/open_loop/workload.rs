//! What one target is asked: the same checkouts, on the same schedule, whatever the
//! target.

use crate::support::{PARTNER_KEY, SECRET_KEY};
use crate::timeline;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Latencies (ms) and error count per endpoint.
#[derive(Default)]
pub struct Endpoint {
    pub ms: Vec<f64>,
    pub errors: usize,
}
type Results = Arc<Mutex<BTreeMap<&'static str, Endpoint>>>;

fn record(results: &Results, name: &'static str, since: Instant, ok: bool) {
    let ms = since.elapsed().as_secs_f64() * 1000.0;
    timeline::note(since, name, ms);
    let mut all = results.lock().unwrap();
    let e = all.entry(name).or_default();
    e.ms.push(ms);
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
pub enum Target {
    Floor,
    Sandbox,
    Server,
    Postgres,
    Postgres3,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Floor => "floor (minimal axum)",
            Target::Sandbox => "sandbox alone",
            Target::Server => "server, SQLite",
            Target::Postgres => "server, Postgres ×1",
            Target::Postgres3 => "server, Postgres ×3",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Target::Floor => "floor",
            Target::Sandbox => "sandbox",
            Target::Server => "sqlite",
            Target::Postgres => "pg1",
            Target::Postgres3 => "pg3",
        }
    }

    pub fn is_server(self) -> bool {
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
            let Some(quote) =
                send(&results, "firm quote", due, http.post(format!("{base}/v1/quotes")).bearer_auth(SECRET_KEY).json(&firm_body())).await
            else {
                return;
            };
            let Some(quote_id) = quote["quote_id"].as_str() else { return };
            let key = uuid::Uuid::new_v4().to_string();
            let request = http
                .post(format!("{base}/v1/transact"))
                .bearer_auth(SECRET_KEY)
                .header("Idempotency-Key", key)
                .json(&json!({"quote_id": quote_id}));
            send(&results, "accept", Instant::now(), request).await;
        }
        Target::Server | Target::Postgres | Target::Postgres3 => {
            let Some(created) =
                send(&results, "mint checkout", due, http.post(format!("{base}/api/checkouts")).bearer_auth(PARTNER_KEY).json(&json!({})))
                    .await
            else {
                return;
            };
            let token = created["client_token"].as_str().unwrap_or_default().to_owned();
            let quote = http.post(format!("{}/api/quotes", at(1))).bearer_auth(&token).json(&firm_body());
            let Some(quote) = send(&results, "firm quote", Instant::now(), quote).await else { return };
            let Some(quote_id) = quote["quote_id"].as_str() else { return };
            send(&results, "accept", Instant::now(), http.post(format!("{}/api/quotes/{quote_id}/accept", at(2))).bearer_auth(&token))
                .await;
        }
    }
}

/// `rate` checkouts per second for `seconds`, each started at its due moment.
pub async fn run(target: Target, http: &reqwest::Client, replicas: &[String], rate: u32, seconds: u32) -> BTreeMap<&'static str, Endpoint> {
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
