//! Test plumbing: a sandbox on a loopback port, a client pointed at it, and a
//! webhook receiver that hands every delivery to the test over a channel.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use quote_server::sandbox::{self, Faults, Sandbox, SandboxConfig};
use quote_server::upstream::{ClientConfig, UpstreamClient};
use secrecy::SecretString;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

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
    let url = sandbox::serve(Arc::clone(&sandbox), TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
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
                let fail = failures_left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if fail { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    WebhookReceiver { url, rx }
}
