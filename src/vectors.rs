//! The conformance runner: runs vector files in the format of
//! `vectors/FORMAT.md` ("format 1") and reports every vector's outcome.
//!
//! A vector file is `{"format": 1, "source": "...", "vectors": [...]}`;
//! each vector has an `id`, a `kind` (`verify`, `sign`, `hmac`,
//! `base64url`) and the kind's fields. The runner is strict about the file
//! itself: an unknown `kind`, a missing or ill-typed field, an unknown
//! `validation` option, a duplicate `id` or an unknown error code is
//! reported as a failure naming the file and the vector — never skipped,
//! never a panic. Library code, so tests and fuzz targets reuse it.

use std::collections::HashSet;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::hmac::{Algorithm, Mac};
use crate::key::{HmacKey, Jwk, KeySet, KeySource, Kid};
use crate::validation::{Clock, Validation};
use crate::{base64url, decode, jws};

/// The largest vector file read (a guard against reading a disk image).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// One vector's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The file it came from.
    pub file: String,
    /// The vector's `id` (`-` when the file itself could not be read).
    pub id: String,
    /// The vector's `kind`, if known.
    pub kind: String,
    /// What the vector expects.
    pub expected: String,
    /// What happened.
    pub got: String,
    /// Whether the two agree.
    pub passed: bool,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: expected {}, got {}",
            self.file, self.id, self.expected, self.got
        )
    }
}

/// All outcomes of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every vector's outcome, in file order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// How many passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.passed).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }

    /// The failures.
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.passed)
    }

    /// The closing line: `N passed, N failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// The report as JSON, for `barejwt vectors --json`.
    pub fn to_json(&self) -> Value {
        let results: Vec<Value> = self
            .outcomes
            .iter()
            .map(|o| {
                serde_json::json!({
                    "file": o.file, "id": o.id, "kind": o.kind,
                    "expected": o.expected, "got": o.got, "passed": o.passed,
                })
            })
            .collect();
        serde_json::json!({"passed": self.passed(), "failed": self.failed(), "results": results})
    }
}

/// The vector files under `paths`: files as given, folders searched
/// recursively for `*.json`, each folder's entries in name order.
pub fn collect_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    fn walk(dir: &Path, out: &mut Vec<Result<PathBuf, (PathBuf, String)>>) {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return out.push(Err((dir.to_owned(), format!("cannot read folder: {e}")))),
        };
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(Ok(p));
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(Ok(p.clone()));
        }
    }
    out
}

/// Runs every vector file under `paths`.
pub fn run_paths(paths: &[PathBuf]) -> Report {
    let mut report = Report::default();
    for file in collect_files(paths) {
        match file {
            Ok(path) => report.outcomes.extend(run_file(&path)),
            Err((path, why)) => report
                .outcomes
                .push(file_error(&path.display().to_string(), why)),
        }
    }
    report
}

/// Runs one vector file.
pub fn run_file(path: &Path) -> Vec<Outcome> {
    let name = path.display().to_string();
    let text = std::fs::File::open(path).and_then(|f| {
        use std::io::Read;
        let mut s = String::new();
        f.take(MAX_FILE_BYTES + 1).read_to_string(&mut s)?;
        Ok(s)
    });
    match text {
        Ok(t) if t.len() as u64 > MAX_FILE_BYTES => {
            vec![file_error(
                &name,
                format!("file is larger than {MAX_FILE_BYTES} bytes"),
            )]
        }
        Ok(t) => run_str(&name, &t),
        Err(e) => vec![file_error(&name, format!("cannot read file: {e}"))],
    }
}

fn file_error(file: &str, why: String) -> Outcome {
    Outcome {
        file: file.to_owned(),
        id: "-".to_owned(),
        kind: String::new(),
        expected: "a readable vector file (format 1)".to_owned(),
        got: format!("malformed vector file: {why}"),
        passed: false,
    }
}

