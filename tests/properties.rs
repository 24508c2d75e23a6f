//! Property tests (proptest), run by plain `cargo test`: the stable
//! counterpart of the fuzz targets in `fuzz/`.
//!
//! - encode then decode gives back the claims, for random claims, keys,
//!   algorithms and `kid`s;
//! - every single-bit flip, every truncation and every one-byte extension
//!   of a valid token is rejected (a token has exactly one accepted
//!   spelling: strict base64url, RFC 7515 §2, and a MAC over the received
//!   bytes, RFC 7515 §5.2);
//! - a payload segment that is not strict base64url is the error reported,
//!   whatever else is wrong with the token (the verifier decodes the
//!   payload last, and must still answer in the error table's order);
//! - base64url round-trips random bytes and agrees with the `base64`
//!   crate's strict URL-safe engine on random text.
#![allow(clippy::unwrap_used)]

use barejwt::{Algorithm, HmacKey, Validation, base64url, decode, encode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

const NOW: i64 = 1_700_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
    admin: bool,
    n: i64,
    tags: Vec<String>,
}

fn alg() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

/// An algorithm and a secret at least as long as its output (RFC 7518
/// §3.2), and maybe a `kid`.
fn key_parts() -> impl Strategy<Value = (Algorithm, Vec<u8>, Option<String>)> {
    (
        alg(),
        prop::collection::vec(any::<u8>(), 0..100),
        prop::option::of("[a-z0-9-]{1,12}"),
    )
        .prop_map(|(alg, mut secret, kid)| {
            if secret.len() < alg.output_len() {
                secret.resize(alg.output_len(), 0x5a);
            }
            (alg, secret, kid)
        })
}

fn key() -> impl Strategy<Value = HmacKey> {
    key_parts().prop_map(|(alg, secret, kid)| make_key(alg, &secret, kid))
}

fn make_key(alg: Algorithm, secret: &[u8], kid: Option<String>) -> HmacKey {
    let key = HmacKey::new(alg, secret).unwrap();
    match kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    }
}

/// Claims valid at NOW: `exp` after it, `nbf` at or before it.
fn claims() -> impl Strategy<Value = Claims> {
    (
        any::<String>(),
        prop::option::of(1..1_000_000i64),
        prop::option::of(0..1_000_000i64),
        any::<bool>(),
        any::<i64>(),
        prop::collection::vec(any::<String>(), 0..4),
    )
        .prop_map(|(sub, exp, nbf, admin, n, tags)| Claims {
            sub,
            exp: exp.map(|d| NOW + d),
            nbf: nbf.map(|d| NOW - d),
            admin,
            n,
            tags,
        })
}

fn validation(key: &HmacKey) -> Validation {
    Validation::new(key.algorithm()).now(NOW)
}

proptest! {
    #[test]
    fn encode_then_decode_gives_back_the_claims(key in key(), claims in claims()) {
        let token = encode(&claims, &key).unwrap();
        let v = decode::<Claims, _>(&token, &key, &validation(&key)).unwrap();
        prop_assert_eq!(&v.claims, &claims);
        prop_assert_eq!(v.header.alg, key.algorithm());
        prop_assert_eq!(v.header.kid.as_deref(), key.kid());
        prop_assert_eq!(v.header.typ.as_deref(), Some("JWT"));
        // The same claims read as untyped JSON are the JSON we sent.
        let json = decode::<serde_json::Value, _>(&token, &key, &validation(&key)).unwrap();
        prop_assert_eq!(json.claims, serde_json::to_value(&claims).unwrap());
    }

    #[test]
    fn a_token_is_accepted_only_under_its_own_key(
        (alg, secret, kid) in key_parts(),
        (other_alg, other_secret, _) in key_parts(),
        claims in claims(),
    ) {
        let token = encode(&claims, &make_key(alg, &secret, kid)).unwrap();
        let other = make_key(other_alg, &other_secret, None);
        let v = Validation::new(other_alg).algorithms(Algorithm::ALL).now(NOW);
        let result = decode::<Claims, _>(&token, &other, &v);
        // Two secrets are the same HMAC key when their RFC 2104 key blocks
        // are equal (long keys are hashed, short ones zero-padded).
        let block = |a, s: &[u8]| barejwt::hmac::steps(a, s, b"").key_block;
        let same = alg == other_alg && block(alg, &secret) == block(alg, &other_secret);
        prop_assert_eq!(result.is_ok(), same, "{:?}", result.err());
        if !same {
            let code = result.unwrap_err().code();
            let want = if alg == other_alg { "bad_signature" } else { "algorithm" };
            prop_assert_eq!(code, want);
        }
    }
}

