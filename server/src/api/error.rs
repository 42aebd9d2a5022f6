//! The widget API's one error type. Each variant has a stable `code`, an HTTP status
//! and a message a person can act on; the cause is logged, never sent.

use crate::upstream::{UpstreamError, UpstreamErrorKind};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use quote_core::wire::{ApiErrorBody, ApiErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Upstream(e) => match &e.kind {
                UpstreamErrorKind::RateLimited { .. } => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "upstream_busy",
                    "The liquidity provider is busy. Try again in a few seconds.".into(),
                ),
                _ => (
                    StatusCode::BAD_GATEWAY,
                    "upstream_unavailable",
                    "We could not reach the liquidity provider. Try again in a moment.".into(),
                ),
            },
            ApiError::Database(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "We could not save your request. Try again in a moment.".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        // The cause goes to the log (with the upstream request id), not to the browser.
        tracing::warn!(code, error = %self, "request failed");
        let body = ApiErrorBody { error: ApiErrorDetail::new(code, message) };
        (status, Json(body)).into_response()
    }
}
