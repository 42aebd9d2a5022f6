//! The quote widget's companion server: it holds the 0Pools secret key, is the only
//! thing that talks to 0Pools, stores every quote and trade, and serves the widget.
//! Also ships the 0Pools sandbox.

pub mod api;
pub mod config;
pub mod db;
pub mod json_fields;
pub mod locks;
pub mod pools;
pub mod rate_limit;
pub mod reconcile;
pub mod sandbox;
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
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Tunables and secrets of a running server.
pub struct Settings {
    pub widget_dir: PathBuf,
    pub webhook_secret: SecretString,
    /// When set, only the partner's backend (with this key) may mint sessions.
    pub partner_api_key: Option<SecretString>,
    pub session_ttl: Duration,
    pub cors_allowed_origins: Vec<String>,
    pub quote_rate_per_minute: u32,
    pub quote_rate_burst: u32,
    pub pools_cache_ttl: Duration,
}

impl Settings {
    pub fn new(widget_dir: PathBuf, webhook_secret: SecretString) -> Self {
        Settings {
            widget_dir,
            webhook_secret,
            partner_api_key: None,
            session_ttl: Duration::from_secs(3600),
            cors_allowed_origins: Vec::new(),
            quote_rate_per_minute: 120,
            quote_rate_burst: 20,
            pools_cache_ttl: Duration::from_secs(30),
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
    pub limiter: Arc<rate_limit::RateLimiter>,
    pub updates: tokio::sync::broadcast::Sender<trading::TradeUpdate>,
    pub accept_locks: Arc<locks::StripedLocks>,
}

impl AppState {
    pub fn new(upstream: upstream::UpstreamClient, db: store::Db, settings: Settings) -> Self {
        AppState {
            upstream,
            db,
            pools: Arc::new(pools::PoolsCache::new(settings.pools_cache_ttl)),
            limiter: Arc::new(rate_limit::RateLimiter::new(settings.quote_rate_per_minute, settings.quote_rate_burst)),
            updates: tokio::sync::broadcast::channel(1024).0,
            accept_locks: Arc::new(locks::StripedLocks::new(64)),
            settings: Arc::new(settings),
        }
    }
}

/// Longest a request may take to produce its response head before the server
/// answers 408. (Event-stream bodies flow after the head and are not cut.)
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// The whole HTTP surface: the widget API, webhooks, health, and the widget's files.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    // The widget's files have stable names (embed.js finds them next to itself), so
    // browsers revalidate them (Last-Modified) instead of caching blindly.
    let widget = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .service(ServeDir::new(&state.settings.widget_dir).fallback(ServeFile::new(state.settings.widget_dir.join("index.html"))));
    let timed = api::routes()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT));
    Router::new()
        .merge(timed)
        .fallback_service(widget)
        .layer(cors(&state.settings.cors_allowed_origins))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
