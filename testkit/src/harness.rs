//! Test plumbing: a sandbox on a loopback port, a client pointed at it, a webhook
//! receiver that hands every delivery to the test over a channel, and the companion
//! server built as `main` builds it ([`quote_server::app::Parts::new`]).

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use quote_server::zeropools::{ClientConfig, UpstreamClient};
use secrecy::SecretString;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use zeropools_sandbox::{Faults, Sandbox, SandboxConfig};

pub const KEY: &str = "sk_test_contract_key";
pub const WEBHOOK_SECRET: &str = "whsec_contract_secret";

pub struct TestSandbox {
    pub url: String,
    pub sandbox: Arc<Sandbox>,
    pub client: UpstreamClient,
}

impl TestSandbox {
    pub fn set_faults(&self, faults: Faults) {
        self.sandbox.set_faults(faults).unwrap();
    }
    pub fn client_with(&self, f: impl FnOnce(&mut ClientConfig)) -> UpstreamClient {
        let mut config = client_config(&self.url);
        f(&mut config);
        UpstreamClient::new(config)
    }
}

pub fn client_config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(url, SecretString::from(KEY));
    c.timeout = Duration::from_secs(5);
    c.retry_base = Duration::from_millis(10);
    c
}

pub fn sandbox_config() -> SandboxConfig {
    let mut c = SandboxConfig::new(SecretString::from(KEY), SecretString::from(WEBHOOK_SECRET));
    c.settle_delay = Duration::from_millis(100);
    c.webhook_retry_base = Duration::from_millis(10);
    c
}

pub async fn start_sandbox(config: SandboxConfig) -> TestSandbox {
    let sandbox = Sandbox::new(config);
    let url = zeropools_sandbox::serve(Arc::clone(&sandbox), TcpListener::bind("127.0.0.1:0").await.unwrap()).await.unwrap();
    let client = UpstreamClient::new(client_config(&url));
    TestSandbox { url, sandbox, client }
}

/// One received webhook delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Delivery {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

pub struct WebhookReceiver {
    pub url: String,
    pub rx: mpsc::UnboundedReceiver<Delivery>,
}

impl WebhookReceiver {
    /// The next delivery, or a failed test after `secs` seconds.
    pub async fn next(&mut self, secs: u64) -> Delivery {
        tokio::time::timeout(Duration::from_secs(secs), self.rx.recv())
            .await
            .expect("a webhook delivery arrives in time")
            .expect("receiver open")
    }
}

