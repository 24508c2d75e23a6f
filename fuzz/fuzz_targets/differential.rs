//! `differential`: the same signed tokens to barejwt and to jsonwebtoken 12.
//!
//! The input is the header JSON and the payload JSON, split at the first
//! 0xFF byte (never part of UTF-8); without one, the header is
//! `{"alg":"HS256"}` and the input is the payload. The target encodes both
//! and signs them with the one key (as `decode`'s signing-input mode does),
//! so every token passes stage 5 and the fuzzer reaches the header and
//! claims rules of both libraries. Both verify with HS256 only, no leeway,
//! no required claims and no audience, `nbf` checked (jsonwebtoken's default
//! is not to), on the system clock.
//!
//! Oracle: the two agree, or the disagreement is one of the named rules
//! below, each with its RFC clause and a vector of `vectors/` that shows
//! it. [`STRICTER`] lists what barejwt refuses on purpose and jsonwebtoken
//! accepts; [`FINDINGS`] what jsonwebtoken refuses that the RFCs allow
//! (and the vector format expects accepted). A disagreement that no rule
//! explains panics: a new kind, to be named here and made a vector. When
//! both accept, the claims must be the same JSON value.
#![no_main]

use barejwt::{Algorithm, Clock, HmacKey, Validation, base64url, decode, jws};
use jsonwebtoken::{DecodingKey, errors::ErrorKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;

const SECRET: &[u8] = b"barejwt differential fuzz key (32+ bytes)";

/// A rule that explains a disagreement.
struct Rule {
    name: &'static str,
    rfc: &'static str,
    vector: &'static str,
    /// Whether it explains this disagreement.
    applies: fn(&Case) -> bool,
}

/// One token and both verdicts.
struct Case<'a> {
    header: Option<Value>,
    payload: Option<Value>,
    ours: &'a Result<Value, barejwt::Error>,
    theirs: &'a Result<Value, jsonwebtoken::errors::Error>,
}

