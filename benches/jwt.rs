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
//! Each case is built once, checked, and handed to one of three modes:
//!
//! - by default, criterion: one group per case, its rows one after the
//!   other (`jwt/rows.rs`);
//! - `-- --interleaved [ROUNDS]`: the rows of each case in many short
//!   rounds, each timing a batch of every row, and the ratios taken round
//!   by round, which a busy machine skews far less (`jwt/interleaved.rs`);
//!   the ratios `scripts/bench-report.sh` checks the goals against;
//! - `-- --loop CASE N` runs one case N times without criterion, for
//!   `scripts/bench-instructions.sh` to count its instructions under
//!   valgrind.
//!
//! The cases and their checks are in `jwt/cases.rs`, the floor in
//! `jwt/floor.rs`.
//!
//! [jsonwebtoken]: https://crates.io/crates/jsonwebtoken
//! [jwt-simple]: https://crates.io/crates/jwt-simple

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use serde::{Deserialize, Serialize};

use barejwt::{Algorithm, HmacKey, Validation};
use jwt_simple::prelude::{HS256Key, HS512Key, JWTClaims, UnixTimeStamp};

#[path = "jwt/cases.rs"]
mod cases;
#[path = "jwt/floor.rs"]
mod floor;
#[path = "jwt/interleaved.rs"]
mod interleaved;
#[path = "jwt/rows.rs"]
mod rows;

use floor::{Exp, Floor256, Floor512, FloorError};

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

/// Flips the first character of the signature segment, keeping it strict
/// base64url: every verifier must answer "bad signature", not "malformed".
fn with_bad_signature(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 1;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Everything the rows borrow, made once: keys, claims, tokens.
struct Setup {
    k: Keys,
    js: HS256Key,
    floor: Floor256,
    k512: Keys,
    js512: HS512Key,
    floor512: Floor512,
    claims: Claims,
    js_claims: JWTClaims<JsCustom>,
    large: Large,
    js_large: JWTClaims<JsLarge>,
    /// barejwt's tokens of `claims` (HS256, HS512) and of `large` (HS256).
    token: String,
    token512: String,
    large_token: String,
    /// `token` with its signature changed, and an expired token.
    bad: String,
    expired: String,
}

impl Setup {
    fn new() -> Setup {
        let k = Keys::new(Algorithm::HS256, SECRET_256);
        let k512 = Keys::new(Algorithm::HS512, SECRET_512);
        let expired = barejwt::encode(&claims(EXPIRED), &k.bare).unwrap();
        let claims = claims(EXP);
        let large = large();
        let token = barejwt::encode(&claims, &k.bare).unwrap();
        Setup {
            js: HS256Key::from_bytes(SECRET_256),
            floor: floor::hs256(SECRET_256),
            js512: HS512Key::from_bytes(SECRET_512),
            floor512: floor::hs512(SECRET_512),
            js_claims: js_claims("wangerge", EXP, None, JsCustom { id: 1 }),
            js_large: js_large(&large),
            token512: barejwt::encode(&claims, &k512.bare).unwrap(),
            large_token: barejwt::encode(&large, &k.bare).unwrap(),
            bad: with_bad_signature(&token),
            expired,
            token,
            claims,
            large,
            k,
            k512,
        }
    }
}

/// `cargo bench --bench jwt -- --loop CASE N`: CASE done N times and
/// nothing else (no criterion), for counting instructions under valgrind,
/// which the machine's load does not change (`scripts/bench-instructions.sh`).
/// Each case is checked once first, like every timed row.
fn run_loop(case: &str, n: u64) {
    use base64::Engine;
    let k = Keys::new(Algorithm::HS256, SECRET_256);
    let floor = floor::hs256(SECRET_256);
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
    let setup = Setup::new();
    let mut cases = cases::all(&setup);
    if let Some(at) = args.iter().position(|a| a == "--interleaved") {
        // `cargo bench` adds `--bench` to the arguments: ROUNDS is
        // whatever number follows, if any.
        let rounds = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(interleaved::ROUNDS);
        // The value after `flag`, if the flag is given.
        let value = |flag: &str| {
            let at = args.iter().position(|a| a == flag)?;
            // Not the next flag (`cargo bench` appends `--bench`).
            let v = args.get(at + 1).filter(|v| !v.starts_with("--"));
            Some(v.unwrap_or_else(|| panic!("{flag} needs a value")))
        };
        let batch = value("--batch-us").map_or(interleaved::BATCH, |us| {
            Duration::from_micros(us.parse().expect("--batch-us takes microseconds"))
        });
        let json = value("--json").map(String::as_str);
        return interleaved::run(&mut cases, rounds, batch, json);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    rows::criterion(&mut c, &mut cases);
    c.final_summary();
}