/// Runs the vectors of one file's text; `file` names it in the outcomes.
pub fn run_str(file: &str, text: &str) -> Vec<Outcome> {
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![file_error(file, format!("not JSON: {e}"))],
    };
    let Some(obj) = doc.as_object() else {
        return vec![file_error(file, "the file must be a JSON object".into())];
    };
    match obj.get("format") {
        Some(f) if f.as_u64() == Some(1) => {}
        Some(f) => {
            return vec![file_error(
                file,
                format!("unsupported \"format\" {f}: this runner reads format 1"),
            )];
        }
        None => return vec![file_error(file, "missing \"format\": 1".into())],
    }
    let Some(vectors) = obj.get("vectors").and_then(Value::as_array) else {
        return vec![file_error(file, "missing \"vectors\" array".into())];
    };
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(vectors.len());
    for (i, v) in vectors.iter().enumerate() {
        let id = match v.get("id") {
            Some(Value::String(id)) => id.clone(),
            _ => format!("#{i}"),
        };
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut outcome = Outcome {
            file: file.to_owned(),
            id: id.clone(),
            kind,
            expected: String::new(),
            got: String::new(),
            passed: false,
        };
        let result = if !matches!(v.get("id"), Some(Value::String(_))) {
            Err(bad(format!("vector #{i} has no string \"id\"")))
        } else if !seen.insert(id) {
            Err(bad("duplicate \"id\" in this file".into()))
        } else {
            catch_unwind(AssertUnwindSafe(|| run_vector(v))).unwrap_or_else(|_| {
                Err(Check {
                    expected: "no panic".into(),
                    got: "the runner panicked (a bug in barejwt: please report it)".into(),
                })
            })
        };
        match result {
            Ok(check) | Err(check) if check.got.is_empty() => {
                outcome.expected = check.expected;
                outcome.got = "as expected".into();
                outcome.passed = true;
            }
            Ok(check) | Err(check) => {
                outcome.expected = check.expected;
                outcome.got = check.got;
            }
        }
        out.push(outcome);
    }
    out
}

/// What a vector expected and, when it failed, what happened instead
/// (`got` empty means it passed).
struct Check {
    expected: String,
    got: String,
}

fn bad(why: String) -> Check {
    Check {
        expected: "a well-formed vector".into(),
        got: format!("malformed vector: {why}"),
    }
}

type Run = Result<Check, Check>;

fn run_vector(v: &Value) -> Run {
    let obj = v
        .as_object()
        .ok_or_else(|| bad("a vector must be a JSON object".into()))?;
    match obj.get("kind").and_then(Value::as_str) {
        Some("verify") => run_verify(obj),
        Some("sign") => run_sign(obj),
        Some("hmac") => run_hmac(obj),
        Some("base64url") => run_base64url(obj),
        Some(other) => Err(bad(format!(
            "unknown kind {other:?} (expected verify, sign, hmac or base64url)"
        ))),
        None => Err(bad("missing string \"kind\"".into())),
    }
}

fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, Check> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(bad(format!("\"{name}\" must be a string"))),
        None => Err(bad(format!("missing \"{name}\""))),
    }
}

fn hex_field(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, Check> {
    let s = str_field(obj, name)?;
    hex_decode(s).ok_or_else(|| bad(format!("\"{name}\" is not an even-length hex string")))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn alg_field(obj: &Map<String, Value>) -> Result<Algorithm, Check> {
    let name = str_field(obj, "alg")?;
    Algorithm::from_name(name)
        .ok_or_else(|| bad(format!("\"alg\" {name:?} is not HS256, HS384 or HS512")))
}

/// `"valid"`, `"invalid"` (hmac only) or `{"error": CODE}`.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Valid,
    Invalid,
    Error(String),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Valid => f.write_str("valid"),
            Expect::Invalid => f.write_str("invalid"),
            Expect::Error(code) => write!(f, "error {code}"),
        }
    }
}

