//! The rules of accepting, rejecting and following a trade, shared by the widget API,
//! the webhook receiver and the reconciler. Every status change goes through
//! [`advance`], which writes it (forward only), queues the partner's webhook and
//! announces it to live streams. Errors are [`TradeError`]; HTTP is the API's concern.

use crate::store::{self, Claim, QuoteRow, QuoteStatus, TradeRow};
use crate::upstream::types::{StatusSource, TradeStatus};
use quote_core::vocab::{Outcome, OutcomeSubject, RecordedAlertKind};
use crate::upstream::{UpstreamError, UpstreamErrorKind};
use crate::{accept_lease, trade_record, AppState};
use quote_core::wire::TradeView;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A trade's status changed; live event streams listen for these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeUpdate {
    pub trade_id: String,
    pub status: TradeStatus,
}

/// Why accepting, rejecting or reading a trade did not give a trade.
#[derive(Debug, thiserror::Error)]
pub enum TradeError {
    #[error("quote not found")]
    QuoteNotFound,
    #[error("trade not found")]
    TradeNotFound,
    #[error("quote expired")]
    QuoteExpired,
    #[error("quote rejected")]
    QuoteRejected,
    #[error("quote not executable")]
    QuoteNotExecutable,
    #[error("quote already accepted")]
    QuoteAlreadyAccepted,
    /// Another quote of the same checkout is being accepted; its outcome is not known yet.
    #[error("checkout busy with the accept of {quote_id}")]
    AcceptInProgress { quote_id: String },
    /// The outcome is not known yet: retrying the same quote is safe.
    #[error("accept not confirmed yet: {0}")]
    AcceptPending(UpstreamError),
    /// Another call (on this or another replica) is executing this accept and did not
    /// finish within the wait: retrying the same quote is safe.
    #[error("accept in flight elsewhere")]
    AcceptInFlight,
    /// A definite end without a trade that support must look at (e.g. 0Pools answered
    /// `idempotency_conflict`): the quote id is the support id.
    #[error("accept failed for good ({reason}); support id {support_id}")]
    AcceptFailed { support_id: String, reason: String },
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
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

/// Accepts `quote_id` in `checkout_id`: at most one upstream transact per quote (and
/// one conversion per checkout), however many accepts arrive at once, and the same
/// trade for every one of them.
///
/// Nothing is held in memory: the quote's status and its accept lease in the
/// database decide which call (on any replica) calls 0Pools; every other call
/// follows that accept to its trade ([`crate::accept_lease::follow`]).
pub async fn accept(state: &AppState, checkout_id: &str, quote_id: &str) -> Result<TradeRow, TradeError> {
    // The usual accept, in one statement: an active, unexpired quote of this checkout
    // begins (or finds the checkout's conversion taken).
    if let Some(begun) = begin(state, checkout_id, quote_id).await? {
        return claimed(state, checkout_id, quote_id, begun).await;
    }
    // Otherwise the quote says why: not this checkout's, expired, already accepting
    // or accepted, or ended.
    let quote = owned_quote(state, checkout_id, quote_id).await?;
    // A quote has a trade only once it is accepted (they are stored together), and
    // nothing moves an accepted quote: other statuses need no look for one.
    if quote.status.accept_began() {
        if let Some(trade) = store::trade_for_quote(&state.db, quote_id).await? {
            // Makes up for an announcement an earlier call may have died before.
            announce(state, &trade.trade_id).await?;
            return Ok(trade);
        }
    }
    match quote.status {
        QuoteStatus::Rejected => return Err(TradeError::QuoteRejected),
        QuoteStatus::Unavailable => return Err(TradeError::QuoteNotExecutable),
        QuoteStatus::Expired => return Err(TradeError::QuoteExpired),
        QuoteStatus::AcceptFailed => return Err(failed(&quote)),
        // An earlier accept reached this point and may have reached 0Pools: follow or
        // resume it with the same key rather than judge expiry again.
        QuoteStatus::Accepting | QuoteStatus::Accepted => {}
        QuoteStatus::Active => {
            // Refused before any upstream call, by the server's own clock.
            if has_expired(&quote) {
                if store::move_quote(&state.db, quote_id, &[QuoteStatus::Active], QuoteStatus::Expired).await? {
                    record_expiry(state, &quote).await;
                }
                return Err(TradeError::QuoteExpired);
            }
            // Active and unexpired, yet it did not begin a moment ago: try once more.
            if let Some(begun) = begin(state, checkout_id, quote_id).await? {
                return claimed(state, checkout_id, quote_id, begun).await;
            }
        }
    }
    accept_lease::follow(state, checkout_id, quote_id).await
}

/// Begins the accept of `quote_id` through the group writer (see [`store::begin_accept`]).
async fn begin(state: &AppState, checkout_id: &str, quote_id: &str) -> sqlx::Result<Option<store::Begun>> {
    let until = accept_lease::lease_end(state);
    let (checkout, quote_key, holder) = (checkout_id.to_owned(), quote_id.to_owned(), state.replica_id.clone());
    state
        .writes
        .run(move |c| Box::pin(async move { store::begin_accept(c, &checkout, &quote_key, &idempotency_key(&quote_key), (&holder, &until)).await }))
        .await
}

/// What follows a claim: this call executes, or answers the checkout's trade, or follows.
async fn claimed(state: &AppState, checkout_id: &str, quote_id: &str, begun: store::Begun) -> Result<TradeRow, TradeError> {
    match begun.claim {
        Claim::Held => accept_lease::execute_leased(state, &begun.quote).await,
        // The checkout already converted (or is converting) with another quote:
        // every later accept answers that trade, never a second conversion.
        Claim::Taken { trade_id: Some(trade_id), .. } => store::trade(&state.db, &trade_id).await?.ok_or(TradeError::TradeNotFound),
        Claim::Taken { quote_id, trade_id: None } => Err(TradeError::AcceptInProgress { quote_id }),
        // Another call began this accept first (or the sweep expired the quote):
        // follow what happened.
        Claim::NotActive => accept_lease::follow(state, checkout_id, quote_id).await,
    }
}

/// Ends an accept without a trade (see [`store::end_accept`]), committed before it returns.
async fn end_accept(state: &AppState, quote: &QuoteRow, to: QuoteStatus, failure: Option<&str>) -> sqlx::Result<()> {
    let (quote, failure) = (quote.clone(), failure.map(str::to_owned));
    state.writes.run(move |c| Box::pin(async move { store::end_accept(c, &quote, to, failure.as_deref()).await })).await
}

pub(crate) fn failed(quote: &QuoteRow) -> TradeError {
    TradeError::AcceptFailed { support_id: quote.quote_id.clone(), reason: quote.accept_failure.clone().unwrap_or_else(|| "unknown".into()) }
}

/// Calls 0Pools transact for a quote whose accept has begun, and stores the trade.
pub async fn execute(state: &AppState, quote: &QuoteRow) -> Result<TradeRow, TradeError> {
    let key = idempotency_key(&quote.quote_id);
    match state.upstream.transact(&quote.quote_id, &key).await {
        Ok(answer) => trade_record::record_trade(state, &answer.value, quote, &key, answer.request_id, StatusSource::Transact).await,
        Err(e) => {
            let id = quote.quote_id.as_str();
            match e.kind {
                UpstreamErrorKind::QuoteExpired => {
                    end_accept(state, quote, QuoteStatus::Expired, None).await?;
                    record_expiry(state, quote).await;
                    Err(TradeError::QuoteExpired)
                }
                UpstreamErrorKind::QuoteRejected => {
                    end_accept(state, quote, QuoteStatus::Rejected, None).await?;
                    Err(TradeError::QuoteRejected)
                }
                // Executed, but not by this request: only our key exists for this
                // quote, so the trade is ours. Find it (a webhook names it) rather
                // than call the quote unavailable; until then the outcome is open.
                UpstreamErrorKind::QuoteConsumed => trade_record::resolve_consumed(state, quote, e).await,
                // The partner's balance could not cover it: nothing executed.
                UpstreamErrorKind::Unavailable { reason } => {
                    tracing::warn!(quote_id = id, reason = reason.as_str(), "0Pools could not execute a quote now");
                    end_accept(state, quote, QuoteStatus::Unavailable, Some(reason.as_str())).await?;
                    Err(TradeError::QuoteNotExecutable)
                }
                UpstreamErrorKind::QuoteNotExecutable | UpstreamErrorKind::QuoteNotFound => {
                    tracing::error!(quote_id = id, kind = ?e.kind, upstream_request_id = ?e.request_id, "0Pools refused to execute a quote we hold");
                    end_accept(state, quote, QuoteStatus::Unavailable, Some(upstream_code(&e.kind))).await?;
                    Err(TradeError::QuoteNotExecutable)
                }
                // Refused before 0Pools looked at the quote or the key (our key or
                // entitlement is wrong): an earlier attempt may still have executed,
                // so the claim stays and the accept stays open, with an alert.
                UpstreamErrorKind::Unauthorized | UpstreamErrorKind::PoolNotEntitled => {
                    let reason = upstream_code(&e.kind);
                    raise_alert(state, RecordedAlertKind::AcceptRefusedByCredentials, id, &format!("0Pools answered {reason} to the accept of {id}: check the secret key and entitlements")).await;
                    Err(TradeError::AcceptPending(e))
                }
                // Permanent answers about this very request: a definite, explained end,
                // with an alert. (A same-key replay of an executed quote would have
                // answered its trade instead.)
                UpstreamErrorKind::IdempotencyConflict | UpstreamErrorKind::InvalidRequest { .. } => {
                    let reason = upstream_code(&e.kind);
                    tracing::error!(quote_id = id, reason, upstream_request_id = ?e.request_id, "accept ended without a trade");
                    raise_alert(state, RecordedAlertKind::AcceptFailed, id, &format!("0Pools answered {reason} to the accept of {id}")).await;
                    end_accept(state, quote, QuoteStatus::AcceptFailed, Some(reason)).await?;
                    Err(TradeError::AcceptFailed { support_id: id.to_owned(), reason: reason.to_owned() })
                }
                // Unknown outcome: the accept stays begun, and a retry (or the
                // reconciler) repeats it with the same key.
                _ => Err(TradeError::AcceptPending(e)),
            }
        }
    }
}

/// Records a firm quote that expired unaccepted (utilization counts these); a
/// failure to record is logged, never allowed to change the answer.
async fn record_expiry(state: &AppState, quote: &QuoteRow) {
    let row = store::OutcomeRow {
        pool_id: quote.pool_id.clone(),
        side: Some(quote.side.to_string()),
        subject: OutcomeSubject::Firm,
        outcome: Outcome::Expired,
        checkout_id: Some(quote.checkout_id.clone()),
        quote_id: Some(quote.quote_id.clone()),
        ..store::OutcomeRow::default()
    };
    // Through `outcomes::record`, so the metrics count expiries like every other outcome.
    crate::outcomes::record(state, &row).await;
}

/// A stable name for an upstream refusal, for the record and support: the kind's own
/// word for the refusals that end an accept, `upstream_error` for anything else.
fn upstream_code(kind: &UpstreamErrorKind) -> &'static str {
    match kind {
        UpstreamErrorKind::IdempotencyConflict
        | UpstreamErrorKind::Unauthorized
        | UpstreamErrorKind::PoolNotEntitled
        | UpstreamErrorKind::InvalidRequest { .. }
        | UpstreamErrorKind::QuoteNotExecutable
        | UpstreamErrorKind::QuoteNotFound
        | UpstreamErrorKind::QuoteConsumed => kind.code(),
        _ => "upstream_error",
    }
}

