//! Reading back the decimals and times the server stores as text. It writes them from
//! `Decimal` and `DateTime`, so only a damaged row fails to read: that is logged with
//! what it belongs to, and callers leave the value out instead of counting it as zero
//! or as the epoch.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A stored decimal, or `None` (logged) when its text is not one.
pub fn decimal(text: &str, column: &str, row_id: &str) -> Option<Decimal> {
    let read = Decimal::from_str(text).ok();
    if read.is_none() {
        tracing::error!(column, row_id, stored = text, "a stored decimal could not be read; left out");
    }
    read
}

/// A stored RFC 3339 time, or `None` (logged) when its text is not one.
pub fn time(text: &str, column: &str, row_id: &str) -> Option<DateTime<Utc>> {
    let read = DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc));
    if read.is_none() {
        tracing::error!(column, row_id, stored = text, "a stored time could not be read; left out");
    }
    read
}

/// A trade's amounts and times, as [`super::TradeFigures`] stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeAmounts {
    pub source_amount: Decimal,
    pub target_amount: Decimal,
    pub created_at: DateTime<Utc>,
    pub terminal_at: Option<DateTime<Utc>>,
}

impl super::TradeFigures {
    /// Its amounts and times, or `None` (logged) when any of them cannot be read.
    pub fn amounts(&self) -> Option<TradeAmounts> {
        let id = self.trade_id.as_str();
        let terminal_at = match &self.terminal_at {
            Some(text) => Some(time(text, "terminal_at", id)?),
            None => None,
        };
        Some(TradeAmounts {
            source_amount: decimal(&self.source_amount, "source_amount", id)?,
            target_amount: decimal(&self.target_amount, "target_amount", id)?,
            created_at: time(&self.created_at, "created_at", id)?,
            terminal_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::TradeFigures;

    fn figures() -> TradeFigures {
        TradeFigures {
            trade_id: "pt_1".into(),
            pool_id: "EUR-USDT".into(),
            status: quote_core::vocab::TradeStatus::Settled,
            source_asset: "EUR".into(),
            source_amount: "100.00".into(),
            target_asset: "USDT".into(),
            target_amount: "107.420001".into(),
            created_at: "2026-11-28T10:00:00.000Z".into(),
            terminal_at: Some("2026-11-28T10:00:01.000Z".into()),
            reconciliation_state: quote_core::vocab::ReconciliationState::Open,
            reconciliation_reason: None,
        }
    }

    #[test]
    fn a_sound_row_reads_exactly() {
        let read = figures().amounts().unwrap();
        assert_eq!(read.target_amount.to_string(), "107.420001");
        assert_eq!(read.terminal_at.map(|t| t.timestamp()), Some(read.created_at.timestamp() + 1));
        assert_eq!(TradeFigures { terminal_at: None, ..figures() }.amounts().unwrap().terminal_at, None);
    }

    #[test]
    fn a_damaged_value_leaves_the_row_out_instead_of_reading_zero() {
        assert_eq!(TradeFigures { target_amount: "".into(), ..figures() }.amounts(), None);
        assert_eq!(TradeFigures { source_amount: "1,000.00".into(), ..figures() }.amounts(), None);
        assert_eq!(TradeFigures { created_at: "yesterday".into(), ..figures() }.amounts(), None);
        assert_eq!(TradeFigures { terminal_at: Some("soon".into()), ..figures() }.amounts(), None);
    }
}
