//! `GET /v1/balances`, `GET /v1/ledger` (the contract) and `POST /sandbox/top_up`
//! (a test-mode control, like `/sandbox/faults`: it takes the sandbox's secret key).

use super::error::SandboxError;
use super::Sandbox;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::sync::Arc;
use zeropools_wire::balances::{Balances, LedgerPage};

/// Longest page the ledger answers.
pub const MAX_LEDGER_PAGE: usize = 500;

pub async fn balances(State(sb): State<Arc<Sandbox>>, headers: HeaderMap) -> Result<Json<Balances>, SandboxError> {
    sb.authorize(&headers)?;
    let now = sb.now();
    let inner = sb.lock();
    Ok(Json(Balances { balances: inner.ledger.balances(), daily_bands: inner.ledger.daily_bands(now) }))
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    after: Option<String>,
    limit: Option<String>,
}

pub async fn ledger(
    State(sb): State<Arc<Sandbox>>,
    headers: HeaderMap,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<LedgerPage>, SandboxError> {
    sb.authorize(&headers)?;
    let limit = match q.limit.as_deref() {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n @ 1..=MAX_LEDGER_PAGE) => n,
            _ => return Err(SandboxError::invalid("limit", format!("limit must be a whole number from 1 to {MAX_LEDGER_PAGE}."))),
        },
    };
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let (entries, has_more) = sb
        .lock()
        .ledger
        .page(after, limit)
        .ok_or_else(|| SandboxError::invalid("after", "after must be a ledger_id this ledger returned."))?;
    Ok(Json(LedgerPage { entries, has_more }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopUp {
    asset: String,
    amount: String,
}

pub async fn top_up(State(sb): State<Arc<Sandbox>>, body: Bytes) -> Result<Json<Balances>, SandboxError> {
    let request: TopUp = serde_json::from_slice(&body)
        .map_err(|e| SandboxError::invalid("body", format!("Send {{\"asset\": \"USDT\", \"amount\": \"5000.00\"}} ({e}).")))?;
    let amount: Decimal = quote_core::amount::parse_amount(&request.amount).map_err(|e| SandboxError::invalid("amount", e.message()))?;
    let asset = request.asset.trim();
    if asset.is_empty() || asset.len() > 16 || !asset.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Err(SandboxError::invalid("asset", "asset must be an asset code such as USDT."));
    }
    let now = sb.now();
    let mut inner = sb.lock();
    inner.ledger.top_up(asset, amount, now);
    Ok(Json(Balances { balances: inner.ledger.balances(), daily_bands: inner.ledger.daily_bands(now) }))
}
