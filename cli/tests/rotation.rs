//! Rotating the signing key under running replicas, as README's "Rotating
//! the secret" says to: three `barejwt serve` processes on one database
//! (a SQLite file; in `postgres_*`, run by `.ci/postgres.sh`, which sets
//! `BAREJWT_TEST_PG`, a PostgreSQL database) and one JWK Set file, clients logging in and calling `/todo` on every
//! replica the whole time, while the test walks the three steps with
//! `barejwt keygen --jwks` and SIGHUP, one replica at a time (so every
//! mixed state is served): add the new key, sign with it, and drop the old
//! one once the longest token lifetime has passed.
//!
//! Not one valid token may be refused. A step moves on only when the
//! replica has logged that its reload is done (the swap happens before
//! the log line) and the clients have made requests in the new state, so
//! nothing depends on a sleep being long enough, except the one wait the
//! procedure itself prescribes (the token lifetime, 3 s here).

#![allow(clippy::unwrap_used)]

mod common;

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use barejwt::{Algorithm, HmacKey, base64url};
use bytes::Bytes;
use common::{PgDb, Served, register};
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

/// Token lifetime: short, so that the wait before dropping the old key is.
const TTL: i64 = 3;

/// A replica whose keys are the file `keys`.
fn replica(db: &OsStr, keys: &Path) -> Served {
    let mut cmd = command(db);
    cmd.arg("--secret-file").arg(keys);
    Served::start(cmd)
}

/// `barejwt serve` on `db`, without a secret yet.
fn command(db: &OsStr) -> Command {
    let mut cmd = common::serve();
    cmd.args(["--bcrypt-cost", "4"])
        .args(["--token-ttl", &format!("{TTL}s"), "--db"])
        .arg(db)
        .env_remove("BAREJWT_SECRET")
        .env_remove("BAREJWT_SECRET_FILE")
        .env("RUST_LOG", "info,barejwt::request=off");
    cmd
}

/// SIGHUP, then the replica's verdict on the file: its one log line.
fn reload(replica: &Served) -> String {
    replica.signal("-HUP");
    replica.wait_for(&["signing keys reloaded", "signing keys not reloaded"])
}

