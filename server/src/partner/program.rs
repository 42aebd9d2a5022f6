//! The partner program of 0Pools' pages: the launch readiness record (the facts are
//! gathered here and judged by `quote_core::program`), the signals it is judged by,
//! the runbook check, incidents kept in step with the active alerts, and the
//! program review of a period.

use super::utilization::{self, TradeLeg, Window};
use crate::config::Settings;
use crate::quoting::{Capacity, Pools};
use crate::store::{self, IncidentRow, Store};
use crate::zeropools::types::Pool;
use crate::zeropools::UpstreamError;
use chrono::{DateTime, Utc};
use quote_core::notional;
use quote_core::partner::{ActiveAlert, Incident, Period, PoolReview, ProgramRecord, ProgramReview};
use quote_core::program::{self as rules, ReadinessFacts};
use quote_core::vocab::{AlertKind, ChecklistItem, IncidentState, Outcome, RecordedAlertKind, TradeStatus};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The signals readiness is judged by (`program_signals.name`).
pub const SIGNAL_METRICS_SCRAPED: &str = "metrics_scraped";
pub const SIGNAL_ALERTS_READ: &str = "alerts_read";
pub const SIGNAL_RUNBOOK: &str = "runbook_checked";
pub const SIGNAL_LEDGER_SYNCED: &str = "ledger_synced";

/// A scrape every 15 s need not be a write every 15 s: one a minute per replica.
const NOTE_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// The runbook is checked again when its last check is older than this.
const RUNBOOK_RECHECK: Duration = Duration::from_secs(10 * 60);

/// Why the program's figures could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("0Pools: {0}")]
    Upstream(#[from] UpstreamError),
}

/// The program's reads and the incidents. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Program {
    store: Store,
    pools: Pools,
    capacity: Capacity,
    settings: Arc<Settings>,
    http: reqwest::Client,
    /// This server's own address, for a runbook served at a path of it.
    self_url: Arc<str>,
    noted: Arc<Mutex<HashMap<&'static str, Instant>>>,
}

impl Program {
    pub(crate) fn new(store: Store, pools: Pools, capacity: Capacity, settings: Arc<Settings>, self_url: &str) -> Self {
        // A loopback check of our own runbook, or a short one of the partner's: never a
        // redirect somewhere else.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let self_url = self_url.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://[::1]:");
        Program { store, pools, capacity, settings, http, self_url: self_url.into(), noted: Arc::default() }
    }

    /// Notes that a signal happened now (a metrics scrape, the alerts read), at most
    /// once a minute per signal on this replica. Failing to note is only logged.
    pub(crate) async fn note(&self, name: &'static str, detail: Option<&str>) {
        {
            let mut noted = self.noted.lock().unwrap_or_else(|p| p.into_inner());
            if noted.get(name).is_some_and(|at| at.elapsed() < NOTE_AT_MOST_EVERY) {
                return;
            }
            noted.insert(name, Instant::now());
        }
        if let Err(e) = store::set_signal(&self.store.db, name, &store::now(), detail).await {
            tracing::warn!(signal = name, cause = %e, "a readiness signal could not be stored");
        }
    }

    /// The runbook's address as this server reaches it.
    fn runbook_address(&self) -> String {
        let url = &self.settings.program.runbook_url;
        if url.starts_with('/') {
            format!("{}{url}", self.self_url)
        } else {
            url.clone()
        }
    }

    /// Asks for the runbook now and records the answer: whether it answered 2xx.
    pub(crate) async fn check_runbook(&self) -> bool {
        let (ok, detail) = match self.http.get(self.runbook_address()).send().await {
            Ok(r) if r.status().is_success() => (true, format!("answered {}", r.status().as_u16())),
            Ok(r) => (false, format!("answered {}", r.status().as_u16())),
            Err(e) if e.is_timeout() => (false, "did not answer within 5 s".to_owned()),
            Err(_) => (false, "could not be reached".to_owned()),
        };
        let detail = format!("{}: {detail}", if ok { "ok" } else { "failed" });
        if let Err(e) = store::set_signal(&self.store.db, SIGNAL_RUNBOOK, &store::now(), Some(&detail)).await {
            tracing::warn!(cause = %e, "the runbook check could not be stored");
        }
        ok
    }

