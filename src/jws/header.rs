//! The JOSE header ([RFC 7515 §4]): its type, its parser, and the rules
//! for `alg`, `kid`, `typ` and `crit`, in the RFC's order.
//!
//! > The members of the JSON object(s) representing the JOSE Header
//! > describe the digital signature or MAC applied to the JWS Protected
//! > Header and the JWS Payload [...]. The Header Parameter names within
//! > the JOSE Header MUST be unique
//! > — [RFC 7515 §4]
//!
//! So the header is read into a [`RawHeader`] that borrows from the decoded
//! bytes and refuses duplicate names ([`crate::json`]). Its rules run at two
//! stages of the error table ([`crate::error`]): the *shape* of `alg` and
//! `crit` at stage 2 (structure, [`RawHeader::check_structure`]), and what
//! this verifier accepts at stage 3 ([`RawHeader::check_header`]).
//!
//! [RFC 7515 §4]: https://www.rfc-editor.org/rfc/rfc7515#section-4

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use crate::error::{Error, Part, Refused, shown};
use crate::hmac::Algorithm;
use crate::json::{MaybeText, NameSet, Skip, Text, TextOrList, duplicate};
use crate::key::Kid;
use crate::validation::Validation;

/// The Header Parameter names RFC 7515 §4.1 registers. `crit` may not list
/// them (§4.1.11: "Producers MUST NOT include Header Parameter names
/// defined by this specification [...]").
pub const REGISTERED_HEADER_PARAMETERS: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// The JOSE header of a verified token, or of one to be signed.
///
/// # Security
///
/// Read from a token, these values come from its sender. They are
/// trustworthy only in a [`crate::Verified`] or [`super::Jws`] result,
/// whose MAC has been checked; [`super::inspect`] returns them unverified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// `alg` (RFC 7515 §4.1.1): the MAC algorithm.
    pub alg: Algorithm,
    /// `typ` (§4.1.9): the media type of the whole token, usually `JWT`.
    /// A non-string `typ` in a received header shows as `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// `kid` (§4.1.4): which key signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `cty` (§4.1.10): the media type of the payload (nested JWTs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
}

impl Header {
    /// `{"alg": alg, "typ": "JWT"}`, the header of a typical JWT
    /// (RFC 7519 §5.1 recommends `typ` "JWT").
    pub fn new(alg: Algorithm) -> Header {
        Header {
            alg,
            typ: Some("JWT".to_owned()),
            kid: None,
            cty: None,
        }
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The header as parsed, before the stage 2 and 3 rules are applied.
#[derive(Default)]
pub(crate) struct RawHeader<'de> {
    pub(crate) alg: Option<MaybeText<'de>>,
    pub(crate) typ: Option<MaybeText<'de>>,
    pub(crate) kid: Option<MaybeText<'de>>,
    pub(crate) cty: Option<MaybeText<'de>>,
    /// `crit`: a list, or (a string included) something else.
    pub(crate) crit: Option<TextOrList<'de>>,
    pub(crate) names: NameSet<'de>,
}

/// §4: a JSON object whose member names are unique (compared after
/// unescaping). The four parameters barejwt reads are kept; any other
/// member is skipped, within `serde_json`'s depth limit.
impl<'de> Deserialize<'de> for RawHeader<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawHeader<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object (RFC 7515 §4)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader<'de>, A::Error> {
                let mut h = RawHeader::default();
                while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
                    let slot = match &*name {
                        "alg" => Some(&mut h.alg),
                        "typ" => Some(&mut h.typ),
                        "kid" => Some(&mut h.kid),
                        "cty" => Some(&mut h.cty),
                        _ => None,
                    };
                    match slot {
                        Some(slot) => *slot = Some(map.next_value()?),
                        None if &*name == "crit" => h.crit = Some(map.next_value()?),
                        None => {
                            map.next_value::<Skip>()?;
                        }
                    }
                    if !h.names.insert(name.clone()) {
                        return Err(duplicate(&name));
                    }
                }
                Ok(h)
            }
        }
        d.deserialize_map(V)
    }
}

/// §5.2 step 3: "Verify that the resulting octet sequence is a UTF-8-encoded
/// representation of a completely valid JSON object".
pub(crate) fn parse_header(json: &[u8]) -> Result<RawHeader<'_>, Error> {
    serde_json::from_slice::<RawHeader>(json)
        .map_err(|e| Error::malformed(Part::Header, format!("not a valid JOSE header: {e}")))
}

