//! The launch readiness record of 0Pools' pages, derived from evidence: each go-live
//! item is ready only when what the server holds proves it, with that evidence in
//! words and what to do when it is not ready.

use super::LaunchLimits;
use crate::display::{amount, Locale};
use crate::partner::ChecklistEntry;
use crate::vocab::{ChecklistItem, FundingModel, ReadinessState};
use rust_decimal::Decimal;

/// What the server holds that proves (or not) each go-live item. Times are what the
/// server recorded; "recent" judgements are made here, against `now`.
#[derive(Debug, Clone, Default)]
pub struct ReadinessFacts {
    /// `PROGRAM_APPROVED_POOLS`, or `None` when unset (every listed pool).
    pub approved_pools: Option<Vec<String>>,
    /// What 0Pools lists now (`None`: discovery failed): id and its maximum order.
    pub listed_pools: Option<Vec<(String, Option<Decimal>)>>,
    pub limits: LaunchLimits,
    pub funding_model: FundingModel,
    /// The approved pools' stablecoins and the available balance of each (`None`:
    /// 0Pools could not be asked).
    pub balances: Option<Vec<(String, Decimal)>>,
    pub balance_alert_below: Decimal,
    /// 0Pools webhooks verified in the last day, signature failures in the last hour.
    pub webhooks_verified_24h: u64,
    pub webhook_failures_1h: u64,
    /// The partner's endpoint (its host only), and its last delivery attempt: when, and
    /// whether it answered 2xx.
    pub partner_endpoint: Option<String>,
    pub last_partner_delivery: Option<(String, bool)>,
    /// Seconds since the metrics were last scraped with the metrics token, and since the
    /// partner's backend last read the alerts; `None`: never.
    pub metrics_scraped_secs_ago: Option<i64>,
    pub alerts_read_secs_ago: Option<i64>,
    pub console_configured: bool,
    /// The runbook's address and its last check: (seconds ago, answered 2xx).
    pub runbook_url: String,
    pub runbook_check: Option<(i64, bool)>,
    /// Recorded second trades for one checkout (duplicate accepts that did not collapse).
    pub second_trades: u64,
    /// Trades reconciled so far, exceptions among them not resolved, and seconds since
    /// the ledger was last mirrored (`None`: never).
    pub trades_reconciled: u64,
    pub open_ledger_exceptions: u64,
    pub ledger_synced_secs_ago: Option<i64>,
    /// Strings of the widget's English deck, and how many are 0Pools' approved wording.
    pub copy_strings: usize,
    pub copy_approved: usize,
}

/// How recent "recently" is for monitoring evidence, and for the runbook's check.
pub const MONITORING_RECENT_SECS: i64 = 15 * 60;
pub const RUNBOOK_CHECK_FRESH_SECS: i64 = 60 * 60;
/// The ledger mirror is current when pulled within this.
pub const LEDGER_FRESH_SECS: i64 = 10 * 60;

fn entry(item: ChecklistItem, ready: bool, evidence: String, action: &str) -> ChecklistEntry {
    ChecklistEntry {
        item,
        label: item.label().to_owned(),
        state: if ready { ReadinessState::Ready } else { ReadinessState::NotReady },
        evidence,
        action: (!ready).then(|| action.to_owned()),
    }
}

fn ago(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s ago"),
        s if s < 7200 => format!("{} min ago", s / 60),
        s => format!("{} h ago", s / 3600),
    }
}

impl ReadinessFacts {
    /// The approved pools: configured, or every listed one.
    pub fn approved(&self) -> Vec<String> {
        match (&self.approved_pools, &self.listed_pools) {
            (Some(approved), _) => approved.clone(),
            (None, Some(listed)) => listed.iter().map(|(id, _)| id.clone()).collect(),
            (None, None) => Vec::new(),
        }
    }

    /// The approved pools 0Pools lists now.
    pub fn enabled_lanes(&self) -> Vec<String> {
        let listed = self.listed_pools.as_deref().unwrap_or_default();
        self.approved().into_iter().filter(|id| listed.iter().any(|(l, _)| l == id)).collect()
    }

    fn funding(&self) -> ChecklistEntry {
        if self.funding_model == FundingModel::SettlementCycle {
            return ChecklistEntry {
                item: ChecklistItem::Funding,
                label: ChecklistItem::Funding.label().to_owned(),
                state: ReadinessState::ToReview,
                evidence: "Funded by settlement cycle: no prefunded balance to check.".into(),
                action: Some("Confirm the settlement cycle and its top-up instructions with 0Bit.".into()),
            };
        }
        let action = "Top up the balance above the alert threshold (ALERT_BALANCE_BELOW) before going live.";
        let Some(balances) = &self.balances else {
            return entry(ChecklistItem::Funding, false, "0Pools' balances could not be read.".into(), action);
        };
        if balances.is_empty() {
            return entry(ChecklistItem::Funding, false, "0Pools reports no balance for the approved pools' stablecoins.".into(), action);
        }
        let low: Vec<_> = balances.iter().filter(|(_, available)| *available < self.balance_alert_below).collect();
        let listed =
            balances.iter().map(|(asset, available)| format!("{asset} available {}", usd(available))).collect::<Vec<_>>().join(", ");
        let evidence = format!("{listed} (alert below {}).", usd(&self.balance_alert_below));
        entry(ChecklistItem::Funding, low.is_empty(), evidence, action)
    }

