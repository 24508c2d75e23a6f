//! The server's secret file read as a JWK Set (`server/src/auth/jwks.rs`),
//! fed any bytes. Nothing may panic, and:
//! - an accepted set obeys what the server relies on: at least one key,
//!   every key with its own `kid`, at least 32 bytes and serving HS256;
//!   the signing key and the `"kidless"` key are keys of the set (the same
//!   `kid`, the same bytes);
//! - a token the accepted keys issue verifies with them and carries the
//!   signing key's `kid`; a token without `kid` verifies only when the set
//!   names a `"kidless"` key, and then with that key;
//! - no message, of an accepted set or a refused file, carries a `"k"`
//!   value of the input (of 8 characters or more, and found in no other
//!   string of the input: a kid may spell a key, and a short one may be a
//!   word of the message by chance).
#![no_main]

use std::collections::HashSet;

use barejwt::{Algorithm, Clock, HmacKey, Jwk, Kid};
use barejwt_server::auth::{Keys, Tokens, parse_jwk_set};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Every string under a member named "k", anywhere in the input, and
/// every other string (names and values).
fn strings(v: &Value, ks: &mut Vec<String>, others: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (name, value) in map {
                others.push(name.clone());
                match (name == "k", value) {
                    (true, Value::String(k)) => ks.push(k.clone()),
                    _ => strings(value, ks, others),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, ks, others)),
        Value::String(s) => others.push(s.clone()),
        _ => {}
    }
}

/// Same bytes: the same MAC over a fixed message.
fn same_key(a: &HmacKey, b: &HmacKey) -> bool {
    a.sign_parts(&[b"probe"]).as_bytes() == b.sign_parts(&[b"probe"]).as_bytes()
}

fn member<'a>(set: &'a [Jwk], key: &HmacKey) -> &'a Jwk {
    let kid = key
        .kid()
        .expect("a set's signing and kidless keys have a kid");
    let jwk = set
        .iter()
        .find(|k| k.kid() == Some(kid))
        .expect("the key is one of the set's");
    let hs256 = jwk.for_algorithm(Algorithm::HS256).expect("serves HS256");
    assert!(same_key(hs256, key), "kid {kid:?} with other bytes");
    jwk
}

fuzz_target!(|data: &[u8]| {
    // The "k" values a message must not carry: 8 characters or more, and
    // not inside another string of the input (a kid may spell a key).
    let (mut ks, mut others) = (Vec::new(), Vec::new());
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        strings(&v, &mut ks, &mut others);
    }
    ks.retain(|k| k.len() >= 8 && !others.iter().any(|o| o.contains(k.as_str())));
    let keys = match parse_jwk_set(data) {
        Err(msg) => {
            for k in &ks {
                assert!(!msg.contains(k.as_str()), "{msg}");
            }
            return;
        }
        Ok(keys) => keys,
    };
    let described = format!("{} {keys:?}", keys.describe());
    for k in &ks {
        assert!(!described.contains(k.as_str()), "{described}");
    }
    let Keys::Set {
        set,
        signing,
        kidless,
    } = &keys
    else {
        panic!("a JWK Set file gives a set");
    };
    assert!(!set.keys().is_empty());
    let mut kids = HashSet::new();
    for jwk in set.keys() {
        let kid = jwk.kid().expect("every key has a kid");
        assert!(kids.insert(kid), "two keys with kid {kid:?}");
        assert!(jwk.secret().len() >= 32);
        assert!(jwk.for_algorithm(Algorithm::HS256).is_ok());
        assert!(set.select(Kid::Text(kid)).is_ok());
    }
    member(set.keys(), signing);
    let tokens = Tokens::with_keys(keys.clone(), 60, Clock::Fixed(1_000_000));
    let token = tokens.issue("ada", 7).expect("the signing key signs");
    assert_eq!(tokens.verify(&token).expect("its own token").id, 7);
    let header = token.split('.').next().expect("three segments");
    let header: Value =
        serde_json::from_slice(&barejwt::base64url::decode(header.as_bytes()).expect("base64url"))
            .expect("JSON");
    assert_eq!(header["kid"].as_str(), signing.kid());

    // Without kid: only the "kidless" key verifies, and only its tokens.
    let claims = serde_json::json!({"sub": "ada", "id": 7, "exp": 1_000_060});
    let plain = |jwk: &Jwk| {
        let key = HmacKey::new(Algorithm::HS256, jwk.secret()).expect("32 bytes or more");
        barejwt::encode(&claims, &key).expect("signs")
    };
    match kidless {
        Some(key) => {
            let jwk = member(set.keys(), key);
            assert_eq!(tokens.verify(&plain(jwk)).expect("kidless").id, 7);
        }
        None => {
            let e = tokens.verify(&plain(&set.keys()[0])).unwrap_err();
            assert_eq!(e.code(), "unknown_key");
        }
    }
});
