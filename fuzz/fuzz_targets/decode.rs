//! `decode`: any bytes as a token, against fixed keys and validations.
//!
//! Each input is tried several ways:
//! - **as received**, against a JWK Set (keys chosen by `kid`) and against
//!   a single HS256 key, each under a lax and a strict [`Validation`];
//! - **as a signing input**: the input is taken as `header.payload` and
//!   given its correct MAC, so that the fuzzer, which cannot forge a MAC,
//!   still reaches everything after stage 5 (the claims set is parsed only
//!   once the MAC has matched, RFC 7519 §7.2 step 10 and RFC 8725 §3);
//! - **as JSON**: when the input holds a 0xFF byte (never part of UTF-8),
//!   the bytes before it are the header and those after it the payload;
//!   the target encodes and signs them, so mutations act on the JSON
//!   directly rather than through base64url.
//!
//! Oracles, beyond "never panics":
//! - when a token is accepted, signing its decoded header and payload with
//!   the key that should have been chosen gives back the token byte for
//!   byte (so the accepted spelling is the only one: strict base64url,
//!   RFC 7515 §2, and the MAC over the received bytes, §5.2 step 8);
//! - the claims re-serialize to JSON that parses back to the same value,
//!   and equal the payload read as JSON;
//! - the accepted claims obey the validation: `exp` in the future, `nbf`
//!   in the past (both with leeway), the issuer, audience and required
//!   claims of the strict validation, checked here independently;
//! - the verified header says what the header JSON says;
//! - [`jws::verify`] and [`decode`] agree on every verdict up to stage 5;
//! - a payload segment that is not strict base64url is the error whenever
//!   the size, the segments and the header's base64url pass (the payload
//!   is decoded last, after the MAC, but answered for in stage order);
//!   [`jws::inspect`] accepts whatever `decode` accepts;
//! - an error's message never contains a key.
#![no_main]

use barejwt::{
    Algorithm, Error, HmacKey, Jwk, KeySet, KeySource, Part, Validation, base64url, decode, jws,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::LazyLock;

const NOW: i64 = 1_700_000_000;
const LEEWAY: u64 = 30;
const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "barejwt-fuzz";

/// Secrets as text, so that a leak into an error message is easy to spot.
const SECRET_256: &str = "barejwt fuzz key for HS256 (32+ bytes)";
const SECRET_384: &str = "barejwt fuzz key for HS384 ......... (48+ bytes)";
const SECRET_ANY: &str = "barejwt fuzz key for any alg ......................... (64+ bytes)";
const SECRET_WEAK: &str = "weak!";
const SECRETS: [&str; 4] = [SECRET_256, SECRET_384, SECRET_ANY, SECRET_WEAK];

struct Fixture {
    set: KeySet,
    single: HmacKey,
    any512: HmacKey,
    lax: Validation,
    strict: Validation,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    // Each key long enough for its algorithm (RFC 7518 §3.2), but "weak".
    assert!(SECRET_256.len() >= 32 && SECRET_384.len() >= 48 && SECRET_ANY.len() >= 64);
    fixture()
});

fn fixture() -> Fixture {
    Fixture {
        set: KeySet::new(vec![
            Jwk::from_secret(
                SECRET_256.as_bytes(),
                Some(Algorithm::HS256),
                Some("hs256".into()),
            ),
            Jwk::from_secret(
                SECRET_384.as_bytes(),
                Some(Algorithm::HS384),
                Some("hs384".into()),
            ),
            Jwk::from_secret(SECRET_ANY.as_bytes(), None, Some("any".into())),
            Jwk::from_secret(
                SECRET_WEAK.as_bytes(),
                Some(Algorithm::HS256),
                Some("weak".into()),
            ),
        ]),
        single: HmacKey::new(Algorithm::HS256, SECRET_256.as_bytes())
            .expect("SECRET_256 is longer than 32 bytes"),
        any512: HmacKey::new_allow_weak(Algorithm::HS512, SECRET_ANY.as_bytes()),
        lax: Validation::new(Algorithm::HS256)
            .algorithms(Algorithm::ALL)
            .leeway(LEEWAY)
            .now(NOW),
        strict: Validation::new(Algorithm::HS256)
            .algorithms([Algorithm::HS256, Algorithm::HS512])
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("alice")
            .require(["exp", "jti"])
            .typ("JWT")
            .max_token_bytes(1024)
            .now(NOW),
    }
}

/// `BAREJWT_FUZZ_VERBOSE=1`: print each verdict (to see which inputs of
/// a corpus are accepted, when replaying it with `-runs=0`).
static VERBOSE: LazyLock<bool> =
    LazyLock::new(|| std::env::var_os("BAREJWT_FUZZ_VERBOSE").is_some());

