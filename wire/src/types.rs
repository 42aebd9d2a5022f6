//! The 0Pools wire contract (`shared/0pools-api.md`) as Rust types. The upstream
//! client deserialises these and the sandbox serialises them. Every money, amount
//! and rate is a `Decimal` carried as a string, which keeps the exact digits
//! (`"0.10"` stays `"0.10"`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The vocabulary is shared with the widget API: one definition of each word.
pub use quote_core::vocab::{QuoteType, Side, StatusSource, TradeStatus, UnavailableReason};

/// `GET /v1/pools` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub pool_id: String,
    pub source_asset: String,
    pub target_asset: String,
    pub sides: Vec<Side>,
    pub networks: Vec<String>,
    pub min_order_usdt: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_order_usdt: Option<Decimal>,
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolList {
    pub pools: Vec<Pool>,
}

/// `POST /v1/quotes` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub pool_id: String,
    pub quote_type: QuoteType,
    pub side: Side,
    pub amount: Decimal,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_reference: Option<String>,
}

/// An available quote's terms. Firm quotes carry `quote_id` and `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub quote_type: QuoteType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    pub pool_id: String,
    pub side: Side,
    pub source_asset: String,
    pub source_amount: Decimal,
    pub target_asset: String,
    pub target_amount: Decimal,
    pub rate: Decimal,
    pub spread_bps: Decimal,
    pub fee_bps: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    pub executable: bool,
}

/// A quote answer: fail-soft unavailability is a normal value, not an error. (Not
/// boxed: the available quote is the common case, and it is moved, not stored.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum QuoteOutcome {
    Available(Quote),
    Unavailable { reason: UnavailableReason },
}

/// The raw shape of a quote answer, before it is split into [`QuoteOutcome`].
#[derive(Debug, Deserialize)]
pub struct QuoteAnswer {
    pub available: bool,
    #[serde(default)]
    pub unavailable_reason: Option<UnavailableReason>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// What `POST /v1/transact` answers: the trade, or fail-soft unavailable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TransactAnswer {
    Trade(Trade),
    Unavailable(Unavailable),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    pub available: bool,
    pub unavailable_reason: UnavailableReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectAnswer {
    pub quote_id: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactRequest {
    pub quote_id: String,
}

/// `POST /v1/transact` and `GET /v1/transact/{id}` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub transact_id: String,
    pub quote_id: String,
    pub status: TradeStatus,
    pub pool_id: String,
    pub side: Side,
    pub source_asset: String,
    pub source_amount: Decimal,
    pub target_asset: String,
    pub target_amount: Decimal,
    pub network: String,
    pub destination_address: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A webhook delivery body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    pub data: WebhookData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookData {
    pub transact_id: String,
    pub quote_id: String,
    pub status: TradeStatus,
}

/// Every non-2xx body: `{"error": {"code", "message", "request_id", ...extra}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
