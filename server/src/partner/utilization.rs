//! Partner-visible utilization, rebuilt from stored rows only (quote outcomes and
//! trades), per pool, for a window and in time buckets for a graph. Pure: the API
//! loads the rows, this counts and sums them (exact decimals), and tests check the
//! figures against a scripted sequence.
//!
//! Definitions (each figure is attached to its period):
//! - `quote_requests`: indicative and firm requests answered in the period (refusals
//!   included); `firm_quotes`: firm requests answered with an executable quote.
//! - `accepted_quotes`: distinct quotes accepted; `expired_quotes`: firm quotes that
//!   expired unaccepted.
//! - `unavailable_rate`: unavailable answers / answers (available or not);
//!   `quote_success_rate`: attempts answered with a price / all attempts, and
//!   `failure_utilization` its complement (failed attempts / all attempts);
//!   `accepted_quote_rate`: accepted quotes / firm quotes (the formulas are
//!   `quote_core::program`'s, the pages' own).
//! - `quoted_volume`: stablecoin legs of firm quotes answered with a price;
//!   `settled_volume`: the same figure as `settled_notional`, under the page's name.
//! - `ledger_exception_count`: trades created in the period whose ledger rows disagree.
//! - `reserved_notional`: stablecoin legs of trades reserved at the period's end;
//!   `settled_` / `failed_` / `released_notional`: legs of trades that reached that
//!   status in the period.
//! - `availability_minutes`: minutes of the period (up to now) in which the pool did
//!   not answer only "unavailable" (a minute without requests counts as available).

use crate::store::OutcomeRow;
use crate::zeropools::types::TradeStatus;
use chrono::{DateTime, Duration, DurationRound, Utc};
use quote_core::program;
use quote_core::vocab::{Outcome, OutcomeSubject};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The period asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub label: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Duration,
}

/// Longest custom period.
const MAX_SPAN_DAYS: i64 = 31;

/// Why a period was refused, naming the parameter to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// A value that does not read (the API's schema says what reads): 400.
    Unreadable(&'static str, String),
    /// Values that read but do not fit together (backwards, too long, both kinds): 422.
    Conflict(&'static str, String),
}

impl WindowError {
    pub fn field(&self) -> &'static str {
        match self {
            WindowError::Unreadable(field, _) | WindowError::Conflict(field, _) => field,
        }
    }
}

impl Window {
    /// One end of a period: an RFC 3339 time.
    pub fn time(field: &'static str, text: &str) -> Result<DateTime<Utc>, WindowError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| WindowError::Unreadable(field, format!("{field} must be an RFC 3339 time such as 2026-06-28T00:00:00Z.")))
    }

    /// `1h`, `24h` (the default), `7d`, or `from`/`to` (RFC 3339), ending at `to`,
    /// else `now`.
    pub fn parse(window: Option<&str>, from: Option<&str>, to: Option<&str>, now: DateTime<Utc>) -> Result<Window, WindowError> {
        let time = Window::time;
        match (window, from, to) {
            (Some(w), None, to) => {
                let (span, bucket) = match w {
                    "1h" => (Duration::hours(1), Duration::minutes(5)),
                    "24h" => (Duration::hours(24), Duration::hours(1)),
                    "7d" => (Duration::days(7), Duration::hours(6)),
                    _ => return Err(WindowError::Unreadable("window", "window must be 1h, 24h or 7d (or give from and to).".into())),
                };
                let end = match to {
                    Some(t) => time("to", t)?,
                    None => now,
                };
                Ok(Window { label: w.to_owned(), from: end - span, to: end, bucket })
            }
            (None, Some(f), t) => {
                let to = match t {
                    Some(t) => time("to", t)?,
                    None => now,
                };
                Window::between(time("from", f)?, to)
            }
            (None, None, to) => Window::parse(Some("24h"), None, to, now),
            (Some(_), Some(_), _) => Err(WindowError::Conflict("window", "Give either window or from (and to), not both.".into())),
        }
    }

