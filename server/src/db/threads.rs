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
//! guarantee (see `open` below); the writer sets WAL mode and migrates the file
//! before any reader opens it.

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::{DbError, migrate};

/// How long a connection waits for a lock before giving up with
/// `SQLITE_BUSY` (only checkpoints and a second process could hold one).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

enum Msg {
    Job(Job),
    Stop,
}

/// The database threads and the channels that reach them.
pub struct Db {
    /// One channel per reader thread; requests pick one round-robin.
    readers: Vec<mpsc::Sender<Msg>>,
    /// The single writer thread.
    writer: mpsc::Sender<Msg>,
    /// Joined once, at shutdown.
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("readers", &self.readers.len())
            .finish_non_exhaustive()
    }
}

/// Opens a connection with the settings every connection needs.
fn open(path: &Path, read_only: bool) -> rusqlite::Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
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
    rx: mpsc::Receiver<Msg>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name).spawn(move || {
        while let Ok(Msg::Job(job)) = rx.recv() {
            // A panicking job drops its oneshot, so its caller sees
            // `Closed`; the thread and its connection carry on.
            let _ = catch_unwind(AssertUnwindSafe(|| job(&mut conn)));
        }
        // Closing the last connection checkpoints the WAL into the file.
        if let Err((_, e)) = conn.close() {
            tracing::error!(error = %e, "closing the database");
        }
    })
}

impl Db {
    /// Opens (or creates) the database at `path`, migrates it, and starts
    /// one writer and `readers` reader threads.
    pub fn open(path: &Path, readers: usize) -> Result<Db, DbError> {
        let mut writer = open(path, false)?;
        // WAL: readers and the writer do not block each other; the setting
        // is stored in the file. NORMAL sync is durable across application
        // crashes; a power cut may lose the last commits, never corrupt.
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode");
        }
        writer.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut writer)?;

        let mut threads = Vec::new();
        let mut reader_txs = Vec::new();
        for i in 0..readers.max(1) {
            let (tx, rx) = mpsc::channel();
            threads
                .push(spawn(format!("db-read-{i}"), open(path, true)?, rx).map_err(DbError::Io)?);
            reader_txs.push(tx);
        }
        let (wtx, wrx) = mpsc::channel();
        threads.push(spawn("db-write".into(), writer, wrx).map_err(DbError::Io)?);
        Ok(Db {
            readers: reader_txs,
            writer: wtx,
            threads: Mutex::new(threads),
        })
    }

    async fn call<T, F>(&self, to: &mpsc::Sender<Msg>, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        to.send(Msg::Job(job)).map_err(|_| DbError::Closed)?;
        rx.await.map_err(|_| DbError::Closed)?
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
            let conn = open(&path, read_only).unwrap();
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
