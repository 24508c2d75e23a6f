//! A log writer that never makes a request wait.
//!
//! `tracing-subscriber` formats each event into one buffer and writes it
//! with one call. Writing that straight to stderr costs a system call per
//! request and blocks the async worker whenever stderr is slow (a pipe to
//! a busy terminal, a full disk). Instead [`NonBlocking`] hands the line
//! to a logging thread over a bounded queue; every 10 ms the thread writes
//! what has arrived through a buffer and flushes. If the queue is full
//! the line is dropped and counted, and the count is reported at exit:
//! under overload the server sheds log lines, not requests.
//!
//! Left out: files, rotation, JSON output.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How often the logging thread looks for lines: the most a line waits.
const POLL: Duration = Duration::from_millis(10);

enum Msg {
    Line(Vec<u8>),
    Stop,
}

/// The writer side: give it to `tracing_subscriber::fmt().with_writer`.
#[derive(Clone)]
pub struct NonBlocking {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
}

/// Flushes and stops the logging thread when dropped: keep it alive in
/// `main` until the end.
pub struct Guard {
    tx: SyncSender<Msg>,
    dropped: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl NonBlocking {
    /// A writer to `out` through a queue of `capacity` lines.
    pub fn new<W: Write + Send + 'static>(
        out: W,
        capacity: usize,
    ) -> io::Result<(NonBlocking, Guard)> {
        let (tx, rx) = mpsc::sync_channel::<Msg>(capacity);
        let thread = std::thread::Builder::new()
            .name("log".into())
            .spawn(move || {
                let mut out = io::BufWriter::with_capacity(64 * 1024, out);
                loop {
                    // Drain whatever is waiting, then flush once.
                    loop {
                        match rx.try_recv() {
                            Ok(Msg::Line(line)) => {
                                let _ = out.write_all(&line);
                            }
                            Ok(Msg::Stop) | Err(TryRecvError::Disconnected) => {
                                let _ = out.flush();
                                return;
                            }
                            Err(TryRecvError::Empty) => break,
                        }
                    }
                    let _ = out.flush();
                    // Poll instead of blocking in `recv`: a thread blocked in
                    // `recv` must be woken (a lock and a futex call) by every
                    // line sent, that is by every request.
                    std::thread::sleep(POLL);
                }
            })?;
        let dropped = Arc::new(AtomicU64::new(0));
        Ok((
            NonBlocking {
                tx: tx.clone(),
                dropped: Arc::clone(&dropped),
            },
            Guard {
                tx,
                dropped,
                thread: Some(thread),
            },
        ))
    }
}

impl Write for NonBlocking {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.tx.try_send(Msg::Line(buf.to_vec())).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for NonBlocking {
    type Writer = NonBlocking;

    fn make_writer(&'a self) -> NonBlocking {
        self.clone()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            let line = format!("log: {dropped} lines dropped because the log queue was full\n");
            let _ = self.tx.send(Msg::Line(line.into_bytes()));
        }
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_in_order_by_the_time_the_guard_is_dropped() {
        let sink = Sink::default();
        let (mut w, guard) = NonBlocking::new(sink.clone(), 1000).unwrap();
        for i in 0..100 {
            w.write_all(format!("{i}\n").as_bytes()).unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        let expected: String = (0..100).map(|i| format!("{i}\n")).collect();
        assert_eq!(text, expected);
    }
}
