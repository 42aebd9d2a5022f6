//! The partner program as 0Pools' pages describe it (`partner-liquidity-programs`,
//! `partner-visible-utilization`): the pages' utilization formulas, the launch limits,
//! the guardrail decisions and how the launch readiness record is derived from
//! evidence. Pure: the server gathers the facts, this decides, and every rule is
//! tested here on hand-computed cases.
//!
//! Every ratio is an exact decimal to four places (halves away from zero) and `None`
//! when its denominator is zero or unknown: no attempts, no rate; no band, no
//! utilization. A zero is a measured zero, never a missing one.

use crate::notional::ratio;
use crate::partner::Severity;
use crate::vocab::CapKind;
use crate::wire::OrderCap;
use rust_decimal::Decimal;

/// `part / whole` to four places; `None` when `whole` is not positive.
pub fn rate(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO).then(|| ratio(part, whole))
}

fn count_rate(part: u64, whole: u64) -> Option<Decimal> {
    rate(Decimal::from(part), Decimal::from(whole))
}

/// The approved daily band over a period: the band × the period's days
/// (`minutes / 1440`, exact). `None` without a band.
pub fn band_over(daily_band: Option<Decimal>, period_minutes: u64) -> Option<Decimal> {
    daily_band.map(|band| band * Decimal::from(period_minutes) / Decimal::from(1440u64))
}

/// Quote utilization: quoted volume / the approved band over the period.
pub fn quote_utilization(quoted_volume: Decimal, band: Option<Decimal>) -> Option<Decimal> {
    band.and_then(|b| rate(quoted_volume, b))
}

/// Execution utilization: settled volume / the approved band over the period.
pub fn execution_utilization(settled_volume: Decimal, band: Option<Decimal>) -> Option<Decimal> {
    band.and_then(|b| rate(settled_volume, b))
}

/// Reserved utilization: reserved amount / the partner-visible available balance.
pub fn reserved_utilization(reserved: Decimal, available: Option<Decimal>) -> Option<Decimal> {
    available.and_then(|a| rate(reserved, a))
}

/// Failure utilization: failed quote attempts / all quote attempts.
pub fn failure_utilization(failed_attempts: u64, attempts: u64) -> Option<Decimal> {
    count_rate(failed_attempts, attempts)
}

/// Quote success rate: attempts answered with a price / all quote attempts.
pub fn quote_success_rate(answered: u64, attempts: u64) -> Option<Decimal> {
    count_rate(answered, attempts)
}

/// Accepted-quote rate: accepted quotes / firm quotes offered.
pub fn accepted_quote_rate(accepted: u64, firm_quotes: u64) -> Option<Decimal> {
    count_rate(accepted, firm_quotes)
}

/// The program's launch limits (`PROGRAM_FIRST_ORDER_LIMIT`, `PROGRAM_ORDER_LIMIT`),
/// both on an order's stablecoin leg.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LaunchLimits {
    pub first_order_limit: Option<Decimal>,
    pub order_limit: Option<Decimal>,
}

impl LaunchLimits {
    /// The cap on the next order of a user who has (`false`) or has not yet (`true`)
    /// placed an order: the lower of the per-order cap and, for a first order, the
    /// first-order cap. A tie names the first-order cap (what the user is told is why).
    pub fn cap(&self, first_order: bool) -> Option<OrderCap> {
        let first = self.first_order_limit.filter(|_| first_order).map(|limit_usdt| OrderCap { limit_usdt, kind: CapKind::FirstOrder });
        let every = self.order_limit.map(|limit_usdt| OrderCap { limit_usdt, kind: CapKind::Order });
        match (first, every) {
            (Some(f), Some(e)) => Some(if e.limit_usdt < f.limit_usdt { e } else { f }),
            (f, e) => f.or(e),
        }
    }
}

/// Whether an order's stablecoin leg goes over its cap.
pub fn over_cap(leg: Decimal, cap: Option<&OrderCap>) -> bool {
    cap.is_some_and(|c| leg > c.limit_usdt)
}

/// What one more order may draw now: the partner's available balance of the pool's
/// stablecoin and today's band headroom (approved − used, never below zero), the lower.
/// `None` when neither is known: the guardrail then lets 0Pools decide.
pub fn capacity(available: Option<Decimal>, band: Option<(Decimal, Decimal)>) -> Option<Decimal> {
    let headroom = band.map(|(approved, used)| (approved - used).max(Decimal::ZERO));
    match (available, headroom) {
        (Some(a), Some(h)) => Some(a.min(h)),
        (a, h) => a.or(h),
    }
}

