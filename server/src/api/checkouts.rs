//! Checkouts for the partner's backend (partner key): `POST /api/checkouts` mints one
//! bound to an order and answers the widget's client token; `GET /api/checkouts/{id}`
//! says how it ended; `POST /api/checkouts/{id}/client_tokens` renews the widget's
//! token on the same checkout. And for the widget (client token): `GET /api/checkout`,
//! the bindings it must lock and the trade, if the checkout already converted.

use super::auth::{Partner, Session};
use super::body::StrictJson;
use super::ApiError;
use crate::checkouts::{self, NewCheckout};
use crate::json_fields::FieldError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use quote_core::wire::{CheckoutBindings, CheckoutCreated, CheckoutView};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::time::Duration;

/// Longest free text the API stores (destination, references, ids).
pub const MAX_TEXT: usize = 200;

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::InvalidField(FieldError { field: field.into(), message })
}

/// Trimmed text of at most [`MAX_TEXT`] characters; blank counts as absent.
pub fn bounded_text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_TEXT => Err(invalid(field, format!("{field} may be at most {MAX_TEXT} characters."))),
        Some(v) if v.chars().any(char::is_control) => Err(invalid(field, format!("{field} must not contain control characters."))),
        other => Ok(other),
    }
}

fn amount(field: &str, value: Option<String>) -> Result<Option<Decimal>, ApiError> {
    value.map(|v| quote_core::amount::parse_amount(&v).map_err(|e| invalid(field, e.message()))).transpose()
}

/// `POST /api/checkouts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckout {
    pool_id: Option<String>,
    side: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
    amount_min: Option<String>,
    amount_max: Option<String>,
    network: Option<String>,
    destination_address: Option<String>,
    partner_reference: Option<String>,
    partner_user_id: Option<String>,
    expires_in_secs: Option<u64>,
}

impl CreateCheckout {
    fn into_new(self) -> Result<NewCheckout, ApiError> {
        let expires_in = match self.expires_in_secs {
            None => None,
            Some(s @ 60..=604_800) => Some(Duration::from_secs(s)),
            Some(_) => return Err(invalid("expires_in_secs", "expires_in_secs must be between 60 and 604800.".into())),
        };
        Ok(NewCheckout {
            bindings: CheckoutBindings {
                pool_id: bounded_text("pool_id", self.pool_id)?,
                side: bounded_text("side", self.side)?,
                amount: amount("amount", self.amount)?,
                currency: bounded_text("currency", self.currency)?,
                amount_min: amount("amount_min", self.amount_min)?,
                amount_max: amount("amount_max", self.amount_max)?,
                network: bounded_text("network", self.network)?,
                destination_address: bounded_text("destination_address", self.destination_address)?,
            },
            partner_reference: bounded_text("partner_reference", self.partner_reference)?,
            partner_user_id: bounded_text("partner_user_id", self.partner_user_id)?,
            expires_in,
            anonymous: false,
        })
    }
}

pub async fn create(State(state): State<AppState>, _: Partner, StrictJson(request): StrictJson<CreateCheckout>) -> Result<(StatusCode, Json<CheckoutCreated>), ApiError> {
    let (checkout, created) = checkouts::create(&state, request.into_new()?).await?;
    let (client_token, client_token_expires_at) = checkouts::mint_client_token(&state, &checkout, None).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CheckoutCreated { checkout: checkouts::view(&state, &checkout).await?, client_token, client_token_expires_at })))
}

/// `GET /api/checkouts/{checkout_id}` (partner).
pub async fn get(State(state): State<AppState>, _: Partner, Path(checkout_id): Path<String>) -> Result<Json<CheckoutView>, ApiError> {
    let checkout = checkouts::find(&state, &checkout_id).await?;
    Ok(Json(checkouts::view(&state, &checkout).await?))
}

/// `POST /api/checkouts/{checkout_id}/client_tokens` (partner): a fresh widget token.
pub async fn client_token(State(state): State<AppState>, _: Partner, Path(checkout_id): Path<String>) -> Result<(StatusCode, Json<CheckoutCreated>), ApiError> {
    let checkout = checkouts::find(&state, &checkout_id).await?;
    let (client_token, client_token_expires_at) = checkouts::mint_client_token(&state, &checkout, None).await?;
    Ok((StatusCode::CREATED, Json(CheckoutCreated { checkout: checkouts::view(&state, &checkout).await?, client_token, client_token_expires_at })))
}

/// `GET /api/checkout` (widget): the checkout of this client token.
pub async fn current(State(state): State<AppState>, session: Session) -> Result<Json<CheckoutView>, ApiError> {
    let checkout = checkouts::find(&state, &session.checkout_id).await?;
    Ok(Json(checkouts::view(&state, &checkout).await?))
}
