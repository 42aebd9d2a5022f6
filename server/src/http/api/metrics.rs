//! `GET /metrics` (partner key): Prometheus text. Gauges that describe the present
//! (open streams, the oldest reserved trade) are read at scrape time.

use super::auth::MetricsReader;
use super::ApiError;
use crate::http::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "partner", security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition (quotes, accepts, settlement latency, upstream latency and errors, webhook failures, partner webhook failures and the oldest undelivered one's age, alerts, streams, oldest reserved age, balance)", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "`metrics_token_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn metrics(State(state): State<AppState>, _: MetricsReader) -> Result<Response, ApiError> {
    let oldest_seconds = crate::store::oldest_reserved_at(&state.store.db)
        .await?
        .map(|t| (chrono::Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    let undelivered_seconds = crate::store::oldest_undelivered_partner_event(&state.store.db)
        .await?
        .and_then(|at| crate::store::stored::time(&at, "partner_events.created_at", "oldest undelivered"))
        .map(|t| (chrono::Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    crate::telemetry::scrape_gauges(state.streams.open(), oldest_seconds, undelivered_seconds);
    let text = crate::telemetry::handle().map(|h| h.render()).unwrap_or_default();
    // Someone is watching: the readiness record's monitoring evidence.
    state.program.note(crate::partner::program::SIGNAL_METRICS_SCRAPED, None).await;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response())
}
