//! `barejwt-cli`: the one binary, `barejwt`. `main.rs` parses the command
//! line with clap and hands each subcommand to its module, one file each;
//! nothing else lives here. With no subcommand it serves, so `cargo run
//! --release` at the repository root starts the server.

#![forbid(unsafe_code)]

mod debugger;
mod decode;
mod explain;
mod harness;
mod input;
mod keygen;
mod keyopts;
mod keyset;
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
    Debugger(debugger::Args),
    Keygen(keygen::Args),
    Serve(serve::Args),
    Useradd(useradd::Args),
    Vectors(vectors::Args),
    Harness(harness::Args),
}

fn main() -> ExitCode {
    end_quietly_on_closed_stdout();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sign(args)) => sign::run(args),
        Some(Command::Verify(args)) => verify::run(args),
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Debugger(args)) => debugger::run(args),
        Some(Command::Keygen(args)) => keygen::run(args),
        Some(Command::Serve(args)) => serve::run(args),
        Some(Command::Useradd(args)) => useradd::run(args),
        Some(Command::Vectors(args)) => vectors::run(args),
        Some(Command::Harness(args)) => harness::run(args),
        None => serve::run(cli.serve),
    }
}

/// `barejwt vectors vectors/ | head`: once the reader has gone, `println!`
/// panics with "failed printing to stdout: Broken pipe (os error 32)"
/// (Rust ignores SIGPIPE, so the write fails instead of ending the
/// process). Every subcommand prints with `println!`, so the one place to
/// catch it is the panic hook: that panic ends the command quietly with
/// status 2, an I/O error; any other panic is reported as before. std
/// names the failure only in that message; `cli/tests/vectors.rs`
/// (`a_closed_stdout_ends_every_command_quietly`) pins it.
///
/// SIGPIPE itself stays ignored: `vectors --harness` writes to a child's
/// pipe and must see a harness that exited as an error, not die of it.
fn end_quietly_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map_or("", String::as_str);
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(2);
        }
        report(info);
    }));
}
