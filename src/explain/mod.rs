//! A walk through one token on its real bytes, stage by stage, in the
//! order the verifier runs them ([`crate::error`]'s table), citing the RFC
//! at each step: what `barejwt explain` prints and the token debugger
//! page draws.
//!
//! 1. size; 2. the three segments ([RFC 7515 §7.1]); 3–5. each segment's
//!    base64url ([RFC 4648 §5]), with the 6-bit groups of its first
//!    characters; 6. the header ([RFC 7515 §4]); 7. the key; 8. the
//!    signing input ([RFC 7515 §5.1]); 9. HMAC ([RFC 2104 §2]) with every
//!    intermediate value; 10. the constant-time comparison; 11. the claims
//!    ([RFC 7519 §4.1]) with human-readable times; then the [`Verdict`].
//!
//! # What is computed, and by whom
//!
//! Every value shown comes from the library's own functions:
//! [`crate::jws::split`], [`crate::base64url::decode`] and its alphabet,
//! [`crate::hmac::steps`], [`crate::ct::eq`],
//! [`crate::validation::expired`], [`crate::Kid::of`]. The verdict is the
//! library's: [`crate::decode`] with a key; without one,
//! [`crate::jws::verify`] up to the key stage (with no key it fails at
//! stage 4 exactly when stages 1 to 3 passed) and
//! [`crate::Validation::check_unverified_payload`] for the claims. The
//! walk stops at [`Error::stage`], the stage where the library's verdict
//! says the token breaks, and points at the offending byte where there is
//! one.
//!
//! The result is data: steps made of [`Line`]s, each a run of [`Span`]s
//! with a [`Tone`] (the CLI colours them, the page styles them), each
//! step's values by name, and the verdict. [`Explanation::to_json`] is the
//! JSON form, `barejwt explain --json` and `POST /debugger/explain`.
//!
//! Beside the walk, for the token debugger page: [`segments`] decodes each
//! segment as far as it goes (a partial token too), [`claims_table`] gives
//! each claim's meaning and times in words, [`warnings`] what a careful
//! reviewer would point out. None of them decides anything.
//!
//! # Security
//!
//! With a key, the result holds the key and values derived from it (K,
//! K⊕ipad, K⊕opad): it is a teaching tool. Never log it; never use it to
//! accept a token (that is [`crate::decode`]'s job).
//!
//! # Examples
//!
//! ```
//! use barejwt::explain::{self, Key, Verdict};
//! use barejwt::{Algorithm, HmacKey, Validation, encode};
//!
//! let secret = [0x5e; 32];
//! let token = encode(
//!     &serde_json::json!({"sub": "wangerge", "exp": 1768132452}),
//!     &HmacKey::new(Algorithm::HS256, &secret)?,
//! )?;
//! let key = Key::Secret(secret.to_vec());
//! let v = Validation::new(Algorithm::HS256).now(1768131252);
//! let walk = explain::explain(token.as_bytes(), Some((&key, "the example")), &v);
//! assert!(matches!(walk.verdict, Verdict::Valid));
//! let hmac = walk.steps.iter().find(|s| s.title == "HMAC-SHA-256").unwrap();
//! assert_eq!(hmac.data["key_hashed"], false);
//! assert_eq!(walk.to_json()["verdict"]["result"], "VALID");
//!
//! // Without a key: everything but the signature.
//! let walk = explain::explain(token.as_bytes(), None, &v);
//! assert!(matches!(walk.verdict, Verdict::Unverified));
//! # Ok::<(), barejwt::Error>(())
//! ```
//!
//! [RFC 7515 §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1
//! [RFC 4648 §5]: https://www.rfc-editor.org/rfc/rfc4648#section-5
//! [RFC 7515 §4]: https://www.rfc-editor.org/rfc/rfc7515#section-4
//! [RFC 7515 §5.1]: https://www.rfc-editor.org/rfc/rfc7515#section-5.1
//! [RFC 2104 §2]: https://www.rfc-editor.org/rfc/rfc2104#section-2
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

mod claims;
mod object;
mod review;
mod show;
mod steps;
mod time;
mod walk;

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::key::{Jwk, KeySet, KeySource, Kid};
use crate::validation::Validation;

pub use object::{Member, Object};
pub use review::{ClaimRow, Segment, Warning, claims_table, segments, warnings};
pub use show::{short, terminal_safe};
pub use time::{DAY, date, gap};

/// The key a walk checks the signature with, as the user gave it.
#[derive(Debug, Clone)]
pub enum Key {
    /// Raw secret bytes: usable with every algorithm the verifier accepts.
    Secret(Vec<u8>),
    /// One JWK (its `alg`, if any, binds it). Boxed: a JWK holds a key
    /// prepared for each algorithm.
    Jwk(Box<Jwk>),
    /// A JWK Set: the token's `kid` chooses the key.
    Set(KeySet),
}

