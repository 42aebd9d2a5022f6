//! Checkouts: the partner's backend decides what is being paid for (Stripe's
//! PaymentIntent / Checkout Session split); the browser only chooses among what it
//! was allowed. A checkout binds any of pool, side, amount (exact or a range, in a
//! currency), network and destination; owns every quote, accept and trade made with
//! any of its client tokens; and converts at most once.
//!
//! Widget sessions are remembered per replica (`sessions`): a session row never
//! changes once written.
//!
//! Uses `trading` (a converted checkout shows its trade), `quoting` (pools),
//! `store`, `zeropools` and `config`.

mod intent;
pub(crate) mod sessions;
mod tokens;

pub(crate) use intent::{admit_quote, check_intent, IntentFields};
pub(crate) use sessions::SessionCache;
pub(crate) use tokens::token_hash;

use crate::config::Settings;
use crate::quoting::Pools;
use crate::store::{self, CheckoutRow, Store};
use crate::zeropools::UpstreamError;
use quote_core::program::LaunchLimits;
use quote_core::wire::OrderCap;
use quote_core::wire::{CheckoutBindings, CheckoutStatus, CheckoutView, Side};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Most widget sessions one replica keeps in memory (a few hundred bytes each).
const SESSIONS_REMEMBERED: usize = 50_000;

/// What creating checkouts and minting their client tokens reach. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Checkouts {
    store: Store,
    pools: Pools,
    /// Widget sessions by token hash (they never change once written).
    pub(crate) sessions: Arc<SessionCache>,
    session_ttl: Duration,
    checkout_ttl: Duration,
    /// The program's launch limits (caps on an order's stablecoin leg).
    limits: LaunchLimits,
}

