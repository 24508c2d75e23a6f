//! The account endpoints: `POST /users` (register), `POST /token` (log in,
//! the OAuth 2.0 password grant) and `GET /users/me`.
//!
//! # The password grant
//!
//! > The client makes a request to the token endpoint by adding the
//! > following parameters using the "application/x-www-form-urlencoded"
//! > format: grant_type REQUIRED. Value MUST be set to "password".
//! > username REQUIRED. password REQUIRED. — [RFC 6749 §4.3.2]
//!
//! Like FastAPI's `OAuth2PasswordRequestForm`, `grant_type` may be left
//! out (but if given it must be `password`); `scope`, `client_id` and
//! `client_secret` are accepted and ignored. The answer follows
//! [RFC 6749 §5.1]: `access_token`, `token_type`, `expires_in`, with
//! `Cache-Control: no-store`.
//!
//! One deliberate departure: for a wrong password [RFC 6749 §5.2] says
//! 400 `{"error": "invalid_grant"}`; the tutorial answers 401
//! `{"detail": "Could not validate user."}` with `WWW-Authenticate:
//! Bearer`, and its clients expect that. So the status is the tutorial's,
//! and the body carries both: `detail`, and `error: "invalid_grant"` with
//! an `error_description` for OAuth clients (see `routes/error.rs`).
//!
//! Left out: refresh tokens, scopes, client authentication, changing or
//! resetting passwords, deleting accounts.
//!
//! [RFC 6749 §4.3.2]: https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
//! [RFC 6749 §5.1]: https://www.rfc-editor.org/rfc/rfc6749#section-5.1
//! [RFC 6749 §5.2]: https://www.rfc-editor.org/rfc/rfc6749#section-5.2

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::State;
use super::auth::{HashError, MAX_PASSWORD_BYTES, authenticate};
use super::db::NewUser;
use super::routes::{
    ApiError, FieldError, Resp, json, parse_json, read_form, read_json, string_field,
};

/// The shortest password accepted, in bytes.
pub const MIN_PASSWORD_BYTES: usize = 8;

#[derive(Deserialize)]
struct RegisterIn {
    username: Option<Value>,
    password: Option<Value>,
    email: Option<Value>,
    first_name: Option<Value>,
    last_name: Option<Value>,
}

