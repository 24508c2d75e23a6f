//! Strict reading of JSON objects: the pieces the header and claims
//! parsers share.
//!
//! `serde_json` parses the JSON grammar ([RFC 8259]) for us, with a depth
//! limit (128), UTF-8 checks and escape handling. What it does not do is
//! refuse duplicate member names: a `serde_json::Map` keeps the last one.
//! JWS and JWT let a parser refuse them, and we do:
//!
//! > The Header Parameter names within the JOSE Header MUST be unique;
//! > JWS parsers MUST either reject JWSs with duplicate Header Parameter
//! > names or use a JSON parser that returns only the lexically last
//! > duplicate member name
//! > — [RFC 7515 §4] (and [RFC 7519 §4] for claim names)
//!
//! Names are compared after unescaping, so `"alg"` and `"\u0061lg"` are
//! the same name. [`NameSet`] borrows names from the input when they hold
//! no escape (the usual case), so it allocates nothing for a small object.
//!
//! [RFC 8259]: https://www.rfc-editor.org/rfc/rfc8259
//! [RFC 7515 §4]: https://www.rfc-editor.org/rfc/rfc7515#section-4
//! [RFC 7519 §4]: https://www.rfc-editor.org/rfc/rfc7519#section-4

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, Deserialize, Visitor};
use smallvec::SmallVec;

/// A string from the input: borrowed when it had no escapes, owned when
/// unescaping had to build it. (`Cow<str>`'s own `Deserialize` always
/// copies, which is why this exists.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Text<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A member value that should be a string: the string, or the JSON type
/// it had instead (checked later, at the stage whose rule it breaks).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MaybeText<'de> {
    Text(Cow<'de, str>),
    Other(&'static str),
}

impl<'de> MaybeText<'de> {
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            MaybeText::Text(s) => Some(s),
            MaybeText::Other(_) => None,
        }
    }

    /// What it is, for messages: the quoted (shortened) string or the type.
    pub(crate) fn describe(&self) -> String {
        match self {
            MaybeText::Text(s) => crate::error::shown(s),
            MaybeText::Other(t) => format!("a JSON {t}"),
        }
    }
}

impl<'de> Deserialize<'de> for MaybeText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeText::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeText::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeText::Text(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeText::Other("boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeText::Other("number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeText::Other("number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeText::Other("number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeText::Other("null"))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(MaybeText::Other("array"))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(MaybeText::Other("object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// The member names seen so far in one object, to refuse duplicates.
/// A short list while the object is small, a hash set past that, so a
/// hostile object with thousands of members costs linear time, not
/// quadratic.
#[derive(Debug, Default)]
pub(crate) struct NameSet<'de> {
    few: SmallVec<[Cow<'de, str>; 8]>,
    /// For the short list: one bit for each name in it, chosen by the
    /// name's length and last byte. A name whose bit is clear is not in
    /// the list, and goes in without being compared to any (the usual
    /// case: `sub`, `id` and `exp` have three different bits).
    bits: u64,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> NameSet<'de> {
    const FEW: usize = 16;

    /// The bit of `name` in `bits`.
    fn bit(name: &str) -> u64 {
        let last = name.as_bytes().last().copied().unwrap_or(0);
        1 << ((name.len() * 5 + usize::from(last)) % 64)
    }

    /// Adds `name`; `false` if it was already there.
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(name);
        }
        let bit = Self::bit(&name);
        if self.bits & bit != 0 && self.few.contains(&name) {
            return false;
        }
        self.bits |= bit;
        self.few.push(name);
        if self.few.len() > Self::FEW {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        match &self.many {
            Some(set) => set.contains(name),
            None => self.bits & Self::bit(name) != 0 && self.few.iter().any(|n| n == name),
        }
    }
}

/// The error a visitor reports for a duplicate member.
pub(crate) fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format_args!(
        "duplicate member name {} (RFC 7515 §4, RFC 7519 §4)",
        crate::error::shown(name)
    ))
}

/// Any JSON value, read and dropped. Unlike `serde::Skip`
/// (which `serde_json` skips without a depth limit), this goes through
/// `deserialize_any`, so `serde_json`'s nesting limit of 128 applies: a
/// header or claims set nested deeper is refused, the same way whichever
/// member holds it ([RFC 8259 §9] lets a parser limit nesting depth).
///
/// [RFC 8259 §9]: https://www.rfc-editor.org/rfc/rfc8259#section-9
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
                while seq.next_element::<Skip>()?.is_some() {}
                Ok(Skip)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(Skip)
            }
        }
        d.deserialize_any(V)
    }
}

/// A member value that should be a string or a list of strings (`aud`,
/// `crit`): what it is, with any other JSON type named.
#[derive(Debug)]
pub(crate) enum TextOrList<'de> {
    /// A string.
    Text(Cow<'de, str>),
    /// An array, each member a string or the type it had instead.
    List(SmallVec<[MaybeText<'de>; 2]>),
    /// Any other JSON type, by name.
    Other(&'static str),
}

impl<'de> Deserialize<'de> for TextOrList<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextOrList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = SmallVec::new();
                while let Some(item) = seq.next_element::<MaybeText<'de>>()? {
                    list.push(item);
                }
                Ok(TextOrList::List(list))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TextOrList::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TextOrList::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TextOrList::Other("boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TextOrList::Other("number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TextOrList::Other("number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TextOrList::Other("number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TextOrList::Other("null"))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(TextOrList::Other("object"))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_set_finds_duplicates_small_and_large() {
        let mut set = NameSet::default();
        for i in 0..100 {
            assert!(set.insert(Cow::Owned(format!("n{i}"))));
        }
        assert!(!set.insert(Cow::Borrowed("n5")));
        assert!(!set.insert(Cow::Borrowed("n99")));
        assert!(set.contains("n42"));
        assert!(!set.contains("n100"));

        // Names that share a bit (same length, same last byte) are still
        // told apart, and a repeat of either is found.
        let mut set = NameSet::default();
        assert_eq!(NameSet::bit("xa"), NameSet::bit("ya"));
        assert!(set.insert(Cow::Borrowed("xa")));
        assert!(set.insert(Cow::Borrowed("ya")));
        assert!(!set.insert(Cow::Borrowed("xa")));
        assert!(!set.insert(Cow::Owned("ya".into())));
        assert!(set.insert(Cow::Borrowed("")));
        assert!(!set.insert(Cow::Borrowed("")));
        assert!(set.contains("ya") && !set.contains("za"));
    }

    #[test]
    fn text_borrows_unescaped_strings_and_unescapes_others() {
        let t: Text = serde_json::from_str(r#""alg""#).unwrap();
        assert!(matches!(t.0, Cow::Borrowed("alg")));
        let t: Text = serde_json::from_str(r#""\u0061lg""#).unwrap();
        assert_eq!(t.0, "alg");
    }

    #[test]
    fn maybe_text_names_the_type_it_found() {
        for (json, found) in [
            ("1", "number"),
            ("null", "null"),
            ("[1]", "array"),
            ("{}", "object"),
            ("true", "boolean"),
        ] {
            let v: MaybeText = serde_json::from_str(json).unwrap();
            assert_eq!(v, MaybeText::Other(found));
        }
    }
}
