//! The widget's JSON: the wire types it reads and writes, as values of whatever holds
//! parsed JSON (in the browser, the JS values `JSON.parse` makes), without serde.
//!
//! Why a second encoding next to the serde derives the server uses: in the wasm, each
//! derived `Deserialize` is a field-name visitor and a map visitor per type, and each
//! is instantiated against the reader — 2026-12-07, issue #26, serde's share of the
//! widget was about 30 KB of its 496 KB. Here a type's reading is one straight list of
//! field lookups, declared as the type's field list (`read_fields!`, `write_fields!`; the
//! key is the field's name, as serde's derive writes it). The two encodings must agree to
//! the byte: `tests/codec.rs` checks every type below against serde_json, full and minimal
//! (the types the widget reads as read, those it writes as written, `FirmQuote` and the
//! session both ways), so a field renamed on one side only fails there.
//!
//! Reading follows serde's defaults as the server's types declare them: unknown keys are
//! ignored, an absent or `null` key is `None` for an `Option` and a refusal otherwise,
//! and a value of the wrong kind is a refusal (`None`), never a panic. Money is a decimal
//! string: a JSON number with a fraction is not a shape any of these types has.

use crate::flow::FirmQuote;
use crate::host_event::HostEvent;
use crate::vocab::{CapKind, CheckoutStatus, ErrorCode, QuoteStatus, QuoteType, Side, TradeStatus, UnavailableReason};
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

/// Only `retry_after_ms` is written as one: a duration, far inside a double's exact range.
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

impl<T: ToJson> ToJson for Option<T> {
    fn to_json<J: JsonOut>(&self) -> J {
        match self {
            Some(value) => value.to_json(),
            None => J::null(),
        }
    }
}

/// A struct read from an object, each field under its own name: `req` for a required
/// field, `opt` for an `Option` (absent or `null` is `None`). The key is the field's name,
/// as serde's derive (no renames on the wire types) writes it.
macro_rules! read_fields {
    ($($ty:ident { $($how:ident $field:ident),+ $(,)? })+) => {$(
        impl FromJson for $ty {
            fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
                let f = Fields::of(json)?;
                Some($ty { $($field: f.$how(stringify!($field))?),+ })
            }
        }
    )+};
}

/// A struct written as an object in field order: `put` always (an `Option` as `null`),
/// `some` only when present (serde's `skip_serializing_if = "Option::is_none"`).
macro_rules! write_fields {
    ($($ty:ident { $($how:ident $field:ident),+ $(,)? })+) => {$(
        impl ToJson for $ty {
            fn to_json<J: JsonOut>(&self) -> J {
                Entries::new()$(.$how(stringify!($field), &self.$field))+.done()
            }
        }
    )+};
}

/// The vocabularies on the wire, as their words: a closed one refuses a word it does not
/// know, an open one keeps it (`crate::vocab`). Here rather than in the `vocabulary!`
/// macro, so the vocabulary does not depend on the codec that depends on the wire types.
macro_rules! words {
    (closed: $($closed:ident),+; open: $($open:ident),+) => {
        $(impl FromJson for $closed {
            fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
                $closed::parse(&json.text()?)
            }
        })+
        $(impl FromJson for $open {
            fn from_json<J: JsonIn>(json: &J) -> Option<Self> {
                Some($open::parse(&json.text()?))
            }
        })+
        $(impl ToJson for $closed {
            fn to_json<J: JsonOut>(&self) -> J {
                J::text(self.as_str())
            }
        })+
        $(impl ToJson for $open {
            fn to_json<J: JsonOut>(&self) -> J {
                J::text(self.as_str())
            }
        })+
    };
}

words!(closed: Side, QuoteType, QuoteStatus, TradeStatus, CheckoutStatus, CapKind; open: ErrorCode, UnavailableReason);

read_fields! {
    PoolView {
        req pool_id, req source_asset, req target_asset, req sides, req networks, req min_order_usdt, opt max_order_usdt,
        req available,
    }
    PoolsResponse { req pools, req server_time }
    ApiErrorBody { req error }
    ApiErrorDetail {
        req code, req message, opt field, opt min_order_usdt, opt max_order_usdt, opt retry_after_ms, opt trade_id, opt quote_id,
        opt support_id,
    }
    SessionResponse { req session_token, req expires_at }
    QuoteView {
        req available, opt quote_type, opt quote_id, opt terms, opt unavailable_reason, opt retry_after_ms, req server_time,
    }
    QuoteTerms {
        req pool_id, req side, req source_asset, req source_amount, req target_asset, req target_amount, req rate, req spread_bps,
        req fee_bps, opt network, opt destination_address, req created_at, opt expires_at, req executable,
    }
    RejectView { req quote_id, req status }
    TradeView {
        req trade_id, req quote_id, req status, req pool_id, req side, req source_asset, req source_amount, req target_asset,
        req target_amount, req network, req destination_address, req created_at, req updated_at, opt partner_reference,
        opt terms_mismatch, req server_time,
    }
    CheckoutBindings {
        opt pool_id, opt side, opt amount, opt currency, opt amount_min, opt amount_max, opt network, opt destination_address,
    }
    CheckoutView {
        req checkout_id, req status, req bindings, opt partner_reference, opt partner_user_id, req created_at, req expires_at,
        opt accept_quote_id, opt order_cap, opt trade, req server_time,
    }
    OrderCap { req limit_usdt, req kind }
    // Kept in the browser's storage while an accept is being confirmed, across a reload.
    FirmQuote { req quote_id, req terms, req expires_at_ms, req offset_ms, opt replaced }
}

write_fields! {
    SessionResponse { put session_token, put expires_at }
    QuoteIntent {
        put pool_id, put side, put amount, put currency, put quote_type, some network, some destination_address,
        some partner_reference,
    }
    QuoteTerms {
        put pool_id, put side, put source_asset, put source_amount, put target_asset, put target_amount, put rate, put spread_bps,
        put fee_bps, some network, some destination_address, put created_at, some expires_at, put executable,
    }
    FirmQuote { put quote_id, put terms, put expires_at_ms, put offset_ms, put replaced }
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
