//! [`Store`]: the one interface the handlers call, whatever the database.
//!
//! Every operation is a plain `async fn` that takes and returns values,
//! never a connection: which thread or pooled connection runs the query
//! is the backend's business. The operations on a user's todos check that
//! the user exists *inside* the store, on the connection that runs the
//! query (so a token whose `id` names no user costs one primary-key lookup
//! and no extra hop): they answer `Ok(None)` for an unknown owner.
//!
//! # Why an enum and not a trait
//!
//! There are exactly two backends, both in this crate. An enum dispatches
//! with one `match` and no boxing of every future (an `async fn` in a
//! trait used as `dyn` would need `Box<dyn Future>` per call, or a crate
//! to write that for us), and `match` makes the compiler point at every
//! operation a new backend would have to implement. A trait would earn
//! its keep only if users plugged in stores of their own, which they do
//! not.
//!
//! Each arm is one call: the SQLite arm hands a closure to the
//! [`Db`] threads (`queries.rs` on a `&Connection`); the PostgreSQL arm
//! awaits its pool.

use std::time::Duration;

use super::queries::{self, Credentials, NewUser, Todo, TodoFields, User};
use super::{Db, DbError, Location, Pg};

/// The database the server stores users and todos in.
#[derive(Debug)]
pub enum Store {
    /// One SQLite file, served by [`Db`]'s threads.
    Sqlite(Db),
    /// A PostgreSQL database, through [`Pg`]'s pool.
    Postgres(Pg),
}

/// `true` if the token's user exists: asked on the same database thread
/// and connection as the query it guards.
fn owner_exists(c: &rusqlite::Connection, owner: i64) -> Result<bool, DbError> {
    Ok(queries::user_by_id(c, owner)?.is_some())
}

impl Store {
    /// Opens the store `db` names, migrating its schema: a SQLite file
    /// with `readers` reader threads, or a PostgreSQL pool of
    /// `readers + 1` connections (the readers and SQLite's one writer).
    /// Every later call is bounded by `timeout`. Blocks.
    pub fn open(db: &Location, readers: usize, timeout: Duration) -> Result<Store, DbError> {
        match db {
            Location::Sqlite(path) => Db::open_with(path, readers, timeout).map(Store::Sqlite),
            Location::Postgres(url) => Pg::open(url, readers + 1, timeout).map(Store::Postgres),
        }
    }

    /// `true` if a user of that name, in any case, exists.
    pub async fn username_taken(&self, username: &str) -> Result<bool, DbError> {
        match self {
            Store::Sqlite(db) => {
                let name = username.to_owned();
                db.read(move |c| queries::username_taken(c, &name)).await
            }
            Store::Postgres(pg) => pg.username_taken(username).await,
        }
    }

    /// Inserts a user; `Ok(None)` if the name (in any case) is taken.
    pub async fn insert_user(
        &self,
        user: NewUser,
        hash: String,
        now: i64,
    ) -> Result<Option<User>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.write(move |c| queries::insert_user(c, &user, &hash, now))
                    .await
            }
            Store::Postgres(pg) => pg.insert_user(&user, &hash, now).await,
        }
    }

    /// A login's id, registered name and hash, by name in any case.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, DbError> {
        match self {
            Store::Sqlite(db) => {
                let name = username.to_owned();
                db.read(move |c| queries::credentials(c, &name)).await
            }
            Store::Postgres(pg) => pg.credentials(username).await,
        }
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        match self {
            Store::Sqlite(db) => db.read(move |c| queries::user_by_id(c, id)).await,
            Store::Postgres(pg) => pg.user_by_id(id).await,
        }
    }

    /// The owner's todos as a JSON array, oldest first; `None` if the
    /// owner does not exist.
    pub async fn list_todos_json(&self, owner: i64) -> Result<Option<Vec<u8>>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.read(move |c| {
                    if !owner_exists(c, owner)? {
                        return Ok(None);
                    }
                    queries::list_todos_json(c, owner).map(Some)
                })
                .await
            }
            Store::Postgres(pg) => pg.list_todos_json(owner).await,
        }
    }

    /// One of the owner's todos: `None` if the owner does not exist,
    /// `Some(None)` if the todo does not exist *or* is someone else's.
    pub async fn get_todo(&self, owner: i64, id: i64) -> Result<Option<Option<Todo>>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.read(move |c| {
                    if !owner_exists(c, owner)? {
                        return Ok(None);
                    }
                    queries::get_todo(c, owner, id).map(Some)
                })
                .await
            }
            Store::Postgres(pg) => pg.get_todo(owner, id).await,
        }
    }

    /// Inserts a todo: `None` if the owner does not exist, `Some(None)`
    /// if the owner already has
    /// [`MAX_TODOS_PER_USER`](super::MAX_TODOS_PER_USER) (checked and
    /// inserted atomically).
    pub async fn insert_todo(
        &self,
        owner: i64,
        fields: TodoFields,
    ) -> Result<Option<Option<Todo>>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.write(move |c| {
                    if !owner_exists(c, owner)? {
                        return Ok(None);
                    }
                    queries::insert_todo(c, owner, &fields).map(Some)
                })
                .await
            }
            Store::Postgres(pg) => pg.insert_todo(owner, &fields).await,
        }
    }

    /// Replaces a todo's fields: `None` if the owner does not exist,
    /// `Some(None)` if the todo is not the owner's.
    pub async fn update_todo(
        &self,
        owner: i64,
        id: i64,
        fields: TodoFields,
    ) -> Result<Option<Option<Todo>>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.write(move |c| {
                    if !owner_exists(c, owner)? {
                        return Ok(None);
                    }
                    queries::update_todo(c, owner, id, &fields).map(Some)
                })
                .await
            }
            Store::Postgres(pg) => pg.update_todo(owner, id, &fields).await,
        }
    }

    /// Deletes a todo: `None` if the owner does not exist, `Some(false)`
    /// if the todo is not the owner's.
    pub async fn delete_todo(&self, owner: i64, id: i64) -> Result<Option<bool>, DbError> {
        match self {
            Store::Sqlite(db) => {
                db.write(move |c| {
                    if !owner_exists(c, owner)? {
                        return Ok(None);
                    }
                    queries::delete_todo(c, owner, id).map(Some)
                })
                .await
            }
            Store::Postgres(pg) => pg.delete_todo(owner, id).await,
        }
    }

    /// Whether the database answers (what `/readyz` reports).
    pub async fn ready(&self) -> Result<(), DbError> {
        match self {
            Store::Sqlite(db) => db.ready().await,
            Store::Postgres(pg) => pg.ready().await,
        }
    }

    /// Closes the database after the calls already started. Blocks: call
    /// it from a blocking context.
    pub fn shutdown(&self) {
        match self {
            Store::Sqlite(db) => db.shutdown(),
            Store::Postgres(pg) => pg.shutdown(),
        }
    }
}
