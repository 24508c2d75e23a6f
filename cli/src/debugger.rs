//! `barejwt debugger`: the token debugger page alone, on loopback, with no
//! database and no secret of its own; it prints the page's address. The
//! page and its endpoints are `barejwt_server::debugger`'s, the same that
//! `barejwt serve` offers at `/debugger`.

use std::net::SocketAddr;
use std::process::ExitCode;

use barejwt_server::debugger::{self, Access};

/// Who may use the token debugger: the `--debugger` flag of `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Who {
    /// Only when listening on a loopback address, and only loopback clients.
    #[default]
    Loopback,
    /// Nobody: /debugger is 404.
    Off,
    /// Any client. Tokens and keys then cross the network (use TLS).
    Remote,
}

impl From<Who> for Access {
    fn from(w: Who) -> Access {
        match w {
            Who::Loopback => Access::Loopback,
            Who::Off => Access::Off,
            Who::Remote => Access::Remote,
        }
    }
}

/// Serve the token debugger page alone and print its address.
///
/// The page shows a token's segments, header, claims and the verifier's
/// walk (the same steps as `barejwt explain --json`), and signs tokens.
/// Secrets stay local: tokens and keys go in POST bodies to this process
/// only, are never logged or stored, and answers are never cached.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
By default the page answers loopback clients only, and only when listening on a
loopback address. --remote serves any client: then tokens and keys cross the
network, in clear unless a TLS proxy is in front.

Examples:
  barejwt debugger                      # http://127.0.0.1:8400/debugger
  barejwt debugger --addr 127.0.0.1:0   # any free port")]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8400")]
    addr: SocketAddr,
    /// Answer clients that are not on loopback too (secrets cross the network).
    #[arg(long)]
    remote: bool,
}

/// Runs `barejwt debugger` until SIGINT or SIGTERM.
pub fn run(args: Args) -> ExitCode {
    let access = if args.remote {
        Access::Remote
    } else {
        Access::Loopback
    };
    if !args.remote && !args.addr.ip().is_loopback() {
        eprintln!(
            "error: {} is not a loopback address; the debugger would refuse every client (add --remote to serve others)",
            args.addr
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.addr);
                return ExitCode::FAILURE;
            }
        };
        match listener.local_addr() {
            Ok(local) => println!("token debugger: http://{local}/debugger"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        debugger::serve(listener, access, super::serve::shutdown_signal()).await;
        ExitCode::SUCCESS
    })
}
