//! `barejwt explain`: a walk through one token on its real bytes, stage by
//! stage, in the order the verifier runs them ([`barejwt::error`]'s
//! table), citing the RFC at each step.
//!
//! 1. size; 2. the three segments ([RFC 7515 §7.1]); 3–5. each segment's
//!    base64url ([RFC 4648 §5]), with the 6-bit groups of its first
//!    characters; 6. the header ([RFC 7515 §4]); 7. the key; 8. the
//!    signing input ([RFC 7515 §5.1]); 9. HMAC ([RFC 2104 §2]) with every
//!    intermediate value; 10. the constant-time comparison; 11. the claims
//!    ([RFC 7519 §4.1]) with human-readable times; then the verdict.
//!
//! # What is computed, and by whom
//!
//! Every value shown comes from the library's own functions:
//! [`barejwt::jws::split`], [`barejwt::base64url::decode`] and its
//! alphabet, [`barejwt::hmac::steps`], [`barejwt::ct::eq`]. The verdict
//! is the library's: [`barejwt::decode`] with a key; without one,
//! [`barejwt::jws::verify`] up to the key stage and
//! [`barejwt::Validation::check_unverified_payload`] for the claims. The
//! walk stops at the step where the library's verdict says the token
//! breaks, as the verifier does, and points at the offending byte where
//! there is one.
//!
//! The steps that show values are in `explain/steps.rs`; the small pure
//! helpers (6-bit groups, carets, claim lines) in `explain/show.rs`.
//!
//! # Security
//!
//! With a key, the output holds the key and values derived from it (K,
//! K⊕ipad, K⊕opad): it is a teaching tool. A warning says so on stderr.
//!
//! [RFC 7515 §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1
//! [RFC 4648 §5]: https://www.rfc-editor.org/rfc/rfc4648#section-5
//! [RFC 7515 §4]: https://www.rfc-editor.org/rfc/rfc7515#section-4
//! [RFC 7515 §5.1]: https://www.rfc-editor.org/rfc/rfc7515#section-5.1
//! [RFC 2104 §2]: https://www.rfc-editor.org/rfc/rfc2104#section-2
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

mod show;
mod steps;

use std::io::IsTerminal;
use std::process::ExitCode;

use barejwt::base64url;

use barejwt::{Algorithm, Error, HmacKey, KeySource, Kid, Part, Validation, ct, jws};
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};
use show::{caret, misplaced_dot, printable};

