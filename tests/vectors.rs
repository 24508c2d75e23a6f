//! Every file in `vectors/` through the conformance runner, and the
//! runner's own behaviour as a user of `barejwt vectors` sees it.

use std::path::{Path, PathBuf};

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
