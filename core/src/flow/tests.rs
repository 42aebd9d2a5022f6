//! The flow state machine's tests: every transition, with time passed in.

use super::*;
use proptest::prelude::*;

fn terms(target: &str, rate: &str) -> QuoteTerms {
    QuoteTerms {
        pool_id: "EUR-USDT".into(),
        side: crate::vocab::Side::Buy,
        source_asset: "EUR".into(),
        source_amount: "100.00".parse().unwrap(),
        target_asset: "USDT".into(),
        target_amount: target.parse().unwrap(),
        rate: rate.parse().unwrap(),
        spread_bps: "35".parse().unwrap(),
        fee_bps: "20".parse().unwrap(),
        network: Some("tron".into()),
        destination_address: Some("T1".into()),
        created_at: "2026-01-01T00:00:00.000Z".into(),
        expires_at: Some("2026-01-01T00:00:15.000Z".into()),
        executable: true,
    }
}

fn firm_view() -> QuoteView {
    QuoteView {
        available: true,
        quote_type: Some(crate::vocab::QuoteType::Firm),
        quote_id: Some("pq_1".into()),
        terms: Some(terms("107.40", "1.074060")),
        unavailable_reason: None,
        retry_after_ms: None,
        server_time: "2026-01-01T00:00:00.000Z".into(),
    }
}

const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn trade(status: &str) -> TradeView {
    TradeView {
        trade_id: "pt_1".into(),
        quote_id: "pq_1".into(),
        status: crate::vocab::TradeStatus::parse(status).unwrap(),
        pool_id: "EUR-USDT".into(),
        side: crate::vocab::Side::Buy,
        source_asset: "EUR".into(),
        source_amount: "100.00".parse().unwrap(),
        target_asset: "USDT".into(),
        target_amount: "107.40".parse().unwrap(),
        network: "tron".into(),
        destination_address: "T1".into(),
        created_at: String::new(),
        updated_at: String::new(),
        partner_reference: None,
        terms_mismatch: None,
        server_time: String::new(),
    }
}

#[test]
fn a_conversion_in_another_tab_ends_every_offer_here() {
    let quoted = || {
        let mut s = Stage::Form;
        s.lock();
        s.locked(&firm_view(), T0, T0 + 100);
        assert!(matches!(s, Stage::Quoted(_)));
        s
    };
    let other = TradeView { trade_id: "pt_other".into(), ..trade("reserved") };
    for mut s in [Stage::Form, quoted(), Stage::Problem(Problem::Network)] {
        s.converted_elsewhere(other.clone());
        assert_eq!(s, Stage::Pending(other.clone()));
        assert!(!s.accept_enabled(T0 + 200), "no Accept once the checkout converted");
    }
    let mut accepting = quoted();
    assert!(accepting.accept(T0 + 200).is_some());
    accepting.converted_elsewhere(TradeView { status: crate::vocab::TradeStatus::Settled, ..other.clone() });
    assert!(matches!(accepting, Stage::Finished(ref t) if t.trade_id == "pt_other"));
    // The trade this tab follows: only forward.
    let mut settled = Stage::Finished(trade("settled"));
    settled.converted_elsewhere(trade("reserved"));
    assert_eq!(settled, Stage::Finished(trade("settled")));
    let mut pending = Stage::Pending(trade("reserved"));
    pending.converted_elsewhere(trade("settled"));
    assert_eq!(pending, Stage::Finished(trade("settled")));
}

#[test]
fn walks_the_happy_path() {
    let mut s = Stage::Form;
    assert!(s.lock());
    s.locked(&firm_view(), T0, T0);
    assert_eq!(s.display(T0), Display::Active);
    assert_eq!(s.display(T0 + 10_001), Display::ExpiringSoon);
    assert_eq!(s.accept(T0 + 11_000).as_deref(), Some("pq_1"));
    assert_eq!(s.accept(T0 + 11_001), None, "a second click sends nothing");
    assert_eq!(s.display(T0), Display::Accepting);
    s.trade(trade("reserved"));
    assert_eq!(s.display(T0), Display::Pending);
    s.trade(trade("settled"));
    assert_eq!(s.display(T0), Display::Settled);
    s.trade(trade("reserved"));
    assert_eq!(s.display(T0), Display::Settled, "never backwards");
}

#[test]
fn expiry_disables_accept_and_refresh_shows_what_changed() {
    let mut s = Stage::Form;
    s.lock();
    s.locked(&firm_view(), T0, T0);
    assert!(s.accept_enabled(T0 + 14_999));
    assert!(!s.accept_enabled(T0 + 15_000));
    assert_eq!(s.display(T0 + 15_000), Display::Expired);
    assert_eq!(s.accept(T0 + 15_000), None);
    assert!(s.lock());
    let mut fresh = firm_view();
    fresh.terms = Some(terms("107.38", "1.073880"));
    s.locked(&fresh, T0 + 16_000, T0 + 16_000);
    let Stage::Quoted(q) = &s else { panic!() };
    let diff = changes(q.replaced.as_ref().unwrap(), &q.terms);
    assert_eq!(diff[0], TermChange { label: Copy::YouReceive, before: "107.40".parse().unwrap(), after: "107.38".parse().unwrap() });
    assert_eq!(diff.iter().map(|c| c.label).collect::<Vec<_>>(), [Copy::YouReceive, Copy::Rate]);
    // The same value written with more places is no change.
    let mut same = q.terms.clone();
    same.target_amount = "107.3800".parse().unwrap();
    assert!(changes(&q.terms, &same).is_empty());
}

