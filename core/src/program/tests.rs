use super::*;
use crate::vocab::{ChecklistItem, FundingModel, ReadinessState};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_four_utilizations_are_the_pages_formulas_on_hand_computed_cases() {
    // A day's band of 200,000.00 over a 6-hour period is 50,000.00.
    let band = band_over(Some(d("200000.00")), 360);
    assert_eq!(band, Some(d("50000.00")));
    // 12,345.67 quoted of 50,000 = 0.24691… → 0.2469.
    assert_eq!(quote_utilization(d("12345.67"), band), Some(d("0.2469")));
    // 9,000.00 settled of 50,000 = 0.18.
    assert_eq!(execution_utilization(d("9000.00"), band), Some(d("0.18")));
    // 4,250.00 reserved of 12,800.00 available = 0.33203… → 0.332.
    assert_eq!(reserved_utilization(d("4250.00"), Some(d("12800.00"))), Some(d("0.332")));
    // 3 failed of 7 attempts = 0.428571… → 0.4286.
    assert_eq!(failure_utilization(3, 7), Some(d("0.4286")));
    assert_eq!(quote_success_rate(4, 7), Some(d("0.5714")), "the complement, rounded on its own");
    assert_eq!(accepted_quote_rate(37, 96), Some(d("0.3854")));
    // A 7-day window is seven bands.
    assert_eq!(band_over(Some(d("1000")), 7 * 1440), Some(d("7000")));
}

#[test]
fn an_empty_period_and_a_zero_or_missing_band_have_no_rate_rather_than_zero() {
    assert_eq!(failure_utilization(0, 0), None, "no attempts, no failure rate");
    assert_eq!(quote_success_rate(0, 0), None);
    assert_eq!(accepted_quote_rate(0, 0), None);
    assert_eq!(quote_utilization(Decimal::ZERO, band_over(Some(Decimal::ZERO), 1440)), None, "a zero band");
    assert_eq!(execution_utilization(d("5"), None), None, "no band");
    assert_eq!(reserved_utilization(d("5"), Some(Decimal::ZERO)), None, "nothing available");
    assert_eq!(reserved_utilization(d("5"), None), None);
    // A measured zero stays zero.
    assert_eq!(quote_utilization(Decimal::ZERO, Some(d("100"))), Some(Decimal::ZERO));
    assert_eq!(failure_utilization(0, 3), Some(Decimal::ZERO));
}

#[test]
fn the_cap_is_the_lower_of_the_first_order_and_the_per_order_caps() {
    let both = LaunchLimits { first_order_limit: Some(d("500.00")), order_limit: Some(d("2000.00")) };
    assert_eq!(both.cap(true), Some(OrderCap { limit_usdt: d("500.00"), kind: CapKind::FirstOrder }));
    assert_eq!(both.cap(false), Some(OrderCap { limit_usdt: d("2000.00"), kind: CapKind::Order }), "after a first order");
    let tight = LaunchLimits { first_order_limit: Some(d("500.00")), order_limit: Some(d("300.00")) };
    assert_eq!(tight.cap(true).unwrap().kind, CapKind::Order, "the pilot cap is lower still");
    let tie = LaunchLimits { first_order_limit: Some(d("500")), order_limit: Some(d("500.00")) };
    assert_eq!(tie.cap(true).unwrap().kind, CapKind::FirstOrder);
    assert_eq!(LaunchLimits::default().cap(true), None);
    let cap = both.cap(true);
    assert!(!over_cap(d("500.00"), cap.as_ref()), "the cap itself is allowed");
    assert!(over_cap(d("500.01"), cap.as_ref()));
    assert!(!over_cap(d("1000000"), None));
}

#[test]
fn capacity_is_the_lower_of_the_balance_and_the_bands_headroom() {
    assert_eq!(capacity(Some(d("12800.00")), Some((d("200000.00"), d("195000.00")))), Some(d("5000.00")));
    assert_eq!(capacity(Some(d("800.00")), Some((d("200000.00"), d("1000.00")))), Some(d("800.00")));
    assert_eq!(capacity(None, Some((d("100"), d("150")))), Some(Decimal::ZERO), "a band used past its end has no headroom");
    assert_eq!(capacity(Some(d("10")), None), Some(d("10")));
    assert_eq!(capacity(None, None), None);
    assert!(fits(d("5000.00"), Some(d("5000.00"))));
    assert!(!fits(d("5000.01"), Some(d("5000.00"))));
    assert!(fits(d("999999"), None), "unknown capacity: 0Pools decides");
}

