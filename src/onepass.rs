//! Reading a claims set once: the caller's type and the validation's
//! registered claims from a single parse.
//!
//! [`crate::claims`] describes the two readings of a verified payload: a
//! strict scan (unique names, the registered claims), then serde into the
//! caller's type `T`. Both are correct on their own; together they parse
//! the payload twice. This module gets both from one parse, by standing
//! between `serde_json` and `T`'s `Deserialize`:
//!
//! - every member name `T` asks for is first noted by the scan (a
//!   duplicate is refused; the validation later finds its required claims
//!   among the names noted), then handed to `T` as a string;
//! - the value of a registered claim (`exp`, `nbf`, `iat`, `iss`, `sub`,
//!   `aud`) is read once as raw JSON text, recorded by the scan, and handed
//!   to `T` from that text (`replay`: a plain string or integer, already
//!   read by the scan, is given to `T`'s visitor as `serde_json` would give
//!   it, without a second parse); every other value goes straight to `T`.
//!
//! # Same answers as the two readings
//!
//! This is an optimization, so it must never change a verdict. It is used
//! only when it provably agrees with the two-pass reading, and falls back
//! to that reading otherwise:
//! - any error on the way (a duplicate, a bad type in `T`, trailing bytes)
//!   falls back, so the error reported is the one the two readings give,
//!   in their order (a `malformed` claims set before an `expired` one
//!   before a mismatch with `T`);
//! - a payload with more than [`MAX_OPENERS`] `[` or `{` bytes falls back:
//!   `T` may skip a member without `serde_json`'s nesting limit, which the
//!   scan applies, and below that count no nesting can reach the limit;
//! - a `T` that does not read a JSON object as a map (a `RawValue`, say)
//!   gets its value, and the scan runs on its own.

mod replay;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

use crate::claims::{Claim, Scan, registered};
use crate::error::{Error, Part};
use crate::json::Text;
use crate::validation::Validation;
use replay::Replay;

/// Payloads with more `[` and `{` bytes than this take the two-pass
/// reading (see the module docs); `serde_json`'s nesting limit is 128.
pub(crate) const MAX_OPENERS: usize = 100;

/// Stage 6: the claims set read into `T` and validated.
pub(crate) fn read<T: DeserializeOwned>(payload: &[u8], v: &Validation) -> Result<T, Error> {
    once(payload, v).unwrap_or_else(|| two_pass(payload, v))
}

/// The one-parse reading, or `None` where it must leave the answer to
/// [`two_pass`] (see the module docs).
fn once<T: DeserializeOwned>(payload: &[u8], v: &Validation) -> Option<Result<T, Error>> {
    // (A payload no longer than the limit cannot hold more openers: the
    // usual claims set is not even counted.)
    if payload.len() > MAX_OPENERS
        && memchr::memchr2_iter(b'[', b'{', payload).count() > MAX_OPENERS
    {
        return None;
    }
    // UTF-8 is checked once, here, for the whole payload; `serde_json`
    // reading a `str` then checks no string again (it would, one string at
    // a time, reading bytes).
    let text = std::str::from_utf8(payload).ok()?;
    let mut state = State {
        scan: Scan::default(),
        read_as_map: false,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let claims = T::deserialize(Tee {
        de: &mut de,
        state: &mut state,
    })
    .and_then(|t| de.end().map(|()| t))
    .ok()?;
    let checked = if state.read_as_map {
        v.check_claims(&state.scan)
    } else {
        Scan::read(payload).and_then(|scan| v.check_claims(&scan))
    };
    Some(checked.map(|()| claims))
}

/// The reference reading: scan, validate, then `T`.
pub(crate) fn two_pass<T: DeserializeOwned>(payload: &[u8], v: &Validation) -> Result<T, Error> {
    let scan = Scan::read(payload)?;
    v.check_claims(&scan)?;
    drop(scan);
    serde_json::from_slice::<T>(payload).map_err(|e| {
        Error::malformed(
            Part::Claims,
            format!("does not fit the expected claims type: {e}"),
        )
    })
}

struct State<'de> {
    scan: Scan<'de>,
    /// Set once `T` has read the whole object through [`TeeMap`].
    read_as_map: bool,
}

/// The deserializer `T` sees: `serde_json`'s, with maps read through
/// [`TeeMap`].
struct Tee<'a, 'de> {
    de: &'a mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
    state: &'a mut State<'de>,
}

/// Every other request goes to `serde_json` as it is.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
            self.de.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Tee<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let state = self.state;
        self.de.deserialize_any(TeeVisitor { visitor, state })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let state = self.state;
        self.de.deserialize_map(TeeVisitor { visitor, state })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let state = self.state;
        self.de
            .deserialize_struct(name, fields, TeeVisitor { visitor, state })
    }

    forward! {
        deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32()
        deserialize_i64() deserialize_i128() deserialize_u8() deserialize_u16()
        deserialize_u32() deserialize_u64() deserialize_u128() deserialize_f32()
        deserialize_f64() deserialize_char() deserialize_str() deserialize_string()
        deserialize_bytes() deserialize_byte_buf() deserialize_option() deserialize_unit()
        deserialize_seq() deserialize_identifier() deserialize_ignored_any()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }
}

