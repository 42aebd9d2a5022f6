//! What support needs from any one id: the checkout it belongs to, and every record
//! of that checkout (quotes with their terms as returned, trades with their status
//! history, webhook events, ledger rows, partner events, alerts).

use super::{CheckoutRow, Db, HistoryRow, QuoteRow, ReconciledTrade};
use quote_core::vocab::{RecordedAlertKind, TradeStatus};
use sqlx::FromRow;
use std::sync::LazyLock;

pub use quote_core::vocab::IdKind;

/// Where each kind of id is looked for, in the order a match counts: the first
/// that finds the id names its checkout (a partner reference that is also a quote
/// id, say, is read as the quote id).
const LOOKUPS: [(IdKind, &str); 11] = [
    (IdKind::Checkout, "SELECT checkout_id FROM checkouts WHERE checkout_id = $1"),
    (IdKind::Session, "SELECT checkout_id FROM sessions WHERE session_id = $1"),
    (IdKind::Quote, "SELECT checkout_id FROM quotes WHERE quote_id = $1"),
    (IdKind::Trade, "SELECT checkout_id FROM trades WHERE trade_id = $1"),
    (IdKind::RequestId, "SELECT checkout_id FROM quotes WHERE request_id = $1 LIMIT 1"),
    (IdKind::RequestId, "SELECT t.checkout_id FROM trades t WHERE t.request_id = $1 OR t.trade_id IN (SELECT trade_id FROM trade_status_history WHERE request_id = $1) LIMIT 1"),
    (IdKind::WebhookEvent, "SELECT t.checkout_id FROM webhook_events w JOIN trades t ON t.trade_id = w.transact_id WHERE w.event_id = $1"),
    (IdKind::LedgerEntry, "SELECT t.checkout_id FROM ledger_entries l JOIN trades t ON t.trade_id = l.transact_id WHERE l.ledger_id = $1"),
    (IdKind::PartnerReference, "SELECT checkout_id FROM checkouts WHERE partner_reference = $1"),
    (IdKind::PartnerReference, "SELECT checkout_id FROM trades WHERE partner_reference = $1 ORDER BY created_at LIMIT 1"),
    (IdKind::PartnerEvent, "SELECT checkout_id FROM partner_events WHERE event_id = $1"),
];

/// Every lookup as one statement (one round trip, not up to eleven): each is a
/// scalar subquery numbered by its place, and the lowest place that found the id wins.
static LOOKUP_SQL: LazyLock<String> = LazyLock::new(|| {
    let arms: Vec<String> = LOOKUPS
        .iter()
        .enumerate()
        .map(|(place, (_, sql))| format!("SELECT CAST({place} AS BIGINT) AS place, ({sql}) AS checkout_id"))
        .collect();
    format!("SELECT place, checkout_id FROM ({}) found WHERE checkout_id IS NOT NULL ORDER BY place LIMIT 1", arms.join(" UNION ALL "))
});

/// The checkout an id belongs to, and what kind of id it was.
pub async fn checkout_for_id(db: &Db, id: &str) -> sqlx::Result<Option<(String, IdKind)>> {
    let found: Option<(i64, String)> = sqlx::query_as(&LOOKUP_SQL).bind(id).fetch_optional(db).await?;
    Ok(found.and_then(|(place, checkout_id)| {
        let (kind, _) = LOOKUPS.get(usize::try_from(place).ok()?)?;
        Some((checkout_id, *kind))
    }))
}

#[derive(Debug, Clone, FromRow)]
pub struct WebhookEventRow {
    pub event_id: String,
    pub event_type: String,
    pub transact_id: String,
    #[sqlx(try_from = "String")]
    pub status: TradeStatus,
    pub created_at: String,
    pub received_at: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct AlertRow {
    #[sqlx(try_from = "String")]
    pub kind: RecordedAlertKind,
    pub subject: String,
    pub message: String,
    pub raised_at: String,
}

/// A trade with its reconciliation state and reason and its status history.
pub type TradeEvidenceRow = (ReconciledTrade, Vec<HistoryRow>);

/// Every record of one checkout.
pub struct Evidence {
    pub checkout: CheckoutRow,
    pub quotes: Vec<QuoteRow>,
    pub trades: Vec<TradeEvidenceRow>,
    pub webhook_events: Vec<WebhookEventRow>,
    pub ledger_rows: Vec<super::LedgerRow>,
    pub partner_events: Vec<super::PartnerEventRow>,
    pub alerts: Vec<AlertRow>,
}

/// A history entry with the trade it belongs to, so one query serves every trade.
#[derive(FromRow)]
struct TradeHistoryRow {
    trade_id: String,
    #[sqlx(flatten)]
    entry: HistoryRow,
}

/// Every record of one checkout, in eight queries whatever the number of its trades.
/// Records of several trades come in the trades' order (oldest first).
pub async fn evidence(db: &Db, checkout_id: &str) -> sqlx::Result<Option<Evidence>> {
    let Some(checkout) = super::checkout(db, checkout_id).await? else { return Ok(None) };
    let quotes: Vec<QuoteRow> =
        sqlx::query_as("SELECT * FROM quotes WHERE checkout_id = $1 ORDER BY created_at, quote_id").bind(checkout_id).fetch_all(db).await?;
    let trade_rows: Vec<ReconciledTrade> =
        sqlx::query_as("SELECT * FROM trades WHERE checkout_id = $1 ORDER BY created_at, trade_id").bind(checkout_id).fetch_all(db).await?;
    let history: Vec<TradeHistoryRow> = sqlx::query_as(
        "SELECT h.trade_id, h.status, h.source, h.event_id, h.recorded_at FROM trade_status_history h JOIN trades t ON t.trade_id = h.trade_id
         WHERE t.checkout_id = $1 ORDER BY h.id",
    )
    .bind(checkout_id)
    .fetch_all(db)
    .await?;
    let webhook_events = sqlx::query_as(
        "SELECT w.event_id, w.event_type, w.transact_id, w.status, w.created_at, w.received_at FROM webhook_events w JOIN trades t ON t.trade_id = w.transact_id
         WHERE t.checkout_id = $1 ORDER BY t.created_at, t.trade_id, w.received_at",
    )
    .bind(checkout_id)
    .fetch_all(db)
    .await?;
    let ledger_rows = sqlx::query_as(
        "SELECT l.* FROM ledger_entries l JOIN trades t ON t.trade_id = l.transact_id WHERE t.checkout_id = $1 ORDER BY t.created_at, t.trade_id, l.ledger_id",
    )
    .bind(checkout_id)
    .fetch_all(db)
    .await?;
    let partner_events =
        sqlx::query_as("SELECT * FROM partner_events WHERE checkout_id = $1 ORDER BY created_at").bind(checkout_id).fetch_all(db).await?;
    // An alert is about a quote or a trade of this checkout; raised order is id order.
    let alerts = sqlx::query_as(
        "SELECT kind, subject, message, raised_at FROM alerts
         WHERE subject IN (SELECT quote_id FROM quotes WHERE checkout_id = $1 UNION ALL SELECT trade_id FROM trades WHERE checkout_id = $1) ORDER BY id",
    )
    .bind(checkout_id)
    .fetch_all(db)
    .await?;
    let trades = trade_rows
        .into_iter()
        .map(|reconciled| {
            let entries = history.iter().filter(|h| h.trade_id == reconciled.trade.trade_id).map(|h| h.entry.clone()).collect();
            (reconciled, entries)
        })
        .collect();
    Ok(Some(Evidence { checkout, quotes, trades, webhook_events, ledger_rows, partner_events, alerts }))
}
