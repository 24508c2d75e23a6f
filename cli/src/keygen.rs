//! `barejwt keygen`: a fresh random HMAC key of the right size.
//!
//! > A key of the same size as the hash output (for instance, 256 bits for
//! > "HS256") or larger MUST be used with this algorithm.
//! > — [RFC 7518 §3.2]
//!
//! So the key has exactly the hash output's length (32, 48 or 64 bytes),
//! from the operating system's generator (`getrandom`). A longer key
//! adds nothing: HMAC's strength is bounded by the hash output, and keys
//! longer than the block are hashed down anyway (RFC 2104 §3).
//!
//! `hex` and `base64url` print the key as text: used as text (the default
//! `--key-encoding text`), those characters are the key, with at least
//! the same entropy; `--key-encoding hex|base64url` uses the raw bytes.
//! `jwk` prints it as a JWK, `jwks` as a JWK Set of one key, marked as the
//! one the server signs with.
//!
//! `--jwks FILE` changes the JWK Set file `barejwt serve --secret-file`
//! reads instead of printing a key: add a fresh key (`--kid`), sign with
//! a key (`--current`), drop one (`--drop`); see `keyset.rs`.
//!
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2

use std::path::PathBuf;
use std::process::ExitCode;

use barejwt::{Algorithm, base64url};

use serde_json::Value;

use super::input::{Failure, Object, finish, read_file};
use super::keyopts::{alg_value, hex};
use super::keyset::{Changes, edit};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Lowercase hexadecimal.
    Hex,
    /// base64url without padding.
    Base64url,
    /// A JWK: {"kty":"oct","k":...,"alg":...} (RFC 7518 §6.4).
    Jwk,
    /// A JWK Set holding that one JWK, marked as the one that signs
    /// ("current"; needs --kid; RFC 7517 §5).
    Jwks,
}

/// Print a fresh random key of the right size for the algorithm, or change
/// the JWK Set file that `barejwt serve --secret-file` reads (--jwks).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  export JWT_SECRET=$(barejwt keygen)
  barejwt keygen --alg HS512 --format base64url > key.txt
  barejwt keygen --format jwk --kid 2024-05 > key.jwk

Rotating the server's key (README, \"Rotating the secret\"), each step
followed by a SIGHUP to every replica:
  barejwt keygen --jwks keys.json --kid 2026-11      # a new set (mode 0600)
  barejwt keygen --jwks keys.json --kid 2026-12      # 1. add the new key
  barejwt keygen --jwks keys.json --current 2026-12  # 2. sign with it
  barejwt keygen --jwks keys.json --drop 2026-11     # 3. after the longest token lifetime
From a raw secret file to a set, old tokens (without kid) still valid:
  barejwt keygen --jwks keys.json --kid old --import old.secret --kidless old")]
pub struct Args {
    /// The algorithm the key is for: its size is the hash output's.
    #[arg(long, value_name = "ALG", default_value = "HS256", value_parser = alg_value)]
    alg: Algorithm,
    /// How to print the key [default: hex].
    #[arg(long, value_enum, conflicts_with = "jwks")]
    format: Option<Format>,
    /// The key's "kid" (with --format jwk or jwks; with --jwks, add a key
    /// with this kid).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// Change the JWK Set in this file instead of printing a key (created
    /// with mode 0600 if missing); the result is checked by the server's
    /// rules, then replaces the file in one rename.
    #[arg(long, value_name = "FILE")]
    jwks: Option<PathBuf>,
    /// With --jwks: sign with the key of this kid (the set's "current").
    #[arg(long, value_name = "KID", requires = "jwks")]
    current: Option<String>,
    /// With --jwks: remove the key of this kid (not the one that signs).
    #[arg(long, value_name = "KID", requires = "jwks")]
    drop: Option<String>,
    /// With --jwks: verify tokens without kid (issued with a raw secret)
    /// with the key of this kid (the set's "kidless").
    #[arg(long, value_name = "KID", requires = "jwks")]
    kidless: Option<String>,
    /// With --jwks and --kid: the new key is this raw secret file's bytes
    /// (read as serve reads it: one final line break dropped), not fresh
    /// random ones.
    #[arg(long, value_name = "FILE", requires = "jwks", requires = "kid")]
    import: Option<PathBuf>,
}

/// Runs `barejwt keygen`.
pub fn run(args: Args) -> ExitCode {
    finish(keygen(args))
}

fn fresh(alg: Algorithm) -> Result<Vec<u8>, Failure> {
    let mut key = vec![0u8; alg.output_len()];
    getrandom::fill(&mut key)
        .map_err(|e| Failure::usage(format!("the system random generator failed: {e}")))?;
    Ok(key)
}

fn keygen(args: Args) -> Result<(), Failure> {
    if let Some(path) = &args.jwks {
        if args.alg != Algorithm::HS256 {
            return Err(Failure::usage(
                "the server signs and verifies HS256 only: --jwks keys are HS256",
            ));
        }
        let add = match (&args.kid, &args.import) {
            (Some(kid), Some(file)) => {
                let mut bytes = read_file(file)?;
                if bytes.ends_with(b"\n") {
                    bytes.pop();
                    if bytes.ends_with(b"\r") {
                        bytes.pop();
                    }
                }
                Some((kid.clone(), bytes))
            }
            (Some(kid), None) => Some((kid.clone(), fresh(args.alg)?)),
            (None, _) => None,
        };
        let changes = Changes {
            add,
            kidless: args.kidless,
            current: args.current,
            drop: args.drop,
        };
        if changes.add.is_none()
            && changes.kidless.is_none()
            && changes.current.is_none()
            && changes.drop.is_none()
        {
            return Err(Failure::usage(
                "--jwks needs a change: --kid, --current, --drop or --kidless",
            ));
        }
        println!("{}", edit(path, changes)?);
        return Ok(());
    }
    let format = args.format.unwrap_or(Format::Hex);
    if args.kid.is_some() && !matches!(format, Format::Jwk | Format::Jwks) {
        return Err(Failure::usage(
            "--kid goes with --format jwk or jwks, or --jwks",
        ));
    }
    let key = fresh(args.alg)?;
    let jwk = |kid: Option<String>| {
        let mut jwk = Object::default();
        jwk.set("kty", Value::from("oct"));
        jwk.set("k", Value::from(base64url::encode(&key)));
        jwk.set("alg", Value::from(args.alg.name()));
        if let Some(kid) = kid {
            jwk.set("kid", Value::from(kid));
        }
        jwk
    };
    let out = match format {
        Format::Hex => hex(&key),
        Format::Base64url => base64url::encode(&key),
        Format::Jwk => jwk(args.kid).to_compact(),
        Format::Jwks => {
            let kid = args.kid.ok_or_else(|| {
                Failure::usage(
                    "--format jwks needs --kid: the server tells a set's keys apart by kid",
                )
            })?;
            let one = serde_json::to_value(jwk(Some(kid.clone())))
                .map_err(|e| Failure::usage(format!("cannot write the set: {e}")))?;
            let mut set = Object::default();
            set.set("keys", Value::Array(vec![one]));
            set.set("current", Value::from(kid));
            set.to_compact()
        }
    };
    println!("{out}");
    Ok(())
}
