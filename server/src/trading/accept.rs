//! Accepting and declining a firm quote: the one statement that begins an accept
//! (claiming the checkout's one conversion and the accept's lease), and what every
//! other call does instead.

use super::{failed, idempotency_key, TradeError, Trading};
use crate::store::{self, Claim, QuoteRow, QuoteStatus, TradeRow};
use crate::zeropools::UpstreamErrorKind;

fn has_expired(quote: &QuoteRow) -> bool {
    match quote.expires_at.as_deref() {
        Some(expires_at) => store::now().as_str() >= expires_at,
        None => true,
    }
}

impl Trading {
    /// Accepts `quote_id` in `checkout_id`: at most one upstream transact per quote (and
    /// one conversion per checkout), however many accepts arrive at once, and the same
    /// trade for every one of them.
    ///
    /// Nothing is held in memory: the quote's status and its accept lease in the
    /// database decide which call (on any replica) calls 0Pools; every other call
    /// follows that accept to its trade ([`Trading::follow`]).
    pub async fn accept(&self, checkout_id: &str, quote_id: &str) -> Result<TradeRow, TradeError> {
        // The usual accept, in one statement: an active, unexpired quote of this checkout
        // begins (or finds the checkout's conversion taken).
        if let Some(begun) = self.begin(checkout_id, quote_id).await? {
            return self.claimed(checkout_id, quote_id, begun).await;
        }
        // Otherwise the quote says why: not this checkout's, expired, already accepting
        // or accepted, or ended.
        let quote = self.owned_quote(checkout_id, quote_id).await?;
        // A quote has a trade only once it is accepted (they are stored together), and
        // nothing moves an accepted quote: other statuses need no look for one.
        if quote.status.accept_began() {
            if let Some(trade) = store::trade_for_quote(&self.store.db, quote_id).await? {
                // Makes up for an announcement an earlier call may have died before.
                self.announce(&trade.trade_id).await?;
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
                    if store::move_quote(&self.store.db, quote_id, &[QuoteStatus::Active], QuoteStatus::Expired).await? {
                        self.record_expiry(&quote).await;
                    }
                    return Err(TradeError::QuoteExpired);
                }
                // Active and unexpired, yet it did not begin a moment ago: try once more.
                if let Some(begun) = self.begin(checkout_id, quote_id).await? {
                    return self.claimed(checkout_id, quote_id, begun).await;
                }
            }
        }
        self.follow(checkout_id, quote_id).await
    }

    /// Begins the accept of `quote_id` through the group writer (see [`store::begin_accept`]).
    async fn begin(&self, checkout_id: &str, quote_id: &str) -> sqlx::Result<Option<store::Begun>> {
        let lease_ms = i64::try_from(self.accept_lease.as_millis()).unwrap_or(i64::MAX);
        let (checkout, quote_key, holder) = (checkout_id.to_owned(), quote_id.to_owned(), self.replica_id.clone());
        self.store
            .writes
            .run(move |c| {
                Box::pin(
                    async move { store::begin_accept(c, &checkout, &quote_key, &idempotency_key(&quote_key), (&holder, lease_ms)).await },
                )
            })
            .await
    }

    /// What follows a claim: this call executes, or answers the checkout's trade, or follows.
    async fn claimed(&self, checkout_id: &str, quote_id: &str, begun: store::Begun) -> Result<TradeRow, TradeError> {
        match begun.claim {
            Claim::Held => self.execute_leased(&begun.quote).await,
            // The checkout already converted (or is converting) with another quote:
            // every later accept answers that trade, never a second conversion.
            Claim::Taken { trade_id: Some(trade_id), .. } => {
                store::trade(&self.store.db, &trade_id).await?.ok_or(TradeError::TradeNotFound)
            }
            Claim::Taken { quote_id, trade_id: None } => Err(TradeError::AcceptInProgress { quote_id }),
            // Another call began this accept first (or the sweep expired the quote):
            // follow what happened.
            Claim::NotActive => self.follow(checkout_id, quote_id).await,
        }
    }

    /// Declines a quote so it can never execute; declining it again is a no-op.
    pub async fn reject(&self, checkout_id: &str, quote_id: &str) -> Result<(), TradeError> {
        let quote = self.owned_quote(checkout_id, quote_id).await?;
        match quote.status {
            QuoteStatus::Rejected => Ok(()),
            QuoteStatus::Accepting | QuoteStatus::Accepted => Err(TradeError::QuoteAlreadyAccepted),
            QuoteStatus::Unavailable | QuoteStatus::AcceptFailed => Err(TradeError::QuoteNotExecutable),
            // Already dead upstream; recording the decision is enough.
            QuoteStatus::Expired => {
                store::move_quote(&self.store.db, quote_id, &[QuoteStatus::Expired], QuoteStatus::Rejected).await?;
                Ok(())
            }
            QuoteStatus::Active => {
                match self.upstream.reject_quote(quote_id).await {
                    Ok(_) => {}
                    Err(e) if e.kind == UpstreamErrorKind::QuoteExpired => {}
                    Err(e) if e.kind == UpstreamErrorKind::QuoteConsumed => return Err(TradeError::QuoteAlreadyAccepted),
                    Err(e) => return Err(e.into()),
                }
                if store::move_quote(&self.store.db, quote_id, &[QuoteStatus::Active], QuoteStatus::Rejected).await? {
                    return Ok(());
                }
                // An accept began meanwhile (0Pools decides which of the two won): say so.
                match store::quote(&self.store.db, quote_id).await?.map(|q| q.status) {
                    Some(status) if status.accept_began() => Err(TradeError::QuoteAlreadyAccepted),
                    _ => Ok(()),
                }
            }
        }
    }
}