#[test]
fn unavailable_and_refusals() {
    let mut s = Stage::Form;
    s.lock();
    let mut view = firm_view();
    view.available = false;
    view.terms = None;
    view.unavailable_reason = Some(crate::vocab::UnavailableReason::PoolDry);
    view.retry_after_ms = Some(10_000);
    s.locked(&view, T0, T0);
    assert!(matches!(&s, Stage::Unavailable(u) if u.reason == "pool_dry" && u.retry_after_ms == 10_000));
    s.lock();
    s.locked(&firm_view(), T0, T0);
    s.accept(T0);
    s.accept_refused(&ErrorCode::parse("quote_expired"), None);
    assert_eq!(s.display(T0), Display::Expired);
    s.lock();
    s.locked(&firm_view(), T0, T0);
    s.accept(T0);
    s.accept_refused(&ErrorCode::parse("quote_rejected"), None);
    assert_eq!(s, Stage::Problem(Problem::QuoteGone));
    s.lock();
    s.locked(&firm_view(), T0, T0);
    s.accept(T0);
    s.accept_refused(&ErrorCode::parse("accept_failed"), Some("pq_test_1"));
    assert_eq!(s, Stage::Problem(Problem::AcceptFailed { support_id: "pq_test_1".into() }), "a definite failure names its support id");
    s.lock();
    s.locked(&firm_view(), T0, T0);
    s.accept(T0);
    s.accept_refused(&ErrorCode::parse("network"), None);
    s.accept_refused(&ErrorCode::parse("accept_pending"), None);
    s.accept_refused(&ErrorCode::parse("accept_in_progress"), None);
    assert_eq!(s.display(T0 + 60_000), Display::Accepting, "an unknown outcome never offers a new quote");
    assert!(!s.clone().lock(), "nor can a new quote be locked meanwhile");
}

#[test]
fn the_live_region_speaks_at_marks_only() {
    assert_eq!(crossed_mark(Some(31), 30), Some(30));
    assert_eq!(crossed_mark(Some(30), 29), None);
    assert_eq!(crossed_mark(Some(12), 9), Some(10));
    assert_eq!(crossed_mark(Some(6), 5), Some(5));
    assert_eq!(crossed_mark(Some(5), 4), None);
    // A quote that just appeared with 14 s left crossed no mark (it used to say "30 seconds").
    assert_eq!(crossed_mark(None, 14), None);
    // A tab hidden from 31 s to 9 s speaks the mark that is still true.
    assert_eq!(crossed_mark(Some(31), 9), Some(10));
}

proptest! {
    /// For any clock offset and any moment, the displayed seconds never exceed the
    /// true remaining time, and Accept is never enabled after expiry.
    #[test]
    fn countdown_is_never_generous(
        device_skew in -3_600_000i64..3_600_000,
        latency in 0i64..5_000,
        elapsed in -1_000i64..40_000,
    ) {
        // The true (server) clock starts at T0; the device clock is off by `device_skew`.
        let sent_device = T0 - device_skew;
        let received_device = sent_device + latency;
        let mut s = Stage::Form;
        s.lock();
        let mut view = firm_view();
        view.server_time = chrono::DateTime::from_timestamp_millis(T0 + latency / 2).unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        s.locked(&view, sent_device, received_device);
        let Stage::Quoted(q) = &s else { panic!("quoted") };
        let true_now = T0 + latency + elapsed;
        let device_now = true_now - device_skew;
        let true_remaining = q.expires_at_ms - true_now;
        let shown_ms = q.seconds_left(device_now) as i64 * 1000;
        // The offset estimate is exact to within the rounding of the midpoint.
        prop_assert!(shown_ms <= true_remaining.max(0) + 1);
        if true_remaining < -1 {
            prop_assert!(!s.accept_enabled(device_now));
        }
    }
}

fn pool(id: &str, available: bool) -> PoolView {
    PoolView {
        pool_id: id.into(),
        source_asset: "EUR".into(),
        target_asset: "USDT".into(),
        sides: vec![crate::vocab::Side::Buy],
        networks: vec!["tron".into()],
        min_order_usdt: "10".parse().unwrap(),
        max_order_usdt: None,
        available,
    }
}

#[test]
fn an_alternate_pool_is_offered_only_when_the_pool_is_not_locked_and_one_is_available() {
    let pools = [pool("EUR-USDT", true), pool("USD-USDT", false), pool("USD-USDC", true)];
    assert_eq!(alternate_pool(&pools, "EUR-USDT", false).map(|p| p.pool_id), Some("USD-USDC".into()));
    assert_eq!(alternate_pool(&pools, "EUR-USDT", true), None, "a checkout bound to its pool is offered no other");
    assert_eq!(alternate_pool(&pools[..2], "EUR-USDT", false), None, "none available");
}

#[test]
fn an_unavailable_pool_is_an_unavailable_state_that_waits_longer_and_backs_off() {
    let mut stage = Stage::Form;
    assert!(stage.lock());
    stage.pool_unavailable(T0, None);
    let Stage::Unavailable(u) = &stage else { panic!("{stage:?}") };
    assert_eq!((u.retry_after_ms, u.attempt, u.at_ms), (POOL_UNAVAILABLE_RETRY_MS, 0, T0));
    assert_eq!(u.reason.as_str(), "pool_unavailable");
    assert!(stage.lock());
    stage.pool_unavailable(T0 + 30_000, Some(0));
    let Stage::Unavailable(u) = &stage else { panic!("{stage:?}") };
    assert_eq!(u.attempt, 1, "a retry backs off further");
    let mut quoted = Stage::Form;
    quoted.pool_unavailable(T0, None);
    assert_eq!(quoted, Stage::Form, "only a lock in flight becomes unavailable");
}

#[test]
fn pools_are_stale_after_thirty_seconds() {
    assert!(!pools_stale(T0, T0 + 29_999));
    assert!(pools_stale(T0, T0 + 30_000));
}
