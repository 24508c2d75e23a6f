//! A registered claim's value handed to the caller's type without being
//! parsed a second time.
//!
//! The scan reads a registered claim (`exp`, `sub`, …) as raw JSON text
//! and, for the two usual shapes, reads it whole ([`Plain`]: a string with
//! no escape, an unsigned integer). [`Replay`] then gives that value to
//! `T`'s `Deserialize` as `serde_json` itself would have: the same
//! visitor method with the same argument. For the requests where
//! `serde_json`'s answer depends on more than the value (a number asked
//! for as "anything", `i128`, bytes, an enum, a newtype, …), and for every
//! value that is not plain, it asks `serde_json`, over the raw text: so
//! what `T` receives never differs from what `serde_json::from_slice`
//! would have given it.

use serde::de::{self, Visitor};
use serde_json::de::StrRead;

use crate::claims::Plain;

/// The value of one member: its raw JSON text, and its plain reading if
/// it has one.
pub(super) struct Replay<'de> {
    pub(super) raw: &'de str,
    pub(super) plain: Option<Plain<'de>>,
}

/// Asks `serde_json`, over the raw text, for a request Replay does not
/// answer itself.
macro_rules! ask_serde_json {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            self.ask(|de| de.$method($($arg,)* visitor))
        }
    )*};
}

/// Requests answered from a plain value when it has the shape
/// `$plain`, with the visitor call `serde_json` makes for that shape;
/// any other value is left to `serde_json`:
/// - a number: `serde_json` reads digits that fit a `u64` as one and
///   calls `visit_u64` whatever the number type asked for
///   (`Deserializer::deserialize_number`);
/// - a string: `serde_json` hands a string without escapes to
///   `visit_borrowed_str` (`deserialize_str`, which `deserialize_string`,
///   `deserialize_char` and `deserialize_identifier` call).
macro_rules! plain {
    ($plain:pat => $visit:ident($value:ident): $($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self.plain {
                Some($plain) => visitor.$visit($value),
                _ => self.ask(|de| de.$method(visitor)),
            }
        }
    )*};
}

impl<'de> Replay<'de> {
    /// `request` made of `serde_json`'s deserializer over the raw text,
    /// which must hold that one value and nothing after it.
    fn ask<T>(
        self,
        request: impl FnOnce(
            &mut serde_json::Deserializer<StrRead<'de>>,
        ) -> Result<T, serde_json::Error>,
    ) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(self.raw);
        let value = request(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

impl<'de> de::Deserializer<'de> for Replay<'de> {
    type Error = serde_json::Error;

    /// Only a string is answered here: what `serde_json` gives for a
    /// number asked for as "anything" depends on its cargo features
    /// (`arbitrary_precision`).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.plain {
            Some(Plain::Str(s)) => visitor.visit_borrowed_str(s),
            _ => self.ask(|de| de.deserialize_any(visitor)),
        }
    }

    /// Not `null`, so `Some`, read from the same value.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.plain {
            Some(_) => visitor.visit_some(self),
            None => self.ask(|de| de.deserialize_option(visitor)),
        }
    }

    /// A member `T` does not read: `serde_json` checks and skips it, then
    /// calls `visit_unit`. The scan has read this value already.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    plain! {
        Plain::Unsigned(n) => visit_u64(n):
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_f32 deserialize_f64
    }

    plain! {
        Plain::Str(s) => visit_borrowed_str(s):
        deserialize_str deserialize_string deserialize_char deserialize_identifier
    }

    ask_serde_json! {
        deserialize_bool() deserialize_i128() deserialize_u128()
        deserialize_bytes() deserialize_byte_buf() deserialize_unit() deserialize_seq()
        deserialize_map()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_struct(name: &'static str, fields: &'static [&'static str])
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }
}
