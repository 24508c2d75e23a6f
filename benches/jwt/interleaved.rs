//! `cargo bench --bench jwt -- --interleaved [ROUNDS] [--batch-us US]
//! [--json FILE]`: the rows of each case timed in turn, many short rounds,
//! for ratios a busy machine does not skew.
//!
//! Criterion times a group's rows one after the other, a few seconds
//! each: on a shared machine a neighbour's build may slow one row down
//! and not the next, and the ratio of two medians moved 30–80% between
//! runs here. So, per case:
//!
//! 1. each row's batch size is calibrated to about [`BATCH`] of wall time
//!    (`--batch-us`);
//! 2. then [`WARM_UP`] rounds are thrown away and `ROUNDS` rounds kept,
//!    each timing one batch of every row of the case, in an order
//!    shuffled anew each round;
//! 3. each row gets the minimum and the median of its ns/op over the
//!    rounds, and each ratio of the case (peer / barejwt, barejwt / floor)
//!    is taken **within each round**, then summarised by its median and
//!    its inter-quartile range over the rounds; beside it, the ratio of
//!    the rows' minimums (each row's fastest batch, from any round), which
//!    was steadier still from run to run here.
//!
//! A slow spell of the machine that lasts a round slows all of its rows
//! alike, so it leaves that round's ratio alone; a spell that hits one
//! batch only makes one round's ratio an outlier, which the median
//! ignores. What no wall-clock timing removes is the load itself making
//! everything a little slower (caches, the other hyper-thread): read the
//! load beside the figures.
//!
//! The table goes to stdout; `--json FILE` writes the same figures for
//! `scripts/bench-report.sh`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::rows::Case;

/// The wall time of one batch of one row, unless `--batch-us` says.
pub const BATCH: Duration = Duration::from_millis(2);
/// Rounds timed but not kept, so the caches and branch predictors have
/// seen every row first.
const WARM_UP: usize = 10;
/// Rounds kept when `--interleaved` is given no number.
pub const ROUNDS: usize = 300;

/// Times every case and prints (and with `json`, writes) the summaries.
pub fn run(cases: &mut [Case], rounds: usize, batch: Duration, json: Option<&str>) {
    assert!(rounds >= 4, "--interleaved needs at least 4 rounds");
    println!(
        "interleaved: {rounds} rounds per case, batches of about {} µs, order shuffled each round",
        batch.as_micros()
    );
    let mut out = serde_json::Map::new();
    for case in cases {
        let summary = time_case(case, rounds, batch);
        print_case(case, &summary);
        out.insert(case.name.to_owned(), summary);
    }
    if let Some(path) = json {
        let doc = json!({
            "rounds": rounds,
            "batch_us": batch.as_micros() as u64,
            "cases": out,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
}

/// One case: `{"rows": {name: {batch, min, median}}, "ratios": {label:
/// {median, q1, q3, of_minimums}}}`, in ns/op and plain numbers.
fn time_case(case: &mut Case, rounds: usize, batch: Duration) -> Value {
    let batches: Vec<u64> = case
        .rows
        .iter_mut()
        .map(|row| calibrate(&mut row.time, batch))
        .collect();
    // ns/op of row i in kept round r: per_op[i][r].
    let mut per_op = vec![Vec::with_capacity(rounds); case.rows.len()];
    let mut order: Vec<usize> = (0..case.rows.len()).collect();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..WARM_UP + rounds {
        rng.shuffle(&mut order);
        for &i in &order {
            let t = (case.rows[i].time)(batches[i]);
            if round >= WARM_UP {
                per_op[i].push(t.as_nanos() as f64 / batches[i] as f64);
            }
        }
    }

    let mut rows = serde_json::Map::new();
    let mut mins = Vec::new();
    for (i, row) in case.rows.iter().enumerate() {
        let mut v = per_op[i].clone();
        v.sort_by(f64::total_cmp);
        mins.push(v[0]);
        rows.insert(
            row.name.to_owned(),
            json!({"batch": batches[i], "min": v[0], "median": quantile(&v, 0.5)}),
        );
    }
    let index = |name: &str| case.rows.iter().position(|r| r.name == name).unwrap();
    let mut ratios = serde_json::Map::new();
    for ratio in &case.ratios {
        let over: Vec<usize> = ratio.over.iter().map(|n| index(n)).collect();
        let under: Vec<usize> = ratio.under.iter().map(|n| index(n)).collect();
        let sum = |rows: &[usize], r: usize| rows.iter().map(|&i| per_op[i][r]).sum::<f64>();
        let mut v: Vec<f64> = (0..rounds)
            .map(|r| sum(&over, r) / sum(&under, r))
            .collect();
        v.sort_by(f64::total_cmp);
        let min = |rows: &[usize]| rows.iter().map(|&i| mins[i]).sum::<f64>();
        ratios.insert(
            ratio.label(),
            json!({
                "median": quantile(&v, 0.5),
                "q1": quantile(&v, 0.25),
                "q3": quantile(&v, 0.75),
                "of_minimums": min(&over) / min(&under),
            }),
        );
    }
    json!({"rows": rows, "ratios": ratios})
}

/// The number of calls that takes about `batch`: doubled until a batch
/// takes a quarter of it; then the fastest of five batches of that size
/// gives the time per call (one slow batch must not make the batch small).
/// Also the row's first warm-up.
fn calibrate(time: &mut dyn FnMut(u64) -> Duration, batch: Duration) -> u64 {
    let mut n = 1;
    while time(n) < batch / 4 {
        n *= 2;
    }
    let fastest = (0..5).map(|_| time(n)).min().unwrap();
    (n as f64 * batch.as_secs_f64() / fastest.as_secs_f64()).ceil() as u64
}

/// The `q` quantile of sorted values, interpolating between neighbours.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

fn print_case(case: &Case, summary: &Value) {
    println!("\n{}", case.name);
    println!(
        "  {:<24} {:>8} {:>12} {:>12}",
        "row", "batch", "min ns/op", "median ns/op"
    );
    for row in &case.rows {
        let v = &summary["rows"][row.name];
        let f = |k: &str| v[k].as_f64().unwrap();
        println!(
            "  {:<24} {:>8} {:>12.0} {:>12.0}",
            row.name,
            v["batch"],
            f("min"),
            f("median")
        );
    }
    for ratio in &case.ratios {
        let label = ratio.label();
        let v = &summary["ratios"][label.as_str()];
        let f = |k: &str| v[k].as_f64().unwrap();
        println!(
            "  {label:<48} {:.2}× (inter-quartile {:.2}–{:.2}×; of the minimums {:.2}×)",
            f("median"),
            f("q1"),
            f("q3"),
            f("of_minimums")
        );
    }
}

/// Marsaglia's xorshift64: a fixed, seeded order of shuffles, so two runs
/// differ only by the machine.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Fisher–Yates.
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}