/// `barejwt keygen` with these arguments; its stdout.
fn keygen(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_barejwt"))
        .arg("keygen")
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The key of `kid` in the set file, as the test's own signer.
fn key_of(keys: &Path, kid: &str) -> HmacKey {
    let set: Value = serde_json::from_slice(&std::fs::read(keys).unwrap()).unwrap();
    let jwk = set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap();
    let bytes = base64url::decode(jwk["k"].as_str().unwrap().as_bytes()).unwrap();
    HmacKey::new(Algorithm::HS256, &bytes).unwrap()
}

/// `GET /todo` with `token` on a fresh connection: the status and the
/// body.
async fn get_todo(addr: SocketAddr, token: &str) -> (StatusCode, Bytes) {
    let bearer = format!("Bearer {token}");
    let r = common::send(
        addr,
        Method::GET,
        "/todo",
        &[("authorization", &bearer)],
        Bytes::new(),
    )
    .await;
    (r.status, r.body)
}

/// A login: the token, its `kid` and its `exp`.
async fn login(addr: SocketAddr) -> Result<(String, String, i64), String> {
    let token = common::login(addr).await?;
    let part = |n: usize| -> Value {
        let seg = token.split('.').nth(n).unwrap();
        serde_json::from_slice(&base64url::decode(seg.as_bytes()).unwrap()).unwrap()
    };
    let kid = part(0)["kid"].as_str().unwrap_or("(none)").to_owned();
    let exp = part(1)["exp"].as_i64().unwrap();
    Ok((token, kid, exp))
}

/// `GET /todo` with `token` on every replica: the statuses.
async fn statuses(addrs: &[SocketAddr], token: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for &addr in addrs {
        out.push(get_todo(addr, token).await.0.as_u16());
    }
    out
}

/// A token with this header, for the user, valid for an hour.
fn forged(kid: Option<&str>, key: &HmacKey) -> String {
    let mut header = json!({"alg": "HS256", "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    let now = barejwt::Clock::System.now();
    let claims = json!({"sub": "ada", "id": 1, "iat": now, "exp": now + 3600});
    let h = base64url::encode(&serde_json::to_vec(&header).unwrap());
    let p = base64url::encode(&serde_json::to_vec(&claims).unwrap());
    let sig = key.sign_parts(&[h.as_bytes(), b".", p.as_bytes()]);
    format!("{h}.{p}.{}", base64url::encode(sig.as_bytes()))
}

/// What the clients share with the test: the step it is at, the rounds
/// answered in full in each step, the kids they were given, what went
/// wrong.
#[derive(Default)]
struct Traffic {
    stop: AtomicBool,
    step: AtomicUsize,
    answered: [AtomicUsize; 16],
    kids: Mutex<Vec<String>>,
    failures: Mutex<Vec<String>>,
}

/// A client, in rounds: logs in on the next replica, calls `/todo` with
/// the fresh token on every replica, and with an older token it keeps on
/// the next one, so that tokens cross every reload. A token is kept while
/// it has at least a second left (`exp` is whole seconds: a token is never
/// sent close to its end, so an expiry is never taken for a refusal).
async fn client(n: usize, addrs: Vec<SocketAddr>, traffic: Arc<Traffic>) {
    let mut kept: Option<(String, i64)> = None;
    let mut i = n;
    while !traffic.stop.load(Ordering::SeqCst) {
        i += 1;
        let step = traffic.step.load(Ordering::SeqCst);
        let fail = |e: String| {
            traffic
                .failures
                .lock()
                .unwrap()
                .push(format!("step {step}: {e}"))
        };
        let (fresh, kid, exp) = match login(addrs[i % addrs.len()]).await {
            Ok(t) => t,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        traffic.kids.lock().unwrap().push(kid.clone());
        let now = barejwt::Clock::System.now();
        if kept.as_ref().is_none_or(|(_, exp)| now >= exp - 1) {
            kept = Some((fresh.clone(), exp));
        }
        let old = &kept.as_ref().unwrap().0;
        let mut calls: Vec<(SocketAddr, &str)> =
            addrs.iter().map(|&a| (a, fresh.as_str())).collect();
        calls.push((addrs[(i / 3) % addrs.len()], old));
        let mut all = true;
        for (addr, token) in calls {
            let (status, body) = get_todo(addr, token).await;
            if status != StatusCode::OK {
                all = false;
                let which = if token == fresh {
                    format!("a fresh token (kid {kid})")
                } else {
                    "a kept token".into()
                };
                fail(format!(
                    "GET /todo on {addr} with {which}: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
        if all {
            traffic.answered[step].fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Moves the clients to the next step, once they have made rounds in
/// this one (enough for logins on every replica, in all likelihood), and
/// stops the test at the first refusal.
fn next_step(traffic: &Traffic) {
    let step = traffic.step.load(Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(20);
    while traffic.answered[step].load(Ordering::SeqCst) < 9 {
        let failures = traffic.failures.lock().unwrap().clone();
        assert!(failures.is_empty(), "refused in step {step}: {failures:#?}");
        assert!(Instant::now() < deadline, "no traffic in step {step}");
        std::thread::sleep(Duration::from_millis(5));
    }
    traffic.step.store(step + 1, Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_key_under_three_replicas_refuses_no_valid_token() {
    let dir = tempfile::tempdir().unwrap();
    rotate(dir.path().join("shared.db").as_os_str(), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rotating_the_key_under_three_replicas_refuses_no_valid_token() {
    let Some(db) = PgDb::new("postgres_rotating_the_key") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    rotate(OsStr::new(&db.url), dir.path()).await;
}

/// A raw secret file works as it always has: tokens without `kid`, and a
/// reload switches the secret at once (so every earlier token is refused:
/// README says to rotate with a set). `BAREJWT_SECRET` cannot be reloaded:
/// one error line, and the secret in use stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_secret_file_reloads_at_once_and_the_environment_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raw.db");
    let file = dir.path().join("raw.secret");
    let write = |text: &str| {
        std::fs::write(&file, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    write("the first raw secret, 32 bytes or more\n");
    let mut cmd = command(db.as_os_str());
    cmd.arg("--secret-file").arg(&file);
    let raw = Served::start(cmd);
    assert_eq!(register(raw.addr).await, StatusCode::CREATED);
    let (first, kid, _) = login(raw.addr).await.unwrap();
    assert_eq!(kid, "(none)");
    assert_eq!(statuses(&[raw.addr], &first).await, [200]);
    write("the second raw secret, 32 bytes or more\n");
    let line = reload(&raw);
    assert!(
        line.contains("a raw secret of 39 bytes; tokens carry no kid"),
        "{line}"
    );
    assert_eq!(statuses(&[raw.addr], &first).await, [401]);
    let (second, _, _) = login(raw.addr).await.unwrap();
    assert_eq!(statuses(&[raw.addr], &second).await, [200]);
    drop(raw);

    let mut cmd = command(db.as_os_str());
    cmd.env("BAREJWT_SECRET", "the second raw secret, 32 bytes or more");
    let env = Served::start(cmd);
    assert_eq!(statuses(&[env.addr], &second).await, [200]);
    let line = reload(&env);
    assert!(
        line.contains("ERROR") && line.contains("BAREJWT_SECRET"),
        "{line}"
    );
    assert!(!line.contains("the second raw secret"), "{line}");
    assert_eq!(statuses(&[env.addr], &second).await, [200]);
}

/// The procedure, on the database `db`, with the key file in `dir`.
async fn rotate(db: &OsStr, dir: &Path) {
    let keys = dir.join("keys.json");
    let k = keys.to_str().unwrap();
    keygen(&["--jwks", k, "--kid", "old"]);
    // One at a time: the first creates the database (or its schema).
    let replicas: Vec<Served> = (0..3).map(|_| replica(db, &keys)).collect();
    let addrs: Vec<SocketAddr> = replicas.iter().map(|r| r.addr).collect();
    assert_eq!(register(addrs[0]).await, StatusCode::CREATED);
    let old = key_of(&keys, "old");
    let old_forever = forged(Some("old"), &old);
    assert_eq!(statuses(&addrs, &old_forever).await, [200; 3]);

    let traffic = Arc::new(Traffic::default());
    let clients: Vec<_> = (0..4)
        .map(|n| tokio::spawn(client(n, addrs.clone(), Arc::clone(&traffic))))
        .collect();
    let started = Instant::now();

    // 1. Add the new key everywhere; the old one still signs.
    keygen(&["--jwks", k, "--kid", "new"]);
    for r in &replicas {
        next_step(&traffic);
        let line = reload(r);
        assert!(line.contains("(\"old\", \"new\"); \"old\" signs"), "{line}");
    }
    for &addr in &addrs {
        assert_eq!(login(addr).await.unwrap().1, "old");
    }
    // 2. Sign with the new key everywhere.
    keygen(&["--jwks", k, "--current", "new"]);
    for r in &replicas {
        next_step(&traffic);
        let line = reload(r);
        assert!(line.contains("\"new\" signs"), "{line}");
    }
    for &addr in &addrs {
        assert_eq!(login(addr).await.unwrap().1, "new");
    }
    // 3. The last token the old key signed was issued before the last
    // reload above, so it is expired within TTL seconds of now; after
    // that (and a second's margin for `exp`'s whole seconds, another for
    // requests under way) the old key can go.
    next_step(&traffic);
    std::thread::sleep(Duration::from_secs(TTL as u64 + 2));
    keygen(&["--jwks", k, "--drop", "old"]);
    for r in &replicas {
        next_step(&traffic);
        let line = reload(r);
        assert!(line.contains("1 key (\"new\"); \"new\" signs"), "{line}");
    }
    next_step(&traffic);
    traffic.stop.store(true, Ordering::SeqCst);
    for c in clients {
        tokio::time::timeout(Duration::from_secs(20), c)
            .await
            .unwrap()
            .unwrap();
    }
    let elapsed = started.elapsed();

    let failures = traffic.failures.lock().unwrap().clone();
    let answered: Vec<usize> = traffic.answered[..=traffic.step.load(Ordering::SeqCst)]
        .iter()
        .map(|a| a.load(Ordering::SeqCst))
        .collect();
    eprintln!("rounds answered in full in each step: {answered:?}, in {elapsed:?}");
    assert!(
        failures.is_empty(),
        "{} refused: {failures:#?}",
        failures.len()
    );
    let kids = traffic.kids.lock().unwrap().clone();
    assert!(kids.iter().any(|k| k == "old") && kids.iter().any(|k| k == "new"));
    assert!(kids.iter().all(|k| k == "old" || k == "new"), "{kids:?}");

    // The old key is gone: a token it signs is refused, whatever its exp.
    assert_eq!(statuses(&addrs, &old_forever).await, [401; 3]);
    // The new key verifies only tokens that name it.
    let new = key_of(&keys, "new");
    assert_eq!(statuses(&addrs, &forged(Some("new"), &new)).await, [200; 3]);
    assert_eq!(
        statuses(&addrs, &forged(Some("other"), &new)).await,
        [401; 3]
    );
    assert_eq!(statuses(&addrs, &forged(None, &new)).await, [401; 3]);
    let (token, kid, _) = login(addrs[1]).await.unwrap();
    assert_eq!(kid, "new");

    // A bad file is refused on reload, and the keys in use stay.
    let good = std::fs::read(&keys).unwrap();
    let set: Value = serde_json::from_slice(&good).unwrap();
    let twice = json!({"keys": [set["keys"][0], set["keys"][0]]});
    std::fs::write(&keys, twice.to_string()).unwrap();
    let line = reload(&replicas[1]);
    assert!(
        line.contains("ERROR") && line.contains(k) && line.contains("two keys have kid \"new\""),
        "{line}"
    );
    assert!(
        !line.contains(set["keys"][0]["k"].as_str().unwrap()),
        "{line}"
    );
    assert_eq!(statuses(&addrs, &token).await, [200; 3]);
}
