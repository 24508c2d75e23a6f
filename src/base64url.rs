//! base64url without padding: [RFC 4648 §5], as JWS uses it ([RFC 7515 §2]).
//!
//! > Base64url Encoding: Base64 encoding using the URL- and filename-safe
//! > character set defined in Section 5 of RFC 4648, with all trailing '='
//! > characters omitted [...] and without the inclusion of any line
//! > breaks, whitespace, or other additional characters.
//! > — [RFC 7515 §2]
//!
//! Every 3 input bytes become 4 characters of 6 bits each. A final group
//! of 1 byte becomes 2 characters, of 2 bytes 3 characters ([RFC 7515
//! Appendix C] shows the same arithmetic).
//!
//! # Strictness
//!
//! The decoder accepts exactly one spelling of each byte string, so that a
//! token cannot be altered without changing its bytes. It rejects:
//! - `=` padding, `+` and `/` (the other alphabet), white space, and every
//!   other byte outside `A-Z a-z 0-9 - _`;
//! - lengths of the form 4n+1, which no byte string encodes to;
//! - non-zero trailing bits: in a 2-character tail only the top 2 bits of
//!   the second character carry data, in a 3-character tail only the top 4
//!   bits of the third. `Zg` is "f"; `Zh` would decode to "f" too, so it is
//!   refused ([RFC 4648 §3.5]: decoders MAY reject such data; we do).
//!
//! # Constant-time
//!
//! Not constant-time: table look-ups index by input byte. Everything this
//! crate decodes is public (a token travels in the clear), so that is fine;
//! do not reuse this decoder for secrets.
//!
//! [RFC 4648 §5]: https://www.rfc-editor.org/rfc/rfc4648#section-5
//! [RFC 4648 §3.5]: https://www.rfc-editor.org/rfc/rfc4648#section-3.5
//! [RFC 7515 §2]: https://www.rfc-editor.org/rfc/rfc7515#section-2
//! [RFC 7515 Appendix C]: https://www.rfc-editor.org/rfc/rfc7515#appendix-C

use std::fmt;

/// The URL- and filename-safe alphabet, RFC 4648 §5 Table 2: value → character.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in [`DECODE`].
const INVALID: u8 = 0xFF;

/// character → 6-bit value, [`INVALID`] for everything else. Built at
/// compile time from [`ALPHABET`], so the two tables cannot disagree.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Marks a character outside the alphabet in [`PLACED`]: bits above the
/// 24 that a group of four characters fills.
const PLACED_INVALID: u32 = 0xFF00_0000;

