//! Keys: an HMAC key bound to its algorithm, JWK `oct` keys ([RFC 7517
//! §4], [RFC 7518 §6.4]) and key sets chosen by `kid` ([RFC 7515 §4.1.4]).
//!
//! # Why a key is bound to one algorithm
//!
//! > the algorithm [...] MUST be determined by the recipient's own
//! > configuration, not by the token's header
//! > — paraphrasing [RFC 8725 §3.1] ("Perform Algorithm Verification")
//!
//! An [`HmacKey`] is made for one algorithm. If a token's header names
//! another, the key refuses it ([`Error::Algorithm`]) instead of following
//! the header. A JWK without `alg` may serve all three HMAC algorithms; one
//! with `alg` serves only that one.
//!
//! # Weak keys
//!
//! > A key of the same size as the hash output (for instance, 256 bits for
//! > "HS256") or larger MUST be used with this algorithm.
//! > — [RFC 7518 §3.2]
//!
//! So [`HmacKey::new`] refuses shorter keys with [`Error::WeakKey`];
//! [`HmacKey::new_allow_weak`] is the explicit way around it, for old
//! tokens (the classic jwt.io example uses a 19-byte secret). A weak key
//! verifies only when [`crate::Validation::allow_weak_keys`] is set too.
//!
//! [RFC 7515 §4.1.4]: https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4
//! [RFC 7517 §4]: https://www.rfc-editor.org/rfc/rfc7517#section-4
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2
//! [RFC 7518 §6.4]: https://www.rfc-editor.org/rfc/rfc7518#section-6.4
//! [RFC 8725 §3.1]: https://www.rfc-editor.org/rfc/rfc8725#section-3.1

use std::fmt;

use serde_json::Value;

use crate::error::{Error, Refused, shown};
use crate::hmac::{Algorithm, Mac, Tag};
use crate::{base64url, ct};

/// An HMAC key prepared for one algorithm, with an optional `kid`.
///
/// # Examples
/// ```
/// use barejwt::{Algorithm, HmacKey};
/// let key = HmacKey::new(Algorithm::HS256, &[0x42; 32]).unwrap();
/// assert!(HmacKey::new(Algorithm::HS256, b"too short").is_err());
/// # let _ = key;
/// ```
#[derive(Clone)]
pub struct HmacKey {
    mac: Mac,
    len: usize,
    kid: Option<String>,
}

impl HmacKey {
    /// A key for `alg`, refused if shorter than the hash output
    /// (RFC 7518 §3.2): 32 bytes for HS256, 48 for HS384, 64 for HS512.
    pub fn new(alg: Algorithm, secret: &[u8]) -> Result<HmacKey, Error> {
        let key = HmacKey::new_allow_weak(alg, secret);
        key.check_strength()?;
        Ok(key)
    }

    /// A key for `alg` of any length, the empty key included. Such a key
    /// signs, but verifies only under a [`crate::Validation`] with
    /// `allow_weak_keys` set.
    pub fn new_allow_weak(alg: Algorithm, secret: &[u8]) -> HmacKey {
        HmacKey {
            mac: Mac::new(alg, secret),
            len: secret.len(),
            kid: None,
        }
    }

    /// Names the key: the signer writes this `kid` into the header.
    pub fn with_kid(mut self, kid: impl Into<String>) -> HmacKey {
        self.kid = Some(kid.into());
        self
    }

