//! `claims`: structured input (`arbitrary`) makes a header, a claims set,
//! a key, validation settings and a clock; the target signs the token,
//! verifies it, and the verdict must be the one a small reference model of
//! the rules gives.
//!
//! The model ([`expected`]) is written from the stage table of
//! `barejwt::error` and the RFC text, not from the code: each stage is a
//! few lines in order, over values the target knows exactly (it wrote the
//! JSON itself). Time is compared in exact integer arithmetic, in quarter
//! seconds, so the model does not share the library's `f64` comparisons;
//! the generated times stay below 2^50 so that `f64` is exact too, and the
//! two must agree on every boundary (`now == exp + leeway` is expired,
//! RFC 7519 §4.1.4; `now == nbf - leeway` is valid, §4.1.5).
//!
//! The JSON is written with varied spellings the verdict must not depend
//! on: numbers as `5`, `5.0`, `5e0`, `50E-1`, `0.5e1`; strings with and
//! without `\u` escapes (also in member names: `"\u0065xp"` is `exp`).
#![no_main]

use arbitrary::Arbitrary;
use barejwt::{Algorithm, Clock, HmacKey, Validation, base64url, decode, hmac::Mac, jws};
use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use serde_json::Value;
use std::sync::Arc;

/// Strings for `iss`, `sub`, `aud`, `kid` and the verifier's settings:
/// few, so that the fuzzer meets equal and unequal pairs often.
const WORDS: [&str; 7] = [
    "alice",
    "Alice",
    "",
    "https://issuer.example",
    "é",
    "a\"b",
    "bob",
];
/// `typ` values in the header and in the validation (RFC 7515 §4.1.9).
const TYPS: [&str; 8] = [
    "JWT",
    "jwt",
    "application/jwt",
    "APPLICATION/JWT",
    "at+jwt",
    "application/at+jwt",
    "text/jwt",
    "",
];
/// Names a verifier may require.
const NAMES: [&str; 9] = ["exp", "nbf", "iat", "iss", "sub", "aud", "jti", "x", "Exp"];
/// Header `alg` values: the three we implement, and two we never accept.
const ALGS: [&str; 5] = ["HS256", "HS384", "HS512", "none", "hs256"];
/// Key lengths around each algorithm's minimum (RFC 7518 §3.2).
const KEY_LENS: [usize; 9] = [0, 1, 31, 32, 47, 48, 63, 64, 80];
/// The largest magnitude of a generated time: f64 is exact below 2^53,
/// and quarter seconds plus a leeway stay well inside.
const TIME_LIMIT: i64 = 1 << 45;

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Pick(u8);
impl Pick {
    fn of<T: Copy>(self, list: &[T]) -> T {
        list[usize::from(self.0) % list.len()]
    }
}

/// A time claim's value, as the target will write it.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Num {
    /// `now + delta` whole seconds.
    Near(i16),
    /// `now + delta` plus `quarters`/4 of a second.
    NearFraction(i16, u8),
    /// Any whole value within ±TIME_LIMIT.
    Far(i64),
    /// An exponent beyond f64: +infinity (`1e400`) or -infinity.
    Huge(bool),
    /// Not a number at all.
    NotNumber(Pick),
}

/// A claim that should be a string.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Str {
    Word(Pick),
    NotText(Pick),
}

