//! Configuration, from environment variables (or the equivalent flags). Every
//! variable is documented in the README with its default. Secrets are parsed
//! straight into `SecretString`, which never prints.

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The secret key the embedded sandbox accepts when none is configured. It is a
/// test-mode key of the sandbox, worthless against 0Pools.
pub const SANDBOX_DEFAULT_KEY: &str = "sk_test_sandbox";
/// The webhook signing secret the embedded sandbox uses when none is configured.
pub const SANDBOX_DEFAULT_WEBHOOK_SECRET: &str = "whsec_sandbox";

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
    /// Run the companion server (the default). Starts the embedded sandbox unless ZEROPOOLS_BASE_URL is set.
    Run,
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
    /// Address the companion server listens on.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub listen: SocketAddr,
    /// SQLite database (created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/quote-widget.db", global = true)]
    pub database_url: String,
    /// 0Pools base URL. Unset: start the embedded sandbox and use it.
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
    /// Partner origins allowed to call the API from a browser, comma-separated.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_allowed_origins: Vec<String>,
    /// When set, sessions are minted only by the partner's backend, with this key as Bearer token.
    #[arg(long, env = "PARTNER_API_KEY", value_parser = secret, hide_env_values = true, global = true)]
    pub partner_api_key: Option<SecretString>,
    /// How long a widget session lasts, in seconds.
    #[arg(long, env = "SESSION_TTL_SECS", default_value_t = 3600, global = true)]
    pub session_ttl_secs: u64,
    /// Quote requests one session may make per minute (after a burst of 20).
    #[arg(long, env = "QUOTE_RATE_PER_MINUTE", default_value_t = 120, global = true)]
    pub quote_rate_per_minute: u32,
    /// How often unfinished trades are reconciled against 0Pools, in milliseconds.
    #[arg(long, env = "RECONCILE_INTERVAL_MS", default_value_t = 10_000, global = true)]
    pub reconcile_interval_ms: u64,
    /// Sandbox: how long a firm quote stays executable, in milliseconds.
    #[arg(long, env = "SANDBOX_QUOTE_WINDOW_MS", default_value_t = 15_000, global = true)]
    pub sandbox_quote_window_ms: u64,
    /// Sandbox: how long a reserved trade takes to reach its terminal status, in milliseconds.
    #[arg(long, env = "SANDBOX_SETTLE_DELAY_MS", default_value_t = 3_000, global = true)]
    pub sandbox_settle_delay_ms: u64,
    /// Sandbox: faults from the start, as the JSON object `PUT /sandbox/faults` takes
    /// (e.g. `{"latency_ms": 200, "webhook_duplicate_rate": 0.5}`).
    #[arg(long, env = "SANDBOX_FAULTS", global = true)]
    pub sandbox_faults: Option<String>,
    /// Sandbox: seed of the price walk and of fault draws.
    #[arg(long, env = "SANDBOX_SEED", default_value_t = 42, global = true)]
    pub sandbox_seed: u64,
}

impl ServerArgs {
    pub fn resolved_secret_key(&self) -> anyhow::Result<SecretString> {
        resolve(&self.secret_key_file, &self.secret_key, SANDBOX_DEFAULT_KEY, self.upstream_url.is_some(), "ZEROPOOLS_SECRET_KEY")
    }
    pub fn resolved_webhook_secret(&self) -> anyhow::Result<SecretString> {
        resolve(&self.webhook_secret_file, &self.webhook_secret, SANDBOX_DEFAULT_WEBHOOK_SECRET, self.upstream_url.is_some(), "ZEROPOOLS_WEBHOOK_SECRET")
    }
    pub fn settings(&self) -> anyhow::Result<crate::Settings> {
        let mut settings = crate::Settings::new(self.widget_dir.clone(), self.resolved_webhook_secret()?);
        settings.partner_api_key = self.partner_api_key.clone();
        settings.session_ttl = Duration::from_secs(self.session_ttl_secs);
        settings.cors_allowed_origins = self.cors_allowed_origins.clone();
        settings.quote_rate_per_minute = self.quote_rate_per_minute;
        Ok(settings)
    }
    pub fn reconcile_interval(&self) -> Duration {
        Duration::from_millis(self.reconcile_interval_ms)
    }
    /// The configured sandbox faults, refused (at start-up) if not a valid fault set.
    pub fn sandbox_faults(&self) -> anyhow::Result<crate::sandbox::Faults> {
        let Some(text) = self.sandbox_faults.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Ok(crate::sandbox::Faults::default());
        };
        let faults: crate::sandbox::Faults =
            serde_json::from_str(text).map_err(|e| anyhow::anyhow!("SANDBOX_FAULTS is not a valid fault set: {e}"))?;
        faults.validate().map_err(|e| anyhow::anyhow!("SANDBOX_FAULTS: {e}"))?;
        Ok(faults)
    }
    pub fn sandbox_quote_window(&self) -> Duration {
        Duration::from_millis(self.sandbox_quote_window_ms)
    }
    pub fn sandbox_settle_delay(&self) -> Duration {
        Duration::from_millis(self.sandbox_settle_delay_ms)
    }
}

/// A secret from its file, else its variable, else (sandbox only) the sandbox default.
/// Against a real 0Pools URL a missing secret is a start-up error, never a default.
fn resolve(file: &Option<PathBuf>, value: &Option<SecretString>, sandbox_default: &str, real_upstream: bool, name: &str) -> anyhow::Result<SecretString> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{name}_FILE {} could not be read: {e}", path.display()))?;
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    match value {
        Some(v) => Ok(v.clone()),
        None if !real_upstream => Ok(SecretString::from(sandbox_default.to_owned())),
        None => anyhow::bail!("{name} (or {name}_FILE) is required when ZEROPOOLS_BASE_URL is set"),
    }
}
