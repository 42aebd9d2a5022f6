//! The partner's operations API (partner key, never a client token), under
//! `/api/partner/`: utilization per pool for a window, with buckets for a graph and
//! the partner's balance and daily band beside it.

use super::auth::PartnerReader;
use super::query::StrictQuery;
use super::ApiError;
use crate::http::AppState;
use crate::partner::utilization::{self, Window};
use crate::store;
use axum::extract::State;
use axum::Json;
use quote_core::notional;
use quote_core::partner::{BandUse, PoolReport, UtilizationReport};
use quote_core::program;
use serde::Deserialize;

/// `GET /api/partner/utilization` parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct UtilizationQuery {
    /// `1h`, `24h` (default) or `7d`, ending now (or at `to`).
    #[param(pattern = r"^(1h|24h|7d)$")]
    window: Option<String>,
    /// Start of a custom period (RFC 3339); with `to` (default now), at most 31 days.
    #[param(format = DateTime)]
    from: Option<String>,
    /// End of the period (RFC 3339; default now).
    #[param(format = DateTime)]
    to: Option<String>,
    /// Only this pool.
    #[param(max_length = 200)]
    pool_id: Option<String>,
}

/// `GET /api/partner/utilization`.
#[utoipa::path(get, path = "/api/partner/utilization", operation_id = "partner_utilization", tag = "partner",
    params(UtilizationQuery), security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "Per pool: the partner's own program activity for the period (never 0Pools' capacity or a promise): counts, rates and notional, the pages' four utilizations, buckets for a graph, balance and band", body = UtilizationReport),
        (status = 400, description = "`invalid_field` (window, from, to, pool_id)", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict`: `to` before `from`, more than 31 days, or both `window` and `from`", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable` (pool discovery)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn utilization(
    State(state): State<AppState>,
    _: PartnerReader,
    StrictQuery(q): StrictQuery<UtilizationQuery>,
) -> Result<Json<UtilizationReport>, ApiError> {
    let now = chrono::Utc::now();
    let window = Window::parse(q.window.as_deref(), q.from.as_deref(), q.to.as_deref(), now)?;
    if q.pool_id.as_ref().is_some_and(|id| id.chars().count() > super::fields::MAX_TEXT) {
        return Err(ApiError::invalid_field("pool_id", format!("pool_id may be at most {} characters.", super::fields::MAX_TEXT)));
    }
    let discovered = state.quoting.pools.all().await?;
    let pools: Vec<_> = discovered.pools.iter().filter(|p| q.pool_id.as_deref().is_none_or(|id| id == p.pool_id)).collect();
    let (from, to) = (store::timestamp(window.from), store::timestamp(window.to));
    let owned: Vec<_> = pools.iter().map(|p| (*p).clone()).collect();
    let (outcomes, legs) = crate::partner::program::period_rows(&state.store.db, &owned, &from, &to, q.pool_id.as_deref()).await?;
    let ids: Vec<String> = pools.iter().map(|p| p.pool_id.clone()).collect();
    let figures = utilization::compute(&window, &ids, &outcomes, &legs, now);
    // Balance and band are 0Pools' to say; without them the figures still stand.
    let balances = match state.upstream.balances().await {
        Ok(answer) => Some(answer.value),
        Err(e) => {
            tracing::warn!(kind = ?e.kind, "balances unavailable for the utilization report");
            None
        }
    };
    let window_minutes = ((window.to - window.from).num_seconds().max(0) / 60) as u64;
    let reports = figures
        .into_iter()
        .zip(pools.iter())
        .map(|(u, pool)| {
            let balance_available =
                balances.as_ref().and_then(|b| b.balances.iter().find(|a| a.asset == pool.target_asset)).map(|a| a.available);
            let daily_band = balances.as_ref().and_then(|b| b.daily_bands.iter().find(|d| d.pool_id == pool.pool_id)).map(|d| BandUse {
                period: d.period.clone(),
                approved_usdt: d.approved_usdt,
                used_usdt: d.used_usdt,
                utilization: notional::ratio(d.used_usdt, d.approved_usdt),
            });
            // The pages' formulas: the band over this period (today's × its days), and
            // the partner's own balance.
            let approved_band_usdt = program::band_over(daily_band.as_ref().map(|b| b.approved_usdt), window_minutes);
            PoolReport {
                quote_utilization: program::quote_utilization(u.figures.quoted_volume, approved_band_usdt),
                execution_utilization: program::execution_utilization(u.figures.settled_volume, approved_band_usdt),
                reserved_utilization: program::reserved_utilization(u.figures.reserved_notional, balance_available),
                approved_band_usdt,
                utilization: u,
                balance_asset: pool.target_asset.clone(),
                balance_available,
                daily_band,
            }
        })
        .collect();
    Ok(Json(UtilizationReport {
        window: window.label.clone(),
        period: utilization::Period { from, to },
        generated_at: store::now(),
        pools: reports,
    }))
}
