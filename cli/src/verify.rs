//! `barejwt verify`: the whole of [RFC 7519 §7.2] by [`barejwt::decode`],
//! with the verifier's options as flags.
//!
//! A valid token prints `{"header": ..., "claims": ...}` as pretty JSON on
//! stdout and exits 0. An invalid one prints its error code and message on
//! stderr and exits 1; a usage or I/O error exits 2. Nothing is printed
//! on stdout unless the token is valid, so a script cannot mistake a
//! rejected token's claims for accepted ones.
//!
//! [RFC 7519 §7.2]: https://www.rfc-editor.org/rfc/rfc7519#section-7.2

use std::process::ExitCode;

use barejwt::{Jwk, KeySource, base64url, jws};
use serde::de::IgnoredAny;

use super::input::{Failure, Object, finish, read_token, terminal_safe};
use super::keyopts::{KeyArgs, Loaded, ValidationArgs};

/// Verify a token: print its header and claims if valid (exit 0), its
/// error code if not (exit 1).
///
/// With a JWK Set, the token's "kid" chooses the key.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: 0 valid, 1 invalid token (code and message on stderr), 2 usage or I/O error.

Examples:
  barejwt verify --secret-env JWT_SECRET \"$TOKEN\"
  echo \"$TOKEN\" | barejwt verify --secret-file key.txt --require exp,sub --leeway 30s -
  barejwt verify --jwk keys.json --alg HS256,HS512 --iss https://auth.example --aud todo-api \"$TOKEN\"")]
pub struct Args {
    /// The token, or - (or nothing) to read it from stdin.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    checks: ValidationArgs,
}

/// Runs `barejwt verify`.
pub fn run(args: Args) -> ExitCode {
    finish(verify(args))
}

fn verify(args: Args) -> Result<(), Failure> {
    let loaded = args.key.load()?.ok_or_else(|| {
        Failure::usage(
            "no key: give --secret-env, --secret-file, --jwk or --secret (to look without a key, use decode or explain)",
        )
    })?;
    let token = read_token(args.token.as_deref())?;
    let v = args.checks.validation(Some(&loaded));
    barejwt::decode::<IgnoredAny, _>(&token, keys(&loaded).as_ref(), &v)
        .map_err(Failure::Invalid)?;
    // Verified: now, and only now, the segments may be shown as trusted.
    let (header, claims) = segments(&token)?;
    println!("{}", shown(&header, &claims));
    Ok(())
}

/// The key source for `decode`: a raw secret becomes a JWK without `alg`,
/// prepared for every algorithm; the verifier's `--alg` list still decides
/// which ones a token may use (RFC 8725 §3.1).
pub fn keys(loaded: &Loaded) -> Box<dyn KeySource + '_> {
    match loaded {
        Loaded::Secret(s) => Box::new(Jwk::from_secret(s, None, None)),
        Loaded::Jwk(jwk) => Box::new((**jwk).clone()),
        Loaded::Set(set) => Box::new(set.clone()),
    }
}

/// The header and claims as written (members in order), for display.
pub fn segments(token: &[u8]) -> Result<(Object, Object), Failure> {
    let parts = jws::split(token).map_err(Failure::Invalid)?;
    let read = |segment: &[u8], what: &str| -> Result<Object, Failure> {
        let bytes = base64url::decode(segment)
            .map_err(|e| Failure::usage(format!("the {what} segment: {e}")))?;
        Object::parse(&bytes)
            .map_err(|e| Failure::usage(format!("the {what} is not a JSON object: {e}")))
    };
    Ok((
        read(parts.header, "header")?,
        read(parts.payload, "claims set")?,
    ))
}

/// `{"header": ..., "claims": ...}`, pretty, every member in its order.
pub fn shown(header: &Object, claims: &Object) -> String {
    #[derive(serde::Serialize)]
    struct Shown<'a> {
        header: &'a Object,
        claims: &'a Object,
    }
    terminal_safe(&serde_json::to_string_pretty(&Shown { header, claims }).unwrap_or_default())
}
