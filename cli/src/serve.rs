//! `barejwt serve` (also what `barejwt` with no subcommand runs): the login
//! and todo server. This file only turns flags and environment variables
//! into a [`Config`]; the server lives in `barejwt_server`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use barejwt_server::auth::SecretSource;
use barejwt_server::db::Location;
use barejwt_server::logging::NonBlocking;
use barejwt_server::{Config, Reloader, Server, cores};
use tracing_subscriber::EnvFilter;

/// Run the login and todo server (the default command).
///
/// The signing secret comes from the BAREJWT_SECRET environment variable
/// (its bytes, at least 32) or --secret-file. With neither, the first start
/// writes 32 random bytes to a file beside the SQLite database
/// (`barejwt.secret` for `barejwt.db`), readable only by its owner, and
/// later starts reuse it; on PostgreSQL one of the two is required (every
/// replica must share it). Log verbosity follows RUST_LOG (default `info`).
///
/// SIGHUP reads the secret file again without a restart, to rotate keys:
/// a good file replaces the keys and the log names its kids and which one
/// signs; a bad one is logged as an error and the old keys stay in use.
/// BAREJWT_SECRET cannot be reloaded.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  barejwt serve\n  barejwt serve --addr 0.0.0.0:8000 --db /var/lib/barejwt/todo.db\n  barejwt serve --db postgres://barejwt@127.0.0.1/barejwt --secret-file /etc/barejwt/secret\n  BAREJWT_SECRET=\"$(openssl rand -hex 32)\" barejwt serve --token-ttl 5m\n\nRotating keys (a JWK Set in --secret-file; README, \"Rotating the secret\"):\n  barejwt keygen --jwks keys.json --kid 2026-11\n  barejwt serve --secret-file keys.json &\n  barejwt keygen --jwks keys.json --kid 2026-12 && kill -HUP <pid>      # add\n  barejwt keygen --jwks keys.json --current 2026-12 && kill -HUP <pid>  # sign with it\n  # once the longest token lifetime (--token-ttl) has passed:\n  barejwt keygen --jwks keys.json --drop 2026-11 && kill -HUP <pid>     # drop the old one"
)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "BAREJWT_ADDR", default_value = "127.0.0.1:8000")]
    addr: SocketAddr,
    /// SQLite database file (a path, or sqlite:PATH), created with its
    /// schema on first start; or a postgres:// (postgresql://) URL, whose
    /// schema is created or migrated on start. Logs show the URL with its
    /// password as ***.
    #[arg(long, env = "BAREJWT_DB", default_value = "barejwt.db")]
    db: Location,
    /// Token lifetime: seconds, or a number with s, m or h.
    #[arg(long, env = "BAREJWT_TOKEN_TTL", default_value = "20m", value_parser = parse_ttl)]
    token_ttl: u64,
    /// bcrypt cost for new password hashes (each step doubles the work).
    #[arg(long, env = "BAREJWT_BCRYPT_COST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
    bcrypt_cost: u32,
    /// Read the signing keys from this file: a raw secret (one trailing
    /// newline is ignored), or a JWK Set of HS256 `oct` keys with kids
    /// (a file starting with `{`), which signs with the key its
    /// "current" member names (or the first) and verifies a token with
    /// the key its kid names. The file must not be readable by group or
    /// others; SIGHUP reads it again.
    #[arg(long, env = "BAREJWT_SECRET_FILE")]
    secret_file: Option<PathBuf>,
    /// Passwords hashed at once [default: one per core].
    #[arg(long, env = "BAREJWT_HASH_THREADS", value_parser = clap::value_parser!(u16).range(1..))]
    hash_threads: Option<u16>,
    /// Logins and registrations that may wait for a hashing thread at
    /// most, whatever their expected wait (a bound on memory).
    #[arg(long, env = "BAREJWT_HASH_QUEUE", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    hash_queue: u32,
    /// A login that would wait longer than this for a hashing thread
    /// gets 503 (expected wait: logins ahead × time per hash ÷ threads);
    /// milliseconds with ms, or seconds, s, m.
    #[arg(long, env = "BAREJWT_LOGIN_MAX_WAIT", default_value = "3s", value_parser = parse_wait)]
    login_max_wait: std::time::Duration,
    /// SQLite reader threads [default: one per core].
    #[arg(long, env = "BAREJWT_DB_READERS", value_parser = clap::value_parser!(u16).range(1..))]
    db_readers: Option<u16>,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, env = "BAREJWT_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Connections one client address may hold at once; behind a reverse
    /// proxy (every client has its address) set it to --max-connections.
    #[arg(long, env = "BAREJWT_MAX_CONNECTIONS_PER_PEER", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections_per_peer: u32,
    /// Who may use the token debugger at /debugger: by default only
    /// loopback clients, and only when --addr is a loopback address; remote
    /// lets any client send it tokens and keys (use TLS).
    #[arg(
        long,
        env = "BAREJWT_DEBUGGER",
        value_enum,
        default_value_t,
        value_name = "WHO"
    )]
    debugger: super::debugger::Who,
}

