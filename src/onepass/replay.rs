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
            self.ask().$method($($arg,)* visitor)
        }
    )*};
}

/// A request for a number: `serde_json` reads digits that fit a `u64` as
/// one and calls `visit_u64` whatever the number type asked for
/// (`Deserializer::deserialize_number`), so Replay does the same.
macro_rules! number {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self.plain {
                Some(Plain::Unsigned(n)) => visitor.visit_u64(n),
                _ => self.ask().$method(visitor),
            }
        }
    )*};
}

/// A request for a string: `serde_json` hands a string without escapes to
/// `visit_borrowed_str` (`deserialize_str`, which `deserialize_string`,
/// `deserialize_char` and `deserialize_identifier` call).
macro_rules! string {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self.plain {
                Some(Plain::Str(s)) => visitor.visit_borrowed_str(s),
                _ => self.ask().$method(visitor),
            }
        }
    )*};
}

impl<'de> Replay<'de> {
    /// `serde_json`'s deserializer over the raw text, for it to answer.
    fn ask(self) -> Asked<'de> {
        Asked(serde_json::Deserializer::from_str(self.raw))
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
            _ => self.ask().deserialize_any(visitor),
        }
    }

    /// Not `null`, so `Some`, read from the same value.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.plain {
            Some(_) => visitor.visit_some(self),
            None => self.ask().deserialize_option(visitor),
        }
    }

    /// A member `T` does not read: `serde_json` checks and skips it, then
    /// calls `visit_unit`. The scan has read this value already.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    number! {
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_f32 deserialize_f64
    }

    string! {
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

/// `serde_json`'s deserializer over one value's raw text, which must hold
/// that value and nothing after it.
struct Asked<'de>(serde_json::Deserializer<serde_json::de::StrRead<'de>>);

macro_rules! then_end {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(mut self, $($arg: $ty,)* visitor: V) -> Result<V::Value, serde_json::Error> {
            let value = de::Deserializer::$method(&mut self.0, $($arg,)* visitor)?;
            self.0.end()?;
            Ok(value)
        }
    )*};
}

impl<'de> Asked<'de> {
    then_end! {
        deserialize_any() deserialize_option() deserialize_bool()
        deserialize_u8() deserialize_u16() deserialize_u32() deserialize_u64()
        deserialize_i8() deserialize_i16() deserialize_i32() deserialize_i64()
        deserialize_f32() deserialize_f64() deserialize_i128() deserialize_u128()
        deserialize_str() deserialize_string() deserialize_char() deserialize_identifier()
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
