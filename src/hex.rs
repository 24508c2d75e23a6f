//! Hexadecimal text, two digits per byte: how the vector files write raw
//! bytes (`key_hex`, `msg_hex`, `mac_hex`, `decoded_hex`) and how the
//! `barejwt` command prints keys and MACs. Not part of any JWT RFC; here so
//! that the runner and the command share one implementation.
//!
//! # Security
//!
//! Not constant-time: the time taken may depend on the digits. Keys pass
//! through here only when a person asked to see or type them.

/// Lowercase hex of `bytes`.
///
/// # Examples
///
/// ```
/// assert_eq!(barejwt::hex::encode(&[0x00, 0xff, 0x7a]), "00ff7a");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The bytes of hex text: an even number of digits, lowercase or
/// uppercase, nothing else (no `0x`, no sign, no white space). `None` for
/// anything else.
///
/// # Examples
///
/// ```
/// assert_eq!(barejwt::hex::decode(b"00fF7a"), Some(vec![0x00, 0xff, 0x7a]));
/// assert_eq!(barejwt::hex::decode(b"abc"), None);
/// assert_eq!(barejwt::hex::decode(b"+f"), None);
/// ```
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(text.len(), 512);
        assert_eq!(decode(text.as_bytes()), Some(all.clone()));
        assert_eq!(decode(text.to_uppercase().as_bytes()), Some(all));
    }

    #[test]
    fn odd_lengths_signs_prefixes_and_spaces_are_refused() {
        for bad in ["a", "abc", "+f", "-1", "0x00", " 00", "00 ", "zz", "é0"] {
            assert_eq!(decode(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(decode(b""), Some(vec![]));
    }
}
