//! JWT claims ([RFC 7519 §4.1]): the registered claims, `NumericDate`, and
//! the strict first reading of a claims set.
//!
//! > The JWT Claims Set represents a JSON object whose members are the
//! > claims conveyed by the JWT. The Claim Names within a JWT Claims Set
//! > MUST be unique
//! > — [RFC 7519 §4]
//!
//! # Two readings of the payload
//!
//! The reference reading of a verified payload is two passes: first
//! `Scan`, which refuses duplicate names and pulls out just the registered
//! claims the validation rules look at, borrowing strings from the
//! payload; then the caller's own type `T` through serde. This keeps the
//! caller's type free of validation concerns. [`crate::decode`] gets the
//! same answers from one parse (the private `onepass` module, built on
//! `Scan::note_name` and `Scan::record` below) and falls back to these two
//! passes wherever the answers could differ.
//!
//! # NumericDate
//!
//! > A JSON numeric value representing the number of seconds from
//! > 1970-01-01T00:00:00Z UTC until the specified UTC date/time, ignoring
//! > leap seconds. [...] non-integer values can be represented.
//! > — [RFC 7519 §2]
//!
//! So `exp`, `nbf` and `iat` may be any JSON number: fractions, negative
//! and huge values are compared numerically (as `f64`; an exponent beyond
//! its range, such as `1e400`, counts as infinity). Any other JSON type is
//! [`Error::InvalidClaim`].
//!
//! [RFC 7519 §2]: https://www.rfc-editor.org/rfc/rfc7519#section-2
//! [RFC 7519 §4]: https://www.rfc-editor.org/rfc/rfc7519#section-4
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use smallvec::SmallVec;

use crate::error::{Error, Part};
use crate::json::{MaybeText, NameSet, Skip, Text, TextOrList, duplicate};

/// A NumericDate: seconds since the epoch, possibly fractional.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct NumericDate(pub f64);

impl NumericDate {
    /// Whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> NumericDate {
        NumericDate(secs as f64)
    }

    /// The value in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0
    }
}

impl Serialize for NumericDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole seconds are written as integers ("exp":1768132452), as
        // every JWT library does; fractions as they are.
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(NumericDate)
    }
}

/// `aud` ([RFC 7519 §4.1.3]): "In the general case, the "aud" value is an
/// array of case-sensitive strings [...] In the special case when the JWT
/// has one audience, the "aud" value MAY be a single case-sensitive string".
///
/// [RFC 7519 §4.1.3]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// A single string.
    One(String),
    /// An array of strings.
    Many(Vec<String>),
}

/// The registered claims of RFC 7519 §4.1, for callers who want them
/// typed. Use it as your claims type, or copy the fields you need into your
/// own struct: [`crate::decode`] validates them either way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegisteredClaims {
    /// `iss` (§4.1.1): who issued the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `sub` (§4.1.2): whom the token is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud` (§4.1.3): whom the token is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// `exp` (§4.1.4): not valid on or after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// `nbf` (§4.1.5): not valid before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// `iat` (§4.1.6): when it was issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// `jti` (§4.1.7): a unique identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// A time claim as read: its value, or the JSON type it had instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Time {
    Number(f64),
    Other(&'static str),
}

/// `aud` as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Aud<'de> {
    /// A string, or an array of strings.
    Strings(SmallVec<[Cow<'de, str>; 2]>),
    /// Anything else, and why it is not allowed.
    Invalid(String),
}

/// The first reading of a claims set: unique names, and the registered
/// claims the validation looks at.
#[derive(Debug, Default)]
pub(crate) struct Scan<'de> {
    pub exp: Option<Time>,
    pub nbf: Option<Time>,
    pub iat: Option<Time>,
    pub iss: Option<MaybeText<'de>>,
    pub sub: Option<MaybeText<'de>>,
    pub aud: Option<Aud<'de>>,
    /// Every member name, unescaped: to refuse a duplicate, and for the
    /// validation to find its required claims in.
    pub names: NameSet<'de>,
}

