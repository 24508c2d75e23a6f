//! The `barejwt` binary: thin clap front-ends over the library.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// JSON Web Tokens built from their primitives.
#[derive(Debug, Parser)]
#[command(name = "barejwt", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run conformance vector files (format 1) and report each failure.
    ///
    /// Folders are searched recursively for *.json files. The output ends
    /// with `N passed, N failed`; the exit status is 0 only when nothing
    /// failed.
    #[command(
        after_help = "Examples:\n  barejwt vectors vectors/\n  barejwt vectors my-set.json --json"
    )]
    Vectors {
        /// Vector files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print a JSON report on stdout instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Vectors { paths, json } => vectors(&paths, json),
    }
}

fn vectors(paths: &[PathBuf], json: bool) -> ExitCode {
    let report = barejwt::vectors::run_paths(paths);
    if report.outcomes.is_empty() {
        eprintln!("warning: no vector files found under the given paths");
    }
    if json {
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
