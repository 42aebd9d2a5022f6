//! The demo partner's backend, served only in demo mode: what a real partner's
//! server does for its checkout page. Lumen's page asks for the checkout of its
//! order; this "backend" decides what is being paid for (the order's amount, the
//! user's Lumen wallet as destination) and answers the widget's client token. The
//! browser never chooses those; it only sees them.

use super::auth::ClientAddr;
use super::body::StrictJson;
use super::ApiError;
use crate::checkouts::NewCheckout;
use crate::http::AppState;
use axum::extract::State;
use axum::Json;
use quote_core::wire::{CheckoutBindings, Side};
use rand::Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The demo order: 100.00 EUR into USDT on Tron, to the user's Lumen wallet.
const ORDER_AMOUNT: i64 = 10_000; // in cents
const WALLET: &str = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE";

/// The demo shop's order.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OrderRequest {
    /// The order the page is paying (kept across reloads); a new one when absent.
    #[serde(default)]
    #[schema(pattern = r"^LUM-[0-9]{5}$")]
    order: Option<String>,
}

/// The demo order's checkout, and the widget's client token.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DemoCheckout {
    order: String,
    #[schema(value_type = String, example = "100.00")]
    amount: Decimal,
    currency: &'static str,
    wallet: &'static str,
    network: &'static str,
    checkout_id: String,
    client_token: String,
}

fn valid_order(order: &str) -> bool {
    order.len() == 9 && order.starts_with("LUM-") && order[4..].bytes().all(|b| b.is_ascii_digit())
}

/// Demo mode only: the demo shop's backend minting the checkout of its order.
#[utoipa::path(post, path = "/demo/checkouts", operation_id = "demo_checkout", tag = "demo",
    request_body = OrderRequest,
    responses(
        (status = 200, description = "The order's checkout (the same one for the same order) and a client token", body = DemoCheckout),
        (status = 400, description = "`invalid_json`, `invalid_field`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`partner_reference_conflict`", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`checkout_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn checkout_for_order(
    State(state): State<AppState>,
    client: ClientAddr,
    StrictJson(request): StrictJson<OrderRequest>,
) -> Result<Json<DemoCheckout>, ApiError> {
    state.limiters.mint(&client.key()).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
    let order = match request.order {
        Some(order) if valid_order(&order) => order,
        Some(_) => return Err(ApiError::invalid_field("order", "order must look like LUM-12345.")),
        None => format!("LUM-{:05}", rand::thread_rng().gen_range(0..100_000)),
    };
    let amount = Decimal::new(ORDER_AMOUNT, 2);
    let new = NewCheckout {
        bindings: CheckoutBindings {
            pool_id: Some("EUR-USDT".into()),
            side: Some(Side::Buy),
            amount: Some(amount),
            currency: Some("EUR".into()),
            network: Some("tron".into()),
            destination_address: Some(WALLET.into()),
            ..CheckoutBindings::default()
        },
        partner_reference: Some(order.clone()),
        partner_user_id: Some("demo_user_alex".into()),
        ..NewCheckout::default()
    };
    let (checkout, _) = state.checkouts.create(new).await?;
    let (client_token, _) = state.checkouts.mint_client_token(&checkout, None).await?;
    Ok(Json(DemoCheckout {
        order,
        amount,
        currency: "EUR",
        wallet: WALLET,
        network: "tron",
        checkout_id: checkout.checkout_id,
        client_token,
    }))
}
