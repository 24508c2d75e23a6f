//! `barejwt useradd USERNAME`: adds a user to the server's database, the
//! way an operator seeds accounts without going through `POST /users`.
//!
//! The password is read from a prompt without echo when standard input is
//! a terminal, or as the first line of standard input when it is piped (so
//! scripts can use it); it is never taken from the command line, where it
//! would land in the shell history and in `ps`. The same rules as the
//! server's registration apply (user name charset and length, password 8
//! to 72 bytes: bcrypt reads no more than 72), and the hash uses the same
//! bcrypt cost flag and environment variable as `serve`.

use std::io::{BufRead, IsTerminal, Read};
use std::process::ExitCode;

use barejwt::Clock;
use barejwt_server::auth::hash_password;
use barejwt_server::db::{self, Location, NewUser, Store};
use barejwt_server::users::{password_error, username_error};

use crate::input::{EXIT_INVALID, EXIT_USAGE};

/// Add a user to the server's database (SQLite or PostgreSQL).
///
/// The password is prompted for without echo, or read from the first line
/// of standard input when it is piped. Exit status: 0 added, 1 the user
/// name is taken, 2 invalid input or a database error.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  barejwt useradd ada\n  printf '%s\\n' \"$PASSWORD\" | barejwt useradd ada --db /var/lib/barejwt/todo.db --email ada@example.com"
)]
pub struct Args {
    /// The new user's login name (3 to 32 of A-Z a-z 0-9 . _ -).
    username: String,
    /// SQLite database file (created with its schema if missing), or a
    /// postgres:// URL, as for `serve`.
    #[arg(long, env = "BAREJWT_DB", default_value = "barejwt.db")]
    db: Location,
    /// bcrypt cost for the password hash (each step doubles the work).
    #[arg(long, env = "BAREJWT_BCRYPT_COST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
    bcrypt_cost: u32,
    /// Contact address.
    #[arg(long)]
    email: Option<String>,
    /// First name.
    #[arg(long)]
    first_name: Option<String>,
    /// Last name.
    #[arg(long)]
    last_name: Option<String>,
}

/// Reads the password: a no-echo prompt on a terminal, else one line of
/// stdin (at most 1 KiB read; the trailing newline dropped).
fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("password: ")
            .map_err(|e| format!("reading the password: {e}"))?;
        let again = rpassword::prompt_password("again: ")
            .map_err(|e| format!("reading the password: {e}"))?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(1024)
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

/// Adds the user.
pub fn run(args: Args) -> ExitCode {
    match add(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn add(args: Args) -> Result<ExitCode, String> {
    if let Some(e) = username_error(&args.username) {
        return Err(format!("username: {}", e.msg));
    }
    let password = read_password()?;
    if let Some(e) = password_error(&password) {
        // The message describes the rule, never the password.
        return Err(format!("password: {}", e.msg));
    }
    let hash = hash_password(password.as_bytes(), args.bcrypt_cost)?;
    drop(password);

    let store = Store::open(&args.db, 1, db::DEFAULT_TIMEOUT)
        .map_err(|e| format!("opening {}: {e}", args.db))?;
    let user = NewUser {
        username: args.username.clone(),
        email: args.email,
        first_name: args.first_name,
        last_name: args.last_name,
    };
    // Time for the call's bound, I/O for PostgreSQL's connections.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting a runtime: {e}"))?;
    let inserted = runtime.block_on(store.insert_user(user, hash, Clock::System.now()));
    store.shutdown();
    match inserted {
        Ok(Some(user)) => {
            let json = serde_json::to_string_pretty(&user).map_err(|e| e.to_string())?;
            println!("{json}");
            eprintln!(
                "added user {:?} (id {}) to {}",
                user.username, user.id, args.db
            );
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => {
            eprintln!("error: the user name {:?} is taken", args.username);
            Ok(ExitCode::from(EXIT_INVALID))
        }
        Err(e) => Err(format!("writing to {}: {e}", args.db)),
    }
}
