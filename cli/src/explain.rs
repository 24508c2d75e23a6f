//! `barejwt explain`: a walk through one token on its real bytes, stage by
//! stage, citing the RFC at each step.
//!
//! The walk is the library's, [`barejwt::explain::explain`]: every step,
//! line and value, and the verdict. This file only reads the options,
//! turns the key options into a [`barejwt::explain::Key`], and prints the
//! result as text (coloured on a terminal) or as JSON
//! ([`barejwt::explain::Explanation::to_json`], the same JSON the token
//! debugger page draws).
//!
//! # Security
//!
//! With a key, the output holds the key and values derived from it (K,
//! K⊕ipad, K⊕opad): it is a teaching tool. A warning says so on stderr.

use std::io::IsTerminal;
use std::process::ExitCode;

use barejwt::explain::{self, Explanation, Key, Tone, Verdict, terminal_safe};

use super::input::{EXIT_INVALID, Failure, read_token};
use super::keyopts::{KeyArgs, Loaded, ValidationArgs};

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// When stdout is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always (even into a pipe).
    Always,
    /// Never.
    Never,
}

/// Walk through a token step by step, citing the RFCs: segments,
/// base64url, header, HMAC (every intermediate value), signature, claims.
///
/// Without a key it explains everything but the signature, and says so.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: 0 valid, 1 invalid or not verified (no key), 2 usage or I/O error.

Examples:
  barejwt explain --secret-env JWT_SECRET \"$TOKEN\"
  barejwt explain \"$TOKEN\"                      # no key: everything but the signature
  barejwt explain --json --now 1768131252 --secret-file key.txt - < token.txt")]
pub struct Args {
    /// The token, or - (or nothing) to read it from stdin.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    checks: ValidationArgs,
    /// Print the steps as JSON.
    #[arg(long)]
    json: bool,
    /// Colour the output.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

/// Runs `barejwt explain`.
pub fn run(args: Args) -> ExitCode {
    match explain(args) {
        Ok(code) => code,
        Err(f) => f.report(),
    }
}

fn explain(args: Args) -> Result<ExitCode, Failure> {
    let loaded = args.key.load()?;
    let token = read_token(args.token.as_deref())?;
    let v = args.checks.validation(loaded.as_ref());
    let paint = Paint {
        on: !args.json
            && colour(
                args.color,
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR"),
            ),
    };
    if loaded.is_some() {
        eprintln!(
            "note: this output shows the key and values derived from it (K, K⊕ipad, K⊕opad): do not share it for a real key"
        );
    }
    let source = describe_source(&args.key);
    let key = loaded.map(|l| match l {
        Loaded::Secret(s) => Key::Secret(s),
        Loaded::Jwk(jwk) => Key::Jwk(jwk),
        Loaded::Set(set) => Key::Set(set),
    });
    let walk = explain::explain(&token, key.as_ref().map(|k| (k, source.as_str())), &v);
    if args.json {
        println!(
            "{}",
            terminal_safe(&serde_json::to_string_pretty(&walk.to_json()).unwrap_or_default())
        );
    } else {
        print!("{}", text(&walk, paint));
    }
    Ok(match walk.verdict {
        Verdict::Valid => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_INVALID),
    })
}

/// ANSI colours, or nothing.
#[derive(Debug, Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    fn tone(self, tone: Tone, s: &str) -> String {
        match tone {
            Tone::Plain => s.to_owned(),
            Tone::Good => self.wrap("1;32", s),
            Tone::Bad => self.wrap("1;31", s),
            Tone::Warn => self.wrap("1;33", s),
            Tone::Dim => self.wrap("2", s),
        }
    }
}

/// The walk as text: numbered steps, their lines indented, the verdict.
fn text(walk: &Explanation, paint: Paint) -> String {
    let mut out = String::new();
    for (i, s) in walk.steps.iter().enumerate() {
        out.push_str(&paint.wrap("1;36", &format!("{}. {}", i + 1, s.title)));
        out.push_str(&paint.tone(Tone::Dim, &format!("  ({})", s.rfc)));
        out.push('\n');
        for line in &s.lines {
            out.push_str("   ");
            for span in &line.0 {
                out.push_str(&paint.tone(span.tone, &span.text));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    let word = walk.verdict.word();
    let shown = match &walk.verdict {
        Verdict::Valid => paint.tone(Tone::Good, word),
        Verdict::Invalid(e) => paint.tone(Tone::Bad, &format!("{word} ({})", e.code())),
        Verdict::Unverified => paint.tone(Tone::Warn, word),
    };
    out.push_str(&format!("Verdict: {shown}: {}\n", walk.verdict.message()));
    out
}

/// Colour or not: `--color always|never` decide; `auto` colours a
/// terminal unless `NO_COLOR` is set to a non-empty value
/// (<https://no-color.org>).
fn colour(when: ColorWhen, terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// Where the key came from, for the key step ("from --secret-env NAME").
fn describe_source(k: &KeyArgs) -> String {
    if let Some(name) = &k.secret_env {
        format!("--secret-env {name}")
    } else if let Some(p) = &k.secret_file {
        format!("--secret-file {}", p.display())
    } else if let Some(p) = &k.jwk {
        format!("--jwk {}", p.display())
    } else {
        "--secret".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use ColorWhen::*;
        assert!(colour(Auto, true, None));
        assert!(!colour(Auto, false, None));
        assert!(!colour(Auto, true, Some("1".into())));
        assert!(
            colour(Auto, true, Some("".into())),
            "an empty NO_COLOR is unset"
        );
        assert!(
            colour(Always, false, Some("1".into())),
            "an explicit flag wins"
        );
        assert!(!colour(Never, true, None));
    }
}
