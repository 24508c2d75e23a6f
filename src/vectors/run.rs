//! Running a vector file against one implementation: the file's shape
//! (`format`, `vectors`, unique `id`s), each vector read into its inputs
//! and its expectation, the implementation's answer, and the class the
//! runner makes of it. barejwt in process and a harness behind the
//! protocol are two [`Responder`]s of the same loop.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Map, Value};

use super::answer::{self, Answer};
use super::classify::{Class, classify};
use super::fields::{BadVector, bad};
use super::protocol::ProtocolError;
use super::report::Outcome;
use super::vector::{self, Inputs, Kind};

/// Something that answers vectors: barejwt itself, or a harness.
pub(crate) trait Responder {
    /// The answer to one vector, whose `request` is what the protocol
    /// sends and `inputs` the same fields already read. `Err` when the
    /// answer could not be had (the harness broke the protocol).
    fn answer(
        &mut self,
        kind: Kind,
        id: &str,
        request: &Value,
        inputs: &Inputs,
    ) -> Result<Answer, ProtocolError>;
}

/// barejwt, in this process.
pub(crate) struct InProcess;

impl Responder for InProcess {
    fn answer(
        &mut self,
        _: Kind,
        _: &str,
        _: &Value,
        inputs: &Inputs,
    ) -> Result<Answer, ProtocolError> {
        catch_unwind(AssertUnwindSafe(|| answer::barejwt(inputs))).map_err(|_| {
            ProtocolError("barejwt panicked (a bug in barejwt: please report it)".into())
        })
    }
}

/// Runs the vectors of one file's text; `file` names it in the outcomes.
pub(crate) fn run_str(file: &str, text: &str, responder: &mut dyn Responder) -> Vec<Outcome> {
    let vectors = match vector_list(text) {
        Ok(v) => v,
        Err(why) => return vec![Outcome::file_error(file, why)],
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(vectors.len());
    for (i, v) in vectors.iter().enumerate() {
        let id = match v.get("id") {
            Some(Value::String(id)) => Some(id.clone()),
            _ => None,
        };
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
        let (class, expected, got) = match &id {
            None => malformed(bad(format!("vector #{i} has no string \"id\""))),
            Some(id) if !seen.insert(id.clone()) => malformed(bad("duplicate \"id\" in this file")),
            Some(id) => match v.as_object() {
                None => malformed(bad("a vector must be a JSON object")),
                Some(obj) => run_vector(id, obj, responder),
            },
        };
        out.push(Outcome {
            file: file.to_owned(),
            id: id.unwrap_or_else(|| format!("#{i}")),
            kind: kind.to_owned(),
            expected,
            got,
            passed: class == Class::Pass,
            class,
        });
    }
    out
}

fn malformed(BadVector(why): BadVector) -> (Class, String, String) {
    (
        Class::MalformedVector,
        "a well-formed vector".into(),
        format!("malformed vector: {why}"),
    )
}

/// One vector: read it whole (a malformed vector is never sent), ask,
/// classify.
fn run_vector(
    id: &str,
    obj: &Map<String, Value>,
    responder: &mut dyn Responder,
) -> (Class, String, String) {
    let read = Kind::of(obj).and_then(|kind| {
        let inputs = vector::inputs(kind, obj)?;
        Ok((kind, inputs, vector::expected(kind, obj)?))
    });
    let (kind, inputs, expected) = match read {
        Ok(r) => r,
        Err(e) => return malformed(e),
    };
    let request = super::protocol::request(obj);
    match responder.answer(kind, id, &request, &inputs) {
        Ok(answer) => classify(kind, &expected, &answer),
        Err(ProtocolError(why)) => (
            Class::HarnessError,
            super::classify::expected_text(kind, &expected),
            why,
        ),
    }
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
