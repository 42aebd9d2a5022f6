//! `POST /api/quotes`, `/api/quotes/{id}/accept`, `/api/quotes/{id}/reject`.
//! The browser sends an intent; the server validates it, asks 0Pools, stores what
//! 0Pools answered (firm quotes and unavailable answers) and returns it.

use super::{body::RawBody, server_time, sessions::Session, trades::trade_view, ApiError};
use crate::json_fields;
use crate::store::{self, QuoteRow};
use crate::trading;
use crate::upstream::types::{Pool, Quote, QuoteOutcome, QuoteRequest, QuoteType, Side, UnavailableReason};
use crate::upstream::UpstreamErrorKind;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use quote_core::wire::{QuoteTerms, QuoteView, RejectView, TradeView};

/// Longest free text the API stores (destination, partner reference).
const MAX_TEXT: usize = 200;

/// A validated intent, ready for 0Pools.
struct Intent {
    request: QuoteRequest,
    amount_text: String,
}

fn bounded(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if v.chars().count() > MAX_TEXT => Err(ApiError::InvalidField(json_fields::FieldError {
            field: field.into(),
            message: format!("{field} may be at most {MAX_TEXT} characters."),
        })),
        Some(v) => Ok(Some(v.trim().to_owned())),
        None => Ok(None),
    }
}

/// Reads and checks an intent against the pool it names, before any quote is asked for.
async fn read_intent(state: &AppState, body: &[u8]) -> Result<(Intent, Pool), ApiError> {
    let obj = json_fields::object(body)?;
    let pool_id = json_fields::req_str(&obj, "pool_id")?;
    let side_text = json_fields::req_str(&obj, "side")?;
    let amount_text = json_fields::opt_str(&obj, "amount")?.unwrap_or_default();
    let currency = json_fields::req_str(&obj, "currency")?;
    let quote_type = match json_fields::opt_str(&obj, "quote_type")?.as_deref() {
        None | Some("firm") => QuoteType::Firm,
        Some("indicative") => QuoteType::Indicative,
        Some(_) => {
            return Err(ApiError::InvalidField(json_fields::FieldError {
                field: "quote_type".into(),
                message: "quote_type must be indicative or firm.".into(),
            }))
        }
    };
    let network = bounded("network", json_fields::opt_str(&obj, "network")?)?.filter(|n| !n.is_empty());
    let destination = bounded("destination_address", json_fields::opt_str(&obj, "destination_address")?)?.filter(|d| !d.is_empty());
    let partner_reference = bounded("partner_reference", json_fields::opt_str(&obj, "partner_reference")?)?;

    let amount = quote_core::amount::parse_amount(&amount_text)?;
    let pool = state.pools.find(&state.upstream, &pool_id).await?.ok_or(ApiError::UnknownPool)?;
    if !pool.available {
        return Err(ApiError::PoolUnavailable(pool_id));
    }
    let side = Side::parse(&side_text).filter(|s| pool.sides.contains(s)).ok_or(ApiError::UnsupportedSide)?;
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
    let request = QuoteRequest {
        pool_id,
        quote_type,
        side,
        amount,
        currency,
        network,
        destination_address: destination,
        partner_reference,
    };
    Ok((Intent { request, amount_text: amount_text.trim().to_owned() }, pool))
}

/// When the widget may sensibly ask again after an unavailable answer.
fn retry_after_ms(reason: &UnavailableReason) -> u64 {
    match reason {
        UnavailableReason::PoolDry => 10_000,
        UnavailableReason::RateUnavailable => 5_000,
        UnavailableReason::NetworkUnavailable => 15_000,
        UnavailableReason::Maintenance => 60_000,
        UnavailableReason::Other(_) => 10_000,
    }
}

/// `expires_at` in this server's clock. 0Pools stamps it with its own clock; when the
/// offset measured from its `Date` header is beyond that header's one-second
/// resolution, the difference is taken out, so the server (and the widget, which
/// corrects against this server's clock) count down the real window.
fn local_expiry(q: &Quote, clock_offset_ms: Option<i64>) -> Option<chrono::DateTime<chrono::Utc>> {
    let offset = clock_offset_ms.filter(|o| o.abs() >= CLOCK_NOISE_MS).unwrap_or(0);
    q.expires_at.map(|e| e - chrono::Duration::milliseconds(offset))
}

/// Offsets below this are the `Date` header's resolution, not a skew.
const CLOCK_NOISE_MS: i64 = 2_000;

fn terms(q: &Quote, expires_at: Option<chrono::DateTime<chrono::Utc>>) -> QuoteTerms {
    QuoteTerms {
        pool_id: q.pool_id.clone(),
        side: q.side.as_str().to_owned(),
        source_asset: q.source_asset.clone(),
        source_amount: q.source_amount,
        target_asset: q.target_asset.clone(),
        target_amount: q.target_amount,
        rate: q.rate,
        spread_bps: q.spread_bps,
        fee_bps: q.fee_bps,
        network: q.network.clone(),
        destination_address: q.destination_address.clone(),
        created_at: store::timestamp(q.created_at),
        expires_at: expires_at.map(store::timestamp),
        executable: q.executable,
    }
}

