//! Logging in (the OAuth 2.0 password grant): failures, and a flood of logins.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    wrong_password_and_unknown_user_get_the_same_answer
);
async fn wrong_password_and_unknown_user_get_the_same_answer(db: &TestDb) {
    let app = App::start(db.config()).await;
    app.user("ada").await;
    let wrong = app.login_reply("ada", "not the password").await;
    let unknown = app.login_reply("nobody", "correct horse").await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.json(),
            json!({
                "detail": "Could not validate user.",
                "error": "invalid_grant",
                "error_description": "The user name or password is wrong."
            })
        );
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    assert_eq!(wrong.body, unknown.body);
    // Equal time comes from equal work: that the unknown user's password
    // runs through bcrypt too is checked inside the crate (users.rs,
    // `an_unknown_users_login_runs_bcrypt_like_a_known_users`), where the
    // hashing threads can be seen.
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    a_failed_password_grant_names_the_oauth_error_invalid_grant_beside_detail
);
async fn a_failed_password_grant_names_the_oauth_error_invalid_grant_beside_detail(db: &TestDb) {
    // RFC 6749 §5.2: OAuth clients read `error`; the tutorial's read `detail`.
    let app = App::start(db.config()).await;
    app.user("ada").await;
    let r = app.login_reply("ada", "not the password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let body = r.json();
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.is_ascii())
    );
    assert_eq!(body["detail"], "Could not validate user.");
    app.stop().await;
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

/// `n` logins at once; how many got 200 and how many 503.
async fn burst(app: &std::sync::Arc<App>, n: usize) -> (usize, usize) {
    let mut logins = Vec::new();
    for _ in 0..n {
        let app = std::sync::Arc::clone(app);
        logins.push(tokio::spawn(async move {
            app.login_reply("ada", "correct+horse").await
        }));
    }
    let (mut ok, mut busy) = (0, 0);
    for l in logins {
        let r = l.await.unwrap();
        match r.status {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(r.header("retry-after"), Some("1"));
                busy += 1;
            }
            other => panic!("unexpected {other}: {}", r.text()),
        }
    }
    (ok, busy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_admission_is_by_expected_wait_so_a_burst_of_cheap_logins_is_all_served() {
    // Cost 4: a hash is about a millisecond, so fifty at once is a wait of
    // tens of milliseconds, far under the limit: none is turned away.
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.bcrypt_cost = 4;
    c.hash_threads = 2;
    let app = std::sync::Arc::new(App::start(c).await);
    app.user("ada").await;
    assert_eq!(burst(&app, 50).await, (50, 0));
    std::sync::Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn a_login_that_would_wait_longer_than_the_limit_gets_503() {
    // Cost 10 (tens of milliseconds a hash) on one thread with a 1 ms
    // limit: once one login is hashing, the next would wait a whole hash.
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.bcrypt_cost = 10;
    c.hash_threads = 1;
    c.login_max_wait = Duration::from_millis(1);
    let app = std::sync::Arc::new(App::start(c).await);
    app.user("ada").await;
    let (ok, busy) = burst(&app, 12).await;
    assert!(ok >= 1, "none served");
    assert!(busy >= 1, "none turned away");
    std::sync::Arc::into_inner(app).unwrap().stop().await;
}