    /// The runbook's last check, checked again first when it is older than
    /// [`RUNBOOK_RECHECK`] (or was never made): (seconds ago, answered 2xx).
    async fn runbook(&self, now: DateTime<Utc>) -> sqlx::Result<Option<(i64, bool)>> {
        let last = store::signal(&self.store.db, SIGNAL_RUNBOOK).await?;
        let age = last.as_ref().and_then(|(at, _)| secs_since(at, now));
        if age.is_none_or(|secs| secs >= RUNBOOK_RECHECK.as_secs() as i64) {
            let ok = self.check_runbook().await;
            return Ok(Some((0, ok)));
        }
        Ok(age.zip(last.map(|(_, detail)| detail.is_some_and(|d| d.starts_with("ok")))))
    }

    /// What readiness is judged by, read now.
    async fn facts(&self, now: DateTime<Utc>) -> sqlx::Result<ReadinessFacts> {
        let db = &self.store.db;
        let program = &self.settings.program;
        let listed = self.pools.listed().await.ok();
        let approved: Vec<&Pool> =
            listed.as_ref().map(|l| l.pools.iter().filter(|p| program.approves(&p.pool_id)).collect()).unwrap_or_default();
        let mut stablecoins: Vec<&str> = approved.iter().map(|p| p.target_asset.as_str()).collect();
        stablecoins.sort_unstable();
        stablecoins.dedup();
        let balances = self.capacity.balances().await.map(|b| {
            b.balances.iter().filter(|a| stablecoins.contains(&a.asset.as_str())).map(|a| (a.asset.clone(), a.available)).collect()
        });
        let ago = |d: chrono::Duration| store::timestamp(now - d);
        let signal_age = |signal: Option<(String, Option<String>)>| signal.and_then(|(at, _)| secs_since(&at, now));
        let endpoint = self.settings.partner_webhook.as_ref().map(|(url, _)| host_of(url));
        Ok(ReadinessFacts {
            approved_pools: program.approved_pools.clone(),
            listed_pools: listed.map(|l| l.pools.iter().map(|p| (p.pool_id.clone(), p.max_order_usdt)).collect()),
            limits: program.limits,
            funding_model: program.funding_model,
            balances,
            balance_alert_below: self.settings.alerts.balance_below,
            webhooks_verified_24h: store::webhooks_received_since(db, &ago(chrono::Duration::hours(24))).await? as u64,
            webhook_failures_1h: store::webhook_failures_since(db, &ago(chrono::Duration::hours(1))).await? as u64,
            last_partner_delivery: if endpoint.is_some() { store::last_partner_delivery(db).await? } else { None },
            partner_endpoint: endpoint,
            metrics_scraped_secs_ago: signal_age(store::signal(db, SIGNAL_METRICS_SCRAPED).await?),
            alerts_read_secs_ago: signal_age(store::signal(db, SIGNAL_ALERTS_READ).await?),
            console_configured: self.settings.console.is_some(),
            runbook_url: program.runbook_url.clone(),
            runbook_check: self.runbook(now).await?,
            second_trades: store::recorded_alert_count(db, RecordedAlertKind::SecondTrade.as_str()).await? as u64,
            trades_reconciled: store::trades_reconciled(db).await? as u64,
            open_ledger_exceptions: store::unresolved_incident_count(db, AlertKind::LedgerException.as_str()).await? as u64,
            ledger_synced_secs_ago: signal_age(store::signal(db, SIGNAL_LEDGER_SYNCED).await?),
            copy_strings: quote_core::copy::Copy::ALL.len(),
            copy_approved: quote_core::provenance::APPROVED.len(),
        })
    }