impl<'de> Scan<'de> {
    /// Reads `payload` (stage 6's `malformed` rules: a JSON object, UTF-8,
    /// unique names).
    pub(crate) fn read(payload: &'de [u8]) -> Result<Scan<'de>, Error> {
        // Checked first, for the whole payload: serde_json checks UTF-8 in
        // the strings it decodes, but not in the ones it only skips (the
        // raw text of a time claim), so it cannot be relied on here. For
        // an ASCII payload this is a quick scan.
        if let Err(utf8) = std::str::from_utf8(payload) {
            return Err(Error::malformed(
                Part::Claims,
                format!(
                    "not UTF-8 (RFC 7519 §7.2 step 10): invalid byte at {}",
                    utf8.valid_up_to()
                ),
            ));
        }
        let mut d = serde_json::Deserializer::from_slice(payload);
        ScanSeed
            .deserialize(&mut d)
            .and_then(|scan| d.end().map(|()| scan))
            .map_err(|e| {
                Error::malformed(
                    Part::Claims,
                    format!("not a JSON object with unique names: {e}"),
                )
            })
    }
}

struct ScanSeed;

impl<'de> DeserializeSeed<'de> for ScanSeed {
    type Value = Scan<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scan<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ScanSeed {
    type Value = Scan<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (RFC 7519 §7.2 step 10)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scan<'de>, A::Error> {
        let mut scan = Scan::default();
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            scan.note_name(name.clone())?;
            match registered(&name) {
                Some(claim) => {
                    scan.record(claim, map.next_value()?)?;
                }
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(scan)
    }
}

/// The registered claims the validation reads (RFC 7519 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    Exp,
    Nbf,
    Iat,
    Iss,
    Sub,
    Aud,
}

/// The registered claim `name` is, if it is one the validation reads.
pub(crate) fn registered(name: &str) -> Option<Claim> {
    match name {
        "exp" => Some(Claim::Exp),
        "nbf" => Some(Claim::Nbf),
        "iat" => Some(Claim::Iat),
        "iss" => Some(Claim::Iss),
        "sub" => Some(Claim::Sub),
        "aud" => Some(Claim::Aud),
        _ => None,
    }
}

impl<'de> Scan<'de> {
    /// Notes a member name: a duplicate is an error (RFC 7519 §4).
    pub(crate) fn note_name<E: de::Error>(&mut self, name: Cow<'de, str>) -> Result<(), E> {
        if !self.names.insert(name.clone()) {
            return Err(duplicate(&name));
        }
        Ok(())
    }

    /// Records registered claim `claim` (see [`registered`]) from the raw
    /// JSON text of its value, and gives back the value's [`Plain`]
    /// reading, if it has one, for the caller to reuse.
    pub(crate) fn record<E: de::Error>(
        &mut self,
        claim: Claim,
        raw: &'de RawValue,
    ) -> Result<Option<Plain<'de>>, E> {
        let text = raw.get();
        let plain = Plain::of(text);
        match claim {
            Claim::Exp => self.exp = Some(time(text, plain)),
            Claim::Nbf => self.nbf = Some(time(text, plain)),
            Claim::Iat => self.iat = Some(time(text, plain)),
            Claim::Iss => self.iss = Some(text_of(text, plain).map_err(E::custom)?),
            Claim::Sub => self.sub = Some(text_of(text, plain).map_err(E::custom)?),
            Claim::Aud => {
                self.aud = Some(serde_json::from_str::<AudSeen>(text).map_err(E::custom)?.0)
            }
        }
        Ok(plain)
    }
}

/// The two shapes nearly every registered claim has, read from its raw
/// JSON text without a parser. The text is one JSON value whose grammar
/// serde_json has already checked, so the shape decides alone:
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plain<'de> {
    /// A string with no `\` escape: exactly the text between its quotes
    /// (`"sub":"wangerge"`).
    Str(&'de str),
    /// Digits alone, at most 19 of them, so the value fits a `u64`
    /// (`"exp":1768132452`): what serde_json reads as an unsigned integer
    /// too.
    Unsigned(u64),
}

