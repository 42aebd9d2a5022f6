//! The partner operations API's answers (`/api/partner/…`), shared by the server that
//! writes them and the partner console that reads them. Money and rates are decimal
//! strings on the wire, `Decimal` in memory.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::vocab::{
    AlertKind, CapKind, ChecklistItem, FundingModel, IncidentState, LedgerEntryType, ReadinessState, ReconciliationState,
    RecordedAlertKind, Severity,
};

/// A half-open period `[from, to)`, RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// What happened to quotes and trades of one pool in one period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub quote_requests: u64,
    pub indicative_requests: u64,
    pub firm_requests: u64,
    pub firm_quotes: u64,
    pub accepted_quotes: u64,
    pub expired_quotes: u64,
    pub limit_errors: u64,
    pub rate_limited: u64,
    pub unavailable_answers: u64,
    pub unavailable_reasons: BTreeMap<String, u64>,
    /// Unavailable answers / answers, 4 decimals (0 when there were none).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unavailable_rate: Decimal,
    /// Quote attempts answered with a price (previews and firm quotes) / all quote
    /// attempts (`quote_requests`), 4 decimals; null without attempts. The complement
    /// of `failure_utilization`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub quote_success_rate: Option<Decimal>,
    /// Quote attempts not answered with a price: unavailable, limit errors, refusals,
    /// rate limited (`quote_requests` minus the answered ones).
    pub failed_quote_attempts: u64,
    /// Failure utilization: `failed_quote_attempts` / `quote_requests`, 4 decimals; null
    /// without attempts.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub failure_utilization: Option<Decimal>,
    /// Accepted-quote rate: `accepted_quotes` / `firm_quotes`, 4 decimals; null without
    /// firm quotes.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub accepted_quote_rate: Option<Decimal>,
    /// Quoted volume: the stablecoin legs of firm quotes answered with a price.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quoted_volume: Decimal,
    /// Stablecoin legs of trades reserved at the period's end.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reserved_notional: Decimal,
    /// Stablecoin legs of trades that settled in the period.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub settled_notional: Decimal,
    /// Settled volume, the formula page's name for `settled_notional` (the same figure).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub settled_volume: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub failed_notional: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub released_notional: Decimal,
    /// Trades created in the period whose ledger rows disagree with them (reconciliation
    /// `exception`).
    pub ledger_exception_count: u64,
}

/// One slice of the period, for a graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bucket {
    pub period: Period,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One pool's figures for the whole period and per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolUtilization {
    pub pool_id: String,
    pub period: Period,
    #[serde(flatten)]
    pub figures: Figures,
    pub availability_minutes: u64,
    pub period_minutes: u64,
    pub buckets: Vec<Bucket>,
}

/// How much of today's approved band settled and reserved volume uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandUse {
    pub period: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub approved_usdt: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub used_usdt: Decimal,
    /// used / approved, 4 decimals.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub utilization: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolReport {
    #[serde(flatten)]
    pub utilization: PoolUtilization,
    /// The pool's stablecoin, and the partner's available balance of it now (null when 0Pools could not be asked).
    pub balance_asset: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub balance_available: Option<Decimal>,
    pub daily_band: Option<BandUse>,
    /// The approved band over this period: today's approved daily band × the period's
    /// days (minutes / 1440); null when 0Pools gave no band.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub approved_band_usdt: Option<Decimal>,
    /// Quote utilization: `quoted_volume` / `approved_band_usdt`, 4 decimals; null
    /// without a band (or a zero one).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub quote_utilization: Option<Decimal>,
    /// Execution utilization: `settled_volume` / `approved_band_usdt`, 4 decimals; null
    /// without a band. (The band's own `used_usdt` counts reserved volume too.)
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub execution_utilization: Option<Decimal>,
    /// Reserved utilization: `reserved_notional` / `balance_available`, 4 decimals; null
    /// without a balance (or a zero one).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub reserved_utilization: Option<Decimal>,
}

/// `GET /api/partner/utilization`: the partner's own program activity, never 0Pools'
/// capacity or a promise of future availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UtilizationReport {
    /// `1h`, `24h`, `7d` or `custom`.
    pub window: String,
    pub period: Period,
    pub generated_at: String,
    pub pools: Vec<PoolReport>,
}

/// One condition that needs a person now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveAlert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// The trade, quote, pool or asset it is about (look it up for the evidence).
    pub subject: String,
    pub message: String,
    pub since: Option<String>,
}

/// Something the server recorded when it happened (refusals, clock skew, give-ups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedAlert {
    pub kind: RecordedAlertKind,
    pub subject: String,
    pub message: String,
    pub raised_at: String,
}

/// `GET /api/partner/alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertsReport {
    pub generated_at: String,
    pub active: Vec<ActiveAlert>,
    pub recorded: Vec<RecordedAlert>,
    /// Partner webhooks not delivered yet that failed at least once or are older than
    /// the threshold, oldest first (after their retries, or past the threshold, each
    /// is also an active alert).
    #[serde(default)]
    pub undelivered_events: Vec<UndeliveredEvent>,
    /// Incidents not resolved yet (an active alert opens one; so does a recorded one),
    /// most severe first, then oldest.
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

