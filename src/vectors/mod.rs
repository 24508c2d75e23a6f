//! The conformance runner: runs vector files in the format of
//! `vectors/FORMAT.md` ("format 1") and reports every vector's outcome.
//!
//! A vector file is `{"format": 1, "source": "...", "vectors": [...]}`;
//! each vector has an `id`, a `kind` (`verify`, `sign`, `hmac`,
//! `base64url`) and the kind's fields. The runner is strict about the file
//! itself: an unknown `kind`, a missing or ill-typed field, an unknown
//! `validation` option, a duplicate `id` or an unknown error code is
//! reported as a failure naming the file and the vector — never skipped,
//! never a panic.
//!
//! | file | concept |
//! | --- | --- |
//! | `files.rs` | the paths named, folders searched for `*.json`, a size cap |
//! | `run.rs` | one file: its shape, one verdict per vector, panics caught |
//! | `fields.rs` | reading a vector's fields, each checked for its type |
//! | `kinds.rs` | barejwt's answer to each kind, against the expectation |
//! | `report.rs` | the outcomes, the failure lines, `N passed, N failed` |

mod fields;
mod files;
mod kinds;
mod report;
mod run;

use std::path::PathBuf;

pub use report::{Outcome, Report};

/// Runs every vector file under `paths`: files as given, folders searched
/// recursively for `*.json` in name order.
pub fn run_paths(paths: &[PathBuf]) -> Report {
    let mut report = Report::default();
    for file in files::collect(paths) {
        match file {
            Ok(path) => report.outcomes.extend(run::run_file(&path)),
            Err((path, why)) => report
                .outcomes
                .push(Outcome::file_error(&path.display().to_string(), why)),
        }
    }
    report
}

/// Runs the vectors of one file's text; `file` names it in the outcomes.
///
/// Public beside [`run_paths`] for vector sets that are not files: one
/// generated or altered in memory (the tests turn every expectation of
/// `vectors/` around this way and check that each vector then fails).
pub fn run_str(file: &str, text: &str) -> Vec<Outcome> {
    run::run_str(file, text)
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
