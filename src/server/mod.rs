//! `newsdex serve`: the HTTP JSON API and the embedded web page, on axum and tokio.
//!
//! One [`Backend`] serves the whole process, whichever engine it is. Engine work is blocking
//! (tantivy reads mmapped files, OpenSearch answers over HTTP), so it runs behind a semaphore and
//! a deadline, either on tokio's blocking pool (answered with a 503 at the deadline while the work
//! runs on) or, for `/api/search`, on its request's own worker inside `block_in_place` (the
//! runtime moves that worker's other tasks elsewhere); a search carries the deadline and stops
//! itself there, so its 503 comes at about the deadline, and so do a batch's searches (one
//! deadline for the list) and an export's until its first row. A slow query never stalls the async
//! workers that answer everything else. Both engines
//! follow commits on their own, so a concurrently running `newsdex index` shows up without restart.
//!
//! Routes (`GET` but for the batch and rule edits; errors are `{"error": "...", "position": N}` with 400, 404, 414 or 503):
//! - `/api/search?q=&source=&section=&person=&org=&place=&misc=&since=&until=&sort=&match=&limit=&offset=&facet=&facet_size=&interval=`:
//!   the CLI's `--json` body. Filters repeat (alternatives within one name); `facet` repeats or
//!   takes a comma list; `limit` is at most 100.
//! - `/api/export?` + the search parameters + `format=csv|jsonl&fields=&bom=`: every hit, streamed
//!   (`limit`, `offset` and `facet` are ignored: an export has every hit and no facets).
//! - `POST /api/batch?` + the search filters, body `{"text": "one query a line", "per_source": bool}`:
//!   `{"rows": [{line, query, total, sources, error, position}], "failed"}`.
//! - `/api/articles/{id}`: the stored article plus `text` (headline, blank line, body),
//!   `body_start` and entity `mentions` with char offsets into `text`.
//! - `/api/articles/{id}/related?limit=`: `{"id", "hits": [{id, headline, source, date, score}]}`.
//! - `/api/entity?name=&kind=&interval=&latest=&top=`: the CLI's `entity --json` body.
//! - `/api/stats`: the CLI's `stats --json` body.
//! - `/api/me`: who the request is from (`{signed_in, name, role, may}`).
//! - `/api/keys` (GET lists, POST `{"role", "name", "expires"}` makes one) and `DELETE
//!   /api/keys/{name}`: access keys, for admin keys only.
//!
//! Every request first passes [`access::guard`]: keys and roles, rate limits (429 with
//! `Retry-After`), the client address behind trusted proxies, and the audit log.
//! - `/api/entities/rules` and `POST /api/entities/rules/{alias,retype,block,remove}`: the entity
//!   rules kept with the index (see [`rules`] for who may edit them).
//! - `/`, `/app.js`, `/app.css`: the page; its URL uses the search parameters above plus `article`.
//!   `/entity?name=&kind=` is the same page showing an entity.
pub mod access;
mod api;
mod assets;
mod batch;
mod error;
mod export;
mod keys;
mod params;
pub mod rules;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use newsdex::backend::Backend;
use newsdex::{Error, Result};

pub use access::AccessOptions;
pub use error::ApiError;

/// Whole-request ceiling: a backstop behind [`Limits::search_timeout`] for anything that stalls
/// (three times the search deadline when that is longer).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The API takes no bodies; anything larger than this is refused before it is read.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// How hard the server lets clients push the engine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long one search may take, queueing included, before the client gets a 503.
    pub search_timeout: Duration,
    /// Searches running at once; more wait for a turn (within `search_timeout`).
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            search_timeout: Duration::from_secs(5),
            max_concurrent: max_concurrent_searches(),
        }
    }
}

/// What every handler shares: the engine and the cap on concurrent blocking
/// searches.
pub struct Shared {
    pub engine: Arc<dyn Backend>,
    permits: Arc<Semaphore>,
    limits: Limits,
    /// Who may do what, and how often.
    pub access: access::Access,
}