/// Which keys a token is checked against.
#[derive(Clone, Copy)]
enum Keys {
    Set,
    Single,
}

/// The key that should verify `header`, chosen here without the library:
/// the single key ignores `kid`; the set picks by `kid`.
fn expected_key(keys: Keys, alg: Algorithm, kid: Option<&str>) -> HmacKey {
    let secret = match (keys, kid) {
        (Keys::Single, _) => SECRET_256,
        (Keys::Set, Some("hs256")) => SECRET_256,
        (Keys::Set, Some("hs384")) => SECRET_384,
        (Keys::Set, Some("any")) => SECRET_ANY,
        (Keys::Set, Some("weak")) => SECRET_WEAK,
        (Keys::Set, other) => panic!("accepted a token whose kid {other:?} names no key"),
    };
    HmacKey::new_allow_weak(alg, secret.as_bytes())
}

/// Registered claims in the field types callers use.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct Typed {
    sub: Option<String>,
    iss: Option<Value>,
    exp: Option<u64>,
    nbf: Option<i64>,
    iat: Option<f32>,
    aud: Option<barejwt::Audience>,
}

/// `decode` into `T` of an accepted token: what `serde_json` makes of the
/// payload, or refused exactly when `serde_json` refuses it.
fn typed_agrees<T>(token: &[u8], source: &dyn KeySource, v: &Validation, payload: &[u8])
where
    T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let got = decode::<T, _>(token, source, v).map(|ok| ok.claims).ok();
    let want = serde_json::from_slice::<T>(payload).ok();
    assert_eq!(got, want, "decode and serde_json disagree on a typed field");
}

fn check(token: &[u8], keys: Keys, strict: bool) {
    let f = &*FIXTURE;
    let v = if strict { &f.strict } else { &f.lax };
    let source: &dyn KeySource = match keys {
        Keys::Set => &f.set,
        Keys::Single => &f.single,
    };
    let result = decode::<Value, _>(token, source, v);
    let jws_result = jws::verify(token, source, v);
    if *VERBOSE {
        let verdict = result.as_ref().map_or_else(|e| e.code(), |_| "valid");
        let keys = match keys {
            Keys::Set => "set",
            Keys::Single => "single",
        };
        eprintln!("{keys:6} strict={strict:5} {verdict}");
    }

    // A payload segment that is not strict base64url is the error whenever
    // the verifier gets that far in the error table's order (the size, three
    // segments, a header segment in strict base64url), though it decodes
    // the payload last, once the MAC has matched: the error is decoding's.
    if token.len() <= v.get_max_token_bytes()
        && let Ok(parts) = jws::split(token)
        && base64url::validate(parts.header).is_ok()
        && let Err(want) = base64url::decode(parts.payload)
    {
        let got = jws_result
            .as_ref()
            .expect_err("accepted a malformed payload");
        assert!(
            matches!(
                got,
                Error::Malformed {
                    part: Part::Payload,
                    ..
                }
            ) && got.to_string().contains(&want.to_string()),
            "a malformed payload segment ({want}) reported as {got}"
        );
    }

    let verified = match result {
        Err(e) => {
            // Stages 1-5 are jws::verify's; decode may only fail later.
            if let Err(je) = &jws_result {
                assert_eq!(e.code(), je.code(), "decode and jws::verify disagree");
            }
            let msg = e.to_string();
            for s in SECRETS {
                // (Unless the token itself carried it, and the message
                // quotes the token.)
                if msg.contains(s) {
                    let in_token = token.windows(s.len()).any(|w| w == s.as_bytes());
                    assert!(in_token, "a key in an error: {msg}");
                }
            }
            return;
        }
        Ok(verified) => verified,
    };
    let jws = jws_result.expect("decode accepted what jws::verify refuses");

    // Re-sign the decoded segments: the same token, byte for byte.
    let parts = jws::split(token).expect("an accepted token has three segments");
    let header_json = base64url::decode(parts.header).expect("accepted header is base64url");
    let payload = base64url::decode(parts.payload).expect("accepted payload is base64url");
    assert_eq!(payload, jws.payload);
    let h = &verified.header;
    let key = expected_key(keys, h.alg, h.kid.as_deref());
    let again = jws::sign(&header_json, &payload, &key).expect("an accepted header signs");
    assert_eq!(
        again.as_bytes(),
        token,
        "re-signing did not give the token back"
    );

    // The verified header is what the header JSON says.
    let hv: Value = serde_json::from_slice(&header_json).expect("accepted header is JSON");
    assert_eq!(hv["alg"].as_str(), Some(h.alg.name()));
    assert!(v.get_algorithms().contains(&h.alg));
    assert_eq!(hv.get("typ").and_then(Value::as_str), h.typ.as_deref());
    assert_eq!(hv.get("kid").and_then(Value::as_str), h.kid.as_deref());
    assert_eq!(hv.get("cty").and_then(Value::as_str), h.cty.as_deref());
    assert!(hv.get("crit").is_none(), "accepted a crit extension");
    assert!(
        !key.is_weak(),
        "accepted a weak key without allow_weak_keys"
    );

    // The claims: JSON that round-trips, equal to the payload as JSON.
    let claims = &verified.claims;
    let text = serde_json::to_string(claims).expect("a Value serializes");
    let back: Value = serde_json::from_str(&text).expect("serialized claims parse");
    assert_eq!(&back, claims, "claims changed in a JSON round trip");
    let direct: Value = serde_json::from_slice(&payload).expect("accepted payload is JSON");
    assert_eq!(&direct, claims);
    // The caller's own types get what serde_json gives them from the
    // payload: decode hands the registered claims over from its one parse
    // (the private `onepass`), not from serde_json reading the payload.
    typed_agrees::<barejwt::RegisteredClaims>(token, source, v, &payload);
    typed_agrees::<Typed>(token, source, v, &payload);
    let obj = claims.as_object().expect("accepted claims are an object");

    // The validation rules, checked again here (RFC 7519 §4.1).
    let now = NOW as f64;
    let leeway = v.get_leeway() as f64;
    if let Some(exp) = obj.get("exp") {
        let exp = exp.as_f64().expect("accepted exp is a number");
        assert!(now < exp + leeway, "accepted exp {exp}");
    }
    if let Some(nbf) = obj.get("nbf") {
        let nbf = nbf.as_f64().expect("accepted nbf is a number");
        assert!(now >= nbf - leeway, "accepted nbf {nbf}");
    }
    if let Some(iat) = obj.get("iat") {
        assert!(iat.is_number(), "accepted a non-number iat");
    }
    match obj.get("aud") {
        None => assert!(!strict, "strict: accepted without aud"),
        Some(aud) => {
            // Only a verifier that names itself may accept an aud.
            assert!(strict, "lax: accepted a token with aud");
            let ok = match aud {
                Value::String(s) => s == AUDIENCE,
                Value::Array(a) => {
                    a.iter().all(Value::is_string) && a.iter().any(|x| x == AUDIENCE)
                }
                _ => false,
            };
            assert!(ok, "accepted aud {aud}");
        }
    }
    if strict {
        assert_eq!(obj.get("iss").and_then(Value::as_str), Some(ISSUER));
        assert_eq!(obj.get("sub").and_then(Value::as_str), Some("alice"));
        assert!(obj.contains_key("exp") && obj.contains_key("jti"));
        assert!(token.len() <= 1024);
        let typ = h.typ.as_deref().expect("strict: accepted without typ");
        // RFC 7515 §4.1.9: "JWT", in any case, with or without "application/".
        let typ = typ.to_ascii_lowercase();
        assert!(typ == "jwt" || typ == "application/jwt", "{typ}");
    }

    // inspect, the unverified look, accepts it too.
    let seen = jws::inspect(token).expect("inspect refuses an accepted token");
    assert_eq!(seen.payload, payload);
    assert_eq!(seen.header, hv);
}