/// A receiver that answers 500 to its first `fail_first` deliveries, then 200.
pub async fn webhook_receiver(fail_first: u32) -> WebhookReceiver {
    let (tx, rx) = mpsc::unbounded_channel();
    let failures_left = Arc::new(AtomicU32::new(fail_first));
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            let failures_left = Arc::clone(&failures_left);
            async move {
                let _ = tx.send(Delivery { headers, body });
                let fail = failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                if fail {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    WebhookReceiver { url, rx }
}

// ---- The companion server --------------------------------------------------

use quote_server::app::{Application, Parts, Running};
use quote_server::config::{Settings, UpstreamChoice};
use quote_server::http::AppState;
use quote_server::workers::Workers;
use serde_json::Value;

/// A Standard Webhooks secret for the partner's webhooks (`whsec_` + base64).
pub const PARTNER_WEBHOOK_SECRET: &str = "whsec_cXVvdGUtd2lkZ2V0LXRlc3QtcGFydG5lci1zZWNyZXQtMzJi";

/// Checks a partner webhook delivery as the Standard Webhooks specification says a
/// receiver must, written here from the specification (the end-to-end suite checks
/// real deliveries with the maintained `standardwebhooks` library): the signature over
/// `<webhook-id>.<webhook-timestamp>.<body>` with the secret's key, a timestamp within
/// five minutes.
pub fn verify_standard_webhook(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    use base64::Engine;
    use hmac::Mac;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).ok_or(format!("no {name} header"));
    let (id, timestamp, signatures) = (header("webhook-id")?, header("webhook-timestamp")?, header("webhook-signature")?);
    let at: i64 = timestamp.parse().map_err(|_| "webhook-timestamp is not unix seconds".to_owned())?;
    if (chrono::Utc::now().timestamp() - at).abs() > 300 {
        return Err("webhook-timestamp is more than five minutes off".into());
    }
    let key = base64::engine::general_purpose::STANDARD.decode(secret.trim_start_matches("whsec_")).map_err(|e| e.to_string())?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    signatures.split(' ').any(|s| s == expected).then_some(()).ok_or_else(|| "no signature matches".into())
}

/// The token every test server's `/metrics` takes.
pub const METRICS_TOKEN: &str = "mt_test_metrics_token_0123456789";

/// The partner key every test server is configured with.
pub const PARTNER_KEY: &str = "pk_test_partner_key_0123456789";

pub struct TestServer {
    pub url: String,
    pub state: AppState,
    pub workers: Workers,
    pub http: reqwest::Client,
    pub running: Running,
}

impl TestServer {
    /// A server serving in the background.
    pub fn serving(running: Running) -> TestServer {
        TestServer {
            url: running.url.clone(),
            state: running.state.clone(),
            workers: running.workers.clone(),
            http: reqwest::Client::new(),
            running,
        }
    }

    /// The server's database.
    pub fn db(&self) -> &quote_server::store::Db {
        &self.state.store.db
    }

    /// Stops serving and every worker, as if the process had been killed.
    pub async fn kill(self) {
        self.running.stop().await;
    }

    /// A client token for a new, unbound checkout (minted by the partner backend).
    pub async fn session(&self) -> String {
        let (status, body) = self.post("/api/checkouts", Some(PARTNER_KEY), serde_json::json!({})).await;
        assert_eq!(status, 201, "{body}");
        body["client_token"].as_str().unwrap().to_owned()
    }

    /// A checkout with these bindings; returns (checkout id, client token).
    pub async fn checkout(&self, body: Value) -> (String, String) {
        let (status, created) = self.post("/api/checkouts", Some(PARTNER_KEY), body).await;
        assert!(status == 201 || status == 200, "{status} {created}");
        (created["checkout"]["checkout_id"].as_str().unwrap().to_owned(), created["client_token"].as_str().unwrap().to_owned())
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.url)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A firm quote for EUR-USDT; returns its answer.
    pub async fn firm_quote(&self, token: &str, amount: &str, destination: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/quotes",
                Some(token),
                serde_json::json!({
                    "pool_id": "EUR-USDT", "side": "buy", "amount": amount, "currency": "EUR",
                    "quote_type": "firm", "network": "tron", "destination_address": destination
                }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

pub struct ServerOptions {
    pub db_path: std::path::PathBuf,
    pub sandbox_url: String,
    pub listener: TcpListener,
    pub reconcile_every: Duration,
    pub settings: Box<dyn FnOnce(&mut Settings) + Send>,
}

/// Binds a listener first, so the sandbox can be told where webhooks go.
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// The store the suite runs on: an SQLite file by default; with `QW_TEST_STORE=postgres`
/// a database on a throwaway Postgres cluster, one per file path, so a test that
/// restarts a server on the same path finds its rows again.
pub async fn database_url(db_path: &std::path::Path) -> String {
    if std::env::var("QW_TEST_STORE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", db_path.display());
    }
    static URLS: std::sync::Mutex<Vec<(std::path::PathBuf, String)>> = std::sync::Mutex::new(Vec::new());
    if let Some((_, url)) = URLS.lock().unwrap().iter().find(|(path, _)| path == db_path) {
        return url.clone();
    }
    let url = crate::throwaway_postgres::ThrowawayPostgres::shared().unwrap().new_database().await.unwrap();
    URLS.lock().unwrap().push((db_path.to_owned(), url.clone()));
    url
}

/// The server as `main` builds it (the same builder), pointed at a test sandbox, not yet serving.
pub async fn build_server(options: ServerOptions) -> Application {
    let url = database_url(&options.db_path).await;
    build_server_on(options, url).await
}

/// The same, on a database given by URL (replicas sharing one Postgres database).
pub async fn build_server_on(options: ServerOptions, database_url: String) -> Application {
    // The server's warnings and errors (the cause behind a 503, say) go to the test's
    // captured output, shown when it fails; `QW_TEST_LOG` (a filter) shows more.
    let filter = std::env::var("QW_TEST_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_test_writer().try_init();
    let mut settings = Settings::new("/nonexistent-widget".into(), SecretString::from(WEBHOOK_SECRET));
    settings.partner_api_key = Some(SecretString::from(PARTNER_KEY));
    settings.metrics_token = Some(SecretString::from(METRICS_TOKEN));
    (options.settings)(&mut settings);
    let mut parts =
        Parts::new(options.listener, database_url, UpstreamChoice::Url(options.sandbox_url.clone()), SecretString::from(KEY), settings);
    parts.reconcile_interval = options.reconcile_every;
    parts.sweep_interval = Duration::from_secs(3600);
    parts.client = Box::new(|c| {
        c.timeout = Duration::from_secs(5);
        c.retry_base = Duration::from_millis(10);
    });
    Application::build(parts).await.unwrap()
}

/// The server as `main` builds it, serving in the background.
pub async fn start_server(options: ServerOptions) -> TestServer {
    TestServer::serving(build_server(options).await.spawn())
}

/// A sandbox (webhooks to the server) and a server on a temporary database.
pub struct Stack {
    pub server: TestServer,
    pub sandbox: TestSandbox,
    pub dir: tempfile::TempDir,
}

pub async fn stack(configure: impl FnOnce(&mut SandboxConfig), settings: impl FnOnce(&mut Settings) + Send + 'static) -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = bind().await;
    let mut config = sandbox_config();
    config.webhook_url = Some(format!("{url}/webhooks/0pools"));
    configure(&mut config);
    let sandbox = start_sandbox(config).await;
    let server = start_server(ServerOptions {
        db_path: dir.path().join("server.db"),
        sandbox_url: sandbox.url.clone(),
        listener,
        reconcile_every: Duration::from_millis(250),
        settings: Box::new(settings),
    })
    .await;
    Stack { server, sandbox, dir }
}

/// Polls `check` until it returns Some, failing the test after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "condition not met within {secs}s");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// One `begin_accept` of `quote` in `checkout` by `holder` with a lease ending `lease_ms`
/// from the database's now (negative: it ended already), through the server's writer
/// as the server does it.
pub async fn begin_accept_as(
    srv: &TestServer,
    checkout: &str,
    quote: &str,
    (holder, lease_ms): (&str, i64),
) -> Option<quote_server::store::Begun> {
    let (checkout, quote, holder) = (checkout.to_owned(), quote.to_owned(), holder.to_owned());
    srv.state
        .store
        .writes
        .run(move |c| {
            Box::pin(async move {
                let key = quote_server::trading::idempotency_key(&quote);
                quote_server::store::begin_accept(c, &checkout, &quote, &key, (&holder, lease_ms)).await
            })
        })
        .await
        .unwrap()
}
