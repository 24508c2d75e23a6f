//! What the token debugger page shows beside the walk, computed here so
//! that the page draws and never computes: each segment decoded as far as
//! it decodes (a partial token included), a table of the claims with
//! their meaning ([RFC 7519 §4.1]) and their times in words, and the
//! warnings a careful reviewer would give.
//!
//! None of this decides anything: a token is valid when [`crate::decode`]
//! says so, and the walk's [`super::Verdict`] is that answer.
//!
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1

use serde::Serialize;
use serde_json::Value;

use super::Key;
use super::object::Object;
use super::show::{hex, printable};
use super::time::{date, gap};
use crate::base64url;
use crate::hmac::Algorithm;
use crate::key::Kid;
use crate::validation::{Validation, expired, not_yet_valid};

/// One dot-separated piece of a token, decoded as far as it goes.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// `header`, `payload`, `signature`, or `extra` past the third.
    pub name: &'static str,
    /// Its first byte in the token.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// Its text (non-printable bytes as `·`, cut after 8 KiB).
    pub text: String,
    /// What it decodes to, as UTF-8 text when it is, else as hex.
    pub decoded: Option<String>,
    /// Whether `decoded` is hex.
    pub hex: bool,
    /// Pretty JSON, members in order, when it is a JSON object.
    pub json: Option<String>,
    /// Why it does not decode.
    pub error: Option<String>,
}

/// Splits at every dot and decodes what decodes: a token that is cut
/// short, or has one segment too many, still shows its readable parts.
pub fn segments(token: &[u8]) -> Vec<Segment> {
    const NAMES: [&str; 3] = ["header", "payload", "signature"];
    let mut out = Vec::new();
    let mut start = 0;
    // Bounded by the number of dots, which the caller bounds by size.
    for (i, piece) in token.split(|&b| b == b'.').enumerate() {
        let name = NAMES.get(i).copied().unwrap_or("extra");
        let end = start + piece.len();
        let mut seg = Segment {
            name,
            start,
            end,
            text: printable(piece, 8192),
            decoded: None,
            hex: false,
            json: None,
            error: None,
        };
        match base64url::decode(piece) {
            Ok(bytes) => {
                match std::str::from_utf8(&bytes) {
                    Ok(text) if name != "signature" => seg.decoded = Some(text.to_owned()),
                    _ => {
                        seg.decoded = Some(hex(&bytes));
                        seg.hex = true;
                    }
                }
                if name != "signature" {
                    seg.json = Object::parse(&bytes).ok().map(|o| o.to_pretty());
                }
            }
            Err(e) => seg.error = Some(e.to_string()),
        }
        out.push(seg);
        start = end + 1;
    }
    out
}

/// One registered or private claim, for a table.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    /// The claim's name.
    pub name: String,
    /// Its value as compact JSON.
    pub value: String,
    /// What it means: "Expiration Time", or "a private claim".
    pub meaning: &'static str,
    /// Where that is defined.
    pub rfc: &'static str,
    /// For `exp`, `nbf`, `iat`: the date, in UTC.
    pub date: Option<String>,
    /// For `exp`, `nbf`, `iat`: "expires in 20 minutes", "expired 320 days
    /// ago", measured on the verifier's clock.
    pub relative: Option<String>,
}

/// The claims of `payload` (unverified: this only reads them), one row
/// each, in the order written; `None` if it is not a JSON object.
pub fn claims_table(payload: &[u8], v: &Validation) -> Option<Vec<ClaimRow>> {
    let claims = Object::parse(payload).ok()?;
    let now = v.clock.now();
    let t = now as f64;
    Some(
        claims
            .0
            .iter()
            .map(|(name, member)| {
                let (meaning, rfc) = meaning(name);
                let time = match name.as_str() {
                    "exp" | "nbf" | "iat" => member.as_f64(),
                    _ => None,
                };
                let relative = time.map(|at| match name.as_str() {
                    "exp" if expired(at, now, 0) => format!("expired {} ago", gap(t - at)),
                    "exp" => format!("expires in {}", gap(at - t)),
                    "nbf" if not_yet_valid(at, now, 0) => format!("valid in {}", gap(at - t)),
                    "nbf" => format!("valid since {} ago", gap(t - at)),
                    _ if at > t => format!("issued {} from now", gap(at - t)),
                    _ => format!("issued {} ago", gap(t - at)),
                });
                ClaimRow {
                    name: name.clone(),
                    value: member.text(),
                    meaning,
                    rfc,
                    date: time.map(date),
                    relative,
                }
            })
            .collect(),
    )
}

/// The registered claims of RFC 7519 §4.1, by name.
fn meaning(name: &str) -> (&'static str, &'static str) {
    match name {
        "iss" => ("Issuer: who made the token", "RFC 7519 §4.1.1"),
        "sub" => ("Subject: whom it is about", "RFC 7519 §4.1.2"),
        "aud" => ("Audience: who may accept it", "RFC 7519 §4.1.3"),
        "exp" => (
            "Expiration Time: not accepted on or after it",
            "RFC 7519 §4.1.4",
        ),
        "nbf" => ("Not Before: not accepted before it", "RFC 7519 §4.1.5"),
        "iat" => ("Issued At: when it was made", "RFC 7519 §4.1.6"),
        "jti" => ("JWT ID: a unique identifier", "RFC 7519 §4.1.7"),
        _ => (
            "a private claim: meaningful to its producer and consumer only",
            "RFC 7519 §4.3",
        ),
    }
}

