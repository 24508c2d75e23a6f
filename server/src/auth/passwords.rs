//! Passwords: bcrypt, on threads of its own.
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
//! No password reaches a log line or an error message. Password bytes are
//! not zeroized after use.
//!
//! Left out: other password hashes (argon2, scrypt), rehashing at a new
//! cost on login.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use barejwt::base64url;

/// bcrypt's input limit in bytes.
pub const MAX_PASSWORD_BYTES: usize = 72;

/// A bcrypt hash of `password` at `cost`, on the calling thread: for tools
/// such as `barejwt useradd` that run outside the server (the server itself
/// hashes on [`Hasher`]'s threads).
pub fn hash_password(password: &[u8], cost: u32) -> Result<String, String> {
    bcrypt::hash(password, cost).map_err(|e| format!("bcrypt: {e}"))
}

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
