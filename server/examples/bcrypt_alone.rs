//! What bcrypt alone allows: `bcrypt::verify` in a loop on T threads for
//! S seconds, at cost C. `scripts/loadtest.sh` compares the server's login
//! throughput with this ceiling.
//!
//! Usage: `cargo run --release --example bcrypt_alone -- COST THREADS SECONDS`

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("usage: bcrypt_alone COST THREADS SECONDS"))
        })
        .collect();
    let [cost, threads, secs] = args[..] else {
        panic!("usage: bcrypt_alone COST THREADS SECONDS");
    };
    let hash = bcrypt::hash("correct horse", cost as u32).expect("cost is in 4..=31");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        assert!(bcrypt::verify("correct horse", &hash).expect("a valid hash"));
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("no panic"))
            .collect()
    });
    let total: u64 = counts.iter().sum();
    let rate = total as f64 / start.elapsed().as_secs_f64();
    println!("bcrypt cost {cost} on {threads} threads: {rate:.2} verifies/s");
}
