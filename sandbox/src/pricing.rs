//! Sandbox prices: a seeded random walk per pool, and the arithmetic that turns a
//! mid price into a quote's terms. Everything is `Decimal`; rounding is stated:
//! - `rate` (all-in output per input) = market rate × (1 − (spread_bps + fee_bps) / 10 000),
//!   rounded **down** to 6 decimal places;
//! - amount given in the source asset: `target_amount` = source × rate, rounded **down**
//!   to 2 places (the user never receives more than the rate allows);
//! - amount given in the target asset: `source_amount` = target ÷ rate, rounded **up**
//!   to 2 places (the user never pays less than the rate allows).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::{Decimal, RoundingStrategy};
use zeropools_wire::types::Side;

/// Decimal places of every amount the sandbox quotes.
pub const AMOUNT_SCALE: u32 = 2;
/// Decimal places of every rate the sandbox quotes.
pub const RATE_SCALE: u32 = 6;
/// The walk never wanders further than this from the configured mid, in bps.
const MAX_DRIFT_BPS: i64 = 300;

/// A deterministic random walk: for one seed, step `n` always has the same offset.
#[derive(Debug, Clone)]
pub struct PriceWalk {
    rng: ChaCha8Rng,
    /// Cumulative offset from the base mid, in tenths of a basis point, per step.
    offsets: Vec<i64>,
    /// Largest move per step, in tenths of a basis point. Zero freezes the price.
    volatility: i64,
}

impl PriceWalk {
    pub fn new(seed: u64, volatility_tenth_bps: u32) -> Self {
        PriceWalk { rng: ChaCha8Rng::seed_from_u64(seed), offsets: vec![0], volatility: volatility_tenth_bps as i64 }
    }

    /// Offset in basis points at `step`.
    pub fn offset_bps(&mut self, step: usize) -> Decimal {
        while self.offsets.len() <= step {
            let last = *self.offsets.last().expect("starts non-empty");
            let delta = if self.volatility == 0 { 0 } else { self.rng.gen_range(-self.volatility..=self.volatility) };
            let next = (last + delta).clamp(-MAX_DRIFT_BPS * 10, MAX_DRIFT_BPS * 10);
            self.offsets.push(next);
        }
        Decimal::new(self.offsets[step], 1)
    }

    /// The mid price at `step`: `base × (1 + offset / 10 000)`, 6 places, half-even.
    pub fn mid(&mut self, base: Decimal, step: usize) -> Decimal {
        let factor = Decimal::ONE + self.offset_bps(step) / Decimal::from(10_000);
        (base * factor).round_dp_with_strategy(RATE_SCALE, RoundingStrategy::MidpointNearestEven)
    }
}

/// The priced terms of one quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub source_amount: Decimal,
    pub target_amount: Decimal,
    pub rate: Decimal,
}

/// Which leg the requested amount is denominated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountLeg {
    Source,
    Target,
}

/// Prices a quote. `mid` is the pool's target asset per source asset (e.g. USDT per
/// EUR); a sell converts the other way, at the inverse. `None` when the amount is too
/// small to produce a non-zero output.
pub fn price(side: Side, mid: Decimal, spread_bps: Decimal, fee_bps: Decimal, amount: Decimal, leg: AmountLeg) -> Option<Terms> {
    let market = match side {
        Side::Buy => mid,
        Side::Sell => Decimal::ONE.checked_div(mid)?,
    };
    let keep = Decimal::ONE - (spread_bps + fee_bps) / Decimal::from(10_000);
    let mut rate = (market * keep).round_dp_with_strategy(RATE_SCALE, RoundingStrategy::ToZero);
    // Always exactly RATE_SCALE places on the wire ("0.800000", not "0.8").
    rate.rescale(RATE_SCALE);
    if rate <= Decimal::ZERO {
        return None;
    }
    let mut amount = amount;
    amount.rescale(AMOUNT_SCALE);
    let (source_amount, target_amount) = match leg {
        AmountLeg::Source => {
            let mut target = amount.checked_mul(rate)?.round_dp_with_strategy(AMOUNT_SCALE, RoundingStrategy::ToZero);
            target.rescale(AMOUNT_SCALE);
            (amount, target)
        }
        AmountLeg::Target => {
            let mut source = amount.checked_div(rate)?.round_dp_with_strategy(AMOUNT_SCALE, RoundingStrategy::AwayFromZero);
            source.rescale(AMOUNT_SCALE);
            (source, amount)
        }
    };
    if source_amount <= Decimal::ZERO || target_amount <= Decimal::ZERO {
        return None;
    }
    Some(Terms { source_amount, target_amount, rate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn buy_in_source_rounds_output_down_and_is_consistent() {
        let t = price(Side::Buy, d("1.080000"), d("35"), d("20"), d("100.00"), AmountLeg::Source).unwrap();
        // 1.08 × (1 − 0.0055) = 1.074060
        assert_eq!(t.rate.to_string(), "1.074060");
        assert_eq!(t.source_amount.to_string(), "100.00");
        assert_eq!(t.target_amount.to_string(), "107.40");
        assert_eq!((t.source_amount * t.rate).round_dp_with_strategy(2, RoundingStrategy::ToZero), t.target_amount);
    }

    #[test]
    fn amount_in_target_rounds_input_up() {
        let t = price(Side::Buy, d("1.080000"), d("35"), d("20"), d("107.41"), AmountLeg::Target).unwrap();
        assert_eq!(t.target_amount.to_string(), "107.41");
        // 107.41 / 1.07406 = 100.0037...
        assert_eq!(t.source_amount.to_string(), "100.01");
        assert!(t.source_amount * t.rate >= t.target_amount);
    }

    #[test]
    fn sell_uses_the_inverse() {
        let t = price(Side::Sell, d("1.250000"), d("0"), d("0"), d("10"), AmountLeg::Source).unwrap();
        assert_eq!(t.rate.to_string(), "0.800000");
        assert_eq!(t.target_amount.to_string(), "8.00");
    }

    #[test]
    fn dust_gives_no_quote() {
        assert_eq!(price(Side::Buy, d("0.5"), d("0"), d("0"), d("0.01"), AmountLeg::Source), None);
    }

    #[test]
    fn the_walk_is_deterministic_per_seed_and_bounded() {
        let (mut a, mut b, mut c) = (PriceWalk::new(7, 5), PriceWalk::new(7, 5), PriceWalk::new(8, 5));
        let base = d("1.08");
        let series_a: Vec<_> = (0..500).map(|s| a.mid(base, s)).collect();
        let series_b: Vec<_> = (0..500).map(|s| b.mid(base, s)).collect();
        let series_c: Vec<_> = (0..500).map(|s| c.mid(base, s)).collect();
        assert_eq!(series_a, series_b);
        assert_ne!(series_a, series_c);
        assert!(series_a.windows(2).any(|w| w[0] != w[1]), "prices move");
        assert!(series_a.iter().all(|m| (*m - base).abs() <= base * d("0.03")));
        // Asking out of order gives the same answer.
        assert_eq!(PriceWalk::new(7, 5).mid(base, 499), series_a[499]);
    }

    #[test]
    fn zero_volatility_freezes_the_price() {
        let mut w = PriceWalk::new(1, 0);
        assert_eq!(w.mid(d("1.000000"), 1000).to_string(), "1.000000");
    }
}
