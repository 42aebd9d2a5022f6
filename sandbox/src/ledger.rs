//! The partner's prefunded balance in the sandbox, per asset: what new reservations
//! may use (`available`), what trades not yet terminal hold (`reserved`), the ledger
//! of every movement, and the daily band per pool. Plain data with its own rules;
//! the handlers and the trade lifecycle call into it under the sandbox's lock.
//!
//! Signs: an entry's `amount` is the change it makes to the partner's funds as the
//! row's type moves them: `top_up` +, `reserve` − (available → reserved), `settle` −
//! (reserved spent, final), `release` and `fail` + (reserved → available).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
pub use zeropools_wire::balances::LedgerEntryType;
use zeropools_wire::balances::{AssetBalance, DailyBand, LedgerEntry};

/// Magic amounts that make the ledger disagree with the trade, so reconciliation
/// can be tested: the settle row is 0.01 off, or missing altogether.
pub const MISMATCHED_SETTLE_AMOUNT: &str = "14.05";
pub const MISSING_SETTLE_AMOUNT: &str = "14.06";

#[derive(Debug, Clone, Default)]
struct Funds {
    available: Decimal,
    reserved: Decimal,
    updated_at: Option<DateTime<Utc>>,
}

/// What a trade holds until it is terminal.
#[derive(Debug, Clone)]
struct Reservation {
    pool_id: String,
    asset: String,
    amount: Decimal,
    day: String,
    /// How the terminal row is to be written (a magic amount can spoil it).
    spoil: Spoil,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spoil {
    None,
    MismatchedSettle,
    MissingSettle,
}

impl Spoil {
    /// The ledger fault a quote's requested amount asks for.
    pub fn for_requested_amount(amount: Decimal) -> Spoil {
        match amount.normalize().to_string().as_str() {
            MISMATCHED_SETTLE_AMOUNT => Spoil::MismatchedSettle,
            MISSING_SETTLE_AMOUNT => Spoil::MissingSettle,
            _ => Spoil::None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Ledger {
    funds: BTreeMap<String, Funds>,
    entries: Vec<LedgerEntry>,
    reservations: HashMap<String, Reservation>,
    /// Approved daily band per pool, in USDT.
    bands: BTreeMap<String, Decimal>,
    /// (pool, UTC day) → settled or reserved volume, in USDT.
    used: BTreeMap<(String, String), Decimal>,
}

fn day_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

impl Ledger {
    pub fn new(starting: &[(String, Decimal)], bands: &[(String, Decimal)], at: DateTime<Utc>) -> Ledger {
        let mut ledger = Ledger { bands: bands.iter().cloned().collect(), ..Ledger::default() };
        for (asset, amount) in starting {
            ledger.top_up(asset, *amount, at);
        }
        ledger
    }

    fn funds(&mut self, asset: &str) -> &mut Funds {
        self.funds.entry(asset.to_owned()).or_default()
    }

    fn record(&mut self, kind: LedgerEntryType, asset: &str, amount: Decimal, transact_id: Option<&str>, at: DateTime<Utc>) {
        let funds = self.funds(asset);
        funds.updated_at = Some(at);
        let (available_after, reserved_after) = (funds.available, funds.reserved);
        let ledger_id = format!("led_test_{:06}", self.entries.len() + 1);
        self.entries.push(LedgerEntry {
            ledger_id,
            entry_type: kind,
            asset: asset.to_owned(),
            amount,
            available_after,
            reserved_after,
            transact_id: transact_id.map(str::to_owned),
            created_at: at,
        });
    }

    pub fn top_up(&mut self, asset: &str, amount: Decimal, at: DateTime<Utc>) {
        let funds = self.funds(asset);
        if funds.updated_at.is_none() {
            // A new asset's zero is written at the money's own scale ("0.00").
            let zero = Decimal::new(0, amount.scale());
            funds.available = zero;
            funds.reserved = zero;
        }
        self.funds(asset).available += amount;
        self.record(LedgerEntryType::TopUp, asset, amount, None, at);
    }

    /// Whether a stablecoin leg of `amount` fits in what is available now.
    pub fn can_cover(&self, asset: &str, amount: Decimal) -> bool {
        self.funds.get(asset).is_some_and(|f| f.available >= amount)
    }

    /// Moves a trade's stablecoin leg from available to reserved. False (and nothing
    /// moves) when it does not fit: the lane is dry.
    pub fn reserve(&mut self, transact_id: &str, pool_id: &str, asset: &str, amount: Decimal, spoil: Spoil, at: DateTime<Utc>) -> bool {
        if !self.can_cover(asset, amount) {
            return false;
        }
        let funds = self.funds(asset);
        funds.available -= amount;
        funds.reserved += amount;
        self.record(LedgerEntryType::Reserve, asset, -amount, Some(transact_id), at);
        let day = day_of(at);
        *self.used.entry((pool_id.to_owned(), day.clone())).or_default() += amount;
        self.reservations
            .insert(transact_id.to_owned(), Reservation { pool_id: pool_id.to_owned(), asset: asset.to_owned(), amount, day, spoil });
        true
    }

    /// Ends a trade's reservation: spent on `settle`, back to available on `fail` or
    /// `release`. A trade has at most one terminal row.
    pub fn finish(&mut self, transact_id: &str, outcome: LedgerEntryType, at: DateTime<Utc>) {
        let Some(r) = self.reservations.remove(transact_id) else { return };
        let funds = self.funds(&r.asset);
        funds.reserved -= r.amount;
        match outcome {
            LedgerEntryType::Settle => {
                match r.spoil {
                    Spoil::MissingSettle => {
                        // The money moved; the row that should say so never appears.
                        funds.updated_at = Some(at);
                    }
                    Spoil::MismatchedSettle => self.record(outcome, &r.asset, -(r.amount - Decimal::new(1, 2)), Some(transact_id), at),
                    Spoil::None => self.record(outcome, &r.asset, -r.amount, Some(transact_id), at),
                }
            }
            _ => {
                funds.available += r.amount;
                if let Some(used) = self.used.get_mut(&(r.pool_id.clone(), r.day.clone())) {
                    *used -= r.amount;
                }
                self.record(outcome, &r.asset, r.amount, Some(transact_id), at);
            }
        }
    }

    pub fn balances(&self) -> Vec<AssetBalance> {
        self.funds
            .iter()
            .map(|(asset, f)| AssetBalance {
                asset: asset.clone(),
                available: f.available,
                reserved: f.reserved,
                updated_at: f.updated_at.unwrap_or_default(),
            })
            .collect()
    }

    /// Today's band per pool, with what settled and reserved volume uses of it.
    pub fn daily_bands(&self, today: DateTime<Utc>) -> Vec<DailyBand> {
        let day = day_of(today);
        self.bands
            .iter()
            .map(|(pool_id, approved)| DailyBand {
                pool_id: pool_id.clone(),
                period: day.clone(),
                approved_usdt: *approved,
                used_usdt: self.used.get(&(pool_id.clone(), day.clone())).copied().unwrap_or(Decimal::new(0, 2)),
            })
            .collect()
    }

    /// Entries after `after` (exclusive), oldest first, at most `limit`; and whether
    /// more follow. None when `after` names no entry.
    pub fn page(&self, after: Option<&str>, limit: usize) -> Option<(Vec<LedgerEntry>, bool)> {
        let start = match after {
            None => 0,
            Some(id) => self.entries.iter().position(|e| e.ledger_id == id)? + 1,
        };
        let rest = &self.entries[start.min(self.entries.len())..];
        Some((rest.iter().take(limit).cloned().collect(), rest.len() > limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_trade_reserves_once_and_ends_in_exactly_one_terminal_row() {
        let at = Utc::now();
        let mut l = Ledger::new(&[("USDT".into(), d("1000.00"))], &[("EUR-USDT".into(), d("200000.00"))], at);
        assert!(l.reserve("pt_1", "EUR-USDT", "USDT", d("107.42"), Spoil::None, at));
        assert!(l.reserve("pt_2", "EUR-USDT", "USDT", d("50.00"), Spoil::None, at));
        assert!(!l.reserve("pt_3", "EUR-USDT", "USDT", d("900.00"), Spoil::None, at), "dry: more than available");
        l.finish("pt_1", LedgerEntryType::Settle, at);
        l.finish("pt_2", LedgerEntryType::Release, at);
        l.finish("pt_2", LedgerEntryType::Release, at);
        let b = &l.balances()[0];
        assert_eq!((b.available, b.reserved), (d("892.58"), d("0.00")));
        let (rows, more) = l.page(None, 10).unwrap();
        assert!(!more);
        let kinds: Vec<_> = rows.iter().map(|e| (e.entry_type, e.amount, e.transact_id.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (LedgerEntryType::TopUp, d("1000.00"), None),
                (LedgerEntryType::Reserve, d("-107.42"), Some("pt_1".into())),
                (LedgerEntryType::Reserve, d("-50.00"), Some("pt_2".into())),
                (LedgerEntryType::Settle, d("-107.42"), Some("pt_1".into())),
                (LedgerEntryType::Release, d("50.00"), Some("pt_2".into())),
            ]
        );
        assert_eq!(rows[1].available_after, d("892.58"));
        assert_eq!(rows[1].reserved_after, d("107.42"));
        assert_eq!(l.daily_bands(at)[0].used_usdt, d("107.42"), "settled counts, released does not");
    }

    #[test]
    fn pages_follow_the_cursor_and_say_when_more_remain() {
        let at = Utc::now();
        let mut l = Ledger::new(&[], &[], at);
        for _ in 0..5 {
            l.top_up("USDC", d("1"), at);
        }
        let (first, more) = l.page(None, 2).unwrap();
        assert!(more);
        let (second, _) = l.page(Some(&first[1].ledger_id), 2).unwrap();
        assert_eq!(second[0].ledger_id, "led_test_000003");
        let (last, more) = l.page(Some("led_test_000004"), 2).unwrap();
        assert_eq!((last.len(), more), (1, false));
        assert!(l.page(Some("led_test_999999"), 2).is_none());
    }

    #[test]
    fn magic_amounts_spoil_the_settle_row() {
        let at = Utc::now();
        let mut l = Ledger::new(&[("USDT".into(), d("100"))], &[], at);
        l.reserve("pt_a", "EUR-USDT", "USDT", d("15.12"), Spoil::for_requested_amount(d("14.050")), at);
        l.reserve("pt_b", "EUR-USDT", "USDT", d("15.13"), Spoil::for_requested_amount(d("14.06")), at);
        l.finish("pt_a", LedgerEntryType::Settle, at);
        l.finish("pt_b", LedgerEntryType::Settle, at);
        let (rows, _) = l.page(None, 10).unwrap();
        let settles: Vec<_> =
            rows.iter().filter(|e| e.entry_type == LedgerEntryType::Settle).map(|e| (e.transact_id.clone().unwrap(), e.amount)).collect();
        assert_eq!(settles, vec![("pt_a".to_owned(), d("-15.11"))]);
    }
}