impl RawHeader<'_> {
    /// Stage 2: a string `alg` (§4.1.1), a well-formed `crit` (§4.1.11).
    /// Returns the `alg` text.
    pub(crate) fn check_structure(&self) -> Result<&str, Error> {
        let bad = |why: String| Error::malformed(Part::Header, why);
        // §4.1.1: "This Header Parameter MUST be present".
        let alg = match &self.alg {
            None => {
                return Err(bad(
                    "missing \"alg\" (RFC 7515 §4.1.1: it MUST be present)".into()
                ));
            }
            Some(MaybeText::Other(t)) => {
                return Err(bad(format!("\"alg\" must be a string, found a JSON {t}")));
            }
            Some(MaybeText::Text(alg)) => alg,
        };
        // RFC 7515 §4.1.11: "Its value is an array listing the Header
        // Parameter names [...]. Producers MUST NOT use the empty list "[]"
        // [...] MUST NOT include Header Parameter names defined by this
        // specification [...]". And a name listed must be in the header.
        match &self.crit {
            None => {}
            Some(TextOrList::Text(_)) => {
                return Err(bad(
                    "\"crit\" must be an array, found a JSON string (RFC 7515 §4.1.11)".into(),
                ));
            }
            Some(TextOrList::Other(t)) => {
                return Err(bad(format!(
                    "\"crit\" must be an array, found a JSON {t} (RFC 7515 §4.1.11)"
                )));
            }
            Some(TextOrList::List(list)) if list.is_empty() => {
                return Err(bad("\"crit\" must not be empty (RFC 7515 §4.1.11)".into()));
            }
            Some(TextOrList::List(list)) => {
                for item in list {
                    let name = item.as_text().ok_or_else(|| {
                        bad(format!(
                            "\"crit\" entries must be strings, found {}",
                            item.describe()
                        ))
                    })?;
                    if REGISTERED_HEADER_PARAMETERS.contains(&name) {
                        return Err(bad(format!(
                            "\"crit\" lists {}, a parameter RFC 7515 registers (§4.1.11 forbids it)",
                            shown(name)
                        )));
                    }
                    if !self.names.contains(name) {
                        return Err(bad(format!(
                            "\"crit\" lists {}, which is not in the header (RFC 7515 §4.1.11)",
                            shown(name)
                        )));
                    }
                }
            }
        }
        Ok(alg)
    }

    /// Stage 3, §5.2 step 5 ("Verify that the implementation understands
    /// and can process all fields that it is required to support"): the
    /// algorithm is accepted, no unknown `crit`, the `typ`.
    pub(crate) fn check_header(&self, alg: &str, v: &Validation) -> Result<Algorithm, Error> {
        // §4.1.1 and RFC 8725 §3.1: the verifier's list decides, not the
        // header. `none` is not an `Algorithm`, so no list can contain it.
        let alg = match Algorithm::from_name(alg) {
            Some(a) if v.get_algorithms().contains(&a) => a,
            Some(alg) => {
                return Err(Error::Algorithm {
                    refused: Refused::NotAccepted { alg },
                });
            }
            None if alg == "none" => {
                return Err(Error::Algorithm {
                    refused: Refused::None,
                });
            }
            None => {
                return Err(Error::Algorithm {
                    refused: Refused::Unknown { name: shown(alg) },
                });
            }
        };
        // §4.1.11: "If any of the listed extension Header Parameters are
        // not understood and supported by the recipient, then the JWS is
        // invalid." We implement no extension.
        if let Some(TextOrList::List(list)) = &self.crit
            && let Some(first) = list.first()
        {
            return Err(Error::UnsupportedCritical {
                name: first.describe(),
            });
        }
        // §4.1.9: the verifier may require a `typ`.
        if let Some(expected) = v.get_typ() {
            match &self.typ {
                Some(MaybeText::Text(typ)) if typ_matches(typ, expected) => {}
                found => {
                    return Err(Error::InvalidType {
                        expected: expected.to_owned(),
                        found: found.as_ref().map(MaybeText::describe),
                    });
                }
            }
        }
        Ok(alg)
    }

    /// §4.1.4 `kid`, as the key lookup sees it.
    pub(crate) fn kid(&self) -> Kid<'_> {
        match &self.kid {
            None => Kid::Absent,
            Some(MaybeText::Text(k)) => Kid::Text(k),
            Some(MaybeText::Other(_)) => Kid::NotText,
        }
    }

    /// The owned [`Header`] of a token whose MAC has matched.
    pub(crate) fn into_header(self, alg: Algorithm) -> Header {
        let own = |v: Option<MaybeText<'_>>| match v {
            Some(MaybeText::Text(s)) => Some(s.into_owned()),
            _ => None,
        };
        Header {
            alg,
            typ: own(self.typ),
            kid: own(self.kid),
            cty: own(self.cty),
        }
    }
}

/// `typ` comparison, RFC 7515 §4.1.9: media types are case-insensitive,
/// and "recipients MUST treat it as if "application/" were prepended to
/// any "typ" value not containing a '/'".
pub(crate) fn typ_matches(found: &str, expected: &str) -> bool {
    fn full(t: &str) -> (bool, &str) {
        const APP: &str = "application/";
        match t.get(..APP.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(APP) => (true, &t[APP.len()..]),
            _ if !t.contains('/') => (true, t),
            _ => (false, t),
        }
    }
    let (a, b) = (full(found), full(expected));
    a.0 == b.0 && a.1.eq_ignore_ascii_case(b.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typ_is_compared_as_a_media_type() {
        assert!(typ_matches("JWT", "JWT"));
        assert!(typ_matches("jwt", "JWT"));
        assert!(typ_matches("application/JWT", "jwt"));
        assert!(!typ_matches("at+jwt", "JWT"));
        assert!(!typ_matches("text/jwt", "JWT"));
    }

    #[test]
    fn a_header_with_a_duplicate_name_does_not_parse() {
        assert!(parse_header(br#"{"alg":"HS256","alg":"HS256"}"#).is_err());
        assert!(parse_header(br#"{"alg":"HS256","\u0061lg":"HS256"}"#).is_err());
        assert!(parse_header(br#"{"alg":"HS256","x":1}"#).is_ok());
    }
}
