//! `/openapi.json` describes every route.

use crate::helpers::*;

/// A running server and its OpenAPI document, with the directory that
/// holds its database (keep it while the server runs).
async fn document() -> (tempfile::TempDir, App, Value) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let doc = app
        .send(Method::GET, "/openapi.json", &[], Bytes::new())
        .await
        .json();
    (dir, app, doc)
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let r = app
        .send(Method::GET, "/openapi.json", &[], Bytes::new())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, methods) in [
        ("/users", &["post"][..]),
        ("/token", &["post"]),
        ("/users/me", &["get"]),
        ("/todo", &["get", "post"]),
        ("/todo/{todo_id}", &["get", "put", "delete"]),
        ("/openapi.json", &["get"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
    ] {
        for m in methods {
            assert!(doc["paths"][path][m].is_object(), "{m} {path}");
        }
    }
    // Every $ref points at a schema or response that exists.
    let text = r.text();
    for piece in text.split("\"$ref\":\"#/components/").skip(1) {
        let target = piece.split('"').next().unwrap();
        let (kind, name) = target.split_once('/').unwrap();
        assert!(
            doc["components"][kind][name].is_object(),
            "dangling $ref {target}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn every_operation_documents_400_and_every_body_408_413_and_415() {
    let (_dir, app, doc) = document().await;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            operations += 1;
            let responses = &op["responses"];
            assert!(responses["400"].is_object(), "{method} {path}: 400");
            if op.get("requestBody").is_some() {
                for status in ["408", "413", "415", "422"] {
                    assert!(responses[status].is_object(), "{method} {path}: {status}");
                }
            }
            if op.get("security").is_some() {
                assert!(responses["401"].is_object(), "{method} {path}: 401");
            }
        }
    }
    // At least the ten of openapi_describes_every_route (others add more: /readyz).
    assert!(operations >= 10, "{operations}");
    app.stop().await;
}

#[tokio::test]
async fn the_email_rule_is_the_documents_3_to_254_characters_with_an_at_sign() {
    let (_dir, app, doc) = document().await;
    let email = &doc["components"]["schemas"]["CreateUserRequest"]["properties"]["email"];
    assert_eq!(
        (&email["minLength"], &email["maxLength"], &email["pattern"]),
        (&json!(3), &json!(254), &json!("@"))
    );
    for (n, (value, status)) in [
        (json!(""), StatusCode::UNPROCESSABLE_ENTITY),
        (json!("ab"), StatusCode::UNPROCESSABLE_ENTITY),
        (json!("abc"), StatusCode::UNPROCESSABLE_ENTITY),
        (json!("a@b"), StatusCode::CREATED),
        (json!(format!("{}@b", "a".repeat(252))), StatusCode::CREATED),
        (
            json!(format!("{}@b", "a".repeat(253))),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!(null), StatusCode::CREATED),
    ]
    .into_iter()
    .enumerate()
    {
        let body =
            json!({"username": format!("mail{n}"), "password": "correct horse", "email": value});
        let r = app.json(Method::POST, "/users", None, &body).await;
        assert_eq!(r.status, status, "{value}: {}", r.text());
    }
    app.stop().await;
}

#[tokio::test]
async fn a_priority_of_1_0_is_the_integer_1_as_json_schema_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let token = app.user("ada").await;
    // Sent as the bytes `1.0`: serde_json would print 1.0 as 1.0 too.
    let r = app
        .send(
            Method::POST,
            "/todo",
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {token}")),
            ],
            r#"{"title": "float priority", "priority": 1.0}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["priority"], 1);
    app.stop().await;
}

#[tokio::test]
async fn the_token_form_documents_extra_fields_as_single_strings_at_most_16() {
    let (_dir, app, doc) = document().await;
    let form = &doc["components"]["schemas"]["TokenRequest"];
    assert_eq!(form["additionalProperties"], json!({"type": "string"}));
    assert_eq!(form["maxProperties"], 16);
    // What the document allows: an unknown field, once.
    app.user("ada").await;
    let ok = "username=ada&password=correct+horse&extra=1";
    let repeated = "username=ada&password=correct+horse&extra=1&extra=2";
    for (body, status) in [
        (ok, StatusCode::OK),
        (repeated, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = app
            .send(
                Method::POST,
                "/token",
                &[("content-type", "application/x-www-form-urlencoded")],
                body,
            )
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    app.stop().await;
}

#[tokio::test]
async fn every_database_operation_documents_503_with_retry_after_and_every_write_507() {
    let (_dir, app, doc) = document().await;
    // (path, method, reads or writes the database, writes)
    for (path, method, uses_db, writes) in [
        ("/users", "post", true, true),
        ("/token", "post", true, false),
        ("/users/me", "get", true, false),
        ("/todo", "get", true, false),
        ("/todo", "post", true, true),
        ("/todo/{todo_id}", "get", true, false),
        ("/todo/{todo_id}", "put", true, true),
        ("/todo/{todo_id}", "delete", true, true),
        ("/readyz", "get", true, false),
        ("/healthz", "get", false, false),
        ("/openapi.json", "get", false, false),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        assert!(responses.is_object(), "{method} {path}");
        let unavailable = &responses["503"];
        assert_eq!(unavailable.is_object(), uses_db, "{method} {path}: 503");
        if uses_db {
            assert!(
                unavailable["headers"]["Retry-After"].is_object(),
                "{method} {path}: 503 without Retry-After"
            );
        }
        assert_eq!(responses["507"].is_object(), writes, "{method} {path}: 507");
    }
    app.stop().await;
}
