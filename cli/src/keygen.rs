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
//!
//! [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2

use std::process::ExitCode;

use barejwt::{Algorithm, base64url};

use serde_json::Value;

use super::input::{Failure, Object, finish};
use super::keyopts::{alg_value, hex};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Lowercase hexadecimal.
    Hex,
    /// base64url without padding.
    Base64url,
    /// A JWK: {"kty":"oct","k":...,"alg":...} (RFC 7518 §6.4).
    Jwk,
}

/// Print a fresh random key of the right size for the algorithm.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  export JWT_SECRET=$(barejwt keygen)
  barejwt keygen --alg HS512 --format base64url > key.txt
  barejwt keygen --format jwk --kid 2024-05 > key.jwk")]
pub struct Args {
    /// The algorithm the key is for: its size is the hash output's.
    #[arg(long, value_name = "ALG", default_value = "HS256", value_parser = alg_value)]
    alg: Algorithm,
    /// How to print the key.
    #[arg(long, value_enum, default_value_t = Format::Hex)]
    format: Format,
    /// The JWK's "kid" (with --format jwk).
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
}

/// Runs `barejwt keygen`.
pub fn run(args: Args) -> ExitCode {
    finish(keygen(args))
}

fn keygen(args: Args) -> Result<(), Failure> {
    if args.kid.is_some() && args.format != Format::Jwk {
        return Err(Failure::usage("--kid goes with --format jwk"));
    }
    let mut key = vec![0u8; args.alg.output_len()];
    getrandom::fill(&mut key)
        .map_err(|e| Failure::usage(format!("the system random generator failed: {e}")))?;
    let out = match args.format {
        Format::Hex => hex(&key),
        Format::Base64url => base64url::encode(&key),
        Format::Jwk => {
            let mut jwk = Object::default();
            jwk.set("kty", Value::from("oct"));
            jwk.set("k", Value::from(base64url::encode(&key)));
            jwk.set("alg", Value::from(args.alg.name()));
            if let Some(kid) = args.kid {
                jwk.set("kid", Value::from(kid));
            }
            jwk.to_compact()
        }
    };
    println!("{out}");
    Ok(())
}
