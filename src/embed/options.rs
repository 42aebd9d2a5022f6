//! The mount options: read from what a host wrote (an object, or the custom
//! element's attributes and properties) into what the widget uses. Everything a host
//! can get wrong is refused here, with the option named, so `mount()` and `update()`
//! throw a message a person can act on instead of a widget that silently differs.

use crate::api::TokenSource;
use crate::host::Defaults;
use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::window;
use quote_core::display::Locale;
use quote_core::wire::Side;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Theme {
    Auto,
    Light,
    Dark,
}

/// The mount options exactly as a host may write them (camelCase, all optional). A
/// name the widget does not know, or a value of the wrong type, is refused with the
/// option named, so a typo fails at mount instead of being silently ignored.
///
/// Read by hand with `Reflect`, not derived with serde: the derived reader and
/// `serde_path_to_error` (for the option's name in the message) cost 17 KB of the
/// wasm for fifteen fields (measured 2026-12-07: 633,704 → 616,435 B).
#[derive(Default)]
struct MountOptions {
    api_base: Option<String>,
    session_token: Option<String>,
    /// A function: kept as the JS value it is.
    get_session_token: JsValue,
    id: Option<String>,
    /// The element's `widget-id` attribute (an alias of `id`).
    widget_id: Option<String>,
    pool: Option<String>,
    side: Option<String>,
    amount: Option<String>,
    network: Option<String>,
    destination: Option<String>,
    /// An array of field names, or one string of names separated by commas or spaces.
    lock: Option<Vec<String>>,
    partner_reference: Option<String>,
    locale: Option<String>,
    /// Sorted by key, so the same overrides compare equal whatever their order.
    copy: Option<Vec<(String, String)>>,
    theme: Option<String>,
}

/// Every option name `MountOptions` reads.
const OPTION_NAMES: [&str; 15] = [
    "apiBase",
    "sessionToken",
    "getSessionToken",
    "id",
    "widgetId",
    "pool",
    "side",
    "amount",
    "network",
    "destination",
    "lock",
    "partnerReference",
    "locale",
    "copy",
    "theme",
];

/// What a value the host gave is, for a message: `number 100`, `boolean true`, `an array`.
fn describe(value: &JsValue) -> String {
    let kind = value.js_typeof().as_string().unwrap_or_default();
    match kind.as_str() {
        // The browser writes the number, so no float formatting is needed in the wasm.
        "number" | "boolean" => {
            let shown = js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_default();
            format!("{kind} `{shown}`")
        }
        "object" if Array::is_array(value) => "an array".into(),
        "object" => "an object".into(),
        "function" => "a function".into(),
        other => other.into(),
    }
}

fn invalid_type(path: &str, value: &JsValue, expected: &str) -> JsValue {
    option_error(path, format!("invalid type: {}, expected {expected}", describe(value)))
}

/// `undefined` and `null` are an absent option.
fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

fn text_at(path: &str, value: JsValue) -> Result<Option<String>, JsValue> {
    if absent(&value) {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| invalid_type(path, &value, "a string"))
}