    /// The launch readiness record.
    pub(crate) async fn record(&self) -> sqlx::Result<ProgramRecord> {
        let now = Utc::now();
        let facts = self.facts(now).await?;
        let checklist = facts.checklist();
        let program = &self.settings.program;
        Ok(ProgramRecord {
            program_id: program.program_id.clone(),
            product: program.product.clone(),
            approved_pools: facts.approved(),
            enabled_lanes: facts.enabled_lanes(),
            funding_model: program.funding_model,
            support_sla_label: program.support_sla_label.clone(),
            first_order_limit: program.limits.first_order_limit,
            order_limit: program.limits.order_limit,
            funding_ready: rules::flag(&checklist, ChecklistItem::Funding),
            webhooks_ready: rules::flag(&checklist, ChecklistItem::Webhooks),
            monitoring_ready: rules::flag(&checklist, ChecklistItem::Monitoring),
            support_ready: rules::flag(&checklist, ChecklistItem::Support),
            checklist,
            generated_at: store::timestamp(now),
        })
    }

    /// Keeps incidents in step with the active alerts: each opens one (or is seen
    /// again on its unresolved one), and a live incident whose alert no longer holds
    /// stops being live. One unit of writes.
    pub(crate) async fn sync_incidents(&self, active: &[ActiveAlert]) -> sqlx::Result<()> {
        let seen: Vec<_> = active.iter().map(|a| (a.kind.as_str(), a.subject.clone(), a.severity, a.message.clone())).collect();
        self.store
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let at = store::now();
                    for (kind, subject, severity, message) in &seen {
                        store::see_incident(c, kind, subject, *severity, message, true, &at).await?;
                    }
                    store::clear_unseen_incidents(c, &at).await
                })
            })
            .await
    }

    /// Incidents not resolved yet: the most severe first, then the oldest.
    pub(crate) async fn open_incidents(&self) -> sqlx::Result<Vec<Incident>> {
        let mut open: Vec<Incident> = store::unresolved_incidents(&self.store.db).await?.into_iter().map(incident).collect();
        open.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.opened_at.cmp(&b.opened_at)));
        Ok(open)
    }

    /// The program review of a period.
    pub(crate) async fn review(&self, window: &Window) -> Result<ProgramReview, ProgramError> {
        let now = Utc::now();
        let program = &self.settings.program;
        let listed = self.pools.listed().await?;
        let approved: Vec<Pool> = match &program.approved_pools {
            Some(ids) => ids
                .iter()
                .map(|id| {
                    listed.pools.iter().find(|p| &p.pool_id == id).cloned().unwrap_or_else(|| Pool {
                        pool_id: id.clone(),
                        source_asset: String::new(),
                        target_asset: String::new(),
                        sides: Vec::new(),
                        networks: Vec::new(),
                        min_order_usdt: Default::default(),
                        max_order_usdt: None,
                        available: false,
                    })
                })
                .collect(),
            None => listed.pools.clone(),
        };
        let (from, to) = (store::timestamp(window.from), store::timestamp(window.to));
        let (outcomes, legs) = period_rows(&self.store.db, &approved, &from, &to, None).await?;
        let ids: Vec<String> = approved.iter().map(|p| p.pool_id.clone()).collect();
        let figures = utilization::compute(window, &ids, &outcomes, &legs, now);
        let in_period = |at: Option<DateTime<Utc>>| at.is_some_and(|t| (window.from..window.to).contains(&t));
        let refusals = |reason: &str| {
            outcomes.iter().filter(|o| o.outcome == Outcome::LimitError && o.reason.as_deref() == Some(reason)).count() as u64
        };
        let pools: Vec<PoolReview> = figures
            .iter()
            .map(|u| {
                let listed_pool = listed.pools.iter().find(|p| p.pool_id == u.pool_id);
                let failed: Vec<&TradeLeg> =
                    legs.iter().filter(|t| t.pool_id == u.pool_id && t.status == TradeStatus::Failed && in_period(t.terminal_at)).collect();
                PoolReview {
                    pool_id: u.pool_id.clone(),
                    min_order_usdt: listed_pool.map(|p| p.min_order_usdt),
                    max_order_usdt: listed_pool.and_then(|p| p.max_order_usdt),
                    quote_requests: u.figures.quote_requests,
                    limit_errors: u.figures.limit_errors,
                    availability_minutes: u.availability_minutes,
                    period_minutes: u.period_minutes,
                    quote_success_rate: u.figures.quote_success_rate,
                    accepted_quote_rate: u.figures.accepted_quote_rate,
                    failed_trades: failed.len() as u64,
                    failed_notional: failed.iter().map(|t| t.leg).sum(),
                    ledger_exception_count: u.figures.ledger_exception_count,
                }
            })
            .collect();
        let incidents: Vec<Incident> = store::incidents_for_period(&self.store.db, &from, &to).await?.into_iter().map(incident).collect();
        let unresolved_at_end =
            |i: &&Incident| i.opened_at.as_str() < to.as_str() && i.resolved_at.as_deref().is_none_or(|r| r >= to.as_str());
        let opened_in_period = |i: &&Incident| i.opened_at.as_str() >= from.as_str() && i.opened_at.as_str() < to.as_str();
        Ok(ProgramReview {
            program_id: program.program_id.clone(),
            period: Period { from: from.clone(), to: to.clone() },
            generated_at: store::timestamp(now),
            first_order_limit: program.limits.first_order_limit,
            order_limit: program.limits.order_limit,
            first_order_refusals: refusals(quote_core::vocab::ErrorCode::FirstOrderLimit.as_str()),
            order_limit_refusals: refusals(quote_core::vocab::ErrorCode::OrderLimit.as_str()),
            failed_trades: pools.iter().map(|p| p.failed_trades).sum(),
            ledger_exceptions: pools.iter().map(|p| p.ledger_exception_count).sum(),
            reserved_age_alerts: incidents
                .iter()
                .filter(opened_in_period)
                .filter(|i| i.kind == AlertKind::TradeReservedTooLong.as_str())
                .count() as u64,
            unresolved_incidents: incidents.iter().filter(unresolved_at_end).count() as u64,
            pools,
            incidents,
        })
    }
}

