//! The sandbox's error answers, in the contract's one shape, carrying the request id
//! of the request being answered.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

tokio::task_local! {
    /// The `X-Request-Id` of the request this task is answering.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

#[derive(Debug, Clone)]
pub struct SandboxError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub extra: Map<String, Value>,
    pub retry_after_secs: Option<u64>,
}

impl SandboxError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        SandboxError { status, code, message: message.into(), extra: Map::new(), retry_after_secs: None }
    }
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        SandboxError::new(StatusCode::BAD_REQUEST, "invalid_request", message).with("field", field)
    }
    pub fn unauthorized() -> Self {
        SandboxError::new(StatusCode::UNAUTHORIZED, "unauthorized", "A valid secret key is required (Authorization: Bearer sk_test_…).")
    }
    pub fn not_entitled(pool_id: &str) -> Self {
        SandboxError::new(StatusCode::FORBIDDEN, "pool_not_entitled", format!("This key is not entitled to pool {pool_id}."))
    }
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let mut error = Map::new();
        error.insert("code".into(), self.code.into());
        error.insert("message".into(), self.message.into());
        error.insert("request_id".into(), current_request_id().map(Value::from).unwrap_or(Value::Null));
        error.extend(self.extra);
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