use super::input::{EXIT_INVALID, Failure, Object, read_token, short, terminal_safe};
use super::keyopts::{KeyArgs, Loaded, ValidationArgs, hex};

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
    fn title(self, s: &str) -> String {
        self.wrap("1;36", s)
    }
    fn good(self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    fn bad(self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn warn(self, s: &str) -> String {
        self.wrap("1;33", s)
    }
    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// One step of the walk.
struct Step {
    title: String,
    rfc: &'static str,
    lines: Vec<String>,
    data: Map<String, Value>,
}

/// The stages, in the verifier's order; the library's error says at
/// which one the walk stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Size,
    Segments,
    HeaderB64,
    PayloadB64,
    SignatureB64,
    Header,
    Key,
    Signature,
    Claims,
}

/// The verdict.
enum Verdict {
    Valid,
    Invalid(Error),
    /// No key: nothing failed, but the signature was not checked.
    Unverified,
}

/// The sentinel `NoKey` returns, so that `jws::verify` runs stages 1-3.
const NO_KEY: &str = "explain was given no key";

/// A key source that has no key: stops `jws::verify` at stage 4.
struct NoKey;

impl KeySource for NoKey {
    fn key_for(&self, _: Algorithm, _: Kid<'_>) -> Result<&HmacKey, Error> {
        Err(Error::UnknownKey {
            reason: NO_KEY.into(),
        })
    }
}

struct Walk<'a> {
    token: &'a [u8],
    paint: Paint,
    v: Validation,
    key: Option<(Loaded, String)>,
    steps: Vec<Step>,
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
    let mut walk = Walk {
        token: &token,
        paint,
        v,
        key: loaded.map(|l| (l, source)),
        steps: Vec::new(),
    };
    let verdict = walk.run();

    let (word, code, message) = match &verdict {
        Verdict::Valid => ("VALID", None, "every check passed".to_owned()),
        Verdict::Invalid(e) => ("INVALID", Some(e.code()), e.to_string()),
        Verdict::Unverified => (
            "NOT VERIFIED",
            None,
            "no key was given, so the signature was not checked; nothing else failed".to_owned(),
        ),
    };
    if args.json {
        let steps: Vec<Value> = walk
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({ "step": i + 1, "title": s.title, "rfc": s.rfc, "text": s.lines, "data": s.data })
            })
            .collect();
        let out = json!({
            "token_bytes": token.len(),
            "steps": steps,
            "verdict": {
                "valid": matches!(verdict, Verdict::Valid),
                "signature_checked": walk.key.is_some(),
                "result": word,
                "code": code,
                "message": message,
            }
        });
        println!(
            "{}",
            terminal_safe(&serde_json::to_string_pretty(&out).unwrap_or_default())
        );
    } else {
        let mut out = String::new();
        for (i, s) in walk.steps.iter().enumerate() {
            out.push_str(&paint.title(&format!("{}. {}", i + 1, s.title)));
            out.push_str(&paint.dim(&format!("  ({})", s.rfc)));
            out.push('\n');
            for line in &s.lines {
                out.push_str("   ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        let shown = match (&verdict, code) {
            (Verdict::Valid, _) => paint.good(word),
            (Verdict::Invalid(_), Some(code)) => paint.bad(&format!("{word} ({code})")),
            _ => paint.warn(word),
        };
        out.push_str(&format!("Verdict: {shown}: {message}\n"));
        print!("{out}");
    }
    Ok(match verdict {
        Verdict::Valid => ExitCode::SUCCESS,
        _ => ExitCode::from(EXIT_INVALID),
    })
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

impl Walk<'_> {
    fn step(&mut self, title: impl Into<String>, rfc: &'static str) -> &mut Step {
        self.steps.push(Step {
            title: title.into(),
            rfc,
            lines: Vec::new(),
            data: Map::new(),
        });
        self.steps.last_mut().expect("a step was just pushed")
    }

    /// Adds the library's error to the last step, with a caret under
    /// `at` (a byte offset in `text`) when there is one.
    fn fail(&mut self, e: &Error, text: Option<(&[u8], usize, &str)>) {
        let p = self.paint;
        let step = self.steps.last_mut().expect("fail follows a step");
        if let Some((text, at, of)) = text {
            step.lines.extend(caret(text, at, of));
            step.data.insert("offset".into(), at.into());
        }
        step.lines
            .push(p.bad(&format!("FAILED: {}: {}", e.code(), e)));
        step.data.insert(
            "error".into(),
            json!({ "code": e.code(), "message": e.to_string() }),
        );
    }

    fn run(&mut self) -> Verdict {
        // The library's verdict first: the walk only illustrates it.
        let (verdict, failed) = self.library_verdict();
        let stop = |s: Stage| failed.as_ref().is_some_and(|(at, _)| *at == s);
        let err = |_: Stage| failed.as_ref().map(|(_, e)| e.clone());

        // 1. Size (stage 1).
        let max = self.v.get_max_token_bytes();
        let len = self.token.len();
        let s = self.step("Size", "stage 1: a limit of barejwt's, before any parsing");
        s.lines.push(format!(
            "{len} bytes; this verifier reads tokens of at most {max} bytes"
        ));
        s.data.insert("bytes".into(), len.into());
        s.data.insert("max".into(), max.into());
        if stop(Stage::Size) {
            self.fail(&err(Stage::Size).expect("stopped"), None);
            return verdict;
        }

        // 2. Segments (stage 2).
        let parts = match jws::split(self.token) {
            Ok(p) => p,
            Err(e) => {
                self.step("The three segments", "RFC 7515 §7.1");
                let at = misplaced_dot(self.token);
                self.fail(&e, Some((self.token, at, "token")));
                return Verdict::Invalid(e);
            }
        };
        let h_at = 0;
        let p_at = parts.header.len() + 1;
        let s_at = p_at + parts.payload.len() + 1;
        let s = self.step(
            "The three segments",
            "RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)",
        );
        for (name, seg, at) in [
            ("header", parts.header, h_at),
            ("payload", parts.payload, p_at),
            ("signature", parts.signature, s_at),
        ] {
            s.lines.push(format!(
                "{name:<9}  bytes {at:>4}..{:<4}  {}",
                at + seg.len(),
                printable(seg, 100)
            ));
            s.data.insert(
                name.into(),
                json!({ "start": at, "end": at + seg.len(), "text": printable(seg, 8192) }),
            );
        }

        // 3-5. base64url (stage 2).
        let header_json = match self.b64(
            "The header, base64url-decoded",
            parts.header,
            h_at,
            Stage::HeaderB64,
            &failed,
        ) {
            Some(b) => b,
            None => return verdict,
        };
        let payload = match self.b64(
            "The payload, base64url-decoded (not parsed yet)",
            parts.payload,
            p_at,
            Stage::PayloadB64,
            &failed,
        ) {
            Some(b) => b,
            None => return verdict,
        };
        let given = match self.b64(
            "The signature, base64url-decoded",
            parts.signature,
            s_at,
            Stage::SignatureB64,
            &failed,
        ) {
            Some(b) => b,
            None => return verdict,
        };

        // 6. The header (stages 2 and 3).
        let alg = match self.header(&header_json, &failed) {
            Some(alg) => alg,
            None => return verdict,
        };

        // 7. The key (stage 4).
        let secret = match self.key_step(alg, &header_json, &failed) {
            KeyFlow::Stop => return verdict,
            KeyFlow::NoKey => None,
            KeyFlow::Secret(s) => Some(s),
        };

        // 8. The signing input.
        let p = self.paint;
        let s = self.step(
            "The signing input",
            "RFC 7515 §5.1 step 7, §5.2 step 8: ASCII(BASE64URL(header) || '.' || BASE64URL(payload))",
        );
        s.lines.push(format!(
            "{} bytes, the first two segments exactly as received (nothing is re-encoded):",
            parts.signing_input.len()
        ));
        s.lines.push(printable(parts.signing_input, 300));
        s.data.insert(
            "signing_input".into(),
            printable(parts.signing_input, 8192).into(),
        );

        // 9-10. HMAC and the comparison (stage 5).
        match secret {
            None => {
                let s = self.step(
                    "HMAC and the signature",
                    "RFC 2104 §2, RFC 7515 §5.2 step 8",
                );
                s.lines
                    .push(p.warn("skipped: no key was given, so the signature cannot be checked."));
                s.lines.push(format!(
                    "the token carries a {}-byte signature: {}",
                    given.len(),
                    short(&hex(&given), 128)
                ));
                s.lines.push(
                    "give the key with --secret-env NAME, --secret-file PATH, --jwk PATH or --secret TEXT to see every step"
                        .into(),
                );
                s.data.insert("skipped".into(), true.into());
            }
            Some(secret) => {
                let computed = self.hmac(alg, &secret, parts.signing_input);
                let equal = ct::eq(&computed, &given);
                let s = self.step(
                    "Comparing the signatures",
                    "RFC 7515 §5.2 step 8; compared in constant time (barejwt::ct::eq)",
                );
                s.lines.push(format!("computed  {}", hex(&computed)));
                s.lines
                    .push(format!("given     {}", short(&hex(&given), 128)));
                s.lines.push(format!(
                    "lengths {} and {} (public: fixed by alg); then every byte, without stopping early",
                    computed.len(),
                    given.len()
                ));
                s.lines.push(if equal {
                    p.good("equal: the signature is valid")
                } else {
                    p.bad("different: the signature is NOT valid")
                });
                s.data.insert("computed".into(), hex(&computed).into());
                s.data.insert("given".into(), hex(&given).into());
                s.data.insert("equal".into(), equal.into());
                if equal == stop(Stage::Signature) {
                    s.lines.push(p.bad(
                        "BUG: this walk and barejwt::decode disagree about the signature; please report it",
                    ));
                }
                if stop(Stage::Signature) {
                    self.fail(&err(Stage::Signature).expect("stopped"), None);
                    let s = self.steps.last_mut().expect("a step");
                    s.lines.push(
                        "the verifier stops here: the claims of a token with a bad MAC are never read"
                            .into(),
                    );
                    return verdict;
                }
            }
        }

        // 11. The claims (stage 6).
        self.claims(&payload, &failed);
        verdict
    }

    /// The library's verdict, and the stage where it failed.
    fn library_verdict(&self) -> (Verdict, Option<(Stage, Error)>) {
        let result = match &self.key {
            Some((loaded, _)) => {
                let keys = super::verify::keys(loaded);
                barejwt::decode::<IgnoredAny, _>(self.token, keys.as_ref(), &self.v).map(|_| ())
            }
            None => {
                let head = jws::verify(self.token, &NoKey, &self.v);
                // NoKey never yields a key, so stages 1-3 passed exactly
                // when the verifier asked it for one.
                let passed = match &head {
                    Err(Error::UnknownKey { reason }) => reason == NO_KEY,
                    Err(_) => false,
                    Ok(_) => true,
                };
                if !passed {
                    head.map(|_| ())
                } else {
                    // The claims, unverified.
                    let payload = jws::split(self.token)
                        .ok()
                        .and_then(|p| base64url::decode(p.payload).ok())
                        .unwrap_or_default();
                    match self.v.check_unverified_payload(&payload) {
                        Ok(()) => return (Verdict::Unverified, None),
                        Err(e) => Err(e),
                    }
                }
            }
        };
        match result {
            Ok(()) => (Verdict::Valid, None),
            Err(e) => {
                let stage = self.stage_of(&e);
                (Verdict::Invalid(e.clone()), Some((stage, e)))
            }
        }
    }

    /// Which step the library's error belongs to.
    fn stage_of(&self, e: &Error) -> Stage {
        let parts = jws::split(self.token).ok();
        let b64_fails = |seg: Option<&[u8]>| seg.is_some_and(|s| base64url::validate(s).is_err());
        match e {
            Error::TooLarge { .. } => Stage::Size,
            Error::Malformed { part, .. } => match part {
                Part::Token => Stage::Segments,
                Part::Header if b64_fails(parts.map(|p| p.header)) => Stage::HeaderB64,
                Part::Header => Stage::Header,
                Part::Payload if b64_fails(parts.map(|p| p.payload)) => Stage::PayloadB64,
                Part::Payload => Stage::Claims,
                Part::Signature => Stage::SignatureB64,
                _ => Stage::Key,
            },
            Error::UnsupportedCritical { .. } | Error::InvalidType { .. } => Stage::Header,
            Error::Algorithm { .. } => {
                // The header's alg refused by the verifier (stage 3), or
                // accepted but not the key's (stage 4).
                let accepted = parts
                    .and_then(|p| base64url::decode(p.header).ok())
                    .and_then(|h| Object::parse(&h).ok())
                    .and_then(|h| {
                        h.get("alg")
                            .and_then(Value::as_str)
                            .and_then(Algorithm::from_name)
                    })
                    .is_some_and(|a| self.v.get_algorithms().contains(&a));
                if accepted { Stage::Key } else { Stage::Header }
            }
            Error::UnknownKey { .. } | Error::WeakKey { .. } => Stage::Key,
            Error::BadSignature => Stage::Signature,
            _ => Stage::Claims,
        }
    }
}

enum KeyFlow {
    Stop,
    NoKey,
    Secret(Vec<u8>),
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