    /// The algorithm this key serves.
    pub fn algorithm(&self) -> Algorithm {
        self.mac.algorithm()
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's length in bytes (not secret: RFC 7518 fixes the minimum).
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` for the empty key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `true` when the key is shorter than RFC 7518 §3.2 allows.
    pub fn is_weak(&self) -> bool {
        self.len < self.algorithm().output_len()
    }

    /// [`Error::WeakKey`] if the key is weak.
    pub fn check_strength(&self) -> Result<(), Error> {
        if self.is_weak() {
            let alg = self.algorithm();
            return Err(Error::WeakKey {
                alg: alg.name(),
                len: self.len,
                min: alg.output_len(),
            });
        }
        Ok(())
    }

    /// The MAC of the concatenation of `parts` (the JWS signing input).
    pub fn sign_parts(&self, parts: &[&[u8]]) -> Tag {
        self.mac.compute_parts(parts)
    }

    /// Constant-time check that `tag` is the MAC of `msg`
    /// ([RFC 7515 §5.2] step 8: "Validate the JWS Signature").
    ///
    /// [RFC 7515 §5.2]: https://www.rfc-editor.org/rfc/rfc7515#section-5.2
    pub fn verify(&self, msg: &[u8], tag: &[u8]) -> bool {
        ct::eq(self.mac.compute(msg).as_bytes(), tag)
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No key bytes, ever: only what is public about the key.
        f.debug_struct("HmacKey")
            .field("alg", &self.algorithm())
            .field("len", &self.len)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The token's `kid` header, as the key lookup sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kid<'a> {
    /// The header has no `kid`.
    Absent,
    /// A string `kid`.
    Text(&'a str),
    /// A `kid` that is not a string (never matches a key).
    NotText,
}

impl<'a> Kid<'a> {
    /// The `kid` of a header read as JSON (`None`: the header has none),
    /// classified as the verifier classifies it.
    pub fn of(kid: Option<&'a Value>) -> Kid<'a> {
        match kid {
            None => Kid::Absent,
            Some(Value::String(k)) => Kid::Text(k),
            Some(_) => Kid::NotText,
        }
    }
}

/// Anything that can choose the key for a token: one key, a JWK, a set.
///
/// The verifier calls it with the header's `alg` (already checked against
/// the accepted algorithms) and `kid`.
pub trait KeySource {
    /// The key for a token with this `alg` and `kid`, or
    /// [`Error::UnknownKey`] / [`Error::Algorithm`].
    fn key_for(&self, alg: Algorithm, kid: Kid<'_>) -> Result<&HmacKey, Error>;
}

fn wrong_alg(token: Algorithm, key: Algorithm) -> Error {
    Error::Algorithm {
        refused: Refused::KeyBound { token, key },
    }
}

/// A single key: the token's `kid` is not consulted.
impl KeySource for HmacKey {
    fn key_for(&self, alg: Algorithm, _kid: Kid<'_>) -> Result<&HmacKey, Error> {
        if alg != self.algorithm() {
            return Err(wrong_alg(alg, self.algorithm()));
        }
        Ok(self)
    }
}

/// A symmetric JWK (`"kty": "oct"`, [RFC 7518 §6.4]), prepared for every
/// algorithm it may serve.
///
/// [RFC 7518 §6.4]: https://www.rfc-editor.org/rfc/rfc7518#section-6.4
#[derive(Clone)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<Algorithm>,
    /// Indexed by [`Algorithm::index`]; `None` where `alg` rules it out.
    keys: [Option<HmacKey>; 3],
    secret: Vec<u8>,
}

impl Jwk {
    /// A JWK from raw key bytes; with `alg`, it serves only that algorithm.
    pub fn from_secret(secret: &[u8], alg: Option<Algorithm>, kid: Option<String>) -> Jwk {
        let keys = Algorithm::ALL.map(|a| {
            (alg.is_none() || alg == Some(a)).then(|| {
                let key = HmacKey::new_allow_weak(a, secret);
                match &kid {
                    Some(kid) => key.with_kid(kid.clone()),
                    None => key,
                }
            })
        });
        Jwk {
            kid,
            alg,
            keys,
            secret: secret.to_vec(),
        }
    }

    /// Parses a JWK from JSON text.
    pub fn from_json(json: &str) -> Result<Jwk, Error> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::malformed_key(format!("JWK is not JSON: {e}")))?;
        Jwk::from_value(&value)
    }

    /// Parses a JWK object: `kty` must be `oct` and `k` strict base64url
    /// ([RFC 7518 §6.4.1]); `kid` and `alg` are optional; `use`, if
    /// present, must be `sig`. Other members are ignored ([RFC 7517 §4]).
    ///
    /// [RFC 7518 §6.4.1]: https://www.rfc-editor.org/rfc/rfc7518#section-6.4.1
    /// [RFC 7517 §4]: https://www.rfc-editor.org/rfc/rfc7517#section-4
    pub fn from_value(value: &Value) -> Result<Jwk, Error> {
        let bad = |why: String| Error::malformed_key(why);
        let obj = value
            .as_object()
            .ok_or_else(|| bad("a JWK must be a JSON object".into()))?;
        match obj.get("kty") {
            Some(Value::String(kty)) if kty == "oct" => {}
            Some(Value::String(kty)) => {
                return Err(bad(format!(
                    "kty {} is not supported: barejwt implements HMAC, whose keys are \"oct\"",
                    shown(kty)
                )));
            }
            _ => return Err(bad("missing or non-string \"kty\"".into())),
        }
        let k = match obj.get("k") {
            Some(Value::String(k)) => k,
            _ => return Err(bad("missing or non-string \"k\" (RFC 7518 §6.4.1)".into())),
        };
        // The message names the position only: the characters of "k" are
        // the secret, and an error message must never carry them.
        let secret = base64url::decode(k.as_bytes()).map_err(|e| {
            bad(format!(
                "\"k\" is not strict base64url: {}",
                e.describe_secret()
            ))
        })?;
        let kid = match obj.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(bad("\"kid\" must be a string (RFC 7517 §4.5)".into())),
        };
        let alg = match obj.get("alg") {
            None => None,
            Some(Value::String(a)) => Some(Algorithm::from_name(a).ok_or_else(|| {
                bad(format!(
                    "alg {} is not an HMAC algorithm barejwt implements",
                    shown(a)
                ))
            })?),
            Some(_) => return Err(bad("\"alg\" must be a string (RFC 7517 §4.4)".into())),
        };
        match obj.get("use") {
            None => {}
            Some(Value::String(u)) if u == "sig" => {}
            Some(_) => {
                return Err(bad(
                    "\"use\" must be \"sig\" for a signing key (RFC 7517 §4.2)".into(),
                ));
            }
        }
        Ok(Jwk::from_secret(&secret, alg, kid))
    }

    /// The key's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm the key is bound to, if it names one.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key prepared for `alg`, or [`Error::Algorithm`] if the JWK is
    /// bound to another.
    pub fn for_algorithm(&self, alg: Algorithm) -> Result<&HmacKey, Error> {
        match (&self.keys[alg.index()], self.alg) {
            (Some(key), _) => Ok(key),
            (None, Some(bound)) => Err(wrong_alg(alg, bound)),
            (None, None) => unreachable!("a JWK without alg is prepared for every algorithm"),
        }
    }

    /// The raw key bytes, as decoded from `k`.
    ///
    /// # Security
    ///
    /// Secret. Public because a JWK *is* its secret: whoever holds a `Jwk`
    /// gave barejwt the JSON with `k` in it, so this returns nothing they
    /// did not have. Tools that work on the bytes themselves need it:
    /// [`crate::explain`] shows HMAC's working on them
    /// ([`crate::hmac::steps`] takes raw key bytes), and `barejwt sign`
    /// makes a key for the algorithm it was asked for (the server's
    /// debugger signs with [`Jwk::for_algorithm`], which refuses a JWK
    /// bound to another). A verifier never needs it ([`Jwk::for_algorithm`] gives the
    /// prepared key). Never log it; `Debug` prints only the length.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("len", &self.secret.len())
            .finish_non_exhaustive()
    }
}

/// A single JWK: the token's `kid` is not consulted.
impl KeySource for Jwk {
    fn key_for(&self, alg: Algorithm, _kid: Kid<'_>) -> Result<&HmacKey, Error> {
        self.for_algorithm(alg)
    }
}

/// A JWK Set ([RFC 7517 §5]): the token's `kid` chooses the key.
///
/// [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
    /// Members of a parsed set that were not usable HMAC keys.
    ignored: usize,
}

impl KeySet {
    /// A set of the given keys.
    pub fn new(keys: Vec<Jwk>) -> KeySet {
        KeySet { keys, ignored: 0 }
    }

    /// Parses a JWK Set from JSON text.
    pub fn from_json(json: &str) -> Result<KeySet, Error> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::malformed_key(format!("JWK Set is not JSON: {e}")))?;
        KeySet::from_value(&value)
    }

    /// Parses `{"keys": [JWK, ...]}`.
    ///
    /// > Implementations SHOULD ignore JWKs within a JWK Set that use "kty"
    /// > (key type) values that are not understood by them, that are
    /// > missing required members, or for which values are out of the
    /// > supported ranges.
    /// > — [RFC 7517 §5]
    ///
    /// So a set that mixes RSA or EC keys with `oct` keys keeps the `oct`
    /// ones; the others are counted in [`KeySet::ignored`], and a token
    /// whose `kid` names one of them gets `unknown_key`.
    ///
    /// [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
    pub fn from_value(value: &Value) -> Result<KeySet, Error> {
        let keys = value.get("keys").and_then(Value::as_array).ok_or_else(|| {
            Error::malformed_key("a JWK Set must be an object with a \"keys\" array")
        })?;
        let parsed: Vec<Jwk> = keys
            .iter()
            .filter_map(|k| Jwk::from_value(k).ok())
            .collect();
        Ok(KeySet {
            ignored: keys.len() - parsed.len(),
            keys: parsed,
        })
    }

    /// How many members of the parsed set were ignored as unusable.
    pub fn ignored(&self) -> usize {
        self.ignored
    }

    /// The keys, in order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The JWK for this `kid`: the key whose `kid` equals the token's
    /// (case-sensitive); a token without `kid` uses the set's only key,
    /// when the set as written holds exactly one; a `kid` that is not a
    /// string matches nothing ([RFC 7515 §4.1.4], [RFC 7517 §5]).
    ///
    /// [RFC 7515 §4.1.4]: https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4
    /// [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
    pub fn select(&self, kid: Kid<'_>) -> Result<&Jwk, Error> {
        let unknown = |reason: String| Error::UnknownKey { reason };
        match kid {
            Kid::Text(kid) => self
                .keys
                .iter()
                .find(|k| k.kid.as_deref() == Some(kid))
                .ok_or_else(|| unknown(format!("no key in the set has kid {}", shown(kid)))),
            Kid::NotText => Err(unknown(
                "the header's kid is not a string (RFC 7515 §4.1.4)".into(),
            )),
            // "Exactly one" counts the set as written: a set of an RSA key
            // and an `oct` key holds two, so a token must say which.
            Kid::Absent => match (self.keys.as_slice(), self.ignored) {
                ([only], 0) => Ok(only),
                (keys, ignored) => Err(unknown(format!(
                    "the token has no kid and the set holds {} keys",
                    keys.len() + ignored
                ))),
            },
        }
    }
}

/// A set: the key whose `kid` equals the token's (case-sensitive); a token
/// without `kid` uses the set's only key, when it has exactly one.
impl KeySource for KeySet {
    fn key_for(&self, alg: Algorithm, kid: Kid<'_>) -> Result<&HmacKey, Error> {
        self.select(kid)?.for_algorithm(alg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_keys_are_refused_for_each_algorithm() {
        for alg in Algorithm::ALL {
            let n = alg.output_len();
            assert_eq!(
                HmacKey::new(alg, &vec![1; n - 1]).unwrap_err().code(),
                "weak_key"
            );
            assert!(HmacKey::new(alg, &vec![1; n]).is_ok());
        }
        assert!(HmacKey::new_allow_weak(Algorithm::HS256, b"").is_weak());
    }

    #[test]
    fn a_key_refuses_another_algorithm() {
        let key = HmacKey::new(Algorithm::HS256, &[1; 32]).unwrap();
        assert!(key.key_for(Algorithm::HS256, Kid::Absent).is_ok());
        assert_eq!(
            key.key_for(Algorithm::HS512, Kid::Absent)
                .unwrap_err()
                .code(),
            "algorithm"
        );
    }

    #[test]
    fn debug_shows_no_key_bytes() {
        let key = HmacKey::new(Algorithm::HS256, b"0123456789abcdef0123456789abcdef").unwrap();
        let jwk = Jwk::from_secret(b"0123456789abcdef0123456789abcdef", None, None);
        for s in [format!("{key:?}"), format!("{jwk:?}")] {
            assert!(!s.contains("0123"), "{s}");
            assert!(!s.contains("48, 49"), "{s}");
        }
    }

    #[test]
    fn jwk_oct_is_parsed_and_bound_by_alg() {
        let jwk =
            Jwk::from_value(&json!({"kty":"oct","k":"AAAA","alg":"HS384","kid":"a"})).unwrap();
        assert_eq!(jwk.secret(), &[0, 0, 0]);
        assert_eq!(jwk.kid(), Some("a"));
        assert!(jwk.for_algorithm(Algorithm::HS384).is_ok());
        assert_eq!(
            jwk.for_algorithm(Algorithm::HS256).unwrap_err().code(),
            "algorithm"
        );
    }

    #[test]
    fn jwk_errors_are_malformed_keys() {
        for bad in [
            json!([]),
            json!({"k":"AAAA"}),
            json!({"kty":"RSA","k":"AAAA"}),
            json!({"kty":"oct"}),
            json!({"kty":"oct","k":"AA=="}),
            json!({"kty":"oct","k":"AAAA","alg":"RS256"}),
            json!({"kty":"oct","k":"AAAA","kid":7}),
            json!({"kty":"oct","k":"AAAA","use":"enc"}),
        ] {
            let e = Jwk::from_value(&bad).unwrap_err();
            assert!(matches!(e, Error::MalformedKey { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn a_bad_k_is_reported_without_its_characters() {
        let e = Jwk::from_value(&json!({"kty":"oct","k":"c2VjcmV0+A"})).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("at byte 8"), "{msg}");
        assert!(!msg.contains('+') && !msg.contains("c2Vj"), "{msg}");
    }

    #[test]
    fn key_set_chooses_by_kid() {
        let set = KeySet::from_value(&json!({"keys":[
            {"kty":"oct","k":"AAAA","kid":"a"},
            {"kty":"oct","k":"AQEB","kid":"b"}
        ]}))
        .unwrap();
        assert_eq!(set.select(Kid::Text("b")).unwrap().secret(), &[1, 1, 1]);
        assert_eq!(
            set.select(Kid::Text("B")).unwrap_err().code(),
            "unknown_key"
        );
        assert_eq!(set.select(Kid::NotText).unwrap_err().code(), "unknown_key");
        assert_eq!(set.select(Kid::Absent).unwrap_err().code(), "unknown_key");
        let one = KeySet::from_value(&json!({"keys":[{"kty":"oct","k":"AAAA"}]})).unwrap();
        assert_eq!(one.ignored(), 0);
        assert!(one.select(Kid::Absent).is_ok());
        assert_eq!(
            one.select(Kid::Text("a")).unwrap_err().code(),
            "unknown_key"
        );
    }

    #[test]
    fn key_sets_ignore_members_they_cannot_use() {
        let set = KeySet::from_value(&json!({"keys":[
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"rsa"},
            {"kty":"oct","kid":"no-k"},
            {"kty":"oct","k":"AAAA","kid":"a"}
        ]}))
        .unwrap();
        assert_eq!(set.keys().len(), 1);
        assert_eq!(set.ignored(), 2);
        assert_eq!(
            set.select(Kid::Text("rsa")).unwrap_err().code(),
            "unknown_key"
        );
        assert!(set.select(Kid::Text("a")).is_ok());
        assert_eq!(set.select(Kid::Absent).unwrap_err().code(), "unknown_key");
        assert!(KeySet::from_value(&json!({"nokeys":[]})).is_err());
    }
}
