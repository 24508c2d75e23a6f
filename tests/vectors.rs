//! Every file in `vectors/` through the conformance runner, and the
//! runner's own behaviour as a user of `barejwt vectors` sees it.

use std::path::{Path, PathBuf};
use std::process::Command;

use barejwt::vectors::{Report, run_paths, run_str};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

fn vector_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("vectors/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn assert_all_pass(report: &Report) {
    let failures: Vec<String> = report.failures().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} failing vectors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_vector_file_passes() {
    let files = vector_files();
    assert!(
        files.len() >= 4,
        "expected the reference files, found {files:?}"
    );
    for file in files {
        let report = run_paths(std::slice::from_ref(&file));
        assert!(report.passed() > 0, "{} ran no vector", file.display());
        assert_all_pass(&report);
    }
}

#[test]
fn the_reference_sets_cover_every_kind() {
    let report = run_paths(&[vectors_dir()]);
    for kind in ["verify", "sign", "hmac", "base64url"] {
        assert!(
            report.outcomes.iter().any(|o| o.kind == kind),
            "no {kind} vector in vectors/"
        );
    }
}

/// The runner must be able to fail: turn every expectation of the real
/// files around and check that each vector then fails.
#[test]
fn inverted_expectations_fail_every_vector() {
    for file in vector_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let mut doc: Value = serde_json::from_str(&text).expect("JSON");
        let vectors = doc["vectors"].as_array_mut().expect("vectors array");
        let n = vectors.len();
        for v in vectors.iter_mut() {
            let obj = v.as_object_mut().expect("object");
            if let Some(t) = obj.get_mut("expect_token") {
                // A different, well-formed token.
                let s = t.as_str().expect("string").to_owned();
                *t = Value::String(format!("{}x", &s[..s.len() - 1]));
                continue;
            }
            let kind = obj["kind"].as_str().expect("kind").to_owned();
            let flipped = match (kind.as_str(), &obj["expect"]) {
                ("hmac", Value::String(s)) if s == "valid" => Value::from("invalid"),
                ("hmac", _) => Value::from("valid"),
                (_, Value::String(_)) => serde_json::json!({"error": "malformed"}),
                ("base64url", _) => {
                    obj.insert("decoded_hex".into(), Value::from(""));
                    Value::from("valid")
                }
                (_, Value::Object(e)) if e["error"] == "bad_signature" => {
                    serde_json::json!({"error": "expired"})
                }
                _ => serde_json::json!({"error": "bad_signature"}),
            };
            // A valid vector whose "malformed" flip would be the answer
            // cannot exist: it was valid. Likewise for the others.
            obj.insert("expect".into(), flipped);
        }
        let report = run_str(&file.display().to_string(), &doc.to_string());
        assert_eq!(report.len(), n);
        let passed: Vec<_> = report
            .iter()
            .filter(|o| o.passed)
            .map(|o| o.id.clone())
            .collect();
        assert!(
            passed.is_empty(),
            "{}: inverted vectors still passed: {passed:?}",
            file.display()
        );
    }
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
