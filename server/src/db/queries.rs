//! The queries: users and their todos.
//!
//! Every one binds its values as parameters; none is built by formatting
//! user input into SQL. Every todo query filters on the owner, so one
//! user can never read, change or delete another's todo (the caller sees
//! "not found" either way).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::DbError;

/// The most todos one user may keep: the list endpoint returns them all,
/// so the list must not grow without bound.
pub const MAX_TODOS_PER_USER: i64 = 10_000;

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

impl Todo {
    /// The todo as stored: row `id` of `owner`, holding the fields just
    /// written (an insert or update answers with what it wrote, not a
    /// second read).
    pub(crate) fn stored(id: i64, owner: i64, t: &TodoFields) -> Todo {
        Todo {
            id,
            title: t.title.clone(),
            description: t.description.clone(),
            priority: t.priority,
            complete: t.complete,
            owner_id: owner,
        }
    }
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

// User names compare without case (schema version 2, RFC 8265 §3.3):
// `= ?1 COLLATE NOCASE` is what the `users_by_name_nocase` index serves,
// and that index's UNIQUE makes a case variant's registration a
// constraint failure (409), even in a race.

/// `true` if a user of that name, in any case, exists.
pub fn username_taken(conn: &Connection, username: &str) -> Result<bool, DbError> {
    let mut st = conn.prepare_cached("SELECT 1 FROM users WHERE username = ?1 COLLATE NOCASE")?;
    Ok(st.exists(params![username])?)
}

/// What a login checks, found by name in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The row id.
    pub id: i64,
    /// The name as it was registered (which may differ in case from the
    /// name the user typed).
    pub username: String,
    /// The bcrypt hash.
    pub hash: String,
}

/// A user's id, registered name and password hash, by name in any case.
pub fn credentials(conn: &Connection, username: &str) -> Result<Option<Credentials>, DbError> {
    let mut st = conn.prepare_cached(
        "SELECT id, username, hashed_password FROM users WHERE username = ?1 COLLATE NOCASE",
    )?;
    Ok(st
        .query_row(params![username], |r| {
            Ok(Credentials {
                id: r.get(0)?,
                username: r.get(1)?,
                hash: r.get(2)?,
            })
        })
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
    // IMMEDIATE: the write lock first, then the count. A deferred
    // transaction would read, then ask to upgrade to a write, and SQLite
    // refuses that upgrade at once (no busy wait) when another process
    // wrote in between.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
    Ok(Some(Todo::stored(id, owner, t)))
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
    Ok((n == 1).then(|| Todo::stored(id, owner, t)))
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
    use crate::db::migrate;

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
        assert!(insert_user(&conn, &new("ALICE"), "h", 0).unwrap().is_none());
        assert!(username_taken(&conn, "aLiCe").unwrap());
        let found = credentials(&conn, "Alice").unwrap().unwrap();
        assert_eq!((found.id, found.username.as_str()), (a.id, "alice"));
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
