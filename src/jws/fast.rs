//! How the verifier and signer skip work without changing an answer: the
//! headers nearly every token carries, known in advance, and the choice of
//! stack or heap for each decoded segment.
//!
//! Nothing here is a rule of RFC 7515; the rules are in [`super::header`]
//! and the walk in [`super`]. Each shortcut is checked against the long way
//! in this file's tests: a known header gives what parsing it gives, a
//! segment on the stack holds what the heap would.
//!
//! # Known headers
//!
//! Nearly every HMAC JWT carries one of a few headers, byte for byte
//! (`{"alg":"HS256","typ":"JWT"}` and the like). For those the parse is
//! known in advance (`KNOWN_HEADERS`): the verifier neither decodes nor
//! parses them, and applies the same rules to the known result; the signer
//! writes them already encoded. Any other spelling (another member order,
//! white space, a `kid`) takes the general path.
//!
//! # Stack or heap
//!
//! A segment decodes onto the stack when it fits ([`HEADER_STACK`],
//! [`PAYLOAD_STACK`] bytes), else to the heap; the signature always fits
//! ([`MAX_OUTPUT`]) or is too long for any tag. The payload is decoded only
//! once its MAC has matched (see [`super`], "The order of the steps"): a
//! forged token never decodes it, and costs no allocation for it whatever
//! its size.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::header::{Header, RawHeader};
use crate::base64url::{self, DecodeError};
use crate::error::{Error, Part};
use crate::hmac::{Algorithm, MAX_OUTPUT};
use crate::json::MaybeText;

/// The header decoded into a stack buffer up to this size; larger ones
/// (rare, and bounded by the token size limit) go to the heap.
pub(crate) const HEADER_STACK: usize = 256;

/// The payload, once its MAC has matched, decoded into a stack buffer up
/// to this size (a typical claims set is a few hundred bytes), so that the
/// claims are read where they were decoded; larger ones are decoded to the
/// heap.
pub(crate) const PAYLOAD_STACK: usize = 512;

/// One known header and what parsing it gives.
pub(crate) struct KnownHeader {
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

/// The header segment `encoded`, if it is one of `KNOWN_HEADERS` byte
/// for byte.
pub(crate) fn known_header(encoded: &[u8]) -> Option<&'static KnownHeader> {
    KNOWN_HEADERS
        .iter()
        .find(|k| k.encoded.as_bytes() == encoded)
}

impl KnownHeader {
    /// What parsing this header gives. (Made where it is used, rather than
    /// returned by [`known_header`]: a `RawHeader` is a few hundred bytes,
    /// and moving it showed in the profile.)
    pub(crate) fn parsed<'de>(&self) -> RawHeader<'de> {
        RawHeader {
            alg: Some(MaybeText::Text(Cow::Borrowed(self.alg))),
            typ: self.typ.map(|t| MaybeText::Text(Cow::Borrowed(t))),
            ..RawHeader::default()
        }
    }
}

/// The encoded form of `header` when it is one of `KNOWN_HEADERS` as
/// [`Header`]'s `Serialize` writes it (`alg` first): the signer then has
/// nothing to serialize or encode.
pub(crate) fn known_encoded_header(header: &Header) -> Option<&'static str> {
    if header.kid.is_some() || header.cty.is_some() {
        return None;
    }
    known_encoded(header.alg, header.typ.as_deref())
}

