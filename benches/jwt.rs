//! barejwt against the JWT crates people use today, and against the floor.
//!
//! One run, one machine, the same token and the same key for every row:
//!
//! - **peers**: [jsonwebtoken] 12 (its `rust_crypto` backend) and
//!   [jwt-simple] 0.15 (`pure-rust`), each through its documented API.
//!   `benches/aws-lc-rs/` builds this same file with jsonwebtoken's
//!   `aws_lc_rs` backend instead (AWS-LC is C: too heavy for what CI
//!   compiles), so that its figures too stand beside barejwt's of one run;
//! - **the floor**: a minimal verifier and signer built from the best
//!   crates for each piece (`hmac` keyed once, `base64`, `serde_json`),
//!   complete but checking only the signature and `exp`; and, for the
//!   forged-token goal, its pieces alone (the MAC of the signing input,
//!   decoding the signature segment);
//! - **cases**: HS256 sign and verify of the tutorial's claims
//!   `{"sub","id","exp"}`; verify rejecting a bad signature; verify rejecting
//!   an expired token; HS512 sign and verify; sign and verify of a token
//!   with about 1 KiB of claims.
//!
//! Every row is checked once before it is timed: a valid verify must return
//! the claims, a rejection must be the rejection it is named for (a
//! benchmark of an error path by mistake is a known trap), and every peer's
//! signed token, the floor's included, must verify with barejwt.
//!
//! Allocation counts live in `tests/allocations.rs` (a counting global
//! allocator would slow down every row here). `scripts/bench-report.sh`
//! runs both and prints the table that README.md shows.
//!
//! Every verifier reads the system clock for `exp`, the floor too.
//!
//! `-- --loop CASE N` runs one case N times without criterion, for
//! `scripts/bench-instructions.sh` to count its instructions under valgrind.
//!
//! [jsonwebtoken]: https://crates.io/crates/jsonwebtoken
//! [jwt-simple]: https://crates.io/crates/jwt-simple

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use serde::{Deserialize, Serialize};

use barejwt::{Algorithm, HmacKey, Validation};
use jwt_simple::prelude::{HS256Key, HS512Key, JWTClaims, MACLike, UnixTimeStamp};

/// 32 bytes: the least RFC 7518 §3.2 allows for HS256.
const SECRET_256: &[u8] = b"bench secret of 32 bytes, not 0!";
/// 64 bytes, for HS512.
const SECRET_512: &[u8] = b"a bench secret of 64 bytes for HS512, the size of its hash out!!";
/// 2033-05-18: valid for years, and ten digits like the tutorial's `exp`.
const EXP: u64 = 2_000_000_000;
/// The tutorial's own `exp` (2026-01-11), in the past on any machine
/// running this: the expired case.
const EXPIRED: u64 = 1_768_132_452;

/// The tutorial's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    id: u64,
    exp: u64,
}

fn claims(exp: u64) -> Claims {
    Claims {
        sub: "wangerge".into(),
        id: 1,
        exp,
    }
}

/// About 1 KiB of claims: what a token carrying roles and a profile holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Large {
    sub: String,
    id: u64,
    exp: u64,
    iss: String,
    name: String,
    email: String,
    locale: String,
    picture: String,
    scope: String,
    roles: Vec<String>,
}

fn large() -> Large {
    Large {
        sub: "wangerge".into(),
        id: 1,
        exp: EXP,
        iss: "https://auth.example.com".into(),
        name: "Wang Erge".into(),
        email: "wangerge@example.com".into(),
        locale: "zh-CN".into(),
        picture: "https://cdn.example.com/avatars/wangerge/256x256.png".into(),
        scope: "openid profile email todos:read todos:write todos:delete offline_access".into(),
        roles: (0..42).map(|i| format!("team-{i:02}:member")).collect(),
    }
}

