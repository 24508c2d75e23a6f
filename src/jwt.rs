//! JSON Web Tokens ([RFC 7519]): a JWS whose payload is a claims set.
//!
//! [`decode`] is [RFC 7519 §7.2] ("Validating a JWT") in order: verify the
//! JWS ([`crate::jws::verify`], stages 1-5), then — only once the MAC has
//! matched — read the claims set strictly, check the registered claims
//! against the [`Validation`], and finally give the caller their own type.
//! [`encode`] is [RFC 7519 §7.1] ("Creating a JWT").
//!
//! [RFC 7519]: https://www.rfc-editor.org/rfc/rfc7519
//! [RFC 7519 §7.1]: https://www.rfc-editor.org/rfc/rfc7519#section-7.1
//! [RFC 7519 §7.2]: https://www.rfc-editor.org/rfc/rfc7519#section-7.2

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::base64url;
use crate::error::{Error, Part, Refused};
use crate::jws::{self, Header};
use crate::key::{HmacKey, KeySource};
use crate::validation::Validation;

/// A token that passed every check: its header and its claims.
#[derive(Debug, Clone)]
pub struct Verified<T> {
    /// The verified JOSE header.
    pub header: Header,
    /// The caller's claims type, read from the verified payload.
    pub claims: T,
}

/// Verifies `token` and returns its claims as `T`.
///
/// `keys` is one [`HmacKey`], a [`crate::Jwk`], or a [`crate::KeySet`]
/// chosen by `kid`. On failure the [`Error`] names the first stage that
/// failed; its [`Error::code`] is stable.
///
/// # Examples
/// ```
/// use barejwt::{decode, encode, Algorithm, HmacKey, Validation};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Serialize, Deserialize)]
/// struct Claims { sub: String, id: u64, exp: u64 }
///
/// let key = HmacKey::new(Algorithm::HS256, b"an example key of 32 bytes, at least").unwrap();
/// let token = encode(&Claims { sub: "ada".into(), id: 1, exp: 2_000_000_000 }, &key).unwrap();
///
/// let v = Validation::new(Algorithm::HS256).require(["exp"]).now(1_900_000_000);
/// let ok = decode::<Claims, _>(&token, &key, &v).unwrap();
/// assert_eq!(ok.claims.sub, "ada");
///
/// let late = Validation::new(Algorithm::HS256).now(2_000_000_000);
/// assert_eq!(decode::<Claims, _>(&token, &key, &late).unwrap_err().code(), "expired");
/// ```
pub fn decode<T, K>(
    token: impl AsRef<[u8]>,
    keys: &K,
    validation: &Validation,
) -> Result<Verified<T>, Error>
where
    T: DeserializeOwned,
    K: KeySource + ?Sized,
{
    // Stages 1-5, then stage 6 once the MAC has matched: the registered
    // claims checked and the caller's type filled, in one parse (`onepass`,
    // which gives the same answers as `Scan` then `T`), straight from the
    // buffer the payload was decoded into.
    let (header, claims) = jws::verify_then(token.as_ref(), keys, validation, |payload| {
        crate::onepass::read::<T>(payload, validation)
    })?;
    Ok(Verified { header, claims })
}

/// Signs `claims` under the header `{"alg": <key's alg>, "typ": "JWT"}`
/// (plus the key's `kid`, if it has one).
pub fn encode<T: Serialize + ?Sized>(claims: &T, key: &HmacKey) -> Result<String, Error> {
    if key.kid().is_none()
        && let Some(encoded) = jws::known_encoded(key.algorithm(), Some("JWT"))
    {
        // `Header::new`'s header, already encoded: no Header to build.
        return encode_under(encoded, claims, key);
    }
    let mut header = Header::new(key.algorithm());
    header.kid = key.kid().map(str::to_owned);
    encode_with_header(&header, claims, key)
}

/// Signs `claims` under `header`, whose `alg` must be the key's.
pub fn encode_with_header<T: Serialize + ?Sized>(
    header: &Header,
    claims: &T,
    key: &HmacKey,
) -> Result<String, Error> {
    if header.alg != key.algorithm() {
        return Err(Error::Algorithm {
            refused: Refused::NotTheKeys {
                header: header.alg.to_string(),
                key: key.algorithm(),
            },
        });
    }
    // RFC 7519 §7.1 steps 1-6 make the JSON; RFC 7515 §5.1 encodes and MACs.
    // The usual headers are already encoded (`jws::known_encoded_header`).
    match jws::known_encoded_header(header) {
        Some(encoded) => encode_under(encoded, claims, key),
        None => {
            let header_json = serde_json::to_vec(header)
                .map_err(|e| Error::malformed(Part::Header, e.to_string()))?;
            encode_under(&base64url::encode(&header_json), claims, key)
        }
    }
}

