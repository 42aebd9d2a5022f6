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
    Unavailable { reason: crate::zeropools::types::UnavailableReason },
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

impl UpstreamErrorKind {
    /// A stable word for the kind: 0Pools' own error code where it has one. Metric
    /// labels, and the record of why an accept was refused.
    pub fn code(&self) -> &'static str {
        match self {
            UpstreamErrorKind::Unauthorized => "unauthorized",
            UpstreamErrorKind::PoolNotEntitled => "pool_not_entitled",
            UpstreamErrorKind::InvalidRequest { .. } => "invalid_request",
            UpstreamErrorKind::AmountOutOfLimits { .. } => "amount_out_of_limits",
            UpstreamErrorKind::UnsupportedNetwork => "unsupported_network",
            UpstreamErrorKind::RateLimited { .. } => "rate_limited",
            UpstreamErrorKind::QuoteNotFound => "quote_not_found",
            UpstreamErrorKind::QuoteExpired => "quote_expired",
            UpstreamErrorKind::QuoteConsumed => "quote_consumed",
            UpstreamErrorKind::QuoteRejected => "quote_rejected",
            UpstreamErrorKind::QuoteNotExecutable => "quote_not_executable",
            UpstreamErrorKind::Unavailable { .. } => "unavailable",
            UpstreamErrorKind::IdempotencyConflict => "idempotency_conflict",
            UpstreamErrorKind::NotFound => "not_found",
            UpstreamErrorKind::Server { .. } => "server_error",
            UpstreamErrorKind::MalformedResponse => "malformed_response",
            UpstreamErrorKind::Timeout => "timeout",
            UpstreamErrorKind::Transport => "transport",
        }
    }
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
            (400, _) => UpstreamErrorKind::InvalidRequest { field: extra.get("field").and_then(|v| v.as_str()).map(str::to_owned) },
            (429, _) => UpstreamErrorKind::RateLimited { retry_after },
            (_, Some("amount_out_of_limits")) => {
                UpstreamErrorKind::AmountOutOfLimits { min_order_usdt: dec("min_order_usdt"), max_order_usdt: dec("max_order_usdt") }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_read_from_its_code_gives_that_code_back() {
        let none = serde_json::Map::new();
        for code in [
            "amount_out_of_limits",
            "unsupported_network",
            "quote_not_found",
            "quote_expired",
            "quote_consumed",
            "quote_rejected",
            "quote_not_executable",
            "idempotency_conflict",
        ] {
            assert_eq!(UpstreamError::from_status(409, Some(code), &none, None).code(), code);
        }
        assert_eq!(UpstreamError::from_status(401, None, &none, None).code(), "unauthorized");
        assert_eq!(UpstreamError::from_status(418, Some("teapot"), &none, None).code(), "server_error");
    }
}
