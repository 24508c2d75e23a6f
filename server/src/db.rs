//! The database: one SQLite file, its schema and its migrations, and the
//! threads that own its connections.
//!
//! # Threads, not locks
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
//! # Schema versions
//!
//! The schema version lives in SQLite's `PRAGMA user_version`. On open, the
//! writer applies every migration in [`MIGRATIONS`] above the file's
//! version, each in its own transaction, so a file from an older release
//! is brought up to date and a fresh file is created from nothing. A file
//! from a *newer* release is refused rather than misread.
//!
//! # What is left out
//!
//! No connection to a database server, no in-memory cache of rows (every
//! read is a query), no online backup.

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use tokio::sync::oneshot;

/// How long a connection waits for a lock before giving up with
/// `SQLITE_BUSY` (only checkpoints and a second process could hold one).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The most todos one user may keep: the list endpoint returns them all,
/// so the list must not grow without bound.
pub const MAX_TODOS_PER_USER: i64 = 10_000;

/// The schema, one entry per version: `MIGRATIONS[i]` takes a file from
/// version `i` to version `i + 1`. Append; never edit a released entry.
pub const MIGRATIONS: &[&str] = &[
    // Version 1: the tutorial's two tables.
    "CREATE TABLE users (
        id              INTEGER PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE,
        email           TEXT,
        first_name      TEXT,
        last_name       TEXT,
        hashed_password TEXT NOT NULL,
        created_at      INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE todos (
        id          INTEGER PRIMARY KEY,
        owner_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title       TEXT NOT NULL,
        description TEXT NOT NULL,
        priority    INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
        complete    INTEGER NOT NULL CHECK (complete IN (0, 1))
    ) STRICT;
    -- Every todo query filters on the owner: one index serves them all.
    CREATE INDEX todos_by_owner ON todos(owner_id, id);",
];

/// A failure of the database layer.
#[derive(Debug)]
pub enum DbError {
    /// SQLite said no.
    Sqlite(rusqlite::Error),
    /// The database threads have stopped (shutdown) or a job panicked.
    Closed,
    /// A thread could not be started, or a row could not be serialized.
    Io(std::io::Error),
    /// The file's schema is newer than this build knows.
    TooNew {
        /// The file's `user_version`.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "sqlite: {e}"),
            DbError::Closed => f.write_str("the database threads have stopped"),
            DbError::Io(e) => write!(f, "{e}"),
            DbError::TooNew { found, known } => write!(
                f,
                "the database schema is version {found}, newer than this build's {known}"
            ),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        DbError::Sqlite(e)
    }
}

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

/// Brings the file's schema to the newest version, in order.
pub fn migrate(conn: &mut Connection) -> Result<i64, DbError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(DbError::TooNew { found, known });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(known)
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

// ---------------------------------------------------------------------------
// The queries. Every one binds its values as parameters; none is built by
// formatting user input into SQL.

/// A user as the API shows it: never the password hash.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    /// The row id, also the token's `id` claim.
    pub id: i64,
    /// Unique login name.
    pub username: String,
    /// Optional contact address.
    pub email: Option<String>,
    /// Optional first name.
    pub first_name: Option<String>,
    /// Optional last name.
    pub last_name: Option<String>,
}

/// A new user's fields, validated by the caller.
#[derive(Debug)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Contact address.
    pub email: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
}

/// A todo as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Todo {
    /// Row id.
    pub id: i64,
    /// 3 to 100 characters.
    pub title: String,
    /// Up to 1000 characters.
    pub description: String,
    /// 1 (highest) to 5.
    pub priority: i64,
    /// Done or not.
    pub complete: bool,
    /// The owning user's id.
    pub owner_id: i64,
}

/// A todo's writable fields, validated by the caller.
#[derive(Debug, Clone)]
pub struct TodoFields {
    /// 3 to 100 characters.
    pub title: String,
    /// Up to 1000 characters.
    pub description: String,
    /// 1 to 5.
    pub priority: i64,
    /// Done or not.
    pub complete: bool,
}

