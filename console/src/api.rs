//! The companion server, from the console: same-origin calls that carry the console
//! session cookie (HttpOnly: this code never sees it). Every answer is either the
//! typed body or the API's error detail.

use gloo_net::http::{Request, Response};
use quote_core::partner::{AlertsReport, Incident, LedgerListing, ProgramRecord, ProgramReview, UtilizationReport};
use quote_core::wire::{ApiErrorBody, ErrorCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline or the server is down.
    Network,
    /// Not signed in (or the session ended): back to the sign-in form.
    SignedOut,
    /// The server's own error shape.
    Refused { status: u16, code: ErrorCode, message: String },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => write!(f, "The server could not be reached. Check your connection and refresh."),
            ApiError::SignedOut => write!(f, "Your sign-in ended. Sign in again."),
            ApiError::Refused { message, .. } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for ApiError {}

#[derive(Debug, Clone, Deserialize)]
pub struct ConsoleSession {
    pub user: String,
}

#[derive(Serialize)]
struct SignIn<'a> {
    user: &'a str,
    password: &'a str,
}

async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    let status = response.status();
    if response.ok() {
        return response.json::<T>().await.map_err(|_| ApiError::Refused {
            status,
            code: ErrorCode::Unexpected,
            message: "The server's answer could not be read.".into(),
        });
    }
    let detail = response.json::<ApiErrorBody>().await.ok().map(|b| b.error);
    match detail {
        Some(d) if status == 401 && d.code == ErrorCode::ConsoleSignInRequired => Err(ApiError::SignedOut),
        Some(d) => Err(ApiError::Refused { status, code: d.code, message: d.message }),
        None => Err(ApiError::Refused { status, code: ErrorCode::Unexpected, message: format!("The server answered {status}.") }),
    }
}

pub async fn session() -> Result<ConsoleSession, ApiError> {
    read(Request::get("/console/api/session").send().await).await
}

pub async fn sign_in(user: &str, password: &str) -> Result<ConsoleSession, ApiError> {
    let request = Request::post("/console/api/session").json(&SignIn { user, password }).map_err(|_| ApiError::Network)?;
    read(request.send().await).await
}

pub async fn sign_out() {
    let _ = Request::delete("/console/api/session").send().await;
}

pub async fn utilization(window: &str) -> Result<UtilizationReport, ApiError> {
    read(Request::get("/api/partner/utilization").query([("window", window)]).send().await).await
}

pub async fn alerts() -> Result<AlertsReport, ApiError> {
    read(Request::get("/api/partner/alerts").send().await).await
}

/// The launch readiness record.
pub async fn program() -> Result<ProgramRecord, ApiError> {
    read(Request::get("/api/partner/program").send().await).await
}

/// The program review of the last `days` days.
pub async fn review(days: i64) -> Result<ProgramReview, ApiError> {
    let (from, to) = review_period(days);
    read(Request::get("/api/partner/review").query([("from", from.as_str()), ("to", to.as_str())]).send().await).await
}

/// The review's CSV for the same period, as a link.
pub fn review_csv_href(days: i64) -> String {
    let (from, to) = review_period(days);
    format!("/api/partner/exports/review.csv?from={}&to={}", encode(&from), encode(&to))
}

/// The last `days` days up to the start of the next minute (a stable link for a minute).
fn review_period(days: i64) -> (String, String) {
    let now_ms = js_sys::Date::now() as i64;
    let to_ms = (now_ms / 60_000 + 1) * 60_000;
    let iso = |ms: i64| js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).to_iso_string().as_string().unwrap_or_default();
    (iso(to_ms - days * 86_400_000), iso(to_ms))
}

#[derive(Serialize)]
struct Note<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// Acknowledges an incident (a note is optional).
pub async fn acknowledge(incident_id: i64, note: Option<&str>) -> Result<Incident, ApiError> {
    let path = format!("/api/partner/incidents/{incident_id}/acknowledge");
    let request = Request::post(&path).json(&Note { note }).map_err(|_| ApiError::Network)?;
    read(request.send().await).await
}

/// Resolves an incident with a note.
pub async fn resolve(incident_id: i64, note: &str) -> Result<Incident, ApiError> {
    let path = format!("/api/partner/incidents/{incident_id}/resolve");
    let request = Request::post(&path).json(&Note { note: Some(note) }).map_err(|_| ApiError::Network)?;
    read(request.send().await).await
}

/// The `keep` most recent ledger rows, newest first.
pub async fn recent_ledger(keep: usize) -> Result<LedgerListing, ApiError> {
    let limit = keep.to_string();
    read(Request::get("/api/partner/ledger").query([("order", "newest"), ("limit", limit.as_str())]).send().await).await
}

/// The evidence packet for any id, as the server wrote it.
pub async fn lookup(id: &str) -> Result<serde_json::Value, ApiError> {
    let path = format!("/api/partner/lookup/{}", encode(id));
    read(Request::get(&path).send().await).await
}

/// Percent-encodes an id for a path segment (ids are plain, but people paste anything).
fn encode(id: &str) -> String {
    id.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
