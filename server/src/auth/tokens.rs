//! The tokens the server issues, and the rules it verifies them by.
//!
//! A login yields an HS256 JWT with the claims `sub` (user name), `id`
//! (user id), `iat`, `exp` and `jti` ([RFC 7519 §4.1]). The server verifies
//! it with barejwt's own [`decode`]:
//!
//! > libraries MUST enable the caller to specify a supported set of
//! > algorithms and MUST NOT use any other algorithms when performing
//! > cryptographic operations — [RFC 8725 §3.1]
//!
//! So HS256 only (the verifier, not the token, picks the algorithm), no
//! leeway.
//!
//! # The tutorial's tokens work here too
//!
//! One login across services is the tutorial's argument for JWT, so a
//! token its own `create_access_token` mints (python-jose, HS256, claims
//! exactly `sub`, `id`, `exp`) with the shared secret is accepted. The
//! verifier therefore requires what the tutorial's verifier requires and
//! no more: `exp`, `sub` and `id`. `iat` and `jti` are optional in
//! RFC 7519 §4.1 ("The use of this claim is OPTIONAL"); we still put them
//! in the tokens we issue (`jti` names a token in a log).
//!
//! > The "sub" value is a case-sensitive string containing a StringOrURI
//! > value. — [RFC 7519 §4.1.2]
//!
//! So a `sub` that is not a JSON string (`12345`) is refused, as PyJWT and
//! python-jose refuse it; `id` must be a JSON integer. The handlers then
//! check that the `id` names a user that exists: a validly signed token
//! for an id this database does not have is 401 too.
//!
//! # One clock
//!
//! Issuing (`iat`, `exp`) and verifying (`exp`, `nbf`) read the same
//! [`Clock`], the one in the server's [`Config`](crate::Config): the system
//! clock by default, a fixed time in tests. So a test can issue a token at
//! one time and verify it at another without waiting.
//!
//! [`decode`]: barejwt::decode
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1
//! [RFC 8725 §3.1]: https://www.rfc-editor.org/rfc/rfc8725#section-3.1
//! [RFC 7519 §4.1.2]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1.2

use std::fmt;

use serde::{Deserialize, Serialize};

use barejwt::{Algorithm, Clock, HmacKey, Validation, base64url};

/// The claims the server signs.
#[derive(Debug, Serialize)]
struct IssuedClaims<'a> {
    sub: &'a str,
    id: i64,
    iat: i64,
    exp: i64,
    jti: &'a str,
}

/// The claims the verifier requires (see the module docs).
pub const REQUIRED_CLAIMS: [&str; 3] = ["exp", "sub", "id"];

/// The caller, as a verified token names them: the user id is all the
/// handlers need. `sub` must be a string (see `Subject`) but is not copied
/// out, which spares the hot path an allocation.
#[derive(Debug, Clone, Deserialize)]
pub struct Caller {
    /// User id (`id`).
    pub id: i64,
    /// Checked to be a string, then dropped.
    #[serde(rename = "sub")]
    _sub: Subject,
}

/// A `sub` claim that is a JSON string, its text not kept.
#[derive(Debug, Clone, Copy)]
struct Subject;

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Subject, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Subject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a StringOrURI (a JSON string, RFC 7519 §4.1.2)")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Subject, E> {
                Ok(Subject)
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// Issues and verifies the server's tokens.
pub struct Tokens {
    key: HmacKey,
    validation: Validation,
    /// What `iat` and `exp` are counted from (the validation holds the
    /// same clock).
    clock: Clock,
    /// Token lifetime in seconds.
    pub ttl: u64,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// A signer and verifier for `secret` (at least 32 bytes) whose
    /// tokens live `ttl` seconds by `clock`.
    pub fn new(secret: &[u8], ttl: u64, clock: Clock) -> Result<Tokens, barejwt::Error> {
        Ok(Tokens {
            key: HmacKey::new(Algorithm::HS256, secret)?,
            validation: Validation::new(Algorithm::HS256)
                .require(REQUIRED_CLAIMS)
                .clock(clock.clone()),
            clock,
            ttl,
        })
    }

