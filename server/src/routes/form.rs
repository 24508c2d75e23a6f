//! `application/x-www-form-urlencoded` bodies: what the OAuth 2.0
//! password grant sends.
//!
//! > The client makes a request to the token endpoint by adding the
//! > following parameters using the "application/x-www-form-urlencoded"
//! > format per Appendix B — [RFC 6749 §4.3.2]
//!
//! Appendix B of RFC 6749 defers to HTML's form encoding, now the WHATWG
//! URL Standard's `application/x-www-form-urlencoded` parser: split on
//! `&`, then on the first `=`; `+` is a space; `%XX` is a byte, and a `%`
//! not followed by two hex digits stays as it is. The decoded bytes must be
//! UTF-8.
//!
//! Two rules of our own: at most [`MAX_FORM_FIELDS`] fields, and a name
//! given twice is refused —
//!
//! > Request and response parameters MUST NOT be included more than
//! > once. — [RFC 6749 §3.2]
//!
//! [RFC 6749 §4.3.2]: https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
//! [RFC 6749 §3.2]: https://www.rfc-editor.org/rfc/rfc6749#section-3.2

use hyper::Request;
use hyper::body::Incoming;

use super::body::{media_type_is, read_body};
use super::{ApiError, FieldError};
use crate::State;

/// Reads an `application/x-www-form-urlencoded` body into name/value pairs
/// (the WHATWG URL Standard's parser: `+` is a space, `%XX` a byte).
/// Values must be UTF-8; a name given twice is refused.
pub(crate) async fn read_form(
    state: &State,
    req: Request<Incoming>,
) -> Result<Vec<(String, String)>, ApiError> {
    if media_type_is(&req, "application/x-www-form-urlencoded") != Some(true) {
        return Err(ApiError::UnsupportedMedia(
            "application/x-www-form-urlencoded",
        ));
    }
    let body = read_body(state, req).await?;
    parse_form(&body)
}

/// The most fields a form may have.
pub const MAX_FORM_FIELDS: usize = 16;

/// The form parser behind `read_form`.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        // The password grant has six fields at most; a cap also keeps the
        // duplicate check below from going quadratic on a hostile body.
        if pairs.len() == MAX_FORM_FIELDS {
            return Err(ApiError::Invalid(vec![FieldError::body(
                "",
                "form_invalid",
                format!("A form may have at most {MAX_FORM_FIELDS} fields"),
            )]));
        }
        let (name, value) = match part.iter().position(|&b| b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &[][..]),
        };
        let (Ok(name), Ok(value)) = (
            String::from_utf8(percent_decode(name)),
            String::from_utf8(percent_decode(value)),
        ) else {
            return Err(ApiError::Invalid(vec![FieldError::body(
                "",
                "form_invalid",
                "Form data is not UTF-8",
            )]));
        };
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(ApiError::Invalid(vec![FieldError::body(
                "",
                "form_invalid",
                "A form field is given twice",
            )]));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    input.get(i + 1).copied().and_then(hex),
                    input.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    // The standard keeps a stray % as it is.
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Vec<(String, String)> {
        parse_form(s.as_bytes()).unwrap()
    }

    #[test]
    fn form_decoding_follows_the_url_standard() {
        assert_eq!(
            form("username=a+b&password=p%26ss%3D&grant_type=password"),
            [
                ("username".to_string(), "a b".to_string()),
                ("password".to_string(), "p&ss=".to_string()),
                ("grant_type".to_string(), "password".to_string())
            ]
        );
        assert_eq!(
            form("a=%zz&b=%4"),
            [("a".into(), "%zz".into()), ("b".into(), "%4".into())]
        );
        assert_eq!(
            form("a&&b="),
            [("a".into(), String::new()), ("b".into(), String::new())]
        );
        assert_eq!(form("a=%"), [("a".into(), "%".into())]);
        assert_eq!(form("a=%41"), [("a".into(), "A".into())]);
    }

    #[test]
    fn a_repeated_form_field_is_refused() {
        assert!(parse_form(b"username=a&username=b").is_err());
    }

    #[test]
    fn a_form_with_too_many_fields_is_refused() {
        let ok: Vec<String> = (0..MAX_FORM_FIELDS).map(|i| format!("f{i}=v")).collect();
        assert_eq!(
            parse_form(ok.join("&").as_bytes()).unwrap().len(),
            MAX_FORM_FIELDS
        );
        let many: Vec<String> = (0..=MAX_FORM_FIELDS).map(|i| format!("f{i}=v")).collect();
        assert!(parse_form(many.join("&").as_bytes()).is_err());
    }

    #[test]
    fn form_values_must_be_utf8() {
        assert!(parse_form(b"username=%ff").is_err());
    }
}
