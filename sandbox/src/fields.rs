//! Reading a JSON object field by field, so a wrong type or a missing field is
//! reported by name, as 0Pools' `400 invalid_request` names it in `error.field`.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: String,
    pub(crate) message: String,
}

impl FieldError {
    fn new(field: &str, message: String) -> Self {
        FieldError { field: field.to_owned(), message }
    }
}

/// The body as a JSON object.
pub(crate) fn object(body: &[u8]) -> Result<Map<String, Value>, FieldError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(FieldError::new("body", "The body must be a JSON object.".into())),
        Err(e) => Err(FieldError::new("body", format!("The body is not valid JSON ({e})."))),
    }
}

/// An optional string field; null counts as absent, any other type is an error.
pub(crate) fn opt_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, FieldError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(FieldError::new(field, format!("{field} must be a string."))),
    }
}

/// A required, non-blank string field.
pub(crate) fn req_str(obj: &Map<String, Value>, field: &str) -> Result<String, FieldError> {
    opt_str(obj, field)?.filter(|s| !s.trim().is_empty()).ok_or_else(|| FieldError::new(field, format!("{field} is required.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_that_is_wrong() {
        let obj = object(br#"{"a":"x","b":5,"c":null,"d":"  "}"#).unwrap();
        assert_eq!(opt_str(&obj, "a").unwrap().as_deref(), Some("x"));
        assert_eq!(opt_str(&obj, "b").unwrap_err().field, "b");
        assert_eq!(opt_str(&obj, "c").unwrap(), None);
        assert_eq!(req_str(&obj, "d").unwrap_err().field, "d");
        assert_eq!(req_str(&obj, "zz").unwrap_err().message, "zz is required.");
        assert_eq!(object(b"[1]").unwrap_err().field, "body");
        assert_eq!(object(b"{").unwrap_err().field, "body");
    }
}
