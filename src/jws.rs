//! JWS Compact Serialization ([RFC 7515 §3.1, §7.1]): split, strict decode,
//! the JOSE header, signing ([§5.1]) and verification ([§5.2]).
//!
//! > BASE64URL(UTF8(JWS Protected Header)) || '.' ||
//! > BASE64URL(JWS Payload) || '.' ||
//! > BASE64URL(JWS Signature)
//! > — [RFC 7515 §7.1]
//!
//! The MAC covers the *signing input*, `ASCII(BASE64URL(header) || '.' ||
//! BASE64URL(payload))` ([RFC 7515 §5.1] step 7): the first two segments
//! exactly as they travel, not the decoded JSON. So the verifier MACs the
//! received bytes up to the second dot, and never re-encodes anything.
//!
//! # Verification, stage by stage
//!
//! [`verify`] runs the first five stages of the error table in
//! [`crate::error`]: size, structure (three segments of strict base64url,
//! a header that is a JSON object with unique names and a string `alg`, a
//! well-formed `crit`), header (the verifier's accepted algorithms, `crit`,
//! `typ`), key, signature. The payload is decoded but not parsed here: a
//! JWS payload may be any bytes (RFC 7520 §4.4 signs a line of prose), and
//! a JWT's claims are parsed only after the MAC has matched.
//!
//! Nearly every token carries one of a few headers, byte for byte
//! (`{"alg":"HS256","typ":"JWT"}` and the like): for those the parse is
//! known in advance (`KNOWN_HEADERS`), so the verifier skips decoding and
//! parsing them, and applies the same rules to the known result.
//!
//! # Left out on purpose
//!
//! The JSON serializations (RFC 7515 §7.2), unencoded payloads (`b64`,
//! RFC 7797, refused as an unsupported `crit` extension), JWE (RFC 7516:
//! five segments are malformed) and every asymmetric algorithm.
//!
//! [RFC 7515 §3.1, §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1
//! [RFC 7515 §7.1]: https://www.rfc-editor.org/rfc/rfc7515#section-7.1
//! [§5.1]: https://www.rfc-editor.org/rfc/rfc7515#section-5.1
//! [RFC 7515 §5.1]: https://www.rfc-editor.org/rfc/rfc7515#section-5.1
//! [§5.2]: https://www.rfc-editor.org/rfc/rfc7515#section-5.2

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use crate::base64url::{self, DecodeError};
use crate::error::{Error, Part, Refused, shown};
use crate::hmac::{Algorithm, MAX_OUTPUT};
use crate::json::{MaybeText, NameSet, Skip, Text, TextOrList, duplicate};
use crate::key::{HmacKey, KeySource, Kid};
use crate::validation::Validation;

/// The Header Parameter names RFC 7515 §4.1 registers. `crit` may not list
/// them (§4.1.11: "Producers MUST NOT include Header Parameter names
/// defined by this specification [...]").
pub const REGISTERED_HEADER_PARAMETERS: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// The header decoded into a stack buffer up to this size; larger ones
/// (rare, and bounded by the token size limit) go to the heap.
const HEADER_STACK: usize = 256;

/// The payload decoded into a stack buffer up to this size (a typical
/// claims set is a few hundred bytes), so that only a token whose MAC has
/// matched costs an allocation; larger ones are decoded to the heap.
const PAYLOAD_STACK: usize = 512;

/// The JOSE header of a verified token, or of one to be signed.
///
/// # Security
///
/// Read from a token, these values come from its sender. They are
/// trustworthy only in a [`crate::Verified`] or [`Jws`] result, whose MAC
/// has been checked; [`inspect`] returns them unverified.
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

/// The three segments of a compact serialization, still encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compact<'t> {
    /// BASE64URL(UTF8(JWS Protected Header)).
    pub header: &'t [u8],
    /// BASE64URL(JWS Payload).
    pub payload: &'t [u8],
    /// BASE64URL(JWS Signature).
    pub signature: &'t [u8],
    /// `header '.' payload`: the bytes the MAC covers (RFC 7515 §5.1 step 7).
    pub signing_input: &'t [u8],
}

