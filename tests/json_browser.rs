//! The widget's JSON (`quote_widget::json`: the codec over JS values) in a real
//! browser, against the server's own encoding: serde_json writes what the API sends,
//! the browser's `JSON` parses and prints it, and the widget must read and write exactly
//! the same values. `core/tests/codec.rs` holds the codec itself to serde, mangled
//! shapes included; this holds the JS side of it.
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use quote_core::codec::{FromJson, ToJson};
use quote_core::host_event::HostEvent;
use quote_core::wire::{ApiErrorBody, ErrorCode, PoolsResponse, QuoteTerms, TradeStatus, TradeView, UnavailableReason};
use quote_widget::gallery::{fixture_pools, fixture_terms, fixture_trade};
use quote_widget::json::{read, text_entries, write};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parsed(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON")
}

/// What the server sends, as the browser parses it, read back into the same type.
fn through_the_browser<T: Serialize + FromJson>(value: &T) -> T {
    read(parsed(&serde_json::to_string(value).unwrap())).expect("the server's JSON reads back")
}

/// What the widget writes, printed by the browser, as serde_json values.
fn written<T: ToJson + ?Sized>(value: &T) -> serde_json::Value {
    let text = JSON::stringify(&write(value)).unwrap().as_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

#[wasm_bindgen_test]
fn the_servers_answers_read_back_exactly() {
    let pools = PoolsResponse { pools: fixture_pools(), server_time: "2026-12-07T15:00:00Z".into() };
    assert_eq!(through_the_browser(&pools), pools);
    let terms = fixture_terms("107.420000000001", "1.0742");
    assert_eq!(through_the_browser(&terms), terms);
    for status in [TradeStatus::Reserved, TradeStatus::Settled, TradeStatus::Failed, TradeStatus::Released] {
        let trade = fixture_trade(status);
        assert_eq!(through_the_browser(&trade), trade);
    }
}

#[wasm_bindgen_test]
fn what_the_widget_writes_is_what_serde_json_writes() {
    let terms = fixture_terms("107.420000000001", "1.0742");
    assert_eq!(written(&terms), serde_json::to_value(&terms).unwrap());
    // The host events' details, and an `Option` they carry as `null`.
    let event = HostEvent::Unavailable { reason: UnavailableReason::Busy, retry_after_ms: 1500 };
    assert_eq!(written(&event), serde_json::json!({ "reason": "busy", "retry_after_ms": 1500 }));
    let event = HostEvent::Expired { quote_id: "q_1".into(), expires_at: None };
    assert_eq!(written(&event), serde_json::json!({ "quote_id": "q_1", "expires_at": null }));
    let event = HostEvent::Quote { quote_id: "q_1".into(), expires_at: terms.expires_at.clone(), terms: terms.clone() };
    assert_eq!(written(&event), serde_json::to_value(&event).unwrap());
}

#[wasm_bindgen_test]
fn unknown_keys_are_ignored_and_missing_or_null_options_are_none() {
    let body: ApiErrorBody = read(parsed(
        r#"{"error":{"code":"amount_out_of_limits","message":"Too much.","min_order_usdt":"10","extra":[1,{"a":null}]},"later":true}"#,
    ))
    .unwrap();
    assert_eq!(body.error.code, ErrorCode::AmountOutOfLimits);
    assert_eq!(body.error.message, "Too much.");
    assert_eq!(body.error.min_order_usdt, Some("10".parse().unwrap()));
    assert_eq!(body.error.field, None);
    assert_eq!(body.error.retry_after_ms, None);
    let body: ApiErrorBody = read(parsed(r#"{"error":{"code":"busy","message":"Later.","retry_after_ms":2500,"field":null}}"#)).unwrap();
    assert_eq!(body.error.retry_after_ms, Some(2500));
    assert_eq!(body.error.field, None);
    // A required field that is `null` or absent is a refusal.
    assert_eq!(read::<ApiErrorBody>(parsed(r#"{"error":{"code":"busy","message":null}}"#)), None);
    assert_eq!(read::<ApiErrorBody>(parsed(r#"{"error":{"code":"busy"}}"#)), None);
}

#[wasm_bindgen_test]
fn a_property_a_page_added_to_every_object_is_not_an_answers_field() {
    // A polyfill or a polluted library may add a property to `Object.prototype`; the
    // answer the browser parsed does not have it as its own, so it stays absent.
    let prototype = js_sys::Object::get_prototype_of(&js_sys::Object::new());
    js_sys::Reflect::set(&prototype, &"support_id".into(), &"polluted".into()).unwrap();
    let body = read::<ApiErrorBody>(parsed(r#"{"error":{"code":"busy","message":"Later."}}"#));
    js_sys::Reflect::delete_property(&prototype, &"support_id".into()).unwrap();
    assert_eq!(body.expect("the answer reads").error.support_id, None);
}

#[wasm_bindgen_test]
fn words_from_a_newer_server_are_kept_or_refused_as_the_vocabulary_says() {
    // An open vocabulary keeps a word it does not know; a closed one refuses it.
    let body: ApiErrorBody = read(parsed(r#"{"error":{"code":"brand_new_code","message":"New."}}"#)).unwrap();
    assert_eq!(body.error.code, ErrorCode::Other("brand_new_code".into()));
    let mut trade = serde_json::to_value(fixture_trade(TradeStatus::Reserved)).unwrap();
    trade["status"] = "teleported".into();
    assert_eq!(read::<TradeView>(parsed(&trade.to_string())), None);
}

#[wasm_bindgen_test]
fn numbers_with_a_fraction_or_beyond_exact_integers_are_not_a_shape_we_read() {
    // Money is a decimal string on the wire; a float where one is expected is refused,
    // and so is a number where a string is expected.
    let mut terms = serde_json::to_value(fixture_terms("107.42", "1.0742")).unwrap();
    terms["rate"] = serde_json::json!(1.0742);
    assert_eq!(read::<QuoteTerms>(parsed(&terms.to_string())), None);
    terms["rate"] = serde_json::json!("1e3");
    assert_eq!(read::<QuoteTerms>(parsed(&terms.to_string())), None);
    assert_eq!(read::<u64>(parsed("1.5")), None);
    assert_eq!(read::<u64>(parsed("9007199254740993")), None);
    assert_eq!(read::<u64>(parsed("9007199254740991")), Some(9_007_199_254_740_991));
    assert_eq!(read::<i64>(parsed("-42")), Some(-42));
    assert_eq!(read::<u64>(parsed("-42")), None);
    assert_eq!(written(&-42_i64), serde_json::json!(-42));
}

#[wasm_bindgen_test]
fn values_of_the_wrong_kind_are_refused_not_a_panic() {
    for text in ["null", "true", "7", "\"text\"", "[]", "[1]", "{\"a\":1}", "[{\"error\":{\"code\":\"busy\",\"message\":\"x\"}}]"] {
        assert_eq!(read::<ApiErrorBody>(parsed(text)), None, "{text}");
    }
    for text in ["null", "true", "7", "\"text\"", "[1]", "[\"a\",null]", "{\"a\":1}"] {
        assert_eq!(read::<Vec<String>>(parsed(text)), None, "{text}");
    }
    assert_eq!(read::<Vec<String>>(parsed(r#"["a","b"]"#)), Some(vec!["a".to_owned(), "b".to_owned()]));
}

#[wasm_bindgen_test]
fn an_objects_text_entries_keep_their_order_and_name_the_first_that_is_not_text() {
    let object = parsed(r#"{"title":"Convertir","retry":"Réessayer"}"#);
    let entries = text_entries(object.unchecked_ref()).unwrap();
    assert_eq!(entries, vec![("title".into(), "Convertir".into()), ("retry".into(), "Réessayer".into())]);
    let object = parsed(r#"{"title":"Convertir","retry":7,"back":null}"#);
    let (key, value) = text_entries(object.unchecked_ref()).unwrap_err();
    assert_eq!((key.as_str(), value.as_f64()), ("retry", Some(7.0)));
}
