//! What needs a person now. The facts are read from the store and 0Pools' balances
//! each time (so an alert clears by itself when its condition ends); each rule is a
//! pure function of those facts and the partner's thresholds, tested alone.

use crate::config::AlertThresholds;
use crate::store::{self, Db};
use crate::trading::partner_webhooks::ATTEMPTS_BEFORE_ALERT;
use crate::zeropools::balances::AssetBalance;
use crate::zeropools::UpstreamClient;
use quote_core::display::{amount, Locale};
use quote_core::partner::{ActiveAlert, AlertKind, Severity};
use std::time::Duration;

/// The facts the rules judge.
#[derive(Debug)]
pub struct Facts {
    /// Trades still reserved since before the threshold: (trade id, created at).
    pub reserved_too_long: Vec<(String, String)>,
    /// Per pool in the window: (pool id, unavailable answers, all answers).
    pub unavailability: Vec<(String, i64, i64)>,
    /// Webhook signature failures in the window.
    pub webhook_failures: i64,
    /// Trades the ledger disagrees with: (trade id, reason).
    pub ledger_exceptions: Vec<(String, Option<String>)>,
    /// Accepts unconfirmed since before the threshold: (quote id, accepted at).
    pub accepts_open: Vec<(String, Option<String>)>,
    /// 0Pools' balances, or why they could not be read.
    pub balances: Result<Vec<AssetBalance>, String>,
    /// Partner webhooks not delivered yet that failed at least once or are past the
    /// threshold (listed for the console; alerted on after their retries or then).
    pub undelivered_events: Vec<store::PartnerEventRow>,
    /// Events created before this (RFC 3339) are past the threshold.
    pub undelivered_before: String,
}

/// Nothing wrong: no rows, balances read and empty.
impl Default for Facts {
    fn default() -> Self {
        Facts {
            reserved_too_long: Vec::new(),
            unavailability: Vec::new(),
            webhook_failures: 0,
            ledger_exceptions: Vec::new(),
            accepts_open: Vec::new(),
            balances: Ok(Vec::new()),
            undelivered_events: Vec::new(),
            undelivered_before: String::new(),
        }
    }
}

fn ago(d: Duration) -> String {
    store::timestamp(chrono::Utc::now() - d)
}

fn minutes(d: Duration) -> u64 {
    d.as_secs() / 60
}

/// Reads the facts for `thresholds`' windows.
pub async fn gather(db: &Db, upstream: &UpstreamClient, t: &AlertThresholds) -> sqlx::Result<Facts> {
    Ok(Facts {
        reserved_too_long: store::reserved_before(db, &ago(t.reserved_longer_than)).await?,
        unavailability: store::unavailability_since(db, &ago(t.unavailable_window)).await?,
        webhook_failures: store::webhook_failures_since(db, &ago(t.webhook_failures_window)).await?,
        ledger_exceptions: store::ledger_exceptions(db).await?,
        accepts_open: store::accepts_open_before(db, &ago(t.accept_open_longer_than)).await?,
        undelivered_events: store::undelivered_partner_events(db, 1, &ago(t.partner_event_older_than), 100).await?,
        undelivered_before: ago(t.partner_event_older_than),
        balances: upstream.balances().await.map(|answer| answer.value.balances).map_err(|e| format!("{:?}", e.kind)),
    })
}

/// Every active alert the facts call for, in a stable order: trades, pools, webhooks,
/// the ledger, accepts, partner webhooks, balances.
pub fn active(facts: &Facts, t: &AlertThresholds) -> Vec<ActiveAlert> {
    let mut active: Vec<ActiveAlert> = facts.reserved_too_long.iter().map(|(trade, since)| reserved_too_long(trade, since, t)).collect();
    active
        .extend(facts.unavailability.iter().filter_map(|(pool, unavailable, answers)| unavailable_spike(pool, *unavailable, *answers, t)));
    active.extend(webhook_failures(facts.webhook_failures, t));
    active.extend(facts.ledger_exceptions.iter().map(|(trade, reason)| ledger_exception(trade, reason.as_deref())));
    active.extend(facts.accepts_open.iter().map(|(quote, since)| accept_stuck(quote, since.clone())));
    active.extend(facts.undelivered_events.iter().filter_map(|e| partner_webhook_undelivered(e, &facts.undelivered_before)));
    match &facts.balances {
        Ok(balances) => active.extend(balances.iter().filter_map(|b| balance_low(b, t))),
        Err(why) => active.push(ActiveAlert {
            kind: AlertKind::BalanceUnknown,
            severity: Severity::Warning,
            subject: "balances".into(),
            message: format!("0Pools' balance could not be read ({why})."),
            since: None,
        }),
    }
    active
}

fn reserved_too_long(trade_id: &str, since: &str, t: &AlertThresholds) -> ActiveAlert {
    ActiveAlert {
        kind: AlertKind::TradeReservedTooLong,
        severity: Severity::Warning,
        message: format!(
            "Trade {trade_id} is still reserved after {} minutes: check it with 0Pools before telling the user anything final.",
            minutes(t.reserved_longer_than)
        ),
        subject: trade_id.to_owned(),
        since: Some(since.to_owned()),
    }
}

