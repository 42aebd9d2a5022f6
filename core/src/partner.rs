//! The partner operations API's answers (`/api/partner/…`), shared by the server that
//! writes them and the partner console that reads them. Money and rates are decimal
//! strings on the wire, `Decimal` in memory.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::vocab::{AlertKind, LedgerEntryType, ReconciliationState, RecordedAlertKind};

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
    /// Unavailable answers / answers, 4 decimals.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unavailable_rate: Decimal,
    /// Firm quotes answered available / firm requests, 4 decimals.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub quote_success_rate: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reserved_notional: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub settled_notional: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub failed_notional: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub released_notional: Decimal,
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
}

/// `GET /api/partner/utilization`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UtilizationReport {
    /// `1h`, `24h`, `7d` or `custom`.
    pub window: String,
    pub period: Period,
    pub generated_at: String,
    pub pools: Vec<PoolReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
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
