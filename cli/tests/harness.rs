//! `barejwt vectors --harness` against harnesses written for the test:
//! barejwt's own (`barejwt harness`), which must give the in-process
//! runner's verdict on every vector, and harnesses that break the
//! protocol on purpose (wrong ids, bad JSON, a crash mid-run, a hang, no
//! greeting, malformed answers), each of which must be reported clearly.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_barejwt")
}

fn barejwt(args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("the barejwt binary runs")
}

/// `barejwt vectors --json [--harness CMD] PATHS`, parsed.
fn json_report(harness: Option<&str>, paths: &[&Path], timeout: &str) -> Value {
    let mut args = vec!["vectors", "--json", "--timeout", timeout];
    if let Some(h) = harness {
        args.extend(["--harness", h]);
    }
    args.extend(paths.iter().map(|p| p.to_str().expect("utf-8 path")));
    let out = barejwt(&args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (file, id, outcome, expected, got) of every vector.
fn verdicts(report: &Value) -> Vec<(String, String, String, String, String)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().expect("string field").to_owned();
            (s("file"), s("id"), s("outcome"), s("expected"), s("got"))
        })
        .collect()
}

/// A temporary vector file, its name unique to the test; removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("barejwt-{}-{n}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Every vector of `vectors/` with its expectation turned around, so that
/// every outcome but `pass` is exercised through the protocol too.
fn inverted_vectors() -> TempFile {
    let mut all = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("vectors/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
        let stem = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        for mut v in doc["vectors"].as_array().expect("vectors").clone() {
            let obj = v.as_object_mut().expect("object");
            let id = format!("{stem}/{}", obj["id"].as_str().expect("id"));
            obj.insert("id".into(), Value::from(id));
            let kind = obj["kind"].as_str().expect("kind").to_owned();
            if let Some(t) = obj.get_mut("expect_token") {
                let s = t.as_str().expect("token").to_owned();
                *t = Value::from(format!("{}x", &s[..s.len() - 1]));
            } else if kind == "hmac" {
                let flip = if obj["expect"] == "valid" {
                    "invalid"
                } else {
                    "valid"
                };
                obj.insert("expect".into(), Value::from(flip));
            } else if obj["expect"] == "valid" {
                obj.insert("expect".into(), serde_json::json!({"error": "expired"}));
            } else if kind == "base64url" {
                obj.insert("expect".into(), Value::from("valid"));
                obj.insert("decoded_hex".into(), Value::from("00"));
            } else if obj["expect"]["error"] == "bad_signature" {
                obj.insert("expect".into(), serde_json::json!({"error": "expired"}));
            } else {
                obj.insert("expect".into(), Value::from("valid"));
            }
            all.push(v);
        }
    }
    let doc = serde_json::json!({"format": 1, "source": "inverted", "vectors": all});
    TempFile::new("inverted.json", &doc.to_string())
}

#[test]
fn barejwt_through_the_protocol_gives_the_in_process_verdict_on_every_vector() {
    let harness = format!("{} harness", bin());
    let dir = vectors_dir();
    let inverted = inverted_vectors();
    for paths in [vec![dir.as_path()], vec![inverted.0.as_path()]] {
        let direct = json_report(None, &paths, "10");
        let through = json_report(Some(&harness), &paths, "10");
        let (a, b) = (verdicts(&direct), verdicts(&through));
        assert!(a.len() > 300, "{} vectors", a.len());
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y);
        }
        assert_eq!(through["implementation"]["name"], "barejwt");
        assert_eq!(through["counts"]["harness_error"], 0);
    }
    // The inverted run fails everywhere, in more than one way.
    let through = json_report(Some(&harness), &[inverted.0.as_path()], "10");
    assert_eq!(through["passed"], 0);
    for class in ["unsafe", "refused", "wrong_code", "wrong_value"] {
        assert!(
            through["counts"][class].as_u64() > Some(0),
            "no {class}: {through:#}"
        );
    }
}

const GREET: &str = r#"echo '{"protocol":1,"name":"test","version":"0"}'"#;

/// Five small vectors: a valid and an invalid verify, a valid hmac, a
/// valid base64url and a malformed one.
fn five() -> TempFile {
    TempFile::new(
        "five.json",
        r#"{"format":1,"source":"t","vectors":[
        {"id":"v1","kind":"verify","token":"eyJhbGciOiJIUzI1NiJ9.e30.64EnKFkGQhKyxJQUTr0EjMAEdOjcjuG7WiHandh-2KQ","key_utf8":"01234567890123456789012345678901","expect":"valid"},
        {"id":"v2","kind":"verify","token":"eyJhbGciOiJub25lIn0.e30.","key_utf8":"01234567890123456789012345678901","expect":{"error":"algorithm"}},
        {"id":"h1","kind":"hmac","alg":"HS256","key_hex":"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b","msg_hex":"4869205468657265","mac_hex":"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7","expect":"valid"},
        {"id":"b1","kind":"base64url","encoded":"Zg","decoded_hex":"66","expect":"valid"},
        {"id":"b2","kind":"base64url","encoded":"Zg==","expect":{"error":"malformed"}}]}"#,
    )
}

