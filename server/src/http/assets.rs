//! The files browsers load (the widget, the gallery, the console), served as a CDN
//! would: the Brotli or gzip copy the build made when the browser accepts it
//! (`Vary: Accept-Encoding`), and cached by name. A name with a content hash
//! (`quote-widget-<hex>.js`, `locales/de-<16 hex>.json`, a wasm-bindgen snippet's
//! hashed folder) never changes what it holds: `immutable`, for a year. Everything
//! else (`embed.js`, the one URL hosts write, and the pages) is revalidated on each
//! use (`no-cache`, with `Last-Modified`).

use axum::http::{header, HeaderValue, Response};
use std::path::Path;
use tower_http::services::ServeDir;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Whether `segment` is `<name>-<hash>`: 12 to 16 hex digits (Trunk writes its 64-bit
/// hash without leading zeros; the build's own are 16).
fn hashed_stem(segment: &str) -> bool {
    segment
        .rsplit_once('-')
        .is_some_and(|(name, hash)| !name.is_empty() && (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a request path names content-hashed (never changing) content.
pub(crate) fn is_hashed(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if last {
            let stem = segment.split('.').next().unwrap_or_default();
            return hashed_stem(stem.trim_end_matches("_bg"));
        }
        // wasm-bindgen's inline JS: snippets/<crate>-<hash>/inline0.js.
        if segment == "snippets" {
            return segments.next().is_some_and(hashed_stem);
        }
    }
    false
}

/// A directory's files, precompressed copies preferred.
pub(crate) fn serve(dir: &Path, index_html: bool) -> ServeDir {
    ServeDir::new(dir).append_index_html_on_directories(index_html).precompressed_br().precompressed_gzip()
}

/// The caching headers of a file answered for `path`.
pub(crate) fn cache<B>(path: &str, response: &mut Response<B>) {
    let policy = if is_hashed(path) && response.status().is_success() { IMMUTABLE } else { REVALIDATE };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, policy);
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn hashed_names_are_told_from_stable_ones() {
        for hashed in [
            "/quote-widget-3f2a9c0d1e4b5a6f.js",
            "/quote-widget-81fe1e2c920634d.js",
            "/quote-widget-3f2a9c0d1e4b5a6f_bg.wasm",
            "/quote-widget-3f2a9c0d1e4b5a6f_bg.wasm.br",
            "/locales/pt-BR-0123456789abcdef.json",
            "/gallery/quote-gallery-0123456789abcdef.js",
            "/snippets/leptos-0123456789abcdef/inline0.js",
            "/console-52e5fe03d92ed3e4.css",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for stable in [
            "/embed.js",
            "/",
            "/index.html",
            "/embed.d.ts",
            "/gallery/",
            "/quote-widget.js",
            "/locales/de.json",
            "/a-b.js",
            "/snippets/x/inline0.js",
        ] {
            assert!(!is_hashed(stable), "{stable}");
        }
    }
}
