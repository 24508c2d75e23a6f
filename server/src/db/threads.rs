//! [`Db`]: the threads that own the database connections.
//!
//! SQLite calls block, so none of them run on the async worker threads.
//! Instead [`Db`] starts a few threads of its own, each owning one
//! connection (and that connection's prepared-statement cache):
//!
//! - **readers** (one per core by default) open the file read-only. In WAL
//!   mode readers never wait for the writer, so reads run in parallel.
//!   A request picks a reader round-robin with a thread-local counter, so
//!   the read path takes no lock shared by every request.
//! - **one writer**: SQLite allows one writer at a time anyway, and a
//!   single thread makes that explicit instead of turning it into
//!   `SQLITE_BUSY` retries.
//!
//! Why not `tokio::task::spawn_blocking`? Its pool is shared by everything
//! that blocks, every call takes the pool's one mutex, and its threads own
//! no connection, so each job would first have to borrow one from a pool
//! (another lock). A thread per connection needs neither.
//!
//! A request hands its closure to a thread over a channel and awaits the
//! answer on a oneshot. The queues are not bounded here: each HTTP/1
//! connection has at most one request in flight and the server caps the
//! connections, so at most `max_connections` jobs can wait.
//!
//! Every connection turns on foreign keys and the query planner stability
//! guarantee (see `open` below); the writer checks the file is ours
//! ([`identify`](super::schema::identify), before any write), sets WAL
//! mode and migrates the file before any reader opens it.
//!
//! # Faults
//!
//! - **Another process** on the same file: every write transaction is
//!   `BEGIN IMMEDIATE` or a single statement, so it waits for the lock
//!   (the busy timeout) instead of failing on a read-to-write upgrade;
//!   past the timeout it is [`DbError::Busy`].
//! - **A stalled disk**: every call is bounded by the timeout; the caller
//!   gets [`DbError::Timeout`] and stops waiting, and a job whose caller
//!   has gone is never started. A job already running when the stall hit
//!   finishes when the disk comes back: a write answered with a timeout
//!   may still have happened.
//! - **The file deleted or replaced by a rename**: before and after every
//!   write the writer compares the device and inode at the path with the
//!   ones it opened (a reader, after a read that failed); once they
//!   differ no more writes are acknowledged ([`DbError::Moved`]), and the
//!   log says so, once.

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags, TransactionBehavior};
use tokio::sync::oneshot;

use super::schema::{APPLICATION_ID, Found, identify};
use super::{DbError, migrate};

/// How long a database call may take, waiting for its turn included, by
/// default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a connection waits for another process's lock: four fifths
/// of the call's timeout, so a write that cannot get the lock fails
/// ([`DbError::Busy`], nothing written) before its caller stops waiting,
/// rather than going through after the caller was told it timed out.
fn busy_timeout(timeout: Duration) -> Duration {
    timeout * 4 / 5
}

type Job = Box<dyn FnOnce(&mut Connection, &Guard) + Send>;

enum Msg {
    Job(Job),
    Stop,
}

/// Watches that the file at the path is still the one the server opened.
#[derive(Debug)]
struct Guard {
    /// The path, and the device and inode it had at open.
    file: Option<(PathBuf, u64, u64)>,
    /// Set, for good, the first time a check fails (shared by every
    /// thread).
    moved: Arc<AtomicBool>,
    /// The writer checks before and after every job; a reader only after
    /// a job that failed (a read from a deleted file may fail), so the
    /// read path costs no `stat`.
    writer: bool,
    /// The writer has emptied its WAL since the move.
    emptied: Cell<bool>,
}