/// Runs `--harness CMD` over the five vectors (text report).
fn run_five(harness: &str, timeout: &str) -> (String, Option<i32>) {
    let five = five();
    let out = barejwt(&[
        "vectors",
        "--timeout",
        timeout,
        "--harness",
        harness,
        five.0.to_str().expect("utf-8"),
    ]);
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        out.status.code(),
    )
}

#[test]
fn the_five_vectors_pass_through_barejwt_harness() {
    let (out, code) = run_five(&format!("{} harness", bin()), "10");
    assert!(
        out.ends_with("harness_error 0, malformed_vector 0\n5 passed, 0 failed\n"),
        "{out}"
    );
    assert_eq!(code, Some(0));
}

#[test]
fn a_response_for_another_id_is_a_harness_error() {
    let h = format!(
        r#"{GREET}; while read -r line; do echo '{{"id":"other","result":"valid"}}'; done"#
    );
    let (out, code) = run_five(&h, "10");
    assert!(out.contains("v1: harness_error: expected valid, got a response for another id: expected \"v1\", found \"other\""), "{out}");
    assert!(
        out.contains("note: restarted the harness after \"v1\""),
        "{out}"
    );
    assert!(out.contains("harness_error 5"), "{out}");
    assert!(out.ends_with("0 passed, 5 failed\n"), "{out}");
    assert_eq!(code, Some(1));
}

#[test]
fn a_line_that_is_not_json_is_a_harness_error() {
    let h = format!("{GREET}; while read -r line; do echo 'yes!'; done");
    let (out, _) = run_five(&h, "10");
    assert!(
        out.contains("v1: harness_error: expected valid, got a response that is not JSON"),
        "{out}"
    );
    assert!(out.contains("\"yes!\""), "{out}");
}

#[test]
fn a_harness_that_crashes_mid_run_is_restarted_for_the_rest() {
    // barejwt's own harness, given only the first two requests: it answers
    // them and exits, so the third vector finds it gone, and the restarted
    // harness answers the two that remain.
    let h = format!("sed -u 2q | {} harness", bin());
    let (out, code) = run_five(&h, "10");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains(": h1: harness_error: expected valid, got the harness exited")),
        "{out}"
    );
    assert!(
        out.contains("note: restarted the harness after \"h1\": the harness exited"),
        "{out}"
    );
    assert!(
        out.ends_with("harness_error 1, malformed_vector 0\n4 passed, 1 failed\n"),
        "{out}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_hung_harness_is_bounded_by_the_timeout_and_given_up() {
    let started = std::time::Instant::now();
    let (out, _) = run_five(&format!("{GREET}; sleep 60"), "0.5");
    let took = started.elapsed();
    assert!(
        out.contains("v1: harness_error: expected valid, got no answer within 0.5 s"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "note: gave up on the harness: the harness failed {} vectors in a row",
            barejwt::vectors::MAX_ERRORS_IN_A_ROW
        )),
        "{out}"
    );
    assert!(out.ends_with("0 passed, 5 failed\n"), "{out}");
    // Five waits of half a second, not five of sixty.
    assert!(took.as_secs() < 20, "{took:?}");
}

#[test]
fn a_harness_without_a_greeting_is_refused_clearly() {
    for (h, why) in [
        (
            "exit 3".to_owned(),
            "the harness exited (exit status: 3) before its greeting",
        ),
        (
            "echo '{\"protocol\":2}'".to_owned(),
            "the greeting must carry \"protocol\": 1, found 2",
        ),
        ("echo hello".to_owned(), "the greeting is not JSON"),
    ] {
        let (out, _) = run_five(&h, "2");
        assert!(out.contains(why), "{h}: {out}");
        assert!(out.contains("harness_error 5"), "{h}: {out}");
    }
}

#[test]
fn malformed_answers_are_refused_with_what_is_wrong() {
    // barejwt's harness with one part of each answer spoiled by sed.
    for (spoil, why) in [
        (
            r#"s/"result":"valid"/"result":"maybe"/"#,
            r#""result" must be "valid", "invalid" or "unsupported", found "maybe""#,
        ),
        (
            r#"s/"claims":{[^}]*},//"#,
            r#"a valid verify answer needs "claims""#,
        ),
        (
            r#"s/"code":"algorithm"/"code":"nope"/"#,
            r#""code" must be null or one of the format's error codes, found "nope""#,
        ),
        (
            r#"s/"decoded_hex":"66"/"decoded_hex":"6"/"#,
            r#""decoded_hex" is not an even-length hex string"#,
        ),
    ] {
        let h = format!("{} harness | sed -u '{spoil}'", bin());
        let (out, _) = run_five(&h, "10");
        assert!(out.contains(why), "{spoil}: {out}");
    }
}

#[test]
fn a_harness_that_accepts_everything_is_unsafe_where_it_must_refuse() {
    // Answers "valid" to every verify request, echoing its id.
    let h = format!(
        r#"{GREET}; sed -u 's/^.*[{{,]"id":"\([^"]*\)".*$/{{"id":"\1","result":"valid","claims":{{}},"header":{{}}}}/'"#
    );
    let (out, _) = run_five(&h, "10");
    assert!(
        out.contains(": v2: unsafe: expected error algorithm, got valid"),
        "{out}"
    );
    assert!(out.contains("unsafe 1,"), "{out}");
}