fn expect_field(obj: &Map<String, Value>) -> Result<Expect, Check> {
    match obj.get("expect") {
        Some(Value::String(s)) if s == "valid" => Ok(Expect::Valid),
        Some(Value::String(s)) if s == "invalid" => Ok(Expect::Invalid),
        Some(Value::Object(o)) => match o.get("error") {
            Some(Value::String(code)) if Error::CODES.contains(&code.as_str()) => {
                Ok(Expect::Error(code.clone()))
            }
            Some(Value::String(code)) => Err(bad(format!("unknown error code {code:?}"))),
            _ => Err(bad("\"expect\" object must be {\"error\": CODE}".into())),
        },
        Some(other) => Err(bad(format!(
            "\"expect\" must be \"valid\" or {{\"error\": CODE}}, found {other}"
        ))),
        None => Err(bad("missing \"expect\"".into())),
    }
}

/// Compares an expectation with a result; `detail` is the error message.
fn verdict(expect: &Expect, got: Result<(), &Error>) -> Run {
    let expected = expect.to_string();
    let got = match (expect, got) {
        (Expect::Valid, Ok(())) => String::new(),
        (Expect::Error(code), Err(e)) if e.code() == code => String::new(),
        (_, Ok(())) => "valid".into(),
        (_, Err(e)) => format!("error {} ({e})", e.code()),
    };
    Ok(Check { expected, got })
}

/// The key fields: exactly one of `key`, `jwks`, `key_utf8`, `key_hex`.
enum KeyMaterial {
    Jwk(Box<Jwk>),
    Set(KeySet),
}

impl KeySource for KeyMaterial {
    fn key_for(&self, alg: Algorithm, kid: Kid<'_>) -> Result<&HmacKey, Error> {
        match self {
            KeyMaterial::Jwk(k) => k.key_for(alg, kid),
            KeyMaterial::Set(s) => s.key_for(alg, kid),
        }
    }
}

fn key_material(obj: &Map<String, Value>) -> Result<KeyMaterial, Check> {
    let present: Vec<&str> = ["key", "jwks", "key_utf8", "key_hex"]
        .into_iter()
        .filter(|k| obj.contains_key(*k))
        .collect();
    match present.as_slice() {
        ["key"] => Jwk::from_value(&obj["key"])
            .map(|k| KeyMaterial::Jwk(Box::new(k)))
            .map_err(|e| bad(format!("\"key\": {e}"))),
        ["jwks"] => KeySet::from_value(&obj["jwks"])
            .map(KeyMaterial::Set)
            .map_err(|e| bad(format!("\"jwks\": {e}"))),
        ["key_utf8"] => Ok(KeyMaterial::Jwk(Box::new(Jwk::from_secret(
            str_field(obj, "key_utf8")?.as_bytes(),
            None,
            None,
        )))),
        ["key_hex"] => Ok(KeyMaterial::Jwk(Box::new(Jwk::from_secret(
            &hex_field(obj, "key_hex")?,
            None,
            None,
        )))),
        [] => Err(bad(
            "no key: one of \"key\", \"jwks\", \"key_utf8\", \"key_hex\" is required".into(),
        )),
        many => Err(bad(format!("more than one key field: {many:?}"))),
    }
}

fn validation_field(obj: &Map<String, Value>) -> Result<Validation, Check> {
    let mut v = Validation::default();
    if let Some(now) = obj.get("now") {
        let now = now
            .as_i64()
            .ok_or_else(|| bad("\"now\" must be whole seconds since the epoch".into()))?;
        v.clock = Clock::Fixed(now);
    }
    let Some(opts) = obj.get("validation") else {
        return Ok(v);
    };
    let opts = opts
        .as_object()
        .ok_or_else(|| bad("\"validation\" must be an object".into()))?;
    let string = |name: &str, val: &Value| -> Result<String, Check> {
        val.as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("validation.{name} must be a string")))
    };
    for (name, val) in opts {
        match name.as_str() {
            "algorithms" => {
                let list = val.as_array().ok_or_else(|| {
                    bad("validation.algorithms must be an array of strings".into())
                })?;
                let mut algs = Vec::new();
                for a in list {
                    let a = a.as_str().ok_or_else(|| {
                        bad("validation.algorithms must be an array of strings".into())
                    })?;
                    // Names barejwt does not implement ("none", "RS256")
                    // cannot be accepted; listing them changes nothing.
                    algs.extend(Algorithm::from_name(a));
                }
                v.algorithms = algs;
            }
            "leeway" => {
                v.leeway = val
                    .as_u64()
                    .ok_or_else(|| bad("validation.leeway must be a non-negative integer".into()))?
            }
            "iss" => v.iss = Some(string(name, val)?),
            "aud" => v.aud = Some(string(name, val)?),
            "sub" => v.sub = Some(string(name, val)?),
            "typ" => v.typ = Some(string(name, val)?),
            "required" => {
                let list = val
                    .as_array()
                    .ok_or_else(|| bad("validation.required must be an array of strings".into()))?;
                v.required = list
                    .iter()
                    .map(|c| string(name, c))
                    .collect::<Result<_, _>>()?;
            }
            "allow_weak_keys" => {
                v.allow_weak_keys = val
                    .as_bool()
                    .ok_or_else(|| bad("validation.allow_weak_keys must be a boolean".into()))?
            }
            "max_token_bytes" => {
                v.max_token_bytes = val
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        bad("validation.max_token_bytes must be a non-negative integer".into())
                    })?
            }
            other => return Err(bad(format!("unknown validation option {other:?}"))),
        }
    }
    Ok(v)
}

