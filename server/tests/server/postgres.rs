//! PostgreSQL's own behaviour, on a real server (`.ci/postgres.sh` starts
//! one): several replicas starting at once on an empty database, a schema
//! not ours or newer than the build, the todo limit across replicas, the
//! connection lost mid-run and regained, a full disk (507, the database
//! in a tablespace on a small tmpfs; root only, it skips otherwise), the
//! server unreachable at start, and a URL's password kept out of every
//! message. The store-agnostic
//! tests run here too, as the `…::postgres` variants of `on_both_stores!`.

use std::sync::Arc;

use barejwt_server::db::{Location, MAX_TODOS_PER_USER, PG_MIGRATIONS};

use crate::helpers::*;

const PASSWORD: &str = "pw-Never-Shown-42";

/// A URL naming a port nobody listens on (bound, then released).
fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("postgres://app:{PASSWORD}@127.0.0.1:{port}/todo")
}

#[test]
fn an_unreachable_server_stops_the_start_with_a_message_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.db = Location::parse(&closed_port_url());
    c.db_timeout = Duration::from_secs(2);
    let err = Server::open(c).expect_err("no server there");
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(err.contains("postgres://app:***@127.0.0.1:"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn postgres_without_an_explicit_secret_refuses_to_start_and_says_why() {
    let c = Config::new(Location::parse(&closed_port_url()));
    let err = Server::open(c).expect_err("a secret is required");
    assert!(err.contains("--secret-file or BAREJWT_SECRET"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn a_config_shows_no_password() {
    let c = Config::new(Location::parse(&closed_port_url()));
    let shown = format!("{c:?}");
    assert!(shown.contains("app:***@"), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
}

postgres_only!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    replicas_starting_at_once_on_an_empty_database_migrate_it_once
);
async fn replicas_starting_at_once_on_an_empty_database_migrate_it_once(db: &TestDb) {
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let c = db.config();
            std::thread::spawn(move || Server::open(c))
        })
        .collect();
    let servers: Vec<Server> = starts
        .into_iter()
        .map(|t| t.join().unwrap().expect("every replica starts"))
        .collect();
    drop(servers);
    let (version, tables) = with_pg(db.pg_url().unwrap(), async |c| {
        let v: i64 = c
            .query_one("SELECT version FROM barejwt_schema", &[])
            .await
            .unwrap()
            .get(0);
        let n: i64 = c
            .query_one("SELECT count(*) FROM barejwt_schema", &[])
            .await
            .unwrap()
            .get(0);
        (v, n)
    });
    assert_eq!(version, PG_MIGRATIONS.len() as i64);
    assert_eq!(tables, 1, "one version row");
}

postgres_only!(
    #[tokio::test]
    a_database_newer_than_the_build_or_not_ours_is_refused_and_left_alone
);
async fn a_database_newer_than_the_build_or_not_ours_is_refused_and_left_alone(db: &TestDb) {
    App::start(db.config()).await.stop().await;
    let url = db.pg_url().unwrap();
    with_pg(url, async |c| {
        c.execute("UPDATE barejwt_schema SET version = $1", &[&99_i64])
            .await
            .unwrap();
    });
    let c = db.config();
    let err = tokio::task::spawn_blocking(move || Server::open(c))
        .await
        .unwrap()
        .expect_err("too new");
    assert!(err.contains("version 99, newer than this build's"), "{err}");

    // Someone else's tables in a fresh database: refused, untouched.
    let other = TestDb::postgres("not_ours").unwrap();
    with_pg(other.pg_url().unwrap(), async |c| {
        c.batch_execute("CREATE TABLE users (name text); INSERT INTO users VALUES ('x')")
            .await
            .unwrap();
    });
    let c = other.config();
    let err = tokio::task::spawn_blocking(move || Server::open(c))
        .await
        .unwrap()
        .expect_err("not ours");
    assert!(err.contains("not a barejwt database"), "{err}");
    let (rows, meta) = with_pg(other.pg_url().unwrap(), async |c| {
        let rows: i64 = c
            .query_one("SELECT count(*) FROM users", &[])
            .await
            .unwrap()
            .get(0);
        let meta: bool = c
            .query_one("SELECT to_regclass('barejwt_schema') IS NOT NULL", &[])
            .await
            .unwrap()
            .get(0);
        (rows, meta)
    });
    assert_eq!((rows, meta), (1, false));
}

postgres_only!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    the_todo_limit_holds_across_two_replicas_racing_for_the_last_places
);
async fn the_todo_limit_holds_across_two_replicas_racing_for_the_last_places(db: &TestDb) {
    let a = Arc::new(App::start(db.config()).await);
    let b = Arc::new(App::start(db.config()).await);
    let token = a.user("ada").await;
    // Two places left, filled directly.
    with_pg(db.pg_url().unwrap(), async |c| {
        c.execute(
            "INSERT INTO todos (owner_id, title, description, priority, complete)
             SELECT u.id, 'filler', '', 3, false FROM users u, generate_series(1, $1::bigint)",
            &[&(MAX_TODOS_PER_USER - 2)],
        )
        .await
        .unwrap();
    });
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = Arc::clone(if i % 2 == 0 { &a } else { &b });
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            app.json(
                Method::POST,
                "/todo",
                Some(&token),
                &json!({"title": format!("racer {i}"), "priority": 1}),
            )
            .await
            .status
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(created, 2);
    let n = a
        .get("/todo", &token)
        .await
        .json()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(n as i64, MAX_TODOS_PER_USER);
    Arc::into_inner(a).unwrap().stop().await;
    Arc::into_inner(b).unwrap().stop().await;
}

/// Ends every connection to the test's database; with `block`, new ones
/// are refused until [`allow`].
fn cut(db: &TestDb, block: bool) {
    let name = db.pg_name().unwrap().to_string();
    with_pg(db.pg_admin().unwrap(), async |c| {
        if block {
            // A generated name, not input: ALTER DATABASE takes no parameter.
            c.batch_execute(&format!(
                "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
            ))
            .await
            .unwrap();
        }
        c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
        for _ in 0..100 {
            let n: i64 = c
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
                    &[&name],
                )
                .await
                .unwrap()
                .get(0);
            if n == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the backends did not end");
    });
}

fn allow(db: &TestDb) {
    let name = db.pg_name().unwrap().to_string();
    with_pg(db.pg_admin().unwrap(), async |c| {
        c.batch_execute(&format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
        ))
        .await
        .unwrap();
    });
}

fn assert_503(r: &Reply) {
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert!(r.header("retry-after").is_some());
    assert!(!r.text().contains(PASSWORD));
}

postgres_only!(
    #[tokio::test]
    a_lost_connection_answers_503_with_retry_after_and_recovers_when_the_database_returns
);
async fn a_lost_connection_answers_503_with_retry_after_and_recovers_when_the_database_returns(
    db: &TestDb,
) {
    let mut c = db.config();
    c.db_timeout = Duration::from_secs(2);
    let app = App::start(c).await;
    let token = app.user("ada").await;
    let todo = json!({"title": "kept", "priority": 2});
    let r = app.json(Method::POST, "/todo", Some(&token), &todo).await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Cut and kept out: every database call is 503 with Retry-After.
    cut(db, true);
    assert_503(&app.get("/todo", &token).await);
    assert_503(&app.json(Method::POST, "/todo", Some(&token), &todo).await);
    assert_503(&app.get("/readyz", "").await);
    assert_503(&app.login_reply("ada", "correct+horse").await);

    // Back: the pool makes new connections, no restart.
    allow(db);
    let r = app.get("/todo", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(app.get("/readyz", "").await.status, StatusCode::OK);

    // Cut only (the server terminating every backend, as an operator or
    // a failover does): at most the request that meets the dead
    // connection fails, with 503, and the next one is served.
    cut(db, false);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = app.json(Method::POST, "/todo", Some(&token), &todo).await;
        if r.status != StatusCode::CREATED {
            assert_503(&r);
        }
        statuses.push(r.status);
    }
    assert!(
        statuses[1..].iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    sql_in_form_fields_is_stored_as_text
);
async fn sql_in_form_fields_is_stored_as_text(db: &TestDb) {
    let app = App::start(db.config()).await;
    let sql = "x'); DROP TABLE users; --";
    let r = app
        .json(
            Method::POST,
            "/users",
            None,
            &json!({"username": "ada", "password": "correct horse",
                    "email": format!("{sql}@example.com"), "first_name": sql}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Form-encoded: ada' OR '1'='1, ada'--, %, _da.
    for name in ["ada%27+OR+%271%27%3D%271", "ada%27--", "%25", "_da"] {
        let r = app.login_reply(name, "correct+horse").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}");
    }
    let token = app.login("ada", "correct+horse").await;
    let me = app.get("/users/me", &token).await.json();
    assert_eq!(me["first_name"], sql);
    for title in [sql, "'; DELETE FROM todos; --", "$1 $2 \\x00", "%_%"] {
        let r = app
            .json(
                Method::POST,
                "/todo",
                Some(&token),
                &json!({"title": title, "description": sql, "priority": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["title"], title);
    }
    let list = app.get("/todo", &token).await.json();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list[0]["description"], sql);
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    a_nul_character_is_refused_or_kept_never_a_500
);
async fn a_nul_character_is_refused_or_kept_never_a_500(db: &TestDb) {
    let app = App::start(db.config()).await;
    let token = app.user("ada").await;
    let r = app.todo(&token, "a\u{0}b").await;
    if db.pg_url().is_some() {
        // PostgreSQL's text cannot hold NUL: 422 naming the field.
        assert_eq!(r.invalid_fields(), ["title"]);
    } else {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["title"], "a\u{0}b");
    }
    let r = app.login_reply("ada%00", "correct+horse").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

postgres_only!(
    #[tokio::test]
    a_full_disk_answers_507_and_reads_and_logins_still_work
);
async fn a_full_disk_answers_507_and_reads_and_logins_still_work(db: &TestDb) {
    use std::os::unix::fs::MetadataExt;
    // The database's files on a small tmpfs: a tablespace there.
    let mnt = db.dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let _m = match crate::mounts::Mount::tmpfs(&mnt, "16m") {
        Ok(m) => m,
        Err(why) => return crate::mounts::skip("postgres full disk", &why),
    };
    let (name, admin) = (db.pg_name().unwrap(), db.pg_admin().unwrap());
    let data: String = with_pg(admin, async |c| {
        c.query_one("SHOW data_directory", &[])
            .await
            .unwrap()
            .get(0)
    });
    let owner = std::fs::metadata(&data).unwrap();
    std::os::unix::fs::chown(&mnt, Some(owner.uid()), Some(owner.gid())).unwrap();
    let ts = format!("{name}_ts");
    // Generated names and our own path, not input: DDL takes no parameters.
    with_pg(admin, async |c| {
        let create = format!("CREATE TABLESPACE {ts} LOCATION '{}'", mnt.display());
        c.batch_execute(&create).await.unwrap();
        let alter = format!("ALTER DATABASE {name} SET TABLESPACE {ts}");
        c.batch_execute(&alter).await.unwrap();
    });

    let app = App::start(db.config()).await;
    let token = app.user("ada").await;
    // The todos table has no page yet: the first todo must extend a file.
    let big = json!({"title": "big", "description": "d".repeat(1000), "priority": 1});
    crate::faults_db::a_full_disk_is_507_until_freed(&app, &token, &mnt.join("filler"), &big).await;
    app.stop().await;

    // Back to the default tablespace, so the database and the
    // tablespace can be dropped before the tmpfs is unmounted.
    with_pg(admin, async |c| {
        for _ in 0..100 {
            c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&name],
            )
            .await
            .unwrap();
            let moved = c
                .batch_execute(&format!("ALTER DATABASE {name} SET TABLESPACE pg_default"))
                .await;
            if moved.is_ok() {
                c.batch_execute(&format!("DROP TABLESPACE {ts}"))
                    .await
                    .unwrap();
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("could not move the database back");
    });
}
