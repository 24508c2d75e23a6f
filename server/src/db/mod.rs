//! The database: one SQLite file, its schema and its migrations, the
//! threads that own its connections, and the queries.
//!
//! | file | what |
//! | --- | --- |
//! | `mod.rs` | [`DbError`] |
//! | `schema.rs` | the tables, their versions, migrations |
//! | `threads.rs` | [`Db`]: the reader and writer threads, each owning a connection |
//! | `queries.rs` | every query, with its parameters bound |
//!
//! # What is left out
//!
//! No connection to a database server, no in-memory cache of rows (every
//! read is a query), no online backup.

mod queries;
mod schema;
mod threads;

pub use queries::{
    MAX_TODOS_PER_USER, NewUser, Todo, TodoFields, User, credentials, delete_todo, get_todo,
    insert_todo, insert_user, list_todos_json, update_todo, user_by_id, username_taken,
};
pub use schema::{MIGRATIONS, migrate};
pub use threads::Db;

use std::fmt;

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
