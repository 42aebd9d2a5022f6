//! The rules of accepting, rejecting and following a trade, shared by the widget API,
//! the webhook receiver and the reconciler. Every status change goes through
//! [`advance`], which writes it (forward only) and announces it to live streams.

use crate::api::ApiError;
use crate::store::{self, QuoteRow, TradeRow};
use crate::upstream::types::{Trade, TradeStatus};
use crate::upstream::UpstreamErrorKind;
use crate::AppState;

/// A trade's status changed; live event streams listen for these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeUpdate {
    pub trade_id: String,
    pub status: String,
}

/// The idempotency key for executing a quote: derived from the stored quote, so
/// every retry, from any process, before or after a restart, is the same request.
pub fn idempotency_key(quote_id: &str) -> String {
    format!("qw-accept-{quote_id}")
}

fn has_expired(quote: &QuoteRow) -> bool {
    match quote.expires_at.as_deref() {
        Some(expires_at) => store::now().as_str() >= expires_at,
        None => true,
    }
}

/// Accepts `quote_id` for `session_id`: at most one upstream transact per quote,
/// however many accepts arrive at once, and the same trade for every one of them.
pub async fn accept(state: &AppState, session_id: &str, quote_id: &str) -> Result<TradeRow, ApiError> {
    let _serialised = state.accept_locks.lock(quote_id).await;
    let quote = owned_quote(state, session_id, quote_id).await?;
    if let Some(trade) = store::trade_for_quote(&state.db, quote_id).await? {
        return Ok(trade);
    }
    match quote.status.as_str() {
        "rejected" => return Err(ApiError::QuoteRejected),
        "unavailable" => return Err(ApiError::QuoteNotExecutable),
        "expired" => return Err(ApiError::QuoteExpired),
        // An earlier accept reached this point and may have reached 0Pools: resume
        // it with the same key rather than judge expiry again.
        "accepting" | "accepted" => {}
        _active => {
            // Refused before any upstream call, by the server's own clock.
            if has_expired(&quote) {
                store::move_quote(&state.db, quote_id, &["active"], "expired").await?;
                return Err(ApiError::QuoteExpired);
            }
            store::begin_accept(&state.db, quote_id, &idempotency_key(quote_id)).await?;
        }
    }
    execute(state, &quote).await
}

/// Calls 0Pools transact for a quote whose accept has begun, and stores the trade.
pub async fn execute(state: &AppState, quote: &QuoteRow) -> Result<TradeRow, ApiError> {
    let key = idempotency_key(&quote.quote_id);
    match state.upstream.transact(&quote.quote_id, &key).await {
        Ok(answer) => {
            let row = trade_row(&answer.value, quote, &key, answer.request_id);
            store::insert_trade(&state.db, &row, "transact").await?;
            // A terminal webhook may have arrived before the trade was stored.
            if let Some((event_id, status)) = store::stored_terminal_event(&state.db, &row.trade_id).await? {
                advance(state, &row.trade_id, &status, "webhook", Some(&event_id), None).await?;
            }
            Ok(store::trade(&state.db, &row.trade_id).await?.unwrap_or(row))
        }
        Err(e) => {
            let id = quote.quote_id.as_str();
            let pending = ["active", "accepting"];
            match e.kind {
                UpstreamErrorKind::QuoteExpired => {
                    store::move_quote(&state.db, id, &pending, "expired").await?;
                    Err(ApiError::QuoteExpired)
                }
                UpstreamErrorKind::QuoteRejected => {
                    store::move_quote(&state.db, id, &pending, "rejected").await?;
                    Err(ApiError::QuoteRejected)
                }
                UpstreamErrorKind::QuoteNotExecutable | UpstreamErrorKind::QuoteNotFound | UpstreamErrorKind::QuoteConsumed => {
                    tracing::error!(quote_id = id, kind = ?e.kind, upstream_request_id = ?e.request_id, "0Pools refused to execute a quote we hold");
                    store::move_quote(&state.db, id, &pending, "unavailable").await?;
                    Err(ApiError::QuoteNotExecutable)
                }
                // Unknown outcome: the accept stays begun, and a retry (or the
                // reconciler) repeats it with the same key.
                _ => Err(ApiError::AcceptPending(e)),
            }
        }
    }
}

