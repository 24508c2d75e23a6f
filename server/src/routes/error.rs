//! The one error type every handler returns, and the response each
//! variant becomes.
//!
//! Every error body is `{"detail": ...}`, as in the FastAPI tutorial this
//! service re-creates: a string for most errors, and for invalid input
//! (422) a list of `{"loc", "msg", "type"}` entries naming each offending
//! field ([`FieldError`]). A 500 says nothing more than "Internal Server
//! Error"; its cause goes to the log, under a code.
//!
//! The headers some statuses must carry:
//!
//! > If the protected resource request does not include authentication
//! > credentials or does not contain an access token that enables access
//! > to the protected resource, the resource server MUST include the HTTP
//! > "WWW-Authenticate" response header field — [RFC 6750 §3]
//!
//! > If the request lacks any authentication information [...], the
//! > resource server SHOULD NOT include an error code or other error
//! > information. — [RFC 6750 §3.1]
//!
//! So 401 always carries `WWW-Authenticate: Bearer`, with
//! `error="invalid_token"` only when a token was presented and failed.
//!
//! > The origin server MUST generate an Allow header field in a 405
//! > response containing a list of the target resource's currently
//! > supported methods. — [RFC 9110 §15.5.6]
//!
//! And 503 carries `Retry-After` ([RFC 9110 §10.2.3]).
//!
//! > The 507 (Insufficient Storage) status code means the method could not
//! > be performed on the resource because the server is unable to store
//! > the representation needed to successfully complete the request.
//! > — [RFC 4918 §11.5]
//!
//! So a full disk is 507, and a database that is locked by another
//! process, too slow to answer, or no longer at its path is 503 with
//! `Retry-After`; neither body names a file.
//!
//! # A failed password grant speaks both languages
//!
//! > The authorization server responds with an HTTP 400 (Bad Request)
//! > status code [...] and includes the following parameters with the
//! > response: error REQUIRED. [...] invalid_grant: The provided
//! > authorization grant [...] or resource owner credentials are invalid
//! > — [RFC 6749 §5.2]
//!
//! The tutorial answers a wrong password with 401 `{"detail": "Could not
//! validate user."}`, and its clients expect that; OAuth clients (authlib,
//! requests-oauthlib) look only for `error`, and without it take the body
//! for a token. So the answer keeps the tutorial's status and `detail` and
//! adds `"error": "invalid_grant"` and an `error_description`.
//!
//! [RFC 6750 §3]: https://www.rfc-editor.org/rfc/rfc6750#section-3
//! [RFC 6750 §3.1]: https://www.rfc-editor.org/rfc/rfc6750#section-3.1
//! [RFC 9110 §15.5.6]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6
//! [RFC 6749 §5.2]: https://www.rfc-editor.org/rfc/rfc6749#section-5.2
//! [RFC 4918 §11.5]: https://www.rfc-editor.org/rfc/rfc4918#section-11.5
//! [RFC 9110 §10.2.3]: https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3

use hyper::StatusCode;
use hyper::header::{self, HeaderValue};
use serde_json::Value;

use super::{FieldError, Resp, json_response};
use crate::db::DbError;

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
    /// 503 with `Retry-After`: the database cannot answer now; the code
    /// for the log and the detail.
    Unavailable(&'static str, &'static str),
    /// 507: the disk is full.
    InsufficientStorage,
    /// 500, with a code for the log; the client learns nothing more.
    Internal(&'static str),
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        if let DbError::Nul(field) = e {
            return ApiError::Invalid(vec![FieldError::body(
                field,
                "string_pattern_mismatch",
                "String must not contain the NUL character",
            )]);
        }
        tracing::error!(error = %e, "database");
        match e {
            DbError::Closed => ApiError::Internal("db_closed"),
            DbError::Busy => {
                ApiError::Unavailable("db_busy", "The database is busy; retry shortly")
            }
            DbError::Timeout => ApiError::Unavailable(
                "db_timeout",
                "The database did not answer in time; retry shortly",
            ),
            DbError::Moved => ApiError::Unavailable(
                "db_moved",
                "The database is unavailable; changes cannot be saved",
            ),
            DbError::Unavailable(_) => ApiError::Unavailable(
                "db_unavailable",
                "The database cannot be reached; retry shortly",
            ),
            DbError::Full => ApiError::InsufficientStorage,
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
            ApiError::Unavailable(code, _) => code,
            ApiError::InsufficientStorage => "disk_full",
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
            ApiError::Unavailable(_, detail) => (StatusCode::SERVICE_UNAVAILABLE, (*detail).into()),
            ApiError::InsufficientStorage => (
                StatusCode::INSUFFICIENT_STORAGE,
                "Insufficient storage: the change was not saved".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error".into(),
            ),
        };
        let mut body = serde_json::json!({ "detail": detail });
        if let ApiError::BadCredentials = self {
            // RFC 6749 §5.2, beside the tutorial's `detail` (module docs).
            body["error"] = "invalid_grant".into();
            body["error_description"] = "The user name or password is wrong.".into();
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
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
            ApiError::Busy | ApiError::Unavailable(..) => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        resp
    }
}
