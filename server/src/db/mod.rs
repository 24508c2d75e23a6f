//! The database: one SQLite file (the default) or a PostgreSQL server,
//! each with its schema and migrations, behind one [`Store`].
//!
//! | file | what |
//! | --- | --- |
//! | `mod.rs` | [`DbError`] |
//! | `schema.rs` | the tables, their versions, migrations |
//! | `threads.rs` | [`Db`]: the reader and writer threads, each owning a connection |
//! | `queries.rs` | every query, with its parameters bound |
//! | `store.rs` | [`Store`]: the operations the handlers call |
//! | `location.rs` | [`Location`]: what `--db` names; a URL shown without its password |
//! | `postgres.rs` | [`Pg`]: the PostgreSQL store, its pool, its errors |
//! | `pg_schema.rs` | PostgreSQL's schema, its migrations under an advisory lock |
//!
//! # What is left out
//!
//! No in-memory cache of rows (every read is a query), no online backup,
//! no TLS to PostgreSQL (run it on the same host or a private network),
//! no moving data between the two stores.

mod location;
mod pg_schema;
mod postgres;
mod queries;
mod schema;
mod store;
mod threads;

pub use location::{Location, PgUrl};
pub use pg_schema::PG_MIGRATIONS;
pub use postgres::Pg;
pub use queries::{
    Credentials, MAX_TODOS_PER_USER, NewUser, Todo, TodoFields, User, credentials, delete_todo,
    get_todo, insert_todo, insert_user, list_todos_json, update_todo, user_by_id, username_taken,
};
pub use schema::{APPLICATION_ID, Found, MIGRATIONS, identify, migrate};
pub use store::Store;
pub use threads::{DEFAULT_TIMEOUT, Db};

use std::fmt;

/// A failure of the database layer.
#[derive(Debug)]
pub enum DbError {
    /// SQLite said no.
    Sqlite(rusqlite::Error),
    /// PostgreSQL said no (an error that is none of the kinds below).
    Postgres(tokio_postgres::Error),
    /// The database server cannot be reached, or the connection was
    /// lost, or no pooled connection became free in time. 503.
    Unavailable(String),
    /// A field holds a character the database cannot store (NUL, in
    /// PostgreSQL's `text`): the field's name. 422.
    Nul(&'static str),
    /// The PostgreSQL URL does not parse (the message never repeats it).
    BadUrl(String),
    /// The database threads have stopped (shutdown) or a job panicked.
    Closed,
    /// A thread could not be started, or a row could not be serialized.
    Io(std::io::Error),
    /// The file's schema is newer than this build knows.
    TooNew {
        /// The file's `user_version` (PostgreSQL: `barejwt_schema.version`).
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// Another connection (another process) held the lock for longer
    /// than the busy timeout: the write did not happen. 503.
    Busy,
    /// The call took longer than the database timeout (a stalled disk,
    /// a frozen file system): the caller stopped waiting. 503.
    Timeout,
    /// The disk is full (`SQLITE_FULL`): the write did not happen. 507.
    Full,
    /// The file at the database's path is no longer the one the server
    /// opened (deleted, or replaced by a rename): writes would be lost,
    /// so none is acknowledged. 503.
    Moved,
    /// The file, its directory or its file system cannot be written.
    ReadOnly(String),
    /// The file is not one of ours; it was left unchanged.
    NotOurs(String),
    /// Migration 2 found user names that differ only in case.
    CaseVariants(Vec<String>),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "sqlite: {e}"),
            DbError::Postgres(e) => write!(f, "postgres: {}", postgres::describe(e)),
            DbError::Unavailable(why) => {
                write!(f, "the database server cannot be reached ({why})")
            }
            DbError::Nul(field) => write!(f, "{field} holds a NUL character"),
            DbError::BadUrl(why) => f.write_str(why),
            DbError::Closed => f.write_str("the database threads have stopped"),
            DbError::Io(e) => write!(f, "{e}"),
            DbError::TooNew { found, known } => write!(
                f,
                "the database schema is version {found}, newer than this build's {known}"
            ),
            DbError::Busy => f.write_str("the database stayed locked by another connection"),
            DbError::Timeout => f.write_str("the database did not answer in time"),
            DbError::Full => f.write_str("the disk is full"),
            DbError::Moved => f.write_str(
                "the database file was deleted or replaced while the server runs; \
                 writes are refused until the server is restarted",
            ),
            DbError::ReadOnly(why) => write!(
                f,
                "the database cannot be written ({why}); the server needs a writable file, \
                 directory and file system"
            ),
            DbError::NotOurs(what) => write!(
                f,
                "not a barejwt database ({what}); it was left unchanged: give --db a new file \
                 or a barejwt database"
            ),
            DbError::CaseVariants(names) => write!(
                f,
                "user names are now compared without case, but the database holds names \
                 that differ only in case ({}); rename all but one of each (for example \
                 `UPDATE users SET username = 'alice2' WHERE id = ...`) and start again; \
                 the database was left at its old version",
                names.join(", ")
            ),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DbError::Busy,
            Some(ErrorCode::DiskFull) => DbError::Full,
            _ => DbError::Sqlite(e),
        }
    }
}
