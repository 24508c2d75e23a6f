//! The harness protocol's messages (`vectors/HARNESS.md`, version 1): the
//! greeting, a request (the vector without its expectation), and a
//! response read strictly — a response that is not exactly what the
//! protocol says is a [`ProtocolError`], never a guess.

use serde_json::{Map, Value, json};

use super::answer::Answer;
use super::vector::{EXPECTATION_FIELDS, Kind, Values};
use crate::error::Error;
use crate::hex;

/// The protocol version this runner speaks.
pub const PROTOCOL: u64 = 1;

/// Who answered: the greeting's `name` and `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    /// The implementation's name, as its harness gives it ("PyJWT").
    pub name: String,
    /// Its version ("2.10.1").
    pub version: String,
}

/// A message from a harness that breaks the protocol; its text says how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProtocolError(pub(crate) String);

fn broken(why: impl Into<String>) -> ProtocolError {
    ProtocolError(why.into())
}

/// `{"protocol": 1, "name": "…", "version": "…"}`.
pub(crate) fn greeting(name: &str, version: &str) -> Value {
    json!({"protocol": PROTOCOL, "name": name, "version": version})
}

/// Reads a greeting line.
pub(crate) fn parse_greeting(line: &[u8]) -> Result<Implementation, ProtocolError> {
    let v: Value = serde_json::from_slice(line)
        .map_err(|e| broken(format!("the greeting is not JSON ({e}): {}", shown(line))))?;
    let protocol = v.get("protocol").and_then(Value::as_u64);
    if protocol != Some(PROTOCOL) {
        return Err(broken(format!(
            "the greeting must carry \"protocol\": {PROTOCOL}, found {}",
            v.get("protocol").map_or("none".into(), ToString::to_string)
        )));
    }
    let text = |name: &str| match v.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(broken(format!("the greeting has no string \"{name}\""))),
    };
    Ok(Implementation {
        name: text("name")?,
        version: text("version")?,
    })
}

/// The request for a vector: the vector itself, its expectation removed.
pub(crate) fn request(vector: &Map<String, Value>) -> Value {
    let mut req = vector.clone();
    for field in EXPECTATION_FIELDS {
        req.remove(field);
    }
    Value::Object(req)
}

/// A line shortened for a message (a harness's output is not trusted).
fn shown(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        s.push('…');
    }
    format!("{s:?}")
}

/// Reads the response to the request for `id`, of kind `kind`.
pub(crate) fn parse_response(kind: Kind, id: &str, line: &[u8]) -> Result<Answer, ProtocolError> {
    let v: Value = serde_json::from_slice(line).map_err(|e| {
        broken(format!(
            "a response that is not JSON ({e}): {}",
            shown(line)
        ))
    })?;
    let Value::Object(obj) = v else {
        return Err(broken(format!(
            "a response that is not a JSON object: {}",
            shown(line)
        )));
    };
    match obj.get("id") {
        Some(Value::String(got)) if got == id => {}
        Some(other) => {
            return Err(broken(format!(
                "a response for another id: expected {id:?}, found {other}"
            )));
        }
        None => {
            return Err(broken(format!(
                "a response without \"id\" (expected {id:?})"
            )));
        }
    }
    let string = |name: &str| -> Result<String, ProtocolError> {
        match obj.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(broken(format!(
                "\"{name}\" must be a string, found {other}"
            ))),
            None => Err(broken(format!(
                "a \"{}\" answer needs \"{name}\"",
                result_of(&obj)
            ))),
        }
    };
    let object = |name: &str| -> Result<Value, ProtocolError> {
        match obj.get(name) {
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            Some(other) => Err(broken(format!(
                "\"{name}\" must be a JSON object, found {other}"
            ))),
            None => Err(broken(format!("a valid verify answer needs \"{name}\""))),
        }
    };
    match (kind, obj.get("result").and_then(Value::as_str)) {
        (_, Some("unsupported")) => Ok(Answer::Unsupported(string("message")?)),
        (Kind::Verify, Some("valid")) => Ok(Answer::Valid(Values {
            claims: Some(object("claims")?),
            header: Some(object("header")?),
            ..Values::default()
        })),
        (Kind::Sign, Some("valid")) => Ok(Answer::Valid(Values {
            token: Some(string("token")?),
            ..Values::default()
        })),
        (Kind::Hmac, Some("valid")) => Ok(Answer::Valid(Values::default())),
        (Kind::Hmac, Some("invalid")) => Ok(Answer::Invalid {
            code: None,
            message: String::new(),
        }),
        (Kind::Base64url, Some("valid")) => {
            let decoded = hex::decode(string("decoded_hex")?.as_bytes())
                .ok_or_else(|| broken("\"decoded_hex\" is not an even-length hex string"))?;
            Ok(Answer::Valid(Values {
                decoded: Some(decoded),
                encoded: Some(string("encoded")?),
                ..Values::default()
            }))
        }
        (Kind::Base64url, Some("invalid")) => Ok(Answer::Invalid {
            code: None,
            message: string("message")?,
        }),
        (Kind::Verify | Kind::Sign, Some("invalid")) => {
            let code = match obj.get("code") {
                Some(Value::Null) => None,
                Some(Value::String(c)) if Error::CODES.contains(&c.as_str()) => Some(c.clone()),
                Some(other) => {
                    return Err(broken(format!(
                        "\"code\" must be null or one of the format's error codes, found {other}"
                    )));
                }
                None => {
                    return Err(broken(
                        "an \"invalid\" answer needs \"code\" (a code or null)",
                    ));
                }
            };
            Ok(Answer::Invalid {
                code,
                message: string("message")?,
            })
        }
        (_, Some(other)) => Err(broken(format!(
            "\"result\" must be \"valid\", \"invalid\" or \"unsupported\", found {other:?}"
        ))),
        (_, None) => Err(broken("a response without a string \"result\"")),
    }
}

fn result_of(obj: &Map<String, Value>) -> &str {
    obj.get("result").and_then(Value::as_str).unwrap_or("")
}

/// The response line for an answer (what `barejwt harness` writes).
pub(crate) fn response(kind: Kind, id: &Value, answer: &Answer) -> Value {
    match (kind, answer) {
        (_, Answer::Unsupported(message)) => {
            json!({"id": id, "result": "unsupported", "message": message})
        }
        (Kind::Hmac, Answer::Valid(_)) => json!({"id": id, "result": "valid"}),
        (Kind::Hmac, Answer::Invalid { .. }) => json!({"id": id, "result": "invalid"}),
        (Kind::Verify, Answer::Valid(v)) => json!({
            "id": id, "result": "valid",
            "claims": v.claims.clone().unwrap_or(Value::Null),
            "header": v.header.clone().unwrap_or(Value::Null),
        }),
        (Kind::Sign, Answer::Valid(v)) => json!({"id": id, "result": "valid", "token": v.token}),
        (Kind::Base64url, Answer::Valid(v)) => json!({
            "id": id, "result": "valid",
            "decoded_hex": hex::encode(v.decoded.as_deref().unwrap_or(&[])),
            "encoded": v.encoded,
        }),
        (Kind::Base64url, Answer::Invalid { message, .. }) => {
            json!({"id": id, "result": "invalid", "message": message})
        }
        (Kind::Verify | Kind::Sign, Answer::Invalid { code, message }) => {
            json!({"id": id, "result": "invalid", "code": code, "message": message})
        }
    }
}
