//! The widget's JSON: the wire types it reads and writes, as values of whatever holds
//! parsed JSON (in the browser, the JS values `JSON.parse` makes), without serde.
//!
//! Why a second encoding next to the serde derives the server uses: in the wasm, each
//! derived `Deserialize` is a field-name visitor and a map visitor per type, and each
//! is instantiated against the reader — 2026-12-07, issue #26, serde's share of the
//! widget was about 30 KB of its 496 KB. Here a type's reading is one straight list of
//! `fields.req("name")` calls. The two encodings must agree to the byte: `tests/codec.rs`
//! checks every type below against serde_json, both ways, full and minimal, so a field
//! renamed on one side only fails there.
//!
//! Reading follows serde's defaults as the server's types declare them: unknown keys are
//! ignored, an absent or `null` key is `None` for an `Option` and a refusal otherwise,
//! and a value of the wrong kind is a refusal (`None`), never a panic. Money is a decimal
//! string: a JSON number with a fraction is not a shape any of these types has.

use crate::flow::FirmQuote;
use crate::host_event::HostEvent;
use crate::wire::{
    ApiErrorBody, ApiErrorDetail, CheckoutBindings, CheckoutView, OrderCap, PoolView, PoolsResponse, QuoteIntent, QuoteTerms, QuoteView,
    RejectView, SessionResponse, TradeView,
};
use rust_decimal::Decimal;

/// A parsed JSON value, as the reader sees it.
pub trait JsonIn: Sized {
    /// The value under `key` when this is an object and the key holds something other
    /// than `null`.
    fn get(&self, key: &str) -> Option<Self>;
    /// Whether this is an object (not an array, not `null`).
    fn is_object(&self) -> bool;
    fn text(&self) -> Option<String>;
    fn flag(&self) -> Option<bool>;
    /// A number with no fraction that a double holds exactly (|n| ≤ 2^53 − 1).
    fn integer(&self) -> Option<i64>;
    fn items(&self) -> Option<Vec<Self>>;
}

/// A JSON value being built, as the writer makes it.
pub trait JsonOut: Sized {
    fn null() -> Self;
    fn text(text: &str) -> Self;
    fn flag(flag: bool) -> Self;
    /// Every integer written is a count of milliseconds: far inside a double's exact range.
    fn integer(n: i64) -> Self;
    fn list(items: Vec<Self>) -> Self;
    /// An object with these entries, in this order.
    fn object(entries: Vec<(&'static str, Self)>) -> Self;
}

/// A type read from a parsed JSON value: `None` when the value does not have its shape.
pub trait FromJson: Sized {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self>;
}

/// A type written as a JSON value.
pub trait ToJson {
    fn to_json<J: JsonOut>(&self) -> J;
}

/// An object's fields, for a struct's reading.
pub struct Fields<'a, J>(&'a J);

impl<'a, J: JsonIn> Fields<'a, J> {
    /// `None` unless `json` is an object.
    pub fn of(json: &'a J) -> Option<Self> {
        json.is_object().then_some(Fields(json))
    }

    /// A required field: `None` when it is absent, `null` or of another shape.
    pub fn req<T: FromJson>(&self, key: &str) -> Option<T> {
        T::from_json(&self.0.get(key)?)
    }

    /// An optional field: `Some(None)` when absent or `null`, `None` when present with
    /// another shape.
    pub fn opt<T: FromJson>(&self, key: &str) -> Option<Option<T>> {
        match self.0.get(key) {
            None => Some(None),
            Some(value) => T::from_json(&value).map(Some),
        }
    }
}

/// An object being written, for a struct's writing.
pub struct Entries<J>(Vec<(&'static str, J)>);

impl<J: JsonOut> Entries<J> {
    pub fn new() -> Self {
        Entries(Vec::new())
    }

    /// Always written (an `Option` as `null` when `None`).
    pub fn put<T: ToJson + ?Sized>(mut self, key: &'static str, value: &T) -> Self {
        self.0.push((key, value.to_json()));
        self
    }

    /// Written only when present: serde's `skip_serializing_if = "Option::is_none"`.
    pub fn some<T: ToJson>(self, key: &'static str, value: &Option<T>) -> Self {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }

    pub fn done(self) -> J {
        J::object(self.0)
    }
}

impl<J: JsonOut> Default for Entries<J> {
    fn default() -> Self {
        Entries::new()
    }
}

impl FromJson for String {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        json.text()
    }
}

impl ToJson for String {
    fn to_json<J: JsonOut>(&self) -> J {
        J::text(self)
    }
}

impl ToJson for str {
    fn to_json<J: JsonOut>(&self) -> J {
        J::text(self)
    }
}

impl FromJson for bool {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        json.flag()
    }
}

impl ToJson for bool {
    fn to_json<J: JsonOut>(&self) -> J {
        J::flag(*self)
    }
}

impl FromJson for i64 {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        json.integer()
    }
}

impl ToJson for i64 {
    fn to_json<J: JsonOut>(&self) -> J {
        J::integer(*self)
    }
}

impl FromJson for u64 {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        u64::try_from(json.integer()?).ok()
    }
}

