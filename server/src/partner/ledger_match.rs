//! How one trade reconciles against 0Pools' ledger: pure rules, tested alone. A
//! trade has exactly one `reserve` row for its stablecoin leg and, once terminal,
//! exactly one `settle`, `fail` or `release` row of the same absolute amount. Rows
//! still to come are `open` for a grace period; anything missing after it, doubled,
//! of another amount or of the wrong kind is an `exception` with its reason.

use crate::zeropools::balances::LedgerEntryType;
use crate::zeropools::types::TradeStatus;
use chrono::{DateTime, Duration, Utc};
use quote_core::partner::ReconciliationState;
use rust_decimal::Decimal;

/// A trade as reconciliation sees it.
#[derive(Debug, Clone)]
pub struct TradeFacts {
    pub status: TradeStatus,
    /// The stablecoin leg: asset and (positive) amount.
    pub leg_asset: String,
    pub leg_amount: Decimal,
    pub created_at: DateTime<Utc>,
    /// When this server saw it become terminal.
    pub terminal_at: Option<DateTime<Utc>>,
}

/// A ledger row of this trade.
#[derive(Debug, Clone)]
pub struct Row {
    pub entry_type: LedgerEntryType,
    pub asset: String,
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciliation {
    Open,
    Matched,
    Exception(String),
}

impl Reconciliation {
    pub fn state(&self) -> ReconciliationState {
        match self {
            Reconciliation::Open => ReconciliationState::Open,
            Reconciliation::Matched => ReconciliationState::Matched,
            Reconciliation::Exception(_) => ReconciliationState::Exception,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Reconciliation::Exception(reason) => Some(reason),
            _ => None,
        }
    }
}

fn expected_terminal(status: TradeStatus) -> Option<LedgerEntryType> {
    match status {
        TradeStatus::Settled => Some(LedgerEntryType::Settle),
        TradeStatus::Failed => Some(LedgerEntryType::Fail),
        TradeStatus::Released => Some(LedgerEntryType::Release),
        TradeStatus::Reserved => None,
    }
}

fn signed_leg(kind: LedgerEntryType, leg: Decimal) -> Decimal {
    match kind {
        LedgerEntryType::Reserve | LedgerEntryType::Settle => -leg,
        _ => leg,
    }
}

/// Judges a trade by its rows at `now`; rows may lag by up to `grace`.
pub fn reconcile(trade: &TradeFacts, rows: &[Row], now: DateTime<Utc>, grace: Duration) -> Reconciliation {
    use Reconciliation::*;
    let of = |kind: LedgerEntryType| rows.iter().filter(move |r| r.entry_type == kind).collect::<Vec<_>>();
    let check = |r: &Row| -> Option<Reconciliation> {
        let want = signed_leg(r.entry_type, trade.leg_amount);
        if r.asset != trade.leg_asset || r.amount != want {
            Some(Exception(format!(
                "{} row is {} {}, the trade's leg is {} {}",
                r.entry_type.as_str(),
                r.amount,
                r.asset,
                want,
                trade.leg_asset
            )))
        } else {
            None
        }
    };
    let reserves = of(LedgerEntryType::Reserve);
    if reserves.len() > 1 {
        return Exception(format!("{} reserve rows, expected one", reserves.len()));
    }
    if let Some(bad) = reserves.first().and_then(|r| check(r)) {
        return bad;
    }
    let terminals: Vec<&Row> = rows.iter().filter(|r| !matches!(r.entry_type, LedgerEntryType::Reserve | LedgerEntryType::TopUp)).collect();
    if terminals.len() > 1 {
        return Exception(format!("{} terminal rows, expected at most one", terminals.len()));
    }
    if reserves.is_empty() {
        return if now - trade.created_at > grace { Exception("no reserve row".into()) } else { Open };
    }
    let Some(expected) = expected_terminal(trade.status) else {
        // Still reserved here: a terminal row means the ledger is ahead of our status,
        // which the trade reconciler will catch up on.
        return Open;
    };
    match terminals.first() {
        Some(row) if row.entry_type != expected => {
            Exception(format!("the ledger says {}, the trade is {}", row.entry_type.as_str(), trade.status))
        }
        Some(row) => check(row).unwrap_or(Matched),
        None => {
            let since = trade.terminal_at.unwrap_or(trade.created_at);
            if now - since > grace {
                Exception(format!("no {} row", expected.as_str()))
            } else {
                Open
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn trade(status: &str, age_secs: i64) -> TradeFacts {
        let now = Utc::now();
        let status = TradeStatus::parse(status).expect("a trade status");
        TradeFacts {
            status,
            leg_asset: "USDT".into(),
            leg_amount: d("107.42"),
            created_at: now - Duration::seconds(age_secs),
            terminal_at: status.is_terminal().then(|| now - Duration::seconds(age_secs)),
        }
    }

    fn row(kind: LedgerEntryType, amount: &str) -> Row {
        Row { entry_type: kind, asset: "USDT".into(), amount: d(amount) }
    }

    const GRACE: i64 = 60;

    fn judge(t: &TradeFacts, rows: &[Row]) -> Reconciliation {
        reconcile(t, rows, Utc::now(), Duration::seconds(GRACE))
    }

    #[test]
    fn complete_rows_of_the_leg_match() {
        use LedgerEntryType::*;
        assert_eq!(
            judge(&trade("settled", 5), &[row(Reserve, "-107.42"), row(Settle, "-107.420")]),
            Reconciliation::Matched,
            "107.420 is 107.42"
        );
        assert_eq!(judge(&trade("released", 5), &[row(Reserve, "-107.42"), row(Release, "107.42")]), Reconciliation::Matched);
        assert_eq!(judge(&trade("failed", 5), &[row(Reserve, "-107.42"), row(Fail, "107.42")]), Reconciliation::Matched);
        assert_eq!(judge(&trade("reserved", 5), &[row(Reserve, "-107.42")]), Reconciliation::Open);
    }

    #[test]
    fn rows_still_to_come_are_open_until_the_grace_runs_out() {
        use LedgerEntryType::*;
        assert_eq!(judge(&trade("reserved", 5), &[]), Reconciliation::Open);
        assert_eq!(judge(&trade("settled", 5), &[row(Reserve, "-107.42")]), Reconciliation::Open);
        assert_eq!(judge(&trade("reserved", GRACE + 5), &[]), Reconciliation::Exception("no reserve row".into()));
        assert_eq!(judge(&trade("settled", GRACE + 5), &[row(Reserve, "-107.42")]), Reconciliation::Exception("no settle row".into()));
    }

    #[test]
    fn every_kind_of_disagreement_is_an_exception_with_its_reason() {
        use LedgerEntryType::*;
        let cases = [
            (trade("settled", 5), vec![row(Reserve, "-107.42"), row(Settle, "-107.41")], "settle row is -107.41 USDT"),
            (trade("settled", 5), vec![row(Reserve, "-107.42"), row(Reserve, "-107.42"), row(Settle, "-107.42")], "2 reserve rows"),
            (trade("settled", 5), vec![row(Reserve, "-107.42"), row(Settle, "-107.42"), row(Settle, "-107.42")], "2 terminal rows"),
            (trade("settled", 5), vec![row(Reserve, "-107.42"), row(Release, "107.42")], "the ledger says release, the trade is settled"),
            (trade("reserved", 5), vec![row(Reserve, "-100.00")], "reserve row is -100.00 USDT"),
        ];
        for (t, rows, reason) in cases {
            match judge(&t, &rows) {
                Reconciliation::Exception(r) => assert!(r.contains(reason), "{r:?} should mention {reason:?}"),
                other => panic!("{other:?} for {reason}"),
            }
        }
        let other_asset = Row { entry_type: Reserve, asset: "USDC".into(), amount: d("-107.42") };
        assert!(matches!(judge(&trade("reserved", 5), &[other_asset]), Reconciliation::Exception(_)));
    }
}