proptest! {
    /// The payload is decoded only once the MAC has matched (RFC 7515 §5.2:
    /// the order of independent steps is not significant), yet a payload
    /// segment that is not strict base64url is still the error reported,
    /// as when it was decoded second: whatever the header, the key, the
    /// signature. Headers of every kind (known, other, refused, bad JSON),
    /// payload segments of any text near the alphabet, signatures right,
    /// wrong or malformed.
    #[test]
    fn a_malformed_payload_segment_is_the_error_whatever_follows(
        header in prop::sample::select(vec![
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"alg":"HS256","kid":"k"}"#,
            r#"{"alg":"HS512"}"#,
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256","crit":["x"],"x":1}"#,
            r#"{"alg":"HS256""#,
        ]),
        payload in "[A-Za-z0-9_=+/ -]{0,40}",
        signature in 0..3u8,
        weak in any::<bool>(),
    ) {
        let secret: &[u8] = if weak { &[1; 16] } else { &[1; 32] };
        let key = HmacKey::new_allow_weak(Algorithm::HS256, secret);
        let signing_input = format!("{}.{payload}", base64url::encode(header.as_bytes()));
        let tag = barejwt::hmac::steps(Algorithm::HS256, secret, signing_input.as_bytes()).outer_hash;
        let signature = match signature {
            0 => base64url::encode(&tag),
            1 => base64url::encode(&[0; 32]),
            _ => "AAAA=".to_owned(),
        };
        let token = format!("{signing_input}.{signature}");
        let verdict = barejwt::jws::verify(token.as_bytes(), &key, &Validation::default());
        match base64url::decode(payload.as_bytes()) {
            Err(e) => {
                let got = verdict.unwrap_err();
                let payload_error =
                    matches!(got, barejwt::Error::Malformed { part: barejwt::Part::Payload, .. });
                prop_assert!(payload_error, "{}", got);
                prop_assert!(got.to_string().contains(&e.to_string()), "{} / {}", got, e);
            }
            Ok(_) => {
                let payload_error = matches!(
                    verdict,
                    Err(barejwt::Error::Malformed { part: barejwt::Part::Payload, .. })
                );
                prop_assert!(!payload_error, "{:?}", verdict.err());
            }
        }
    }
}

proptest! {
    // Each case decodes the token about 8 * len times.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_single_bit_flip_is_rejected(key in key(), claims in claims()) {
        let token = encode(&claims, &key).unwrap().into_bytes();
        let v = validation(&key);
        prop_assert!(decode::<Claims, _>(&token, &key, &v).is_ok());
        let mut t = token.clone();
        for i in 0..t.len() {
            for bit in 0..8 {
                t[i] ^= 1 << bit;
                let r = decode::<serde_json::Value, _>(&t, &key, &v);
                prop_assert!(r.is_err(), "flip of bit {} of byte {} accepted", bit, i);
                t[i] ^= 1 << bit;
            }
        }
    }

    #[test]
    fn every_truncation_and_extension_is_rejected(
        key in key(), claims in claims(), extra in any::<u8>()
    ) {
        let token = encode(&claims, &key).unwrap().into_bytes();
        let v = validation(&key);
        for end in 0..token.len() {
            let r = decode::<serde_json::Value, _>(&token[..end], &key, &v);
            prop_assert!(r.is_err(), "prefix of {} bytes accepted", end);
        }
        for at in 0..=token.len() {
            let mut longer = token.clone();
            longer.insert(at, extra);
            let r = decode::<serde_json::Value, _>(&longer, &key, &v);
            prop_assert!(r.is_err(), "byte {} inserted at {} accepted", extra, at);
        }
    }
}

proptest! {
    #[test]
    fn base64url_round_trips_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = base64url::encode(&bytes);
        prop_assert_eq!(text.len(), base64url::encoded_len(bytes.len()));
        prop_assert_eq!(&text, &URL_SAFE_NO_PAD.encode(&bytes));
        prop_assert_eq!(base64url::decode(text.as_bytes()).unwrap(), bytes);
    }

    #[test]
    fn base64url_agrees_with_the_base64_crate_on_random_text(
        text in prop::collection::vec(
            prop::sample::select(b"AZaz09-_+/= .\n\xff".to_vec()), 0..40
        )
    ) {
        let ours = base64url::decode(&text);
        let theirs = URL_SAFE_NO_PAD.decode(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}", String::from_utf8_lossy(&text));
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn base64url_agrees_on_text_from_the_alphabet(text in "[A-Za-z0-9_-]{0,40}") {
        let ours = base64url::decode(text.as_bytes());
        let theirs = URL_SAFE_NO_PAD.decode(text.as_bytes());
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{}", text);
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            prop_assert_eq!(a, b);
        }
    }
}

// Regressions found by the fuzz targets (fuzz/README.md, "Findings").

/// Found by the `decode` target: `serde_json`'s default float parser is not
/// correctly rounded, so claims read as `Value` did not survive a JSON round
/// trip: `exp` 17000036170000000001.5 was read as the f64 written
/// `1.7000036170000001e19`, and that text read back as another f64. A
/// verifier that re-issues or forwards the claims would change them. Fixed
/// by `serde_json`'s `float_roundtrip` feature. The NumericDate the caller
/// gets must also be the number the validation compared (`f64::from_str`).
#[test]
fn a_long_fractional_numericdate_is_the_same_number_in_validation_and_in_the_claims() {
    let text = "17000036170000000001.5";
    let payload = format!(r#"{{"sub":"alice","exp":{text}}}"#);
    let key = HmacKey::new(Algorithm::HS256, &[7; 32]).unwrap();
    let token = barejwt::jws::sign(br#"{"alg":"HS256"}"#, payload.as_bytes(), &key).unwrap();
    let v = Validation::new(Algorithm::HS256).now(NOW);

    let registered = decode::<barejwt::RegisteredClaims, _>(&token, &key, &v).unwrap();
    let exp = registered.claims.exp.unwrap().as_secs_f64();
    assert_eq!(exp, text.parse::<f64>().unwrap());

    let json = decode::<serde_json::Value, _>(&token, &key, &v)
        .unwrap()
        .claims;
    let again: serde_json::Value = serde_json::from_str(&json.to_string()).unwrap();
    assert_eq!(again, json);
}
