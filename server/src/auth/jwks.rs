//! A secret file that holds a JWK Set: the server's rules for it.
//!
//! > A JWK Set is a JSON object that represents a set of JWKs. The JSON
//! > object MUST have a "keys" member, with its value being an array of
//! > JWKs. [...] Additional members can be present in the JWK Set; if not
//! > understood by implementations encountering them, they MUST be
//! > ignored. — [RFC 7517 §5]
//!
//! So a secret file whose first character (after white space) is `{` is
//! read as a JWK Set, and two additional members say how the server uses
//! it, each naming a key by its `kid`:
//!
//! ```json
//! {"keys": [{"kty": "oct", "kid": "2026-11", "k": "…"},
//!           {"kty": "oct", "kid": "2026-12", "k": "…"}],
//!  "current": "2026-12",
//!  "kidless": "2026-11"}
//! ```
//!
//! - `"current"`: the key that signs new tokens; without it, the first key.
//! - `"kidless"`: the key that verifies tokens without a `kid` (issued
//!   before the switch from a raw secret); without it such tokens are
//!   refused (see `keys.rs`).
//!
//! Every key verifies the tokens whose `kid` names it. A raw secret never
//! starts with `{` in practice (`barejwt keygen` prints hex), and one that
//! does is refused as a malformed set, never used as text.
//!
//! # What is refused
//!
//! The server is strict where RFC 7517 lets a reader skip ("Implementations
//! SHOULD ignore JWKs within a JWK Set that use "kty" (key type) values
//! that are not understood by them"): a key the operator wrote but the
//! server cannot use is a mistake to report at start-up, not one to
//! discover as a 401 after a rotation. So the whole file is refused, with
//! the key's position or `kid`, for: text that is not UTF-8 JSON
//! ([RFC 8259 §8.1]); a repeated member name ([RFC 7517 §5]: "The member
//! names within a JWK Set MUST be unique"); no keys; a key that is not an
//! `oct` JWK ([RFC 7518 §6.4]); a key without `kid`, or two with the same
//! one ([RFC 7517 §4.5]: "different keys within the JWK Set SHOULD use
//! distinct "kid" values"); an `alg` other than HS256 (the server signs and
//! verifies HS256 only, and any key may become the signing one); a key
//! shorter than 32 bytes ([RFC 7518 §3.2]); a `"current"` or `"kidless"`
//! that names no key of the set.
//!
//! # Security
//!
//! Messages name positions, kids and lengths; never a character of `k`,
//! nor any other value of the file, which may be a misplaced secret.
//!
//! [RFC 7517 §4.5]: https://www.rfc-editor.org/rfc/rfc7517#section-4.5
//! [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2
//! [RFC 7518 §6.4]: https://www.rfc-editor.org/rfc/rfc7518#section-6.4
//! [RFC 8259 §8.1]: https://www.rfc-editor.org/rfc/rfc8259#section-8.1

use std::collections::HashSet;
use std::fmt;

use barejwt::{Algorithm, Jwk, KeySet};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::keys::{Keys, shown};
use super::secret::MIN_SECRET_BYTES;

/// `true` when a secret file is to be read as a JWK Set: its first byte
/// that is not JSON white space is `{`.
pub fn looks_like_set(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|&b| b == b'{')
}

/// The file's top level; serde refuses a repeated `keys`, `current` or
/// `kidless` ("duplicate field"), and other members are ignored.
#[derive(serde::Deserialize)]
struct SetFile<'a> {
    #[serde(borrow)]
    keys: Vec<&'a RawValue>,
    current: Option<String>,
    kidless: Option<String>,
}

/// Reads a JWK Set file's bytes into the server's keys, or says what is
/// wrong (a message for the operator, without key bytes).
pub fn parse(bytes: &[u8]) -> Result<Keys, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "it starts with '{{' like a JWK Set but is not UTF-8 (byte {}; RFC 8259 §8.1); a raw secret must not start with '{{'",
            e.valid_up_to()
        )
    })?;
    let file: SetFile<'_> = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    if file.keys.is_empty() {
        return Err("the JWK Set holds no keys".into());
    }
    let mut jwks = Vec::with_capacity(file.keys.len());
    let mut kids = HashSet::new();
    for (n, raw) in file.keys.iter().enumerate() {
        let jwk = key(n + 1, raw)?;
        let kid = jwk.kid().unwrap_or_default();
        if !kids.insert(kid.to_owned()) {
            return Err(format!(
                "two keys have kid {}: kids must tell the keys apart (RFC 7517 §4.5)",
                shown(kid)
            ));
        }
        jwks.push(jwk);
    }
    let named = |member: &str, kid: &str| {
        jwks.iter()
            .find(|k| k.kid() == Some(kid))
            .map(hs256)
            .ok_or_else(|| format!("\"{member}\" names kid {}, and no key has it", shown(kid)))
    };
    let signing = match &file.current {
        Some(kid) => named("current", kid)?,
        None => hs256(&jwks[0]),
    };
    let kidless = match &file.kidless {
        Some(kid) => Some(named("kidless", kid)?),
        None => None,
    };
    Ok(Keys::Set {
        set: KeySet::new(jwks),
        signing,
        kidless,
    })
}

