//! JWS Compact Serialization ([RFC 7515 §3.1, §7.1]): split, strict decode,
//! signing ([§5.1]) and verification ([§5.2]), step by step.
//!
//! > BASE64URL(UTF8(JWS Protected Header)) || '.' ||
//! > BASE64URL(JWS Payload) || '.' ||
//! > BASE64URL(JWS Signature)
//! > — [RFC 7515 §7.1]
//!
//! The MAC covers the *JWS Signing Input*, `ASCII(BASE64URL(UTF8(JWS
//! Protected Header)) || '.' || BASE64URL(JWS Payload))` ([RFC 7515 §5.1]
//! step 5): the first two segments exactly as they travel, not the decoded
//! JSON. So the verifier MACs the received bytes up to the second dot, and
//! never re-encodes anything.
//!
//! # Reading order
//!
//! | file | what |
//! | --- | --- |
//! | `jws/mod.rs` (this one) | [`split`], then [`verify`] as the steps of §5.2 and [`sign`] as those of §5.1 |
//! | `jws/header.rs` | the JOSE header (§4): [`Header`], its parser, the `alg`, `kid`, `typ` and `crit` rules |
//! | `jws/fast.rs` | the shortcuts that change no answer: known headers, stack or heap buffers |
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
//! # The order of the steps
//!
//! > When validating a JWS, the following steps are performed. The order
//! > of the steps is not significant in cases where there are no
//! > dependencies between the inputs and outputs of the steps. If any of
//! > the listed steps fails, then the signature or MAC cannot be validated.
//! > — [RFC 7515 §5.2]
//!
//! No step before the MAC needs the decoded payload: step 8 MACs the
//! payload segment as received. So [`verify`] decodes the payload (step 6)
//! last, once the MAC has matched, and a forged token — the attacker's
//! cheapest try — costs the MAC and the signature's decoding, never the
//! payload's: its payload is never decoded, onto the stack or the heap,
//! whatever its size.
//!
//! The *answer* keeps the error table's order all the same: a payload
//! segment that is not strict base64url is `malformed` (stage 2) even when
//! the header, the key or the MAC is wrong too (stages 3 to 5). So when a
//! step after the header's decoding fails, the payload segment is first
//! *validated* (`base64url::validate`: the same checks as decoding, in the
//! same order, writing nothing), and its error, if it has one, is the one
//! reported — exactly the error that decoding it up front gave. A payload
//! that validates decodes without error, so decoding it after the MAC
//! cannot change an answer either. One thing is visible to a caller: the
//! [`KeySource`] is asked for a key even when the payload segment turns
//! out to be malformed.
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
//! [RFC 7515 §5.2]: https://www.rfc-editor.org/rfc/rfc7515#section-5.2

mod fast;
mod header;

pub(crate) use fast::{known_encoded, known_encoded_header};
pub use header::{Header, REGISTERED_HEADER_PARAMETERS};

use std::borrow::Cow;

use crate::base64url;
use crate::error::{Error, Part, Refused, shown};
use crate::hmac::{Algorithm, MAX_OUTPUT};
use crate::key::{HmacKey, KeySource};
use crate::validation::Validation;
use fast::{
    HEADER_STACK, PAYLOAD_STACK, b64_error, decode_segment, decode_signature, known_header,
};
use header::parse_header;

/// The three segments of a compact serialization, still encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compact<'t> {
    /// BASE64URL(UTF8(JWS Protected Header)).
    pub header: &'t [u8],
    /// BASE64URL(JWS Payload).
    pub payload: &'t [u8],
    /// BASE64URL(JWS Signature).
    pub signature: &'t [u8],
    /// `header '.' payload`: the bytes the MAC covers (RFC 7515 §5.1 step 5).
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
/// The answer follows the order of the error table (every structural error
/// before any rule of this verifier's): a token is `malformed` before it is
/// anything else, so §5.2's step 7 (decode the signature) comes before
/// step 5 (understand the header). The payload is decoded (step 6) only
/// once the MAC has matched; before that it is only validated, when
/// another step has failed (the module docs, "The order of the steps",
/// say why that changes no answer).
///
/// [RFC 7515 §5.2]: https://www.rfc-editor.org/rfc/rfc7515#section-5.2
pub fn verify<K: KeySource + ?Sized>(token: &[u8], keys: &K, v: &Validation) -> Result<Jws, Error> {
    let (header, payload) = verify_then(token, keys, v, |payload| Ok(payload.to_vec()))?;
    Ok(Jws { header, payload })
}

