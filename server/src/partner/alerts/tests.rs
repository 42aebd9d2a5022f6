//! The alert rules, each alone, on facts made up here.

use super::*;

fn thresholds() -> AlertThresholds {
    AlertThresholds { unavailable_at_least: 5, balance_below: "1000.00".parse().unwrap(), ..AlertThresholds::default() }
}

fn balance(asset: &str, available: &str) -> AssetBalance {
    AssetBalance {
        asset: asset.into(),
        available: available.parse().unwrap(),
        reserved: Default::default(),
        updated_at: chrono::Utc::now(),
    }
}

fn kinds(alerts: &[ActiveAlert]) -> Vec<(AlertKind, &str)> {
    alerts.iter().map(|a| (a.kind, a.subject.as_str())).collect()
}

/// An event the partner's backend has not taken after 8 attempts (out of retries).
fn undelivered_event() -> crate::store::PartnerEventRow {
    crate::store::PartnerEventRow {
        event_id: "evt_qw_4".into(),
        checkout_id: "chk_4".into(),
        trade_id: "pt_4".into(),
        status: quote_core::vocab::TradeStatus::Settled,
        body: "{}".into(),
        created_at: "2026-11-28T10:02:00.000Z".into(),
        attempts: 8,
        next_attempt_at: "2026-11-28T10:10:00.000Z".into(),
        delivered_at: None,
        last_error: Some("partner answered 500".into()),
    }
}

#[test]
fn nothing_wrong_raises_nothing() {
    let facts = Facts { balances: Ok(vec![balance("USDT", "1000.00")]), ..Facts::default() };
    assert!(active(&facts, &thresholds()).is_empty(), "a balance at the threshold is not below it");
}

#[test]
fn a_spike_names_the_approved_alternates_and_is_critical_without_one() {
    let t = thresholds();
    let facts = |unavailability: Vec<(&str, i64, i64)>, listed: Vec<(&str, bool)>| Facts {
        unavailability: unavailability.into_iter().map(|(p, u, a)| (p.to_owned(), u, a)).collect(),
        listed_available: listed.into_iter().map(|(p, up)| (p.to_owned(), up)).collect(),
        ..Facts::default()
    };
    let listed = vec![("EUR-USDT", true), ("USD-USDC", true), ("GBP-USDT", false)];
    assert!(unavailable_spikes(&facts(vec![("EUR-USDT", 4, 4)], listed.clone()), &t).is_empty(), "too few, though all");
    assert!(unavailable_spikes(&facts(vec![("EUR-USDT", 5, 11)], listed.clone()), &t).is_empty(), "enough, but under half");
    let spikes = unavailable_spikes(&facts(vec![("EUR-USDT", 5, 10), ("USD-USDC", 0, 8)], listed.clone()), &t);
    assert_eq!(kinds(&spikes), [(AlertKind::UnavailableSpike, "EUR-USDT")]);
    assert_eq!(spikes[0].severity, Severity::Warning, "concentrated in one pool");
    assert_eq!(
        spikes[0].message,
        "5 of 10 answers for EUR-USDT were unavailable in the last 15 minutes: offer an approved alternate (USD-USDC) or pause it."
    );
    let everywhere = unavailable_spikes(&facts(vec![("EUR-USDT", 5, 10), ("USD-USDC", 6, 6)], listed), &t);
    assert_eq!(everywhere.len(), 2);
    assert!(everywhere.iter().all(|a| a.severity == Severity::Critical && a.message.contains("no approved pool is answering")));
}

