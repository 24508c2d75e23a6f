//! `barejwt vectors PATH...`: the conformance runner's front-end. Against
//! barejwt by default; against another implementation with `--harness
//! CMD` (the harness protocol, `vectors/HARNESS.md`); against barejwt and
//! every `--harness` at once with `--matrix` (`matrix.rs`).

mod matrix;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use barejwt::vectors::{self, Report};

/// Run conformance vector files (format 1) and report each failure.
///
/// Folders are searched recursively for *.json files. The output is one
/// line per failing vector (file, id, expected, got) and ends with
/// `N passed, N failed`; the exit status is 0 only when nothing failed.
/// With --harness, the vectors go to that implementation instead; each
/// failure line also names its outcome (unsafe, refused, wrong_code,
/// wrong_value, unsupported, harness_error) and a line counting them comes
/// before the summary. With --matrix, barejwt and every --harness run the
/// same files and the table of results is printed.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  barejwt vectors vectors/
  barejwt vectors my-set.json --json
  barejwt vectors --harness 'harnesses/python/venv/bin/python harnesses/python/pyjwt_harness.py' vectors/
  barejwt vectors --matrix --harness 'barejwt harness' --out matrix/ vectors/")]
pub struct Args {
    /// Vector files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print a JSON report on stdout (the summary line goes to stderr).
    #[arg(long)]
    json: bool,
    /// A harness command line (run with `sh -c`) speaking the harness
    /// protocol; repeat it with --matrix.
    #[arg(long, value_name = "CMD")]
    harness: Vec<String>,
    /// Seconds to wait for each harness answer (the protocol says 10).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
    /// Run barejwt and every --harness over the same files and print the
    /// matrix (markdown; JSON with --json).
    #[arg(long)]
    matrix: bool,
    /// With --matrix: also write matrix.md and matrix.json into this folder.
    #[arg(long, value_name = "DIR", requires = "matrix")]
    out: Option<PathBuf>,
}

/// Runs the vectors and prints the report.
pub fn run(args: Args) -> ExitCode {
    let timeout = match Duration::try_from_secs_f64(args.timeout) {
        Ok(t) if !t.is_zero() => t,
        _ => {
            eprintln!("error: --timeout must be a positive number of seconds");
            return ExitCode::from(2);
        }
    };
    if args.matrix {
        return matrix::run(
            &args.paths,
            &args.harness,
            timeout,
            args.json,
            args.out.as_deref(),
        );
    }
    let report = match args.harness.as_slice() {
        [] => vectors::run_paths(&args.paths),
        [command] => {
            let report = vectors::run_harness(command, &args.paths, timeout);
            match &report.implementation {
                Some(i) => eprintln!(
                    "harness: {} {} (protocol {})",
                    i.name,
                    i.version,
                    vectors::PROTOCOL
                ),
                None => eprintln!("harness: {command:?} never greeted"),
            }
            report
        }
        _ => {
            eprintln!("error: more than one --harness needs --matrix");
            return ExitCode::from(2);
        }
    };
    if report.outcomes.is_empty() {
        eprintln!("warning: no vector files found under the given paths");
    }
    print(&report, !args.harness.is_empty(), args.json);
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print(report: &Report, harness: bool, json: bool) {
    if json {
        println!("{:#}", report.to_json());
        if harness {
            eprintln!("{}", report.counts_line());
        }
        eprintln!("{}", report.summary());
        return;
    }
    for failure in report.failures() {
        if harness {
            println!(
                "{}: {}: {}: expected {}, got {}",
                failure.file, failure.id, failure.class, failure.expected, failure.got
            );
        } else {
            println!("{failure}");
        }
    }
    if harness {
        for note in &report.notes {
            println!("note: {note}");
        }
        println!("{}", report.counts_line());
    }
    println!("{}", report.summary());
}
