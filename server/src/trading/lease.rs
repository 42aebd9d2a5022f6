//! Exactly one upstream transact per quote across any number of replicas, with no
//! lock held across the upstream call: the call that begins an accept holds the
//! quote's *accept lease* (holder, end) in the database. Every other accept of the
//! quote — on this replica or another — follows it: it waits for the trade row, and
//! takes the lease over only once the lease has ended (its replica died, or gave the
//! lease back because the outcome is still open), repeating the call with the same
//! idempotency key so 0Pools answers the same trade.
//!
//! The holder renews its lease while 0Pools is slow to answer, so a slow answer is
//! never taken for a dead replica (which would make a second call); if a renewal
//! fails the holder stops, leaving the accept open for whoever takes the lease next.
//! Every lease end is written and judged by the database's clock.

use super::{failed, TradeError, Trading};
use crate::store::{self, QuoteRow, QuoteStatus, TradeRow};
use std::time::Duration;
use tokio::time::Instant;

/// How long a following accept waits for the one in flight before answering
/// `accept_pending` (the widget then retries the same quote).
const FOLLOW_FOR: Duration = Duration::from_secs(10);
/// The follower's first and longest pause between looks at the database.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const LONGEST_PAUSE: Duration = Duration::from_millis(200);

impl Trading {
    /// How long an accept lease lasts from when it is taken or renewed.
    pub fn accept_lease(&self) -> Duration {
        self.accept_lease
    }

    /// Calls 0Pools for an accept whose lease this replica holds, renewing the lease
    /// every third of it while the call runs. Whatever the outcome, the lease goes back
    /// at once: a trade or a definite end needs it no more, and an open outcome may be
    /// retried by the next call, from any replica, without waiting.
    pub async fn execute_leased(&self, quote: &QuoteRow) -> Result<TradeRow, TradeError> {
        let result = tokio::select! {
            result = self.execute(quote) => result,
            lost = self.keep_lease(&quote.quote_id) => Err(lost),
        };
        if result.is_err() {
            if let Err(e) = store::release_accept_lease(&self.store.db, &quote.quote_id, &self.replica_id).await {
                // Not fatal: the lease runs out by itself.
                tracing::warn!(quote_id = %quote.quote_id, cause = %e, "an accept lease could not be given back");
            }
        }
        result
    }

    /// Renews the accept lease every third of its length; returns only once a renewal
    /// failed, with why: the caller stops, and the accept stays open (the same
    /// idempotency key makes a later call the same request).
    async fn keep_lease(&self, quote_id: &str) -> TradeError {
        let every = (self.accept_lease / 3).max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(every).await;
            match store::renew_accept_lease(&self.store.db, quote_id, &self.replica_id, self.accept_lease).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(quote_id, "the accept lease was lost while 0Pools answered: stopping; the accept stays open");
                    return TradeError::AcceptInFlight;
                }
                Err(e) => {
                    tracing::warn!(quote_id, cause = %e, "the accept lease could not be renewed: stopping; the accept stays open");
                    return TradeError::Storage(e);
                }
            }
        }
    }

    /// Follows an accept that began elsewhere to its end: its trade, its definite
    /// failure, or (its lease having ended) a resumed call made here.
    pub async fn follow(&self, checkout_id: &str, quote_id: &str) -> Result<TradeRow, TradeError> {
        let deadline = Instant::now() + FOLLOW_FOR;
        let mut pause = FIRST_PAUSE;
        loop {
            if let Some(trade) = store::trade_for_quote(&self.store.db, quote_id).await? {
                // Makes up for an announcement an earlier call may have died before.
                self.announce(&trade.trade_id).await?;
                return Ok(trade);
            }
            let quote = self.owned_quote(checkout_id, quote_id).await?;
            match quote.status {
                QuoteStatus::Accepting => {
                    // Taken only if the holder's lease ended (it died, or gave it back), as
                    // the database's clock judges. The row just read, by this replica's
                    // clock, says whether trying is worth a write.
                    let ended = quote.accept_lease_until.as_deref().is_none_or(|until| until <= store::now().as_str());
                    if ended && store::take_accept_lease(&self.store.db, quote_id, &self.replica_id, self.accept_lease).await? {
                        return self.execute_leased(&quote).await;
                    }
                }
                QuoteStatus::Rejected => return Err(TradeError::QuoteRejected),
                QuoteStatus::Expired => return Err(TradeError::QuoteExpired),
                QuoteStatus::Unavailable => return Err(TradeError::QuoteNotExecutable),
                QuoteStatus::AcceptFailed => return Err(failed(&quote)),
                // `accepted` is written with the trade row, which the next look finds; an
                // active quote is one whose accept has not begun yet (or was just reread).
                QuoteStatus::Accepted | QuoteStatus::Active => {}
            }
            if Instant::now() + pause > deadline {
                return Err(TradeError::AcceptInFlight);
            }
            // Polling a row, with backoff: the trade usually lands within milliseconds,
            // and waiting on a notification would need one per follower per replica.
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    }
}
