//! Starting and restarting: what survives, and what refuses to start.

use crate::helpers::*;

#[tokio::test]
async fn a_restart_keeps_the_data_and_the_generated_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.secret = SecretSource::Generated(dir.path().join("todo.secret"));
    let app = App::start(c.clone()).await;
    let token = app.user("ada").await;
    let r = app.todo(&token, "survive").await;
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
