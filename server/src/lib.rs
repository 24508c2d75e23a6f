//! `barejwt-server`, the login and todo server: the FastAPI tutorial's service (users log in
//! once, get a JWT, and call the todo endpoints with
//! `Authorization: Bearer <token>`) on barejwt's own JWT code.
//!
//! # Layout
//!
//! | file | what |
//! | --- | --- |
//! | `lib.rs` | configuration, the accept loop, limits, graceful shutdown, request logs |
//! | `conns.rs` | the connection table: per-peer limits, closing the idlest at the cap |
//! | [`routes`] | the router; `routes/`: the error type, bodies, forms, fields |
//! | [`users`] | register, log in (OAuth 2.0 password grant), `me` |
//! | [`todos`] | the todo endpoints |
//! | [`auth`] | `auth/`: the secret, tokens, bearer headers, the bcrypt threads |
//! | [`db`] | `db/`: the [`Store`]: SQLite or PostgreSQL, schemas, migrations, queries |
//! | [`openapi`] | the OpenAPI 3.1 description |
//! | [`pages`] | `/docs`: Swagger UI, every asset served from here |
//! | [`debugger`] | the token debugger page and its JSON endpoints |
//! | [`logging`] | a log writer that never blocks a request |
//!
//! # Threads
//!
//! The async workers (tokio, one per core) parse HTTP, verify tokens and
//! route. Everything that blocks runs elsewhere: SQLite on [`db::Db`]'s
//! threads (PostgreSQL's pool is async and needs none), bcrypt on [`auth::Hasher`]'s (at a lower priority). So a flood
//! of logins waits in the bcrypt queue while token-authenticated requests
//! go on.
//!
//! # Limits
//!
//! At most `max_connections` connections at once, and at most
//! `max_connections_per_peer` from one address; at either limit the
//! longest-idle keep-alive connection is closed to make room, and only
//! when every connection is busy do further clients wait in the kernel's
//! accept queue (see `conns.rs`). Every database call is bounded by
//! `db_timeout` (503). Request headers must arrive within
//! `header_read_timeout`, which is also how long an idle keep-alive
//! connection is kept; request bodies are at most `max_body_bytes` (413)
//! and must arrive within `body_read_timeout` (408); request headers are at
//! most 16 KiB (431).
//!
//! # Reloading the keys
//!
//! [`Server::reloader`] hands out a [`Reloader`], which reads the secret
//! source again and swaps the signing keys while the server runs (the
//! binary calls it on SIGHUP): the way keys are rotated across replicas
//! without a restart (`auth/tokens.rs`; README, "Rotating the secret").
//!
//! # Shutdown
//!
//! When the `shutdown` future passed to [`Server::run`] completes (the
//! binary passes SIGINT/SIGTERM), the server stops accepting, lets
//! in-flight requests finish (up to `shutdown_grace`), then stops the
//! bcrypt and database threads and closes the database.
//!
//! Left out: TLS (put a reverse proxy in front), HTTP/2, rate limiting per
//! client, token revocation.

#![forbid(unsafe_code)]

pub mod auth;
mod conns;
pub mod db;
pub mod debugger;
pub mod logging;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod todos;
pub mod users;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use barejwt::Clock;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use self::auth::{Hasher, SecretSource, Tokens};
use self::conns::Conns;
use self::db::{Location, Store};
use self::routes::Resp;

/// Everything the server can be told.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file (created on first start) or the PostgreSQL
    /// database.
    pub db: Location,
    /// Where the signing secret comes from. For PostgreSQL it must be
    /// given ([`SecretSource::Bytes`] or [`SecretSource::File`]): there
    /// is no directory beside the database to keep a generated one in,
    /// and every replica needs the same; [`Server::open`] refuses
    /// [`SecretSource::Generated`] there.
    pub secret: SecretSource,
    /// Token lifetime in seconds.
    pub token_ttl: u64,
    /// bcrypt cost for new hashes (4 to 31).
    pub bcrypt_cost: u32,
    /// How many passwords are hashed at once.
    pub hash_threads: usize,
    /// The most password jobs that may wait, whatever their expected wait
    /// (a bound on memory; each connection has at most one in flight).
    pub hash_queue: usize,
    /// A login or registration is refused with 503 when it would wait
    /// longer than this for a hashing thread (expected wait: jobs ahead ×
    /// measured time per hash ÷ `hash_threads`).
    pub login_max_wait: Duration,
    /// SQLite reader threads; for PostgreSQL, the pool holds one more
    /// connection than this (the readers and the writer SQLite has).
    pub db_readers: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one address may hold at once. Behind a reverse proxy
    /// every client has the proxy's address: raise it to
    /// `max_connections` there.
    pub max_connections_per_peer: usize,
    /// The longest a database call may take (and how long a write waits
    /// for another process's lock) before the request gets 503.
    pub db_timeout: Duration,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Time allowed for request headers, and the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// Time allowed for a request body.
    pub body_read_timeout: Duration,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// The one clock the server reads: what tokens are issued at and
    /// verified against, and when accounts are created. The system clock
    /// by default; a fixed time lets a test move time without waiting.
    pub clock: Clock,
    /// Who may use the token debugger (`/debugger`).
    pub debugger: debugger::Access,
}