fn run_verify(obj: &Map<String, Value>) -> Run {
    let token = str_field(obj, "token")?;
    let keys = key_material(obj)?;
    let v = validation_field(obj)?;
    let expect = expect_field(obj)?;
    if expect == Expect::Invalid {
        return Err(bad(
            "\"expect\": \"invalid\" is for hmac vectors; use {\"error\": CODE}".into(),
        ));
    }
    let result = decode::<Box<RawValue>, _>(token, &keys, &v);
    let check = verdict(&expect, result.as_ref().map(|_| ()))?;
    if !check.got.is_empty() {
        return Ok(check);
    }
    let Ok(verified) = result else {
        return Ok(check);
    };
    let mismatch = |what: &str, want: &Value, got: &Value| Check {
        expected: format!("{what} {want}"),
        got: format!("{what} {got}"),
    };
    if let Some(want) = obj.get("claims") {
        let got: Value = serde_json::from_str(verified.claims.get()).unwrap_or(Value::Null);
        if &got != want {
            return Ok(mismatch("claims", want, &got));
        }
    }
    if let Some(want) = obj.get("header") {
        let got = jws::inspect(token.as_bytes())
            .map(|i| i.header)
            .unwrap_or(Value::Null);
        if &got != want {
            return Ok(mismatch("header", want, &got));
        }
    }
    Ok(check)
}

fn run_sign(obj: &Map<String, Value>) -> Run {
    let alg = alg_field(obj)?;
    let header_b64 = match (obj.get("header_json"), obj.get("header_b64u")) {
        (Some(_), None) => base64url::encode(str_field(obj, "header_json")?.as_bytes()),
        (None, Some(_)) => str_field(obj, "header_b64u")?.to_owned(),
        _ => {
            return Err(bad(
                "exactly one of \"header_json\" and \"header_b64u\" is required".into(),
            ));
        }
    };
    let payload_b64 = match (obj.get("payload_json"), obj.get("payload_b64u")) {
        (Some(_), None) => base64url::encode(str_field(obj, "payload_json")?.as_bytes()),
        (None, Some(_)) => str_field(obj, "payload_b64u")?.to_owned(),
        _ => {
            return Err(bad(
                "exactly one of \"payload_json\" and \"payload_b64u\" is required".into(),
            ));
        }
    };
    let expect = match (obj.get("expect_token"), obj.get("expect")) {
        (Some(_), _) => SignExpect::Token(str_field(obj, "expect_token")?.to_owned()),
        (None, Some(_)) => match expect_field(obj)? {
            Expect::Error(code) => SignExpect::Error(code),
            _ => {
                return Err(bad(
                    "a sign vector expects \"expect_token\" or {\"error\": CODE}".into(),
                ));
            }
        },
        (None, None) => return Err(bad("missing \"expect_token\" or \"expect\"".into())),
    };
    let allow_weak = obj
        .get("allow_weak_keys")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || validation_field(obj)?.allow_weak_keys;
    let result = sign_with(obj, alg, allow_weak, &header_b64, &payload_b64);
    let (expected, got) = match (&expect, &result) {
        (SignExpect::Token(want), Ok(t)) if t == want => (format!("token {want}"), String::new()),
        (SignExpect::Token(want), Ok(t)) => (format!("token {want}"), format!("token {t}")),
        (SignExpect::Token(want), Err(e)) => {
            (format!("token {want}"), format!("error {} ({e})", e.code()))
        }
        (SignExpect::Error(code), Err(e)) if e.code() == code => {
            (format!("error {code}"), String::new())
        }
        (SignExpect::Error(code), Err(e)) => {
            (format!("error {code}"), format!("error {} ({e})", e.code()))
        }
        (SignExpect::Error(code), Ok(t)) => (format!("error {code}"), format!("token {t}")),
    };
    Ok(Check { expected, got })
}