/// Splits a token at its dots: exactly three segments, else
/// [`Error::Malformed`] (RFC 7515 §7.1; five segments would be a JWE,
/// RFC 7516 §7.1, which barejwt does not implement). Decodes nothing.
pub fn split(token: &[u8]) -> Result<Compact<'_>, Error> {
    // The next dot at or after `from`.
    let dot = |from: usize| memchr::memchr(b'.', &token[from..]).map(|i| from + i);
    let first = dot(0);
    let second = first.and_then(|first| dot(first + 1));
    let third = second.and_then(|second| dot(second + 1));
    match (first, second, third) {
        (Some(first), Some(second), None) => Ok(Compact {
            header: &token[..first],
            payload: &token[first + 1..second],
            signature: &token[second + 1..],
            signing_input: &token[..second],
        }),
        _ => {
            let segments = token.iter().filter(|&&b| b == b'.').count() + 1;
            let hint = if segments == 5 {
                " (five segments is a JWE, RFC 7516, which barejwt does not implement)"
            } else {
                ""
            };
            Err(Error::malformed(
                Part::Token,
                format!(
                    "expected 3 dot-separated segments (RFC 7515 §7.1), found {segments}{hint}"
                ),
            ))
        }
    }
}

fn b64_error(part: Part, e: DecodeError) -> Error {
    Error::malformed(
        part,
        format!("not strict base64url: {e} of the {part} segment"),
    )
}

/// The header as parsed, before the stage 2 and 3 rules are applied.
#[derive(Default)]
struct RawHeader<'de> {
    alg: Option<MaybeText<'de>>,
    typ: Option<MaybeText<'de>>,
    kid: Option<MaybeText<'de>>,
    cty: Option<MaybeText<'de>>,
    /// `crit`: a list, or (a string included) something else.
    crit: Option<TextOrList<'de>>,
    names: NameSet<'de>,
}

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

