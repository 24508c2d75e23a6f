//! The harness protocol (vectors/HARNESS.md, version 1), shared by the
//! Rust harnesses: the greeting, one response line per request line, and
//! the helpers every harness needs (the key fields, unsupported options).

use std::io::{BufRead, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// An answer: the response's fields without `id`.
pub type Answer = Result<Value, Refusal>;

/// Why there is no "valid" answer.
pub enum Refusal {
    /// The library refused, with a code where its error names the rule.
    Invalid(Option<&'static str>, String),
    /// The library has no way to express the vector.
    Unsupported(String),
}

pub fn unsupported<T>(why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::Unsupported(why.into()))
}

/// The key of a single-key vector as bytes (`key_utf8`, `key_hex`, a JWK's `k`).
pub fn secret(req: &Value) -> Result<Vec<u8>, Refusal> {
    if let Some(k) = req["key_utf8"].as_str() {
        return Ok(k.as_bytes().to_vec());
    }
    if let Some(k) = req["key_hex"].as_str() {
        return hex(k);
    }
    if let Some(k) = req["key"]["k"].as_str() {
        return URL_SAFE_NO_PAD
            .decode(k)
            .map_err(|e| Refusal::Invalid(None, format!("JWK k: {e}")));
    }
    unsupported("no single key")
}

pub fn hex(text: &str) -> Result<Vec<u8>, Refusal> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<Result<_, _>>()
        .map_err(|e| Refusal::Unsupported(format!("hex: {e}")))
}

/// Refuses a vector that sets a validation option outside `supported`.
pub fn check_validation(req: &Value, supported: &[&str]) -> Result<(), Refusal> {
    let extra: Vec<&String> = req["validation"]
        .as_object()
        .map(|v| {
            v.keys()
                .filter(|k| !supported.contains(&k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if extra.is_empty() {
        Ok(())
    } else {
        unsupported(format!("cannot apply validation {extra:?}"))
    }
}

/// The payload segment read without verification, to see which claims
/// the token carries (never to decide a verdict).
pub fn peek_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// Greets, then answers each request line until stdin closes.
pub fn serve(name: &str, version: &str, answer: impl Fn(&Value) -> Answer) {
    let mut out = std::io::stdout().lock();
    let greeting = json!({"protocol": 1, "name": name, "version": version});
    if writeln!(out, "{greeting}")
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        let req: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let mut resp = match answer(&req) {
            Ok(v) => v,
            Err(Refusal::Unsupported(m)) => json!({"result": "unsupported", "message": m}),
            Err(Refusal::Invalid(_, m)) if req["kind"] == "base64url" => {
                json!({"result": "invalid", "message": m})
            }
            Err(Refusal::Invalid(_, _)) if req["kind"] == "hmac" => json!({"result": "invalid"}),
            Err(Refusal::Invalid(code, m)) => {
                json!({"result": "invalid", "code": code, "message": m})
            }
        };
        resp["id"] = req["id"].clone();
        if writeln!(out, "{resp}").and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}
