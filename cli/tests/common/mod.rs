//! What the process tests share: a `barejwt serve` process and its log
//! (`Served`), one HTTP request on a fresh connection (`send`), ada's
//! account (`register`, `login`), and a fresh PostgreSQL database
//! (`PgDb`). Included with `mod common;` by each test file that uses it.

// Each test file is its own crate and uses only part of this module.
#![allow(dead_code, clippy::unwrap_used)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// `barejwt serve` on a free port of 127.0.0.1; the test adds the rest.
pub fn serve() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_barejwt"));
    cmd.args(["serve", "--addr", "127.0.0.1:0"]);
    cmd
}

/// A running `barejwt serve`: its address, and its log, drained the whole
/// time (kept in full, and each line sent on to `wait_for`). Killed on
/// drop, its log printed if the test is failing.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    log: Arc<Mutex<Vec<String>>>,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// Starts `cmd` (from [`serve`]) and reads its address from the log.
    pub fn start(mut cmd: Command) -> Served {
        let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, lines) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        let drain = std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let mut served = Served {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            lines,
            log,
            drain: Some(drain),
        };
        let line = served.wait_for(&["listening on http://"]);
        let rest = line.split("listening on http://").nth(1).unwrap();
        served.addr = rest.split_whitespace().next().unwrap().parse().unwrap();
        served
    }

    /// The next log line holding one of `needles` (at most 20 s away).
    pub fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if needles.iter().any(|n| line.contains(n)) => return line,
                Ok(_) => {}
                Err(e) => panic!("no log line with {needles:?} from the server: {e}"),
            }
        }
    }

    /// Sends the process a signal (`-TERM`, `-HUP`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// SIGTERM: a graceful stop.
    pub fn sigterm(&self) {
        self.signal("-TERM");
    }

    /// SIGKILL, and the process reaped.
    pub fn sigkill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for the process to end (after [`Served::sigterm`]): how it
    /// ended and its whole log, every line written up to its exit.
    pub fn wait(&mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
        (status, self.log())
    }

    /// The log so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("server {} log:\n{}", self.addr, self.log());
        }
    }
}

/// An answer: its status, headers and body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON; `null` if it is not JSON (an empty body).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on a fresh connection.
pub async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Reply {
    try_send(addr, method, path, headers, body)
        .await
        .expect("the server answers")
}

/// One request on a fresh connection; `None` if the connection fails (a
/// killed server).
pub async fn try_send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Option<Reply> {
    let io = TokioIo::new(tokio::net::TcpStream::connect(addr).await.ok()?);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.ok()?;
    tokio::spawn(conn);
    let mut req = Request::builder().method(method).uri(path);
    req = req.header("host", addr.to_string());
    for &(name, value) in headers {
        req = req.header(name, value);
    }
    let request = req.body(Full::new(body)).unwrap();
    let resp = sender.send_request(request).await.ok()?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    Some(Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

/// Registers ada (password `correct horse`): the status.
pub async fn register(addr: SocketAddr) -> StatusCode {
    let user = r#"{"username": "ada", "password": "correct horse"}"#;
    let json = [("content-type", "application/json")];
    send(addr, Method::POST, "/users", &json, Bytes::from(user))
        .await
        .status
}

/// Logs ada in: her access token, or what came instead of it.
pub async fn login(addr: SocketAddr) -> Result<String, String> {
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let body = Bytes::from_static(b"username=ada&password=correct+horse");
    let r = send(addr, Method::POST, "/token", &form, body).await;
    if r.status != StatusCode::OK {
        return Err(format!("login on {addr}: {} {}", r.status, r.text()));
    }
    Ok(r.json()["access_token"].as_str().unwrap().to_owned())
}

/// The cluster `BAREJWT_TEST_PG` names; `None` (after a line saying so)
/// when it is unset, a failure when `BAREJWT_TEST_PG_REQUIRED` is set.
pub fn test_pg(test: &str) -> Option<String> {
    let Ok(admin) = std::env::var("BAREJWT_TEST_PG") else {
        assert!(
            std::env::var_os("BAREJWT_TEST_PG_REQUIRED").is_none(),
            "BAREJWT_TEST_PG_REQUIRED is set but BAREJWT_TEST_PG is not"
        );
        println!("skipped {test}: BAREJWT_TEST_PG is not set (.ci/postgres.sh sets it)");
        return None;
    };
    Some(admin)
}

/// A fresh PostgreSQL database on the cluster `BAREJWT_TEST_PG` names,
/// dropped on drop.
pub struct PgDb {
    admin: String,
    name: String,
    pub url: String,
}

/// Runs one SQL batch on `url`, on a runtime of its own (works in `Drop`).
fn pg_batch(url: &str, sql: &str) -> Result<(), tokio_postgres::Error> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
                let driver = tokio::spawn(conn);
                let done = client.batch_execute(sql).await;
                drop(client);
                let _ = driver.await;
                done
            })
        })
        .join()
        .unwrap()
    })
}

impl PgDb {
    /// A database named after the test file and this process; `None` as
    /// [`test_pg`] says.
    pub fn new(test: &str) -> Option<PgDb> {
        let admin = test_pg(test)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let file = env!("CARGO_CRATE_NAME");
        let name = format!("barejwt_{file}_{}_{nanos}", std::process::id());
        // A generated name, not input: CREATE DATABASE takes no parameter.
        pg_batch(&admin, &format!("CREATE DATABASE {name}")).unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        Some(PgDb { admin, name, url })
    }

    pub fn url(&self) -> &OsStr {
        OsStr::new(&self.url)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = pg_batch(&self.admin, &sql) {
            eprintln!("dropping {}: {e}", self.name);
        }
    }
}
