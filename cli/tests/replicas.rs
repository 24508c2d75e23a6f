//! Two `barejwt serve` processes on one database: what someone scaling
//! to two replicas on one machine does first. Writes through both must
//! wait their turn for SQLite's lock (never `database is locked`), none
//! may be lost, and each process must see every row the other wrote.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const SECRET: &str = "replicas-share-this-secret-of-32-bytes!!";

/// A server process, killed (and its log printed) on drop.
struct Replica {
    child: Child,
    addr: SocketAddr,
    log: Option<std::thread::JoinHandle<String>>,
}

impl Replica {
    fn start(db: &Path) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_barejwt"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--bcrypt-cost",
                "4",
                "--db",
            ])
            .arg(db)
            .env("BAREJWT_SECRET", SECRET)
            .env("RUST_LOG", "info,barejwt::request=off")
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
        let log =
            std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
        Replica {
            child,
            addr,
            log: Some(log),
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(log) = self.log.take().and_then(|h| h.join().ok())
            && !log.is_empty()
        {
            eprintln!("replica {} log:\n{log}", self.addr);
        }
    }
}

/// One request on a fresh connection: the status and the body.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("authorization", format!("Bearer {token}"));
    let body = if body.is_null() {
        Bytes::new()
    } else {
        req = req.header("content-type", "application/json");
        Bytes::from(serde_json::to_vec(&body).unwrap())
    };
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn login(addr: SocketAddr) -> String {
    let form = "username=ada&password=correct+horse";
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/token")
        .header("host", addr.to_string())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(form)))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_lose_no_write_and_see_every_row() {
    const CLIENTS: usize = 16;
    const EACH: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    // One at a time: the first creates the file, the second opens it.
    let a = Replica::start(&db);
    let b = Replica::start(&db);

    let (status, _) = send(
        a.addr,
        Method::POST,
        "/users",
        "",
        json!({"username": "ada", "password": "correct horse"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // A token from one replica works on the other (one secret).
    let token = login(b.addr).await;

    let start = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let addrs = [a.addr, b.addr];
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for n in 0..EACH {
                let addr = addrs[(client + n) % 2];
                let title = format!("client {client} todo {n}");
                let (status, body) = send(
                    addr,
                    Method::POST,
                    "/todo",
                    &token,
                    json!({"title": title, "priority": 1}),
                )
                .await;
                if status != StatusCode::CREATED {
                    failures.push(format!("{status} {body}"));
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(
            tokio::time::timeout(Duration::from_secs(120), t)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let elapsed = start.elapsed();
    eprintln!(
        "{} creates through two processes in {elapsed:?}, {} failed",
        CLIENTS * EACH,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    for replica in [&a, &b] {
        let (status, list) = send(replica.addr, Method::GET, "/todo", &token, Value::Null).await;
        assert_eq!(status, StatusCode::OK);
        let mut titles: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles.len(),
            CLIENTS * EACH,
            "rows seen by {}",
            replica.addr
        );
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(
            titles.len(),
            CLIENTS * EACH,
            "duplicates seen by {}",
            replica.addr
        );
    }
}
