//! The quote widget's companion server: it holds the 0Pools secret key, is the only
//! thing that talks to 0Pools, and serves the widget. Also ships the 0Pools sandbox.

pub mod api;
pub mod config;
pub mod db;
pub mod sandbox;
pub mod signature;
pub mod upstream;

use axum::Router;
use std::path::PathBuf;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub upstream: upstream::UpstreamClient,
    pub db: sqlx::SqlitePool,
    pub widget_dir: PathBuf,
}

/// Largest request body the server reads.
const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may take before the server answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP surface: the widget API, health, and the widget's static files.
pub fn app(state: AppState) -> Router {
    let widget = ServeDir::new(&state.widget_dir)
        .fallback(ServeFile::new(state.widget_dir.join("index.html")));
    Router::new()
        .merge(api::routes())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback_service(widget)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
