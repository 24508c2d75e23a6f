//! The debugger's two endpoints, as pure functions from a JSON body to a
//! JSON answer: `explain` (the walk, the segments, the claims table, the
//! warnings) and `sign` (the encoder).
//!
//! # Security
//!
//! A key is read from the body and dropped when the answer is made. The
//! messages about a key that cannot be read give its position or its
//! kind, never its text.

use barejwt::base64url::{self, DecodeError};
use barejwt::explain::{self, Key, Object};
use barejwt::{Algorithm, HmacKey, Jwk, KeySet, Kid, Validation, jws};
use serde::Deserialize;
use serde_json::{Value, json};

/// Why a request gets no answer but an error.
#[derive(Debug)]
pub enum Refused {
    /// The body is not the JSON expected (400).
    BadJson(String),
    /// A field holds something unusable, such as a key (422).
    Invalid(String),
}

/// How the text of the Secret field becomes a key.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Encoding {
    /// The text's UTF-8 bytes (what most tutorials do).
    #[default]
    Text,
    /// Two hex digits per byte.
    Hex,
    /// base64url without padding, as a JWK's `k`.
    Base64url,
    /// A JWK (RFC 7517 §4).
    Jwk,
    /// A JWK Set (RFC 7517 §5): the token's `kid` chooses the key.
    Jwks,
}