impl ToJson for u64 {
    fn to_json<J: JsonOut>(&self) -> J {
        J::integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

/// The exact decimal string, as the server writes it: the OpenAPI document's pattern
/// `^-?[0-9]+(\.[0-9]+)?$`, so no exponent and no separators (rust_decimal's own parser
/// takes "1e3" and "1_000").
impl FromJson for Decimal {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        crate::amount::plain_decimal(&json.text()?)
    }
}

impl ToJson for Decimal {
    fn to_json<J: JsonOut>(&self) -> J {
        J::text(&self.to_string())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        json.items()?.iter().map(T::from_json).collect()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json<J: JsonOut>(&self) -> J {
        J::list(self.iter().map(T::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json<J: JsonOut>(&self) -> J {
        match self {
            Some(value) => value.to_json(),
            None => J::null(),
        }
    }
}

impl FromJson for PoolView {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(PoolView {
            pool_id: f.req("pool_id")?,
            source_asset: f.req("source_asset")?,
            target_asset: f.req("target_asset")?,
            sides: f.req("sides")?,
            networks: f.req("networks")?,
            min_order_usdt: f.req("min_order_usdt")?,
            max_order_usdt: f.opt("max_order_usdt")?,
            available: f.req("available")?,
        })
    }
}

impl FromJson for PoolsResponse {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(PoolsResponse { pools: f.req("pools")?, server_time: f.req("server_time")? })
    }
}

impl FromJson for ApiErrorBody {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        Some(ApiErrorBody { error: Fields::of(json)?.req("error")? })
    }
}

impl FromJson for ApiErrorDetail {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(ApiErrorDetail {
            code: f.req("code")?,
            message: f.req("message")?,
            field: f.opt("field")?,
            min_order_usdt: f.opt("min_order_usdt")?,
            max_order_usdt: f.opt("max_order_usdt")?,
            retry_after_ms: f.opt("retry_after_ms")?,
            trade_id: f.opt("trade_id")?,
            quote_id: f.opt("quote_id")?,
            support_id: f.opt("support_id")?,
        })
    }
}

impl FromJson for SessionResponse {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(SessionResponse { session_token: f.req("session_token")?, expires_at: f.req("expires_at")? })
    }
}

impl ToJson for SessionResponse {
    fn to_json<J: JsonOut>(&self) -> J {
        Entries::new().put("session_token", &self.session_token).put("expires_at", &self.expires_at).done()
    }
}

impl ToJson for QuoteIntent {
    fn to_json<J: JsonOut>(&self) -> J {
        Entries::new()
            .put("pool_id", &self.pool_id)
            .put("side", &self.side)
            .put("amount", &self.amount)
            .put("currency", &self.currency)
            .put("quote_type", &self.quote_type)
            .some("network", &self.network)
            .some("destination_address", &self.destination_address)
            .some("partner_reference", &self.partner_reference)
            .done()
    }
}

impl FromJson for QuoteView {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(QuoteView {
            available: f.req("available")?,
            quote_type: f.opt("quote_type")?,
            quote_id: f.opt("quote_id")?,
            terms: f.opt("terms")?,
            unavailable_reason: f.opt("unavailable_reason")?,
            retry_after_ms: f.opt("retry_after_ms")?,
            server_time: f.req("server_time")?,
        })
    }
}

impl FromJson for QuoteTerms {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(QuoteTerms {
            pool_id: f.req("pool_id")?,
            side: f.req("side")?,
            source_asset: f.req("source_asset")?,
            source_amount: f.req("source_amount")?,
            target_asset: f.req("target_asset")?,
            target_amount: f.req("target_amount")?,
            rate: f.req("rate")?,
            spread_bps: f.req("spread_bps")?,
            fee_bps: f.req("fee_bps")?,
            network: f.opt("network")?,
            destination_address: f.opt("destination_address")?,
            created_at: f.req("created_at")?,
            expires_at: f.opt("expires_at")?,
            executable: f.req("executable")?,
        })
    }
}

