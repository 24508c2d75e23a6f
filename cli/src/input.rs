//! What the subcommands share: exit codes, reading a token or a claims set
//! from an argument, a file or stdin, and JSON objects kept in the order
//! they were written.
//!
//! # Exit codes
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done; for `verify` and `explain`, the token is valid |
//! | 1 | the token is invalid (its error code is on stderr) |
//! | 2 | usage or I/O error: a bad flag, an unreadable file, a bad key |
//!
//! # Left out on purpose
//!
//! Inputs are bounded ([`MAX_INPUT`]): a hostile or mistaken pipe cannot
//! make the tool read without end. Nested JSON objects are re-serialized by
//! `serde_json` (names sorted); only the top level keeps its order.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::process::ExitCode;

use barejwt::json::NameSet;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// The most bytes read from stdin or a file: far above any token the
/// verifier accepts (8 KiB by default), far below trouble.
pub const MAX_INPUT: u64 = 1 << 20;

/// Exit status 1: the token is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit status 2: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Why a subcommand stopped.
#[derive(Debug)]
pub enum Failure {
    /// The token is invalid: exit 1, code and message on stderr.
    Invalid(barejwt::Error),
    /// Usage or I/O: exit 2.
    Usage(String),
}

impl Failure {
    /// A usage or I/O failure.
    pub fn usage(msg: impl fmt::Display) -> Failure {
        Failure::Usage(msg.to_string())
    }

    /// Prints the failure on stderr and gives the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Invalid(e) => {
                eprintln!("invalid token: {}: {e}", e.code());
                if let barejwt::Error::Algorithm { .. } = e {
                    eprintln!(
                        "hint: the verifier picks the algorithms (RFC 8725 §3.1); pass --alg to accept another"
                    );
                }
                ExitCode::from(EXIT_INVALID)
            }
            Failure::Usage(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(EXIT_USAGE)
            }
        }
    }
}

/// Runs a subcommand body and turns its result into an exit status.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

/// Reads at most [`MAX_INPUT`] bytes; more is a usage error.
pub fn read_bounded(r: impl Read, what: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::usage(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Failure::usage(format!(
            "{what} is larger than {MAX_INPUT} bytes"
        )));
    }
    Ok(buf)
}

/// Reads a file, bounded.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let what = format!("{}", path.display());
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot open {what}: {e}")))?;
    read_bounded(file, &what)
}

/// Reads stdin, bounded; says so first when stdin is a terminal, so that
/// a user who forgot the argument is not left facing a silent prompt.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, Failure> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("reading {what} from stdin (end with Ctrl-D)");
    }
    read_bounded(std::io::stdin().lock(), "stdin")
}

/// The token: the argument as given, or stdin for `-` or no argument,
/// with the surrounding white space (a final newline) removed.
pub fn read_token(arg: Option<&str>) -> Result<Vec<u8>, Failure> {
    match arg {
        Some(t) if t != "-" => Ok(t.as_bytes().to_vec()),
        _ => Ok(read_stdin("the token")?.trim_ascii().to_vec()),
    }
}

/// A JSON object as written: its top-level members in order, names
/// unique (RFC 7519 §4: "The Claim Names within a JWT Claims Set MUST be
/// unique"; RFC 7515 §4 says the same of header names).
#[derive(Debug, Clone, Default)]
pub struct Object(pub Vec<(String, Member)>);

/// One member's value.
#[derive(Debug, Clone)]
pub enum Member {
    /// A value `serde_json` can hold.
    Value(Value),
    /// Valid JSON it cannot: a number beyond f64 such as `1e400` (which
    /// the library reads as infinity). Kept as written.
    Raw(Box<RawValue>),
}