/// The number of cores, at least 1.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Config {
    /// The defaults for a database at `db`: for SQLite the secret beside
    /// the file, 20-minute tokens, bcrypt cost 12, one hash per core.
    pub fn new(db: impl Into<Location>) -> Config {
        let db = db.into();
        // PostgreSQL: a placeholder `Server::open` refuses (see `secret`).
        let beside = db
            .sqlite_path()
            .unwrap_or(std::path::Path::new("barejwt.db"));
        Config {
            secret: SecretSource::Generated(auth::secret_path_for(beside)),
            db,
            token_ttl: 20 * 60,
            bcrypt_cost: 12,
            hash_threads: cores(),
            hash_queue: 1024,
            login_max_wait: Duration::from_secs(3),
            db_readers: cores(),
            max_connections: 1024,
            max_connections_per_peer: 256,
            db_timeout: db::DEFAULT_TIMEOUT,
            max_body_bytes: 64 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: routes::DEFAULT_BODY_READ_TIMEOUT,
            shutdown_grace: Duration::from_secs(10),
            clock: Clock::System,
            debugger: debugger::Access::default(),
        }
    }
}

/// What every request handler shares. Nothing in it is behind a lock but
/// the signing keys, read-locked for the length of one sign or verify so
/// that a reload can swap them (`auth/tokens.rs`).
#[derive(Debug)]
pub(crate) struct State {
    /// The configuration.
    pub config: Config,
    /// The store: the database behind one interface.
    pub db: Store,
    /// The bcrypt threads.
    pub hasher: Hasher,
    /// Signs and verifies tokens.
    pub tokens: Tokens,
    /// `/openapi.json`, serialized once.
    pub openapi: Bytes,
}

/// A server ready to run: database open, secret loaded, threads started.
#[derive(Debug)]
pub struct Server {
    state: Arc<State>,
}

impl Server {
    /// Opens the database (creating and migrating it), loads or creates the
    /// secret, and starts the database and bcrypt threads. Blocks (one
    /// bcrypt hash, file I/O): call it before the async work starts, or
    /// from a blocking context. The error is a message for the operator.
    pub fn open(config: Config) -> Result<Server, String> {
        if !(4..=31).contains(&config.bcrypt_cost) {
            return Err(format!(
                "bcrypt cost {} is outside 4..=31",
                config.bcrypt_cost
            ));
        }
        if config.token_ttl == 0 || config.token_ttl > 366 * 24 * 3600 {
            return Err("token lifetime must be 1 second to 1 year".into());
        }
        if let (Location::Postgres(_), SecretSource::Generated(_)) = (&config.db, &config.secret) {
            return Err(
                "PostgreSQL needs the signing secret given: set --secret-file or BAREJWT_SECRET \
                 (a generated secret is kept beside a SQLite file, and a database server has \
                 no \"beside\"; every replica must use the same secret)"
                    .into(),
            );
        }
        let keys = auth::load_keys(&config.secret)?;
        tracing::info!(
            "signing keys from {}: {}",
            config.secret.describe(),
            keys.describe()
        );
        let tokens = Tokens::with_keys(keys, config.token_ttl, config.clock.clone());
        let db = Store::open(&config.db, config.db_readers, config.db_timeout)
            .map_err(|e| format!("cannot open the database {}: {e}", config.db))?;
        let hasher = Hasher::start(
            config.hash_threads,
            config.hash_queue,
            config.bcrypt_cost,
            config.login_max_wait,
        )?;
        Ok(Server {
            state: Arc::new(State {
                config,
                db,
                hasher,
                tokens,
                openapi: openapi::document(),
            }),
        })
    }

    /// A handle that reloads the signing keys while the server runs (what
    /// the binary does on SIGHUP).
    pub fn reloader(&self) -> Reloader {
        Reloader {
            state: Arc::clone(&self.state),
        }
    }

