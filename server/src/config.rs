//! Configuration, from environment variables (or the equivalent flags). Every
//! variable is documented in the README with its default. Secrets are parsed
//! straight into `SecretString`, which never prints.
//!
//! Fail closed: [`ServerArgs::validate`] turns the raw arguments into a [`Config`]
//! or a [`ConfigError`] that names the setting and says what to do. Nothing here
//! panics, and nothing falls back to the sandbox unless asked to.

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The secret key the embedded sandbox accepts when none is configured. It is a
/// test-mode key of the sandbox, worthless against 0Pools.
pub const SANDBOX_DEFAULT_KEY: &str = "sk_test_sandbox_embedded_key";
/// The webhook signing secret the embedded sandbox uses when none is configured.
pub const SANDBOX_DEFAULT_WEBHOOK_SECRET: &str = "whsec_sandbox_embedded_secret";
/// Shortest secret (0Pools key, webhook secrets, partner key) the server accepts.
pub const MIN_SECRET_LEN: usize = 16;

#[derive(Parser)]
#[command(name = "quote-server", version, about = "The quote widget's companion server and the 0Pools sandbox")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub server: ServerArgs,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the companion server (the default).
    Run,
    /// Read a console password on stdin and print its Argon2 hash for CONSOLE_PASSWORD_HASH.
    HashConsolePassword,
    /// Run only the 0Pools sandbox, standalone, e.g. for a partner's own end-to-end suite.
    Sandbox {
        /// Address the standalone sandbox listens on.
        #[arg(long, env = "SANDBOX_LISTEN_ADDR", default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// Where the sandbox sends signed webhooks (none: not sent).
        #[arg(long, env = "SANDBOX_WEBHOOK_URL")]
        webhook_url: Option<String>,
    },
}

fn secret(s: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(s.to_owned()))
}

