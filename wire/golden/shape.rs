//! Compares a JSON value with a golden example by shape: the same fields (no more,
//! none missing but the optional ones), each of the same JSON type, and strings of
//! the same kind (a decimal string stays a decimal string, an RFC 3339 time a time).
//! Included by the two golden tests (`#[path]`), which read JSON as plain values and
//! never through `zeropools-wire`'s types.

use serde_json::Value;

/// What a golden string is: the contract's decimal strings and times must come back
/// as such; anything else (ids, words, dates) only as a string.
#[derive(Debug, PartialEq, Eq)]
enum StringKind {
    Decimal,
    Time,
    Text,
}

fn kind(s: &str) -> StringKind {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let is_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if is_digits(whole) && fraction.is_none_or(is_digits) {
        StringKind::Decimal
    } else if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        StringKind::Time
    } else {
        StringKind::Text
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every way `actual` differs from `golden` in shape, as `path: what` lines.
/// `optional` names fields that may be absent, as `pools[].max_order_usdt`.
pub fn mismatches(golden: &Value, actual: &Value, optional: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    compare(golden, actual, "", optional, &mut found);
    found
}

fn compare(golden: &Value, actual: &Value, path: &str, optional: &[&str], found: &mut Vec<String>) {
    match (golden, actual) {
        (Value::Object(g), Value::Object(a)) => {
            for (key, gv) in g {
                let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match a.get(key) {
                    Some(av) => compare(gv, av, &here, optional, found),
                    None if optional.contains(&here.as_str()) => {}
                    None => found.push(format!("{here}: missing")),
                }
            }
            for key in a.keys().filter(|k| !g.contains_key(*k)) {
                let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                found.push(format!("{here}: not in the contract"));
            }
        }
        (Value::Array(g), Value::Array(a)) => {
            if let Some(first) = g.first() {
                for item in a {
                    compare(first, item, &format!("{path}[]"), optional, found);
                }
            }
        }
        (Value::String(g), Value::String(a)) => {
            if kind(g) != kind(a) {
                found.push(format!("{path}: {:?} is not a {:?} string like {g:?}", a, kind(g)));
            }
        }
        (g, a) if type_name(g) == type_name(a) => {}
        (g, a) => found.push(format!("{path}: a {} where the contract has a {}", type_name(a), type_name(g))),
    }
}

/// A golden file, parsed.
pub fn golden(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wire/golden").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// Fails with every difference when `actual` is not shaped like the golden file.
pub fn assert_shaped_like(name: &str, actual: &Value, optional: &[&str]) {
    let differences = mismatches(&golden(name), actual, optional);
    assert!(differences.is_empty(), "{name}:\n  {}\nactual: {actual}", differences.join("\n  "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_renamed_missing_or_retyped_field_is_a_difference() {
        let golden = json!({"a": "1.50", "t": "2026-06-28T20:14:30Z", "list": [{"id": "x", "n": true}]});
        assert!(mismatches(&golden, &json!({"a": "2", "t": "2027-01-01T00:00:00.5Z", "list": [{"id": "y", "n": false}]}), &[]).is_empty());
        assert_eq!(
            mismatches(&golden, &json!({"b": "1.50", "t": "2026-06-28T20:14:30Z", "list": []}), &[]),
            vec!["a: missing", "b: not in the contract"]
        );
        assert_eq!(
            mismatches(&golden, &json!({"a": 1.5, "t": "2026-06-28T20:14:30Z", "list": []}), &[]).len(),
            1,
            "a number is not a decimal string"
        );
        assert_eq!(mismatches(&golden, &json!({"a": "one", "t": "soon", "list": []}), &[]).len(), 2);
        assert_eq!(
            mismatches(&golden, &json!({"a": "1", "t": "2026-06-28T20:14:30Z", "list": [{"id": "y"}]}), &["list[].n"]),
            Vec::<String>::new()
        );
    }
}
