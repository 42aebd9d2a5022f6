//! The widget's codec (`quote_core::codec`) against serde_json, which is what the server
//! writes and reads: every type the widget reads or writes, full and minimal, must
//! encode to the same JSON and read back the same value; and every mangled variant of
//! that JSON (a key removed, set to `null` or to a value of another kind, at any depth)
//! must be read exactly as serde reads it — except where the codec is stricter on
//! purpose, listed at `reads_as_serde_does`.

use quote_core::codec::{FromJson, JsonIn, JsonOut, ToJson};
use quote_core::flow::FirmQuote;
use quote_core::host_event::HostEvent;
use quote_core::vocab::{CapKind, CheckoutStatus, ErrorCode, QuoteStatus, QuoteType, Side, TradeStatus, UnavailableReason};
use quote_core::wire::{
    ApiErrorBody, ApiErrorDetail, CheckoutBindings, CheckoutView, OrderCap, PoolView, PoolsResponse, QuoteIntent, QuoteTerms, QuoteView,
    RejectView, SessionResponse, TradeView,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Debug;

/// serde_json's values as the codec's input and output.
#[derive(Debug, Clone, PartialEq)]
struct V(Value);

impl JsonIn for V {
    fn get(&self, key: &str) -> Option<Self> {
        self.0.as_object()?.get(key).filter(|v| !v.is_null()).cloned().map(V)
    }
    fn is_object(&self) -> bool {
        self.0.is_object()
    }
    fn text(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }
    fn flag(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn integer(&self) -> Option<i64> {
        self.0.as_i64().filter(|n| n.unsigned_abs() < 1 << 53)
    }
    fn items(&self) -> Option<Vec<Self>> {
        Some(self.0.as_array()?.iter().cloned().map(V).collect())
    }
}

impl JsonOut for V {
    fn null() -> Self {
        V(Value::Null)
    }
    fn text(text: &str) -> Self {
        V(text.into())
    }
    fn flag(flag: bool) -> Self {
        V(flag.into())
    }
    fn integer(n: i64) -> Self {
        V(n.into())
    }
    fn object(entries: Vec<(&'static str, Self)>) -> Self {
        V(Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v.0)).collect()))
    }
}

fn read<T: FromJson>(value: &Value) -> Option<T> {
    T::from_json(&V(value.clone()))
}

/// The codec reads what serde wrote back into the same value.
fn reads_back<T: FromJson + Serialize + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_value(value).unwrap();
    assert_eq!(read::<T>(&json).as_ref(), Some(value), "{json}");
}

/// The codec writes exactly what serde writes (same keys, same values, same absences).
fn writes_the_same<T: ToJson + Serialize>(value: &T) {
    assert_eq!(value.to_json::<V>().0, serde_json::to_value(value).unwrap());
}

/// Every path to a value inside `json` (object keys and array indices).
fn paths(json: &Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let children: Vec<(String, &Value)> = match json {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => return,
    };
    for (key, child) in children {
        here.push(key);
        out.push(here.clone());
        paths(child, here, out);
        here.pop();
    }
}

/// `json` with the value at `path` replaced (or removed, when `with` is `None`).
fn mangled(json: &Value, path: &[String], with: Option<&Value>) -> Value {
    let mut out = json.clone();
    let (last, parents) = path.split_last().unwrap();
    let mut at = &mut out;
    for key in parents {
        at = match at {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    match (at, with) {
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v.clone());
        }
        (Value::Array(items), None) => {
            items.remove(last.parse().unwrap());
        }
        (Value::Array(items), Some(v)) => items[last.parse::<usize>().unwrap()] = v.clone(),
        _ => unreachable!(),
    }
    out
}

/// Every mangled variant of `value`'s JSON is read by the codec as serde reads it.
///
/// The differences, on purpose, where the codec is stricter than serde: serde's `Decimal`
/// also takes a JSON number, which the codec refuses (money is a decimal string on this
/// API: a float would already have lost digits), and decimal strings beyond the API's
/// pattern ("+1", "1_000", "1e3": see `integers_are_whole_and_exact_and_decimals_are_plain_strings`);
/// and serde also reads a struct from an array of its fields in order, a shape the server
/// never writes.
fn reads_as_serde_does<T: FromJson + Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_value(value).unwrap();
    let mut all = Vec::new();
    paths(&json, &mut Vec::new(), &mut all);
    let kinds = [json!(null), json!("x"), json!("12.5"), json!(7), json!(-3), json!(1.5), json!(true), json!([]), json!({})];
    let mut compared = 0;
    for path in &all {
        let original = path.iter().try_fold(&json, |at, key| at.get(key).or_else(|| at.get(key.parse::<usize>().ok()?)));
        for with in std::iter::once(None).chain(kinds.iter().map(Some)) {
            let variant = mangled(&json, path, with);
            let ours = read::<T>(&variant);
            let theirs = serde_json::from_value::<T>(variant.clone()).ok();
            let decimal_as_number = with.is_some_and(Value::is_number) && original.is_some_and(Value::is_string);
            let struct_as_array = with.is_some_and(Value::is_array) && original.is_some_and(Value::is_object);
            if (decimal_as_number || struct_as_array) && ours.is_none() && theirs.is_some() {
                continue;
            }
            assert_eq!(ours, theirs, "at {path:?} with {with:?}: {variant}");
            compared += 1;
        }
    }
    // Unknown keys are ignored by both; anything but an object is refused by both.
    let mut extra = json.clone();
    extra.as_object_mut().unwrap().insert("from_a_newer_server".into(), json!({"a": [1, null]}));
    assert_eq!(read::<T>(&extra).as_ref(), Some(value));
    for other in [json!(null), json!("text"), json!(7), json!([]), json!([json])] {
        assert_eq!(read::<T>(&other), None, "{other}");
    }
    assert!(compared > all.len(), "the mangling compared something");
}

