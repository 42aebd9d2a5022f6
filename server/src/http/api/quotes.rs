//! `POST /api/quotes`, `/api/quotes/{id}/accept`, `/api/quotes/{id}/reject`.
//! The browser sends an intent; the server validates it, asks 0Pools, stores what
//! 0Pools answered (firm quotes and unavailable answers) and returns it.

use super::auth::{ClientAddr, Session};
use super::body::StrictJson;
use super::outcomes;
use super::quote_intent::{read_intent, Intent, QuoteBody};
use super::{server_time, ApiError};
use crate::checkouts;
use crate::http::AppState;
use crate::quoting::terms as quote_terms;
use crate::quoting::{Asker, QuoteCall};
use crate::store::{self, QuoteRow, QuoteStatus};
use crate::trading;
use crate::zeropools::types::{QuoteOutcome, QuoteType, UnavailableReason};
use crate::zeropools::UpstreamErrorKind;
use axum::extract::{Path, State};
use axum::Json;
use quote_core::vocab::OutcomeSubject;
use quote_core::wire::{QuoteView, RejectView, TradeView};

/// Alerts (once) on an absurd offset, which [`quote_terms::local_expiry`] then ignores.
async fn alert_on_absurd_offset(state: &AppState, offset: Option<i64>) {
    if let Some(o) = offset.filter(|o| quote_terms::offset_is_absurd(*o)) {
        state
            .store
            .raise_alert(
                quote_core::vocab::RecordedAlertKind::UpstreamClock,
                "date_header",
                &format!("0Pools' Date header is {o} ms off this server's clock; ignored"),
            )
            .await;
    }
}

