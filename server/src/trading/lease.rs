//! Exactly one upstream transact per quote across any number of replicas, with no
//! lock held across the upstream call: the call that begins an accept holds the
//! quote's *accept lease* (holder, end) in the database. Every other accept of the
//! quote — on this replica or another — follows it: it waits for the trade row, and
//! takes the lease over only once the lease has ended (its replica died, or gave the
//! lease back because the outcome is still open), repeating the call with the same
//! idempotency key so 0Pools answers the same trade.

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
    /// When a lease taken now ends.
    pub fn lease_end(&self) -> String {
        store::timestamp(chrono::Utc::now() + self.accept_lease)
    }

    /// Calls 0Pools for an accept whose lease this replica holds. Whatever the outcome,
    /// the lease goes back at once: a trade or a definite end needs it no more, and an
    /// open outcome may be retried by the next call, from any replica, without waiting.
    pub async fn execute_leased(&self, quote: &QuoteRow) -> Result<TradeRow, TradeError> {
        let result = self.execute(quote).await;
        if result.is_err() {
            if let Err(e) = store::release_accept_lease(&self.store.db, &quote.quote_id, &self.replica_id).await {
                // Not fatal: the lease runs out by itself.
                tracing::warn!(quote_id = %quote.quote_id, cause = %e, "an accept lease could not be given back");
            }
        }
        result
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
                    // Taken only if the holder's lease ended (it died, or gave it back). The
                    // row just read says whether trying is worth a write.
                    let ended = quote.accept_lease_until.as_deref().is_none_or(|until| until <= store::now().as_str());
                    if ended && store::take_accept_lease(&self.store.db, quote_id, &self.replica_id, &self.lease_end()).await? {
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
