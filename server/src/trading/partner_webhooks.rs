//! Signed webhooks to the partner's backend, one per trade status, so the partner
//! learns every outcome from this server and never from the browser.
//!
//! An outbox: the event is written in the same transaction as the status it
//! announces (unique per trade and status, so a repeat is a no-op), so a status
//! never changes without its event; the sweep queues one for any trade whose current
//! status has none. A worker delivers due events with exponential backoff until the
//! partner answers 2xx (redirects are not followed: the signature must not travel to
//! another host). An event still undelivered after [`ATTEMPTS_BEFORE_ALERT`] tries
//! raises an alert, and the partner's alerts list it while it stays undelivered.
//!
//! Signed as [Standard Webhooks](https://www.standardwebhooks.com/) sign: headers
//! `webhook-id` (the event id, for de-duplication), `webhook-timestamp` (unix
//! seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
//! the key being the base64 after `whsec_` in `PARTNER_WEBHOOK_SECRET`; so a partner
//! verifies with the maintained `standardwebhooks` library of their language.

use super::trade_view;
use crate::config::webhook_signing_key;
use crate::store::{self, Store, TradeRow};
use base64::Engine;
use hmac::{Hmac, Mac};
use quote_core::vocab::RecordedAlertKind;
use quote_core::wire::TradeView;
use secrecy::SecretString;
use serde::Serialize;
use sha2::Sha256;
use sqlx::AnyConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Longest wait between two attempts at one event.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How often the worker looks for due events without being woken.
const POLL: Duration = Duration::from_secs(1);
/// How long a replica's claim on an event lasts: longer than one delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const DELIVERY_CLAIM: Duration = Duration::from_secs(30);
/// Failed attempts after which an undelivered event is alerted on (with the default
/// backoff, about four minutes of retries); retries go on.
pub(crate) const ATTEMPTS_BEFORE_ALERT: i64 = 8;
/// Trades the sweep looks at per pass for a missing event.
const MISSING_PER_PASS: i64 = 500;

/// The body the partner receives.
#[derive(Debug, Serialize)]
pub(crate) struct PartnerEvent<'a> {
    pub(crate) event_id: &'a str,
    #[serde(rename = "type")]
    pub(crate) event_type: String,
    pub(crate) created_at: String,
    pub(crate) data: PartnerEventData<'a>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PartnerEventData<'a> {
    pub(crate) checkout_id: &'a str,
    pub(crate) trade: &'a TradeView,
}

/// Where events go, and the key that signs them.
#[derive(Clone)]
struct Target {
    url: String,
    key: Arc<Vec<u8>>,
}

#[derive(Clone)]
pub(crate) struct Outbox {
    /// Its writes go through the store's writer, like every other hot-path write (on
    /// SQLite, a write beside it would make the writer wait for the lock).
    store: Store,
    target: Option<Target>,
    wake: Arc<Notify>,
    retry_base: Duration,
}

