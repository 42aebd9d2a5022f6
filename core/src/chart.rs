//! The partner console's graph, as numbers: a "nice" axis ceiling, bar heights in
//! whole pixels, percentages and bucket labels. Exact decimals throughout (no
//! floats), so the same figures always draw the same picture and are testable here.

use crate::partner::{Bucket, Figures};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// What one graph plots per bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    QuoteRequests,
    AcceptedQuotes,
    UnavailableAnswers,
    /// Unavailable answers / answers, in percent.
    UnavailableRate,
    ReservedNotional,
    SettledNotional,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::QuoteRequests => "Quote requests",
            Measure::AcceptedQuotes => "Accepted",
            Measure::UnavailableAnswers => "Unavailable",
            Measure::UnavailableRate => "Unavailable (%)",
            // In the pool's stablecoin, which the graph's heading and summary name.
            Measure::ReservedNotional => "Reserved",
            Measure::SettledNotional => "Settled",
        }
    }

    /// A stable name for styling (`series-…`) and tests.
    pub fn key(self) -> &'static str {
        match self {
            Measure::QuoteRequests => "quotes",
            Measure::AcceptedQuotes => "accepted",
            Measure::UnavailableAnswers => "unavailable",
            Measure::UnavailableRate => "unavailable-rate",
            Measure::ReservedNotional => "reserved",
            Measure::SettledNotional => "settled",
        }
    }

    pub fn of(self, f: &Figures) -> Decimal {
        match self {
            Measure::QuoteRequests => Decimal::from(f.quote_requests),
            Measure::AcceptedQuotes => Decimal::from(f.accepted_quotes),
            Measure::UnavailableAnswers => Decimal::from(f.unavailable_answers),
            Measure::UnavailableRate => (f.unavailable_rate * Decimal::ONE_HUNDRED).normalize(),
            Measure::ReservedNotional => f.reserved_notional,
            Measure::SettledNotional => f.settled_notional,
        }
    }
}

/// The graphs of a pool: counts, the unavailable rate, and notional.
pub const COUNTS: [Measure; 3] = [Measure::QuoteRequests, Measure::AcceptedQuotes, Measure::UnavailableAnswers];
pub const RATE: [Measure; 1] = [Measure::UnavailableRate];
pub const NOTIONAL: [Measure; 2] = [Measure::ReservedNotional, Measure::SettledNotional];

/// The axis ceiling for `measures`: rates are percentages, so their axis is 100
/// whatever the data (a 3 % rate must not fill the graph).
pub fn ceiling_for(measures: &[Measure], max: Decimal) -> Decimal {
    if measures.iter().all(|m| *m == Measure::UnavailableRate) {
        Decimal::ONE_HUNDRED
    } else {
        nice_ceiling(max)
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `max` (1 for nothing), so the axis
/// reads in round numbers.
pub fn nice_ceiling(max: Decimal) -> Decimal {
    if max <= Decimal::ONE {
        return Decimal::ONE;
    }
    let mut step = Decimal::ONE;
    loop {
        for m in [1u32, 2, 5] {
            let candidate = step * Decimal::from(m);
            if candidate >= max {
                return candidate;
            }
        }
        step *= Decimal::TEN;
    }
}

/// `value` as a height out of `full` pixels against `ceiling`: at least 1 px for
/// any non-zero value (so activity is never invisible), never above `full`.
pub fn height(value: Decimal, ceiling: Decimal, full: u32) -> u32 {
    if value <= Decimal::ZERO || ceiling <= Decimal::ZERO {
        return 0;
    }
    let scaled = (value * Decimal::from(full) / ceiling).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    scaled.to_u32().unwrap_or(full).clamp(1, full)
}

/// One drawn bar: which bucket and measure, its height, and the exact value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub bucket: usize,
    pub measure: Measure,
    pub value: Decimal,
    pub height: u32,
}

/// A graph of `measures` over `buckets`, `full` pixels tall: the axis ceiling and
/// every bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub ceiling: Decimal,
    pub bars: Vec<Bar>,
}