#[derive(Args, Clone)]
pub struct ServerArgs {
    /// Demo mode: anonymous widget sessions, the demo checkout and the designer gallery,
    /// and the embedded sandbox when no 0Pools URL is set. Never for production.
    #[arg(long, env = "DEMO_MODE", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true", global = true)]
    pub demo: bool,
    /// Start the embedded 0Pools sandbox (test mode) and use it as 0Pools.
    #[arg(long, env = "EMBEDDED_SANDBOX", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true", global = true)]
    pub embedded_sandbox: bool,
    /// Address the companion server listens on.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub listen: SocketAddr,
    /// The database: `sqlite://path` (embedded, created if missing; one replica) or
    /// `postgres://user:password@host/dbname` (shared by several replicas).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/quote-widget.db", global = true)]
    pub database_url: String,
    /// 0Pools base URL (required unless the embedded sandbox is asked for).
    #[arg(long, env = "ZEROPOOLS_BASE_URL", global = true)]
    pub upstream_url: Option<String>,
    /// 0Pools secret key (sk_test_… / sk_live_…).
    #[arg(long, env = "ZEROPOOLS_SECRET_KEY", value_parser = secret, hide_env_values = true, global = true)]
    pub secret_key: Option<SecretString>,
    /// File holding the 0Pools secret key (wins over ZEROPOOLS_SECRET_KEY).
    #[arg(long, env = "ZEROPOOLS_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// Webhook signing secret shared with 0Pools.
    #[arg(long, env = "ZEROPOOLS_WEBHOOK_SECRET", value_parser = secret, hide_env_values = true, global = true)]
    pub webhook_secret: Option<SecretString>,
    /// File holding the webhook signing secret (wins over ZEROPOOLS_WEBHOOK_SECRET).
    #[arg(long, env = "ZEROPOOLS_WEBHOOK_SECRET_FILE", global = true)]
    pub webhook_secret_file: Option<PathBuf>,
    /// Directory of the built widget (Trunk's dist) served at `/`.
    #[arg(long, env = "WIDGET_DIR", default_value = "dist", global = true)]
    pub widget_dir: PathBuf,
    /// Partner origins allowed to call the API from a browser, comma-separated (`https://shop.example`).
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_allowed_origins: Vec<String>,
    /// The partner backend's key (Bearer) for minting checkouts and reading their outcome.
    #[arg(long, env = "PARTNER_API_KEY", value_parser = secret, hide_env_values = true, global = true)]
    pub partner_api_key: Option<SecretString>,
    /// Alert (and prompt a top-up in the console) when an asset's available balance is below this (a decimal, in the asset).
    #[arg(long, env = "ALERT_BALANCE_BELOW", default_value = "1000", global = true)]
    pub alert_balance_below: String,
    /// The partner console's user name.
    #[arg(long, env = "CONSOLE_USER", default_value = "partner", global = true)]
    pub console_user: String,
    /// The console password as an Argon2 PHC string (`quote-server hash-console-password` prints one). Without it (or the file) no console is served.
    #[arg(long, env = "CONSOLE_PASSWORD_HASH", value_parser = secret, hide_env_values = true, global = true)]
    pub console_password_hash: Option<SecretString>,
    /// File holding the console password itself (hashed at start, then forgotten); at least 12 characters.
    #[arg(long, env = "CONSOLE_PASSWORD_FILE", global = true)]
    pub console_password_file: Option<PathBuf>,
    /// Directory of the built console (its own Trunk build) served at `/console/`.
    #[arg(long, env = "CONSOLE_DIR", default_value = "dist-console", global = true)]
    pub console_dir: PathBuf,
    /// How long a console sign-in lasts, in seconds (300–86400).
    #[arg(long, env = "CONSOLE_SESSION_TTL_SECS", default_value_t = 8 * 3600, value_parser = clap::value_parser!(u64).range(300..=86_400), global = true)]
    pub console_session_ttl_secs: u64,
    /// Mark the console cookie `Secure` (HTTPS only). Defaults to on, off in demo mode (plain-HTTP loopback).
    #[arg(long, env = "CONSOLE_COOKIE_SECURE", value_parser = BoolishValueParser::new(), global = true)]
    pub console_cookie_secure: Option<bool>,
    /// Where trade status changes are sent as signed webhooks to the partner's backend.
    #[arg(long, env = "PARTNER_WEBHOOK_URL", global = true)]
    pub partner_webhook_url: Option<String>,
    /// Secret that signs the webhooks sent to the partner (required with PARTNER_WEBHOOK_URL).
    #[arg(long, env = "PARTNER_WEBHOOK_SECRET", value_parser = secret, hide_env_values = true, global = true)]
    pub partner_webhook_secret: Option<SecretString>,
    /// How long a widget client token lasts, in seconds (10–86400).
    #[arg(long, env = "SESSION_TTL_SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(10..=86_400), global = true)]
    pub session_ttl_secs: u64,
    /// How long a checkout lasts when its creator does not say, in seconds (60–604800).
    #[arg(long, env = "CHECKOUT_TTL_SECS", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(60..=604_800), global = true)]
    pub checkout_ttl_secs: u64,
    /// Quote requests one checkout may make per minute, after a burst of 20 (1–6000).
    #[arg(long, env = "QUOTE_RATE_PER_MINUTE", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=6_000), global = true)]
    pub quote_rate_per_minute: u32,
    /// Sessions or checkouts one client address may mint per minute, after a burst of 10 (1–6000).
    #[arg(long, env = "MINT_RATE_PER_MINUTE", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=6_000), global = true)]
    pub mint_rate_per_minute: u32,
    /// Upstream quote calls per second the whole server may make; beyond it quotes answer `busy` (1–10000).
    #[arg(long, env = "UPSTREAM_QUOTES_PER_SECOND", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000), global = true)]
    pub upstream_quotes_per_second: u32,
    /// How long an indicative answer is reused for an identical preview, in milliseconds (0–1000; 0 shares only calls in flight). Firm quotes are never reused.
    #[arg(long, env = "PREVIEW_WINDOW_MS", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(0..=1_000), global = true)]
    pub preview_window_ms: u64,
    /// Trust the last `X-Forwarded-For` hop as the client address (only behind your own proxy).
    #[arg(long, env = "TRUST_FORWARDED_FOR", value_parser = BoolishValueParser::new(), default_value_t = false, num_args = 0..=1, default_missing_value = "true", global = true)]
    pub trust_forwarded_for: bool,
    /// Live trade streams one checkout may hold open (1–100).
    #[arg(long, env = "SSE_MAX_PER_CHECKOUT", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100), global = true)]
    pub sse_max_per_checkout: u32,
    /// Live trade streams the whole server holds open (1–100000).
    #[arg(long, env = "SSE_MAX_TOTAL", default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=100_000), global = true)]
    pub sse_max_total: u32,
    /// Days sessions, unaccepted quotes and webhook bodies are kept (trades are kept forever) (1–3650).
    #[arg(long, env = "RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3_650), global = true)]
    pub retention_days: u32,
    /// Longest a client may take to send a request's headers, or to start its next request on an idle connection, in seconds (1–300).
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300), global = true)]
    pub header_read_timeout_secs: u64,
    /// Longest a connection may see no bytes either way, in seconds (20–3600; above the 15 s stream keep-alive).
    #[arg(long, env = "IDLE_TIMEOUT_SECS", default_value_t = 45, value_parser = clap::value_parser!(u64).range(20..=3_600), global = true)]
    pub idle_timeout_secs: u64,
    /// Open connections the server accepts at once (16–1000000).
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(16..=1_000_000), global = true)]
    pub max_connections: u64,
    /// How often unfinished trades are reconciled against 0Pools, in milliseconds (100–3600000).
    #[arg(long, env = "RECONCILE_INTERVAL_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=3_600_000), global = true)]
    pub reconcile_interval_ms: u64,
    /// How long the replica calling 0Pools for an accept holds that right before another
    /// replica may take the accept over, in seconds (2–600; above the upstream client's retries).
    #[arg(long, env = "ACCEPT_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=600), global = true)]
    pub accept_lease_secs: u64,
    /// How long the reconciler's leadership lasts without renewal, in seconds (1–600): a
    /// replica that dies while leading is replaced after at most this long.
    #[arg(long, env = "LEADER_LEASE_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600), global = true)]
    pub leader_lease_secs: u64,
    /// Sandbox: how long a firm quote stays executable, in milliseconds (1000–600000).
    #[arg(long, env = "SANDBOX_QUOTE_WINDOW_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1_000..=600_000), global = true)]
    pub sandbox_quote_window_ms: u64,
    /// Sandbox: how long a reserved trade takes to reach its terminal status, in milliseconds (0–600000).
    #[arg(long, env = "SANDBOX_SETTLE_DELAY_MS", default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(0..=600_000), global = true)]
    pub sandbox_settle_delay_ms: u64,
    /// Sandbox: faults from the start, as the JSON object `PUT /sandbox/faults` takes
    /// (e.g. `{"latency_ms": 200, "webhook_duplicate_rate": 0.5}`).
    #[arg(long, env = "SANDBOX_FAULTS", global = true)]
    pub sandbox_faults: Option<String>,
    /// Sandbox: seed of the price walk and of fault draws.
    #[arg(long, env = "SANDBOX_SEED", default_value_t = 42, global = true)]
    pub sandbox_seed: u64,
}

