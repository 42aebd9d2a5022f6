//! The one client the companion server uses to talk to 0Pools, or to the sandbox
//! that stands in for it: same code, same wire, only the base URL differs. It owns
//! retries, timeouts and the typed errors of the contract; the wire types and the
//! signature scheme are `zeropools-wire`'s, re-exported here for the rest of the
//! server.
//!
//! Uses only `telemetry` (each call is timed and counted).

mod error;

pub use zeropools_wire::{balances, signature, types};

use balances::{Balances, LedgerPage};

pub use error::{UpstreamError, UpstreamErrorKind};
use types::*;

use reqwest::{header, Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// What came back with a successful call besides its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream<T> {
    pub value: T,
    /// 0Pools' `X-Request-Id`, for support.
    pub request_id: Option<String>,
    /// Estimated `0Pools clock - our clock` in ms, from the `Date` header.
    pub clock_offset_ms: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub secret_key: SecretString,
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts for calls that are safe to repeat (reads; transact with one key).
    pub max_attempts: u32,
    /// First retry delay; doubled each time, and `Retry-After` wins when longer.
    pub retry_base: Duration,
}

impl ClientConfig {
    /// The longest one call may take with its retries: every attempt timing out, and
    /// each wait between two the longer of its backoff and the longest `Retry-After`
    /// waited out. An accept's lease must outlast this (start-up checks it).
    pub fn worst_case_span(&self) -> Duration {
        let attempts = self.max_attempts.max(1);
        let waits: Duration = (0..attempts - 1).map(|i| self.retry_base.saturating_mul(2u32.saturating_pow(i)).max(MAX_RETRY_AFTER)).sum();
        self.timeout.saturating_mul(attempts) + waits
    }

    pub fn new(base_url: impl Into<String>, secret_key: SecretString) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            secret_key,
            // Three attempts of 8 s plus backoff stay inside the server's 30 s
            // request timeout, so a slow 0Pools still gets a proper answer.
            timeout: Duration::from_secs(8),
            max_attempts: 3,
            retry_base: Duration::from_millis(100),
        }
    }
}

#[derive(Debug, Clone)]
pub struct UpstreamClient {
    http: reqwest::Client,
    config: ClientConfig,
}

/// Whether a call may be repeated after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    Safe,
    Never,
}

/// A Retry-After longer than this is not waited out inside one call.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