impl ToJson for QuoteTerms {
    fn to_json<J: JsonOut>(&self) -> J {
        Entries::new()
            .put("pool_id", &self.pool_id)
            .put("side", &self.side)
            .put("source_asset", &self.source_asset)
            .put("source_amount", &self.source_amount)
            .put("target_asset", &self.target_asset)
            .put("target_amount", &self.target_amount)
            .put("rate", &self.rate)
            .put("spread_bps", &self.spread_bps)
            .put("fee_bps", &self.fee_bps)
            .some("network", &self.network)
            .some("destination_address", &self.destination_address)
            .put("created_at", &self.created_at)
            .some("expires_at", &self.expires_at)
            .put("executable", &self.executable)
            .done()
    }
}

impl FromJson for RejectView {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(RejectView { quote_id: f.req("quote_id")?, status: f.req("status")? })
    }
}

impl FromJson for TradeView {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(TradeView {
            trade_id: f.req("trade_id")?,
            quote_id: f.req("quote_id")?,
            status: f.req("status")?,
            pool_id: f.req("pool_id")?,
            side: f.req("side")?,
            source_asset: f.req("source_asset")?,
            source_amount: f.req("source_amount")?,
            target_asset: f.req("target_asset")?,
            target_amount: f.req("target_amount")?,
            network: f.req("network")?,
            destination_address: f.req("destination_address")?,
            created_at: f.req("created_at")?,
            updated_at: f.req("updated_at")?,
            partner_reference: f.opt("partner_reference")?,
            terms_mismatch: f.opt("terms_mismatch")?,
            server_time: f.req("server_time")?,
        })
    }
}

impl FromJson for CheckoutBindings {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(CheckoutBindings {
            pool_id: f.opt("pool_id")?,
            side: f.opt("side")?,
            amount: f.opt("amount")?,
            currency: f.opt("currency")?,
            amount_min: f.opt("amount_min")?,
            amount_max: f.opt("amount_max")?,
            network: f.opt("network")?,
            destination_address: f.opt("destination_address")?,
        })
    }
}

impl FromJson for CheckoutView {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(CheckoutView {
            checkout_id: f.req("checkout_id")?,
            status: f.req("status")?,
            bindings: f.req("bindings")?,
            partner_reference: f.opt("partner_reference")?,
            partner_user_id: f.opt("partner_user_id")?,
            created_at: f.req("created_at")?,
            expires_at: f.req("expires_at")?,
            accept_quote_id: f.opt("accept_quote_id")?,
            order_cap: f.opt("order_cap")?,
            trade: f.opt("trade")?,
            server_time: f.req("server_time")?,
        })
    }
}

impl FromJson for OrderCap {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(OrderCap { limit_usdt: f.req("limit_usdt")?, kind: f.req("kind")? })
    }
}

/// Kept in the browser's storage while an accept is being confirmed, across a reload.
impl FromJson for FirmQuote {
    fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
        let f = Fields::of(json)?;
        Some(FirmQuote {
            quote_id: f.req("quote_id")?,
            terms: f.req("terms")?,
            expires_at_ms: f.req("expires_at_ms")?,
            offset_ms: f.req("offset_ms")?,
            replaced: f.opt("replaced")?,
        })
    }
}

impl ToJson for FirmQuote {
    fn to_json<J: JsonOut>(&self) -> J {
        Entries::new()
            .put("quote_id", &self.quote_id)
            .put("terms", &self.terms)
            .put("expires_at_ms", &self.expires_at_ms)
            .put("offset_ms", &self.offset_ms)
            .put("replaced", &self.replaced)
            .done()
    }
}

/// The `detail` of the host's DOM events: the variant's fields, untagged.
impl ToJson for HostEvent {
    fn to_json<J: JsonOut>(&self) -> J {
        let e = Entries::new();
        match self {
            HostEvent::Preview { pool_id, side, amount, terms } => {
                e.put("pool_id", pool_id).put("side", side).put("amount", amount).put("terms", terms)
            }
            HostEvent::Quote { quote_id, expires_at, terms } => {
                e.put("quote_id", quote_id).put("expires_at", expires_at).put("terms", terms)
            }
            HostEvent::Unavailable { reason, retry_after_ms } => e.put("reason", reason).put("retry_after_ms", retry_after_ms),
            HostEvent::Expired { quote_id, expires_at } => e.put("quote_id", quote_id).put("expires_at", expires_at),
            HostEvent::Accepted { quote_id, trade_id, status } => {
                e.put("quote_id", quote_id).put("trade_id", trade_id).put("status", status)
            }
            HostEvent::Status { trade_id, quote_id, status } | HostEvent::Terminal { trade_id, quote_id, status } => {
                e.put("trade_id", trade_id).put("quote_id", quote_id).put("status", status)
            }
            HostEvent::Error { code, message } => e.put("code", code).put("message", message),
        }
        .done()
    }
}