fn parse_ttl(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.as_bytes().last() {
        Some(b's') => (&s[..s.len() - 1], 1),
        Some(b'm') => (&s[..s.len() - 1], 60),
        Some(b'h') => (&s[..s.len() - 1], 3600),
        _ => (s, 1),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected seconds or a number with s, m or h, found {s:?}"))?;
    match n.checked_mul(unit) {
        Some(secs @ 1..=31_622_400) => Ok(secs),
        _ => Err("the lifetime must be 1 second to 366 days".into()),
    }
}

fn parse_wait(s: &str) -> Result<std::time::Duration, String> {
    if let Some(ms) = s.strip_suffix("ms") {
        return match ms.parse::<u64>() {
            Ok(n @ 1..=3_600_000) => Ok(std::time::Duration::from_millis(n)),
            _ => Err(format!("expected 1ms to 1h, found {s:?}")),
        };
    }
    match parse_ttl(s) {
        Ok(secs @ 1..=3600) => Ok(std::time::Duration::from_secs(secs)),
        _ => Err(format!("expected 1ms to 1h, found {s:?}")),
    }
}

impl Args {
    fn config(&self) -> Result<Config, String> {
        let mut c = Config::new(self.db.clone());
        let env_secret = std::env::var_os("BAREJWT_SECRET");
        c.secret = match (env_secret, &self.secret_file) {
            (Some(_), Some(_)) => {
                return Err("both BAREJWT_SECRET and --secret-file are set; give one".into());
            }
            (Some(s), None) => SecretSource::Bytes(s.into_encoded_bytes()),
            (None, Some(path)) => SecretSource::File(path.clone()),
            (None, None) => c.secret,
        };
        c.token_ttl = self.token_ttl;
        c.bcrypt_cost = self.bcrypt_cost;
        let hash_threads = self.hash_threads.map_or_else(cores, usize::from);
        c.hash_threads = hash_threads;
        c.hash_queue = self.hash_queue as usize;
        c.login_max_wait = self.login_max_wait;
        c.db_readers = self.db_readers.map_or_else(cores, usize::from);
        c.max_connections = self.max_connections as usize;
        c.max_connections_per_peer = self.max_connections_per_peer as usize;
        c.debugger = self.debugger.into();
        Ok(c)
    }
}

/// Starts the server and runs it until SIGINT or SIGTERM.
pub fn run(args: Args) -> ExitCode {
    let (writer, _log_guard) = match NonBlocking::new(std::io::stderr(), 65_536) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot start the log thread: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer)
        .init();

    match serve(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &Args) -> Result<(), String> {
    let config = args.config()?;
    let server = Server::open(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        // SIGHUP's default action ends the process: listen for it before
        // saying we listen, so that one sent after that line reloads.
        reload_on_sighup(server.reloader())?;
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(addr = %local, db = %args.db, "listening on http://{local}");
        server.run(listener, shutdown_signal()).await;
        Ok(())
    })
}

/// Reloads the signing keys on every SIGHUP (nginx's convention), one
/// reload at a time, off the async workers (it reads a file).
#[cfg(unix)]
fn reload_on_sighup(reloader: Reloader) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup =
        signal(SignalKind::hangup()).map_err(|e| format!("cannot listen for SIGHUP: {e}"))?;
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP received: reloading the signing keys");
            let r = reloader.clone();
            let _ = tokio::task::spawn_blocking(move || r.reload()).await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_sighup(_: Reloader) -> Result<(), String> {
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_wait_takes_milliseconds_or_seconds() {
        use std::time::Duration;
        assert_eq!(parse_wait("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_wait("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_wait("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_wait("1m"), Ok(Duration::from_secs(60)));
        for bad in ["0ms", "0", "2h", "ms", "-1s", "x"] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_lifetimes_take_units() {
        assert_eq!(parse_ttl("1200"), Ok(1200));
        assert_eq!(parse_ttl("20m"), Ok(1200));
        assert_eq!(parse_ttl("2h"), Ok(7200));
        assert_eq!(parse_ttl("45s"), Ok(45));
        for bad in [
            "0",
            "",
            "m",
            "-5",
            "20x",
            "99999999999999999999h",
            "400000h",
        ] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
