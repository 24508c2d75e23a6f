//! Todos: scoped to their owner, and none lost under concurrent writes.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    another_users_todo_is_not_found
);
async fn another_users_todo_is_not_found(db: &TestDb) {
    let app = App::start(db.config()).await;
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

on_both_stores!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    fifty_concurrent_clients_lose_no_todo
);
async fn fifty_concurrent_clients_lose_no_todo(db: &TestDb) {
    let app = std::sync::Arc::new(App::start(db.config()).await);
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
