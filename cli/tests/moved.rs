//! The database file deleted under a running `barejwt serve`: writes are
//! refused (503), and the operator reads why in the log, once.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

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

/// The server process, killed even when the test fails.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_deleted_database_gets_503_and_one_clear_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gone.db");
    let mut child = Kill(
        Command::new(env!("CARGO_BIN_EXE_barejwt"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--bcrypt-cost",
                "4",
                "--db",
            ])
            .arg(&db)
            .env("BAREJWT_SECRET", "moved-test-secret-of-at-least-32-bytes")
            .env("RUST_LOG", "info,barejwt::request=off")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
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
    let ok = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let log: Vec<String> = lines.map_while(Result::ok).collect();
    drop(child);
    let said: Vec<&String> = log
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
