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
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, `barejwt` serves (so `cargo run --release`
    /// starts the server); these are `serve`'s options.
    #[command(flatten)]
    serve: cli::serve::Args,
}

#[derive(Debug, Subcommand)]
enum Command {
    Serve(cli::serve::Args),
    Vectors(cli::vectors::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Serve(args)) => cli::serve::run(args),
        Some(Command::Vectors(args)) => cli::vectors::run(args),
        None => cli::serve::run(cli.serve),
    }
}
