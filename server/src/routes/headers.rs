//! The header rules every request is held to before it is routed: one
//! valid `Host`, at most one `Authorization`.
//!
//! > A server MUST respond with a 400 (Bad Request) status code to any
//! > HTTP/1.1 request message that lacks a Host header field and to any
//! > request message that contains more than one Host header field line
//! > or a Host header field with an invalid field value. — [RFC 9112 §3.2]
//!
//! > Host = uri-host [ ":" port ] — [RFC 9110 §7.2]
//!
//! So an HTTP/1.1 request needs exactly one `Host`; an HTTP/1.0 request may
//! leave it out, but never send two. The value must be a host and an
//! optional port (no user info, no path); an empty value is allowed, as
//! §3.2 asks for one when the target URI has no authority.
//!
//! > A sender MUST NOT generate multiple field lines with the same name in
//! > a message [...] unless that field's definition allows multiple field
//! > line values to be recombined as a comma-separated list — [RFC 9110 §5.3]
//!
//! `Authorization` holds one credential, not a list ([RFC 9110 §11.6.2]).
//! Two of them are refused rather than resolved: were we to read the first
//! while a proxy in front of us read the last, the two would disagree
//! about who is calling.
//!
//! [RFC 9112 §3.2]: https://www.rfc-editor.org/rfc/rfc9112#section-3.2
//! [RFC 9110 §7.2]: https://www.rfc-editor.org/rfc/rfc9110#section-7.2
//! [RFC 9110 §5.3]: https://www.rfc-editor.org/rfc/rfc9110#section-5.3
//! [RFC 9110 §11.6.2]: https://www.rfc-editor.org/rfc/rfc9110#section-11.6.2

use hyper::header::{self, HeaderMap};
use hyper::http::uri::Authority;
use hyper::{Request, Version};

use super::ApiError;

/// Checks the request's `Host` and `Authorization` fields (see the module
/// docs); a violation is 400.
pub(super) fn check<B>(req: &Request<B>) -> Result<(), ApiError> {
    check_fields(req.version(), req.headers())
}

fn check_fields(version: Version, headers: &HeaderMap) -> Result<(), ApiError> {
    let mut hosts = headers.get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::HTTP_11 => {
            return Err(ApiError::BadRequest("Missing Host header"));
        }
        (Some(_), Some(_)) => return Err(ApiError::BadRequest("More than one Host header")),
        (Some(host), None) if !valid_host(host.as_bytes()) => {
            return Err(ApiError::BadRequest("Invalid Host header"));
        }
        _ => {}
    }
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(ApiError::BadRequest("More than one Authorization header"));
    }
    Ok(())
}

/// `uri-host [ ":" port ]`, or empty. (A port that is not a number up to
/// 65535 is refused too.)
fn valid_host(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    let Ok(a) = Authority::try_from(value) else {
        return false;
    };
    let port_ok = a.as_str().len() == a.host().len() || a.port_u16().is_some();
    !value.contains(&b'@') && !a.host().is_empty() && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(fields: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in fields {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    fn ok(version: Version, fields: &[(&'static str, &'static str)]) -> bool {
        check_fields(version, &headers(fields)).is_ok()
    }

    #[test]
    fn http_1_1_without_host_is_refused_and_http_1_0_without_host_is_not() {
        assert!(!ok(Version::HTTP_11, &[]));
        assert!(ok(Version::HTTP_10, &[]));
        assert!(ok(Version::HTTP_11, &[("host", "127.0.0.1:8000")]));
    }

    #[test]
    fn two_host_fields_are_refused_in_any_version() {
        for v in [Version::HTTP_10, Version::HTTP_11] {
            assert!(!ok(v, &[("host", "a"), ("host", "a")]));
        }
    }

    #[test]
    fn a_host_must_be_a_host_and_an_optional_port() {
        for good in ["localhost", "127.0.0.1:8000", "[::1]:80", "example.com", ""] {
            assert!(ok(Version::HTTP_11, &[("host", good)]), "{good}");
        }
        for bad in ["a b", "user@host", "host/path", ":80", "host:port"] {
            assert!(!ok(Version::HTTP_11, &[("host", bad)]), "{bad}");
        }
    }

    #[test]
    fn two_authorization_fields_are_refused() {
        let host = ("host", "x");
        assert!(ok(Version::HTTP_11, &[host, ("authorization", "Bearer a")]));
        assert!(!ok(
            Version::HTTP_11,
            &[
                host,
                ("authorization", "Bearer a"),
                ("authorization", "Bearer b")
            ]
        ));
    }
}
