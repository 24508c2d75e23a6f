//! The `barejwt serve` binary itself, as an operator starts it: its flags
//! and environment, the log, SIGTERM mid-request. The server's own
//! behaviour is tested in `server/tests/`, in process.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use barejwt::{Algorithm, HmacKey, base64url};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

struct Reply {
    status: StatusCode,
    headers: hyper::HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a fresh connection.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Reply {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

fn now() -> i64 {
    barejwt::Clock::System.now()
}

/// A token signed with `key` over the given header and claims, for forging.
fn token(header: &Value, claims: &Value, key: &HmacKey) -> String {
    let h = base64url::encode(&serde_json::to_vec(header).unwrap());
    let p = base64url::encode(&serde_json::to_vec(claims).unwrap());
    let sig = key.sign_parts(&[h.as_bytes(), b".", p.as_bytes()]);
    format!("{h}.{p}.{}", base64url::encode(sig.as_bytes()))
}

fn assert_invalid_token(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.json(), json!({"detail": "Could not validate user."}));
    assert_eq!(
        r.headers
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        Some("Bearer error=\"invalid_token\"")
    );
}

fn barejwt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_barejwt"))
}

/// Starts `barejwt serve` and reads its address from the log.
fn spawn(dir: &Path, cost: &str) -> (Child, SocketAddr, std::thread::JoinHandle<String>) {
    let mut child = barejwt()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--bcrypt-cost",
            cost,
            "--db",
        ])
        .arg(dir.join("bin.db"))
        .env_remove("BAREJWT_SECRET")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    // Keep draining the log; hand it back when the process ends.
    let rest =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    (child, addr, rest)
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn serve_help_documents_the_flags_and_their_variables() {
    let out = barejwt().args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--db",
        "--token-ttl",
        "--bcrypt-cost",
        "--secret-file",
    ] {
        assert!(help.contains(flag), "{flag} in\n{help}");
    }
    for var in [
        "BAREJWT_ADDR",
        "BAREJWT_DB",
        "BAREJWT_TOKEN_TTL",
        "BAREJWT_BCRYPT_COST",
        "BAREJWT_SECRET",
    ] {
        assert!(help.contains(var), "{var} in\n{help}");
    }
}

#[test]
fn a_short_secret_in_the_environment_stops_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = barejwt()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .env("BAREJWT_SECRET", "hunter2-is-not-enough")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("at least 32"), "{log}");
    assert!(
        !log.contains("hunter2"),
        "the secret stays out of the log: {log}"
    );
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_then_closes_the_database() {
    let dir = tempfile::tempdir().unwrap();
    // Cost 12: a login takes long enough to be in flight at SIGTERM.
    let (mut child, addr, log) = spawn(dir.path(), "12");
    let r = send(
        addr,
        Method::POST,
        "/users",
        &[("content-type", "application/json")],
        Bytes::from_static(br#"{"username":"ada","password":"correct horse"}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);

    // A token signed with another key: 401, and the log names the
    // barejwt error code without the token.
    let forged = token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"sub": "ada", "id": 1, "iat": now() - 10, "exp": now() + 600, "jti": "test"}),
        &HmacKey::new(Algorithm::HS256, &[9; 32]).unwrap(),
    );
    let r = send(
        addr,
        Method::GET,
        "/todo",
        &[("authorization", &format!("Bearer {forged}"))],
        Bytes::new(),
    )
    .await;
    assert_invalid_token(&r);

    let login = tokio::spawn(async move {
        send(
            addr,
            Method::POST,
            "/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            Bytes::from_static(b"username=ada&password=correct+horse"),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(60)).await;
    sigterm(&child);
    let r = login.await.unwrap();
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the in-flight login completes: {}",
        r.text()
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    let log = log.join().unwrap();
    assert!(log.contains("SIGTERM"), "{log}");
    assert!(log.contains("database closed"), "{log}");
    assert!(log.contains("bad_signature"), "{log}");
    assert!(
        !log.contains("correct horse") && !log.contains("eyJ"),
        "no password or token in the log"
    );
    assert!(
        !log.contains(&forged[forged.len() - 20..]),
        "no signature in the log"
    );
    assert!(!dir.path().join("bin.db-wal").exists());
    assert!(dir.path().join("bin.secret").exists());
}
