//! What the runner makes of an answer (`vectors/HARNESS.md`, "What the
//! runner makes of it"): exactly one [`Class`] per vector and
//! implementation, with the expectation and the answer as the report
//! shows them.

use std::fmt;

use super::answer::Answer;
use super::vector::{Expected, Kind, Values};
use crate::hex;

/// A vector's outcome for one implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The same verdict as the vector; for errors, the same code, or none.
    Pass,
    /// Accepted what the vector says must be refused.
    Unsafe,
    /// Refused what the vector says must be accepted.
    Refused,
    /// Refused, as it should, but with another code.
    WrongCode,
    /// Accepted as expected, but with other claims, header, token or bytes.
    WrongValue,
    /// The implementation has no way to express the vector.
    Unsupported,
    /// The harness broke the protocol: no answer in time, not JSON, another
    /// `id`, a malformed answer, or it exited.
    HarnessError,
    /// Not one of the protocol's outcomes: the vector (or its file) is
    /// malformed, so no implementation was asked.
    MalformedVector,
}

impl Class {
    /// Every class, in the order reports count them (`unsafe` first).
    pub const ALL: [Class; 8] = [
        Class::Pass,
        Class::Unsafe,
        Class::Refused,
        Class::WrongCode,
        Class::WrongValue,
        Class::Unsupported,
        Class::HarnessError,
        Class::MalformedVector,
    ];

    /// The name the protocol gives it (`pass`, `unsafe`, …).
    pub fn name(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::Unsafe => "unsafe",
            Class::Refused => "refused",
            Class::WrongCode => "wrong_code",
            Class::WrongValue => "wrong_value",
            Class::Unsupported => "unsupported",
            Class::HarnessError => "harness_error",
            Class::MalformedVector => "malformed_vector",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the expectation reads in a report line.
pub(crate) fn expected_text(kind: Kind, expected: &Expected) -> String {
    match (kind, expected) {
        (Kind::Hmac, Expected::Accept(_)) => "valid".into(),
        (Kind::Hmac, Expected::Refuse(_)) => "invalid".into(),
        (Kind::Sign, Expected::Accept(v)) => format!("token {}", v.token.as_deref().unwrap_or("")),
        (Kind::Base64url, Expected::Accept(v)) => {
            format!(
                "valid, bytes {}",
                hex::encode(v.decoded.as_deref().unwrap_or(&[]))
            )
        }
        (_, Expected::Accept(_)) => "valid".into(),
        (_, Expected::Refuse(Some(code))) => format!("error {code}"),
        (_, Expected::Refuse(None)) => "an error".into(),
    }
}

/// How an accepting answer reads.
fn valid_text(kind: Kind, got: &Values) -> String {
    match kind {
        Kind::Verify => "valid".into(),
        Kind::Sign => format!("token {}", got.token.as_deref().unwrap_or("")),
        Kind::Hmac => "a matching tag".into(),
        Kind::Base64url => format!(
            "valid, bytes {}",
            hex::encode(got.decoded.as_deref().unwrap_or(&[]))
        ),
    }
}

/// How a refusing answer reads.
fn invalid_text(kind: Kind, code: Option<&str>, message: &str) -> String {
    match (kind, code) {
        (Kind::Hmac, _) => "a different tag".into(),
        (Kind::Base64url, _) => format!("error malformed ({message})"),
        (_, Some(code)) => format!("error {code} ({message})"),
        (_, None) => format!("an error without a code ({message})"),
    }
}

/// The class of `answer`, with the expectation and the answer as text
/// (`got` is `"as expected"` for a pass).
pub(crate) fn classify(
    kind: Kind,
    expected: &Expected,
    answer: &Answer,
) -> (Class, String, String) {
    let want = expected_text(kind, expected);
    let pass = |want| (Class::Pass, want, "as expected".to_owned());
    match (expected, answer) {
        (_, Answer::Unsupported(why)) => (Class::Unsupported, want, format!("unsupported ({why})")),
        (Expected::Refuse(_), Answer::Valid(got)) => (Class::Unsafe, want, valid_text(kind, got)),
        (Expected::Accept(_), Answer::Invalid { code, message }) => (
            Class::Refused,
            want,
            invalid_text(kind, code.as_deref(), message),
        ),
        (Expected::Refuse(want_code), Answer::Invalid { code, message }) => {
            match (want_code, code) {
                (Some(w), Some(c)) if w != c && kind != Kind::Base64url => {
                    (Class::WrongCode, want, invalid_text(kind, Some(c), message))
                }
                _ => pass(want),
            }
        }
        (Expected::Accept(w), Answer::Valid(g)) => match first_difference(kind, w, g) {
            Some((want, got)) => (Class::WrongValue, want, got),
            None => pass(want),
        },
    }
}

/// The first value the vector names that the answer does not carry.
fn first_difference(kind: Kind, want: &Values, got: &Values) -> Option<(String, String)> {
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map_or("none".into(), ToString::to_string);
    if want.claims.is_some() && want.claims != got.claims {
        return Some((
            format!("claims {}", json(&want.claims)),
            format!("claims {}", json(&got.claims)),
        ));
    }
    if want.header.is_some() && want.header != got.header {
        return Some((
            format!("header {}", json(&want.header)),
            format!("header {}", json(&got.header)),
        ));
    }
    if want.token.is_some() && want.token != got.token {
        return Some((
            expected_text(kind, &Expected::Accept(want.clone())),
            valid_text(kind, got),
        ));
    }
    if want.decoded.is_some() && want.decoded != got.decoded {
        return Some((
            expected_text(kind, &Expected::Accept(want.clone())),
            format!(
                "bytes {}",
                hex::encode(got.decoded.as_deref().unwrap_or(&[]))
            ),
        ));
    }
    if want.encoded.is_some() && want.encoded != got.encoded {
        return Some((
            expected_text(kind, &Expected::Accept(want.clone())),
            format!(
                "an encoder output of {:?}",
                got.encoded.as_deref().unwrap_or("")
            ),
        ));
    }
    None
}