/// Whether an order of `leg` fits what the partner can draw now.
pub fn fits(leg: Decimal, capacity: Option<Decimal>) -> bool {
    capacity.is_none_or(|c| leg <= c)
}

/// When the guardrail alerts fire. Counts are over the alert window (an hour) and the
/// one before it (for rises) or the day before it (for the acceptance baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardrailThresholds {
    /// Limit errors in the window before a rise can alert at all.
    pub limit_errors_at_least: u64,
    /// Firm quotes in the window and in the baseline before acceptance can alert.
    pub firm_quotes_at_least: u64,
    /// The fall, in rate points (0.20 = 20 points), that alerts.
    pub acceptance_drop: Decimal,
    /// Reserved utilization that warns, and that is critical.
    pub reserved_warning: Decimal,
    pub reserved_critical: Decimal,
}

impl Default for GuardrailThresholds {
    fn default() -> Self {
        GuardrailThresholds {
            limit_errors_at_least: 5,
            firm_quotes_at_least: 10,
            acceptance_drop: Decimal::new(20, 2),
            reserved_warning: Decimal::new(50, 2),
            reserved_critical: Decimal::new(80, 2),
        }
    }
}

/// Limit errors rising: at least the threshold in this window, and at least twice the
/// window before's (a steady trickle is not a rise).
pub fn limit_errors_rising(now: u64, before: u64, t: &GuardrailThresholds) -> bool {
    now >= t.limit_errors_at_least && now >= before.saturating_mul(2)
}

/// The accepted-quote rate falling: this window's rate at least `acceptance_drop` below
/// the baseline's, each over enough firm quotes to mean something. Answers the two
/// rates (now, baseline) when it is.
pub fn acceptance_falling(now: (u64, u64), baseline: (u64, u64), t: &GuardrailThresholds) -> Option<(Decimal, Decimal)> {
    if now.1 < t.firm_quotes_at_least || baseline.1 < t.firm_quotes_at_least {
        return None;
    }
    let (current, usual) = (accepted_quote_rate(now.0, now.1)?, accepted_quote_rate(baseline.0, baseline.1)?);
    (usual - current >= t.acceptance_drop).then_some((current, usual))
}

/// How severe a reserved utilization is, if at all.
pub fn reserved_severity(utilization: Option<Decimal>, t: &GuardrailThresholds) -> Option<Severity> {
    match utilization? {
        u if u >= t.reserved_critical => Some(Severity::Critical),
        u if u >= t.reserved_warning => Some(Severity::Warning),
        _ => None,
    }
}

/// One approved pool's recent answers, for the unavailability decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolAnswers {
    pub pool_id: String,
    pub unavailable: u64,
    pub answers: u64,
    /// 0Pools lists it as available now.
    pub listed_available: bool,
}

/// A pool whose unavailable answers spike, and the approved pools a user could be
/// offered instead (listed available, not spiking themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spike {
    pub pool_id: String,
    pub unavailable: u64,
    pub answers: u64,
    pub alternates: Vec<String>,
}

impl Spike {
    /// Concentrated in this pool (others answer) is a warning: the product can show an
    /// alternate; every pool spiking at once is critical.
    pub fn severity(&self) -> Severity {
        if self.alternates.is_empty() {
            Severity::Critical
        } else {
            Severity::Warning
        }
    }
}

/// Pools answering unavailable at least `at_least` times and at least half the time.
pub fn unavailability_spikes(pools: &[PoolAnswers], at_least: u64) -> Vec<Spike> {
    let spiking = |p: &PoolAnswers| p.unavailable >= at_least && p.unavailable * 2 >= p.answers;
    pools
        .iter()
        .filter(|p| spiking(p))
        .map(|p| Spike {
            pool_id: p.pool_id.clone(),
            unavailable: p.unavailable,
            answers: p.answers,
            alternates: pools
                .iter()
                .filter(|o| o.pool_id != p.pool_id && o.listed_available && !spiking(o))
                .map(|o| o.pool_id.clone())
                .collect(),
        })
        .collect()
}

mod readiness;
pub use readiness::*;

#[cfg(test)]
mod tests;
