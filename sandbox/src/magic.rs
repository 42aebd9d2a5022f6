//! Documented magic values, like card networks' test numbers: a request amount or a
//! destination address that always picks one outcome. See `docs/sandbox.md`.

use rust_decimal::Decimal;
use zeropools_wire::types::{TradeStatus, UnavailableReason};

/// An unavailable answer forced by the requested amount.
pub fn unavailable_for_amount(amount: Decimal) -> Option<UnavailableReason> {
    match amount.normalize().to_string().as_str() {
        "13.01" => Some(UnavailableReason::PoolDry),
        "13.02" => Some(UnavailableReason::RateUnavailable),
        "13.03" => Some(UnavailableReason::NetworkUnavailable),
        "13.04" => Some(UnavailableReason::Maintenance),
        _ => None,
    }
}

/// How a trade ends, and how many settle delays it takes to get there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: TradeStatus,
    pub delay_multiplier: u32,
}

/// The terminal outcome picked by the quote's amount or destination address.
pub fn trade_outcome(requested_amount: Decimal, destination: &str) -> Outcome {
    let by_amount = match requested_amount.normalize().to_string().as_str() {
        "14.01" => Some("fail"),
        "14.02" => Some("release"),
        "14.03" => Some("slow"),
        _ => None,
    };
    let dest = destination.to_ascii_lowercase();
    let by_destination = ["fail", "release", "slow"].into_iter().find(|s| dest.ends_with(s));
    match by_amount.or(by_destination) {
        Some("fail") => Outcome { status: TradeStatus::Failed, delay_multiplier: 1 },
        Some("release") => Outcome { status: TradeStatus::Released, delay_multiplier: 1 },
        Some("slow") => Outcome { status: TradeStatus::Settled, delay_multiplier: 10 },
        _ => Outcome { status: TradeStatus::Settled, delay_multiplier: 1 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_pick_unavailability_whatever_their_trailing_zeros() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(unavailable_for_amount(d("13.01")), Some(UnavailableReason::PoolDry));
        assert_eq!(unavailable_for_amount(d("13.010")), Some(UnavailableReason::PoolDry));
        assert_eq!(unavailable_for_amount(d("13.04")), Some(UnavailableReason::Maintenance));
        assert_eq!(unavailable_for_amount(d("13.05")), None);
    }

    #[test]
    fn destinations_and_amounts_pick_outcomes() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(trade_outcome(d("100"), "TXYZfail").status, TradeStatus::Failed);
        assert_eq!(trade_outcome(d("100"), "0xabcRELEASE").status, TradeStatus::Released);
        assert_eq!(trade_outcome(d("100"), "0xabcslow").delay_multiplier, 10);
        assert_eq!(trade_outcome(d("14.01"), "T123").status, TradeStatus::Failed);
        assert_eq!(trade_outcome(d("100"), "T123"), Outcome { status: TradeStatus::Settled, delay_multiplier: 1 });
    }
}
