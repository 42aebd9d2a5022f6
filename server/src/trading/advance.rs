//! Moving a trade forward, only forward (the store's guarded update decides), and
//! announcing the status it then has.

use super::{TradeError, Trading};
use crate::store::{self, TradeRow};
use crate::zeropools::types::{StatusSource, TradeStatus};

impl Trading {
    /// Moves a reserved trade forward and tells live streams and the partner. A no-op
    /// (false) when the trade is already terminal or the status would not be a move forward.
    /// The partner's event is queued even then (once per status): if an earlier call
    /// stored the status but died before queueing, a redelivery or reconcile makes up for it.
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
        let moved = self
            .store
            .writes
            .run(move |c| Box::pin(async move { store::advance_trade(c, &id, status, &from, event.as_deref(), request.as_deref()).await }))
            .await?;
        let was_move = moved.is_some();
        self.advanced(trade_id, source, moved).await?;
        Ok(was_move)
    }

    /// What follows writing a status (`moved`: the trade as moved forward, if it was):
    /// the log and the settlement metric, then the partner's event and the live streams
    /// (always, see [`advance`]; with the trade as stored when it did not move).
    pub async fn advanced(&self, trade_id: &str, source: StatusSource, moved: Option<TradeRow>) -> Result<(), TradeError> {
        let trade = match moved {
            Some(trade) => {
                moved_forward(&trade, &source);
                trade
            }
            None => match store::trade(&self.store.db, trade_id).await? {
                Some(trade) => trade,
                None => return Ok(()),
            },
        };
        self.announce_row(&trade).await
    }
}

/// Logs a trade's move forward and counts the time to its terminal status.
pub(crate) fn moved_forward(trade: &TradeRow, source: &StatusSource) {
    tracing::info!(trade_id = %trade.trade_id, status = %trade.status, %source, "trade status changed");
    if let Some(created) = store::stored::time(&trade.created_at, "trades.created_at", &trade.trade_id) {
        crate::telemetry::settlement(trade.status.as_str(), (chrono::Utc::now() - created).num_milliseconds() as f64 / 1000.0);
    }
}
