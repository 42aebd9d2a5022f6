//! Moving a trade forward, only forward (the store's guarded update decides), with
//! the partner's event for the new status written in the same transaction, and
//! announcing the status it then has to live streams. A 0Pools webhook is stored and
//! applied the same way.

use super::{TradeError, Trading};
use crate::store::{self, TradeRow, WebhookEventRecord};
use crate::zeropools::types::{StatusSource, TradeStatus};
use sqlx::Connection;

impl Trading {
    /// Moves a reserved trade forward, its partner event with it, and tells live
    /// streams. A no-op (false) when the trade is already terminal or the status
    /// would not be a move forward.
    pub async fn advance(
        &self,
        trade_id: &str,
        status: TradeStatus,
        source: StatusSource,
        event_id: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<bool, TradeError> {
        let (id, from) = (trade_id.to_owned(), source.clone());
        let (event, request) = (event_id.map(str::to_owned), request_id.map(str::to_owned));
        let outbox = self.outbox.clone();
        let moved = self
            .store
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let mut tx = c.begin().await?;
                    let moved = store::advance_trade(&mut tx, &id, status, &from, event.as_deref(), request.as_deref()).await?;
                    if let Some(trade) = &moved {
                        outbox.queue_in(&mut tx, trade).await?;
                    }
                    tx.commit().await?;
                    Ok(moved)
                })
            })
            .await?;
        let was_move = moved.is_some();
        match moved {
            Some(trade) => {
                moved_forward(&trade, &source);
                self.announce_row(&trade);
            }
            // Streams read the trade themselves: a stale one (a stream that missed the
            // move) is woken to look again.
            None => {
                self.announce(trade_id).await?;
            }
        }
        Ok(was_move)
    }

    /// Stores a verified 0Pools webhook event (once by its id) and applies it to its
    /// trade, forward only, with the partner's event for a new status, in one
    /// transaction; then tells live streams. Returns whether the event was new.
    pub async fn receive_event(&self, record: WebhookEventRecord) -> Result<bool, TradeError> {
        let (event_id, transact_id, status) = (record.event_id.clone(), record.transact_id.clone(), record.status);
        let outbox = self.outbox.clone();
        // Stored, then applied: out-of-order and unknown-trade events are stored; only a
        // forward move applies. An event for a trade not stored yet is applied when the
        // trade is stored. A duplicate is applied again too (a no-op when it already
        // was): if an earlier delivery was stored but failed to apply, 0Pools' retry
        // must still apply it.
        let received = self
            .store
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let mut tx = c.begin().await?;
                    let received = store::receive_webhook_event(&mut tx, &record).await?;
                    if let Some(trade) = received.trade.as_ref().filter(|t| t.moved) {
                        outbox.queue_in(&mut tx, &trade.row).await?;
                    }
                    tx.commit().await?;
                    Ok(received)
                })
            })
            .await?;
        match received.trade {
            Some(trade) => {
                if trade.moved {
                    moved_forward(&trade.row, &StatusSource::Webhook);
                }
                self.announce_row(&trade.row);
            }
            // No trade yet. Its accept applies stored events once the trade is stored, but
            // on Postgres a trade committed while this statement ran is seen by neither:
            // not by our move (its snapshot came first), nor by the accept's look for early
            // events if that runs before our commit. A second try, after the commit, sees
            // whatever the first could not; the accept sees the event otherwise.
            // (A `reserved` event moves nothing: no second try.)
            None if status.is_terminal() => {
                self.advance(&transact_id, status, StatusSource::Webhook, Some(&event_id), None).await?;
            }
            None => {}
        }
        Ok(received.fresh)
    }
}

/// Logs a trade's move forward and counts the time to its terminal status.
pub(crate) fn moved_forward(trade: &TradeRow, source: &StatusSource) {
    tracing::info!(trade_id = %trade.trade_id, status = %trade.status, %source, "trade status changed");
    if let Some(created) = store::stored::time(&trade.created_at, "trades.created_at", &trade.trade_id) {
        crate::telemetry::settlement(trade.status.as_str(), (chrono::Utc::now() - created).num_milliseconds() as f64 / 1000.0);
    }
}