/// The token `header_b64 '.' BASE64URL(claims JSON) '.' signature`.
fn encode_under<T: Serialize + ?Sized>(
    header_b64: &str,
    claims: &T,
    key: &HmacKey,
) -> Result<String, Error> {
    let payload =
        serde_json::to_vec(claims).map_err(|e| Error::malformed(Part::Claims, e.to_string()))?;
    let mut out = jws::token_buffer(
        header_b64.len(),
        base64url::encoded_len(payload.len()),
        key.algorithm(),
    );
    out.extend_from_slice(header_b64.as_bytes());
    out.push(b'.');
    base64url::encode_to_vec(&payload, &mut out);
    jws::append_signature(out, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hmac::Algorithm;
    use serde::Deserialize;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        sub: String,
        id: u64,
        exp: u64,
    }

    fn key() -> HmacKey {
        HmacKey::new(Algorithm::HS256, &[9; 32]).unwrap()
    }

    #[test]
    fn encode_then_decode_round_trips() {
        let c = Claims {
            sub: "a".into(),
            id: 3,
            exp: 200,
        };
        let t = encode(&c, &key()).unwrap();
        let v = decode::<Claims, _>(&t, &key(), &Validation::default().now(100)).unwrap();
        assert_eq!(v.claims, c);
        assert_eq!(v.header.typ.as_deref(), Some("JWT"));
    }

    #[test]
    fn the_payload_is_not_parsed_before_the_signature_matches() {
        // Payload that is not JSON, signed with another key: bad_signature,
        // not malformed.
        let other = HmacKey::new(Algorithm::HS256, &[8; 32]).unwrap();
        let t = jws::sign(br#"{"alg":"HS256"}"#, b"not json", &other).unwrap();
        let e = decode::<serde_json::Value, _>(&t, &key(), &Validation::default()).unwrap_err();
        assert_eq!(e.code(), "bad_signature");
        let t = jws::sign(br#"{"alg":"HS256"}"#, b"not json", &key()).unwrap();
        let e = decode::<serde_json::Value, _>(&t, &key(), &Validation::default()).unwrap_err();
        assert_eq!(e.code(), "malformed");
    }

    #[test]
    fn a_claims_type_mismatch_is_a_malformed_claims_set() {
        let t = encode(&serde_json::json!({"sub": 1}), &key()).unwrap();
        let e = decode::<Claims, _>(&t, &key(), &Validation::default()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Malformed {
                    part: Part::Claims,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn encode_refuses_a_header_for_another_algorithm() {
        let h = Header::new(Algorithm::HS512);
        assert_eq!(
            encode_with_header(&h, &1, &key()).unwrap_err().code(),
            "algorithm"
        );
    }

    #[test]
    fn encode_is_encode_with_the_default_header() {
        for alg in Algorithm::ALL {
            let k = HmacKey::new(alg, &[9; 64]).unwrap();
            for k in [k.clone(), k.with_kid("k1")] {
                let mut h = Header::new(alg);
                h.kid = k.kid().map(str::to_owned);
                assert_eq!(
                    encode(&1, &k).unwrap(),
                    encode_with_header(&h, &1, &k).unwrap()
                );
            }
        }
    }

    #[test]
    fn encode_writes_the_keys_kid() {
        let t = encode(&1, &key().with_kid("k1")).unwrap();
        let h = jws::inspect(t.as_bytes()).unwrap().header;
        assert_eq!(h, serde_json::json!({"alg":"HS256","typ":"JWT","kid":"k1"}));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use crate::hmac::Algorithm;

    fn key() -> HmacKey {
        HmacKey::new(Algorithm::HS256, &[9; 32]).unwrap()
    }

    fn signed(payload: &str) -> String {
        jws::sign(br#"{"alg":"HS256"}"#, payload.as_bytes(), &key()).unwrap()
    }

    fn code(token: &str) -> &'static str {
        let v = Validation::default().max_token_bytes(usize::MAX).now(0);
        match decode::<serde_json::Value, _>(token, &key(), &v) {
            Ok(_) => "valid",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn deeply_nested_claims_are_refused_without_overflowing_the_stack() {
        for claim in ["exp", "iss", "aud", "other"] {
            let deep = format!(
                r#"{{"{claim}":{}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            let c = code(&signed(&deep));
            assert!(c == "malformed" || c == "invalid_claim", "{claim}: {c}");
        }
    }

    #[test]
    fn a_claims_set_with_many_members_is_read_in_linear_time() {
        let members: Vec<String> = (0..50_000).map(|i| format!(r#""m{i}":{i}"#)).collect();
        assert_eq!(
            code(&signed(&format!("{{{}}}", members.join(",")))),
            "valid"
        );
        let dup = format!(r#"{{{},"m7":0}}"#, members.join(","));
        assert_eq!(code(&signed(&dup)), "malformed");
    }
}
