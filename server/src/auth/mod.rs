//! Who is calling: the signing secret, the tokens, the `Authorization`
//! header, and the password-hashing threads — one file each.
//!
//! | file | what | RFC |
//! | --- | --- | --- |
//! | `secret.rs` | where the HS256 secret comes from, and its file | RFC 7518 §3.2 |
//! | `tokens.rs` | the tokens the server issues and the rules it verifies them by | RFC 7519 §4.1, RFC 8725 §3.1 |
//! | `bearer.rs` | `Authorization: Bearer <token>` | RFC 6750 §2.1, RFC 9110 §11.1 |
//! | `passwords.rs` | bcrypt, on threads of its own | — |
//!
//! # Security
//!
//! The secret, passwords and tokens never reach a log line or an error
//! message. Password bytes are not zeroized after use.

mod bearer;
mod passwords;
mod secret;
mod tokens;

pub(crate) use bearer::authenticate;
pub use bearer::bearer_token;
pub use passwords::{HashError, Hasher, MAX_PASSWORD_BYTES, hash_password};
pub use secret::{MIN_SECRET_BYTES, SecretSource, load_secret, secret_path_for};
pub use tokens::{Caller, REQUIRED_CLAIMS, Tokens};
