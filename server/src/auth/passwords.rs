//! Passwords: bcrypt, on threads of its own.
//!
//! bcrypt is slow on purpose (cost 12: about a quarter of a second), so
//! hashing runs on a few threads of its own, never on the async workers,
//! at a lower scheduling priority (nice 10 on Linux) so that a flood of
//! logins cannot starve token-authenticated requests.
//!
//! # Admission by expected wait
//!
//! A job is turned away ([`HashError::Busy`], which the server answers
//! with 503 and `Retry-After`) when the caller would wait too long for it
//! to start, not when some count of jobs is reached:
//!
//! > expected wait = (jobs ahead) × (time per job) ÷ threads
//!
//! with the time per job measured: the dummy hash at start, then a moving
//! average of every job. So at bcrypt cost 4 (about a millisecond a hash)
//! a burst of fifty logins is all served, while at cost 12 the same burst
//! on two threads gets 503s once a caller would wait over `max_wait`. A
//! hard cap on queued jobs (`queue`) still bounds memory.
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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// Jobs admitted and not yet finished (queued or running).
    pending: Arc<AtomicUsize>,
    /// The measured time per job, in nanoseconds (a moving average).
    job_nanos: Arc<AtomicU64>,
    /// The longest expected wait a job is admitted with.
    max_wait: Duration,
}

/// How long a new job would wait to start: the jobs ahead of it, shared
/// by the threads, each taking `job` (see the module docs).
pub fn expected_wait(ahead: usize, job: Duration, threads: usize) -> Duration {
    let ahead = u32::try_from(ahead).unwrap_or(u32::MAX);
    let threads = u32::try_from(threads.max(1)).unwrap_or(u32::MAX);
    job.saturating_mul(ahead) / threads
}

/// Decrements the pending count when a job ends, even by a panic.
struct Finished(Arc<AtomicUsize>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
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
    /// Starts `threads` hashing threads that admit a job while its expected
    /// wait is at most `max_wait` (and at most `queue` jobs wait), and
    /// computes the dummy hash, which also gives the first measure of a
    /// job's time. Blocks for one hash.
    pub fn start(
        threads: usize,
        queue: usize,
        cost: u32,
        max_wait: Duration,
    ) -> Result<Hasher, String> {
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
        let started = Instant::now();
        let dummy =
            bcrypt::hash(base64url::encode(&random), cost).map_err(|e| format!("bcrypt: {e}"))?;
        let job_nanos = started.elapsed().as_nanos().min(u64::MAX as u128) as u64;
        Ok(Hasher {
            tx,
            threads,
            cost,
            dummy: dummy.into(),
            verified: Arc::new(AtomicU64::new(0)),
            pending: Arc::new(AtomicUsize::new(0)),
            job_nanos: Arc::new(AtomicU64::new(job_nanos)),
            max_wait,
        })
    }

    /// The measured time per job.
    pub fn job_time(&self) -> Duration {
        Duration::from_nanos(self.job_nanos.load(Ordering::Relaxed))
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let ahead = self.pending.fetch_add(1, Ordering::AcqRel);
        let finished = Finished(Arc::clone(&self.pending));
        if expected_wait(ahead, self.job_time(), self.threads) > self.max_wait {
            return Err(HashError::Busy);
        }
        let (tx, rx) = oneshot::channel();
        let job_nanos = Arc::clone(&self.job_nanos);
        let job = HashMsg::Job(Box::new(move || {
            // Held until the answer is ready (dropped even by a panic), and
            // released before the answer is sent, so that the caller's
            // next job never counts this one as ahead of it.
            let finished = finished;
            let started = Instant::now();
            let out = f();
            // A moving average over about the last eight jobs.
            let took = started.elapsed().as_nanos().min(u64::MAX as u128) as u64;
            let old = job_nanos.load(Ordering::Relaxed);
            let new = old - old / 8 + took / 8;
            job_nanos.store(new.max(1), Ordering::Relaxed);
            drop(finished);
            let _ = tx.send(out);
        }));
        match self.tx.try_send(job) {
            Ok(()) => {}
            // The job (and its `Finished`) is dropped: pending goes back down.
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
    fn the_expected_wait_is_jobs_ahead_times_job_time_over_threads() {
        let ms = Duration::from_millis;
        assert_eq!(expected_wait(0, ms(250), 2), ms(0));
        assert_eq!(expected_wait(1, ms(250), 2), ms(125));
        assert_eq!(expected_wait(32, ms(250), 2), ms(4000));
        // Fifty logins at cost 4 (about 1 ms each) on two threads.
        assert_eq!(expected_wait(49, ms(1), 2), Duration::from_micros(24_500));
        assert_eq!(expected_wait(usize::MAX, ms(1), 0), ms(u64::from(u32::MAX)));
    }

    #[tokio::test]
    async fn a_job_is_turned_away_when_its_expected_wait_is_too_long() {
        // One thread, jobs of about 50 ms, a limit of 60 ms: the first job
        // runs, the second waits ~50 ms, the third would wait ~100 ms.
        let h = Arc::new(Hasher::start(1, 100, 4, Duration::from_millis(60)).unwrap());
        h.job_nanos.store(50_000_000, Ordering::Relaxed);
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let (h, wait) = (Arc::clone(&h), Arc::clone(&wait));
            jobs.push(tokio::spawn(async move {
                h.run(move || {
                    let _ = wait.lock().unwrap().recv();
                })
                .await
            }));
        }
        while h.pending.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(h.run(|| ()).await, Err(HashError::Busy)));
        assert_eq!(
            h.pending.load(Ordering::Acquire),
            2,
            "the refused job left no trace"
        );
        go.send(()).unwrap();
        go.send(()).unwrap();
        for j in jobs {
            assert!(j.await.unwrap().is_ok());
        }
        assert_eq!(h.pending.load(Ordering::Acquire), 0);
        h.shutdown();
    }
}
