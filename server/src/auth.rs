//! Who is calling: the signing secret, the tokens, the `Authorization`
//! header, and the password-hashing threads.
//!
//! # Tokens
//!
//! A login yields an HS256 JWT with the claims `sub` (user name), `id`
//! (user id), `iat`, `exp` and `jti` ([RFC 7519 §4.1]). The server verifies
//! it with barejwt's own [`decode`]: HS256 only (the verifier, not the
//! token, picks the algorithm, [RFC 8725 §3.1]), `exp`, `iat`, `sub` and
//! `jti` required, no leeway.
//!
//! # Bearer tokens
//!
//! > credentials = "Bearer" 1*SP b64token — [RFC 6750 §2.1]
//!
//! The scheme name is case-insensitive ([RFC 9110 §11.1]). A missing
//! header, another scheme, or an empty token all mean "not authenticated".
//!
//! # Passwords
//!
//! bcrypt is slow on purpose (cost 12: about a quarter of a second), so
//! hashing runs on a few threads of its own, never on the async workers,
//! at a lower scheduling priority (nice 10 on Linux) so that a flood of
//! logins cannot starve token-authenticated requests. Jobs wait in a
//! bounded queue; when it is full the caller gets [`HashError::Busy`]
//! (the server answers 503 with `Retry-After`).
//!
//! A login for an unknown user verifies the password against a dummy hash
//! of the same cost, so both failures take the same time.
//!
//! bcrypt reads at most 72 bytes of password. Longer passwords are refused
//! by the caller (422) instead of being cut silently; a password of
//! exactly 72 bytes is used in full (only bcrypt's terminating NUL no
//! longer fits).
//!
//! # Security
//!
//! The secret, passwords and tokens never reach a log line or an error
//! message. Password bytes are not zeroized after use.
//!
//! [`decode`]: barejwt::decode
//! [RFC 7519 §4.1]: https://www.rfc-editor.org/rfc/rfc7519#section-4.1
//! [RFC 8725 §3.1]: https://www.rfc-editor.org/rfc/rfc8725#section-3.1
//! [RFC 6750 §2.1]: https://www.rfc-editor.org/rfc/rfc6750#section-2.1
//! [RFC 9110 §11.1]: https://www.rfc-editor.org/rfc/rfc9110#section-11.1

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use barejwt::{Algorithm, HmacKey, Validation, base64url};

/// The shortest secret accepted: HS256's output length (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// bcrypt's input limit in bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// Where the signing secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// Given directly (from `BAREJWT_SECRET`).
    Bytes(Vec<u8>),
    /// Read from this file; one trailing newline is ignored.
    File(PathBuf),
    /// Read from this file, or, if it does not exist, 32 random bytes
    /// written to it with mode 0600.
    Generated(PathBuf),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            SecretSource::File(p) => write!(f, "File({})", p.display()),
            SecretSource::Generated(p) => write!(f, "Generated({})", p.display()),
        }
    }
}

/// The secret file beside a database: `barejwt.db` → `barejwt.secret`.
pub fn secret_path_for(db: &Path) -> PathBuf {
    db.with_extension("secret")
}

