//! The header rules checked before routing, over raw sockets (an HTTP
//! client library would fix the requests up): RFC 9112 §3.2 for `Host`,
//! RFC 9110 §5.3 for two `Authorization` fields.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Sends `head` (request line and fields, no final blank line) on a fresh
/// connection; the response's status code.
async fn status(addr: SocketAddr, head: &str) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&out);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn http_1_1_without_host_or_with_two_is_400_rfc9112_3_2() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let a = app.addr;
    assert_eq!(status(a, "GET /healthz HTTP/1.1\r\nHost: x").await, 200);
    assert_eq!(status(a, "GET /healthz HTTP/1.1").await, 400);
    assert_eq!(
        status(a, "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: x").await,
        400
    );
    assert_eq!(
        status(a, "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y").await,
        400
    );
    assert_eq!(status(a, "GET /healthz HTTP/1.1\r\nHost: a@b").await, 400);
    // HTTP/1.0 may leave Host out, but may not send two.
    assert_eq!(status(a, "GET /healthz HTTP/1.0").await, 200);
    assert_eq!(
        status(a, "GET /healthz HTTP/1.0\r\nHost: x\r\nHost: y").await,
        400
    );
    app.stop().await;
}

#[tokio::test]
async fn two_authorization_headers_are_400_rfc9110_5_3() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let token = app.user("ada").await;
    let one = format!("GET /todo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}");
    assert_eq!(status(app.addr, &one).await, 200);
    let two = format!("{one}\r\nAuthorization: Bearer {token}");
    assert_eq!(status(app.addr, &two).await, 400);
    let other = format!("{one}\r\nAuthorization: Basic YTpi");
    assert_eq!(status(app.addr, &other).await, 400);
    // Whatever the route: the rule is checked before routing.
    let login = "POST /token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Og==\r\nAuthorization: Basic Og==\r\nContent-Length: 0";
    assert_eq!(status(app.addr, login).await, 400);
    app.stop().await;
}