impl<'de> Plain<'de> {
    /// `text`'s plain reading, or `None` for any other value (an escape, a
    /// sign, a fraction or exponent, more than 19 digits, another type).
    pub(crate) fn of(text: &'de str) -> Option<Plain<'de>> {
        let bytes = text.as_bytes();
        match bytes.first()? {
            b'"' => {
                let inside = text.strip_prefix('"')?.strip_suffix('"')?;
                // (A byte loop: these strings are short, shorter than what
                // a `memchr` call costs to set up.)
                (!inside.bytes().any(|b| b == b'\\')).then_some(Plain::Str(inside))
            }
            b'0'..=b'9' if bytes.len() <= 19 => {
                let mut n: u64 = 0;
                for &b in bytes {
                    if !b.is_ascii_digit() {
                        return None;
                    }
                    // 19 digits fit a u64 (its maximum has 20).
                    n = n * 10 + u64::from(b - b'0');
                }
                Some(Plain::Unsigned(n))
            }
            _ => None,
        }
    }
}

/// A string claim from its raw JSON text: the string, or the type it had
/// instead. A [`Plain`] string is taken as it is (the usual case); any
/// other value is parsed.
fn text_of<'de>(
    text: &'de str,
    plain: Option<Plain<'de>>,
) -> Result<MaybeText<'de>, serde_json::Error> {
    match plain {
        Some(Plain::Str(inside)) => Ok(MaybeText::Text(Cow::Borrowed(inside))),
        _ => serde_json::from_str(text),
    }
}

/// A time claim from its raw JSON text: the text of a JSON number is
/// parsed as `f64` (out-of-range exponents become ±infinity or 0, which
/// still compare correctly); any other type is noted. A [`Plain`] integer
/// is converted instead: `n as f64` rounds the integer to the nearest
/// `f64`, which is what `f64::from_str` does with the same digits.
fn time(text: &str, plain: Option<Plain<'_>>) -> Time {
    if let Some(Plain::Unsigned(n)) = plain {
        return Time::Number(n as f64);
    }
    match text.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => match text.parse::<f64>() {
            Ok(v) => Time::Number(v),
            // serde_json has already checked the number's grammar, which is
            // a subset of what `f64::from_str` accepts.
            Err(_) => Time::Other("number that cannot be read"),
        },
        Some(b'"') => Time::Other("string"),
        Some(b't' | b'f') => Time::Other("boolean"),
        Some(b'n') => Time::Other("null"),
        Some(b'[') => Time::Other("array"),
        _ => Time::Other("object"),
    }
}

struct AudSeen<'de>(Aud<'de>);

impl<'de> Deserialize<'de> for AudSeen<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match TextOrList::deserialize(d)? {
            TextOrList::Text(t) => Ok(AudSeen(Aud::Strings(smallvec::smallvec![t]))),
            TextOrList::List(items) => {
                let mut strings = SmallVec::new();
                for item in items {
                    match item {
                        MaybeText::Text(t) => strings.push(t),
                        MaybeText::Other(t) => {
                            return Ok(AudSeen(Aud::Invalid(format!(
                                "\"aud\" array holds a JSON {t}; every member must be a string (RFC 7519 §4.1.3)"
                            ))));
                        }
                    }
                }
                Ok(AudSeen(Aud::Strings(strings)))
            }
            TextOrList::Other(t) => Ok(AudSeen(Aud::Invalid(format!(
                "\"aud\" is a JSON {t}; it must be a string or an array of strings (RFC 7519 §4.1.3)"
            )))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(json: &str) -> Result<Scan<'_>, Error> {
        Scan::read(json.as_bytes())
    }

