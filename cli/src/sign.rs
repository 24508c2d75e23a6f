//! `barejwt sign`: a claims set in, a signed JWT out ([RFC 7519 §7.1],
//! [RFC 7515 §5.1]).
//!
//! The header is `{"alg": ..., "typ": "JWT"}`, then the `kid` (from
//! `--kid` or the JWK), then the members of `--header`. The claims keep the
//! order they were written in; `--iat`, `--nbf` and `--exp` set or replace
//! those three claims. stdout gets the token and nothing else, so
//! `TOKEN=$(barejwt sign ...)` works.
//!
//! # Left out on purpose
//!
//! `alg` cannot be set through `--header` (use `--alg`: the header and the
//! key must agree), and there is no `none`.
//!
//! [RFC 7519 §7.1]: https://www.rfc-editor.org/rfc/rfc7519#section-7.1
//! [RFC 7515 §5.1]: https://www.rfc-editor.org/rfc/rfc7515#section-5.1

use std::process::ExitCode;

use barejwt::{Algorithm, HmacKey, jws};
use serde_json::Value;

use super::input::{Failure, Object, finish, read_file, read_stdin};
use super::keyopts::{KeyArgs, Loaded, alg_value};
use super::time::parse_when;

/// Sign a claims set and print the token.
///
/// CLAIMS is a JSON object, @FILE to read it from a file, or - (or
/// nothing) to read it from stdin.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Times (--exp, --nbf, --iat): now, 20m (from now), -5m (before now), @SECS (absolute).

Examples:
  export JWT_SECRET=$(barejwt keygen)
  barejwt sign --secret-env JWT_SECRET '{\"sub\":\"ada\"}' --exp 20m --iat now
  echo '{\"sub\":\"ada\"}' | barejwt sign --alg HS512 --secret-file key.txt
  barejwt sign --jwk keys.json --kid 2024-05 @claims.json")]
pub struct Args {
    /// The claims: JSON, @FILE, or - for stdin.
    #[arg(value_name = "CLAIMS")]
    claims: Option<String>,
    /// The algorithm [default: HS256, or the JWK's alg].
    #[arg(long, value_name = "ALG", value_parser = alg_value)]
    alg: Option<Algorithm>,
    #[command(flatten)]
    key: KeyArgs,
    /// The header's "kid"; with a JWK Set, also the key to sign with.
    #[arg(long, value_name = "KID")]
    kid: Option<String>,
    /// Expiration time "exp" (RFC 7519 §4.1.4), e.g. 20m.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    exp: Option<String>,
    /// Not-before time "nbf" (RFC 7519 §4.1.5), e.g. now.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    nbf: Option<String>,
    /// Issued-at time "iat" (RFC 7519 §4.1.6), e.g. now.
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    iat: Option<String>,
    /// Extra header members, as a JSON object (e.g. '{"cty":"JWT"}').
    #[arg(long, value_name = "JSON")]
    header: Option<String>,
    /// Take "now" as this time (seconds since 1970), for reproducible tokens.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Sign even with a key shorter than the hash output (RFC 7518 §3.2 forbids it).
    #[arg(long)]
    allow_weak_key: bool,
}

/// Runs `barejwt sign`.
pub fn run(args: Args) -> ExitCode {
    finish(sign(args))
}

fn sign(args: Args) -> Result<(), Failure> {
    let loaded = args.key.load()?.ok_or_else(|| {
        Failure::usage("no key: give --secret-env, --secret-file, --jwk or --secret")
    })?;
    let jwk = loaded.jwk_for_signing(args.kid.as_deref())?;
    let alg = match (
        args.alg,
        loaded.bound_algorithm().or(jwk.and_then(|j| j.algorithm())),
    ) {
        (Some(a), Some(bound)) if a != bound => {
            return Err(Failure::usage(format!(
                "the JWK is bound to {bound}, not {a} (RFC 8725 §3.1)"
            )));
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => Algorithm::HS256,
    };
    let secret = match (&loaded, jwk) {
        (Loaded::Secret(s), _) => s.as_slice(),
        (_, Some(jwk)) => jwk.secret(),
        (_, None) => return Err(Failure::usage("no key")),
    };
    let key = if args.allow_weak_key {
        HmacKey::new_allow_weak(alg, secret)
    } else {
        HmacKey::new(alg, secret).map_err(|e| {
            Failure::usage(format!(
                "{e}; generate one with `barejwt keygen --alg {alg}` (or pass --allow-weak-key)"
            ))
        })?
    };

    // The header, RFC 7515 §4.1: alg first, then typ (RFC 7519 §5.1), kid.
    let mut header = Object::default();
    header.set("alg", Value::from(alg.name()));
    header.set("typ", Value::from("JWT"));
    if let Some(kid) = args.kid.as_deref().or(jwk.and_then(|j| j.kid())) {
        header.set("kid", Value::from(kid));
    }
    if let Some(extra) = &args.header {
        let extra = Object::parse(extra.as_bytes())
            .map_err(|e| Failure::usage(format!("--header is not a JSON object: {e}")))?;
        for (name, value) in extra.0 {
            if name == "alg" {
                return Err(Failure::usage(
                    "--header may not set \"alg\": use --alg, so the header and the key agree",
                ));
            }
            header.set(&name, value);
        }
    }

    let mut claims = read_claims(args.claims.as_deref())?;
    let now = args.now.unwrap_or_else(|| barejwt::Clock::System.now());
    for (name, flag) in [("iat", &args.iat), ("nbf", &args.nbf), ("exp", &args.exp)] {
        if let Some(when) = flag {
            let t = parse_when(when, now).map_err(|e| Failure::usage(format!("--{name}: {e}")))?;
            claims.set(name, Value::from(t));
        }
    }

    let token = jws::sign(
        header.to_compact().as_bytes(),
        claims.to_compact().as_bytes(),
        &key,
    )
    .map_err(|e| Failure::usage(format!("cannot sign: {e}")))?;
    println!("{token}");
    Ok(())
}

/// The claims set, RFC 7519 §4: a JSON object with unique names.
fn read_claims(arg: Option<&str>) -> Result<Object, Failure> {
    let (bytes, from) = match arg {
        None | Some("-") => (read_stdin("the claims")?, "stdin"),
        Some(a) => match a.strip_prefix('@') {
            Some(path) => (read_file(std::path::Path::new(path))?, path),
            None => (a.as_bytes().to_vec(), "CLAIMS"),
        },
    };
    Object::parse(&bytes).map_err(|e| {
        Failure::usage(format!(
            "the claims ({from}) are not a JSON object with unique names (RFC 7519 §4): {e}"
        ))
    })
}