/// Declines a quote so it can never execute; declining it again is a no-op.
pub async fn reject(state: &AppState, checkout_id: &str, quote_id: &str) -> Result<(), TradeError> {
    let quote = owned_quote(state, checkout_id, quote_id).await?;
    match quote.status {
        QuoteStatus::Rejected => Ok(()),
        QuoteStatus::Accepting | QuoteStatus::Accepted => Err(TradeError::QuoteAlreadyAccepted),
        QuoteStatus::Unavailable | QuoteStatus::AcceptFailed => Err(TradeError::QuoteNotExecutable),
        // Already dead upstream; recording the decision is enough.
        QuoteStatus::Expired => {
            store::move_quote(&state.db, quote_id, &[QuoteStatus::Expired], QuoteStatus::Rejected).await?;
            Ok(())
        }
        QuoteStatus::Active => {
            match state.upstream.reject_quote(quote_id).await {
                Ok(_) => {}
                Err(e) if e.kind == UpstreamErrorKind::QuoteExpired => {}
                Err(e) if e.kind == UpstreamErrorKind::QuoteConsumed => return Err(TradeError::QuoteAlreadyAccepted),
                Err(e) => return Err(e.into()),
            }
            if store::move_quote(&state.db, quote_id, &[QuoteStatus::Active], QuoteStatus::Rejected).await? {
                return Ok(());
            }
            // An accept began meanwhile (0Pools decides which of the two won): say so.
            match store::quote(&state.db, quote_id).await?.map(|q| q.status) {
                Some(status) if status.accept_began() => Err(TradeError::QuoteAlreadyAccepted),
                _ => Ok(()),
            }
        }
    }
}

