//! The demo partner's backend, served only in demo mode: what a real partner's
//! server does for its checkout page. Lumen's page asks for the checkout of its
//! order; this "backend" decides what is being paid for (the order's amount, the
//! user's Lumen wallet as destination) and answers the widget's client token. The
//! browser never chooses those; it only sees them.
//!
//! An order belongs to the browser that made it, as a real shop's order belongs to
//! its signed-in user: a cookie names the browser, and another browser asking for the
//! order (guessed, or shared by link) is refused, never handed its checkout.

use super::auth::ClientAddr;
use super::body::StrictJson;
use super::ApiError;
use crate::checkouts::NewCheckout;
use crate::http::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quote_core::wire::{CheckoutBindings, Side};
use rand::Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// The cookie that names the demo shopper's browser.
const BROWSER_COOKIE: &str = "qw_demo_browser";

/// The browser's id from its cookie, and whether it is new (then set on the answer).
fn browser(headers: &HeaderMap) -> (String, bool) {
    let sent = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == BROWSER_COOKIE && c.value().len() == 32 && c.value().bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|c| c.value().to_owned());
    match sent {
        Some(id) => (id, false),
        None => (uuid::Uuid::new_v4().simple().to_string(), true),
    }
}

/// Who owns an order, as its checkout stores it: a hash of the browser's id (the id
/// itself is a bearer secret and is never stored).
fn owner(browser: &str) -> String {
    format!("demo_browser_{}", &hex::encode(Sha256::digest(browser.as_bytes()))[..16])
}

fn valid_order(order: &str) -> bool {
    order.len() == 9 && order.starts_with("LUM-") && order[4..].bytes().all(|b| b.is_ascii_digit())
}

/// Demo mode only: the demo shop's backend minting the checkout of its order.
#[utoipa::path(post, path = "/demo/checkouts", operation_id = "demo_checkout", tag = "demo",
    request_body(content = Option<OrderRequest>, description = "Optional: no body starts a new order."),
    responses(
        (status = 200, description = "The order's checkout (the same one for the same order) and a client token", body = DemoCheckout),
        (status = 400, description = "`invalid_json`, `invalid_field`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`checkout_not_found`: the order belongs to another browser", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`checkout_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn checkout_for_order(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    StrictJson(request): StrictJson<OrderRequest>,
) -> Result<Response, ApiError> {
    state.limiters.mint(&client.key()).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
    let (browser, new_browser) = browser(&headers);
    let owner = owner(&browser);
    let amount = Decimal::new(ORDER_AMOUNT, 2);
    let new = |order: &str| NewCheckout {
        bindings: CheckoutBindings {
            pool_id: Some("EUR-USDT".into()),
            side: Some(Side::Buy),
            amount: Some(amount),
            currency: Some("EUR".into()),
            network: Some("tron".into()),
            destination_address: Some(WALLET.into()),
            ..CheckoutBindings::default()
        },
        partner_reference: Some(order.to_owned()),
        partner_user_id: Some(owner.clone()),
        ..NewCheckout::default()
    };
    let (order, checkout) = match request.order {
        // Its own order again (a reload); another browser's is not found for this one.
        Some(order) if valid_order(&order) => match state.checkouts.create(new(&order)).await {
            Ok((checkout, _)) => (order, checkout),
            Err(crate::checkouts::CheckoutError::ReferenceConflict { .. }) => return Err(ApiError::CheckoutNotFound),
            Err(e) => return Err(e.into()),
        },
        Some(_) => return Err(ApiError::invalid_field("order", "order must look like LUM-12345.")),
        // A new order: a number no other browser's order has.
        None => {
            let mut tries = 0;
            loop {
                let order = format!("LUM-{:05}", rand::thread_rng().gen_range(0..100_000));
                match state.checkouts.create(new(&order)).await {
                    Ok((checkout, true)) => break (order, checkout),
                    Ok(_) | Err(crate::checkouts::CheckoutError::ReferenceConflict { .. }) if tries < 20 => tries += 1,
                    Ok(_) => return Err(ApiError::RateLimited { retry_after_ms: 1_000 }),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    };
    let (client_token, _) = state.checkouts.mint_client_token(&checkout, None).await?;
    let body = Json(DemoCheckout {
        order,
        amount,
        currency: "EUR",
        wallet: WALLET,
        network: "tron",
        checkout_id: checkout.checkout_id,
        client_token,
    });
    let mut response = body.into_response();
    if new_browser {
        // The shop's own session cookie: HttpOnly, this path only, a day.
        let cookie = format!("{BROWSER_COOKIE}={browser}; Path=/demo; HttpOnly; SameSite=Strict; Max-Age=86400");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}