impl RawHeader<'_> {
    /// Stage 2: a string `alg`, a well-formed `crit`. Returns the `alg` text.
    fn check_structure(&self) -> Result<&str, Error> {
        let bad = |why: String| Error::malformed(Part::Header, why);
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

    /// Stage 3: the algorithm is accepted, no unknown `crit`, the `typ`.
    fn check_header(&self, alg: &str, v: &Validation) -> Result<Algorithm, Error> {
        // RFC 8725 §3.1: the verifier's list decides, not the header.
        // `none` is not an `Algorithm`, so no list can contain it.
        let alg = match Algorithm::from_name(alg) {
            Some(a) if v.algorithms.contains(&a) => a,
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
        // RFC 7515 §4.1.11: "If any of the listed extension Header
        // Parameters are not understood and supported by the recipient,
        // then the JWS is invalid." We implement no extension.
        if let Some(TextOrList::List(list)) = &self.crit
            && let Some(first) = list.first()
        {
            return Err(Error::UnsupportedCritical {
                name: first.describe(),
            });
        }
        if let Some(expected) = &v.typ {
            match &self.typ {
                Some(MaybeText::Text(typ)) if typ_matches(typ, expected) => {}
                found => {
                    return Err(Error::InvalidType {
                        expected: expected.clone(),
                        found: found.as_ref().map(MaybeText::describe),
                    });
                }
            }
        }
        Ok(alg)
    }

    fn kid(&self) -> Kid<'_> {
        match &self.kid {
            None => Kid::Absent,
            Some(MaybeText::Text(k)) => Kid::Text(k),
            Some(MaybeText::Other(_)) => Kid::NotText,
        }
    }

    fn into_header(self, alg: Algorithm) -> Header {
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
pub fn typ_matches(found: &str, expected: &str) -> bool {
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

fn parse_header(json: &[u8]) -> Result<RawHeader<'_>, Error> {
    serde_json::from_slice::<RawHeader>(json)
        .map_err(|e| Error::malformed(Part::Header, format!("not a valid JOSE header: {e}")))
}

/// The headers nearly every HMAC JWT carries, and what parsing them gives.
///
/// A header segment that is byte for byte one of these needs neither
/// base64url decoding nor JSON parsing: its [`RawHeader`] is known in
/// advance. Everything after the parse (the accepted algorithms, `typ`, the
/// key) is still checked as for any header. Any other spelling (another
/// member order, white space, a `kid`) takes the general path.
struct KnownHeader {
    /// The header's JSON.
    json: String,
    /// BASE64URL(UTF8(header)), as it travels.
    encoded: String,
    alg: &'static str,
    typ: Option<&'static str>,
}

/// barejwt's and jwt-simple's `{"alg","typ"}`, jsonwebtoken's
/// `{"typ","alg"}`, and the bare `{"alg"}`, for each algorithm.
static KNOWN_HEADERS: LazyLock<Vec<KnownHeader>> = LazyLock::new(|| {
    let mut known = Vec::new();
    for alg in Algorithm::ALL {
        let name = alg.name();
        for (json, typ) in [
            (format!(r#"{{"alg":"{name}","typ":"JWT"}}"#), Some("JWT")),
            (format!(r#"{{"typ":"JWT","alg":"{name}"}}"#), Some("JWT")),
            (format!(r#"{{"alg":"{name}"}}"#), None),
        ] {
            known.push(KnownHeader {
                encoded: base64url::encode(json.as_bytes()),
                json,
                alg: name,
                typ,
            });
        }
    }
    known
});

/// The parse of `encoded` if it is one of [`KNOWN_HEADERS`].
fn known_header<'de>(encoded: &[u8]) -> Option<RawHeader<'de>> {
    let known = KNOWN_HEADERS
        .iter()
        .find(|k| k.encoded.as_bytes() == encoded)?;
    Some(RawHeader {
        alg: Some(MaybeText::Text(Cow::Borrowed(known.alg))),
        typ: known.typ.map(|t| MaybeText::Text(Cow::Borrowed(t))),
        ..RawHeader::default()
    })
}

/// The encoded form of `header` when it is one of [`KNOWN_HEADERS`] as
/// [`Header`]'s `Serialize` writes it (`alg` first): the signer then has
/// nothing to serialize or encode.
pub(crate) fn known_encoded_header(header: &Header) -> Option<&'static str> {
    if header.kid.is_some() || header.cty.is_some() {
        return None;
    }
    known_encoded(header.alg, header.typ.as_deref())
}

/// The encoded header `{"alg": alg, "typ": typ}` (no `typ` if `None`), as
/// [`Header`]'s `Serialize` writes it, if it is one of [`KNOWN_HEADERS`].
pub(crate) fn known_encoded(alg: Algorithm, typ: Option<&str>) -> Option<&'static str> {
    let known = KNOWN_HEADERS
        .iter()
        .find(|k| k.alg == alg.name() && k.typ == typ && k.json.starts_with(r#"{"alg""#))?;
    Some(&known.encoded)
}

/// A verified JWS: its header, and its payload as bytes.
#[derive(Debug, Clone)]
pub struct Jws {
    /// The verified header.
    pub header: Header,
    /// The payload, base64url-decoded, not parsed.
    pub payload: Vec<u8>,
}

/// Verifies a compact JWS: stages 1 to 5 (size, structure, header, key,
/// signature), following [RFC 7515 §5.2]. The payload is returned
/// unparsed; [`crate::decode`] parses it as a JWT claims set.
///
/// [RFC 7515 §5.2]: https://www.rfc-editor.org/rfc/rfc7515#section-5.2
pub fn verify<K: KeySource + ?Sized>(token: &[u8], keys: &K, v: &Validation) -> Result<Jws, Error> {
    // Stage 1: size, before looking at a single byte.
    if token.len() > v.max_token_bytes {
        return Err(Error::TooLarge {
            len: token.len(),
            max: v.max_token_bytes,
        });
    }

    // Stage 2: structure. §5.2 steps 1-4: split, decode each segment
    // strictly, parse the header as a JSON object with unique names.
    let parts = split(token)?;
    let mut stack = [0u8; HEADER_STACK];
    let heap;
    let known = known_header(parts.header);
    let header_json: &[u8] = match base64url::decoded_len(parts.header.len()) {
        _ if known.is_some() => &[],
        Some(n) if n <= HEADER_STACK => {
            let n = base64url::decode_to_slice(parts.header, &mut stack)
                .map_err(|e| b64_error(Part::Header, e))?;
            &stack[..n]
        }
        _ => {
            heap = base64url::decode(parts.header).map_err(|e| b64_error(Part::Header, e))?;
            &heap
        }
    };
    // The payload is decoded now (stage 2), but onto the stack when it is
    // small, and copied to the heap only once the MAC has matched: a forged
    // token costs no allocation.
    let mut payload_stack = [0u8; PAYLOAD_STACK];
    let (payload_heap, payload_stack_len) = match base64url::decoded_len(parts.payload.len()) {
        Some(n) if n <= PAYLOAD_STACK => {
            let n = base64url::decode_to_slice(parts.payload, &mut payload_stack)
                .map_err(|e| b64_error(Part::Payload, e))?;
            (None, n)
        }
        _ => {
            let heap = base64url::decode(parts.payload).map_err(|e| b64_error(Part::Payload, e))?;
            (Some(heap), 0)
        }
    };
    let mut sig = [0u8; MAX_OUTPUT];
    let sig_len = match base64url::decoded_len(parts.signature.len()) {
        Some(n) if n <= MAX_OUTPUT => base64url::decode_to_slice(parts.signature, &mut sig)
            .map_err(|e| b64_error(Part::Signature, e))?,
        _ => {
            // Too long for any of our tags: check it is strict base64url
            // (stage 2), and it will fail the length check at stage 5.
            base64url::validate(parts.signature).map_err(|e| b64_error(Part::Signature, e))?;
            usize::MAX
        }
    };
    let raw = match known {
        Some(raw) => raw,
        None => parse_header(header_json)?,
    };
    let alg = raw.check_structure()?;

    // Stage 3: the header against the verifier's own rules.
    let alg = raw.check_header(alg, v)?;

    // Stage 4: the key, chosen by `kid` where the source is a set.
    let key: &HmacKey = keys.key_for(alg, raw.kid())?;
    if !v.allow_weak_keys {
        key.check_strength()?;
    }

    // Stage 5: the MAC over the signing input as received (§5.2 step 8).
    // The tag length is public (fixed by alg), so it is checked first.
    if sig_len != alg.output_len() || !key.verify(parts.signing_input, &sig[..sig_len]) {
        return Err(Error::BadSignature);
    }

    Ok(Jws {
        header: raw.into_header(alg),
        payload: payload_heap.unwrap_or_else(|| payload_stack[..payload_stack_len].to_vec()),
    })
}

/// Signs exact header and payload bytes: `header_json` is used byte for
/// byte (RFC 7515 A.1's header has a CR LF in it), after checking that it
/// is a well-formed header whose `alg` is the key's. The payload may be any
/// bytes.
///
/// # Examples
/// ```
/// use barejwt::{jws, Algorithm, HmacKey};
/// let key = HmacKey::new(Algorithm::HS256, &[7; 32]).unwrap();
/// let token = jws::sign(br#"{"alg":"HS256"}"#, b"hello", &key).unwrap();
/// assert!(token.starts_with("eyJhbGciOiJIUzI1NiJ9.aGVsbG8."));
/// ```
pub fn sign(header_json: &[u8], payload: &[u8], key: &HmacKey) -> Result<String, Error> {
    check_header_for_signing(header_json, key)?;
    let mut out = String::with_capacity(
        base64url::encoded_len(header_json.len()) + base64url::encoded_len(payload.len()) + 90,
    );
    base64url::encode_into(header_json, &mut out);
    out.push('.');
    base64url::encode_into(payload, &mut out);
    append_signature(out, key)
}

/// Signs already-encoded segments (they must be strict base64url).
pub fn sign_encoded(header_b64: &str, payload_b64: &str, key: &HmacKey) -> Result<String, Error> {
    let header =
        base64url::decode(header_b64.as_bytes()).map_err(|e| b64_error(Part::Header, e))?;
    base64url::validate(payload_b64.as_bytes()).map_err(|e| b64_error(Part::Payload, e))?;
    check_header_for_signing(&header, key)?;
    let mut out = String::with_capacity(header_b64.len() + payload_b64.len() + 90);
    out.push_str(header_b64);
    out.push('.');
    out.push_str(payload_b64);
    append_signature(out, key)
}

fn check_header_for_signing(header_json: &[u8], key: &HmacKey) -> Result<(), Error> {
    let raw = parse_header(header_json)?;
    let alg = raw.check_structure()?;
    if alg != key.algorithm().name() {
        return Err(Error::Algorithm {
            refused: Refused::NotTheKeys {
                header: shown(alg),
                key: key.algorithm(),
            },
        });
    }
    Ok(())
}

/// RFC 7515 §5.1 steps 5-8: MAC the signing input (everything in `out` so
/// far), then append '.' and the encoded tag.
pub(crate) fn append_signature(mut out: String, key: &HmacKey) -> Result<String, Error> {
    let tag = key.sign_parts(&[out.as_bytes()]);
    out.push('.');
    base64url::encode_into(tag.as_bytes(), &mut out);
    Ok(out)
}

/// An unverified look inside a token, for `barejwt decode` and debugging.
#[derive(Debug, Clone)]
pub struct Inspected {
    /// The header as JSON (unverified!).
    pub header: serde_json::Value,
    /// The payload bytes (unverified!).
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// Decodes a token **without verifying it**: stage 2 only (three strict
/// base64url segments, a header that is a JSON object with unique names).
///
/// # Security
///
/// Nothing returned here may be trusted: anyone can write any header and
/// payload. Use it to look, never to decide.
pub fn inspect(token: &[u8]) -> Result<Inspected, Error> {
    let parts = split(token)?;
    let header = base64url::decode(parts.header).map_err(|e| b64_error(Part::Header, e))?;
    let payload = base64url::decode(parts.payload).map_err(|e| b64_error(Part::Payload, e))?;
    let signature =
        base64url::decode(parts.signature).map_err(|e| b64_error(Part::Signature, e))?;
    parse_header(&header)?;
    let header = serde_json::from_slice(&header)
        .map_err(|e| Error::malformed(Part::Header, format!("not a valid JOSE header: {e}")))?;
    Ok(Inspected {
        header,
        payload,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> HmacKey {
        HmacKey::new(Algorithm::HS256, &[0x11; 32]).unwrap()
    }

    fn token(header: &str, payload: &str) -> String {
        let mut t = base64url::encode(header.as_bytes());
        t.push('.');
        t.push_str(&base64url::encode(payload.as_bytes()));
        append_signature(t, &key()).unwrap()
    }

    fn code(token: &str) -> &'static str {
        match verify(token.as_bytes(), &key(), &Validation::default()) {
            Ok(_) => "valid",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn a_well_signed_token_verifies() {
        let jws = verify(
            token(r#"{"alg":"HS256"}"#, "hi").as_bytes(),
            &key(),
            &Validation::default(),
        )
        .unwrap();
        assert_eq!(jws.payload, b"hi");
        assert_eq!(
            jws.header,
            Header {
                alg: Algorithm::HS256,
                typ: None,
                kid: None,
                cty: None
            }
        );
    }

    #[test]
    fn a_known_header_gives_what_parsing_it_gives() {
        assert_eq!(KNOWN_HEADERS.len(), 9);
        for k in KNOWN_HEADERS.iter() {
            let json = base64url::decode(k.encoded.as_bytes()).unwrap();
            let parsed = parse_header(&json).unwrap();
            let known = known_header(k.encoded.as_bytes()).unwrap();
            assert_eq!(parsed.alg, known.alg);
            assert_eq!(parsed.typ, known.typ);
            assert_eq!((parsed.kid, known.kid), (None, None));
            assert_eq!((parsed.cty, known.cty), (None, None));
            assert!(parsed.crit.is_none() && known.crit.is_none());
        }
        // Another spelling of the same header is parsed, not looked up.
        assert!(known_header(base64url::encode(br#"{"alg":"HS256" }"#).as_bytes()).is_none());
    }

    #[test]
    fn a_known_encoded_header_is_what_serializing_it_gives() {
        for alg in Algorithm::ALL {
            for typ in [None, Some("JWT")] {
                let h = Header {
                    typ: typ.map(str::to_owned),
                    ..Header::new(alg)
                };
                let serialized = base64url::encode(&serde_json::to_vec(&h).unwrap());
                assert_eq!(known_encoded_header(&h), Some(serialized.as_str()));
            }
        }
        let other = |h: Header| known_encoded_header(&h);
        let base = || Header::new(Algorithm::HS256);
        assert_eq!(
            other(Header {
                typ: Some("at+jwt".into()),
                ..base()
            }),
            None
        );
        assert_eq!(
            other(Header {
                kid: Some("k".into()),
                ..base()
            }),
            None
        );
        assert_eq!(
            other(Header {
                cty: Some("JWT".into()),
                ..base()
            }),
            None
        );
    }

    #[test]
    fn payloads_on_either_side_of_the_stack_buffer_verify_whole() {
        for n in [
            0,
            1,
            PAYLOAD_STACK - 1,
            PAYLOAD_STACK,
            PAYLOAD_STACK + 1,
            3000,
        ] {
            let payload: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
            let t = sign(br#"{"alg":"HS256"}"#, &payload, &key()).unwrap();
            let jws = verify(t.as_bytes(), &key(), &Validation::default()).unwrap();
            assert_eq!(jws.payload, payload, "{n}");
        }
    }

    #[test]
    fn segment_counts_other_than_three_are_malformed() {
        for t in ["", "a", "a.b", "a.b.c.d", "a.b.c.d.e"] {
            assert_eq!(split(t.as_bytes()).unwrap_err().code(), "malformed", "{t}");
        }
        assert!(split(b"a.b.c.d.e").unwrap_err().to_string().contains("JWE"));
    }

    #[test]
    fn duplicate_header_names_are_refused_after_unescaping() {
        assert_eq!(
            code(&token(r#"{"alg":"HS256","alg":"HS256"}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","\u0061lg":"HS256"}"#, "x")),
            "malformed"
        );
    }

    #[test]
    fn alg_must_be_a_string() {
        assert_eq!(code(&token(r#"{"typ":"JWT"}"#, "x")), "malformed");
        assert_eq!(code(&token(r#"{"alg":256}"#, "x")), "malformed");
    }

    #[test]
    fn none_is_never_accepted() {
        let t = format!(
            "{}.{}.",
            base64url::encode(br#"{"alg":"none"}"#),
            base64url::encode(b"{}")
        );
        assert_eq!(code(&t), "algorithm");
        assert_eq!(code(&token(r#"{"alg":"hs256"}"#, "x")), "algorithm");
    }

    #[test]
    fn crit_rules() {
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":"x"}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":[]}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":[1]}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["alg"]}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["exp"]}"#, "x")),
            "malformed"
        );
        assert_eq!(
            code(&token(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, "x")),
            "unsupported_critical"
        );
    }

    #[test]
    fn typ_is_compared_as_a_media_type() {
        assert!(typ_matches("JWT", "JWT"));
        assert!(typ_matches("jwt", "JWT"));
        assert!(typ_matches("application/JWT", "jwt"));
        assert!(!typ_matches("at+jwt", "JWT"));
        assert!(!typ_matches("text/jwt", "JWT"));
    }

    #[test]
    fn a_wrong_or_truncated_signature_is_bad_signature() {
        let good = token(r#"{"alg":"HS256"}"#, "x");
        let cut = &good[..good.len() - 4];
        assert_eq!(code(cut), "bad_signature");
        let mut flipped = good.clone().into_bytes();
        let i = good.len() - 5;
        flipped[i] = if flipped[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            code(std::str::from_utf8(&flipped).unwrap()),
            "bad_signature"
        );
    }

    #[test]
    fn the_size_limit_comes_first() {
        let v = Validation::default().max_token_bytes(10);
        assert_eq!(
            verify(b"not even a token", &key(), &v).unwrap_err().code(),
            "too_large"
        );
    }

    #[test]
    fn deep_json_in_the_header_is_an_error_not_a_crash() {
        let deep = format!(
            r#"{{"alg":"HS256","x":{}{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let v = Validation::default().max_token_bytes(1 << 20);
        let e = verify(token(&deep, "x").as_bytes(), &key(), &v).unwrap_err();
        assert_eq!(e.code(), "malformed");
    }

    #[test]
    fn sign_checks_the_header_alg_against_the_key() {
        assert_eq!(
            sign(br#"{"alg":"HS512"}"#, b"x", &key())
                .unwrap_err()
                .code(),
            "algorithm"
        );
        assert_eq!(
            sign(br#"[]"#, b"x", &key()).unwrap_err().code(),
            "malformed"
        );
    }
}