/// The encoded header `{"alg": alg, "typ": typ}` (no `typ` if `None`), as
/// [`Header`]'s `Serialize` writes it, if it is one of `KNOWN_HEADERS`.
pub(crate) fn known_encoded(alg: Algorithm, typ: Option<&str>) -> Option<&'static str> {
    let known = KNOWN_HEADERS
        .iter()
        .find(|k| k.alg == alg.name() && k.typ == typ && k.json.starts_with(r#"{"alg""#))?;
    Some(&known.encoded)
}

/// A `malformed` error for a segment that is not strict base64url.
pub(crate) fn b64_error(part: Part, e: DecodeError) -> Error {
    Error::malformed(
        part,
        format!("not strict base64url: {e} of the {part} segment"),
    )
}

/// Decodes `encoded` strictly (RFC 4648 §5, no padding) into `stack`, a
/// buffer the caller made on its own stack, when it fits; to the heap
/// otherwise. A decode error names `part`.
///
/// The caller owns the buffer and this borrows it, so the decoded bytes
/// are never moved or copied on their way to the parser: a buffer built
/// here and returned by value would be (a `memcpy` of the whole buffer
/// showed in the profile).
pub(crate) fn decode_segment<'b>(
    encoded: &[u8],
    stack: &'b mut [u8],
    part: Part,
) -> Result<Cow<'b, [u8]>, Error> {
    match base64url::decoded_len(encoded.len()) {
        Some(n) if n <= stack.len() => {
            let n = base64url::decode_to_slice(encoded, stack).map_err(|e| b64_error(part, e))?;
            Ok(Cow::Borrowed(&stack[..n]))
        }
        _ => base64url::decode(encoded)
            .map(Cow::Owned)
            .map_err(|e| b64_error(part, e)),
    }
}

/// Decodes the signature segment into `out`. `Ok(None)` when it is strict
/// base64url but longer than any tag: that is for stage 5 to refuse (a
/// wrong length is a bad signature), not stage 2.
pub(crate) fn decode_signature<'o>(
    encoded: &[u8],
    out: &'o mut [u8; MAX_OUTPUT],
) -> Result<Option<&'o [u8]>, Error> {
    match base64url::decoded_len(encoded.len()) {
        Some(n) if n <= MAX_OUTPUT => {
            let n = base64url::decode_to_slice(encoded, out)
                .map_err(|e| b64_error(Part::Signature, e))?;
            Ok(Some(&out[..n]))
        }
        _ => {
            base64url::validate(encoded).map_err(|e| b64_error(Part::Signature, e))?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::parse_header;
    use super::*;

    #[test]
    fn a_known_header_gives_what_parsing_it_gives() {
        assert_eq!(KNOWN_HEADERS.len(), 9);
        for k in KNOWN_HEADERS.iter() {
            let json = base64url::decode(k.encoded.as_bytes()).unwrap();
            let parsed = parse_header(&json).unwrap();
            let known = known_header(k.encoded.as_bytes()).unwrap().parsed();
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
    fn a_segment_holds_the_same_bytes_on_the_stack_and_on_the_heap() {
        for n in [0, 1, 2, 3, 7, 8, 9, 100] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 1) as u8).collect();
            let encoded = base64url::encode(&bytes);
            let (mut small, mut large) = ([0; 8], [0; 128]);
            let on_small = decode_segment(encoded.as_bytes(), &mut small, Part::Payload).unwrap();
            let on_large = decode_segment(encoded.as_bytes(), &mut large, Part::Payload).unwrap();
            assert_eq!(*on_small, bytes, "{n}");
            assert_eq!(*on_large, bytes, "{n}");
            // On the stack exactly when the bytes fit.
            assert_eq!(matches!(on_small, Cow::Borrowed(_)), n <= 8, "{n}");
            assert!(matches!(on_large, Cow::Borrowed(_)), "{n}");
        }
        let e = decode_segment(b"AA=", &mut [0; 8], Part::Header).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Malformed {
                    part: Part::Header,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn a_signature_longer_than_any_tag_is_checked_but_not_kept() {
        let mut out = [0; MAX_OUTPUT];
        let long = base64url::encode(&[1; MAX_OUTPUT + 1]);
        assert_eq!(decode_signature(long.as_bytes(), &mut out), Ok(None));
        let bad = format!("{long}*");
        assert!(decode_signature(bad.as_bytes(), &mut out).is_err());
        let tag = base64url::encode(&[2; 32]);
        assert_eq!(
            decode_signature(tag.as_bytes(), &mut out).unwrap(),
            Some(&[2; 32][..])
        );
    }
}
