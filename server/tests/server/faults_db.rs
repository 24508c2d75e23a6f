//! Faults while the server runs: another process holding the lock, the
//! database file deleted or replaced, a full disk, a stalled disk. Each
//! answer is 503 with `Retry-After` or 507, with a `{"detail"}` that
//! names no file, never a bare 500.

use std::time::Instant;

use rusqlite::Connection;

use crate::helpers::*;
use crate::mounts::{Mount, skip};

fn todo() -> Value {
    json!({"title": "one more", "priority": 1})
}

/// A 503 that says to come back, naming no file.
fn assert_unavailable(r: &Reply, dir: &Path) {
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert!(r.header("retry-after").is_some());
    let detail = r.json()["detail"].as_str().unwrap().to_string();
    assert!(!detail.contains(dir.to_str().unwrap()), "{detail}");
    assert!(!detail.contains("todo.db"), "{detail}");
}

#[tokio::test]
async fn a_write_locked_out_by_another_process_waits_then_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.db_timeout = Duration::from_millis(400);
    let path = c.db.sqlite_path().unwrap().to_path_buf();
    let app = App::start(c).await;
    let token = app.user("ada").await;

    // Another process's connection holds the write lock, briefly: the
    // server's write waits its turn (the busy timeout) and succeeds.
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        other.execute_batch("COMMIT").unwrap();
        other
    });
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let other = release.join().unwrap();

    // Held for longer than the timeout: 503 with Retry-After, in time.
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_unavailable(&r, dir.path());
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        app.get("/todo", &token)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    readyz_reads_the_database
);
async fn readyz_reads_the_database(db: &TestDb) {
    let app = App::start(db.config()).await;
    let r = app.get("/readyz", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"status": "ready"}));
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_database_file_stops_writes_being_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path());
    let path = c.db.sqlite_path().unwrap().to_path_buf();
    let app = App::start(c).await;
    let token = app.user("ada").await;
    std::fs::remove_file(&path).unwrap();

    // A registration reads first (is the name taken?): that read must not
    // turn into a 500 either.
    let r = app.register("bob", "correct horse").await;
    assert_unavailable(&r, dir.path());
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_unavailable(&r, dir.path());
    assert_unavailable(&app.get("/readyz", "").await, dir.path());
    app.stop().await;
}

#[tokio::test]
async fn a_database_replaced_by_a_rename_gets_no_write_and_no_old_wal() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path());
    let path = c.db.sqlite_path().unwrap().to_path_buf();
    let app = App::start(c.clone()).await;
    let token = app.user("ada").await;
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_eq!(r.status, StatusCode::CREATED);

    // An operator restores another database over the live one.
    let other = dir.path().join("restored.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let restored = std::fs::read(&other).unwrap();
    std::fs::rename(&other, &path).unwrap();

    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_unavailable(&r, dir.path());
    // The old file's WAL, still beside the path, holds no frame that a
    // crash now could replay over the restored file.
    let wal = std::fs::metadata(dir.path().join("todo.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the old WAL was left with frames");
    assert_eq!(std::fs::read(&path).unwrap(), restored);
    app.stop().await;
}

#[tokio::test]
async fn a_full_disk_answers_507_and_reads_and_logins_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let _m = match Mount::tmpfs(&mnt, "2m") {
        Ok(m) => m,
        Err(why) => return skip("a_full_disk_answers_507", &why),
    };
    let app = App::start(config(&mnt)).await;
    let token = app.user("ada").await;
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_eq!(r.status, StatusCode::CREATED);

    // The WAL may have room for a few more frames; then it is full.
    a_full_disk_is_507_until_freed(&app, &token, &mnt.join("filler"), &todo()).await;
    app.stop().await;
}

/// Fills the file system with the file `filler`, then creates large
/// todos until one is refused (there may be room for a few more): 507,
/// with a detail naming no path. Reads and logins still work; once
/// `filler` is removed, `after` is created again.
pub(crate) async fn a_full_disk_is_507_until_freed(
    app: &App,
    token: &str,
    filler: &Path,
    after: &Value,
) {
    {
        use std::io::Write;
        let mut f = std::fs::File::create(filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let big = json!({"title": "big", "description": "d".repeat(1000), "priority": 1});
    let mut full = None;
    for _ in 0..200 {
        let r = app.json(Method::POST, "/todo", Some(token), &big).await;
        if r.status != StatusCode::CREATED {
            full = Some(r);
            break;
        }
    }
    let r = full.expect("the disk filled up");
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.text());
    let detail = r.json()["detail"].as_str().unwrap().to_string();
    assert!(!detail.contains('/'), "{detail}");

    // Reads and logins still work; space freed, writes work again.
    assert_eq!(app.get("/todo", token).await.status, StatusCode::OK);
    app.login("ada", "correct+horse").await;
    std::fs::remove_file(filler).unwrap();
    let r = app.json(Method::POST, "/todo", Some(token), after).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_file_system_answers_503_in_time_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("disk");
    std::fs::create_dir(&mnt).unwrap();
    let mut m = match Mount::ext4(&dir.path().join("disk.img"), 16, &mnt) {
        Ok(m) => m,
        Err(why) => return skip("a_frozen_file_system_answers_503", &why),
    };
    let mut c = config(&mnt);
    c.db_timeout = Duration::from_millis(700);
    let app = App::start(c).await;
    let token = app.user("ada").await;

    if let Err(why) = m.freeze() {
        app.stop().await;
        return skip("a_frozen_file_system_answers_503", &why);
    }
    let start = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        app.json(Method::POST, "/todo", Some(&token), &todo()),
    )
    .await;
    let ready = tokio::time::timeout(Duration::from_secs(5), app.get("/readyz", "")).await;
    let elapsed = start.elapsed();
    // Thaw before asserting, so a failure does not leave it frozen.
    m.thaw();
    let r = r.expect("a write during the stall is answered");
    assert_unavailable(&r, &mnt);
    assert_unavailable(&ready.expect("readyz is answered"), &mnt);
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");

    // Thawed: the server works again, and `/readyz` says so.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = app.json(Method::POST, "/todo", Some(&token), &todo()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.get("/readyz", "").await.status, StatusCode::OK);
    app.stop().await;
}
