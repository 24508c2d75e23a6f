//! The login and todo server, driven over TCP by a real HTTP client
//! (hyper's): each test starts the server on 127.0.0.1:0 with a temporary
//! database and bcrypt cost 4.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use barejwt::{Algorithm, HmacKey, base64url};
use barejwt_server::auth::SecretSource;
use barejwt_server::{Config, Server};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::oneshot;

const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

/// A running server: its address, its state, and how to stop it.
struct App {
    addr: SocketAddr,
    state: std::sync::Arc<barejwt_server::State>,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl App {
    async fn start(config: Config) -> App {
        let server = tokio::task::spawn_blocking(move || Server::open(config))
            .await
            .unwrap()
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = std::sync::Arc::clone(server.state());
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.run(listener, async {
            let _ = stopped.await;
        }));
        App {
            addr,
            state,
            stop: Some(stop),
            done,
        }
    }

    /// Stops the server and waits until the database is closed.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(20), &mut self.done)
            .await
            .expect("the server stops")
            .unwrap();
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        send(self.addr, method, path, headers, body.into()).await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.send(Method::GET, path, &[("authorization", &auth)], Bytes::new())
            .await
    }

    async fn json(&self, method: Method, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a));
        }
        self.send(method, path, &headers, serde_json::to_vec(body).unwrap())
            .await
    }

    async fn register(&self, username: &str, password: &str) -> Reply {
        self.json(
            Method::POST,
            "/users",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    async fn login_reply(&self, username: &str, password: &str) -> Reply {
        let form = format!("username={username}&password={password}&grant_type=password");
        self.send(
            Method::POST,
            "/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            form,
        )
        .await
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let r = self.login_reply(username, password).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    /// Registers and logs in a user.
    async fn user(&self, username: &str) -> String {
        assert_eq!(
            self.register(username, "correct horse").await.status,
            StatusCode::CREATED
        );
        self.login(username, "correct horse").await
    }
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    /// The `loc` of each 422 entry.
    fn invalid_fields(&self) -> Vec<String> {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            self.text()
        );
        self.json()["detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["loc"][1].as_str().unwrap().to_string())
            .collect()
    }
}

/// One request on a fresh connection.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Reply {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body,
    }
}

fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir.join("todo.db"));
    c.secret = SecretSource::Bytes(SECRET.to_vec());
    c.bcrypt_cost = 4;
    c.hash_threads = 2;
    c.db_readers = 2;
    c
}

fn now() -> i64 {
    barejwt_server::auth::now_secs()
}

/// A token signed with `key` over the given header and claims, for forging.
fn token(header: &Value, claims: &Value, key: &HmacKey) -> String {
    let h = base64url::encode(&serde_json::to_vec(header).unwrap());
    let p = base64url::encode(&serde_json::to_vec(claims).unwrap());
    let sig = key.sign_parts(&[h.as_bytes(), b".", p.as_bytes()]);
    format!("{h}.{p}.{}", base64url::encode(sig.as_bytes()))
}

fn claims(sub: &str, id: i64, exp: i64) -> Value {
    json!({"sub": sub, "id": id, "iat": now() - 10, "exp": exp, "jti": "test"})
}

