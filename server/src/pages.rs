//! `GET /docs`: Swagger UI for the server's own `/openapi.json`, the page
//! the FastAPI tutorial's reader works in — log in from the lock
//! ("Authorize", the OAuth 2.0 password flow against `/token`), then "Try
//! it out" on each endpoint.
//!
//! Every byte of the page comes from this server: Swagger UI is the
//! `swagger-ui-dist` npm package's bundle, vendored unchanged under
//! `server/assets/swagger-ui/` (version, licence and checksums in its
//! README) and compiled into the binary; the page and its start-up script
//! are ours. So the page works offline, and no third-party script runs
//! next to a login form.
//!
//! > The default-src directive serves as a fallback for the other fetch
//! > directives. — [CSP Level 3 §6.1.3]
//!
//! So `default-src 'self'` keeps every script, style, image and connection
//! on this origin, and forbids inline script; [`CSP`] adds the few other
//! directives the page needs (see there). `X-Content-Type-Options:
//! nosniff` makes the browser take each asset as the type we name.
//!
//! Left out: the standalone layout (top bar, URL box: there is one
//! document), `oauth2-redirect.html` (the password flow needs no
//! redirect), source maps.
//!
//! [CSP Level 3 §6.1.3]: https://www.w3.org/TR/CSP3/#directive-default-src

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::routes::Resp;

/// The vendored Swagger UI's version (`server/assets/swagger-ui/README.md`).
pub const SWAGGER_UI_VERSION: &str = "5.35.0";

/// The pages' Content-Security-Policy.
///
/// - `default-src 'self'`: scripts, styles, fonts, connections (the
///   "Try it out" requests) only from this origin; no inline script.
/// - `img-src 'self' data:`: Swagger UI's CSS draws its icons as `data:`
///   SVG images, which load nothing from anywhere.
/// - `frame-ancestors 'none'`: no other site may frame the login form.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/// One file served under `/docs`.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const DOCS_HTML: &[u8] = include_bytes!("../assets/docs.html");

const ASSETS: &[Asset] = &[
    Asset {
        path: "/docs/swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js"),
    },
    Asset {
        path: "/docs/swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/swagger-ui/swagger-ui.css"),
    },
    Asset {
        path: "/docs/init.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/docs-init.js"),
    },
    Asset {
        path: "/docs/favicon-32x32.png",
        content_type: "image/png",
        body: include_bytes!("../assets/swagger-ui/favicon-32x32.png"),
    },
    Asset {
        path: "/docs/LICENSE",
        content_type: "text/plain; charset=utf-8",
        body: include_bytes!("../assets/swagger-ui/LICENSE"),
    },
];

fn page(content_type: &'static str, body: &'static [u8], cache: &'static str) -> Resp {
    let mut resp = Response::new(Full::new(Bytes::from_static(body)));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

/// `GET /docs`: the page.
pub fn docs() -> Resp {
    page("text/html; charset=utf-8", DOCS_HTML, "no-cache")
}

/// `GET /docs/...`: one of the page's files, or `None` (404).
pub fn asset(path: &str) -> Option<Resp> {
    ASSETS
        .iter()
        .find(|a| a.path == path)
        .map(|a| page(a.content_type, a.body, "public, max-age=3600"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_only_assets_the_server_has() {
        let html = std::str::from_utf8(DOCS_HTML).unwrap();
        let mut named = 0;
        for piece in html.split(['"', '\'']) {
            if piece.starts_with('/') {
                named += 1;
                assert!(asset(piece).is_some(), "{piece} is not served");
            }
            assert!(
                !piece.contains("//"),
                "an absolute URL in the page: {piece}"
            );
        }
        assert_eq!(named, 4);
        assert!(!html.contains("<script>"), "inline script");
    }

    #[test]
    fn the_bundle_is_the_version_its_readme_and_this_file_name() {
        let bundle = std::str::from_utf8(ASSETS[0].body).unwrap();
        let stamp = format!("PACKAGE_VERSION:\"{SWAGGER_UI_VERSION}\"");
        assert!(
            bundle.contains(&stamp),
            "the bundle is not {SWAGGER_UI_VERSION}"
        );
        let readme = include_str!("../assets/swagger-ui/README.md");
        assert!(readme.contains(&format!("**swagger-ui-dist\n{SWAGGER_UI_VERSION}**")));
    }
}