fn base_row(session: &Session, intent: &Intent, quote_id: String, status: QuoteStatus, request_id: Option<String>) -> QuoteRow {
    let r = &intent.request;
    QuoteRow {
        quote_id,
        session_id: session.session_id.clone(),
        checkout_id: session.checkout_id.clone(),
        status,
        request_id,
        pool_id: r.pool_id.clone(),
        side: r.side,
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
#[utoipa::path(post, path = "/api/quotes", operation_id = "create_quote", tag = "widget",
    request_body(content = QuoteBody, example = json!({
        "pool_id": "EUR-USDT", "side": "buy", "amount": "100.00", "currency": "EUR", "quote_type": "firm",
        "network": "tron", "destination_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"
    })), security(("client_token" = [])),
    responses(
        (status = 200, description = "A quote, or `available: false` with `unavailable_reason` (`pool_dry`, `rate_unavailable`, `network_unavailable`, `maintenance`, `busy`, `headroom`: more than the partner's balance or today's band can take now) and `retry_after_ms`", body = QuoteView),
        (status = 400, description = "`invalid_json`, `invalid_field`, `amount_required`, `amount_invalid`, `amount_not_positive`, `amount_too_precise`, `amount_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`checkout_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`checkout_converted` (with `trade_id`), `accept_in_progress` (with `quote_id`)", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`checkout_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 422, description = "`unknown_pool`, `pool_unavailable`, `unsupported_side`, `unsupported_network`, `unsupported_currency`, `amount_out_of_limits`, `first_order_limit` / `order_limit` (the program's cap, as `max_order_usdt`), `field_conflict` (names the field 0Pools refused, e.g. an amount with more decimals than it takes), `destination_required` (a firm quote in a checkout that bound none), `field_locked` (names the bound field)", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    mut session: Session,
    StrictJson(body): StrictJson<QuoteBody>,
) -> Result<Json<QuoteView>, ApiError> {
    let asked = body.asked();
    let answer = answer_quote(&state, &mut session, &client, &asked, body).await;
    match answer {
        Ok(Answered { view, outcome_stored: true }) => Ok(Json(view)),
        answer => {
            let answer = answer.map(|a| a.view);
            outcomes::record_quote(&state, &session, &asked, &answer).await;
            answer.map(Json)
        }
    }
}

/// A quote answer, and whether its outcome row was already stored with the quote.
struct Answered {
    view: QuoteView,
    outcome_stored: bool,
}

/// Stores a firm answer's quote row with its outcome row, in one unit (one wait
/// for the group's commit, not two), and counts the outcome.
async fn store_firm(
    state: &AppState,
    session: &Session,
    asked: &outcomes::Asked,
    row: QuoteRow,
    view: QuoteView,
) -> Result<Answered, ApiError> {
    let outcome = outcomes::quote_row(state, session, asked, &Ok(view.clone())).await;
    let counted = outcome.clone();
    state.store.writes.run(move |c| Box::pin(async move { store::insert_quote(c, &row, outcome.as_ref()).await })).await?;
    // Counted once stored: a failed write is counted (and recorded) as the refusal it becomes.
    if let Some(o) = &counted {
        crate::quoting::outcomes::count(o);
    }
    Ok(Answered { view, outcome_stored: true })
}

/// What to tell a person whose field 0Pools refused. Its own message is not passed
/// on; an amount with more than cents is the usual cause, and saying so is what
/// lets the person fix it.
fn refused_field_message(field: &str, amount: &rust_decimal::Decimal) -> String {
    if field == "amount" && amount.normalize().scale() > 2 {
        return "The liquidity provider does not accept this many decimal places. Round the amount to cents and try again.".into();
    }
    format!("The liquidity provider does not accept this {}. Check it and try again.", field.replace('_', " "))
}

async fn answer_quote(
    state: &AppState,
    session: &mut Session,
    client: &ClientAddr,
    asked: &outcomes::Asked,
    body: QuoteBody,
) -> Result<Answered, ApiError> {
    let state = state.clone();
    state.limiters.quote(&session.checkout_id).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
    let checkout = session.checkout(&state).await?;
    let firm_asked = asked.subject == OutcomeSubject::Firm;
    checkouts::admit_quote(&checkout, firm_asked)?;
    let (intent, pool) = read_intent(&state, &checkout, body).await?;
    let firm = intent.request.quote_type == QuoteType::Firm;
    let cap = state.checkouts.order_cap(&checkout).await?;
    // An amount in the pool's stablecoin is the order's stablecoin leg itself: the
    // guardrails can answer before any upstream call.
    if intent.request.currency == pool.target_asset {
        if let Err(guard) = guardrails(&state, &pool, intent.request.amount, cap.as_ref()).await {
            return guard.answer(intent.request.quote_type);
        }
    }
    // Previews of the same question share one upstream call (and, briefly, its
    // answer); each firm quote is its own call.
    let client_key = client.key();
    let fetched = state.quoting.ask(&intent.request, Asker { checkout_id: &session.checkout_id, client: &client_key }).await;
    let answer = match fetched {
        QuoteCall::Answered(answer) => answer,
        QuoteCall::Busy { retry_after_ms } => {
            let view = QuoteView {
                available: false,
                quote_type: Some(intent.request.quote_type),
                quote_id: None,
                terms: None,
                unavailable_reason: Some(UnavailableReason::Busy),
                retry_after_ms: Some(retry_after_ms),
                server_time: server_time(),
            };
            return Ok(Answered { view, outcome_stored: false });
        }
        QuoteCall::Failed(e) => {
            return Err(match e.kind {
                UpstreamErrorKind::AmountOutOfLimits { min_order_usdt, max_order_usdt } => ApiError::AmountOutOfLimits {
                    min_order_usdt: min_order_usdt.or(Some(pool.min_order_usdt)),
                    max_order_usdt: max_order_usdt.or(pool.max_order_usdt),
                },
                UpstreamErrorKind::UnsupportedNetwork => ApiError::UnsupportedNetwork { networks: pool.networks },
                UpstreamErrorKind::PoolNotEntitled => ApiError::UnknownPool,
                // 0Pools' own validation (e.g. more decimals than the asset allows).
                // Its message is logged, never passed on: ours names the field.
                UpstreamErrorKind::InvalidRequest { field } => {
                    let field = field.filter(|f| KNOWN_FIELDS.contains(&f.as_str())).unwrap_or_else(|| "amount".into());
                    tracing::info!(%field, upstream_message = %e.message, upstream_request_id = ?e.request_id, "0Pools refused a field");
                    // 422: the request met its schema; 0Pools' own rules for the pool refused it.
                    ApiError::field_conflict(field.clone(), refused_field_message(&field, &intent.request.amount))
                }
                _ => e.into(),
            });
        }
    };
    match answer.value {
        QuoteOutcome::Available(q) => {
            alert_on_absurd_offset(&state, answer.clock_offset_ms).await;
            let leg = quote_core::notional::stablecoin_leg(&pool.target_asset, &q.target_asset, q.target_amount, q.source_amount);
            if let Err(guard) = guardrails(&state, &pool, leg, cap.as_ref()).await {
                // A firm quote 0Pools made for an order we will not take is declined at
                // once, so it holds nothing there either.
                if let Some(quote_id) = q.quote_id.clone().filter(|_| firm) {
                    let upstream = state.upstream.clone();
                    tokio::spawn(async move {
                        if let Err(e) = upstream.reject_quote(&quote_id).await {
                            tracing::warn!(%quote_id, kind = ?e.kind, "a guarded firm quote could not be declined upstream; it expires unused");
                        }
                    });
                }
                return guard.answer(intent.request.quote_type);
            }
            let expires_at = quote_terms::local_expiry(&q, answer.clock_offset_ms, chrono::Utc::now());
            // Indicative answers are shown, never stored as executable.
            let view = QuoteView {
                available: true,
                quote_type: Some(q.quote_type),
                quote_id: q.quote_id.clone(),
                terms: Some(quote_terms::terms(&q, expires_at)),
                unavailable_reason: None,
                retry_after_ms: None,
                server_time: server_time(),
            };
            if !firm {
                return Ok(Answered { view, outcome_stored: false });
            }
            // The upstream client refuses firm answers without an id; never panic on it.
            let Some(quote_id) = q.quote_id.clone() else {
                return Err(ApiError::Upstream(crate::zeropools::UpstreamError {
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
                ..base_row(session, &intent, quote_id, QuoteStatus::Active, answer.request_id.clone())
            };
            store_firm(&state, session, asked, row, view).await
        }
        QuoteOutcome::Unavailable { reason } => {
            let view = QuoteView {
                available: false,
                quote_type: Some(intent.request.quote_type),
                quote_id: None,
                terms: None,
                retry_after_ms: Some(quote_terms::retry_after_ms(&reason)),
                unavailable_reason: Some(reason.clone()),
                server_time: server_time(),
            };
            if !firm {
                return Ok(Answered { view, outcome_stored: false });
            }
            let local_id = format!("qu_{}", uuid::Uuid::new_v4().simple());
            let row = QuoteRow {
                unavailable_reason: Some(reason.as_str().into()),
                ..base_row(session, &intent, local_id, QuoteStatus::Unavailable, answer.request_id.clone())
            };
            store_firm(&state, session, asked, row, view).await
        }
    }
}

/// Why the program's guardrails stop an order before the user confirms it.
enum Guard {
    /// Over the program's cap (first order or every order): refused, the cap named.
    Capped(quote_core::wire::OrderCap),
    /// More than the partner's balance or today's band can take now.
    Headroom,
}

impl Guard {
    /// The answer: a 422 naming the cap, or the `headroom` state (a smaller amount or
    /// a later try), never 0Pools' `pool_dry` after the user confirmed.
    fn answer(self, quote_type: QuoteType) -> Result<Answered, ApiError> {
        match self {
            Guard::Capped(cap) => Err(ApiError::OrderCapExceeded(cap)),
            Guard::Headroom => Ok(Answered {
                view: QuoteView {
                    available: false,
                    quote_type: Some(quote_type),
                    quote_id: None,
                    terms: None,
                    retry_after_ms: Some(quote_terms::retry_after_ms(&UnavailableReason::Headroom)),
                    unavailable_reason: Some(UnavailableReason::Headroom),
                    server_time: server_time(),
                },
                outcome_stored: false,
            }),
        }
    }
}

/// The program's guardrails on an order's stablecoin leg: its cap, then what the
/// partner can draw now (unknown capacity lets 0Pools decide).
async fn guardrails(
    state: &AppState,
    pool: &crate::zeropools::types::Pool,
    leg: rust_decimal::Decimal,
    cap: Option<&quote_core::wire::OrderCap>,
) -> Result<(), Guard> {
    if let Some(cap) = cap.filter(|c| quote_core::program::over_cap(leg, Some(c))) {
        return Err(Guard::Capped(cap.clone()));
    }
    if !quote_core::program::fits(leg, state.quoting.capacity.for_pool(pool).await) {
        return Err(Guard::Headroom);
    }
    Ok(())
}

/// Fields of an intent an upstream `invalid_request` may name.
const KNOWN_FIELDS: [&str; 6] = ["amount", "currency", "network", "destination_address", "side", "pool_id"];

/// `POST /api/quotes/{quote_id}/accept`.
#[utoipa::path(post, path = "/api/quotes/{quote_id}/accept", operation_id = "accept_quote", tag = "widget",
    params(("quote_id" = String, Path, description = "A firm quote's id")), security(("client_token" = [])),
    responses(
        (status = 200, description = "The trade (the same one for every repeat, and for any quote of a converted checkout)", body = TradeView),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`quote_not_found` (also another checkout's)", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`quote_rejected`, `quote_not_executable`, `accept_in_progress`, `accept_failed` (with `support_id`)", body = quote_core::wire::ApiErrorBody),
        (status = 410, description = "`quote_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 429, description = "`rate_limited`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`accept_pending`: not confirmed yet, retry the same quote; `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn accept(
    State(state): State<AppState>,
    session: Session,
    Path(quote_id): Path<String>,
) -> Result<Json<TradeView>, ApiError> {
    state.limiters.accept(&session.checkout_id).map_err(|w| ApiError::RateLimited { retry_after_ms: w.millis() })?;
    let answer = state.trading.accept(&session.checkout_id, &quote_id).await.map_err(ApiError::from);
    outcomes::record_accept(&state, &session, &quote_id, &answer).await;
    Ok(Json(trading::trade_view(&answer?)?))
}

/// `POST /api/quotes/{quote_id}/reject`.
#[utoipa::path(post, path = "/api/quotes/{quote_id}/reject", operation_id = "reject_quote", tag = "widget",
    params(("quote_id" = String, Path)), security(("client_token" = [])),
    responses(
        (status = 200, description = "Declined", body = RejectView),
        (status = 401, description = "`session_required`, `session_invalid`, `session_expired`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`quote_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 409, description = "`quote_already_accepted`, `quote_not_executable`", body = quote_core::wire::ApiErrorBody),
        (status = 413, description = "`payload_too_large`", body = quote_core::wire::ApiErrorBody),
        (status = 502, description = "`upstream_unavailable`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`upstream_busy`, `storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn reject(
    State(state): State<AppState>,
    session: Session,
    Path(quote_id): Path<String>,
) -> Result<Json<RejectView>, ApiError> {
    state.trading.reject(&session.checkout_id, &quote_id).await?;
    Ok(Json(RejectView { quote_id, status: QuoteStatus::Rejected }))
}

#[cfg(test)]
mod tests {
    use super::refused_field_message;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn a_refused_amount_with_more_than_cents_says_so() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert!(refused_field_message("amount", &d("100.001")).contains("decimal places"));
        // Trailing zeros are not decimals anyone typed in vain.
        assert!(refused_field_message("amount", &d("100.100")).contains("Check it"));
        assert_eq!(
            refused_field_message("destination_address", &d("100.001")),
            "The liquidity provider does not accept this destination address. Check it and try again."
        );
    }
}
