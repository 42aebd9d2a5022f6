//! Configuration: the settings of a running server with their defaults
//! (`settings`, `console`, `program`), and how the environment (or the equivalent flags)
//! becomes them. Every variable is documented in `docs/configuration.md` (a test
//! holds the two together). Secrets are parsed straight into `SecretString`, which
//! never prints.
//!
//! Fail closed: [`ServerArgs::validate`] turns the raw arguments into a [`Config`]
//! or a [`ConfigError`] that names the setting and says what to do. Nothing here
//! panics, and nothing falls back to the sandbox unless asked to.
//!
//! `cli` declares the variables and flags, `validate` turns them into a [`Config`],
//! `checks` holds the checks of single values it uses.
//!
//! Uses `store` (to name the database kind in the start-up summary) and `zeropools`
//! (the client's worst-case call, which an accept lease must outlast).

mod checks;
mod cli;
mod console;
mod program;
mod settings;
mod validate;

pub use checks::redacted_url;
pub use checks::webhook_signing_key;
pub use cli::{Cli, Command, ServerArgs};
pub use console::{hash_password, ConsoleCredential, ConsoleSettings};
pub use program::ProgramSettings;
pub(crate) use settings::{AlertThresholds, ServeLimits};
pub use settings::{Limits, Settings};

use checks::key_kind;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::time::Duration;

/// The secret key the embedded sandbox accepts when none is configured. It is a
/// test-mode key of the sandbox, worthless against 0Pools.
pub const SANDBOX_DEFAULT_KEY: &str = "sk_test_sandbox_embedded_key";
/// The webhook signing secret the embedded sandbox uses when none is configured.
pub const SANDBOX_DEFAULT_WEBHOOK_SECRET: &str = "whsec_sandbox_embedded_secret";
/// Shortest secret (0Pools key, webhook secrets, partner key) the server accepts.
pub const MIN_SECRET_LEN: usize = 16;

/// A setting the server refuses to start with: which one, and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

pub(super) fn refuse<T>(setting: &'static str, message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError { setting, message: message.into() })
}

/// Where 0Pools is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpstreamChoice {
    /// A real (or standalone sandbox) base URL.
    Url(String),
    /// The sandbox, started in this process on loopback.
    EmbeddedSandbox,
}

/// Everything the server needs to start, checked.
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub upstream: UpstreamChoice,
    pub secret_key: SecretString,
    pub settings: Settings,
    pub reconcile_interval: Duration,
    pub sandbox: SandboxArgs,
    /// The upstream client's timeout per attempt, and its attempts.
    pub upstream_timeout: Duration,
    pub upstream_attempts: u32,
}

/// The sandbox's own tunables (embedded or standalone).
#[derive(Clone)]
pub struct SandboxArgs {
    pub quote_window: Duration,
    pub settle_delay: Duration,
    pub seed: u64,
    pub faults: zeropools_sandbox::Faults,
    pub webhook_secret: SecretString,
    /// The partner's balance per asset at start (`None`: the sandbox's own defaults).
    pub starting_balances: Option<Vec<(String, rust_decimal::Decimal)>>,
}

impl Config {
    /// One line per setting that matters, secrets redacted, for the start-up log.
    pub fn summary(&self) -> Vec<String> {
        let s = &self.settings;
        let on = |b: bool| if b { "on" } else { "off" };
        let set = |b: bool| if b { "set (redacted)" } else { "not set" };
        vec![
            format!("mode: {}", if s.demo { "DEMO (anonymous sessions, demo checkout and gallery served)" } else { "production" }),
            format!("listen: {}", self.listen),
            match crate::store::StoreKind::of(&self.database_url) {
                Some(crate::store::StoreKind::Postgres) => format!("database: Postgres {}", redacted_url(&self.database_url)),
                _ => format!("database: SQLite {}", self.database_url),
            },
            match &self.upstream {
                UpstreamChoice::Url(url) => format!("0Pools: {}", redacted_url(url)),
                UpstreamChoice::EmbeddedSandbox => "0Pools: embedded test-mode sandbox on loopback".into(),
            },
            format!("0Pools secret key: {}", key_kind(&self.secret_key)),
            format!(
                "0Pools calls: {} attempt(s) of at most {} s; accept lease {} s",
                self.upstream_attempts,
                self.upstream_timeout.as_secs(),
                s.accept_lease.as_secs()
            ),
            "0Pools webhook secret: set (redacted)".into(),
            format!("partner API key: {}", set(s.partner_api_key.is_some())),
            format!("metrics token: {}", if s.metrics_token.is_some() { "set (redacted)" } else { "not set: /metrics is closed" }),
            match &s.console {
                Some(c) => format!(
                    "partner console: /console/ (user {}, password hash set (redacted), {} cookie, sign-ins last {}s)",
                    c.credential.user(),
                    if c.cookie_secure { "Secure" } else { "non-Secure (plain-HTTP demo)" },
                    c.session_ttl.as_secs()
                ),
                None => "partner console: off (no CONSOLE_PASSWORD_HASH or CONSOLE_PASSWORD_FILE)".into(),
            },
            format!(
                "partner webhooks: {}",
                s.partner_webhook.as_ref().map_or("off".to_owned(), |(url, _)| format!("{} (secret redacted)", redacted_url(url)))
            ),
            {
                let p = &s.program;
                let cap = |c: Option<rust_decimal::Decimal>| c.map_or("none".to_owned(), |c| format!("{c} USDT"));
                format!(
                    "program {} ({}): pools {}, {} funding, first-order cap {}, per-order cap {}, runbook {}",
                    p.program_id,
                    p.product,
                    p.approved_pools.as_ref().map_or("every one 0Pools lists".to_owned(), |pools| pools.join(", ")),
                    p.funding_model,
                    cap(p.limits.first_order_limit),
                    cap(p.limits.order_limit),
                    if p.runbook_url.starts_with('/') { p.runbook_url.clone() } else { redacted_url(&p.runbook_url) }
                )
            },
            format!("CORS origins: {}", if s.cors_allowed_origins.is_empty() { "none".into() } else { s.cors_allowed_origins.join(", ") }),
            format!("trust X-Forwarded-For: {}", on(s.trust_forwarded_for)),
            format!("indicative previews: identical ones in flight share a call, answers reused for {} ms", s.preview_window.as_millis()),
            format!("session ttl: {}s, checkout ttl: {}s", s.session_ttl.as_secs(), s.checkout_ttl.as_secs()),
            format!(
                "limits: {} quotes/min per checkout, {} mints/min per address, {} upstream quotes/s, {} streams per checkout, {} streams in all",
                s.limits.quotes_per_minute, s.limits.mints_per_minute, s.limits.upstream_quotes_per_second, s.limits.sse_per_checkout, s.limits.sse_total
            ),
            format!("retention: {} days (trades kept forever)", s.retention.as_secs() / 86_400),
            format!(
                "connections: at most {}, header read timeout {}s, idle timeout {}s",
                s.serve.max_connections,
                s.serve.header_read_timeout.as_secs(),
                s.serve.idle_timeout.as_secs()
            ),
            format!("reconcile every {} ms", self.reconcile_interval.as_millis()),
        ]
    }
}
