//! The partner console's session cookie: sessions live in the database (so any
//! replica can check them) as hashes of random tokens carried in an HttpOnly,
//! SameSite=Strict cookie. The credential itself is configuration
//! (`config::ConsoleCredential`).

use rand::RngCore;
use std::time::Duration;

/// The cookie that carries a console session.
pub(crate) const COOKIE: &str = "qw_console";

/// A fresh session token (shown once, to the browser, in the cookie).
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("qwc_{}", hex::encode(bytes))
}

/// The `Set-Cookie` value that starts a session of `max_age`.
pub(crate) fn session_cookie(token: &str, max_age: Duration, secure: bool) -> String {
    let cookie = cookie::Cookie::build((COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age.as_secs() as i64))
        .secure(secure)
        .build();
    cookie.to_string()
}

/// The `Set-Cookie` value that ends it in the browser.
pub(crate) fn cleared_cookie(secure: bool) -> String {
    session_cookie("", Duration::ZERO, secure)
}

/// The session token in a `Cookie` header, if any.
pub(crate) fn token_from_cookies<'a>(headers: impl Iterator<Item = &'a str>) -> Option<String> {
    headers
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_same_site_strict_and_secure_when_asked() {
        let set = session_cookie("qwc_abc", Duration::from_secs(3600), true);
        for part in ["qw_console=qwc_abc", "HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=3600"] {
            assert!(set.contains(part), "{part} missing from {set}");
        }
        assert!(!session_cookie("t", Duration::from_secs(1), false).contains("Secure"));
        assert!(cleared_cookie(true).contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies_and_headers() {
        let headers = ["theme=dark; other=1", "qw_console=qwc_1; x=2"];
        assert_eq!(token_from_cookies(headers.into_iter()).as_deref(), Some("qwc_1"));
        assert_eq!(token_from_cookies(["qw_console="].into_iter()), None);
        assert_eq!(token_from_cookies(std::iter::empty()), None);
        assert_ne!(new_token(), new_token());
    }
}
