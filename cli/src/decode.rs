//! `barejwt decode`: the header and claims of a token **without
//! verifying it**, for looking only ([`barejwt::jws::inspect`]).
//!
//! stdout gets `{"header": ..., "claims": ...}` as pretty JSON; stderr
//! gets the line `signature NOT verified`, so the JSON stays clean for
//! `jq` while a person still sees the warning. A token that is not even
//! well-formed (stage 2) exits 1 with code `malformed`.
//!
//! # Security
//!
//! Anyone can write any header and claims: nothing printed here may be
//! used to decide anything. That is `barejwt verify`'s job.

use std::process::ExitCode;

use barejwt::{base64url, jws};
use serde_json::Value;

use super::input::{Failure, Object, finish, read_token, short};

/// Show a token's header and claims WITHOUT verifying its signature.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The warning \"signature NOT verified\" goes to stderr, so stdout is clean JSON.

Examples:
  barejwt decode \"$TOKEN\"
  barejwt decode - < token.txt | jq .claims")]
pub struct Args {
    /// The token, or - (or nothing) to read it from stdin.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
}

/// Runs `barejwt decode`.
pub fn run(args: Args) -> ExitCode {
    finish(decode(args))
}

fn decode(args: Args) -> Result<(), Failure> {
    let token = read_token(args.token.as_deref())?;
    // Stage 2 only: three strict base64url segments, a JSON object header.
    let seen = jws::inspect(&token).map_err(Failure::Invalid)?;
    eprintln!(
        "warning: signature NOT verified: anyone could have written this header and these claims"
    );
    // The header again, members in the order they were written.
    let header = jws::split(&token)
        .ok()
        .and_then(|parts| base64url::decode(parts.header).ok())
        .and_then(|bytes| Object::parse(&bytes).ok())
        .unwrap_or_default();
    match Object::parse(&seen.payload) {
        Ok(claims) => {
            println!("{}", super::verify::shown(&header, &claims));
            Ok(())
        }
        Err(e) => {
            let text = String::from_utf8_lossy(&seen.payload);
            let mut out = Object::default();
            out.set(
                "header",
                serde_json::to_value(&header).unwrap_or(Value::Null),
            );
            out.set("payload", Value::from(short(&text, 4096)));
            println!("{}", out.to_pretty());
            Err(Failure::Invalid(barejwt::Error::Malformed {
                part: barejwt::Part::Claims,
                reason: format!("not a JSON object with unique names: {e}"),
            }))
        }
    }
}
