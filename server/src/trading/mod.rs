//! Trades: accepting a firm quote exactly once across replicas (`accept`, `lease`),
//! executing it with one idempotency key (`execute`), storing what 0Pools executed
//! and comparing it with the quote (`record`), moving a trade forward only
//! (`advance`), and telling live streams (`events`) and the partner
//! (`partner_webhooks`) of every status. Shared by the widget API, the webhook
//! receiver and the reconciler; errors are [`TradeError`], HTTP is the API's
//! concern.
//!
//! Uses `quoting` (outcome rows), `store`, `zeropools`, `config` and `telemetry`.

mod accept;
mod advance;
pub mod events;
mod execute;
mod lease;
pub mod partner_webhooks;
mod record;

pub use events::{TradeEvents, TradeUpdate};
pub(crate) use partner_webhooks::Outbox;

use crate::quoting::Outcomes;
use crate::store::{self, QuoteRow, Store, TradeRow};
use crate::zeropools::{UpstreamClient, UpstreamError};
use quote_core::wire::TradeView;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Why accepting, rejecting or reading a trade did not give a trade.
#[derive(Debug, thiserror::Error)]
pub enum TradeError {
    #[error("quote not found")]
    QuoteNotFound,
    #[error("trade not found")]
    TradeNotFound,
    #[error("quote expired")]
    QuoteExpired,
    #[error("quote rejected")]
    QuoteRejected,
    #[error("quote not executable")]
    QuoteNotExecutable,
    #[error("quote already accepted")]
    QuoteAlreadyAccepted,
    /// Another quote of the same checkout is being accepted; its outcome is not known yet.
    #[error("checkout busy with the accept of {quote_id}")]
    AcceptInProgress { quote_id: String },
    /// The outcome is not known yet: retrying the same quote is safe.
    #[error("accept not confirmed yet: {0}")]
    AcceptPending(UpstreamError),
    /// Another call (on this or another replica) is executing this accept and did not
    /// finish within the wait: retrying the same quote is safe.
    #[error("accept in flight elsewhere")]
    AcceptInFlight,
    /// A definite end without a trade that support must look at (e.g. 0Pools answered
    /// `idempotency_conflict`): the quote id is the support id.
    #[error("accept failed for good ({reason}); support id {support_id}")]
    AcceptFailed { support_id: String, reason: String },
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// The idempotency key for executing a quote: derived from the stored quote, so
/// every retry, from any process, before or after a restart, is the same request.
pub fn idempotency_key(quote_id: &str) -> String {
    format!("qw-accept-{quote_id}")
}

/// What accepting, executing and following trades reach. Cheap to clone.
#[derive(Clone)]
pub struct Trading {
    store: Store,
    upstream: UpstreamClient,
    outcomes: Outcomes,
    /// How long the replica that calls 0Pools for an accept holds that right.
    accept_lease: Duration,
    /// This replica's name in leases.
    replica_id: Arc<str>,
    /// Partner webhooks, queued with every status.
    pub(crate) outbox: Outbox,
    /// Trade status changes, to this replica's live streams and (Postgres) the others'.
    pub events: TradeEvents,
}

impl Trading {
    pub(crate) fn new(
        store: Store,
        upstream: UpstreamClient,
        outcomes: Outcomes,
        accept_lease: Duration,
        replica_id: Arc<str>,
        outbox: Outbox,
    ) -> Self {
        let events = TradeEvents::new(&store.db, Arc::clone(&replica_id));
        Trading { store, upstream, outcomes, accept_lease, replica_id, outbox, events }
    }

    /// This replica's name in leases (random per process).
    pub fn replica_id(&self) -> &str {
        &self.replica_id
    }

    /// Wakes live streams for the trade's current status; returns the trade as stored.
    /// (Its partner event was written with the status; the sweep queues any that is
    /// missing.)
    pub(crate) async fn announce(&self, trade_id: &str) -> Result<Option<TradeRow>, TradeError> {
        let trade = store::trade(&self.store.db, trade_id).await?;
        if let Some(trade) = &trade {
            self.announce_row(trade);
        }
        Ok(trade)
    }

    /// Wakes live streams for `trade`'s status (as read), and the outbox for its event.
    pub(crate) fn announce_row(&self, trade: &TradeRow) {
        self.outbox.wake();
        self.events.publish(TradeUpdate { trade_id: trade.trade_id.clone(), status: trade.status });
    }

    /// A quote of this checkout, or not found whether it does not exist or is another's.
    pub async fn owned_quote(&self, checkout_id: &str, quote_id: &str) -> Result<QuoteRow, TradeError> {
        store::quote(&self.store.db, quote_id).await?.filter(|q| q.checkout_id == checkout_id).ok_or(TradeError::QuoteNotFound)
    }

    /// A trade of this checkout, or not found.
    pub async fn owned_trade(&self, checkout_id: &str, trade_id: &str) -> Result<TradeRow, TradeError> {
        store::trade(&self.store.db, trade_id)
            .await?
            .filter(|t| t.checkout_id.as_deref() == Some(checkout_id))
            .ok_or(TradeError::TradeNotFound)
    }
}

pub(crate) fn failed(quote: &QuoteRow) -> TradeError {
    TradeError::AcceptFailed {
        support_id: quote.quote_id.clone(),
        reason: quote.accept_failure.clone().unwrap_or_else(|| "unknown".into()),
    }
}

/// The trade as the widget and the partner see it.
pub fn trade_view(t: &TradeRow) -> Result<TradeView, sqlx::Error> {
    let dec = |s: &str| Decimal::from_str(s).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    Ok(TradeView {
        trade_id: t.trade_id.clone(),
        quote_id: t.quote_id.clone(),
        status: t.status,
        pool_id: t.pool_id.clone(),
        side: t.side,
        source_asset: t.source_asset.clone(),
        source_amount: dec(&t.source_amount)?,
        target_asset: t.target_asset.clone(),
        target_amount: dec(&t.target_amount)?,
        network: t.network.clone(),
        destination_address: t.destination_address.clone(),
        created_at: t.created_at.clone(),
        updated_at: t.updated_at.clone(),
        partner_reference: t.partner_reference.clone(),
        terms_mismatch: t.terms_mismatch.as_ref().map(|m| m.split(',').map(str::to_owned).collect()),
        server_time: store::now(),
    })
}
