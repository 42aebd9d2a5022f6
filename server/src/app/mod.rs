//! The one way a server is put together, used by `main`, the tests and the benches
//! alike: [`Parts`] (from a checked [`Config`], or [`Parts::new`] with the same
//! defaults and a few fields changed) becomes an [`Application`] bound to its port,
//! with the embedded sandbox when asked for, the database opened and migrated, each
//! room built once over shared parts, and the background workers (reconciler,
//! sweep, partner webhook outbox, trade-update listener) started when it runs.
//!
//! Uses every room; nothing uses it.

use crate::checkouts::Checkouts;
use crate::config::{Config, SandboxArgs, Settings, UpstreamChoice};
use crate::http::{self, AppState};
use crate::partner::program::Program;
use crate::partner::LedgerSync;
use crate::quoting::Quoting;
use crate::store::{self, Store};
use crate::trading::{self, Outbox, Trading};
use crate::workers::{Leadership, Workers};
use crate::zeropools::{ClientConfig, UpstreamClient};
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use zeropools_sandbox::{Faults, Sandbox, SandboxConfig};

/// How often the sweep runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(30);
/// How often the reconciler runs unless configured (`RECONCILE_INTERVAL_MS`).
pub const RECONCILE_INTERVAL: Duration = Duration::from_secs(10);

/// The pieces of a server. `main` makes them from a checked [`Config`]; tests and
/// benches from [`Parts::new`], changing what they need.
pub struct Parts {
    pub listener: TcpListener,
    pub database_url: String,
    pub upstream: UpstreamChoice,
    pub secret_key: SecretString,
    pub settings: Settings,
    pub reconcile_interval: Duration,
    pub sweep_interval: Duration,
    pub sandbox: SandboxArgs,
    /// Adjusts the upstream client (timeouts, retry pacing) before it is built.
    pub client: Box<dyn FnOnce(&mut ClientConfig) + Send>,
    /// Adjusts the embedded sandbox's configuration before it starts.
    pub sandbox_config: Box<dyn FnOnce(&mut SandboxConfig) + Send>,
}

impl Parts {
    /// The parts with every default `main` would use (the sandbox's own defaults
    /// included), on an already bound listener.
    pub fn new(
        listener: TcpListener,
        database_url: String,
        upstream: UpstreamChoice,
        secret_key: SecretString,
        settings: Settings,
    ) -> Parts {
        let sandbox = SandboxArgs {
            quote_window: Duration::from_secs(15),
            settle_delay: Duration::from_secs(3),
            seed: 42,
            faults: Faults::default(),
            webhook_secret: settings.webhook_secret.clone(),
            starting_balances: None,
        };
        Parts {
            listener,
            database_url,
            upstream,
            secret_key,
            settings,
            reconcile_interval: RECONCILE_INTERVAL,
            sweep_interval: SWEEP_INTERVAL,
            sandbox,
            client: Box::new(|_| {}),
            sandbox_config: Box::new(|_| {}),
        }
    }

    /// The parts a checked configuration describes, on an already bound listener.
    pub fn from_config(config: Config, listener: TcpListener) -> Parts {
        let (timeout, attempts) = (config.upstream_timeout, config.upstream_attempts);
        Parts {
            reconcile_interval: config.reconcile_interval,
            sandbox: config.sandbox,
            client: Box::new(move |client| {
                client.timeout = timeout;
                client.max_attempts = attempts;
            }),
            ..Parts::new(listener, config.database_url, config.upstream, config.secret_key, config.settings)
        }
    }
}

/// A built server, bound but not yet serving.
pub struct Application {
    listener: TcpListener,
    pub url: String,
    pub state: AppState,
    pub workers: Workers,
    /// The embedded sandbox, when it is the upstream.
    pub sandbox: Option<Arc<Sandbox>>,
    reconcile_interval: Duration,
    sweep_interval: Duration,
}

/// A server serving in the background (tests): dropping it does not stop it; `stop` does.
pub struct Running {
    pub url: String,
    pub state: AppState,
    pub workers: Workers,
    pub sandbox: Option<Arc<Sandbox>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops serving and every worker, as if the process had been killed.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
        self.state.store.db.close().await;
    }
}

