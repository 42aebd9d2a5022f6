//! The HTTP API: the widget's (client token), the partner's backend's (partner key),
//! 0Pools' webhooks, and in demo mode the demo shop's backend. The browser sends
//! intents and ids, never terms or keys; everything it gets back was decided here or
//! by 0Pools. Every route is registered with its OpenAPI description
//! (`utoipa_axum::routes!`), so the document at `/api/openapi.json` lists exactly the
//! routes that exist.

mod alerts;
pub(crate) mod auth;
mod body;
pub(crate) mod checkouts;
pub(crate) mod console;
mod demo;
mod error;
mod fields;
mod finance;
mod lookup;
mod metrics;
pub(crate) mod openapi;
mod outcomes;
mod partner;
mod program;
mod query;
mod quote_intent;
mod quotes;
pub(crate) mod sessions;
mod trades;
mod webhooks;

pub(crate) use body::StrictJson;
pub(crate) use error::ApiError;

use crate::http::AppState;
use axum::extract::State;
use axum::routing::{any, get};
use axum::{Json, Router};
use quote_core::wire::{PoolView, PoolsResponse};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(utoipa::OpenApi)]
#[openapi(tags(
    (name = "widget", description = "Called by the widget with a checkout's client token."),
    (name = "partner", description = "Called by the partner's backend with the partner key."),
    (name = "0pools", description = "Called by 0Pools."),
    (name = "console", description = "The partner console's sign-in (a person, not a backend)."),
    (name = "demo", description = "Demo mode only."),
))]
struct ApiDoc;

/// The API's routes and their OpenAPI document, from one list.
pub(crate) fn documented(demo: bool) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(sessions::create))
        .routes(routes!(checkouts::create))
        .routes(routes!(checkouts::get))
        .routes(routes!(checkouts::client_token))
        .routes(routes!(checkouts::current))
        .routes(routes!(list_pools))
        .routes(routes!(quotes::create))
        .routes(routes!(quotes::accept))
        .routes(routes!(quotes::reject))
        .routes(routes!(trades::get))
        .routes(routes!(trades::events))
        .routes(routes!(webhooks::receive))
        .routes(routes!(partner::utilization))
        .routes(routes!(lookup::lookup))
        .routes(routes!(alerts::alerts))
        .routes(routes!(finance::ledger))
        .routes(routes!(finance::trades_csv))
        .routes(routes!(finance::ledger_csv))
        .routes(routes!(program::program))
        .routes(routes!(program::acknowledge))
        .routes(routes!(program::resolve))
        .routes(routes!(program::review))
        .routes(routes!(program::review_csv))
        .routes(routes!(program::runbook))
        .routes(routes!(metrics::metrics))
        .routes(routes!(console::sign_in, console::current, console::sign_out))
        .routes(routes!(health))
        .routes(routes!(ready));
    if demo {
        router = router.routes(routes!(demo::checkout_for_order));
    }
    let (router, mut doc) = router.split_for_parts();
    // Links and security need every path in place.
    utoipa::Modify::modify(&openapi::Document, &mut doc);
    (router, doc)
}

pub(crate) fn routes(demo: bool) -> Router<AppState> {
    let (router, doc) = documented(demo);
    let doc = std::sync::Arc::new(openapi::to_json(&doc));
    router
        .route("/api/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
        // Unknown API paths answer JSON 404, not the widget's page.
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
        // A known path with a method it does not take answers JSON 405 (with `Allow`).
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}

/// The server's clock, RFC 3339 with milliseconds, for the widget's skew correction.
pub(crate) fn server_time() -> String {
    crate::store::now()
}

/// Liveness.
#[utoipa::path(get, path = "/healthz", operation_id = "health", tag = "widget", responses((status = 200, description = "`ok`", body = String)))]
async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers, 0Pools answered (probed at most every few
/// seconds), and the process is not stopping. A load balancer sends traffic only
/// to ready replicas.
#[utoipa::path(get, path = "/readyz", operation_id = "ready", tag = "widget",
    responses(
        (status = 200, description = "`ready`", body = String),
        (status = 503, description = "`not_ready`, naming what is missing", body = quote_core::wire::ApiErrorBody),
    ))]
async fn ready(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    if state.stopping.is_set() {
        return Err(ApiError::NotReady("it is shutting down".into()));
    }
    if let Err(e) = sqlx::query("SELECT 1").execute(&state.store.db).await {
        tracing::warn!(cause = %e, "readiness: the database does not answer");
        return Err(ApiError::NotReady("the database does not answer".into()));
    }
    if let Err(kind) = state.upstream_probe.check(&state.upstream).await {
        tracing::warn!(%kind, "readiness: 0Pools does not answer");
        return Err(ApiError::NotReady(format!("0Pools does not answer ({kind})")));
    }
    Ok("ready")
}

/// `GET /api/pools`: the entitled pools, from (briefly cached) 0Pools discovery.
#[utoipa::path(get, path = "/api/pools", operation_id = "list_pools", tag = "widget",
    responses(
        (status = 200, description = "Entitled pools with sides, networks and limits", body = PoolsResponse),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`", body = quote_core::wire::ApiErrorBody),
    ))]
async fn list_pools(State(state): State<AppState>) -> Result<Json<PoolsResponse>, ApiError> {
    let list = state.quoting.pools.all().await?;
    let pools = list
        .pools
        .iter()
        .map(|p| PoolView {
            pool_id: p.pool_id.clone(),
            source_asset: p.source_asset.clone(),
            target_asset: p.target_asset.clone(),
            sides: p.sides.clone(),
            networks: p.networks.clone(),
            min_order_usdt: p.min_order_usdt,
            max_order_usdt: p.max_order_usdt,
            available: p.available,
        })
        .collect();
    Ok(Json(PoolsResponse { pools, server_time: server_time() }))
}
