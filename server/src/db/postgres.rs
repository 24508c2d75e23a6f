//! [`Pg`]: the store on a PostgreSQL server, through a pool of
//! connections (tokio-postgres, pooled by deadpool-postgres).
//!
//! Any number of replicas may share one database: the schema is migrated
//! once under an advisory lock (`pg_schema.rs`), user names are unique
//! without case by an index, and the per-user todo limit is checked and
//! the todo inserted in one transaction holding the user's row lock, so
//! two replicas cannot both insert the last allowed todo.
//!
//! Every statement binds its values as parameters (`$1`, `$2`, …);
//! none is built by formatting a value into SQL. Every call is bounded
//! by the database timeout, on both sides: the caller stops waiting
//! ([`DbError::Timeout`]) and the server cancels a statement that runs
//! longer (`statement_timeout`, set for every connection).
//!
//! # Faults
//!
//! - **The server unreachable, a connection lost** (the server restarted,
//!   `pg_terminate_backend`, the network): [`DbError::Unavailable`], 503
//!   with `Retry-After`. A lost connection is dropped by the pool when it
//!   is next handed out, and a new one made, so the store recovers on
//!   its own once the server answers again.
//! - **Disk full** (SQLSTATE 53100): [`DbError::Full`], 507.
//! - **A schema newer than this build**: refused at start
//!   ([`DbError::TooNew`]), as for SQLite.
//!
//! # One difference from SQLite
//!
//! PostgreSQL's `text` cannot hold the NUL character, which SQLite's can.
//! A registration or todo with a NUL in a field is refused (422, naming
//! the field) instead of reaching the database as an error; a login name
//! with a NUL matches no user.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use super::location::PgUrl;
use super::pg_schema::migrate;
use super::queries::{Credentials, NewUser, Todo, TodoFields, User};
use super::{DbError, MAX_TODOS_PER_USER};

/// The pool and the bound on every call.
pub struct Pg {
    pool: Pool,
    timeout: Duration,
}

impl std::fmt::Debug for Pg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pg")
            .field("max_size", &self.pool.status().max_size)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a driver error means for the caller.
impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> DbError {
        let Some(code) = e.code() else {
            // No SQLSTATE: the connection failed or closed (I/O, the
            // server went away), or the driver refused something.
            return if e.is_closed() || has_io_source(&e) {
                DbError::Unavailable(describe(&e))
            } else {
                DbError::Postgres(e)
            };
        };
        match code.code() {
            // disk_full
            "53100" => DbError::Full,
            // Class 08: connection exceptions; 57P01..03: the server shut
            // down, crashed or is starting; 53300: too many connections;
            // 25006: a read-only server (a standby being promoted).
            c if c.starts_with("08")
                || matches!(c, "57P01" | "57P02" | "57P03" | "53300" | "25006") =>
            {
                DbError::Unavailable(describe(&e))
            }
            // serialization_failure, deadlock_detected, lock_not_available
            "40001" | "40P01" | "55P03" => DbError::Busy,
            // query_canceled: our statement_timeout
            "57014" => DbError::Timeout,
            _ => DbError::Postgres(e),
        }
    }
}

