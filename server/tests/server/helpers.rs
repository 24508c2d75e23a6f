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

    /// `POST /todo` with `token`: a todo of this title, priority 1.
    pub async fn todo(&self, token: &str, title: &str) -> Reply {
        let todo = json!({"title": title, "priority": 1});
        self.json(Method::POST, "/todo", Some(token), &todo).await
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

/// The store a test runs on: a SQLite file in a temporary directory, or
/// a fresh PostgreSQL database (`CREATE DATABASE` with a random name on
/// the cluster `BAREJWT_TEST_PG` names, dropped when this is dropped).
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pg: Option<PgDb>,
}

struct PgDb {
    admin: String,
    name: String,
    url: String,
}

/// Runs `f` on a client connected to `url`, on a runtime of its own (so
/// it works from `Drop` and from any test flavour).
pub fn with_pg<T: Send>(url: &str, f: impl AsyncFnOnce(&tokio_postgres::Client) -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .expect("connect to the test cluster");
                let driver = tokio::spawn(conn);
                let out = f(&client).await;
                drop(client);
                let _ = driver.await;
                out
            })
        })
        .join()
        .unwrap()
    })
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        TestDb {
            dir: tempfile::tempdir().unwrap(),
            pg: None,
        }
    }

    /// A fresh database, or `None` (after one line saying so) when
    /// `BAREJWT_TEST_PG` is unset; with `BAREJWT_TEST_PG_REQUIRED` set
    /// (what `.ci/postgres.sh` does), an unset URL fails the test.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var("BAREJWT_TEST_PG") else {
            assert!(
                std::env::var_os("BAREJWT_TEST_PG_REQUIRED").is_none(),
                "BAREJWT_TEST_PG_REQUIRED is set but BAREJWT_TEST_PG is not"
            );
            println!("skipped {test}: BAREJWT_TEST_PG is not set (.ci/postgres.sh sets it)");
            return None;
        };
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("barejwt_test_{name}");
        // A generated name, not input: CREATE DATABASE takes no parameter.
        with_pg(&admin, async |c| {
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap()
        });
        let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
        let url = format!("{base}/{name}");
        Some(TestDb {
            dir: tempfile::tempdir().unwrap(),
            pg: Some(PgDb { admin, name, url }),
        })
    }

    /// The test configuration ([`config`]) on this store.
    pub fn config(&self) -> Config {
        let mut c = config(self.dir.path());
        if let Some(pg) = &self.pg {
            c.db = barejwt_server::db::Location::parse(&pg.url);
        }
        c
    }

    /// The PostgreSQL URL of this test's database, if it is one.
    pub fn pg_url(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.url.as_str())
    }

    /// The cluster's URL (the `postgres` database), for administration.
    pub fn pg_admin(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.admin.as_str())
    }

    /// The database's name.
    pub fn pg_name(&self) -> Option<&str> {
        self.pg.as_ref().map(|p| p.name.as_str())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(pg) = &self.pg {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name);
            with_pg(&pg.admin, async |c| {
                if let Err(e) = c.batch_execute(&sql).await {
                    eprintln!("dropping {}: {e}", pg.name);
                }
            });
        }
    }
}

/// `on_both_stores!(#[tokio::test] name);` above `async fn name(db:
/// &TestDb)` makes two tests, `name::sqlite` and `name::postgres`, that
/// run it on each store.
macro_rules! on_both_stores {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            $(#[$attr])*
            async fn sqlite() {
                super::$name(&crate::helpers::TestDb::sqlite()).await
            }
            $(#[$attr])*
            async fn postgres() {
                let test = concat!(module_path!(), "::postgres");
                if let Some(db) = crate::helpers::TestDb::postgres(test) {
                    super::$name(&db).await
                }
            }
        }
    };
}
pub(crate) use on_both_stores;

/// `postgres_only!(#[tokio::test] name);`: `name::postgres` alone.
macro_rules! postgres_only {
    ($(#[$attr:meta])* $name:ident) => {
        mod $name {
            $(#[$attr])*
            async fn postgres() {
                let test = concat!(module_path!(), "::postgres");
                if let Some(db) = crate::helpers::TestDb::postgres(test) {
                    super::$name(&db).await
                }
            }
        }
    };
}
pub(crate) use postgres_only;