/// A pool whose answers were unavailable often enough (at least the threshold's count)
/// and mostly enough (at least half) in the window.
fn unavailable_spike(pool_id: &str, unavailable: i64, answers: i64, t: &AlertThresholds) -> Option<ActiveAlert> {
    (unavailable >= t.unavailable_at_least && unavailable * 2 >= answers).then(|| ActiveAlert {
        kind: AlertKind::UnavailableSpike,
        severity: Severity::Warning,
        message: format!(
            "{unavailable} of {answers} answers for {pool_id} were unavailable in the last {} minutes: offer an alternate pool or pause it.",
            minutes(t.unavailable_window)
        ),
        subject: pool_id.to_owned(),
        since: None,
    })
}

/// Any failed signature: a wrong webhook secret silently loses every webhook.
fn webhook_failures(failures: i64, t: &AlertThresholds) -> Option<ActiveAlert> {
    (failures > 0).then(|| ActiveAlert {
        kind: AlertKind::WebhookVerificationFailures,
        severity: Severity::Critical,
        subject: "/webhooks/0pools".into(),
        message: format!(
            "{failures} webhook deliveries failed signature checks in the last {} minutes: check ZEROPOOLS_WEBHOOK_SECRET; trades are still reconciled by status reads.",
            minutes(t.webhook_failures_window)
        ),
        since: None,
    })
}

fn ledger_exception(trade_id: &str, reason: Option<&str>) -> ActiveAlert {
    ActiveAlert {
        kind: AlertKind::LedgerException,
        severity: Severity::Critical,
        message: format!("Trade {trade_id} disagrees with the ledger: {}.", reason.unwrap_or("see its evidence")),
        subject: trade_id.to_owned(),
        since: None,
    }
}

fn accept_stuck(quote_id: &str, since: Option<String>) -> ActiveAlert {
    ActiveAlert {
        kind: AlertKind::AcceptStuck,
        severity: Severity::Critical,
        message: format!("The accept of {quote_id} is still unconfirmed: the widget keeps the user waiting; check the trade with 0Pools."),
        subject: quote_id.to_owned(),
        since,
    }
}

/// The partner's backend has not heard of a trade's status after the retries (or by
/// the threshold): its order may wait on it.
fn partner_webhook_undelivered(event: &store::PartnerEventRow, before: &str) -> Option<ActiveAlert> {
    let overdue = event.attempts >= ATTEMPTS_BEFORE_ALERT || event.created_at.as_str() < before;
    overdue.then(|| ActiveAlert {
        kind: AlertKind::PartnerWebhookUndelivered,
        severity: Severity::Critical,
        message: format!(
            "Your backend has not received the {} event of trade {} after {} attempts (last: {}): check PARTNER_WEBHOOK_URL and that it answers 2xx; retries go on.",
            event.status,
            event.trade_id,
            event.attempts,
            event.last_error.as_deref().unwrap_or("not tried yet")
        ),
        subject: event.event_id.clone(),
        since: Some(event.created_at.clone()),
    })
}

/// An available balance strictly below the threshold.
fn balance_low(b: &AssetBalance, t: &AlertThresholds) -> Option<ActiveAlert> {
    (b.available < t.balance_below).then(|| ActiveAlert {
        kind: AlertKind::BalanceLow,
        severity: Severity::Warning,
        subject: b.asset.clone(),
        message: format!(
            "{} available {} is below {}: top up before users see the lane run dry.",
            b.asset,
            amount(&b.available, Locale::En),
            amount(&t.balance_below, Locale::En)
        ),
        since: None,
    })
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn nothing_wrong_raises_nothing() {
        let facts = Facts { balances: Ok(vec![balance("USDT", "1000.00")]), ..Facts::default() };
        assert!(active(&facts, &thresholds()).is_empty(), "a balance at the threshold is not below it");
    }

    #[test]
    fn a_pool_spikes_only_when_unavailable_answers_are_both_many_and_most() {
        let t = thresholds();
        assert!(unavailable_spike("EUR-USDT", 4, 4, &t).is_none(), "too few, though all");
        assert!(unavailable_spike("EUR-USDT", 5, 11, &t).is_none(), "enough, but under half");
        let spike = unavailable_spike("EUR-USDT", 5, 10, &t).expect("five of ten");
        assert_eq!((spike.kind, spike.severity), (AlertKind::UnavailableSpike, Severity::Warning));
        assert!(spike.message.starts_with("5 of 10 answers for EUR-USDT were unavailable in the last 15 minutes"), "{}", spike.message);
    }

    #[test]
    fn every_fact_becomes_its_alert_in_a_stable_order() {
        let facts = Facts {
            reserved_too_long: vec![("pt_1".into(), "2026-11-28T10:00:00.000Z".into())],
            unavailability: vec![("EUR-USDT".into(), 6, 6), ("USD-USDC".into(), 1, 9)],
            webhook_failures: 2,
            ledger_exceptions: vec![("pt_2".into(), None)],
            accepts_open: vec![("pq_3".into(), Some("2026-11-28T10:01:00.000Z".into()))],
            balances: Ok(vec![balance("USDT", "999.99"), balance("USDC", "25000")]),
            // Out of retries; failing but young (listed, not alerted); past the threshold.
            undelivered_events: vec![
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
                },
                crate::store::PartnerEventRow {
                    event_id: "evt_qw_5".into(),
                    attempts: 1,
                    created_at: "2026-11-28T10:06:00.000Z".into(),
                    ..crate::store::PartnerEventRow {
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
                    .clone()
                },
                crate::store::PartnerEventRow {
                    event_id: "evt_qw_6".into(),
                    attempts: 1,
                    created_at: "2026-11-28T09:00:00.000Z".into(),
                    ..crate::store::PartnerEventRow {
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
                    .clone()
                },
            ],
            undelivered_before: "2026-11-28T10:05:00.000Z".into(),
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
}
