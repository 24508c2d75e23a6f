//! jsonwebtoken 12 behind the harness protocol (vectors/HARNESS.md).
//!
//! Verify through `decode::<Value>` with the vector's options. jsonwebtoken
//! has no clock option and reads the system clock; its expiry check is
//! `exp < now - leeway`, so a leeway of (system now - vector now + vector
//! leeway) is exactly that check at the vector's `now`. Its `nbf` check
//! adds the leeway instead, so a token with `nbf` and a `now` is
//! unsupported, as is a `now` in the future. A JWK Set: the key whose
//! `kid` is the token's (`JwkSet::find`), as applications do. Sign and
//! hmac through `crypto::sign` / `crypto::verify`, which take exact bytes.
//! No base64url API, typ option, minimum key length or size limit.

use barejwt_harnesses::{
    Answer, Refusal, check_validation, hex, peek_claims, secret, serve, unsupported,
};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Validation, crypto, decode, decode_header,
};
use serde_json::{Value, json};
use std::str::FromStr;

fn code_of(kind: &ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::ExpiredSignature => "expired",
        ErrorKind::ImmatureSignature => "not_yet_valid",
        ErrorKind::InvalidSignature => "bad_signature",
        ErrorKind::InvalidAlgorithm => "algorithm",
        ErrorKind::InvalidIssuer => "invalid_issuer",
        ErrorKind::InvalidAudience => "invalid_audience",
        ErrorKind::InvalidSubject => "invalid_subject",
        ErrorKind::MissingRequiredClaim(_) => "missing_claim",
        ErrorKind::InvalidClaimFormat(_) => "invalid_claim",
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => "malformed",
        _ => return None,
    })
}

fn refused(e: jsonwebtoken::errors::Error) -> Refusal {
    Refusal::Invalid(code_of(e.kind()), format!("{e:?}"))
}

fn alg(name: &str) -> Result<Algorithm, Refusal> {
    Algorithm::from_str(name).map_err(|_| Refusal::Unsupported(format!("algorithm {name:?}")))
}

fn decoding_key(req: &Value, token: &str) -> Result<DecodingKey, Refusal> {
    let jwk: Jwk = if let Some(set) = req.get("jwks") {
        let set: JwkSet = serde_json::from_value(set.clone())
            .map_err(|e| Refusal::Invalid(None, e.to_string()))?;
        let kid = decode_header(token).map_err(refused)?.kid;
        match (kid, set.keys.len()) {
            (None, 1) => set.keys[0].clone(),
            (Some(kid), _) => set.find(&kid).cloned().ok_or(Refusal::Invalid(
                Some("unknown_key"),
                format!("no key {kid:?}"),
            ))?,
            (None, _) => return Err(Refusal::Invalid(Some("unknown_key"), "no kid".into())),
        }
    } else if let Some(k) = req.get("key") {
        serde_json::from_value(k.clone()).map_err(|e| Refusal::Invalid(None, e.to_string()))?
    } else {
        return DecodingKey::from_secret(&secret(req)?).map_err(refused);
    };
    DecodingKey::from_jwk(&jwk).map_err(refused)
}

fn verify(req: &Value) -> Answer {
    check_validation(
        req,
        &["algorithms", "leeway", "iss", "aud", "sub", "required"],
    )?;
    let v = &req["validation"];
    let token = req["token"].as_str().unwrap_or("");
    let algs = match v["algorithms"].as_array() {
        Some(list) => list
            .iter()
            .map(|a| alg(a.as_str().unwrap_or("")))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![Algorithm::HS256],
    };
    let Some(&first) = algs.first() else {
        return unsupported("no algorithm");
    };
    let mut val = Validation::new(first);
    val.algorithms = algs;
    val.required_spec_claims.clear();
    // The format checks nbf always; jsonwebtoken only when asked.
    val.validate_nbf = true;
    for c in v["required"].as_array().into_iter().flatten() {
        let c = c.as_str().unwrap_or("");
        if !["exp", "nbf", "sub", "iss", "aud"].contains(&c) {
            return unsupported(format!("jsonwebtoken cannot require {c:?}"));
        }
        val.required_spec_claims.insert(c.to_owned());
    }
    let leeway = v["leeway"].as_u64().unwrap_or(0);
    val.leeway = leeway;
    if let Some(now) = req["now"].as_i64() {
        let claims = peek_claims(token).unwrap_or(Value::Null);
        let system = i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap_or(i64::MAX);
        if claims.get("nbf").is_some() {
            return unsupported(
                "jsonwebtoken has no clock option, and its nbf check cannot be shifted",
            );
        }
        if now > system {
            return unsupported("jsonwebtoken has no clock option: a now in the future");
        }
        val.leeway = u64::try_from(system - now).unwrap_or(0) + leeway;
    }
    if let Some(iss) = v["iss"].as_str() {
        val.set_issuer(&[iss]);
    }
    if let Some(aud) = v["aud"].as_str() {
        val.set_audience(&[aud]);
    }
    val.sub = v["sub"].as_str().map(str::to_owned);
    let key = decoding_key(req, token)?;
    let data = decode::<Value>(token, &key, &val).map_err(refused)?;
    let header = serde_json::to_value(&data.header).unwrap_or(Value::Null);
    Ok(json!({"result": "valid", "claims": data.claims, "header": header}))
}

fn segment(req: &Value, name: &str) -> String {
    use base64::Engine;
    match req[format!("{name}_json")].as_str() {
        Some(text) => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text),
        None => req[format!("{name}_b64u")]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    }
}

fn answer(req: &Value) -> Answer {
    match req["kind"].as_str() {
        Some("verify") => verify(req),
        Some("sign") => {
            if req.get("jwks").is_some() {
                return unsupported("signing with a key chosen from a JWK Set");
            }
            let input = format!("{}.{}", segment(req, "header"), segment(req, "payload"));
            let key = EncodingKey::from_secret(&secret(req)?).map_err(refused)?;
            let sig = crypto::sign(
                input.as_bytes(),
                &key,
                alg(req["alg"].as_str().unwrap_or(""))?,
            )
            .map_err(refused)?;
            Ok(json!({"result": "valid", "token": format!("{input}.{sig}")}))
        }
        Some("hmac") => {
            use base64::Engine;
            let key = DecodingKey::from_secret(&hex(req["key_hex"].as_str().unwrap_or(""))?)
                .map_err(refused)?;
            let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(hex(req["mac_hex"].as_str().unwrap_or(""))?);
            let msg = hex(req["msg_hex"].as_str().unwrap_or(""))?;
            let ok = crypto::verify(&tag, &msg, &key, alg(req["alg"].as_str().unwrap_or(""))?)
                .map_err(refused)?;
            Ok(json!({"result": if ok { "valid" } else { "invalid" }}))
        }
        _ => unsupported("jsonwebtoken has no public base64url API"),
    }
}

fn main() {
    serve("jsonwebtoken", "12.0.0", answer);
}
