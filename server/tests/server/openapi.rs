//! `/openapi.json` describes every route.

use crate::helpers::*;

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
