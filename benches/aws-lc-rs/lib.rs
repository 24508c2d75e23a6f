//! Nothing: this crate exists for its benchmark, `../jwt.rs` built with
//! jsonwebtoken's `aws_lc_rs` backend (see `Cargo.toml`).
