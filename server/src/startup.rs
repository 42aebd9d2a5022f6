//! The one way a server is put together, used by `main`, the tests and the load
//! example alike: a checked [`Config`] (or the same pieces set by hand) becomes an
//! [`Application`] bound to its port, with the embedded sandbox when asked for, the
//! database opened and migrated, and the background workers (reconciler, sweep,
//! partner webhook outbox) started when it runs.

use crate::config::{Config, SandboxArgs, UpstreamChoice};
use crate::sandbox::{self, Sandbox, SandboxConfig};
use crate::upstream::{ClientConfig, UpstreamClient};
use crate::serve;
use crate::{app, db, reconcile, sweep, AppState, Settings};
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How often the sweep runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(30);

/// The pieces of a server that tests and the load example set by hand.
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
    /// The parts a checked configuration describes, on an already bound listener.
    pub fn from_config(config: Config, listener: TcpListener) -> Parts {
        Parts {
            listener,
            database_url: config.database_url,
            upstream: config.upstream,
            secret_key: config.secret_key,
            settings: config.settings,
            reconcile_interval: config.reconcile_interval,
            sweep_interval: SWEEP_INTERVAL,
            sandbox: config.sandbox,
            client: Box::new(|_| {}),
            sandbox_config: Box::new(|_| {}),
        }
    }
}

/// A built server, bound but not yet serving.
pub struct Application {
    listener: TcpListener,
    pub url: String,
    pub state: AppState,
    /// The embedded sandbox, when it is the upstream.
    pub sandbox: Option<Arc<Sandbox>>,
    reconcile_interval: Duration,
    sweep_interval: Duration,
}

/// A server serving in the background (tests): dropping it does not stop it; `stop` does.
pub struct Running {
    pub url: String,
    pub state: AppState,
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
        self.state.db.close().await;
    }
}

impl Application {
    pub async fn build(parts: Parts) -> anyhow::Result<Application> {
        let addr = parts.listener.local_addr()?;
        let url = format!("http://{addr}");
        let (upstream_url, sandbox) = match &parts.upstream {
            UpstreamChoice::Url(url) => (url.clone(), None),
            UpstreamChoice::EmbeddedSandbox => {
                // The embedded sandbox still speaks real HTTP on loopback, so the server's
                // upstream client talks to it exactly as it would to 0Pools.
                let mut config = SandboxConfig::new(parts.secret_key.clone(), parts.sandbox.webhook_secret.clone());
                config.webhook_url = Some(format!("{url}/webhooks/0pools"));
                config.quote_window = parts.sandbox.quote_window;
                config.settle_delay = parts.sandbox.settle_delay;
                config.seed = parts.sandbox.seed;
                (parts.sandbox_config)(&mut config);
                let sandbox = Sandbox::with_faults(config, parts.sandbox.faults.clone());
                let sandbox_url = sandbox::serve(Arc::clone(&sandbox), TcpListener::bind("127.0.0.1:0").await?).await?;
                tracing::info!(url = %sandbox_url, "embedded 0Pools sandbox started");
                (sandbox_url, Some(sandbox))
            }
        };
        let mut client = ClientConfig::new(upstream_url, parts.secret_key);
        (parts.client)(&mut client);
        // The metrics recorder, once per process, before anything counts.
        crate::telemetry::handle();
        let db = db::open(&parts.database_url).await?;
        let state = AppState::new(UpstreamClient::new(client), db, parts.settings);
        Ok(Application {
            listener: parts.listener,
            url,
            state,
            sandbox,
            reconcile_interval: parts.reconcile_interval,
            sweep_interval: parts.sweep_interval,
        })
    }

    fn workers(&self) -> Vec<JoinHandle<()>> {
        // Resumes what a previous run left unfinished, then keeps trades honest.
        let mut tasks = vec![reconcile::spawn(self.state.clone(), self.reconcile_interval), sweep::spawn(self.state.clone(), self.sweep_interval)];
        tasks.extend(self.state.outbox.spawn());
        tasks.extend(crate::trade_events::spawn_listener(self.state.clone()));
        tasks
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let workers = self.workers();
        let router = app(self.state.clone());
        let stopping = self.state.stopping.clone();
        let shutdown = async move {
            shutdown.await;
            tracing::info!("stopping: readiness fails, live streams end, in-flight requests finish");
            stopping.begin();
        };
        let served = serve::serve(self.listener, router, self.state.settings.serve, shutdown).await;
        for task in workers {
            task.abort();
        }
        // Another replica may reconcile at once, instead of after the lease runs out.
        self.state.reconciler.release(&self.state.db).await;
        Ok(served?)
    }

    /// Serves in the background.
    pub fn spawn(self) -> Running {
        let mut tasks = self.workers();
        let (url, state, sandbox) = (self.url.clone(), self.state.clone(), self.sandbox.clone());
        let router = app(self.state.clone());
        let limits = self.state.settings.serve;
        let listener = self.listener;
        tasks.push(tokio::spawn(async move {
            let _ = serve::serve(listener, router, limits, std::future::pending()).await;
        }));
        Running { url, state, sandbox, tasks }
    }
}