/// jwt-simple keeps the registered claims in its own `JWTClaims` and the
/// rest in a flattened custom struct: these are the same JSON members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct JsCustom {
    id: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct JsLarge {
    id: u64,
    name: String,
    email: String,
    locale: String,
    picture: String,
    scope: String,
    roles: Vec<String>,
}

fn js_claims<C>(sub: &str, exp: u64, iss: Option<&str>, custom: C) -> JWTClaims<C> {
    JWTClaims {
        issued_at: None,
        expires_at: Some(UnixTimeStamp::from_secs(exp)),
        invalid_before: None,
        issuer: iss.map(str::to_owned),
        subject: Some(sub.to_owned()),
        audiences: None,
        jwt_id: None,
        nonce: None,
        custom,
    }
}

fn js_large(l: &Large) -> JWTClaims<JsLarge> {
    js_claims(
        &l.sub,
        l.exp,
        Some(&l.iss),
        JsLarge {
            id: l.id,
            name: l.name.clone(),
            email: l.email.clone(),
            locale: l.locale.clone(),
            picture: l.picture.clone(),
            scope: l.scope.clone(),
            roles: l.roles.clone(),
        },
    )
}

/// One algorithm's keys in each library, and the verifiers' options.
struct Keys {
    bare: HmacKey,
    bare_v: Validation,
    jwt_enc: jsonwebtoken::EncodingKey,
    jwt_dec: jsonwebtoken::DecodingKey,
    jwt_header: jsonwebtoken::Header,
    jwt_v: jsonwebtoken::Validation,
}

impl Keys {
    fn new(alg: Algorithm, secret: &[u8]) -> Keys {
        let jwt_alg = match alg {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
            Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
        };
        // jsonwebtoken's defaults: `exp` required and checked, 60 s of
        // leeway, the system clock. barejwt is set up to do the same work.
        let jwt_v = jsonwebtoken::Validation::new(jwt_alg);
        Keys {
            bare: HmacKey::new(alg, secret).unwrap(),
            bare_v: Validation::new(alg).require(["exp"]).leeway(jwt_v.leeway),
            jwt_enc: jsonwebtoken::EncodingKey::from_secret(secret).unwrap(),
            jwt_dec: jsonwebtoken::DecodingKey::from_secret(secret).unwrap(),
            jwt_header: jsonwebtoken::Header::new(jwt_alg),
            jwt_v,
        }
    }

    fn bare_verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, barejwt::Error> {
        barejwt::decode::<T, _>(token, &self.bare, &self.bare_v).map(|v| v.claims)
    }

    fn jwt_verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<T>(token, &self.jwt_dec, &self.jwt_v).map(|d| d.claims)
    }
}

/// The kind of a jwt-simple error (its errors are `anyhow` errors).
fn js_kind(e: &jwt_simple::Error) -> Option<&jwt_simple::JWTError> {
    e.downcast_ref::<jwt_simple::JWTError>()
}

/// The claims types' `exp`, for the floor's one claim check.
trait Exp {
    fn exp(&self) -> u64;
}

impl Exp for Claims {
    fn exp(&self) -> u64 {
        self.exp
    }
}

impl Exp for Large {
    fn exp(&self) -> u64 {
        self.exp
    }
}

/// Why the floor refused a token.
#[derive(Debug, PartialEq)]
enum FloorError {
    Malformed,
    BadSignature,
    Expired,
}

/// The minimal verifier and signer: `hmac` keyed once, `base64`,
/// `serde_json`, the system clock; the signature and `exp` checked, nothing
/// else (no header, no `alg`, no duplicate names, no size limit).
struct Floor<M> {
    mac: M,
    /// BASE64URL of `{"alg":"HS256","typ":"JWT"}` (or HS512), made once.
    header_b64: String,
}

