//! What every test module uses: a running server ([`App`]), one request
//! on a fresh connection ([`send`]), its [`Reply`], and tokens forged with
//! any header and claims. `use crate::helpers::*` also brings the types
//! the tests name.

pub use std::net::SocketAddr;
pub use std::path::Path;
pub use std::time::Duration;

pub use barejwt::{Algorithm, HmacKey, base64url};
pub use barejwt_server::auth::SecretSource;
pub use barejwt_server::{Config, Server};
pub use bytes::Bytes;
pub use http_body_util::{BodyExt, Full};
pub use hyper::header::HeaderMap;
pub use hyper::{Method, Request, StatusCode};
pub use hyper_util::rt::TokioIo;
pub use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

/// A running server: its address, and how to stop it.
pub struct App {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl App {
    pub async fn start(config: Config) -> App {
        let server = tokio::task::spawn_blocking(move || Server::open(config))
            .await
            .unwrap()
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.run(listener, async {
            let _ = stopped.await;
        }));
        App {
            addr,
            stop: Some(stop),
            done,
        }
    }

    /// Stops the server and waits until the database is closed.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(20), &mut self.done)
            .await
            .expect("the server stops")
            .unwrap();
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Reply {
        send(self.addr, method, path, headers, body.into()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        self.send(Method::GET, path, &[("authorization", &auth)], Bytes::new())
            .await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a));
        }
        self.send(method, path, &headers, serde_json::to_vec(body).unwrap())
            .await
    }

    pub async fn register(&self, username: &str, password: &str) -> Reply {
        self.json(
            Method::POST,
            "/users",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login_reply(&self, username: &str, password: &str) -> Reply {
        let form = format!("username={username}&password={password}&grant_type=password");
        self.send(
            Method::POST,
            "/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            form,
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self.login_reply(username, password).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["access_token"].as_str().unwrap().to_string()
    }

    /// Registers and logs in a user.
    pub async fn user(&self, username: &str) -> String {
        assert_eq!(
            self.register(username, "correct horse").await.status,
            StatusCode::CREATED
        );
        self.login(username, "correct horse").await
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
    /// The `loc` of each 422 entry.
    pub fn invalid_fields(&self) -> Vec<String> {
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
pub async fn send(
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

pub fn config(dir: &Path) -> Config {
    let mut c = Config::new(dir.join("todo.db"));
    c.secret = SecretSource::Bytes(SECRET.to_vec());
    c.bcrypt_cost = 4;
    c.hash_threads = 2;
    c.db_readers = 2;
    c
}

pub fn now() -> i64 {
    barejwt::Clock::System.now()
}

/// A token signed with `key` over the given header and claims, for forging.
pub fn token(header: &Value, claims: &Value, key: &HmacKey) -> String {
    let h = base64url::encode(&serde_json::to_vec(header).unwrap());
    let p = base64url::encode(&serde_json::to_vec(claims).unwrap());
    let sig = key.sign_parts(&[h.as_bytes(), b".", p.as_bytes()]);
    format!("{h}.{p}.{}", base64url::encode(sig.as_bytes()))
}

pub fn claims(sub: &str, id: i64, exp: i64) -> Value {
    json!({"sub": sub, "id": id, "iat": now() - 10, "exp": exp, "jti": "test"})
}

pub fn assert_invalid_token(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.json(), json!({"detail": "Could not validate user."}));
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}