impl Guard {
    /// `Err(Moved)` once the path no longer names the file opened. The
    /// first time, the WAL is checkpointed into the file the connection
    /// still holds and truncated: the `-wal` beside the path is this
    /// file's, and left full it would be replayed over whatever file is
    /// at the path now if the server were killed.
    fn check(&self, conn: &Connection) -> Result<(), DbError> {
        let Some((path, dev, ino)) = &self.file else {
            return Ok(());
        };
        if !self.moved.load(Ordering::Relaxed) {
            if file_id(path).is_some_and(|id| id == (*dev, *ino)) {
                return Ok(());
            }
            if !self.moved.swap(true, Ordering::Relaxed) {
                tracing::error!(
                    path = %path.display(),
                    "the database file was deleted or replaced while the server runs: \
                     refusing every write (503) from now on; restart the server to use the file now at the path"
                );
            }
        }
        if self.writer
            && !self.emptied.replace(true)
            && let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpointing the moved database's WAL");
        }
        Err(DbError::Moved)
    }

    /// Runs `job`, checking the file as this thread's role says.
    fn run<T>(
        &self,
        conn: &mut Connection,
        job: impl FnOnce(&mut Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        if !self.writer {
            return match job(conn) {
                Err(e @ DbError::Sqlite(_)) => self.check(conn).and(Err(e)),
                other => other,
            };
        }
        // Checked before (do not write to a file that is gone) and after
        // (do not acknowledge what went to a file that is gone).
        self.check(conn)?;
        let result = job(conn);
        self.check(conn)?;
        result
    }
}

/// The device and inode at `path`, or `None` if nothing is there.
#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    Some((0, 0))
}

/// The database threads and the channels that reach them.
pub struct Db {
    /// One channel per reader thread; requests pick one round-robin.
    readers: Vec<mpsc::Sender<Msg>>,
    /// The single writer thread.
    writer: mpsc::Sender<Msg>,
    /// The longest a call may take.
    timeout: Duration,
    /// The writer's guard flag: the file was deleted or replaced.
    moved: Arc<AtomicBool>,
    /// Joined once, at shutdown.
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("readers", &self.readers.len())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Opens a connection with the settings every connection needs.
fn open(path: &Path, read_only: bool, busy: Duration) -> rusqlite::Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(busy)?;
    // Off by default in SQLite, for compatibility; the schema relies on it.
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(32);
    // The query planner stability guarantee: plans never depend on bound
    // values. Without it, SQLite (3.5x) marks `col = ?` parameters as
    // "re-prepare when rebound", and since rusqlite clears the bindings of
    // every cached statement it gets back, each cached query was parsed
    // and planned again on every use (15% of the server's CPU under load).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

fn spawn(
    name: String,
    mut conn: Connection,
    guard: Guard,
    rx: mpsc::Receiver<Msg>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name).spawn(move || {
        while let Ok(Msg::Job(job)) = rx.recv() {
            // A panicking job drops its oneshot, so its caller sees
            // `Closed`; the thread and its connection carry on.
            let _ = catch_unwind(AssertUnwindSafe(|| job(&mut conn, &guard)));
        }
        // Closing the last connection checkpoints the WAL into the file.
        if let Err((_, e)) = conn.close() {
            tracing::error!(error = %e, "closing the database");
        }
    })
}

/// A write that cannot happen (read-only file, directory, file system) as
/// the operator's error; anything else as it is.
fn not_writable(e: DbError) -> DbError {
    match &e {
        DbError::Sqlite(se) => match se.sqlite_error_code() {
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                DbError::ReadOnly(se.to_string())
            }
            _ => e,
        },
        _ => e,
    }
}

impl Db {
    /// [`Db::open_with`] and the [`DEFAULT_TIMEOUT`].
    pub fn open(path: &Path, readers: usize) -> Result<Db, DbError> {
        Db::open_with(path, readers, DEFAULT_TIMEOUT)
    }

