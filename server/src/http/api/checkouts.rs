//! Checkouts for the partner's backend (partner key): `POST /api/checkouts` mints one
//! bound to an order and answers the widget's client token; `GET /api/checkouts/{id}`
//! says how it ended; `POST /api/checkouts/{id}/client_tokens` renews the widget's
//! token on the same checkout. And for the widget (client token): `GET /api/checkout`,
//! the bindings it must lock and the trade, if the checkout already converted.

use super::auth::{Partner, Session};
use super::body::StrictJson;
use super::fields::bounded_text;
use super::ApiError;
use crate::checkouts::NewCheckout;
use crate::http::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use quote_core::vocab::Side;
use quote_core::wire::{CheckoutBindings, CheckoutCreated, CheckoutView};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::time::Duration;

fn amount(field: &str, value: Option<String>) -> Result<Option<Decimal>, ApiError> {
    value.map(|v| quote_core::amount::parse_amount(&v).map_err(|e| ApiError::invalid_field(field, e.message()))).transpose()
}

/// `POST /api/checkouts`: what the order allows. Every binding is optional; bind an
/// exact `amount` or a range (`amount_min`/`amount_max`), each with its `currency`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateCheckout {
    /// A pool from `GET /api/pools`.
    #[schema(format = "text")]
    pool_id: Option<String>,
    #[schema(value_type = Option<Side>)]
    side: Option<String>,
    #[schema(format = "amount", example = "100.00")]
    amount: Option<String>,
    /// One of the pool's two assets; required with any amount binding.
    #[schema(format = "text", example = "EUR")]
    currency: Option<String>,
    #[schema(format = "amount")]
    amount_min: Option<String>,
    #[schema(format = "amount")]
    amount_max: Option<String>,
    #[schema(format = "text", example = "tron")]
    network: Option<String>,
    #[schema(format = "text")]
    destination_address: Option<String>,
    /// Your order id: one checkout per reference.
    #[schema(format = "text", example = "order_1042")]
    partner_reference: Option<String>,
    #[schema(format = "text")]
    partner_user_id: Option<String>,
    #[serde(default, deserialize_with = "super::fields::whole_number")]
    #[schema(minimum = 60, maximum = 604800)]
    expires_in_secs: Option<u64>,
}

impl CreateCheckout {
    /// What the schema says beyond each field (JSON Schema, added to the document by
    /// `openapi`): an exact amount or a range, not both; a currency with any amount.
    /// (`amount_min` ≤ `amount_max` and the pool's offer are the 422 `field_conflict`.)
    pub(super) fn cross_field_rules() -> serde_json::Value {
        let given = |fields: &[&str]| {
            let properties: serde_json::Map<_, _> = fields.iter().map(|f| (f.to_string(), serde_json::json!({"type": "string"}))).collect();
            serde_json::json!({"required": fields, "properties": properties})
        };
        serde_json::json!([
            {"not": given(&["amount", "amount_min"])},
            {"not": given(&["amount", "amount_max"])},
            {"if": {"anyOf": [given(&["amount"]), given(&["amount_min"]), given(&["amount_max"])]}, "then": given(&["currency"])},
        ])
    }

    fn into_new(self) -> Result<NewCheckout, ApiError> {
        let expires_in = match self.expires_in_secs {
            None => None,
            Some(s @ 60..=604_800) => Some(Duration::from_secs(s)),
            Some(_) => return Err(ApiError::invalid_field("expires_in_secs", "expires_in_secs must be between 60 and 604800.")),
        };
        Ok(NewCheckout {
            bindings: CheckoutBindings {
                pool_id: bounded_text("pool_id", self.pool_id)?,
                side: self
                    .side
                    .map(|side| Side::parse(&side).ok_or_else(|| ApiError::invalid_field("side", "side must be buy or sell.")))
                    .transpose()?,
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

#[utoipa::path(post, path = "/api/checkouts", operation_id = "create_checkout", tag = "partner",
    request_body(content = Option<CreateCheckout>, description = "Optional: no body (or `{}`) mints an unbound checkout."), security(("partner_key" = [])),
    responses(
        (status = 201, description = "Created, with the widget's client token", body = CheckoutCreated),
        (status = 200, description = "The checkout already made for this reference and bindings, with a fresh client token", body = CheckoutCreated),
        (status = 400, description = "`invalid_json`, `invalid_field` (names the binding)", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`partner_reference_conflict`", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`checkout_expired` (the reference's checkout is over)", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`field_conflict` (names the binding): `amount_min` above `amount_max`, or a pool, side, network or currency the pools do not offer", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable` (pool discovery)", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn create(
    State(state): State<AppState>,
    _: Partner,
    StrictJson(request): StrictJson<CreateCheckout>,
) -> Result<(StatusCode, Json<CheckoutCreated>), ApiError> {
    let (checkout, created, (client_token, client_token_expires_at)) = state.checkouts.create_with_token(request.into_new()?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CheckoutCreated { checkout: state.checkouts.view(&checkout).await?, client_token, client_token_expires_at })))
}

/// `GET /api/checkouts/{checkout_id}` (partner).
#[utoipa::path(get, path = "/api/checkouts/{checkout_id}", operation_id = "get_checkout", tag = "partner",
    params(("checkout_id" = String, Path, description = "From `POST /api/checkouts`")), security(("partner_key" = [])),
    responses(
        (status = 200, description = "Status (`open`, `accepting`, `converted`, `expired`) and trade", body = CheckoutView),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`checkout_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    _: Partner,
    Path(checkout_id): Path<String>,
) -> Result<Json<CheckoutView>, ApiError> {
    let checkout = state.checkouts.find(&checkout_id).await?;
    Ok(Json(state.checkouts.view(&checkout).await?))
}

/// `POST /api/checkouts/{checkout_id}/client_tokens` (partner): a fresh widget token.
#[utoipa::path(post, path = "/api/checkouts/{checkout_id}/client_tokens", operation_id = "renew_client_token", tag = "partner",
    params(("checkout_id" = String, Path)), security(("partner_key" = [])),
    responses(
        (status = 201, description = "A fresh client token for the same checkout", body = CheckoutCreated),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`checkout_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`checkout_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn client_token(
    State(state): State<AppState>,
    _: Partner,
    Path(checkout_id): Path<String>,
) -> Result<(StatusCode, Json<CheckoutCreated>), ApiError> {
    let checkout = state.checkouts.find(&checkout_id).await?;
    let (client_token, client_token_expires_at) = state.checkouts.mint_client_token(&checkout, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(CheckoutCreated { checkout: state.checkouts.view(&checkout).await?, client_token, client_token_expires_at }),
    ))
}

/// `GET /api/checkout` (widget): the checkout of this client token.
#[utoipa::path(get, path = "/api/checkout", operation_id = "current_checkout", tag = "widget", security(("client_token" = [])),
    responses(
        (status = 200, description = "Bindings to lock, and the trade if it converted", body = CheckoutView),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`checkout_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(crate) async fn current(State(state): State<AppState>, mut session: Session) -> Result<Json<CheckoutView>, ApiError> {
    let checkout = session.checkout(&state).await?;
    Ok(Json(state.checkouts.view(&checkout).await?))
}
