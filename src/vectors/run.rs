//! Running a vector file in process: the file's shape (`format`,
//! `vectors`, unique `id`s), one [`Verdict`] per vector from the runner
//! of its `kind` (`kinds.rs`), and a caught panic reported as a bug
//! rather than ending the run.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use serde_json::Value;

use super::fields::{BadVector, bad};
use super::report::Outcome;
use super::{files, kinds};

/// What a vector expected, and whether barejwt did it.
pub(crate) enum Verdict {
    /// barejwt did what the vector says.
    Pass {
        /// What the vector expects, as the report shows it.
        expected: String,
    },
    /// barejwt did something else.
    Fail {
        /// What the vector expects.
        expected: String,
        /// What barejwt did instead.
        got: String,
    },
}

impl Verdict {
    /// `Pass` when `got` is `None`.
    pub(crate) fn new(expected: String, got: Option<String>) -> Verdict {
        match got {
            None => Verdict::Pass { expected },
            Some(got) => Verdict::Fail { expected, got },
        }
    }
}

/// Runs one vector file.
pub(crate) fn run_file(path: &Path) -> Vec<Outcome> {
    let name = path.display().to_string();
    match files::read(path) {
        Ok(text) => run_str(&name, &text),
        Err(why) => vec![Outcome::file_error(&name, why)],
    }
}

/// Runs the vectors of one file's text; `file` names it in the outcomes.
pub(crate) fn run_str(file: &str, text: &str) -> Vec<Outcome> {
    let vectors = match vector_list(text) {
        Ok(v) => v,
        Err(why) => return vec![Outcome::file_error(file, why)],
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(vectors.len());
    for (i, v) in vectors.iter().enumerate() {
        let id = match v.get("id") {
            Some(Value::String(id)) => id.clone(),
            _ => format!("#{i}"),
        };
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
        let result = if !matches!(v.get("id"), Some(Value::String(_))) {
            Err(bad(format!("vector #{i} has no string \"id\"")))
        } else if !seen.insert(id.clone()) {
            Err(bad("duplicate \"id\" in this file"))
        } else {
            catch_unwind(AssertUnwindSafe(|| run_vector(v))).unwrap_or_else(|_| {
                Ok(Verdict::Fail {
                    expected: "no panic".into(),
                    got: "the runner panicked (a bug in barejwt: please report it)".into(),
                })
            })
        };
        let (expected, got) = match result {
            Ok(Verdict::Pass { expected }) => (expected, None),
            Ok(Verdict::Fail { expected, got }) => (expected, Some(got)),
            Err(BadVector(why)) => (
                "a well-formed vector".into(),
                Some(format!("malformed vector: {why}")),
            ),
        };
        out.push(Outcome {
            file: file.to_owned(),
            id,
            kind: kind.to_owned(),
            expected,
            passed: got.is_none(),
            got: got.unwrap_or_else(|| "as expected".into()),
        });
    }
    out
}

/// The `vectors` array of a format-1 file, or why the file is not one.
pub(crate) fn vector_list(text: &str) -> Result<Vec<Value>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(mut obj) = doc else {
        return Err("the file must be a JSON object".into());
    };
    match obj.get("format") {
        Some(f) if f.as_u64() == Some(1) => {}
        Some(f) => {
            return Err(format!(
                "unsupported \"format\" {f}: this runner reads format 1"
            ));
        }
        None => return Err("missing \"format\": 1".into()),
    }
    match obj.remove("vectors") {
        Some(Value::Array(vectors)) => Ok(vectors),
        _ => Err("missing \"vectors\" array".into()),
    }
}

fn run_vector(v: &Value) -> Result<Verdict, BadVector> {
    let obj = v
        .as_object()
        .ok_or_else(|| bad("a vector must be a JSON object"))?;
    match obj.get("kind").and_then(Value::as_str) {
        Some("verify") => kinds::verify(obj),
        Some("sign") => kinds::sign(obj),
        Some("hmac") => kinds::hmac(obj),
        Some("base64url") => kinds::base64url(obj),
        Some(other) => Err(bad(format!(
            "unknown kind {other:?} (expected verify, sign, hmac or base64url)"
        ))),
        None => Err(bad("missing string \"kind\"")),
    }
}