/// [`verify`], handing the decoded payload to `read` where it lies (on the
/// stack, for a payload of usual size) once the MAC has matched: so
/// [`crate::decode`] parses the claims without copying them to the heap.
/// The header is made (its strings allocated) only once `read` has
/// accepted the payload: a rejected claims set allocates nothing here.
pub(crate) fn verify_then<K, R>(
    token: &[u8],
    keys: &K,
    v: &Validation,
    read: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<(Header, R), Error>
where
    K: KeySource + ?Sized,
{
    // Stage 1: size, a limit of barejwt's, before looking at a single byte.
    let max = v.get_max_token_bytes();
    if token.len() > max {
        return Err(Error::TooLarge {
            len: token.len(),
            max,
        });
    }

    // Stage 2: structure.
    // Step 1: "Parse the JWS representation to extract the serialized
    // values for the components of the JWS": the three segments.
    let parts = split(token)?;
    // Step 2: "Base64url-decode the encoded representation of the JWS
    // Protected Header" (strictly: no line breaks, white space or other
    // characters) — unless it is a header known byte for byte, for which
    // no buffer is made (zeroing one showed in the profile).
    let known = known_header(parts.header);
    let mut header_stack: [u8; HEADER_STACK];
    let header_json = match known {
        Some(_) => Cow::Borrowed(&[][..]),
        None => {
            header_stack = [0; HEADER_STACK];
            decode_segment(parts.header, &mut header_stack, Part::Header)?
        }
    };
    // Step 7: the same for the JWS Signature. (Step 6, the JWS Payload,
    // waits for the MAC: see "The order of the steps" in the module docs.
    // Until then, every error goes through `payload_first`, which reports
    // the payload segment's own error instead when it is not strict
    // base64url, as decoding it here would have.)
    let payload_first = |later: Error| payload_error_or(parts.payload, later);
    let mut sig_buf = [0u8; MAX_OUTPUT];
    let signature = decode_signature(parts.signature, &mut sig_buf).map_err(payload_first)?;
    // Steps 3 and 4: the header is a JSON object with unique names (for
    // the compact serialization, the JOSE Header is the protected header);
    // `alg` is a string and `crit` well-formed.
    let raw = match known {
        Some(known) => known.parsed(),
        None => parse_header(&header_json).map_err(payload_first)?,
    };
    let alg = raw.check_structure().map_err(payload_first)?;

    // Stage 3, step 5: "Verify that the implementation understands and can
    // process all fields that it is required to support": an accepted
    // `alg` (RFC 8725 §3.1: the verifier's list decides), no `crit`
    // extension, the required `typ`.
    let alg = raw.check_header(alg, v).map_err(payload_first)?;

    // Stage 4: the key, chosen by `kid` where the source is a set, and
    // strong enough for `alg` (RFC 7518 §3.2).
    let key: &HmacKey = keys.key_for(alg, raw.kid()).map_err(payload_first)?;
    if !v.get_allow_weak_keys() {
        key.check_strength().map_err(payload_first)?;
    }

    // Stage 5, step 8: "Validate the JWS Signature against the JWS Signing
    // Input ASCII(BASE64URL(UTF8(JWS Protected Header)) || '.' ||
    // BASE64URL(JWS Payload))", the bytes as received. The tag length is
    // public (fixed by `alg`), so it is checked first; then the tags are
    // compared in constant time.
    match signature {
        Some(tag) if tag.len() == alg.output_len() && key.verify(parts.signing_input, tag) => {}
        _ => return Err(payload_first(Error::BadSignature)),
    }

    // Step 6, now that the MAC has matched: "Base64url-decode the encoded
    // representation of the JWS Payload", onto the stack when it fits. It
    // may still fail: a MAC can be computed over any bytes. The payload is
    // decoded, not parsed: that is `read`'s job.
    let mut payload_stack = [0u8; PAYLOAD_STACK];
    let payload = decode_segment(parts.payload, &mut payload_stack, Part::Payload)?;

    // Step 10 has nothing left to do: one signature, and it is valid. The
    // payload may now be read.
    let read = read(&payload)?;
    Ok((raw.into_header(alg), read))
}

/// The error to report when a step after the payload's place in the order
/// of the error table fails with `later`: the payload segment's own error
/// if it is not strict base64url (stage 2, which comes first), else
/// `later`. It only validates, writing nothing: the payload's bytes are
/// needed only once the MAC has matched.
fn payload_error_or(payload: &[u8], later: Error) -> Error {
    match base64url::validate(payload) {
        Err(e) => b64_error(Part::Payload, e),
        Ok(()) => later,
    }
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
    // §5.1 step 3: the header, whose `alg` "MUST be present" and be the
    // algorithm used (step 5).
    check_header_for_signing(header_json, key)?;
    let mut out = token_buffer(
        base64url::encoded_len(header_json.len()),
        base64url::encoded_len(payload.len()),
        key.algorithm(),
    );
    // Steps 4 and 2: BASE64URL(UTF8(JWS Protected Header)) '.'
    // BASE64URL(JWS Payload), the signing input.
    base64url::encode_to_vec(header_json, &mut out);
    out.push(b'.');
    base64url::encode_to_vec(payload, &mut out);
    // Steps 5, 6 and 8.
    append_signature(out, key)
}

/// Signs already-encoded segments (they must be strict base64url).
pub fn sign_encoded(header_b64: &str, payload_b64: &str, key: &HmacKey) -> Result<String, Error> {
    let header =
        base64url::decode(header_b64.as_bytes()).map_err(|e| b64_error(Part::Header, e))?;
    base64url::validate(payload_b64.as_bytes()).map_err(|e| b64_error(Part::Payload, e))?;
    check_header_for_signing(&header, key)?;
    let mut out = token_buffer(header_b64.len(), payload_b64.len(), key.algorithm());
    out.extend_from_slice(header_b64.as_bytes());
    out.push(b'.');
    out.extend_from_slice(payload_b64.as_bytes());
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

/// An empty token of exactly the capacity a token with encoded segments of
/// these lengths needs: `header '.' payload '.' signature`, the signature
/// being `alg`'s tag encoded. One allocation, never grown. It is built as
/// bytes and becomes a `String` once, in [`append_signature`].
pub(crate) fn token_buffer(
    header_b64_len: usize,
    payload_b64_len: usize,
    alg: Algorithm,
) -> Vec<u8> {
    Vec::with_capacity(
        header_b64_len + 1 + payload_b64_len + 1 + base64url::encoded_len(alg.output_len()),
    )
}

/// RFC 7515 §5.1 steps 5, 6 and 8: MAC the signing input (everything in
/// `out` so far), then append '.' and the encoded tag. The token is then
/// checked to be UTF-8, once, whole: it is ASCII, every byte being
/// base64url or a dot (and a segment given already encoded, to
/// [`sign_encoded`] or from a known header, is strict base64url).
pub(crate) fn append_signature(mut out: Vec<u8>, key: &HmacKey) -> Result<String, Error> {
    let tag = key.sign_parts(&[&out]);
    out.push(b'.');
    base64url::encode_to_vec(tag.as_bytes(), &mut out);
    Ok(String::from_utf8(out).expect("a token is ASCII: base64url segments and dots"))
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
        append_signature(t.into_bytes(), &key()).unwrap()
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
    fn a_signed_token_fills_its_buffer_exactly() {
        for alg in Algorithm::ALL {
            let k = HmacKey::new(alg, &[3; 64]).unwrap();
            for n in [0, 1, 2, 3, 100] {
                let header = format!(r#"{{"alg":"{alg}"}}"#);
                let t = sign(header.as_bytes(), &vec![b'x'; n], &k).unwrap();
                assert_eq!(t.capacity(), t.len(), "{alg} {n}");
                let (h, p) = t.split_once('.').unwrap();
                let p = p.split_once('.').unwrap().0;
                let t = sign_encoded(h, p, &k).unwrap();
                assert_eq!(t.capacity(), t.len(), "{alg} {n}");
            }
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

    /// `header` encoded, then `payload_b64` exactly as given, signed with
    /// `key`: the MAC covers the segment whatever it holds.
    fn signed_segments(header: &str, payload_b64: &str, key: &HmacKey) -> String {
        let t = format!("{}.{payload_b64}", base64url::encode(header.as_bytes()));
        append_signature(t.into_bytes(), key).unwrap()
    }

    /// A token made around a given payload segment.
    type Make<'a> = Box<dyn Fn(&str) -> String + 'a>;

    #[test]
    fn a_malformed_payload_is_reported_before_every_later_rule() {
        // The payload is decoded only once the MAC has matched, and
        // validated before any later error is reported: so a payload
        // segment that is not strict base64url is `malformed` (stage 2),
        // with decoding's own error, whatever else is wrong. Each case
        // breaks one later rule: with the payload `e30` ("{}") the token
        // fails at that rule; with a malformed payload, at the payload.
        let k = key();
        let other = HmacKey::new(Algorithm::HS256, &[0x22; 32]).unwrap();
        let weak = HmacKey::new_allow_weak(Algorithm::HS256, &[0x33; 16]);
        let hs512 = HmacKey::new(Algorithm::HS512, &[0x44; 64]).unwrap();
        let set = crate::KeySet::new(vec![crate::Jwk::from_secret(
            &[0x11; 32],
            None,
            Some("k1".into()),
        )]);
        let bound = crate::Jwk::from_secret(&[0x11; 32], Some(Algorithm::HS512), None);
        let any = Validation::default();
        let jwt = Validation::default().typ("JWT");
        let hs = r#"{"alg":"HS256"}"#;
        let none = |p: &str| format!("{}.{p}.", base64url::encode(br#"{"alg":"none"}"#));
        let cases: Vec<(&str, Make, &dyn KeySource, &Validation)> = vec![
            (
                "bad_signature",
                Box::new(|p| signed_segments(hs, p, &other)),
                &k,
                &any,
            ),
            (
                "algorithm",
                Box::new(|p| signed_segments(r#"{"alg":"HS512"}"#, p, &hs512)),
                &hs512,
                &any,
            ),
            ("algorithm", Box::new(none), &k, &any),
            (
                "unsupported_critical",
                Box::new(|p| signed_segments(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, p, &k)),
                &k,
                &any,
            ),
            (
                "invalid_type",
                Box::new(|p| signed_segments(r#"{"alg":"HS256","typ":"at+jwt"}"#, p, &k)),
                &k,
                &jwt,
            ),
            (
                "unknown_key",
                Box::new(|p| signed_segments(r#"{"alg":"HS256","kid":"zz"}"#, p, &k)),
                &set,
                &any,
            ),
            (
                "weak_key",
                Box::new(|p| signed_segments(hs, p, &weak)),
                &weak,
                &any,
            ),
            // A key bound to HS512, stage 4.
            (
                "algorithm",
                Box::new(|p| signed_segments(hs, p, &k)),
                &bound,
                &any,
            ),
            // Stage 2 too, but after the payload in the error table's order:
            // the header's JSON, the signature's base64url.
            (
                "malformed",
                Box::new(|p| signed_segments(r#"{"alg":"HS256",}"#, p, &k)),
                &k,
                &any,
            ),
            (
                "malformed",
                Box::new(|p| format!("{}=", signed_segments(hs, p, &k))),
                &k,
                &any,
            ),
        ];
        // Padding, trailing bits, the other alphabet, an impossible length,
        // white space; and one too long for the stack buffer.
        let long_padded = format!("{}==", base64url::encode(&[7; 700]));
        let malformed = ["e30=", "e31", "e+0", "e30AA", "e3 0", long_padded.as_str()];
        for (later, make, keys, v) in &cases {
            let e = verify(make("e30").as_bytes(), *keys, v).unwrap_err();
            assert_eq!(e.code(), *later, "{e}");
            assert!(
                !matches!(
                    e,
                    Error::Malformed {
                        part: Part::Payload,
                        ..
                    }
                ),
                "{e}"
            );
            for payload in malformed {
                let e = verify(make(payload).as_bytes(), *keys, v).unwrap_err();
                let decoding = base64url::decode(payload.as_bytes()).unwrap_err();
                assert_eq!(
                    e,
                    b64_error(Part::Payload, decoding),
                    "{later}, {payload:?}"
                );
            }
        }
        // The header's own base64url still comes first.
        let t = format!("{}=.e30=.", base64url::encode(hs.as_bytes()));
        let e = verify(t.as_bytes(), &k, &any).unwrap_err();
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
    fn a_well_signed_malformed_payload_is_malformed() {
        // A MAC can be made over any segment: decoding after the MAC fails
        // as decoding before it did.
        let e = verify(
            signed_segments(r#"{"alg":"HS256"}"#, "e30=", &key()).as_bytes(),
            &key(),
            &Validation::default(),
        )
        .unwrap_err();
        let decoding = base64url::decode(b"e30=").unwrap_err();
        assert_eq!(e, b64_error(Part::Payload, decoding));
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
