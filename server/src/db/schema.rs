//! The schema: the tutorial's two tables, and how a file gets to the
//! newest version.
//!
//! The schema version lives in SQLite's `PRAGMA user_version`. On open, the
//! writer applies every migration in [`MIGRATIONS`] above the file's
//! version, each in its own transaction, so a file from an older release
//! is brought up to date and a fresh file is created from nothing. A file
//! from a *newer* release is refused rather than misread.
//!

use rusqlite::Connection;

use super::DbError;

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
    fn a_file_from_a_newer_release_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(DbError::TooNew { found: 999, .. })
        ));
    }
}
