//! The raw request body, read up to a limit, with a JSON 413 beyond it (rather than
//! a plain-text one from a layer), so every refusal has the API's error shape.

use super::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map(RawBody)
            .map_err(|_| ApiError::PayloadTooLarge)
    }
}
