//! Signed webhooks to the partner's backend, one per trade status change, so the
//! partner learns outcomes from this server and never from the browser.
//!
//! An outbox: the event is stored (unique per trade and status, so a repeat is a
//! no-op) when the status is recorded, and a worker delivers due events with
//! exponential backoff until the partner answers 2xx. Bodies are signed exactly as
//! 0Pools signs its own (`t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`) in
//! the `QuoteWidget-Signature` header; `event_id` lets the partner de-duplicate.

use crate::store::{self, Store};
use crate::zeropools::signature;
use quote_core::wire::TradeView;
use secrecy::SecretString;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The header the partner verifies.
pub const HEADER: &str = "QuoteWidget-Signature";
/// Longest wait between two attempts at one event.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How often the worker looks for due events without being woken.
const POLL: Duration = Duration::from_secs(1);
/// How long a replica's claim on an event lasts: longer than one delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const DELIVERY_CLAIM: Duration = Duration::from_secs(30);

/// The body the partner receives.
#[derive(Debug, Serialize)]
pub struct PartnerEvent<'a> {
    pub event_id: &'a str,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: String,
    pub data: PartnerEventData<'a>,
}

#[derive(Debug, Serialize)]
pub struct PartnerEventData<'a> {
    pub checkout_id: &'a str,
    pub trade: &'a TradeView,
}

#[derive(Clone)]
pub struct Outbox {
    /// Its writes go through the store's writer, like every other hot-path write (on
    /// SQLite, a write beside it would make the writer wait for the lock).
    store: Store,
    target: Option<(String, SecretString)>,
    wake: Arc<Notify>,
    pub retry_base: Duration,
}

impl Outbox {
    pub fn new(store: Store, target: Option<(String, SecretString)>) -> Self {
        Outbox { store, target, wake: Arc::new(Notify::new()), retry_base: Duration::from_secs(1) }
    }

    /// Stores the event for this trade status (when partner webhooks are configured).
    pub async fn queue(&self, trade: &TradeView, checkout_id: Option<&str>) -> sqlx::Result<()> {
        let (Some(_), Some(checkout_id)) = (&self.target, checkout_id) else { return Ok(()) };
        let event_id = format!("evt_qw_{}", uuid::Uuid::new_v4().simple());
        let event = PartnerEvent {
            event_id: &event_id,
            event_type: trade.status.event_type(),
            created_at: store::now(),
            data: PartnerEventData { checkout_id, trade },
        };
        let body = serde_json::to_string(&event).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        let (checkout, trade_id, status) = (checkout_id.to_owned(), trade.trade_id.clone(), trade.status);
        let queued = self
            .store
            .writes
            .run(move |c| Box::pin(async move { store::queue_partner_event(c, &event_id, &checkout, &trade_id, status, &body).await }))
            .await?;
        if queued {
            self.wake.notify_one();
        }
        Ok(())
    }

    /// Delivers due events until the process ends.
    pub fn spawn(&self) -> Option<tokio::task::JoinHandle<()>> {
        let (url, secret) = self.target.clone()?;
        let outbox = self.clone();
        Some(tokio::spawn(async move {
            let http = reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build().unwrap_or_default();
            loop {
                if let Err(e) = outbox.deliver_due(&http, &url, &secret).await {
                    tracing::warn!(cause = %e, "partner webhook delivery pass failed");
                }
                let _ = tokio::time::timeout(POLL, outbox.wake.notified()).await;
            }
        }))
    }

    async fn deliver_due(&self, http: &reqwest::Client, url: &str, secret: &SecretString) -> sqlx::Result<()> {
        for event in store::due_partner_events(&self.store.db, 50).await? {
            // Replicas share the outbox: only the one that claims an event sends it
            // (the claim outlasts the delivery's timeout, and an outcome replaces it).
            let (id, until) = (event.event_id.clone(), store::timestamp(chrono::Utc::now() + DELIVERY_CLAIM));
            if !self.store.writes.run(move |c| Box::pin(async move { store::claim_partner_event(c, &id, &until).await })).await? {
                continue;
            }
            let t = chrono::Utc::now().timestamp();
            let outcome = http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(HEADER, signature::sign(secret, t, event.body.as_bytes()))
                .body(event.body.clone())
                .send()
                .await;
            match outcome {
                Ok(r) if r.status().is_success() => {
                    let id = event.event_id.clone();
                    self.store.writes.run(move |c| Box::pin(async move { store::partner_event_delivered(c, &id).await })).await?
                }
                other => {
                    let error = match other {
                        Ok(r) => format!("partner answered {}", r.status().as_u16()),
                        Err(e) => format!("not delivered: {}", if e.is_timeout() { "timeout" } else { "connection failed" }),
                    };
                    let wait = self.retry_base.saturating_mul(2u32.saturating_pow(event.attempts.clamp(0, 20) as u32)).min(MAX_BACKOFF);
                    let next = store::timestamp(chrono::Utc::now() + wait);
                    tracing::warn!(event_id = %event.event_id, attempts = event.attempts + 1, %error, "partner webhook will be retried");
                    let id = event.event_id.clone();
                    self.store
                        .writes
                        .run(move |c| Box::pin(async move { store::partner_event_failed(c, &id, &next, &error).await }))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
