//! JSON as the browser holds it: a JS value from `JSON.parse` (or for `JSON.stringify`),
//! read into and written from the wire types by `quote_core::codec`. The browser parses
//! and prints the text; the wasm has neither a JSON text parser nor serde.
//!
//! Why not serde (through `serde-wasm-bindgen` or an adaptor of our own, as until
//! 2026-12-07): every derived `Deserialize` is a field visitor and a map visitor per type,
//! each instantiated against the reader, and serde's error messages bring Rust's float
//! printer; on issue #26 serde was about 30 KB of the 496 KB wasm (docs/performance.md).
//! The codec's reading is a straight list of field lookups per type, checked against
//! serde_json in `core/tests/codec.rs` and against the browser in `tests/json_browser.rs`.

use js_sys::{Array, Object, Reflect};
use quote_core::codec::{FromJson, JsonIn, JsonOut, ToJson};
use wasm_bindgen::{JsCast, JsValue};

/// A JS value as the codec's JSON.
pub struct Js(pub JsValue);

/// A parsed JSON value as a `T`, if it has that shape. Unknown object keys are ignored;
/// an absent or `null` key is `None` where the type has an `Option`.
pub fn read<T: FromJson>(value: JsValue) -> Option<T> {
    T::from_json(&Js(value))
}

/// A value as a JS value shaped as JSON would be: objects (not `Map`s), arrays,
/// strings, integers as numbers, `null` for none.
pub fn write<T: ToJson + ?Sized>(value: &T) -> JsValue {
    value.to_json::<Js>().0
}

/// The largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl JsonIn for Js {
    /// Own keys only, as `JSON.parse` makes them: a property a page added to
    /// `Object.prototype` is not an answer's field.
    fn get(&self, key: &str) -> Option<Self> {
        let key = JsValue::from_str(key);
        if !self.is_object() || !Object::has_own(self.0.unchecked_ref::<Object>(), &key) {
            return None;
        }
        let value = Reflect::get(&self.0, &key).ok()?;
        (!value.is_null() && !value.is_undefined()).then_some(Js(value))
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    fn flag(&self) -> Option<bool> {
        self.0.as_bool()
    }

    /// Integers only: money is a decimal string on the wire, so a number with a
    /// fraction is not a shape any wire type has. (The browser has parsed `2500.0` to the
    /// integer 2500 before we see it, which serde_json would refuse; the server writes
    /// integers as integers.)
    fn integer(&self) -> Option<i64> {
        let n = self.0.as_f64()?;
        (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n as i64)
    }

    fn items(&self) -> Option<Vec<Self>> {
        let array = self.0.dyn_ref::<Array>()?;
        Some(array.iter().map(Js).collect())
    }
}

impl JsonOut for Js {
    fn null() -> Self {
        Js(JsValue::NULL)
    }

    fn text(text: &str) -> Self {
        Js(JsValue::from_str(text))
    }

    fn flag(flag: bool) -> Self {
        Js(JsValue::from_bool(flag))
    }

    fn integer(n: i64) -> Self {
        Js(JsValue::from_f64(n as f64))
    }

    fn object(entries: Vec<(&'static str, Self)>) -> Self {
        let object = Object::new();
        for (key, value) in entries {
            // Setting a plain object's own data property cannot throw.
            let _ = Reflect::set(&object, &JsValue::from_str(key), &value.0);
        }
        Js(object.into())
    }
}

/// An object's own entries, each of whose values is a text, in the object's order; the
/// first entry that is not a text is the error (its key and value, for a message).
/// Without a map type in between (a hash map's code was 7.5 KB of the wasm): the mount
/// options' copy overrides and a locale file are both such objects.
pub fn text_entries(object: &Object) -> Result<Vec<(String, String)>, (String, JsValue)> {
    Object::entries(object)
        .iter()
        .map(|pair| {
            let key = Reflect::get_u32(&pair, 0).ok().and_then(|k| k.as_string()).unwrap_or_default();
            let value = Reflect::get_u32(&pair, 1).unwrap_or(JsValue::UNDEFINED);
            match value.as_string() {
                Some(text) => Ok((key, text)),
                None => Err((key, value)),
            }
        })
        .collect()
}
