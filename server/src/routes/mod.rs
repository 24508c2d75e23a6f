//! The HTTP surface: the router, and the small response builders every
//! handler uses.
//!
//! Routing is a `match` on the path, then on the method:
//!
//! > The 404 (Not Found) status code indicates that the origin server did
//! > not find a current representation for the target resource
//! > — [RFC 9110 §15.5.5]
//!
//! > The 405 (Method Not Allowed) status code indicates that the method
//! > received in the request-line is known by the origin server but not
//! > supported by the target resource. — [RFC 9110 §15.5.6]
//!
//! So an unknown path is 404 and a known path with the wrong method is 405
//! (with `Allow`, see [`ApiError`]). The query string plays no part.
//!
//! | file | what |
//! | --- | --- |
//! | `mod.rs` | the router, response builders |
//! | `error.rs` | [`ApiError`] and the response each variant becomes |
//! | `body.rs` | reading bodies (size, time, media type), JSON |
//! | `form.rs` | `application/x-www-form-urlencoded` (the password grant) |
//! | `fields.rs` | checking fields, FastAPI's 422 entries |
//! | `headers.rs` | one valid `Host`, at most one `Authorization` (checked first) |
//!
//! Left out: HEAD and OPTIONS (405), HTTP/2, content negotiation,
//! compression, CORS.
//!
//! [RFC 9110 §15.5.5]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5
//! [RFC 9110 §15.5.6]: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6

mod body;
mod error;
mod fields;
mod form;
mod headers;

pub(crate) use body::read_json;
pub use body::{DEFAULT_BODY_READ_TIMEOUT, parse_json};
pub use error::ApiError;
pub use fields::{FieldError, string_field, todo_id};
pub(crate) use form::read_form;
pub use form::{MAX_FORM_FIELDS, parse_form};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

use super::{State, pages, todos, users};

/// Every response body is one buffer.
pub type Resp = Response<Full<Bytes>>;

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

/// Routes one request.
pub(crate) async fn route(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    headers::check(&req)?;
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
        "/docs" => match method {
            Method::GET => Ok(pages::docs()),
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        "/healthz" => match method {
            Method::GET => Ok(json_response(
                StatusCode::OK,
                Bytes::from_static(b"{\"status\":\"ok\"}"),
            )),
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        // Readiness: the database answers a read and the writer's turn.
        "/readyz" => match method {
            Method::GET => {
                state.db.ready().await?;
                Ok(json_response(
                    StatusCode::OK,
                    Bytes::from_static(b"{\"status\":\"ready\"}"),
                ))
            }
            _ => Err(ApiError::MethodNotAllowed("GET")),
        },
        _ if path.starts_with("/docs/") => match (method, pages::asset(path)) {
            (Method::GET, Some(page)) => Ok(page),
            (_, None) => Err(ApiError::NotFound),
            (_, Some(_)) => Err(ApiError::MethodNotAllowed("GET")),
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
