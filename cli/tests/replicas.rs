//! Two `barejwt serve` processes on one database: what someone scaling
//! to two replicas on one machine does first. Writes through both must
//! wait their turn for SQLite's lock (never `database is locked`), none
//! may be lost, and each process must see every row the other wrote.
//!
//! The PostgreSQL tests (`postgres_*`, run by `.ci/postgres.sh`, which
//! sets `BAREJWT_TEST_PG`) do the same on one PostgreSQL database, and
//! more: a replica killed with SIGKILL loses no acknowledged write, and
//! the database server restarted under running replicas answers 503
//! with `Retry-After` while it is down and is used again once it is back,
//! without restarting a replica (that one needs `BAREJWT_TEST_PG_RESTART`,
//! a command taking `stop` or `start`, and runs alone: it stops the
//! cluster every other test uses).

#![allow(clippy::unwrap_used)]

mod common;

use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{PgDb, Served, login, register};
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

const SECRET: &str = "replicas-share-this-secret-of-32-bytes!!";

/// A replica: `barejwt serve` on `db` with the shared secret.
fn replica(db: impl AsRef<OsStr>) -> Served {
    let mut cmd = common::serve();
    cmd.args(["--bcrypt-cost", "4", "--db"])
        .arg(db)
        .env("BAREJWT_SECRET", SECRET)
        .env("RUST_LOG", "info,barejwt::request=off");
    Served::start(cmd)
}

/// One request on a fresh connection: the status and the body.
async fn send(
    addr: std::net::SocketAddr,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let (status, _, body) = try_send(addr, method, path, token, body)
        .await
        .expect("the replica answers");
    (status, body)
}