/// A setting the server refuses to start with: which one, and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

fn refuse<T>(setting: &'static str, message: impl Into<String>) -> Result<T, ConfigError> {
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
    pub settings: crate::Settings,
    pub reconcile_interval: Duration,
    pub sandbox: SandboxArgs,
}

/// The sandbox's own tunables (embedded or standalone).
#[derive(Clone)]
pub struct SandboxArgs {
    pub quote_window: Duration,
    pub settle_delay: Duration,
    pub seed: u64,
    pub faults: crate::sandbox::Faults,
    pub webhook_secret: SecretString,
}

impl ServerArgs {
    /// Checks every setting; the first that cannot be used is the error.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let upstream = match (&self.upstream_url, self.embedded_sandbox || self.demo) {
            (Some(url), _) => UpstreamChoice::Url(checked_url("ZEROPOOLS_BASE_URL", url)?),
            (None, true) => UpstreamChoice::EmbeddedSandbox,
            (None, false) => {
                return refuse("ZEROPOOLS_BASE_URL", "is required. Set it to 0Pools' base URL, or set EMBEDDED_SANDBOX=true (or DEMO_MODE=true) to use the test-mode sandbox")
            }
        };
        if self.embedded_sandbox && self.upstream_url.is_some() {
            return refuse("EMBEDDED_SANDBOX", "cannot be combined with ZEROPOOLS_BASE_URL: choose one upstream");
        }
        let sandbox = upstream == UpstreamChoice::EmbeddedSandbox;
        let secret_key = resolve(&self.secret_key_file, &self.secret_key, SANDBOX_DEFAULT_KEY, sandbox, "ZEROPOOLS_SECRET_KEY")?;
        if sandbox && secret_key.expose_secret().starts_with("sk_live_") {
            return refuse("ZEROPOOLS_SECRET_KEY", "is a live key (sk_live_…) but the upstream is the test-mode sandbox: never send a live key to the sandbox");
        }
        if self.demo && secret_key.expose_secret().starts_with("sk_live_") {
            return refuse("DEMO_MODE", "cannot run with a live key (sk_live_…): demo mode lets anyone start a checkout");
        }
        let webhook_secret = resolve(&self.webhook_secret_file, &self.webhook_secret, SANDBOX_DEFAULT_WEBHOOK_SECRET, sandbox, "ZEROPOOLS_WEBHOOK_SECRET")?;
        let partner_api_key = match &self.partner_api_key {
            Some(key) => Some(trimmed("PARTNER_API_KEY", key)?),
            None => None,
        };
        let partner_webhook = match (&self.partner_webhook_url, &self.partner_webhook_secret) {
            (None, None) => None,
            (Some(url), Some(secret)) => Some((checked_url("PARTNER_WEBHOOK_URL", url)?, trimmed("PARTNER_WEBHOOK_SECRET", secret)?)),
            (Some(_), None) => return refuse("PARTNER_WEBHOOK_SECRET", "is required with PARTNER_WEBHOOK_URL (it signs the webhooks your backend verifies)"),
            (None, Some(_)) => return refuse("PARTNER_WEBHOOK_URL", "is required with PARTNER_WEBHOOK_SECRET"),
        };
        let cors_allowed_origins = self
            .cors_allowed_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
            .map(checked_origin)
            .collect::<Result<Vec<_>, _>>()?;
        let database_url = checked_database_url(&self.database_url)?;
        let console = self.console()?;
        let balance_below = match self.alert_balance_below.trim().parse::<rust_decimal::Decimal>() {
            Ok(d) if !d.is_sign_negative() => d,
            _ => return refuse("ALERT_BALANCE_BELOW", format!("must be a non-negative decimal such as 1000 or 250.50, not {:?}", self.alert_balance_below)),
        };
        let faults = self.sandbox_faults()?;

        let mut settings = crate::Settings::new(self.widget_dir.clone(), webhook_secret.clone());
        settings.demo = self.demo;
        settings.partner_api_key = partner_api_key;
        settings.partner_webhook = partner_webhook;
        settings.console = console;
        settings.alerts.balance_below = balance_below;
        settings.session_ttl = Duration::from_secs(self.session_ttl_secs);
        settings.checkout_ttl = Duration::from_secs(self.checkout_ttl_secs);
        settings.cors_allowed_origins = cors_allowed_origins;
        settings.limits.quotes_per_minute = self.quote_rate_per_minute;
        settings.limits.mints_per_minute = self.mint_rate_per_minute;
        settings.limits.upstream_quotes_per_second = self.upstream_quotes_per_second;
        settings.limits.sse_per_checkout = self.sse_max_per_checkout;
        settings.limits.sse_total = self.sse_max_total;
        settings.trust_forwarded_for = self.trust_forwarded_for;
        settings.preview_window = Duration::from_millis(self.preview_window_ms);
        settings.retention = Duration::from_secs(u64::from(self.retention_days) * 86_400);
        settings.serve.header_read_timeout = Duration::from_secs(self.header_read_timeout_secs);
        settings.serve.max_connections = self.max_connections as usize;
        settings.serve.idle_timeout = Duration::from_secs(self.idle_timeout_secs);
        settings.accept_lease = Duration::from_secs(self.accept_lease_secs);
        settings.leader_lease = Duration::from_secs(self.leader_lease_secs);
        Ok(Config {
            listen: self.listen,
            database_url,
            upstream,
            secret_key,
            settings,
            reconcile_interval: Duration::from_millis(self.reconcile_interval_ms),
            sandbox: SandboxArgs {
                quote_window: Duration::from_millis(self.sandbox_quote_window_ms),
                settle_delay: Duration::from_millis(self.sandbox_settle_delay_ms),
                seed: self.sandbox_seed,
                faults,
                webhook_secret,
            },
        })
    }

    /// The partner console, when a credential is configured (hash or password file).
    fn console(&self) -> Result<Option<crate::console::ConsoleSettings>, ConfigError> {
        use crate::console::ConsoleCredential;
        let credential = match (&self.console_password_hash, &self.console_password_file) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => return refuse("CONSOLE_PASSWORD_FILE", "cannot be combined with CONSOLE_PASSWORD_HASH: choose one"),
            (Some(hash), None) => ConsoleCredential::from_hash(&self.console_user, hash.expose_secret()).map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_HASH", message: e.to_string() })?,
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_FILE", message: format!("cannot be read ({}): {e}", path.display()) })?;
                ConsoleCredential::from_password(&self.console_user, &SecretString::from(text)).map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_FILE", message: format!("holds a password that {e}") })?
            }
        };
        if !self.console_dir.join("index.html").is_file() {
            return refuse("CONSOLE_DIR", format!("has no index.html ({}): build the console (trunk build --config console/Trunk.toml) or point CONSOLE_DIR at it", self.console_dir.display()));
        }
        Ok(Some(crate::console::ConsoleSettings {
            credential,
            dir: self.console_dir.clone(),
            session_ttl: Duration::from_secs(self.console_session_ttl_secs),
            cookie_secure: self.console_cookie_secure.unwrap_or(!self.demo),
        }))
    }

    /// The configured sandbox faults, refused (at start-up) if not a valid fault set.
    pub fn sandbox_faults(&self) -> Result<crate::sandbox::Faults, ConfigError> {
        let Some(text) = self.sandbox_faults.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(crate::sandbox::Faults::default());
        };
        let faults: crate::sandbox::Faults = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => return refuse("SANDBOX_FAULTS", format!("is not a valid fault set: {e}")),
        };
        if let Err(e) = faults.validate() {
            return refuse("SANDBOX_FAULTS", e.to_string());
        }
        Ok(faults)
    }

    /// The standalone sandbox's key and webhook secret (sandbox defaults allowed).
    pub fn sandbox_secrets(&self) -> Result<(SecretString, SecretString), ConfigError> {
        let key = resolve(&self.secret_key_file, &self.secret_key, SANDBOX_DEFAULT_KEY, true, "ZEROPOOLS_SECRET_KEY")?;
        if key.expose_secret().starts_with("sk_live_") {
            return refuse("ZEROPOOLS_SECRET_KEY", "is a live key (sk_live_…): the sandbox only takes test keys");
        }
        Ok((key, resolve(&self.webhook_secret_file, &self.webhook_secret, SANDBOX_DEFAULT_WEBHOOK_SECRET, true, "ZEROPOOLS_WEBHOOK_SECRET")?))
    }
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
            match crate::db::StoreKind::of(&self.database_url) {
                Some(crate::db::StoreKind::Postgres) => format!("database: Postgres {}", redacted_url(&self.database_url)),
                _ => format!("database: SQLite {}", self.database_url),
            },
            match &self.upstream {
                UpstreamChoice::Url(url) => format!("0Pools: {}", redacted_url(url)),
                UpstreamChoice::EmbeddedSandbox => "0Pools: embedded test-mode sandbox on loopback".into(),
            },
            format!("0Pools secret key: {}", key_kind(&self.secret_key)),
            "0Pools webhook secret: set (redacted)".into(),
            format!("partner API key: {}", set(s.partner_api_key.is_some())),
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