fn read_small(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .map_err(|e| format!("cannot stat the secret file {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "the secret file {} is readable by others (mode {:o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    let mut buf = Vec::new();
    // A secret is short; a huge file is a mistake, not a key.
    file.take(4097)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    if buf.len() > 4096 {
        return Err(format!(
            "the secret file {} is longer than 4096 bytes",
            path.display()
        ));
    }
    Ok(buf)
}

/// Loads (or creates) the secret. The error is a message for the operator;
/// it never contains secret bytes.
pub fn load_secret(source: &SecretSource) -> Result<Vec<u8>, String> {
    let secret = match source {
        SecretSource::Bytes(b) => b.clone(),
        SecretSource::File(path) => {
            let mut b = read_small(path)?;
            if b.ends_with(b"\n") {
                b.pop();
                if b.ends_with(b"\r") {
                    b.pop();
                }
            }
            b
        }
        SecretSource::Generated(path) => match read_small(path) {
            Ok(b) => {
                tracing::info!(path = %path.display(), "using the signing secret from the file beside the database");
                b
            }
            Err(_) if !path.exists() => {
                let mut b = vec![0u8; MIN_SECRET_BYTES];
                getrandom::fill(&mut b)
                    .map_err(|e| format!("no randomness for the secret: {e}"))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut f = options.open(path).map_err(|e| {
                    format!("cannot create the secret file {}: {e}", path.display())
                })?;
                f.write_all(&b)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| format!("cannot write the secret file {}: {e}", path.display()))?;
                tracing::info!(
                    path = %path.display(),
                    "generated a new signing secret (32 random bytes, mode 0600); keep this file to keep tokens valid across restarts"
                );
                b
            }
            Err(e) => return Err(e),
        },
    };
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!(
            "the signing secret is {} bytes; at least {MIN_SECRET_BYTES} are required for HS256 (RFC 7518 §3.2)",
            secret.len()
        ));
    }
    Ok(secret)
}

/// A bcrypt hash of `password` at `cost`, on the calling thread: for tools
/// such as `barejwt useradd` that run outside the server (the server itself
/// hashes on [`Hasher`]'s threads).
pub fn hash_password(password: &[u8], cost: u32) -> Result<String, String> {
    bcrypt::hash(password, cost).map_err(|e| format!("bcrypt: {e}"))
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

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
    /// A signer and verifier for `secret` (at least 32 bytes).
    pub fn new(secret: &[u8], ttl: u64) -> Result<Tokens, barejwt::Error> {
        Ok(Tokens {
            key: HmacKey::new(Algorithm::HS256, secret)?,
            validation: Validation::new(Algorithm::HS256).require(["exp", "iat", "sub", "jti"]),
            ttl,
        })
    }

    /// A fresh token for the user, valid `ttl` seconds from `now`.
    pub fn issue(&self, username: &str, id: i64, now: i64) -> Result<String, barejwt::Error> {
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

/// The token of an `Authorization: Bearer <token>` header, if that is what
/// the header holds ([RFC 6750 §2.1]).
///
/// [RFC 6750 §2.1]: https://www.rfc-editor.org/rfc/rfc6750#section-2.1
pub fn bearer_token(header: Option<&[u8]>) -> Option<&str> {
    let h = header?;
    if h.len() < 7 || !h[..6].eq_ignore_ascii_case(b"bearer") || h[6] != b' ' {
        return None;
    }
    let token = std::str::from_utf8(&h[7..]).ok()?.trim_matches(' ');
    (!token.is_empty()).then_some(token)
}

// ---------------------------------------------------------------------------
// The hashing threads.

/// Why a hashing job did not run.
#[derive(Debug)]
pub enum HashError {
    /// The queue is full: try again later (503).
    Busy,
    /// The threads have stopped.
    Closed,
    /// bcrypt failed (a stored hash that is not a bcrypt hash).
    Bcrypt(bcrypt::BcryptError),
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashError::Busy => f.write_str("the password hashing queue is full"),
            HashError::Closed => f.write_str("the password hashing threads have stopped"),
            HashError::Bcrypt(e) => write!(f, "bcrypt: {e}"),
        }
    }
}

impl std::error::Error for HashError {}

enum HashMsg {
    Job(Box<dyn FnOnce() + Send>),
    Stop,
}

/// The password-hashing threads and their bounded queue.
pub struct Hasher {
    tx: SyncSender<HashMsg>,
    threads: usize,
    cost: u32,
    /// A hash of a random password at `cost`: what an unknown user's login
    /// is verified against.
    dummy: Arc<str>,
    /// How many verifications have run, dummy ones included (a test can
    /// see that an unknown user costs a bcrypt run too).
    verified: Arc<AtomicU64>,
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("threads", &self.threads)
            .field("cost", &self.cost)
            .finish_non_exhaustive()
    }
}

