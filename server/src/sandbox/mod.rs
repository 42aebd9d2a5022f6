//! 0Pools in test mode: every endpoint of `shared/0pools-api.md` over real HTTP,
//! with seeded prices, single-use firm quotes, idempotent execution, a trade
//! lifecycle, signed webhooks, documented magic values and faults on demand.
//! State lives in memory for the life of the process, like a test-mode account
//! that is reset when restarted.

mod balances;
pub mod config;
mod error;
pub mod faults;
pub mod ledger;
pub mod magic;
pub mod pricing;
mod webhooks;

pub use config::{PoolConfig, SandboxConfig};
pub use faults::Faults;

use crate::json_fields::{self, FieldError};
use crate::upstream::types::*;
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
    /// `POST /v1/quotes` requests that passed authentication.
    quote_requests: AtomicU64,
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
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("client builds"),
            started: Instant::now(),
            transact_requests: AtomicU64::new(0),
            contract_requests: AtomicU64::new(0),
            quote_requests: AtomicU64::new(0),
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
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let expected = self.config.secret_key.expose_secret();
        if presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(())
        } else {
            Err(SandboxError::unauthorized())
        }
    }

    fn entitled_pool(&self, pool_id: &str) -> Result<&PoolConfig, SandboxError> {
        self.config
            .pools
            .iter()
            .find(|p| p.pool_id == pool_id && p.entitled)
            .ok_or_else(|| SandboxError::not_entitled(pool_id))
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
            copies: if dropped { 0 } else if duplicated { 2 } else { 1 },
            delay: std::time::Duration::from_millis(faults.webhook_delay_ms),
        }
    }

    /// How many `POST /v1/transact` calls were made (for tests proving "exactly once").
    pub fn transact_requests(&self) -> u64 {
        self.transact_requests.load(Ordering::SeqCst)
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
            event_type: format!("trade.{}", trade.status.as_str()),
            created_at: self.now(),
            data: WebhookData {
                transact_id: trade.transact_id.clone(),
                quote_id: trade.quote_id.clone(),
                status: trade.status,
            },
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

// ---- Handlers ------------------------------------------------------------

async fn list_pools(State(sb): State<Arc<Sandbox>>, headers: HeaderMap) -> Result<Json<PoolList>, SandboxError> {
    sb.authorize(&headers)?;
    let down = sb.lock().faults.pool_unavailable.clone();
    let pools = sb
        .config
        .pools
        .iter()
        .filter(|p| p.entitled)
        .map(|p| Pool {
            pool_id: p.pool_id.clone(),
            source_asset: p.source_asset.clone(),
            target_asset: p.target_asset.clone(),
            sides: p.sides.clone(),
            networks: p.networks.clone(),
            min_order_usdt: p.min_order_usdt,
            max_order_usdt: p.max_order_usdt,
            available: !down.contains_key(&p.pool_id),
        })
        .collect();
    Ok(Json(PoolList { pools }))
}

fn field_error(e: FieldError) -> SandboxError {
    SandboxError::invalid(&e.field, e.message)
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, SandboxError> {
    json_fields::object(body).map_err(field_error)
}

fn opt_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, SandboxError> {
    json_fields::opt_str(obj, field).map_err(field_error)
}

fn req_str(obj: &Map<String, Value>, field: &str) -> Result<String, SandboxError> {
    json_fields::req_str(obj, field).map_err(field_error)
}

async fn create_quote(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Result<Response, SandboxError> {
    sb.authorize(&headers)?;
    sb.quote_requests.fetch_add(1, Ordering::SeqCst);
    let obj = parse_object(&body)?;
    let pool_id = req_str(&obj, "pool_id")?;
    let pool = sb.entitled_pool(&pool_id)?.clone();
    let quote_type = match opt_str(&obj, "quote_type")?.as_deref() {
        None | Some("firm") => QuoteType::Firm,
        Some("indicative") => QuoteType::Indicative,
        Some(_) => return Err(SandboxError::invalid("quote_type", "quote_type must be firm or indicative.")),
    };
    let side = Side::parse(&req_str(&obj, "side")?)
        .filter(|s| pool.sides.contains(s))
        .ok_or_else(|| SandboxError::invalid("side", format!("side must be one of the pool's sides: {:?}.", pool.sides)))?;
    let currency = req_str(&obj, "currency")?;
    let amount_text = req_str(&obj, "amount")?;
    let amount = quote_core::amount::parse_amount(&amount_text)
        .map_err(|e| SandboxError::invalid("amount", e.message()))?;
    if amount.scale() > pricing::AMOUNT_SCALE {
        return Err(SandboxError::invalid("amount", format!("amount may have at most {} decimal places.", pricing::AMOUNT_SCALE)));
    }
    let (source_asset, target_asset) = match side {
        Side::Buy => (pool.source_asset.clone(), pool.target_asset.clone()),
        Side::Sell => (pool.target_asset.clone(), pool.source_asset.clone()),
    };
    let leg = if currency == source_asset {
        AmountLeg::Source
    } else if currency == target_asset {
        AmountLeg::Target
    } else {
        return Err(SandboxError::invalid("currency", format!("currency must be {source_asset} or {target_asset}.")));
    };
    let network = opt_str(&obj, "network")?;
    let destination = opt_str(&obj, "destination_address")?.filter(|s| !s.trim().is_empty());
    if quote_type == QuoteType::Firm {
        if network.is_none() {
            return Err(SandboxError::invalid("network", "network is required for a firm quote."));
        }
        if destination.is_none() {
            return Err(SandboxError::invalid("destination_address", "destination_address is required for a firm quote."));
        }
    }
    if let Some(n) = &network {
        if !pool.networks.contains(n) {
            return Err(SandboxError::new(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_network", format!("{pool_id} does not support network {n}."))
                .with("networks", pool.networks.clone()));
        }
    }
    opt_str(&obj, "partner_reference")?;

    let forced = sb.lock().faults.pool_unavailable.get(&pool_id).cloned();
    if let Some(reason) = forced.or_else(|| magic::unavailable_for_amount(amount)) {
        return Ok(Json(Unavailable { available: false, unavailable_reason: reason }).into_response());
    }

    let step = sb.walk_step();
    let mid = {
        let mut inner = sb.lock();
        inner.walks.get_mut(&pool_id).expect("a walk per configured pool").mid(pool.base_mid, step)
    };
    let Some(terms) = pricing::price(side, mid, pool.spread_bps, pool.fee_bps, amount, leg) else {
        return Err(limits_error(&pool));
    };
    let usdt_equivalent = match side {
        Side::Buy => terms.target_amount,
        Side::Sell => terms.source_amount,
    };
    if usdt_equivalent < pool.min_order_usdt || pool.max_order_usdt.is_some_and(|max| usdt_equivalent > max) {
        return Err(limits_error(&pool));
    }

    let created_at = sb.now();
    let firm = quote_type == QuoteType::Firm;
    let quote = Quote {
        quote_type,
        quote_id: firm.then(|| new_id("pq_test_")),
        pool_id: pool_id.clone(),
        side,
        source_asset,
        source_amount: terms.source_amount,
        target_asset,
        target_amount: terms.target_amount,
        rate: terms.rate,
        spread_bps: pool.spread_bps,
        fee_bps: pool.fee_bps,
        network,
        destination_address: destination,
        created_at,
        expires_at: firm.then(|| created_at + chrono::Duration::from_std(sb.config.quote_window).expect("window fits")),
        executable: firm,
    };
    // A firm quote whose stablecoin leg the partner's balance cannot cover is
    // fail-soft unavailable: the lane is dry until a top-up.
    let (asset, leg) = stablecoin_leg(&pool, &quote);
    if firm && !sb.lock().ledger.can_cover(&asset, leg) {
        return Ok(Json(Unavailable { available: false, unavailable_reason: UnavailableReason::PoolDry }).into_response());
    }
    if let Some(id) = &quote.quote_id {
        sb.lock().quotes.insert(id.clone(), StoredQuote { quote: quote.clone(), requested_amount: amount, state: QuoteState::Active });
    }
    let mut json = serde_json::to_value(&quote).expect("quotes serialise");
    json.as_object_mut().expect("object").insert("available".into(), Value::Bool(true));
    Ok(Json(json).into_response())
}

/// The stablecoin a trade moves (the pool's target asset) and how much of it.
fn stablecoin_leg(pool: &PoolConfig, quote: &Quote) -> (String, Decimal) {
    let amount = if quote.target_asset == pool.target_asset { quote.target_amount } else { quote.source_amount };
    (pool.target_asset.clone(), amount)
}

fn limits_error(pool: &PoolConfig) -> SandboxError {
    let max = pool.max_order_usdt.map(|m| format!(" and at most {m}")).unwrap_or_default();
    let mut err = SandboxError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "amount_out_of_limits",
        format!("The order must be at least {} USDT{max}.", pool.min_order_usdt),
    )
    .with("min_order_usdt", pool.min_order_usdt.to_string());
    if let Some(m) = pool.max_order_usdt {
        err = err.with("max_order_usdt", m.to_string());
    }
    err
}

fn quote_not_found() -> SandboxError {
    SandboxError::new(StatusCode::NOT_FOUND, "quote_not_found", "No quote with this id exists for this key.")
}

async fn reject_quote(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, Path(quote_id): Path<String>) -> Result<Json<RejectAnswer>, SandboxError> {
    sb.authorize(&headers)?;
    let mut inner = sb.lock();
    let stored = inner.quotes.get_mut(&quote_id).ok_or_else(quote_not_found)?;
    match stored.state {
        QuoteState::Consumed => Err(SandboxError::new(StatusCode::CONFLICT, "quote_consumed", "This quote was already executed.")),
        QuoteState::Rejected => Ok(Json(RejectAnswer { quote_id, status: "rejected".into() })),
        QuoteState::Active => {
            stored.state = QuoteState::Rejected;
            Ok(Json(RejectAnswer { quote_id, status: "rejected".into() }))
        }
    }
}

async fn transact(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Result<Response, SandboxError> {
    sb.authorize(&headers)?;
    sb.transact_requests.fetch_add(1, Ordering::SeqCst);
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| SandboxError::invalid("Idempotency-Key", "The Idempotency-Key header is required."))?
        .to_owned();
    if key.len() > MAX_IDEMPOTENCY_KEY {
        return Err(SandboxError::invalid("Idempotency-Key", "The Idempotency-Key header may be at most 255 characters."));
    }
    let obj = parse_object(&body)?;
    let quote_id = req_str(&obj, "quote_id")?;

    // Everything from the idempotency check to recording the trade happens under one
    // lock, so concurrent requests with one key can only ever make one trade.
    let (trade, outcome, reserved_event) = {
        let mut inner = sb.lock();
        if let Some((first_quote, trade)) = inner.idempotency.get(&key) {
            if *first_quote != quote_id {
                return Err(SandboxError::new(StatusCode::CONFLICT, "idempotency_conflict", "This Idempotency-Key was already used with a different body."));
            }
            return Ok(Json(trade.clone()).into_response());
        }
        let down = inner.faults.pool_unavailable.clone();
        let reorder = inner.faults.webhook_reorder;
        let stored = inner.quotes.get(&quote_id).ok_or_else(quote_not_found)?;
        match stored.state {
            QuoteState::Consumed => return Err(SandboxError::new(StatusCode::CONFLICT, "quote_consumed", "This quote was already executed.")),
            QuoteState::Rejected => return Err(SandboxError::new(StatusCode::CONFLICT, "quote_rejected", "This quote was rejected and can never be executed.")),
            QuoteState::Active => {}
        }
        let quote = &stored.quote;
        if quote.expires_at.is_none_or(|exp| sb.now() >= exp) {
            return Err(SandboxError::new(StatusCode::GONE, "quote_expired", "This quote expired. Request a new quote."));
        }
        if !quote.executable || down.contains_key(&quote.pool_id) {
            return Err(SandboxError::new(StatusCode::UNPROCESSABLE_ENTITY, "quote_not_executable", "This quote cannot be executed now."));
        }
        let created_at = sb.now();
        let destination = quote.destination_address.clone().unwrap_or_default();
        let trade = Trade {
            transact_id: new_id("pt_test_"),
            quote_id: quote_id.clone(),
            status: TradeStatus::Reserved,
            pool_id: quote.pool_id.clone(),
            side: quote.side,
            source_asset: quote.source_asset.clone(),
            source_amount: quote.source_amount,
            target_asset: quote.target_asset.clone(),
            target_amount: if inner.faults.transact_terms_drift { quote.target_amount - rust_decimal::Decimal::new(1, 2) } else { quote.target_amount },
            network: quote.network.clone().unwrap_or_default(),
            destination_address: destination.clone(),
            created_at,
            updated_at: created_at,
        };
        let outcome = magic::trade_outcome(stored.requested_amount, &destination);
        let pool = sb.entitled_pool(&quote.pool_id)?.clone();
        let (asset, leg) = stablecoin_leg(&pool, quote);
        let spoil = ledger::Spoil::for_requested_amount(stored.requested_amount);
        // Execution is fail-soft unavailable too when the balance cannot cover it; the
        // quote stays active (a top-up and a retry may still execute it).
        if !inner.ledger.reserve(&trade.transact_id, &trade.pool_id, &asset, leg, spoil, created_at) {
            return Ok(Json(Unavailable { available: false, unavailable_reason: UnavailableReason::PoolDry }).into_response());
        }
        inner.quotes.get_mut(&quote_id).expect("present").state = QuoteState::Consumed;
        inner.trades.insert(trade.transact_id.clone(), trade.clone());
        inner.idempotency.insert(key, (quote_id, trade.clone()));
        let reserved = sb.event(&trade);
        let reserved_event = if reorder {
            inner.held_events.insert(trade.transact_id.clone(), reserved);
            None
        } else {
            Some(reserved)
        };
        (trade, outcome, reserved_event)
    };

    sb.emit(reserved_event.into_iter().collect());
    let delay = sb.config.settle_delay * outcome.delay_multiplier;
    let (sandbox, id) = (Arc::clone(&sb), trade.transact_id.clone());
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        sandbox.finish_trade(&id, outcome.status);
    });
    Ok(Json(trade).into_response())
}

async fn get_trade(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<Trade>, SandboxError> {
    sb.authorize(&headers)?;
    sb.lock()
        .trades
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| SandboxError::new(StatusCode::NOT_FOUND, "not_found", "No trade with this id exists for this key."))
}

async fn get_faults(State(sb): State<Arc<Sandbox>>) -> Json<Faults> {
    Json(sb.faults())
}

async fn put_faults(State(sb): State<Arc<Sandbox>>, body: Bytes) -> Result<Json<Faults>, SandboxError> {
    let faults: Faults = serde_json::from_slice(&body).map_err(|e| SandboxError::invalid("body", format!("Not a valid fault set: {e}")))?;
    sb.set_faults(faults).map_err(|m| SandboxError::invalid("body", m))?;
    Ok(Json(sb.faults()))
}

async fn not_found() -> SandboxError {
    SandboxError::new(StatusCode::NOT_FOUND, "not_found", "No such endpoint.")
}

// ---- Middleware ----------------------------------------------------------

/// Gives every answer an `X-Request-Id` (visible to error bodies too) and a `Date`
/// from the sandbox's own clock.
async fn request_id(State(sb): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    let id = new_id("req_");
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    let headers = response.headers_mut();
    headers.insert("x-request-id", HeaderValue::from_str(&id).expect("ids are ASCII"));
    let date = if sb.faults().bad_date_header {
        httpdate::fmt_http_date(std::time::SystemTime::UNIX_EPOCH)
    } else {
        httpdate::fmt_http_date(std::time::SystemTime::from(sb.now()))
    };
    headers.insert(axum::http::header::DATE, HeaderValue::from_str(&date).expect("HTTP dates are ASCII"));
    response
}

enum FaultDecision {
    None,
    RateLimited(u64),
    ServerError,
    Malformed,
}

async fn inject_faults(State(sb): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    sb.contract_requests.fetch_add(1, Ordering::SeqCst);
    let (latency, decision) = {
        let mut inner = sb.lock();
        let f = inner.faults.clone();
        let decision = if f.fail_next_requests > 0 {
            inner.faults.fail_next_requests -= 1;
            FaultDecision::ServerError
        } else if inner.rng.gen_bool(f.rate_limit_rate) {
            FaultDecision::RateLimited(f.retry_after_secs)
        } else if inner.rng.gen_bool(f.error_rate) {
            FaultDecision::ServerError
        } else if inner.rng.gen_bool(f.malformed_rate) {
            FaultDecision::Malformed
        } else {
            FaultDecision::None
        };
        (f.latency_ms, decision)
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    match decision {
        FaultDecision::None => next.run(request).await,
        FaultDecision::RateLimited(secs) => {
            let mut e = SandboxError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests. Retry after the Retry-After delay.");
            e.retry_after_secs = Some(secs);
            e.into_response()
        }
        FaultDecision::ServerError => {
            SandboxError::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "The sandbox is failing on purpose (fault injection).").into_response()
        }
        FaultDecision::Malformed => {
            // The request is processed for real; only the answer is damaged, as when
            // a connection drops mid-body.
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
            let cut = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, axum::body::Body::from(cut))
        }
    }
}

/// The sandbox as an axum router: `/v1/*` (the contract) and `/sandbox/faults` (control).
pub fn router(sandbox: Arc<Sandbox>) -> Router {
    let contract = Router::new()
        .route("/v1/pools", get(list_pools))
        .route("/v1/quotes", post(create_quote))
        .route("/v1/quotes/{quote_id}/reject", post(reject_quote))
        .route("/v1/transact", post(transact))
        .route("/v1/transact/{transact_id}", get(get_trade))
        .route("/v1/balances", get(balances::balances))
        .route("/v1/ledger", get(balances::ledger))
        .layer(middleware::from_fn_with_state(Arc::clone(&sandbox), inject_faults));
    Router::new()
        .merge(contract)
        .route("/sandbox/faults", get(get_faults).put(put_faults))
        .route("/sandbox/top_up", post(balances::top_up))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&sandbox), request_id))
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