pub fn graph(buckets: &[Bucket], measures: &[Measure], full: u32) -> Graph {
    let max = buckets.iter().flat_map(|b| measures.iter().map(move |m| m.of(&b.figures))).max().unwrap_or_default();
    let ceiling = ceiling_for(measures, max);
    let bars = buckets
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            measures.iter().map(move |&m| {
                let value = m.of(&b.figures);
                Bar { bucket: i, measure: m, value, height: height(value, ceiling, full) }
            })
        })
        .collect();
    Graph { ceiling, bars }
}

/// A rate (0–1, 4 decimals) as a percentage: `0.125` → `12.5 %`.
pub fn percent(rate: Decimal) -> String {
    format!("{} %", (rate * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// A rate that may have no denominator: a dash says "no rate", never a zero.
pub fn percent_or_dash(rate: Option<Decimal>) -> String {
    rate.map_or_else(|| "—".to_owned(), percent)
}

/// How a graph names its buckets: the time for buckets within a day or two, the
/// day for daily buckets, and both when sub-day buckets span several days (a week
/// of 6-hour buckets would otherwise repeat the same four times with no date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStyle {
    Time,
    Day,
    DayAndTime,
}

impl LabelStyle {
    /// The style that fits these buckets (in UTC, as the report's periods are).
    pub fn of(buckets: &[Bucket]) -> LabelStyle {
        let date = |b: &Bucket| b.period.from.get(..10).map(str::to_owned);
        let hour = |b: &Bucket| b.period.from.get(11..13).map(str::to_owned);
        if let [a, b, ..] = buckets {
            if date(a) != date(b) && hour(a) == hour(b) {
                return LabelStyle::Day;
            }
        }
        let mut dates: Vec<_> = buckets.iter().filter_map(date).collect();
        dates.dedup();
        if dates.len() > 2 {
            LabelStyle::DayAndTime
        } else {
            LabelStyle::Time
        }
    }

    /// A bucket's label from its start (RFC 3339 text).
    pub fn label(self, from: &str) -> String {
        let (date, time) = from.split_once('T').unwrap_or((from, ""));
        let day = date.get(5..).unwrap_or(date);
        let clock = time.get(..5).unwrap_or(time);
        match self {
            LabelStyle::Time => clock.to_owned(),
            LabelStyle::Day => day.to_owned(),
            LabelStyle::DayAndTime => format!("{day} {clock}"),
        }
    }

    /// The room one label needs along the axis, in the graph's units (10-unit text).
    pub fn room(self) -> u32 {
        match self {
            LabelStyle::Time | LabelStyle::Day => 36,
            LabelStyle::DayAndTime => 66,
        }
    }
}

/// Every how many buckets a label fits, for `slot` units per bucket.
pub fn label_every(style: LabelStyle, slot: u32) -> usize {
    style.room().div_ceil(slot.max(1)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partner::Period;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn bucket(from: &str, quotes: u64, settled: &str) -> Bucket {
        Bucket {
            period: Period { from: from.into(), to: from.into() },
            figures: Figures { quote_requests: quotes, settled_notional: d(settled), ..Figures::default() },
        }
    }

    #[test]
    fn ceilings_are_round_numbers_at_or_above_the_maximum() {
        for (max, ceiling) in
            [("0", "1"), ("1", "1"), ("3", "5"), ("7", "10"), ("10", "10"), ("11", "20"), ("107.42", "200"), ("2500", "5000")]
        {
            assert_eq!(nice_ceiling(d(max)), d(ceiling), "{max}");
        }
    }

    #[test]
    fn bars_scale_to_the_ceiling_and_tiny_values_stay_visible() {
        let buckets = [
            bucket("2026-11-22T10:00:00.000Z", 7, "0"),
            bucket("2026-11-22T11:00:00.000Z", 0, "107.42"),
            bucket("2026-11-22T12:00:00.000Z", 10, "0.01"),
        ];
        let counts = graph(&buckets, &[Measure::QuoteRequests], 100);
        assert_eq!(counts.ceiling, d("10"));
        assert_eq!(counts.bars.iter().map(|b| b.height).collect::<Vec<_>>(), [70, 0, 100]);
        let money = graph(&buckets, &[Measure::SettledNotional], 100);
        assert_eq!(money.ceiling, d("200"));
        assert_eq!(money.bars.iter().map(|b| b.height).collect::<Vec<_>>(), [0, 54, 1]);
        assert_eq!(money.bars[1].value, d("107.42"), "the exact figure travels with its bar");
        assert_eq!(graph(&[], &COUNTS, 100), Graph { ceiling: Decimal::ONE, bars: vec![] });
    }

    #[test]
    fn the_unavailable_rate_is_drawn_in_percent_against_a_full_scale() {
        let mut b = bucket("2026-11-22T10:00:00.000Z", 4, "0");
        b.figures.unavailable_rate = d("0.25");
        let g = graph(&[b], &RATE, 100);
        assert_eq!(g.ceiling, d("100"));
        assert_eq!((g.bars[0].value, g.bars[0].height), (d("25"), 25));
    }

    #[test]
    fn percentages_and_labels() {
        assert_eq!(percent(d("0.125")), "12.5 %");
        assert_eq!(percent(d("1")), "100 %");
        assert_eq!(percent(d("0")), "0 %");
        let hourly = [bucket("2026-11-22T10:00:00.000Z", 0, "0"), bucket("2026-11-22T11:00:00.000Z", 0, "0")];
        let daily = [bucket("2026-11-21T00:00:00.000Z", 0, "0"), bucket("2026-11-22T00:00:00.000Z", 0, "0")];
        let week: Vec<Bucket> =
            (0..28).map(|i| bucket(&format!("2026-11-{:02}T{:02}:50:00.000Z", 15 + i / 4, (i % 4) * 6), 0, "0")).collect();
        assert_eq!(LabelStyle::of(&hourly), LabelStyle::Time);
        assert_eq!(LabelStyle::of(&daily), LabelStyle::Day);
        assert_eq!(LabelStyle::of(&week), LabelStyle::DayAndTime, "a week of 6-hour buckets names the day");
        assert_eq!(LabelStyle::Time.label("2026-11-22T14:00:00.000Z"), "14:00");
        assert_eq!(LabelStyle::Day.label("2026-11-22T00:00:00.000Z"), "11-22");
        assert_eq!(LabelStyle::DayAndTime.label("2026-11-22T06:50:00.000Z"), "11-22 06:50");
        // Labels never crowd: 12 five-minute buckets in 26-unit slots get every other one.
        assert_eq!(label_every(LabelStyle::Time, 26), 2);
        assert_eq!(label_every(LabelStyle::DayAndTime, 11), 6);
        assert_eq!(label_every(LabelStyle::Time, 40), 1);
    }

    proptest! {
        #[test]
        fn no_bar_is_taller_than_the_graph_and_order_is_kept(values in proptest::collection::vec(0u64..1_000_000, 1..30), full in 1u32..400) {
            let buckets: Vec<Bucket> = values.iter().map(|&v| bucket("2026-11-22T10:00:00.000Z", v, "0")).collect();
            let g = graph(&buckets, &[Measure::QuoteRequests], full);
            prop_assert!(g.ceiling >= Decimal::from(*values.iter().max().unwrap()));
            for (a, b) in g.bars.iter().zip(g.bars.iter().skip(1)) {
                prop_assert!(a.height <= full);
                if a.value <= b.value { prop_assert!(a.height <= b.height); }
                if a.value > Decimal::ZERO { prop_assert!(a.height >= 1); }
            }
        }
    }
}
