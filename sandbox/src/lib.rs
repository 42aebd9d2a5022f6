//! 0Pools in test mode: every endpoint of `shared/0pools-api.md` over real HTTP,
//! with seeded prices, single-use firm quotes, idempotent execution, a trade
//! lifecycle, signed webhooks, documented magic values and faults on demand.
//! State lives in memory for the life of the process, like a test-mode account
//! that is reset when restarted.
//!
//! Its own crate: the companion server embeds it (`EMBEDDED_SANDBOX`, demo mode)
//! and runs it standalone (`quote-server sandbox`), but never shares code with the
//! client it stands in front of beyond the wire types (`zeropools-wire`), which
//! both are held to the contract's golden examples.

mod balances;
pub mod config;
mod error;
pub mod faults;
mod fields;
mod handlers;
mod layers;
pub mod ledger;
pub mod magic;
pub mod pricing;
mod webhooks;

pub use config::{PoolConfig, SandboxConfig};
pub use faults::Faults;

use crate::fields::{self as json_fields, FieldError};
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SubsecRound, Utc};
use error::{SandboxError, REQUEST_ID};
use pricing::{AmountLeg, PriceWalk};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use subtle::ConstantTimeEq;
use zeropools_wire::types::*;

/// Longest `Idempotency-Key` the contract allows.
const MAX_IDEMPOTENCY_KEY: usize = 255;

pub struct Sandbox {
    config: SandboxConfig,
    inner: Mutex<Inner>,
    http: reqwest::Client,
    started: Instant,
    /// `POST /v1/transact` requests that passed authentication, replays included.
    transact_requests: AtomicU64,
    /// Every `/v1` request received (what a partner's upstream usage would be billed on).
    contract_requests: AtomicU64,
    /// `POST /v1/transact` requests as they arrive, before any injected latency or fault.
    transacts_arrived: AtomicU64,
    /// `POST /v1/quotes` requests that passed authentication.
    quote_requests: AtomicU64,
    /// Webhook deliveries the receiver did not accept (non-2xx or unreachable), by
    /// transact id.
    webhook_refusals: Mutex<HashMap<String, u32>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Active,
    Rejected,
    Consumed,
}

struct StoredQuote {
    quote: Quote,
    requested_amount: Decimal,
    state: QuoteState,
}