    #[test]
    fn registered_claims_are_read_with_their_types() {
        let s =
            scan(r#"{"exp":1.5,"nbf":-3,"iat":"x","iss":"joe","sub":7,"aud":["a","b"],"jti":"j"}"#)
                .unwrap();
        assert_eq!(s.exp, Some(Time::Number(1.5)));
        assert_eq!(s.nbf, Some(Time::Number(-3.0)));
        assert_eq!(s.iat, Some(Time::Other("string")));
        assert_eq!(s.iss, Some(MaybeText::Text("joe".into())));
        assert_eq!(s.sub, Some(MaybeText::Other("number")));
        assert_eq!(
            s.aud,
            Some(Aud::Strings(smallvec::smallvec!["a".into(), "b".into()]))
        );
        assert!(s.names.contains("jti") && s.names.contains("exp") && !s.names.contains("x"));
    }

    #[test]
    fn invalid_utf8_inside_a_time_claim_is_malformed_not_a_type_error() {
        // serde_json skips the raw text of a time claim without checking
        // its UTF-8; the whole-payload check must catch it.
        for bad in [&b"{\"exp\":\"\xff\"}"[..], b"{\"nbf\":[\"\xc3\"]}"] {
            let e = Scan::read(bad).unwrap_err();
            assert!(e.to_string().contains("not UTF-8"), "{e}");
        }
    }

    #[test]
    fn a_string_claim_reads_the_same_with_or_without_escapes() {
        for (json, want) in [
            (r#"{"sub":"joe"}"#, "joe"),
            (r#"{"sub":""}"#, ""),
            (r#"{"sub":"j\u006fe"}"#, "joe"),
            (r#"{"sub":"a\"b"}"#, "a\"b"),
            (r#"{"sub":"\\"}"#, "\\"),
            (r#"{"sub":"é"}"#, "é"),
        ] {
            assert_eq!(
                scan(json).unwrap().sub,
                Some(MaybeText::Text(want.into())),
                "{json}"
            );
        }
        assert_eq!(
            scan(r#"{"iss":["x"]}"#).unwrap().iss,
            Some(MaybeText::Other("array"))
        );
    }

    #[test]
    fn huge_exponents_compare_as_infinity() {
        assert_eq!(
            scan(r#"{"exp":1e400}"#).unwrap().exp,
            Some(Time::Number(f64::INFINITY))
        );
        assert_eq!(
            scan(r#"{"exp":99999999999999999999999}"#).unwrap().exp,
            Some(Time::Number(1e23))
        );
    }

    #[test]
    fn aud_with_a_non_string_member_is_invalid() {
        assert!(matches!(
            scan(r#"{"aud":["a",1]}"#).unwrap().aud,
            Some(Aud::Invalid(_))
        ));
        assert!(matches!(
            scan(r#"{"aud":[["a"]]}"#).unwrap().aud,
            Some(Aud::Invalid(_))
        ));
        assert!(matches!(
            scan(r#"{"aud":1}"#).unwrap().aud,
            Some(Aud::Invalid(_))
        ));
    }

    #[test]
    fn not_an_object_or_duplicates_or_bad_utf8_is_malformed() {
        for bad in [
            &b""[..],
            b"[]",
            b"1",
            b"{\"a\":1,\"a\":2}",
            b"{\"exp\":1,\"\\u0065xp\":1}",
            b"{\"a\":\"\xff\"}",
            b"{} x",
        ] {
            assert_eq!(Scan::read(bad).unwrap_err().code(), "malformed", "{bad:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_named_wherever_it_is() {
        for bad in [
            &b"{\"sub\":\"\xff\"}"[..],
            b"{\"\xc3\":1}",
            b"{\"sub\":\"a\"}\xff",
            b"\xff{}",
        ] {
            let e = Scan::read(bad).unwrap_err();
            assert_eq!(e.code(), "malformed");
            assert!(e.to_string().contains("not UTF-8"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn numeric_dates_serialize_whole_seconds_as_integers() {
        assert_eq!(
            serde_json::to_string(&NumericDate(1.0e9)).unwrap(),
            "1000000000"
        );
        assert_eq!(serde_json::to_string(&NumericDate(1.5)).unwrap(), "1.5");
    }
}