impl<M: hmac::Mac + Clone> Floor<M> {
    fn new(mac: M, alg: &str) -> Self {
        use base64::Engine;
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        Floor {
            mac,
            header_b64: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header),
        }
    }

    fn verify<T: serde::de::DeserializeOwned + Exp>(&self, token: &str) -> Result<T, FloorError> {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let (signing_input, sig) = token.rsplit_once('.').ok_or(FloorError::Malformed)?;
        let (_, payload) = signing_input.split_once('.').ok_or(FloorError::Malformed)?;
        let mut tag = [0u8; 64];
        let n = URL_SAFE_NO_PAD
            .decode_slice(sig, &mut tag)
            .map_err(|_| FloorError::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&tag[..n])
            .map_err(|_| FloorError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| FloorError::Malformed)?;
        let claims: T = serde_json::from_slice(&payload).map_err(|_| FloorError::Malformed)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if claims.exp() <= now {
            return Err(FloorError::Expired);
        }
        Ok(claims)
    }

    fn sign<T: Serialize>(&self, claims: &T) -> String {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = serde_json::to_vec(claims).unwrap();
        let mut out = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 92);
        out.push_str(&self.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
        let mut mac = self.mac.clone();
        mac.update(out.as_bytes());
        let tag = mac.finalize().into_bytes();
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut out);
        out
    }
}

type Floor256 = Floor<hmac::Hmac<sha2::Sha256>>;
type Floor512 = Floor<hmac::Hmac<sha2::Sha512>>;

fn floor256() -> Floor256 {
    use hmac::KeyInit;
    Floor::new(hmac::Hmac::new_from_slice(SECRET_256).unwrap(), "HS256")
}

fn floor512() -> Floor512 {
    use hmac::KeyInit;
    Floor::new(hmac::Hmac::new_from_slice(SECRET_512).unwrap(), "HS512")
}