/// `T`'s visitor, with the map it is given wrapped in [`TeeMap`]. Anything
/// but a map is refused, so the two-pass reading reports it.
struct TeeVisitor<'a, 'de, V> {
    visitor: V,
    state: &'a mut State<'de>,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TeeVisitor<'_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let value = self.visitor.visit_map(TeeMap {
            map,
            state: &mut *self.state,
            claim: None,
        })?;
        self.state.read_as_map = true;
        Ok(value)
    }
}

/// The object's members, each name noted and each registered claim
/// recorded on its way to `T`.
struct TeeMap<'a, 'de, A> {
    map: A,
    state: &'a mut State<'de>,
    /// The registered claim whose value comes next, if the last name was one.
    claim: Option<Claim>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TeeMap<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(Text(name)) = self.map.next_key::<Text<'de>>()? else {
            return Ok(None);
        };
        self.state.scan.note_name(name.clone())?;
        self.claim = registered(&name);
        match name {
            Cow::Borrowed(s) => seed.deserialize(BorrowedStrDeserializer::new(s)),
            Cow::Owned(s) => seed.deserialize(StringDeserializer::new(s)),
        }
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let Some(claim) = self.claim.take() else {
            return self.map.next_value_seed(seed);
        };
        let raw: &'de RawValue = self.map.next_value()?;
        let plain = self.state.scan.record(claim, raw)?;
        seed.deserialize(Replay {
            raw: raw.get(),
            plain,
        })
        .map_err(de::Error::custom)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Claims {
        sub: String,
        id: i64,
        exp: f64,
    }

    /// `read` gives what the two-pass reading gives, and so does the
    /// one-parse path itself whenever it answers.
    fn both<T: DeserializeOwned + PartialEq + fmt::Debug>(payload: &str, v: &Validation) {
        let read = read::<T>(payload.as_bytes(), v).map_err(|e| e.code());
        let twice = two_pass::<T>(payload.as_bytes(), v).map_err(|e| e.code());
        assert_eq!(read, twice, "{payload}");
        if let Some(one) = once::<T>(payload.as_bytes(), v) {
            assert_eq!(one.map_err(|e| e.code()), twice, "{payload}");
        }
    }

    #[test]
    fn agrees_with_the_two_pass_reading() {
        let v = Validation::default()
            .now(100)
            .require(["sub"])
            .issuer("joe");
        let deep = format!(
            r#"{{"sub":"a","id":1,"exp":200,"iss":"joe","x":{}{}}}"#,
            "[".repeat(150),
            "]".repeat(150)
        );
        for payload in [
            r#"{"sub":"a","id":1,"exp":200,"iss":"joe"}"#,
            r#"{"sub":"a","id":1,"exp":100,"iss":"joe"}"#,
            r#"{"sub":"a","id":"1","exp":200,"iss":"joe"}"#,
            r#"{"sub":"a","id":1,"exp":"200","iss":"joe"}"#,
            r#"{"sub":"a","id":1,"exp":200,"iss":"jane"}"#,
            r#"{"sub":"a","id":1,"exp":200}"#,
            r#"{"sub":"a","id":1,"exp":200,"iss":"joe","sub":"b"}"#,
            r#"{"sub":"a","id":1,"exp":200,"iss":"joe","\u0069d":2}"#,
            r#"{"sub":"a","id":1,"exp":200,"iss":"joe","aud":["x",1]}"#,
            r#"{"sub":"a","id":1,"exp":1e400,"iss":"joe"}"#,
            r#"{"sub":"a","id":1,"exp":200,"iss":"joe"} x"#,
            r#"[{"sub":"a","id":1,"exp":200,"iss":"joe"}]"#,
            r#"{"s\u0075b":"a","id":1,"exp":200,"iss":"joe","extra":{"deep":[1,2,{"x":null}]}}"#,
            &deep,
        ] {
            both::<Claims>(payload, &v);
            both::<serde_json::Value>(payload, &v);
            both::<crate::claims::RegisteredClaims>(payload, &v);
        }
    }

    /// Every way a caller's type may ask for a registered claim's value:
    /// the ones `Replay` answers itself, and the ones it leaves to
    /// `serde_json`.
    #[test]
    fn registered_claims_reach_every_kind_of_field_as_serde_json_gives_them() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Optional {
            sub: Option<String>,
            exp: Option<u64>,
            iat: Option<f64>,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct Narrow {
            sub: char,
            exp: u8,
            nbf: i32,
            iat: f32,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        enum Who {
            #[serde(rename = "a")]
            A,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct Seconds(u64);
        #[derive(Debug, PartialEq, Deserialize)]
        struct Shapes {
            sub: Who,
            exp: Seconds,
            iat: i128,
            iss: serde_json::Value,
            aud: Option<Vec<String>>,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct NoExp {
            sub: String,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct Ignores {
            id: u64,
        }
        let v = Validation::default().now(0);
        let for_y = Validation::default().now(0).audience("y");
        for payload in [
            r#"{"sub":"a","exp":200,"nbf":-1,"iat":7}"#,
            r#"{"sub":"ab","exp":300,"iat":1.5}"#,
            r#"{"sub":"\u0061","exp":18446744073709551615,"iat":1e3}"#,
            r#"{"sub":"a","exp":9999999999999999999,"iat":0,"iss":"x","aud":["y"]}"#,
            r#"{"sub":"a","exp":99999999999999999999,"iat":12345678901234567890}"#,
            r#"{"sub":null,"exp":null,"iat":null}"#,
            r#"{"sub":"a","exp":2.5,"iat":"3"}"#,
            r#"{"sub":"a","exp":0,"iat":0,"iss":7,"aud":"y","id":1}"#,
            r#"{"sub":"é","exp":1,"id":2}"#,
        ] {
            both::<Claims>(payload, &v);
            both::<Optional>(payload, &v);
            both::<Narrow>(payload, &v);
            both::<Shapes>(payload, &v);
            both::<NoExp>(payload, &v);
            both::<Ignores>(payload, &v);
            both::<serde_json::Value>(payload, &v);
            both::<crate::claims::RegisteredClaims>(payload, &v);
            both::<Shapes>(payload, &for_y);
        }
        // The plain shapes take the one-parse path (no fallback) into each
        // kind of field.
        let plain = br#"{"sub":"a","exp":200,"nbf":-1,"iat":7}"#;
        assert!(once::<Optional>(plain, &v).is_some_and(|r| r.is_ok()));
        assert!(once::<Narrow>(plain, &v).is_some_and(|r| r.is_ok()));
        let shapes = br#"{"sub":"a","exp":200,"iat":7,"iss":"x","aud":["y"]}"#;
        assert!(once::<Shapes>(shapes, &for_y).is_some_and(|r| r.is_ok()));
        assert!(once::<Ignores>(br#"{"sub":"a","exp":200,"id":1}"#, &v).is_some_and(|r| r.is_ok()));
        // And the answers are the values, not only the same verdicts.
        let got = read::<Optional>(br#"{"sub":"a","exp":200,"iat":1.5}"#, &v).unwrap();
        assert_eq!(
            got,
            Optional {
                sub: Some("a".into()),
                exp: Some(200),
                iat: Some(1.5)
            }
        );
        let got = read::<Narrow>(br#"{"sub":"z","exp":255,"nbf":-4,"iat":2}"#, &v).unwrap();
        assert_eq!(
            got,
            Narrow {
                sub: 'z',
                exp: 255,
                nbf: -4,
                iat: 2.0
            }
        );
    }

    #[test]
    fn the_usual_claims_take_the_one_parse_path() {
        let v = Validation::default().now(100).require(["sub"]);
        let payload = br#"{"sub":"wangerge","id":1,"exp":1768132452}"#;
        let got = once::<Claims>(payload, &v).expect("no fallback").unwrap();
        assert_eq!(
            got,
            Claims {
                sub: "wangerge".into(),
                id: 1,
                exp: 1768132452.0
            }
        );
        assert!(once::<serde_json::Value>(payload, &v).is_some());
        // Errors fall back, so the two-pass reading names them.
        assert!(once::<Claims>(br#"{"sub":"a","sub":"a","id":1,"exp":1}"#, &v).is_none());
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(101), "]".repeat(101));
        assert!(once::<serde_json::Value>(deep.as_bytes(), &v).is_none());
    }

    #[test]
    fn a_raw_value_gets_the_scan_on_its_own() {
        let v = Validation::default().now(100);
        let ok = read::<Box<RawValue>>(br#"{"exp":200}"#, &v).unwrap();
        assert_eq!(ok.get(), r#"{"exp":200}"#);
        assert_eq!(
            read::<Box<RawValue>>(br#"{"exp":100}"#, &v)
                .unwrap_err()
                .code(),
            "expired"
        );
        assert_eq!(
            read::<Box<RawValue>>(br#"{"a":1,"a":1}"#, &v)
                .unwrap_err()
                .code(),
            "malformed"
        );
    }

    #[test]
    fn values_reach_the_callers_type_intact() {
        let v = Validation::default().now(100).audience("a");
        let got = read::<serde_json::Value>(br#"{"aud":["a","b"],"exp":150.5,"n":{"k":[1]}}"#, &v)
            .unwrap();
        assert_eq!(got, json!({"aud":["a","b"],"exp":150.5,"n":{"k":[1]}}));
    }
}
