//! The subcommands of the `barejwt` binary, one file each. `main.rs` only
//! parses the command line and dispatches here.

pub mod decode;
pub mod explain;
pub mod input;
pub mod keygen;
pub mod keyopts;
pub mod serve;
pub mod sign;
pub mod time;
pub mod useradd;
pub mod vectors;
pub mod verify;
