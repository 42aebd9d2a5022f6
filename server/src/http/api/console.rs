//! The partner console's sign-in, under `/console/api/`: a person proves the console
//! credential once and gets a session cookie (HttpOnly, SameSite=Strict, Secure
//! outside a local demo) that the partner read API accepts like the partner key.
//! With no console configured every one of these answers 404.

use super::auth::{console_user, ClientAddr};
use super::{ApiError, StrictJson};
use crate::checkouts::token_hash;
use crate::config::ConsoleSettings;
use crate::http::console;
use crate::http::AppState;
use crate::store;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignIn {
    #[schema(max_length = 200)]
    pub user: String,
    #[schema(max_length = 1000)]
    pub password: String,
}

/// Who is signed in, until when.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ConsoleSession {
    pub user: String,
    pub expires_at: String,
}

fn configured(state: &AppState) -> Result<&ConsoleSettings, ApiError> {
    state.settings.console.as_ref().ok_or(ApiError::NotFound)
}

/// `POST /console/api/session`: sign in.
#[utoipa::path(post, path = "/console/api/session", operation_id = "console_sign_in", tag = "console", request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = ConsoleSession),
        (status = 400, description = "`invalid_json`, `invalid_field` (user, password)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`console_credentials_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "No console is configured", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited` (per address, and for all addresses together)", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    StrictJson(request): StrictJson<SignIn>,
) -> Result<Response, ApiError> {
    let settings = configured(&state)?;
    state.limiters.sign_in(&client.key()).map_err(|wait| ApiError::RateLimited { retry_after_ms: wait.millis() })?;
    if request.user.len() > 200 || request.password.len() > 1000 {
        return Err(ApiError::ConsoleCredentialsInvalid);
    }
    let credential = settings.credential.clone();
    // Argon2 is deliberately slow: off the async workers, and a few at a time.
    let valid = state.password_work.run(move || credential.verify(&request.user, &request.password)).await.unwrap_or(false);
    if !valid {
        tracing::warn!(addr = %client.0, "console sign-in refused");
        return Err(ApiError::ConsoleCredentialsInvalid);
    }
    let token = console::new_token();
    let expires_at = store::timestamp(chrono::Utc::now() + settings.session_ttl);
    let user = settings.credential.user().to_owned();
    store::insert_console_session(&state.store.db, &token_hash(&token), &user, &expires_at).await?;
    tracing::info!(addr = %client.0, %user, "console signed in");
    let cookie = console::session_cookie(&token, settings.session_ttl, settings.cookie_secure);
    Ok(([(header::SET_COOKIE, cookie)], Json(ConsoleSession { user, expires_at })).into_response())
}

/// `GET /console/api/session`: who is signed in.
#[utoipa::path(get, path = "/console/api/session", operation_id = "console_session", tag = "console", security(("console_session" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = ConsoleSession),
        (status = 401, description = "`console_sign_in_required`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "No console is configured", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn current(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<ConsoleSession>, ApiError> {
    configured(&state)?;
    let (user, expires_at) = console_user(&headers, &state).await?.ok_or(ApiError::ConsoleSignInRequired)?;
    Ok(Json(ConsoleSession { user, expires_at }))
}

/// `DELETE /console/api/session`: sign out (the session ends on the server too).
#[utoipa::path(delete, path = "/console/api/session", operation_id = "console_sign_out", tag = "console",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared"),
        (status = 404, description = "No console is configured", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let settings = configured(&state)?;
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    if let Some(token) = console::token_from_cookies(cookies) {
        store::delete_console_session(&state.store.db, &token_hash(&token)).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, console::cleared_cookie(settings.cookie_secure))]).into_response())
}