/// What kind of key it is, never the key.
fn key_kind(key: &SecretString) -> &'static str {
    let k = key.expose_secret();
    if k.starts_with("sk_live_") {
        "live key (redacted)"
    } else if k.starts_with("sk_test_") {
        "test key (redacted)"
    } else {
        "set (redacted)"
    }
}

fn long_enough(setting: &'static str, secret: &SecretString) -> Result<(), ConfigError> {
    let len = secret.expose_secret().trim().chars().count();
    if len < MIN_SECRET_LEN {
        let what = if len == 0 { "is empty".to_owned() } else { format!("is too short ({len} characters)") };
        return refuse(setting, format!("{what}: use at least {MIN_SECRET_LEN} characters"));
    }
    Ok(())
}

fn checked_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    match url.parse::<reqwest::Url>() {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(url.to_owned()),
        // Not echoed: a mistyped URL may still carry a token.
        _ => refuse(setting, "is not an http(s) URL (write https://host[:port][/path])"),
    }
}

/// A URL for the log: scheme, host, port and path; never credentials or a query.
pub fn redacted_url(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let hidden = if u.username().is_empty() && u.password().is_none() && u.query().is_none() { "" } else { " (credentials or query redacted)" };
            format!("{}://{}{port}{}{hidden}", u.scheme(), u.host_str().unwrap_or("?"), u.path().trim_end_matches('/'))
        }
        Err(_) => "(unparsable, redacted)".into(),
    }
}