enum SignExpect {
    Token(String),
    Error(String),
}

fn sign_with(
    obj: &Map<String, Value>,
    alg: Algorithm,
    allow_weak: bool,
    header: &str,
    payload: &str,
) -> Result<String, Error> {
    let keys = key_material(obj).map_err(|c| Error::MalformedKey { reason: c.got })?;
    // The signer's key: the one key, or the set's key for the header's kid.
    let kid_text;
    let kid = match &keys {
        KeyMaterial::Jwk(_) => Kid::Absent,
        KeyMaterial::Set(_) => {
            let h = base64url::decode(header.as_bytes()).unwrap_or_default();
            kid_text = serde_json::from_slice::<Value>(&h)
                .ok()
                .and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned));
            kid_text.as_deref().map_or(Kid::Absent, Kid::Text)
        }
    };
    let key = keys.key_for(alg, kid)?;
    if !allow_weak {
        key.check_strength()?;
    }
    jws::sign_encoded(header, payload, key)
}

fn run_hmac(obj: &Map<String, Value>) -> Run {
    let alg = alg_field(obj)?;
    let key = hex_field(obj, "key_hex")?;
    let msg = hex_field(obj, "msg_hex")?;
    let tag = hex_field(obj, "mac_hex")?;
    if tag.len() < 10 {
        return Err(bad(format!(
            "\"mac_hex\" is {} bytes; a tag may not be shorter than 10 bytes (RFC 2104 §5)",
            tag.len()
        )));
    }
    let expect = expect_field(obj)?;
    let matches = Mac::new(alg, &key).verify_truncated(&msg, &tag);
    let got = match (&expect, matches) {
        (Expect::Valid, true) | (Expect::Invalid, false) => String::new(),
        (_, true) => "a matching tag".into(),
        (_, false) => "a different tag".into(),
    };
    if let Expect::Error(_) = expect {
        return Err(bad("an hmac vector expects \"valid\" or \"invalid\"".into()));
    }
    Ok(Check {
        expected: expect.to_string(),
        got,
    })
}

fn run_base64url(obj: &Map<String, Value>) -> Run {
    let encoded = str_field(obj, "encoded")?;
    let expect = expect_field(obj)?;
    let decoded = base64url::decode(encoded.as_bytes());
    match expect {
        Expect::Valid => {
            let want = hex_field(obj, "decoded_hex")?;
            let got = match decoded {
                Err(e) => format!("error malformed ({e})"),
                Ok(bytes) if bytes != want => format!("bytes {}", hex(&bytes)),
                Ok(_) if base64url::encode(&want) != encoded => {
                    format!("an encoder output of {:?}", base64url::encode(&want))
                }
                Ok(_) => String::new(),
            };
            Ok(Check {
                expected: format!("valid, bytes {}", hex(&want)),
                got,
            })
        }
        Expect::Error(code) if code == "malformed" => Ok(Check {
            expected: "error malformed".into(),
            got: match decoded {
                Ok(bytes) => format!("valid, bytes {}", hex(&bytes)),
                Err(_) => String::new(),
            },
        }),
        other => Err(bad(format!(
            "a base64url vector expects \"valid\" or {{\"error\": \"malformed\"}}, found {other}"
        ))),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
