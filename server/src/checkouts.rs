//! Checkouts: the partner's backend decides what is being paid for (Stripe's
//! PaymentIntent / Checkout Session split); the browser only chooses among what it
//! was allowed. A checkout binds any of pool, side, amount (exact or a range, in a
//! currency), network and destination; owns every quote, accept and trade made with
//! any of its client tokens; and converts at most once.

use crate::store::{self, CheckoutRow};
use crate::upstream::UpstreamError;
use crate::AppState;
use quote_core::wire::{CheckoutBindings, CheckoutStatus, CheckoutView, Side};
use rand::RngCore;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::str::FromStr;
use std::time::Duration;

/// Why a checkout refused something. Converted to HTTP at the API's edge.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
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
    #[error("invalid binding {field}: {message}")]
    InvalidBinding { field: &'static str, message: String },
    #[error("upstream: {0}")]
    Upstream(#[from] UpstreamError),
    #[error("storage: {0}")]
    Storage(#[from] sqlx::Error),
}

/// What the partner's backend asks for.
#[derive(Debug, Clone, Default)]
pub struct NewCheckout {
    pub bindings: CheckoutBindings,
    pub partner_reference: Option<String>,
    pub partner_user_id: Option<String>,
    pub expires_in: Option<Duration>,
    /// A demo-mode checkout behind an anonymous session.
    pub anonymous: bool,
}

/// The SHA-256 of a client token: only this is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn status(c: &CheckoutRow) -> CheckoutStatus {
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

pub fn bindings(c: &CheckoutRow) -> CheckoutBindings {
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

/// Checks bindings on their own and against the pool they name (when they name one).
async fn validate(state: &AppState, b: &CheckoutBindings) -> Result<(), CheckoutError> {
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
            return Err(invalid("amount_min", "amount_min must not be more than amount_max."));
        }
    }
    let has_amount = b.amount.is_some() || b.amount_min.is_some() || b.amount_max.is_some();
    if has_amount && b.currency.is_none() {
        return Err(invalid("currency", "A bound amount needs the currency it is in."));
    }
    if let Some(pool_id) = &b.pool_id {
        let pool = state.pools.find(&state.upstream, pool_id).await?.ok_or_else(|| invalid("pool_id", "This pool is not offered."))?;
        if let Some(side) = b.side {
            if !pool.sides.contains(&side) {
                return Err(invalid("side", "This pool does not offer that side."));
            }
        }
        if let Some(network) = &b.network {
            if !pool.networks.contains(network) {
                return Err(invalid("network", format!("Choose one of the pool's networks: {}.", pool.networks.join(", "))));
            }
        }
        if let Some(currency) = &b.currency {
            if currency != &pool.source_asset && currency != &pool.target_asset {
                return Err(invalid("currency", format!("The currency must be {} or {}.", pool.source_asset, pool.target_asset)));
            }
        }
    }
    Ok(())
}

fn same_order(existing: &CheckoutRow, new: &CheckoutRow) -> bool {
    bindings(existing) == bindings(new) && existing.partner_user_id == new.partner_user_id
}

/// Creates a checkout, or, for a `partner_reference` already used with the same
/// bindings, answers the first one (`false`). Other bindings under a used reference
/// are a conflict: one order, one checkout.
pub async fn create(state: &AppState, new: NewCheckout) -> Result<(CheckoutRow, bool), CheckoutError> {
    let (row, created, _) = create_and_mint(state, new, false).await?;
    Ok((row, created))
}

/// [`create`] with a first client token for the widget (token, expiry). A new
/// checkout and its token are stored in one write, not one after the other; a
/// checkout answered again for its reference gets a fresh token.
pub async fn create_with_token(state: &AppState, new: NewCheckout) -> Result<(CheckoutRow, bool, (String, String)), CheckoutError> {
    match create_and_mint(state, new, true).await? {
        (row, created, Some(token)) => Ok((row, created, token)),
        (row, created, None) => {
            let token = mint_client_token(state, &row, None).await?;
            Ok((row, created, token))
        }
    }
}

async fn create_and_mint(state: &AppState, new: NewCheckout, with_token: bool) -> Result<(CheckoutRow, bool, Option<(String, String)>), CheckoutError> {
    validate(state, &new.bindings).await?;
    let ttl = new.expires_in.unwrap_or(state.settings.checkout_ttl);
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
    let minted = if with_token { Some(mint(state, &row, None)?) } else { None };
    let (stored, session) = (row.clone(), minted.clone());
    let created = state
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
            remember(state, &m);
            (m.token, m.expires_at)
        });
        return Ok((row, true, token));
    }
    let reference = new.partner_reference.as_deref().unwrap_or_default();
    let existing = store::checkout_by_reference(&state.db, reference).await?.ok_or(CheckoutError::NotFound)?;
    if same_order(&existing, &row) {
        Ok((existing, false, None))
    } else {
        Err(CheckoutError::ReferenceConflict { checkout_id: existing.checkout_id })
    }
}