fn assert_invalid_token(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.json(), json!({"detail": "Could not validate user."}));
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn the_tutorial_flow_register_login_and_todo_crud() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;

    let r = app
        .json(
            Method::POST,
            "/users",
            None,
            &json!({"username": "wangerge", "password": "correct horse", "email": "w@example.com", "first_name": "Wang"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let user = r.json();
    assert_eq!(user["username"], "wangerge");
    assert_eq!(user["email"], "w@example.com");
    assert!(
        !r.text().contains("password") && !r.text().contains("$2"),
        "no hash: {}",
        r.text()
    );

    let r = app.login_reply("wangerge", "correct+horse").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 1200);
    let token = body["access_token"].as_str().unwrap();

    // The token is HS256 with sub, id, iat, exp (20 minutes) and jti.
    let key = HmacKey::new(Algorithm::HS256, SECRET).unwrap();
    let v = barejwt::decode::<Value, _>(token, &key, &barejwt::Validation::new(Algorithm::HS256))
        .unwrap();
    assert_eq!(v.header.alg, Algorithm::HS256);
    assert_eq!(v.claims["sub"], "wangerge");
    assert_eq!(v.claims["id"], user["id"]);
    assert_eq!(
        v.claims["exp"].as_i64().unwrap() - v.claims["iat"].as_i64().unwrap(),
        1200
    );
    assert!(v.claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // No token: 401 "Not authenticated" with the bare challenge.
    let r = app.send(Method::GET, "/todo", &[], Bytes::new()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json(), json!({"detail": "Not authenticated"}));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));

    let r = app.get("/users/me", token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), user);

    let r = app.get("/todo", token).await;
    assert_eq!((r.status, r.json()), (StatusCode::OK, json!([])));

    let r = app
        .json(
            Method::POST,
            "/todo",
            Some(token),
            &json!({"title": "buy milk", "description": "2 litres", "priority": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let todo = r.json();
    assert_eq!(todo["complete"], false);
    assert_eq!(todo["owner_id"], user["id"]);
    let path = format!("/todo/{}", todo["id"]);

    let r = app.get(&path, token).await;
    assert_eq!((r.status, r.json()), (StatusCode::OK, todo.clone()));

    let r = app
        .json(
            Method::PUT,
            &path,
            Some(token),
            &json!({"title": "buy oat milk", "priority": 1, "complete": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["title"], "buy oat milk");
    let r = app.get("/todo", token).await;
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["complete"], true);
    assert_eq!(list[0]["description"], "");

    let auth = format!("Bearer {token}");
    let r = app
        .send(
            Method::DELETE,
            &path,
            &[("authorization", &auth)],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert_eq!(app.get(&path, token).await.status, StatusCode::NOT_FOUND);
    let r = app
        .send(
            Method::DELETE,
            &path,
            &[("authorization", &auth)],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app.send(Method::GET, "/healthz", &[], Bytes::new()).await;
    assert_eq!(r.status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    app.user("ada").await;
    let wrong = app.login_reply("ada", "not the password").await;
    let unknown = app.login_reply("nobody", "correct horse").await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json(), json!({"detail": "Could not validate user."}));
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(wrong.body, unknown.body);
    // Equal time comes from equal work: the unknown user's password was
    // run through bcrypt too (against the dummy hash).
    let before = app.state.hasher.verifications();
    app.login_reply("nobody-else", "correct horse").await;
    assert_eq!(app.state.hasher.verifications(), before + 1);
    app.stop().await;
}

#[tokio::test]
async fn expired_tampered_forged_none_and_wrong_algorithm_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let real = app.user("ada").await;
    let key = HmacKey::new(Algorithm::HS256, SECRET).unwrap();
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let me = app.get("/users/me", &real).await.json();
    let id = me["id"].as_i64().unwrap();

    // The forging helper makes tokens the server accepts when nothing is
    // wrong with them, so each refusal below is for its one defect.
    let good = token(&hs256, &claims("ada", id, now() + 600), &key);
    assert_eq!(app.get("/todo", &good).await.status, StatusCode::OK);

    let expired = token(&hs256, &claims("ada", id, now() - 1), &key);
    assert_invalid_token(&app.get("/todo", &expired).await);

    // Tampered: the payload changed after signing (id of another user).
    let (h, rest) = good.split_once('.').unwrap();
    let sig = rest.split_once('.').unwrap().1;
    let other =
        base64url::encode(&serde_json::to_vec(&claims("ada", id + 1, now() + 600)).unwrap());
    assert_invalid_token(&app.get("/todo", &format!("{h}.{other}.{sig}")).await);
    // Tampered: one signature character changed.
    let mut bytes = good.clone().into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    assert_invalid_token(&app.get("/todo", &String::from_utf8(bytes).unwrap()).await);

    let wrong_key = HmacKey::new(Algorithm::HS256, &[0x42; 32]).unwrap();
    assert_invalid_token(
        &app.get(
            "/todo",
            &token(&hs256, &claims("ada", id, now() + 600), &wrong_key),
        )
        .await,
    );

    let none_header = base64url::encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url::encode(&serde_json::to_vec(&claims("ada", id, now() + 600)).unwrap());
    assert_invalid_token(&app.get("/todo", &format!("{none_header}.{payload}.")).await);

    // HS512 with the very same secret: the server accepts HS256 only.
    let hs512 = HmacKey::new_allow_weak(Algorithm::HS512, SECRET);
    let t = token(
        &json!({"alg": "HS512", "typ": "JWT"}),
        &claims("ada", id, now() + 600),
        &hs512,
    );
    assert_invalid_token(&app.get("/todo", &t).await);

    // A valid signature over claims without `id` is not a caller either.
    let t = token(
        &hs256,
        &json!({"sub": "ada", "iat": now(), "exp": now() + 600, "jti": "x"}),
        &key,
    );
    assert_invalid_token(&app.get("/todo", &t).await);

    assert_invalid_token(&app.get("/todo", "garbage").await);
    // Another scheme, or Bearer with nothing after it: not authenticated.
    for auth in ["Basic YWRhOnB3", "Bearer "] {
        let r = app
            .send(
                Method::GET,
                "/todo",
                &[("authorization", auth)],
                Bytes::new(),
            )
            .await;
        assert_eq!(r.json(), json!({"detail": "Not authenticated"}), "{auth}");
    }
    app.stop().await;
}

#[tokio::test]
async fn another_users_todo_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let todo = app
        .json(
            Method::POST,
            "/todo",
            Some(&ada),
            &json!({"title": "ada's", "priority": 3}),
        )
        .await
        .json();
    let path = format!("/todo/{}", todo["id"]);
    let bob_auth = format!("Bearer {bob}");

    assert_eq!(app.get(&path, &bob).await.status, StatusCode::NOT_FOUND);
    let r = app
        .json(
            Method::PUT,
            &path,
            Some(&bob),
            &json!({"title": "bob's now", "priority": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .send(
            Method::DELETE,
            &path,
            &[("authorization", &bob_auth)],
            Bytes::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/todo", &bob).await.json(), json!([]));

    // Untouched for its owner.
    assert_eq!(app.get(&path, &ada).await.json(), todo);
    app.stop().await;
}

#[tokio::test]
async fn registration_rules_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    assert_eq!(
        app.register("ada", "correct horse").await.status,
        StatusCode::CREATED
    );
    let r = app.register("ada", "another password").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["detail"].is_string());

    assert_eq!(
        app.register("a", "correct horse").await.invalid_fields(),
        ["username"]
    );
    assert_eq!(
        app.register("a d a", "correct horse")
            .await
            .invalid_fields(),
        ["username"]
    );
    assert_eq!(
        app.register("bob", "short").await.invalid_fields(),
        ["password"]
    );
    // bcrypt reads 72 bytes: 73 are refused, not cut.
    assert_eq!(
        app.register("bob", &"x".repeat(73)).await.invalid_fields(),
        ["password"]
    );
    assert_eq!(
        app.register("bob", &"x".repeat(72)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.login_reply("bob", &"x".repeat(72)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login_reply("bob", &"x".repeat(71)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.login_reply("bob", &"x".repeat(73)).await;
    assert_eq!(r.invalid_fields(), ["password"]);

    let r = app
        .json(Method::POST, "/users", None, &json!({"password": 5}))
        .await;
    assert_eq!(r.invalid_fields(), ["username", "password"]);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let token = app.user("ada").await;
    let auth = format!("Bearer {token}");
    let form = [("content-type", "application/x-www-form-urlencoded")];

    // Bad forms.
    let r = app
        .send(Method::POST, "/token", &form, "username=ada")
        .await;
    assert_eq!(r.invalid_fields(), ["password"]);
    let r = app
        .send(
            Method::POST,
            "/token",
            &form,
            "grant_type=client_credentials&username=ada&password=correct+horse",
        )
        .await;
    assert_eq!(r.invalid_fields(), ["grant_type"]);
    let r = app
        .send(
            Method::POST,
            "/token",
            &form,
            "username=ada&username=bob&password=correct+horse",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            Method::POST,
            "/token",
            &[("content-type", "application/json")],
            r#"{"username":"ada"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json()["detail"].is_string());

    // Bad JSON.
    let json_auth = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    for body in [
        "{",
        "[1,2]",
        "\"title\"",
        "{\"title\":\"abc\",\"title\":\"def\",\"priority\":1}",
    ] {
        let r = app.send(Method::POST, "/todo", &json_auth, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert!(r.json()["detail"].is_array());
    }
    let r = app
        .send(
            Method::POST,
            "/todo",
            &json_auth,
            r#"{"title":"ab","priority":9}"#,
        )
        .await;
    assert_eq!(r.invalid_fields(), ["title", "priority"]);

    // Oversized body: refused from Content-Length, and from the bytes.
    let big = vec![b' '; 64 * 1024 + 1];
    let r = app.send(Method::POST, "/todo", &json_auth, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json()["detail"].is_string());

    // Wrong method, unknown path, bad id.
    let r = app.send(Method::DELETE, "/todo", &[], Bytes::new()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    assert!(r.json()["detail"].is_string());
    let r = app.send(Method::GET, "/token", &[], Bytes::new()).await;
    assert_eq!(
        (r.status, r.header("allow")),
        (StatusCode::METHOD_NOT_ALLOWED, Some("POST"))
    );
    let r = app
        .send(Method::GET, "/nothing/here", &[], Bytes::new())
        .await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
    );
    let r = app.get("/todo/abc", &token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["path", "todo_id"]));
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_without_content_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    // A chunked body: the limit is enforced while reading, not from a header.
    let stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let body = Chunks(20);
    let req = Request::post("/users")
        .header("host", "x")
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.headers().get("content-length").is_some());
    app.stop().await;
}

/// A body of `n` chunks of 8 KiB with no declared length (sent chunked).
struct Chunks(u32);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(Bytes::from(vec![
            b' ';
            8192
        ])))))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_clients_lose_no_todo() {
    let dir = tempfile::tempdir().unwrap();
    let app = std::sync::Arc::new(App::start(config(dir.path())).await);
    let token = app.user("ada").await;
    let mut tasks = Vec::new();
    for client in 0..50 {
        let (app, token) = (std::sync::Arc::clone(&app), token.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..4 {
                let title = format!("client {client} todo {n}");
                let r = app
                    .json(
                        Method::POST,
                        "/todo",
                        Some(&token),
                        &json!({"title": title, "priority": 1 + n % 5}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let list = app.get("/todo", &token).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 200);
    let mut titles: Vec<&str> = list.iter().map(|t| t["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(titles.len(), 200);
    std::sync::Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn a_restart_keeps_the_data_and_the_generated_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.secret = SecretSource::Generated(dir.path().join("todo.secret"));
    let app = App::start(c.clone()).await;
    let token = app.user("ada").await;
    let r = app
        .json(
            Method::POST,
            "/todo",
            Some(&token),
            &json!({"title": "survive", "priority": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.stop().await;

    let secret = dir.path().join("todo.secret");
    assert_eq!(std::fs::read(&secret).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Closed cleanly: the WAL was checkpointed into the file and removed.
    assert!(!dir.path().join("todo.db-wal").exists());

    let app = App::start(c).await;
    let r = app.get("/todo", &token).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the old token still verifies: {}",
        r.text()
    );
    assert_eq!(r.json()[0]["title"], "survive");
    app.login("ada", "correct+horse").await;
    app.stop().await;
}

#[tokio::test]
async fn a_secret_shorter_than_32_bytes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.secret = SecretSource::Bytes(b"too short".to_vec());
    let err = Server::open(c).unwrap_err();
    assert!(err.contains("32"), "{err}");
    assert!(
        !err.contains("too short"),
        "the secret is not echoed: {err}"
    );
}

#[tokio::test]
async fn a_login_flood_beyond_the_queue_gets_503_while_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.hash_threads = 1;
    c.hash_queue = 1;
    // Cost 10 (tens of milliseconds a hash) so that the logins below all
    // arrive while the first is still hashing.
    c.bcrypt_cost = 10;
    let app = std::sync::Arc::new(App::start(c).await);
    let token = app.user("ada").await;
    let mut logins = Vec::new();
    for _ in 0..12 {
        let app = std::sync::Arc::clone(&app);
        logins.push(tokio::spawn(async move {
            app.login_reply("ada", "correct+horse").await
        }));
    }
    let read = app.get("/todo", &token).await;
    assert_eq!(read.status, StatusCode::OK);
    let mut busy = 0;
    for l in logins {
        let r = l.await.unwrap();
        match r.status {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert_eq!(r.header("retry-after"), Some("1"));
                assert!(r.json()["detail"].is_string());
            }
            other => panic!("unexpected {other}: {}", r.text()),
        }
    }
    // One hashing, one queued: of 12 at once, most are turned away.
    assert!(busy >= 1, "no login was turned away");
    assert!(busy <= 11);
    std::sync::Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let r = app
        .send(Method::GET, "/openapi.json", &[], Bytes::new())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, methods) in [
        ("/users", &["post"][..]),
        ("/token", &["post"]),
        ("/users/me", &["get"]),
        ("/todo", &["get", "post"]),
        ("/todo/{todo_id}", &["get", "put", "delete"]),
        ("/openapi.json", &["get"]),
        ("/healthz", &["get"]),
    ] {
        for m in methods {
            assert!(doc["paths"][path][m].is_object(), "{m} {path}");
        }
    }
    // Every $ref points at a schema or response that exists.
    let text = r.text();
    for piece in text.split("\"$ref\":\"#/components/").skip(1) {
        let target = piece.split('"').next().unwrap();
        let (kind, name) = target.split_once('/').unwrap();
        assert!(
            doc["components"][kind][name].is_object(),
            "dangling $ref {target}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn idle_and_slow_header_connections_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.header_read_timeout = Duration::from_millis(300);
    let app = App::start(c).await;

    // Half a request line, then nothing: the server hangs up.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "a slow client is disconnected");

    // A keep-alive connection left idle after a request: closed too.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "an idle keep-alive connection is closed");
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    app.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.max_connections = 1;
    let app = App::start(c).await;

    let mut first = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = first.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));

    // The one slot is taken by `first` (kept alive): the second waits.
    let addr = app.addr;
    let second =
        tokio::spawn(async move { send(addr, Method::GET, "/healthz", &[], Bytes::new()).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "served beyond the cap");
    drop(first);
    let r = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, StatusCode::OK);
    app.stop().await;
}
