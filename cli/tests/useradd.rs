//! `barejwt useradd`, driven as an operator would: password piped on
//! stdin, then the stored hash checked against it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use barejwt_server::db::{self, Db};

fn useradd(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_barejwt"))
        .arg("useradd")
        .args(args)
        .args([
            "--db",
            db.to_str().expect("utf-8 path"),
            "--bcrypt-cost",
            "4",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("barejwt runs");
    // A bad user name is refused before the password is read, so the
    // process may be gone before this write: a broken pipe is fine then.
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write password: {e}"
        );
    }
    child.wait_with_output().expect("barejwt exits")
}

fn stored_hash(db_path: &Path, username: &str) -> Option<(i64, String)> {
    let db = Db::open(db_path, 1).expect("open");
    let name = username.to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let found = rt
        .block_on(db.read(move |conn| db::credentials(conn, &name)))
        .expect("query")
        .map(|c| (c.id, c.hash));
    db.shutdown();
    found
}

#[test]
fn a_piped_password_is_hashed_and_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("users.db");
    let out = useradd(
        &db,
        &["ada", "--email", "ada@example.com"],
        "correct horse\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON user");
    assert_eq!(user["username"], "ada");
    assert_eq!(user["email"], "ada@example.com");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("correct horse") && !all.contains("$2"),
        "{all}"
    );

    let (id, hash) = stored_hash(&db, "ada").expect("the user exists");
    assert_eq!(user["id"], id);
    assert!(bcrypt::verify("correct horse", &hash).expect("a bcrypt hash"));
    assert!(!bcrypt::verify("correct horse\n", &hash).expect("a bcrypt hash"));
}

#[test]
fn a_taken_name_exits_1_and_keeps_the_first_user() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("users.db");
    assert!(useradd(&db, &["ada"], "first password\n").status.success());
    let out = useradd(&db, &["ada"], "second password\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken"));
    let (_, hash) = stored_hash(&db, "ada").expect("still there");
    assert!(bcrypt::verify("first password", &hash).expect("a bcrypt hash"));
}

#[test]
fn bad_names_and_passwords_exit_2_without_echoing_the_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("users.db");
    for (name, password) in [
        ("x", "long enough password"),
        ("robert'); DROP TABLE users;--", "long enough password"),
        ("ada", "short"),
        ("ada", &"p".repeat(73)),
    ] {
        let out = useradd(&db, &[name], &format!("{password}\n"));
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains(password), "{stderr}");
    }
    assert!(!db.exists() || stored_hash(&db, "ada").is_none());
}
