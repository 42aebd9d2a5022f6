//! The figures partners' reports are made of: a conversion's stablecoin leg, and
//! ratios. One definition for the server's outcomes, utilization and ledger matching,
//! and for the sandbox's balances, so none of them can round or pick a side differently.

use rust_decimal::{Decimal, RoundingStrategy};

/// The stablecoin a conversion moves: whichever side's asset is the pool's stablecoin
/// (the pool's target asset), exactly as quoted.
pub fn stablecoin_leg(pool_stablecoin: &str, target_asset: &str, target_amount: Decimal, source_amount: Decimal) -> Decimal {
    if target_asset == pool_stablecoin {
        target_amount
    } else {
        source_amount
    }
}

/// `part / whole` to four places (a rate of 0.6667 shows as 66.67 %), halves away
/// from zero; zero when there is no whole.
pub fn ratio(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    // A whole tiny beside its part overflows the division: the ratio is then as large as
    // a decimal goes, never a panic.
    part.checked_div(whole).map_or(Decimal::MAX, |r| r.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_leg_is_the_side_in_the_pools_stablecoin() {
        // Buying USDT with EUR: the target side.
        assert_eq!(stablecoin_leg("USDT", "USDT", d("107.420001"), d("100.00")), d("107.420001"));
        // Selling USDT for EUR: the source side.
        assert_eq!(stablecoin_leg("USDT", "EUR", d("93.10"), d("100.00")), d("100.00"));
    }

    #[test]
    fn ratios_round_halves_away_from_zero_and_never_divide_by_zero() {
        assert_eq!(ratio(d("2"), d("3")), d("0.6667"));
        assert_eq!(ratio(d("1"), d("8")), d("0.125"));
        assert_eq!(ratio(d("0.00005"), d("1")), d("0.0001"), "a half rounds up, not to even");
        assert_eq!(ratio(d("0.00015"), d("1")), d("0.0002"));
        assert_eq!(ratio(d("5"), d("0")), Decimal::ZERO);
        assert_eq!(ratio(d("122.49"), d("200000.00")), d("0.0006"));
        assert_eq!(ratio(Decimal::MAX, d("0.0000000000000000000000000001")), Decimal::MAX, "an overflow is no panic");
    }
}
