//! Free-text fields of the API's bodies, read one way everywhere, exactly as the
//! OpenAPI document's `text` pattern says: at most [`MAX_TEXT`] characters, no control
//! characters, not blank (an optional field is left out, not sent empty). What is
//! kept is the text trimmed.

use super::ApiError;

/// Longest free text the API stores (destination, references, ids).
pub(super) const MAX_TEXT: usize = 200;

/// An optional text field, checked as sent and kept trimmed.
pub(super) fn bounded_text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid_field(field, format!("{field} may be at most {MAX_TEXT} characters.")));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(field, format!("{field} must not contain control characters.")));
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid_field(field, format!("{field} is blank: give a value, or leave the field out.")));
    }
    Ok(Some(trimmed.to_owned()))
}

/// An optional whole number as JSON Schema's `integer` reads it: `600` and `600.0`
/// alike (`600.5` is refused). For `#[serde(deserialize_with)]`.
pub(super) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    let Some(n) = <Option<serde_json::Number> as serde::Deserialize>::deserialize(d)? else { return Ok(None) };
    if let Some(whole) = n.as_u64() {
        return Ok(Some(whole));
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&f) => Ok(Some(f as u64)),
        _ => Err(D::Error::custom(format!("expected a whole number, not {n}"))),
    }
}
