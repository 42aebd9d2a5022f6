//! The quote widget's companion server: it holds the 0Pools secret key, is the only
//! thing that talks to 0Pools, stores every quote and trade, and serves the widget.
//! Also ships the 0Pools sandbox.

pub mod api;
pub mod config;
pub mod db;
pub mod json_fields;
pub mod locks;
pub mod pools;
pub mod checkouts;
pub mod limits;
pub mod partner_webhooks;
pub mod startup;
pub mod sweep;
pub mod reconcile;
pub mod sandbox;
pub mod serve;
pub mod signature;
pub mod store;
pub mod trading;
pub mod upstream;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::Router;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use axum::response::IntoResponse;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Abuse and resource limits (see the README's configuration table).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Quote requests one checkout may make per minute, after `quote_burst`.
    pub quotes_per_minute: u32,
    pub quote_burst: u32,
    /// Accept attempts one checkout may make per minute, after `accept_burst`.
    pub accepts_per_minute: u32,
    pub accept_burst: u32,
    /// Sessions or checkouts one client address may mint per minute (after a burst of 10).
    pub mints_per_minute: u32,
    /// Upstream quote calls per second for the whole server (fail-soft `busy` beyond).
    pub upstream_quotes_per_second: u32,
    pub sse_per_checkout: u32,
    pub sse_total: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            quotes_per_minute: 120,
            quote_burst: 20,
            accepts_per_minute: 30,
            accept_burst: 10,
            mints_per_minute: 30,
            upstream_quotes_per_second: 50,
            sse_per_checkout: 4,
            sse_total: 2_000,
        }
    }
}

/// Tunables and secrets of a running server.
pub struct Settings {
    pub widget_dir: PathBuf,
    pub webhook_secret: SecretString,
    /// Demo mode: anonymous sessions, the demo checkout and the gallery are served.
    pub demo: bool,
    /// The partner backend's key: mints checkouts and reads their outcome.
    pub partner_api_key: Option<SecretString>,
    /// Where trade status changes go, signed with this secret.
    pub partner_webhook: Option<(String, SecretString)>,
    pub session_ttl: Duration,
    pub checkout_ttl: Duration,
    pub cors_allowed_origins: Vec<String>,
    pub limits: Limits,
    pub trust_forwarded_for: bool,
    /// How long sessions, unaccepted quotes and webhook bodies are kept.
    pub retention: Duration,
    pub pools_cache_ttl: Duration,
    /// An accept whose outcome is still unknown after this long stops being retried
    /// and raises an alert.
    pub accept_retry_max_age: Duration,
    /// Connection-level limits of the HTTP server.
    pub serve: serve::ServeLimits,
}

impl Settings {
    pub fn new(widget_dir: PathBuf, webhook_secret: SecretString) -> Self {
        Settings {
            widget_dir,
            webhook_secret,
            demo: false,
            partner_api_key: None,
            partner_webhook: None,
            session_ttl: Duration::from_secs(3600),
            checkout_ttl: Duration::from_secs(86_400),
            cors_allowed_origins: Vec::new(),
            limits: Limits::default(),
            trust_forwarded_for: false,
            retention: Duration::from_secs(30 * 86_400),
            pools_cache_ttl: Duration::from_secs(30),
            accept_retry_max_age: Duration::from_secs(15 * 60),
            serve: serve::ServeLimits::default(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub upstream: upstream::UpstreamClient,
    pub db: store::Db,
    pub settings: Arc<Settings>,
    pub pools: Arc<pools::PoolsCache>,
    pub limiters: Arc<limits::Limiters>,
    pub streams: Arc<limits::StreamSlots>,
    pub updates: tokio::sync::broadcast::Sender<trading::TradeUpdate>,
    pub accept_locks: Arc<locks::StripedLocks>,
    pub outbox: partner_webhooks::Outbox,
}

impl AppState {
    pub fn new(upstream: upstream::UpstreamClient, db: store::Db, settings: Settings) -> Self {
        AppState {
            upstream,
            pools: Arc::new(pools::PoolsCache::new(settings.pools_cache_ttl)),
            limiters: Arc::new(limits::Limiters::new(&settings.limits)),
            streams: Arc::new(limits::StreamSlots::new(settings.limits.sse_per_checkout, settings.limits.sse_total)),
            updates: tokio::sync::broadcast::channel(1024).0,
            accept_locks: Arc::new(locks::StripedLocks::new(64)),
            outbox: partner_webhooks::Outbox::new(db.clone(), settings.partner_webhook.clone()),
            db,
            settings: Arc::new(settings),
        }
    }
}

/// Longest a request may take to produce its response head before the server
/// answers 408. (Event-stream bodies flow after the head and are not cut.)
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn cors(origins: &[String]) -> CorsLayer {
    // Origins were checked at start-up (config.rs): no wildcard, each parses.
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

/// Pages only a demo serves: the demo partner checkout, the designer gallery and the
/// sandbox playground.
const DEMO_PAGES: [&str; 4] = ["/", "/index.html", "/gallery.html", "/playground.html"];

/// The widget's files (what `embed.js` loads) for any host; the demo pages only in
/// demo mode. Anything else is a 404, never the demo page.
fn widget_files(settings: &Settings) -> Router<AppState> {
    let dir = &settings.widget_dir;
    let files = ServeDir::new(dir).append_index_html_on_directories(settings.demo);
    // The widget's files have stable names (embed.js finds them next to itself), so
    // browsers revalidate them (Last-Modified) instead of caching blindly.
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(files);
    let demo = settings.demo;
    Router::new().fallback_service(files).layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| async move {
        if !demo && DEMO_PAGES.contains(&req.uri().path()) {
            return api::ApiError::NotFound.into_response();
        }
        let response = next.run(req).await;
        if response.status() == StatusCode::NOT_FOUND {
            return api::ApiError::NotFound.into_response();
        }
        response
    }))
}

/// The whole HTTP surface: the widget API, webhooks, health, and the widget's files.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let timed = api::routes(state.settings.demo)
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    Router::new()
        .merge(timed)
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
            api::ApiError::Internal.into_response()
        }))
        .layer(axum::middleware::map_request(drop_bad_request_id))
        .with_state(state)
}