    /// The time by the tokens' clock, in seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// A fresh token for the user, valid `ttl` seconds from now.
    pub fn issue(&self, username: &str, id: i64) -> Result<String, barejwt::Error> {
        let now = self.now();
        let mut jti = [0u8; 16];
        // Without randomness the jti is still unique enough per second for
        // its purpose (a log reference), but say so.
        if getrandom::fill(&mut jti).is_err() {
            tracing::warn!("no randomness for jti");
        }
        let jti = base64url::encode(&jti);
        let claims = IssuedClaims {
            sub: username,
            id,
            iat: now,
            exp: now.saturating_add(self.ttl as i64),
            jti: &jti,
        };
        barejwt::encode(&claims, &self.key)
    }

    /// Verifies a token and returns its caller; the error's
    /// [`barejwt::Error::code`] is what the log records.
    pub fn verify(&self, token: &str) -> Result<Caller, barejwt::Error> {
        barejwt::decode::<Caller, _>(token, &self.key, &self.validation).map(|v| v.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let t = Tokens::new(&[7; 32], 60, Clock::System).unwrap();
        let token = t.issue("ada", 42).unwrap();
        assert_eq!(t.verify(&token).unwrap().id, 42);
    }

    fn signed(claims: &serde_json::Value) -> String {
        let key = HmacKey::new(Algorithm::HS256, &[7; 32]).unwrap();
        barejwt::encode(claims, &key).unwrap()
    }

    #[test]
    fn the_tutorials_claims_exp_sub_id_are_enough() {
        let t = Tokens::new(&[7; 32], 60, Clock::Fixed(1000)).unwrap();
        let token = signed(&serde_json::json!({"sub": "ada", "id": 3, "exp": 2000}));
        assert_eq!(t.verify(&token).unwrap().id, 3);
    }

    #[test]
    fn exp_sub_and_id_are_each_required() {
        let t = Tokens::new(&[7; 32], 60, Clock::Fixed(1000)).unwrap();
        for missing in REQUIRED_CLAIMS {
            let mut claims = serde_json::json!({"sub": "ada", "id": 3, "exp": 2000});
            claims.as_object_mut().unwrap().remove(missing);
            assert!(t.verify(&signed(&claims)).is_err(), "without {missing}");
        }
    }

    #[test]
    fn a_sub_that_is_not_a_string_is_refused() {
        let t = Tokens::new(&[7; 32], 60, Clock::Fixed(1000)).unwrap();
        for sub in [
            serde_json::json!(12345),
            serde_json::json!(null),
            serde_json::json!(["ada"]),
        ] {
            let token = signed(&serde_json::json!({"sub": sub, "id": 3, "exp": 2000}));
            assert!(t.verify(&token).is_err(), "sub {sub}");
        }
        let escaped = signed(&serde_json::json!({"sub": "a\"d\u{e9}", "id": 3, "exp": 2000}));
        assert_eq!(t.verify(&escaped).unwrap().id, 3);
    }

    #[test]
    fn an_id_that_is_not_an_integer_is_refused() {
        let t = Tokens::new(&[7; 32], 60, Clock::Fixed(1000)).unwrap();
        for id in [
            serde_json::json!("3"),
            serde_json::json!(3.5),
            serde_json::json!(null),
        ] {
            let token = signed(&serde_json::json!({"sub": "ada", "id": id, "exp": 2000}));
            assert!(t.verify(&token).is_err(), "id {id}");
        }
    }

    #[test]
    fn a_token_is_refused_once_its_lifetime_has_passed_on_the_same_clock() {
        let at = |now| Tokens::new(&[7; 32], 60, Clock::Fixed(now)).unwrap();
        let token = at(1_000_000).issue("ada", 42).unwrap();
        assert_eq!(at(1_000_059).verify(&token).unwrap().id, 42);
        assert_eq!(at(1_000_060).verify(&token).unwrap_err().code(), "expired");
    }
}
