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

use std::io::IsTerminal;
use std::process::ExitCode;

use barejwt::base64url::{self, ALPHABET, DecodeError};
use barejwt::hmac::{IPAD, OPAD};
use barejwt::{Algorithm, Error, HmacKey, KeySource, Kid, Part, Validation, ct, hmac, jws};
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};

use super::input::{EXIT_INVALID, Failure, Member, Object, read_token, short};
use super::keyopts::{KeyArgs, Loaded, ValidationArgs, hex};
use super::time::{date, gap};

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
            && match args.color {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            },
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
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
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
        let max = self.v.max_token_bytes;
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
            None => match jws::verify(self.token, &NoKey, &self.v) {
                Err(Error::UnknownKey { reason }) if reason == NO_KEY => {
                    // Stages 1-3 passed; the claims, unverified.
                    let payload = jws::split(self.token)
                        .ok()
                        .and_then(|p| base64url::decode(p.payload).ok())
                        .unwrap_or_default();
                    match self.v.check_unverified_payload(&payload) {
                        Ok(()) => return (Verdict::Unverified, None),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
                Ok(_) => unreachable!("NoKey never yields a key"),
            },
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
                    .is_some_and(|a| self.v.algorithms.contains(&a));
                if accepted { Stage::Key } else { Stage::Header }
            }
            Error::UnknownKey { .. } | Error::WeakKey { .. } => Stage::Key,
            Error::BadSignature => Stage::Signature,
            _ => Stage::Claims,
        }
    }

    /// Steps 3-5: one segment's base64url, with its first characters'
    /// 6-bit groups. `None` when the walk stops here.
    fn b64(
        &mut self,
        title: &str,
        seg: &[u8],
        at: usize,
        stage: Stage,
        failed: &Option<(Stage, Error)>,
    ) -> Option<Vec<u8>> {
        let p = self.paint;
        let token = self.token;
        let s = self.step(
            title,
            "RFC 4648 §5, RFC 7515 §2: URL-safe alphabet, no '=' padding, no white space",
        );
        match base64url::decode(seg) {
            Ok(bytes) => {
                s.lines.extend(six_bit_groups(seg));
                s.lines.push(format!(
                    "{} characters → {} bytes{}",
                    seg.len(),
                    bytes.len(),
                    match std::str::from_utf8(&bytes) {
                        Ok(text) if !text.is_empty() => format!(": {}", p.dim(&short(text, 300))),
                        _ if bytes.is_empty() => String::new(),
                        _ => format!(" (hex): {}", short(&hex(&bytes), 300)),
                    }
                ));
                s.data.insert("characters".into(), seg.len().into());
                s.data.insert("bytes".into(), bytes.len().into());
                s.data.insert("hex".into(), hex(&bytes).into());
                if let Some((st, e)) = failed
                    && *st == stage
                {
                    // Cannot happen: the library decodes with this very
                    // function. Shown rather than hidden, should it ever.
                    self.fail(e, None);
                    return None;
                }
                Some(bytes)
            }
            Err(d) => {
                let (offset, why) = explain_b64_error(seg, d);
                s.lines.push(why);
                let e = match failed {
                    Some((_, e)) => e.clone(),
                    None => Error::Malformed {
                        part: Part::Token,
                        reason: d.to_string(),
                    },
                };
                self.fail(&e, Some((token, at + offset, "token")));
                None
            }
        }
    }

    /// Step 6: the header as JSON, and the rules the verifier applies.
    fn header(&mut self, json_bytes: &[u8], failed: &Option<(Stage, Error)>) -> Option<Algorithm> {
        let p = self.paint;
        let v = self.v.clone();
        let s = self.step(
            "The JOSE header",
            "RFC 7515 §4: a JSON object with unique names; §4.1.1 alg; RFC 8725 §3.1",
        );
        let parsed = Object::parse(json_bytes);
        match &parsed {
            Ok(h) => {
                s.lines.extend(h.to_pretty().lines().map(str::to_owned));
                s.data
                    .insert("header".into(), serde_json::to_value(h).unwrap_or_default());
                let accepted: Vec<&str> = v.algorithms.iter().map(|a| a.name()).collect();
                match h.get("alg") {
                    Some(Value::String(a)) => match Algorithm::from_name(a) {
                        Some(alg) => s.lines.push(format!(
                            "alg {}: HMAC with {} (RFC 7518 §3.2); this verifier accepts {}: {}",
                            alg,
                            alg.hash_name(),
                            accepted.join(", "),
                            if v.algorithms.contains(&alg) {
                                p.good("accepted")
                            } else {
                                p.bad("refused")
                            }
                        )),
                        None => s.lines.push(format!(
                            "alg {}: not an algorithm barejwt implements{}",
                            short(a, 40),
                            if a == "none" {
                                " (\"none\" is never accepted, RFC 8725 §3.2)"
                            } else {
                                ""
                            }
                        )),
                    },
                    _ => s.lines.push(
                        "alg: missing or not a string (RFC 7515 §4.1.1: it MUST be present)".into(),
                    ),
                }
                if let Some(typ) = h.get("typ") {
                    s.lines.push(format!(
                        "typ {}: the media type of the whole token (RFC 7515 §4.1.9, RFC 7519 §5.1){}",
                        short(&typ.to_string(), 40),
                        match &v.typ {
                            Some(want) => format!("; this verifier requires {want:?}"),
                            None => "; not checked".into(),
                        }
                    ));
                }
                if let Some(kid) = h.get("kid") {
                    s.lines.push(format!(
                        "kid {}: names the key (RFC 7515 §4.1.4); a JWK Set picks its key by it",
                        short(&kid.to_string(), 40)
                    ));
                }
                if let Some(crit) = h.get("crit") {
                    s.lines.push(format!(
                        "crit {}: extensions the verifier must understand (RFC 7515 §4.1.11); barejwt implements none",
                        short(&crit.to_string(), 60)
                    ));
                }
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        if let Some((Stage::Header, e)) = failed {
            let at = parsed.err().map(|pe| json_offset(json_bytes, &pe));
            self.fail(e, at.map(|at| (json_bytes, at, "decoded header")));
            return None;
        }
        let alg = parsed
            .ok()?
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Algorithm::from_name)?;
        Some(alg)
    }

    /// Step 7: which key, how long, strong enough.
    fn key_step(
        &mut self,
        alg: Algorithm,
        header_json: &[u8],
        failed: &Option<(Stage, Error)>,
    ) -> KeyFlow {
        let p = self.paint;
        let header = Object::parse(header_json).unwrap_or_default();
        let kid = match header.get("kid") {
            None => Kid::Absent,
            Some(Value::String(k)) => Kid::Text(k),
            Some(_) => Kid::NotText,
        };
        let secret = self.key.as_ref().map(|(loaded, source)| {
            (
                loaded.secret_for(kid).map(<[u8]>::to_vec),
                source.clone(),
                matches!(loaded, Loaded::Set(_)),
            )
        });
        let allow_weak = self.v.allow_weak_keys;
        let s = self.step(
            "The key",
            "RFC 7518 §3.2: at least as long as the hash output; RFC 7517 for JWKs",
        );
        let flow = match secret {
            None => {
                s.lines.push(p.warn("no key given"));
                s.data.insert("given".into(), false.into());
                KeyFlow::NoKey
            }
            Some((secret, source, is_set)) => {
                s.data.insert("given".into(), true.into());
                s.lines.push(format!("from {source}"));
                if is_set {
                    s.lines.push(format!(
                        "a JWK Set: the token's kid chooses the key ({})",
                        match kid {
                            Kid::Text(k) => format!("kid {}", short(k, 40)),
                            Kid::Absent => "no kid: the set's only key, if it has one".into(),
                            Kid::NotText => "a kid that is not a string matches no key".into(),
                        }
                    ));
                }
                match secret {
                    Some(secret) => {
                        let min = alg.output_len();
                        s.lines.push(format!(
                            "{} bytes; {alg} needs at least {min} (the {} output): {}",
                            secret.len(),
                            alg.hash_name(),
                            if secret.len() >= min {
                                p.good("not weak")
                            } else if allow_weak {
                                p.warn("weak, allowed by --allow-weak-key")
                            } else {
                                p.bad("weak")
                            }
                        ));
                        s.data.insert("bytes".into(), secret.len().into());
                        KeyFlow::Secret(secret)
                    }
                    None => KeyFlow::Stop,
                }
            }
        };
        if let Some((Stage::Key, e)) = failed {
            self.fail(e, None);
            return KeyFlow::Stop;
        }
        flow
    }

    /// Step 9: HMAC the long way (RFC 2104 §2), every value in hex.
    /// Returns the tag.
    fn hmac(&mut self, alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
        let st = hmac::steps(alg, key, msg);
        let (b, l, h) = (alg.block_len(), alg.output_len(), alg.hash_name());
        let s = self.step(
            format!("HMAC-{h}"),
            "RFC 2104 §2: H((K0 ⊕ opad) || H((K0 ⊕ ipad) || text)); RFC 7518 §3.2",
        );
        s.lines.push(format!(
            "H = {h}: blocks of B = {b} bytes, output of L = {l} bytes; text = the signing input"
        ));
        push_hex(&mut s.lines, &format!("K ({} bytes)", key.len()), key);
        s.lines.push(if st.key_hashed {
            format!("K is longer than B, so K0 = H(K), then zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        } else if key.len() == b {
            format!("K is exactly B = {b} bytes, so K0 = K (RFC 2104 §2 step 1)")
        } else {
            format!("K is shorter than B, so K0 = K zero-padded to {b} bytes (RFC 2104 §2 step 1)")
        });
        push_hex(&mut s.lines, "K0", &st.key_block);
        push_hex(
            &mut s.lines,
            &format!("K0 ⊕ ipad (ipad = 0x{IPAD:02x} × {b})"),
            &st.k_ipad,
        );
        push_hex(
            &mut s.lines,
            &format!("K0 ⊕ opad (opad = 0x{OPAD:02x} × {b})"),
            &st.k_opad,
        );
        push_hex(
            &mut s.lines,
            "inner = H((K0 ⊕ ipad) || text)",
            &st.inner_hash,
        );
        push_hex(
            &mut s.lines,
            "outer = H((K0 ⊕ opad) || inner), the MAC",
            &st.outer_hash,
        );
        for (name, bytes) in [
            ("key", key),
            ("key_block", &st.key_block),
            ("k_ipad", &st.k_ipad),
            ("k_opad", &st.k_opad),
            ("inner_hash", &st.inner_hash),
            ("outer_hash", &st.outer_hash),
        ] {
            s.data.insert(name.into(), hex(bytes).into());
        }
        s.data.insert("key_hashed".into(), st.key_hashed.into());
        st.outer_hash
    }

    /// Step 11: the claims, with human-readable times.
    fn claims(&mut self, payload: &[u8], failed: &Option<(Stage, Error)>) {
        let p = self.paint;
        let v = self.v.clone();
        let unverified = self.key.is_none();
        let now = v.clock.now();
        let s = self.step(
            if unverified {
                "The claims (UNVERIFIED: no key)"
            } else {
                "The claims"
            },
            "RFC 7519 §4.1, §7.2 step 10: read only once the MAC has matched",
        );
        if unverified {
            s.lines
                .push(p.warn("signature NOT verified: anyone could have written these claims"));
        }
        let parsed = Object::parse(payload);
        match &parsed {
            Ok(c) => {
                s.lines.extend(c.to_pretty().lines().map(str::to_owned));
                s.data
                    .insert("claims".into(), serde_json::to_value(c).unwrap_or_default());
                s.lines.push(format!(
                    "now {} ({now}, {}){}",
                    date(now as f64),
                    if matches!(v.clock, barejwt::Clock::Fixed(_)) {
                        "--now"
                    } else {
                        "the system clock"
                    },
                    if v.leeway > 0 {
                        format!("; leeway {}s", v.leeway)
                    } else {
                        String::new()
                    }
                ));
                s.data.insert("now".into(), now.into());
                let checks = claim_lines(c, &v, now, p);
                s.lines.extend(checks);
            }
            Err(e) if !matches!(failed, Some((Stage::Claims, _))) => {
                // The library read it; this display could not.
                s.lines
                    .push(format!("(explain cannot display this claims set: {e})"));
            }
            // The caret below shows the text where it breaks.
            Err(_) => s.lines.push("not a JSON object with unique names:".into()),
        }
        match failed {
            Some((Stage::Claims, e)) => {
                let at = parsed.err().map(|pe| json_offset(payload, &pe));
                self.fail(e, at.map(|at| (payload, at, "decoded payload")));
            }
            _ => {
                let s = self.steps.last_mut().expect("a step");
                s.lines.push(p.good("every claim check passed"));
            }
        }
    }
}

enum KeyFlow {
    Stop,
    NoKey,
    Secret(Vec<u8>),
}

/// One line per claim: what it means and what the verifier made of it.
fn claim_lines(c: &Object, v: &Validation, now: i64, p: Paint) -> Vec<String> {
    let mut out = Vec::new();
    let t = now as f64;
    let leeway = v.leeway as f64;
    for (name, member) in &c.0 {
        let shown = short(&member.text(), 60);
        let value = member.value().unwrap_or(&Value::Null);
        let line = match (name.as_str(), member.as_f64()) {
            ("exp", Some(exp)) => {
                if t >= exp + leeway {
                    format!(
                        "exp {} — {} {} ago (RFC 7519 §4.1.4)",
                        date(exp),
                        p.bad("expired"),
                        gap(t - exp)
                    )
                } else {
                    format!(
                        "exp {} — {} in {} (RFC 7519 §4.1.4)",
                        date(exp),
                        p.good("expires"),
                        gap(exp - t)
                    )
                }
            }
            ("nbf", Some(nbf)) => {
                if t < nbf - leeway {
                    format!(
                        "nbf {} — {} for another {} (RFC 7519 §4.1.5)",
                        date(nbf),
                        p.bad("not valid"),
                        gap(nbf - t)
                    )
                } else {
                    format!(
                        "nbf {} — {} {} ago (RFC 7519 §4.1.5)",
                        date(nbf),
                        p.good("valid since"),
                        gap(t - nbf)
                    )
                }
            }
            ("iat", Some(iat)) => {
                if iat > t {
                    format!(
                        "iat {} — issued in the future, {} from now: RFC 7519 §4.1.6 gives iat no rule, so it is only type-checked",
                        date(iat),
                        gap(iat - t)
                    )
                } else {
                    format!(
                        "iat {} — issued {} ago (RFC 7519 §4.1.6; only type-checked)",
                        date(iat),
                        gap(t - iat)
                    )
                }
            }
            ("exp" | "nbf" | "iat", None) => format!(
                "{name} {shown} — {}: a NumericDate is a JSON number (RFC 7519 §2)",
                p.bad("not a number")
            ),
            ("iss", _) => exact_line(
                "iss",
                "the issuer (RFC 7519 §4.1.1)",
                member,
                v.iss.as_deref(),
                "--iss",
                p,
            ),
            ("sub", _) => exact_line(
                "sub",
                "the subject (RFC 7519 §4.1.2)",
                member,
                v.sub.as_deref(),
                "--sub",
                p,
            ),
            ("aud", _) => {
                let names: Option<Vec<&str>> = match value {
                    Value::String(s) => Some(vec![s.as_str()]),
                    Value::Array(a) => a.iter().map(Value::as_str).collect(),
                    _ => None,
                };
                match (names, &v.aud) {
                    (None, _) => format!(
                        "aud {shown} — {}: a string or an array of strings (RFC 7519 §4.1.3)",
                        p.bad("ill-typed")
                    ),
                    (Some(n), Some(want)) if n.contains(&want.as_str()) => {
                        format!(
                            "aud {shown} — the audience (RFC 7519 §4.1.3): names {want:?}, {}",
                            p.good("ok")
                        )
                    }
                    (Some(_), Some(want)) => format!(
                        "aud {shown} — the audience (RFC 7519 §4.1.3): {} {want:?}",
                        p.bad("does not name")
                    ),
                    (Some(_), None) => format!(
                        "aud {shown} — the audience (RFC 7519 §4.1.3): this verifier names none (--aud), so it {}",
                        p.bad("cannot be among them")
                    ),
                }
            }
            ("jti", _) => format!("jti {shown} — the token's id (RFC 7519 §4.1.7), not checked"),
            _ => format!(
                "{} {shown} — a private claim (RFC 7519 §4.3), not checked",
                short(name, 40)
            ),
        };
        out.push(line);
    }
    for want in &v.required {
        let present = c.get(want).is_some();
        out.push(format!(
            "required {}: {}",
            short(want, 40),
            if present {
                p.good("present")
            } else {
                p.bad("missing")
            }
        ));
    }
    for (name, flag) in [("iss", &v.iss), ("sub", &v.sub), ("aud", &v.aud)] {
        if flag.is_some() && c.get(name).is_none() {
            out.push(format!(
                "{name}: {} (this verifier requires one)",
                p.bad("missing")
            ));
        }
    }
    out
}

fn exact_line(
    name: &str,
    what: &str,
    member: &Member,
    want: Option<&str>,
    flag: &str,
    p: Paint,
) -> String {
    let shown = short(&member.text(), 60);
    let value = member.value().and_then(Value::as_str);
    match want {
        None => format!("{name} {shown} — {what}, not checked (no {flag})"),
        Some(w) if value == Some(w) => {
            format!("{name} {shown} — {what}: {}", p.good("as required"))
        }
        Some(w) => format!("{name} {shown} — {what}: {} {w:?}", p.bad("expected")),
    }
}

/// Hex in lines of 32 bytes under a label.
fn push_hex(lines: &mut Vec<String>, label: &str, bytes: &[u8]) {
    lines.push(format!("{label}:"));
    for chunk in bytes.chunks(32) {
        lines.push(format!("    {}", hex(chunk)));
    }
}

/// The first group of characters: value, 6 bits each, regrouped by 8.
fn six_bit_groups(seg: &[u8]) -> Vec<String> {
    let n = seg.len().min(4);
    if n < 2 {
        return Vec::new();
    }
    let values: Vec<u8> = seg[..n]
        .iter()
        .filter_map(|c| ALPHABET.iter().position(|a| a == c).map(|i| i as u8))
        .collect();
    if values.len() != n {
        return Vec::new();
    }
    let bits: String = values.iter().map(|v| format!("{v:06b}")).collect();
    let bytes: Vec<u8> = bits
        .as_bytes()
        .chunks_exact(8)
        .map(|b| b.iter().fold(0u8, |acc, &c| acc << 1 | (c - b'0')))
        .collect();
    let col = |cells: Vec<String>, w: usize| {
        cells
            .iter()
            .map(|c| format!("{c:<w$}"))
            .collect::<String>()
            .trim_end()
            .to_owned()
    };
    vec![
        format!(
            "first characters  {}",
            col(
                seg[..n].iter().map(|&c| (c as char).to_string()).collect(),
                7
            )
        ),
        format!(
            "alphabet index    {}",
            col(values.iter().map(u8::to_string).collect(), 7)
        ),
        format!(
            "6 bits each       {}",
            col(values.iter().map(|v| format!("{v:06b}")).collect(), 7)
        ),
        format!(
            "regrouped by 8    {}",
            col(
                bits.as_bytes()
                    .chunks_exact(8)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect(),
                9
            )
        ),
        format!(
            "bytes             {}",
            col(
                bytes
                    .iter()
                    .map(|&b| if b.is_ascii_graphic() {
                        format!("{b:02x} {:?}", b as char)
                    } else {
                        format!("{b:02x}")
                    })
                    .collect(),
                9
            )
        ),
    ]
}

/// Where a base64url error is in its segment, and why, in words.
fn explain_b64_error(seg: &[u8], e: DecodeError) -> (usize, String) {
    match e {
        DecodeError::InvalidByte { offset, .. } => (offset, format!("{e}")),
        DecodeError::InvalidLength { len } => (
            len.saturating_sub(1),
            format!(
                "{len} characters = 4×{} + 1: a lone last character holds 6 bits, not a whole byte",
                len / 4
            ),
        ),
        DecodeError::TrailingBits { offset } => {
            let c = seg.get(offset).copied().unwrap_or(b'?');
            let v = ALPHABET.iter().position(|&a| a == c).unwrap_or(0);
            let unused = if seg.len() % 4 == 2 { 4 } else { 2 };
            (
                offset,
                format!(
                    "{:?} is {v:06b}: its last {unused} bits are unused and must be zero (RFC 4648 §3.5), so no encoder writes it; the canonical spelling differs",
                    c as char
                ),
            )
        }
    }
}

/// Where a token with the wrong number of dots goes wrong: the third dot,
/// or the end when there are too few.
fn misplaced_dot(token: &[u8]) -> usize {
    token
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'.')
        .nth(2)
        .map_or(token.len(), |(i, _)| i)
}

