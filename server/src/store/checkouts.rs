//! Checkout rows: created by the partner's backend (or, in demo mode, for an
//! anonymous session), read by every request made with one of its client tokens.

use super::{now, AnyQuery, Db, Joined};
use sqlx::AnyConnection;
use sqlx::FromRow;
use std::sync::LazyLock;

#[derive(Debug, Clone, FromRow, Default, PartialEq, Eq)]
pub struct CheckoutRow {
    pub checkout_id: String,
    pub partner_reference: Option<String>,
    pub partner_user_id: Option<String>,
    pub pool_id: Option<String>,
    pub side: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub amount_min: Option<String>,
    pub amount_max: Option<String>,
    pub network: Option<String>,
    pub destination_address: Option<String>,
    #[sqlx(try_from = "i64")]
    pub anonymous: super::Flag,
    pub accept_quote_id: Option<String>,
    pub trade_id: Option<String>,
    pub created_at: String,
    pub expires_at: String,
}

/// A client token's session, stored with its new checkout.
pub struct FirstSession<'a> {
    pub session_id: &'a str,
    pub token_hash: &'a str,
    pub partner_user_id: Option<&'a str>,
    pub expires_at: &'a str,
}

/// Inserts a checkout, and with it `session` (its first client token's), both or
/// neither, in one hand-off to the database; false when the checkout's
/// `partner_reference` is already taken (then no session is stored either).
pub async fn insert_checkout(conn: &mut AnyConnection, c: &CheckoutRow, session: Option<&FirstSession<'_>>) -> sqlx::Result<bool> {
    const CHECKOUT: &str =
        "INSERT INTO checkouts (checkout_id, partner_reference, partner_user_id, pool_id, side, amount, currency, amount_min,
            amount_max, network, destination_address, anonymous, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT(partner_reference) DO NOTHING";
    const SESSION: &str = "INSERT INTO sessions (session_id, checkout_id, token_hash, partner_user_id, created_at, expires_at)";
    // The session follows only a new checkout (SQLite: the insert changed a row;
    // Postgres: from its RETURNING); its own RETURNING says whether both were stored.
    static WITH_SESSION: LazyLock<Joined> = LazyLock::new(|| {
        Joined::per_store(
            &format!("{CHECKOUT};\n{SESSION} SELECT $15, $1, $16, $17, $18, $19 WHERE changes() = 1 RETURNING session_id"),
            &format!("WITH c AS ({CHECKOUT} RETURNING checkout_id) {SESSION} SELECT $15, checkout_id, $16, $17, $18, $19 FROM c RETURNING session_id"),
        )
    });
    match session {
        None => Ok(bind_checkout(sqlx::query(CHECKOUT), c).execute(&mut *conn).await?.rows_affected() == 1),
        Some(s) => {
            let binds = |query| {
                bind_checkout(query, c).bind(s.session_id).bind(s.token_hash).bind(s.partner_user_id).bind(now()).bind(s.expires_at)
            };
            Ok(WITH_SESSION.fetch_all(conn, binds).await?.len() == 1)
        }
    }
}

fn bind_checkout<'q>(query: AnyQuery<'q>, c: &'q CheckoutRow) -> AnyQuery<'q> {
    query
        .bind(&c.checkout_id)
        .bind(&c.partner_reference)
        .bind(&c.partner_user_id)
        .bind(&c.pool_id)
        .bind(&c.side)
        .bind(&c.amount)
        .bind(&c.currency)
        .bind(&c.amount_min)
        .bind(&c.amount_max)
        .bind(&c.network)
        .bind(&c.destination_address)
        .bind(i64::from(c.anonymous.0))
        .bind(&c.created_at)
        .bind(&c.expires_at)
}

pub async fn checkout(db: &Db, checkout_id: &str) -> sqlx::Result<Option<CheckoutRow>> {
    sqlx::query_as("SELECT * FROM checkouts WHERE checkout_id = $1").bind(checkout_id).fetch_optional(db).await
}

pub async fn checkout_by_reference(db: &Db, partner_reference: &str) -> sqlx::Result<Option<CheckoutRow>> {
    sqlx::query_as("SELECT * FROM checkouts WHERE partner_reference = $1").bind(partner_reference).fetch_optional(db).await
}

/// The session (client token) row behind an expired or live token, for renewal.
pub async fn session_checkout(db: &Db, token_hash: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT checkout_id FROM sessions WHERE token_hash = $1").bind(token_hash).fetch_optional(db).await
}

/// Whether the checkout is past its lifetime.
pub fn checkout_expired(c: &CheckoutRow) -> bool {
    c.expires_at <= now()
}
