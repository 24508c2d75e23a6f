//! The cases of `benches/jwt.rs`, each built from the [`Setup`] and
//! checked once before any timing: a valid verify must return the claims,
//! a rejection must be the one the case is named for, and every library's
//! signed token must verify with barejwt.

use std::fmt::Debug;
use std::hint::black_box;

use jwt_simple::prelude::{JWTClaims, MACLike};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::floor::{Exp, Floor, FloorError};
use crate::rows::{Case, Ratio, batched, call};
use crate::{Claims, JsCustom, Keys, SECRET_256, Setup, js_kind};

/// Every case, each checked once: the criterion groups, in the order they
/// run, then the one `--interleaved` adds for the forged-token budget.
pub fn all(s: &Setup) -> Vec<Case<'_>> {
    let payload_len = s.large_token.split('.').nth(1).unwrap().len() / 4 * 3;
    assert!(
        (960..1100).contains(&payload_len),
        "about 1 KiB of claims, found {payload_len} bytes"
    );
    // What a forged token may cost (issue 13): the MAC plus decoding the
    // signature segment, paired round by round with barejwt refusing one.
    let mut forged = Case::rows(
        "forged",
        vec![
            bad_signature(s).take("barejwt"),
            floors("floor", &s.token, &s.claims).take("hmac_sha256"),
            floors("floor", &s.token, &s.claims).take("base64url_signature"),
        ],
    );
    forged.ratios = vec![Ratio {
        over: &["barejwt"],
        under: &["hmac_sha256", "base64url_signature"],
    }];
    forged.criterion = false;
    vec![
        sign("sign_hs256", &s.k, &s.js, &s.floor, &s.claims, &s.js_claims),
        verify(
            "verify_hs256",
            &s.k,
            &s.js,
            &s.floor,
            &s.token,
            &s.claims,
            &s.js_claims,
        ),
        bad_signature(s),
        expired(s),
        floors("floor", &s.token, &s.claims),
        sign(
            "sign_hs512",
            &s.k512,
            &s.js512,
            &s.floor512,
            &s.claims,
            &s.js_claims,
        ),
        verify(
            "verify_hs512",
            &s.k512,
            &s.js512,
            &s.floor512,
            &s.token512,
            &s.claims,
            &s.js_claims,
        ),
        sign("sign_large", &s.k, &s.js, &s.floor, &s.large, &s.js_large),
        verify(
            "verify_large",
            &s.k,
            &s.js,
            &s.floor,
            &s.large_token,
            &s.large,
            &s.js_large,
        ),
        floors("floor_large", &s.large_token, &s.large),
        forged,
    ]
}

/// Each library signing `claims` (jwt-simple its own `JWTClaims` of the
/// same members).
fn sign<'a, T, C, J, M>(
    name: &'static str,
    k: &'a Keys,
    js: &'a J,
    floor: &'a Floor<M>,
    claims: &'a T,
    js_c: &'a JWTClaims<C>,
) -> Case<'a>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
    C: Serialize + DeserializeOwned + Clone,
    J: MACLike,
    M: hmac::Mac + Clone,
{
    // Each library's token must carry the same claims: barejwt reads all four.
    for t in [
        barejwt::encode(claims, &k.bare).unwrap(),
        jsonwebtoken::encode(&k.jwt_header, claims, &k.jwt_enc).unwrap(),
        js.authenticate(js_c.clone()).unwrap(),
        floor.sign(claims),
    ] {
        assert_eq!(&k.bare_verify::<T>(&t).unwrap(), claims, "{t}");
    }
    Case::peers(
        name,
        [
            call("barejwt", move || {
                barejwt::encode(black_box(claims), &k.bare).unwrap()
            }),
            call("jsonwebtoken", move || {
                jsonwebtoken::encode(&k.jwt_header, black_box(claims), &k.jwt_enc).unwrap()
            }),
            // jwt-simple takes its claims by value: the copy is made
            // outside the timed part.
            batched(
                "jwt-simple",
                move || js_c.clone(),
                move |c| js.authenticate(c).unwrap(),
            ),
            call("floor", move || floor.sign(black_box(claims))),
        ],
    )
}

/// Each library verifying barejwt's valid `token` of `expected`.
fn verify<'a, T, C, J, M>(
    name: &'static str,
    k: &'a Keys,
    js: &'a J,
    floor: &'a Floor<M>,
    token: &'a str,
    expected: &T,
    js_expected: &JWTClaims<C>,
) -> Case<'a>
where
    T: DeserializeOwned + PartialEq + Debug + Exp,
    C: Serialize + DeserializeOwned + PartialEq + Debug,
    J: MACLike,
    M: hmac::Mac + Clone,
{
    assert_eq!(&k.bare_verify::<T>(token).unwrap(), expected);
    assert_eq!(&k.jwt_verify::<T>(token).unwrap(), expected);
    assert_eq!(&floor.verify::<T>(token).unwrap(), expected);
    let got = js.verify_token::<C>(token, None).unwrap();
    assert_eq!(
        (&got.subject, &got.custom),
        (&js_expected.subject, &js_expected.custom)
    );
    Case::peers(
        name,
        [
            call("barejwt", move || {
                k.bare_verify::<T>(black_box(token)).unwrap()
            }),
            call("jsonwebtoken", move || {
                k.jwt_verify::<T>(black_box(token)).unwrap()
            }),
            call("jwt-simple", move || {
                js.verify_token::<C>(black_box(token), None).unwrap()
            }),
            call("floor", move || {
                floor.verify::<T>(black_box(token)).unwrap()
            }),
        ],
    )
}