    fn webhooks(&self) -> ChecklistEntry {
        let Some(endpoint) = &self.partner_endpoint else {
            return entry(
                ChecklistItem::Webhooks,
                false,
                "No partner webhook endpoint is configured.".into(),
                "Set PARTNER_WEBHOOK_URL and PARTNER_WEBHOOK_SECRET so your backend learns each outcome.",
            );
        };
        match &self.last_partner_delivery {
            None => entry(
                ChecklistItem::Webhooks,
                false,
                format!("Events go to {endpoint}; none has been delivered yet."),
                "Complete one order in the sandbox and check that your endpoint answers 2xx.",
            ),
            Some((at, ok)) => entry(
                ChecklistItem::Webhooks,
                *ok,
                format!("Last delivery to {endpoint} at {at}: {}.", if *ok { "verified and answered 2xx" } else { "not answered 2xx" }),
                "Make your endpoint verify the signature and answer 2xx (the console lists undelivered events).",
            ),
        }
    }

    fn monitoring(&self) -> ChecklistEntry {
        let recent = |s: &Option<i64>| s.is_some_and(|s| s <= MONITORING_RECENT_SECS);
        let evidence = match (self.metrics_scraped_secs_ago, self.alerts_read_secs_ago) {
            (None, None) => "Metrics have never been scraped and the alerts never read by your backend.".to_owned(),
            (m, a) => [m.map(|s| format!("metrics scraped {}", ago(s))), a.map(|s| format!("alerts read by your backend {}", ago(s)))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
        };
        let ready = recent(&self.metrics_scraped_secs_ago) || recent(&self.alerts_read_secs_ago);
        entry(
            ChecklistItem::Monitoring,
            ready,
            format!("{}{}", capitalized(&evidence), if evidence.ends_with('.') { "" } else { "." }),
            "Scrape /metrics with METRICS_TOKEN, or poll GET /api/partner/alerts from your backend (at least every 15 minutes).",
        )
    }

    fn runbook_ok(&self) -> bool {
        self.runbook_check.is_some_and(|(secs, ok)| ok && secs <= RUNBOOK_CHECK_FRESH_SECS)
    }

    fn runbook(&self) -> ChecklistEntry {
        let evidence = match self.runbook_check {
            None => format!("{} has not been checked yet.", self.runbook_url),
            Some((secs, ok)) => {
                format!("{} {} when checked {}.", self.runbook_url, if ok { "answered 2xx" } else { "did not answer 2xx" }, ago(secs))
            }
        };
        entry(
            ChecklistItem::Runbook,
            self.runbook_ok(),
            evidence,
            "Publish the runbook where support reads it and set SUPPORT_RUNBOOK_URL to it.",
        )
    }

    fn support(&self) -> ChecklistEntry {
        let console = if self.console_configured { "the partner console has a sign-in" } else { "no partner console credential is set" };
        let runbook = if self.runbook_ok() { "the runbook is reachable" } else { "the runbook is not reachable" };
        entry(
            ChecklistItem::Support,
            self.console_configured && self.runbook_ok(),
            format!("{}; {runbook}.", capitalized(console)),
            "Set CONSOLE_USER and CONSOLE_PASSWORD_HASH for support, and SUPPORT_RUNBOOK_URL to a reachable runbook.",
        )
    }

    fn entitlements(&self) -> ChecklistEntry {
        let Some(listed) = &self.listed_pools else {
            return entry(
                ChecklistItem::Entitlements,
                false,
                "0Pools' pools could not be read.".into(),
                "Check the secret key and 0Pools' status.",
            );
        };
        let approved = self.approved();
        let missing: Vec<_> = approved.iter().filter(|id| !listed.iter().any(|(l, _)| l == *id)).cloned().collect();
        let hidden: Vec<_> = listed.iter().map(|(id, _)| id.clone()).filter(|id| !approved.contains(id)).collect();
        if !missing.is_empty() {
            return entry(
                ChecklistItem::Entitlements,
                false,
                format!("Approved but not listed by 0Pools for this key: {}.", missing.join(", ")),
                "Ask 0Bit to entitle these pools, or remove them from PROGRAM_APPROVED_POOLS.",
            );
        }
        let mut e = entry(
            ChecklistItem::Entitlements,
            !approved.is_empty(),
            match (self.approved_pools.is_some(), hidden.is_empty()) {
                (true, true) => format!("Approved and listed: {}.", approved.join(", ")),
                (true, false) => format!("Approved and listed: {}; listed but not offered: {}.", approved.join(", "), hidden.join(", ")),
                (false, _) => format!("Every pool 0Pools lists is offered: {} (PROGRAM_APPROVED_POOLS is unset).", approved.join(", ")),
            },
            "Approve at least one pool 0Pools lists for this key.",
        );
        if self.approved_pools.is_none() && !approved.is_empty() {
            e.state = ReadinessState::ToReview;
            e.action =
                Some("Name the approved pools in PROGRAM_APPROVED_POOLS, so a new pool is not offered before it is reviewed.".into());
        }
        e
    }

    fn limits(&self) -> ChecklistEntry {
        let listed = self.listed_pools.as_deref().unwrap_or_default();
        let approved = self.approved();
        let uncapped: Vec<_> = approved.iter().filter(|id| listed.iter().any(|(l, max)| l == *id && max.is_none())).cloned().collect();
        let mut parts = Vec::new();
        if let Some(first) = self.limits.first_order_limit {
            parts.push(format!("first orders up to {} USDT", usd(&first)));
        }
        if let Some(every) = self.limits.order_limit {
            parts.push(format!("every order up to {} USDT", usd(&every)));
        }
        for (id, max) in listed.iter().filter(|(id, _)| approved.contains(id)) {
            if let Some(max) = max {
                parts.push(format!("{id} up to {} USDT", usd(max)));
            }
        }
        let program_cap = self.limits.order_limit.is_some();
        let ready = program_cap || (uncapped.is_empty() && !approved.is_empty() && self.listed_pools.is_some());
        let evidence = if parts.is_empty() { "No limit caps an order.".to_owned() } else { format!("{}.", capitalized(&parts.join("; "))) };
        entry(
            ChecklistItem::Limits,
            ready,
            evidence,
            "Set PROGRAM_ORDER_LIMIT (and PROGRAM_FIRST_ORDER_LIMIT for a pilot), or ask 0Bit for a maximum order on every approved pool.",
        )
    }

    fn signed_webhooks(&self) -> ChecklistEntry {
        let ready = self.webhooks_verified_24h > 0 && self.webhook_failures_1h == 0;
        entry(
            ChecklistItem::SignedWebhooks,
            ready,
            format!(
                "0Pools webhooks verified in the last 24 h: {}; refused for their signature in the last hour: {}.",
                self.webhooks_verified_24h, self.webhook_failures_1h
            ),
            "Point 0Pools' webhooks at /webhooks/0pools with the signing secret of this key, and complete an order.",
        )
    }

    fn idempotent_accepts(&self) -> ChecklistEntry {
        entry(
            ChecklistItem::IdempotentAccepts,
            self.second_trades == 0,
            format!(
                "Each accept carries an idempotency key made from its quote; second trades for one checkout recorded: {}.",
                self.second_trades
            ),
            "Look up each recorded second trade (Alerts) and reconcile it with 0Bit before going live.",
        )
    }

    fn ledger(&self) -> ChecklistEntry {
        let fresh = self.ledger_synced_secs_ago.is_some_and(|s| s <= LEDGER_FRESH_SECS);
        let synced = self.ledger_synced_secs_ago.map_or_else(|| "never mirrored".to_owned(), |s| format!("mirrored {}", ago(s)));
        entry(
            ChecklistItem::LedgerReconciles,
            fresh && self.open_ledger_exceptions == 0,
            format!(
                "Ledger {synced}; trades reconciled: {}; ledger exceptions not resolved: {}.",
                self.trades_reconciled, self.open_ledger_exceptions
            ),
            "Resolve each ledger exception (Ledger, Alerts) and check that the ledger mirror runs.",
        )
    }

    fn messaging(&self) -> ChecklistEntry {
        ChecklistEntry {
            item: ChecklistItem::ApprovedMessaging,
            label: ChecklistItem::ApprovedMessaging.label().to_owned(),
            state: ReadinessState::ToReview,
            evidence: format!(
                "{} of the widget's {} English strings are 0Pools' approved wording; the rest are team-written.",
                self.copy_approved, self.copy_strings
            ),
            action: Some("Review every state's copy in the designer gallery (/gallery.html), and any strings your page overrides.".into()),
        }
    }

    /// The four flags and the checklist, in the page's order: the record's flags first.
    pub fn checklist(&self) -> Vec<ChecklistEntry> {
        vec![
            self.funding(),
            self.webhooks(),
            self.monitoring(),
            self.support(),
            self.entitlements(),
            self.limits(),
            self.signed_webhooks(),
            self.idempotent_accepts(),
            self.ledger(),
            self.runbook(),
            self.messaging(),
        ]
    }
}

/// An amount as a person reads it (grouped, as the console shows money).
fn usd(d: &Decimal) -> String {
    amount(d, Locale::En)
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A readiness flag from its checklist entry: ready only when proven.
pub fn flag(checklist: &[ChecklistEntry], item: ChecklistItem) -> bool {
    checklist.iter().any(|e| e.item == item && e.state == ReadinessState::Ready)
}