struct Inner {
    faults: Faults,
    rng: ChaCha8Rng,
    walks: HashMap<String, PriceWalk>,
    quotes: HashMap<String, StoredQuote>,
    trades: HashMap<String, Trade>,
    /// Idempotency-Key → (quote id it was first used with, the answer it got).
    idempotency: HashMap<String, (String, Trade)>,
    /// `trade.reserved` events held back by the reorder fault, by transact id.
    held_events: HashMap<String, WebhookEvent>,
    /// The partner's prefunded balance, its ledger and daily bands.
    ledger: ledger::Ledger,
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple().to_string().to_ascii_uppercase()[..20].to_owned())
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Arc<Self> {
        Self::with_faults(config, Faults::default())
    }

    pub fn with_faults(config: SandboxConfig, faults: Faults) -> Arc<Self> {
        let walks = config
            .pools
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pool_id.clone(), PriceWalk::new(config.seed.wrapping_add(i as u64 * 7919), p.volatility_tenth_bps)))
            .collect();
        let inner = Inner {
            faults,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            walks,
            quotes: HashMap::new(),
            trades: HashMap::new(),
            idempotency: HashMap::new(),
            held_events: HashMap::new(),
            ledger: ledger::Ledger::new(
                &config.starting_balances,
                &config.pools.iter().filter(|p| p.entitled).map(|p| (p.pool_id.clone(), p.daily_band_usdt)).collect::<Vec<_>>(),
                Utc::now() + config.clock_skew,
            ),
        };
        Arc::new(Sandbox {
            config,
            inner: Mutex::new(inner),
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().expect("client builds"),
            started: Instant::now(),
            transact_requests: AtomicU64::new(0),
            contract_requests: AtomicU64::new(0),
            transacts_arrived: AtomicU64::new(0),
            quote_requests: AtomicU64::new(0),
            webhook_refusals: Mutex::new(HashMap::new()),
        })
    }

    /// The sandbox's clock (the real one plus any configured skew), to the millisecond.
    fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.config.clock_skew).trunc_subsecs(3)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave half-written state that matters
        // more than answering the next request, so poisoning is ignored.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn authorize(&self, headers: &HeaderMap) -> Result<(), SandboxError> {
        let presented = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
        let expected = self.config.secret_key.expose_secret();
        if presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(())
        } else {
            Err(SandboxError::unauthorized())
        }
    }

    fn entitled_pool(&self, pool_id: &str) -> Result<&PoolConfig, SandboxError> {
        self.config.pools.iter().find(|p| p.pool_id == pool_id && p.entitled).ok_or_else(|| SandboxError::not_entitled(pool_id))
    }

    fn walk_step(&self) -> usize {
        (self.started.elapsed().as_millis() / self.config.price_tick.as_millis().max(1)) as usize
    }

    fn plan_delivery(&self) -> webhooks::DeliveryPlan {
        let mut inner = self.lock();
        let faults = inner.faults.clone();
        let dropped = inner.rng.gen_bool(faults.webhook_drop_rate);
        let duplicated = inner.rng.gen_bool(faults.webhook_duplicate_rate);
        webhooks::DeliveryPlan {
            copies: if dropped {
                0
            } else if duplicated {
                2
            } else {
                1
            },
            delay: std::time::Duration::from_millis(faults.webhook_delay_ms),
        }
    }

    /// How many `POST /v1/transact` calls were made (for tests proving "exactly once").
    pub fn transact_requests(&self) -> u64 {
        self.transact_requests.load(Ordering::SeqCst)
    }

    /// How many `POST /v1/transact` calls have arrived, answered or not (for tests that act
    /// while one is in flight).
    pub fn transacts_arrived(&self) -> u64 {
        self.transacts_arrived.load(Ordering::SeqCst)
    }

    /// How many `/v1` requests arrived (for upstream-usage figures).
    pub fn contract_requests(&self) -> u64 {
        self.contract_requests.load(Ordering::SeqCst)
    }

    /// How many `POST /v1/quotes` calls were made (for tests of the quote budget).
    pub fn quote_requests(&self) -> u64 {
        self.quote_requests.load(Ordering::SeqCst)
    }

    /// How many trades exist (for tests proving "exactly one").
    /// Webhook deliveries about `transact_id` its receiver did not accept.
    pub fn webhook_refusals_for(&self, transact_id: &str) -> u32 {
        self.webhook_refusals.lock().unwrap_or_else(|p| p.into_inner()).get(transact_id).copied().unwrap_or(0)
    }

    pub fn trade_count(&self) -> usize {
        self.lock().trades.len()
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        self.lock().faults = faults;
        Ok(())
    }

    fn event(&self, trade: &Trade) -> WebhookEvent {
        WebhookEvent {
            event_id: new_id("evt_test_"),
            event_type: trade.status.event_type(),
            created_at: self.now(),
            data: WebhookData { transact_id: trade.transact_id.clone(), quote_id: trade.quote_id.clone(), status: trade.status },
        }
    }

    /// Moves a reserved trade to its terminal status and announces it.
    fn finish_trade(self: &Arc<Self>, transact_id: &str, status: TradeStatus) {
        let events = {
            let mut inner = self.lock();
            let Some(trade) = inner.trades.get_mut(transact_id) else { return };
            if !trade.status.can_move_to(status) {
                return;
            }
            trade.status = status;
            let updated_at = self.now();
            trade.updated_at = updated_at;
            let trade = trade.clone();
            let entry = match status {
                TradeStatus::Settled => ledger::LedgerEntryType::Settle,
                TradeStatus::Failed => ledger::LedgerEntryType::Fail,
                _ => ledger::LedgerEntryType::Release,
            };
            inner.ledger.finish(transact_id, entry, updated_at);
            let terminal = self.event(&trade);
            let mut events = vec![terminal];
            events.extend(inner.held_events.remove(transact_id));
            events
        };
        self.emit(events);
    }
}

/// Only the holder of the sandbox's secret key may change its faults or balances:
/// anyone else who reaches its port could otherwise steer a server's test mode.
async fn require_key(State(sb): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    match sb.authorize(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// The sandbox as an axum router: `/v1/*` (the contract) and `/sandbox/*` (its test-mode
/// controls, which take the same secret key).
pub fn router(sandbox: Arc<Sandbox>) -> Router {
    let contract = Router::new()
        .route("/v1/pools", get(handlers::list_pools))
        .route("/v1/quotes", post(handlers::create_quote))
        .route("/v1/quotes/{quote_id}/reject", post(handlers::reject_quote))
        .route("/v1/transact", post(handlers::transact))
        .route("/v1/transact/{transact_id}", get(handlers::get_trade))
        .route("/v1/balances", get(balances::balances))
        .route("/v1/ledger", get(balances::ledger))
        .layer(middleware::from_fn_with_state(Arc::clone(&sandbox), layers::inject_faults));
    let controls = Router::new()
        .route("/sandbox/faults", get(handlers::get_faults).put(handlers::put_faults))
        .route("/sandbox/top_up", post(balances::top_up))
        .layer(middleware::from_fn_with_state(Arc::clone(&sandbox), require_key));
    Router::new()
        .merge(contract)
        .merge(controls)
        .fallback(handlers::not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&sandbox), layers::request_id))
        .with_state(sandbox)
}

/// Serves the sandbox on `listener` until the process ends. Returns its base URL.
pub async fn serve(sandbox: Arc<Sandbox>, listener: tokio::net::TcpListener) -> std::io::Result<String> {
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(sandbox)).await {
            tracing::error!(error = %e, "sandbox server stopped");
        }
    });
    Ok(url)
}