/// An alert as a person handles it: opened when it fired, acknowledged, resolved with
/// a note. It stays open after its condition clears until someone resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub incident_id: i64,
    /// The alert's kind (an active or a recorded alert's word).
    pub kind: String,
    pub label: String,
    pub severity: Severity,
    pub subject: String,
    pub message: String,
    pub state: IncidentState,
    /// Whether its condition still holds (a recorded alert's never does).
    pub live: bool,
    pub opened_at: String,
    pub last_seen_at: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub note: Option<String>,
}

/// `GET /api/partner/program`: the launch readiness record with the field names of
/// 0Pools' partner-liquidity-programs page, each `*_ready` flag derived from evidence
/// the server holds (the checklist says which), never typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramRecord {
    pub program_id: String,
    pub product: String,
    /// The lanes the program approves (`PROGRAM_APPROVED_POOLS`; every pool 0Pools
    /// lists when unset). The server offers and quotes no other.
    pub approved_pools: Vec<String>,
    /// The approved pools 0Pools lists for this key now.
    pub enabled_lanes: Vec<String>,
    pub funding_model: FundingModel,
    pub support_sla_label: String,
    /// The cap on a user's first order's stablecoin leg (USDT).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "500.00"))]
    pub first_order_limit: Option<Decimal>,
    /// The cap on any one order's stablecoin leg during a pilot (USDT).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub order_limit: Option<Decimal>,
    pub funding_ready: bool,
    pub webhooks_ready: bool,
    pub monitoring_ready: bool,
    pub support_ready: bool,
    /// The go-live checklist: the four flags and the page's go-live list.
    pub checklist: Vec<ChecklistEntry>,
    pub generated_at: String,
}

/// One go-live item, with the evidence behind its state and what to do when it is not ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistEntry {
    pub item: ChecklistItem,
    pub label: String,
    pub state: ReadinessState,
    pub evidence: String,
    pub action: Option<String>,
}

/// `GET /api/partner/review`: the program review of 0Pools' page for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramReview {
    pub program_id: String,
    pub period: Period,
    pub generated_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_order_limit: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub order_limit: Option<Decimal>,
    /// Quote attempts refused by the first-order cap, and by the per-order cap.
    pub first_order_refusals: u64,
    pub order_limit_refusals: u64,
    pub pools: Vec<PoolReview>,
    /// Trades that failed in the period (all pools).
    pub failed_trades: u64,
    /// Incidents of trades reserved too long opened in the period.
    pub reserved_age_alerts: u64,
    /// Trades created in the period whose ledger rows disagree with them.
    pub ledger_exceptions: u64,
    /// Incidents opened by the period's end and not resolved by then.
    pub unresolved_incidents: u64,
    /// Incidents opened in the period, and older ones still unresolved at its end.
    pub incidents: Vec<Incident>,
}

/// One approved pool's part of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoolReview {
    pub pool_id: String,
    /// The pool's limits as 0Pools lists them now (null when it does not list the pool).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub min_order_usdt: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub max_order_usdt: Option<Decimal>,
    pub quote_requests: u64,
    pub limit_errors: u64,
    pub availability_minutes: u64,
    pub period_minutes: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub quote_success_rate: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub accepted_quote_rate: Option<Decimal>,
    pub failed_trades: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub failed_notional: Decimal,
    pub ledger_exception_count: u64,
}

/// A webhook to the partner's backend that has not been delivered yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UndeliveredEvent {
    pub event_id: String,
    pub trade_id: String,
    pub checkout_id: String,
    /// The trade status it announces.
    pub status: crate::vocab::TradeStatus,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
}

/// The row's trade and how it reconciled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowMatch {
    pub trade_id: String,
    pub reconciliation_state: ReconciliationState,
    pub reason: Option<String>,
}

/// One mirrored ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerRowView {
    pub ledger_id: String,
    #[serde(rename = "type")]
    pub entry_type: LedgerEntryType,
    pub asset: String,
    pub amount: String,
    pub available_after: String,
    pub reserved_after: String,
    pub transact_id: Option<String>,
    pub created_at: String,
    /// `null` when no trade of ours has its transact id.
    #[serde(rename = "match")]
    pub matched: Option<RowMatch>,
}

/// `GET /api/partner/ledger`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerListing {
    pub entries: Vec<LedgerRowView>,
    pub has_more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_keep_their_json_shape_and_exact_decimals() {
        let text = r#"{"ledger_id":"led_1","type":"settle","asset":"USDT","amount":"-107.420001","available_after":"10.5","reserved_after":"0",
            "transact_id":"tx_1","created_at":"2026-11-22T00:00:00.000Z","match":{"trade_id":"trd_1","reconciliation_state":"exception","reason":"amount differs"}}"#;
        let row: LedgerRowView = serde_json::from_str(text).unwrap();
        assert_eq!(row.matched.as_ref().unwrap().reconciliation_state, ReconciliationState::Exception);
        let back = serde_json::to_value(&row).unwrap();
        assert_eq!(back["match"]["reconciliation_state"], "exception");
        assert_eq!(back["type"], "settle");
        let figures = Figures { reserved_notional: "107.420001".parse().unwrap(), ..Figures::default() };
        let json = serde_json::to_value(&figures).unwrap();
        assert_eq!(json["reserved_notional"], "107.420001");
        assert_eq!(serde_json::from_value::<Figures>(json).unwrap(), figures);
    }
}
