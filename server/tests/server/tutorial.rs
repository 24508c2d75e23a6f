//! The tutorial's whole flow: register, log in, and every todo endpoint.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    the_tutorial_flow_register_login_and_todo_crud
);
async fn the_tutorial_flow_register_login_and_todo_crud(db: &TestDb) {
    let app = App::start(db.config()).await;

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