/// Lowers the calling thread's scheduling priority (Linux: its nice value;
/// elsewhere nothing).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10) {
        tracing::debug!(error = %e, "could not lower the hashing thread's priority");
    }
}

impl Hasher {
    /// Starts `threads` hashing threads with a queue of `queue` waiting
    /// jobs, and computes the dummy hash. Blocks for one hash.
    pub fn start(threads: usize, queue: usize, cost: u32) -> Result<Hasher, String> {
        let threads = threads.max(1);
        let (tx, rx) = mpsc::sync_channel::<HashMsg>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("bcrypt-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is held only while waiting for the next
                        // job, never while hashing.
                        let msg = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match msg {
                            Ok(HashMsg::Job(job)) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Ok(HashMsg::Stop) | Err(_) => return,
                        }
                    }
                })
                .map_err(|e| format!("cannot start a hashing thread: {e}"))?;
        }
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|e| format!("no randomness: {e}"))?;
        let dummy =
            bcrypt::hash(base64url::encode(&random), cost).map_err(|e| format!("bcrypt: {e}"))?;
        Ok(Hasher {
            tx,
            threads,
            cost,
            dummy: dummy.into(),
            verified: Arc::new(AtomicU64::new(0)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (tx, rx) = oneshot::channel();
        let job = HashMsg::Job(Box::new(move || {
            let _ = tx.send(f());
        }));
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(HashError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(HashError::Closed),
        }
        rx.await.map_err(|_| HashError::Closed)
    }

    /// The bcrypt hash of `password` (at most 72 bytes: checked by the
    /// caller).
    pub async fn hash(&self, password: Vec<u8>) -> Result<String, HashError> {
        let cost = self.cost;
        self.run(move || bcrypt::hash(password, cost))
            .await?
            .map_err(HashError::Bcrypt)
    }

    /// Checks `password` against `hash`, or against the dummy hash when
    /// there is no user (then the answer is always `false`, after the same
    /// work).
    pub async fn verify(&self, password: Vec<u8>, hash: Option<String>) -> Result<bool, HashError> {
        let dummy = Arc::clone(&self.dummy);
        let verified = Arc::clone(&self.verified);
        self.run(move || {
            let result = match hash {
                Some(h) => bcrypt::verify(password, &h),
                None => bcrypt::verify(password, &dummy).map(|_| false),
            };
            verified.fetch_add(1, Ordering::Relaxed);
            result
        })
        .await?
        .map_err(HashError::Bcrypt)
    }

    /// How many password verifications have run so far.
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    /// Stops the threads once the queued jobs are done. Blocks.
    pub fn shutdown(&self) {
        for _ in 0..self.threads {
            let _ = self.tx.send(HashMsg::Stop);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer_token(Some(b"Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"BEARER abc")), Some("abc"));
        assert_eq!(bearer_token(Some(b"Bearer ")), None);
        assert_eq!(bearer_token(Some(b"Bearer")), None);
        assert_eq!(bearer_token(Some(b"Basic abc")), None);
        assert_eq!(bearer_token(Some(b"Bearerabc")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn a_short_secret_is_refused_with_its_length() {
        let err = load_secret(&SecretSource::Bytes(vec![1; 31])).unwrap_err();
        assert!(err.contains("31 bytes"), "{err}");
        assert!(load_secret(&SecretSource::Bytes(vec![1; 32])).is_ok());
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let t = Tokens::new(&[7; 32], 60).unwrap();
        let token = t.issue("ada", 42, now_secs()).unwrap();
        assert_eq!(t.verify(&token).unwrap().id, 42);
        let old = t.issue("ada", 42, now_secs() - 61).unwrap();
        assert_eq!(t.verify(&old).unwrap_err().code(), "expired");
    }
}
