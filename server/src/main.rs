use clap::Parser;
use quote_server::config::{Cli, Command, ServerArgs};
use quote_server::sandbox::{self, Sandbox, SandboxConfig};
use quote_server::upstream::{ClientConfig, UpstreamClient};
use quote_server::{app, db, reconcile, AppState};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sandbox { listen, webhook_url }) => run_sandbox(cli.server, listen, webhook_url).await,
        None | Some(Command::Run) => run_server(cli.server).await,
    }
}

fn sandbox_config(args: &ServerArgs, webhook_url: Option<String>) -> anyhow::Result<SandboxConfig> {
    let mut config = SandboxConfig::new(args.resolved_secret_key()?, args.resolved_webhook_secret()?);
    config.quote_window = args.sandbox_quote_window();
    config.settle_delay = args.sandbox_settle_delay();
    config.seed = args.sandbox_seed;
    config.webhook_url = webhook_url;
    Ok(config)
}

async fn run_sandbox(args: ServerArgs, listen: SocketAddr, webhook_url: Option<String>) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    let url = sandbox::serve(Sandbox::with_faults(sandbox_config(&args, webhook_url)?, args.sandbox_faults()?), listener).await?;
    // Printed on stdout, alone on its line, so scripts can read the address.
    println!("0Pools sandbox listening on {url}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

async fn run_server(args: ServerArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let upstream_url = match &args.upstream_url {
        Some(url) => url.clone(),
        None => {
            // The embedded sandbox still speaks real HTTP on loopback, so the server's
            // upstream client talks to it exactly as it would to 0Pools.
            let webhook_url = format!("http://{addr}/webhooks/0pools");
            let sandbox = Sandbox::with_faults(sandbox_config(&args, Some(webhook_url))?, args.sandbox_faults()?);
            let url = sandbox::serve(sandbox, TcpListener::bind("127.0.0.1:0").await?).await?;
            tracing::info!(%url, "embedded 0Pools sandbox started");
            url
        }
    };
    let upstream = UpstreamClient::new(ClientConfig::new(upstream_url, args.resolved_secret_key()?));
    let db = db::open(&args.database_url).await?;
    let state = AppState::new(upstream, db, args.settings()?);
    // Resumes what a previous run left unfinished, then keeps trades honest.
    reconcile::spawn(state.clone(), args.reconcile_interval());
    println!("Quote widget ready at http://{addr}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
