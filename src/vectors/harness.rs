//! Running another implementation through its harness (`vectors/HARNESS.md`):
//! the runner starts the harness command once, reads its greeting, writes
//! one request line per vector and reads one response line back, within a
//! time limit. A harness that breaks the protocol (no answer in time, a
//! line that is not JSON or not a well-formed answer, another `id`, an
//! exit) costs that vector a `harness_error`, and the harness is started
//! again for the vectors that remain; the report says so in its notes.
//!
//! # Bounds
//!
//! Every wait is bounded by the timeout (10 s by default, the protocol's);
//! a response line longer than [`MAX_LINE_BYTES`] is a protocol error, not
//! a memory problem; after [`MAX_ERRORS_IN_A_ROW`] harness errors in a row
//! the runner stops starting the harness and reports the remaining vectors
//! as `harness_error` without asking, so a harness that hangs on
//! everything costs about a minute, not ten seconds per vector. The
//! harness runs in a process group of its own, and the whole group is
//! killed, so a shell wrapper cannot leave a hung child behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use serde_json::Value;

use super::answer::Answer;
use super::protocol::{self, Implementation, ProtocolError};
use super::run::Responder;
use super::vector::{Inputs, Kind};

/// The protocol's limit on each answer (and, here, on the greeting).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest line read from a harness (a decoded claims set is small).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Harness errors in a row after which the harness is not started again.
pub const MAX_ERRORS_IN_A_ROW: usize = 5;

/// One line from the harness, as the reading thread saw it.
enum Line {
    Text(Vec<u8>),
    TooLong,
    End,
}

/// A started harness.
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Line>,
}

/// A harness command and its state across a run.
pub(crate) struct Harness {
    command: String,
    timeout: Duration,
    running: Option<Running>,
    /// The first greeting's name and version.
    pub(crate) implementation: Option<Implementation>,
    /// Restarts and the reason the harness was given up, for the report.
    pub(crate) notes: Vec<String>,
    /// Why the harness is not started again, once it is given up.
    given_up: Option<String>,
    errors_in_a_row: usize,
    /// Why the last harness stopped, said when it is restarted.
    restart_reason: Option<String>,
}

impl Harness {
    pub(crate) fn new(command: &str, timeout: Duration) -> Harness {
        Harness {
            command: command.to_owned(),
            timeout,
            running: None,
            implementation: None,
            notes: Vec::new(),
            given_up: None,
            errors_in_a_row: 0,
            restart_reason: None,
        }
    }

