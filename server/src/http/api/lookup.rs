//! `GET /api/partner/lookup/{id}` (partner key): support's evidence packet from any
//! one id (0Pools request id, quote id, transact id, webhook event id, ledger id,
//! partner reference, session or checkout id, partner event id). Every id of one
//! checkout gives the same packet; no token, key or raw provider payload is in it.

use super::auth::PartnerReader;
use super::ApiError;
use crate::checkouts;
use crate::http::AppState;
use crate::store::{self, Evidence};
use axum::extract::{Path, State};
use axum::Json;
use quote_core::partner::ReconciliationState;
use quote_core::vocab::{IdKind, LedgerEntryType, RecordedAlertKind};
use quote_core::wire::{CheckoutBindings, CheckoutStatus, QuoteStatus, Side, StatusSource, TradeStatus};
use serde::Serialize;
use utoipa::ToSchema;

/// How the id was found.
#[derive(Serialize, ToSchema)]
pub(super) struct Matched {
    pub kind: IdKind,
    pub id: String,
}

/// The product record of the seeds: the checkout's conversion at a glance.
#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct ProductRecord {
    pub product_area: &'static str,
    pub checkout_id: String,
    pub partner_reference: Option<String>,
    pub pool_id: Option<String>,
    pub quote_id: Option<String>,
    pub transact_id: Option<String>,
    pub status: RecordStatus,
    pub request_id: Option<String>,
    pub reconciliation_state: Option<ReconciliationState>,
}