impl Key {
    /// The key source [`crate::decode`] verifies with: a raw secret becomes
    /// a JWK without `alg`, prepared for every algorithm; the verifier's
    /// list still decides which ones a token may use (RFC 8725 §3.1).
    pub fn source(&self) -> Box<dyn KeySource + '_> {
        match self {
            Key::Secret(s) => Box::new(Jwk::from_secret(s, None, None)),
            Key::Jwk(jwk) => Box::new((**jwk).clone()),
            Key::Set(set) => Box::new(set.clone()),
        }
    }

    /// The raw bytes of the key a token with this `kid` is checked with;
    /// `None` where the library finds no key (it then reports
    /// `unknown_key` itself).
    pub(crate) fn secret_for(&self, kid: Kid<'_>) -> Option<&[u8]> {
        match self {
            Key::Secret(s) => Some(s),
            Key::Jwk(jwk) => Some(jwk.secret()),
            Key::Set(set) => set.select(kid).ok().map(Jwk::secret),
        }
    }
}

/// How a span of text is to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// As is.
    Plain,
    /// A check that passed.
    Good,
    /// A check that failed.
    Bad,
    /// Something to notice: not checked, allowed by an option.
    Warn,
    /// Less important (a decoded segment's text).
    Dim,
}

/// A run of text in one tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// How to show it.
    pub tone: Tone,
}

/// One line of a step: spans, read left to right.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line(pub Vec<Span>);

impl Line {
    /// The line's text without tones.
    pub fn text(&self) -> String {
        self.0.iter().map(|s| s.text.as_str()).collect()
    }

    /// A line of one span.
    pub(crate) fn toned(tone: Tone, text: impl Into<String>) -> Line {
        Line(vec![Span {
            text: text.into(),
            tone,
        }])
    }

    /// Appends a span.
    pub(crate) fn and(mut self, tone: Tone, text: impl Into<String>) -> Line {
        self.0.push(Span {
            text: text.into(),
            tone,
        });
        self
    }
}

impl From<String> for Line {
    fn from(text: String) -> Line {
        Line::toned(Tone::Plain, text)
    }
}

impl From<&str> for Line {
    fn from(text: &str) -> Line {
        Line::toned(Tone::Plain, text)
    }
}

/// One step of the walk.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step looks at ("The JOSE header").
    pub title: String,
    /// The RFC clause (or barejwt rule) behind it.
    pub rfc: &'static str,
    /// What it shows, line by line.
    pub lines: Vec<Line>,
    /// The values it shows, by name (hex for bytes), and `error` and
    /// `offset` when the walk stops here.
    pub data: Map<String, Value>,
    /// The offending byte, when the walk stops here and there is one.
    pub mark: Option<Mark>,
}

/// Where a step points: a byte offset, and in what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Mark {
    /// The byte's offset.
    pub offset: usize,
    /// `token`, `decoded header` or `decoded payload`.
    pub within: &'static str,
}

/// What the library made of the token.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every check passed, the signature included.
    Valid,
    /// The library's error: the walk stopped at its stage.
    Invalid(Error),
    /// No key: nothing failed, but the signature was not checked.
    Unverified,
}

impl Verdict {
    /// `VALID`, `INVALID` or `NOT VERIFIED`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Valid => "VALID",
            Verdict::Invalid(_) => "INVALID",
            Verdict::Unverified => "NOT VERIFIED",
        }
    }

    /// What it means, in a sentence (the error's message when invalid).
    pub fn message(&self) -> String {
        match self {
            Verdict::Valid => "every check passed".to_owned(),
            Verdict::Invalid(e) => e.to_string(),
            Verdict::Unverified => {
                "no key was given, so the signature was not checked; nothing else failed".to_owned()
            }
        }
    }
}

/// The whole walk: its steps and the verdict.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The token's length in bytes.
    pub token_bytes: usize,
    /// The steps, in the verifier's order, up to where it stopped.
    pub steps: Vec<Step>,
    /// The library's verdict.
    pub verdict: Verdict,
    /// Whether a key was given (so the signature could be checked).
    pub signature_checked: bool,
}

impl Explanation {
    /// The JSON form: `{"token_bytes", "steps": [{"step", "title", "rfc",
    /// "text", "data"}], "verdict": {"valid", "signature_checked",
    /// "result", "code", "message"}}`, each line as plain text.
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let text: Vec<String> = s.lines.iter().map(Line::text).collect();
                json!({ "step": i + 1, "title": s.title, "rfc": s.rfc, "text": text, "data": s.data })
            })
            .collect();
        let code = match &self.verdict {
            Verdict::Invalid(e) => Some(e.code()),
            _ => None,
        };
        json!({
            "token_bytes": self.token_bytes,
            "steps": steps,
            "verdict": {
                "valid": matches!(self.verdict, Verdict::Valid),
                "signature_checked": self.signature_checked,
                "result": self.verdict.word(),
                "code": code,
                "message": self.verdict.message(),
            }
        })
    }
}

/// Walks through `token` as the verifier `v` would, with `key` (and a
/// few words on where it came from, shown in the key step) or without.
pub fn explain(token: &[u8], key: Option<(&Key, &str)>, v: &Validation) -> Explanation {
    let mut walk = walk::Walk {
        token,
        v: v.clone(),
        key,
        steps: Vec::new(),
    };
    let verdict = walk.run();
    Explanation {
        token_bytes: token.len(),
        steps: walk.steps,
        verdict,
        signature_checked: key.is_some(),
    }
}