impl UpstreamClient {
    pub fn new(config: ClientConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .expect("a client with only timeouts set always builds");
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        UpstreamClient { http, config: ClientConfig { base_url, ..config } }
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// `GET /v1/pools`.
    pub async fn list_pools(&self) -> Result<Upstream<PoolList>, UpstreamError> {
        self.call(Method::GET, "/v1/pools", None, None, Retry::Safe).await
    }

    /// `POST /v1/quotes`. A firm quote is never retried: a lost answer could mean a
    /// second locked quote. An indicative one locks nothing and may be.
    pub async fn create_quote(&self, request: &QuoteRequest) -> Result<Upstream<QuoteOutcome>, UpstreamError> {
        let retry = match request.quote_type {
            QuoteType::Indicative => Retry::Safe,
            QuoteType::Firm => Retry::Never,
        };
        let body = serde_json::to_value(request).expect("QuoteRequest serialises");
        let answer: Upstream<QuoteAnswer> = self.call(Method::POST, "/v1/quotes", Some(body), None, retry).await?;
        let outcome = split_quote_answer(answer.value, request.quote_type).map_err(|mut e| {
            e.request_id = answer.request_id.clone();
            e
        })?;
        Ok(Upstream { value: outcome, request_id: answer.request_id, clock_offset_ms: answer.clock_offset_ms })
    }

    /// `POST /v1/quotes/{id}/reject`. Rejecting twice is harmless, so it is retried.
    pub async fn reject_quote(&self, quote_id: &str) -> Result<Upstream<RejectAnswer>, UpstreamError> {
        let path = format!("/v1/quotes/{}/reject", path_segment(quote_id));
        self.call(Method::POST, &path, Some(serde_json::json!({})), None, Retry::Safe).await
    }

    /// `POST /v1/transact`. Retried only because the same `Idempotency-Key` makes a
    /// repeat a replay of the first attempt, never a second trade. A fail-soft
    /// unavailable answer (the partner's balance cannot cover it) is an
    /// [`UpstreamErrorKind::Unavailable`]: nothing was executed.
    pub async fn transact(&self, quote_id: &str, idempotency_key: &str) -> Result<Upstream<Trade>, UpstreamError> {
        let body = serde_json::to_value(TransactRequest { quote_id: quote_id.to_owned() }).expect("serialises");
        let answer: Upstream<TransactAnswer> =
            self.call(Method::POST, "/v1/transact", Some(body), Some(idempotency_key), Retry::Safe).await?;
        match answer.value {
            TransactAnswer::Trade(trade) => {
                Ok(Upstream { value: trade, request_id: answer.request_id, clock_offset_ms: answer.clock_offset_ms })
            }
            TransactAnswer::Unavailable(u) => Err(UpstreamError {
                message: format!("0Pools could not execute now: {}", u.unavailable_reason.as_str()),
                kind: UpstreamErrorKind::Unavailable { reason: u.unavailable_reason },
                request_id: answer.request_id,
            }),
        }
    }

    /// `GET /v1/balances`: the partner's prefunded capacity per asset, and daily bands.
    pub async fn balances(&self) -> Result<Upstream<Balances>, UpstreamError> {
        self.call(Method::GET, "/v1/balances", None, None, Retry::Safe).await
    }

    /// `GET /v1/ledger`: one page of the partner's ledger after `after` (oldest first).
    pub async fn ledger(&self, after: Option<&str>, limit: u32) -> Result<Upstream<LedgerPage>, UpstreamError> {
        let mut path = format!("/v1/ledger?limit={}", limit.clamp(1, 500));
        if let Some(after) = after {
            path.push_str(&format!("&after={}", path_segment(after)));
        }
        self.call(Method::GET, &path, None, None, Retry::Safe).await
    }

    /// `GET /v1/transact/{id}`.
    pub async fn get_trade(&self, transact_id: &str) -> Result<Upstream<Trade>, UpstreamError> {
        let path = format!("/v1/transact/{}", path_segment(transact_id));
        self.call(Method::GET, &path, None, None, Retry::Safe).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
        retry: Retry,
    ) -> Result<Upstream<T>, UpstreamError> {
        let attempts = match retry {
            Retry::Safe => self.config.max_attempts.max(1),
            Retry::Never => 1,
        };
        let mut delay = self.config.retry_base;
        let mut attempt = 1;
        loop {
            let started = std::time::Instant::now();
            let outcome = self.attempt(method.clone(), path, body.as_ref(), idempotency_key).await;
            crate::telemetry::upstream(
                endpoint_label(path),
                started.elapsed().as_secs_f64(),
                outcome.as_ref().err().map(|e| e.kind.code()),
            );
            match outcome {
                Ok(ok) => return Ok(ok),
                Err(err) if attempt < attempts && err.is_transient() => {
                    let wait = match err.kind {
                        UpstreamErrorKind::RateLimited { retry_after: Some(ra) } => ra.max(delay).min(MAX_RETRY_AFTER),
                        _ => delay,
                    };
                    tracing::warn!(%path, attempt, ?err.kind, request_id = ?err.request_id, "retrying 0Pools call");
                    tokio::time::sleep(wait).await;
                    delay *= 2;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Upstream<T>, UpstreamError> {
        let url = format!("{}{}", self.config.base_url, path);
        let mut request =
            self.http.request(method, &url).bearer_auth(self.config.secret_key.expose_secret()).header(header::ACCEPT, "application/json");
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let sent_at = chrono::Utc::now();
        let response = request.send().await.map_err(transport_error)?;
        let received_at = chrono::Utc::now();

        let status = response.status();
        let headers = response.headers().clone();
        let request_id = headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let clock_offset_ms =
            headers.get(header::DATE).and_then(|v| v.to_str().ok()).and_then(|v| httpdate::parse_http_date(v).ok()).map(|date| {
                let server_ms = chrono::DateTime::<chrono::Utc>::from(date).timestamp_millis();
                quote_core::countdown::clock_offset_ms(server_ms, sent_at.timestamp_millis(), received_at.timestamp_millis())
            });
        let bytes = response.bytes().await.map_err(|e| {
            let mut err = transport_error(e);
            err.request_id = request_id.clone();
            err
        })?;

        if status.is_success() {
            return serde_json::from_slice::<T>(&bytes)
                .map(|value| Upstream { value, request_id: request_id.clone(), clock_offset_ms })
                .map_err(|e| UpstreamError {
                    kind: UpstreamErrorKind::MalformedResponse,
                    message: format!("0Pools answered {status} with a body that is not the contract's shape: {e}"),
                    request_id: request_id.clone(),
                });
        }
        Err(error_from_response(status, &headers, &bytes, request_id))
    }
}

/// The contract endpoint a path is, without its ids (a metric label).
fn endpoint_label(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or(path);
    match path {
        "/v1/pools" => "/v1/pools",
        "/v1/quotes" => "/v1/quotes",
        "/v1/transact" => "/v1/transact",
        "/v1/balances" => "/v1/balances",
        "/v1/ledger" => "/v1/ledger",
        p if p.starts_with("/v1/quotes/") => "/v1/quotes/{id}/reject",
        p if p.starts_with("/v1/transact/") => "/v1/transact/{id}",
        _ => "other",
    }
}

fn error_from_response(status: StatusCode, headers: &header::HeaderMap, bytes: &[u8], request_id: Option<String>) -> UpstreamError {
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let envelope = serde_json::from_slice::<ErrorEnvelope>(bytes).ok();
    let (code, message, extra, body_request_id) = match envelope {
        Some(ErrorEnvelope { error }) => (Some(error.code), error.message, error.extra, error.request_id),
        None => (None, format!("0Pools answered {status}"), Default::default(), None),
    };
    let kind = UpstreamError::from_status(status.as_u16(), code.as_deref(), &extra, retry_after);
    UpstreamError { kind, message, request_id: request_id.or(body_request_id) }
}

fn transport_error(e: reqwest::Error) -> UpstreamError {
    if e.is_timeout() {
        UpstreamError::new(UpstreamErrorKind::Timeout, "0Pools did not answer in time")
    } else if e.is_decode() || e.is_body() {
        UpstreamError::new(UpstreamErrorKind::MalformedResponse, format!("0Pools answer could not be read: {e}"))
    } else {
        UpstreamError::new(UpstreamErrorKind::Transport, format!("0Pools could not be reached: {e}"))
    }
}

fn split_quote_answer(answer: QuoteAnswer, requested: QuoteType) -> Result<QuoteOutcome, UpstreamError> {
    let malformed = |why: String| UpstreamError::new(UpstreamErrorKind::MalformedResponse, why);
    if !answer.available {
        let reason = answer.unavailable_reason.ok_or_else(|| malformed("an unavailable quote came without unavailable_reason".into()))?;
        return Ok(QuoteOutcome::Unavailable { reason });
    }
    let quote: Quote =
        serde_json::from_value(serde_json::Value::Object(answer.rest)).map_err(|e| malformed(format!("quote terms: {e}")))?;
    if quote.quote_type != requested {
        return Err(malformed(format!("asked for a {} quote, got a {} one", requested.as_str(), quote.quote_type.as_str())));
    }
    if quote.quote_type == QuoteType::Firm && (quote.quote_id.is_none() || quote.expires_at.is_none() || !quote.executable) {
        return Err(malformed("a firm quote came without quote_id, expires_at or executable".into()));
    }
    Ok(QuoteOutcome::Available(quote))
}

/// Ids are opaque; keep them from ever changing the path.
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_case_span_is_every_attempt_timing_out_and_the_longest_waits() {
        let config = ClientConfig::new("http://x", SecretString::from("sk_test_span_0123456789"));
        // Three attempts of 8 s, and two waits of at most 5 s (Retry-After's cap).
        assert_eq!(config.worst_case_span(), Duration::from_secs(34));
        let one = ClientConfig { max_attempts: 1, timeout: Duration::from_secs(2), ..config };
        assert_eq!(one.worst_case_span(), Duration::from_secs(2));
    }

    fn answer(json: serde_json::Value) -> QuoteAnswer {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn an_answer_of_another_quote_type_is_malformed_not_trusted() {
        let indicative = serde_json::json!({
            "available": true, "quote_type": "indicative", "pool_id": "EUR-USDT", "side": "buy",
            "source_asset": "EUR", "source_amount": "100.00", "target_asset": "USDT", "target_amount": "107.40",
            "rate": "1.074060", "spread_bps": "35", "fee_bps": "20", "created_at": "2026-01-01T00:00:00Z", "executable": false
        });
        let err = split_quote_answer(answer(indicative.clone()), QuoteType::Firm).unwrap_err();
        assert_eq!(err.kind, UpstreamErrorKind::MalformedResponse);
        assert!(matches!(split_quote_answer(answer(indicative), QuoteType::Indicative), Ok(QuoteOutcome::Available(_))));
        let firm_without_id = serde_json::json!({
            "available": true, "quote_type": "firm", "pool_id": "EUR-USDT", "side": "buy",
            "source_asset": "EUR", "source_amount": "100.00", "target_asset": "USDT", "target_amount": "107.40",
            "rate": "1.074060", "spread_bps": "35", "fee_bps": "20", "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-01T00:00:15Z", "executable": true
        });
        assert_eq!(split_quote_answer(answer(firm_without_id), QuoteType::Firm).unwrap_err().kind, UpstreamErrorKind::MalformedResponse);
    }
}
