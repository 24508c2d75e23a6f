//! The HTTP surface: routing, request bodies, JSON and form input, and the
//! one error type every handler returns.
//!
//! Routing is a `match` on the path, then on the method, so an unknown
//! path is 404 and a known path with the wrong method is 405 with an
//! `Allow` header ([RFC 9110 §15.5.6]). Every error body is
//! `{"detail": ...}`, as in the FastAPI tutorial this service re-creates:
//! a string for most errors, and for invalid input (422) a list of
//! `{"loc", "msg", "type"}` entries naming each offending field.
//!
//! Left out: HEAD and OPTIONS (405), HTTP/2, content negotiation,
//! compression, CORS.
//!
//! [RFC 9110 §15.5.6]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{Caller, bearer_token};
use super::db::DbError;
use super::{State, todos, users};

/// Every response body is one buffer.
pub type Resp = Response<Full<Bytes>>;

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

/// Everything a handler can answer instead of success.
#[derive(Debug)]
pub enum ApiError {
    /// No bearer token: 401.
    NotAuthenticated,
    /// A token that failed verification: 401, with barejwt's error code
    /// for the log.
    InvalidToken(&'static str),
    /// Wrong user name or password: 401.
    BadCredentials,
    /// 404.
    NotFound,
    /// 405, with the `Allow` value.
    MethodNotAllowed(&'static str),
    /// 422: invalid fields.
    Invalid(Vec<FieldError>),
    /// 409, with the detail.
    Conflict(&'static str),
    /// 413.
    TooLarge,
    /// 415, with the expected media type.
    UnsupportedMedia(&'static str),
    /// 400, with the detail.
    BadRequest(&'static str),
    /// 408: the body did not arrive in time.
    BodyTimeout,
    /// 503 with `Retry-After`: the password queue is full.
    Busy,
    /// 500, with a code for the log; the client learns nothing more.
    Internal(&'static str),
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        tracing::error!(error = %e, "database");
        match e {
            DbError::Closed => ApiError::Internal("db_closed"),
            _ => ApiError::Internal("db_error"),
        }
    }
}

impl ApiError {
    /// The code the request log records.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotAuthenticated => "not_authenticated",
            ApiError::InvalidToken(code) => code,
            ApiError::BadCredentials => "bad_credentials",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Invalid(_) => "invalid_input",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge => "body_too_large",
            ApiError::UnsupportedMedia(_) => "unsupported_media_type",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::BodyTimeout => "body_timeout",
            ApiError::Busy => "busy",
            ApiError::Internal(code) => code,
        }
    }

    /// The response.
    pub fn into_response(self) -> Resp {
        let (status, detail): (StatusCode, Value) = match &self {
            ApiError::NotAuthenticated => (StatusCode::UNAUTHORIZED, "Not authenticated".into()),
            ApiError::InvalidToken(_) | ApiError::BadCredentials => {
                (StatusCode::UNAUTHORIZED, "Could not validate user.".into())
            }
            ApiError::NotFound => (StatusCode::NOT_FOUND, "Not Found".into()),
            ApiError::MethodNotAllowed(_) => {
                (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed".into())
            }
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                serde_json::to_value(errors).unwrap_or(Value::Null),
            ),
            ApiError::Conflict(d) => (StatusCode::CONFLICT, (*d).into()),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request body too large".into(),
            ),
            ApiError::UnsupportedMedia(expected) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Expected Content-Type: {expected}").into(),
            ),
            ApiError::BadRequest(d) => (StatusCode::BAD_REQUEST, (*d).into()),
            ApiError::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, "Request body timed out".into()),
            ApiError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Too many logins in progress; retry shortly".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error".into(),
            ),
        };
        let body = serde_json::to_vec(&serde_json::json!({ "detail": detail })).unwrap_or_default();
        let mut resp = json_response(status, body);
        let h = resp.headers_mut();
        match self {
            // RFC 6750 §3: a request without credentials gets the bare
            // challenge; a bad token gets error="invalid_token".
            ApiError::NotAuthenticated | ApiError::BadCredentials => {
                h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::InvalidToken(_) => {
                h.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            ApiError::MethodNotAllowed(allow) => {
                h.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            ApiError::Busy => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        resp
    }
}

/// A JSON response from serialized bytes.
pub fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A JSON response from a value.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Resp, ApiError> {
    let body = serde_json::to_vec(value).map_err(|_| ApiError::Internal("serialize"))?;
    Ok(json_response(status, body))
}

/// An empty response.
pub fn empty(status: StatusCode) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = status;
    resp
}

/// The caller named by the request's bearer token.
pub fn authenticate(state: &State, req: &Request<Incoming>) -> Result<Caller, ApiError> {
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

/// `true` if the request's media type (before any `;` parameters) is
/// `expected`; `None` if the header is absent.
fn media_type_is(req: &Request<Incoming>, expected: &str) -> Option<bool> {
    let v = req.headers().get(header::CONTENT_TYPE)?;
    let v = v.to_str().unwrap_or("");
    let essence = v.split(';').next().unwrap_or("").trim();
    Some(essence.eq_ignore_ascii_case(expected))
}

/// Reads the whole body, at most `max_body_bytes`, within the body timeout.
pub async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, ApiError> {
    let max = state.config.max_body_bytes;
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH)
        && len
            .to_str()
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|n| n > max as u64)
    {
        return Err(ApiError::TooLarge);
    }
    let body = Limited::new(req.into_body(), max);
    match tokio::time::timeout(state.config.body_read_timeout, body.collect()).await {
        Err(_) => Err(ApiError::BodyTimeout),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::TooLarge),
        Ok(Err(_)) => Err(ApiError::BadRequest("Could not read the request body")),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Reads a JSON body into `T`. A missing `Content-Type` is read as JSON;
/// another media type is 415.
pub async fn read_json<T: DeserializeOwned>(
    state: &State,
    req: Request<Incoming>,
) -> Result<T, ApiError> {
    if media_type_is(&req, "application/json") == Some(false) {
        return Err(ApiError::UnsupportedMedia("application/json"));
    }
    let body = read_body(state, req).await?;
    parse_json(&body)
}

/// The JSON body parser behind [`read_json`]: a syntax error is
/// `json_invalid`, a body of the wrong shape `model_attributes_type`, both
/// 422 (as FastAPI answers).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let kind = if e.is_syntax() || e.is_eof() {
            "json_invalid"
        } else {
            "model_attributes_type"
        };
        ApiError::Invalid(vec![FieldError {
            loc: ["body", ""],
            msg: format!("{e}"),
            kind,
        }])
    })
}