fn d(text: &str) -> rust_decimal::Decimal {
    text.parse().unwrap()
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn terms(full: bool) -> QuoteTerms {
    QuoteTerms {
        pool_id: s("EUR-USDT"),
        side: Side::Buy,
        source_asset: s("EUR"),
        source_amount: d("100.00"),
        target_asset: s("USDT"),
        target_amount: d("107.420000000001"),
        rate: d("1.0742"),
        spread_bps: d("35"),
        fee_bps: d("20.5"),
        network: full.then(|| s("tron")),
        destination_address: full.then(|| s("TXYZ1234")),
        created_at: s("2026-12-07T15:00:00.000Z"),
        expires_at: full.then(|| s("2026-12-07T15:00:30.000Z")),
        executable: full,
    }
}

fn trade(full: bool) -> TradeView {
    TradeView {
        trade_id: s("pt_1"),
        quote_id: s("pq_1"),
        status: if full { TradeStatus::Settled } else { TradeStatus::Reserved },
        pool_id: s("EUR-USDT"),
        side: Side::Sell,
        source_asset: s("USDT"),
        source_amount: d("0.000001"),
        target_asset: s("EUR"),
        target_amount: d("-0"),
        network: s("tron"),
        destination_address: s("TXYZ"),
        created_at: s("2026-12-07T15:00:00Z"),
        updated_at: s("2026-12-07T15:00:01Z"),
        partner_reference: full.then(|| s("order-77")),
        terms_mismatch: full.then(|| vec![s("rate"), s("target_amount")]),
        server_time: s("2026-12-07T15:00:02Z"),
    }
}

fn pools() -> PoolsResponse {
    let pool = |id: &str, max: Option<&str>, available| PoolView {
        pool_id: s(id),
        source_asset: s("EUR"),
        target_asset: s("USDT"),
        sides: vec![Side::Buy, Side::Sell],
        networks: vec![s("tron"), s("ethereum")],
        min_order_usdt: d("10.00"),
        max_order_usdt: max.map(d),
        available,
    };
    PoolsResponse { pools: vec![pool("EUR-USDT", Some("5000"), true), pool("GBP-USDT", None, false)], server_time: s("now") }
}

fn error(full: bool) -> ApiErrorBody {
    let mut detail = ApiErrorDetail::new(if full { ErrorCode::AmountOutOfLimits } else { ErrorCode::Other(s("brand_new")) }, "Too much.");
    if full {
        detail.field = Some(s("amount"));
        detail.min_order_usdt = Some(d("10"));
        detail.max_order_usdt = Some(d("5000.5"));
        detail.retry_after_ms = Some(2_500);
        detail.trade_id = Some(s("pt_1"));
        detail.quote_id = Some(s("pq_1"));
        detail.support_id = Some(s("sup_1"));
    }
    ApiErrorBody { error: detail }
}

fn checkout(full: bool) -> CheckoutView {
    let bindings = if full {
        CheckoutBindings {
            pool_id: Some(s("EUR-USDT")),
            side: Some(Side::Buy),
            amount: Some(d("250.00")),
            currency: Some(s("EUR")),
            amount_min: Some(d("10")),
            amount_max: Some(d("900")),
            network: Some(s("tron")),
            destination_address: Some(s("TXYZ")),
        }
    } else {
        CheckoutBindings::default()
    };
    CheckoutView {
        checkout_id: s("co_1"),
        status: if full { CheckoutStatus::ALL[1] } else { CheckoutStatus::ALL[0] },
        bindings,
        partner_reference: full.then(|| s("order-77")),
        partner_user_id: full.then(|| s("user-9")),
        created_at: s("2026-12-07T15:00:00Z"),
        expires_at: s("2026-12-07T16:00:00Z"),
        accept_quote_id: full.then(|| s("pq_1")),
        order_cap: full.then(|| OrderCap { limit_usdt: d("500.00"), kind: CapKind::FirstOrder }),
        trade: full.then(|| trade(true)),
        server_time: s("2026-12-07T15:00:02Z"),
    }
}

fn quote_view(full: bool) -> QuoteView {
    QuoteView {
        available: full,
        quote_type: full.then_some(QuoteType::Firm),
        quote_id: full.then(|| s("pq_1")),
        terms: full.then(|| terms(true)),
        unavailable_reason: full.then(|| UnavailableReason::Other(s("solar_flare"))),
        retry_after_ms: full.then_some(10_000),
        server_time: s("2026-12-07T15:00:02Z"),
    }
}

fn firm(full: bool) -> FirmQuote {
    FirmQuote {
        quote_id: s("pq_1"),
        terms: terms(full),
        expires_at_ms: 1_796_655_630_000,
        offset_ms: -1_250,
        replaced: full.then(|| terms(false)),
    }
}

#[test]
fn every_answer_the_widget_reads_reads_back() {
    reads_back(&pools());
    for full in [true, false] {
        reads_back(&error(full));
        reads_back(&terms(full));
        reads_back(&trade(full));
        reads_back(&checkout(full));
        reads_back(&quote_view(full));
        reads_back(&firm(full));
    }
    reads_back(&SessionResponse { session_token: s("st_1"), expires_at: s("2026-12-07T16:00:00Z") });
    reads_back(&RejectView { quote_id: s("pq_1"), status: QuoteStatus::Rejected });
}

#[test]
fn every_value_the_widget_writes_is_what_serde_writes() {
    for full in [true, false] {
        writes_the_same(&terms(full));
        writes_the_same(&firm(full));
        writes_the_same(&QuoteIntent {
            pool_id: s("EUR-USDT"),
            side: Side::Sell,
            amount: s("100.50"),
            currency: s("EUR"),
            quote_type: if full { QuoteType::Firm } else { QuoteType::Indicative },
            network: full.then(|| s("tron")),
            destination_address: full.then(|| s("TXYZ")),
            partner_reference: full.then(|| s("order-77")),
        });
    }
    writes_the_same(&SessionResponse { session_token: s("st_1"), expires_at: s("2026-12-07T16:00:00Z") });
    let events = [
        HostEvent::Preview { pool_id: s("EUR-USDT"), side: Side::Buy, amount: s("100"), terms: terms(false) },
        HostEvent::Quote { quote_id: s("pq_1"), expires_at: terms(true).expires_at, terms: terms(true) },
        HostEvent::Quote { quote_id: s("pq_1"), expires_at: None, terms: terms(true) },
        HostEvent::Unavailable { reason: UnavailableReason::PoolDry, retry_after_ms: 10_000 },
        HostEvent::Expired { quote_id: s("pq_1"), expires_at: None },
        HostEvent::Accepted { quote_id: s("pq_1"), trade_id: s("pt_1"), status: TradeStatus::Reserved },
        HostEvent::Status { trade_id: s("pt_1"), quote_id: s("pq_1"), status: TradeStatus::Reserved },
        HostEvent::Terminal { trade_id: s("pt_1"), quote_id: s("pq_1"), status: TradeStatus::Released },
        HostEvent::Error { code: ErrorCode::Other(s("brand_new")), message: s("the server could not be reached") },
    ];
    for event in &events {
        writes_the_same(event);
    }
    // An `Option` the host events always carry is `null`, not absent.
    let expired = HostEvent::Expired { quote_id: s("pq_1"), expires_at: None }.to_json::<V>().0;
    assert_eq!(expired, json!({ "quote_id": "pq_1", "expires_at": null }));
}

#[test]
fn mangled_answers_are_read_as_serde_reads_them() {
    reads_as_serde_does(&pools());
    for full in [true, false] {
        reads_as_serde_does(&error(full));
        reads_as_serde_does(&trade(full));
        reads_as_serde_does(&checkout(full));
        reads_as_serde_does(&quote_view(full));
        reads_as_serde_does(&firm(full));
    }
    reads_as_serde_does(&SessionResponse { session_token: s("st_1"), expires_at: s("x") });
    reads_as_serde_does(&RejectView { quote_id: s("pq_1"), status: QuoteStatus::Rejected });
}

#[test]
fn integers_are_whole_and_exact_and_decimals_are_plain_strings() {
    assert_eq!(read::<u64>(&json!(9_007_199_254_740_991_u64)), Some(9_007_199_254_740_991));
    assert_eq!(read::<u64>(&json!(9_007_199_254_740_993_u64)), None);
    assert_eq!(read::<u64>(&json!(-42)), None);
    assert_eq!(read::<i64>(&json!(-42)), Some(-42));
    assert_eq!(read::<i64>(&json!(1.5)), None);
    assert_eq!(read::<i64>(&json!("7")), None);
    assert_eq!(read::<rust_decimal::Decimal>(&json!("107.420000000001")), Some(d("107.420000000001")));
    assert_eq!(read::<rust_decimal::Decimal>(&json!("-0.5")), Some(d("-0.5")));
    for refused in [
        json!("1e3"),
        json!("1_000"),
        json!("5E3"),
        json!(""),
        json!("+1"),
        json!(" 1"),
        json!("1."),
        json!(".5"),
        json!("--1"),
        json!(107.42),
        json!(107),
    ] {
        assert_eq!(read::<rust_decimal::Decimal>(&refused), None, "{refused}");
    }
}
