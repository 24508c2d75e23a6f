//! Faults at start-up: the secret path, a database that cannot be
//! written, someone else's SQLite file, and user names that differ only
//! in case (the schema's version 2 and its migration).

use std::path::PathBuf;

use rusqlite::Connection;

use crate::helpers::*;
use crate::mounts::{Mount, skip};

fn open_err(c: Config) -> String {
    Server::open(c).expect_err("the server refuses to start")
}

#[test]
fn a_secret_path_that_is_a_directory_is_called_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.d");
    std::fs::create_dir(&secret).unwrap();
    for source in [
        SecretSource::File(secret.clone()),
        SecretSource::Generated(secret.clone()),
    ] {
        let mut c = config(dir.path());
        c.secret = source;
        let err = open_err(c);
        assert!(err.contains("is a directory"), "{err}");
        assert!(!err.contains("chmod") && !err.contains("mode"), "{err}");
    }
}

/// The server's own file, with one user, closed cleanly.
async fn a_database(dir: &Path) -> PathBuf {
    let c = config(dir);
    let path = c.db.sqlite_path().unwrap().to_path_buf();
    let app = App::start(c).await;
    app.user("ada").await;
    app.stop().await;
    path
}

#[tokio::test]
async fn a_read_only_database_refuses_to_start_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = a_database(dir.path()).await;
    if is_root() {
        // Root writes a 0444 file anyway; a read-only mount stops root.
        let mnt = dir.path().join("ro");
        std::fs::create_dir(&mnt).unwrap();
        let m = match Mount::tmpfs(&mnt, "4m") {
            Ok(m) => m,
            Err(why) => return skip("a_read_only_database...", &why),
        };
        std::fs::copy(&path, mnt.join("todo.db")).unwrap();
        m.remount_read_only().unwrap();
        let err = open_err(config(&mnt));
        assert!(err.contains("cannot be written"), "{err}");
        drop(m);
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = open_err(config(dir.path()));
        assert!(err.contains("cannot be written"), "{err}");
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
fn someone_elses_sqlite_file_is_left_byte_for_byte_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    for (name, sql) in [
        (
            "notes.db",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);",
        ),
        // A clashing table of the same name, from another application.
        (
            "clash.db",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT);
             INSERT INTO users (login) VALUES ('root');",
        ),
        // Another application's id on an otherwise empty file.
        ("other-id.db", "PRAGMA application_id = 1234;"),
    ] {
        let path = dir.path().join(name);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        conn.close().unwrap();
        let before = std::fs::read(&path).unwrap();

        let mut c = config(dir.path());
        c.db = path.clone().into();
        let err = open_err(c);
        assert!(err.contains("not a barejwt database"), "{name}: {err}");
        assert!(err.contains("left unchanged"), "{name}: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} modified");
        let wal = dir.path().join(format!("{name}-wal"));
        assert!(!wal.exists(), "{name}: a WAL was left beside it");
    }
}

/// A database at `path` with only the first migration applied
/// (user_version 1).
fn version_1_database(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(barejwt_server::db::MIGRATIONS[0])
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn
}

#[tokio::test]
async fn a_database_from_before_application_id_is_recognised_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todo.db");
    let conn = version_1_database(&path);
    let hash = bcrypt::hash("correct horse", 4).unwrap();
    conn.execute(
        "INSERT INTO users (username, hashed_password, created_at) VALUES ('ada', ?1, 0)",
        [hash],
    )
    .unwrap();
    conn.close().unwrap();

    let app = App::start(config(dir.path())).await;
    app.login("ada", "correct+horse").await;
    app.stop().await;
    let conn = Connection::open(&path).unwrap();
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(id, barejwt_server::db::APPLICATION_ID);
}

on_both_stores!(
    #[tokio::test]
    user_names_are_one_account_whatever_their_case
);
async fn user_names_are_one_account_whatever_their_case(db: &TestDb) {
    let app = App::start(db.config()).await;
    assert_eq!(
        app.register("Alice", "correct horse").await.status,
        StatusCode::CREATED
    );
    for variant in ["alice", "ALICE", "aLiCe"] {
        let r = app.register(variant, "another horse").await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{variant}: {}", r.text());
    }
    // Logged in under any case; the account keeps the name as given.
    let token = app.login("ALICE", "correct+horse").await;
    let me = app.get("/users/me", &token).await.json();
    assert_eq!(me["username"], "Alice");
    let claims = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64url::decode(claims.as_bytes()).unwrap()).unwrap();
    assert_eq!(claims["sub"], "Alice");
    app.stop().await;
}

#[test]
fn a_database_holding_case_variants_is_not_migrated_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("todo.db");
    let conn = version_1_database(&path);
    conn.execute_batch(
        "INSERT INTO users (username, hashed_password, created_at)
         VALUES ('alice', 'h', 0), ('bob', 'h', 0), ('ALICE', 'h', 0);",
    )
    .unwrap();
    conn.close().unwrap();

    let err = open_err(config(dir.path()));
    assert!(err.contains("differ only in case"), "{err}");
    assert!(err.contains("alice/ALICE"), "{err}");
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "left at its old version");
    // Renamed by the operator: the next start migrates.
    conn.execute(
        "UPDATE users SET username = 'alice2' WHERE username = 'ALICE'",
        [],
    )
    .unwrap();
    conn.close().unwrap();
    Server::open(config(dir.path())).unwrap();
}
