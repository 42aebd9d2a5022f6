//! `POST /api/sessions`: a client token for the widget. Outside demo mode only the
//! partner's backend may mint one (better: `POST /api/checkouts`, which also binds
//! what is being paid for). In demo mode anyone may, limited per client address, and
//! an expired demo token is renewed on the same checkout, so nothing it owned (an
//! accept whose outcome is still open) is orphaned.

use super::auth::{bearer, is_partner, ClientAddr};
use super::body::from_json;
use super::{body::RawBody, ApiError};
use crate::checkouts::{token_hash, NewCheckout};
use crate::http::AppState;
use crate::store;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use quote_core::wire::SessionResponse;
use serde::Deserialize;

/// The partner's optional body for `POST /api/sessions`.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartnerSessionRequest {
    /// Your user's id, kept with the session for support.
    #[serde(default)]
    #[schema(format = "text")]
    partner_user_id: Option<String>,
    /// Your order id: one checkout per reference (as `POST /api/checkouts`); only
    /// your backend sets it, never the widget.
    #[serde(default)]
    #[schema(format = "text", example = "order_1042")]
    partner_reference: Option<String>,
}

/// A client token for a new, unbound checkout.
#[utoipa::path(post, path = "/api/sessions", operation_id = "create_session", tag = "widget",
    request_body(content = Option<PartnerSessionRequest>, description = "Partner key only: optional user id and order reference."),
    security((), ("partner_key" = [])),
    responses(
        (status = 201, description = "A client token", body = SessionResponse),
        (status = 400, description = "`invalid_json`, `invalid_field`", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`anonymous_sessions_disabled` (outside demo mode), `partner_key_invalid` (a wrong key, or partner fields without one)", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`reference_conflict`: this partner_reference names another checkout's order", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited` (demo mints per client address)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    // The body is read whoever sends it, so a malformed one is always a 400; its fields
    // are the partner's backend's to set.
    let request: PartnerSessionRequest = from_json(&body)?;
    let user = super::fields::bounded_text("partner_user_id", request.partner_user_id)?;
    let reference = super::fields::bounded_text("partner_reference", request.partner_reference)?;
    let partner_fields = user.is_some() || reference.is_some();
    let (checkout, partner_user_id) = if is_partner(&headers, &state) {
        let new = NewCheckout { partner_user_id: user.clone(), partner_reference: reference, ..NewCheckout::default() };
        (state.checkouts.create(new).await?.0, user)
    } else if partner_fields {
        return Err(ApiError::PartnerKeyInvalid);
    } else if state.settings.demo {
        state.limiters.mint(&client.key()).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
        (demo_checkout(&state, &headers).await?, None)
    } else if state.settings.partner_api_key.is_some() && bearer(&headers).is_some() {
        return Err(ApiError::PartnerKeyInvalid);
    } else {
        return Err(ApiError::AnonymousSessionsDisabled);
    };
    let (session_token, expires_at) = state.checkouts.mint_client_token(&checkout, partner_user_id.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(SessionResponse { session_token, expires_at })))
}

/// The anonymous checkout an earlier (possibly expired) demo token belonged to, while
/// that checkout lasts; otherwise a new one.
async fn demo_checkout(state: &AppState, headers: &HeaderMap) -> Result<store::CheckoutRow, ApiError> {
    if let Some(previous) = bearer(headers) {
        if let Some(checkout_id) = store::session_checkout(&state.store.db, &token_hash(previous)).await? {
            if let Some(c) = store::checkout(&state.store.db, &checkout_id).await?.filter(|c| c.anonymous.0 && !store::checkout_expired(c))
            {
                return Ok(c);
            }
        }
    }
    Ok(state.checkouts.create(NewCheckout { anonymous: true, ..NewCheckout::default() }).await?.0)
}