/// Something a careful reviewer would point out. Not an error: a token
/// with warnings may be valid, and one without may not be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// A stable name: `short_key`, `alg_none`, `no_exp`, `aud_not_named`,
    /// `partial_token`, `unverified`.
    pub code: &'static str,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The RFC clause behind it.
    pub rfc: &'static str,
}

/// The warnings for `token` checked by `v` with `key` (or without).
pub fn warnings(token: &[u8], key: Option<&Key>, v: &Validation) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |code, rfc, message: String| out.push(Warning { code, message, rfc });
    let segs = segments(token);
    if segs.len() < 3 {
        warn(
            "partial_token",
            "RFC 7515 §7.1",
            format!(
                "{} of the 3 segments: a compact JWS is header.payload.signature; what decodes is shown",
                segs.len()
            ),
        );
    }
    let header = segs
        .first()
        .and_then(|s| s.decoded.as_deref())
        .and_then(|h| serde_json::from_str::<Value>(h).ok());
    let alg = header
        .as_ref()
        .and_then(|h| h.get("alg"))
        .and_then(Value::as_str);
    if alg == Some("none") {
        warn(
            "alg_none",
            "RFC 8725 §3.2",
            "alg \"none\": an unsecured token anyone can write; never accept it".into(),
        );
    }
    if key.is_none() {
        warn(
            "unverified",
            "RFC 7515 §5.2",
            "no key: the signature is not checked, so nothing here can be trusted".into(),
        );
    }
    if let (Some(key), Some(alg)) = (key, alg.and_then(Algorithm::from_name)) {
        let kid = Kid::of(header.as_ref().and_then(|h| h.get("kid")));
        if let Some(secret) = key.secret_for(kid)
            && secret.len() < alg.output_len()
        {
            warn(
                "short_key",
                "RFC 7518 §3.2",
                format!(
                    "the key is {} bytes, shorter than the {} bytes of the {} output: it can be guessed",
                    secret.len(),
                    alg.output_len(),
                    alg.hash_name()
                ),
            );
        }
    }
    let claims = segs
        .get(1)
        .and_then(|s| s.decoded.as_deref())
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(Value::is_object);
    if let Some(claims) = claims {
        if claims.get("exp").is_none() {
            warn(
                "no_exp",
                "RFC 7519 §4.1.4",
                "no exp: the token never expires, so a stolen copy works forever".into(),
            );
        }
        if let Some(aud) = claims.get("aud") {
            let names: Vec<&str> = match aud {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let named = v.aud.as_deref().is_some_and(|want| names.contains(&want));
            if !named {
                warn(
                    "aud_not_named",
                    "RFC 7519 §4.1.3",
                    match &v.aud {
                        Some(want) => format!("aud does not name this verifier ({want:?})"),
                        None => {
                            "aud names an audience, but this verifier names none (set aud)".into()
                        }
                    },
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3YW5nZXJnZSIsImlkIjoxLCJleHAiOjE3NjgxMzI0NTJ9.eiUqiVl8GHQx_bG61UvAzvAuuODInk5Szz5yPT5zkZs";

    #[test]
    fn a_partial_token_decodes_what_it_can() {
        let cut = &TOKEN[..TOKEN.rfind('.').unwrap()];
        let segs = segments(cut.as_bytes());
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].start, 37);
        assert!(segs[1].json.as_deref().unwrap().contains("\"wangerge\""));
        let codes: Vec<_> = warnings(cut.as_bytes(), None, &Validation::default())
            .iter()
            .map(|w| w.code)
            .collect();
        assert_eq!(codes, ["partial_token", "unverified"]);
        let broken = segments(b"eyJ=.e30");
        assert!(broken[0].error.is_some() && broken[1].json.is_some());
    }

    #[test]
    fn the_claims_table_gives_meanings_and_times_in_words() {
        let payload = br#"{"sub":"wangerge","id":1,"exp":1768132452}"#;
        let v = Validation::default().now(1768131252);
        let rows = claims_table(payload, &v).unwrap();
        assert_eq!(rows[0].rfc, "RFC 7519 §4.1.2");
        assert_eq!(rows[1].rfc, "RFC 7519 §4.3");
        assert_eq!(rows[2].date.as_deref(), Some("2026-01-11 11:54:12 UTC"));
        assert_eq!(rows[2].relative.as_deref(), Some("expires in 20 minutes"));
        let late = claims_table(payload, &Validation::default().now(1795783122)).unwrap();
        assert_eq!(late[2].relative.as_deref(), Some("expired 320 days ago"));
        assert!(claims_table(b"[1]", &v).is_none());
    }

    #[test]
    fn a_reviewer_warns_of_short_keys_none_missing_exp_and_audiences() {
        let v = Validation::default();
        let short = Key::Secret(b"secret".to_vec());
        let codes = |t: &str, k: Option<&Key>, v: &Validation| -> Vec<&'static str> {
            warnings(t.as_bytes(), k, v)
                .iter()
                .map(|w| w.code)
                .collect()
        };
        assert_eq!(codes(TOKEN, Some(&short), &v), ["short_key"]);
        let long = Key::Secret(vec![7; 32]);
        assert!(codes(TOKEN, Some(&long), &v).is_empty());
        let none = format!(
            "{}.{}.",
            base64url::encode(br#"{"alg":"none"}"#),
            base64url::encode(br#"{"aud":"x"}"#)
        );
        assert_eq!(
            codes(&none, Some(&long), &v),
            ["alg_none", "no_exp", "aud_not_named"]
        );
        assert_eq!(
            codes(&none, Some(&long), &v.clone().audience("x")),
            ["alg_none", "no_exp"]
        );
    }
}