#[test]
fn guardrail_alerts_fire_on_rises_falls_and_high_reservation_only() {
    let t = GuardrailThresholds::default();
    assert!(limit_errors_rising(5, 0, &t));
    assert!(limit_errors_rising(8, 4, &t), "doubled");
    assert!(!limit_errors_rising(7, 4, &t), "not doubled");
    assert!(!limit_errors_rising(4, 0, &t), "too few to mean anything");
    // 10 of 40 now (0.25) against 45 of 90 usually (0.5): 25 points down.
    assert_eq!(acceptance_falling((10, 40), (45, 90), &t), Some((d("0.25"), d("0.5"))));
    assert_eq!(acceptance_falling((14, 40), (45, 90), &t), None, "0.35 is 15 points down");
    assert_eq!(acceptance_falling((0, 9), (45, 90), &t), None, "too few firm quotes now");
    assert_eq!(acceptance_falling((0, 40), (4, 9), &t), None, "too few in the baseline");
    assert_eq!(reserved_severity(Some(d("0.4999")), &t), None);
    assert_eq!(reserved_severity(Some(d("0.5")), &t), Some(Severity::Warning));
    assert_eq!(reserved_severity(Some(d("0.8")), &t), Some(Severity::Critical));
    assert_eq!(reserved_severity(None, &t), None);
}

#[test]
fn unavailability_concentrated_in_one_pool_names_the_approved_alternates() {
    let p = |id: &str, unavailable, answers, listed_available| PoolAnswers { pool_id: id.into(), unavailable, answers, listed_available };
    let pools = [p("EUR-USDT", 7, 9, true), p("USD-USDC", 0, 12, true), p("GBP-USDT", 1, 2, false), p("CHF-USDT", 0, 0, true)];
    let spikes = unavailability_spikes(&pools, 5);
    assert_eq!(spikes.len(), 1);
    assert_eq!(spikes[0].alternates, ["USD-USDC", "CHF-USDT"], "listed available and not spiking; GBP-USDT is not listed available");
    assert_eq!(spikes[0].severity(), Severity::Warning);
    let everywhere = [p("EUR-USDT", 7, 9, true), p("USD-USDC", 6, 6, true)];
    let spikes = unavailability_spikes(&everywhere, 5);
    assert_eq!(spikes.len(), 2);
    assert!(spikes.iter().all(|s| s.alternates.is_empty() && s.severity() == Severity::Critical));
    assert!(unavailability_spikes(&[p("EUR-USDT", 4, 4, true)], 5).is_empty(), "below the count");
    assert!(unavailability_spikes(&[p("EUR-USDT", 5, 11, true)], 5).is_empty(), "below half");
}

fn ready_facts() -> ReadinessFacts {
    ReadinessFacts {
        approved_pools: Some(vec!["EUR-USDT".into()]),
        listed_pools: Some(vec![("EUR-USDT".into(), Some(d("5000.00"))), ("USD-USDC".into(), None)]),
        limits: LaunchLimits { first_order_limit: Some(d("500.00")), order_limit: None },
        funding_model: FundingModel::Prefunded,
        balances: Some(vec![("USDT".into(), d("12800.00"))]),
        balance_alert_below: d("1000"),
        webhooks_verified_24h: 3,
        webhook_failures_1h: 0,
        partner_endpoint: Some("shop.example".into()),
        last_partner_delivery: Some(("2026-06-28T20:14:31.000Z".into(), true)),
        metrics_scraped_secs_ago: Some(30),
        alerts_read_secs_ago: None,
        console_configured: true,
        runbook_url: "https://shop.example/runbook".into(),
        runbook_check: Some((60, true)),
        second_trades: 0,
        trades_reconciled: 12,
        open_ledger_exceptions: 0,
        ledger_synced_secs_ago: Some(45),
        copy_strings: 80,
        copy_approved: 6,
    }
}

fn state_of(facts: &ReadinessFacts, item: ChecklistItem) -> ReadinessState {
    facts.checklist().into_iter().find(|e| e.item == item).unwrap().state
}

