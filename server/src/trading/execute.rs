//! Executing a begun accept: one `POST /v1/transact` with the quote's idempotency
//! key, and what each of 0Pools' answers means for the quote.

use super::{idempotency_key, TradeError, Trading};
use crate::store::{self, QuoteRow, QuoteStatus, TradeRow};
use crate::zeropools::types::StatusSource;
use crate::zeropools::UpstreamErrorKind;
use quote_core::vocab::{Outcome, OutcomeSubject, RecordedAlertKind};

impl Trading {
    /// Calls 0Pools transact for a quote whose accept has begun, and stores the trade.
    pub async fn execute(&self, quote: &QuoteRow) -> Result<TradeRow, TradeError> {
        let key = idempotency_key(&quote.quote_id);
        match self.upstream.transact(&quote.quote_id, &key).await {
            Ok(answer) => self.record_trade(&answer.value, quote, &key, answer.request_id, StatusSource::Transact).await,
            Err(e) => {
                let id = quote.quote_id.as_str();
                match e.kind {
                    UpstreamErrorKind::QuoteExpired => {
                        self.end_accept(quote, QuoteStatus::Expired, None).await?;
                        self.record_expiry(quote).await;
                        Err(TradeError::QuoteExpired)
                    }
                    UpstreamErrorKind::QuoteRejected => {
                        self.end_accept(quote, QuoteStatus::Rejected, None).await?;
                        Err(TradeError::QuoteRejected)
                    }
                    // Executed, but not by this request: only our key exists for this
                    // quote, so the trade is ours. Find it (a webhook names it) rather
                    // than call the quote unavailable; until then the outcome is open.
                    UpstreamErrorKind::QuoteConsumed => self.resolve_consumed(quote, e).await,
                    // The partner's balance could not cover it: nothing executed.
                    UpstreamErrorKind::Unavailable { reason } => {
                        tracing::warn!(quote_id = id, reason = reason.as_str(), "0Pools could not execute a quote now");
                        self.end_accept(quote, QuoteStatus::Unavailable, Some(reason.as_str())).await?;
                        Err(TradeError::QuoteNotExecutable)
                    }
                    UpstreamErrorKind::QuoteNotExecutable | UpstreamErrorKind::QuoteNotFound => {
                        tracing::error!(quote_id = id, kind = ?e.kind, upstream_request_id = ?e.request_id, "0Pools refused to execute a quote we hold");
                        self.end_accept(quote, QuoteStatus::Unavailable, Some(upstream_code(&e.kind))).await?;
                        Err(TradeError::QuoteNotExecutable)
                    }
                    // Refused before 0Pools looked at the quote or the key (our key or
                    // entitlement is wrong): an earlier attempt may still have executed,
                    // so the claim stays and the accept stays open, with an alert.
                    UpstreamErrorKind::Unauthorized | UpstreamErrorKind::PoolNotEntitled => {
                        let reason = upstream_code(&e.kind);
                        self.store
                            .raise_alert(
                                RecordedAlertKind::AcceptRefusedByCredentials,
                                id,
                                &format!("0Pools answered {reason} to the accept of {id}: check the secret key and entitlements"),
                            )
                            .await;
                        Err(TradeError::AcceptPending(e))
                    }
                    // Permanent answers about this very request: a definite, explained end,
                    // with an alert. (A same-key replay of an executed quote would have
                    // answered its trade instead.)
                    UpstreamErrorKind::IdempotencyConflict | UpstreamErrorKind::InvalidRequest { .. } => {
                        let reason = upstream_code(&e.kind);
                        tracing::error!(quote_id = id, reason, upstream_request_id = ?e.request_id, "accept ended without a trade");
                        self.store
                            .raise_alert(RecordedAlertKind::AcceptFailed, id, &format!("0Pools answered {reason} to the accept of {id}"))
                            .await;
                        self.end_accept(quote, QuoteStatus::AcceptFailed, Some(reason)).await?;
                        Err(TradeError::AcceptFailed { support_id: id.to_owned(), reason: reason.to_owned() })
                    }
                    // Unknown outcome: the accept stays begun, and a retry (or the
                    // reconciler) repeats it with the same key.
                    _ => Err(TradeError::AcceptPending(e)),
                }
            }
        }
    }

    /// Ends an accept without a trade (see [`store::end_accept`]), committed before it returns.
    async fn end_accept(&self, quote: &QuoteRow, to: QuoteStatus, failure: Option<&str>) -> sqlx::Result<()> {
        let (quote, failure) = (quote.clone(), failure.map(str::to_owned));
        self.store.writes.run(move |c| Box::pin(async move { store::end_accept(c, &quote, to, failure.as_deref()).await })).await
    }

    /// Records a firm quote that expired unaccepted (utilization counts these); a
    /// failure to record is logged, never allowed to change the answer.
    pub(super) async fn record_expiry(&self, quote: &QuoteRow) {
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
        self.outcomes.record(&row).await;
    }
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