#[test]
fn guardrails_alert_on_rising_limit_errors_falling_acceptance_and_high_reservation() {
    let t = thresholds();
    let rising = limit_errors_rising("EUR-USDT", 8, 3, &t).expect("more than doubled");
    assert_eq!((rising.kind, rising.severity), (AlertKind::LimitErrorsRising, Severity::Warning));
    assert!(
        rising.message.starts_with("8 quote attempts for EUR-USDT hit a limit in the last 60 minutes (3 in the 60 before)"),
        "{}",
        rising.message
    );
    assert!(limit_errors_rising("EUR-USDT", 8, 5, &t).is_none());
    let falling = acceptance_falling("EUR-USDT", (10, 40), (45, 90), &t).expect("25 points down");
    assert!(
        falling
            .message
            .starts_with("EUR-USDT: 25 % of firm quotes were accepted in the last 60 minutes, against 50 % in the 24 hours before"),
        "{}",
        falling.message
    );
    assert!(acceptance_falling("EUR-USDT", (14, 40), (45, 90), &t).is_none());
    let b = |available: &str, reserved: &str| AssetBalance { reserved: reserved.parse().unwrap(), ..balance("USDT", available) };
    assert!(reserved_utilization_high(&b("10000", "4999"), &t).is_none());
    let warning = reserved_utilization_high(&b("10000", "5000"), &t).unwrap();
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(
        warning.message,
        "USDT reserved 5,000.00 is 50 % of the 10,000.00 available: watch settlement before raising volume, and top up if it keeps growing."
    );
    assert_eq!(reserved_utilization_high(&b("10000", "8000"), &t).unwrap().severity, Severity::Critical);
    assert!(reserved_utilization_high(&b("0", "8000"), &t).is_none(), "nothing available: no ratio (balance_low says so)");
}

#[test]
fn every_fact_becomes_its_alert_in_a_stable_order() {
    let facts = Facts {
        reserved_too_long: vec![("pt_1".into(), "2026-11-28T10:00:00.000Z".into())],
        unavailability: vec![("EUR-USDT".into(), 6, 6), ("USD-USDC".into(), 1, 9)],
        listed_available: vec![("EUR-USDT".into(), true), ("USD-USDC".into(), true)],
        webhook_failures: 2,
        ledger_exceptions: vec![("pt_2".into(), None)],
        accepts_open: vec![("pq_3".into(), Some("2026-11-28T10:01:00.000Z".into()))],
        balances: Ok(vec![balance("USDT", "999.99"), balance("USDC", "25000")]),
        // Out of retries; failing but young (listed, not alerted); past the threshold.
        undelivered_events: vec![
            undelivered_event(),
            crate::store::PartnerEventRow {
                event_id: "evt_qw_5".into(),
                attempts: 1,
                created_at: "2026-11-28T10:06:00.000Z".into(),
                ..undelivered_event()
            },
            crate::store::PartnerEventRow {
                event_id: "evt_qw_6".into(),
                attempts: 1,
                created_at: "2026-11-28T09:00:00.000Z".into(),
                ..undelivered_event()
            },
        ],
        undelivered_before: "2026-11-28T10:05:00.000Z".into(),
        limit_errors: Vec::new(),
        acceptance: Vec::new(),
    };
    let alerts = active(&facts, &thresholds());
    assert_eq!(
        kinds(&alerts),
        [
            (AlertKind::TradeReservedTooLong, "pt_1"),
            (AlertKind::UnavailableSpike, "EUR-USDT"),
            (AlertKind::WebhookVerificationFailures, "/webhooks/0pools"),
            (AlertKind::LedgerException, "pt_2"),
            (AlertKind::AcceptStuck, "pq_3"),
            (AlertKind::PartnerWebhookUndelivered, "evt_qw_4"),
            (AlertKind::PartnerWebhookUndelivered, "evt_qw_6"),
            (AlertKind::BalanceLow, "USDT"),
        ]
    );
    assert_eq!(alerts[0].since.as_deref(), Some("2026-11-28T10:00:00.000Z"));
    assert_eq!(alerts[3].message, "Trade pt_2 disagrees with the ledger: see its evidence.");
    assert!(
        alerts[5].message.starts_with("Your backend has not received the settled event of trade pt_4 after 8 attempts"),
        "{}",
        alerts[5].message
    );
    assert_eq!(alerts[7].message, "USDT available 999.99 is below 1,000.00: top up before users see the lane run dry.");
    let severities: Vec<_> = alerts.iter().map(|a| a.severity).collect();
    use Severity::*;
    assert_eq!(severities, [Warning, Warning, Critical, Critical, Critical, Critical, Critical, Warning]);
}

#[test]
fn an_unreadable_balance_is_an_alert_of_its_own() {
    let facts = Facts { balances: Err("Timeout".into()), ..Facts::default() };
    let alerts = active(&facts, &thresholds());
    assert_eq!(kinds(&alerts), [(AlertKind::BalanceUnknown, "balances")]);
    assert_eq!(alerts[0].message, "0Pools' balance could not be read (Timeout).");
}