/// Moves a reserved trade forward and tells live streams and the partner. A no-op
/// (false) when the trade is already terminal or the status would not be a move forward.
/// The partner's event is queued even then (once per status): if an earlier call
/// stored the status but died before queueing, a redelivery or reconcile makes up for it.
pub async fn advance(state: &AppState, trade_id: &str, status: TradeStatus, source: StatusSource, event_id: Option<&str>, request_id: Option<&str>) -> Result<bool, TradeError> {
    let (id, from) = (trade_id.to_owned(), source.clone());
    let (event, request) = (event_id.map(str::to_owned), request_id.map(str::to_owned));
    let moved = state
        .writes
        .run(move |c| Box::pin(async move { store::advance_trade(c, &id, status, &from, event.as_deref(), request.as_deref()).await }))
        .await?;
    let was_move = moved.is_some();
    advanced(state, trade_id, source, moved).await?;
    Ok(was_move)
}

/// What follows writing a status (`moved`: the trade as moved forward, if it was):
/// the log and the settlement metric, then the partner's event and the live streams
/// (always, see [`advance`]; with the trade as stored when it did not move).
pub async fn advanced(state: &AppState, trade_id: &str, source: StatusSource, moved: Option<TradeRow>) -> Result<(), TradeError> {
    let trade = match moved {
        Some(trade) => {
            moved_forward(&trade, &source);
            trade
        }
        None => match store::trade(&state.db, trade_id).await? {
            Some(trade) => trade,
            None => return Ok(()),
        },
    };
    announce_row(state, &trade).await
}