/// A secret as it will be used: trimmed, and long enough.
fn trimmed(setting: &'static str, secret: &SecretString) -> Result<SecretString, ConfigError> {
    let secret = SecretString::from(secret.expose_secret().trim().to_owned());
    long_enough(setting, &secret)?;
    Ok(secret)
}

/// A browser origin: scheme, host and optional port, nothing else. `*` is refused:
/// the API takes bearer tokens, and any page anywhere must not drive it.
fn checked_origin(origin: &str) -> Result<String, ConfigError> {
    if origin.contains('*') {
        return refuse("CORS_ALLOWED_ORIGINS", "a wildcard (*) is not allowed: list each partner origin, e.g. https://shop.example");
    }
    let ok = origin.parse::<reqwest::Url>().ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.path() == "/" && u.query().is_none() && !origin.ends_with('/')
    });
    match ok {
        Some(_) if axum::http::HeaderValue::from_str(origin).is_ok() => Ok(origin.to_owned()),
        _ => refuse("CORS_ALLOWED_ORIGINS", format!("{origin:?} is not an origin: write scheme://host[:port], without a path")),
    }
}

fn checked_database_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        if path.is_empty() || path.starts_with('?') {
            return refuse("DATABASE_URL", "names no database file: write sqlite://path/to/file.db");
        }
        return Ok(url.to_owned());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let named = url.parse::<reqwest::Url>().ok().filter(|u| u.host_str().is_some_and(|h| !h.is_empty()) && !u.path().trim_matches('/').is_empty());
        return match named {
            Some(_) => Ok(url.to_owned()),
            None => refuse("DATABASE_URL", "names no Postgres database: write postgres://user:password@host:5432/dbname"),
        };
    }
    refuse(
        "DATABASE_URL",
        format!("{:?} is not a database URL this server can use: write sqlite://path/to/file.db or postgres://user:password@host/dbname", url.split('@').next_back().unwrap_or("")),
    )
}