#[test]
fn every_flag_is_ready_only_on_its_evidence() {
    let facts = ready_facts();
    let list = facts.checklist();
    assert_eq!(list.len(), 11);
    for item in [ChecklistItem::Funding, ChecklistItem::Webhooks, ChecklistItem::Monitoring, ChecklistItem::Support] {
        assert!(flag(&list, item), "{item:?}: {list:#?}");
    }
    assert!(list.iter().all(|e| e.state != ReadinessState::NotReady), "{list:#?}");
    assert!(list.iter().filter(|e| e.state == ReadinessState::Ready).all(|e| e.action.is_none()));
    assert_eq!(facts.enabled_lanes(), ["EUR-USDT"]);

    // Each flag falls with its own evidence, and says what to do.
    let not_ready = |change: &dyn Fn(&mut ReadinessFacts), item: ChecklistItem| {
        let mut f = ready_facts();
        change(&mut f);
        let e = f.checklist().into_iter().find(|e| e.item == item).unwrap();
        assert_eq!(e.state, ReadinessState::NotReady, "{e:?}");
        assert!(e.action.as_deref().is_some_and(|a| !a.is_empty()), "{e:?}");
    };
    not_ready(&|f| f.balances = Some(vec![("USDT".into(), d("999.99"))]), ChecklistItem::Funding);
    not_ready(&|f| f.balances = None, ChecklistItem::Funding);
    not_ready(&|f| f.partner_endpoint = None, ChecklistItem::Webhooks);
    not_ready(&|f| f.last_partner_delivery = None, ChecklistItem::Webhooks);
    not_ready(&|f| f.last_partner_delivery = Some(("t".into(), false)), ChecklistItem::Webhooks);
    not_ready(&|f| f.metrics_scraped_secs_ago = Some(MONITORING_RECENT_SECS + 1), ChecklistItem::Monitoring);
    not_ready(&|f| f.metrics_scraped_secs_ago = None, ChecklistItem::Monitoring);
    not_ready(&|f| f.console_configured = false, ChecklistItem::Support);
    not_ready(&|f| f.runbook_check = Some((60, false)), ChecklistItem::Support);
    not_ready(&|f| f.runbook_check = Some((RUNBOOK_CHECK_FRESH_SECS + 1, true)), ChecklistItem::Runbook);
    not_ready(&|f| f.approved_pools = Some(vec!["GBP-USDT".into()]), ChecklistItem::Entitlements);
    not_ready(&|f| f.listed_pools = None, ChecklistItem::Entitlements);
    not_ready(&|f| f.approved_pools = Some(vec!["USD-USDC".into()]), ChecklistItem::Limits);
    not_ready(&|f| f.webhook_failures_1h = 1, ChecklistItem::SignedWebhooks);
    not_ready(&|f| f.webhooks_verified_24h = 0, ChecklistItem::SignedWebhooks);
    not_ready(&|f| f.second_trades = 1, ChecklistItem::IdempotentAccepts);
    not_ready(&|f| f.open_ledger_exceptions = 2, ChecklistItem::LedgerReconciles);
    not_ready(&|f| f.ledger_synced_secs_ago = None, ChecklistItem::LedgerReconciles);

    // The partner's backend reading alerts is monitoring too.
    let mut polled = ready_facts();
    (polled.metrics_scraped_secs_ago, polled.alerts_read_secs_ago) = (None, Some(120));
    assert_eq!(state_of(&polled, ChecklistItem::Monitoring), ReadinessState::Ready);
    // A per-order cap covers pools 0Pools does not cap.
    let mut capped = ready_facts();
    capped.approved_pools = Some(vec!["USD-USDC".into()]);
    capped.limits.order_limit = Some(d("1000"));
    assert_eq!(state_of(&capped, ChecklistItem::Limits), ReadinessState::Ready);
}

#[test]
fn what_only_a_person_can_confirm_is_to_review_never_ready() {
    let mut facts = ready_facts();
    assert_eq!(state_of(&facts, ChecklistItem::ApprovedMessaging), ReadinessState::ToReview);
    facts.approved_pools = None;
    assert_eq!(state_of(&facts, ChecklistItem::Entitlements), ReadinessState::ToReview, "every listed pool offered, unreviewed");
    assert_eq!(facts.approved(), ["EUR-USDT", "USD-USDC"]);
    facts.funding_model = FundingModel::SettlementCycle;
    let list = facts.checklist();
    assert_eq!(state_of(&facts, ChecklistItem::Funding), ReadinessState::ToReview);
    assert!(!flag(&list, ChecklistItem::Funding), "a flag is ready only when proven");
}