/// The rows utilization and the review count for a period: outcomes, and the trades
/// that touch it with their stablecoin legs (a damaged row is left out, logged).
pub(crate) async fn period_rows(
    db: &store::Db,
    pools: &[Pool],
    from: &str,
    to: &str,
    pool_filter: Option<&str>,
) -> sqlx::Result<(Vec<store::OutcomeRow>, Vec<TradeLeg>)> {
    let outcomes = store::outcomes_between(db, from, to, pool_filter).await?;
    let legs = store::trades_touching(db, from, to)
        .await?
        .into_iter()
        .filter_map(|t| {
            let pool = pools.iter().find(|p| p.pool_id == t.pool_id)?;
            let read = t.amounts()?;
            let leg = notional::stablecoin_leg(&pool.target_asset, &t.target_asset, read.target_amount, read.source_amount);
            Some(TradeLeg {
                pool_id: t.pool_id,
                status: t.status,
                leg,
                created_at: read.created_at,
                terminal_at: read.terminal_at,
                exception: t.reconciliation_state == quote_core::vocab::ReconciliationState::Exception,
            })
        })
        .collect();
    Ok((outcomes, legs))
}

/// An incident as the API shows it.
pub(crate) fn incident(row: IncidentRow) -> Incident {
    let label = match AlertKind::parse(&row.kind) {
        Some(kind) => kind.label().to_owned(),
        None => RecordedAlertKind::parse(&row.kind).label().to_owned(),
    };
    let state = match (&row.resolved_at, &row.acknowledged_at) {
        (Some(_), _) => IncidentState::Resolved,
        (None, Some(_)) => IncidentState::Acknowledged,
        (None, None) => IncidentState::Open,
    };
    Incident {
        incident_id: row.id,
        kind: row.kind,
        label,
        severity: row.severity,
        subject: row.subject,
        message: row.message,
        state,
        live: row.live.0,
        opened_at: row.opened_at,
        last_seen_at: row.last_seen_at,
        acknowledged_at: row.acknowledged_at,
        acknowledged_by: row.acknowledged_by,
        resolved_at: row.resolved_at,
        resolved_by: row.resolved_by,
        note: row.note,
    }
}

/// Seconds from a stored time to `now` (`None` when it cannot be read).
fn secs_since(at: &str, now: DateTime<Utc>) -> Option<i64> {
    DateTime::parse_from_rfc3339(at).ok().map(|t| (now - t.with_timezone(&Utc)).num_seconds().max(0))
}

/// The host of a URL (what the readiness evidence names; never a path or query that
/// might carry a token).
fn host_of(url: &str) -> String {
    url.parse::<reqwest::Url>().ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| "(unparsable URL)".into())
}
