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
#[command(
    after_help = "Exit status: 0 success (a valid token), 1 invalid token, 2 usage or I/O error."
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
    Sign(cli::sign::Args),
    Verify(cli::verify::Args),
    Decode(cli::decode::Args),
    Explain(cli::explain::Args),
    Keygen(cli::keygen::Args),
    Serve(cli::serve::Args),
    Useradd(cli::useradd::Args),
    Vectors(cli::vectors::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sign(args)) => cli::sign::run(args),
        Some(Command::Verify(args)) => cli::verify::run(args),
        Some(Command::Decode(args)) => cli::decode::run(args),
        Some(Command::Explain(args)) => cli::explain::run(args),
        Some(Command::Keygen(args)) => cli::keygen::run(args),
        Some(Command::Serve(args)) => cli::serve::run(args),
        Some(Command::Useradd(args)) => cli::useradd::run(args),
        Some(Command::Vectors(args)) => cli::vectors::run(args),
        None => cli::serve::run(cli.serve),
    }
}
