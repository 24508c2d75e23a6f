//! The token debugger: one page (`GET /debugger`) that shows what is
//! inside a token and why the verifier accepts or refuses it, and its two
//! JSON endpoints, `POST /debugger/explain` and `POST /debugger/sign`.
//!
//! Every value the page shows is computed here, by the library: the walk
//! is [`barejwt::explain::explain`] (the same steps as `barejwt explain
//! --json`), the segments, the claims table and the warnings are
//! [`barejwt::explain`]'s, and signing is [`barejwt::jws::sign`]. The page
//! (`server/assets/debugger/`) is plain HTML, CSS and JavaScript that sends
//! the token, the key and the verifier's options, and draws the answer: no
//! crypto in JavaScript, nothing loaded from anywhere else.
//!
//! # Security: secrets stay local
//!
//! The page's whole purpose is to be given secrets, so:
//! - It is on by default only when the server listens on a loopback
//!   address, and then answers loopback peers only, with a loopback `Host`
//!   (a page elsewhere that resolves its own name to 127.0.0.1, "DNS
//!   rebinding", is refused). [`Access::Remote`] (`--debugger remote`)
//!   serves any peer; [`Access::Off`] no one.
//! - Tokens and keys travel in POST bodies only, never in a URL (the page
//!   reads a token from the URL *fragment*, which browsers never send). The
//!   request log records the method, path and status, nothing of a body;
//!   nothing is stored.
//! - Every answer carries `Cache-Control: no-store`, a
//!   `Content-Security-Policy` of `default-src 'self'` (no inline script,
//!   no other origin), `Referrer-Policy: no-referrer` and `nosniff`.
//! - The endpoints take `application/json` only: a page on another origin
//!   cannot send that without a CORS preflight, which this server never
//!   answers.
//!
//! [`serve`] runs the page alone, for `barejwt debugger`: no database, no
//! secret of the server's own.

mod api;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

/// Every response body is one buffer.
type Resp = Response<Full<Bytes>>;

const INDEX: &str = include_str!("../assets/debugger/index.html");
const CSS: &str = include_str!("../assets/debugger/debugger.css");
const JS: &str = include_str!("../assets/debugger/debugger.js");

/// The largest request body: a token of the verifier's 8 KiB limit, a JWK
/// Set and the options fit many times over.
const MAX_BODY: usize = 64 * 1024;

/// How long a request body may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Who may use the debugger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// Served when the server listens on a loopback address, to loopback
    /// peers only (the default).
    #[default]
    Loopback,
    /// Not served.
    Off,
    /// Served to any peer: tokens and keys then cross the network, in
    /// clear unless a TLS proxy is in front.
    Remote,
}

/// The two ends of the connection a request came on; the accept loop puts
/// it in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conn {
    /// The client's address.
    pub peer: SocketAddr,
    /// The address the server listens on.
    pub local: SocketAddr,
}

/// Whether `path` is the debugger's (`/debugger` or below).
pub fn is_debugger_path(path: &str) -> bool {
    path == "/debugger" || path.starts_with("/debugger/")
}

/// Whether `host` (a `Host` header) names a loopback address: `localhost`,
/// `127.x.y.z` or `[::1]`, with or without a port.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Access {
    /// `None` when the request may be served, else why not (404 when the
    /// page is off, 403 for a peer or host that is not loopback).
    fn refusal(self, req: &Request<Incoming>) -> Option<Resp> {
        let conn = req.extensions().get::<Conn>();
        match self {
            Access::Remote => None,
            Access::Off => Some(detail(StatusCode::NOT_FOUND, "Not Found")),
            Access::Loopback => match conn {
                Some(c) if !c.local.ip().is_loopback() => {
                    Some(detail(StatusCode::NOT_FOUND, "Not Found"))
                }
                Some(c)
                    if c.peer.ip().is_loopback()
                        && req
                            .headers()
                            .get(header::HOST)
                            .and_then(|h| h.to_str().ok())
                            .is_some_and(loopback_host) =>
                {
                    None
                }
                _ => Some(detail(
                    StatusCode::FORBIDDEN,
                    "the token debugger answers loopback clients only (start the server with --debugger remote to allow others)",
                )),
            },
        }
    }
}