fn base_row(session: &Session, intent: &Intent, quote_id: String, status: &str, request_id: Option<String>) -> QuoteRow {
    let r = &intent.request;
    QuoteRow {
        quote_id,
        session_id: session.session_id.clone(),
        status: status.into(),
        request_id,
        pool_id: r.pool_id.clone(),
        side: r.side.as_str().into(),
        requested_amount: intent.amount_text.clone(),
        requested_currency: r.currency.clone(),
        network: r.network.clone(),
        destination_address: r.destination_address.clone(),
        partner_reference: r.partner_reference.clone(),
        created_at: store::now(),
        ..QuoteRow::default()
    }
}

/// `POST /api/quotes`.
pub async fn create(State(state): State<AppState>, session: Session, RawBody(body): RawBody) -> Result<Json<QuoteView>, ApiError> {
    state
        .limiter
        .check(&session.session_id)
        .map_err(|wait| ApiError::RateLimited { retry_after_ms: wait.as_millis() as u64 })?;
    let (intent, pool) = read_intent(&state, &body).await?;
    let firm = intent.request.quote_type == QuoteType::Firm;
    let answer = match state.upstream.create_quote(&intent.request).await {
        Ok(answer) => answer,
        Err(e) => {
            return Err(match e.kind {
                UpstreamErrorKind::AmountOutOfLimits { min_order_usdt, max_order_usdt } => ApiError::AmountOutOfLimits {
                    min_order_usdt: min_order_usdt.or(Some(pool.min_order_usdt)),
                    max_order_usdt: max_order_usdt.or(pool.max_order_usdt),
                },
                UpstreamErrorKind::UnsupportedNetwork => ApiError::UnsupportedNetwork { networks: pool.networks },
                UpstreamErrorKind::PoolNotEntitled => ApiError::UnknownPool,
                // 0Pools' own validation (e.g. more decimals than the asset allows):
                // its message is written for people and names the field.
                UpstreamErrorKind::InvalidRequest { field } => ApiError::InvalidField(json_fields::FieldError {
                    field: field.unwrap_or_else(|| "body".into()),
                    message: e.message,
                }),
                _ => e.into(),
            })
        }
    };
    let view = match answer.value {
        QuoteOutcome::Available(q) => {
            let expires_at = local_expiry(&q, answer.clock_offset_ms);
            if firm {
                // The upstream client refuses firm answers without an id; never panic on it.
                let Some(quote_id) = q.quote_id.clone() else {
                    return Err(ApiError::Upstream(crate::upstream::UpstreamError {
                        kind: UpstreamErrorKind::MalformedResponse,
                        message: "a firm quote without quote_id".into(),
                        request_id: answer.request_id,
                    }));
                };
                let row = QuoteRow {
                    source_asset: Some(q.source_asset.clone()),
                    source_amount: Some(q.source_amount.to_string()),
                    target_asset: Some(q.target_asset.clone()),
                    target_amount: Some(q.target_amount.to_string()),
                    rate: Some(q.rate.to_string()),
                    spread_bps: Some(q.spread_bps.to_string()),
                    fee_bps: Some(q.fee_bps.to_string()),
                    network: q.network.clone(),
                    destination_address: q.destination_address.clone(),
                    created_at: store::timestamp(q.created_at),
                    expires_at: expires_at.map(store::timestamp),
                    ..base_row(&session, &intent, quote_id, "active", answer.request_id.clone())
                };
                store::insert_quote(&state.db, &row).await?;
            }
            // Indicative answers are shown, never stored as executable.
            QuoteView {
                available: true,
                quote_type: Some(q.quote_type.as_str().into()),
                quote_id: q.quote_id.clone(),
                terms: Some(terms(&q, expires_at)),
                unavailable_reason: None,
                retry_after_ms: None,
                server_time: server_time(),
            }
        }
        QuoteOutcome::Unavailable { reason } => {
            if firm {
                let local_id = format!("qu_{}", uuid::Uuid::new_v4().simple());
                let row = QuoteRow {
                    unavailable_reason: Some(reason.as_str().into()),
                    ..base_row(&session, &intent, local_id, "unavailable", answer.request_id.clone())
                };
                store::insert_quote(&state.db, &row).await?;
            }
            QuoteView {
                available: false,
                quote_type: Some(intent.request.quote_type.as_str().into()),
                quote_id: None,
                terms: None,
                retry_after_ms: Some(retry_after_ms(&reason)),
                unavailable_reason: Some(reason.as_str().into()),
                server_time: server_time(),
            }
        }
    };
    Ok(Json(view))
}

/// `POST /api/quotes/{quote_id}/accept`.
pub async fn accept(State(state): State<AppState>, session: Session, Path(quote_id): Path<String>) -> Result<Json<TradeView>, ApiError> {
    let trade = trading::accept(&state, &session.session_id, &quote_id).await?;
    Ok(Json(trade_view(&trade)?))
}

/// `POST /api/quotes/{quote_id}/reject`.
pub async fn reject(State(state): State<AppState>, session: Session, Path(quote_id): Path<String>) -> Result<Json<RejectView>, ApiError> {
    let status = trading::reject(&state, &session.session_id, &quote_id).await?;
    Ok(Json(RejectView { quote_id, status }))
}
