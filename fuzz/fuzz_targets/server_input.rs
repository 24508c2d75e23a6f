//! The server's request parsing, fed any bytes: form bodies (the password
//! grant), JSON bodies (todos, registrations), the `Authorization` header
//! and path ids. Nothing may panic, and what is accepted must obey the
//! rules the handlers rely on:
//! - a parsed form has unique field names, at most `MAX_FORM_FIELDS`;
//! - accepted login fields are non-empty, the password at most 72 bytes;
//! - an accepted todo has a title of 3 to 100 characters, a description of
//!   at most 1000 and a priority from 1 to 5;
//! - an accepted registration passes the user name and password rules;
//! - a bearer token is non-empty, trimmed, and its header starts with
//!   "bearer " in any case;
//! - a todo id is positive and is the decimal the path spelled (leading
//!   zeros aside).
#![no_main]

use barejwt_server::auth::{MAX_PASSWORD_BYTES, bearer_token};
use barejwt_server::routes::{MAX_FORM_FIELDS, parse_form, parse_json, todo_id};
use barejwt_server::todos::parse_todo;
use barejwt_server::users::{login_fields, parse_registration, password_error, username_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, input)) = data.split_first() else {
        return;
    };
    match which % 6 {
        0 => {
            if let Ok(form) = parse_form(input) {
                assert!(form.len() <= MAX_FORM_FIELDS);
                for (i, (name, _)) in form.iter().enumerate() {
                    assert!(
                        form[..i].iter().all(|(n, _)| n != name),
                        "duplicate {name:?}"
                    );
                }
                if let Ok((username, password)) = login_fields(&form) {
                    assert!(!username.is_empty() && !password.is_empty());
                    assert!(password.len() <= MAX_PASSWORD_BYTES);
                }
            }
        }
        1 => {
            if let Ok(todo) = parse_todo(input) {
                assert!((3..=100).contains(&todo.title.chars().count()));
                assert!(todo.description.chars().count() <= 1000);
                assert!((1..=5).contains(&todo.priority));
            }
        }
        2 => {
            if let Ok((user, password)) = parse_registration(input) {
                assert!(username_error(&user.username).is_none());
                assert!(password_error(&password).is_none());
            }
        }
        3 => {
            if let Some(token) = bearer_token(Some(input)) {
                assert!(!token.is_empty());
                assert_eq!(token, token.trim_matches(' '));
                assert!(input[..6].eq_ignore_ascii_case(b"bearer") && input[6] == b' ');
            }
        }
        4 => {
            if let Ok(s) = std::str::from_utf8(input)
                && let Ok(id) = todo_id(s)
            {
                assert!(id > 0);
                assert_eq!(s.trim_start_matches('0'), id.to_string());
            }
        }
        _ => {
            let _ = parse_json::<serde_json::Value>(input);
        }
    }
});
