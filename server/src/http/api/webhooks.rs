//! `POST /webhooks/0pools`: verify, de-duplicate by `event_id`, store, move the
//! trade forward only, answer 2xx quickly.

use super::{body::RawBody, ApiError};
use crate::http::AppState;
use crate::store;
use crate::zeropools::signature;
use crate::zeropools::types::WebhookEvent;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

/// `POST /webhooks/0pools`.
#[utoipa::path(post, path = "/webhooks/0pools", operation_id = "receive_0pools_webhook", tag = "0pools",
    request_body = super::openapi::WebhookEventBody, security(("webhook_signature" = [])),
    responses(
        (status = 200, description = "Stored (and applied if it moves the trade forward)", body = super::openapi::WebhookReceived),
        (status = 400, description = "`invalid_event`: signed, but not a 0Pools event", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`signature_missing`, `signature_malformed`, `signature_stale`, `signature_mismatch`", body = quote_core::wire::ApiErrorBody),
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
    let fresh = state.trading.receive_event(record).await?;
    Ok(Json(super::openapi::WebhookReceived { received: true, duplicate: !fresh }))
}