/// A client token for a checkout, before it is stored (only its hash is).
#[derive(Clone)]
struct Minted {
    token: String,
    session_id: String,
    checkout_id: String,
    token_hash: String,
    partner_user_id: Option<String>,
    expires_at: String,
}

/// A fresh client token bound to the checkout; it lasts the session lifetime, and
/// never beyond the checkout's own.
fn mint(state: &AppState, c: &CheckoutRow, partner_user_id: Option<&str>) -> Result<Minted, CheckoutError> {
    if status(c) == CheckoutStatus::Expired {
        return Err(CheckoutError::Expired);
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("qws_{}", hex::encode(bytes));
    Ok(Minted {
        token_hash: token_hash(&token),
        token,
        session_id: format!("ses_{}", uuid::Uuid::new_v4().simple()),
        checkout_id: c.checkout_id.clone(),
        partner_user_id: partner_user_id.or(c.partner_user_id.as_deref()).map(str::to_owned),
        expires_at: store::timestamp(chrono::Utc::now() + state.settings.session_ttl).min(c.expires_at.clone()),
    })
}

async fn store_session(conn: &mut sqlx::AnyConnection, m: &Minted) -> sqlx::Result<()> {
    store::insert_session(conn, &m.session_id, &m.checkout_id, &m.token_hash, m.partner_user_id.as_deref(), &m.expires_at).await
}

/// Tells the session cache about a session once it is stored.
fn remember(state: &AppState, m: &Minted) {
    let row = store::SessionRow { session_id: m.session_id.clone(), checkout_id: m.checkout_id.clone(), partner_user_id: m.partner_user_id.clone(), expires_at: m.expires_at.clone() };
    state.sessions.stored(&m.token_hash, row);
}

/// A fresh client token for the widget, bound to the checkout (see [`mint`]).
pub async fn mint_client_token(state: &AppState, c: &CheckoutRow, partner_user_id: Option<&str>) -> Result<(String, String), CheckoutError> {
    let minted = mint(state, c, partner_user_id)?;
    let stored = minted.clone();
    state.writes.run(move |conn| Box::pin(async move { store_session(conn, &stored).await })).await?;
    remember(state, &minted);
    tracing::info!(session_id = %minted.session_id, checkout_id = %c.checkout_id, "client token minted");
    Ok((minted.token, minted.expires_at))
}

/// An intent's fields, as the browser sent them, for [`check_intent`].
pub struct IntentFields<'a> {
    pub pool_id: &'a str,
    /// `None` when the browser sent no known side (refused later as unsupported;
    /// on a checkout bound to a side, refused here as locked).
    pub side: Option<Side>,
    pub amount: Decimal,
    pub currency: &'a str,
    pub network: Option<&'a str>,
    pub destination_address: Option<&'a str>,
    pub partner_reference: Option<&'a str>,
}

