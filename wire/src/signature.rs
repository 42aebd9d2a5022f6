//! The `0Pools-Signature` scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! The sandbox signs with it and the companion server verifies with it, so both
//! halves share one implementation of the byte layout.

use hmac::{Hmac, Mac};
use quote_core::vocab::ErrorCode;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

pub const HEADER: &str = "0Pools-Signature";
/// Signatures older (or further in the future) than this are refused.
pub const TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &SecretString, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.expose_secret().as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` signed at `timestamp`.
pub fn sign(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing")]
    Missing,
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

impl SignatureError {
    pub fn code(self) -> ErrorCode {
        match self {
            SignatureError::Missing => ErrorCode::SignatureMissing,
            SignatureError::Malformed => ErrorCode::SignatureMalformed,
            SignatureError::Stale => ErrorCode::SignatureStale,
            SignatureError::Mismatch => ErrorCode::SignatureMismatch,
        }
    }
}

/// Verifies `header` for `body` at `now` (unix seconds). Several `v1=` entries are
/// allowed (secret rotation); any match passes. The compare is constant-time.
pub fn verify(secret: &SecretString, header: Option<&str>, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if now.abs_diff(timestamp) > TOLERANCE_SECS as u64 {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body);
    // `verify_slice` compares in constant time.
    if candidates.iter().any(|c| expected.clone().verify_slice(c).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("whsec_unit")
    }

    #[test]
    fn a_fresh_signature_verifies() {
        let h = sign(&secret(), 1_000, b"{}");
        assert_eq!(verify(&secret(), Some(&h), b"{}", 1_100), Ok(()));
    }

    #[test]
    fn tampering_staleness_and_garbage_are_refused() {
        let h = sign(&secret(), 1_000, b"{}");
        assert_eq!(verify(&secret(), Some(&h), b"{ }", 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(&SecretString::from("other"), Some(&h), b"{}", 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(&secret(), Some(&h), b"{}", 1_301), Err(SignatureError::Stale));
        assert_eq!(verify(&secret(), Some(&h), b"{}", 699), Err(SignatureError::Stale));
        assert_eq!(verify(&secret(), None, b"{}", 1_000), Err(SignatureError::Missing));
        assert_eq!(verify(&secret(), Some("v1=zz"), b"{}", 1_000), Err(SignatureError::Malformed));
        assert_eq!(verify(&secret(), Some("t=1000"), b"{}", 1_000), Err(SignatureError::Malformed));
        // Extreme timestamps neither overflow nor pass.
        let extreme = format!("t={},v1={}", i64::MIN, "00".repeat(32));
        assert_eq!(verify(&secret(), Some(&extreme), b"{}", 1_000), Err(SignatureError::Stale));
        let extreme = format!("t={},v1={}", i64::MAX, "00".repeat(32));
        assert_eq!(verify(&secret(), Some(&extreme), b"{}", -1_000), Err(SignatureError::Stale));
    }

    #[test]
    fn matches_a_reference_digest() {
        // HMAC-SHA256("whsec_unit", "1000.{}") computed independently with openssl.
        assert_eq!(sign(&secret(), 1_000, b"{}"), "t=1000,v1=596dab97570f823e06e4f57be5695c6304902f082ef3406e0989ed654dbb5011");
    }
}