/// `true` for a UNIQUE constraint failure.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Inserts a user; `Ok(None)` if the name is taken.
pub fn insert_user(
    conn: &Connection,
    user: &NewUser,
    hash: &str,
    now: i64,
) -> Result<Option<User>, DbError> {
    let mut st = conn.prepare_cached(
        "INSERT INTO users (username, email, first_name, last_name, hashed_password, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    match st.execute(params![
        user.username,
        user.email,
        user.first_name,
        user.last_name,
        hash,
        now
    ]) {
        Ok(_) => Ok(Some(User {
            id: conn.last_insert_rowid(),
            username: user.username.clone(),
            email: user.email.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
        })),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `true` if a user of that name exists.
pub fn username_taken(conn: &Connection, username: &str) -> Result<bool, DbError> {
    let mut st = conn.prepare_cached("SELECT 1 FROM users WHERE username = ?1")?;
    Ok(st.exists(params![username])?)
}

/// A user's id and password hash, by name.
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<(i64, String)>, DbError> {
    let mut st =
        conn.prepare_cached("SELECT id, hashed_password FROM users WHERE username = ?1")?;
    Ok(st
        .query_row(params![username], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A user by id.
pub fn user_by_id(conn: &Connection, id: i64) -> Result<Option<User>, DbError> {
    let mut st = conn.prepare_cached(
        "SELECT id, username, email, first_name, last_name FROM users WHERE id = ?1",
    )?;
    Ok(st
        .query_row(params![id], |r| {
            Ok(User {
                id: r.get(0)?,
                username: r.get(1)?,
                email: r.get(2)?,
                first_name: r.get(3)?,
                last_name: r.get(4)?,
            })
        })
        .optional()?)
}

const TODO_COLUMNS: &str = "id, title, description, priority, complete, owner_id";

fn todo_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Todo> {
    Ok(Todo {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        priority: r.get(3)?,
        complete: r.get(4)?,
        owner_id: r.get(5)?,
    })
}

/// The owner's todos as a JSON array, serialized on the database thread
/// straight from the rows (no intermediate `Vec<Todo>`).
pub fn list_todos_json(conn: &Connection, owner: i64) -> Result<Vec<u8>, DbError> {
    let mut st = conn.prepare_cached(
        "SELECT id, title, description, priority, complete, owner_id
         FROM todos WHERE owner_id = ?1 ORDER BY id",
    )?;
    let mut rows = st.query(params![owner])?;
    let mut out = Vec::with_capacity(1024);
    out.push(b'[');
    let mut first = true;
    while let Some(row) = rows.next()? {
        if !first {
            out.push(b',');
        }
        first = false;
        let todo = todo_row(row)?;
        // Writing into a Vec cannot fail; a String always serializes.
        serde_json::to_writer(&mut out, &todo).map_err(|e| DbError::Io(e.into()))?;
    }
    out.push(b']');
    Ok(out)
}

/// One of the owner's todos; `None` if it does not exist *or* belongs to
/// someone else (the two are indistinguishable on purpose).
pub fn get_todo(conn: &Connection, owner: i64, id: i64) -> Result<Option<Todo>, DbError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {TODO_COLUMNS} FROM todos WHERE id = ?1 AND owner_id = ?2"
    ))?;
    Ok(st.query_row(params![id, owner], todo_row).optional()?)
}

/// Inserts a todo; `Ok(None)` when the owner already has
/// [`MAX_TODOS_PER_USER`].
pub fn insert_todo(
    conn: &mut Connection,
    owner: i64,
    t: &TodoFields,
) -> Result<Option<Todo>, DbError> {
    let tx = conn.transaction()?;
    let count: i64 = tx
        .prepare_cached("SELECT count(*) FROM todos WHERE owner_id = ?1")?
        .query_row(params![owner], |r| r.get(0))?;
    if count >= MAX_TODOS_PER_USER {
        return Ok(None);
    }
    tx.prepare_cached(
        "INSERT INTO todos (owner_id, title, description, priority, complete)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        owner,
        t.title,
        t.description,
        t.priority,
        t.complete
    ])?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(Some(Todo {
        id,
        title: t.title.clone(),
        description: t.description.clone(),
        priority: t.priority,
        complete: t.complete,
        owner_id: owner,
    }))
}

/// Replaces a todo's fields; `None` if it is not the owner's.
pub fn update_todo(
    conn: &Connection,
    owner: i64,
    id: i64,
    t: &TodoFields,
) -> Result<Option<Todo>, DbError> {
    let n = conn
        .prepare_cached(
            "UPDATE todos SET title = ?1, description = ?2, priority = ?3, complete = ?4
             WHERE id = ?5 AND owner_id = ?6",
        )?
        .execute(params![
            t.title,
            t.description,
            t.priority,
            t.complete,
            id,
            owner
        ])?;
    Ok((n == 1).then(|| Todo {
        id,
        title: t.title.clone(),
        description: t.description.clone(),
        priority: t.priority,
        complete: t.complete,
        owner_id: owner,
    }))
}

/// Deletes a todo; `false` if it is not the owner's.
pub fn delete_todo(conn: &Connection, owner: i64, id: i64) -> Result<bool, DbError> {
    let n = conn
        .prepare_cached("DELETE FROM todos WHERE id = ?1 AND owner_id = ?2")?
        .execute(params![id, owner])?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_a_fresh_file_reaches_the_newest_version_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as i64);
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }

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

    #[test]
    fn a_file_from_a_newer_release_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(DbError::TooNew { found: 999, .. })
        ));
    }

    #[test]
    fn todos_are_scoped_to_their_owner() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate(&mut conn).unwrap();
        let new = |name: &str| NewUser {
            username: name.into(),
            email: None,
            first_name: None,
            last_name: None,
        };
        let a = insert_user(&conn, &new("alice"), "h", 0).unwrap().unwrap();
        let b = insert_user(&conn, &new("bob"), "h", 0).unwrap().unwrap();
        assert!(insert_user(&conn, &new("alice"), "h", 0).unwrap().is_none());
        let fields = TodoFields {
            title: "buy milk".into(),
            description: String::new(),
            priority: 3,
            complete: false,
        };
        let t = insert_todo(&mut conn, a.id, &fields).unwrap().unwrap();
        assert!(get_todo(&conn, b.id, t.id).unwrap().is_none());
        assert!(update_todo(&conn, b.id, t.id, &fields).unwrap().is_none());
        assert!(!delete_todo(&conn, b.id, t.id).unwrap());
        assert_eq!(get_todo(&conn, a.id, t.id).unwrap(), Some(t.clone()));
        let json = list_todos_json(&conn, a.id).unwrap();
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed.len(), 1);
        assert_eq!(list_todos_json(&conn, b.id).unwrap(), b"[]");
        assert!(delete_todo(&conn, a.id, t.id).unwrap());
    }
}
