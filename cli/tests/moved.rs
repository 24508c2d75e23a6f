//! The database file deleted under a running `barejwt serve`: writes are
//! refused (503), and the operator reads why in the log, once.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::Served;

/// One request on a fresh connection; the raw response.
fn request(addr: SocketAddr, head: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{head}\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn a_deleted_database_gets_503_and_one_clear_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gone.db");
    let mut cmd = common::serve();
    cmd.args(["--bcrypt-cost", "4", "--db"])
        .arg(&db)
        .env("BAREJWT_SECRET", "moved-test-secret-of-at-least-32-bytes")
        .env("RUST_LOG", "info,barejwt::request=off");
    let mut served = Served::start(cmd);
    let addr = served.addr;
    let user = r#"{"username": "ada", "password": "correct horse"}"#;
    let json = "POST /users HTTP/1.1\r\nContent-Type: application/json";
    assert!(request(addr, json, user).starts_with("HTTP/1.1 201"));

    std::fs::remove_file(&db).unwrap();
    let bob = r#"{"username": "bob", "password": "correct horse"}"#;
    for _ in 0..2 {
        let r = request(addr, json, bob);
        assert!(r.starts_with("HTTP/1.1 503"), "{r}");
        assert!(!r.contains("gone.db"), "the answer names no file: {r}");
    }
    // SIGTERM, not a kill: the log writer is flushed by a graceful exit,
    // while a kill can lose the last lines it has not yet written.
    served.sigterm();
    let (_, log) = served.wait();
    let log: Vec<&str> = log.lines().collect();
    let said: Vec<&&str> = log
        .iter()
        .filter(|l| l.contains("refusing every write (503) from now on"))
        .collect();
    assert_eq!(said.len(), 1, "one line, once:\n{}", log.join("\n"));
    assert!(
        said[0].contains("ERROR") && said[0].contains("gone.db"),
        "{}",
        said[0]
    );
}
