//! Small pure helpers of `barejwt explain`: the 6-bit view of base64url,
//! the caret under an offending byte, printable bytes, one line per
//! claim with its time in words.

use barejwt::Validation;
use barejwt::base64url::{ALPHABET, DecodeError};
use serde_json::Value;

use super::Paint;
use crate::input::{Member, Object, short};
use crate::keyopts::hex;
use crate::time::{date, gap};

/// One line per claim: what it means and what the verifier made of it.
pub(super) fn claim_lines(c: &Object, v: &Validation, now: i64, p: Paint) -> Vec<String> {
    let mut out = Vec::new();
    let t = now as f64;
    let leeway = v.get_leeway() as f64;
    for (name, member) in &c.0 {
        let shown = short(&member.text(), 60);
        let value = member.value().unwrap_or(&Value::Null);
        let line = match (name.as_str(), member.as_f64()) {
            ("exp", Some(exp)) => {
                if t >= exp + leeway {
                    format!(
                        "exp {} — {} {} ago (RFC 7519 §4.1.4)",
                        date(exp),
                        p.bad("expired"),
                        gap(t - exp)
                    )
                } else if t >= exp {
                    format!(
                        "exp {} — expired {} ago, {} within the leeway of {}s (RFC 7519 §4.1.4)",
                        date(exp),
                        gap(t - exp),
                        p.warn("accepted"),
                        v.get_leeway()
                    )
                } else {
                    format!(
                        "exp {} — {} in {} (RFC 7519 §4.1.4)",
                        date(exp),
                        p.good("expires"),
                        gap(exp - t)
                    )
                }
            }
            ("nbf", Some(nbf)) => {
                if t < nbf - leeway {
                    format!(
                        "nbf {} — {} for another {} (RFC 7519 §4.1.5)",
                        date(nbf),
                        p.bad("not valid"),
                        gap(nbf - t)
                    )
                } else if t < nbf {
                    format!(
                        "nbf {} — valid in {}, {} within the leeway of {}s (RFC 7519 §4.1.5)",
                        date(nbf),
                        gap(nbf - t),
                        p.warn("accepted"),
                        v.get_leeway()
                    )
                } else {
                    format!(
                        "nbf {} — {} {} ago (RFC 7519 §4.1.5)",
                        date(nbf),
                        p.good("valid since"),
                        gap(t - nbf)
                    )
                }
            }
            ("iat", Some(iat)) => {
                if iat > t {
                    format!(
                        "iat {} — issued in the future, {} from now: RFC 7519 §4.1.6 gives iat no rule, so it is only type-checked",
                        date(iat),
                        gap(iat - t)
                    )
                } else {
                    format!(
                        "iat {} — issued {} ago (RFC 7519 §4.1.6; only type-checked)",
                        date(iat),
                        gap(t - iat)
                    )
                }
            }
            ("exp" | "nbf" | "iat", None) => format!(
                "{name} {shown} — {}: a NumericDate is a JSON number (RFC 7519 §2)",
                p.bad("not a number")
            ),
            ("iss", _) => exact_line(
                "iss",
                "the issuer (RFC 7519 §4.1.1)",
                member,
                v.get_issuer(),
                "--iss",
                p,
            ),
            ("sub", _) => exact_line(
                "sub",
                "the subject (RFC 7519 §4.1.2)",
                member,
                v.get_subject(),
                "--sub",
                p,
            ),
            ("aud", _) => {
                let names: Option<Vec<&str>> = match value {
                    Value::String(s) => Some(vec![s.as_str()]),
                    Value::Array(a) => a.iter().map(Value::as_str).collect(),
                    _ => None,
                };
                match (names, v.get_audience()) {
                    (None, _) => format!(
                        "aud {shown} — {}: a string or an array of strings (RFC 7519 §4.1.3)",
                        p.bad("ill-typed")
                    ),
                    (Some(n), Some(want)) if n.contains(&want) => {
                        format!(
                            "aud {shown} — the audience (RFC 7519 §4.1.3): names {want:?}, {}",
                            p.good("ok")
                        )
                    }
                    (Some(_), Some(want)) => format!(
                        "aud {shown} — the audience (RFC 7519 §4.1.3): {} {want:?}",
                        p.bad("does not name")
                    ),
                    (Some(_), None) => format!(
                        "aud {shown} — the audience (RFC 7519 §4.1.3): this verifier names none (--aud), so it {}",
                        p.bad("cannot be among them")
                    ),
                }
            }
            ("jti", _) => format!("jti {shown} — the token's id (RFC 7519 §4.1.7), not checked"),
            _ => format!(
                "{} {shown} — a private claim (RFC 7519 §4.3), not checked",
                short(name, 40)
            ),
        };
        out.push(line);
    }
    for want in v.get_required() {
        let present = c.get(want).is_some();
        out.push(format!(
            "required {}: {}",
            short(want, 40),
            if present {
                p.good("present")
            } else {
                p.bad("missing")
            }
        ));
    }
    for (name, flag) in [
        ("iss", v.get_issuer()),
        ("sub", v.get_subject()),
        ("aud", v.get_audience()),
    ] {
        if flag.is_some() && c.get(name).is_none() {
            out.push(format!(
                "{name}: {} (this verifier requires one)",
                p.bad("missing")
            ));
        }
    }
    out
}

