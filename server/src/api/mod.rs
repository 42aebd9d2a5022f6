//! The widget API: what the browser may call. It sends intents and ids, never terms
//! or keys; everything it gets back was decided here or by 0Pools.

mod error;

pub use error::ApiError;

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use quote_core::wire::{PoolView, PoolsResponse};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/pools", get(list_pools))
}

fn server_time() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `GET /api/pools`: the entitled pools, straight from 0Pools discovery.
async fn list_pools(State(state): State<AppState>) -> Result<Json<PoolsResponse>, ApiError> {
    let answer = state.upstream.list_pools().await?;
    let pools = answer
        .value
        .pools
        .into_iter()
        .map(|p| PoolView {
            pool_id: p.pool_id,
            source_asset: p.source_asset,
            target_asset: p.target_asset,
            sides: p.sides.iter().map(|s| s.as_str().to_owned()).collect(),
            networks: p.networks,
            min_order_usdt: p.min_order_usdt,
            max_order_usdt: p.max_order_usdt,
            available: p.available,
        })
        .collect();
    Ok(Json(PoolsResponse { pools, server_time: server_time() }))
}
