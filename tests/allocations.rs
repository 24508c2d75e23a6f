//! Heap allocations per sign and per verify, for barejwt and its peers,
//! counted by a counting global allocator ([`stats_alloc`]).
//!
//! The benchmark (`benches/jwt.rs`) does not count: a counting allocator
//! would slow down every row it times. This test counts instead, asserts
//! barejwt's budget (issue 13: at most one allocation of its own per
//! verify, beyond what the caller's claims type needs, and none on a
//! rejection) and prints one `alloc CASE LIBRARY N` line per count for
//! `scripts/bench-report.sh` (`cargo test --test allocations --
//! --nocapture` shows them).
//!
//! An allocation here is a call to `alloc` or `realloc`: a `realloc` that
//! grows a buffer costs like a new one. The allocator's counters are
//! process-wide, so this file holds a single test: nothing else runs while
//! it counts.

#![allow(clippy::unwrap_used)]

use std::alloc::System;

use serde::{Deserialize, Serialize};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use barejwt::{Algorithm, HmacKey, Validation};
use jwt_simple::prelude::{HS256Key, JWTClaims, MACLike, UnixTimeStamp};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SECRET: &[u8] = b"bench secret of 32 bytes, not 0!";
const EXP: u64 = 2_000_000_000;

/// The tutorial's claims, as in the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    id: u64,
    exp: u64,
}

/// Claims with no heap field: whatever a verify allocates for them is the
/// verifier's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Plain {
    id: u64,
    exp: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct JsCustom {
    id: u64,
}

/// Allocations per call of `f`: one call first, so that lazy one-time set-up
/// (a provider chosen on first use, say) is not counted, then the mean over
/// a hundred calls, rounded down. The count per call is a whole number; the
/// rounding keeps out a stray allocation made meanwhile by another thread
/// of the test harness, which the process-wide counters also see.
fn allocations<R>(mut f: impl FnMut() -> R) -> usize {
    const CALLS: usize = 100;
    drop(f());
    let region = Region::new(GLOBAL);
    for _ in 0..CALLS {
        drop(std::hint::black_box(f()));
    }
    let stats = region.change();
    (stats.allocations + stats.reallocations) / CALLS
}