impl Member {
    /// The value, unless it is only held as text.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Member::Value(v) => Some(v),
            Member::Raw(_) => None,
        }
    }

    /// A JSON number as f64 (`1e400` becomes infinity, as in the library).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Member::Value(v) => v.as_f64(),
            Member::Raw(r) => r.get().trim().parse().ok(),
        }
    }

    /// Compact JSON text.
    pub fn text(&self) -> String {
        match self {
            Member::Value(v) => v.to_string(),
            Member::Raw(r) => r.get().trim().to_owned(),
        }
    }
}

impl From<Value> for Member {
    fn from(v: Value) -> Member {
        Member::Value(v)
    }
}

impl serde::Serialize for Member {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Value(v) => v.serialize(s),
            Member::Raw(r) => r.serialize(s),
        }
    }
}

impl Object {
    /// Parses a JSON object, refusing duplicate names.
    pub fn parse(bytes: &[u8]) -> Result<Object, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The value of `name`, if present and held as a value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.member(name).and_then(Member::value)
    }

    /// The member `name`, if present.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets `name`, in place if present, else at the end.
    pub fn set(&mut self, name: &str, value: impl Into<Member>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// Compact JSON, members in order.
    pub fn to_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Pretty JSON, members in order.
    pub fn to_pretty(&self) -> String {
        terminal_safe(&serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into()))
    }
}

impl serde::Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Object, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Object;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
                let mut members: Vec<(String, Member)> = Vec::new();
                // The library's duplicate check (linear time however many
                // members), by the same rule as its own parsers.
                let mut names = NameSet::default();
                while let Some(name) = map.next_key::<String>()? {
                    if !names.insert(Cow::Owned(name.clone())) {
                        return Err(de::Error::custom(format_args!("duplicate name {name:?}")));
                    }
                    let raw: Box<RawValue> = map.next_value()?;
                    let member = match serde_json::from_str::<Value>(raw.get()) {
                        Ok(v) => Member::Value(v),
                        Err(_) => Member::Raw(raw),
                    };
                    members.push((name, member));
                }
                Ok(Object(members))
            }
        }
        d.deserialize_map(V)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order_and_refuse_duplicates() {
        let o = Object::parse(br#"{"sub":"a","id":1,"exp":2}"#).unwrap();
        assert_eq!(o.to_compact(), r#"{"sub":"a","id":1,"exp":2}"#);
        let e = Object::parse(br#"{"a":1,"a":2}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate name \"a\""), "{e}");
        assert!(Object::parse(b"[1]").is_err());
        assert!(Object::parse(b"{} x").is_err());
    }

    #[test]
    fn numbers_beyond_f64_are_kept_as_written() {
        let o = Object::parse(br#"{"exp":1e400,"n":[1e400]}"#).unwrap();
        assert_eq!(o.to_compact(), r#"{"exp":1e400,"n":[1e400]}"#);
        assert_eq!(o.member("exp").unwrap().as_f64(), Some(f64::INFINITY));
        assert!(o.get("exp").is_none());
    }

    #[test]
    fn set_replaces_in_place_or_appends() {
        let mut o = Object::parse(br#"{"a":1,"b":2}"#).unwrap();
        o.set("a", Value::from(3));
        o.set("c", Value::from(4));
        assert_eq!(o.to_compact(), r#"{"a":3,"b":2,"c":4}"#);
    }

    #[test]
    fn c1_controls_are_escaped_and_the_json_unchanged() {
        let o = Object::parse("{\"a\":\"x\u{9b}31m\u{7f}\"}".as_bytes()).unwrap();
        let pretty = o.to_pretty();
        assert!(
            !pretty.chars().any(|c| c.is_control() && c != '\n'),
            "{pretty:?}"
        );
        assert!(pretty.contains("x\\u009b31m\\u007f"), "{pretty}");
        assert_eq!(
            Object::parse(pretty.as_bytes()).unwrap().to_compact(),
            o.to_compact()
        );
    }

    #[test]
    fn short_text_is_cut_and_escaped() {
        assert_eq!(short("ab\ncd", 10), "ab\\ncd");
        assert_eq!(short("abcdef", 3), "abc…");
    }
}