/// Why a checkout refused something. Converted to HTTP at the API's edge.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckoutError {
    #[error("a checkout with this partner_reference exists with other bindings")]
    ReferenceConflict { checkout_id: String },
    #[error("checkout not found")]
    NotFound,
    #[error("checkout expired")]
    Expired,
    #[error("field {field} is bound by the checkout")]
    FieldLocked { field: &'static str, message: String },
    #[error("checkout already converted into {trade_id}")]
    Converted { trade_id: String },
    #[error("an accept of {quote_id} is being confirmed")]
    AcceptInProgress { quote_id: String },
    /// Bindings the request's schema already rules out (its OpenAPI document says so): 400.
    #[error("invalid binding {field}: {message}")]
    InvalidBinding { field: &'static str, message: String },
    /// Bindings that read well but do not fit together or with the pool they name: 422.
    #[error("conflicting binding {field}: {message}")]
    ConflictingBinding { field: &'static str, message: String },
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// What the partner's backend asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewCheckout {
    pub(crate) bindings: CheckoutBindings,
    pub(crate) partner_reference: Option<String>,
    pub(crate) partner_user_id: Option<String>,
    pub(crate) expires_in: Option<Duration>,
    /// A demo-mode checkout behind an anonymous session.
    pub(crate) anonymous: bool,
}

pub(crate) fn status(c: &CheckoutRow) -> CheckoutStatus {
    if c.trade_id.is_some() {
        CheckoutStatus::Converted
    } else if c.accept_quote_id.is_some() {
        CheckoutStatus::Accepting
    } else if store::checkout_expired(c) {
        CheckoutStatus::Expired
    } else {
        CheckoutStatus::Open
    }
}

pub(crate) fn bindings(c: &CheckoutRow) -> CheckoutBindings {
    let dec = |s: &Option<String>| s.as_deref().and_then(|v| Decimal::from_str(v).ok());
    CheckoutBindings {
        pool_id: c.pool_id.clone(),
        // Only this module writes the column, from a `Side`.
        side: c.side.as_deref().and_then(Side::parse),
        amount: dec(&c.amount),
        currency: c.currency.clone(),
        amount_min: dec(&c.amount_min),
        amount_max: dec(&c.amount_max),
        network: c.network.clone(),
        destination_address: c.destination_address.clone(),
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> CheckoutError {
    CheckoutError::InvalidBinding { field, message: message.into() }
}

fn conflicting(field: &'static str, message: impl Into<String>) -> CheckoutError {
    CheckoutError::ConflictingBinding { field, message: message.into() }
}

fn same_order(existing: &CheckoutRow, new: &CheckoutRow) -> bool {
    bindings(existing) == bindings(new) && existing.partner_user_id == new.partner_user_id
}

impl Checkouts {
    pub(crate) fn new(store: Store, pools: Pools, settings: &Settings) -> Self {
        Checkouts {
            store,
            pools,
            sessions: Arc::new(SessionCache::new(SESSIONS_REMEMBERED)),
            session_ttl: settings.session_ttl,
            checkout_ttl: settings.checkout_ttl,
            limits: settings.program.limits,
        }
    }

    /// Checks bindings on their own and against the pool they name (when they name one).
    async fn validate(&self, b: &CheckoutBindings) -> Result<(), CheckoutError> {
        let positive = |field: &'static str, v: Option<Decimal>| match v {
            Some(d) if d <= Decimal::ZERO => Err(invalid(field, format!("{field} must be more than zero."))),
            _ => Ok(()),
        };
        positive("amount", b.amount)?;
        positive("amount_min", b.amount_min)?;
        positive("amount_max", b.amount_max)?;
        if b.amount.is_some() && (b.amount_min.is_some() || b.amount_max.is_some()) {
            return Err(invalid("amount", "Bind either an exact amount or a range (amount_min/amount_max), not both."));
        }
        if let (Some(min), Some(max)) = (b.amount_min, b.amount_max) {
            if min > max {
                return Err(conflicting("amount_min", "amount_min must not be more than amount_max."));
            }
        }
        let has_amount = b.amount.is_some() || b.amount_min.is_some() || b.amount_max.is_some();
        if has_amount && b.currency.is_none() {
            return Err(invalid("currency", "A bound amount needs the currency it is in."));
        }
        if let Some(pool_id) = &b.pool_id {
            let pool = self.pools.find(pool_id).await?.ok_or_else(|| conflicting("pool_id", "This pool is not offered."))?;
            if let Some(side) = b.side {
                if !pool.sides.contains(&side) {
                    return Err(conflicting("side", "This pool does not offer that side."));
                }
            }
            if let Some(network) = &b.network {
                if !pool.networks.contains(network) {
                    return Err(conflicting("network", format!("Choose one of the pool's networks: {}.", pool.networks.join(", "))));
                }
            }
            if let Some(currency) = &b.currency {
                if currency != &pool.source_asset && currency != &pool.target_asset {
                    return Err(conflicting("currency", format!("The currency must be {} or {}.", pool.source_asset, pool.target_asset)));
                }
            }
        }
        Ok(())
    }

    /// Creates a checkout, or, for a `partner_reference` already used with the same
    /// bindings, answers the first one (`false`). Other bindings under a used reference
    /// are a conflict: one order, one checkout.
    pub(crate) async fn create(&self, new: NewCheckout) -> Result<(CheckoutRow, bool), CheckoutError> {
        let (row, created, _) = self.create_and_mint(new, false).await?;
        Ok((row, created))
    }

    /// [`create`] with a first client token for the widget (token, expiry). A new
    /// checkout and its token are stored in one write, not one after the other; a
    /// checkout answered again for its reference gets a fresh token.
    pub(crate) async fn create_with_token(&self, new: NewCheckout) -> Result<(CheckoutRow, bool, (String, String)), CheckoutError> {
        match self.create_and_mint(new, true).await? {
            (row, created, Some(token)) => Ok((row, created, token)),
            (row, created, None) => {
                let token = self.mint_client_token(&row, None).await?;
                Ok((row, created, token))
            }
        }
    }

    async fn create_and_mint(
        &self,
        new: NewCheckout,
        with_token: bool,
    ) -> Result<(CheckoutRow, bool, Option<(String, String)>), CheckoutError> {
        self.validate(&new.bindings).await?;
        let ttl = new.expires_in.unwrap_or(self.checkout_ttl);
        let b = &new.bindings;
        let row = CheckoutRow {
            checkout_id: format!("chk_{}", uuid::Uuid::new_v4().simple()),
            partner_reference: new.partner_reference.clone(),
            partner_user_id: new.partner_user_id.clone(),
            pool_id: b.pool_id.clone(),
            side: b.side.map(|side| side.as_str().to_owned()),
            amount: b.amount.map(|d| d.to_string()),
            currency: b.currency.clone(),
            amount_min: b.amount_min.map(|d| d.to_string()),
            amount_max: b.amount_max.map(|d| d.to_string()),
            network: b.network.clone(),
            destination_address: b.destination_address.clone(),
            anonymous: store::Flag(new.anonymous),
            accept_quote_id: None,
            trade_id: None,
            created_at: store::now(),
            expires_at: store::timestamp(chrono::Utc::now() + ttl),
        };
        let minted = if with_token { Some(self.mint(&row, None)?) } else { None };
        let (stored, session) = (row.clone(), minted.clone());
        let created = self
            .store
            .writes
            .run(move |c| {
                Box::pin(async move {
                    let first = session.as_ref().map(|m| store::FirstSession {
                        session_id: &m.session_id,
                        token_hash: &m.token_hash,
                        partner_user_id: m.partner_user_id.as_deref(),
                        expires_at: &m.expires_at,
                    });
                    store::insert_checkout(c, &stored, first.as_ref()).await
                })
            })
            .await?;
        if created {
            tracing::info!(checkout_id = %row.checkout_id, "checkout created");
            let token = minted.map(|m| {
                tracing::info!(session_id = %m.session_id, checkout_id = %row.checkout_id, "client token minted");
                self.remember(&m);
                (m.token, m.expires_at)
            });
            return Ok((row, true, token));
        }
        let reference = new.partner_reference.as_deref().unwrap_or_default();
        let existing = store::checkout_by_reference(&self.store.db, reference).await?.ok_or(CheckoutError::NotFound)?;
        if same_order(&existing, &row) {
            Ok((existing, false, None))
        } else {
            Err(CheckoutError::ReferenceConflict { checkout_id: existing.checkout_id })
        }
    }

    pub(crate) async fn find(&self, checkout_id: &str) -> Result<CheckoutRow, CheckoutError> {
        store::checkout(&self.store.db, checkout_id).await?.ok_or(CheckoutError::NotFound)
    }

    /// The checkout as its partner (and its widget) see it, with its trade.
    pub(crate) async fn view(&self, c: &CheckoutRow) -> Result<CheckoutView, CheckoutError> {
        let trade = match &c.trade_id {
            Some(id) => store::trade(&self.store.db, id).await?.map(|t| crate::trading::trade_view(&t)).transpose()?,
            None => None,
        };
        Ok(CheckoutView {
            checkout_id: c.checkout_id.clone(),
            status: status(c),
            bindings: bindings(c),
            partner_reference: c.partner_reference.clone(),
            partner_user_id: c.partner_user_id.clone(),
            created_at: c.created_at.clone(),
            expires_at: c.expires_at.clone(),
            accept_quote_id: c.accept_quote_id.clone(),
            order_cap: self.order_cap(c).await?,
            trade,
            server_time: store::now(),
        })
    }

    /// The launch limit on this checkout's next order, if any: the per-order cap, and
    /// the first-order cap while its user has no order yet. A checkout without a user
    /// id counts as a first order (nobody can tell it is not).
    pub(crate) async fn order_cap(&self, c: &CheckoutRow) -> sqlx::Result<Option<OrderCap>> {
        let first_order = match (&self.limits.first_order_limit, &c.partner_user_id) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(_), Some(user)) => !store::user_has_order(&self.store.db, user).await?,
        };
        Ok(self.limits.cap(first_order))
    }
}
