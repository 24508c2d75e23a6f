//! The login and todo server, driven over TCP by a real HTTP client
//! (hyper's): each test starts the server on 127.0.0.1:0 with a temporary
//! database and bcrypt cost 4.
//!
//! One test binary, one module per concern (zero2prod's `tests/api/`), so
//! the crate links once and the helpers in [`helpers`] are shared.

#![allow(clippy::unwrap_used)]

mod connections;
mod docs;
mod faults_db;
mod faults_startup;
mod headers;
mod helpers;
mod input;
mod lifecycle;
mod login;
mod mounts;
mod openapi;
mod postgres;
mod todos;
mod tokens;
mod tutorial;
mod users;
