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
//! So HS256 only (the verifier, not the token, picks the algorithm);
//! `exp`, `iat`, `sub` and `jti` required, no leeway.
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

/// The caller, as a verified token names them: the user id is all the
/// handlers need (`sub` is required and checked by the [`Validation`], but
/// not copied out, which spares the hot path an allocation).
#[derive(Debug, Clone, Deserialize)]
pub struct Caller {
    /// User id (`id`).
    pub id: i64,
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
                .require(["exp", "iat", "sub", "jti"])
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

    #[test]
    fn a_token_is_refused_once_its_lifetime_has_passed_on_the_same_clock() {
        let at = |now| Tokens::new(&[7; 32], 60, Clock::Fixed(now)).unwrap();
        let token = at(1_000_000).issue("ada", 42).unwrap();
        assert_eq!(at(1_000_059).verify(&token).unwrap().id, 42);
        assert_eq!(at(1_000_060).verify(&token).unwrap_err().code(), "expired");
    }
}
