//! The tunables and secrets of a running server, with their defaults (the ones
//! `docs/configuration.md` lists). `config` turns the environment into these.

use super::{ConsoleSettings, ProgramSettings};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;

/// Abuse and resource limits (see `docs/configuration.md`).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Quote requests one checkout may make per minute, after `quote_burst`.
    pub quotes_per_minute: u32,
    pub quote_burst: u32,
    /// Accept attempts one checkout may make per minute, after `accept_burst`.
    pub accepts_per_minute: u32,
    pub accept_burst: u32,
    /// Sessions or checkouts one client address may mint per minute (after a burst of 10).
    pub mints_per_minute: u32,
    /// Upstream quote calls per second for the whole server (fail-soft `busy` beyond).
    pub upstream_quotes_per_second: u32,
    pub sse_per_checkout: u32,
    pub sse_total: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            quotes_per_minute: 120,
            quote_burst: 20,
            accepts_per_minute: 30,
            accept_burst: 10,
            mints_per_minute: 30,
            upstream_quotes_per_second: 50,
            sse_per_checkout: 4,
            sse_total: 2_000,
        }
    }
}

/// Tunables and secrets of a running server.
pub struct Settings {
    pub widget_dir: PathBuf,
    pub webhook_secret: SecretString,
    /// Demo mode: anonymous sessions, the demo checkout and the gallery are served.
    pub demo: bool,
    /// The partner backend's key: mints checkouts and reads their outcome.
    pub partner_api_key: Option<SecretString>,
    /// What a metrics scraper presents at `/metrics`; `None` keeps it closed.
    pub metrics_token: Option<SecretString>,
    /// Where trade status changes go, signed with this secret.
    pub partner_webhook: Option<(String, SecretString)>,
    /// The first pause before a failed partner webhook is tried again (doubled each
    /// time, at most an hour).
    pub partner_webhook_retry_base: Duration,
    pub session_ttl: Duration,
    pub checkout_ttl: Duration,
    pub cors_allowed_origins: Vec<String>,
    pub limits: Limits,
    pub trust_forwarded_for: bool,
    /// How long sessions, unaccepted quotes and webhook bodies are kept.
    pub retention: Duration,
    pub pools_cache_ttl: Duration,
    /// How long an indicative answer is reused for an identical intent (zero: only
    /// calls in flight are shared). Never applies to firm quotes.
    pub preview_window: Duration,
    /// How often readiness asks 0Pools whether it answers (at most).
    pub readiness_probe_interval: Duration,
    /// An accept whose outcome is still unknown after this long stops being retried
    /// and raises an alert.
    pub accept_retry_max_age: Duration,
    /// How long the replica that calls 0Pools for an accept holds that right before
    /// another may take over (longer than the upstream client's retries take).
    pub accept_lease: Duration,
    /// How long the reconciler's leadership lasts without renewal: a replica that dies
    /// while leading is replaced after at most this long.
    pub leader_lease: Duration,
    /// Connection-level limits of the HTTP server.
    pub serve: ServeLimits,
    /// How long ledger rows may lag a trade before their absence is an exception.
    pub ledger_grace: Duration,
    /// Thresholds of the partner's alerts.
    pub alerts: AlertThresholds,
    /// The partner console (sign-in credential, files); `None` serves none of it.
    pub console: Option<ConsoleSettings>,
    /// The partner program: records, approved pools, launch limits, runbook.
    pub program: ProgramSettings,
}

/// When the partner's alerts fire.
#[derive(Clone, Debug)]
pub struct AlertThresholds {
    /// A trade reserved longer than this.
    pub reserved_longer_than: Duration,
    /// A pool whose answers in the last `unavailable_window` were at least this many
    /// unavailable ones, and at least half of all.
    pub unavailable_at_least: i64,
    pub unavailable_window: Duration,
    /// An available balance below this (in the asset), per asset.
    pub balance_below: rust_decimal::Decimal,
    /// Any webhook signature failure in the last this-long.
    pub webhook_failures_window: Duration,
    /// An accept unconfirmed for longer than this.
    pub accept_open_longer_than: Duration,
    /// A partner webhook still undelivered this long after it was queued (or after
    /// its retries, whichever comes first).
    pub partner_event_older_than: Duration,
    /// The program's guardrails: limit errors rising, acceptance falling, reserved
    /// utilization high (`quote_core::program`).
    pub guardrails: quote_core::program::GuardrailThresholds,
    /// The window limit errors and acceptance are counted over (compared with the
    /// window before, and with `acceptance_baseline` before it).
    pub guardrail_window: Duration,
    pub acceptance_baseline: Duration,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        AlertThresholds {
            reserved_longer_than: Duration::from_secs(15 * 60),
            partner_event_older_than: Duration::from_secs(15 * 60),
            unavailable_at_least: 5,
            unavailable_window: Duration::from_secs(15 * 60),
            balance_below: rust_decimal::Decimal::new(1_000, 0),
            webhook_failures_window: Duration::from_secs(3600),
            accept_open_longer_than: Duration::from_secs(120),
            guardrails: quote_core::program::GuardrailThresholds::default(),
            guardrail_window: Duration::from_secs(3600),
            acceptance_baseline: Duration::from_secs(24 * 3600),
        }
    }
}

impl Settings {
    pub fn new(widget_dir: PathBuf, webhook_secret: SecretString) -> Self {
        Settings {
            widget_dir,
            webhook_secret,
            demo: false,
            partner_api_key: None,
            metrics_token: None,
            partner_webhook: None,
            partner_webhook_retry_base: Duration::from_secs(1),
            session_ttl: Duration::from_secs(3600),
            checkout_ttl: Duration::from_secs(86_400),
            cors_allowed_origins: Vec::new(),
            limits: Limits::default(),
            trust_forwarded_for: false,
            retention: Duration::from_secs(30 * 86_400),
            pools_cache_ttl: Duration::from_secs(30),
            preview_window: Duration::from_millis(1_000),
            readiness_probe_interval: Duration::from_secs(5),
            accept_retry_max_age: Duration::from_secs(15 * 60),
            accept_lease: Duration::from_secs(45),
            leader_lease: Duration::from_secs(15),
            serve: ServeLimits::default(),
            ledger_grace: Duration::from_secs(120),
            alerts: AlertThresholds::default(),
            console: None,
            program: ProgramSettings::default(),
        }
    }
}

/// Connection-level limits of the HTTP server (`http::serve`).
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// Longest a client may take to send a request's headers (or to start its next
    /// request on a kept-alive connection).
    pub header_read_timeout: Duration,
    /// Longest a connection may see no bytes in either direction.
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// How long shutdown waits for open connections before it gives up on them.
    pub shutdown_grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(45),
            max_connections: 10_000,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
