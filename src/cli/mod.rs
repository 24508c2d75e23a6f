//! The subcommands of the `barejwt` binary, one file each. `main.rs` only
//! parses the command line and dispatches here.

pub mod serve;
pub mod vectors;
