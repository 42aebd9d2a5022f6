//! What needs a person now. The facts are read from the store and 0Pools' balances
//! each time (so an alert clears by itself when its condition ends); each rule is a
//! pure function of those facts and the partner's thresholds, tested alone (the
//! program's guardrail decisions are `quote_core::program`'s, tested there).

use crate::config::AlertThresholds;
use crate::quoting::Pools;
use crate::store::{self, Db};
use crate::trading::partner_webhooks::ATTEMPTS_BEFORE_ALERT;
use crate::zeropools::balances::AssetBalance;
use crate::zeropools::UpstreamClient;
use quote_core::display::{amount, Locale};
use quote_core::partner::{ActiveAlert, AlertKind, Severity};
use quote_core::program::{self as rules, PoolAnswers};
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
    /// The approved pools 0Pools lists, and whether it lists each available now.
    pub listed_available: Vec<(String, bool)>,
    /// Per pool: limit errors in the guardrail window and in the window before it.
    pub limit_errors: Vec<(String, i64, i64)>,
    /// Per pool: (accepted, firm quotes) in the guardrail window, and in the baseline before it.
    pub acceptance: Vec<store::Acceptance>,
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
            listed_available: Vec::new(),
            limit_errors: Vec::new(),
            acceptance: Vec::new(),
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
pub(crate) async fn gather(db: &Db, upstream: &UpstreamClient, pools: &Pools, t: &AlertThresholds) -> sqlx::Result<Facts> {
    let window = t.guardrail_window;
    // Pools 0Pools cannot list now leave the alternates unnamed, never the alerts unraised.
    let listed_available =
        pools.all().await.map(|l| l.pools.iter().map(|p| (p.pool_id.clone(), p.available)).collect()).unwrap_or_default();
    Ok(Facts {
        listed_available,
        limit_errors: store::limit_errors_in_windows(db, &ago(window * 2), &ago(window)).await?,
        acceptance: store::acceptance_in_windows(db, &ago(window + t.acceptance_baseline), &ago(window)).await?,
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
    active.extend(unavailable_spikes(facts, t));
    active.extend(facts.limit_errors.iter().filter_map(|(pool, now, before)| limit_errors_rising(pool, *now, *before, t)));
    active.extend(facts.acceptance.iter().filter_map(|(pool, now, usual)| acceptance_falling(pool, *now, *usual, t)));
    active.extend(webhook_failures(facts.webhook_failures, t));
    active.extend(facts.ledger_exceptions.iter().map(|(trade, reason)| ledger_exception(trade, reason.as_deref())));
    active.extend(facts.accepts_open.iter().map(|(quote, since)| accept_stuck(quote, since.clone())));
    active.extend(facts.undelivered_events.iter().filter_map(|e| partner_webhook_undelivered(e, &facts.undelivered_before)));
    match &facts.balances {
        Ok(balances) => {
            active.extend(balances.iter().filter_map(|b| balance_low(b, t)));
            active.extend(balances.iter().filter_map(|b| reserved_utilization_high(b, t)));
        }
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

/// Pools whose answers were unavailable often enough (at least the threshold's count)
/// and mostly enough (at least half) in the window. Concentrated in one pool, the
/// alert names the approved pools that answer and is a warning (the product can
/// offer one); every approved pool at once is critical.
fn unavailable_spikes(facts: &Facts, t: &AlertThresholds) -> Vec<ActiveAlert> {
    let mut answers: Vec<PoolAnswers> = facts
        .unavailability
        .iter()
        .map(|(pool, unavailable, answers)| PoolAnswers {
            pool_id: pool.clone(),
            unavailable: (*unavailable).max(0) as u64,
            answers: (*answers).max(0) as u64,
            listed_available: facts.listed_available.iter().any(|(id, up)| id == pool && *up),
        })
        .collect();
    // Approved pools that answered nothing in the window can still be offered.
    for (id, up) in &facts.listed_available {
        if !answers.iter().any(|a| &a.pool_id == id) {
            answers.push(PoolAnswers { pool_id: id.clone(), unavailable: 0, answers: 0, listed_available: *up });
        }
    }
    rules::unavailability_spikes(&answers, t.unavailable_at_least.max(0) as u64)
        .into_iter()
        .map(|spike| {
            let next = if spike.alternates.is_empty() {
                "no approved pool is answering instead: pause large orders and tell users to try later.".to_owned()
            } else {
                format!("offer an approved alternate ({}) or pause it.", spike.alternates.join(", "))
            };
            ActiveAlert {
                kind: AlertKind::UnavailableSpike,
                severity: spike.severity(),
                message: format!(
                    "{} of {} answers for {} were unavailable in the last {} minutes: {next}",
                    spike.unavailable,
                    spike.answers,
                    spike.pool_id,
                    minutes(t.unavailable_window)
                ),
                subject: spike.pool_id,
                since: None,
            }
        })
        .collect()
}

/// Limit errors for a pool at least doubled against the window before.
fn limit_errors_rising(pool_id: &str, now: i64, before: i64, t: &AlertThresholds) -> Option<ActiveAlert> {
    let (now, before) = (now.max(0) as u64, before.max(0) as u64);
    rules::limit_errors_rising(now, before, &t.guardrails).then(|| ActiveAlert {
        kind: AlertKind::LimitErrorsRising,
        severity: Severity::Warning,
        message: format!(
            "{now} quote attempts for {pool_id} hit a limit in the last {} minutes ({before} in the {} before): review the limits shown to users, or ask 0Bit for an account review rather than raising them blindly.",
            minutes(t.guardrail_window),
            minutes(t.guardrail_window)
        ),
        subject: pool_id.to_owned(),
        since: None,
    })
}

/// The accepted-quote rate for a pool fell well below its baseline.
fn acceptance_falling(pool_id: &str, now: (i64, i64), usual: (i64, i64), t: &AlertThresholds) -> Option<ActiveAlert> {
    let counts = |(a, f): (i64, i64)| (a.max(0) as u64, f.max(0) as u64);
    let (current, baseline) = rules::acceptance_falling(counts(now), counts(usual), &t.guardrails)?;
    Some(ActiveAlert {
        kind: AlertKind::AcceptanceFalling,
        severity: Severity::Warning,
        message: format!(
            "{pool_id}: {} of firm quotes were accepted in the last {} minutes, against {} in the {} hours before: review the price display, the expiry countdown and network choice.",
            percent(current),
            minutes(t.guardrail_window),
            percent(baseline),
            t.acceptance_baseline.as_secs() / 3600
        ),
        subject: pool_id.to_owned(),
        since: None,
    })
}

/// What 0Pools holds reserved for this asset, against what is available.
fn reserved_utilization_high(b: &AssetBalance, t: &AlertThresholds) -> Option<ActiveAlert> {
    let utilization = rules::reserved_utilization(b.reserved, Some(b.available));
    let severity = rules::reserved_severity(utilization, &t.guardrails)?;
    Some(ActiveAlert {
        kind: AlertKind::ReservedUtilizationHigh,
        severity,
        subject: b.asset.clone(),
        message: format!(
            "{} reserved {} is {} of the {} available: watch settlement before raising volume, and top up if it keeps growing.",
            b.asset,
            amount(&b.reserved, Locale::En),
            percent(utilization.unwrap_or_default()),
            amount(&b.available, Locale::En)
        ),
        since: None,
    })
}

/// A rate as a person reads it: `0.25` is `25 %`.
fn percent(rate: rust_decimal::Decimal) -> String {
    format!("{} %", (rate * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1).normalize())
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
mod tests;
