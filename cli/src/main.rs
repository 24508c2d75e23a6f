//! `barejwt-cli`: the one binary, `barejwt`. `main.rs` parses the command
//! line with clap and hands each subcommand to its module, one file each;
//! nothing else lives here. With no subcommand it serves, so `cargo run
//! --release` at the repository root starts the server.

#![forbid(unsafe_code)]

mod decode;
mod explain;
mod input;
mod keygen;
mod keyopts;
mod serve;
mod sign;
mod time;
mod useradd;
mod vectors;
mod verify;

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
    serve: serve::Args,
}

#[derive(Debug, Subcommand)]
enum Command {
    Sign(sign::Args),
    Verify(verify::Args),
    Decode(decode::Args),
    Explain(explain::Args),
    Keygen(keygen::Args),
    Serve(serve::Args),
    Useradd(useradd::Args),
    Vectors(vectors::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sign(args)) => sign::run(args),
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Keygen(args)) => keygen::run(args),
        Some(Command::Serve(args)) => serve::run(args),
        Some(Command::Useradd(args)) => useradd::run(args),
        Some(Command::Vectors(args)) => vectors::run(args),
        None => serve::run(cli.serve),
    }
}