/// The headers every debugger answer carries (see the module docs).
fn secure(mut resp: Resp) -> Resp {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

fn body(status: StatusCode, content_type: &'static str, bytes: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Full::new(bytes.into()));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// `{"detail": msg}`, as every error of the server.
fn detail(status: StatusCode, msg: &str) -> Resp {
    let json = serde_json::json!({ "detail": msg }).to_string();
    body(status, "application/json", json)
}

/// Serves one debugger request (`path` is the debugger's). Never fails:
/// errors are answers.
pub async fn route(access: Access, req: Request<Incoming>) -> Resp {
    if let Some(refused) = access.refusal(&req) {
        return secure(refused);
    }
    let asset = |ct, text: &'static str| body(StatusCode::OK, ct, text);
    let resp = match (req.method().clone(), req.uri().path()) {
        (Method::GET, "/debugger") => asset("text/html; charset=utf-8", INDEX),
        (Method::GET, "/debugger/debugger.css") => asset("text/css; charset=utf-8", CSS),
        (Method::GET, "/debugger/debugger.js") => asset("text/javascript; charset=utf-8", JS),
        (Method::POST, "/debugger/explain") => post(req, api::explain).await,
        (Method::POST, "/debugger/sign") => post(req, api::sign).await,
        (_, "/debugger" | "/debugger/debugger.css" | "/debugger/debugger.js") => allow(
            detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            "GET",
        ),
        (_, "/debugger/explain" | "/debugger/sign") => allow(
            detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"),
            "POST",
        ),
        _ => detail(StatusCode::NOT_FOUND, "Not Found"),
    };
    secure(resp)
}

fn allow(mut resp: Resp, methods: &'static str) -> Resp {
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(methods));
    resp
}

/// A JSON body, bounded in size and time, handed to `handler`; its answer
/// as JSON, or `{"detail"}` with 400 (not JSON), 413, 415 or 422.
async fn post(
    req: Request<Incoming>,
    handler: fn(&[u8]) -> Result<serde_json::Value, api::Refused>,
) -> Resp {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return detail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json",
        );
    }
    let limited = Limited::new(req.into_body(), MAX_BODY);
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Err(_) => return detail(StatusCode::REQUEST_TIMEOUT, "Request body timed out"),
        Ok(Err(_)) => return detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"),
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    match handler(&bytes) {
        Ok(value) => body(StatusCode::OK, "application/json", value.to_string()),
        Err(api::Refused::BadJson(why)) => detail(StatusCode::BAD_REQUEST, &why),
        Err(api::Refused::Invalid(why)) => detail(StatusCode::UNPROCESSABLE_ENTITY, &why),
    }
}

/// Serves the debugger alone on `listener` until `shutdown` completes:
/// `barejwt debugger`. `/` leads to the page; nothing else is served.
pub async fn serve(listener: TcpListener, access: Access, shutdown: impl Future<Output = ()>) {
    let Ok(local) = listener.local_addr() else {
        return;
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .max_buf_size(16 * 1024);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(_) => {
                    // EMFILE and friends: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = service_fn(move |mut req: Request<Incoming>| async move {
            req.extensions_mut().insert(Conn { peer, local });
            let resp = if is_debugger_path(req.uri().path()) {
                route(access, req).await
            } else if req.uri().path() == "/" {
                let mut to = detail(StatusCode::SEE_OTHER, "See /debugger");
                to.headers_mut()
                    .insert(header::LOCATION, HeaderValue::from_static("/debugger"));
                secure(to)
            } else {
                secure(detail(StatusCode::NOT_FOUND, "Not Found"))
            };
            Ok::<_, Infallible>(resp)
        });
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // A client that vanishes is routine; nothing to log.
            let _ = conn.await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_loopback() {
        for host in [
            "localhost",
            "localhost:8000",
            "127.0.0.1:9",
            "[::1]:8000",
            "[::1]",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "evil.localhost.example:80",
            "10.0.0.1:8000",
            "[::2]",
        ] {
            assert!(!loopback_host(host), "{host}");
        }
    }

    #[test]
    fn debugger_paths_are_the_page_and_below() {
        assert!(is_debugger_path("/debugger"));
        assert!(is_debugger_path("/debugger/explain"));
        assert!(!is_debugger_path("/debuggerx"));
        assert!(!is_debugger_path("/docs"));
    }
}