impl Case<'_> {
    fn our_code(&self) -> &str {
        self.ours.as_ref().err().map_or("", |e| e.code())
    }
    fn our_message(&self) -> String {
        self.ours
            .as_ref()
            .err()
            .map_or(String::new(), ToString::to_string)
    }
    fn their_kind(&self) -> Option<&ErrorKind> {
        self.theirs.as_ref().err().map(|e| e.kind())
    }
    fn claim(&self, name: &str) -> Option<&Value> {
        self.payload.as_ref().and_then(|p| p.get(name))
    }
    fn header_member(&self, name: &str) -> Option<&Value> {
        self.header.as_ref().and_then(|h| h.get(name))
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// barejwt refuses, jsonwebtoken accepts: barejwt's strictness rules.
const STRICTER: &[Rule] = &[
    Rule {
        name: "tokens longer than the verifier's limit (8192 bytes by default) are refused before parsing",
        rfc: "RFC 8259 §9 (\"An implementation may set limits on the size of texts that it accepts\"); jsonwebtoken has no limit",
        vector: "negative-structure.json struct-too-large-by-one",
        applies: |c| c.our_code() == "too_large",
    },
    Rule {
        name: "duplicate member names are refused",
        rfc: "RFC 7515 §4 (\"Header Parameter names within the JOSE Header MUST be unique\"), RFC 7519 §4 (claim names MUST be unique); RFC 8259 §4",
        vector: "negative-header.json hdr-dup-typ, negative-claims.json claims-dup-custom",
        applies: |c| c.our_code() == "malformed" && c.our_message().contains("duplicate"),
    },
    Rule {
        name: "crit must be understood and well formed",
        rfc: "RFC 7515 §4.1.11 (\"the JWS is invalid\" if a listed extension is not understood)",
        vector: "negative-header.json hdr-crit-exp, hdr-crit-names-alg",
        applies: |c| {
            c.header_member("crit").is_some()
                && matches!(c.our_code(), "malformed" | "unsupported_critical")
        },
    },
    Rule {
        name: "an aud the verifier does not name is refused",
        rfc: "RFC 7519 §4.1.3 (\"If the principal ... does not identify itself with a value in the aud claim ..., then the JWT MUST be rejected\")",
        vector: "negative-claims.json claims-aud-unrequested-string, claims-aud-number",
        applies: |c| c.claim("aud").is_some() && c.our_code() == "invalid_audience",
    },
    Rule {
        name: "iat, exp and nbf must be NumericDates (JSON numbers)",
        rfc: "RFC 7519 §4.1.4-§4.1.6 (\"Its value MUST be a number containing a NumericDate value\")",
        vector: "negative-claims.json claims-iat-string",
        applies: |c| {
            c.our_code() == "invalid_claim"
                && ["iat", "exp", "nbf"]
                    .iter()
                    .any(|n| c.claim(n).is_some_and(|v| !v.is_number()))
        },
    },
    Rule {
        name: "a token is expired at exp itself",
        rfc: "RFC 7519 §4.1.4 (\"the current date/time MUST be before the expiration date/time\")",
        vector: "negative-claims.json claims-exp-equals-now",
        applies: |c| {
            c.our_code() == "expired"
                && c.claim("exp")
                    .and_then(Value::as_f64)
                    .is_some_and(|exp| exp <= now() && now() < exp + 2.0)
        },
    },
    Rule {
        name: "JSON nesting is bounded",
        rfc: "RFC 8259 §9 (\"An implementation may set limits on the maximum depth of nesting\")",
        vector: "negative-header.json hdr-deep-nesting-200",
        applies: |c| c.our_code() == "malformed" && c.our_message().contains("deep"),
    },
    Rule {
        name: "the claims set must be a JSON object",
        rfc: "RFC 7519 §7.2 step 10 (the JWT Claims Set is a JSON object)",
        vector: "negative-claims.json claims-payload-array",
        applies: |c| {
            c.our_code() == "malformed" && c.payload.as_ref().is_some_and(|p| !p.is_object())
        },
    },
];

/// jsonwebtoken refuses what the RFCs allow and barejwt accepts.
const FINDINGS: &[Rule] = &[
    Rule {
        name: "jsonwebtoken acts on b64: false even when crit does not list it",
        rfc: "RFC 7515 §4 (parameters not understood and not critical MUST be ignored); RFC 7797 §6 (b64 belongs in crit)",
        vector: "edge-valid.json edge-header-b64-false-not-critical",
        applies: |c| {
            matches!(c.their_kind(), Some(ErrorKind::InvalidToken))
                && c.header_member("b64").is_some()
        },
    },
    Rule {
        name: "jsonwebtoken cannot parse a claims set whose unchecked sub, iss or aud has another JSON type (its TryParse swallows the error mid-value, and the JSON parse then fails)",
        rfc: "RFC 7519 §4.1.1-§4.1.3 (the claims are checked only by an application that uses them)",
        vector: "negative-claims.json claims-sub-array-unchecked",
        applies: |c| {
            matches!(c.their_kind(), Some(ErrorKind::Json(_)))
                && ["sub", "iss", "aud"]
                    .iter()
                    .any(|n| c.claim(n).is_some_and(|v| !v.is_string()))
        },
    },
    Rule {
        name: "jsonwebtoken refuses NumericDates outside 0..2^64 seconds (negative, huge); fractions it rounds",
        rfc: "RFC 7519 §2 (NumericDate: \"non-integer values can be represented\"), §4.1.4",
        vector: "negative-claims.json claims-exp-huge, claims-nbf-negative",
        applies: |c| {
            matches!(c.their_kind(), Some(ErrorKind::InvalidClaimFormat(_)))
                && ["exp", "nbf"].iter().any(|n| {
                    c.claim(n)
                        .is_some_and(|v| v.is_number() && v.as_u64().is_none())
                })
        },
    },
    Rule {
        name: "jsonwebtoken refuses a header whose registered parameters have another JSON type, even unused ones",
        rfc: "RFC 7515 §4.1 (the types of registered Header Parameters); barejwt type-checks only those it uses",
        vector: "negative-keys.json key-single-hex-kid-number",
        applies: |c| {
            matches!(c.their_kind(), Some(ErrorKind::Json(_)))
                && c.header.as_ref().is_some_and(|h| {
                    [
                        "typ", "cty", "kid", "jku", "x5u", "x5t", "x5t#S256", "x5c", "jwk", "enc",
                        "zip", "url", "nonce",
                    ]
                    .iter()
                    .any(|n| h.get(*n).is_some_and(|v| !v.is_string()))
                })
        },
    },
];

/// Says on stderr, once per rule, that the fuzzer found a disagreement of
/// that kind (the run's log then shows which rules were seen).
fn seen(rule: &Rule) {
    static SEEN: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    if SEEN.lock().is_ok_and(|mut s| s.insert(rule.name)) {
        eprintln!(
            "differential: rule seen: {} ({}; vector {})",
            rule.name, rule.rfc, rule.vector
        );
    }
}

/// The first rule of `rules` that explains the case.
fn explained(rules: &'static [Rule], case: &Case) -> bool {
    match rules.iter().find(|r| (r.applies)(case)) {
        Some(rule) => {
            seen(rule);
            true
        }
        None => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let (header, payload): (&[u8], &[u8]) = match data.iter().position(|&b| b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (br#"{"alg":"HS256"}"#, data),
    };
    let key =
        HmacKey::new(Algorithm::HS256, SECRET).expect("the secret is 41 bytes, above HS256's 32");
    let Ok(token) = jws::sign_encoded(
        &base64url::encode(header),
        &base64url::encode(payload),
        &key,
    ) else {
        return;
    };
    let validation = Validation::new(Algorithm::HS256).clock(Clock::System);
    let ours = decode::<Value, _>(&token, &key, &validation).map(|v| v.claims);
    let mut theirs_v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    theirs_v.leeway = 0;
    theirs_v.required_spec_claims.clear();
    // jsonwebtoken checks nbf only when asked (its default is false);
    // barejwt always does: ask, so that the difference is not a setting.
    theirs_v.validate_nbf = true;
    let their_key = DecodingKey::from_secret(SECRET).expect("an HMAC secret");
    let theirs = jsonwebtoken::decode::<Value>(&token, &their_key, &theirs_v).map(|t| t.claims);
    let case = Case {
        header: serde_json::from_slice(header).ok(),
        payload: serde_json::from_slice(payload).ok(),
        ours: &ours,
        theirs: &theirs,
    };
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "both accept, with other claims: {token}"),
        (Err(_), Err(_)) => {}
        (Err(_), Ok(_)) => {
            if !explained(STRICTER, &case) {
                panic!(
                    "a new disagreement: barejwt refuses ({:?}), jsonwebtoken accepts\nheader {:?}\npayload {:?}",
                    ours.as_ref().err(),
                    String::from_utf8_lossy(header),
                    String::from_utf8_lossy(payload)
                );
            }
        }
        (Ok(_), Err(e)) => {
            if !explained(FINDINGS, &case) {
                panic!(
                    "a new disagreement: jsonwebtoken refuses ({e:?}), barejwt accepts\nheader {:?}\npayload {:?}",
                    String::from_utf8_lossy(header),
                    String::from_utf8_lossy(payload)
                );
            }
        }
    }
});
