//! Who is calling: the signing keys, the tokens, the `Authorization`
//! header, and the password-hashing threads — one file each.
//!
//! | file | what | RFC |
//! | --- | --- | --- |
//! | `secret.rs` | where the keys come from: `BAREJWT_SECRET`, `--secret-file`, the file beside the database | RFC 7518 §3.2 |
//! | `jwks.rs` | a secret file holding a JWK Set: `"current"`, `"kidless"`, what is refused | RFC 7517 §4, §5; RFC 7518 §6.4 |
//! | `keys.rs` | one raw secret or a set: which key signs, which verifies a token | RFC 7515 §4.1.4 |
//! | `tokens.rs` | the tokens the server issues, the rules it verifies them by, reloading the keys | RFC 7519 §4.1, RFC 8725 §3.1 |
//! | `bearer.rs` | `Authorization: Bearer <token>` | RFC 6750 §2.1, RFC 9110 §11.1 |
//! | `passwords.rs` | bcrypt, on threads of its own | — |
//!
//! # Security
//!
//! Keys, passwords and tokens never reach a log line or an error
//! message. Password bytes are not zeroized after use.

mod bearer;
mod jwks;
mod keys;
mod passwords;
mod secret;
mod tokens;

pub(crate) use bearer::authenticate;
pub use bearer::bearer_token;
pub use jwks::parse as parse_jwk_set;
pub use keys::Keys;
pub use passwords::{HashError, Hasher, MAX_PASSWORD_BYTES, hash_password};
pub use secret::{
    MAX_SET_BYTES, MIN_SECRET_BYTES, SecretSource, load_keys, reload_keys, secret_path_for,
};
pub use tokens::{Caller, REQUIRED_CLAIMS, Tokens};