impl MountOptions {
    /// Reads a plain object of options (`undefined` and `null` are none given).
    fn read(options: &JsValue) -> Result<MountOptions, JsValue> {
        if absent(options) {
            return Ok(MountOptions::default());
        }
        if !options.is_object() || options.is_function() || Array::is_array(options) {
            return Err(option_error("", "must be an object"));
        }
        if let Some(unknown) = Object::keys(options.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .find(|k| !OPTION_NAMES.contains(&k.as_str()))
        {
            return Err(option_error("", format!("unknown field `{unknown}`, expected one of {}", OPTION_NAMES.join(", "))));
        }
        let get = |name: &str| Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        let text = |name: &str| text_at(name, get(name));
        Ok(MountOptions {
            api_base: text("apiBase")?,
            session_token: text("sessionToken")?,
            get_session_token: get("getSessionToken"),
            id: text("id")?,
            widget_id: text("widgetId")?,
            pool: text("pool")?,
            side: text("side")?,
            amount: text("amount")?,
            network: text("network")?,
            destination: text("destination")?,
            lock: Self::lock(get("lock"))?,
            partner_reference: text("partnerReference")?,
            locale: text("locale")?,
            copy: Self::copy(get("copy"))?,
            theme: text("theme")?,
        })
    }

    fn lock(value: JsValue) -> Result<Option<Vec<String>>, JsValue> {
        if absent(&value) {
            return Ok(None);
        }
        if let Some(text) = value.as_string() {
            return Ok(Some(text.split([',', ' ']).filter(|x| !x.is_empty()).map(str::to_owned).collect()));
        }
        if !Array::is_array(&value) {
            return Err(invalid_type("lock", &value, "an array of field names or a string"));
        }
        let names = value
            .unchecked_ref::<Array>()
            .iter()
            .enumerate()
            .map(|(i, name)| name.as_string().ok_or_else(|| invalid_type(&format!("lock[{i}]"), &name, "a string")));
        names.collect::<Result<Vec<_>, _>>().map(Some)
    }

    fn copy(value: JsValue) -> Result<Option<Vec<(String, String)>>, JsValue> {
        if absent(&value) {
            return Ok(None);
        }
        if !value.is_object() || value.is_function() || Array::is_array(&value) {
            return Err(invalid_type("copy", &value, "an object of texts by copy key"));
        }
        let mut texts = crate::json::text_entries(value.unchecked_ref::<Object>())
            .map_err(|(key, value)| invalid_type(&format!("copy.{key}"), &value, "a string"))?;
        // By key (keys of one object are unique), so the same texts in another order are
        // the same options and nothing re-renders. A host sets a handful: an insertion
        // sort, where the standard library's `sort` was 3.4 KB of the wasm for this call.
        for i in 1..texts.len() {
            let mut j = i;
            while j > 0 && texts[j - 1].0 > texts[j].0 {
                texts.swap(j - 1, j);
                j -= 1;
            }
        }
        Ok(Some(texts))
    }
}

/// The fields a host can lock.
const LOCKABLE: [&str; 5] = ["pool", "side", "amount", "network", "destination"];

/// Options as the widget uses them.
#[derive(Clone)]
pub(super) struct Options {
    pub(super) api_base: String,
    pub(super) tokens: TokenSource,
    pub(super) id: String,
    pub(super) defaults: Defaults,
    pub(super) lock: Vec<String>,
    pub(super) partner_reference: Option<String>,
    pub(super) locale: Locale,
    pub(super) copy: Vec<(String, String)>,
    pub(super) theme: Theme,
}

/// An error a host sees thrown from `mount()` or `update()`.
fn option_error(option: &str, problem: impl std::fmt::Display) -> JsValue {
    let option = if option.is_empty() || option == "." { String::from("options") } else { format!("option `{option}`") };
    JsValue::from(js_sys::Error::new(&format!("QuoteWidget: {option}: {problem}")))
}

/// A blank text option is the same as an absent one (an attribute set to ""): the
/// server refuses blank text rather than guess it meant nothing.
fn given(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

impl Options {
    pub(super) fn read(options: &JsValue, element: &HtmlElement) -> Result<Options, JsValue> {
        let o = MountOptions::read(options)?;
        // Served by the companion server, the loader tells us where the server is.
        let default_base = Reflect::get(&window(), &"QuoteWidget".into())
            .ok()
            .and_then(|q| Reflect::get(&q, &"defaultApiBase".into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let provider = if o.get_session_token.is_undefined() || o.get_session_token.is_null() {
            None
        } else {
            Some(o.get_session_token.dyn_into::<Function>().map_err(|_| option_error("getSessionToken", "must be a function"))?)
        };
        let tokens = match (provider, given(o.session_token)) {
            (Some(f), _) => TokenSource::Provider(f),
            (None, Some(t)) => TokenSource::Fixed(t),
            (None, None) => TokenSource::Anonymous,
        };
        let lock = o.lock.unwrap_or_default();
        if let Some(unknown) = lock.iter().find(|f| !LOCKABLE.contains(&f.as_str())) {
            return Err(option_error("lock", format!("unknown field \"{unknown}\" (lockable: {})", LOCKABLE.join(", "))));
        }
        let theme = match given(o.theme).as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => return Err(option_error("theme", format!("\"{other}\" is not one of \"light\", \"dark\", \"auto\""))),
        };
        let side = match given(o.side) {
            None => None,
            Some(word) => Some(Side::parse(&word).ok_or_else(|| {
                // The words come from the vocabulary, so a new side is named here too.
                let words: Vec<String> = Side::ALL.iter().map(|s| format!("\"{s}\"")).collect();
                option_error("side", format!("\"{word}\" is not one of {}", words.join(", ")))
            })?),
        };
        Ok(Options {
            api_base: given(o.api_base).unwrap_or(default_base),
            tokens,
            id: given(o.id).or(given(o.widget_id)).or_else(|| given(Some(element.id()))).unwrap_or_else(|| "default".into()),
            defaults: Defaults {
                pool: given(o.pool),
                side,
                amount: given(o.amount),
                network: given(o.network),
                destination: given(o.destination),
            },
            lock,
            partner_reference: given(o.partner_reference),
            locale: Locale::parse(&o.locale.unwrap_or_default()),
            copy: o.copy.unwrap_or_default(),
            theme,
        })
    }

    /// What a change of requires re-rendering (copy and language are baked into the view).
    pub(super) fn render_key(&self) -> (Locale, Vec<(String, String)>, String, String) {
        (self.locale, self.copy.clone(), self.api_base.clone(), self.id.clone())
    }
}
