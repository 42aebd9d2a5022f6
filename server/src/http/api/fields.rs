//! Free-text fields of the API's bodies, read one way everywhere: trimmed, blank as
//! absent, bounded in length, no control characters.

use super::ApiError;

/// Longest free text the API stores (destination, references, ids).
pub(super) const MAX_TEXT: usize = 200;

/// Trimmed text of at most [`MAX_TEXT`] characters; blank counts as absent.
pub(super) fn bounded_text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        Some(v) if v.chars().count() > MAX_TEXT => {
            Err(ApiError::invalid_field(field, format!("{field} may be at most {MAX_TEXT} characters.")))
        }
        Some(v) if v.chars().any(char::is_control) => {
            Err(ApiError::invalid_field(field, format!("{field} must not contain control characters.")))
        }
        other => Ok(other),
    }
}
