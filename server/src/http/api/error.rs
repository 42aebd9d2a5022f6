//! The widget API's one error type. Each variant has a stable `code`, an HTTP status
//! and a message a person can act on; the cause is logged, never sent.

use crate::checkouts::CheckoutError;
use crate::trading::TradeError;
use crate::zeropools::signature::SignatureError;
use crate::zeropools::{UpstreamError, UpstreamErrorKind};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quote_core::amount::AmountError;
use quote_core::wire::{ApiErrorBody, ApiErrorDetail, ErrorCode};
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("malformed body: {0}")]
    InvalidJson(String),
    #[error("invalid field {field}: {message}")]
    InvalidField { field: String, message: String },
    #[error("field {field} conflicts: {message}")]
    FieldConflict { field: String, message: String },
    #[error("invalid amount: {0:?}")]
    Amount(AmountError),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unknown pool")]
    UnknownPool,
    #[error("pool {0} is not available")]
    PoolUnavailable(String),
    #[error("side not offered by the pool")]
    UnsupportedSide,
    #[error("network not offered by the pool")]
    UnsupportedNetwork { networks: Vec<String> },
    #[error("currency is neither of the pool's assets")]
    UnsupportedCurrency { currencies: Vec<String> },
    #[error("firm quote without destination")]
    DestinationRequired,
    #[error("order over the program's cap")]
    OrderCapExceeded(quote_core::wire::OrderCap),
    #[error("no such incident")]
    IncidentNotFound,
    #[error("incident resolved already")]
    IncidentResolved,
    #[error("amount out of limits")]
    AmountOutOfLimits { min_order_usdt: Option<Decimal>, max_order_usdt: Option<Decimal> },
    #[error("no session token")]
    SessionRequired,
    #[error("unknown session token")]
    SessionInvalid,
    #[error("session expired")]
    SessionExpired,
    #[error("partner key missing or wrong")]
    PartnerKeyInvalid,
    #[error("metrics token missing or wrong")]
    MetricsTokenInvalid,
    #[error("console credentials wrong")]
    ConsoleCredentialsInvalid,
    #[error("console sign-in required")]
    ConsoleSignInRequired,
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("anonymous sessions are off outside demo mode")]
    AnonymousSessionsDisabled,
    #[error("checkout not found")]
    CheckoutNotFound,
    #[error("checkout expired")]
    CheckoutExpired,
    #[error("partner_reference used by {checkout_id} with other bindings")]
    ReferenceConflict { checkout_id: String },
    #[error("field {field} is bound by the checkout")]
    FieldLocked { field: String, message: String },
    #[error("checkout converted into {trade_id}")]
    CheckoutConverted { trade_id: String },
    #[error("accept of {quote_id} being confirmed")]
    AcceptInProgress { quote_id: String },
    #[error("accept failed for good: {reason}")]
    AcceptFailed { support_id: String, reason: String },
    #[error("too many live streams")]
    TooManyStreams,
    #[error("no record has this id")]
    EvidenceNotFound,
    #[error("rate limited")]
    RateLimited { retry_after_ms: u64 },
    #[error("quote not found")]
    QuoteNotFound,
    #[error("trade not found")]
    TradeNotFound,
    #[error("quote expired")]
    QuoteExpired,
    #[error("quote rejected")]
    QuoteRejected,
    #[error("quote not executable")]
    QuoteNotExecutable,
    #[error("quote already accepted")]
    QuoteAlreadyAccepted,
    #[error("accept not confirmed yet: {0}")]
    AcceptPending(UpstreamError),
    #[error("accept in flight on another call")]
    AcceptInFlight,
    #[error("webhook signature: {0}")]
    Signature(SignatureError),
    #[error("webhook event malformed: {0}")]
    InvalidEvent(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error")]
    Internal,
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl ApiError {
    /// `400 invalid_field` naming the field and what to do about it: the request does
    /// not match its documented schema (the OpenAPI document says so beforehand).
    pub(crate) fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidField { field: field.into(), message: message.into() }
    }

    /// `422 field_conflict`: the field matches its schema but not another field or
    /// what is stored, which no schema can say beforehand.
    pub(crate) fn field_conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::FieldConflict { field: field.into(), message: message.into() }
    }
}

impl From<crate::partner::utilization::WindowError> for ApiError {
    fn from(e: crate::partner::utilization::WindowError) -> Self {
        use crate::partner::utilization::WindowError;
        match e {
            WindowError::Unreadable(field, message) => ApiError::invalid_field(field, message),
            WindowError::Conflict(field, message) => ApiError::field_conflict(field, message),
        }
    }
}