pub(super) fn exact_line(
    name: &str,
    what: &str,
    member: &Member,
    want: Option<&str>,
    flag: &str,
    p: Paint,
) -> String {
    let shown = short(&member.text(), 60);
    let value = member.value().and_then(Value::as_str);
    match want {
        None => format!("{name} {shown} — {what}, not checked (no {flag})"),
        Some(w) if value == Some(w) => {
            format!("{name} {shown} — {what}: {}", p.good("as required"))
        }
        Some(w) => format!("{name} {shown} — {what}: {} {w:?}", p.bad("expected")),
    }
}

/// Hex in lines of 32 bytes under a label.
pub(super) fn push_hex(lines: &mut Vec<String>, label: &str, bytes: &[u8]) {
    lines.push(format!("{label}:"));
    for chunk in bytes.chunks(32) {
        lines.push(format!("    {}", hex(chunk)));
    }
}

/// The first group of characters: value, 6 bits each, regrouped by 8.
pub(super) fn six_bit_groups(seg: &[u8]) -> Vec<String> {
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
pub(super) fn explain_b64_error(seg: &[u8], e: DecodeError) -> (usize, String) {
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
pub(super) fn misplaced_dot(token: &[u8]) -> usize {
    token
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'.')
        .nth(2)
        .map_or(token.len(), |(i, _)| i)
}

/// The byte offset of a serde_json error (it counts lines and columns).
pub(super) fn json_offset(text: &[u8], e: &serde_json::Error) -> usize {
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
pub(super) fn printable(bytes: &[u8], max: usize) -> String {
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
pub(super) fn caret(text: &[u8], at: usize, of: &str) -> Vec<String> {
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
    fn times_within_the_leeway_say_so() {
        let c = Object::parse(br#"{"exp":100,"nbf":105}"#).unwrap();
        let v = Validation::default().now(102).leeway(5);
        let lines = claim_lines(&c, &v, 102, Paint { on: false });
        assert!(
            lines[0].contains("expired 2 seconds ago, accepted within the leeway of 5s"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("valid in 3 seconds, accepted within the leeway of 5s"),
            "{lines:?}"
        );
        let lines = claim_lines(&c, &Validation::default(), 99, Paint { on: false });
        assert!(lines[0].contains("expires in 1 second"), "{lines:?}");
        assert!(
            lines[1].contains("not valid for another 6 seconds"),
            "{lines:?}"
        );
    }

    #[test]
    fn json_offsets_count_lines() {
        let text = b"{\n  \"a\": 1,\n  \"a\": 2}";
        let e = Object::parse(text).unwrap_err();
        let at = json_offset(text, &e);
        assert!(at > 12 && at < text.len(), "{at} {e}");
    }
}
