//! `base64url`: barejwt's strict decoder and its encoder, differential
//! against the `base64` crate's URL-safe, no-padding engine.
//!
//! That engine is as strict as ours ([RFC 7515 §2]: no `=`, no white
//! space, the `-_` alphabet; and it refuses non-zero trailing bits, which
//! [RFC 4648 §3.5] allows a decoder to refuse). So for any input:
//! - both accept or both reject, and when both accept the bytes agree;
//! - every decoding entry point (`decode`, `decode_into`, `decode_to_slice`,
//!   `validate`) agrees with the others, error for error, and `decoded_len`
//!   predicts the length;
//! - the input, read as bytes, encodes to what `base64` writes, of the
//!   length `encoded_len` predicts (`encode`, `encode_into` and
//!   `encode_to_vec` alike), and that decodes back to the input.
//!
//! [RFC 7515 §2]: https://www.rfc-editor.org/rfc/rfc7515#section-2
//! [RFC 4648 §3.5]: https://www.rfc-editor.org/rfc/rfc4648#section-3.5
#![no_main]

use barejwt::base64url;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // 1. The input as base64url text.
    let ours = base64url::decode(data);
    let theirs = URL_SAFE_NO_PAD.decode(data);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "decoded bytes differ"),
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => panic!("barejwt accepts what base64 rejects ({e})"),
        (Err(e), Ok(_)) => panic!("barejwt rejects what base64 accepts ({e})"),
    }
    // validate gives decode's very error: the verifier reports it for a
    // payload it has not decoded.
    assert_eq!(
        base64url::validate(data),
        ours.as_ref().map(|_| ()).map_err(|e| *e),
        "validate and decode disagree"
    );

    // decode_into appends, and leaves the buffer alone on error.
    let mut buf = b"prefix".to_vec();
    let into = base64url::decode_into(data, &mut buf);
    assert_eq!(into.is_ok(), ours.is_ok());
    match &ours {
        Ok(bytes) => {
            assert_eq!(&buf[..6], b"prefix");
            assert_eq!(&buf[6..], &bytes[..]);
            assert_eq!(base64url::decoded_len(data.len()), Some(bytes.len()));
        }
        Err(e) => {
            assert_eq!(buf, b"prefix", "decode_into changed the buffer on error");
            assert_eq!(
                into.as_ref().err(),
                Some(e),
                "decode and decode_into disagree"
            );
        }
    }
    // decode_to_slice, into a buffer of exactly the predicted size.
    if let Some(n) = base64url::decoded_len(data.len()) {
        let mut out = vec![0u8; n];
        match (base64url::decode_to_slice(data, &mut out), &ours) {
            (Ok(written), Ok(bytes)) => {
                assert_eq!(written, n);
                assert_eq!(&out[..], &bytes[..]);
            }
            (Err(a), Err(b)) => assert_eq!(&a, b),
            (a, b) => panic!("decode_to_slice {a:?} but decode {b:?}"),
        }
    } else {
        assert!(ours.is_err(), "a 4n+1 length decoded");
    }

    // 2. The input as bytes: encode, compare, decode back.
    let text = base64url::encode(data);
    assert_eq!(text, URL_SAFE_NO_PAD.encode(data));
    assert_eq!(text.len(), base64url::encoded_len(data.len()));
    assert_eq!(base64url::decode(text.as_bytes()).as_deref(), Ok(data));
    let mut appended = String::from("x.");
    base64url::encode_into(data, &mut appended);
    assert_eq!(&appended[2..], text);
    let mut bytes = b"x.".to_vec();
    base64url::encode_to_vec(data, &mut bytes);
    assert_eq!(&bytes[2..], text.as_bytes());
});
