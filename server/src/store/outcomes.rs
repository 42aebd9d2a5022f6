//! Every quote outcome, one compact row each (indicative and firm answers, refusals,
//! limit errors, rate limits, expiries, accepts), so that utilization can always be
//! rebuilt from stored rows.

use super::{now, Db};
use quote_core::vocab::{Outcome, OutcomeSubject, ReconciliationState, TradeStatus};
use sqlx::FromRow;

#[derive(Debug, Clone, Default, FromRow, PartialEq, Eq)]
pub struct OutcomeRow {
    pub at: String,
    pub pool_id: String,
    pub side: Option<String>,
    /// The `quote_type` column.
    #[sqlx(rename = "quote_type", try_from = "String")]
    pub subject: OutcomeSubject,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub notional_usdt: Option<String>,
    pub checkout_id: Option<String>,
    pub quote_id: Option<String>,
}

/// One outcome row, on a connection or inside a transaction (group commits).
pub async fn insert_outcome(conn: &mut sqlx::AnyConnection, o: &OutcomeRow) -> sqlx::Result<()> {
    bind_outcome(sqlx::query(INSERT_OUTCOME), o).execute(conn).await?;
    Ok(())
}

pub(super) const INSERT_OUTCOME: &str =
    "INSERT INTO quote_outcomes (at, pool_id, side, quote_type, outcome, reason, notional_usdt, checkout_id, quote_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// [`INSERT_OUTCOME`]'s binds, after any already on `query`.
pub(super) fn bind_outcome<'q>(query: super::AnyQuery<'q>, o: &'q OutcomeRow) -> super::AnyQuery<'q> {
    let at = if o.at.is_empty() { now() } else { o.at.clone() };
    query
        .bind(at)
        .bind(&o.pool_id)
        .bind(&o.side)
        .bind(o.subject.as_str())
        .bind(o.outcome.as_str())
        .bind(&o.reason)
        .bind(&o.notional_usdt)
        .bind(&o.checkout_id)
        .bind(&o.quote_id)
}

/// Outcomes in `[from, to)`, optionally of one pool, oldest first.
pub async fn outcomes_between(db: &Db, from: &str, to: &str, pool_id: Option<&str>) -> sqlx::Result<Vec<OutcomeRow>> {
    sqlx::query_as(
        "SELECT at, pool_id, side, quote_type, outcome, reason, notional_usdt, checkout_id, quote_id FROM quote_outcomes
         WHERE at >= $1 AND at < $2 AND ($3 IS NULL OR pool_id = $4) ORDER BY at",
    )
    .bind(from)
    .bind(to)
    .bind(pool_id)
    .bind(pool_id)
    .fetch_all(db)
    .await
}

/// A trade as utilization and reconciliation read it.
#[derive(Debug, Clone, FromRow)]
pub struct TradeFigures {
    pub trade_id: String,
    pub pool_id: String,
    #[sqlx(try_from = "String")]
    pub status: TradeStatus,
    pub source_asset: String,
    pub source_amount: String,
    pub target_asset: String,
    pub target_amount: String,
    pub created_at: String,
    pub terminal_at: Option<String>,
    #[sqlx(try_from = "String")]
    pub reconciliation_state: ReconciliationState,
    pub reconciliation_reason: Option<String>,
}

/// Trades that were reserved at some moment of `[from, to)`.
pub async fn trades_touching(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<TradeFigures>> {
    sqlx::query_as(
        "SELECT trade_id, pool_id, status, source_asset, source_amount, target_asset, target_amount, created_at, terminal_at,
                reconciliation_state, reconciliation_reason
         FROM trades WHERE created_at < $1 AND (terminal_at IS NULL OR terminal_at >= $2) ORDER BY created_at",
    )
    .bind(to)
    .bind(from)
    .fetch_all(db)
    .await
}
