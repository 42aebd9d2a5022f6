//! Every failure the upstream client can report, one typed variant per error code
//! of the contract, plus transport-level failures.

use rust_decimal::Decimal;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamErrorKind {
    /// 401: missing or wrong secret key.
    Unauthorized,
    /// 403 `pool_not_entitled`.
    PoolNotEntitled,
    /// 400 `invalid_request`; `field` names the malformed field.
    InvalidRequest { field: Option<String> },
    /// 422 `amount_out_of_limits`.
    AmountOutOfLimits { min_order_usdt: Option<Decimal>, max_order_usdt: Option<Decimal> },
    /// 422 `unsupported_network`.
    UnsupportedNetwork,
    /// 429 `rate_limited`.
    RateLimited { retry_after: Option<Duration> },
    /// 404 `quote_not_found` (also another partner's quote).
    QuoteNotFound,
    /// 410 `quote_expired`.
    QuoteExpired,
    /// 409 `quote_consumed`.
    QuoteConsumed,
    /// 409 `quote_rejected`.
    QuoteRejected,
    /// 422 `quote_not_executable`.
    QuoteNotExecutable,
    /// 200 fail-soft `available: false` on execution: nothing was executed.
    Unavailable { reason: crate::upstream::types::UnavailableReason },
    /// 409 `idempotency_conflict`.
    IdempotencyConflict,
    /// 404 for anything else (e.g. an unknown transact id).
    NotFound,
    /// Any other non-2xx, with its status and code.
    Server { status: u16, code: Option<String> },
    /// A 2xx whose body was not the contract's shape.
    MalformedResponse,
    /// No answer in time.
    Timeout,
    /// Connection refused, reset, DNS and the like.
    Transport,
}

/// A failed upstream call, with 0Pools' request id when one came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("0Pools call failed: {kind:?} ({message}) [request_id={request_id:?}]")]
pub struct UpstreamError {
    pub kind: UpstreamErrorKind,
    pub message: String,
    pub request_id: Option<String>,
}

impl UpstreamError {
    pub(crate) fn new(kind: UpstreamErrorKind, message: impl Into<String>) -> Self {
        UpstreamError { kind, message: message.into(), request_id: None }
    }

    /// Worth another attempt, when the operation itself is safe to repeat.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            UpstreamErrorKind::Timeout
                | UpstreamErrorKind::Transport
                | UpstreamErrorKind::RateLimited { .. }
                | UpstreamErrorKind::MalformedResponse
        ) || matches!(self.kind, UpstreamErrorKind::Server { status, .. } if status >= 500)
    }

    pub(crate) fn from_status(
        status: u16,
        code: Option<&str>,
        extra: &serde_json::Map<String, serde_json::Value>,
        retry_after: Option<Duration>,
    ) -> UpstreamErrorKind {
        let dec = |k: &str| extra.get(k).and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
        match (status, code) {
            (401, _) => UpstreamErrorKind::Unauthorized,
            (403, _) => UpstreamErrorKind::PoolNotEntitled,
            (400, _) => UpstreamErrorKind::InvalidRequest {
                field: extra.get("field").and_then(|v| v.as_str()).map(str::to_owned),
            },
            (429, _) => UpstreamErrorKind::RateLimited { retry_after },
            (_, Some("amount_out_of_limits")) => UpstreamErrorKind::AmountOutOfLimits {
                min_order_usdt: dec("min_order_usdt"),
                max_order_usdt: dec("max_order_usdt"),
            },
            (_, Some("unsupported_network")) => UpstreamErrorKind::UnsupportedNetwork,
            (_, Some("quote_not_found")) => UpstreamErrorKind::QuoteNotFound,
            (_, Some("quote_expired")) => UpstreamErrorKind::QuoteExpired,
            (_, Some("quote_consumed")) => UpstreamErrorKind::QuoteConsumed,
            (_, Some("quote_rejected")) => UpstreamErrorKind::QuoteRejected,
            (_, Some("quote_not_executable")) => UpstreamErrorKind::QuoteNotExecutable,
            (_, Some("idempotency_conflict")) => UpstreamErrorKind::IdempotencyConflict,
            (404, _) => UpstreamErrorKind::NotFound,
            (status, code) => UpstreamErrorKind::Server { status, code: code.map(str::to_owned) },
        }
    }
}
