//! The schema: the tutorial's two tables, how a file gets to the newest
//! version, and how the server knows a file is its own.
//!
//! # Whose file is it?
//!
//! `--db` may point at any file, including someone else's SQLite
//! database. Every file this server creates carries its own
//! [`APPLICATION_ID`] in SQLite's header (`PRAGMA application_id`, the
//! field SQLite reserves for saying which application a file belongs to),
//! and [`identify`] reads it, *before anything is written* (not even the
//! switch to WAL mode, which rewrites the header), and accepts:
//!
//! - a file with our id;
//! - an empty file (no tables, no id): a new database;
//! - a file from before the id existed: id 0, `user_version` 1 and
//!   exactly the tables and index of version 1. It is stamped with the id.
//!
//! Anything else is refused and left byte for byte as it was.
//!
//! # Versions
//!
//! The schema version lives in SQLite's `PRAGMA user_version`. On open, the
//! writer applies every migration in [`MIGRATIONS`] above the file's
//! version, each in its own `BEGIN IMMEDIATE` transaction that reads the
//! version again (so two processes starting on one new file do not both
//! create the tables), and a file from a *newer* release is refused
//! rather than misread.

use rusqlite::{Connection, TransactionBehavior};

use super::DbError;

/// Our `PRAGMA application_id`: the ASCII bytes `BJWT`, big-endian.
pub const APPLICATION_ID: i32 = 0x424A_5754;

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
    // Version 2: one account per user name whatever its case (see
    // `case_variants`). User names are ASCII, so NOCASE (ASCII case
    // folding) is the whole of RFC 8265's case mapping for them.
    "CREATE UNIQUE INDEX users_by_name_nocase ON users(username COLLATE NOCASE);",
];

/// Version 1's objects, as `sqlite_schema` lists them: what a file from
/// before [`APPLICATION_ID`] must hold, exactly, to be taken as ours.
const V1_OBJECTS: &[(&str, &str)] = &[
    ("index", "todos_by_owner"),
    ("table", "todos"),
    ("table", "users"),
];

/// What [`identify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Our application id.
    Ours,
    /// No tables and no id: a new database.
    Empty,
    /// Version 1 from before the id: ours, to be stamped.
    Unstamped,
}

/// Says whether the file behind `conn` is ours, reading only.
pub fn identify(conn: &Connection) -> Result<Found, DbError> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(Found::Ours);
    }
    let mut st = conn.prepare(
        "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name, type",
    )?;
    let objects: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if id == 0 && version == 0 && objects.is_empty() {
        return Ok(Found::Empty);
    }
    let mut v1: Vec<(&str, &str)> = V1_OBJECTS.to_vec();
    v1.sort_by_key(|&(kind, name)| (name, kind));
    let same = objects.len() == v1.len()
        && objects
            .iter()
            .zip(&v1)
            .all(|((k, n), (vk, vn))| k == vk && n == vn);
    if id == 0 && version == 1 && same {
        return Ok(Found::Unstamped);
    }
    let names: Vec<&str> = objects.iter().take(5).map(|(_, n)| n.as_str()).collect();
    let more = if objects.len() > 5 { ", ..." } else { "" };
    Err(DbError::NotOurs(format!(
        "application_id {id:#x}, user_version {version}, objects: {}{more}",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    )))
}

/// User names that differ only in case, a few of them: what version 2's
/// index cannot hold.
///
/// > Case Mapping Rule: Map uppercase and titlecase code points to their
/// > lowercase equivalents — [RFC 8265 §3.3.2] (the UsernameCaseMapped
/// > profile)
///
/// So `alice`, `Alice` and `ALICE` are one account. A database from
/// before version 2 may hold two of them as two accounts; which one keeps
/// the name is the operator's call, not the server's, so the migration
/// stops and names them instead of guessing.
///
/// [RFC 8265 §3.3.2]: https://www.rfc-editor.org/rfc/rfc8265#section-3.3.2
fn case_variants(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut st = conn.prepare(
        "SELECT group_concat(username, '/' ORDER BY id) FROM users
         GROUP BY username COLLATE NOCASE HAVING count(*) > 1 LIMIT 5",
    )?;
    let names = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(names)
}

/// Brings the file's schema to the newest version, in order, and stamps
/// it with [`APPLICATION_ID`]. The caller has checked with [`identify`]
/// that the file is ours.
pub fn migrate(conn: &mut Connection) -> Result<i64, DbError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        // IMMEDIATE: take the write lock before reading the version, so
        // the version read is the one the migration applies to.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > known {
            return Err(DbError::TooNew { found, known });
        }
        let id: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
        if found == known {
            if id != APPLICATION_ID {
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
                tx.commit()?;
            }
            return Ok(known);
        }
        if found == 1 {
            let names = case_variants(&tx)?;
            if !names.is_empty() {
                return Err(DbError::CaseVariants(names));
            }
        }
        tx.execute_batch(MIGRATIONS[found as usize])?;
        // PRAGMA takes no bound parameters; the values are our own integers.
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_a_fresh_file_reaches_the_newest_version_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(identify(&conn).unwrap(), Found::Empty);
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as i64);
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        assert_eq!(identify(&conn).unwrap(), Found::Ours);
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
    fn a_version_1_file_is_recognised_and_anything_else_is_not() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        assert_eq!(identify(&conn).unwrap(), Found::Unstamped);
        conn.execute_batch("CREATE TABLE extra (x)").unwrap();
        let err = identify(&conn).unwrap_err();
        assert!(err.to_string().contains("extra"), "{err}");
    }

    #[test]
    fn case_variants_stop_migration_2_and_are_named() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO users (username, hashed_password, created_at)
             VALUES ('alice', 'h', 0), ('Alice', 'h', 0), ('bob', 'h', 0);",
        )
        .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        match &err {
            DbError::CaseVariants(names) => assert_eq!(names, &["alice/Alice"]),
            other => panic!("{other:?}"),
        }
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1, "left at its old version");
        conn.execute(
            "UPDATE users SET username = 'alice2' WHERE username = 'Alice'",
            [],
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 2);
    }
}
