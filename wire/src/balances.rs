//! 0Pools' partner balance and ledger on the wire (`GET /v1/balances`,
//! `GET /v1/ledger`): exact decimal strings, RFC 3339 times.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One asset's prefunded capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetBalance {
    pub asset: String,
    /// What new reservations may use.
    pub available: Decimal,
    /// What trades not yet terminal hold.
    pub reserved: Decimal,
    pub updated_at: DateTime<Utc>,
}

/// A pool's approved band for one UTC day, and how much of it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyBand {
    pub pool_id: String,
    /// `YYYY-MM-DD`, UTC.
    pub period: String,
    pub approved_usdt: Decimal,
    pub used_usdt: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    pub balances: Vec<AssetBalance>,
    #[serde(default)]
    pub daily_bands: Vec<DailyBand>,
}

pub use quote_core::vocab::LedgerEntryType;

/// One movement of the partner's balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub ledger_id: String,
    #[serde(rename = "type")]
    pub entry_type: LedgerEntryType,
    pub asset: String,
    /// Signed: `top_up`, `release`, `fail` +; `reserve`, `settle` −.
    pub amount: Decimal,
    pub available_after: Decimal,
    pub reserved_after: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transact_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// `GET /v1/ledger`: a page, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub has_more: bool,
}
