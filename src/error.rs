//! One error type for every way a token can fail.
//!
//! Each variant maps to exactly one stable machine code, the codes of the
//! vector format (`vectors/FORMAT.md`, "Error codes"). Checks run in stages,
//! and a token that breaks several rules fails with the code of the first
//! stage it breaks:
//!
//! | stage ([`Stage`]) | codes |
//! | --- | --- |
//! | 1. size | `too_large` |
//! | 2. structure | `malformed` |
//! | 3. header | `algorithm` (the header's `alg` refused), `unsupported_critical`, `invalid_type` |
//! | 4. key | `unknown_key`, `weak_key`, `algorithm` (the key is bound to another algorithm) |
//! | 5. signature | `bad_signature` |
//! | 6. claims | `malformed`, `missing_claim`, `invalid_claim`, `expired`, `not_yet_valid`, `invalid_issuer`, `invalid_audience`, `invalid_subject` |
//!
//! [`Error::stage`] says which stage an error belongs to, so that a tool
//! showing the verifier's working (`barejwt explain`) stops where the
//! verifier stopped without guessing.
//!
//! # Security
//!
//! Messages say what was wrong and where (which segment, which claim, at
//! which byte) but never carry key bytes or MAC bytes. A failed MAC is one
//! opaque variant, [`Error::BadSignature`]: it does not say how close the
//! tag was. Values copied from the token (an `alg`, a `kid`) are attacker
//! controlled, so they are shortened before they are shown.

use std::fmt;

use crate::hmac::Algorithm;

/// Which part of a token is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The token as a whole (its dots).
    Token,
    /// The first segment, the JOSE header: its base64url or its JSON.
    Header,
    /// The second segment's base64url (a JWS payload may be any bytes).
    Payload,
    /// The third segment, the signature.
    Signature,
    /// The payload read as a JWT claims set (stage 6, once the MAC has
    /// matched): not UTF-8, not a JSON object, duplicate names.
    Claims,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Token => "token",
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
            Part::Claims => "claims set",
        })
    }
}

/// The stages of verification, in the order they run (the table above).
/// A token that breaks several rules fails at the first stage it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// 1. The token's length, before any parsing.
    Size = 1,
    /// 2. Three segments of strict base64url, a well-formed header.
    Structure = 2,
    /// 3. The header against the verifier's rules: `alg`, `crit`, `typ`.
    Header = 3,
    /// 4. The key for this `alg` and `kid`, strong enough.
    Key = 4,
    /// 5. The MAC.
    Signature = 5,
    /// 6. The claims set, read only once the MAC has matched.
    Claims = 6,
}

impl Stage {
    /// The stage's number, 1 to 6.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// Why an algorithm was refused: the detail of [`Error::Algorithm`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refused {
    /// Stage 3: `"none"`, an unsecured JWS, is never accepted
    /// (RFC 8725 §3.2).
    None,
    /// Stage 3: a name barejwt does not implement.
    Unknown {
        /// The header's `alg`, quoted and shortened: it comes from the token.
        name: String,
    },
    /// Stage 3: an algorithm barejwt implements, but the verifier does not
    /// accept (RFC 8725 §3.1: the verifier's list decides).
    NotAccepted {
        /// The header's `alg`.
        alg: Algorithm,
    },
    /// Stage 4: the token names one algorithm, the key is bound to another
    /// (RFC 8725 §3.1).
    KeyBound {
        /// The header's `alg`.
        token: Algorithm,
        /// The algorithm the key is bound to.
        key: Algorithm,
    },
    /// Signing: the header to sign names another algorithm than the key's.
    NotTheKeys {
        /// The header's `alg` (quoted and shortened when it came as bytes).
        header: String,
        /// The key's algorithm.
        key: Algorithm,
    },
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::None => {
                f.write_str("\"none\" (an unsecured JWS is never accepted, RFC 8725 §3.2)")
            }
            Refused::Unknown { name } => {
                write!(f, "{name} is not an algorithm barejwt implements")
            }
            Refused::NotAccepted { alg } => write!(f, "{alg} is not among the accepted algorithms"),
            Refused::KeyBound { token, key } => write!(
                f,
                "the token says {token}, but the key is bound to {key} (RFC 8725 §3.1)"
            ),
            Refused::NotTheKeys { header, key } => {
                write!(f, "the header says {header}, but the key is for {key}")
            }
        }
    }
}