/// The set's `n`th key (counting from 1), checked by the server's rules.
fn key(n: usize, raw: &RawValue) -> Result<Jwk, String> {
    let value: Value =
        serde_json::from_str(raw.get()).map_err(|e| format!("key {n}: {}", json_error(&e)))?;
    if !value.is_object() {
        return Err(format!("key {n} is not a JSON object (a JWK, RFC 7517 §4)"));
    }
    // The kid, for the messages below; not trusted for anything else yet.
    let at = match value.get("kid").and_then(Value::as_str) {
        Some(kid) => format!("key {n} (kid {})", shown(kid)),
        None => format!("key {n}"),
    };
    serde_json::from_str::<UniqueNames>(raw.get()).map_err(|e| format!("{at}: {e}"))?;
    let jwk = Jwk::from_value(&value).map_err(|e| format!("{at}: {e}"))?;
    if jwk.kid().is_none() {
        return Err(format!(
            "{at} has no \"kid\": every key of the set needs one, for tokens to name it (RFC 7515 §4.1.4)"
        ));
    }
    if let Some(alg) = jwk.algorithm()
        && alg != Algorithm::HS256
    {
        return Err(format!(
            "{at} is for {alg}; the server signs and verifies HS256 only (RFC 8725 §3.1)"
        ));
    }
    let len = jwk.secret().len();
    if len < MIN_SECRET_BYTES {
        return Err(format!(
            "{at} is {len} bytes; at least {MIN_SECRET_BYTES} are required for HS256 (RFC 7518 §3.2)"
        ));
    }
    Ok(jwk)
}

/// The JWK's HS256 key, with its `kid` (the set's rules leave no other
/// algorithm, so this always exists).
fn hs256(jwk: &Jwk) -> barejwt::HmacKey {
    jwk.for_algorithm(Algorithm::HS256)
        .expect("a key whose alg is absent or HS256 serves HS256")
        .clone()
}

/// A JSON error without the value it was about: serde's "invalid type"
/// messages quote strings, and a misplaced string may be a secret.
fn json_error(e: &serde_json::Error) -> String {
    let at = format!("line {} column {}", e.line(), e.column());
    match e.classify() {
        serde_json::error::Category::Data => {
            let msg = e.to_string();
            if msg.starts_with("duplicate field") {
                // "duplicate field `current` at line …": a name of ours.
                format!("{msg} (RFC 7517 §5: member names must be unique)")
            } else if msg.starts_with("missing field") {
                format!("{msg}: a JWK Set is an object with a \"keys\" array (RFC 7517 §5)")
            } else {
                format!(
                    "not a JWK Set at {at}: \"keys\" must be an array of JWKs, \"current\" and \"kidless\" kid strings (RFC 7517 §5)"
                )
            }
        }
        _ => format!("not JSON: {e}"),
    }
}

/// A JSON object whose member names are all distinct ([RFC 7517 §4]: "The
/// member names within a JWK MUST be unique"). `serde_json::Value` keeps
/// the last of two; this refuses the second instead.
///
/// [RFC 7517 §4]: https://www.rfc-editor.org/rfc/rfc7517#section-4
struct UniqueNames;

