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
//! # Keys, and changing them while running
//!
//! The [`Keys`] are a raw secret or a JWK Set (`keys.rs`): with a set,
//! tokens carry the signing key's `kid` and any key of the set verifies
//! the tokens that name it. [`Tokens::reload`] reads the secret source
//! again and swaps the keys in one step (SIGHUP in the binary): a request
//! verifies with the old keys or the new ones, never a mix, and a source
//! that fails to load leaves the old keys in place. The hot path takes
//! the read side of an `RwLock` for the length of one verify, no
//! allocation and no copy; readers never wait for each other, and the
//! writer holds the lock only to swap one value.
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
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};

use barejwt::{Algorithm, Clock, Validation, base64url};

use super::keys::Keys;
use super::secret::{SecretSource, reload_keys};

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
    /// What signs and verifies; replaced whole by [`Tokens::reload`].
    keys: RwLock<Keys>,
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
    /// A signer and verifier for one raw `secret` (at least 32 bytes)
    /// whose tokens live `ttl` seconds by `clock`.
    pub fn new(secret: &[u8], ttl: u64, clock: Clock) -> Result<Tokens, barejwt::Error> {
        Ok(Tokens::with_keys(Keys::secret(secret)?, ttl, clock))
    }

    /// A signer and verifier for `keys` whose tokens live `ttl` seconds by
    /// `clock`.
    pub fn with_keys(keys: Keys, ttl: u64, clock: Clock) -> Tokens {
        Tokens {
            keys: RwLock::new(keys),
            validation: Validation::new(Algorithm::HS256)
                .require(REQUIRED_CLAIMS)
                .clock(clock.clone()),
            clock,
            ttl,
        }
    }

    /// The keys in use. A panic cannot leave them half-replaced (the
    /// writer swaps one value), so a poisoned lock still holds good keys.
    fn keys(&self) -> RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The keys in use, as a log line may show them (kids, no bytes).
    pub fn describe_keys(&self) -> String {
        self.keys().describe()
    }

    /// Uses `keys` from the next request on; requests under way finish
    /// with the keys they started with.
    pub fn replace_keys(&self, keys: Keys) {
        let old = {
            let mut current = self.keys.write().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *current, keys)
        };
        // Dropped outside the lock: the writer holds it for the swap only.
        drop(old);
    }

    /// Reads the keys from `source` again (SIGHUP): a good source replaces
    /// them and logs what is now in use (kids, which one signs); a bad one
    /// logs one error line and the old keys stay. Blocks on file I/O.
    /// `true` if the keys were replaced.
    pub fn reload(&self, source: &SecretSource) -> bool {
        match reload_keys(source) {
            Ok(keys) => {
                let described = keys.describe();
                self.replace_keys(keys);
                tracing::info!(
                    "signing keys reloaded from {}: {described}",
                    source.describe()
                );
                true
            }
            Err(e) => {
                tracing::error!("signing keys not reloaded, the old ones stay in use: {e}");
                false
            }
        }
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
        barejwt::encode(&claims, self.keys().signing())
    }

    /// Verifies a token and returns its caller; the error's
    /// [`barejwt::Error::code`] is what the log records.
    pub fn verify(&self, token: &str) -> Result<Caller, barejwt::Error> {
        barejwt::decode::<Caller, Keys>(token, &self.keys(), &self.validation).map(|v| v.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use barejwt::HmacKey;

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let t = Tokens::new(&[7; 32], 60, Clock::System).unwrap();
        let token = t.issue("ada", 42).unwrap();
        assert_eq!(t.verify(&token).unwrap().id, 42);
    }

    #[test]
    fn a_raw_secret_issues_tokens_without_kid_and_ignores_a_tokens_kid() {
        let t = Tokens::new(&[7; 32], 60, Clock::Fixed(1000)).unwrap();
        let token = t.issue("ada", 42).unwrap();
        assert_eq!(kid_of(&token), None);
        let key = HmacKey::new(Algorithm::HS256, &[7; 32])
            .unwrap()
            .with_kid("any");
        let with_kid = barejwt::encode(
            &serde_json::json!({"sub": "ada", "id": 3, "exp": 2000}),
            &key,
        )
        .unwrap();
        assert_eq!(t.verify(&with_kid).unwrap().id, 3);
    }

    /// The `kid` of a token's header (the tests' own tokens: trusted).
    fn kid_of(token: &str) -> Option<String> {
        let header = token.split('.').next().unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&base64url::decode(header.as_bytes()).unwrap()).unwrap();
        header
            .get("kid")
            .and_then(|k| k.as_str())
            .map(str::to_owned)
    }

    fn set(kids: &[(&str, u8)], current: &str) -> Keys {
        let keys: Vec<serde_json::Value> = kids
            .iter()
            .map(|(kid, b)| serde_json::json!({"kty": "oct", "kid": kid, "k": base64url::encode(&[*b; 32])}))
            .collect();
        let file = serde_json::json!({"keys": keys, "current": current});
        super::super::jwks::parse(file.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_set_signs_with_the_current_kid_and_a_swap_moves_signing_not_verifying() {
        let t = Tokens::with_keys(set(&[("old", 1), ("new", 2)], "old"), 60, Clock::System);
        let old = t.issue("ada", 1).unwrap();
        assert_eq!(kid_of(&old).as_deref(), Some("old"));
        t.replace_keys(set(&[("old", 1), ("new", 2)], "new"));
        let new = t.issue("ada", 1).unwrap();
        assert_eq!(kid_of(&new).as_deref(), Some("new"));
        assert!(t.verify(&old).is_ok() && t.verify(&new).is_ok());
        t.replace_keys(set(&[("new", 2)], "new"));
        assert_eq!(t.verify(&old).unwrap_err().code(), "unknown_key");
        assert!(t.verify(&new).is_ok());
    }

    #[test]
    fn a_token_naming_a_kid_with_another_keys_signature_is_refused() {
        let t = Tokens::with_keys(set(&[("a", 1), ("b", 2)], "a"), 60, Clock::System);
        // Signed with b's bytes, but claiming to be a's.
        let forged = HmacKey::new(Algorithm::HS256, &[2; 32])
            .unwrap()
            .with_kid("a");
        let claims = serde_json::json!({"sub": "ada", "id": 3, "exp": t.now() + 60});
        let token = barejwt::encode(&claims, &forged).unwrap();
        assert_eq!(t.verify(&token).unwrap_err().code(), "bad_signature");
        // And a token without kid, with a set that names no kidless key.
        let plain = HmacKey::new(Algorithm::HS256, &[1; 32]).unwrap();
        let token = barejwt::encode(&claims, &plain).unwrap();
        assert_eq!(t.verify(&token).unwrap_err().code(), "unknown_key");
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
