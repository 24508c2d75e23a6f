//! The key options `sign`, `verify` and `explain` share, and the
//! validation flags of `verify` and `explain`.
//!
//! A key comes from exactly one place: an environment variable, a file, a
//! JWK or JWK Set ([RFC 7517 §4, §5]) file, or the command line itself.
//! The last is accepted with a warning, since the command line lands in
//! the shell history and in `ps` for every user of the machine.
//!
//! # Security
//!
//! The key bytes are never printed here, and errors name the source (the
//! variable, the path), never its content.
//!
//! [RFC 7517 §4, §5]: https://www.rfc-editor.org/rfc/rfc7517#section-4

use std::path::PathBuf;

use barejwt::base64url;
use barejwt::{Algorithm, Jwk, KeySet, Kid, Validation};
use serde_json::Value;

use super::input::{Failure, read_file};
use super::time::parse_duration;

/// How the text of `--secret`, `--secret-env` or `--secret-file` becomes
/// key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum KeyEncoding {
    /// The text's own UTF-8 bytes (what most tutorials do).
    #[default]
    Text,
    /// Hexadecimal: two digits per byte.
    Hex,
    /// base64url without padding, as in a JWK's "k".
    Base64url,
}

/// Where the key comes from.
#[derive(Debug, Clone, Default, clap::Args)]
#[group(skip)]
pub struct KeyArgs {
    /// Read the secret from this environment variable.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["secret_file", "jwk", "secret"])]
    pub secret_env: Option<String>,
    /// Read the secret from this file (one final line break is dropped).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["jwk", "secret"])]
    pub secret_file: Option<PathBuf>,
    /// A JWK or a JWK Set ({"keys": [...]}) file: the key is chosen by kid.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["secret"])]
    pub jwk: Option<PathBuf>,
    /// The secret itself (warning: it lands in your shell history).
    /// It may start with `-`, as a base64url key from `keygen` can.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// How the secret's text becomes bytes.
    #[arg(long, value_enum, default_value_t, value_name = "ENC")]
    pub key_encoding: KeyEncoding,
}

/// A key as loaded, before it is bound to an algorithm.
#[derive(Debug)]
pub enum Loaded {
    /// Raw secret bytes from `--secret*`.
    Secret(Vec<u8>),
    /// One JWK.
    Jwk(Box<Jwk>),
    /// A JWK Set.
    Set(KeySet),
}

impl KeyArgs {
    /// Loads the key, or `None` when no key option was given.
    pub fn load(&self) -> Result<Option<Loaded>, Failure> {
        let text: Vec<u8> = if let Some(name) = &self.secret_env {
            match std::env::var_os(name) {
                Some(v) => v.into_encoded_bytes(),
                None => {
                    return Err(Failure::usage(format!(
                        "environment variable {name} is not set"
                    )));
                }
            }
        } else if let Some(path) = &self.secret_file {
            let mut bytes = read_file(path)?;
            // `echo key > file` and editors end a file with a line break
            // that nobody means as part of the key.
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
            }
            bytes
        } else if let Some(secret) = &self.secret {
            eprintln!(
                "warning: --secret puts the key in your shell history and in `ps`; prefer --secret-env or --secret-file"
            );
            secret.as_bytes().to_vec()
        } else if let Some(path) = &self.jwk {
            return load_jwk(path).map(Some);
        } else {
            return Ok(None);
        };
        let bytes = match self.key_encoding {
            KeyEncoding::Text => text,
            KeyEncoding::Hex => hex_decode(&text)
                .ok_or_else(|| Failure::usage("the secret is not hexadecimal text"))?,
            // The decoder's `Display` would quote the offending character:
            // a piece of the secret. `describe_secret` gives its position.
            KeyEncoding::Base64url => base64url::decode(text.trim_ascii()).map_err(|e| {
                Failure::usage(format!(
                    "the secret is not strict base64url: {}",
                    e.describe_secret()
                ))
            })?,
        };
        if bytes.is_empty() {
            return Err(Failure::usage("the secret is empty"));
        }
        Ok(Some(Loaded::Secret(bytes)))
    }
}

fn load_jwk(path: &std::path::Path) -> Result<Loaded, Failure> {
    let bytes = read_file(path)?;
    let bad = |e: barejwt::Error| Failure::usage(format!("{}: {e}", path.display()));
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("{}: not JSON: {e}", path.display())))?;
    if value.get("keys").is_some() {
        KeySet::from_value(&value).map(Loaded::Set).map_err(bad)
    } else {
        Jwk::from_value(&value)
            .map(|j| Loaded::Jwk(Box::new(j)))
            .map_err(bad)
    }
}

/// Lowercase or uppercase hex, white space around it ignored.
pub fn hex_decode(text: &[u8]) -> Option<Vec<u8>> {
    barejwt::hex::decode(text.trim_ascii())
}

pub use barejwt::hex::encode as hex;

impl Loaded {
    /// The JWK the signer uses: `kid` picks it from a set; a set of one
    /// key needs no `kid`.
    pub fn jwk_for_signing(&self, kid: Option<&str>) -> Result<Option<&Jwk>, Failure> {
        match self {
            Loaded::Secret(_) => Ok(None),
            Loaded::Jwk(jwk) => Ok(Some(jwk)),
            Loaded::Set(set) => {
                let kid = kid.map_or(Kid::Absent, Kid::Text);
                set.select(kid)
                    .map(Some)
                    .map_err(|e| Failure::usage(format!("{e} (choose one with --kid)")))
            }
        }
    }

    /// The algorithm a JWK is bound to, if it is one JWK that names one.
    pub fn bound_algorithm(&self) -> Option<Algorithm> {
        match self {
            Loaded::Jwk(jwk) => jwk.algorithm(),
            _ => None,
        }
    }