impl From<TradeError> for ApiError {
    fn from(e: TradeError) -> Self {
        match e {
            TradeError::QuoteNotFound => ApiError::QuoteNotFound,
            TradeError::TradeNotFound => ApiError::TradeNotFound,
            TradeError::QuoteExpired => ApiError::QuoteExpired,
            TradeError::QuoteRejected => ApiError::QuoteRejected,
            TradeError::QuoteNotExecutable => ApiError::QuoteNotExecutable,
            TradeError::QuoteAlreadyAccepted => ApiError::QuoteAlreadyAccepted,
            TradeError::AcceptInProgress { quote_id } => ApiError::AcceptInProgress { quote_id },
            TradeError::AcceptPending(e) => ApiError::AcceptPending(e),
            TradeError::AcceptInFlight => ApiError::AcceptInFlight,
            TradeError::AcceptFailed { support_id, reason } => ApiError::AcceptFailed { support_id, reason },
            TradeError::Upstream(e) => ApiError::Upstream(e),
            TradeError::Storage(e) => ApiError::Database(e),
        }
    }
}

impl From<CheckoutError> for ApiError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::ReferenceConflict { checkout_id } => ApiError::ReferenceConflict { checkout_id },
            CheckoutError::NotFound => ApiError::CheckoutNotFound,
            CheckoutError::Expired => ApiError::CheckoutExpired,
            CheckoutError::FieldLocked { field, message } => ApiError::FieldLocked { field: field.into(), message },
            CheckoutError::Converted { trade_id } => ApiError::CheckoutConverted { trade_id },
            CheckoutError::AcceptInProgress { quote_id } => ApiError::AcceptInProgress { quote_id },
            CheckoutError::InvalidBinding { field, message } => ApiError::InvalidField { field: field.into(), message },
            CheckoutError::ConflictingBinding { field, message } => ApiError::FieldConflict { field: field.into(), message },
            CheckoutError::Upstream(e) => ApiError::Upstream(e),
            CheckoutError::Storage(e) => ApiError::Database(e),
        }
    }
}

impl From<AmountError> for ApiError {
    fn from(e: AmountError) -> Self {
        ApiError::Amount(e)
    }
}

const TRY_AGAIN: &str = "Try again in a moment.";

