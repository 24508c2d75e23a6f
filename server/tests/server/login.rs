//! Logging in (the OAuth 2.0 password grant): failures, and a flood of logins.

use crate::helpers::*;

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
    // Equal time comes from equal work: that the unknown user's password
    // runs through bcrypt too is checked inside the crate (users.rs,
    // `an_unknown_users_login_runs_bcrypt_like_a_known_users`), where the
    // hashing threads can be seen.
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
