//! Checks of single values: secrets, URLs, origins, database URLs; each names its
//! setting when it refuses, and never echoes a secret.

use super::{refuse, ConfigError, MIN_SECRET_LEN};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;

/// What kind of key it is, never the key.
pub(super) fn key_kind(key: &SecretString) -> &'static str {
    let k = key.expose_secret();
    if k.starts_with("sk_live_") {
        "live key (redacted)"
    } else if k.starts_with("sk_test_") {
        "test key (redacted)"
    } else {
        "set (redacted)"
    }
}

pub(super) fn long_enough(setting: &'static str, secret: &SecretString) -> Result<(), ConfigError> {
    let len = secret.expose_secret().trim().chars().count();
    if len < MIN_SECRET_LEN {
        let what = if len == 0 { "is empty".to_owned() } else { format!("is too short ({len} characters)") };
        return refuse(setting, format!("{what}: use at least {MIN_SECRET_LEN} characters"));
    }
    Ok(())
}

pub(super) fn checked_url(setting: &'static str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/');
    match url.parse::<reqwest::Url>() {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(url.to_owned()),
        // Not echoed: a mistyped URL may still carry a token.
        _ => refuse(setting, "is not an http(s) URL (write https://host[:port][/path])"),
    }
}

/// A URL for the log: scheme, host, port and path; never credentials or a query.
pub fn redacted_url(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let hidden = if u.username().is_empty() && u.password().is_none() && u.query().is_none() {
                ""
            } else {
                " (credentials or query redacted)"
            };
            format!("{}://{}{port}{}{hidden}", u.scheme(), u.host_str().unwrap_or("?"), u.path().trim_end_matches('/'))
        }
        Err(_) => "(unparsable, redacted)".into(),
    }
}

/// A secret as it will be used: trimmed, and long enough.
pub(super) fn trimmed(setting: &'static str, secret: &SecretString) -> Result<SecretString, ConfigError> {
    let secret = SecretString::from(secret.expose_secret().trim().to_owned());
    long_enough(setting, &secret)?;
    Ok(secret)
}

/// A browser origin: scheme, host and optional port, nothing else. `*` is refused:
/// the API takes bearer tokens, and any page anywhere must not drive it.
pub(super) fn checked_origin(origin: &str) -> Result<String, ConfigError> {
    if origin.contains('*') {
        return refuse("CORS_ALLOWED_ORIGINS", "a wildcard (*) is not allowed: list each partner origin, e.g. https://shop.example");
    }
    let ok = origin.parse::<reqwest::Url>().ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some() && u.path() == "/" && u.query().is_none() && !origin.ends_with('/')
    });
    match ok {
        Some(_) if axum::http::HeaderValue::from_str(origin).is_ok() => Ok(origin.to_owned()),
        _ => refuse("CORS_ALLOWED_ORIGINS", format!("{origin:?} is not an origin: write scheme://host[:port], without a path")),
    }
}

pub(super) fn checked_database_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        if path.is_empty() || path.starts_with('?') {
            return refuse("DATABASE_URL", "names no database file: write sqlite://path/to/file.db");
        }
        return Ok(url.to_owned());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let named = url
            .parse::<reqwest::Url>()
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()) && !u.path().trim_matches('/').is_empty());
        return match named {
            Some(_) => Ok(url.to_owned()),
            None => refuse("DATABASE_URL", "names no Postgres database: write postgres://user:password@host:5432/dbname"),
        };
    }
    refuse(
        "DATABASE_URL",
        format!(
            "{:?} is not a database URL this server can use: write sqlite://path/to/file.db or postgres://user:password@host/dbname",
            url.split('@').next_back().unwrap_or("")
        ),
    )
}

/// A secret from its file, else its variable, else (sandbox only) the sandbox default.
/// Against a real 0Pools URL a missing secret is a start-up error, never a default.
pub(super) fn resolve(
    file: &Option<PathBuf>,
    value: &Option<SecretString>,
    sandbox_default: &str,
    sandbox: bool,
    name: &'static str,
) -> Result<SecretString, ConfigError> {
    let secret = if let Some(path) = file {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretString::from(text.trim().to_owned()),
            Err(e) => return refuse(name, format!("the file {} could not be read: {e}", path.display())),
        }
    } else {
        match value {
            Some(v) => SecretString::from(v.expose_secret().trim().to_owned()),
            None if sandbox => SecretString::from(sandbox_default.to_owned()),
            None => return refuse(name, format!("is required with a 0Pools URL (set {name} or {name}_FILE)")),
        }
    };
    long_enough(name, &secret)?;
    Ok(secret)
}

/// Shortest and longest signing key a Standard Webhooks secret may carry, in bytes.
const WEBHOOK_KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// The signing key of a Standard Webhooks secret: `whsec_` and the base64 of 24 to
/// 64 random bytes (`echo "whsec_$(openssl rand -base64 32)"` makes one).
pub fn webhook_signing_key(secret: &SecretString) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let text = secret.expose_secret().trim();
    let Some(encoded) = text.strip_prefix("whsec_") else {
        return Err(
            "must be a Standard Webhooks secret: whsec_ and base64 (make one with: echo \"whsec_$(openssl rand -base64 32)\")".into()
        );
    };
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(key) if WEBHOOK_KEY_BYTES.contains(&key.len()) => Ok(key),
        Ok(key) => Err(format!("carries {} bytes after whsec_: use 24 to 64 (openssl rand -base64 32)", key.len())),
        Err(_) => Err("is not base64 after whsec_ (make one with: echo \"whsec_$(openssl rand -base64 32)\")".into()),
    }
}