/// The `webhook-signature` value for one delivery (Standard Webhooks, `v1`).
pub(crate) fn sign(key: &[u8], event_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(format!("{event_id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

impl Outbox {
    /// With `target` (URL, `whsec_` secret) events are queued and delivered; without,
    /// nothing is. A secret that is not `whsec_` base64 (config refuses one; a test
    /// might not) turns partner webhooks off, loudly.
    pub(crate) fn new(store: Store, target: Option<(String, SecretString)>, retry_base: Duration) -> Self {
        let target = target.and_then(|(url, secret)| match webhook_signing_key(&secret) {
            Ok(key) => Some(Target { url, key: Arc::new(key) }),
            Err(why) => {
                tracing::error!(%why, "PARTNER_WEBHOOK_SECRET cannot sign: partner webhooks are off");
                None
            }
        });
        Outbox { store, target, wake: Arc::new(Notify::new()), retry_base }
    }

    /// Writes the event for `trade`'s status on `conn`, inside the caller's
    /// transaction (no-op when partner webhooks are off, the trade has no checkout, or
    /// the status has its event already). Call [`Outbox::wake`] once it committed.
    pub(crate) async fn queue_in(&self, conn: &mut AnyConnection, trade: &TradeRow) -> sqlx::Result<()> {
        let (Some(_), Some(checkout_id)) = (&self.target, trade.checkout_id.as_deref()) else { return Ok(()) };
        let view = trade_view(trade)?;
        let event_id = format!("evt_qw_{}", uuid::Uuid::new_v4().simple());
        let event = PartnerEvent {
            event_id: &event_id,
            event_type: view.status.event_type(),
            created_at: store::now(),
            data: PartnerEventData { checkout_id, trade: &view },
        };
        let body = serde_json::to_string(&event).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        store::queue_partner_event(conn, &event_id, checkout_id, &trade.trade_id, view.status, &body).await?;
        Ok(())
    }

    /// Tells the worker an event may be due now.
    pub(crate) fn wake(&self) {
        if self.target.is_some() {
            self.wake.notify_one();
        }
    }

    /// Queues an event for every trade whose current status has none (the sweep).
    pub(crate) async fn queue_missing(&self) -> sqlx::Result<usize> {
        if self.target.is_none() {
            return Ok(0);
        }
        let missing = store::trades_without_partner_event(&self.store.db, MISSING_PER_PASS).await?;
        for trade in &missing {
            tracing::warn!(trade_id = %trade.trade_id, status = %trade.status, "a trade's status had no partner event: queued now");
            let (outbox, trade) = (self.clone(), trade.clone());
            self.store.writes.run(move |c| Box::pin(async move { outbox.queue_in(c, &trade).await })).await?;
        }
        if !missing.is_empty() {
            self.wake();
        }
        Ok(missing.len())
    }

    /// Delivers due events until the process ends.
    pub(crate) fn spawn(&self) -> Option<tokio::task::JoinHandle<()>> {
        let target = self.target.clone()?;
        let outbox = self.clone();
        Some(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(DELIVERY_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default();
            loop {
                if let Err(e) = outbox.deliver_due(&http, &target).await {
                    tracing::warn!(cause = %e, "partner webhook delivery pass failed");
                }
                let _ = tokio::time::timeout(POLL, outbox.wake.notified()).await;
            }
        }))
    }

    async fn deliver_due(&self, http: &reqwest::Client, target: &Target) -> sqlx::Result<()> {
        for event in store::due_partner_events(&self.store.db, 50).await? {
            // Replicas share the outbox: only the one that claims an event sends it
            // (the claim outlasts the delivery's timeout, and an outcome replaces it).
            let (id, until) = (event.event_id.clone(), store::timestamp(chrono::Utc::now() + DELIVERY_CLAIM));
            if !self.store.writes.run(move |c| Box::pin(async move { store::claim_partner_event(c, &id, &until).await })).await? {
                continue;
            }
            let t = chrono::Utc::now().timestamp();
            let outcome = http
                .post(&target.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("webhook-id", &event.event_id)
                .header("webhook-timestamp", t.to_string())
                .header("webhook-signature", sign(&target.key, &event.event_id, t, event.body.as_bytes()))
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
                        Ok(r) if r.status().is_redirection() => {
                            format!("partner answered {} (redirects are not followed)", r.status().as_u16())
                        }
                        Ok(r) => format!("partner answered {}", r.status().as_u16()),
                        Err(e) => format!("not delivered: {}", if e.is_timeout() { "timeout" } else { "connection failed" }),
                    };
                    crate::telemetry::partner_webhook_failure();
                    let attempts = event.attempts + 1;
                    let wait = self.retry_base.saturating_mul(2u32.saturating_pow(event.attempts.clamp(0, 20) as u32)).min(MAX_BACKOFF);
                    let next = store::timestamp(chrono::Utc::now() + wait);
                    tracing::warn!(event_id = %event.event_id, attempts, %error, "partner webhook will be retried");
                    let (id, message) = (event.event_id.clone(), error.clone());
                    self.store
                        .writes
                        .run(move |c| Box::pin(async move { store::partner_event_failed(c, &id, &next, &message).await }))
                        .await?;
                    if attempts == ATTEMPTS_BEFORE_ALERT {
                        let message = format!(
                            "the {} event {} of trade {} is still undelivered after {attempts} attempts ({error}); retries go on",
                            event.status, event.event_id, event.trade_id
                        );
                        self.store.raise_alert(RecordedAlertKind::PartnerWebhookUndelivered, &event.event_id, &message).await;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_standard_webhooks_specification_s_example() {
        // The specification's own example (standard-webhooks/spec, "Signature scheme"):
        // secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, msg_p5jXN8AQM9LWM0D4loKWxJek,
        // timestamp 1614265330, body {"test": 2432232314}.
        let key = base64::engine::general_purpose::STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
