use clap::Parser;
use quote_server::app::{Application, Parts};
use quote_server::config::{Cli, Command, ConfigError, ServerArgs};
use std::net::SocketAddr;
use std::process::ExitCode;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;
use zeropools_sandbox::{Sandbox, SandboxConfig};

/// Exit code for a configuration the server refuses to start with.
const EXIT_CONFIG: u8 = 78; // EX_CONFIG

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Sandbox { listen, webhook_url }) => run_sandbox(cli.server, listen, webhook_url).await,
        Some(Command::HashConsolePassword) => hash_console_password(),
        None | Some(Command::Run) => run_server(cli.server).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<ConfigError>() {
            Some(config) => {
                eprintln!("quote-server: refusing to start: {config}");
                ExitCode::from(EXIT_CONFIG)
            }
            None => {
                eprintln!("quote-server: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Prints the PHC string of the password read on stdin (one line), and nothing else.
fn hash_console_password() -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let hash = quote_server::config::hash_password(&secrecy::SecretString::from(line))
        .map_err(|e| ConfigError { setting: "CONSOLE_PASSWORD_HASH", message: format!("the password {e}") })?;
    println!("{hash}");
    Ok(())
}

async fn run_sandbox(args: ServerArgs, listen: SocketAddr, webhook_url: Option<String>) -> anyhow::Result<()> {
    let (key, webhook_secret) = args.sandbox_secrets()?;
    let mut config = SandboxConfig::new(key, webhook_secret);
    config.quote_window = std::time::Duration::from_millis(args.sandbox_quote_window_ms);
    config.settle_delay = std::time::Duration::from_millis(args.sandbox_settle_delay_ms);
    config.seed = args.sandbox_seed;
    if let Some(balances) = args.sandbox_starting_balances()? {
        config.starting_balances = balances;
    }
    config.webhook_url = webhook_url;
    let listener = TcpListener::bind(listen).await?;
    let url = zeropools_sandbox::serve(Sandbox::with_faults(config, args.sandbox_faults()?), listener).await?;
    // Printed on stdout, alone on its line, so scripts can read the address.
    println!("0Pools sandbox listening on {url}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

async fn run_server(args: ServerArgs) -> anyhow::Result<()> {
    let config = args.validate()?;
    for line in config.summary() {
        tracing::info!("config: {line}");
    }
    let console = config.settings.console.as_ref().map(|c| c.credential.user().to_owned());
    let listener = TcpListener::bind(config.listen).await?;
    let app = Application::build(Parts::from_config(config, listener)).await?;
    let stop = stop_requested()?;
    println!("Quote widget ready at {}", app.url);
    if let Some(user) = console {
        println!("Partner console at {}/console/ (user {user})", app.url);
    }
    app.run_until(stop).await
}

/// SIGINT (Ctrl-C) or SIGTERM (what container orchestrators send before killing).
/// The handlers are installed here, at once, so a signal that arrives right after
/// "ready" is printed is not missed (and does not kill the process ungracefully).
fn stop_requested() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
