//! `barejwt harness`: barejwt behind the harness protocol
//! (`vectors/HARNESS.md`), so that the protocol path can be checked
//! against the in-process runner and barejwt can sit in a matrix beside
//! other libraries. It greets, then answers each request line with one
//! response line until its input closes.

use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

/// Speak the harness protocol on stdin/stdout, answering with barejwt.
///
/// Used by `barejwt vectors --harness 'barejwt harness'` and by other
/// people's runners that want barejwt's verdicts.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Greets, then answers until stdin closes.
pub fn run(_: Args) -> ExitCode {
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let greet =
        writeln!(stdout, "{}", barejwt::vectors::harness_greeting()).and_then(|()| stdout.flush());
    if greet.is_err() {
        return ExitCode::from(2);
    }
    let mut stdin = stdin;
    loop {
        // A request longer than the runner's own line limit is refused
        // whole rather than read into memory.
        let mut line = Vec::new();
        let limit = barejwt::vectors::MAX_LINE_BYTES as u64 + 1;
        match stdin.by_ref().take(limit).read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) if line.last() != Some(&b'\n') && line.len() as u64 >= limit => {
                eprintln!("error: a request longer than {} bytes", limit - 1);
                return ExitCode::from(2);
            }
            Ok(_) => {}
            Err(_) => return ExitCode::from(2),
        }
        let response = barejwt::vectors::answer_request(line.trim_ascii_end());
        if writeln!(stdout, "{response}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
