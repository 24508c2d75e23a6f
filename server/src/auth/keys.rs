//! The keys the server signs and verifies with: one raw secret, or a JWK
//! Set whose keys are told apart by `kid`.
//!
//! > The "kid" (key ID) Header Parameter is a hint indicating which key
//! > was used to secure the JWS. This parameter allows originators to
//! > explicitly signal a change of key to recipients. — [RFC 7515 §4.1.4]
//!
//! So with a JWK Set the server writes the signing key's `kid` into every
//! token it issues, and verifies a token with the key of the set that the
//! token's `kid` names (the library's [`KeySet::select`]): replicas that
//! hold the same set accept each other's tokens whichever key signed them,
//! which is what lets a key be rotated without logging anyone out (README,
//! "Rotating the secret").
//!
//! # Tokens without a `kid`
//!
//! A raw secret works exactly as it always has: tokens carry no `kid`, and
//! the one key verifies every token, whatever its header says. With a JWK
//! Set, a token without `kid` is one issued before the switch from a raw
//! secret; it is verified only by the key the set names in its
//! `"kidless"` member, and refused (`unknown_key`) when the set names
//! none. The library's [`KeySet::select`] would also let a set of exactly
//! one key verify such tokens; the server does not, so that adding a
//! second key can never change which tokens are accepted.
//!
//! # Security
//!
//! `Debug` and [`Keys::describe`] name kids and lengths, never a byte of a
//! key.
//!
//! [RFC 7515 §4.1.4]: https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4

use std::fmt;

use barejwt::{Algorithm, Error, HmacKey, KeySet, KeySource, Kid};

/// The server's keys: what signs, and what verifies.
#[derive(Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "one value per server, read by every verify: a Box would only add a pointer to follow"
)]
pub enum Keys {
    /// One raw secret: signs without `kid`, verifies every token.
    Secret(HmacKey),
    /// A JWK Set ([RFC 7517 §5]): one key signs, every key verifies the
    /// tokens that name it.
    ///
    /// [RFC 7517 §5]: https://www.rfc-editor.org/rfc/rfc7517#section-5
    Set {
        /// Every key, each with a distinct `kid`.
        set: KeySet,
        /// The key tokens are signed with (HS256, its `kid` set): the one
        /// marked `"current"`, or the set's first.
        signing: HmacKey,
        /// The key that verifies tokens without `kid`, if the set names one.
        kidless: Option<HmacKey>,
    },
}

impl Keys {
    /// One raw secret for HS256 (refused if shorter than 32 bytes,
    /// [RFC 7518 §3.2]).
    ///
    /// [RFC 7518 §3.2]: https://www.rfc-editor.org/rfc/rfc7518#section-3.2
    pub fn secret(secret: &[u8]) -> Result<Keys, Error> {
        HmacKey::new(Algorithm::HS256, secret).map(Keys::Secret)
    }

    /// The key that signs new tokens.
    pub fn signing(&self) -> &HmacKey {
        match self {
            Keys::Secret(key) => key,
            Keys::Set { signing, .. } => signing,
        }
    }

    /// What an operator may read in a log: the kids, which one signs, and
    /// what happens to a token without `kid`. No key bytes.
    pub fn describe(&self) -> String {
        match self {
            Keys::Secret(key) => {
                format!("a raw secret of {} bytes; tokens carry no kid", key.len())
            }
            Keys::Set {
                set,
                signing,
                kidless,
            } => {
                let kids: Vec<String> = set
                    .keys()
                    .iter()
                    .map(|k| shown(k.kid().unwrap_or_default()))
                    .collect();
                let signs = shown(signing.kid().unwrap_or_default());
                let without = match kidless.as_ref().and_then(HmacKey::kid) {
                    Some(kid) => format!("verified with {}", shown(kid)),
                    None => "refused".to_string(),
                };
                format!(
                    "a JWK Set of {} key{} ({}); {signs} signs; tokens without kid: {without}",
                    kids.len(),
                    if kids.len() == 1 { "" } else { "s" },
                    kids.join(", ")
                )
            }
        }
    }
}

/// A kid for a log line: quoted, escaped, at most 40 characters.
pub(crate) fn shown(kid: &str) -> String {
    match kid.char_indices().nth(40) {
        None => format!("{kid:?}"),
        Some((cut, _)) => format!("{:?}…", &kid[..cut]),
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A raw secret ignores the token's `kid`; a set chooses by it, and a
/// token without one gets the `"kidless"` key or `unknown_key` (see the
/// module docs).
impl KeySource for Keys {
    fn key_for(&self, alg: Algorithm, kid: Kid<'_>) -> Result<&HmacKey, Error> {
        match self {
            Keys::Secret(key) => key.key_for(alg, kid),
            Keys::Set { kidless, .. } if kid == Kid::Absent => match kidless {
                Some(key) => key.key_for(alg, kid),
                None => Err(Error::UnknownKey {
                    reason: "the token has no kid, and the key set names no \"kidless\" key".into(),
                }),
            },
            Keys::Set { set, .. } => set.key_for(alg, kid),
        }
    }
}