#[test]
fn allocations_per_sign_and_verify() {
    let claims = Claims {
        sub: "wangerge".into(),
        id: 1,
        exp: EXP,
    };
    let bare = HmacKey::new(Algorithm::HS256, SECRET).unwrap();
    let bare_v = Validation::new(Algorithm::HS256).require(["exp"]);
    let token = barejwt::encode(&claims, &bare).unwrap();
    let plain = Plain { id: 1, exp: EXP };
    let plain_token = barejwt::encode(&plain, &bare).unwrap();
    let expired = barejwt::encode(&Plain { id: 1, exp: 1000 }, &bare).unwrap();
    let forged = {
        // The first character of the signature changed, still base64url.
        let at = token.rfind('.').unwrap() + 1;
        let mut t = token.clone().into_bytes();
        t[at] = if t[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(t).unwrap()
    };

    // A forged token whose payload is too large for the stack buffer: it
    // is never decoded, so it costs no allocation either.
    let forged_large = {
        let large =
            barejwt::encode(&serde_json::json!({ "pad": "x".repeat(1200) }), &bare).unwrap();
        let (input, _) = large.rsplit_once('.').unwrap();
        format!("{input}.{}", &forged[forged.rfind('.').unwrap() + 1..])
    };

    let jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let jwt_enc = jsonwebtoken::EncodingKey::from_secret(SECRET).unwrap();
    let jwt_dec = jsonwebtoken::DecodingKey::from_secret(SECRET).unwrap();
    let jwt_v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);

    let js = HS256Key::from_bytes(SECRET);
    let js_claims = JWTClaims {
        issued_at: None,
        expires_at: Some(UnixTimeStamp::from_secs(EXP)),
        invalid_before: None,
        issuer: None,
        subject: Some("wangerge".to_owned()),
        audiences: None,
        jwt_id: None,
        nonce: None,
        custom: JsCustom { id: 1 },
    };

    // Count only successes: an error path counted by mistake would flatter.
    let counts = [
        (
            "sign",
            "barejwt",
            allocations(|| barejwt::encode(&claims, &bare).unwrap()),
        ),
        (
            "sign",
            "jsonwebtoken",
            allocations(|| jsonwebtoken::encode(&jwt_header, &claims, &jwt_enc).unwrap()),
        ),
        (
            "sign",
            "jwt-simple",
            // Its claims are taken by value; the copy is counted too (one
            // String, `sub`), and taken off below.
            allocations(|| js.authenticate(js_claims.clone()).unwrap()) - 1,
        ),
        (
            "verify",
            "barejwt",
            allocations(|| {
                let v = barejwt::decode::<Claims, _>(&token, &bare, &bare_v).unwrap();
                assert_eq!(v.claims, claims);
                v
            }),
        ),
        (
            "verify",
            "jsonwebtoken",
            allocations(|| {
                let d = jsonwebtoken::decode::<Claims>(&token, &jwt_dec, &jwt_v).unwrap();
                assert_eq!(d.claims, claims);
                d
            }),
        ),
        (
            "verify",
            "jwt-simple",
            allocations(|| {
                let c = js.verify_token::<JsCustom>(&token, None).unwrap();
                assert_eq!(c.custom.id, 1);
                c
            }),
        ),
        (
            "verify_plain",
            "barejwt",
            allocations(|| {
                let v = barejwt::decode::<Plain, _>(&plain_token, &bare, &bare_v).unwrap();
                assert_eq!(v.claims, plain);
                v
            }),
        ),
        (
            "verify_plain",
            "jsonwebtoken",
            allocations(|| {
                let d = jsonwebtoken::decode::<Plain>(&plain_token, &jwt_dec, &jwt_v).unwrap();
                assert_eq!(d.claims, plain);
                d
            }),
        ),
        // Rejections: each must be the one it is named for.
        (
            "bad_signature",
            "barejwt",
            allocations(|| {
                let e = barejwt::decode::<Plain, _>(&forged, &bare, &bare_v).unwrap_err();
                assert_eq!(e.code(), "bad_signature");
                e
            }),
        ),
        (
            "bad_signature",
            "jsonwebtoken",
            allocations(|| {
                let e = jsonwebtoken::decode::<Plain>(&forged, &jwt_dec, &jwt_v).unwrap_err();
                assert_eq!(e.kind(), &jsonwebtoken::errors::ErrorKind::InvalidSignature);
                e
            }),
        ),
        (
            "bad_signature_large",
            "barejwt",
            allocations(|| {
                let e = barejwt::decode::<Plain, _>(&forged_large, &bare, &bare_v).unwrap_err();
                assert_eq!(e.code(), "bad_signature");
                e
            }),
        ),
        (
            "expired",
            "barejwt",
            allocations(|| {
                let e = barejwt::decode::<Plain, _>(&expired, &bare, &bare_v).unwrap_err();
                assert_eq!(e.code(), "expired");
                e
            }),
        ),
        (
            "expired",
            "jsonwebtoken",
            allocations(|| {
                let e = jsonwebtoken::decode::<Plain>(&expired, &jwt_dec, &jwt_v).unwrap_err();
                assert_eq!(e.kind(), &jsonwebtoken::errors::ErrorKind::ExpiredSignature);
                e
            }),
        ),
    ];
    for (case, library, n) in counts {
        println!("alloc {case} {library} {n}");
    }

    let count = |case: &str, library: &str| {
        counts
            .iter()
            .find(|c| c.0 == case && c.1 == library)
            .unwrap()
            .2
    };
    // The counter counts: a verifier that returns an owned `sub` allocates.
    assert!(count("verify", "jsonwebtoken") >= 1);
    // Issue 13's budget: one allocation of barejwt's own per verify (the
    // header's `typ`), beyond what the caller's claims type needs (`sub`);
    // the payload is parsed where it was decoded, on the stack.
    assert!(
        count("verify_plain", "barejwt") <= 1,
        "barejwt verify allocates {} times for claims without heap fields",
        count("verify_plain", "barejwt")
    );
    assert!(
        count("verify", "barejwt") <= 2,
        "barejwt verify allocates {} times",
        count("verify", "barejwt")
    );
    // And none on a rejection, before the MAC (a forged token, whatever the
    // size of its payload, which is never decoded) or after it (an expired
    // one: the header is made only once the claims pass).
    assert_eq!(count("bad_signature", "barejwt"), 0);
    assert_eq!(count("bad_signature_large", "barejwt"), 0);
    assert_eq!(count("expired", "barejwt"), 0);
    // Signing: the JSON of the claims, and the token.
    assert!(
        count("sign", "barejwt") <= 2,
        "barejwt sign allocates {} times",
        count("sign", "barejwt")
    );
}
