//! The sandbox's HTTP handlers: the contract's endpoints (`/v1/*`) and the fault
//! controls (`/sandbox/faults`), each answering from the shared [`Sandbox`] state.

use super::*;

pub(super) async fn list_pools(State(sb): State<Arc<Sandbox>>, headers: HeaderMap) -> Result<Json<PoolList>, SandboxError> {
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

pub(super) async fn create_quote(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Result<Response, SandboxError> {
    sb.authorize(&headers)?;
    sb.quote_requests.fetch_add(1, Ordering::SeqCst);
    let obj = parse_object(&body)?;
    let pool_id = req_str(&obj, "pool_id")?;
    let pool = sb.entitled_pool(&pool_id)?.clone();
    let quote_type = match opt_str(&obj, "quote_type")?.as_deref().map(QuoteType::parse) {
        None => QuoteType::Firm,
        Some(Some(quote_type)) => quote_type,
        Some(None) => return Err(SandboxError::invalid("quote_type", "quote_type must be firm or indicative.")),
    };
    let side = Side::parse(&req_str(&obj, "side")?)
        .filter(|s| pool.sides.contains(s))
        .ok_or_else(|| SandboxError::invalid("side", format!("side must be one of the pool's sides: {:?}.", pool.sides)))?;
    let currency = req_str(&obj, "currency")?;
    let amount_text = req_str(&obj, "amount")?;
    let amount = quote_core::amount::parse_amount(&amount_text).map_err(|e| SandboxError::invalid("amount", e.message()))?;
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
            return Err(SandboxError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unsupported_network",
                format!("{pool_id} does not support network {n}."),
            )
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
    let amount = quote_core::notional::stablecoin_leg(&pool.target_asset, &quote.target_asset, quote.target_amount, quote.source_amount);
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

pub(super) async fn reject_quote(
    State(sb): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(quote_id): Path<String>,
) -> Result<Json<RejectAnswer>, SandboxError> {
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

pub(super) async fn transact(State(sb): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Result<Response, SandboxError> {
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
                return Err(SandboxError::new(
                    StatusCode::CONFLICT,
                    "idempotency_conflict",
                    "This Idempotency-Key was already used with a different body.",
                ));
            }
            return Ok(Json(trade.clone()).into_response());
        }
        let down = inner.faults.pool_unavailable.clone();
        let reorder = inner.faults.webhook_reorder;
        let stored = inner.quotes.get(&quote_id).ok_or_else(quote_not_found)?;
        match stored.state {
            QuoteState::Consumed => {
                return Err(SandboxError::new(StatusCode::CONFLICT, "quote_consumed", "This quote was already executed."))
            }
            QuoteState::Rejected => {
                return Err(SandboxError::new(StatusCode::CONFLICT, "quote_rejected", "This quote was rejected and can never be executed."))
            }
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
            target_amount: if inner.faults.transact_terms_drift {
                quote.target_amount - rust_decimal::Decimal::new(1, 2)
            } else {
                quote.target_amount
            },
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

pub(super) async fn get_trade(
    State(sb): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Trade>, SandboxError> {
    sb.authorize(&headers)?;
    sb.lock()
        .trades
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| SandboxError::new(StatusCode::NOT_FOUND, "not_found", "No trade with this id exists for this key."))
}

pub(super) async fn get_faults(State(sb): State<Arc<Sandbox>>) -> Json<Faults> {
    Json(sb.faults())
}

pub(super) async fn put_faults(State(sb): State<Arc<Sandbox>>, body: Bytes) -> Result<Json<Faults>, SandboxError> {
    let faults: Faults = serde_json::from_slice(&body).map_err(|e| SandboxError::invalid("body", format!("Not a valid fault set: {e}")))?;
    sb.set_faults(faults).map_err(|m| SandboxError::invalid("body", m))?;
    Ok(Json(sb.faults()))
}

pub(super) async fn not_found() -> SandboxError {
    SandboxError::new(StatusCode::NOT_FOUND, "not_found", "No such endpoint.")
}
