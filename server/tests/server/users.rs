//! Registration: the field rules and duplicate names.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    registration_rules_and_duplicates
);
async fn registration_rules_and_duplicates(db: &TestDb) {
    let app = App::start(db.config()).await;
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
