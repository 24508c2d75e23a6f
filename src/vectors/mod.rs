//! The conformance runner: runs vector files in the format of
//! `vectors/FORMAT.md` ("format 1") against barejwt, or against another
//! implementation through its harness (`vectors/HARNESS.md`, the harness
//! protocol), and reports every vector's outcome.
//!
//! A vector file is `{"format": 1, "source": "...", "vectors": [...]}`;
//! each vector has an `id`, a `kind` (`verify`, `sign`, `hmac`,
//! `base64url`) and the kind's fields. The runner is strict about the file
//! itself: an unknown `kind`, a missing or ill-typed field, an unknown
//! `validation` option, a duplicate `id` or an unknown error code is
//! reported as a failure naming the file and the vector — never skipped,
//! never a panic, and never sent to a harness.
//!
//! | file | concept |
//! | --- | --- |
//! | `files.rs` | the paths named, folders searched for `*.json`, a size cap |
//! | `fields.rs` | reading a vector's fields, each checked for its type |
//! | `vector.rs` | a vector as inputs (what is sent) and expectation (what is kept) |
//! | `answer.rs` | barejwt's answer to each kind |
//! | `classify.rs` | an answer against the expectation: `pass`, `unsafe`, … |
//! | `protocol.rs` | the harness protocol's greeting, requests and responses |
//! | `harness.rs` | a harness as a child process: time limits, restarts |
//! | `run.rs` | one file against one implementation |
//! | `report.rs` | the outcomes, the failure lines, `N passed, N failed` |

mod answer;
mod classify;
mod fields;
mod files;
mod harness;
mod protocol;
mod report;
mod run;
mod vector;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

pub use classify::Class;
pub use harness::{DEFAULT_TIMEOUT, MAX_ERRORS_IN_A_ROW, MAX_LINE_BYTES};
pub use protocol::{Implementation, PROTOCOL};
pub use report::{Outcome, Report};

/// barejwt as the reports name it.
pub fn barejwt() -> Implementation {
    Implementation {
        name: "barejwt".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Every vector file under `paths` through `responder`.
fn run_all(paths: &[PathBuf], responder: &mut dyn run::Responder) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for file in files::collect(paths) {
        match file {
            Ok(path) => {
                let name = path.display().to_string();
                match files::read(&path) {
                    Ok(text) => outcomes.extend(run::run_str(&name, &text, responder)),
                    Err(why) => outcomes.push(Outcome::file_error(&name, why)),
                }
            }
            Err((path, why)) => {
                outcomes.push(Outcome::file_error(&path.display().to_string(), why))
            }
        }
    }
    outcomes
}

/// Runs every vector file under `paths` against barejwt: files as given,
/// folders searched recursively for `*.json` in name order.
pub fn run_paths(paths: &[PathBuf]) -> Report {
    Report {
        outcomes: run_all(paths, &mut run::InProcess),
        implementation: Some(barejwt()),
        notes: Vec::new(),
    }
}

/// Runs the vectors of one file's text against barejwt; `file` names it
/// in the outcomes.
///
/// Public beside [`run_paths`] for vector sets that are not files: one
/// generated or altered in memory (the tests turn every expectation of
/// `vectors/` around this way and check that each vector then fails).
pub fn run_str(file: &str, text: &str) -> Vec<Outcome> {
    run::run_str(file, text, &mut run::InProcess)
}

/// Runs every vector file under `paths` against the implementation behind
/// the harness `command` (a shell command line), each answer awaited at
/// most `timeout` ([`DEFAULT_TIMEOUT`] is the protocol's 10 s).
pub fn run_harness(command: &str, paths: &[PathBuf], timeout: Duration) -> Report {
    let mut harness = harness::Harness::new(command, timeout);
    let outcomes = run_all(paths, &mut harness);
    harness.finish();
    Report {
        outcomes,
        implementation: harness.implementation.take(),
        notes: std::mem::take(&mut harness.notes),
    }
}

/// The greeting barejwt's own harness (`barejwt harness`) writes first.
pub fn harness_greeting() -> Value {
    let me = barejwt();
    protocol::greeting(&me.name, &me.version)
}

/// barejwt's response to one request line of the harness protocol, as
/// `barejwt harness` writes it: the same answer the in-process runner
/// classifies. A request that cannot be read as a vector's inputs is
/// answered `unsupported`, saying why.
pub fn answer_request(request: &[u8]) -> Value {
    let parsed: Result<Value, _> = serde_json::from_slice(request);
    let Ok(Value::Object(obj)) = parsed else {
        return serde_json::json!({"id": null, "result": "unsupported",
            "message": "the request is not a JSON object"});
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let read = vector::Kind::of(&obj).and_then(|kind| Ok((kind, vector::inputs(kind, &obj)?)));
    match read {
        Ok((kind, inputs)) => {
            let answer = answer::barejwt(&inputs);
            protocol::response(kind, &id, &answer)
        }
        Err(fields::BadVector(why)) => serde_json::json!({"id": id, "result": "unsupported",
            "message": format!("a malformed request: {why}")}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(vectors: &str) -> Vec<Outcome> {
        run_str(
            "t.json",
            &format!(r#"{{"format":1,"source":"test","vectors":{vectors}}}"#),
        )
    }

    #[test]
    fn a_wrong_expectation_fails() {
        let out =
            run(r#"[{"id":"a","kind":"base64url","encoded":"Zg","expect":{"error":"malformed"}}]"#);
        assert!(!out[0].passed);
        assert_eq!(
            out[0].to_string(),
            "t.json: a: expected error malformed, got valid, bytes 66"
        );
    }

    #[test]
    fn malformed_files_and_vectors_are_reported_not_skipped() {
        for (text, why) in [
            ("not json", "not JSON"),
            ("[]", "JSON object"),
            (r#"{"format":2,"vectors":[]}"#, "unsupported"),
            (r#"{"format":1}"#, "vectors"),
        ] {
            let out = run_str("f.json", text);
            assert_eq!(out.len(), 1);
            assert!(!out[0].passed && out[0].got.contains(why), "{:?}", out[0]);
        }
        let out = run(
            r#"[{"id":"x","kind":"jwe"},{"kind":"hmac"},{"id":"y","kind":"hmac","alg":"HS256"},
            {"id":"z","kind":"base64url","encoded":"Zg","expect":"valid","decoded_hex":"66"},
            {"id":"z","kind":"base64url","encoded":"Zg","expect":"valid","decoded_hex":"66"}]"#,
        );
        assert_eq!(
            out.iter().map(|o| o.passed).collect::<Vec<_>>(),
            [false, false, false, true, false]
        );
        assert!(out[0].got.contains("unknown kind"));
        assert_eq!(out[1].id, "#1");
        assert!(out[2].got.contains("key_hex"));
        assert!(out[4].got.contains("duplicate"));
    }

    #[test]
    fn unknown_validation_options_and_codes_are_refused() {
        let out = run(
            r#"[{"id":"a","kind":"verify","token":"a.b.c","key_utf8":"k","validation":{"issuer":"x"},"expect":"valid"},
            {"id":"b","kind":"verify","token":"a.b.c","key_utf8":"k","expect":{"error":"nope"}}]"#,
        );
        assert!(out[0].got.contains("unknown validation option"));
        assert!(out[1].got.contains("unknown error code"));
    }

    #[test]
    fn short_hmac_tags_are_refused() {
        let out = run(
            r#"[{"id":"a","kind":"hmac","alg":"HS256","key_hex":"00","msg_hex":"","mac_hex":"0011","expect":"valid"}]"#,
        );
        assert!(out[0].got.contains("10 bytes"));
    }
}
