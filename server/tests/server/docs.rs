//! `/docs`: Swagger UI, every asset from this server, under a
//! Content-Security-Policy of `default-src 'self'`. (browser/test_docs.py
//! drives the page itself in headless Chromium.)

use crate::helpers::*;

#[tokio::test]
async fn docs_and_its_assets_are_served_with_a_self_only_csp() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let page = app.send(Method::GET, "/docs", &[], Bytes::new()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    assert!(html.contains("/docs/swagger-ui-bundle.js"), "{html}");
    for (path, content_type) in [
        (
            "/docs/swagger-ui-bundle.js",
            "text/javascript; charset=utf-8",
        ),
        ("/docs/swagger-ui.css", "text/css; charset=utf-8"),
        ("/docs/init.js", "text/javascript; charset=utf-8"),
        ("/docs/favicon-32x32.png", "image/png"),
        ("/docs/LICENSE", "text/plain; charset=utf-8"),
    ] {
        let r = app.send(Method::GET, path, &[], Bytes::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.header("content-type"), Some(content_type), "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(!r.body.is_empty());
        assert_self_only(&r);
    }
    assert_self_only(&page);
    let init = app
        .send(Method::GET, "/docs/init.js", &[], Bytes::new())
        .await;
    assert!(init.text().contains("url: \"/openapi.json\""));
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_docs_file_is_404_and_a_post_is_405() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(config(dir.path())).await;
    let r = app
        .send(Method::GET, "/docs/../openapi.json", &[], Bytes::new())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .send(Method::GET, "/docs/swagger-ui.js", &[], Bytes::new())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.send(Method::POST, "/docs", &[], Bytes::new()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.header("allow"), Some("GET"));
    let r = app
        .send(Method::POST, "/docs/init.js", &[], Bytes::new())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    app.stop().await;
}

/// Scripts, styles and connections from this origin only; no inline or
/// eval'd script.
fn assert_self_only(r: &Reply) {
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
}