impl<'de> Deserialize<'de> for UniqueNames {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UniqueNames, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = UniqueNames;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueNames, A::Error> {
                let mut seen = HashSet::new();
                while let Some(name) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    if seen.contains(&name) {
                        return Err(de::Error::custom(format!(
                            "the member {} appears twice (RFC 7517 §4: names must be unique)",
                            shown(&name)
                        )));
                    }
                    seen.insert(name);
                }
                Ok(UniqueNames)
            }
        }
        d.deserialize_map(Names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use barejwt::KeySource;
    use barejwt::Kid;
    use serde_json::json;

    /// A key of `len` bytes of `byte`, as base64url.
    fn k(byte: u8, len: usize) -> String {
        barejwt::base64url::encode(&vec![byte; len])
    }

    fn oct(kid: &str, byte: u8) -> Value {
        json!({"kty": "oct", "kid": kid, "k": k(byte, 32)})
    }

    fn refused(file: &Value) -> String {
        parse(file.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn the_current_key_signs_and_every_key_verifies_by_kid() {
        let file = json!({"keys": [oct("a", 1), oct("b", 2)], "current": "b"});
        let keys = parse(file.to_string().as_bytes()).unwrap();
        assert_eq!(keys.signing().kid(), Some("b"));
        for kid in ["a", "b"] {
            let key = keys.key_for(Algorithm::HS256, Kid::Text(kid)).unwrap();
            assert_eq!(key.kid(), Some(kid));
        }
        let e = keys.key_for(Algorithm::HS256, Kid::Text("c")).unwrap_err();
        assert_eq!(e.code(), "unknown_key");
        let d = keys.describe();
        assert_eq!(
            d,
            "a JWK Set of 2 keys (\"a\", \"b\"); \"b\" signs; tokens without kid: refused"
        );
    }

    #[test]
    fn without_current_the_first_key_signs() {
        let file = json!({"keys": [oct("a", 1), oct("b", 2)]});
        let keys = parse(file.to_string().as_bytes()).unwrap();
        assert_eq!(keys.signing().kid(), Some("a"));
    }

    #[test]
    fn a_token_without_kid_needs_the_kidless_key_even_in_a_set_of_one() {
        let one = json!({"keys": [oct("a", 1)]});
        let keys = parse(one.to_string().as_bytes()).unwrap();
        let e = keys.key_for(Algorithm::HS256, Kid::Absent).unwrap_err();
        assert_eq!(e.code(), "unknown_key");
        let marked = json!({"keys": [oct("a", 1), oct("b", 2)], "kidless": "a"});
        let keys = parse(marked.to_string().as_bytes()).unwrap();
        let key = keys.key_for(Algorithm::HS256, Kid::Absent).unwrap();
        assert_eq!(key.kid(), Some("a"));
        assert!(
            keys.describe()
                .ends_with("tokens without kid: verified with \"a\"")
        );
    }

    #[test]
    fn only_a_leading_brace_makes_a_set() {
        assert!(looks_like_set(b" \n\t{\"keys\": []}"));
        assert!(!looks_like_set(b"0123456789abcdef0123456789abcdef"));
        assert!(!looks_like_set(b""));
        assert!(!looks_like_set(b"\x00{"));
    }

    #[test]
    fn a_key_without_kid_is_refused_by_position() {
        let e = refused(&json!({"keys": [oct("a", 1), {"kty": "oct", "k": k(2, 32)}]}));
        assert!(e.starts_with("key 2 has no \"kid\""), "{e}");
    }

    #[test]
    fn duplicate_kids_are_refused_by_name() {
        let e = refused(&json!({"keys": [oct("a", 1), oct("a", 2)]}));
        assert!(e.contains("two keys have kid \"a\""), "{e}");
    }

    #[test]
    fn a_short_key_is_refused_with_its_kid_and_length() {
        let short = json!({"kty": "oct", "kid": "old", "k": k(1, 31)});
        let e = refused(&json!({"keys": [short]}));
        assert!(e.contains("kid \"old\"") && e.contains("31 bytes"), "{e}");
    }

    #[test]
    fn a_key_that_is_not_oct_is_refused() {
        let rsa = json!({"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"});
        let e = refused(&json!({"keys": [oct("a", 1), rsa]}));
        assert!(
            e.starts_with("key 2 (kid \"r\")") && e.contains("\"RSA\""),
            "{e}"
        );
        let e = refused(&json!({"keys": ["a secret string"]}));
        assert!(
            e.contains("not a JSON object") && !e.contains("secret"),
            "{e}"
        );
    }

    #[test]
    fn an_alg_other_than_hs256_is_refused() {
        for alg in ["HS384", "HS512"] {
            let key = json!({"kty": "oct", "kid": "x", "alg": alg, "k": k(1, 64)});
            let e = refused(&json!({"keys": [key]}));
            assert!(e.contains(&format!("is for {alg}")), "{e}");
        }
        let ok = json!({"kty": "oct", "kid": "x", "alg": "HS256", "k": k(1, 32)});
        assert!(parse(json!({"keys": [ok]}).to_string().as_bytes()).is_ok());
    }

    #[test]
    fn an_unknown_current_or_kidless_kid_is_refused() {
        let e = refused(&json!({"keys": [oct("a", 1)], "current": "b"}));
        assert!(e.contains("\"current\" names kid \"b\""), "{e}");
        let e = refused(&json!({"keys": [oct("a", 1)], "kidless": "zz"}));
        assert!(e.contains("\"kidless\" names kid \"zz\""), "{e}");
        let e = refused(&json!({"keys": [oct("a", 1)], "current": 7}));
        assert!(e.starts_with("not a JWK Set at line 1"), "{e}");
    }

    #[test]
    fn an_empty_set_or_no_keys_member_is_refused() {
        assert!(refused(&json!({"keys": []})).contains("holds no keys"));
        let e = refused(&json!({"current": "a"}));
        assert!(e.starts_with("missing field `keys`"), "{e}");
    }

    #[test]
    fn repeated_member_names_are_refused_at_both_levels() {
        let a = oct("a", 1).to_string();
        let e = parse(format!(r#"{{"keys": [{a}], "current": "a", "current": "a"}}"#).as_bytes())
            .unwrap_err();
        assert!(e.starts_with("duplicate field `current`"), "{e}");
        let two_k = format!(
            r#"{{"keys": [{{"kty":"oct","kid":"a","k":"{}","k":"{}"}}]}}"#,
            k(1, 32),
            k(2, 32)
        );
        let e = parse(two_k.as_bytes()).unwrap_err();
        assert!(e.contains("the member \"k\" appears twice"), "{e}");
    }

    #[test]
    fn no_message_carries_a_character_of_a_key() {
        // A k that is 40 bytes of 'Q' in base64url, made invalid at its end.
        let secretish = format!("{}+", "UVFR".repeat(10));
        for file in [
            json!({"keys": [{"kty": "oct", "kid": "a", "k": secretish}]}),
            json!({"keys": secretish}),
            json!({"keys": [oct("a", 1)], "current": [secretish]}),
        ] {
            let e = refused(&file);
            assert!(!e.contains("UVFR"), "{e}");
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_position() {
        let e = parse(b"{\"keys\": [\xff]}").unwrap_err();
        assert!(e.contains("not UTF-8 (byte 10"), "{e}");
    }

    #[test]
    fn deeply_nested_json_is_refused_not_a_stack_overflow() {
        // As deep as a 64 KiB file can nest, in the keys and inside a key.
        let keys = format!("{{\"keys\": {}{}}}", "[".repeat(30_000), "]".repeat(30_000));
        let e = parse(keys.as_bytes()).unwrap_err();
        assert!(
            e.starts_with("key 1: not JSON: recursion limit exceeded"),
            "{e}"
        );
        let inside = format!(
            "{{\"keys\": [{}1{}]}}",
            "{\"a\":".repeat(10_000),
            "}".repeat(10_000)
        );
        let e = parse(inside.as_bytes()).unwrap_err();
        assert!(
            e.starts_with("key 1: not JSON: recursion limit exceeded"),
            "{e}"
        );
        // An additional member is ignored (RFC 7517 §5), however deep.
        let ignored = format!(
            "{{\"x\": {}{}, \"keys\": [{}]}}",
            "[".repeat(30_000),
            "]".repeat(30_000),
            oct("a", 1)
        );
        assert!(parse(ignored.as_bytes()).is_ok());
    }

    #[test]
    fn a_long_kid_is_shortened_in_messages_and_logs() {
        let long = "k".repeat(5000);
        let keys = parse(json!({"keys": [oct(&long, 1)]}).to_string().as_bytes()).unwrap();
        assert!(keys.describe().len() < 200, "{}", keys.describe());
        let e = refused(&json!({"keys": [oct(&long, 1), oct(&long, 2)]}));
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn debug_shows_kids_but_no_key_bytes() {
        let file = json!({"keys": [{"kty": "oct", "kid": "a", "k": k(b'Z', 32)}]});
        let keys = parse(file.to_string().as_bytes()).unwrap();
        let d = format!("{keys:?}");
        assert!(
            d.contains("\"a\"") && !d.contains("ZZ") && !d.contains("WlpaW"),
            "{d}"
        );
    }
}
