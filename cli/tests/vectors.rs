//! `barejwt vectors` as its user sees it: the summary line, the exit
//! status, one line per failure, the JSON report. The runner itself is
//! tested in the library's `tests/vectors.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use barejwt::vectors::run_paths;
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

fn barejwt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_barejwt"))
        .args(args)
        .output()
        .expect("the barejwt binary runs")
}

#[test]
fn the_cli_ends_with_the_summary_line_and_exits_zero() {
    let dir = vectors_dir();
    let out = barejwt(&["vectors", dir.to_str().expect("utf-8 path")]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let last = stdout.lines().last().expect("some output");
    let expected = format!("{} passed, 0 failed", run_paths(&[dir]).passed());
    assert_eq!(last, expected);
    assert!(out.status.success());
}

#[test]
fn the_cli_prints_each_failure_and_exits_non_zero() {
    let tmp = std::env::temp_dir().join(format!("barejwt-vectors-{}.json", std::process::id()));
    std::fs::write(
        &tmp,
        r#"{"format":1,"source":"t","vectors":[
            {"id":"ok","kind":"base64url","encoded":"Zg","expect":"valid","decoded_hex":"66"},
            {"id":"wrong","kind":"base64url","encoded":"Zh","expect":"valid","decoded_hex":"66"},
            {"id":"odd","kind":"mystery"}]}"#,
    )
    .expect("temp file");
    let out = barejwt(&["vectors", tmp.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&tmp);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].contains(": wrong: expected valid, bytes 66, got error malformed"),
        "{stdout}"
    );
    assert!(
        lines[1].contains(": odd: ") && lines[1].contains("unknown kind"),
        "{stdout}"
    );
    assert_eq!(lines[2], "1 passed, 2 failed");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_cli_json_report_counts_the_same() {
    let dir = vectors_dir();
    let out = barejwt(&["vectors", "--json", dir.to_str().expect("utf-8 path")]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let expected = run_paths(&[dir]);
    assert_eq!(report["passed"], expected.passed());
    assert_eq!(report["failed"], 0);
    assert_eq!(
        report["results"].as_array().expect("results").len(),
        expected.outcomes.len()
    );
}

#[test]
fn a_missing_file_is_a_failure_naming_it() {
    let out = barejwt(&["vectors", "no/such/file.json"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(stdout.contains("no/such/file.json: -:"), "{stdout}");
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
    assert!(!out.status.success());
}

/// `barejwt vectors vectors/ | head` and the like: a reader that has gone
/// away ends the command quietly (status 2, an I/O error), for every
/// subcommand that prints on stdout. The pipe's read end is closed before
/// the command starts, so its first write fails.
#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let dir = vectors_dir();
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.2mpbnVtpCqsKXbjGpRhRM7jrfFRBz5DMgQY3LmJ5W3c";
    for args in [
        vec!["vectors", dir.to_str().expect("utf-8 path")],
        vec!["vectors", "--json", dir.to_str().expect("utf-8 path")],
        vec!["keygen"],
        vec!["decode", token],
    ] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_barejwt"))
            .args(&args)
            .stdout(writer)
            .output()
            .expect("the barejwt binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    }
}
