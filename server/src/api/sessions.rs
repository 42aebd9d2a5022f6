//! `POST /api/sessions`: a client token for the widget. Outside demo mode only the
//! partner's backend may mint one (better: `POST /api/checkouts`, which also binds
//! what is being paid for). In demo mode anyone may, limited per client address, and
//! an expired demo token is renewed on the same checkout, so nothing it owned (an
//! accept whose outcome is still open) is orphaned.

use super::auth::{bearer, is_partner, ClientAddr};
use super::body::from_json;
use super::{body::RawBody, ApiError};
use crate::checkouts::{self, token_hash, NewCheckout};
use crate::store;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use quote_core::wire::SessionResponse;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PartnerSessionRequest {
    #[serde(default)]
    partner_user_id: Option<String>,
}

pub async fn create(State(state): State<AppState>, ClientAddr(addr): ClientAddr, headers: HeaderMap, RawBody(body): RawBody) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    let (checkout, partner_user_id) = if is_partner(&headers, &state) {
        let request: PartnerSessionRequest = from_json(&body)?;
        let user = super::checkouts::bounded_text("partner_user_id", request.partner_user_id)?;
        let new = NewCheckout { partner_user_id: user.clone(), ..NewCheckout::default() };
        (checkouts::create(&state, new).await?.0, user)
    } else if state.settings.demo {
        state.limiters.mint(&addr.to_string()).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
        (demo_checkout(&state, &headers).await?, None)
    } else if state.settings.partner_api_key.is_some() && bearer(&headers).is_some() {
        return Err(ApiError::PartnerKeyInvalid);
    } else {
        return Err(ApiError::AnonymousSessionsDisabled);
    };
    let (session_token, expires_at) = checkouts::mint_client_token(&state, &checkout, partner_user_id.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(SessionResponse { session_token, expires_at })))
}

/// The anonymous checkout an earlier (possibly expired) demo token belonged to, while
/// that checkout lasts; otherwise a new one.
async fn demo_checkout(state: &AppState, headers: &HeaderMap) -> Result<store::CheckoutRow, ApiError> {
    if let Some(previous) = bearer(headers) {
        if let Some(checkout_id) = store::session_checkout(&state.db, &token_hash(previous)).await? {
            if let Some(c) = store::checkout(&state.db, &checkout_id).await?.filter(|c| c.anonymous && !store::checkout_expired(c)) {
                return Ok(c);
            }
        }
    }
    Ok(checkouts::create(state, NewCheckout { anonymous: true, ..NewCheckout::default() }).await?.0)
}
