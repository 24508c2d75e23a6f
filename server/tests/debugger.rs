//! The token debugger's HTTP surface, over real sockets: who may use it,
//! the headers that keep secrets local, the endpoints' answers. The page
//! itself is driven in a browser by `browser/test_debugger.py`.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use barejwt_server::debugger::{self, Access};
use barejwt_server::{Config, Server, auth::SecretSource};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3YW5nZXJnZSIsImlkIjoxLCJleHAiOjE3NjgxMzI0NTJ9.eiUqiVl8GHQx_bG61UvAzvAuuODInk5Szz5yPT5zkZs";
const KEY: &str = "eec7f9b96330e64eaac29ad7c95154cff3addaea90239c262b3f9287e678f6d3";

/// The standalone debugger on `bind`, and where to reach it on loopback.
async fn start(bind: &str, access: Access) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind(bind).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(debugger::serve(listener, access, async {
        let _ = stopped.await;
    }));
    (SocketAddr::from(([127, 0, 0, 1], port)), stop)
}

/// One HTTP/1.1 request, `Connection: close`; the whole response as text.
async fn request(addr: SocketAddr, head: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

fn status(resp: &str) -> u16 {
    resp[9..12].parse().unwrap()
}

fn explain_body() -> String {
    serde_json::json!({
        "token": TOKEN, "secret": KEY,
        "options": {"algorithms": ["HS256"], "now": 1768131252}
    })
    .to_string()
}

#[tokio::test]
async fn the_page_and_its_answers_are_never_cached_and_load_nothing_from_elsewhere() {
    let (addr, _stop) = start("127.0.0.1:0", Access::Loopback).await;
    let page = request(addr, "GET /debugger HTTP/1.1\r\nHost: localhost", "").await;
    assert_eq!(status(&page), 200, "{page}");
    let lower = page.to_ascii_lowercase();
    assert!(lower.contains("cache-control: no-store"), "{page}");
    assert!(lower.contains("content-security-policy: default-src 'self'"));
    assert!(lower.contains("referrer-policy: no-referrer"));
    assert!(page.contains("<label for=\"token\">Token</label>"));
    assert!(page.contains("<label for=\"secret\">Secret</label>"));
    // Nothing from another origin: every src and href is a path here.
    for attr in ["src=\"", "href=\""] {
        for (i, _) in page.match_indices(attr) {
            assert!(
                page[i + attr.len()..].starts_with("/debugger/"),
                "{}",
                &page[i..i + 40]
            );
        }
    }
    let js = request(
        addr,
        "GET /debugger/debugger.js HTTP/1.1\r\nHost: 127.0.0.1",
        "",
    )
    .await;
    assert_eq!(status(&js), 200);
    assert!(
        !js.contains("http://") && !js.contains("https://"),
        "the script fetches only its own server"
    );

    let answer = request(
        addr,
        "POST /debugger/explain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json",
        &explain_body(),
    )
    .await;
    assert_eq!(status(&answer), 200, "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("cache-control: no-store")
    );
    let json: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["explain"]["verdict"]["result"], "VALID");
}

#[tokio::test]
async fn only_json_posts_from_a_loopback_host_are_answered() {
    let (addr, _stop) = start("127.0.0.1:0", Access::Loopback).await;
    let post =
        |head: &'static str, body: String| async move { status(&request(addr, head, &body).await) };
    assert_eq!(
        post(
            "POST /debugger/explain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain",
            explain_body()
        )
        .await,
        415,
        "a cross-origin form could send text/plain without a preflight"
    );
    assert_eq!(
        post("POST /debugger/explain HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json", explain_body()).await,
        403,
        "a rebound name is not loopback"
    );
    assert_eq!(
        post(
            "GET /debugger/explain HTTP/1.1\r\nHost: 127.0.0.1",
            String::new()
        )
        .await,
        405
    );
    let huge = "x".repeat(100 * 1024);
    assert_eq!(
        post(
            "POST /debugger/explain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json",
            huge
        )
        .await,
        413
    );
    assert_eq!(
        post(
            "POST /debugger/explain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json",
            "{".into()
        )
        .await,
        400
    );
}

#[tokio::test]
async fn off_by_default_beyond_loopback_on_only_when_asked() {
    // Listening on every address: the default serves no debugger.
    let (addr, _a) = start("0.0.0.0:0", Access::Loopback).await;
    let get = "GET /debugger HTTP/1.1\r\nHost: 127.0.0.1";
    assert_eq!(status(&request(addr, get, "").await), 404);
    let (addr, _b) = start("0.0.0.0:0", Access::Remote).await;
    assert_eq!(status(&request(addr, get, "").await), 200);
    let (addr, _c) = start("127.0.0.1:0", Access::Off).await;
    assert_eq!(status(&request(addr, get, "").await), 404);
}

#[test]
fn barejwt_serve_offers_the_debugger_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path().join("t.db"));
    config.secret = SecretSource::Bytes(vec![7; 32]);
    config.bcrypt_cost = 4;
    let server = Server::open(config).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let run = tokio::spawn(server.run(listener, async {
            let _ = stopped.await;
        }));
        let page = request(addr, "GET /debugger HTTP/1.1\r\nHost: localhost", "").await;
        assert_eq!(status(&page), 200, "{page}");
        let answer = request(
            addr,
            "POST /debugger/explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json",
            &explain_body(),
        )
        .await;
        assert!(answer.contains("\"result\":\"VALID\""), "{answer}");
        let _ = stop.send(());
        run.await.unwrap();
    });
}