/// Reads an `application/x-www-form-urlencoded` body into name/value pairs
/// (the WHATWG URL Standard's parser: `+` is a space, `%XX` a byte).
/// Values must be UTF-8; a name given twice is refused.
pub async fn read_form(
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

/// The form parser behind [`read_form`].
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

/// Routes one request.
pub async fn route(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let method = req.method().clone();
    // The path alone: the query string plays no part in routing.
    let path = req.uri().path();
    match path {
        "/token" => match method {
            Method::POST => users::login(state, req).await,
            _ => Err(ApiError::MethodNotAllowed("POST")),
        },
        "/users" => match method {
            Method::POST => users::register(state, req).await,
            _ => Err(ApiError::MethodNotAllowed("POST")),
        },
        "/users/me" => match method {
            Method::GET => users::me(state, req).await,
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        "/todo" => match method {
            Method::GET => todos::list(state, req).await,
            Method::POST => todos::create(state, req).await,
            _ => Err(ApiError::MethodNotAllowed("GET, POST")),
        },
        "/openapi.json" => match method {
            Method::GET => Ok(json_response(StatusCode::OK, state.openapi.clone())),
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        "/healthz" => match method {
            Method::GET => Ok(json_response(
                StatusCode::OK,
                Bytes::from_static(b"{\"status\":\"ok\"}"),
            )),
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        p if super::debugger::is_debugger_path(p) => {
            Ok(super::debugger::route(state.config.debugger, req).await)
        }
        _ => match path.strip_prefix("/todo/") {
            Some(id) if !id.is_empty() && !id.contains('/') => {
                let allowed = matches!(method, Method::GET | Method::PUT | Method::DELETE);
                if !allowed {
                    return Err(ApiError::MethodNotAllowed("GET, PUT, DELETE"));
                }
                let id = todo_id(id)?;
                match method {
                    Method::GET => todos::get(state, req, id).await,
                    Method::PUT => todos::update(state, req, id).await,
                    _ => todos::delete(state, req, id).await,
                }
            }
            _ => Err(ApiError::NotFound),
        },
    }
}

/// How long the server waits for a request body at most.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

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

    #[test]
    fn todo_ids_are_positive_decimal_integers() {
        assert_eq!(todo_id("17").unwrap(), 17);
        for bad in ["0", "-1", "+1", "1.0", "abc", "99999999999999999999", " 1"] {
            assert!(todo_id(bad).is_err(), "{bad}");
        }
    }
}
