//! The widget API: what the browser may call. It sends intents and ids, never terms
//! or keys; everything it gets back was decided here or by 0Pools.

pub mod auth;
mod body;
pub mod checkouts;
mod error;
mod openapi;
mod quotes;
pub mod sessions;
mod trades;
mod webhooks;

pub use body::StrictJson;
pub use error::ApiError;

use crate::AppState;
use axum::extract::State;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use quote_core::wire::{PoolView, PoolsResponse};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/sessions", post(sessions::create))
        .route("/api/checkouts", post(checkouts::create))
        .route("/api/checkouts/{checkout_id}", get(checkouts::get))
        .route("/api/checkouts/{checkout_id}/client_tokens", post(checkouts::client_token))
        .route("/api/checkout", get(checkouts::current))
        .route("/api/pools", get(list_pools))
        .route("/api/quotes", post(quotes::create))
        .route("/api/quotes/{quote_id}/accept", post(quotes::accept))
        .route("/api/quotes/{quote_id}/reject", post(quotes::reject))
        .route("/api/trades/{trade_id}", get(trades::get))
        .route("/api/trades/{trade_id}/events", get(trades::events))
        .route("/webhooks/0pools", post(webhooks::receive))
        // Unknown API paths answer JSON 404, not the widget's page.
        .route("/api/{*rest}", any(|| async { ApiError::NotFound }))
}

/// The server's clock, RFC 3339 with milliseconds, for the widget's skew correction.
pub fn server_time() -> String {
    crate::store::now()
}

/// `GET /api/pools`: the entitled pools, from (briefly cached) 0Pools discovery.
async fn list_pools(State(state): State<AppState>) -> Result<Json<PoolsResponse>, ApiError> {
    let list = state.pools.all(&state.upstream).await?;
    let pools = list
        .pools
        .iter()
        .map(|p| PoolView {
            pool_id: p.pool_id.clone(),
            source_asset: p.source_asset.clone(),
            target_asset: p.target_asset.clone(),
            sides: p.sides.iter().map(|s| s.as_str().to_owned()).collect(),
            networks: p.networks.clone(),
            min_order_usdt: p.min_order_usdt,
            max_order_usdt: p.max_order_usdt,
            available: p.available,
        })
        .collect();
    Ok(Json(PoolsResponse { pools, server_time: server_time() }))
}
