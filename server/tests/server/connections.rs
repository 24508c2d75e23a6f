//! Connections: timeouts for slow and idle clients, the connection cap.

use crate::helpers::*;

#[tokio::test]
async fn idle_and_slow_header_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.header_read_timeout = Duration::from_millis(300);
    let app = App::start(c).await;

    // Half a request line, then nothing: the server hangs up.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "a slow client is disconnected");

    // A keep-alive connection left idle after a request: closed too.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "an idle keep-alive connection is closed");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    app.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_while_every_slot_is_busy() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_connections = 1;
    let app = App::start(c).await;

    // The one slot is taken by `first`, in the middle of a request (its
    // body half sent): nothing is idle, so the second waits.
    let mut first = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    first
        .write_all(
            b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"username\"",
        )
        .await
        .unwrap();
    let addr = app.addr;
    let second =
        tokio::spawn(async move { send(addr, Method::GET, "/healthz", &[], Bytes::new()).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "served beyond the cap");
    drop(first);
    let r = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, StatusCode::OK);
    app.stop().await;
}

/// `n` connections to `addr` from the local address `from`, each left
/// idle without a request.
async fn idle_from(from: [u8; 4], addr: SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut held = Vec::new();
    for _ in 0..n {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind((std::net::Ipv4Addr::from(from), 0).into()).unwrap();
        // Beyond a limit the server may close a socket at once; holding
        // it open anyway is what a hostile client does.
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(2), s.connect(addr)).await {
            held.push(s);
        }
    }
    held
}

/// A request from `from`, on a fresh connection, within `limit`.
async fn get_from(from: [u8; 4], addr: SocketAddr, limit: Duration) -> Option<StatusCode> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = tokio::net::TcpSocket::new_v4().unwrap();
    s.bind((std::net::Ipv4Addr::from(from), 0).into()).unwrap();
    let exchange = async {
        let mut s = s.connect(addr).await.ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.ok()?;
        let code = std::str::from_utf8(out.get(9..12)?).ok()?.parse().ok()?;
        StatusCode::from_u16(code).ok()
    };
    tokio::time::timeout(limit, exchange).await.ok().flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_peers_idle_connections_cannot_starve_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_connections = 32;
    c.max_connections_per_peer = 8;
    c.header_read_timeout = Duration::from_secs(30);
    let app = App::start(c).await;

    // One address opens five times its share and leaves them idle; four
    // more addresses fill the rest of the cap and beyond.
    let mut held = idle_from([127, 0, 0, 2], app.addr, 40).await;
    for last in 3..=6 {
        held.extend(idle_from([127, 0, 0, last], app.addr, 8).await);
    }
    // Past the grace, idle connections may be closed to make room.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for n in 0..5 {
        let start = std::time::Instant::now();
        let status = get_from([127, 0, 0, 9], app.addr, Duration::from_secs(3)).await;
        assert_eq!(
            status,
            Some(StatusCode::OK),
            "request {n} from another client waited {:?}",
            start.elapsed()
        );
    }
    drop(held);
    app.stop().await;
}
