//! Input fields, checked the way FastAPI (pydantic) checks them, so that a
//! 422 names every offending field with the same `type` codes the
//! tutorial's clients see: `missing`, `string_type`, `string_too_short`,
//! `string_too_long`, `int_parsing`, ...
//!
//! Lengths are counted in characters (Unicode scalar values), as JSON
//! Schema's `minLength` and `maxLength` count them ([JSON Schema
//! Validation §6.3.1]), so that the OpenAPI document and the server agree.
//!
//! [JSON Schema Validation §6.3.1]: https://json-schema.org/draft/2020-12/json-schema-validation#section-6.3.1

use serde::Serialize;
use serde_json::Value;

use super::ApiError;

/// One invalid input field, FastAPI-style.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// Where: `["body", "title"]`, `["path", "todo_id"]`.
    pub loc: [&'static str; 2],
    /// What is wrong, in words.
    pub msg: String,
    /// A machine-readable kind (`missing`, `string_too_short`, …).
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl FieldError {
    /// A body field error.
    pub fn body(field: &'static str, kind: &'static str, msg: impl Into<String>) -> FieldError {
        FieldError {
            loc: ["body", field],
            msg: msg.into(),
            kind,
        }
    }
}

/// Checks one optional string field of a JSON body: its type and its
/// length in characters. Errors are pushed to `errors`.
pub fn string_field(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    value: Option<Value>,
    required: bool,
    chars: std::ops::RangeInclusive<usize>,
) -> Option<String> {
    match value {
        None if required => {
            errors.push(FieldError::body(field, "missing", "Field required"));
            None
        }
        None => None,
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < *chars.start() {
                errors.push(FieldError::body(
                    field,
                    "string_too_short",
                    format!("String should have at least {} characters", chars.start()),
                ));
                None
            } else if n > *chars.end() {
                errors.push(FieldError::body(
                    field,
                    "string_too_long",
                    format!("String should have at most {} characters", chars.end()),
                ));
                None
            } else {
                Some(s)
            }
        }
        Some(_) => {
            errors.push(FieldError::body(
                field,
                "string_type",
                "Input should be a valid string",
            ));
            None
        }
    }
}

/// A todo id from the path: a positive integer, else 422.
pub fn todo_id(s: &str) -> Result<i64, ApiError> {
    match s.parse::<i64>() {
        Ok(id) if id > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(ApiError::Invalid(vec![FieldError {
            loc: ["path", "todo_id"],
            msg: "Input should be a positive integer".into(),
            kind: "int_parsing",
        }])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_ids_are_positive_decimal_integers() {
        assert_eq!(todo_id("17").unwrap(), 17);
        for bad in ["0", "-1", "+1", "1.0", "abc", "99999999999999999999", " 1"] {
            assert!(todo_id(bad).is_err(), "{bad}");
        }
    }
}