#[derive(Arbitrary, Debug, Clone)]
enum AudIn {
    One(Str),
    List(Vec<Str>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    // The header.
    alg: Pick,
    typ: Option<Pick>,
    kid: Option<Pick>,
    crit: bool,
    // The claims set.
    exp: Option<Num>,
    nbf: Option<Num>,
    iat: Option<Num>,
    iss: Option<Str>,
    sub: Option<Str>,
    aud: Option<AudIn>,
    jti: Option<Str>,
    x: bool,
    /// Repeat one member (by index) at the end: a duplicate name.
    duplicate: Option<u8>,
    /// Escape the member names and strings with `\u`.
    escape: bool,
    /// The spelling of numbers.
    spelling: u8,
    // The key: the verifier's algorithm and length; sign with another secret?
    key_alg: Pick,
    key_len: Pick,
    other_secret: bool,
    // The validation.
    algorithms: u8,
    leeway: Leeway,
    v_iss: Option<Pick>,
    v_sub: Option<Pick>,
    v_aud: Option<Pick>,
    v_typ: Option<Pick>,
    required: Vec<Pick>,
    allow_weak: bool,
    max_token_bytes: Option<u16>,
    now: i64,
    custom_clock: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Leeway {
    Zero,
    Small(u8),
    Large(u32),
}

/// A generated value as the model sees it.
#[derive(Debug, Clone, PartialEq)]
enum Model {
    /// Quarter seconds (exact).
    Quarters(i128),
    PlusInfinity,
    MinusInfinity,
    Text(String),
    /// JSON that is not a number or string: its text.
    Other(&'static str),
}

const NOT_TEXT: [&str; 6] = ["null", "true", "1", "[]", "{}", "[\"alice\"]"];
const NOT_NUMBER: [&str; 6] = ["null", "false", "\"1700000000\"", "[]", "{}", "[1]"];

fn json_string(s: &str, escape: bool) -> String {
    if !escape {
        return serde_json::to_string(s).expect("a str serializes");
    }
    let mut out = String::from("\"");
    for u in s.encode_utf16() {
        out.push_str(&format!("\\u{u:04x}"));
    }
    out.push('"');
    out
}

/// Writes `v` (whole seconds `secs` plus `quarters`/4) in one of several
/// spellings, all denoting the same number (RFC 8259 §6).
fn json_number(secs: i64, quarters: u8, spelling: u8) -> String {
    let q = quarters % 4;
    if q != 0 {
        // secs + q/4, with secs possibly negative: the exact decimal.
        let total = i128::from(secs) * 4 + i128::from(q);
        let (sign, abs) = if total < 0 {
            ("-", -total)
        } else {
            ("", total)
        };
        let frac = ["0", "25", "5", "75"][(abs % 4) as usize];
        let int = abs / 4;
        return match spelling % 2 {
            0 => format!("{sign}{int}.{frac}"),
            // abs/4 = (abs * 25) / 100: an integer mantissa, no leading zero.
            _ => format!("{sign}{}e-2", abs * 25),
        };
    }
    match spelling % 5 {
        0 => secs.to_string(),
        1 => format!("{secs}.0"),
        2 => format!("{secs}e0"),
        3 if secs != 0 => format!("{secs}0E-1"),
        3 => "0E-1".into(),
        _ => {
            let (sign, abs) = if secs < 0 {
                ("-", secs.unsigned_abs())
            } else {
                ("", secs.unsigned_abs())
            };
            format!("{sign}0.{abs}e{}", abs.to_string().len())
        }
    }
}

fn time(n: Num, now: i64, spelling: u8) -> (String, Model) {
    let clamp = |v: i64| v.clamp(-TIME_LIMIT, TIME_LIMIT);
    match n {
        Num::Near(d) => {
            let v = clamp(now + i64::from(d));
            (
                json_number(v, 0, spelling),
                Model::Quarters(i128::from(v) * 4),
            )
        }
        Num::NearFraction(d, q) => {
            let v = clamp(now + i64::from(d));
            let q = q % 4;
            (
                json_number(v, q, spelling),
                Model::Quarters(i128::from(v) * 4 + i128::from(q)),
            )
        }
        Num::Far(v) => {
            let v = v % TIME_LIMIT;
            (
                json_number(v, 0, spelling),
                Model::Quarters(i128::from(v) * 4),
            )
        }
        Num::Huge(true) => ("1e400".into(), Model::PlusInfinity),
        Num::Huge(false) => ("-1e400".into(), Model::MinusInfinity),
        Num::NotNumber(p) => {
            let t = p.of(&NOT_NUMBER);
            (t.into(), Model::Other(t))
        }
    }
}

fn text(s: Str, escape: bool) -> (String, Model) {
    match s {
        Str::Word(p) => {
            let w = p.of(&WORDS);
            (json_string(w, escape), Model::Text(w.into()))
        }
        Str::NotText(p) => {
            let t = p.of(&NOT_TEXT);
            (t.into(), Model::Other(t))
        }
    }
}

/// The model of a `aud` value: the list of strings, or None if any member
/// (or the value itself) is not a string.
fn aud_json(a: &AudIn, escape: bool) -> (String, Option<Vec<String>>) {
    match a {
        AudIn::One(s) => {
            let (j, m) = text(*s, escape);
            let list = match m {
                Model::Text(t) => Some(vec![t]),
                // Two of NOT_TEXT are arrays of strings: for `aud` they
                // are lists (RFC 7519 §4.1.3), not "not text".
                Model::Other("[]") => Some(vec![]),
                Model::Other("[\"alice\"]") => Some(vec!["alice".into()]),
                _ => None,
            };
            (j, list)
        }
        AudIn::List(items) => {
            let mut json = Vec::new();
            let mut all = Some(Vec::new());
            for s in items.iter().take(4) {
                let (j, m) = text(*s, escape);
                json.push(j);
                match (m, &mut all) {
                    (Model::Text(t), Some(list)) => list.push(t),
                    _ => all = None,
                }
            }
            (format!("[{}]", json.join(",")), all)
        }
    }
}

/// Everything the model needs, as plain values.
struct Case {
    token_len: usize,
    header_alg: &'static str,
    header_typ: Option<&'static str>,
    crit: bool,
    key_alg: Algorithm,
    key_len: usize,
    other_secret: bool,
    duplicate: bool,
    claims: Vec<(&'static str, Model)>,
    aud: Option<Option<Vec<String>>>,
    v: Validation,
    now: i64,
}

impl Case {
    /// Whether a time claim is written beyond f64's range (`1e400`).
    fn has_huge(&self) -> bool {
        self.claims
            .iter()
            .any(|(_, m)| matches!(m, Model::PlusInfinity | Model::MinusInfinity))
    }
}

/// `typ` as a media type (RFC 7515 §4.1.9): case-insensitive, and
/// "application/" implied when there is no '/'.
fn media_type(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    if t.contains('/') {
        t
    } else {
        format!("application/{t}")
    }
}

/// The reference model: the first failing stage's code, or "valid".
fn expected(c: &Case) -> &'static str {
    let v = &c.v;
    // 1. size.
    if c.token_len > v.get_max_token_bytes() {
        return "too_large";
    }
    // 2. structure: our header is always well formed.
    // 3. header: alg accepted, no crit extension, typ.
    let Some(alg) = Algorithm::ALL
        .into_iter()
        .find(|a| a.name() == c.header_alg)
    else {
        return "algorithm";
    };
    if !v.get_algorithms().contains(&alg) {
        return "algorithm";
    }
    if c.crit {
        return "unsupported_critical";
    }
    if let Some(want) = v.get_typ() {
        match c.header_typ {
            Some(t) if media_type(t) == media_type(want) => {}
            _ => return "invalid_type",
        }
    }
    // 4. key: bound to the header's alg, long enough.
    if c.key_alg != alg {
        return "algorithm";
    }
    if c.key_len < alg.output_len() && !v.get_allow_weak_keys() {
        return "weak_key";
    }
    // 5. signature.
    if c.other_secret {
        return "bad_signature";
    }
    // 6. claims: unique names; time claims are numbers; required present;
    // then exp, nbf, iss, aud, sub.
    if c.duplicate {
        return "malformed";
    }
    let get = |name: &str| c.claims.iter().find(|(n, _)| *n == name).map(|(_, m)| m);
    for name in ["exp", "nbf", "iat"] {
        if let Some(Model::Other(_) | Model::Text(_)) = get(name) {
            return "invalid_claim";
        }
    }
    let present = |name: &str| get(name).is_some() || (name == "aud" && c.aud.is_some());
    if v.get_required().iter().any(|r| !present(r)) {
        return "missing_claim";
    }
    if (v.get_issuer().is_some() && !present("iss"))
        || (v.get_subject().is_some() && !present("sub"))
        || (v.get_audience().is_some() && !present("aud"))
    {
        return "missing_claim";
    }
    let now = i128::from(c.now) * 4;
    let leeway = i128::from(v.get_leeway()) * 4;
    match get("exp") {
        Some(Model::Quarters(exp)) if now >= exp + leeway => return "expired",
        Some(Model::MinusInfinity) => return "expired",
        _ => {}
    }
    match get("nbf") {
        Some(Model::Quarters(nbf)) if now < nbf - leeway => return "not_yet_valid",
        Some(Model::PlusInfinity) => return "not_yet_valid",
        _ => {}
    }
    if let Some(want) = v.get_issuer()
        && get("iss") != Some(&Model::Text(want.to_owned()))
    {
        return "invalid_issuer";
    }
    match (v.get_audience(), &c.aud) {
        (_, None) => {}
        (None, Some(_)) => return "invalid_audience",
        (Some(want), Some(list)) => {
            if !list.as_ref().is_some_and(|l| l.iter().any(|a| a == want)) {
                return "invalid_audience";
            }
        }
    }
    if let Some(want) = v.get_subject()
        && get("sub") != Some(&Model::Text(want.to_owned()))
    {
        return "invalid_subject";
    }
    "valid"
}

const SECRET: [u8; 80] =
    *b"barejwt claims fuzz secret: 80 bytes of it, so that every algorithm has room....";

fuzz_target!(|input: Input| {
    let now = input.now % TIME_LIMIT;
    let esc = input.escape;
    let name = |n: &str| json_string(n, esc);

    // The claims set, member by member.
    let mut members: Vec<(String, String)> = Vec::new();
    let mut claims = Vec::new();
    for (n, t) in [("exp", input.exp), ("nbf", input.nbf), ("iat", input.iat)] {
        if let Some(t) = t {
            let (j, m) = time(t, now, input.spelling);
            members.push((name(n), j));
            claims.push((n, m));
        }
    }
    for (n, s) in [("iss", input.iss), ("sub", input.sub), ("jti", input.jti)] {
        if let Some(s) = s {
            let (j, m) = text(s, esc);
            members.push((name(n), j));
            claims.push((n, m));
        }
    }
    let aud = input.aud.as_ref().map(|a| {
        let (j, m) = aud_json(a, esc);
        members.push((name("aud"), j));
        m
    });
    if input.x {
        members.push((name("x"), "1".into()));
        claims.push(("x", Model::Other("1")));
    }
    let duplicate = match input.duplicate {
        Some(i) if !members.is_empty() => {
            let m = members[usize::from(i) % members.len()].clone();
            members.push(m);
            true
        }
        _ => false,
    };
    let payload = format!(
        "{{{}}}",
        members
            .iter()
            .map(|(n, v)| format!("{n}:{v}"))
            .collect::<Vec<_>>()
            .join(",")
    );

    // The header.
    let header_alg = input.alg.of(&ALGS);
    let header_typ = input.typ.map(|p| p.of(&TYPS));
    let mut header = format!("{{\"alg\":\"{header_alg}\"");
    if let Some(t) = header_typ {
        header.push_str(&format!(",\"typ\":{}", json_string(t, esc)));
    }
    if let Some(k) = input.kid {
        header.push_str(&format!(",\"kid\":{}", json_string(k.of(&WORDS), esc)));
    }
    if input.crit {
        header.push_str(",\"crit\":[\"x\"],\"x\":1");
    }
    header.push('}');

    // Sign: with the library when the header names an algorithm it
    // implements, else by hand (an `alg` the verifier must refuse anyway).
    let key_len = input.key_len.of(&KEY_LENS);
    let secret: Vec<u8> = if input.other_secret {
        SECRET[..key_len].iter().map(|b| b ^ 1).chain([1]).collect()
    } else {
        SECRET[..key_len].to_vec()
    };
    let token = match Algorithm::from_name(header_alg) {
        Some(a) => jws::sign(
            header.as_bytes(),
            payload.as_bytes(),
            &HmacKey::new_allow_weak(a, &secret),
        )
        .expect("the target writes well-formed headers"),
        None => {
            let mut t = base64url::encode(header.as_bytes());
            t.push('.');
            t.push_str(&base64url::encode(payload.as_bytes()));
            let tag = Mac::new(Algorithm::HS256, &secret).compute(t.as_bytes());
            t.push('.');
            t.push_str(&base64url::encode(tag.as_bytes()));
            t
        }
    };

    // The verifier.
    let key_alg = input.key_alg.of(&Algorithm::ALL);
    let key = HmacKey::new_allow_weak(key_alg, &SECRET[..key_len]);
    let algorithms: Vec<Algorithm> = Algorithm::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| input.algorithms & (1 << i) != 0)
        .map(|(_, a)| a)
        .collect();
    let mut v = Validation::new(Algorithm::HS256)
        .algorithms(algorithms)
        .leeway(match input.leeway {
            Leeway::Zero => 0,
            Leeway::Small(s) => u64::from(s),
            Leeway::Large(l) => u64::from(l),
        })
        .allow_weak_keys(input.allow_weak)
        .require(input.required.iter().take(4).map(|p| p.of(&NAMES)));
    v = if input.custom_clock {
        v.clock(Clock::Custom(Arc::new(move || now)))
    } else {
        v.now(now)
    };
    if let Some(p) = input.v_iss {
        v = v.issuer(p.of(&WORDS));
    }
    if let Some(p) = input.v_sub {
        v = v.subject(p.of(&WORDS));
    }
    if let Some(p) = input.v_aud {
        v = v.audience(p.of(&WORDS));
    }
    if let Some(p) = input.v_typ {
        v = v.typ(p.of(&TYPS));
    }
    if let Some(max) = input.max_token_bytes {
        v = v.max_token_bytes(usize::from(max));
    }

    let case = Case {
        token_len: token.len(),
        header_alg,
        header_typ,
        crit: input.crit,
        key_alg,
        key_len,
        other_secret: input.other_secret,
        duplicate,
        claims,
        aud,
        v: v.clone(),
        now,
    };
    let want = expected(&case);
    // The verdict of the rules alone: a claims type that reads nothing.
    let rules = decode::<IgnoredAny, _>(&token, &key, &v);
    let rules_code = rules.as_ref().map_or_else(|e| e.code(), |_| "valid");
    assert_eq!(
        rules_code,
        want,
        "header {header}\npayload {payload}\nerror {:?}",
        rules.as_ref().err()
    );
    // As `Value`: the same, except that serde_json cannot hold a number
    // beyond f64 (`1e400`), which the rules read as infinity (RFC 8259 §6
    // lets a parser limit the range). So a token the rules accept, with
    // such a number, does not fit `Value`: malformed.
    let want = if want == "valid" && case.has_huge() {
        "malformed"
    } else {
        want
    };
    let got = decode::<Value, _>(&token, &key, &v);
    let got_code = match &got {
        Ok(_) => "valid",
        Err(e) => e.code(),
    };
    assert_eq!(
        got_code,
        want,
        "header {header}\npayload {payload}\nerror {:?}",
        got.as_ref().err()
    );

    if let Ok(verified) = got {
        // The claims are the payload we wrote, the header is ours.
        let ours: Value = serde_json::from_str(&payload).expect("the target writes JSON");
        assert_eq!(verified.claims, ours);
        assert_eq!(verified.header.alg.name(), header_alg);
        assert_eq!(verified.header.typ.as_deref(), header_typ);
        assert_eq!(
            verified.header.kid.as_deref(),
            input.kid.map(|p| p.of(&WORDS))
        );
    }
});