/// Logs a trade's move forward and counts the time to its terminal status.
pub(crate) fn moved_forward(trade: &TradeRow, source: &StatusSource) {
    tracing::info!(trade_id = %trade.trade_id, status = %trade.status, %source, "trade status changed");
    if let Some(created) = store::stored::time(&trade.created_at, "trades.created_at", &trade.trade_id) {
        crate::telemetry::settlement(trade.status.as_str(), (chrono::Utc::now() - created).num_milliseconds() as f64 / 1000.0);
    }
}

/// Queues the partner's webhook for the trade's current status and wakes live
/// streams; returns the trade as stored.
pub(crate) async fn announce(state: &AppState, trade_id: &str) -> Result<Option<TradeRow>, TradeError> {
    let trade = store::trade(&state.db, trade_id).await?;
    if let Some(trade) = &trade {
        announce_row(state, trade).await?;
    }
    Ok(trade)
}

/// Queues the partner's webhook for `trade`'s status (as read) and wakes live streams.
pub(crate) async fn announce_row(state: &AppState, trade: &TradeRow) -> Result<(), TradeError> {
    state.outbox.queue(&trade_view(trade)?, trade.checkout_id.as_deref()).await?;
    state.updates.publish(TradeUpdate { trade_id: trade.trade_id.clone(), status: trade.status });
    Ok(())
}

/// Records an alert (once per kind and subject) and logs it; storage trouble here
/// must not hide the original outcome, so it is only logged.
pub async fn raise_alert(state: &AppState, kind: RecordedAlertKind, subject: &str, message: &str) {
    let kind = kind.as_str();
    let (k, s, m) = (kind.to_owned(), subject.to_owned(), message.to_owned());
    match state.writes.run(move |c| Box::pin(async move { store::raise_alert(c, &k, &s, &m).await })).await {
        Ok(true) => {
            crate::telemetry::alert(kind);
            tracing::error!(alert = kind, subject, message, "alert raised");
        }
        Ok(false) => {}
        Err(e) => tracing::error!(alert = kind, subject, message, cause = %e, "alert could not be stored"),
    }
}

/// A quote of this checkout, or not found whether it does not exist or is another's.
pub async fn owned_quote(state: &AppState, checkout_id: &str, quote_id: &str) -> Result<QuoteRow, TradeError> {
    store::quote(&state.db, quote_id)
        .await?
        .filter(|q| q.checkout_id == checkout_id)
        .ok_or(TradeError::QuoteNotFound)
}

/// A trade of this checkout, or not found.
pub async fn owned_trade(state: &AppState, checkout_id: &str, trade_id: &str) -> Result<TradeRow, TradeError> {
    store::trade(&state.db, trade_id)
        .await?
        .filter(|t| t.checkout_id.as_deref() == Some(checkout_id))
        .ok_or(TradeError::TradeNotFound)
}

/// The trade as the widget and the partner see it.
pub fn trade_view(t: &TradeRow) -> Result<TradeView, sqlx::Error> {
    let dec = |s: &str| Decimal::from_str(s).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    Ok(TradeView {
        trade_id: t.trade_id.clone(),
        quote_id: t.quote_id.clone(),
        status: t.status,
        pool_id: t.pool_id.clone(),
        side: t.side,
        source_asset: t.source_asset.clone(),
        source_amount: dec(&t.source_amount)?,
        target_asset: t.target_asset.clone(),
        target_amount: dec(&t.target_amount)?,
        network: t.network.clone(),
        destination_address: t.destination_address.clone(),
        created_at: t.created_at.clone(),
        updated_at: t.updated_at.clone(),
        partner_reference: t.partner_reference.clone(),
        terms_mismatch: t.terms_mismatch.as_ref().map(|m| m.split(',').map(str::to_owned).collect()),
        server_time: store::now(),
    })
}

