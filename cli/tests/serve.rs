//! The `barejwt serve` binary itself, as an operator starts it: its flags
//! and environment, the log, SIGTERM mid-request. The server's own
//! behaviour is tested in `server/tests/`, in process.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use barejwt::{Algorithm, HmacKey, base64url};
use bytes::Bytes;
use common::{Reply, Served, send};
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

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

/// `barejwt serve` on `dir/bin.db`, with this bcrypt cost and no secret
/// in the environment.
fn spawn(dir: &Path, cost: &str) -> Served {
    let mut cmd = common::serve();
    cmd.args(["--bcrypt-cost", cost, "--db"])
        .arg(dir.join("bin.db"))
        .env_remove("BAREJWT_SECRET")
        .env("RUST_LOG", "info");
    Served::start(cmd)
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
    let mut served = spawn(dir.path(), "12");
    let addr = served.addr;
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
    served.sigterm();
    let r = login.await.unwrap();
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the in-flight login completes: {}",
        r.text()
    );
    let (status, log) = tokio::task::spawn_blocking(move || served.wait())
        .await
        .unwrap();
    assert!(status.success(), "{status}");
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