/// Starts the embedded sandbox on loopback. It still speaks real HTTP, so the
/// server's upstream client talks to it exactly as it would to 0Pools.
async fn embedded_sandbox(parts: &mut Parts, url: &str) -> anyhow::Result<(String, Arc<Sandbox>)> {
    let mut config = SandboxConfig::new(parts.secret_key.clone(), parts.sandbox.webhook_secret.clone());
    config.webhook_url = Some(format!("{url}/webhooks/0pools"));
    config.quote_window = parts.sandbox.quote_window;
    config.settle_delay = parts.sandbox.settle_delay;
    config.seed = parts.sandbox.seed;
    if let Some(balances) = parts.sandbox.starting_balances.clone() {
        config.starting_balances = balances;
    }
    std::mem::replace(&mut parts.sandbox_config, Box::new(|_| {}))(&mut config);
    let sandbox = Sandbox::with_faults(config, parts.sandbox.faults.clone());
    let sandbox_url = zeropools_sandbox::serve(Arc::clone(&sandbox), TcpListener::bind("127.0.0.1:0").await?).await?;
    tracing::info!(url = %sandbox_url, "embedded 0Pools sandbox started");
    Ok((sandbox_url, sandbox))
}

/// Every room, built once over shared parts.
fn assemble(store: Store, upstream: UpstreamClient, settings: Settings, url: &str) -> (AppState, Workers) {
    let settings = Arc::new(settings);
    let replica_id: Arc<str> = format!("replica-{}", uuid::Uuid::new_v4().simple()).into();
    let quoting = Quoting::new(&upstream, &store, &settings);
    let outbox = Outbox::new(store.clone(), settings.partner_webhook.clone(), settings.partner_webhook_retry_base);
    let trading =
        Trading::new(store.clone(), upstream.clone(), quoting.outcomes.clone(), settings.accept_lease, Arc::clone(&replica_id), outbox);
    let checkouts = Checkouts::new(store.clone(), quoting.pools.clone(), &settings);
    let program = Program::new(store.clone(), quoting.pools.clone(), quoting.capacity.clone(), Arc::clone(&settings), url);
    let workers = Workers {
        store: store.clone(),
        upstream: upstream.clone(),
        trading: trading.clone(),
        quoting: quoting.clone(),
        ledger: LedgerSync::new(store.clone(), upstream.clone(), quoting.pools.clone(), settings.ledger_grace),
        program: program.clone(),
        settings: Arc::clone(&settings),
        reconciler: Arc::new(Leadership::new("reconciler", replica_id, settings.leader_lease)),
    };
    (AppState::new(store, upstream, settings, quoting, trading, checkouts, program), workers)
}

impl Application {
    pub async fn build(mut parts: Parts) -> anyhow::Result<Application> {
        let addr = parts.listener.local_addr()?;
        let url = format!("http://{addr}");
        let (upstream_url, sandbox) = match parts.upstream.clone() {
            UpstreamChoice::Url(url) => (url, None),
            UpstreamChoice::EmbeddedSandbox => {
                let (sandbox_url, sandbox) = embedded_sandbox(&mut parts, &url).await?;
                (sandbox_url, Some(sandbox))
            }
        };
        let mut client = ClientConfig::new(upstream_url, parts.secret_key);
        (parts.client)(&mut client);
        // The metrics recorder, once per process, before anything counts.
        crate::telemetry::handle();
        let store = Store::new(store::open(&parts.database_url).await?);
        let (state, workers) = assemble(store, UpstreamClient::new(client), parts.settings, &url);
        Ok(Application {
            listener: parts.listener,
            url,
            state,
            workers,
            sandbox,
            reconcile_interval: parts.reconcile_interval,
            sweep_interval: parts.sweep_interval,
        })
    }

    fn spawn_workers(&self) -> Vec<JoinHandle<()>> {
        // Resumes what a previous run left unfinished, then keeps trades honest.
        let mut tasks = vec![
            self.workers.spawn_reconciler(self.reconcile_interval),
            self.workers.spawn_sweep(self.sweep_interval),
            http::limits::spawn_forgetting(Arc::clone(&self.state.limiters), self.sweep_interval),
        ];
        tasks.extend(self.state.trading.outbox.spawn());
        tasks.extend(trading::events::spawn_listener(self.state.trading.events.clone()));
        tasks
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let workers = self.spawn_workers();
        let router = http::router(self.state.clone());
        let stopping = self.state.stopping.clone();
        let shutdown = async move {
            shutdown.await;
            tracing::info!("stopping: readiness fails, live streams end, in-flight requests finish");
            stopping.begin();
        };
        let served = http::serve::serve(self.listener, router, self.state.settings.serve, shutdown).await;
        for task in workers {
            task.abort();
        }
        // Another replica may reconcile at once, instead of after the lease runs out.
        self.workers.reconciler.release(&self.state.store.db).await;
        Ok(served?)
    }

    /// Serves in the background.
    pub fn spawn(self) -> Running {
        let mut tasks = self.spawn_workers();
        let router = http::router(self.state.clone());
        let limits = self.state.settings.serve;
        let Application { listener, url, state, workers, sandbox, .. } = self;
        tasks.push(tokio::spawn(async move {
            let _ = http::serve::serve(listener, router, limits, std::future::pending()).await;
        }));
        Running { url, state, workers, sandbox, tasks }
    }
}
