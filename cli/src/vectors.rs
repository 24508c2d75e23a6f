//! `barejwt vectors PATH...`: the conformance runner's front-end.

use std::path::PathBuf;
use std::process::ExitCode;

/// Run conformance vector files (format 1) and report each failure.
///
/// Folders are searched recursively for *.json files. The output is one
/// line per failing vector (file, id, expected, got) and ends with
/// `N passed, N failed`; the exit status is 0 only when nothing failed.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  barejwt vectors vectors/\n  barejwt vectors my-set.json --json"
)]
pub struct Args {
    /// Vector files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print a JSON report on stdout (the summary line goes to stderr).
    #[arg(long)]
    json: bool,
}

/// Runs the vectors and prints the report.
pub fn run(args: Args) -> ExitCode {
    let report = barejwt::vectors::run_paths(&args.paths);
    if report.outcomes.is_empty() {
        eprintln!("warning: no vector files found under the given paths");
    }
    if args.json {
        println!("{:#}", report.to_json());
        eprintln!("{}", report.summary());
    } else {
        for failure in report.failures() {
            println!("{failure}");
        }
        println!("{}", report.summary());
    }
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
