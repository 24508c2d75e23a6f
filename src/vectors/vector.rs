//! One vector, read into what an implementation is given ([`Inputs`]) and
//! what it must do ([`Expected`]). The harness protocol sends the inputs
//! and keeps the expectation: `vectors/HARNESS.md` lists the fields that
//! are never sent ([`EXPECTATION_FIELDS`]).

use serde_json::{Map, Value};

use super::fields::{
    BadVector, Expect, KeyMaterial, alg_field, bad, expect_field, hex_field, key_material,
    str_field, validation_field,
};
use crate::base64url;
use crate::hmac::Algorithm;
use crate::validation::Validation;

/// The fields that say what the answer must be, removed from a request:
///
/// > `expect`, `expect_token`, `claims`, `header`, `decoded_hex` and
/// > `description` are never sent.
pub(crate) const EXPECTATION_FIELDS: [&str; 6] = [
    "expect",
    "expect_token",
    "claims",
    "header",
    "decoded_hex",
    "description",
];

/// The four kinds of `vectors/FORMAT.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Verify,
    Sign,
    Hmac,
    Base64url,
}

impl Kind {
    pub(crate) fn of(obj: &Map<String, Value>) -> Result<Kind, BadVector> {
        match obj.get("kind").and_then(Value::as_str) {
            Some("verify") => Ok(Kind::Verify),
            Some("sign") => Ok(Kind::Sign),
            Some("hmac") => Ok(Kind::Hmac),
            Some("base64url") => Ok(Kind::Base64url),
            Some(other) => Err(bad(format!(
                "unknown kind {other:?} (expected verify, sign, hmac or base64url)"
            ))),
            None => Err(bad("missing string \"kind\"")),
        }
    }
}

/// What an implementation is given.
pub(crate) enum Inputs {
    Verify {
        token: String,
        keys: KeyMaterial,
        validation: Validation,
    },
    Sign {
        alg: Algorithm,
        header_b64: String,
        payload_b64: String,
        keys: KeyMaterial,
        allow_weak: bool,
    },
    Hmac {
        alg: Algorithm,
        key: Vec<u8>,
        msg: Vec<u8>,
        tag: Vec<u8>,
    },
    Base64url {
        encoded: String,
    },
}

/// Reads a vector's inputs (or a request's: the same fields).
pub(crate) fn inputs(kind: Kind, obj: &Map<String, Value>) -> Result<Inputs, BadVector> {
    Ok(match kind {
        Kind::Verify => Inputs::Verify {
            token: str_field(obj, "token")?.to_owned(),
            keys: key_material(obj)?,
            validation: validation_field(obj)?.0,
        },
        Kind::Sign => Inputs::Sign {
            alg: alg_field(obj)?,
            header_b64: segment(obj, "header")?,
            payload_b64: segment(obj, "payload")?,
            keys: key_material(obj)?,
            allow_weak: obj
                .get("allow_weak_keys")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || validation_field(obj)?.1,
        },
        Kind::Hmac => {
            let (alg, key, msg) = (
                alg_field(obj)?,
                hex_field(obj, "key_hex")?,
                hex_field(obj, "msg_hex")?,
            );
            let tag = hex_field(obj, "mac_hex")?;
            if tag.len() < 10 {
                return Err(bad(format!(
                    "\"mac_hex\" is {} bytes; a tag may not be shorter than 10 bytes (RFC 2104 §5)",
                    tag.len()
                )));
            }
            Inputs::Hmac { alg, key, msg, tag }
        }
        Kind::Base64url => Inputs::Base64url {
            encoded: str_field(obj, "encoded")?.to_owned(),
        },
    })
}

/// A segment given as JSON text (`*_json`) or already encoded (`*_b64u`).
fn segment(obj: &Map<String, Value>, name: &str) -> Result<String, BadVector> {
    let (json, b64u) = (format!("{name}_json"), format!("{name}_b64u"));
    match (obj.contains_key(&json), obj.contains_key(&b64u)) {
        (true, false) => Ok(base64url::encode(str_field(obj, &json)?.as_bytes())),
        (false, true) => Ok(str_field(obj, &b64u)?.to_owned()),
        _ => Err(bad(format!(
            "exactly one of \"{json}\" and \"{b64u}\" is required"
        ))),
    }
}

/// The values a valid answer carries; a vector names those it checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Values {
    /// `verify`: the decoded claims.
    pub(crate) claims: Option<Value>,
    /// `verify`: the decoded header.
    pub(crate) header: Option<Value>,
    /// `sign`: the compact serialization.
    pub(crate) token: Option<String>,
    /// `base64url`: the decoded bytes.
    pub(crate) decoded: Option<Vec<u8>>,
    /// `base64url`: the re-encoding of those bytes.
    pub(crate) encoded: Option<String>,
}

/// What the vector says must happen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expected {
    /// Accept, with these values.
    Accept(Values),
    /// Refuse, with this code (`None` for an hmac tag that must not match).
    Refuse(Option<String>),
}

/// Reads a vector's expectation.
pub(crate) fn expected(kind: Kind, obj: &Map<String, Value>) -> Result<Expected, BadVector> {
    match kind {
        Kind::Verify => match expect_field(obj)? {
            Expect::Valid => Ok(Expected::Accept(Values {
                claims: obj.get("claims").cloned(),
                header: obj.get("header").cloned(),
                ..Values::default()
            })),
            Expect::Error(code) => Ok(Expected::Refuse(Some(code))),
            Expect::Invalid => Err(bad(
                "\"expect\": \"invalid\" is for hmac vectors; use {\"error\": CODE}",
            )),
        },
        Kind::Sign => match (obj.get("expect_token"), obj.get("expect")) {
            (Some(_), _) => Ok(Expected::Accept(Values {
                token: Some(str_field(obj, "expect_token")?.to_owned()),
                ..Values::default()
            })),
            (None, Some(_)) => match expect_field(obj)? {
                Expect::Error(code) => Ok(Expected::Refuse(Some(code))),
                _ => Err(bad(
                    "a sign vector expects \"expect_token\" or {\"error\": CODE}",
                )),
            },
            (None, None) => Err(bad("missing \"expect_token\" or \"expect\"")),
        },
        Kind::Hmac => match expect_field(obj)? {
            Expect::Valid => Ok(Expected::Accept(Values::default())),
            Expect::Invalid => Ok(Expected::Refuse(None)),
            Expect::Error(_) => Err(bad("an hmac vector expects \"valid\" or \"invalid\"")),
        },
        Kind::Base64url => match expect_field(obj)? {
            Expect::Valid => Ok(Expected::Accept(Values {
                decoded: Some(hex_field(obj, "decoded_hex")?),
                encoded: Some(str_field(obj, "encoded")?.to_owned()),
                ..Values::default()
            })),
            Expect::Error(code) if code == "malformed" => Ok(Expected::Refuse(Some(code))),
            other => Err(bad(format!(
                "a base64url vector expects \"valid\" or {{\"error\": \"malformed\"}}, found {other}"
            ))),
        },
    }
}
