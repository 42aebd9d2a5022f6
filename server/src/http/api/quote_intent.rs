//! What a quote request asks for: the body the browser sends, checked against the
//! checkout's bindings and the pool it names, into a request for 0Pools.

use super::fields::bounded_text;
use super::{outcomes, ApiError};
use crate::checkouts::{self, IntentFields};
use crate::http::AppState;
use crate::store::CheckoutRow;
use crate::zeropools::types::{Pool, QuoteRequest, QuoteType, Side};
use quote_core::vocab::OutcomeSubject;
use serde::Deserialize;

/// The intent as the browser sends it (`POST /api/quotes`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct QuoteBody {
    /// A pool from `GET /api/pools`.
    #[schema(format = "text", example = "EUR-USDT")]
    pool_id: String,
    #[schema(value_type = Side)]
    side: String,
    /// In `currency`; within the pool's limits (else `422 amount_out_of_limits`).
    /// Required: missing reads as empty, so it is refused with its own code
    /// (`amount_required`) rather than serde's.
    #[serde(default)]
    #[schema(format = "amount", example = "100.00", required = true)]
    amount: String,
    /// One of the pool's two assets.
    #[schema(format = "text", example = "EUR")]
    currency: String,
    /// Default `firm`.
    #[serde(default)]
    #[schema(value_type = Option<QuoteType>)]
    quote_type: Option<String>,
    /// One of the pool's networks; required for a firm quote.
    #[serde(default)]
    #[schema(format = "text", example = "tron")]
    network: Option<String>,
    /// Required for a firm quote (unless the checkout bound it).
    #[serde(default)]
    #[schema(format = "text")]
    destination_address: Option<String>,
    /// Must equal the checkout's own reference when it has one.
    #[serde(default)]
    #[schema(format = "text")]
    partner_reference: Option<String>,
}

impl QuoteBody {
    /// What the request asked for, kept to record its outcome whatever the answer.
    pub(super) fn asked(&self) -> outcomes::Asked {
        outcomes::Asked {
            pool_id: self.pool_id.trim().to_owned(),
            side: Side::parse(self.side.trim()),
            // A word that is not a quote type is refused later; its outcome counts as firm (the default).
            subject: OutcomeSubject::from(self.quote_type.as_deref().and_then(QuoteType::parse).unwrap_or(QuoteType::Firm)),
        }
    }
}

/// A validated intent, ready for 0Pools.
pub(super) struct Intent {
    pub(super) request: QuoteRequest,
    pub(super) amount_text: String,
}

/// Checks an intent against the checkout's bindings and the pool it names, before
/// any quote is asked for. The checkout's own reference wins over the browser's, and
/// outside demo mode the browser may not name one the checkout lacks.
pub(super) async fn read_intent(state: &AppState, checkout: &CheckoutRow, body: QuoteBody) -> Result<(Intent, Pool), ApiError> {
    let quote_type = match body.quote_type.as_deref().map(QuoteType::parse) {
        None => QuoteType::Firm,
        Some(Some(quote_type)) => quote_type,
        Some(None) => return Err(ApiError::invalid_field("quote_type", "quote_type must be indicative or firm.")),
    };
    let required = |field: &str, v: String| {
        bounded_text(field, Some(v))?.ok_or_else(|| ApiError::invalid_field(field, format!("{field} is required.")))
    };
    let pool_id = required("pool_id", body.pool_id)?;
    let side_text = required("side", body.side)?;
    let currency = required("currency", body.currency)?;
    let network = bounded_text("network", body.network)?;
    let sent_reference = bounded_text("partner_reference", body.partner_reference)?;
    let mut destination = bounded_text("destination_address", body.destination_address)?;
    let side_sent = Side::parse(&side_text);
    let amount = quote_core::amount::parse_amount(&body.amount)?;
    checkouts::check_intent(
        checkout,
        &IntentFields {
            pool_id: &pool_id,
            side: side_sent,
            amount,
            currency: &currency,
            network: network.as_deref(),
            destination_address: destination.as_deref(),
            partner_reference: sent_reference.as_deref(),
            reference_settable: state.settings.demo,
        },
    )?;
    // A bound destination is the partner's, whether or not the browser repeated it.
    if destination.is_none() {
        destination = checkout.destination_address.clone();
    }
    let partner_reference = checkout.partner_reference.clone().or(sent_reference);

    let pool = state.quoting.pools.find(&pool_id).await?.ok_or(ApiError::UnknownPool)?;
    if !pool.available {
        return Err(ApiError::PoolUnavailable(pool_id));
    }
    let side = side_sent.filter(|s| pool.sides.contains(s)).ok_or(ApiError::UnsupportedSide)?;
    let currencies = [pool.source_asset.clone(), pool.target_asset.clone()];
    if !currencies.contains(&currency) {
        return Err(ApiError::UnsupportedCurrency { currencies: currencies.to_vec() });
    }
    if let Some(n) = &network {
        if !pool.networks.contains(n) {
            return Err(ApiError::UnsupportedNetwork { networks: pool.networks.clone() });
        }
    }
    if quote_type == QuoteType::Firm {
        if network.is_none() {
            return Err(ApiError::UnsupportedNetwork { networks: pool.networks.clone() });
        }
        if destination.is_none() {
            return Err(ApiError::DestinationRequired);
        }
    }
    let request =
        QuoteRequest { pool_id, quote_type, side, amount, currency, network, destination_address: destination, partner_reference };
    Ok((Intent { request, amount_text: body.amount.trim().to_owned() }, pool))
}