fn locked(field: &'static str, message: String) -> CheckoutError {
    CheckoutError::FieldLocked { field, message }
}

/// Refuses an intent that differs from what the checkout bound. Pure: tested alone.
pub fn check_intent(c: &CheckoutRow, i: &IntentFields<'_>) -> Result<(), CheckoutError> {
    let b = bindings(c);
    // A bound amount this server cannot read (only a damaged row holds one) binds
    // everything rather than nothing: the partner's order, not the browser, decides.
    let unreadable = [(&c.amount, b.amount), (&c.amount_min, b.amount_min), (&c.amount_max, b.amount_max)]
        .into_iter()
        .any(|(stored, read)| stored.is_some() && read.is_none());
    if unreadable {
        tracing::error!(checkout_id = %c.checkout_id, "a stored amount binding could not be read; refusing quotes for this checkout");
        return Err(locked("amount", "This checkout's amount could not be read: ask the shop to start the payment again.".into()));
    }
    if let Some(pool) = &b.pool_id {
        if pool != i.pool_id {
            return Err(locked("pool_id", format!("This checkout is for {pool}.")));
        }
    }
    if let Some(side) = b.side {
        if Some(side) != i.side {
            return Err(locked("side", format!("This checkout is a {side}.")));
        }
    }
    if let Some(currency) = &b.currency {
        if currency != i.currency {
            return Err(locked("currency", format!("This checkout's amount is in {currency}.")));
        }
    }
    if let Some(amount) = b.amount {
        if amount != i.amount {
            return Err(locked("amount", format!("This checkout is for {amount} {}.", b.currency.unwrap_or_default())));
        }
    }
    if let Some(min) = b.amount_min {
        if i.amount < min {
            return Err(locked("amount", format!("This checkout allows at least {min} {}.", b.currency.clone().unwrap_or_default())));
        }
    }
    if let Some(max) = b.amount_max {
        if i.amount > max {
            return Err(locked("amount", format!("This checkout allows at most {max} {}.", b.currency.clone().unwrap_or_default())));
        }
    }
    if let Some(network) = &b.network {
        if i.network.is_some_and(|n| n != network) {
            return Err(locked("network", format!("This checkout pays out on {network}.")));
        }
    }
    if let Some(destination) = &b.destination_address {
        if i.destination_address.is_some_and(|d| d != destination) {
            return Err(locked("destination_address", "This checkout pays out to the address the partner set.".into()));
        }
    }
    if let (Some(bound), Some(sent)) = (&c.partner_reference, i.partner_reference) {
        if bound != sent {
            return Err(locked("partner_reference", "This checkout belongs to another order.".into()));
        }
    }
    Ok(())
}

/// Whether the checkout still takes quotes: never after it converted, no firm ones
/// while an accept's outcome is being confirmed, none after it expired.
pub fn admit_quote(c: &CheckoutRow, firm: bool) -> Result<(), CheckoutError> {
    match (status(c), &c.trade_id, &c.accept_quote_id) {
        (CheckoutStatus::Converted, Some(trade_id), _) => Err(CheckoutError::Converted { trade_id: trade_id.clone() }),
        (CheckoutStatus::Accepting, _, Some(quote_id)) if firm => Err(CheckoutError::AcceptInProgress { quote_id: quote_id.clone() }),
        (CheckoutStatus::Expired, _, _) => Err(CheckoutError::Expired),
        _ => Ok(()),
    }
}

pub async fn find(state: &AppState, checkout_id: &str) -> Result<CheckoutRow, CheckoutError> {
    store::checkout(&state.db, checkout_id).await?.ok_or(CheckoutError::NotFound)
}

