//! The raw request body, read up to a limit, with a JSON 413 beyond it (rather than
//! a plain-text one from a layer), so every refusal has the API's error shape.

use super::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// Largest request body the API reads.
pub(super) const BODY_LIMIT: usize = 64 * 1024;

pub(crate) struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        axum::body::to_bytes(req.into_body(), BODY_LIMIT).await.map(RawBody).map_err(|_| ApiError::PayloadTooLarge)
    }
}

/// A JSON body read into a derived type. A wrong type, a missing or an unknown
/// field is refused naming the field (its path), so a person can act on it.
pub(crate) struct StrictJson<T>(pub T);

/// Reads `T` from `bytes`, naming the failing field. An empty body and a JSON `null`
/// read as `{}`: the optional bodies are documented as `null` or the object, and a
/// required one then misses its required fields.
pub(super) fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    let bytes: &[u8] = if blank || matches!(serde_json::from_slice(bytes), Ok(serde_json::Value::Null)) { b"{}" } else { bytes };
    if !matches!(serde_json::from_slice::<serde_json::Value>(bytes), Ok(serde_json::Value::Object(_))) {
        return Err(ApiError::InvalidJson("not a JSON object".into()));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde's message names the expectation ("invalid type: integer, expected a
        // string"); the position suffix is noise for a person.
        let reason = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
        let field = if field == "." { reason.split('`').nth(1).unwrap_or("body").to_owned() } else { field };
        ApiError::invalid_field(field.clone(), format!("{field}: {reason}."))
    })
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        from_json(&bytes).map(StrictJson)
    }
}
