//! `barejwt serve --db postgres://…` as an operator starts it: the log
//! names the database with the URL's password as `***`, whether the
//! server is unreachable or the start succeeds; `barejwt useradd` adds to
//! PostgreSQL too. The store itself is tested in
//! `server/tests/server/postgres.rs`.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::{Served, test_pg};

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn barejwt() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_barejwt"));
    c.env_remove("BAREJWT_DB")
        .env_remove("BAREJWT_SECRET_FILE")
        .env("BAREJWT_SECRET", SECRET)
        .env("RUST_LOG", "info");
    c
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let password = "Unreachable-pw-77";
    let out = barejwt()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(format!("postgres://app:{password}@127.0.0.1:{port}/todo"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be reached"), "{stderr}");
    assert!(stderr.contains("postgres://app:***@127.0.0.1:"), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
    let errors = stderr.lines().filter(|l| l.contains("ERROR")).count();
    assert_eq!(errors, 1, "one error line: {stderr}");
}

#[test]
fn a_start_on_postgres_logs_the_url_without_its_password() {
    let Some(url) = test_pg("a_start_on_postgres_logs_the_url_without_its_password") else {
        return;
    };
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(auth, _)| auth.split_once(':'))
        .map(|(_, pw)| pw.to_string())
        .expect("the test URL carries a password");
    let mut cmd = common::serve();
    cmd.args(["--bcrypt-cost", "4", "--db"])
        .arg(&url)
        .env_remove("BAREJWT_DB")
        .env_remove("BAREJWT_SECRET_FILE")
        .env("BAREJWT_SECRET", SECRET)
        .env("RUST_LOG", "info");
    let mut served = Served::start(cmd);
    served.sigterm();
    let (_, log) = served.wait();
    assert!(log.contains("listening on"), "{log}");
    assert!(log.contains(":***@127.0.0.1:"), "{log}");
    assert!(!log.contains(&password), "{log}");
}

#[test]
fn useradd_adds_to_postgres_and_a_case_variant_is_taken() {
    let Some(url) = test_pg("useradd_adds_to_postgres_and_a_case_variant_is_taken") else {
        return;
    };
    // The cluster's own database, shared with the test above: a name of
    // this run's.
    let name = format!("ua{}", std::process::id());
    let add = |username: &str| {
        let mut child = barejwt()
            .args(["useradd", username, "--bcrypt-cost", "4", "--db", &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"correct horse\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = add(&name);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["username"], name.as_str());
    assert!(stderr.contains(":***@"), "{stderr}");
    let out = add(&name.to_uppercase());
    assert_eq!(out.status.code(), Some(1), "taken");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is taken"));
}