/// Flips the first character of the signature segment, keeping it strict
/// base64url: every verifier must answer "bad signature", not "malformed".
fn with_bad_signature(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 1;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

fn sign_hs256(c: &mut Criterion, k: &Keys, js: &HS256Key, floor: &Floor256) {
    let claims = claims(EXP);
    let js_c = js_claims("wangerge", EXP, None, JsCustom { id: 1 });
    // Each library's token must carry the same claims: barejwt reads all four.
    let tokens = [
        barejwt::encode(&claims, &k.bare).unwrap(),
        jsonwebtoken::encode(&k.jwt_header, &claims, &k.jwt_enc).unwrap(),
        js.authenticate(js_c.clone()).unwrap(),
        floor.sign(&claims),
    ];
    for t in &tokens {
        assert_eq!(k.bare_verify::<Claims>(t).unwrap(), claims, "{t}");
    }

    let mut g = c.benchmark_group("sign_hs256");
    g.bench_function("barejwt", |b| {
        b.iter(|| barejwt::encode(black_box(&claims), &k.bare).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::encode(&k.jwt_header, black_box(&claims), &k.jwt_enc).unwrap())
    });
    // jwt-simple takes its claims by value: the copy is made outside the
    // timed part.
    g.bench_function("jwt-simple", |b| {
        b.iter_batched(
            || js_c.clone(),
            |c| js.authenticate(c).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("floor", |b| b.iter(|| floor.sign(black_box(&claims))));
    g.finish();
}

fn verify_hs256(c: &mut Criterion, k: &Keys, js: &HS256Key, floor: &Floor256, token: &str) {
    let expected = claims(EXP);
    assert_eq!(k.bare_verify::<Claims>(token).unwrap(), expected);
    assert_eq!(floor.verify::<Claims>(token).unwrap(), expected);
    assert_eq!(k.jwt_verify::<Claims>(token).unwrap(), expected);
    let got = js.verify_token::<JsCustom>(token, None).unwrap();
    assert_eq!(
        (got.subject.as_deref(), got.custom.id),
        (Some("wangerge"), 1)
    );

    let mut g = c.benchmark_group("verify_hs256");
    g.bench_function("barejwt", |b| {
        b.iter(|| k.bare_verify::<Claims>(black_box(token)).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| k.jwt_verify::<Claims>(black_box(token)).unwrap())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter(|| js.verify_token::<JsCustom>(black_box(token), None).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor.verify::<Claims>(black_box(token)).unwrap())
    });
    g.finish();
}

fn verify_bad_signature(c: &mut Criterion, k: &Keys, js: &HS256Key, floor: &Floor256, token: &str) {
    let bad = with_bad_signature(token);
    let bad = bad.as_str();
    assert_eq!(
        floor.verify::<Claims>(bad).unwrap_err(),
        FloorError::BadSignature
    );
    assert_eq!(
        k.bare_verify::<Claims>(bad).unwrap_err().code(),
        "bad_signature"
    );
    assert_eq!(
        k.jwt_verify::<Claims>(bad).unwrap_err().kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
    let e = js.verify_token::<JsCustom>(bad, None).unwrap_err();
    assert!(
        matches!(
            js_kind(&e),
            Some(jwt_simple::JWTError::InvalidAuthenticationTag)
        ),
        "{e}"
    );

    let mut g = c.benchmark_group("verify_bad_signature");
    g.bench_function("barejwt", |b| {
        b.iter(|| k.bare_verify::<Claims>(black_box(bad)).unwrap_err())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| k.jwt_verify::<Claims>(black_box(bad)).unwrap_err())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter(|| {
            js.verify_token::<JsCustom>(black_box(bad), None)
                .unwrap_err()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor.verify::<Claims>(black_box(bad)).unwrap_err())
    });
    g.finish();
}

fn verify_expired(c: &mut Criterion, k: &Keys, js: &HS256Key, floor: &Floor256) {
    let expired = barejwt::encode(&claims(EXPIRED), &k.bare).unwrap();
    let expired = expired.as_str();
    assert_eq!(
        floor.verify::<Claims>(expired).unwrap_err(),
        FloorError::Expired
    );
    assert_eq!(
        k.bare_verify::<Claims>(expired).unwrap_err().code(),
        "expired"
    );
    assert_eq!(
        k.jwt_verify::<Claims>(expired).unwrap_err().kind(),
        &jsonwebtoken::errors::ErrorKind::ExpiredSignature
    );
    let e = js.verify_token::<JsCustom>(expired, None).unwrap_err();
    assert!(
        matches!(js_kind(&e), Some(jwt_simple::JWTError::TokenHasExpired)),
        "{e}"
    );

    let mut g = c.benchmark_group("verify_expired");
    g.bench_function("barejwt", |b| {
        b.iter(|| k.bare_verify::<Claims>(black_box(expired)).unwrap_err())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| k.jwt_verify::<Claims>(black_box(expired)).unwrap_err())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter(|| {
            js.verify_token::<JsCustom>(black_box(expired), None)
                .unwrap_err()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor.verify::<Claims>(black_box(expired)).unwrap_err())
    });
    g.finish();
}

fn hs512(c: &mut Criterion) {
    let k = Keys::new(Algorithm::HS512, SECRET_512);
    let js = HS512Key::from_bytes(SECRET_512);
    let floor = floor512();
    let claims = claims(EXP);
    let js_c = js_claims("wangerge", EXP, None, JsCustom { id: 1 });
    let token = barejwt::encode(&claims, &k.bare).unwrap();
    let token = token.as_str();
    for t in [
        jsonwebtoken::encode(&k.jwt_header, &claims, &k.jwt_enc).unwrap(),
        js.authenticate(js_c.clone()).unwrap(),
        floor.sign(&claims),
    ] {
        assert_eq!(k.bare_verify::<Claims>(&t).unwrap(), claims, "{t}");
    }
    assert_eq!(k.jwt_verify::<Claims>(token).unwrap(), claims);
    assert_eq!(floor.verify::<Claims>(token).unwrap(), claims);
    assert_eq!(
        js.verify_token::<JsCustom>(token, None).unwrap().custom.id,
        1
    );

    let mut g = c.benchmark_group("sign_hs512");
    g.bench_function("barejwt", |b| {
        b.iter(|| barejwt::encode(black_box(&claims), &k.bare).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::encode(&k.jwt_header, black_box(&claims), &k.jwt_enc).unwrap())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter_batched(
            || js_c.clone(),
            |c| js.authenticate(c).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("floor", |b| b.iter(|| floor.sign(black_box(&claims))));
    g.finish();

    let mut g = c.benchmark_group("verify_hs512");
    g.bench_function("barejwt", |b| {
        b.iter(|| k.bare_verify::<Claims>(black_box(token)).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| k.jwt_verify::<Claims>(black_box(token)).unwrap())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter(|| js.verify_token::<JsCustom>(black_box(token), None).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor.verify::<Claims>(black_box(token)).unwrap())
    });
    g.finish();
}

fn large_payload(c: &mut Criterion, k: &Keys, js: &HS256Key, floor: &Floor256) {
    let claims = large();
    let js_c = js_large(&claims);
    let token = barejwt::encode(&claims, &k.bare).unwrap();
    let token = token.as_str();
    let payload_len = token.split('.').nth(1).unwrap().len() / 4 * 3;
    assert!(
        (960..1100).contains(&payload_len),
        "about 1 KiB of claims, found {payload_len} bytes"
    );
    for t in [
        jsonwebtoken::encode(&k.jwt_header, &claims, &k.jwt_enc).unwrap(),
        js.authenticate(js_c.clone()).unwrap(),
        floor.sign(&claims),
    ] {
        assert_eq!(k.bare_verify::<Large>(&t).unwrap(), claims, "{t}");
    }
    assert_eq!(k.jwt_verify::<Large>(token).unwrap(), claims);
    assert_eq!(floor.verify::<Large>(token).unwrap(), claims);
    assert_eq!(
        js.verify_token::<JsLarge>(token, None).unwrap().custom,
        js_c.custom
    );

    let mut g = c.benchmark_group("sign_large");
    g.bench_function("barejwt", |b| {
        b.iter(|| barejwt::encode(black_box(&claims), &k.bare).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::encode(&k.jwt_header, black_box(&claims), &k.jwt_enc).unwrap())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter_batched(
            || js_c.clone(),
            |c| js.authenticate(c).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("floor", |b| b.iter(|| floor.sign(black_box(&claims))));
    g.finish();

    let mut g = c.benchmark_group("verify_large");
    g.bench_function("barejwt", |b| {
        b.iter(|| k.bare_verify::<Large>(black_box(token)).unwrap())
    });
    g.bench_function("jsonwebtoken", |b| {
        b.iter(|| k.jwt_verify::<Large>(black_box(token)).unwrap())
    });
    g.bench_function("jwt-simple", |b| {
        b.iter(|| js.verify_token::<JsLarge>(black_box(token), None).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor.verify::<Large>(black_box(token)).unwrap())
    });
    g.finish();

    floors(c, "floor_large", token, &claims);
}

/// The pieces of the floor verifier, each done by a crate that does only
/// that piece: HMAC with the key's pads precomputed, base64url decoding of
/// the signature segment alone and of all three segments into buffers made
/// beforehand, and the claims parse. What a forged token may cost (issue
/// 13) is the first plus the second.
fn floors<T>(c: &mut Criterion, group: &str, token: &str, expected: &T)
where
    T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::{KeyInit, Mac};

    let signing_input = &token[..token.rfind('.').unwrap()];
    let segments: Vec<&str> = token.split('.').collect();
    let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET_256).unwrap();
    let decoded: Vec<Vec<u8>> = segments
        .iter()
        .map(|s| URL_SAFE_NO_PAD.decode(s).unwrap())
        .collect();
    let mut bufs: Vec<Vec<u8>> = segments.iter().map(|s| vec![0; s.len()]).collect();

    // The floors must compute what a verifier computes.
    let tag = mac
        .clone()
        .chain_update(signing_input)
        .finalize()
        .into_bytes();
    assert_eq!(tag.as_slice(), decoded[2].as_slice());
    assert_eq!(&serde_json::from_slice::<T>(&decoded[1]).unwrap(), expected);

    let mut g = c.benchmark_group(group);
    g.bench_function("hmac_sha256", |b| {
        b.iter(|| {
            let mut m = mac.clone();
            m.update(black_box(signing_input.as_bytes()));
            m.finalize().into_bytes()
        })
    });
    g.bench_function("base64url_decode", |b| {
        b.iter(|| {
            let mut n = 0;
            for (s, buf) in segments.iter().zip(bufs.iter_mut()) {
                n += URL_SAFE_NO_PAD.decode_slice(black_box(s), buf).unwrap();
            }
            n
        })
    });
    let mut sig_buf = [0u8; 64];
    g.bench_function("base64url_signature", |b| {
        b.iter(|| {
            URL_SAFE_NO_PAD
                .decode_slice(black_box(segments[2]), &mut sig_buf)
                .unwrap()
        })
    });
    g.bench_function("claims_parse", |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(&decoded[1])).unwrap())
    });
    g.finish();
}

/// `cargo bench --bench jwt -- --loop CASE N`: CASE done N times and
/// nothing else (no criterion), for counting instructions under valgrind,
/// which the machine's load does not change (`scripts/bench-instructions.sh`).
/// Each case is checked once first, like every timed row.
fn run_loop(case: &str, n: u64) {
    use base64::Engine;
    let k = Keys::new(Algorithm::HS256, SECRET_256);
    let floor = floor256();
    let c = claims(EXP);
    let token = barejwt::encode(&c, &k.bare).unwrap();
    let bad = with_bad_signature(&token);
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').nth(1).unwrap())
        .unwrap();
    let once: fn(&Keys, &Floor256, &str, &str, &[u8], &Claims) = match case {
        "barejwt/verify" => |k, _, t, _, _, c| assert_eq!(&k.bare_verify::<Claims>(t).unwrap(), c),
        "barejwt/bad_signature" => |k, _, _, bad, _, _| {
            assert_eq!(
                k.bare_verify::<Claims>(bad).unwrap_err().code(),
                "bad_signature"
            )
        },
        "barejwt/sign" => |k, _, _, _, _, c| {
            black_box(barejwt::encode(black_box(c), &k.bare).unwrap());
        },
        "floor/verify" => |_, f, t, _, _, c| assert_eq!(&f.verify::<Claims>(t).unwrap(), c),
        "floor/bad_signature" => |_, f, _, bad, _, _| {
            assert_eq!(
                f.verify::<Claims>(bad).unwrap_err(),
                FloorError::BadSignature
            )
        },
        "floor/sign" => |_, f, _, _, _, c| {
            black_box(f.sign(black_box(c)));
        },
        "serde_json/claims" => |_, _, _, _, p, c| {
            assert_eq!(&serde_json::from_slice::<Claims>(black_box(p)).unwrap(), c)
        },
        _ => panic!("unknown case {case:?}"),
    };
    for _ in 0..n {
        once(&k, &floor, black_box(&token), black_box(&bad), &payload, &c);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--loop") {
        let n = args.get(at + 2).map_or(1, |n| n.parse().unwrap());
        return run_loop(&args[at + 1], n);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();

    let k = Keys::new(Algorithm::HS256, SECRET_256);
    let js = HS256Key::from_bytes(SECRET_256);
    let floor = floor256();
    let token = barejwt::encode(&claims(EXP), &k.bare).unwrap();

    sign_hs256(&mut c, &k, &js, &floor);
    verify_hs256(&mut c, &k, &js, &floor, &token);
    verify_bad_signature(&mut c, &k, &js, &floor, &token);
    verify_expired(&mut c, &k, &js, &floor);
    floors(&mut c, "floor", &token, &claims(EXP));
    hs512(&mut c);
    large_payload(&mut c, &k, &js, &floor);

    c.final_summary();
}