/// One request on a fresh connection, with `token` and a JSON `body`
/// (none if `null`); `None` if the connection fails (a killed replica).
async fn try_send(
    addr: std::net::SocketAddr,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> Option<(StatusCode, hyper::HeaderMap, Value)> {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("authorization", bearer.as_str())];
    let body = if body.is_null() {
        Bytes::new()
    } else {
        headers.push(("content-type", "application/json"));
        Bytes::from(serde_json::to_vec(&body).unwrap())
    };
    let r = common::try_send(addr, method, path, &headers, body).await?;
    let body = r.json();
    Some((r.status, r.headers, body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_lose_no_write_and_see_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    // One at a time: the first creates the file, the second opens it.
    let a = replica(&db);
    let b = replica(&db);
    lose_no_write_and_see_every_row(&a, &b).await;
}

/// Registers through `a`, logs in through `b`, then 16 clients create 25
/// todos each, alternating between the two: none may fail, and each
/// replica must list all of them, once each.
async fn lose_no_write_and_see_every_row(a: &Served, b: &Served) {
    const CLIENTS: usize = 16;
    const EACH: usize = 25;
    // A token from one replica works on the other (one secret).
    let token = ada(a, b).await;

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

    for replica in [a, b] {
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

/// Registers ada through one replica and logs in through the other.
async fn ada(a: &Served, b: &Served) -> String {
    assert_eq!(register(a.addr).await, StatusCode::CREATED);
    login(b.addr).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_replicas_share_tokens_and_see_each_others_writes_at_once() {
    let Some(db) = PgDb::new("postgres_two_replicas_share_tokens") else {
        return;
    };
    // Both at once on the empty database: the advisory lock orders the
    // migrations.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| replica(&db.url));
        let b = s.spawn(|| replica(&db.url));
        (a.join().unwrap(), b.join().unwrap())
    });
    let token = ada(&a, &b).await;
    // Written through one, read through the other at once; a token from
    // b works on a.
    let (status, todo) = send(
        a.addr,
        Method::POST,
        "/todo",
        &token,
        json!({"title": "written on a", "priority": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("/todo/{}", todo["id"]);
    let (status, seen) = send(b.addr, Method::GET, &path, &token, Value::Null).await;
    assert_eq!((status, &seen), (StatusCode::OK, &todo));
    let (status, _) = send(
        b.addr,
        Method::PUT,
        &path,
        &token,
        json!({"title": "changed on b", "priority": 1, "complete": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = send(a.addr, Method::GET, &path, &token, Value::Null).await;
    assert_eq!(seen["title"], "changed on b");
    let (status, _) = send(a.addr, Method::DELETE, &path, &token, Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(b.addr, Method::GET, &path, &token, Value::Null).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A second ada through b is a conflict: one table of users.
    let (status, _) = send(
        b.addr,
        Method::POST,
        "/users",
        "",
        json!({"username": "ADA", "password": "correct horse"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    drop((a, b));

    // And the SQLite test's load, through two fresh replicas.
    let db = PgDb::new("postgres_two_replicas_load").unwrap();
    let (a, b) = (replica(&db.url), replica(&db.url));
    lose_no_write_and_see_every_row(&a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_replica_killed_with_sigkill_loses_no_acknowledged_write() {
    use std::sync::{Arc, Mutex};
    let Some(db) = PgDb::new("postgres_sigkill") else {
        return;
    };
    let mut a = replica(&db.url);
    let b = replica(&db.url);
    let token = ada(&a, &b).await;
    let acked = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let mut tasks = Vec::new();
    for client in 0..8 {
        let (addr, token, acked) = (a.addr, token.clone(), Arc::clone(&acked));
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let title = format!("client {client} todo {n}");
                let body = json!({"title": title, "priority": 3});
                match try_send(addr, Method::POST, "/todo", &token, body).await {
                    Some((StatusCode::CREATED, _, todo)) => {
                        acked
                            .lock()
                            .unwrap()
                            .push((todo["id"].as_i64().unwrap(), title));
                    }
                    Some((status, _, body)) => panic!("{status} {body}"),
                    // Killed: the connection failed.
                    None => return,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 200 {
        assert!(Instant::now() < deadline, "too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.sigkill();
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(30), t)
            .await
            .unwrap()
            .unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let (status, list) = send(b.addr, Method::GET, "/todo", &token, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let stored: std::collections::HashMap<i64, String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lost: Vec<_> = acked
        .iter()
        .filter(|(id, title)| stored.get(id) != Some(title))
        .collect();
    eprintln!(
        "{} acknowledged before SIGKILL, {} stored",
        acked.len(),
        stored.len()
    );
    assert!(
        lost.is_empty(),
        "{} lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}

/// Runs the cluster's restart command (`stop` or `start`).
fn cluster(restart: &str, what: &str) {
    let status = Command::new(restart).arg(what).status().unwrap();
    assert!(status.success(), "{restart} {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_running_replicas_is_503_then_used_again() {
    let Some(db) = PgDb::new("postgres_restarted") else {
        return;
    };
    let Ok(restart) = std::env::var("BAREJWT_TEST_PG_RESTART") else {
        assert!(
            std::env::var_os("BAREJWT_TEST_PG_REQUIRED").is_none(),
            "BAREJWT_TEST_PG_REQUIRED is set but BAREJWT_TEST_PG_RESTART is not"
        );
        println!("skipped postgres_restarted: BAREJWT_TEST_PG_RESTART is not set");
        return;
    };
    let replicas = [replica(&db.url), replica(&db.url)];
    let token = ada(&replicas[0], &replicas[1]).await;
    let todo = json!({"title": "before the restart", "priority": 2});
    let (status, _) = send(replicas[1].addr, Method::POST, "/todo", &token, todo).await;
    assert_eq!(status, StatusCode::CREATED);

    cluster(&restart, "stop");
    for r in &replicas {
        for (method, path, body) in [
            (Method::GET, "/todo", Value::Null),
            (
                Method::POST,
                "/todo",
                json!({"title": "while down", "priority": 1}),
            ),
            (Method::GET, "/readyz", Value::Null),
        ] {
            let start = Instant::now();
            let (status, headers, body) = try_send(r.addr, method, path, &token, body)
                .await
                .expect("the replica answers");
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
            assert!(headers.contains_key("retry-after"), "{path}");
            // Bounded by the database timeout (5 s by default).
            assert!(start.elapsed() < Duration::from_secs(6), "{path}");
        }
    }
    cluster(&restart, "start");

    // Back without restarting a replica: each one's pool reconnects.
    for (i, r) in replicas.iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, list) = send(r.addr, Method::GET, "/todo", &token, Value::Null).await;
            if status == StatusCode::OK {
                assert!(list.as_array().unwrap().len() == 1 + i);
                break;
            }
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(Instant::now() < deadline, "replica {i} did not recover");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = json!({"title": format!("after, through {i}"), "priority": 1});
        let (status, _) = send(r.addr, Method::POST, "/todo", &token, body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}
