//! The JSON the widget and the companion server exchange. Money and rates are
//! decimal strings on the wire and `Decimal` in memory; never floats.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::vocab::{CheckoutStatus, ErrorCode, QuoteStatus, QuoteType, Side, StatusSource, TradeStatus, UnavailableReason};

/// One pool the partner is entitled to, as the widget may render it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolView {
    pub pool_id: String,
    pub source_asset: String,
    pub target_asset: String,
    pub sides: Vec<Side>,
    pub networks: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub min_order_usdt: Decimal,
    /// Absent when the pool has no configured maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub max_order_usdt: Option<Decimal>,
    pub available: bool,
}

/// `GET /api/pools`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolsResponse {
    pub pools: Vec<PoolView>,
    /// The server's clock when it answered (RFC 3339), so the widget can correct skew.
    pub server_time: String,
}

/// Every non-2xx answer of the widget API has this body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorDetail {
    /// Stable, machine-readable; the widget picks its copy from it.
    pub code: ErrorCode,
    /// A sentence a person can act on. Never internals.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `amount_out_of_limits`: the pool's limits, so the widget can show them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub min_order_usdt: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub max_order_usdt: Option<Decimal>,
    /// With `rate_limited` and other retryable codes: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The checkout's one trade, when the refusal is "this checkout already converted".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_id: Option<String>,
    /// The quote whose accept is still being confirmed, when that is the refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    /// An id support can look up, when something ended without a trade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_id: Option<String>,
}

impl ApiErrorDetail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiErrorDetail {
            code,
            message: message.into(),
            field: None,
            min_order_usdt: None,
            max_order_usdt: None,
            retry_after_ms: None,
            trade_id: None,
            quote_id: None,
            support_id: None,
        }
    }
}

/// `POST /api/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    /// Opaque; sent back as `Authorization: Bearer`.
    pub session_token: String,
    pub expires_at: String,
}

/// `POST /api/quotes` body: an intent. The browser never sends terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteIntent {
    pub pool_id: String,
    pub side: Side,
    /// Exactly what the user typed (validated), as a decimal string.
    pub amount: String,
    pub currency: String,
    pub quote_type: QuoteType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_reference: Option<String>,
}

/// `POST /api/quotes` answer: either a quote's terms or `available: false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteView {
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_type: Option<QuoteType>,
    /// Firm quotes only: the id to accept or reject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<QuoteTerms>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_reason: Option<UnavailableReason>,
    /// With `available: false`: the earliest sensible retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The server's clock when it answered, to correct the device's clock.
    pub server_time: String,
}

/// What a quote offers, exactly as 0Pools returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteTerms {
    pub pool_id: String,
    pub side: Side,
    pub source_asset: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub source_amount: Decimal,
    pub target_asset: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub target_amount: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub rate: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub spread_bps: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub fee_bps: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
    pub created_at: String,
    /// Firm quotes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub executable: bool,
}

/// `POST /api/quotes/{id}/reject` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectView {
    pub quote_id: String,
    /// Always `rejected`.
    pub status: QuoteStatus,
}

/// A trade as the widget sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TradeView {
    pub trade_id: String,
    pub quote_id: String,
    pub status: TradeStatus,
    pub pool_id: String,
    pub side: Side,
    pub source_asset: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub source_amount: Decimal,
    pub target_asset: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal", example = "107.42"))]
    pub target_amount: Decimal,
    pub network: String,
    pub destination_address: String,
    pub created_at: String,
    pub updated_at: String,
    /// The host's order id, as given with the quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_reference: Option<String>,
    /// Terms of the executed trade that differ from the accepted quote's (an exception
    /// support follows up); absent when they agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_mismatch: Option<Vec<String>>,
    pub server_time: String,
}

/// What the partner's backend bound a checkout to; absent fields are the user's choice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutBindings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// An exact amount, in `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub amount: Option<Decimal>,
    /// The currency `amount` or `amount_min`/`amount_max` are in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub amount_min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal", example = "107.42"))]
    pub amount_max: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_address: Option<String>,
}

impl CheckoutBindings {
    /// The widget's form fields these bindings lock.
    pub fn locked_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.pool_id.is_some() {
            fields.push("pool");
        }
        if self.side.is_some() {
            fields.push("side");
        }
        if self.amount.is_some() {
            fields.push("amount");
        }
        if self.network.is_some() {
            fields.push("network");
        }
        if self.destination_address.is_some() {
            fields.push("destination");
        }
        fields
    }
}

/// A checkout as its partner and its widget see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutView {
    pub checkout_id: String,
    pub status: CheckoutStatus,
    pub bindings: CheckoutBindings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_user_id: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    /// The quote whose accept began, once one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_quote_id: Option<String>,
    /// The program's cap on this checkout's next order (its stablecoin leg), if any:
    /// the widget's limits hint shows it before the user types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_cap: Option<OrderCap>,
    /// The one trade this checkout converted into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade: Option<TradeView>,
    pub server_time: String,
}

/// The cap that applies to this checkout's next order, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderCap {
    /// On the order's stablecoin leg.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500.00"))]
    pub limit_usdt: Decimal,
    pub kind: crate::vocab::CapKind,
}

/// `POST /api/checkouts` (and a fresh token for an existing checkout): the checkout,
/// and a client token for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutCreated {
    pub checkout: CheckoutView,
    pub client_token: String,
    pub client_token_expires_at: String,
}

impl TradeView {
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_decimals_round_trip_as_the_exact_strings() {
        let json = r#"{"pool_id":"EUR-USDT","source_asset":"EUR","target_asset":"USDT","sides":["buy"],"networks":["tron"],"min_order_usdt":"10.00","max_order_usdt":"5000.00","available":true}"#;
        let pool: PoolView = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&pool).unwrap(), json);
    }

    #[test]
    fn absent_maximum_stays_absent() {
        let json =
            r#"{"pool_id":"P","source_asset":"A","target_asset":"B","sides":[],"networks":[],"min_order_usdt":"1","available":false}"#;
        let pool: PoolView = serde_json::from_str(json).unwrap();
        assert_eq!(pool.max_order_usdt, None);
        assert_eq!(serde_json::to_string(&pool).unwrap(), json);
    }
}