/// [`DECODE`] four times over, each value already shifted to its place in
/// a group of four characters:
///
/// > Proceeding from left to right, a 24-bit input group is formed by
/// > concatenating 3 8-bit input groups. These 24 bits are then treated as
/// > 4 concatenated 6-bit groups, each of which is translated into a
/// > single character in the base 64 alphabet.
/// > — [RFC 4648 §4]
///
/// So the first character of a group carries the top 6 of its 24 bits and
/// the last the bottom 6, and a group `a b c d` is `PLACED[0][a] |
/// PLACED[1][b] | PLACED[2][c] | PLACED[3][d]`: four look-ups, three ORs,
/// no shifts. A character outside the alphabet is [`PLACED_INVALID`] in
/// every table, so any invalid character shows in the OR of all groups.
///
/// [RFC 4648 §4]: https://www.rfc-editor.org/rfc/rfc4648#section-4
const PLACED: [[u32; 256]; 4] = {
    let mut tables = [[PLACED_INVALID; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = DECODE[c];
        if v != INVALID {
            let mut place = 0;
            while place < 4 {
                tables[place][c] = (v as u32) << (18 - 6 * place);
                place += 1;
            }
        }
        c += 1;
    }
    tables
};

/// Four characters → their 24 bits (the low bits of the result), with
/// [`PLACED_INVALID`] bits set if any character is outside the alphabet.
#[inline(always)]
fn group([a, b, c, d]: [u8; 4]) -> u32 {
    PLACED[0][a as usize] | PLACED[1][b as usize] | PLACED[2][c as usize] | PLACED[3][d as usize]
}

/// Why a text is not strict base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A byte outside the URL-safe alphabet, at this offset.
    InvalidByte {
        /// Offset of the byte in the input.
        offset: usize,
        /// The byte itself.
        byte: u8,
    },
    /// A length of the form 4n+1: one character holds only 6 bits, not a byte.
    InvalidLength {
        /// The input length.
        len: usize,
    },
    /// The last character carries bits that no encoder would have set.
    TrailingBits {
        /// Offset of that last character.
        offset: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DecodeError::InvalidByte { offset, byte } => {
                let what = match byte {
                    b'=' => "padding '=' is not allowed (RFC 7515 §2)".to_string(),
                    b'+' | b'/' => format!(
                        "{:?} belongs to standard base64, not base64url (RFC 4648 §5)",
                        byte as char
                    ),
                    b' ' | b'\t' | b'\r' | b'\n' => "white space is not allowed".to_string(),
                    0x21..=0x7e => format!("{:?} is not in the base64url alphabet", byte as char),
                    _ => format!("byte 0x{byte:02x} is not in the base64url alphabet"),
                };
                write!(f, "{what}, at byte {offset}")
            }
            DecodeError::InvalidLength { len } => write!(
                f,
                "length {len} is impossible for base64url (4n+1 characters cannot encode whole bytes)"
            ),
            DecodeError::TrailingBits { offset } => write!(
                f,
                "non-zero unused bits in the last character, at byte {offset} (not the canonical encoding)"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// What is wrong and where, without the offending character: for input
    /// that is a secret (a JWK's `k`, a key given on the command line), of
    /// which no character may reach a message. (`Display` names the
    /// character, which is right for a token, whose bytes are public.)
    ///
    /// # Examples
    /// ```
    /// let e = barejwt::base64url::decode(b"c2Vj+A").unwrap_err();
    /// assert_eq!(e.describe_secret(), "a character outside the alphabet, at byte 4");
    /// ```
    pub fn describe_secret(&self) -> String {
        match *self {
            DecodeError::InvalidByte { offset, .. } => {
                format!("a character outside the alphabet, at byte {offset}")
            }
            DecodeError::InvalidLength { len } => {
                format!("impossible length {len} (4n+1 characters cannot encode whole bytes)")
            }
            DecodeError::TrailingBits { offset } => {
                format!("non-zero unused bits in the last character, at byte {offset}")
            }
        }
    }
}

/// Length of the encoding of `n` bytes: `ceil(4n / 3)` without padding.
pub const fn encoded_len(n: usize) -> usize {
    (n / 3) * 4
        + match n % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// Length of the bytes that `n` characters decode to, or `None` for the
/// impossible lengths 4n+1.
pub const fn decoded_len(n: usize) -> Option<usize> {
    match n % 4 {
        1 => None,
        r => Some((n / 4) * 3 + if r == 0 { 0 } else { r - 1 }),
    }
}

/// Every 12-bit value → its two characters, the top 6 bits first:
///
/// > These 24 bits are then treated as 4 concatenated 6-bit groups, each
/// > of which is translated into a single character in the base 64
/// > alphabet.
/// > — [RFC 4648 §4]
///
/// So a group of 3 bytes is two look-ups here (its top and bottom 12
/// bits) instead of four in [`ALPHABET`]. 4096 pairs, 8 KiB, built at
/// compile time from [`ALPHABET`], so the two cannot disagree.
///
/// [RFC 4648 §4]: https://www.rfc-editor.org/rfc/rfc4648#section-4
const PAIRS: [[u8; 2]; 4096] = {
    let mut table = [[0; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = [ALPHABET[i >> 6], ALPHABET[i & 0x3f]];
        i += 1;
    }
    table
};

/// Encodes `input` as base64url without padding.
///
/// # Examples
/// ```
/// assert_eq!(barejwt::base64url::encode(b"foobar"), "Zm9vYmFy");
/// assert_eq!(barejwt::base64url::encode(&[0xfb, 0xff]), "-_8");
/// ```
pub fn encode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(encoded_len(input.len()));
    encode_to_vec(input, &mut out);
    String::from_utf8(out).expect("base64url output is ASCII: every byte comes from ALPHABET")
}

/// Appends the base64url encoding of `input` to `out`, as bytes: the
/// signer builds a token this way and checks it is UTF-8 once, at the end
/// (it is ASCII: every character comes from [`ALPHABET`]).
pub fn encode_to_vec(input: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + encoded_len(input.len()), 0);
    encode_to_slice(input, &mut out[start..]);
}

/// Appends the base64url encoding of `input` to `out`.
pub fn encode_into(input: &[u8], out: &mut String) {
    // Characters are made in a small buffer on the stack, then appended to
    // `out` as `str`. Every byte comes from ALPHABET, which is ASCII, so the
    // UTF-8 check passes; it reads only the new characters, once.
    const CHUNK: usize = 192; // a multiple of 3: only the last chunk has a tail
    let mut buf = [0u8; CHUNK / 3 * 4];
    out.reserve(encoded_len(input.len()));
    for chunk in input.chunks(CHUNK) {
        let n = encoded_len(chunk.len());
        encode_to_slice(chunk, &mut buf[..n]);
        out.push_str(
            std::str::from_utf8(&buf[..n])
                .expect("base64url output is ASCII: every byte comes from ALPHABET"),
        );
    }
}

/// Encodes `input` into `out`, which holds exactly [`encoded_len`] bytes.
fn encode_to_slice(input: &[u8], out: &mut [u8]) {
    // Two groups per step: 6 bytes, 48 bits, four 12-bit quarters, eight
    // characters. The rest (under 6 bytes) is at most one group and a tail.
    let (sixes, rest) = input.as_chunks::<6>();
    let (eights, out_rest) = out.as_chunks_mut::<8>();
    for (&[a, b, c, d, e, f], chars) in sixes.iter().zip(eights) {
        let bits = u64::from_be_bytes([0, 0, a, b, c, d, e, f]);
        let quarter = |shift: u32| PAIRS[((bits >> shift) & 0xfff) as usize];
        let ([c0, c1], [c2, c3]) = (quarter(36), quarter(24));
        let ([c4, c5], [c6, c7]) = (quarter(12), quarter(0));
        *chars = [c0, c1, c2, c3, c4, c5, c6, c7];
    }
    encode_groups(rest, out_rest);
}

/// Encodes `input` into `out` ([`encoded_len`] bytes) one group at a time.
fn encode_groups(input: &[u8], out: &mut [u8]) {
    let (groups, tail) = input.as_chunks::<3>();
    let (quads, out_tail) = out.as_chunks_mut::<4>();
    for (&[a, b, c], chars) in groups.iter().zip(quads) {
        // 24 bits → two 12-bit halves → four characters (RFC 4648 §4).
        let bits = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        let [p, q] = PAIRS[(bits >> 12) as usize];
        let [r, s] = PAIRS[(bits & 0xfff) as usize];
        *chars = [p, q, r, s];
    }
    match *tail {
        // One byte: 8 bits and 4 zero bits → two characters.
        [a] => out_tail.copy_from_slice(&PAIRS[usize::from(a) << 4]),
        // Two bytes: 16 bits and 2 zero bits → three characters: the first
        // pair, and the first of the second.
        [a, b] => {
            let bits = u32::from(a) << 16 | u32::from(b) << 8;
            let [p, q] = PAIRS[(bits >> 12) as usize];
            let [r, _] = PAIRS[(bits & 0xfff) as usize];
            out_tail.copy_from_slice(&[p, q, r]);
        }
        _ => {}
    }
}

/// Decodes strict base64url (see the module docs for what is refused).
///
/// # Examples
/// ```
/// use barejwt::base64url::{decode, DecodeError};
/// assert_eq!(decode(b"Zm9vYmFy").unwrap(), b"foobar");
/// assert_eq!(decode(b"Zg").unwrap(), b"f");
/// assert_eq!(decode(b"Zh"), Err(DecodeError::TrailingBits { offset: 1 }));
/// assert!(decode(b"Zg==").is_err());
/// ```
pub fn decode(input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    decode_into(input, &mut out)?;
    Ok(out)
}

/// Decodes strict base64url, appending the bytes to `out`. On error `out`
/// is left as it was.
pub fn decode_into(input: &[u8], out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let len = decoded_len(input.len()).ok_or(DecodeError::InvalidLength { len: input.len() })?;
    let start = out.len();
    out.resize(start + len, 0);
    match decode_to_slice(input, &mut out[start..]) {
        Ok(_) => Ok(()),
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Decodes strict base64url into `out`, which must hold at least
/// [`decoded_len`] bytes; returns how many were written. This is the
/// allocation-free path the verifier uses for signatures and small headers.
///
/// # Panics
/// If `out` is shorter than the decoded length: a caller's bug, never the
/// input's fault (check [`decoded_len`] first).
pub fn decode_to_slice(input: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    let len = decoded_len(input.len()).ok_or(DecodeError::InvalidLength { len: input.len() })?;
    assert!(out.len() >= len, "decode_to_slice: output buffer too small");
    let full = input.len() / 4 * 4;
    let (body, tail) = input.split_at(full);

    // Whole groups: 4 characters → 24 bits → 3 bytes, two groups per step
    // (8 characters → 6 bytes), then the one group left, if any. Invalid
    // characters are noted by OR-ing every group into `seen` (an invalid
    // character sets bits above the 24 of its group, see PLACED), so the
    // loop has no branch per character; the position is found afterwards,
    // only on the error path.
    let (pairs, last) = body.as_chunks::<8>();
    let (out_pairs, out_last) = out[..full / 4 * 3].as_chunks_mut::<6>();
    let mut seen = 0u32;
    for (&[a, b, c, d, e, f, g, h], bytes) in pairs.iter().zip(out_pairs) {
        let (first, second) = (group([a, b, c, d]), group([e, f, g, h]));
        seen |= first | second;
        // The low 24 bits of each group, most significant byte first.
        bytes[..3].copy_from_slice(&first.to_be_bytes()[1..]);
        bytes[3..].copy_from_slice(&second.to_be_bytes()[1..]);
    }
    if let &[a, b, c, d] = last {
        let n = group([a, b, c, d]);
        seen |= n;
        out_last.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    if seen & PLACED_INVALID != 0 {
        return Err(first_invalid(input, 0));
    }

    // The tail: 2 or 3 characters carrying 1 or 2 bytes.
    let out_tail = &mut out[full / 4 * 3..len];
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (value(input, full, a)?, value(input, full + 1, b)?);
            // 12 bits, of which the last 4 are padding bits: must be zero.
            if b & 0x0f != 0 {
                return Err(DecodeError::TrailingBits { offset: full + 1 });
            }
            out_tail[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let (a, b, c) = (
                value(input, full, a)?,
                value(input, full + 1, b)?,
                value(input, full + 2, c)?,
            );
            // 18 bits, of which the last 2 are padding bits: must be zero.
            if c & 0x03 != 0 {
                return Err(DecodeError::TrailingBits { offset: full + 2 });
            }
            out_tail[0] = a << 2 | b >> 4;
            out_tail[1] = b << 4 | c >> 2;
        }
        _ => unreachable!("decoded_len refused a tail of 1 character"),
    }
    Ok(len)
}

/// Checks that `input` is strict base64url without writing anything, and
/// fails with exactly the error [`decode`] gives (the length first, then
/// the first byte outside the alphabet, then the trailing bits): used for
/// a segment whose bytes are not needed (an over-long signature, a payload
/// whose MAC has not matched).
pub fn validate(input: &[u8]) -> Result<(), DecodeError> {
    decoded_len(input.len()).ok_or(DecodeError::InvalidLength { len: input.len() })?;
    if !all_in_alphabet(input) {
        return Err(first_invalid(input, 0));
    }
    // Only the last character can carry non-zero unused bits.
    let last = input.len().saturating_sub(1);
    let mask = match input.len() % 4 {
        2 => 0x0f,
        3 => 0x03,
        _ => 0,
    };
    match input.last() {
        Some(&c) if DECODE[c as usize] & mask != 0 => {
            Err(DecodeError::TrailingBits { offset: last })
        }
        _ => Ok(()),
    }
}

/// Whether every byte of `input` is in the alphabet: a fold without an
/// early exit, which the compiler checks 32 bytes per step with vector
/// instructions, where a byte-by-byte search costs a branch per byte.
/// Where the first bad byte is, is found afterwards, on the error path.
fn all_in_alphabet(input: &[u8]) -> bool {
    input.iter().fold(true, |ok, &c| ok & in_alphabet(c))
}

/// Whether `c` is in [`ALPHABET`], written as the ranges of RFC 4648 §5
/// Table 2: values 0-25 `A-Z`, 26-51 `a-z`, 52-61 `0-9`, 62 `-`, 63 `_`.
const fn in_alphabet(c: u8) -> bool {
    matches!(c, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')
}

fn value(input: &[u8], offset: usize, c: u8) -> Result<u8, DecodeError> {
    match DECODE[c as usize] {
        INVALID => Err(first_invalid(input, offset)),
        v => Ok(v),
    }
}

fn first_invalid(input: &[u8], from: usize) -> DecodeError {
    let offset = from
        + input[from..]
            .iter()
            .position(|&b| DECODE[b as usize] == INVALID)
            .expect("first_invalid is called only when an invalid byte exists");
    DecodeError::InvalidByte {
        offset,
        byte: input[offset],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn rfc4648_section10_vectors_without_padding() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn padding_is_refused() {
        assert_eq!(
            decode(b"Zg=="),
            Err(DecodeError::InvalidByte {
                offset: 2,
                byte: b'='
            })
        );
    }

    #[test]
    fn standard_alphabet_characters_are_refused() {
        assert!(matches!(
            decode(b"ab+d"),
            Err(DecodeError::InvalidByte { offset: 2, .. })
        ));
        assert!(matches!(
            decode(b"ab/d"),
            Err(DecodeError::InvalidByte { offset: 2, .. })
        ));
    }

    #[test]
    fn white_space_is_refused_anywhere() {
        for bad in [&b" Zm9v"[..], b"Zm9v ", b"Zm\n9v", b"Zm9v\r\n"] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lengths_of_4n_plus_1_are_refused() {
        for n in [1, 5, 9] {
            let s = "A".repeat(n);
            assert_eq!(
                decode(s.as_bytes()),
                Err(DecodeError::InvalidLength { len: n })
            );
        }
    }

    #[test]
    fn non_zero_trailing_bits_are_refused() {
        assert_eq!(decode(b"Zh"), Err(DecodeError::TrailingBits { offset: 1 }));
        assert_eq!(decode(b"Zm9"), Err(DecodeError::TrailingBits { offset: 2 }));
        assert_eq!(decode(b"Zm8").unwrap(), b"fo");
    }

    #[test]
    fn an_invalid_byte_is_reported_at_its_offset() {
        let e = decode(b"AAAAAAAA.AAA").unwrap_err();
        assert_eq!(
            e,
            DecodeError::InvalidByte {
                offset: 8,
                byte: b'.'
            }
        );
        assert!(e.to_string().contains("at byte 8"));
    }

    #[test]
    fn an_invalid_byte_is_found_at_every_position() {
        // 17 bytes → 23 characters: two steps of 8, one group of 4, a tail
        // of 3. Each position in turn holds a byte outside the alphabet;
        // with two such bytes, the first is named.
        let good = encode(&[0xa5; 17]);
        assert_eq!(good.len(), 23);
        for i in 0..good.len() {
            let mut bad = good.clone().into_bytes();
            bad[i] = b'.';
            let want = DecodeError::InvalidByte {
                offset: i,
                byte: b'.',
            };
            assert_eq!(decode(&bad), Err(want), "{i}");
            bad[22 - i / 2] = b'+';
            if 22 - i / 2 > i {
                assert_eq!(decode(&bad), Err(want), "{i}");
            }
        }
    }

    #[test]
    fn validate_gives_decodes_error_exactly() {
        // The verifier reports validate's error for a payload it has not
        // decoded: it must be decode's, offset and all.
        for s in [
            &b"Zg"[..],
            b"Zh",
            b"Zm9",
            b"Zm8",
            b"A",
            b"AB=",
            b"-_8",
            b"",
            b"ab cd",
            b"Zm9vYmFy+m9vYmFy.m9vYmE",
            b"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmF=",
            b"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFh",
            b"Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZh",
        ] {
            assert_eq!(validate(s), decode(s).map(|_| ()), "{s:?}");
        }
        // A byte outside the alphabet at every position of a 23-character
        // text, and a second one after it: the first is named.
        let good = encode(&[0x5a; 17]);
        for i in 0..good.len() {
            let mut bad = good.clone().into_bytes();
            bad[i] = b'=';
            assert_eq!(validate(&bad), decode(&bad).map(|_| ()), "{i}");
            bad[(i + 5).min(22)] = 0xff;
            assert_eq!(validate(&bad), decode(&bad).map(|_| ()), "{i}");
        }
    }

    #[test]
    fn the_alphabet_ranges_are_the_alphabet() {
        for c in 0..=255u8 {
            assert_eq!(in_alphabet(c), ALPHABET.contains(&c), "{c}");
            assert_eq!(in_alphabet(c), DECODE[c as usize] != INVALID, "{c}");
        }
    }

    #[test]
    fn agrees_with_the_base64_crate_on_every_two_and_three_byte_input() {
        // Exhaustive over all 2-character strings of the byte range, and a
        // sample of 3-character ones: accept/reject and output must agree.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let s = [a, b];
                assert_eq!(decode(&s).ok(), ENGINE.decode(s).ok(), "{s:?}");
            }
        }
        for a in (0..=255u8).step_by(3) {
            for b in (0..=255u8).step_by(5) {
                for c in 0..=255u8 {
                    let s = [a, b, c, b'A'];
                    assert_eq!(decode(&s).ok(), ENGINE.decode(s).ok(), "{s:?}");
                    assert_eq!(decode(&s[..3]).ok(), ENGINE.decode(&s[..3]).ok(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn round_trips_every_length_up_to_100() {
        let data: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
        for n in 0..=data.len() {
            let enc = encode(&data[..n]);
            assert_eq!(enc, ENGINE.encode(&data[..n]));
            assert_eq!(enc.len(), encoded_len(n));
            assert_eq!(decoded_len(enc.len()), Some(n));
            assert_eq!(decode(enc.as_bytes()).unwrap(), &data[..n]);
        }
    }

    #[test]
    fn each_pair_is_two_characters_of_the_alphabet() {
        for (i, pair) in PAIRS.iter().enumerate() {
            assert_eq!(*pair, [ALPHABET[i / 64], ALPHABET[i % 64]], "{i}");
        }
    }

    #[test]
    fn encode_to_vec_appends_what_encode_writes() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 89 + 5) as u8).collect();
        for n in 0..=data.len() {
            let mut out = b"prefix.".to_vec();
            encode_to_vec(&data[..n], &mut out);
            assert_eq!(&out[..7], b"prefix.");
            assert_eq!(&out[7..], ENGINE.encode(&data[..n]).as_bytes(), "{n}");
        }
    }

    #[test]
    fn encode_into_appends_across_its_chunk_boundaries() {
        // The encoder works in chunks of 192 bytes: lengths around 1, 2 and
        // 3 chunks, appended after text already in the string.
        let data: Vec<u8> = (0..700u32).map(|i| (i * 131 + 7) as u8).collect();
        for n in (0..=data.len()).filter(|n| n % 192 < 4 || n % 192 > 188) {
            let mut out = String::from("prefix.");
            encode_into(&data[..n], &mut out);
            assert_eq!(out, format!("prefix.{}", ENGINE.encode(&data[..n])), "{n}");
        }
    }
}
