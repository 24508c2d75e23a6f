//! barejwt's own answer to each kind of vector, in the shape every
//! implementation answers in (`vectors/HARNESS.md`): `verify` through
//! [`decode`](crate::decode), `sign` through [`jws::sign_encoded`], `hmac`
//! through [`Mac`], `base64url` through [`base64url`]. The in-process
//! runner and `barejwt harness` both answer here, so the two cannot
//! disagree except through the protocol itself.

use serde_json::Value;
use serde_json::value::RawValue;

use super::fields::KeyMaterial;
use super::vector::{Inputs, Values};
use crate::error::Error;
use crate::hmac::{Algorithm, Mac};
use crate::key::{KeySource, Kid};
use crate::{base64url, decode, jws};

/// An implementation's answer to one vector.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// Accepted (verified, signed, the tag matches, decoded), with values.
    Valid(Values),
    /// Refused; the code where the implementation's error maps to one.
    Invalid {
        code: Option<String>,
        message: String,
    },
    /// The implementation has no way to express the vector.
    Unsupported(String),
}

fn refused(e: &Error) -> Answer {
    Answer::Invalid {
        code: Some(e.code().to_owned()),
        message: e.to_string(),
    }
}

/// barejwt's answer.
pub(crate) fn barejwt(inputs: &Inputs) -> Answer {
    match inputs {
        Inputs::Verify {
            token,
            keys,
            validation,
        } => match decode::<Box<RawValue>, _>(token, keys, validation) {
            Ok(verified) => Answer::Valid(Values {
                claims: serde_json::from_str(verified.claims.get()).ok(),
                header: jws::inspect(token.as_bytes()).ok().map(|i| i.header),
                ..Values::default()
            }),
            Err(e) => refused(&e),
        },
        Inputs::Sign {
            alg,
            header_b64,
            payload_b64,
            keys,
            allow_weak,
        } => match sign_with(keys, *alg, *allow_weak, header_b64, payload_b64) {
            Ok(token) => Answer::Valid(Values {
                token: Some(token),
                ..Values::default()
            }),
            Err(e) => refused(&e),
        },
        Inputs::Hmac { alg, key, msg, tag } => {
            if Mac::new(*alg, key).verify_truncated(msg, tag) {
                Answer::Valid(Values::default())
            } else {
                Answer::Invalid {
                    code: None,
                    message: "the tag does not match".into(),
                }
            }
        }
        Inputs::Base64url { encoded } => match base64url::decode(encoded.as_bytes()) {
            Ok(bytes) => Answer::Valid(Values {
                encoded: Some(base64url::encode(&bytes)),
                decoded: Some(bytes),
                ..Values::default()
            }),
            Err(e) => Answer::Invalid {
                code: Some("malformed".into()),
                message: e.to_string(),
            },
        },
    }
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
