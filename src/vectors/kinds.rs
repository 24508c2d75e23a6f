//! barejwt's answer to each kind of vector, compared with what the vector
//! expects: `verify` through [`decode`](crate::decode), `sign` through
//! [`jws::sign_encoded`], `hmac` through [`Mac`], `base64url` through
//! [`base64url`].

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::fields::{
    BadVector, Expect, KeyMaterial, alg_field, bad, expect_field, hex_field, key_material,
    str_field, validation_field,
};
use super::run::Verdict;
use crate::error::Error;
use crate::hex;
use crate::hmac::{Algorithm, Mac};
use crate::key::{KeySource, Kid};
use crate::{base64url, decode, jws};

/// How a library error reads in a failing outcome.
fn error_text(e: &Error) -> String {
    format!("error {} ({e})", e.code())
}

pub(crate) fn verify(obj: &Map<String, Value>) -> Result<Verdict, BadVector> {
    let token = str_field(obj, "token")?;
    let keys = key_material(obj)?;
    let (v, _) = validation_field(obj)?;
    let expect = expect_field(obj)?;
    if expect == Expect::Invalid {
        return Err(bad(
            "\"expect\": \"invalid\" is for hmac vectors; use {\"error\": CODE}",
        ));
    }
    let expected = expect.to_string();
    let verified = match (&expect, decode::<Box<RawValue>, _>(token, &keys, &v)) {
        (Expect::Valid, Ok(verified)) => verified,
        (Expect::Error(code), Err(e)) if e.code() == code => {
            return Ok(Verdict::new(expected, None));
        }
        (_, Ok(_)) => return Ok(Verdict::new(expected, Some("valid".into()))),
        (_, Err(e)) => return Ok(Verdict::new(expected, Some(error_text(&e)))),
    };
    let mismatch = |what: &str, want: &Value, got: &Value| Verdict::Fail {
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
    Ok(Verdict::new(expected, None))
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

pub(crate) fn sign(obj: &Map<String, Value>) -> Result<Verdict, BadVector> {
    let alg = alg_field(obj)?;
    let header_b64 = segment(obj, "header")?;
    let payload_b64 = segment(obj, "payload")?;
    let want_token = match (obj.get("expect_token"), obj.get("expect")) {
        (Some(_), _) => Ok(str_field(obj, "expect_token")?.to_owned()),
        (None, Some(_)) => match expect_field(obj)? {
            Expect::Error(code) => Err(code),
            _ => {
                return Err(bad(
                    "a sign vector expects \"expect_token\" or {\"error\": CODE}",
                ));
            }
        },
        (None, None) => return Err(bad("missing \"expect_token\" or \"expect\"")),
    };
    let keys = key_material(obj)?;
    let allow_weak = obj
        .get("allow_weak_keys")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || validation_field(obj)?.1;
    let result = sign_with(&keys, alg, allow_weak, &header_b64, &payload_b64);
    let expected = match &want_token {
        Ok(token) => format!("token {token}"),
        Err(code) => format!("error {code}"),
    };
    let got = match (&want_token, &result) {
        (Ok(want), Ok(t)) if t == want => None,
        (Err(code), Err(e)) if e.code() == code => None,
        (_, Ok(t)) => Some(format!("token {t}")),
        (_, Err(e)) => Some(error_text(e)),
    };
    Ok(Verdict::new(expected, got))
}

fn sign_with(
    keys: &KeyMaterial,
    alg: Algorithm,
    allow_weak: bool,
    header: &str,
    payload: &str,
) -> Result<String, Error> {
    // The signer's key: the one key, or the set's key for the header's kid.
    let kid_text;
    let kid = match keys {
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

pub(crate) fn hmac(obj: &Map<String, Value>) -> Result<Verdict, BadVector> {
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
    if let Expect::Error(_) = expect {
        return Err(bad("an hmac vector expects \"valid\" or \"invalid\""));
    }
    let matches = Mac::new(alg, &key).verify_truncated(&msg, &tag);
    let got = match (&expect, matches) {
        (Expect::Valid, true) | (Expect::Invalid, false) => None,
        (_, true) => Some("a matching tag".into()),
        (_, false) => Some("a different tag".into()),
    };
    Ok(Verdict::new(expect.to_string(), got))
}

pub(crate) fn base64url(obj: &Map<String, Value>) -> Result<Verdict, BadVector> {
    let encoded = str_field(obj, "encoded")?;
    let expect = expect_field(obj)?;
    let decoded = base64url::decode(encoded.as_bytes());
    match expect {
        Expect::Valid => {
            let want = hex_field(obj, "decoded_hex")?;
            let got = match decoded {
                Err(e) => Some(format!("error malformed ({e})")),
                Ok(bytes) if bytes != want => Some(format!("bytes {}", hex::encode(&bytes))),
                Ok(_) if base64url::encode(&want) != encoded => Some(format!(
                    "an encoder output of {:?}",
                    base64url::encode(&want)
                )),
                Ok(_) => None,
            };
            Ok(Verdict::new(
                format!("valid, bytes {}", hex::encode(&want)),
                got,
            ))
        }
        Expect::Error(code) if code == "malformed" => Ok(Verdict::new(
            "error malformed".into(),
            decoded
                .ok()
                .map(|bytes| format!("valid, bytes {}", hex::encode(&bytes))),
        )),
        other => Err(bad(format!(
            "a base64url vector expects \"valid\" or {{\"error\": \"malformed\"}}, found {other}"
        ))),
    }
}
