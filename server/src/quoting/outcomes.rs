//! Every quote and accept outcome becomes one row (utilization is rebuilt from
//! these) and a count in the metrics. An executed accept is recorded wherever its
//! trade was recorded (the accept request, or the reconciler finishing an accept
//! whose answer was lost), so utilization's accepted counts and notional do not
//! depend on who finished it.

use super::Pools;
use crate::store::{self, OutcomeWriter, QuoteRow, TradeRow};
use crate::zeropools::types::Pool;
use quote_core::notional;
use quote_core::vocab::{Outcome, OutcomeSubject};
use rust_decimal::Decimal;

/// The stablecoin leg of terms in `pool`, as an outcome row stores it.
pub(crate) fn stablecoin_leg(pool: &Pool, target_asset: &str, target_amount: Decimal, source_amount: Decimal) -> String {
    notional::stablecoin_leg(&pool.target_asset, target_asset, target_amount, source_amount).to_string()
}

/// Where outcome rows go.
#[derive(Clone)]
pub(crate) struct Outcomes {
    writer: OutcomeWriter,
    pools: Pools,
}

impl Outcomes {
    pub(crate) fn new(writer: OutcomeWriter, pools: Pools) -> Self {
        Outcomes { writer, pools }
    }

    /// The `accepted` outcome row of `trade` (the quote that converted is the trade's).
    pub(crate) async fn accepted_row(&self, quote: &QuoteRow, trade: &TradeRow) -> store::OutcomeRow {
        let pool = self.pools.find(&quote.pool_id).await.ok().flatten();
        // A damaged amount leaves the notional out (logged), never counts it as zero.
        let amount = |text: &str, column: &str| store::stored::decimal(text, column, &trade.trade_id);
        let notional = |p: &Pool| {
            Some(stablecoin_leg(
                p,
                &trade.target_asset,
                amount(&trade.target_amount, "target_amount")?,
                amount(&trade.source_amount, "source_amount")?,
            ))
        };
        store::OutcomeRow {
            pool_id: quote.pool_id.clone(),
            side: Some(quote.side.to_string()),
            subject: OutcomeSubject::Accept,
            outcome: Outcome::Accepted,
            notional_usdt: pool.as_ref().and_then(notional),
            checkout_id: Some(quote.checkout_id.clone()),
            quote_id: Some(trade.quote_id.clone()),
            ..store::OutcomeRow::default()
        }
    }

    /// Records the row and counts it; a failure to record is logged, never raised.
    pub(crate) async fn record(&self, row: &store::OutcomeRow) {
        count(row);
        if let Err(e) = self.writer.record(row.clone()).await {
            tracing::warn!(cause = %e, "an outcome could not be recorded");
        }
    }
}

/// Counts the row in the metrics (for rows stored with what they describe).
pub(crate) fn count(row: &store::OutcomeRow) {
    if row.subject == OutcomeSubject::Accept {
        crate::telemetry::accept(row.reason.as_deref().unwrap_or(row.outcome.as_str()));
    } else {
        crate::telemetry::quote(&row.pool_id, row.subject.as_str(), row.outcome.as_str());
    }
}