/// The error and its causes, `: `-joined (the driver's `Display` gives
/// only the first: "error connecting to server", not why).
pub(super) fn describe(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn has_io_source(e: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn pool_error(e: PoolError) -> DbError {
    match e {
        PoolError::Backend(e) => match DbError::from(e) {
            // Making a connection failed for a reason with no SQLSTATE of
            // its own: the server cannot be reached.
            DbError::Postgres(e) => DbError::Unavailable(describe(&e)),
            other => other,
        },
        PoolError::Timeout(_) => {
            DbError::Unavailable("no database connection became free or could be made".into())
        }
        PoolError::Closed => DbError::Closed,
        other => DbError::Unavailable(other.to_string()),
    }
}

/// Refuses a field PostgreSQL cannot store (see the module docs).
fn no_nul(field: &'static str, value: Option<&str>) -> Result<(), DbError> {
    match value {
        Some(v) if v.contains('\0') => Err(DbError::Nul(field)),
        _ => Ok(()),
    }
}

impl Pg {
    /// Connects, migrates the schema (under the advisory lock) and makes
    /// a pool of at most `pool_size` connections; every later call is
    /// bounded by `timeout`. Blocks: call it outside async code, or from
    /// a blocking context (it runs its own small runtime on a thread of
    /// its own, so either works).
    pub fn open(url: &PgUrl, pool_size: usize, timeout: Duration) -> Result<Pg, DbError> {
        let mut config = url.config().map_err(DbError::BadUrl)?;
        config
            .application_name("barejwt")
            .connect_timeout(timeout)
            .options(format!("-c statement_timeout={}", timeout.as_millis()));
        let first = config.clone();
        std::thread::scope(|s| {
            s.spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(DbError::Io)?;
                rt.block_on(migrate_once(first, timeout))
            })
            .join()
            .unwrap_or(Err(DbError::Closed))
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(timeout))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .build()
            .map_err(|e| DbError::Unavailable(describe(&e)))?;
        Ok(Pg { pool, timeout })
    }

    /// Runs `f` with a pooled connection, bounded by the timeout.
    async fn with<T, F, Fut>(&self, f: F) -> Result<T, DbError>
    where
        F: FnOnce(Object) -> Fut,
        Fut: Future<Output = Result<T, DbError>>,
    {
        let work = async {
            let client = self.pool.get().await.map_err(pool_error)?;
            f(client).await
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(DbError::Timeout),
        }
    }

    /// `true` if a user of that name, in any case, exists.
    pub async fn username_taken(&self, username: &str) -> Result<bool, DbError> {
        if username.contains('\0') {
            return Ok(false);
        }
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "SELECT 1 FROM users WHERE barejwt_fold(username) = barejwt_fold($1)",
                )
                .await?;
            Ok(c.query_opt(&st, &[&username]).await?.is_some())
        })
        .await
    }

    /// Inserts a user; `Ok(None)` if the name, in any case, is taken.
    pub async fn insert_user(
        &self,
        user: &NewUser,
        hash: &str,
        now: i64,
    ) -> Result<Option<User>, DbError> {
        no_nul("username", Some(&user.username))?;
        no_nul("email", user.email.as_deref())?;
        no_nul("first_name", user.first_name.as_deref())?;
        no_nul("last_name", user.last_name.as_deref())?;
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "INSERT INTO users
                       (username, email, first_name, last_name, hashed_password, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .await?;
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
                &user.username,
                &user.email,
                &user.first_name,
                &user.last_name,
                &hash,
                &now,
            ];
            match c.query_one(&st, &params).await {
                Ok(row) => Ok(Some(User {
                    id: row.get(0),
                    username: user.username.clone(),
                    email: user.email.clone(),
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                })),
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// A login's id, registered name and hash, by name in any case.
    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, DbError> {
        if username.contains('\0') {
            return Ok(None);
        }
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "SELECT id, username, hashed_password FROM users
                     WHERE barejwt_fold(username) = barejwt_fold($1)",
                )
                .await?;
            Ok(c.query_opt(&st, &[&username]).await?.map(|r| Credentials {
                id: r.get(0),
                username: r.get(1),
                hash: r.get(2),
            }))
        })
        .await
    }

    /// A user by id.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, DbError> {
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "SELECT id, username, email, first_name, last_name FROM users WHERE id = $1",
                )
                .await?;
            Ok(c.query_opt(&st, &[&id]).await?.map(|r| User {
                id: r.get(0),
                username: r.get(1),
                email: r.get(2),
                first_name: r.get(3),
                last_name: r.get(4),
            }))
        })
        .await
    }

    /// The owner's todos as a JSON array; `None` if the owner does not
    /// exist. One statement: the user's row joined to their todos (one
    /// row of NULLs when they have none, no row when the user is absent).
    pub async fn list_todos_json(&self, owner: i64) -> Result<Option<Vec<u8>>, DbError> {
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "SELECT t.id, t.title, t.description, t.priority, t.complete
                     FROM users u LEFT JOIN todos t ON t.owner_id = u.id
                     WHERE u.id = $1 ORDER BY t.id",
                )
                .await?;
            let rows = c.query(&st, &[&owner]).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let mut out = Vec::with_capacity(1024);
            out.push(b'[');
            for r in &rows {
                let Some(id) = r.get::<_, Option<i64>>(0) else {
                    continue;
                };
                if out.len() > 1 {
                    out.push(b',');
                }
                let todo = Todo {
                    id,
                    title: r.get(1),
                    description: r.get(2),
                    priority: r.get(3),
                    complete: r.get(4),
                    owner_id: owner,
                };
                serde_json::to_writer(&mut out, &todo).map_err(|e| DbError::Io(e.into()))?;
            }
            out.push(b']');
            Ok(Some(out))
        })
        .await
    }

    /// One of the owner's todos: `None` if the owner does not exist,
    /// `Some(None)` if the todo does not or is someone else's.
    pub async fn get_todo(&self, owner: i64, id: i64) -> Result<Option<Option<Todo>>, DbError> {
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "SELECT t.id, t.title, t.description, t.priority, t.complete
                     FROM users u LEFT JOIN todos t ON t.owner_id = u.id AND t.id = $2
                     WHERE u.id = $1",
                )
                .await?;
            let Some(r) = c.query_opt(&st, &[&owner, &id]).await? else {
                return Ok(None);
            };
            Ok(Some(r.get::<_, Option<i64>>(0).map(|id| Todo {
                id,
                title: r.get(1),
                description: r.get(2),
                priority: r.get(3),
                complete: r.get(4),
                owner_id: owner,
            })))
        })
        .await
    }

    /// Inserts a todo: `None` if the owner does not exist, `Some(None)`
    /// at the limit. The user's row is locked first (`FOR NO KEY
    /// UPDATE`), so inserts for one user, from any replica, take turns:
    /// the count each one reads (a fresh snapshot per statement in READ
    /// COMMITTED) includes every todo committed before it got the lock.
    pub async fn insert_todo(
        &self,
        owner: i64,
        t: &TodoFields,
    ) -> Result<Option<Option<Todo>>, DbError> {
        no_nul("title", Some(&t.title))?;
        no_nul("description", Some(&t.description))?;
        self.with(|mut c| async move {
            let tx = c.transaction().await?;
            let lock = tx
                .prepare_cached("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .await?;
            if tx.query_opt(&lock, &[&owner]).await?.is_none() {
                return Ok(None);
            }
            let count = tx
                .prepare_cached("SELECT count(*) FROM todos WHERE owner_id = $1")
                .await?;
            let n: i64 = tx.query_one(&count, &[&owner]).await?.get(0);
            if n >= MAX_TODOS_PER_USER {
                return Ok(Some(None));
            }
            let insert = tx
                .prepare_cached(
                    "INSERT INTO todos (owner_id, title, description, priority, complete)
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .await?;
            let row = tx
                .query_one(
                    &insert,
                    &[&owner, &t.title, &t.description, &t.priority, &t.complete],
                )
                .await?;
            tx.commit().await?;
            Ok(Some(Some(Todo::stored(row.get(0), owner, t))))
        })
        .await
    }

    /// Replaces a todo's fields: `None` if the owner does not exist,
    /// `Some(None)` if the todo is not the owner's. One statement.
    pub async fn update_todo(
        &self,
        owner: i64,
        id: i64,
        t: &TodoFields,
    ) -> Result<Option<Option<Todo>>, DbError> {
        no_nul("title", Some(&t.title))?;
        no_nul("description", Some(&t.description))?;
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "WITH u AS (SELECT id FROM users WHERE id = $6),
                          t AS (UPDATE todos
                                SET title = $1, description = $2, priority = $3, complete = $4
                                WHERE id = $5 AND owner_id IN (SELECT id FROM u)
                                RETURNING id)
                     SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM t)",
                )
                .await?;
            let r = c
                .query_one(
                    &st,
                    &[
                        &t.title,
                        &t.description,
                        &t.priority,
                        &t.complete,
                        &id,
                        &owner,
                    ],
                )
                .await?;
            let (users, updated): (i64, i64) = (r.get(0), r.get(1));
            Ok((users == 1).then(|| (updated == 1).then(|| Todo::stored(id, owner, t))))
        })
        .await
    }

    /// Deletes a todo: `None` if the owner does not exist, `Some(false)`
    /// if the todo is not the owner's. One statement.
    pub async fn delete_todo(&self, owner: i64, id: i64) -> Result<Option<bool>, DbError> {
        self.with(|c| async move {
            let st = c
                .prepare_cached(
                    "WITH u AS (SELECT id FROM users WHERE id = $1),
                          t AS (DELETE FROM todos
                                WHERE id = $2 AND owner_id IN (SELECT id FROM u)
                                RETURNING id)
                     SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM t)",
                )
                .await?;
            let r = c.query_one(&st, &[&owner, &id]).await?;
            let (users, deleted): (i64, i64) = (r.get(0), r.get(1));
            Ok((users == 1).then_some(deleted == 1))
        })
        .await
    }

    /// Whether the database answers: a read of the users table.
    pub async fn ready(&self) -> Result<(), DbError> {
        self.with(|c| async move {
            let st = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM users)")
                .await?;
            c.query_one(&st, &[]).await?;
            Ok(())
        })
        .await
    }

    /// Closes the pool: its connections, and every later call
    /// ([`DbError::Closed`]).
    pub fn shutdown(&self) {
        self.pool.close();
    }
}

/// Connects once and migrates, both bounded by `timeout`. The
/// connection's task is driven right here beside the migration, so this
/// needs no runtime but the caller's.
async fn migrate_once(config: tokio_postgres::Config, timeout: Duration) -> Result<(), DbError> {
    let connect = tokio::time::timeout(timeout, config.connect(NoTls));
    let (mut client, connection) = match connect.await {
        Ok(Ok(pair)) => pair,
        // Refused with a reason (a wrong password, no such database):
        // that reason; no answer at all: unreachable.
        Ok(Err(e)) => return Err(e.into()),
        Err(_) => return Err(DbError::Unavailable("connecting timed out".into())),
    };
    let work = async {
        let version = tokio::time::timeout(timeout, migrate(&mut client))
            .await
            .map_err(|_| DbError::Timeout)??;
        tracing::info!(version, "PostgreSQL schema ready");
        drop(client);
        Ok(())
    };
    tokio::pin!(connection);
    tokio::select! {
        result = work => result,
        ended = &mut connection => Err(match ended {
            Err(e) => DbError::from(e),
            Ok(()) => DbError::Unavailable("the server closed the connection".into()),
        }),
    }
}