/// The record's status: the trade's when there is one, else the latest quote's,
/// else the checkout's. In JSON, the word alone.
#[derive(Serialize, ToSchema, PartialEq, Debug)]
#[serde(untagged)]
pub(super) enum RecordStatus {
    Trade(TradeStatus),
    Quote(QuoteStatus),
    Checkout(CheckoutStatus),
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct CheckoutEvidence {
    pub checkout_id: String,
    pub status: CheckoutStatus,
    pub partner_reference: Option<String>,
    pub partner_user_id: Option<String>,
    pub bindings: CheckoutBindings,
    pub created_at: String,
    pub expires_at: String,
}

/// A quote with every term exactly as 0Pools returned it (decimal strings).
#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct QuoteEvidence {
    pub quote_id: String,
    pub status: QuoteStatus,
    pub request_id: Option<String>,
    pub pool_id: String,
    pub side: Side,
    pub requested_amount: String,
    pub requested_currency: String,
    pub source_asset: Option<String>,
    pub source_amount: Option<String>,
    pub target_asset: Option<String>,
    pub target_amount: Option<String>,
    pub rate: Option<String>,
    pub spread_bps: Option<String>,
    pub fee_bps: Option<String>,
    pub network: Option<String>,
    pub destination_address: Option<String>,
    pub unavailable_reason: Option<String>,
    pub accept_failure: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub accepted_at: Option<String>,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct HistoryEvidence {
    pub status: TradeStatus,
    /// What moved it.
    pub source: StatusSource,
    pub event_id: Option<String>,
    pub recorded_at: String,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct TradeEvidence {
    pub transact_id: String,
    pub quote_id: String,
    pub status: TradeStatus,
    pub request_id: Option<String>,
    pub idempotency_key: String,
    pub pool_id: String,
    pub side: Side,
    pub source_asset: String,
    pub source_amount: String,
    pub target_asset: String,
    pub target_amount: String,
    pub network: String,
    pub destination_address: String,
    pub partner_reference: Option<String>,
    pub terms_mismatch: Option<String>,
    pub reconciliation_state: Option<ReconciliationState>,
    pub reconciliation_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub status_history: Vec<HistoryEvidence>,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct WebhookEvidence {
    pub event_id: String,
    pub event_type: String,
    pub transact_id: String,
    pub status: TradeStatus,
    pub created_at: String,
    pub received_at: String,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct LedgerEvidence {
    pub ledger_id: String,
    #[serde(rename = "type")]
    pub entry_type: LedgerEntryType,
    pub asset: String,
    pub amount: String,
    pub available_after: String,
    pub reserved_after: String,
    pub transact_id: Option<String>,
    pub created_at: String,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct PartnerEventEvidence {
    pub event_id: String,
    pub status: TradeStatus,
    pub created_at: String,
    pub attempts: i64,
    pub delivered_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Serialize, ToSchema, PartialEq)]
pub(super) struct AlertEvidence {
    pub kind: RecordedAlertKind,
    pub subject: String,
    pub message: String,
    pub raised_at: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct EvidencePacket {
    pub matched: Matched,
    pub record: ProductRecord,
    pub checkout: CheckoutEvidence,
    pub quotes: Vec<QuoteEvidence>,
    pub trades: Vec<TradeEvidence>,
    pub webhook_events: Vec<WebhookEvidence>,
    pub ledger_rows: Vec<LedgerEvidence>,
    pub partner_events: Vec<PartnerEventEvidence>,
    pub alerts: Vec<AlertEvidence>,
}

fn packet(matched: Matched, e: Evidence) -> EvidencePacket {
    let trades: Vec<TradeEvidence> = e
        .trades
        .into_iter()
        .map(|(reconciled, history)| (reconciled.trade, reconciled.reconciliation_state, reconciled.reconciliation_reason, history))
        .map(|(t, reconciliation_state, reconciliation_reason, history)| TradeEvidence {
            transact_id: t.trade_id,
            quote_id: t.quote_id,
            status: t.status,
            request_id: t.request_id,
            idempotency_key: t.idempotency_key,
            pool_id: t.pool_id,
            side: t.side,
            source_asset: t.source_asset,
            source_amount: t.source_amount,
            target_asset: t.target_asset,
            target_amount: t.target_amount,
            network: t.network,
            destination_address: t.destination_address,
            partner_reference: t.partner_reference,
            terms_mismatch: t.terms_mismatch,
            reconciliation_state: Some(reconciliation_state),
            reconciliation_reason,
            created_at: t.created_at,
            updated_at: t.updated_at,
            status_history: history
                .into_iter()
                .map(|h| HistoryEvidence { status: h.status, source: h.source, event_id: h.event_id, recorded_at: h.recorded_at })
                .collect(),
        })
        .collect();
    let quotes: Vec<QuoteEvidence> = e
        .quotes
        .into_iter()
        .map(|q| QuoteEvidence {
            quote_id: q.quote_id,
            status: q.status,
            request_id: q.request_id,
            pool_id: q.pool_id,
            side: q.side,
            requested_amount: q.requested_amount,
            requested_currency: q.requested_currency,
            source_asset: q.source_asset,
            source_amount: q.source_amount,
            target_asset: q.target_asset,
            target_amount: q.target_amount,
            rate: q.rate,
            spread_bps: q.spread_bps,
            fee_bps: q.fee_bps,
            network: q.network,
            destination_address: q.destination_address,
            unavailable_reason: q.unavailable_reason,
            accept_failure: q.accept_failure,
            idempotency_key: q.idempotency_key,
            created_at: q.created_at,
            expires_at: q.expires_at,
            accepted_at: q.accepted_at,
        })
        .collect();
    let c = &e.checkout;
    // The record follows the conversion when there is one, else the latest quote.
    let record = match (trades.first(), quotes.last()) {
        (Some(t), _) => ProductRecord {
            product_area: "quote-widget",
            checkout_id: c.checkout_id.clone(),
            partner_reference: c.partner_reference.clone().or(t.partner_reference.clone()),
            pool_id: Some(t.pool_id.clone()),
            quote_id: Some(t.quote_id.clone()),
            transact_id: Some(t.transact_id.clone()),
            status: RecordStatus::Trade(t.status),
            request_id: t.request_id.clone(),
            reconciliation_state: t.reconciliation_state,
        },
        (None, q) => ProductRecord {
            product_area: "quote-widget",
            checkout_id: c.checkout_id.clone(),
            partner_reference: c.partner_reference.clone(),
            pool_id: q.map(|q| q.pool_id.clone()),
            quote_id: q.map(|q| q.quote_id.clone()),
            transact_id: None,
            status: q.map_or_else(|| RecordStatus::Checkout(checkouts::status(c)), |q| RecordStatus::Quote(q.status)),
            request_id: q.and_then(|q| q.request_id.clone()),
            reconciliation_state: None,
        },
    };
    EvidencePacket {
        matched,
        record,
        checkout: CheckoutEvidence {
            checkout_id: c.checkout_id.clone(),
            status: checkouts::status(c),
            partner_reference: c.partner_reference.clone(),
            partner_user_id: c.partner_user_id.clone(),
            bindings: checkouts::bindings(c),
            created_at: c.created_at.clone(),
            expires_at: c.expires_at.clone(),
        },
        quotes,
        trades,
        webhook_events: e
            .webhook_events
            .into_iter()
            .map(|w| WebhookEvidence {
                event_id: w.event_id,
                event_type: w.event_type,
                transact_id: w.transact_id,
                status: w.status,
                created_at: w.created_at,
                received_at: w.received_at,
            })
            .collect(),
        ledger_rows: e
            .ledger_rows
            .into_iter()
            .map(|l| LedgerEvidence {
                ledger_id: l.ledger_id,
                entry_type: l.entry_type,
                asset: l.asset,
                amount: l.amount,
                available_after: l.available_after,
                reserved_after: l.reserved_after,
                transact_id: l.transact_id,
                created_at: l.created_at,
            })
            .collect(),
        partner_events: e
            .partner_events
            .into_iter()
            .map(|p| PartnerEventEvidence {
                event_id: p.event_id,
                status: p.status,
                created_at: p.created_at,
                attempts: p.attempts,
                delivered_at: p.delivered_at,
                last_error: p.last_error,
            })
            .collect(),
        alerts: e
            .alerts
            .into_iter()
            .map(|a| AlertEvidence { kind: a.kind, subject: a.subject, message: a.message, raised_at: a.raised_at })
            .collect(),
    }
}

/// `GET /api/partner/lookup/{id}`.
#[utoipa::path(get, path = "/api/partner/lookup/{id}", operation_id = "partner_lookup", tag = "partner",
    params(("id" = String, Path, description = "Any id: request, quote, transact, webhook event, ledger, partner event, session or checkout id, or a partner reference")),
    security(("partner_key" = []), ("console_session" = [])),
    responses(
        (status = 200, description = "The evidence packet of the checkout the id belongs to", body = EvidencePacket),
        (status = 401, description = "`partner_key_invalid`", body = quote_core::wire::ApiErrorBody),
        (status = 404, description = "`evidence_not_found`", body = quote_core::wire::ApiErrorBody),
        (status = 503, description = "`storage_unavailable`", body = quote_core::wire::ApiErrorBody),
    ))]
pub(super) async fn lookup(
    State(state): State<AppState>,
    _: PartnerReader,
    Path(id): Path<String>,
) -> Result<Json<EvidencePacket>, ApiError> {
    let id = id.trim();
    let (checkout_id, kind) = store::checkout_for_id(&state.store.db, id).await?.ok_or(ApiError::EvidenceNotFound)?;
    let evidence = store::evidence(&state.store.db, &checkout_id).await?.ok_or(ApiError::EvidenceNotFound)?;
    Ok(Json(packet(Matched { kind, id: id.to_owned() }, evidence)))
}
