//! Signed webhook delivery with retries and backoff, plus the delivery faults
//! (drop, duplicate, delay; reordering is decided where events are created).

use super::Sandbox;
use std::sync::Arc;
use std::time::Duration;
use zeropools_wire::signature;
use zeropools_wire::types::WebhookEvent;

/// Longest wait between two attempts at one delivery.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the faults decided for one event.
#[derive(Debug, Clone, Copy)]
pub(super) struct DeliveryPlan {
    pub copies: u32,
    pub delay: Duration,
}

impl Sandbox {
    /// Sends `events` in the given order, one after the other, each under its own plan.
    pub(super) fn emit(self: &Arc<Self>, events: Vec<WebhookEvent>) {
        let Some(url) = self.config.webhook_url.clone() else { return };
        let planned: Vec<(WebhookEvent, DeliveryPlan)> = events
            .into_iter()
            .map(|e| {
                let plan = self.plan_delivery();
                (e, plan)
            })
            .collect();
        let sandbox = Arc::clone(self);
        tokio::spawn(async move {
            for (event, plan) in planned {
                if plan.copies == 0 {
                    tracing::info!(event_id = %event.event_id, "sandbox fault: webhook dropped");
                    continue;
                }
                tokio::time::sleep(plan.delay).await;
                for _ in 0..plan.copies {
                    sandbox.deliver(&url, &event).await;
                }
            }
        });
    }

    /// One event to one URL, retried with doubling backoff on anything but 2xx.
    async fn deliver(&self, url: &str, event: &WebhookEvent) {
        let body = serde_json::to_vec(event).expect("events serialise");
        let mut backoff = self.config.webhook_retry_base;
        for attempt in 1..=self.config.webhook_max_attempts {
            let header = signature::sign(&self.config.webhook_secret, chrono::Utc::now().timestamp(), &body);
            let result = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header(signature::HEADER, header)
                .body(body.clone())
                .send()
                .await;
            if !matches!(&result, Ok(r) if r.status().is_success()) {
                *self.webhook_refusals.lock().unwrap_or_else(|p| p.into_inner()).entry(event.data.transact_id.clone()).or_default() += 1;
            }
            match result {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::info!(event_id = %event.event_id, attempt, status = %r.status(), "webhook not accepted; will retry"),
                Err(e) => tracing::info!(event_id = %event.event_id, attempt, error = %e, "webhook delivery failed; will retry"),
            }
            if attempt < self.config.webhook_max_attempts {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
        tracing::warn!(event_id = %event.event_id, "webhook given up after all attempts");
    }
}
