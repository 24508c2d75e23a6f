//! Small pure helpers of the walk: the 6-bit view of base64url, the caret
//! under an offending byte, printable bytes, hex, text made safe for a
//! terminal.

use crate::base64url::{ALPHABET, DecodeError};

use super::Line;

pub(crate) use crate::hex::encode as hex;

/// Text for humans: control characters escaped, at most `max` characters.
pub fn short(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON text safe for a terminal: JSON itself escapes the C0 controls
/// inside strings, but not DEL or the C1 controls (U+0080-U+009F, such as
/// U+009B, a CSI to some terminals), which a hostile token may carry.
/// They become `\u` escapes: the same JSON, read by a parser.
pub fn terminal_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Hex in lines of 32 bytes under a label.
pub(crate) fn push_hex(lines: &mut Vec<Line>, label: &str, bytes: &[u8]) {
    lines.push(format!("{label}:").into());
    for chunk in bytes.chunks(32) {
        lines.push(format!("    {}", hex(chunk)).into());
    }
}

/// The first group of characters: value, 6 bits each, regrouped by 8.
pub(crate) fn six_bit_groups(seg: &[u8]) -> Vec<String> {
    let n = seg.len().min(4);
    if n < 2 {
        return Vec::new();
    }
    let values: Vec<u8> = seg[..n]
        .iter()
        .filter_map(|c| ALPHABET.iter().position(|a| a == c).map(|i| i as u8))
        .collect();
    if values.len() != n {
        return Vec::new();
    }
    let bits: String = values.iter().map(|v| format!("{v:06b}")).collect();
    let bytes: Vec<u8> = bits
        .as_bytes()
        .chunks_exact(8)
        .map(|b| b.iter().fold(0u8, |acc, &c| acc << 1 | (c - b'0')))
        .collect();
    let col = |cells: Vec<String>, w: usize| {
        cells
            .iter()
            .map(|c| format!("{c:<w$}"))
            .collect::<String>()
            .trim_end()
            .to_owned()
    };
    vec![
        format!(
            "first characters  {}",
            col(
                seg[..n].iter().map(|&c| (c as char).to_string()).collect(),
                7
            )
        ),
        format!(
            "alphabet index    {}",
            col(values.iter().map(u8::to_string).collect(), 7)
        ),
        format!(
            "6 bits each       {}",
            col(values.iter().map(|v| format!("{v:06b}")).collect(), 7)
        ),
        format!(
            "regrouped by 8    {}",
            col(
                bits.as_bytes()
                    .chunks_exact(8)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect(),
                9
            )
        ),
        format!(
            "bytes             {}",
            col(
                bytes
                    .iter()
                    .map(|&b| if b.is_ascii_graphic() {
                        format!("{b:02x} {:?}", b as char)
                    } else {
                        format!("{b:02x}")
                    })
                    .collect(),
                9
            )
        ),
    ]
}

/// Where a base64url error is in its segment, and why, in words.
pub(crate) fn explain_b64_error(seg: &[u8], e: DecodeError) -> (usize, String) {
    match e {
        DecodeError::InvalidByte { offset, .. } => (offset, format!("{e}")),
        DecodeError::InvalidLength { len } => (
            len.saturating_sub(1),
            format!(
                "{len} characters = 4×{} + 1: a lone last character holds 6 bits, not a whole byte",
                len / 4
            ),
        ),
        DecodeError::TrailingBits { offset } => {
            let c = seg.get(offset).copied().unwrap_or(b'?');
            let v = ALPHABET.iter().position(|&a| a == c).unwrap_or(0);
            let unused = if seg.len() % 4 == 2 { 4 } else { 2 };
            (
                offset,
                format!(
                    "{:?} is {v:06b}: its last {unused} bits are unused and must be zero (RFC 4648 §3.5), so no encoder writes it; the canonical spelling differs",
                    c as char
                ),
            )
        }
    }
}

/// Where a token with the wrong number of dots goes wrong: the third dot,
/// or the end when there are too few.
pub(crate) fn misplaced_dot(token: &[u8]) -> usize {
    token
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'.')
        .nth(2)
        .map_or(token.len(), |(i, _)| i)
}

/// The byte offset of a serde_json error (it counts lines and columns).
pub(crate) fn json_offset(text: &[u8], e: &serde_json::Error) -> usize {
    let mut line = 1;
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if line == e.line() {
            break;
        }
        if b == b'\n' {
            line += 1;
            start = i + 1;
        }
    }
    (start + e.column().saturating_sub(1)).min(text.len())
}

/// Bytes for a terminal: printable ASCII as is, anything else as `·`,
/// one column per byte, cut after `max` bytes.
pub(crate) fn printable(bytes: &[u8], max: usize) -> String {
    let mut s: String = bytes
        .iter()
        .take(max)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '·'
            }
        })
        .collect();
    if bytes.len() > max {
        s.push_str(&format!("… ({} more bytes)", bytes.len() - max));
    }
    s
}

/// The text around byte `at`, and a caret under it.
pub(crate) fn caret(text: &[u8], at: usize, of: &str) -> Vec<String> {
    const SIDE: usize = 36;
    let from = at.saturating_sub(SIDE);
    let to = (at + SIDE).min(text.len());
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < text.len() { "…" } else { "" };
    let shown = format!("{lead}{}{tail}", printable(&text[from..to], usize::MAX));
    let col = at - from + usize::from(from > 0);
    let what = match text.get(at) {
        Some(&b) if b.is_ascii_graphic() => format!("byte {at} of the {of}: {:?}", b as char),
        Some(&b) => format!("byte {at} of the {of}: 0x{b:02x}"),
        None => format!("byte {at} of the {of}: the end"),
    };
    vec![shown, format!("{}^ {what}", " ".repeat(col))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_sits_under_the_offending_byte() {
        let lines = caret(b"abc=def", 3, "token");
        assert_eq!(lines[0], "abc=def");
        assert_eq!(lines[1], "   ^ byte 3 of the token: '='");
        let long = [b'a'; 100];
        let lines = caret(&long, 50, "token");
        assert_eq!(lines[1].find('^'), Some(50 - 14 + 1));
        assert!(lines[0].starts_with('…') && lines[0].ends_with('…'));
    }

    #[test]
    fn six_bit_groups_show_the_first_bytes() {
        let lines = six_bit_groups(b"eyJh");
        assert!(
            lines[2].ends_with("011110 110010 001001 100001"),
            "{lines:?}"
        );
        assert!(lines[4].contains("7b '{'"), "{lines:?}");
        assert!(six_bit_groups(b"e").is_empty());
    }

    #[test]
    fn a_third_dot_or_the_end_is_the_misplaced_spot() {
        assert_eq!(misplaced_dot(b"a.b.c.d"), 5);
        assert_eq!(misplaced_dot(b"a.b"), 3);
    }

    #[test]
    fn json_offsets_count_lines() {
        let text = b"{\n  \"a\": 1,\n  \"a\": 2}";
        let e = super::super::Object::parse(text).unwrap_err();
        let at = json_offset(text, &e);
        assert!(at > 12 && at < text.len(), "{at} {e}");
    }

    #[test]
    fn short_text_is_cut_and_escaped() {
        assert_eq!(short("ab\ncd", 10), "ab\\ncd");
        assert_eq!(short("abcdef", 3), "abc…");
    }

    #[test]
    fn c1_controls_are_escaped() {
        assert_eq!(terminal_safe("x\u{9b}31m\u{7f}\n"), "x\\u009b31m\\u007f\n");
    }
}