/// A secret from its file, else its variable, else (sandbox only) the sandbox default.
/// Against a real 0Pools URL a missing secret is a start-up error, never a default.
fn resolve(file: &Option<PathBuf>, value: &Option<SecretString>, sandbox_default: &str, sandbox: bool, name: &'static str) -> Result<SecretString, ConfigError> {
    let secret = if let Some(path) = file {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretString::from(text.trim().to_owned()),
            Err(e) => return refuse(name, format!("the file {} could not be read: {e}", path.display())),
        }
    } else {
        match value {
            Some(v) => SecretString::from(v.expose_secret().trim().to_owned()),
            None if sandbox => SecretString::from(sandbox_default.to_owned()),
            None => return refuse(name, format!("is required with a 0Pools URL (set {name} or {name}_FILE)")),
        }
    };
    long_enough(name, &secret)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(vars: &[&str]) -> Result<Config, ConfigError> {
        let mut argv = vec!["quote-server"];
        argv.extend_from_slice(vars);
        Cli::try_parse_from(argv).expect("parses").server.validate()
    }

    #[test]
    fn refuses_what_it_cannot_use_and_names_the_setting() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "ZEROPOOLS_BASE_URL"),
            (&["--embedded-sandbox", "--secret-key", "sk_live_abcdefghijklmnop"], "ZEROPOOLS_SECRET_KEY"),
            (&["--embedded-sandbox", "--webhook-secret", "short"], "ZEROPOOLS_WEBHOOK_SECRET"),
            (&["--embedded-sandbox", "--webhook-secret", ""], "ZEROPOOLS_WEBHOOK_SECRET"),
            (&["--embedded-sandbox", "--cors-allowed-origins", "*"], "CORS_ALLOWED_ORIGINS"),
            (&["--embedded-sandbox", "--cors-allowed-origins", "https://a.example/path"], "CORS_ALLOWED_ORIGINS"),
            (&["--embedded-sandbox", "--database-url", "postgres://u:p@localhost"], "DATABASE_URL"),
            (&["--embedded-sandbox", "--database-url", "mysql://x"], "DATABASE_URL"),
            (&["--embedded-sandbox", "--partner-api-key", "pk"], "PARTNER_API_KEY"),
            (&["--embedded-sandbox", "--alert-balance-below=-5"], "ALERT_BALANCE_BELOW"),
            (&["--embedded-sandbox", "--alert-balance-below", "lots"], "ALERT_BALANCE_BELOW"),
            (&["--embedded-sandbox", "--console-password-hash", "hunter2-but-longer"], "CONSOLE_PASSWORD_HASH"),
            (&["--embedded-sandbox", "--console-password-file", "/nonexistent/console-password"], "CONSOLE_PASSWORD_FILE"),
            (&["--embedded-sandbox", "--partner-webhook-url", "https://p.example/hook"], "PARTNER_WEBHOOK_SECRET"),
            (&["--upstream-url", "https://api.0pools.example"], "ZEROPOOLS_SECRET_KEY"),
            (&["--upstream-url", "not a url", "--secret-key", "sk_live_abcdefghijklmnop"], "ZEROPOOLS_BASE_URL"),
        ];
        for (argv, setting) in cases {
            match args(argv) {
                Err(e) => assert_eq!(e.setting, *setting, "{argv:?}: {e}"),
                Ok(_) => panic!("{argv:?} should be refused"),
            }
        }
    }

    #[test]
    fn accepts_a_sound_configuration_and_never_prints_secrets() {
        let config = args(&[
            "--upstream-url", "https://api.0pools.example/", "--secret-key", "sk_live_abcdefghijklmnop",
            "--webhook-secret", "whsec_0123456789abcdef", "--partner-api-key", "pk_0123456789abcdef",
            "--cors-allowed-origins", "https://shop.example,http://localhost:3000",
        ])
        .unwrap();
        assert_eq!(config.upstream, UpstreamChoice::Url("https://api.0pools.example".into()));
        let summary = config.summary().join("\n");
        for secret in ["sk_live_abcdefghijklmnop", "whsec_0123456789abcdef", "pk_0123456789abcdef"] {
            assert!(!summary.contains(secret), "{summary}");
        }
        assert!(summary.contains("live key (redacted)"));
        assert!(summary.contains("mode: production"));
    }

    #[test]
    fn urls_are_logged_without_credentials_and_secrets_trimmed() {
        let config = args(&[
            "--upstream-url", "https://user:pass@api.0pools.example/v1?token=abc", "--secret-key", "sk_live_abcdefghijklmnop",
            "--webhook-secret", "whsec_0123456789abcdef", "--partner-api-key", " pk_0123456789abcdef\n",
            "--database-url", "postgres://quotes:db-s3cret@db.internal:5432/quotes",
        ])
        .unwrap();
        let summary = config.summary().join("\n");
        assert!(summary.contains("0Pools: https://api.0pools.example/v1 (credentials or query redacted)"), "{summary}");
        assert!(summary.contains("database: Postgres postgres://db.internal:5432/quotes (credentials or query redacted)"), "{summary}");
        assert!(!summary.contains("pass") && !summary.contains("abc") && !summary.contains("db-s3cret"), "{summary}");
        assert_eq!(config.settings.partner_api_key.as_ref().unwrap().expose_secret(), "pk_0123456789abcdef");
        let live_demo = args(&["--demo", "--secret-key", "sk_live_abcdefghijklmnop", "--upstream-url", "https://api.0pools.example", "--webhook-secret", "whsec_0123456789abcdef"]);
        assert_eq!(live_demo.err().map(|e| e.setting), Some("DEMO_MODE"));
    }

    #[test]
    fn out_of_range_numbers_are_parse_errors_not_panics() {
        for argv in [["--session-ttl-secs", "99999999999999"], ["--quote-rate-per-minute", "0"], ["--retention-days", "-1"]] {
            let mut full = vec!["quote-server", "--embedded-sandbox"];
            full.extend_from_slice(&argv);
            assert!(Cli::try_parse_from(full).is_err(), "{argv:?}");
        }
    }
}