impl ApiError {
    /// Status, stable code and a person-readable message (never internals).
    fn detail(&self) -> (StatusCode, ApiErrorDetail) {
        use ApiError::*;
        let d = |code: ErrorCode, msg: &str| ApiErrorDetail::new(code, msg);
        match self {
            InvalidJson(_) => (StatusCode::BAD_REQUEST, d(ErrorCode::InvalidJson, "The request body must be a JSON object.")),
            InvalidField { field, message } => {
                let mut detail = d(ErrorCode::InvalidField, message);
                detail.field = Some(field.clone());
                (StatusCode::BAD_REQUEST, detail)
            }
            FieldConflict { field, message } => {
                let mut detail = d(ErrorCode::FieldConflict, message);
                detail.field = Some(field.clone());
                (StatusCode::UNPROCESSABLE_ENTITY, detail)
            }
            Amount(e) => {
                let mut detail = ApiErrorDetail::new(e.code(), e.message());
                detail.field = Some("amount".into());
                (StatusCode::BAD_REQUEST, detail)
            }
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, d(ErrorCode::PayloadTooLarge, "The request is too large.")),
            UnknownPool => (StatusCode::UNPROCESSABLE_ENTITY, d(ErrorCode::UnknownPool, "This conversion pair is not offered. Choose one of the listed pools.")),
            PoolUnavailable(_) => (StatusCode::UNPROCESSABLE_ENTITY, d(ErrorCode::PoolUnavailable, "This conversion pair is not available right now. Try again later or choose another pair.")),
            UnsupportedSide => (StatusCode::UNPROCESSABLE_ENTITY, d(ErrorCode::UnsupportedSide, "This pool does not offer that direction.")),
            UnsupportedNetwork { networks } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                d(ErrorCode::UnsupportedNetwork, &format!("Choose one of the pool's networks: {}.", networks.join(", "))),
            ),
            UnsupportedCurrency { currencies } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                d(ErrorCode::UnsupportedCurrency, &format!("The amount must be in {}.", currencies.join(" or "))),
            ),
            DestinationRequired => {
                let mut detail = d(ErrorCode::DestinationRequired, "Enter the destination address to get a firm quote.");
                detail.field = Some("destination_address".into());
                // 422, not 400: whether one is needed depends on the checkout's bindings.
                (StatusCode::UNPROCESSABLE_ENTITY, detail)
            }
            AmountOutOfLimits { min_order_usdt, max_order_usdt } => {
                let message = match (min_order_usdt, max_order_usdt) {
                    (Some(min), Some(max)) => format!("Enter an amount worth between {min} and {max} USDT."),
                    (Some(min), None) => format!("Enter an amount worth at least {min} USDT."),
                    _ => "This amount is outside the allowed limits.".into(),
                };
                let mut detail = d(ErrorCode::AmountOutOfLimits, &message);
                detail.field = Some("amount".into());
                detail.min_order_usdt = *min_order_usdt;
                detail.max_order_usdt = *max_order_usdt;
                (StatusCode::UNPROCESSABLE_ENTITY, detail)
            }
            OrderCapExceeded(cap) => {
                let (code, message) = match cap.kind {
                    quote_core::vocab::CapKind::FirstOrder => {
                        (ErrorCode::FirstOrderLimit, format!("A first order can be at most {} USDT. Enter a smaller amount.", cap.limit_usdt))
                    }
                    quote_core::vocab::CapKind::Order => {
                        (ErrorCode::OrderLimit, format!("An order can be at most {} USDT for now. Enter a smaller amount.", cap.limit_usdt))
                    }
                };
                let mut detail = d(code, &message);
                detail.field = Some("amount".into());
                detail.max_order_usdt = Some(cap.limit_usdt);
                (StatusCode::UNPROCESSABLE_ENTITY, detail)
            }
            IncidentNotFound => (StatusCode::NOT_FOUND, d(ErrorCode::IncidentNotFound, "No incident has this id.")),
            IncidentResolved => (StatusCode::CONFLICT, d(ErrorCode::IncidentResolved, "This incident is resolved already; a new occurrence opens a new incident.")),
            SessionRequired => (StatusCode::UNAUTHORIZED, d(ErrorCode::SessionRequired, "Start a session first (POST /api/sessions) and send its token as a Bearer token.")),
            SessionInvalid => (StatusCode::UNAUTHORIZED, d(ErrorCode::SessionInvalid, "This session is not known. Start a new session.")),
            SessionExpired => (StatusCode::UNAUTHORIZED, d(ErrorCode::SessionExpired, "Your session expired. Start a new session.")),
            PartnerKeyInvalid => (StatusCode::UNAUTHORIZED, d(ErrorCode::PartnerKeyInvalid, "This call is for the partner's backend: send the partner key as a Bearer token.")),
            MetricsTokenInvalid => (StatusCode::UNAUTHORIZED, d(ErrorCode::MetricsTokenInvalid, "Scrape metrics with the metrics token (METRICS_TOKEN) as a Bearer token; the partner key does not open them.")),
            ConsoleCredentialsInvalid => (StatusCode::UNAUTHORIZED, d(ErrorCode::ConsoleCredentialsInvalid, "The user name or password is wrong.")),
            ConsoleSignInRequired => (StatusCode::UNAUTHORIZED, d(ErrorCode::ConsoleSignInRequired, "Sign in to the partner console, or send the partner key as a Bearer token.")),
            AnonymousSessionsDisabled => (
                StatusCode::UNAUTHORIZED,
                d(ErrorCode::AnonymousSessionsDisabled, "Sessions are minted by the partner's backend: create a checkout (POST /api/checkouts) and give its client token to the widget."),
            ),
            CheckoutNotFound => (StatusCode::NOT_FOUND, d(ErrorCode::CheckoutNotFound, "This checkout does not exist.")),
            CheckoutExpired => (StatusCode::GONE, d(ErrorCode::CheckoutExpired, "This checkout has expired. Start the payment again.")),
            ReferenceConflict { .. } => {
                let mut detail = d(ErrorCode::PartnerReferenceConflict, "A checkout for this partner_reference already exists with other terms. Use a new reference for a new order.");
                detail.field = Some("partner_reference".into());
                (StatusCode::CONFLICT, detail)
            }
            FieldLocked { field, message } => {
                let mut detail = d(ErrorCode::FieldLocked, message);
                detail.field = Some(field.clone());
                (StatusCode::UNPROCESSABLE_ENTITY, detail)
            }
            CheckoutConverted { trade_id } => {
                let mut detail = d(ErrorCode::CheckoutConverted, "This checkout is already paid. Follow its conversion.");
                detail.trade_id = Some(trade_id.clone());
                (StatusCode::CONFLICT, detail)
            }
            AcceptInProgress { quote_id } => {
                let mut detail = d(ErrorCode::AcceptInProgress, "We are still confirming your conversion. Wait for it; you will not be charged twice.");
                detail.quote_id = Some(quote_id.clone());
                detail.retry_after_ms = Some(2_000);
                (StatusCode::CONFLICT, detail)
            }
            AcceptFailed { support_id, .. } => {
                let mut detail = d(ErrorCode::AcceptFailed, "This conversion could not be completed and nothing was charged by it. Contact support with the id shown.");
                detail.support_id = Some(support_id.clone());
                (StatusCode::CONFLICT, detail)
            }
            EvidenceNotFound => (StatusCode::NOT_FOUND, d(ErrorCode::EvidenceNotFound, "No checkout, quote, trade, event or ledger row has this id.")),
            TooManyStreams => {
                let mut detail = d(ErrorCode::TooManyStreams, "Too many live updates are open. Close other tabs of this checkout and try again.");
                detail.retry_after_ms = Some(5_000);
                (StatusCode::TOO_MANY_REQUESTS, detail)
            }
            RateLimited { retry_after_ms } => {
                let mut detail = d(ErrorCode::RateLimited, "Too many requests. Wait a moment and try again.");
                detail.retry_after_ms = Some(*retry_after_ms);
                (StatusCode::TOO_MANY_REQUESTS, detail)
            }
            QuoteNotFound => (StatusCode::NOT_FOUND, d(ErrorCode::QuoteNotFound, "This quote does not exist. Request a new quote.")),
            TradeNotFound => (StatusCode::NOT_FOUND, d(ErrorCode::TradeNotFound, "This conversion does not exist.")),
            QuoteExpired => (StatusCode::GONE, d(ErrorCode::QuoteExpired, "This quote expired. Refresh to continue.")),
            QuoteRejected => (StatusCode::CONFLICT, d(ErrorCode::QuoteRejected, "This quote was declined and can no longer be accepted. Request a new quote.")),
            QuoteNotExecutable => (StatusCode::CONFLICT, d(ErrorCode::QuoteNotExecutable, "This quote cannot be accepted. Request a new quote.")),
            QuoteAlreadyAccepted => (StatusCode::CONFLICT, d(ErrorCode::QuoteAlreadyAccepted, "This quote was already accepted.")),
            AcceptPending(_) | AcceptInFlight => {
                let mut detail = d(ErrorCode::AcceptPending, "We could not confirm your conversion yet. Try again; you will not be charged twice.");
                detail.retry_after_ms = Some(2_000);
                (StatusCode::SERVICE_UNAVAILABLE, detail)
            }
            Signature(e) => (StatusCode::UNAUTHORIZED, d(e.code(), "The webhook signature is not valid.")),
            InvalidEvent(_) => (StatusCode::BAD_REQUEST, d(ErrorCode::InvalidEvent, "The webhook body is not a 0Pools event.")),
            NotFound => (StatusCode::NOT_FOUND, d(ErrorCode::NotFound, "No such endpoint.")),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, d(ErrorCode::MethodNotAllowed, "This endpoint does not take this method: /api/openapi.json lists each endpoint's.")),
            NotReady(what) => (StatusCode::SERVICE_UNAVAILABLE, d(ErrorCode::NotReady, &format!("This replica should not get traffic now: {what}."))),
            Upstream(e) => match &e.kind {
                UpstreamErrorKind::RateLimited { .. } => {
                    let mut detail = d(ErrorCode::UpstreamBusy, "The liquidity provider is busy. Try again in a few seconds.");
                    detail.retry_after_ms = Some(3_000);
                    (StatusCode::SERVICE_UNAVAILABLE, detail)
                }
                _ => (StatusCode::BAD_GATEWAY, d(ErrorCode::UpstreamUnavailable, &format!("We could not reach the liquidity provider. {TRY_AGAIN}"))),
            },
            Internal => (StatusCode::INTERNAL_SERVER_ERROR, d(ErrorCode::InternalError, &format!("Something went wrong on our side. {TRY_AGAIN}"))),
            Database(_) => (StatusCode::SERVICE_UNAVAILABLE, d(ErrorCode::StorageUnavailable, &format!("We could not save your request. {TRY_AGAIN}"))),
        }
    }
}

impl ApiError {
    /// The stable code this error answers with.
    pub(crate) fn code(&self) -> ErrorCode {
        self.detail().1.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = self.detail();
        // The cause goes to the log (with 0Pools' request id when there is one), never to the browser.
        match &self {
            ApiError::Upstream(e) | ApiError::AcceptPending(e) => {
                tracing::warn!(code = %detail.code, kind = ?e.kind, upstream_request_id = ?e.request_id, cause = %e.message, "request failed upstream")
            }
            ApiError::Database(e) => tracing::error!(code = %detail.code, cause = %e, "request failed in storage"),
            other => tracing::info!(code = %detail.code, cause = %other, "request refused"),
        }
        let retry_after = detail.retry_after_ms;
        let mut response = (status, Json(ApiErrorBody { error: detail })).into_response();
        if let Some(ms) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(ms.div_ceil(1000)));
        }
        response
    }
}

impl From<crate::partner::program::ProgramError> for ApiError {
    fn from(e: crate::partner::program::ProgramError) -> Self {
        match e {
            crate::partner::program::ProgramError::Storage(e) => ApiError::Database(e),
            crate::partner::program::ProgramError::Upstream(e) => ApiError::Upstream(e),
        }
    }
}
