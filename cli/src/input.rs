//! What the subcommands share: exit codes, reading a token or a claims set
//! from an argument, a file or stdin, and JSON objects kept in the order
//! they were written.
//!
//! # Exit codes
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | done; for `verify` and `explain`, the token is valid |
//! | 1 | the token is invalid (its error code is on stderr) |
//! | 2 | usage or I/O error: a bad flag, an unreadable file, a bad key |
//!
//! # Left out on purpose
//!
//! Inputs are bounded ([`MAX_INPUT`]): a hostile or mistaken pipe cannot
//! make the tool read without end. Nested JSON objects are re-serialized by
//! `serde_json` (names sorted); only the top level keeps its order.

use std::fmt;
use std::io::Read;
use std::process::ExitCode;

/// The most bytes read from stdin or a file: far above any token the
/// verifier accepts (8 KiB by default), far below trouble.
pub const MAX_INPUT: u64 = 1 << 20;

/// Exit status 1: the token is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit status 2: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Why a subcommand stopped.
#[derive(Debug)]
pub enum Failure {
    /// The token is invalid: exit 1, code and message on stderr.
    Invalid(barejwt::Error),
    /// Usage or I/O: exit 2.
    Usage(String),
}

impl Failure {
    /// A usage or I/O failure.
    pub fn usage(msg: impl fmt::Display) -> Failure {
        Failure::Usage(msg.to_string())
    }

    /// Prints the failure on stderr and gives the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Invalid(e) => {
                eprintln!("invalid token: {}: {e}", e.code());
                if let barejwt::Error::Algorithm { .. } = e {
                    eprintln!(
                        "hint: the verifier picks the algorithms (RFC 8725 §3.1); pass --alg to accept another"
                    );
                }
                ExitCode::from(EXIT_INVALID)
            }
            Failure::Usage(msg) => {
                eprintln!("error: {msg}");
                ExitCode::from(EXIT_USAGE)
            }
        }
    }
}

/// Runs a subcommand body and turns its result into an exit status.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

/// Reads at most [`MAX_INPUT`] bytes; more is a usage error.
pub fn read_bounded(r: impl Read, what: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    r.take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Failure::usage(format!("cannot read {what}: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Failure::usage(format!(
            "{what} is larger than {MAX_INPUT} bytes"
        )));
    }
    Ok(buf)
}

/// Reads a file, bounded.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let what = format!("{}", path.display());
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot open {what}: {e}")))?;
    read_bounded(file, &what)
}

/// Reads stdin, bounded; says so first when stdin is a terminal, so that
/// a user who forgot the argument is not left facing a silent prompt.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, Failure> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("reading {what} from stdin (end with Ctrl-D)");
    }
    read_bounded(std::io::stdin().lock(), "stdin")
}

/// The token: the argument as given, or stdin for `-` or no argument,
/// with the surrounding white space (a final newline) removed.
pub fn read_token(arg: Option<&str>) -> Result<Vec<u8>, Failure> {
    match arg {
        Some(t) if t != "-" => Ok(t.as_bytes().to_vec()),
        _ => Ok(read_stdin("the token")?.trim_ascii().to_vec()),
    }
}

/// A JSON object as written (members in order, names unique), JSON
/// text made safe for a terminal, text cut for humans: the library's,
/// which `explain` shows headers and claims with.
pub use barejwt::explain::{Object, short, terminal_safe};
