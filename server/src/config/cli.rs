//! The server's variables and flags, as clap declares them: every one documented in
//! the README with its default.

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// The bearer token a metrics scraper sends to `GET /metrics` (at least 16 characters; never the partner key). Without it `/metrics` is closed.
    #[arg(long, env = "METRICS_TOKEN", value_parser = secret, hide_env_values = true, global = true)]
    pub metrics_token: Option<SecretString>,
    /// Alert (and prompt a top-up in the console) when an asset's available balance is below this (a decimal, in the asset).
    #[arg(long, env = "ALERT_BALANCE_BELOW", default_value = "1000", global = true)]
    pub alert_balance_below: String,
    /// The partner program's id, for its records (`lp_…`; letters, digits, `_`, `-`, `.`).
    #[arg(long, env = "PROGRAM_ID", default_value = "lp_default", global = true)]
    pub program_id: String,
    /// The product the program runs (a label such as `neobank_stablecoin_buy`).
    #[arg(long, env = "PROGRAM_PRODUCT", default_value = "stablecoin_checkout", global = true)]
    pub program_product: String,
    /// The pools the program approves, comma-separated (`EUR-USDT,USD-USDC`): the widget is offered, and the server quotes, no other. Unset: every pool 0Pools lists.
    #[arg(long, env = "PROGRAM_APPROVED_POOLS", value_delimiter = ',', global = true)]
    pub program_approved_pools: Vec<String>,
    /// How the program's draws are backed: `prefunded` or `settlement_cycle`.
    #[arg(long, env = "PROGRAM_FUNDING_MODEL", default_value = "prefunded", global = true)]
    pub program_funding_model: String,
    /// The support policy's label, for the records (`standard`, `priority`, …).
    #[arg(long, env = "PROGRAM_SUPPORT_SLA_LABEL", default_value = "standard", global = true)]
    pub program_support_sla_label: String,
    /// Cap on a user's first order (by partner_user_id), on its stablecoin leg in USDT (`500.00`). Unset: no cap.
    #[arg(long, env = "PROGRAM_FIRST_ORDER_LIMIT", global = true)]
    pub program_first_order_limit: Option<String>,
    /// Cap on every order during a pilot, on its stablecoin leg in USDT. Unset: no cap.
    #[arg(long, env = "PROGRAM_ORDER_LIMIT", global = true)]
    pub program_order_limit: Option<String>,
    /// Where support reads the runbook: an http(s) URL, or a path on this server (the default serves the runbook this build ships). Checked for the readiness record.
    #[arg(long, env = "SUPPORT_RUNBOOK_URL", default_value = "/runbook", global = true)]
    pub support_runbook_url: String,
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
    /// How long one 0Pools call may take before it is given up, in seconds (1–30; per attempt).
    #[arg(long, env = "UPSTREAM_TIMEOUT_SECS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=30), global = true)]
    pub upstream_timeout_secs: u64,
    /// How many times a 0Pools call that is safe to repeat is tried (1–5).
    #[arg(long, env = "UPSTREAM_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=5), global = true)]
    pub upstream_attempts: u32,
    /// How long the replica calling 0Pools for an accept holds that right before another
    /// replica may take the accept over, in seconds (at least what one 0Pools call may take with its retries, 34 s by default; at most 600).
    #[arg(long, env = "ACCEPT_LEASE_SECS", default_value_t = 45, value_parser = clap::value_parser!(u64).range(2..=600), global = true)]
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
    /// Sandbox: the partner's prefunded balance per asset at start, comma-separated (`USDT=25000.00,USDC=25000.00`).
    #[arg(long, env = "SANDBOX_STARTING_BALANCES", value_delimiter = ',', global = true)]
    pub sandbox_starting_balances: Vec<String>,
}