/// Each library refusing `token`, HS256, the tutorial's claims; each must
/// refuse it for the reason the case is named for (a benchmark of an
/// error path by mistake is a known trap).
fn rejects<'a>(
    name: &'static str,
    s: &'a Setup,
    token: &'a str,
    (bare_code, jwt_kind, floor_err): (&str, jsonwebtoken::errors::ErrorKind, FloorError),
    js_is: fn(&jwt_simple::JWTError) -> bool,
) -> Case<'a> {
    let (k, js, floor) = (&s.k, &s.js, &s.floor);
    assert_eq!(
        k.bare_verify::<Claims>(token).unwrap_err().code(),
        bare_code
    );
    assert_eq!(k.jwt_verify::<Claims>(token).unwrap_err().kind(), &jwt_kind);
    assert_eq!(floor.verify::<Claims>(token).unwrap_err(), floor_err);
    let e = js.verify_token::<JsCustom>(token, None).unwrap_err();
    assert!(js_kind(&e).is_some_and(js_is), "{e}");
    Case::peers(
        name,
        [
            call("barejwt", move || {
                k.bare_verify::<Claims>(black_box(token)).unwrap_err()
            }),
            call("jsonwebtoken", move || {
                k.jwt_verify::<Claims>(black_box(token)).unwrap_err()
            }),
            call("jwt-simple", move || {
                js.verify_token::<JsCustom>(black_box(token), None)
                    .unwrap_err()
            }),
            call("floor", move || {
                floor.verify::<Claims>(black_box(token)).unwrap_err()
            }),
        ],
    )
}

fn bad_signature(s: &Setup) -> Case<'_> {
    rejects(
        "verify_bad_signature",
        s,
        &s.bad,
        (
            "bad_signature",
            jsonwebtoken::errors::ErrorKind::InvalidSignature,
            FloorError::BadSignature,
        ),
        |e| matches!(e, jwt_simple::JWTError::InvalidAuthenticationTag),
    )
}

fn expired(s: &Setup) -> Case<'_> {
    rejects(
        "verify_expired",
        s,
        &s.expired,
        (
            "expired",
            jsonwebtoken::errors::ErrorKind::ExpiredSignature,
            FloorError::Expired,
        ),
        |e| matches!(e, jwt_simple::JWTError::TokenHasExpired),
    )
}

/// The pieces of the floor verifier, each done by a crate that does only
/// that piece: HMAC with the key's pads precomputed, base64url decoding of
/// the signature segment alone and of all three segments into buffers made
/// beforehand, and the claims parse. What a forged token may cost (issue
/// 13) is the first plus the second.
fn floors<'a, T>(name: &'static str, token: &'a str, expected: &T) -> Case<'a>
where
    T: DeserializeOwned + PartialEq + Debug,
{
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{KeyInit, Mac};

    let signing_input = &token[..token.rfind('.').unwrap()];
    let segments: Vec<&str> = token.split('.').collect();
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET_256).unwrap();
    let payload = URL_SAFE_NO_PAD.decode(segments[1]).unwrap();
    let mut bufs: Vec<Vec<u8>> = segments.iter().map(|s| vec![0; s.len()]).collect();
    let mut sig_buf = [0u8; 64];

    // The floors must compute what a verifier computes.
    let tag = mac
        .clone()
        .chain_update(signing_input)
        .finalize()
        .into_bytes();
    assert_eq!(tag.as_slice(), URL_SAFE_NO_PAD.decode(segments[2]).unwrap());
    assert_eq!(&serde_json::from_slice::<T>(&payload).unwrap(), expected);

    let sig = segments[2];
    Case::rows(
        name,
        vec![
            call("hmac_sha256", move || {
                let mut m = mac.clone();
                m.update(black_box(signing_input.as_bytes()));
                m.finalize().into_bytes()
            }),
            call("base64url_decode", move || {
                let mut n = 0;
                for (s, buf) in segments.iter().zip(bufs.iter_mut()) {
                    n += URL_SAFE_NO_PAD.decode_slice(black_box(s), buf).unwrap();
                }
                n
            }),
            call("base64url_signature", move || {
                URL_SAFE_NO_PAD
                    .decode_slice(black_box(sig), &mut sig_buf)
                    .unwrap()
            }),
            call("claims_parse", move || {
                serde_json::from_slice::<T>(black_box(&payload)).unwrap()
            }),
        ],
    )
}
