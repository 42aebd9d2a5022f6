//! Client tokens: a fresh random token per widget session, bound to its checkout.
//! Only the token's hash is stored; the session row never changes, so a replica
//! remembers it once stored.

use super::{status, CheckoutError, Checkouts};
use crate::store::{self, CheckoutRow};
use quote_core::wire::CheckoutStatus;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The SHA-256 of a client token: only this is stored.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A client token for a checkout, before it is stored (only its hash is).
#[derive(Clone)]
pub(super) struct Minted {
    pub(super) token: String,
    pub(super) session_id: String,
    pub(super) checkout_id: String,
    pub(super) token_hash: String,
    pub(super) partner_user_id: Option<String>,
    pub(super) expires_at: String,
}

pub(super) async fn store_session(conn: &mut sqlx::AnyConnection, m: &Minted) -> sqlx::Result<()> {
    store::insert_session(conn, &m.session_id, &m.checkout_id, &m.token_hash, m.partner_user_id.as_deref(), &m.expires_at).await
}

impl Checkouts {
    /// A fresh client token bound to the checkout; it lasts the session lifetime, and
    /// never beyond the checkout's own.
    pub(super) fn mint(&self, c: &CheckoutRow, partner_user_id: Option<&str>) -> Result<Minted, CheckoutError> {
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
            expires_at: store::timestamp(chrono::Utc::now() + self.session_ttl).min(c.expires_at.clone()),
        })
    }

    /// Tells the session cache about a session once it is stored.
    pub(super) fn remember(&self, m: &Minted) {
        let row = store::SessionRow {
            session_id: m.session_id.clone(),
            checkout_id: m.checkout_id.clone(),
            partner_user_id: m.partner_user_id.clone(),
            expires_at: m.expires_at.clone(),
        };
        self.sessions.stored(&m.token_hash, row);
    }

    /// A fresh client token for the widget, bound to the checkout (see [`mint`]).
    pub(crate) async fn mint_client_token(
        &self,
        c: &CheckoutRow,
        partner_user_id: Option<&str>,
    ) -> Result<(String, String), CheckoutError> {
        let minted = self.mint(c, partner_user_id)?;
        let stored = minted.clone();
        self.store.writes.run(move |conn| Box::pin(async move { store_session(conn, &stored).await })).await?;
        self.remember(&minted);
        tracing::info!(session_id = %minted.session_id, checkout_id = %c.checkout_id, "client token minted");
        Ok((minted.token, minted.expires_at))
    }
}
