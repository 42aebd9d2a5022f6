//! 0Pools' ledger as mirrored here, the pull cursor, and each trade's
//! reconciliation state.

use super::{now, Db};
use quote_core::partner::ReconciliationState;
use sqlx::{AnyConnection, Connection, FromRow};
use zeropools_wire::balances::{LedgerEntry, LedgerEntryType};

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LedgerRow {
    pub ledger_id: String,
    #[sqlx(try_from = "String")]
    pub entry_type: LedgerEntryType,
    pub asset: String,
    pub amount: String,
    pub available_after: String,
    pub reserved_after: String,
    pub transact_id: Option<String>,
    pub created_at: String,
    pub pulled_at: String,
}

pub async fn sync_cursor(db: &Db, name: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT cursor FROM sync_cursors WHERE name = $1").bind(name).fetch_optional(db).await
}

/// Stores ledger rows (each once) and, when given, moves the cursor (name, last
/// row), in one transaction. Rows stored before the cursor moves are harmless: a
/// pass cut short re-reads, never skips.
pub async fn insert_ledger_rows(conn: &mut AnyConnection, entries: &[LedgerEntry], cursor: Option<(&str, &str)>) -> sqlx::Result<()> {
    let mut tx = conn.begin().await?;
    let pulled_at = now();
    if !entries.is_empty() {
        // One statement for the rows (a page arrives in a burst at each pass).
        let sql = format!(
            "INSERT INTO ledger_entries (ledger_id, entry_type, asset, amount, available_after, reserved_after, transact_id, created_at, pulled_at)
             VALUES {} ON CONFLICT(ledger_id) DO NOTHING",
            value_lists(entries.len(), 9)
        );
        let mut rows = sqlx::query(&sql).persistent(false);
        for e in entries {
            rows = rows
                .bind(&e.ledger_id)
                .bind(e.entry_type.as_str())
                .bind(&e.asset)
                .bind(e.amount.to_string())
                .bind(e.available_after.to_string())
                .bind(e.reserved_after.to_string())
                .bind(&e.transact_id)
                .bind(super::timestamp(e.created_at))
                .bind(&pulled_at);
        }
        rows.execute(&mut *tx).await?;
    }
    // A new row for a matched trade (a duplicate, a late correction) reopens it.
    let trades: Vec<&String> = entries.iter().filter_map(|e| e.transact_id.as_ref()).collect();
    if !trades.is_empty() {
        let sql = format!(
            "UPDATE trades SET reconciliation_state = 'open', reconciliation_reason = NULL WHERE reconciliation_state = 'matched' AND trade_id IN ({})",
            (1..=trades.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        );
        let mut reopen = sqlx::query(&sql).persistent(false);
        for trade_id in trades {
            reopen = reopen.bind(trade_id);
        }
        reopen.execute(&mut *tx).await?;
    }
    if let Some((cursor_name, cursor)) = cursor {
        sqlx::query("INSERT INTO sync_cursors (name, cursor, updated_at) VALUES ($1, $2, $3) ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at")
            .bind(cursor_name)
            .bind(cursor)
            .bind(&pulled_at)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// The ledger rows of every trade still to reconcile (see [`trades_to_reconcile`]),
/// by trade id: one read per pass, not one per trade.
pub async fn ledger_rows_to_reconcile(db: &Db) -> sqlx::Result<std::collections::HashMap<String, Vec<LedgerRow>>> {
    let rows: Vec<LedgerRow> = sqlx::query_as(
        "SELECT l.* FROM ledger_entries l JOIN trades t ON t.trade_id = l.transact_id
         WHERE t.reconciliation_state IN ('open', 'exception') ORDER BY l.transact_id, l.ledger_id",
    )
    .fetch_all(db)
    .await?;
    let mut by_trade: std::collections::HashMap<String, Vec<LedgerRow>> = std::collections::HashMap::new();
    for row in rows {
        if let Some(trade_id) = row.transact_id.clone() {
            by_trade.entry(trade_id).or_default().push(row);
        }
    }
    Ok(by_trade)
}

/// Trades whose reconciliation can still change (not matched yet).
pub async fn trades_to_reconcile(db: &Db) -> sqlx::Result<Vec<super::TradeFigures>> {
    sqlx::query_as(
        "SELECT trade_id, pool_id, status, source_asset, source_amount, target_asset, target_amount, created_at, terminal_at,
                reconciliation_state, reconciliation_reason
         FROM trades WHERE reconciliation_state IN ('open', 'exception') ORDER BY created_at",
    )
    .fetch_all(db)
    .await
}

/// A trade's reconciliation verdict, to be stored only while the trade is still in
/// the state it was judged from.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub trade_id: String,
    pub state: ReconciliationState,
    pub reason: Option<String>,
    /// The state the trade had when it was read for judging.
    pub judged_from: ReconciliationState,
}

/// Stores verdicts in one statement (on Postgres, where each unit runs by itself, one
/// commit for the batch); returns the ids of the trades it changed. A trade whose
/// state moved since it was read (another pass, at a change of leader) keeps it: the
/// verdict was made from rows that may no longer be its rows.
pub async fn set_reconciliations(conn: &mut AnyConnection, verdicts: &[Verdict]) -> sqlx::Result<Vec<String>> {
    if verdicts.is_empty() {
        return Ok(Vec::new());
    }
    // Both stores name a VALUES list's columns column1, column2, …
    let sql = format!(
        "UPDATE trades SET reconciliation_state = v.column2, reconciliation_reason = v.column3 FROM (VALUES {}) AS v
         WHERE trades.trade_id = v.column1 AND trades.reconciliation_state = v.column4 RETURNING trades.trade_id",
        value_lists(verdicts.len(), 4)
    );
    // Not kept prepared: the text changes with the batch's size.
    let mut query = sqlx::query_scalar(&sql).persistent(false);
    for v in verdicts {
        query = query.bind(&v.trade_id).bind(v.state.as_str()).bind(&v.reason).bind(v.judged_from.as_str());
    }
    query.fetch_all(&mut *conn).await
}

/// `($1, $2), ($3, $4)…`: `rows` lists of `width` placeholders.
fn value_lists(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A mirrored ledger row with the trade it belongs to (if any) and that trade's state.
#[derive(Debug, Clone, FromRow)]
pub struct MatchedLedgerRow {
    pub ledger_id: String,
    #[sqlx(try_from = "String")]
    pub entry_type: LedgerEntryType,
    pub asset: String,
    pub amount: String,
    pub available_after: String,
    pub reserved_after: String,
    pub transact_id: Option<String>,
    pub created_at: String,
    pub trade_id: Option<String>,
    pub reconciliation_state: Option<String>,
    pub reconciliation_reason: Option<String>,
}

/// Whether the mirrored ledger has a row with this id (a page cursor must name one).
pub async fn ledger_row_exists(db: &Db, ledger_id: &str) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM ledger_entries WHERE ledger_id = $1").bind(ledger_id).fetch_optional(db).await?;
    Ok(found.is_some())
}

/// Rows strictly between the cursors (each optional), oldest first or newest first,
/// with each row's trade reconciliation: what the ledger API and console page through.
pub async fn ledger_page(
    db: &Db,
    after: Option<&str>,
    before: Option<&str>,
    newest: bool,
    limit: i64,
) -> sqlx::Result<Vec<MatchedLedgerRow>> {
    const OLDEST: &str =
        "SELECT l.ledger_id, l.entry_type, l.asset, l.amount, l.available_after, l.reserved_after, l.transact_id, l.created_at,
                t.trade_id, t.reconciliation_state, t.reconciliation_reason
         FROM ledger_entries l LEFT JOIN trades t ON t.trade_id = l.transact_id
         WHERE ($1 IS NULL OR l.ledger_id > $2) AND ($3 IS NULL OR l.ledger_id < $4) ORDER BY l.ledger_id LIMIT $5";
    const NEWEST: &str =
        "SELECT l.ledger_id, l.entry_type, l.asset, l.amount, l.available_after, l.reserved_after, l.transact_id, l.created_at,
                t.trade_id, t.reconciliation_state, t.reconciliation_reason
         FROM ledger_entries l LEFT JOIN trades t ON t.trade_id = l.transact_id
         WHERE ($1 IS NULL OR l.ledger_id > $2) AND ($3 IS NULL OR l.ledger_id < $4) ORDER BY l.ledger_id DESC LIMIT $5";
    sqlx::query_as(if newest { NEWEST } else { OLDEST }).bind(after).bind(after).bind(before).bind(before).bind(limit).fetch_all(db).await
}

/// A trade with its reconciliation (finance's export, support's evidence).
#[derive(Debug, Clone, FromRow)]
pub struct ReconciledTrade {
    #[sqlx(flatten)]
    pub trade: super::TradeRow,
    #[sqlx(try_from = "String")]
    pub reconciliation_state: ReconciliationState,
    pub reconciliation_reason: Option<String>,
    pub terminal_at: Option<String>,
}

/// Trades created in `[from, to)`, oldest first, for finance's export.
pub async fn trades_created_between(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<ReconciledTrade>> {
    sqlx::query_as("SELECT * FROM trades WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at")
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await
}

/// Mirrored rows created in `[from, to)`, oldest first, with their matches.
pub async fn ledger_rows_between(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<MatchedLedgerRow>> {
    sqlx::query_as(
        "SELECT l.ledger_id, l.entry_type, l.asset, l.amount, l.available_after, l.reserved_after, l.transact_id, l.created_at,
                t.trade_id, t.reconciliation_state, t.reconciliation_reason
         FROM ledger_entries l LEFT JOIN trades t ON t.trade_id = l.transact_id
         WHERE l.created_at >= $1 AND l.created_at < $2 ORDER BY l.ledger_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
