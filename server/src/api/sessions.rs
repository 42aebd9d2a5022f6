//! Widget sessions: an opaque bearer token per checkout. Only its hash is stored.

use super::{body::RawBody, ApiError};
use crate::json_fields;
use crate::store;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use quote_core::wire::SessionResponse;
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The session a request is made in.
pub struct Session {
    pub session_id: String,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).filter(|t| !t.is_empty()).ok_or(ApiError::SessionRequired)?;
        let row = store::session_by_token_hash(&state.db, &token_hash(token)).await?.ok_or(ApiError::SessionInvalid)?;
        if row.expires_at <= store::now() {
            return Err(ApiError::SessionExpired);
        }
        Ok(Session { session_id: row.session_id })
    }
}

/// `POST /api/sessions`. With `PARTNER_API_KEY` configured, only the partner's
/// backend (sending that key as its Bearer token, and optionally
/// `{"partner_user_id": "…"}`) may mint; otherwise anyone may, as in an anonymous
/// checkout.
pub async fn create(State(state): State<AppState>, headers: HeaderMap, RawBody(body): RawBody) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    let mut partner_user_id = None;
    if let Some(key) = &state.settings.partner_api_key {
        let presented = bearer(&headers).unwrap_or("");
        let expected = key.expose_secret();
        if !(presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))) {
            return Err(ApiError::PartnerKeyInvalid);
        }
        if !body.is_empty() {
            partner_user_id = json_fields::opt_str(&json_fields::object(&body)?, "partner_user_id")?;
        }
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("qws_{}", hex::encode(bytes));
    let session_id = format!("ses_{}", uuid::Uuid::new_v4().simple());
    let expires_at = store::timestamp(chrono::Utc::now() + state.settings.session_ttl);
    store::insert_session(&state.db, &session_id, &token_hash(&token), partner_user_id.as_deref(), &expires_at).await?;
    tracing::info!(%session_id, "session started");
    Ok((StatusCode::CREATED, Json(SessionResponse { session_token: token, expires_at })))
}
