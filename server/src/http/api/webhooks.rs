//! `POST /webhooks/0pools`: verify, de-duplicate by `event_id`, store, move the
//! trade forward only, answer 2xx quickly.

use super::{body::RawBody, ApiError};
use crate::http::AppState;
use crate::store;
use crate::trading;
use crate::zeropools::signature;
use crate::zeropools::types::{StatusSource, WebhookEvent};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

/// `POST /webhooks/0pools`.
#[utoipa::path(post, path = "/webhooks/0pools", operation_id = "receive_0pools_webhook", tag = "0pools",
    request_body = super::openapi::WebhookEventBody, security(("webhook_signature" = [])),
    responses(
        (status = 200, description = "Stored (and applied if it moves the trade forward)", body = super::openapi::WebhookReceived),
        (status = 400, description = "`signature_missing`, `signature_malformed`, `signature_stale`, `signature_mismatch`, `invalid_event`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Json<super::openapi::WebhookReceived>, ApiError> {
    let header = headers.get(signature::HEADER).and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(&state.settings.webhook_secret, header, &body, chrono::Utc::now().timestamp()) {
        // Counted for the partner's alerts: a wrong secret or tampering shows up there.
        crate::telemetry::webhook_failure(e.code().to_string());
        // Anyone can post here: failures are written at a bounded pace (the metric counts all).
        if state.limiters.webhook_failure_write().is_ok() {
            if let Err(cause) = store::record_webhook_failure(&state.store.db, e.code().as_str()).await {
                tracing::warn!(%cause, "a webhook signature failure could not be recorded");
            }
        }
        return Err(ApiError::Signature(e));
    }
    let event: WebhookEvent = serde_json::from_slice(&body).map_err(|e| ApiError::InvalidEvent(e.to_string()))?;
    let record = store::WebhookEventRecord {
        event_id: event.event_id.clone(),
        event_type: event.event_type.clone(),
        transact_id: event.data.transact_id.clone(),
        quote_id: event.data.quote_id.clone(),
        status: event.data.status,
        created_at: store::timestamp(event.created_at),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    // Stored, then applied: out-of-order and unknown-trade events are stored; only a
    // forward move applies. An event for a trade not stored yet is applied when the
    // trade is stored. A duplicate is applied again too (a no-op when it already
    // was): if an earlier delivery was stored but failed to apply, 0Pools' retry
    // must still apply it. One unit, one statement: one wait for the commit.
    let (event_id, status) = (record.event_id.clone(), record.status);
    let received = state.store.writes.run(move |c| Box::pin(async move { store::receive_webhook_event(c, &record).await })).await?;
    match received.trade {
        Some(trade) => {
            if trade.moved {
                trading::moved_forward(&trade.row, &StatusSource::Webhook);
            }
            state.trading.announce_row(&trade.row).await?;
        }
        // No trade yet. Its accept applies stored events once the trade is stored, but
        // on Postgres a trade committed while this statement ran is seen by neither:
        // not by our move (its snapshot came first), nor by the accept's look for early
        // events if that runs before our commit. A second try, after the commit, sees
        // whatever the first could not; the accept sees the event otherwise.
        // (A `reserved` event moves nothing: no second try.)
        None if status.is_terminal() => {
            state.trading.advance(&event.data.transact_id, status, StatusSource::Webhook, Some(&event_id), None).await?;
        }
        None => {}
    }
    Ok(Json(super::openapi::WebhookReceived { received: true, duplicate: !received.fresh }))
}