    /// Starts the harness and reads its greeting.
    fn start(&mut self) -> Result<(), ProtocolError> {
        if let Some(why) = self.restart_reason.take() {
            self.notes
                .push(format!("restarted the harness after {why}"));
        }
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .map_err(|e| ProtocolError(format!("cannot start the harness: {e}")))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            kill(&mut child);
            return Err(ProtocolError(
                "the harness has no standard input or output".into(),
            ));
        };
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                let read = reader
                    .by_ref()
                    .take(MAX_LINE_BYTES as u64 + 1)
                    .read_until(b'\n', &mut buf);
                let line = match read {
                    Ok(0) | Err(_) => Line::End,
                    Ok(_) if buf.last() == Some(&b'\n') => {
                        buf.pop();
                        if buf.last() == Some(&b'\r') {
                            buf.pop();
                        }
                        Line::Text(buf)
                    }
                    Ok(_) if buf.len() > MAX_LINE_BYTES => Line::TooLong,
                    // The last line, without its newline: still a line.
                    Ok(_) => Line::Text(buf),
                };
                let last = !matches!(line, Line::Text(_));
                if tx.send(line).is_err() || last {
                    return;
                }
            }
        });
        let mut running = Running {
            child,
            stdin,
            lines,
        };
        let greeting = match self.read_line(&mut running, "its greeting") {
            Ok(line) => protocol::parse_greeting(&line),
            Err(e) => Err(e),
        };
        match greeting {
            Ok(implementation) => {
                self.implementation.get_or_insert(implementation);
                self.running = Some(running);
                Ok(())
            }
            Err(e) => {
                kill(&mut running.child);
                Err(e)
            }
        }
    }

    /// The next line, within the time limit.
    fn read_line(&self, running: &mut Running, what: &str) -> Result<Vec<u8>, ProtocolError> {
        match running.lines.recv_timeout(self.timeout) {
            Ok(Line::Text(line)) => Ok(line),
            Ok(Line::TooLong) => Err(ProtocolError(format!(
                "a line longer than {MAX_LINE_BYTES} bytes instead of {what}"
            ))),
            Ok(Line::End) | Err(RecvTimeoutError::Disconnected) => {
                let status = exit_status(&mut running.child, self.timeout);
                Err(ProtocolError(format!(
                    "the harness exited ({status}) before {what}"
                )))
            }
            Err(RecvTimeoutError::Timeout) => Err(ProtocolError(format!(
                "no answer within {} s: expected {what}",
                self.timeout.as_secs_f64()
            ))),
        }
    }

    fn ask(&mut self, kind: Kind, id: &str, request: &Value) -> Result<Answer, ProtocolError> {
        if self.running.is_none() {
            self.start()?;
        }
        let mut running = self
            .running
            .take()
            .ok_or_else(|| ProtocolError("not started".into()))?;
        let mut line = request.to_string().into_bytes();
        line.push(b'\n');
        if let Err(e) = running
            .stdin
            .write_all(&line)
            .and_then(|()| running.stdin.flush())
        {
            let status = exit_status(&mut running.child, self.timeout);
            kill(&mut running.child);
            return Err(ProtocolError(format!(
                "the harness exited ({status}): cannot write the request ({e})"
            )));
        }
        let answer = self
            .read_line(&mut running, &format!("the response to {id:?}"))
            .and_then(|line| protocol::parse_response(kind, id, &line));
        match answer {
            Ok(a) => {
                self.running = Some(running);
                Ok(a)
            }
            Err(e) => {
                kill(&mut running.child);
                Err(e)
            }
        }
    }

    /// Closes the harness's input, waits for it to exit, and kills it if
    /// it does not within the time limit.
    pub(crate) fn finish(&mut self) {
        if let Some(Running {
            mut child, stdin, ..
        }) = self.running.take()
        {
            drop(stdin);
            exit_status(&mut child, self.timeout);
            kill(&mut child);
        }
    }
}

impl Responder for Harness {
    fn answer(
        &mut self,
        kind: Kind,
        id: &str,
        request: &Value,
        _: &Inputs,
    ) -> Result<Answer, ProtocolError> {
        if let Some(why) = &self.given_up {
            return Err(ProtocolError(format!("not asked: {why}")));
        }
        let result = self.ask(kind, id, request);
        match &result {
            Ok(_) => self.errors_in_a_row = 0,
            Err(ProtocolError(why)) => {
                self.errors_in_a_row += 1;
                self.restart_reason = Some(format!("{id:?}: {why}"));
                if self.errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
                    let why = format!("the harness failed {MAX_ERRORS_IN_A_ROW} vectors in a row");
                    self.notes.push(format!("gave up on the harness: {why}"));
                    self.given_up = Some(why);
                }
            }
        }
        result
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.finish();
    }
}

/// How the child ended, waiting at most `limit` for it.
fn exit_status(child: &mut Child, limit: Duration) -> String {
    let step = Duration::from_millis(10);
    let mut waited = Duration::ZERO;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if waited < limit => {
                std::thread::sleep(step);
                waited += step;
            }
            Ok(None) => return "still running".into(),
            Err(e) => return format!("status unknown: {e}"),
        }
    }
}

/// Kills the harness's whole process group (the shell and what it
/// started), then reaps the shell.
fn kill(child: &mut Child) {
    // The shell may have exited already while what it started runs on:
    // the group is killed either way (its id stays reserved while any
    // member lives).
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}