    /// A custom period `[from, to)`: forwards, at most [`MAX_SPAN_DAYS`] long.
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Window, WindowError> {
        if to <= from {
            return Err(WindowError::Conflict("to", "to must be after from.".into()));
        }
        let span = to - from;
        if span > Duration::days(MAX_SPAN_DAYS) {
            return Err(WindowError::Conflict("from", format!("A period may span at most {MAX_SPAN_DAYS} days.")));
        }
        let bucket = if span <= Duration::hours(2) {
            Duration::minutes(5)
        } else if span <= Duration::days(2) {
            Duration::hours(1)
        } else {
            Duration::hours(6)
        };
        Ok(Window { label: "custom".into(), from, to, bucket })
    }
}

/// A trade as utilization needs it.
#[derive(Debug, Clone)]
pub struct TradeLeg {
    pub pool_id: String,
    pub status: TradeStatus,
    /// The stablecoin leg.
    pub leg: Decimal,
    pub created_at: DateTime<Utc>,
    pub terminal_at: Option<DateTime<Utc>>,
    /// Its ledger rows disagree with it (reconciliation `exception`).
    pub exception: bool,
}

pub use quote_core::partner::{Bucket, Figures, Period, PoolUtilization};

fn stamp(t: DateTime<Utc>) -> String {
    crate::store::timestamp(t)
}

fn ratio(part: u64, whole: u64) -> Decimal {
    quote_core::notional::ratio(Decimal::from(part), Decimal::from(whole))
}

/// An outcome row's stablecoin notional (a damaged one counts as none, logged).
fn notional_of(o: &OutcomeRow) -> Decimal {
    let Some(text) = o.notional_usdt.as_deref() else { return Decimal::ZERO };
    crate::store::stored::decimal(text, "quote_outcomes.notional_usdt", o.quote_id.as_deref().unwrap_or(&o.pool_id)).unwrap_or_default()
}

/// An outcome row this report counts, with its time read once (not once per bucket).
struct Counted<'a> {
    at: DateTime<Utc>,
    row: &'a OutcomeRow,
}

/// The rows of `pool` this build can count: in words it knows, at a time it can read
/// (a damaged one is logged and left out).
fn counted<'a>(outcomes: &'a [OutcomeRow], pool: &str) -> Vec<Counted<'a>> {
    outcomes
        .iter()
        .filter(|o| o.pool_id == pool && understood(o))
        .filter_map(|row| {
            Some(Counted {
                at: crate::store::stored::time(&row.at, "quote_outcomes.at", row.quote_id.as_deref().unwrap_or(&row.pool_id))?,
                row,
            })
        })
        .collect()
}

/// A row in words this build knows. One with a word a newer replica stored is not
/// counted at all, in figures or in availability.
fn understood(o: &OutcomeRow) -> bool {
    !matches!(o.subject, OutcomeSubject::Other(_)) && !matches!(o.outcome, Outcome::Other(_))
}

