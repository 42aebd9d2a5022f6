//! Every answer to a quote request and every accept, recorded as one outcome row
//! (utilization is rebuilt from these) and counted in the metrics. Recording never
//! changes an answer: a failure to record is logged.

use super::auth::Session;
use super::ApiError;
use crate::http::AppState;
use crate::quoting::outcomes::stablecoin_leg;
use crate::store;
use quote_core::vocab::{Outcome, OutcomeSubject, Side};
use quote_core::wire::{ErrorCode, QuoteView, UnavailableReason};

/// What a quote request asked for, kept to record its outcome.
pub(super) struct Asked {
    pub pool_id: String,
    /// None when the request named no side this server knows: it is refused, and its
    /// outcome still counts (the stored side is a closed vocabulary).
    pub side: Option<Side>,
    pub subject: OutcomeSubject,
}

/// Records every answer to a quote request as one outcome row (for utilization). A
/// pool this partner is not offered is not attributed; a failure to record is logged.
pub(super) async fn record_quote(state: &AppState, session: &Session, asked: &Asked, answer: &Result<QuoteView, ApiError>) {
    if let Some(row) = quote_row(state, session, asked, answer).await {
        state.quoting.outcomes.record(&row).await;
    }
}

/// The outcome row of an answer to a quote request, or none when it is not stored
/// (a pool this partner is not offered; a refusal by rate beyond the write budget,
/// which is counted here instead). A firm quote's row is stored with the quote.
pub(super) async fn quote_row(
    state: &AppState,
    session: &Session,
    asked: &Asked,
    answer: &Result<QuoteView, ApiError>,
) -> Option<store::OutcomeRow> {
    let Ok(Some(pool)) = state.quoting.pools.find(&asked.pool_id).await else { return None };
    let (outcome, reason, notional, quote_id) = match answer {
        Ok(v) if v.available => (
            Outcome::Available,
            None,
            v.terms.as_ref().map(|t| stablecoin_leg(&pool, &t.target_asset, t.target_amount, t.source_amount)),
            v.quote_id.clone(),
        ),
        // Our own upstream budget, not the pool: counted as throttled, never as unavailable.
        Ok(v) if v.unavailable_reason == Some(UnavailableReason::Busy) => {
            (Outcome::RateLimited, Some(UnavailableReason::Busy.as_str().to_owned()), None, None)
        }
        Ok(v) => (Outcome::Unavailable, v.unavailable_reason.as_ref().map(|r| r.as_str().to_owned()), None, None),
        Err(ApiError::AmountOutOfLimits { .. }) => {
            (Outcome::LimitError, Some(ErrorCode::AmountOutOfLimits.as_str().to_owned()), None, None)
        }
        // The program's own caps are limit errors too, each by its code.
        Err(e @ ApiError::OrderCapExceeded(_)) => (Outcome::LimitError, Some(e.code().to_string()), None, None),
        // Refusals by rate are logged to the table at a bounded pace (a client must not
        // turn refusals into database writes); the metric counts each one.
        Err(ApiError::RateLimited { .. }) if state.limiters.outcome_write(&session.checkout_id).is_err() => {
            crate::telemetry::quote(&pool.pool_id, asked.subject.as_str(), Outcome::RateLimited.as_str());
            return None;
        }
        Err(ApiError::RateLimited { .. }) => (Outcome::RateLimited, None, None, None),
        Err(e) => (Outcome::Refused, Some(e.code().to_string()), None, None),
    };
    Some(store::OutcomeRow {
        pool_id: pool.pool_id.clone(),
        side: asked.side.map(|side| side.as_str().to_owned()),
        subject: asked.subject.clone(),
        outcome,
        reason,
        notional_usdt: notional,
        checkout_id: Some(session.checkout_id.clone()),
        quote_id,
        ..store::OutcomeRow::default()
    })
}

/// Records a refused accept's outcome (for utilization) with the refusal's code, and
/// counts every answer. An accepted one's row is stored with its trade, once per
/// trade however many calls answer it. Quotes of other checkouts are not attributed.
pub(super) async fn record_accept(state: &AppState, session: &Session, quote_id: &str, answer: &Result<store::TradeRow, ApiError>) {
    let e = match answer {
        Ok(_) => return crate::telemetry::accept(Outcome::Accepted.as_str()),
        Err(e) => e,
    };
    let Ok(Some(quote)) = store::quote(&state.store.db, quote_id).await else { return };
    if quote.checkout_id != session.checkout_id {
        return;
    }
    let row = match e {
        ApiError::RateLimited { .. } if state.limiters.outcome_write(&session.checkout_id).is_err() => return,
        e => store::OutcomeRow {
            pool_id: quote.pool_id.clone(),
            side: Some(quote.side.to_string()),
            subject: OutcomeSubject::Accept,
            outcome: Outcome::AcceptRefused,
            reason: Some(e.code().to_string()),
            checkout_id: Some(session.checkout_id.clone()),
            quote_id: Some(quote_id.to_owned()),
            ..store::OutcomeRow::default()
        },
    };
    state.quoting.outcomes.record(&row).await;
}
