//! The `barejwt` binary: parses the command line with clap and hands each
//! subcommand to its module in `src/cli/`. Nothing else lives here.

#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// JSON Web Tokens built from their primitives.
#[derive(Debug, Parser)]
#[command(
    name = "barejwt",
    version,
    about,
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    Vectors(cli::vectors::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Vectors(args)) => cli::vectors::run(args),
        None => ExitCode::from(2),
    }
}