fn figures(outcomes: &[Counted<'_>], trades: &[&TradeLeg], from: DateTime<Utc>, to: DateTime<Utc>) -> Figures {
    let mut f = Figures::default();
    let mut accepted = BTreeSet::new();
    let (mut available, mut unavailable) = (0, 0);
    for o in outcomes.iter().filter(|o| (from..to).contains(&o.at)).map(|o| o.row) {
        // A quote request's answer (an expiry is a later row about a firm quote).
        let answered_request = matches!(o.subject, OutcomeSubject::Indicative | OutcomeSubject::Firm) && o.outcome != Outcome::Expired;
        if answered_request {
            f.quote_requests += 1;
            if o.subject == OutcomeSubject::Indicative {
                f.indicative_requests += 1;
            } else {
                f.firm_requests += 1;
            }
        }
        match &o.outcome {
            Outcome::Available => {
                available += 1;
                if o.subject == OutcomeSubject::Firm {
                    f.firm_quotes += 1;
                    f.quoted_volume += notional_of(o);
                }
            }
            Outcome::Unavailable => {
                unavailable += 1;
                *f.unavailable_reasons.entry(o.reason.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
            }
            Outcome::LimitError => f.limit_errors += 1,
            Outcome::RateLimited => f.rate_limited += 1,
            Outcome::Expired => f.expired_quotes += 1,
            Outcome::Accepted => {
                accepted.insert(o.quote_id.clone().unwrap_or_default());
            }
            _ => {}
        }
    }
    f.accepted_quotes = accepted.len() as u64;
    f.unavailable_answers = unavailable;
    f.unavailable_rate = ratio(unavailable, available + unavailable);
    // Every available answer answers a request (both are rows of the same kinds).
    f.failed_quote_attempts = f.quote_requests.saturating_sub(available);
    f.quote_success_rate = program::quote_success_rate(available, f.quote_requests);
    f.failure_utilization = program::failure_utilization(f.failed_quote_attempts, f.quote_requests);
    f.accepted_quote_rate = program::accepted_quote_rate(f.accepted_quotes, f.firm_quotes);
    for t in trades {
        if t.exception && (from..to).contains(&t.created_at) {
            f.ledger_exception_count += 1;
        }
        let reserved_at_end = t.created_at < to && t.terminal_at.is_none_or(|e| e >= to);
        if reserved_at_end {
            f.reserved_notional += t.leg;
        }
        if t.terminal_at.is_some_and(|end| (from..to).contains(&end)) {
            match t.status {
                TradeStatus::Settled => {
                    f.settled_notional += t.leg;
                    f.settled_volume += t.leg;
                }
                TradeStatus::Failed => f.failed_notional += t.leg,
                TradeStatus::Released => f.released_notional += t.leg,
                TradeStatus::Reserved => {}
            }
        }
    }
    f
}

fn availability_minutes(outcomes: &[Counted<'_>], from: DateTime<Utc>, to: DateTime<Utc>) -> (u64, u64) {
    let minutes = ((to - from).num_seconds().max(0) / 60) as u64;
    let mut by_minute: BTreeMap<DateTime<Utc>, (bool, bool)> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| (from..to).contains(&o.at)) {
        let minute = o.at.duration_trunc(Duration::minutes(1)).unwrap_or_default();
        let entry = by_minute.entry(minute).or_default();
        match o.row.outcome {
            Outcome::Available => entry.0 = true,
            Outcome::Unavailable => entry.1 = true,
            _ => {}
        }
    }
    let down = by_minute.values().filter(|(up, down)| *down && !*up).count() as u64;
    (minutes.saturating_sub(down), minutes)
}

/// Figures per pool for the window, with buckets; `now` caps availability minutes.
pub fn compute(
    window: &Window,
    pools: &[String],
    outcomes: &[OutcomeRow],
    trades: &[TradeLeg],
    now: DateTime<Utc>,
) -> Vec<PoolUtilization> {
    pools
        .iter()
        .map(|pool| {
            let mine = counted(outcomes, pool);
            let legs: Vec<&TradeLeg> = trades.iter().filter(|t| &t.pool_id == pool).collect();
            let mut buckets = Vec::new();
            let mut start = window.from;
            while start < window.to {
                let end = (start + window.bucket).min(window.to);
                buckets.push(Bucket { period: Period { from: stamp(start), to: stamp(end) }, figures: figures(&mine, &legs, start, end) });
                start = end;
            }
            let (availability_minutes, period_minutes) = availability_minutes(&mine, window.from, window.to.min(now).max(window.from));
            PoolUtilization {
                pool_id: pool.clone(),
                period: Period { from: stamp(window.from), to: stamp(window.to) },
                figures: figures(&mine, &legs, window.from, window.to),
                availability_minutes,
                period_minutes,
                buckets,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn o(at: &str, quote_type: &str, outcome: &str, reason: Option<&str>, quote_id: Option<&str>) -> OutcomeRow {
        OutcomeRow {
            at: at.into(),
            pool_id: "EUR-USDT".into(),
            subject: OutcomeSubject::parse(quote_type),
            outcome: Outcome::parse(outcome),
            reason: reason.map(str::to_owned),
            quote_id: quote_id.map(str::to_owned),
            ..OutcomeRow::default()
        }
    }

    fn leg(status: &str, amount: &str, created: &str, terminal: Option<&str>) -> TradeLeg {
        TradeLeg {
            pool_id: "EUR-USDT".into(),
            status: TradeStatus::parse(status).expect("a trade status"),
            leg: Decimal::from_str(amount).unwrap(),
            created_at: t(created),
            terminal_at: terminal.map(t),
            exception: false,
        }
    }

    fn quoted(mut row: OutcomeRow, notional: &str) -> OutcomeRow {
        row.notional_usdt = Some(notional.into());
        row
    }

    #[test]
    fn a_scripted_hour_adds_up_exactly_and_respects_the_window() {
        let window = Window::parse(Some("1h"), None, Some("2026-06-28T13:00:00Z"), t("2026-06-28T13:00:00Z")).unwrap();
        assert_eq!(window.from, t("2026-06-28T12:00:00Z"));
        let outcomes = vec![
            o("2026-06-28T11:59:59.999Z", "firm", "available", None, Some("pq_old")), // before the window
            o("2026-06-28T12:00:00.000Z", "indicative", "available", None, None),
            o("2026-06-28T12:01:00.000Z", "indicative", "unavailable", Some("pool_dry"), None),
            o("2026-06-28T12:01:30.000Z", "firm", "unavailable", Some("pool_dry"), None),
            quoted(o("2026-06-28T12:02:00.000Z", "firm", "available", None, Some("pq_1")), "107.42"),
            o("2026-06-28T12:02:05.000Z", "accept", "accepted", None, Some("pq_1")),
            o("2026-06-28T12:02:06.000Z", "accept", "accepted", None, Some("pq_1")), // a repeat: same quote
            o("2026-06-28T12:03:00.000Z", "firm", "limit_error", Some("amount_out_of_limits"), None),
            quoted(o("2026-06-28T12:04:00.000Z", "firm", "available", None, Some("pq_2")), "53.71"),
            o("2026-06-28T12:04:20.000Z", "firm", "expired", None, Some("pq_2")),
            o("2026-06-28T12:40:00.000Z", "indicative", "unavailable", Some("maintenance"), None),
            // Words this build does not know (stored by a newer replica) count as nothing.
            o("2026-06-28T12:41:00.000Z", "streaming", "available", None, None),
            o("2026-06-28T12:42:00.000Z", "firm", "deferred", None, None),
            o("2026-06-28T12:40:30.000Z", "streaming", "available", None, None), // would make the down minute 12:40 an up one
            o("2026-06-28T13:00:00.000Z", "firm", "available", None, Some("pq_late")), // the window's end is exclusive
        ];
        let trades = vec![
            leg("settled", "107.42", "2026-06-28T12:02:05Z", Some("2026-06-28T12:02:08Z")),
            leg("released", "50.00", "2026-06-28T12:10:00Z", Some("2026-06-28T12:10:03Z")),
            TradeLeg { exception: true, ..leg("reserved", "12.34", "2026-06-28T12:50:00Z", None) },
            leg("settled", "999.99", "2026-06-28T10:00:00Z", Some("2026-06-28T10:00:03Z")), // settled before the window
        ];
        let pool = &compute(&window, &["EUR-USDT".into()], &outcomes, &trades, t("2026-06-28T13:30:00Z"))[0];
        let f = &pool.figures;
        assert_eq!((f.quote_requests, f.indicative_requests, f.firm_requests), (7, 3, 4));
        assert_eq!((f.firm_quotes, f.accepted_quotes, f.expired_quotes, f.limit_errors), (2, 1, 1, 1));
        assert_eq!(f.unavailable_reasons, BTreeMap::from([("pool_dry".to_owned(), 2), ("maintenance".to_owned(), 1)]));
        assert_eq!(f.unavailable_rate.to_string(), "0.5", "3 unavailable of 6 answers");
        // The pages' formulas, by hand: 3 answered of 7 attempts, so 4 failed; 1 accepted
        // of 2 firm quotes; 107.42 + 53.71 quoted.
        assert_eq!(f.quote_success_rate.map(|r| r.to_string()).as_deref(), Some("0.4286"), "3 available of 7 requests");
        assert_eq!(f.failed_quote_attempts, 4);
        assert_eq!(f.failure_utilization.map(|r| r.to_string()).as_deref(), Some("0.5714"));
        assert_eq!(f.accepted_quote_rate.map(|r| r.to_string()).as_deref(), Some("0.5"));
        assert_eq!(f.quoted_volume.to_string(), "161.13");
        assert_eq!(f.settled_volume, f.settled_notional);
        assert_eq!(f.ledger_exception_count, 1, "the reserved trade's rows disagree");
        assert_eq!(
            (f.settled_notional.to_string(), f.released_notional.to_string(), f.reserved_notional.to_string()),
            ("107.42".into(), "50.00".into(), "12.34".into())
        );
        assert_eq!(f.failed_notional, Decimal::ZERO);
        // Minute 12:01 and minute 12:40 answered only "unavailable".
        assert_eq!((pool.availability_minutes, pool.period_minutes), (58, 60));
        assert_eq!(pool.buckets.len(), 12);
        assert_eq!(pool.buckets[0].figures.quote_requests, 6);
        assert_eq!(pool.buckets[0].figures.settled_notional.to_string(), "107.42");
        assert_eq!(pool.buckets[2].figures.released_notional.to_string(), "50.00");
        assert_eq!(pool.buckets[8].figures.unavailable_answers, 1);
        assert_eq!(pool.buckets[10].figures.reserved_notional.to_string(), "12.34", "reserved at the bucket's end");
        assert_eq!(pool.buckets[9].figures.reserved_notional, Decimal::ZERO);
        let total: u64 = pool.buckets.iter().map(|b| b.figures.quote_requests).sum();
        assert_eq!(total, f.quote_requests, "buckets add up to the window");
        // A bucket with no attempts has no rates, not zero ones.
        assert_eq!(pool.buckets[5].figures.quote_requests, 0);
        assert_eq!((pool.buckets[5].figures.quote_success_rate, pool.buckets[5].figures.failure_utilization), (None, None));
    }

    #[test]
    fn windows_parse_or_say_what_to_fix() {
        let now = t("2026-06-28T13:00:00Z");
        assert_eq!(Window::parse(Some("7d"), None, None, now).unwrap().from, t("2026-06-21T13:00:00Z"));
        assert_eq!(Window::parse(None, None, None, now).unwrap().label, "24h");
        let custom = Window::parse(None, Some("2026-06-28T00:00:00Z"), Some("2026-06-28T06:00:00Z"), now).unwrap();
        assert_eq!((custom.label.as_str(), custom.bucket), ("custom", Duration::hours(1)));
        let to_alone = Window::parse(None, None, Some("2026-06-28T06:00:00Z"), now).unwrap();
        assert_eq!((to_alone.label.as_str(), to_alone.from), ("24h", t("2026-06-27T06:00:00Z")), "to alone ends a default window");
        for (w, f, to, field, conflict) in [
            (Some("2h"), None, None, "window", false),
            (None, Some("yesterday"), None, "from", false),
            (None, Some("2026-06-28T06:00:00Z"), Some("2026-06-28T00:00:00Z"), "to", true),
            (None, Some("2026-01-01T00:00:00Z"), Some("2026-06-28T00:00:00Z"), "from", true),
            (Some("1h"), Some("2026-06-28T00:00:00Z"), None, "window", true),
        ] {
            let error = Window::parse(w, f, to, now).unwrap_err();
            assert_eq!((error.field(), matches!(error, WindowError::Conflict(..))), (field, conflict), "{w:?} {f:?} {to:?}");
        }
    }
}
