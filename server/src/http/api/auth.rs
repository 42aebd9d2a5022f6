//! Who is calling: a widget with a client token (bound to one checkout), or the
//! partner's backend with the partner key, or a person signed in to the partner
//! console. Also the client's address, for limits.

use super::ApiError;
use crate::checkouts::token_hash;
use crate::http::AppState;
use crate::store;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use secrecy::ExposeSecret;
use std::net::{IpAddr, SocketAddr};
use subtle::ConstantTimeEq;

/// The session (client token) a widget request is made in, and its checkout.
pub(crate) struct Session {
    pub session_id: String,
    pub checkout_id: String,
    /// The checkout as read with the session at the start of this request, when the
    /// session was not remembered on this replica (see [`Session::checkout`]).
    read_with_session: Option<store::CheckoutRow>,
}

impl Session {
    /// This session's checkout as of now: the row read with the session moments ago
    /// if there is one, else read.
    pub(crate) async fn checkout(&mut self, state: &AppState) -> Result<store::CheckoutRow, crate::checkouts::CheckoutError> {
        match self.read_with_session.take() {
            Some(row) => Ok(row),
            None => state.checkouts.find(&self.checkout_id).await,
        }
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ApiError::SessionRequired)?;
        let found = state.checkouts.sessions.find(&state.store.db, &token_hash(token)).await?.ok_or(ApiError::SessionInvalid)?;
        if found.session.expires_at <= store::now() {
            return Err(ApiError::SessionExpired);
        }
        Ok(Session { session_id: found.session.session_id, checkout_id: found.session.checkout_id, read_with_session: found.checkout })
    }
}

/// The partner's backend, proven by the partner key (constant-time compare). With
/// no key configured, nothing is open: every partner call is refused.
pub(crate) struct Partner;

pub(crate) fn is_partner(headers: &HeaderMap, state: &AppState) -> bool {
    bearer_is(headers, state.settings.partner_api_key.as_ref())
}

/// Whether the request's bearer token is `expected` (constant-time); never with none.
fn bearer_is(headers: &HeaderMap, expected: Option<&secrecy::SecretString>) -> bool {
    let Some(key) = expected else { return false };
    let presented = bearer(headers).unwrap_or("");
    let expected = key.expose_secret();
    presented.len() == expected.len() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

/// A metrics scraper, proven by the metrics token (`METRICS_TOKEN`), which is not the
/// partner key: a scraper's credential reads numbers, never orders. With no token
/// configured, `/metrics` is closed.
pub(crate) struct MetricsReader;

impl FromRequestParts<AppState> for MetricsReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if bearer_is(&parts.headers, state.settings.metrics_token.as_ref()) {
            Ok(MetricsReader)
        } else {
            Err(ApiError::MetricsTokenInvalid)
        }
    }
}

impl FromRequestParts<AppState> for Partner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if is_partner(&parts.headers, state) {
            Ok(Partner)
        } else {
            Err(ApiError::PartnerKeyInvalid)
        }
    }
}

/// A reader of the partner's operations data: the partner's backend (partner key)
/// or a person signed in to the partner console (session cookie). Only reads take
/// it; minting checkouts stays with the partner key.
pub(crate) enum PartnerReader {
    Backend,
    Console,
}

/// The console user of a live console session cookie, if the request carries one.
pub(crate) async fn console_user(headers: &HeaderMap, state: &AppState) -> Result<Option<(String, String)>, ApiError> {
    if state.settings.console.is_none() {
        return Ok(None);
    }
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let Some(token) = crate::http::console::token_from_cookies(cookies) else { return Ok(None) };
    Ok(store::console_session(&state.store.db, &token_hash(&token)).await?)
}

impl FromRequestParts<AppState> for PartnerReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if is_partner(&parts.headers, state) {
            return Ok(PartnerReader::Backend);
        }
        match console_user(&parts.headers, state).await? {
            Some(_) => Ok(PartnerReader::Console),
            None if bearer(&parts.headers).is_some() || state.settings.console.is_none() => Err(ApiError::PartnerKeyInvalid),
            None => Err(ApiError::ConsoleSignInRequired),
        }
    }
}

/// Who acts for the partner (acknowledging, resolving an incident): its backend (the
/// partner key, named "partner API") or a person signed in to the console, by user
/// name. A console write must come from a page of this server: a cross-site request
/// carries no cookie (SameSite=Strict), and one whose `Origin` is another site's is
/// refused all the same.
pub(crate) struct PartnerActor(pub String);

impl FromRequestParts<AppState> for PartnerActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if is_partner(&parts.headers, state) {
            return Ok(PartnerActor("partner API".into()));
        }
        let foreign_origin = parts.headers.get(header::ORIGIN).is_some_and(|origin| {
            let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            let origin = origin.to_str().unwrap_or_default();
            origin.split_once("://").map(|(_, rest)| rest) != Some(host)
        });
        match console_user(&parts.headers, state).await? {
            Some((user, _)) if !foreign_origin => Ok(PartnerActor(user)),
            Some(_) => Err(ApiError::ConsoleSignInRequired),
            None if bearer(&parts.headers).is_some() || state.settings.console.is_none() => Err(ApiError::PartnerKeyInvalid),
            None => Err(ApiError::ConsoleSignInRequired),
        }
    }
}

/// The calling client's address: the TCP peer, or, behind a trusted proxy
/// (`TRUST_FORWARDED_FOR`), exactly the last hop that proxy appended to
/// `X-Forwarded-For` (never an earlier one: the client writes those).
pub(crate) struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The key limits count this client by: an IPv4 address, or an IPv6 address's /64
    /// (one subscriber commonly holds a whole /64, and could walk through it).
    pub(crate) fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// The last hop of the last `X-Forwarded-For` header, if it is an address.
fn last_forwarded_hop(headers: &HeaderMap) -> Option<IpAddr> {
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    last_header.rsplit(',').next()?.trim().parse().ok()
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.settings.trust_forwarded_for {
            if let Some(ip) = last_forwarded_hop(&parts.headers) {
                return Ok(ClientAddr(ip));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(peer.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_an_ipv4_one_by_its_address() {
        let key = |s: &str| ClientAddr(s.parse().unwrap()).key();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7", "a mapped IPv4 address is that address");
    }

    #[test]
    fn only_the_last_hop_of_x_forwarded_for_counts() {
        let headers = |values: &[&str]| {
            let mut h = HeaderMap::new();
            for v in values {
                h.append("x-forwarded-for", v.parse().unwrap());
            }
            h
        };
        assert_eq!(last_forwarded_hop(&headers(&["1.1.1.1, 2.2.2.2"])), Some("2.2.2.2".parse().unwrap()));
        assert_eq!(last_forwarded_hop(&headers(&["1.1.1.1", "3.3.3.3"])), Some("3.3.3.3".parse().unwrap()));
        // A client-written earlier hop never stands in for an unreadable last one.
        assert_eq!(last_forwarded_hop(&headers(&["1.1.1.1, not-an-address"])), None);
        assert_eq!(last_forwarded_hop(&headers(&[])), None);
    }
}