/// Declines a quote so it can never execute.
pub async fn reject(state: &AppState, session_id: &str, quote_id: &str) -> Result<String, ApiError> {
    let _serialised = state.accept_locks.lock(quote_id).await;
    let quote = owned_quote(state, session_id, quote_id).await?;
    match quote.status.as_str() {
        "rejected" => Ok("rejected".into()),
        "accepting" | "accepted" => Err(ApiError::QuoteAlreadyAccepted),
        "unavailable" => Err(ApiError::QuoteNotExecutable),
        // Already dead upstream; recording the decision is enough.
        "expired" => {
            store::move_quote(&state.db, quote_id, &["expired"], "rejected").await?;
            Ok("rejected".into())
        }
        _active => {
            match state.upstream.reject_quote(quote_id).await {
                Ok(_) => {}
                Err(e) if e.kind == UpstreamErrorKind::QuoteExpired => {}
                Err(e) if e.kind == UpstreamErrorKind::QuoteConsumed => return Err(ApiError::QuoteAlreadyAccepted),
                Err(e) => return Err(e.into()),
            }
            store::move_quote(&state.db, quote_id, &["active"], "rejected").await?;
            Ok("rejected".into())
        }
    }
}

/// Moves a trade forward and tells live streams. A no-op (false) when the trade is
/// already terminal or the status would not be a move forward.
pub async fn advance(state: &AppState, trade_id: &str, status: &str, source: &str, event_id: Option<&str>, request_id: Option<&str>) -> Result<bool, ApiError> {
    let moved = store::advance_trade(&state.db, trade_id, status, source, event_id, request_id).await?;
    if moved {
        tracing::info!(trade_id, status, source, "trade status changed");
        // No listener is fine: nobody is watching this trade live.
        let _ = state.updates.send(TradeUpdate { trade_id: trade_id.to_owned(), status: status.to_owned() });
    }
    Ok(moved)
}

/// A quote of this session, or 404 whether it does not exist or is another's.
pub async fn owned_quote(state: &AppState, session_id: &str, quote_id: &str) -> Result<QuoteRow, ApiError> {
    store::quote(&state.db, quote_id)
        .await?
        .filter(|q| q.session_id == session_id)
        .ok_or(ApiError::QuoteNotFound)
}

/// A trade of this session, or 404.
pub async fn owned_trade(state: &AppState, session_id: &str, trade_id: &str) -> Result<TradeRow, ApiError> {
    store::trade(&state.db, trade_id)
        .await?
        .filter(|t| t.session_id == session_id)
        .ok_or(ApiError::TradeNotFound)
}

fn trade_row(t: &Trade, quote: &QuoteRow, key: &str, request_id: Option<String>) -> TradeRow {
    TradeRow {
        trade_id: t.transact_id.clone(),
        quote_id: quote.quote_id.clone(),
        session_id: quote.session_id.clone(),
        idempotency_key: key.to_owned(),
        status: t.status.as_str().to_owned(),
        request_id,
        pool_id: t.pool_id.clone(),
        side: t.side.as_str().to_owned(),
        source_asset: t.source_asset.clone(),
        source_amount: t.source_amount.to_string(),
        target_asset: t.target_asset.clone(),
        target_amount: t.target_amount.to_string(),
        network: t.network.clone(),
        destination_address: t.destination_address.clone(),
        created_at: store::timestamp(t.created_at),
        updated_at: store::timestamp(t.updated_at),
        partner_reference: quote.partner_reference.clone(),
    }
}

/// Whether a status string is one of the contract's terminal statuses.
pub fn is_terminal(status: &str) -> bool {
    TradeStatus::parse(status).is_some_and(TradeStatus::is_terminal)
}