/// The verifier's options, as the page's form gives them.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    algorithms: Vec<String>,
    leeway: u64,
    iss: Option<String>,
    aud: Option<String>,
    sub: Option<String>,
    required: Vec<String>,
    typ: Option<String>,
    /// The clock, in seconds since 1970; `None`: the system clock.
    now: Option<i64>,
    allow_weak: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainRequest {
    token: String,
    /// Empty: no key (everything but the signature is explained).
    #[serde(default)]
    secret: String,
    #[serde(default)]
    encoding: Encoding,
    #[serde(default)]
    options: Options,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignRequest {
    header: String,
    payload: String,
    alg: String,
    secret: String,
    #[serde(default)]
    encoding: Encoding,
    #[serde(default)]
    allow_weak: bool,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Refused> {
    serde_json::from_slice(body)
        .map_err(|e| Refused::BadJson(format!("not the JSON expected: {e}")))
}

fn invalid(msg: impl Into<String>) -> Refused {
    Refused::Invalid(msg.into())
}

/// The key from the Secret field, or `None` when it is empty.
fn key(secret: &str, encoding: Encoding) -> Result<Option<Key>, Refused> {
    if secret.is_empty() {
        return Ok(None);
    }
    // The decoder's message would quote the offending character, a piece
    // of the secret: only its position is given.
    let at = |e: DecodeError| match e {
        DecodeError::InvalidByte { offset, .. } | DecodeError::TrailingBits { offset } => {
            format!("at byte {offset}")
        }
        DecodeError::InvalidLength { .. } => "its length".into(),
    };
    let json = |what: &str| {
        serde_json::from_str::<Value>(secret).map_err(|e| {
            invalid(format!(
                "the Secret is not a {what}: not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })
    };
    let key = match encoding {
        Encoding::Text => Key::Secret(secret.as_bytes().to_vec()),
        Encoding::Hex => Key::Secret(
            barejwt::hex::decode(secret.trim().as_bytes())
                .ok_or_else(|| invalid("the Secret is not hexadecimal text"))?,
        ),
        Encoding::Base64url => Key::Secret(
            base64url::decode(secret.trim().as_bytes())
                .map_err(|e| invalid(format!("the Secret is not strict base64url ({})", at(e))))?,
        ),
        // The library's JWK errors describe a bad "k" without quoting it.
        Encoding::Jwk => Key::Jwk(Box::new(
            Jwk::from_value(&json("JWK")?).map_err(|e| invalid(e.to_string()))?,
        )),
        Encoding::Jwks => {
            Key::Set(KeySet::from_value(&json("JWK Set")?).map_err(|e| invalid(e.to_string()))?)
        }
    };
    Ok(Some(key))
}

fn algorithm(name: &str) -> Result<Algorithm, Refused> {
    Algorithm::from_name(name).ok_or_else(|| {
        invalid(format!(
            "{} is not HS256, HS384 or HS512",
            explain::short(name, 20)
        ))
    })
}

fn validation(o: &Options) -> Result<Validation, Refused> {
    let algs = o
        .algorithms
        .iter()
        .map(|a| algorithm(a))
        .collect::<Result<Vec<_>, _>>()?;
    let first = *algs
        .first()
        .ok_or_else(|| invalid("accept at least one algorithm"))?;
    let given = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let mut v = Validation::new(first)
        .algorithms(algs)
        .leeway(o.leeway)
        .require(o.required.iter().filter(|c| !c.is_empty()).cloned())
        .allow_weak_keys(o.allow_weak);
    if let Some(now) = o.now {
        v = v.now(now);
    }
    if let Some(iss) = given(&o.iss) {
        v = v.issuer(iss);
    }
    if let Some(aud) = given(&o.aud) {
        v = v.audience(aud);
    }
    if let Some(sub) = given(&o.sub) {
        v = v.subject(sub);
    }
    if let Some(typ) = given(&o.typ) {
        v = v.typ(typ);
    }
    Ok(v)
}

/// `POST /debugger/explain`: `{token, secret, encoding, options}` ->
/// `{explain, segments, claims, warnings, now}`. `explain` is exactly
/// `barejwt explain --json`'s, with each step's `mark` (the offending
/// byte) and the verdict's `rfc` (the clause its error enforces) added.
pub fn explain(body: &[u8]) -> Result<Value, Refused> {
    let req: ExplainRequest = parse(body)?;
    let v = validation(&req.options)?;
    let key = key(&req.secret, req.encoding)?;
    let token = req.token.trim().as_bytes();
    let walk = explain::explain(token, key.as_ref().map(|k| (k, "the Secret field")), &v);
    let mut shown = walk.to_json();
    if let Some(steps) = shown["steps"].as_array_mut() {
        for (step, walked) in steps.iter_mut().zip(&walk.steps) {
            step["mark"] = json!(walked.mark);
        }
    }
    if let explain::Verdict::Invalid(e) = &walk.verdict {
        shown["verdict"]["rfc"] = e.rfc().into();
    }
    let segments = explain::segments(token);
    let payload = segments
        .get(1)
        .and_then(|s| base64url::decode(&token[s.start..s.end]).ok());
    let claims = payload.and_then(|p| explain::claims_table(&p, &v));
    Ok(json!({
        "explain": shown,
        "segments": segments,
        "claims": claims,
        "warnings": explain::warnings(token, key.as_ref(), &v),
        "now": v.get_clock().now(),
    }))
}

/// `POST /debugger/sign`: `{header, payload, alg, secret, encoding,
/// allow_weak}` -> `{token, header, payload, signing_input, mac}`. The
/// header's `alg` is set to the chosen algorithm; both JSON texts are
/// signed compact, members in the order written.
pub fn sign(body: &[u8]) -> Result<Value, Refused> {
    let req: SignRequest = parse(body)?;
    let alg = algorithm(&req.alg)?;
    let object = |text: &str, what: &str| {
        Object::parse(text.as_bytes()).map_err(|e| {
            invalid(format!(
                "the {what} is not a JSON object with unique names: {e}"
            ))
        })
    };
    let mut header = object(&req.header, "header")?;
    header.set("alg", Value::from(alg.name()));
    let payload = object(&req.payload, "payload")?;
    // The key for `alg`: a JWK bound to another algorithm refuses it
    // (RFC 8725 §3.1), a set chooses by the header's kid.
    let given =
        key(&req.secret, req.encoding)?.ok_or_else(|| invalid("give a Secret to sign with"))?;
    let refused = |e: barejwt::Error| invalid(e.to_string());
    let key = match &given {
        Key::Secret(s) => HmacKey::new_allow_weak(alg, s),
        Key::Jwk(jwk) => jwk.for_algorithm(alg).map_err(refused)?.clone(),
        Key::Set(set) => {
            let kid = header.get("kid").cloned();
            set.select(Kid::of(kid.as_ref()))
                .map_err(|e| invalid(format!("{e} (name the key with a \"kid\" in the header)")))?
                .for_algorithm(alg)
                .map_err(refused)?
                .clone()
        }
    };
    if !req.allow_weak {
        key.check_strength().map_err(refused)?;
    }
    let (header, payload) = (header.to_compact(), payload.to_compact());
    let token = jws::sign(header.as_bytes(), payload.as_bytes(), &key)
        .map_err(|e| invalid(e.to_string()))?;
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or_else(|| invalid("the signed token has no signature"))?;
    let mac = base64url::decode(signature.as_bytes())
        .map_err(|e| invalid(format!("the signature does not decode: {e}")))?;
    Ok(json!({
        "token": token,
        "header": header,
        "payload": payload,
        "signing_input": signing_input,
        "mac": barejwt::hex::encode(&mac),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3YW5nZXJnZSIsImlkIjoxLCJleHAiOjE3NjgxMzI0NTJ9.eiUqiVl8GHQx_bG61UvAzvAuuODInk5Szz5yPT5zkZs";
    const KEY: &str = "eec7f9b96330e64eaac29ad7c95154cff3addaea90239c262b3f9287e678f6d3";

    fn explained(secret: &str, now: i64) -> Value {
        let body = json!({
            "token": TOKEN, "secret": secret,
            "options": {"algorithms": ["HS256"], "now": now}
        });
        explain(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn the_tutorial_token_is_valid_twenty_minutes_before_it_expires() {
        let out = explained(KEY, 1768131252);
        assert_eq!(out["explain"]["verdict"]["result"], "VALID");
        assert_eq!(out["claims"][2]["relative"], "expires in 20 minutes");
        assert_eq!(out["segments"][1]["start"], 37);
        let late = explained(KEY, 1795783122);
        assert_eq!(late["explain"]["verdict"]["code"], "expired");
    }

    #[test]
    fn the_walk_is_the_same_as_explain_json() {
        let out = explained(KEY, 1768131252);
        let v = Validation::new(Algorithm::HS256).now(1768131252);
        let key = Key::Secret(KEY.as_bytes().to_vec());
        let cli =
            explain::explain(TOKEN.as_bytes(), Some((&key, "the Secret field")), &v).to_json();
        let mut page = out["explain"].clone();
        for step in page["steps"].as_array_mut().unwrap() {
            step.as_object_mut().unwrap().remove("mark");
        }
        page["verdict"].as_object_mut().unwrap().remove("rfc");
        assert_eq!(page, cli);
    }

    #[test]
    fn a_bad_secret_is_described_not_quoted() {
        for (secret, encoding) in [
            ("sup3r-s3cret!", "hex"),
            ("sup3r s3cret", "base64url"),
            ("{\"k\": sup3r}", "jwk"),
        ] {
            let body = json!({"token": TOKEN, "secret": secret, "encoding": encoding,
                "options": {"algorithms": ["HS256"]}});
            let Err(Refused::Invalid(msg)) = explain(body.to_string().as_bytes()) else {
                panic!("{encoding} is refused");
            };
            assert!(!msg.contains("sup3r"), "{msg}");
        }
    }

    #[test]
    fn the_encoder_signs_what_the_verifier_accepts() {
        let body = json!({
            "header": "{\"typ\":\"JWT\"}", "payload": "{\"sub\":\"wangerge\",\"id\":1,\"exp\":1768132452}",
            "alg": "HS256", "secret": KEY,
        });
        let out = sign(body.to_string().as_bytes()).unwrap();
        let token = out["token"].as_str().unwrap();
        assert!(token.starts_with(out["signing_input"].as_str().unwrap()));
        assert_eq!(out["header"], "{\"typ\":\"JWT\",\"alg\":\"HS256\"}");
        let key = HmacKey::new(Algorithm::HS256, KEY.as_bytes()).unwrap();
        let v = Validation::new(Algorithm::HS256).now(1768131252);
        assert!(barejwt::decode::<Value, _>(token, &key, &v).is_ok());
        let weak = json!({"header": "{}", "payload": "{}", "alg": "HS256", "secret": "short"});
        assert!(sign(weak.to_string().as_bytes()).is_err());
    }

    #[test]
    fn the_encoder_takes_a_jwk_only_for_its_own_algorithm_and_a_set_by_kid() {
        let k = base64url::encode(&[9; 64]);
        let jwk = json!({"kty": "oct", "alg": "HS512", "k": k}).to_string();
        let with = |alg: &str, header: &str, secret: &str, encoding: &str| {
            let body = json!({"header": header, "payload": "{}", "alg": alg,
                "secret": secret, "encoding": encoding});
            sign(body.to_string().as_bytes())
        };
        assert!(with("HS512", "{}", &jwk, "jwk").is_ok());
        let Err(Refused::Invalid(msg)) = with("HS256", "{}", &jwk, "jwk") else {
            panic!("a JWK bound to HS512 does not sign HS256");
        };
        assert!(msg.contains("RFC 8725 §3.1"), "{msg}");
        let set = json!({"keys": [{"kty": "oct", "kid": "a", "k": k}, {"kty": "oct", "kid": "b", "k": k}]})
            .to_string();
        assert!(with("HS256", r#"{"kid":"b"}"#, &set, "jwks").is_ok());
        assert!(
            with("HS256", "{}", &set, "jwks").is_err(),
            "two keys and no kid"
        );
    }
}
