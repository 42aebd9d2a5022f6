//! What support needs from any one id: the checkout it belongs to, and every record
//! of that checkout (quotes with their terms as returned, trades with their status
//! history, webhook events, ledger rows, partner events, alerts).

use super::{CheckoutRow, Db, HistoryRow, QuoteRow, ReconciledTrade};
use quote_core::vocab::{RecordedAlertKind, TradeStatus};
use sqlx::FromRow;

pub use quote_core::vocab::IdKind;

async fn one(db: &Db, sql: &str, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<_, Option<String>>(sql).bind(id).fetch_optional(db).await.map(Option::flatten)
}

/// The checkout an id belongs to, and what kind of id it was.
pub async fn checkout_for_id(db: &Db, id: &str) -> sqlx::Result<Option<(String, IdKind)>> {
    let lookups: [(IdKind, &str); 11] = [
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
    for (kind, sql) in lookups {
        if let Some(checkout_id) = one(db, sql, id).await? {
            return Ok(Some((checkout_id, kind)));
        }
    }
    Ok(None)
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

pub async fn evidence(db: &Db, checkout_id: &str) -> sqlx::Result<Option<Evidence>> {
    let Some(checkout) = super::checkout(db, checkout_id).await? else { return Ok(None) };
    let quotes: Vec<QuoteRow> = sqlx::query_as("SELECT * FROM quotes WHERE checkout_id = $1 ORDER BY created_at, quote_id").bind(checkout_id).fetch_all(db).await?;
    let trade_rows: Vec<ReconciledTrade> = sqlx::query_as("SELECT * FROM trades WHERE checkout_id = $1 ORDER BY created_at").bind(checkout_id).fetch_all(db).await?;
    let mut trades = Vec::new();
    let mut webhook_events = Vec::new();
    let mut ledger_rows = Vec::new();
    for reconciled in trade_rows {
        let t = &reconciled.trade;
        let history = super::trade_history(db, &t.trade_id).await?;
        webhook_events.extend(
            sqlx::query_as::<_, WebhookEventRow>("SELECT event_id, event_type, transact_id, status, created_at, received_at FROM webhook_events WHERE transact_id = $1 ORDER BY received_at")
                .bind(&t.trade_id)
                .fetch_all(db)
                .await?,
        );
        ledger_rows.extend(super::ledger_rows_for(db, &t.trade_id).await?);
        trades.push((reconciled, history));
    }
    let partner_events = sqlx::query_as("SELECT * FROM partner_events WHERE checkout_id = $1 ORDER BY created_at").bind(checkout_id).fetch_all(db).await?;
    let mut subjects: Vec<String> = quotes.iter().map(|q| q.quote_id.clone()).collect();
    subjects.extend(trades.iter().map(|(t, _)| t.trade.trade_id.clone()));
    let mut alerts = Vec::new();
    for subject in subjects {
        alerts.extend(sqlx::query_as::<_, AlertRow>("SELECT kind, subject, message, raised_at FROM alerts WHERE subject = $1 ORDER BY id").bind(subject).fetch_all(db).await?);
    }
    Ok(Some(Evidence { checkout, quotes, trades, webhook_events, ledger_rows, partner_events, alerts }))
}
