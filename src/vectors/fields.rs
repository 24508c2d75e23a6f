//! Reading a vector's fields (`vectors/FORMAT.md`): each reader checks
//! the type it needs and says which field is wrong, so that a malformed
//! vector is reported as the vector's fault, never guessed at.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::Error;
use crate::hmac::Algorithm;
use crate::key::{HmacKey, Jwk, KeySet, KeySource, Kid};
use crate::validation::{Clock, Validation};

/// A vector that cannot be run as written: the file's fault, not the
/// implementation's. It fails with "malformed vector: …".
#[derive(Debug)]
pub(crate) struct BadVector(pub(crate) String);

pub(crate) fn bad(why: impl Into<String>) -> BadVector {
    BadVector(why.into())
}

pub(crate) fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, BadVector> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(bad(format!("\"{name}\" must be a string"))),
        None => Err(bad(format!("missing \"{name}\""))),
    }
}

pub(crate) fn hex_field(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, BadVector> {
    let s = str_field(obj, name)?;
    crate::hex::decode(s.as_bytes())
        .ok_or_else(|| bad(format!("\"{name}\" is not an even-length hex string")))
}

pub(crate) fn alg_field(obj: &Map<String, Value>) -> Result<Algorithm, BadVector> {
    let name = str_field(obj, "alg")?;
    Algorithm::from_name(name)
        .ok_or_else(|| bad(format!("\"alg\" {name:?} is not HS256, HS384 or HS512")))
}

/// `"valid"`, `"invalid"` (hmac only) or `{"error": CODE}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expect {
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

pub(crate) fn expect_field(obj: &Map<String, Value>) -> Result<Expect, BadVector> {
    match obj.get("expect") {
        Some(Value::String(s)) if s == "valid" => Ok(Expect::Valid),
        Some(Value::String(s)) if s == "invalid" => Ok(Expect::Invalid),
        Some(Value::Object(o)) => match o.get("error") {
            Some(Value::String(code)) if Error::CODES.contains(&code.as_str()) => {
                Ok(Expect::Error(code.clone()))
            }
            Some(Value::String(code)) => Err(bad(format!("unknown error code {code:?}"))),
            _ => Err(bad("\"expect\" object must be {\"error\": CODE}")),
        },
        Some(other) => Err(bad(format!(
            "\"expect\" must be \"valid\" or {{\"error\": CODE}}, found {other}"
        ))),
        None => Err(bad("missing \"expect\"")),
    }
}

/// The key fields: exactly one of `key`, `jwks`, `key_utf8`, `key_hex`.
pub(crate) enum KeyMaterial {
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

pub(crate) fn key_material(obj: &Map<String, Value>) -> Result<KeyMaterial, BadVector> {
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
            "no key: one of \"key\", \"jwks\", \"key_utf8\", \"key_hex\" is required",
        )),
        many => Err(bad(format!("more than one key field: {many:?}"))),
    }
}

/// The verifier's options: `now` and the `validation` object. Also says
/// whether `allow_weak_keys` was set, which a sign vector needs on its own.
pub(crate) fn validation_field(obj: &Map<String, Value>) -> Result<(Validation, bool), BadVector> {
    let mut v = Validation::default();
    let mut allow_weak = false;
    if let Some(now) = obj.get("now") {
        let now = now
            .as_i64()
            .ok_or_else(|| bad("\"now\" must be whole seconds since the epoch"))?;
        v = v.clock(Clock::Fixed(now));
    }
    let Some(opts) = obj.get("validation") else {
        return Ok((v, allow_weak));
    };
    let opts = opts
        .as_object()
        .ok_or_else(|| bad("\"validation\" must be an object"))?;
    let string = |name: &str, val: &Value| -> Result<String, BadVector> {
        val.as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("validation.{name} must be a string")))
    };
    for (name, val) in opts {
        match name.as_str() {
            "algorithms" => {
                let list = val
                    .as_array()
                    .ok_or_else(|| bad("validation.algorithms must be an array of strings"))?;
                let mut algs = Vec::new();
                for a in list {
                    let a = a
                        .as_str()
                        .ok_or_else(|| bad("validation.algorithms must be an array of strings"))?;
                    // Names barejwt does not implement ("none", "RS256")
                    // cannot be accepted; listing them changes nothing.
                    algs.extend(Algorithm::from_name(a));
                }
                v = v.algorithms(algs);
            }
            "leeway" => {
                v = v.leeway(
                    val.as_u64()
                        .ok_or_else(|| bad("validation.leeway must be a non-negative integer"))?,
                )
            }
            "iss" => v = v.issuer(string(name, val)?),
            "aud" => v = v.audience(string(name, val)?),
            "sub" => v = v.subject(string(name, val)?),
            "typ" => v = v.typ(string(name, val)?),
            "required" => {
                let list = val
                    .as_array()
                    .ok_or_else(|| bad("validation.required must be an array of strings"))?;
                let names = list
                    .iter()
                    .map(|c| string(name, c))
                    .collect::<Result<Vec<_>, _>>()?;
                v = v.require(names);
            }
            "allow_weak_keys" => {
                allow_weak = val
                    .as_bool()
                    .ok_or_else(|| bad("validation.allow_weak_keys must be a boolean"))?;
                v = v.allow_weak_keys(allow_weak);
            }
            "max_token_bytes" => {
                v = v.max_token_bytes(
                    val.as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| {
                            bad("validation.max_token_bytes must be a non-negative integer")
                        })?,
                )
            }
            other => return Err(bad(format!("unknown validation option {other:?}"))),
        }
    }
    Ok((v, allow_weak))
}
