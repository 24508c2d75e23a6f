//! # barejwt
//!
//! JSON Web Tokens signed with HMAC, built from their primitives so that a
//! reader can follow a token from the bytes up, and strict enough to trust.
//!
//! ## Reading order
//!
//! Each module implements one RFC concept and quotes the RFC beside the
//! code. Read them bottom-up, in this order:
//!
//! | module | what | RFC |
//! | --- | --- | --- |
//! | [`base64url`] | the encoding of every segment | RFC 4648 §5, RFC 7515 §2 |
//! | `sha` (private) | SHA-2 at its compression function: initial values, padding | FIPS 180-4 §5 |
//! | [`hmac`] | HMAC-SHA-256/384/512, the key's two blocks compressed once | RFC 2104, RFC 7518 §3.2 |
//! | [`ct`] | constant-time tag comparison | — |
//! | [`key`] | keys bound to an algorithm, JWK `oct`, key sets by `kid` | RFC 7517, RFC 7518 §6.4 |
//! | `json` (private) | refusing duplicate names, bounding depth | RFC 7515 §4, RFC 8259 §9 |
//! | [`jws`] | compact serialization: `header` (§4, `crit`), `fast` (known headers, buffers), then verify and sign as the steps of §5.2 and §5.1 | RFC 7515 §4, §5, §7.1 |
//! | [`claims`] | registered claims, NumericDate | RFC 7519 §2, §4.1 |
//! | [`validation`] | the verifier's options and claim checks | RFC 7519 §7.2, RFC 8725 §3 |
//! | [`jwt`] | `encode` and `decode` of a JWT | RFC 7519 §7 |
//! | `onepass` (private) | the claims read in one parse, same answers as two | RFC 7519 §7.2 |
//! | [`error`] | one error type with stable codes, and its stages | — |
//! | [`explain`] | a walk through one token, every value shown | all of the above |
//! | [`hex`] | hex text for vector files and tools | — |
//! | [`vectors`] | the conformance runner | — |
//!
//! This crate is the library alone: its dependencies are the hash functions
//! (`sha2`, used at the compression function), constant-time helpers
//! (`subtle`), JSON (`serde`, `serde_json`, with `memchr` and `smallvec`)
//! and, on Linux, `rustix` for the coarse clock. Two more crates of the same workspace build on it:
//! `barejwt-server` (in `server/`), the login and todo service (hyper,
//! SQLite, bcrypt), and `barejwt-cli` (in `cli/`), the `barejwt` binary.
//! Read them last.
//!
//! ## Example
//!
//! ```
//! use barejwt::{decode, encode, Algorithm, HmacKey, Validation};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Claims { sub: String, id: i64, exp: i64 }
//!
//! let key = HmacKey::new(Algorithm::HS256, &[0x5e; 32])?;
//! let token = encode(&Claims { sub: "wangerge".into(), id: 1, exp: 1768132452 }, &key)?;
//!
//! let validation = Validation::new(Algorithm::HS256).require(["exp", "sub"]).now(1768131252);
//! let verified = decode::<Claims, _>(&token, &key, &validation)?;
//! assert_eq!(verified.claims.sub, "wangerge");
//! # Ok::<(), barejwt::Error>(())
//! ```
//!
//! ## What barejwt refuses
//!
//! `alg: none` always; algorithms the verifier did not list; keys shorter
//! than the hash output (unless allowed); padded, non-URL-safe or
//! non-canonical base64url; duplicate header or claim names; unknown
//! `crit` extensions; a payload read before its MAC has matched.

#![forbid(unsafe_code)]

pub mod base64url;
pub mod claims;
pub mod ct;
pub mod error;
pub mod explain;
pub mod hex;
pub mod hmac;
mod json;
pub mod jws;
pub mod jwt;
pub mod key;
mod onepass;
mod sha;
pub mod validation;
pub mod vectors;

pub use claims::{Audience, NumericDate, RegisteredClaims};
pub use error::{Error, Part, Refused, Stage};
pub use hmac::Algorithm;
pub use jws::Header;
pub use jwt::{Verified, decode, encode, encode_with_header};
pub use key::{HmacKey, Jwk, KeySet, KeySource, Kid};
pub use validation::{Clock, Validation};
