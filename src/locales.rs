//! The copy of the locale in use, fetched once per page: the build writes each
//! locale file's hashed address into `embed.js` (`window.QuoteWidget.locales`), and
//! every widget on the page shares what arrived. A page that loaded the widget some
//! other way (Trunk's own loader) reads the same addresses from the server's
//! `locales/index.json`. English is built in and never fetched; a locale whose file
//! cannot be read shows in English (said on the console).

use quote_core::copy::Translations;
use quote_core::display::Locale;
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// Translations that arrived, by locale (one fetch per page and locale; a page
    /// holds a handful, so a list, and no hash map code in the wasm).
    static LOADED: RefCell<Vec<(Locale, Arc<Translations>)>> = const { RefCell::new(Vec::new()) };
}

/// Already here: English (`None` inside), or a locale fetched before.
pub fn ready(locale: Locale) -> Option<Option<Arc<Translations>>> {
    if locale == Locale::En {
        return Some(None);
    }
    LOADED.with(|l| l.borrow().iter().find(|(l, _)| *l == locale).map(|(_, t)| Arc::clone(t))).map(Some)
}

/// The address of a locale's file: `window.QuoteWidget.locales[tag]`, else the
/// server's index of them (`<api_base>/locales/index.json`, paths relative to it).
async fn address(locale: Locale, api_base: &str) -> Option<String> {
    let given = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("QuoteWidget"))
        .and_then(|widget| js_sys::Reflect::get(&widget, &JsValue::from_str("locales")))
        .and_then(|locales| js_sys::Reflect::get(&locales, &JsValue::from_str(locale.tag())))
        .ok()
        .and_then(|url| url.as_string());
    if given.is_some() {
        return given;
    }
    let base = api_base.trim_end_matches('/');
    let index = fetch(&format!("{base}/locales/index.json")).await.ok()?;
    index.into_iter().find(|(tag, _)| tag == locale.tag()).map(|(_, path)| format!("{base}/{path}"))
}

/// The locale's translations, fetched when not here yet; `None` (English) when its
/// file is unknown or unreadable.
pub async fn load(locale: Locale, api_base: &str) -> Option<Arc<Translations>> {
    if let Some(ready) = ready(locale) {
        return ready;
    }
    let Some(url) = address(locale, api_base).await else {
        web_sys::console::warn_1(&format!("QuoteWidget: no copy file for locale {}; showing English", locale.tag()).into());
        return None;
    };
    match fetch(&url).await {
        Ok(entries) => {
            let (translations, _newer) = Translations::from_entries(entries);
            // Two widgets of one locale that started together both fetched: the first
            // answer stored is the page's copy, so the list holds each locale once.
            if let Some(first) = ready(locale) {
                return first;
            }
            let translations = Arc::new(translations);
            LOADED.with(|l| l.borrow_mut().push((locale, Arc::clone(&translations))));
            Some(translations)
        }
        Err(why) => {
            web_sys::console::warn_1(
                &format!("QuoteWidget: the {} copy could not be loaded ({why}); showing English", locale.tag()).into(),
            );
            None
        }
    }
}

/// A JSON object's entries (string values), parsed by the browser (no JSON text
/// parser in the wasm).
async fn fetch(url: &str) -> Result<Vec<(String, String)>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url)).await.map_err(|_| "network error".to_owned())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response".to_owned())?;
    if !response.ok() {
        return Err(format!("answered {}", response.status()));
    }
    let json = response.json().map_err(|_| "not JSON".to_owned())?;
    let value = wasm_bindgen_futures::JsFuture::from(json).await.map_err(|_| "not JSON".to_owned())?;
    let object: &js_sys::Object = value.dyn_ref().filter(|_| !js_sys::Array::is_array(&value)).ok_or("not an object of strings")?;
    crate::json::text_entries(object).map_err(|_| "not an object of strings".to_owned())
}