/// The checkout as its partner (and its widget) see it, with its trade.
pub async fn view(state: &AppState, c: &CheckoutRow) -> Result<CheckoutView, CheckoutError> {
    let trade = match &c.trade_id {
        Some(id) => store::trade(&state.db, id).await?.map(|t| crate::trading::trade_view(&t)).transpose()?,
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
        trade,
        server_time: store::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(amount: &str) -> IntentFields<'static> {
        IntentFields {
            pool_id: "EUR-USDT",
            side: Some(Side::Buy),
            amount: Decimal::from_str(amount).unwrap(),
            currency: "EUR",
            network: Some("tron"),
            destination_address: Some("T1"),
            partner_reference: None,
        }
    }

    #[test]
    fn an_intent_must_match_every_binding() {
        let c = CheckoutRow {
            pool_id: Some("EUR-USDT".into()),
            amount: Some("500.00".into()),
            currency: Some("EUR".into()),
            destination_address: Some("T1".into()),
            partner_reference: Some("order_1".into()),
            expires_at: "9999".into(),
            ..CheckoutRow::default()
        };
        assert!(check_intent(&c, &intent("500")).is_ok(), "500 equals 500.00");
        let field = |r: Result<(), CheckoutError>| match r {
            Err(CheckoutError::FieldLocked { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(check_intent(&c, &intent("10"))), "amount");
        let sided = CheckoutRow { side: Some("buy".into()), ..c.clone() };
        assert!(check_intent(&sided, &intent("500")).is_ok());
        assert_eq!(field(check_intent(&sided, &IntentFields { side: Some(Side::Sell), ..intent("500") })), "side");
        assert_eq!(field(check_intent(&sided, &IntentFields { side: None, ..intent("500") })), "side", "an unknown word is not the bound side");
        assert_eq!(field(check_intent(&c, &IntentFields { destination_address: Some("T2"), ..intent("500") })), "destination_address");
        assert_eq!(field(check_intent(&c, &IntentFields { pool_id: "USD-USDC", ..intent("500") })), "pool_id");
        assert_eq!(field(check_intent(&c, &IntentFields { currency: "USDT", ..intent("500") })), "currency");
        assert_eq!(field(check_intent(&c, &IntentFields { partner_reference: Some("order_2"), ..intent("500") })), "partner_reference");
    }

    #[test]
    fn a_bound_amount_that_cannot_be_read_binds_everything_not_nothing() {
        for damaged in [
            CheckoutRow { amount: Some("five hundred".into()), ..CheckoutRow::default() },
            CheckoutRow { amount_min: Some("10".into()), amount_max: Some("".into()), ..CheckoutRow::default() },
        ] {
            match check_intent(&damaged, &intent("500")) {
                Err(CheckoutError::FieldLocked { field, .. }) => assert_eq!(field, "amount"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_range_binds_both_ends_inclusively() {
        let c = CheckoutRow { amount_min: Some("10".into()), amount_max: Some("100".into()), currency: Some("EUR".into()), ..CheckoutRow::default() };
        assert!(check_intent(&c, &intent("10")).is_ok());
        assert!(check_intent(&c, &intent("100.000")).is_ok());
        assert!(check_intent(&c, &intent("9.99")).is_err());
        assert!(check_intent(&c, &intent("100.01")).is_err());
    }

    #[test]
    fn a_converted_checkout_takes_no_quote_and_an_accepting_one_no_firm_quote() {
        let open = CheckoutRow { expires_at: "9999".into(), ..CheckoutRow::default() };
        assert!(admit_quote(&open, true).is_ok());
        let accepting = CheckoutRow { accept_quote_id: Some("pq_1".into()), ..open.clone() };
        assert!(admit_quote(&accepting, false).is_ok());
        assert!(matches!(admit_quote(&accepting, true), Err(CheckoutError::AcceptInProgress { .. })));
        let converted = CheckoutRow { trade_id: Some("pt_1".into()), ..accepting };
        assert!(matches!(admit_quote(&converted, false), Err(CheckoutError::Converted { .. })));
        let expired = CheckoutRow { expires_at: "2000-01-01T00:00:00.000Z".into(), ..CheckoutRow::default() };
        assert!(matches!(admit_quote(&expired, false), Err(CheckoutError::Expired)));
    }
}