    /// Serves `listener` until `shutdown` completes, then shuts down
    /// gracefully (see the module docs).
    pub async fn run(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let state = self.state;
        let limit = Arc::new(Semaphore::new(state.config.max_connections.max(1)));
        let conns = Conns::new(state.config.max_connections_per_peer, conns::IDLE_GRACE);
        let mut tasks = JoinSet::new();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(state.config.header_read_timeout)
            .max_buf_size(16 * 1024)
            .keep_alive(true);
        tokio::pin!(shutdown);
        // Where we listen, for the debugger's loopback rule; unknown counts
        // as not loopback.
        let local = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        'accept: loop {
            let (stream, peer) = tokio::select! {
                biased;
                () = &mut shutdown => break,
                // Reap finished connections as they end.
                Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
                accepted = listener.accept() => match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        // EMFILE and friends: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Some(ticket) = conns.admit(peer.ip()) else {
                tracing::debug!(%peer, "per-peer connection limit: closed");
                continue;
            };
            // At the cap: close the longest-idle connection, then wait for
            // its slot (or any), trying again as connections pass the idle
            // grace. Meanwhile the next clients wait in the kernel's
            // queue, not in memory.
            let permit = loop {
                if let Ok(permit) = Arc::clone(&limit).try_acquire_owned() {
                    break permit;
                }
                let asked = conns.close_idlest();
                tokio::select! {
                    biased;
                    () = &mut shutdown => break 'accept,
                    permit = Arc::clone(&limit).acquire_owned() => match permit {
                        Ok(permit) => break permit,
                        Err(_) => break 'accept,
                    },
                    // One asked to close frees its slot soon; none idle
                    // long enough yet: look again shortly.
                    () = tokio::time::sleep(if asked { conns::IDLE_GRACE } else { conns::IDLE_GRACE / 8 }) => {}
                }
            };
            let _ = stream.set_nodelay(true);
            let st = Arc::clone(&state);
            let ticket = Arc::new(ticket);
            let t = Arc::clone(&ticket);
            let service = service_fn(move |mut req: Request<Incoming>| {
                // Only the debugger asks who is calling (and an extension
                // costs an allocation).
                if debugger::is_debugger_path(req.uri().path()) {
                    req.extensions_mut().insert(debugger::Conn { peer, local });
                }
                let st = Arc::clone(&st);
                let t = Arc::clone(&t);
                async move {
                    t.busy();
                    let resp = serve_one(&st, req).await;
                    t.idle();
                    Ok::<_, Infallible>(resp)
                }
            });
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tasks.spawn(async move {
                tokio::pin!(conn);
                let closed = tokio::select! {
                    ended = conn.as_mut() => ended,
                    () = ticket.slot.close.notified() => {
                        conn.as_mut().graceful_shutdown();
                        conn.await
                    }
                };
                if let Err(e) = closed {
                    log_connection_error(peer, &e);
                }
                drop(ticket);
                drop(permit);
            });
        }
        drop(listener);
        tracing::info!(
            connections = tasks.len(),
            "shutting down: no longer accepting"
        );
        conns.close_all();
        let drained = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(state.config.shutdown_grace, drained)
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests did not finish in time; closing anyway");
            tasks.abort_all();
        }
        let st = Arc::clone(&state);
        let _ = tokio::task::spawn_blocking(move || {
            st.hasher.shutdown();
            st.db.shutdown();
        })
        .await;
        tracing::info!("database closed; bye");
    }
}

/// Reloads a running server's signing keys from its secret source.
#[derive(Debug, Clone)]
pub struct Reloader {
    state: Arc<State>,
}

impl Reloader {
    /// Reads the secret source again: a good one replaces the keys for the
    /// next request and logs the kids and which one signs; a bad one logs
    /// one error line and the old keys stay ([`auth::Tokens::reload`]).
    /// Blocks on file I/O. `true` if the keys were replaced.
    pub fn reload(&self) -> bool {
        self.state.tokens.reload(&self.state.config.secret)
    }
}

fn log_connection_error(peer: SocketAddr, e: &hyper::Error) {
    // Header timeouts and clients that vanish are routine.
    if e.is_timeout() || e.is_incomplete_message() || e.is_closed() {
        tracing::debug!(%peer, error = %e, "connection ended");
    } else {
        tracing::info!(%peer, error = %e, "connection error");
    }
}

/// One request: route it, turn errors into responses, log one line.
async fn serve_one(state: &State, req: Request<Incoming>) -> Resp {
    let start = Instant::now();
    let method = req.method().clone();
    // A clone of the URI shares its bytes (no allocation).
    let uri = req.uri().clone();
    let (resp, code): (Response<_>, &'static str) = match routes::route(state, req).await {
        Ok(resp) => (resp, ""),
        Err(e) => {
            let code = e.code();
            (e.into_response(), code)
        }
    };
    let status = resp.status().as_u16();
    // The path only: no query string, and never a header, reaches the log.
    let path = truncate(uri.path(), 128);
    let latency_us = start.elapsed().as_micros() as u64;
    if code.is_empty() {
        tracing::info!(target: "barejwt::request", %method, path, status, latency_us);
    } else {
        tracing::info!(target: "barejwt::request", %method, path, status, latency_us, code);
    }
    resp
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