    /// Opens (or creates) the database at `path`, checks it is ours and
    /// writable, migrates it, and starts one writer and `readers` reader
    /// threads. Every call on it is bounded by `timeout`.
    pub fn open_with(path: &Path, readers: usize, timeout: Duration) -> Result<Db, DbError> {
        let busy = busy_timeout(timeout);
        let mut writer = open(path, false, busy)?;
        // SQLite falls back to read-only when the file cannot be opened
        // for writing (mode 0444 for a non-root user, a read-only mount).
        if writer.is_readonly(MAIN_DB)? {
            return Err(DbError::ReadOnly(
                "SQLite could open it only read-only".into(),
            ));
        }
        // Before the first write, WAL included: is the file ours?
        let found = identify(&writer)?;
        if found == Found::Unstamped {
            tracing::info!(
                path = %path.display(),
                "a barejwt database from before application_id: stamping it"
            );
        }
        // WAL: readers and the writer do not block each other; the setting
        // is stored in the file. NORMAL sync is durable across application
        // crashes; a power cut may lose the last commits, never corrupt.
        let mode: String = writer
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))
            .map_err(|e| not_writable(e.into()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode");
        }
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut writer).map_err(not_writable)?;
        // One real write at start (the header's id, rewritten): a
        // directory or file system that cannot take the WAL's frames
        // stops the server here, not at the first user's request. A full
        // disk does not: reads and logins still work, writes answer 507.
        let probe = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .and_then(|tx| {
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
                tx.commit()
            });
        match probe.map_err(|e| not_writable(e.into())) {
            Ok(()) => {}
            Err(DbError::Full) => tracing::warn!("the disk is full: writes will answer 507"),
            Err(e) => return Err(e),
        }

        let moved = Arc::new(AtomicBool::new(false));
        let file = file_id(path).map(|(dev, ino)| (path.to_path_buf(), dev, ino));
        let guard = |writer| Guard {
            file: file.clone(),
            moved: Arc::clone(&moved),
            writer,
            emptied: Cell::new(false),
        };
        let mut threads = Vec::new();
        let mut reader_txs = Vec::new();
        for i in 0..readers.max(1) {
            let (tx, rx) = mpsc::channel();
            let conn = open(path, true, busy)?;
            threads
                .push(spawn(format!("db-read-{i}"), conn, guard(false), rx).map_err(DbError::Io)?);
            reader_txs.push(tx);
        }
        let (wtx, wrx) = mpsc::channel();
        threads.push(spawn("db-write".into(), writer, guard(true), wrx).map_err(DbError::Io)?);
        Ok(Db {
            readers: reader_txs,
            writer: wtx,
            timeout,
            moved,
            threads: Mutex::new(threads),
        })
    }

    async fn call<T, F>(&self, to: &mpsc::Sender<Msg>, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn, guard| {
            // The caller timed out while this job waited: do not start it,
            // so a write answered "timeout" while queued never happens.
            if tx.is_closed() {
                return;
            }
            let _ = tx.send(guard.run(conn, f));
        });
        to.send(Msg::Job(job)).map_err(|_| DbError::Closed)?;
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(answer) => answer.map_err(|_| DbError::Closed)?,
            Err(_) => Err(DbError::Timeout),
        }
    }

    /// Runs `f` on a reader thread (a read-only connection).
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        thread_local! {
            static NEXT: Cell<usize> = const { Cell::new(0) };
        }
        let i = NEXT.with(|n| {
            let i = n.get();
            n.set(i.wrapping_add(1));
            i
        });
        let to = &self.readers[i % self.readers.len()];
        self.call(to, move |conn| f(conn)).await
    }

    /// Runs `f` on the writer thread.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        self.call(&self.writer, f).await
    }

    /// Whether the database answers: a read of the users table on a
    /// reader, and a turn on the writer thread (which checks the file is
    /// still the one at the path). What `/readyz` reports.
    pub async fn ready(&self) -> Result<(), DbError> {
        if self.moved.load(Ordering::Relaxed) {
            return Err(DbError::Moved);
        }
        self.read(|c| {
            c.prepare_cached("SELECT count(*) FROM users")?
                .query_row([], |r| r.get::<_, i64>(0))?;
            Ok(())
        })
        .await?;
        self.write(|c| Ok(c.is_autocommit())).await.map(|_| ())
    }

    /// Stops every thread after the jobs already queued, and closes the
    /// connections (the writer's last, so it checkpoints the WAL). Jobs
    /// sent afterwards fail with [`DbError::Closed`]. Blocks: call it from
    /// a blocking context.
    pub fn shutdown(&self) {
        let mut threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        // Readers first: a read-only connection cannot checkpoint, so the
        // writer must be the last connection to close.
        for tx in &self.readers {
            let _ = tx.send(Msg::Stop);
        }
        let writer = threads.pop();
        for t in threads {
            let _ = t.join();
        }
        let _ = self.writer.send(Msg::Stop);
        if let Some(t) = writer {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_keep_query_plans_stable_so_cached_statements_are_not_reprepared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        for read_only in [false, true] {
            let conn = open(&path, read_only, DEFAULT_TIMEOUT).unwrap();
            assert!(
                conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
                    .unwrap()
            );
            let fk: bool = conn
                .pragma_query_value(None, "foreign_keys", |r| r.get(0))
                .unwrap();
            assert!(fk);
        }
    }
}