/// Every failure barejwt reports. [`Error::code`] gives its stable code.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Stage 1: the token is longer than the verifier accepts.
    TooLarge {
        /// The token's length in bytes.
        len: usize,
        /// The largest length accepted.
        max: usize,
    },
    /// Stage 2 (structure) or, for [`Part::Claims`], 6: the bytes are
    /// not a well-formed JWS, header or claims set.
    Malformed {
        /// Which part is malformed.
        part: Part,
        /// What is wrong, and at which byte where that is known.
        reason: String,
    },
    /// Stage 3: the header's `alg` is not one the verifier accepts
    /// (`none` never is); or stage 4: the key is bound to another
    /// algorithm. [`Refused`] says which.
    Algorithm {
        /// Why the algorithm is refused.
        refused: Refused,
    },
    /// Stage 3: `crit` names an extension this implementation does not
    /// understand (RFC 7515 §4.1.11).
    UnsupportedCritical {
        /// The extension's name (shortened).
        name: String,
    },
    /// Stage 3: the `typ` header is not the one the verifier requires.
    InvalidType {
        /// The required type.
        expected: String,
        /// What the header carries (shortened), if anything.
        found: Option<String>,
    },
    /// Stage 4: a key given by the caller (a JWK, a JWK Set) is not
    /// well-formed (its code is `malformed`).
    MalformedKey {
        /// What is wrong with it; never its bytes.
        reason: String,
    },
    /// Stage 4: no key for this token's `kid`.
    UnknownKey {
        /// Why no key was chosen.
        reason: String,
    },
    /// Stage 4 (or signing): the key is shorter than the hash output
    /// (RFC 7518 §3.2) and weak keys were not allowed.
    WeakKey {
        /// The algorithm the key was to be used with.
        alg: &'static str,
        /// The key's length in bytes.
        len: usize,
        /// The least length RFC 7518 §3.2 allows for it.
        min: usize,
    },
    /// Stage 5: the MAC does not match. Deliberately says nothing more.
    BadSignature,
    /// Stage 6: a claim the verifier requires is absent.
    MissingClaim {
        /// The claim's name.
        claim: String,
    },
    /// Stage 6: a registered claim has the wrong JSON type.
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Stage 6: `now >= exp + leeway` (RFC 7519 §4.1.4).
    Expired {
        /// The token's `exp`.
        exp: f64,
        /// The verifier's clock.
        now: i64,
        /// Allowed clock skew in seconds.
        leeway: u64,
    },
    /// Stage 6: `now < nbf - leeway` (RFC 7519 §4.1.5).
    NotYetValid {
        /// The token's `nbf`.
        nbf: f64,
        /// The verifier's clock.
        now: i64,
        /// Allowed clock skew in seconds.
        leeway: u64,
    },
    /// Stage 6: `iss` is not the required issuer.
    InvalidIssuer {
        /// What is wrong with it.
        reason: String,
    },
    /// Stage 6: `aud` does not name the verifier, or is ill-typed.
    InvalidAudience {
        /// What is wrong with it.
        reason: String,
    },
    /// Stage 6: `sub` is not the required subject.
    InvalidSubject {
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// The stable machine code, one of the codes of the vector format.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "too_large",
            Error::Malformed { .. } | Error::MalformedKey { .. } => "malformed",
            Error::Algorithm { .. } => "algorithm",
            Error::UnsupportedCritical { .. } => "unsupported_critical",
            Error::InvalidType { .. } => "invalid_type",
            Error::UnknownKey { .. } => "unknown_key",
            Error::WeakKey { .. } => "weak_key",
            Error::BadSignature => "bad_signature",
            Error::MissingClaim { .. } => "missing_claim",
            Error::InvalidClaim { .. } => "invalid_claim",
            Error::Expired { .. } => "expired",
            Error::NotYetValid { .. } => "not_yet_valid",
            Error::InvalidIssuer { .. } => "invalid_issuer",
            Error::InvalidAudience { .. } => "invalid_audience",
            Error::InvalidSubject { .. } => "invalid_subject",
        }
    }

    /// The stage this error belongs to: where the verifier raises it, or,
    /// for an error of signing or of loading a key, the stage whose rule
    /// it breaks.
    pub fn stage(&self) -> Stage {
        match self {
            Error::TooLarge { .. } => Stage::Size,
            Error::Malformed {
                part: Part::Claims, ..
            } => Stage::Claims,
            Error::Malformed { .. } => Stage::Structure,
            Error::Algorithm {
                refused: Refused::KeyBound { .. } | Refused::NotTheKeys { .. },
            } => Stage::Key,
            Error::Algorithm { .. }
            | Error::UnsupportedCritical { .. }
            | Error::InvalidType { .. } => Stage::Header,
            Error::MalformedKey { .. } | Error::UnknownKey { .. } | Error::WeakKey { .. } => {
                Stage::Key
            }
            Error::BadSignature => Stage::Signature,
            Error::MissingClaim { .. }
            | Error::InvalidClaim { .. }
            | Error::Expired { .. }
            | Error::NotYetValid { .. }
            | Error::InvalidIssuer { .. }
            | Error::InvalidAudience { .. }
            | Error::InvalidSubject { .. } => Stage::Claims,
        }
    }

    /// The RFC clause (or barejwt rule) the error enforces, for a reader
    /// who wants to know why.
    pub fn rfc(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => {
                "a limit of barejwt's, checked before any parsing (no RFC sets one)"
            }
            Error::Malformed { part, .. } => match part {
                Part::Token => "RFC 7515 §7.1: three dot-separated segments",
                Part::Header => "RFC 7515 §4: a JSON object with unique names, §4.1.1 alg",
                Part::Payload | Part::Signature => "RFC 7515 §2, RFC 4648 §5: strict base64url",
                Part::Claims => "RFC 7519 §7.2 step 10: a JSON object with unique names",
            },
            Error::Algorithm { refused } => match refused {
                Refused::None => "RFC 8725 §3.2: never accept an unsecured JWS",
                Refused::NotTheKeys { .. } => "RFC 7515 §5.1: the key's algorithm",
                _ => "RFC 8725 §3.1: the verifier, not the token, picks the algorithm",
            },
            Error::UnsupportedCritical { .. } => "RFC 7515 §4.1.11: crit",
            Error::InvalidType { .. } => "RFC 7515 §4.1.9, RFC 8725 §3.11: typ",
            Error::MalformedKey { .. } => "RFC 7517 §4, RFC 7518 §6.4: a JWK oct",
            Error::UnknownKey { .. } => "RFC 7515 §4.1.4: kid",
            Error::WeakKey { .. } => "RFC 7518 §3.2: a key at least as long as the hash output",
            Error::BadSignature => "RFC 7515 §5.2 step 8: the MAC must match",
            Error::MissingClaim { .. } => "RFC 7519 §4.1: claims this verifier requires",
            Error::InvalidClaim { .. } => "RFC 7519 §2: a NumericDate is a JSON number",
            Error::Expired { .. } => "RFC 7519 §4.1.4: exp",
            Error::NotYetValid { .. } => "RFC 7519 §4.1.5: nbf",
            Error::InvalidIssuer { .. } => "RFC 7519 §4.1.1: iss",
            Error::InvalidAudience { .. } => "RFC 7519 §4.1.3: aud",
            Error::InvalidSubject { .. } => "RFC 7519 §4.1.2: sub",
        }
    }

    /// Every code, in stage order: for documentation, tests and tools.
    pub const CODES: [&'static str; 15] = [
        "too_large",
        "malformed",
        "algorithm",
        "unsupported_critical",
        "invalid_type",
        "unknown_key",
        "weak_key",
        "bad_signature",
        "missing_claim",
        "invalid_claim",
        "expired",
        "not_yet_valid",
        "invalid_issuer",
        "invalid_audience",
        "invalid_subject",
    ];

    pub(crate) fn malformed(part: Part, reason: impl Into<String>) -> Error {
        Error::Malformed {
            part,
            reason: reason.into(),
        }
    }

    pub(crate) fn malformed_key(reason: impl Into<String>) -> Error {
        Error::MalformedKey {
            reason: reason.into(),
        }
    }
}

