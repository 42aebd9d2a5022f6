//! The HTTP surface: the API (`api`, every route documented in OpenAPI), the
//! handlers' state (`state`), limits at the door (`limits`), readiness
//! (`readiness`), the console's session cookie (`console`) and the server loop
//! (`serve`). [`router`] assembles it once: the API, the widget's files, and the
//! layers every request passes (CORS, request ids, tracing, timeouts, panic catch).
//!
//! Uses every domain room (`checkouts`, `trading`, `partner`, `quoting`) and
//! `store`, `zeropools`, `config`, `telemetry`; nothing uses it but `app`.

pub(crate) mod api;
mod assets;
pub(crate) mod console;
pub(crate) mod limits;
pub mod readiness;
pub mod serve;
pub mod state;

pub use state::AppState;

use crate::config::Settings;
use api::ApiError;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Longest a request may take to produce its response head before the server
/// answers 408. (Event-stream bodies flow after the head and are not cut.)
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn cors(origins: &[String]) -> CorsLayer {
    // Origins were checked at start-up (config/checks.rs): no wildcard, each parses.
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// A client's `X-Request-Id` goes into logs and back out; one that is not a plain
/// token (length, characters) is dropped here and replaced by our own.
fn valid_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

async fn drop_bad_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    if req.headers().get("x-request-id").is_some_and(|v| !valid_request_id(v)) {
        req.headers_mut().remove("x-request-id");
    }
    req
}

/// Whether a URI carries a percent-encoded control character (`%00`–`%1F`, `%7F`).
/// No id or parameter of ours has one, and Postgres cannot even compare text with a
/// NUL in it: such a request is refused up front with one clear answer.
fn encodes_control_character(uri: &axum::http::Uri) -> bool {
    let raw = uri.path_and_query().map(|p| p.as_str()).unwrap_or("").as_bytes();
    raw.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..]).ok().and_then(|hex| u8::from_str_radix(hex, 16).ok()).is_some_and(|b| b < 0x20 || b == 0x7f)
    })
}

async fn refuse_control_characters(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    if encodes_control_character(req.uri()) {
        let message = "The address must not contain control characters.".to_owned();
        return ApiError::invalid_field("url", message).into_response();
    }
    next.run(req).await
}

/// Pages only a demo serves: the demo partner checkout, the designer gallery (and its
/// own build under `/gallery/`) and the sandbox playground.
const DEMO_PAGES: [&str; 4] = ["/", "/index.html", "/gallery.html", "/playground.html"];

/// Whether a path could reach a demo page. The widget's own files are plain names
/// (`embed.js`, `quote-widget_bg.wasm`), so anything encoded, doubled, dotted or
/// ending in `.html` or `/` is treated as a demo page, whatever `ServeDir` would
/// make of it.
fn is_demo_page(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    DEMO_PAGES.contains(&path)
        || lower.starts_with("/gallery")
        || lower.ends_with(".html")
        || lower.ends_with('/')
        || lower.contains('%')
        || lower.contains("//")
        || lower.contains("/.")
}

/// The widget's files (what `embed.js` loads) for any host; the demo pages only in
/// demo mode. Anything else is a 404, never the demo page.
fn widget_files(settings: &Settings) -> Router<AppState> {
    let files = assets::serve(&settings.widget_dir, settings.demo);
    let demo = settings.demo;
    Router::new().fallback_service(files).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| async move {
            if !demo && is_demo_page(req.uri().path()) {
                return ApiError::NotFound.into_response();
            }
            let path = req.uri().path().to_owned();
            let declarations = path.ends_with(".d.ts");
            let mut response = next.run(req).await;
            if response.status() == StatusCode::NOT_FOUND {
                return ApiError::NotFound.into_response();
            }
            assets::cache(&path, &mut response);
            // `.ts` would be guessed as an MPEG transport stream.
            if declarations {
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/typescript; charset=utf-8"));
            }
            response
        },
    ))
}

/// The partner console's files (its own Trunk build) at `/console/`, only when a
/// console credential is configured. The console is for people of the partner, never
/// framed by another page.
fn console_files(settings: &Settings) -> Router<AppState> {
    let Some(console) = &settings.console else { return Router::new() };
    let files = assets::serve(&console.dir, true);
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .service(files);
    Router::new()
        .route("/console", axum::routing::get(|| async { axum::response::Redirect::permanent("/console/") }))
        .nest_service("/console/", files)
        .route("/console/api/{*rest}", axum::routing::any(|| async { ApiError::NotFound }))
        .layer(axum::middleware::from_fn(|req: axum::extract::Request, next: axum::middleware::Next| async move {
            let path = req.uri().path().to_owned();
            let mut response = next.run(req).await;
            if path.starts_with("/console/") && !path.starts_with("/console/api/") {
                assets::cache(&path, &mut response);
            }
            response
        }))
}

/// The whole HTTP surface: the widget API, webhooks, health, and the widget's files.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timed = api::routes(state.settings.demo).layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    Router::new()
        .merge(timed)
        .merge(console_files(&state.settings))
        .merge(widget_files(&state.settings))
        .layer(cors(&state.settings.cors_allowed_origins))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // A bug must answer a JSON 500 (logged), not drop the connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            tracing::error!("a request handler panicked");
            ApiError::Internal.into_response()
        }))
        .layer(axum::middleware::from_fn(refuse_control_characters))
        .layer(axum::middleware::map_request(drop_bad_request_id))
        .with_state(state)
}
