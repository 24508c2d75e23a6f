//! Rows and cases: what both timing modes of `benches/jwt.rs` measure.
//!
//! A row is one library doing one thing (barejwt verifying the tutorial's
//! token, say), packaged as "make n calls and say how long they took". A
//! case is the rows that do the same work (every library verifying that
//! token), and the ratios between them the report reads. Criterion times
//! a row through [`Bencher::iter_custom`], `--interleaved` through the same
//! function (`interleaved.rs`): both measure exactly the same code.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Bencher, Criterion};

/// One row: `(time)(n)` makes n calls and returns the time they took,
/// set-up excluded.
pub struct Row<'a> {
    pub name: &'static str,
    pub time: Box<dyn FnMut(u64) -> Duration + 'a>,
}

/// A row timing `f` as a whole, like criterion's `iter`: every result is
/// passed through `black_box` and dropped inside the timed loop.
pub fn call<'a, R>(name: &'static str, mut f: impl FnMut() -> R + 'a) -> Row<'a> {
    Row {
        name,
        time: Box::new(move |n| {
            let start = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            start.elapsed()
        }),
    }
}

/// At most this many inputs of a [`batched`] row exist at once.
const CHUNK: u64 = 1024;

/// A row for a routine that takes its input by value (jwt-simple's
/// `authenticate` takes the claims): the inputs are made, and the results
/// dropped, outside the timed part, like criterion's `iter_batched`.
pub fn batched<'a, I, R>(
    name: &'static str,
    mut setup: impl FnMut() -> I + 'a,
    mut f: impl FnMut(I) -> R + 'a,
) -> Row<'a> {
    Row {
        name,
        time: Box::new(move |n| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < n {
                let chunk = CHUNK.min(n - done);
                let inputs = black_box((0..chunk).map(|_| setup()).collect::<Vec<I>>());
                let mut outputs = Vec::with_capacity(chunk as usize);
                let start = Instant::now();
                outputs.extend(inputs.into_iter().map(&mut f));
                total += start.elapsed();
                black_box(outputs);
                done += chunk;
            }
            total
        }),
    }
}

/// A ratio of a case: the sum of the rows `over`, divided by the sum of
/// the rows `under` (one row each, but for the forged-token budget).
pub struct Ratio {
    pub over: &'static [&'static str],
    pub under: &'static [&'static str],
}

impl Ratio {
    pub fn label(&self) -> String {
        let side = |rows: &[&str]| match rows {
            [one] => one.to_string(),
            many => format!("({})", many.join(" + ")),
        };
        format!("{} / {}", side(self.over), side(self.under))
    }
}

/// Rows doing the same work, and the ratios between them that the report reads.
pub struct Case<'a> {
    pub name: &'static str,
    pub rows: Vec<Row<'a>>,
    pub ratios: Vec<Ratio>,
    /// False for a case only `--interleaved` times: its rows are those of
    /// other criterion groups, brought together so they can be paired.
    pub criterion: bool,
}

impl<'a> Case<'a> {
    /// barejwt, jsonwebtoken, jwt-simple and the floor doing the same
    /// thing. A peer / barejwt above 1× says barejwt is faster; barejwt /
    /// floor above 1× says barejwt is slower than the floor.
    pub fn peers(name: &'static str, rows: [Row<'a>; 4]) -> Case<'a> {
        let names: Vec<_> = rows.iter().map(|r| r.name).collect();
        assert_eq!(names, ["barejwt", "jsonwebtoken", "jwt-simple", "floor"]);
        Case {
            name,
            rows: rows.into(),
            ratios: vec![
                Ratio {
                    over: &["jsonwebtoken"],
                    under: &["barejwt"],
                },
                Ratio {
                    over: &["jwt-simple"],
                    under: &["barejwt"],
                },
                Ratio {
                    over: &["barejwt"],
                    under: &["floor"],
                },
            ],
            criterion: true,
        }
    }

    /// Rows timed side by side with no ratio between them.
    pub fn rows(name: &'static str, rows: Vec<Row<'a>>) -> Case<'a> {
        Case {
            name,
            rows,
            ratios: Vec::new(),
            criterion: true,
        }
    }

    /// Takes the row called `name` out of the case.
    pub fn take(&mut self, name: &str) -> Row<'a> {
        let at = self.rows.iter().position(|r| r.name == name).unwrap();
        self.rows.remove(at)
    }
}

/// Every case as a criterion group, one benchmark per row.
pub fn criterion(c: &mut Criterion, cases: &mut [Case]) {
    for case in cases.iter_mut().filter(|case| case.criterion) {
        let mut g = c.benchmark_group(case.name);
        for row in &mut case.rows {
            g.bench_function(row.name, |b: &mut Bencher| b.iter_custom(&mut row.time));
        }
        g.finish();
    }
}
