//! Bad input of every kind gets a JSON error; bodies are bounded.

use crate::helpers::*;

on_both_stores!(
    #[tokio::test]
    bad_input_gets_json_errors
);
async fn bad_input_gets_json_errors(db: &TestDb) {
    let app = App::start(db.config()).await;
    let token = app.user("ada").await;
    let auth = format!("Bearer {token}");
    let form = [("content-type", "application/x-www-form-urlencoded")];

    // Bad forms.
    let r = app
        .send(Method::POST, "/token", &form, "username=ada")
        .await;
    assert_eq!(r.invalid_fields(), ["password"]);
    let r = app
        .send(
            Method::POST,
            "/token",
            &form,
            "grant_type=client_credentials&username=ada&password=correct+horse",
        )
        .await;
    assert_eq!(r.invalid_fields(), ["grant_type"]);
    let r = app
        .send(
            Method::POST,
            "/token",
            &form,
            "username=ada&username=bob&password=correct+horse",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            Method::POST,
            "/token",
            &[("content-type", "application/json")],
            r#"{"username":"ada"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json()["detail"].is_string());

    // Bad JSON.
    let json_auth = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    for body in [
        "{",
        "[1,2]",
        "\"title\"",
        "{\"title\":\"abc\",\"title\":\"def\",\"priority\":1}",
    ] {
        let r = app.send(Method::POST, "/todo", &json_auth, body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert!(r.json()["detail"].is_array());
    }
    let r = app
        .send(
            Method::POST,
            "/todo",
            &json_auth,
            r#"{"title":"ab","priority":9}"#,
        )
        .await;
    assert_eq!(r.invalid_fields(), ["title", "priority"]);

    // Oversized body: refused from Content-Length, and from the bytes.
    let big = vec![b' '; 64 * 1024 + 1];
    let r = app.send(Method::POST, "/todo", &json_auth, big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json()["detail"].is_string());

    // Wrong method, unknown path, bad id.
    let r = app.send(Method::DELETE, "/todo", &[], Bytes::new()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    assert!(r.json()["detail"].is_string());
    let r = app.send(Method::GET, "/token", &[], Bytes::new()).await;
    assert_eq!(
        (r.status, r.header("allow")),
        (StatusCode::METHOD_NOT_ALLOWED, Some("POST"))
    );
    let r = app
        .send(Method::GET, "/nothing/here", &[], Bytes::new())
        .await;
    assert_eq!(
        (r.status, r.json()),
        (StatusCode::NOT_FOUND, json!({"detail": "Not Found"}))
    );
    let r = app.get("/todo/abc", &token).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["detail"][0]["loc"], json!(["path", "todo_id"]));
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_without_content_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    // A chunked body: the limit is enforced while reading, not from a header.
    let stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let body = Chunks(20);
    let req = Request::post("/users")
        .header("host", "x")
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.headers().get("content-length").is_some());
    app.stop().await;
}

/// A body of `n` chunks of 8 KiB with no declared length (sent chunked).
struct Chunks(u32);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(Bytes::from(vec![
            b' ';
            8192
        ])))))
    }
}
