//! Tokens the server must refuse: expired, tampered, forged, `none`, another algorithm.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    expired_tampered_forged_none_and_wrong_algorithm_tokens_are_refused
);
async fn expired_tampered_forged_none_and_wrong_algorithm_tokens_are_refused(db: &TestDb) {
    let app = App::start(db.config()).await;
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

on_both_stores!(
    #[tokio::test]
    the_server_issues_and_verifies_by_one_injectable_clock
);
async fn the_server_issues_and_verifies_by_one_injectable_clock(db: &TestDb) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let time = Arc::new(AtomicI64::new(2_000_000_000));
    let mut c = db.config();
    c.token_ttl = 60;
    let t = Arc::clone(&time);
    c.clock = barejwt::Clock::Custom(Arc::new(move || t.load(Ordering::SeqCst)));
    let app = App::start(c).await;
    let token = app.user("ada").await;
    // Issued by the server's clock, not the system's: 2033 plus 60 s.
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value =
        serde_json::from_slice(&base64url::decode(payload.as_bytes()).unwrap()).unwrap();
    assert_eq!(claims["iat"], 2_000_000_000);
    assert_eq!(claims["exp"], 2_000_000_060);
    time.store(2_000_000_059, Ordering::SeqCst);
    assert_eq!(app.get("/todo", &token).await.status, StatusCode::OK);
    time.store(2_000_000_060, Ordering::SeqCst);
    assert_invalid_token(&app.get("/todo", &token).await);
    app.stop().await;
}

/// Registers ada: her id, for the tokens forged for her.
async fn ada_id(app: &App) -> i64 {
    let real = app.user("ada").await;
    app.get("/users/me", &real).await.json()["id"]
        .as_i64()
        .unwrap()
}

/// A token signed as the server signs (HS256, its secret) over `claims`.
fn signed(claims: &Value) -> String {
    let key = HmacKey::new(Algorithm::HS256, SECRET).unwrap();
    token(&json!({"alg": "HS256", "typ": "JWT"}), claims, &key)
}

on_both_stores!(
    #[tokio::test]
    a_token_with_only_the_tutorials_claims_exp_sub_id_is_accepted
);
async fn a_token_with_only_the_tutorials_claims_exp_sub_id_is_accepted(db: &TestDb) {
    let app = App::start(db.config()).await;
    let id = ada_id(&app).await;
    let tutorial = signed(&json!({"sub": "ada", "id": id, "exp": now() + 600}));
    assert_eq!(app.get("/todo", &tutorial).await.status, StatusCode::OK);
    assert_eq!(app.get("/users/me", &tutorial).await.status, StatusCode::OK);
    let r = app
        .json(
            Method::POST,
            "/todo",
            Some(&tutorial),
            &json!({"title": "one login", "priority": 2}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    a_sub_that_is_not_a_string_is_refused_rfc7519_4_1_2
);
async fn a_sub_that_is_not_a_string_is_refused_rfc7519_4_1_2(db: &TestDb) {
    let app = App::start(db.config()).await;
    let id = ada_id(&app).await;
    let numeric = signed(&json!({"sub": 12345, "id": id, "exp": now() + 600}));
    assert_invalid_token(&app.get("/todo", &numeric).await);
    assert_invalid_token(&app.get("/users/me", &numeric).await);
    app.stop().await;
}

on_both_stores!(
    #[tokio::test]
    a_token_whose_id_names_no_user_is_401_on_every_endpoint
);
async fn a_token_whose_id_names_no_user_is_401_on_every_endpoint(db: &TestDb) {
    let app = App::start(db.config()).await;
    let real = app.user("ada").await;
    let todo = app.todo(&real, "mine").await.json();
    let tid = todo["id"].as_i64().unwrap();
    let ghost = signed(&claims("ghost", 999_999, now() + 600));
    let body = json!({"title": "a ghost's todo", "priority": 1});
    let todo_path = format!("/todo/{tid}");
    for (method, path) in [
        (Method::GET, "/users/me"),
        (Method::GET, "/todo"),
        (Method::POST, "/todo"),
        (Method::GET, todo_path.as_str()),
        (Method::PUT, todo_path.as_str()),
        (Method::DELETE, todo_path.as_str()),
        (Method::GET, "/todo/424242"),
    ] {
        let r = app.json(method.clone(), path, Some(&ghost), &body).await;
        assert_invalid_token(&r);
    }
    // Nothing was written for the ghost, and the real todo is untouched.
    let mine = app.get("/todo", &real).await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["title"], "mine");
    app.stop().await;
}
