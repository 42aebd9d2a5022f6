//! Calls to the companion server's widget API. Requests are abortable so a component
//! can cancel what it no longer needs when it is cleaned up.

use quote_core::wire::{ApiErrorBody, PoolsResponse};
use serde::de::DeserializeOwned;
use std::fmt;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestInit, Response};

/// Why a call to the companion server did not give what was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer: offline, refused, aborted.
    Network,
    /// The server answered with its error shape.
    Api { status: u16, code: String, message: String },
    /// The server answered something that is not the API's shape.
    Unexpected { status: u16 },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Network => write!(f, "the server could not be reached"),
            FetchError::Api { code, message, .. } => write!(f, "{code}: {message}"),
            FetchError::Unexpected { status } => write!(f, "unexpected answer ({status})"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Aborts its request when dropped, so cleanup cancels what is in flight.
pub struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `GET` a JSON document from the widget API.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let controller = AbortController::new().map_err(|_| FetchError::Network)?;
    let guard = AbortOnDrop(controller);
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(&guard.0.signal()));
    let window = web_sys::window().ok_or(FetchError::Network)?;
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|_| FetchError::Network)?;
    let response: Response = response.dyn_into().map_err(|_| FetchError::Network)?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(|_| FetchError::Network)?)
        .await
        .map_err(|_| FetchError::Network)?
        .as_string()
        .unwrap_or_default();
    // The request is complete: nothing left to abort.
    std::mem::forget(guard);
    if response.ok() {
        return serde_json::from_str(&text).map_err(|_| FetchError::Unexpected { status });
    }
    match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(body) => Err(FetchError::Api { status, code: body.error.code, message: body.error.message }),
        Err(_) => Err(FetchError::Unexpected { status }),
    }
}

pub async fn fetch_pools() -> Result<PoolsResponse, FetchError> {
    get_json("/api/pools").await
}