/// `input '.' BASE64URL(MAC(input))`: a token whose MAC matches.
fn signed_input(input: &[u8], key: &HmacKey) -> Vec<u8> {
    let mut token = input.to_vec();
    token.push(b'.');
    let tag = key.sign_parts(&[input]);
    token.extend_from_slice(base64url::encode(tag.as_bytes()).as_bytes());
    token
}

fuzz_target!(|data: &[u8]| {
    // As received.
    for keys in [Keys::Set, Keys::Single] {
        check(data, keys, false);
        check(data, keys, true);
    }
    // As a signing input, with its correct MAC appended: under the single
    // HS256 key, and under the set's `any` key with HS512 (reached when
    // the header says kid "any" and alg HS512).
    let signed = |key: &HmacKey| signed_input(data, key);
    let t = signed(&FIXTURE.single);
    check(&t, Keys::Single, false);
    check(&t, Keys::Single, true);
    let t = signed(&FIXTURE.any512);
    check(&t, Keys::Set, false);
    check(&t, Keys::Set, true);
    // As JSON: header 0xFF payload.
    if let Some(cut) = data.iter().position(|&b| b == 0xFF) {
        let mut input = base64url::encode(&data[..cut]);
        input.push('.');
        base64url::encode_into(&data[cut + 1..], &mut input);
        let input = input.into_bytes();
        let t = signed_input(&input, &FIXTURE.single);
        check(&t, Keys::Single, false);
        check(&t, Keys::Single, true);
        let t = signed_input(&input, &FIXTURE.any512);
        check(&t, Keys::Set, false);
        check(&t, Keys::Set, true);
    }
});
