//! The query string read into a derived type, refused like a body is: a `400
//! invalid_field` in the API's error shape naming the parameter (axum's own `Query`
//! answers plain text, which no client of ours can read).

use super::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

pub(super) struct StrictQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for StrictQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(StrictQuery).map_err(|e| {
            let reason = e.inner().to_string();
            // A duplicated or unknown parameter names itself in backticks; a bad value, by its path.
            let field = match e.path().to_string() {
                path if path != "." => path,
                _ => reason.split('`').nth(1).unwrap_or("query").to_owned(),
            };
            ApiError::invalid_field(field.clone(), format!("{field}: {reason} (give each parameter once, as documented)."))
        })
    }
}
