//! The bearer token of a request, and the caller it names.
//!
//! > b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! > credentials = "Bearer" 1*SP b64token — [RFC 6750 §2.1]
//!
//! > It uses a case-insensitive token as a means to identify the
//! > authentication scheme — [RFC 9110 §11.1]
//!
//! So `bearer`, `Bearer` and `BEARER` all name the scheme, and one space
//! must follow it. A missing header, another scheme, or an empty token
//! all mean "not authenticated" (401 with the bare `Bearer` challenge);
//! a token that fails verification is `invalid_token` ([RFC 6750 §3.1]).
//! The token's characters are not checked against `b64token` here: the
//! verifier's strict base64url decoding refuses anything else.
//!
//! [RFC 6750 §2.1]: https://www.rfc-editor.org/rfc/rfc6750#section-2.1
//! [RFC 6750 §3.1]: https://www.rfc-editor.org/rfc/rfc6750#section-3.1
//! [RFC 9110 §11.1]: https://www.rfc-editor.org/rfc/rfc9110#section-11.1

use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};

use super::Caller;
use crate::State;
use crate::routes::ApiError;

/// The token of an `Authorization: Bearer <token>` header, if that is what
/// the header holds ([RFC 6750 §2.1]).
///
/// [RFC 6750 §2.1]: https://www.rfc-editor.org/rfc/rfc6750#section-2.1
pub fn bearer_token(header: Option<&[u8]>) -> Option<&str> {
    let h = header?;
    if h.len() < 7 || !h[..6].eq_ignore_ascii_case(b"bearer") || h[6] != b' ' {
        return None;
    }
    let token = std::str::from_utf8(&h[7..]).ok()?.trim_matches(' ');
    (!token.is_empty()).then_some(token)
}

/// The caller named by the request's bearer token.
pub(crate) fn authenticate(state: &State, req: &Request<Incoming>) -> Result<Caller, ApiError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    let token = bearer_token(header).ok_or(ApiError::NotAuthenticated)?;
    state
        .tokens
        .verify(token)
        .map_err(|e| ApiError::InvalidToken(e.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer_token(Some(b"Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"BEARER abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"Bearer ")), None);
        assert_eq!(bearer_token(Some(b"Bearer")), None);
        assert_eq!(bearer_token(Some(b"Basic abc")), None);
        assert_eq!(bearer_token(Some(b"Bearerabc")), None);
        assert_eq!(bearer_token(None), None);
    }
}
