//! The companion server's widget API, from the browser. Sessions are created and
//! renewed here (an expired session is replaced and the request retried once, so the
//! user's input is never lost); requests can be aborted; a trade is followed over
//! the server's event stream, read with fetch so the token stays in a header.

use crate::json;
use js_sys::{Reflect, Uint8Array, JSON};
use quote_core::codec::{FromJson, ToJson};
use quote_core::sse::EventBuffer;
use quote_core::wire::{
    ApiErrorBody, ApiErrorDetail, CheckoutView, ErrorCode, PoolsResponse, QuoteIntent, QuoteView, SessionResponse, TradeView,
};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, ReadableStreamDefaultReader, RequestInit, Response};

/// Why a call did not give what was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer: offline, refused, or the server could not be reached.
    Network,
    /// Cancelled by us (a newer request replaced it, or the component went away).
    Aborted,
    /// The server answered with its error shape.
    Api { status: u16, detail: ApiErrorDetail },
    /// The server answered something that is not the API's shape.
    Unexpected { status: u16 },
}

impl FetchError {
    pub fn code(&self) -> ErrorCode {
        match self {
            FetchError::Network => ErrorCode::Network,
            FetchError::Aborted => ErrorCode::Aborted,
            FetchError::Api { detail, .. } => detail.code.clone(),
            FetchError::Unexpected { .. } => ErrorCode::Unexpected,
        }
    }
    /// The id support can look up, when the server gave one.
    pub fn support_id(&self) -> Option<&str> {
        match self {
            FetchError::Api { detail, .. } => detail.support_id.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Network => write!(f, "the server could not be reached"),
            FetchError::Aborted => write!(f, "the request was cancelled"),
            FetchError::Api { detail, .. } => write!(f, "{}: {}", detail.code, detail.message),
            FetchError::Unexpected { status } => write!(f, "unexpected answer ({status})"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Device time in milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Where session tokens come from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// The widget starts its own session (`POST /api/sessions`).
    Anonymous,
    /// A token the host minted on its backend.
    Fixed(String),
    /// A host function returning a token (or a promise of one), called again when
    /// the session expires.
    Provider(js_sys::Function),
}

/// A client of one companion server.
#[derive(Debug, Clone)]
pub struct Api {
    /// Origin (and path prefix) of the companion server; empty for the page's own.
    base: String,
    /// Separates the stored state of several widgets on one page.
    scope: String,
    tokens: TokenSource,
    provided: std::rc::Rc<std::cell::RefCell<Option<String>>>,
}

fn session_error(message: &str) -> FetchError {
    FetchError::Api { status: 401, detail: ApiErrorDetail::new(ErrorCode::SessionExpired, message) }
}

impl Api {
    /// The companion server's origin (and prefix); empty for the page's own.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn new(base: impl Into<String>) -> Self {
        Api {
            base: base.into().trim_end_matches('/').to_owned(),
            scope: "default".into(),
            tokens: TokenSource::Anonymous,
            provided: Default::default(),
        }
    }

    pub fn scoped(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    pub fn with_tokens(mut self, tokens: TokenSource) -> Self {
        self.tokens = tokens;
        self
    }

    /// The `localStorage` key of `what` for this widget (shared by every tab of the page).
    pub fn storage_key(&self, what: &str) -> String {
        format!("quote-widget:{what}:{}:{}", self.base, self.scope)
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn remember(&self, what: &str, value: Option<&str>) {
        if let Some(s) = Self::storage() {
            let key = self.storage_key(what);
            let _ = match value {
                Some(v) => s.set_item(&key, v),
                None => s.remove_item(&key),
            };
        }
    }

    pub fn recall(&self, what: &str) -> Option<String> {
        Self::storage()?.get_item(&self.storage_key(what)).ok().flatten()
    }

    /// Stores a value as JSON text (or forgets it).
    pub fn remember_json<T: ToJson>(&self, what: &str, value: Option<&T>) {
        let text = value.and_then(to_json_text);
        self.remember(what, text.as_deref());
    }

    /// A stored value, if there is one and it still reads as a `T`.
    pub fn recall_json<T: FromJson>(&self, what: &str) -> Option<T> {
        json::read(JSON::parse(&self.recall(what)?).ok()?)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        token: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<Response, FetchError> {
        let init = RequestInit::new();
        init.set_method(method);
        let headers = Headers::new().map_err(|_| FetchError::Network)?;
        headers.set("Accept", "application/json").map_err(|_| FetchError::Network)?;
        if let Some(t) = token {
            headers.set("Authorization", &format!("Bearer {t}")).map_err(|_| FetchError::Network)?;
        }
        if let Some(b) = body {
            headers.set("Content-Type", "application/json").map_err(|_| FetchError::Network)?;
            init.set_body(&JsValue::from_str(b));
        }
        init.set_headers(&headers);
        if let Some(s) = signal {
            init.set_signal(Some(s));
        }
        let window = web_sys::window().ok_or(FetchError::Network)?;
        let url = format!("{}{path}", self.base);
        match JsFuture::from(window.fetch_with_str_and_init(&url, &init)).await {
            Ok(r) => r.dyn_into().map_err(|_| FetchError::Network),
            Err(_) if signal.is_some_and(AbortSignal::aborted) => Err(FetchError::Aborted),
            Err(_) => Err(FetchError::Network),
        }
    }

    /// A successful answer's status and body, as the browser's JSON parser made it: no
    /// JSON text parser of our own in the wasm. Not generic, so its code is in the
    /// wasm once; only the typing of the body is per answer type.
    async fn read_body(response: Response, signal: Option<&AbortSignal>) -> Result<(u16, JsValue), FetchError> {
        let status = response.status();
        let text = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()),
            Err(_) => None,
        };
        let Some(text) = text else {
            return Err(if signal.is_some_and(AbortSignal::aborted) { FetchError::Aborted } else { FetchError::Network });
        };
        // Not JSON at all (a proxy's error page) is an unexpected answer.
        let Ok(body) = JSON::parse(&text) else { return Err(FetchError::Unexpected { status }) };
        if response.ok() {
            return Ok((status, body));
        }
        match json::read::<ApiErrorBody>(body) {
            Some(body) => Err(FetchError::Api { status, detail: body.error }),
            None => Err(FetchError::Unexpected { status }),
        }
    }

    async fn read<T: FromJson>(response: Response, signal: Option<&AbortSignal>) -> Result<T, FetchError> {
        // Another shape than the one the call expects is an unexpected answer.
        let (status, body) = Self::read_body(response, signal).await?;
        json::read(body).ok_or(FetchError::Unexpected { status })
    }

    /// The session token, creating a session when there is none or it has expired.
    async fn token(&self, renew: bool) -> Result<String, FetchError> {
        match &self.tokens {
            TokenSource::Anonymous => {}
            TokenSource::Fixed(token) if !renew => return Ok(token.clone()),
            TokenSource::Fixed(_) => return Err(session_error("The session the page provided has expired.")),
            TokenSource::Provider(provide) => {
                if !renew {
                    if let Some(token) = self.provided.borrow().clone() {
                        return Ok(token);
                    }
                }
                let answer = provide.call0(&JsValue::NULL).map_err(|_| session_error("The page could not provide a session."))?;
                let answer = match answer.dyn_into::<js_sys::Promise>() {
                    Ok(promise) => JsFuture::from(promise).await.map_err(|_| session_error("The page could not provide a session."))?,
                    Err(value) => value,
                };
                let token = answer.as_string().ok_or_else(|| session_error("The page provided no session token."))?;
                // Two requests may have asked at once: the first answer wins, so every
                // request of this widget uses one checkout.
                if !renew {
                    if let Some(first) = self.provided.borrow().clone() {
                        return Ok(first);
                    }
                }
                *self.provided.borrow_mut() = Some(token.clone());
                return Ok(token);
            }
        }
        if !renew {
            if let Some(stored) = self.recall_json::<SessionResponse>("session") {
                let still_valid = js_sys::Date::parse(&stored.expires_at) > js_sys::Date::now() + 5_000.0;
                if still_valid {
                    return Ok(stored.session_token);
                }
            }
        }
        // A demo session is renewed with the token it replaces, so the server keeps the
        // same checkout (and whatever it owns, such as an accept still being confirmed).
        let previous = self.recall_json::<SessionResponse>("session").map(|s| s.session_token);
        let response = self.send("POST", "/api/sessions", Some("{}"), previous.as_deref(), None).await?;
        let session: SessionResponse = Self::read(response, None).await?;
        // Two requests may have started a session at once (a preview and a lock): the
        // first one stored wins, so quotes and accepts never land in two checkouts.
        if let Some(first) = self.recall_json::<SessionResponse>("session") {
            if Some(&first.session_token) != previous.as_ref() && js_sys::Date::parse(&first.expires_at) > js_sys::Date::now() + 5_000.0 {
                return Ok(first.session_token);
            }
        }
        self.remember_json("session", Some(&session));
        Ok(session.session_token)
    }

    /// A call in the session, renewing the session once if the server says it is gone.
    async fn call<T: FromJson>(&self, method: &str, path: &str, body: Option<&str>, signal: Option<&AbortSignal>) -> Result<T, FetchError> {
        let (status, body) = self.call_body(method, path, body, signal).await?;
        json::read(body).ok_or(FetchError::Unexpected { status })
    }

    /// [`Api::call`]'s work, not generic (one copy in the wasm for every answer type).
    async fn call_body(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<(u16, JsValue), FetchError> {
        let mut renew = false;
        loop {
            let token = self.token(renew).await?;
            let response = self.send(method, path, body, Some(&token), signal).await?;
            match Self::read_body(response, signal).await {
                Err(FetchError::Api { status: 401, detail })
                    if !renew && detail.code.is_session() && !matches!(self.tokens, TokenSource::Fixed(_)) =>
                {
                    renew = true
                }
                other => return other,
            }
        }
    }

    pub async fn pools(&self) -> Result<PoolsResponse, FetchError> {
        let response = self.send("GET", "/api/pools", None, None, None).await?;
        Self::read(response, None).await
    }

    /// Asks for a quote. Returns the answer with the device times it was sent and
    /// received, from which the server's clock offset is estimated.
    pub async fn quote(&self, intent: &QuoteIntent, signal: Option<&AbortSignal>) -> Result<(QuoteView, i64, i64), FetchError> {
        let body = to_json_text(intent).ok_or(FetchError::Unexpected { status: 0 })?;
        let sent = now_ms();
        let view = self.call("POST", "/api/quotes", Some(&body), signal).await?;
        Ok((view, sent, now_ms()))
    }

    /// Drops a demo session, so the next call starts a new checkout. Tokens the host
    /// provides belong to its checkout and are kept.
    pub fn forget_session(&self) {
        if matches!(self.tokens, TokenSource::Anonymous) {
            self.remember("session", None);
        }
    }

    /// Whether this widget may start a new checkout itself (demo sessions only).
    pub fn starts_own_checkouts(&self) -> bool {
        matches!(self.tokens, TokenSource::Anonymous)
    }

    /// The checkout this session belongs to: what the partner bound, and its trade.
    pub async fn checkout(&self) -> Result<CheckoutView, FetchError> {
        self.call("GET", "/api/checkout", None, None).await
    }

    pub async fn accept(&self, quote_id: &str) -> Result<TradeView, FetchError> {
        self.call("POST", &format!("/api/quotes/{quote_id}/accept"), Some("{}"), None).await
    }

    pub async fn reject(&self, quote_id: &str) -> Result<quote_core::wire::RejectView, FetchError> {
        self.call("POST", &format!("/api/quotes/{quote_id}/reject"), Some("{}"), None).await
    }

    pub async fn trade(&self, trade_id: &str, signal: Option<&AbortSignal>) -> Result<TradeView, FetchError> {
        self.call("GET", &format!("/api/trades/{trade_id}"), None, signal).await
    }

    /// Reads the trade's event stream, calling `on_update` for each status, until a
    /// terminal one (Ok) or until the stream fails (Err: fall back to polling).
    pub async fn follow(&self, trade_id: &str, signal: &AbortSignal, mut on_update: impl FnMut(TradeView)) -> Result<(), FetchError> {
        let token = self.token(false).await?;
        let response = self.send("GET", &format!("/api/trades/{trade_id}/events"), None, Some(&token), Some(signal)).await?;
        if !response.ok() {
            return Err(FetchError::Unexpected { status: response.status() });
        }
        let reader: ReadableStreamDefaultReader = response
            .body()
            .ok_or(FetchError::Unexpected { status: 200 })?
            .get_reader()
            .dyn_into()
            .map_err(|_| FetchError::Unexpected { status: 200 })?;
        let mut buffer = EventBuffer::default();
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(|_| FetchError::Network)?;
            if Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                return Err(FetchError::Network);
            }
            let bytes = Reflect::get(&chunk, &"value".into()).map_err(|_| FetchError::Network)?;
            for event in buffer.push(&Uint8Array::new(&bytes).to_vec()) {
                let trade = (event.name == quote_core::sse::TRADE_STATUS_EVENT)
                    .then(|| JSON::parse(&event.data).ok().and_then(json::read::<TradeView>))
                    .flatten();
                if let Some(trade) = trade {
                    let terminal = trade.is_terminal();
                    on_update(trade);
                    if terminal {
                        let _ = reader.cancel();
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// A Rust value as JSON text (request bodies, stored state), via the browser's `JSON`.
fn to_json_text<T: ToJson + ?Sized>(value: &T) -> Option<String> {
    JSON::stringify(&json::write(value)).ok()?.as_string()
}
