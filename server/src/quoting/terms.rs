//! What 0Pools' quote answer becomes for the widget: its terms with `expires_at` in
//! this server's clock, and when to ask again after an unavailable answer. Pure (the
//! time is passed in), so every clock case is tested here.

use crate::store;
use crate::zeropools::types::{Quote, UnavailableReason};
use chrono::{DateTime, Duration, Utc};
use quote_core::wire::QuoteTerms;

/// Offsets below this are the `Date` header's resolution, not a skew.
const CLOCK_NOISE_MS: i64 = 2_000;
/// Offsets beyond this are a broken `Date` header, not a clock: ignored (and
/// alerted), so one bad header cannot make every quote expire on arrival.
pub(crate) const CLOCK_OFFSET_MAX_MS: i64 = 10 * 60 * 1000;

/// Whether an offset measured from 0Pools' `Date` header is a broken header.
pub(crate) fn offset_is_absurd(clock_offset_ms: i64) -> bool {
    clock_offset_ms.abs() > CLOCK_OFFSET_MAX_MS
}

/// When the widget may sensibly ask again after an unavailable answer.
pub(crate) fn retry_after_ms(reason: &UnavailableReason) -> u64 {
    match reason {
        UnavailableReason::PoolDry => 10_000,
        UnavailableReason::RateUnavailable => 5_000,
        UnavailableReason::NetworkUnavailable => 15_000,
        UnavailableReason::Maintenance => 60_000,
        // A top-up or the next UTC day's band: not seconds away.
        UnavailableReason::Headroom => 60_000,
        UnavailableReason::Busy | UnavailableReason::Other(_) => 10_000,
    }
}

/// `expires_at` in this server's clock. 0Pools stamps it with its own clock; when the
/// offset measured from its `Date` header is beyond that header's one-second
/// resolution, the difference is taken out, so the server (and the widget, which
/// corrects against this server's clock) count down the real window. An absurd
/// offset is a broken header, not a clock: then the quote's own window
/// (`expires_at - created_at`, both in 0Pools' clock) is counted from `now`.
pub(crate) fn local_expiry(q: &Quote, clock_offset_ms: Option<i64>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match clock_offset_ms {
        Some(o) if offset_is_absurd(o) => {
            let window = q.expires_at.map(|e| (e - q.created_at).clamp(Duration::zero(), Duration::milliseconds(CLOCK_OFFSET_MAX_MS)));
            window.map(|w| now + w)
        }
        other => {
            let offset = other.filter(|o| o.abs() >= CLOCK_NOISE_MS).unwrap_or(0);
            q.expires_at.map(|e| e - Duration::milliseconds(offset))
        }
    }
}

/// The terms the widget shows, with `expires_at` as [`local_expiry`] gave it.
pub(crate) fn terms(q: &Quote, expires_at: Option<DateTime<Utc>>) -> QuoteTerms {
    QuoteTerms {
        pool_id: q.pool_id.clone(),
        side: q.side,
        source_asset: q.source_asset.clone(),
        source_amount: q.source_amount,
        target_asset: q.target_asset.clone(),
        target_amount: q.target_amount,
        rate: q.rate,
        spread_bps: q.spread_bps,
        fee_bps: q.fee_bps,
        network: q.network.clone(),
        destination_address: q.destination_address.clone(),
        created_at: store::timestamp(q.created_at),
        expires_at: expires_at.map(store::timestamp),
        executable: q.executable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zeropools::types::{QuoteType, Side};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A firm quote 0Pools stamped at 12:00:00 for a 15 s window, in its own clock.
    fn quote() -> Quote {
        Quote {
            quote_type: QuoteType::Firm,
            quote_id: Some("pq_1".into()),
            pool_id: "EUR-USDT".into(),
            side: Side::Buy,
            source_asset: "EUR".into(),
            source_amount: "100.00".parse().unwrap(),
            target_asset: "USDT".into(),
            target_amount: "107.40".parse().unwrap(),
            rate: "1.074000".parse().unwrap(),
            spread_bps: "35".parse().unwrap(),
            fee_bps: "20".parse().unwrap(),
            network: Some("tron".into()),
            destination_address: None,
            created_at: at("2026-11-28T12:00:00Z"),
            expires_at: Some(at("2026-11-28T12:00:15Z")),
            executable: true,
        }
    }

    #[test]
    fn an_offset_within_the_headers_resolution_changes_nothing() {
        let now = at("2026-11-28T12:00:00.300Z");
        for offset in [None, Some(0), Some(1_999), Some(-1_999)] {
            assert_eq!(local_expiry(&quote(), offset, now), Some(at("2026-11-28T12:00:15Z")), "{offset:?}");
        }
    }

    #[test]
    fn a_real_skew_is_taken_out_of_expires_at() {
        let now = at("2026-11-28T11:59:00Z");
        // 0Pools' clock runs a minute ahead of ours: its 12:00:15 is our 11:59:15.
        assert_eq!(local_expiry(&quote(), Some(60_000), now), Some(at("2026-11-28T11:59:15Z")));
        assert_eq!(local_expiry(&quote(), Some(-2_000), now), Some(at("2026-11-28T12:00:17Z")));
    }

    #[test]
    fn an_absurd_offset_counts_the_quotes_own_window_from_now() {
        let now = at("2026-11-28T15:30:00Z");
        let broken_header = -56 * 365 * 24 * 3_600 * 1_000; // a Date header of 1 January 1970
        assert!(offset_is_absurd(broken_header) && !offset_is_absurd(CLOCK_OFFSET_MAX_MS));
        assert_eq!(local_expiry(&quote(), Some(broken_header), now), Some(at("2026-11-28T15:30:15Z")));
        // A window that is itself absurd is capped, and a negative one is none at all.
        let mut long = quote();
        long.expires_at = Some(at("2026-11-29T12:00:00Z"));
        assert_eq!(local_expiry(&long, Some(broken_header), now), Some(now + Duration::milliseconds(CLOCK_OFFSET_MAX_MS)));
        let mut backwards = quote();
        backwards.expires_at = Some(at("2026-11-28T11:00:00Z"));
        assert_eq!(local_expiry(&backwards, Some(broken_header), now), Some(now));
    }

    #[test]
    fn an_indicative_answer_without_expiry_has_none() {
        let mut preview = quote();
        preview.expires_at = None;
        assert_eq!(local_expiry(&preview, Some(60_000), at("2026-11-28T12:00:00Z")), None);
        assert_eq!(terms(&preview, None).expires_at, None);
    }

    #[test]
    fn terms_carry_every_figure_exactly_and_the_local_expiry() {
        let t = terms(&quote(), Some(at("2026-11-28T11:59:15Z")));
        assert_eq!(
            (t.target_amount.to_string(), t.rate.to_string(), t.spread_bps.to_string()),
            ("107.40".into(), "1.074000".into(), "35".into())
        );
        assert_eq!(t.expires_at.as_deref(), Some("2026-11-28T11:59:15.000Z"));
        assert_eq!(t.created_at, "2026-11-28T12:00:00.000Z", "created_at stays as 0Pools stamped it");
    }

    #[test]
    fn retry_hints_grow_with_how_long_the_condition_lasts() {
        assert_eq!(retry_after_ms(&UnavailableReason::RateUnavailable), 5_000);
        assert_eq!(retry_after_ms(&UnavailableReason::Maintenance), 60_000);
        assert_eq!(retry_after_ms(&UnavailableReason::Other("solar_flare".into())), 10_000);
    }
}