/// Shortens attacker-controlled text before it goes into a message, and
/// quotes it with Rust's escaping so control characters stay visible.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        None => format!("{text:?}"),
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooLarge { len, max } => {
                write!(f, "token is {len} bytes, larger than the limit of {max}")
            }
            Error::Malformed { part, reason } => write!(f, "malformed {part}: {reason}"),
            Error::Algorithm { refused } => write!(f, "algorithm not accepted: {refused}"),
            Error::MalformedKey { reason } => write!(f, "malformed key: {reason}"),
            Error::UnsupportedCritical { name } => {
                write!(f, "critical header parameter {name} is not supported")
            }
            Error::InvalidType { expected, found } => match found {
                Some(found) => write!(f, "expected typ {expected:?}, found {found}"),
                None => write!(f, "expected typ {expected:?}, found no typ header"),
            },
            Error::UnknownKey { reason } => write!(f, "no key for this token: {reason}"),
            Error::WeakKey { alg, len, min } => write!(
                f,
                "{alg} key is {len} bytes, shorter than the {min} bytes RFC 7518 §3.2 requires"
            ),
            Error::BadSignature => f.write_str("signature does not match (MAC tag mismatch)"),
            Error::MissingClaim { claim } => write!(f, "required claim {claim:?} is missing"),
            Error::InvalidClaim { claim, reason } => write!(f, "claim {claim:?}: {reason}"),
            Error::Expired { exp, now, leeway } => write!(
                f,
                "token expired: now {now} is at or after exp {exp} + leeway {leeway}s"
            ),
            Error::NotYetValid { nbf, now, leeway } => write!(
                f,
                "token not yet valid: now {now} is before nbf {nbf} - leeway {leeway}s"
            ),
            Error::InvalidIssuer { reason } => write!(f, "invalid issuer: {reason}"),
            Error::InvalidAudience { reason } => write!(f, "invalid audience: {reason}"),
            Error::InvalidSubject { reason } => write!(f, "invalid subject: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_in_stage_order() {
        let samples = [
            Error::TooLarge { len: 2, max: 1 },
            Error::malformed(Part::Token, "x"),
            Error::Algorithm {
                refused: Refused::None,
            },
            Error::UnsupportedCritical { name: "x".into() },
            Error::InvalidType {
                expected: "JWT".into(),
                found: None,
            },
            Error::MalformedKey { reason: "x".into() },
            Error::UnknownKey { reason: "x".into() },
            Error::WeakKey {
                alg: "HS256",
                len: 1,
                min: 32,
            },
            Error::BadSignature,
            Error::MissingClaim { claim: "x".into() },
            Error::InvalidClaim {
                claim: "exp",
                reason: "x".into(),
            },
            Error::Expired {
                exp: 1.0,
                now: 2,
                leeway: 0,
            },
            Error::NotYetValid {
                nbf: 2.0,
                now: 1,
                leeway: 0,
            },
            Error::InvalidIssuer { reason: "x".into() },
            Error::InvalidAudience { reason: "x".into() },
            Error::InvalidSubject { reason: "x".into() },
        ];
        // `malformed` is the code of stage 2 and of a malformed key: each
        // code is listed once, where it first appears.
        let mut codes: Vec<&str> = Vec::new();
        for code in samples.iter().map(Error::code) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        assert_eq!(codes, Error::CODES);
        assert!(samples.iter().all(|e| e.rfc().contains("RFC")));
        let stages: Vec<u8> = samples.iter().map(|e| e.stage().number()).collect();
        assert!(stages.is_sorted(), "{stages:?}");
    }

    #[test]
    fn each_error_knows_its_stage() {
        let at = |e: Error| e.stage().number();
        assert_eq!(at(Error::malformed(Part::Header, "x")), 2);
        assert_eq!(at(Error::malformed(Part::Payload, "x")), 2);
        assert_eq!(at(Error::malformed(Part::Claims, "x")), 6);
        let alg = |refused| Error::Algorithm { refused };
        assert_eq!(at(alg(Refused::None)), 3);
        assert_eq!(
            at(alg(Refused::NotAccepted {
                alg: Algorithm::HS384
            })),
            3
        );
        assert_eq!(
            at(alg(Refused::KeyBound {
                token: Algorithm::HS256,
                key: Algorithm::HS512
            })),
            4
        );
        assert_eq!(at(Error::malformed_key("x")), 4);
    }

    #[test]
    fn shown_text_is_quoted_and_shortened() {
        assert_eq!(shown("none"), "\"none\"");
        let long = "a".repeat(100);
        let s = shown(&long);
        assert!(s.len() < 50, "{s}");
        assert!(s.ends_with('…'));
        assert_eq!(shown("a\nb"), "\"a\\nb\"");
    }
}
