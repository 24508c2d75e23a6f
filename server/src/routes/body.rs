//! Request bodies: read whole, bounded in size and in time, then parsed as
//! JSON.
//!
//! > The 413 (Content Too Large) status code indicates that the server is
//! > refusing to process a request because the request content is larger
//! > than the server is willing or able to process. — [RFC 9110 §15.5.14]
//!
//! So a `Content-Length` over `max_body_bytes` is refused before a byte of
//! the body is read, and a chunked body is cut off at the limit.
//!
//! > The 408 (Request Timeout) status code indicates that the server did
//! > not receive a complete request message within the time that it was
//! > prepared to wait. — [RFC 9110 §15.5.9]
//!
//! So the whole body must arrive within `body_read_timeout`.
//!
//! > The type and subtype tokens are case-insensitive. — [RFC 9110 §8.3.1]
//!
//! So `Content-Type` is compared on its essence (`type/subtype`, before
//! any `;` parameters) without regard to case; another media type is 415
//! ([RFC 9110 §15.5.16]).
//!
//! [RFC 9110 §15.5.14]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14
//! [RFC 9110 §15.5.9]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.9
//! [RFC 9110 §8.3.1]: https://www.rfc-editor.org/rfc/rfc9110#section-8.3.1
//! [RFC 9110 §15.5.16]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::Request;
use hyper::body::Incoming;
use hyper::header;
use serde::de::DeserializeOwned;

use super::{ApiError, FieldError};
use crate::State;

/// How long the server waits for a request body at most.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// `true` if the request's media type (before any `;` parameters) is
/// `expected`; `None` if the header is absent.
pub(super) fn media_type_is(req: &Request<Incoming>, expected: &str) -> Option<bool> {
    let v = req.headers().get(header::CONTENT_TYPE)?;
    let v = v.to_str().unwrap_or("");
    let essence = v.split(';').next().unwrap_or("").trim();
    Some(essence.eq_ignore_ascii_case(expected))
}

/// Reads the whole body, at most `max_body_bytes`, within the body timeout.
pub(super) async fn read_body(state: &State, req: Request<Incoming>) -> Result<Bytes, ApiError> {
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
pub(crate) async fn read_json<T: DeserializeOwned>(
    state: &State,
    req: Request<Incoming>,
) -> Result<T, ApiError> {
    if media_type_is(&req, "application/json") == Some(false) {
        return Err(ApiError::UnsupportedMedia("application/json"));
    }
    let body = read_body(state, req).await?;
    parse_json(&body)
}

/// The JSON body parser behind `read_json`: a syntax error is
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