/// A user name: 3 to 32 of `A-Z a-z 0-9 . _ -`.
pub fn username_error(name: &str) -> Option<FieldError> {
    if !(3..=32).contains(&name.len()) {
        return Some(FieldError::body(
            "username",
            "string_length",
            "Username must be 3 to 32 characters",
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Some(FieldError::body(
            "username",
            "string_pattern_mismatch",
            "Username may contain only letters, digits, '.', '_' and '-'",
        ));
    }
    None
}

/// A password: 8 to 72 bytes (bcrypt reads no more than 72), no NUL
/// (bcrypt would stop reading at it).
pub fn password_error(password: &str) -> Option<FieldError> {
    if password.len() < MIN_PASSWORD_BYTES {
        return Some(FieldError::body(
            "password",
            "string_too_short",
            format!("Password must be at least {MIN_PASSWORD_BYTES} bytes"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Some(FieldError::body(
            "password",
            "string_too_long",
            format!("Password must be at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)"),
        ));
    }
    if password.contains('\0') {
        return Some(FieldError::body(
            "password",
            "string_pattern_mismatch",
            "Password must not contain NUL",
        ));
    }
    None
}

fn hash_error(e: HashError) -> ApiError {
    match e {
        HashError::Busy => ApiError::Busy,
        HashError::Closed => ApiError::Internal("hasher_closed"),
        HashError::Bcrypt(e) => {
            tracing::error!(error = %e, "bcrypt");
            ApiError::Internal("bcrypt")
        }
    }
}

/// Validates a registration, naming every bad field: the new user and
/// the password to hash.
fn registration(input: RegisterIn) -> Result<(NewUser, String), ApiError> {
    let mut errors = Vec::new();
    let username = string_field(
        &mut errors,
        "username",
        input.username,
        true,
        0..=usize::MAX,
    );
    let password = string_field(
        &mut errors,
        "password",
        input.password,
        true,
        0..=usize::MAX,
    );
    let email = string_field(&mut errors, "email", input.email, false, 3..=254);
    let first_name = string_field(&mut errors, "first_name", input.first_name, false, 0..=100);
    let last_name = string_field(&mut errors, "last_name", input.last_name, false, 0..=100);
    if let Some(e) = username.as_deref().and_then(username_error) {
        errors.push(e);
    }
    if let Some(e) = password.as_deref().and_then(password_error) {
        errors.push(e);
    }
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.push(FieldError::body(
            "email",
            "value_error",
            "Email must contain '@'",
        ));
    }
    let (Some(username), Some(password), true) = (username, password, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let user = NewUser {
        username,
        email,
        first_name,
        last_name,
    };
    Ok((user, password))
}

/// Parses and validates a `POST /users` body: what `register` runs on
/// the bytes it reads.
pub fn parse_registration(body: &[u8]) -> Result<(NewUser, String), ApiError> {
    registration(parse_json(body)?)
}

/// `POST /users`: 201 with the new user, 409 if the name is taken.
pub(crate) async fn register(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let (new, password) = registration(read_json(state, req).await?)?;
    // Spare the bcrypt work when the name is plainly taken; the UNIQUE
    // constraint still decides a race between two registrations.
    if state.db.username_taken(&new.username).await? {
        return Err(ApiError::Conflict("Username already registered"));
    }
    let hash = state
        .hasher
        .hash(password.into_bytes())
        .await
        .map_err(hash_error)?;
    let now = state.tokens.now();
    let user = state
        .db
        .insert_user(new, hash, now)
        .await?
        .ok_or(ApiError::Conflict("Username already registered"))?;
    json(StatusCode::CREATED, &user)
}

/// The password grant's fields from a parsed form (RFC 6749 §4.3.2): the
/// user name and the password bytes, or 422 naming every bad field.
pub fn login_fields(form: &[(String, String)]) -> Result<(String, Vec<u8>), ApiError> {
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let mut errors = Vec::new();
    if let Some(g) = field("grant_type")
        && g != "password"
    {
        errors.push(FieldError::body(
            "grant_type",
            "string_pattern_mismatch",
            "grant_type must be \"password\"",
        ));
    }
    let username = field("username").filter(|u| !u.is_empty());
    let password = field("password").filter(|p| !p.is_empty());
    if username.is_none() {
        errors.push(FieldError::body("username", "missing", "Field required"));
    }
    match password {
        None => errors.push(FieldError::body("password", "missing", "Field required")),
        // Refused outright rather than cut to 72 bytes; says nothing about
        // which users exist.
        Some(p) if p.len() > MAX_PASSWORD_BYTES => errors.push(FieldError::body(
            "password",
            "string_too_long",
            format!("Password must be at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)"),
        )),
        Some(_) => {}
    }
    let (Some(username), Some(password), true) = (username, password, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    Ok((username.to_owned(), password.as_bytes().to_vec()))
}

/// `POST /token`: the password grant.
pub(crate) async fn login(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let (username, password) = login_fields(&read_form(state, req).await?)?;

    let found = state.db.credentials(&username).await?;
    let (id, hash) = match found {
        // The registered spelling goes into the token, whatever the case
        // typed: one account, one `sub`.
        Some(c) => (Some((c.id, c.username)), Some(c.hash)),
        None => (None, None),
    };
    // Unknown user or wrong password: the same bcrypt work, the same answer.
    let ok = state
        .hasher
        .verify(password, hash)
        .await
        .map_err(hash_error)?;
    let Some((id, username)) = id.filter(|_| ok) else {
        return Err(ApiError::BadCredentials);
    };
    let token = state
        .tokens
        .issue(&username, id)
        .map_err(|_| ApiError::Internal("sign"))?;
    let mut resp = json(
        StatusCode::OK,
        &serde_json::json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": state.tokens.ttl,
        }),
    )?;
    // RFC 6749 §5.1: responses with tokens must not be cached.
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// `GET /users/me`: the caller.
pub(crate) async fn me(state: &State, req: Request<Incoming>) -> Result<Resp, ApiError> {
    let caller = authenticate(state, &req)?;
    match state.db.user_by_id(caller.id).await? {
        Some(user) => json(StatusCode::OK, &user),
        // A valid token for a user that no longer exists.
        None => Err(ApiError::InvalidToken("unknown_user")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SecretSource;
    use crate::{Config, Server};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// POSTs a login form on a fresh connection; the status line's code.
    async fn login_status(addr: std::net::SocketAddr, form: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{form}",
            form.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        String::from_utf8_lossy(&out[..12]).into_owned()
    }

    // Here rather than in tests/: the hashing threads' counter is the
    // crate's own, and no public item exposes it.
    #[tokio::test]
    async fn an_unknown_users_login_runs_bcrypt_like_a_known_users() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path().join("t.db"));
        config.secret = SecretSource::Bytes(vec![7; 32]);
        config.bcrypt_cost = 4;
        let server = tokio::task::spawn_blocking(move || Server::open(config))
            .await
            .unwrap()
            .unwrap();
        let state = std::sync::Arc::clone(&server.state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(server.run(listener, async {
            let _ = stopped.await;
        }));
        let before = state.hasher.verifications();
        let status = login_status(addr, "username=nobody&password=correct+horse").await;
        assert_eq!(status, "HTTP/1.1 401");
        assert_eq!(state.hasher.verifications(), before + 1);
        let _ = stop.send(());
        done.await.unwrap();
    }

    #[test]
    fn usernames_are_short_and_plain() {
        for ok in ["ada", "wang.erge", "a_b-c", "x".repeat(32).as_str()] {
            assert!(username_error(ok).is_none(), "{ok}");
        }
        for bad in [
            "ab",
            "x".repeat(33).as_str(),
            "a b",
            "ädä",
            "a/b",
            "a@b",
            "",
        ] {
            assert!(username_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn passwords_are_8_to_72_bytes_without_nul() {
        assert!(password_error("12345678").is_none());
        assert!(password_error(&"x".repeat(72)).is_none());
        assert!(password_error("1234567").is_some());
        assert!(password_error(&"x".repeat(73)).is_some());
        // 25 three-byte characters are 75 bytes: bytes count, not chars.
        assert!(password_error(&"€".repeat(25)).is_some());
        assert!(password_error("12345678\0").is_some());
    }
}
