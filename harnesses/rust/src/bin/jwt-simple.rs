//! jwt-simple 0.15 behind the harness protocol (vectors/HARNESS.md).
//!
//! Verify through the key type of the token's algorithm (when the vector
//! accepts it; otherwise the first accepted one) and `verify_token`, with
//! `artificial_time` as the clock, `time_tolerance` as the leeway (its
//! default is 15 minutes: set to the vector's), and the issuer, audience,
//! subject and size options. `accept_future` stays false: it would accept
//! a future `iat` (as the format does) but it also turns off the `nbf`
//! check. jwt-simple has no JWK or JWK Set: those vectors are unsupported.
//! It returns no header, only its metadata: the header answered is
//! rebuilt from that. No sign of exact bytes, no raw HMAC or base64url API.

use barejwt_harnesses::{Answer, Refusal, check_validation, secret, serve, unsupported};
use jwt_simple::JWTError;
use jwt_simple::prelude::*;
use serde_json::{Map, Value, json};

fn code_of(e: &jwt_simple::Error) -> Option<&'static str> {
    Some(match e.downcast_ref::<JWTError>()? {
        JWTError::TokenHasExpired => "expired",
        JWTError::TokenNotValidYet => "not_yet_valid",
        JWTError::InvalidAuthenticationTag => "bad_signature",
        JWTError::AlgorithmMismatch => "algorithm",
        JWTError::RequiredIssuerMismatch => "invalid_issuer",
        JWTError::RequiredAudienceMismatch => "invalid_audience",
        JWTError::RequiredSubjectMismatch => "invalid_subject",
        JWTError::RequiredIssuerMissing
        | JWTError::RequiredAudienceMissing
        | JWTError::RequiredSubjectMissing => "missing_claim",
        JWTError::TokenTooLong => "too_large",
        JWTError::CompactEncodingError => "malformed",
        _ => return None,
    })
}

fn refused(e: jwt_simple::Error) -> Refusal {
    Refusal::Invalid(code_of(&e), format!("{e}"))
}

fn verify(req: &Value) -> Answer {
    check_validation(
        req,
        &[
            "algorithms",
            "leeway",
            "iss",
            "aud",
            "sub",
            "max_token_bytes",
        ],
    )?;
    if req.get("jwks").is_some() || req.get("key").is_some() {
        return unsupported("jwt-simple reads no JWK or JWK Set");
    }
    let v = &req["validation"];
    let token = req["token"].as_str().unwrap_or("");
    let algs: Vec<&str> = v["algorithms"].as_array().map_or(vec!["HS256"], |l| {
        l.iter().filter_map(Value::as_str).collect()
    });
    let meta = Token::decode_metadata(token).map_err(refused)?;
    let alg = if algs.contains(&meta.algorithm()) {
        meta.algorithm()
    } else {
        algs.first().copied().unwrap_or("HS256")
    };
    let mut options = VerificationOptions {
        time_tolerance: Some(Duration::from_secs(v["leeway"].as_u64().unwrap_or(0))),
        ..Default::default()
    };
    if let Some(now) = req["now"].as_u64() {
        options.artificial_time = Some(UnixTimeStamp::from_secs(now));
    }
    if let Some(iss) = v["iss"].as_str() {
        options.allowed_issuers = Some(HashSet::from([iss.to_owned()]));
    }
    if let Some(aud) = v["aud"].as_str() {
        options.allowed_audiences = Some(HashSet::from([aud.to_owned()]));
    }
    options.required_subject = v["sub"].as_str().map(str::to_owned);
    if let Some(n) = v["max_token_bytes"].as_u64() {
        options.max_token_length = usize::try_from(n).ok();
    }
    let key = secret(req)?;
    let claims: JWTClaims<Map<String, Value>> = match alg {
        "HS256" => HS256Key::from_bytes(&key).verify_token(token, Some(options)),
        "HS384" => HS384Key::from_bytes(&key).verify_token(token, Some(options)),
        "HS512" => HS512Key::from_bytes(&key).verify_token(token, Some(options)),
        other => return unsupported(format!("algorithm {other:?}")),
    }
    .map_err(refused)?;
    let mut header = json!({"alg": meta.algorithm()});
    for (name, value) in [
        ("typ", meta.signature_type()),
        ("cty", meta.content_type()),
        ("kid", meta.key_id()),
    ] {
        if let Some(value) = value {
            header[name] = value.into();
        }
    }
    Ok(json!({"result": "valid", "claims": claims, "header": header}))
}

fn main() {
    serve("jwt-simple", "0.15.0", |req| match req["kind"].as_str() {
        Some("verify") => verify(req),
        _ => unsupported("jwt-simple has no API for exact-byte signing, raw HMAC or base64url"),
    });
}