    /// The algorithms a verifier accepts when `--alg` is not given: those
    /// the JWK, or the keys of the set, are bound to (their owner chose);
    /// HS256 when none is bound.
    pub fn default_algorithms(&self) -> Vec<Algorithm> {
        let bound: Vec<Algorithm> = match self {
            Loaded::Secret(_) => Vec::new(),
            Loaded::Jwk(jwk) => jwk.algorithm().into_iter().collect(),
            Loaded::Set(set) => Algorithm::ALL
                .into_iter()
                .filter(|a| set.keys().iter().any(|k| k.algorithm() == Some(*a)))
                .collect(),
        };
        if bound.is_empty() {
            vec![Algorithm::HS256]
        } else {
            bound
        }
    }
}

/// Accepts `--alg HS256,HS384` as well as repeated `--alg`.
fn parse_alg(text: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(text).ok_or_else(|| {
        let hint = if text.eq_ignore_ascii_case("none") {
            " (an unsecured JWT is never accepted, RFC 8725 §3.2)"
        } else {
            ""
        };
        format!("{text:?} is not HS256, HS384 or HS512{hint}")
    })
}

/// The algorithm flag of `sign` and `keygen`.
pub fn alg_value(text: &str) -> Result<Algorithm, String> {
    parse_alg(text)
}

fn leeway_value(text: &str) -> Result<u64, String> {
    let secs = parse_duration(text)?;
    u64::try_from(secs).map_err(|_| format!("{text:?}: the leeway cannot be negative"))
}

/// What the verifier accepts (`verify`, `explain`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ValidationArgs {
    /// Accepted algorithms, comma-separated [default: the JWK's or JWK Set's algs, else HS256].
    #[arg(long = "alg", value_name = "ALG", value_delimiter = ',', value_parser = parse_alg)]
    pub algorithms: Vec<Algorithm>,
    /// Required issuer ("iss"), compared exactly.
    #[arg(long, value_name = "ISS")]
    pub iss: Option<String>,
    /// This verifier's audience: the token's "aud" must name it.
    #[arg(long, value_name = "AUD")]
    pub aud: Option<String>,
    /// Required subject ("sub"), compared exactly.
    #[arg(long, value_name = "SUB")]
    pub sub: Option<String>,
    /// Claims that must be present, comma-separated (e.g. exp,sub).
    #[arg(long, value_name = "CLAIMS", value_delimiter = ',')]
    pub require: Vec<String>,
    /// Allowed clock skew for exp and nbf (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", value_parser = leeway_value)]
    pub leeway: Option<u64>,
    /// Check the time claims against this time (seconds since 1970) instead of the clock.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub now: Option<i64>,
    /// Required "typ" header (compared as a media type, RFC 7515 §4.1.9).
    #[arg(long, value_name = "TYP")]
    pub typ: Option<String>,
    /// Accept keys shorter than the hash output (RFC 7518 §3.2 forbids them).
    #[arg(long)]
    pub allow_weak_key: bool,
}

impl ValidationArgs {
    /// The library's [`Validation`] for these flags. `key` supplies the
    /// default algorithm when it is one JWK bound to one.
    pub fn validation(&self, key: Option<&Loaded>) -> Validation {
        let algs = if self.algorithms.is_empty() {
            key.map_or_else(|| vec![Algorithm::HS256], Loaded::default_algorithms)
        } else {
            self.algorithms.clone()
        };
        let mut v = Validation::new(algs[0])
            .algorithms(algs)
            .require(self.require.iter().filter(|c| !c.is_empty()).cloned())
            .allow_weak_keys(self.allow_weak_key);
        if let Some(l) = self.leeway {
            v = v.leeway(l);
        }
        if let Some(now) = self.now {
            v = v.now(now);
        }
        if let Some(iss) = &self.iss {
            v = v.issuer(iss.clone());
        }
        if let Some(aud) = &self.aud {
            v = v.audience(aud.clone());
        }
        if let Some(sub) = &self.sub {
            v = v.subject(sub.clone());
        }
        if let Some(typ) = &self.typ {
            v = v.typ(typ.clone());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_odd_or_foreign_text() {
        assert_eq!(hex_decode(b"00ff7A\n"), Some(vec![0, 0xff, 0x7a]));
        assert_eq!(hex(&[0, 0xff, 0x7a]), "00ff7a");
        assert_eq!(hex_decode(b"abc"), None);
        assert_eq!(hex_decode(b"zz"), None);
    }

    #[test]
    fn none_is_not_an_algorithm_flag() {
        assert!(parse_alg("none").unwrap_err().contains("RFC 8725"));
        assert_eq!(parse_alg("HS384"), Ok(Algorithm::HS384));
    }

    #[test]
    fn the_default_algorithm_follows_a_bound_jwk() {
        let jwk = Jwk::from_secret(&[1; 64], Some(Algorithm::HS512), None);
        let v = ValidationArgs::default().validation(Some(&Loaded::Jwk(Box::new(jwk))));
        assert_eq!(v.get_algorithms(), [Algorithm::HS512]);
        let v = ValidationArgs::default().validation(None);
        assert_eq!(v.get_algorithms(), [Algorithm::HS256]);
        let set = KeySet::new(vec![
            Jwk::from_secret(&[1; 64], Some(Algorithm::HS512), None),
            Jwk::from_secret(&[2; 64], None, None),
            Jwk::from_secret(&[3; 48], Some(Algorithm::HS384), None),
        ]);
        let v = ValidationArgs::default().validation(Some(&Loaded::Set(set)));
        assert_eq!(v.get_algorithms(), [Algorithm::HS384, Algorithm::HS512]);
    }
}
