//! A JSON object as written, for display: its top-level members in order
//! (serde_json's own map sorts them), names unique.
//!
//! > The Claim Names within a JWT Claims Set MUST be unique
//! > — [RFC 7519 §4]
//!
//! RFC 7515 §4 says the same of header names. So a duplicate name is an
//! error here too, found with a set of the names seen (not by comparing
//! each name with every other).
//!
//! The verifier never uses this: it reads headers and claims with its own
//! one-pass readers (`jws`, `claims`). This is only how explain shows them.
//!
//! [RFC 7519 §4]: https://www.rfc-editor.org/rfc/rfc7519#section-4

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::show::terminal_safe;

/// A JSON object: its members in the order written.
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

    /// A JSON number as f64 (`1e400` becomes infinity, as in the verifier).
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

    /// Pretty JSON, members in order, safe for a terminal.
    pub fn to_pretty(&self) -> String {
        terminal_safe(&serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into()))
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
                let mut seen = BTreeSet::new();
                while let Some(name) = map.next_key::<String>()? {
                    if !seen.insert(name.clone()) {
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
}