/// The byte offset of a serde_json error (it counts lines and columns).
fn json_offset(text: &[u8], e: &serde_json::Error) -> usize {
    let mut line = 1;
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if line == e.line() {
            break;
        }
        if b == b'\n' {
            line += 1;
            start = i + 1;
        }
    }
    (start + e.column().saturating_sub(1)).min(text.len())
}

/// Bytes for a terminal: printable ASCII as is, anything else as `·`,
/// one column per byte, cut after `max` bytes.
fn printable(bytes: &[u8], max: usize) -> String {
    let mut s: String = bytes
        .iter()
        .take(max)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '·'
            }
        })
        .collect();
    if bytes.len() > max {
        s.push_str(&format!("… ({} more bytes)", bytes.len() - max));
    }
    s
}

/// The text around byte `at`, and a caret under it.
fn caret(text: &[u8], at: usize, of: &str) -> Vec<String> {
    const SIDE: usize = 36;
    let from = at.saturating_sub(SIDE);
    let to = (at + SIDE).min(text.len());
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < text.len() { "…" } else { "" };
    let shown = format!("{lead}{}{tail}", printable(&text[from..to], usize::MAX));
    let col = at - from + usize::from(from > 0);
    let what = match text.get(at) {
        Some(&b) if b.is_ascii_graphic() => format!("byte {at} of the {of}: {:?}", b as char),
        Some(&b) => format!("byte {at} of the {of}: 0x{b:02x}"),
        None => format!("byte {at} of the {of}: the end"),
    };
    vec![shown, format!("{}^ {what}", " ".repeat(col))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_offending_byte() {
        let lines = caret(b"abc=def", 3, "token");
        assert_eq!(lines[0], "abc=def");
        assert_eq!(lines[1], "   ^ byte 3 of the token: '='");
        let long = [b'a'; 100];
        let lines = caret(&long, 50, "token");
        assert_eq!(lines[1].find('^'), Some(50 - 14 + 1));
        assert!(lines[0].starts_with('…') && lines[0].ends_with('…'));
    }

    #[test]
    fn six_bit_groups_show_the_first_bytes() {
        let lines = six_bit_groups(b"eyJh");
        assert!(
            lines[2].ends_with("011110 110010 001001 100001"),
            "{lines:?}"
        );
        assert!(lines[4].contains("7b '{'"), "{lines:?}");
        assert!(six_bit_groups(b"e").is_empty());
    }

    #[test]
    fn a_third_dot_or_the_end_is_the_misplaced_spot() {
        assert_eq!(misplaced_dot(b"a.b.c.d"), 5);
        assert_eq!(misplaced_dot(b"a.b"), 3);
    }

    #[test]
    fn json_offsets_count_lines() {
        let text = b"{\n  \"a\": 1,\n  \"a\": 2}";
        let e = Object::parse(text).unwrap_err();
        let at = json_offset(text, &e);
        assert!(at > 12 && at < text.len(), "{at} {e}");
    }
}
