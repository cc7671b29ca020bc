//! The web page's files, compiled into the binary, and the headers that protect every response.
//!
//! Only these embedded files are ever served: no route reads the filesystem, so no path a client
//! sends can reach a file outside the index. Script and style live in their own files so the
//! Content-Security-Policy can forbid inline code: an article that smuggles markup runs nothing.
//! The script is a set of ES modules served beside the page at `/NAME.js`, the same layout as in
//! `assets/`, so the relative imports between them resolve alike on disk and over HTTP.
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::{ApiError, AppState};

const INDEX_HTML: &str = include_str!("assets/index.html");
/// The page's script modules by route; `/app.js` is the entry that imports the rest.
const SCRIPTS: &[(&str, &str)] = &[
    ("/app.js", include_str!("assets/app.js")),
    ("/account.js", include_str!("assets/account.js")),
    ("/api.js", include_str!("assets/api.js")),
    ("/article.js", include_str!("assets/article.js")),
    ("/batch.js", include_str!("assets/batch.js")),
    ("/controls.js", include_str!("assets/controls.js")),
    ("/dom.js", include_str!("assets/dom.js")),
    ("/entity.js", include_str!("assets/entity.js")),
    ("/facets.js", include_str!("assets/facets.js")),
    ("/links.js", include_str!("assets/links.js")),
    ("/results.js", include_str!("assets/results.js")),
    ("/rules.js", include_str!("assets/rules.js")),
    ("/state.js", include_str!("assets/state.js")),
    ("/timeline.js", include_str!("assets/timeline.js")),
];
const APP_CSS: &str = include_str!("assets/app.css");

/// Everything from our own origin, nothing inline, no framing, no plugins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// Longest request target accepted; a legitimate search URL is a fraction of this.
const MAX_URI_BYTES: usize = 8 * 1024;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/", get(index))
        // The page draws an entity's view itself, from its own URL.
        .route("/entity", get(index))
        .route("/app.css", get(style));
    for &(path, body) in SCRIPTS {
        router = router.route(path, get(move || script(body)));
    }
    router
}

/// An embedded file with its type. `no-cache` makes browsers revalidate, so a new binary's page
/// is picked up at once; the files are small enough that this costs nothing.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn script(body: &'static str) -> Response {
    asset("text/javascript; charset=utf-8", body)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::not_found("no such API endpoint").into_response();
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "not found\n",
    )
        .into_response()
}

/// Refuse oversized request targets before any handler parses them.
pub async fn reject_long_uri(request: Request, next: Next) -> Response {
    let len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if len > MAX_URI_BYTES {
        let body = serde_json::json!({ "error": format!("request URI too long (at most {MAX_URI_BYTES} bytes)") });
        return (StatusCode::URI_TOO_LONG, Json(body)).into_response();
    }
    next.run(request).await
}

/// Headers on every response, errors included.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