/// Cheap to clone: handlers each get a handle on the one [`Shared`].
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Open to everyone, as on loopback before keys existed.
    #[cfg(test)]
    pub fn new(engine: Arc<dyn Backend>, limits: Limits) -> Result<AppState> {
        let access = access::Access::open();
        Ok(AppState::with_access(engine, limits, access))
    }

    /// A state whose requests are let in by `access`.
    pub fn with_access(
        engine: Arc<dyn Backend>,
        limits: Limits,
        access: access::Access,
    ) -> AppState {
        AppState(Arc::new(Shared {
            engine,
            permits: Arc::new(Semaphore::new(limits.max_concurrent.max(1))),
            limits,
            access,
        }))
    }
}

/// Searches are CPU-bound: a couple per core keeps the cores busy while one waits on the disk,
/// and anything beyond that only queues inside the blocking pool.
fn max_concurrent_searches() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores * 2).max(4)
}

/// The whole application: API routes, the page and its assets, and the protective layers.
pub fn router(state: AppState) -> Router {
    let ceiling = REQUEST_TIMEOUT.max(state.0.limits.search_timeout * 3);
    Router::new()
        .route("/api/search", get(api::search))
        .route("/api/export", get(export::export))
        .route("/api/batch", post(batch::batch))
        .route("/api/stats", get(api::stats))
        .route("/api/entities/rules", get(rules::list))
        .route("/api/entities/rules/alias", post(rules::alias))
        .route("/api/entities/rules/retype", post(rules::retype))
        .route("/api/entities/rules/block", post(rules::block))
        .route("/api/entities/rules/remove", post(rules::remove))
        .route("/api/entity", get(api::entity))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/articles/{id}/related", get(api::related))
        .route("/api/me", get(access::me))
        .route("/api/keys", get(keys::list).post(keys::create))
        .route("/api/keys/{name}", axum::routing::delete(keys::revoke))
        .route("/api/{*rest}", get(api::not_found))
        .merge(assets::routes())
        .fallback(assets::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::guard,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(assets::reject_long_uri))
        .layer(axum::middleware::map_response(assets::security_headers))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            ceiling,
        ))
}

/// Bind the listening socket (port 0 picks a free one) without serving yet.
pub async fn bind(addr: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Usage(format!("cannot listen on {addr}: {e}")))
}

/// Serve until Ctrl-C or SIGTERM, then finish the requests in flight and return.
/// Who may do what is settled by `options` (see [`access`]).
pub async fn run(
    engine: Arc<dyn Backend>,
    listener: TcpListener,
    options: AccessOptions,
    limits: Limits,
) -> Result<()> {
    let local: SocketAddr = listener
        .local_addr()
        .map_err(|e| Error::Other(format!("listening socket: {e}")))?;
    let access = access::Access::new(engine.clone(), &local, options)?;
    eprintln!("newsdex: {}", access.describe());
    let state = AppState::with_access(engine, limits, access);
    // Facet dictionaries are merged in the background so the first searches need not wait.
    let warming = state.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = warming.0.engine.warm() {
            eprintln!("newsdex: could not prepare facet counts ahead: {e}");
        }
    });
    let app = router(state);
    // The first line is a contract: tests and scripts read the port from it.
    println!("listening on http://{local}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| Error::Other(format!("server: {e}")))?;
    eprintln!("newsdex: server stopped");
    Ok(())
}

/// Entry point for the CLI: its own runtime, so the rest of the program stays synchronous.
pub fn serve(
    engine: Arc<dyn Backend>,
    addr: &str,
    options: AccessOptions,
    limits: Limits,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener = bind(addr).await?;
        run(engine, listener, options, limits).await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed we simply never shut down gracefully.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    eprintln!("newsdex: shutting down, finishing requests in flight");
}
