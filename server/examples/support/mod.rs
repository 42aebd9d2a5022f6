//! What the load examples share: their keys, a sandbox with room for a whole run, and
//! the companion server with its embedded sandbox on a temporary SQLite database, or
//! replicas of it on a shared database in front of one sandbox.

use quote_server::app::{Application, Parts, Running};
use quote_server::config::{Settings, UpstreamChoice};
use secrecy::SecretString;
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpListener;
use zeropools_sandbox::SandboxConfig;

pub const PARTNER_KEY: &str = "pk_load_partner_key_0123456789";
pub const SECRET_KEY: &str = "sk_test_load_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_load_0123456789";

/// Enough prefunded balance and daily band that no run drains them (`pool_dry`
/// would end the load).
pub fn roomy(c: &mut SandboxConfig) {
    c.starting_balances = vec![("USDT".into(), "100000000".parse().unwrap()), ("USDC".into(), "100000000".parse().unwrap())];
    for pool in &mut c.pools {
        pool.daily_band_usdt = "100000000".parse().unwrap();
    }
}

/// The server and its embedded sandbox, with its database in `dir`; `tune` adjusts
/// the settings (the load is the point: no limit of the server may shed it).
pub async fn start_server(dir: &Path, tune: impl FnOnce(&mut Settings)) -> anyhow::Result<Running> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    start_replica(listener, format!("sqlite://{}", dir.join("load.db").display()), UpstreamChoice::EmbeddedSandbox, tune).await
}

/// One server on `listener` and `database_url` in front of `upstream` (replicas share a
/// database and a sandbox).
pub async fn start_replica(
    listener: TcpListener,
    database_url: String,
    upstream: UpstreamChoice,
    tune: impl FnOnce(&mut Settings),
) -> anyhow::Result<Running> {
    let mut settings = Settings::new(std::env::temp_dir(), SecretString::from(WEBHOOK_SECRET));
    settings.partner_api_key = Some(SecretString::from(PARTNER_KEY));
    settings.limits.upstream_quotes_per_second = 100_000;
    settings.limits.mints_per_minute = 10_000_000;
    tune(&mut settings);
    let mut parts = Parts::new(listener, database_url, upstream, SecretString::from(SECRET_KEY), settings);
    parts.sandbox.settle_delay = Duration::from_millis(200);
    parts.sandbox_config = Box::new(roomy);
    let app = Application::build(parts).await?;
    Ok(app.spawn())
}
