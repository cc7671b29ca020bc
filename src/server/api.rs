//! The JSON API handlers: `/api/search`, `/api/articles/{id}`, `/api/articles/{id}/related`,
//! `/api/entity` and `/api/stats`. Each validates its parameters, then hands the engine work to
//! [`blocking`], except a search, which runs [`inline`] and stops itself at its deadline.
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Serialize;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::params::{self, Pairs};
use super::{ApiError, AppState, Shared};
use newsdex::entities::rules::EntityRules;
use newsdex::entities::{self, Mention};
use newsdex::features::entity_page::{self, EntityLookup};
use newsdex::model::article::StoredArticle;
use newsdex::model::deadline::Deadline;
use newsdex::model::request::SearchRequest;
use newsdex::model::results::RelatedHit;
use newsdex::model::results::{SearchResults, Stats};

/// Ids are short hashes; anything far longer cannot exist and is not worth a lookup.
const MAX_ID_CHARS: usize = 200;

/// An article with its entity mentions, for the article view.
#[derive(Debug, Serialize)]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: StoredArticle,
    /// Headline, a blank line, then standfirst and body: the exact text `mentions` index into.
    pub text: String,
    /// Character offset in `text` where the body (standfirst first) begins.
    pub body_start: usize,
    /// Offsets are Unicode scalar values (chars), `[start, end)`, into `text`.
    pub mentions: Vec<Mention>,
    /// Where the marked names stop, in chars, when the text runs past what one request tags
    /// ([`MARKED_CHARS`]); absent when the whole text was read for names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions_until: Option<usize>,
}

/// Most characters of an article the view tags for names. Tagging runs on every request, and a
/// book-length document (a 3,000-page manual) took longer than the request's deadline; the
/// names of the whole text are in the index either way (facets and filters).
pub const MARKED_CHARS: usize = 400_000;

/// The articles most like one article.
#[derive(Debug, Serialize)]
pub struct Related {
    pub id: String,
    pub hits: Vec<RelatedHit>,
}

pub async fn search(
    State(state): State<AppState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    let mut request = params::search_request(&pairs(query)?)?;
    let results = inline(&state, move |shared, deadline| {
        request.deadline = deadline;
        shared.engine.search(&request).map_err(ApiError::from)
    })
    .await?;
    Ok(Json(results))
}

pub async fn article(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Json<ArticleView>, ApiError> {
    let id = article_id(id)?;
    params::no_params(&pairs(query)?)?;
    let view = blocking(&state, move |shared| {
        let article = find(shared, &id)?;
        let rules = shared.engine.entity_rules()?;
        Ok(article_view(article, &rules))
    })
    .await?;
    Ok(Json(view))
}

pub async fn related(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Json<Related>, ApiError> {
    let id = article_id(id)?;
    let limit = params::related_limit(&pairs(query)?)?;
    let found = blocking(&state, move |shared| {
        let article = find(shared, &id)?;
        let hits = shared.engine.related(&article, limit)?;
        Ok(Related { id, hits })
    })
    .await?;
    Ok(Json(found))
}

/// An entity's page, under the server's source aliases; a name no article carries is a 200 with
/// `"articles": 0` and suggestions, as a search without hits is.
pub async fn entity(
    State(state): State<AppState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Json<EntityLookup>, ApiError> {
    let query = params::entity_query(&pairs(query)?)?;
    let found = blocking(&state, move |shared| {
        entity_page::lookup(shared.engine.as_ref(), &SearchRequest::default(), &query)
            .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(found))
}

pub async fn stats(
    State(state): State<AppState>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    params::no_params(&pairs(query)?)?;
    let stats = blocking(&state, |shared| {
        shared.engine.stats().map_err(ApiError::from)
    })
    .await?;
    Ok(Json(stats))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such API endpoint")
}

/// Everything here is read-only: a method a route does not take is refused in the same JSON shape.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed (the API takes GET, and POST for /api/batch and /api/entities/rules/...)",
    )
}

/// Query strings that do not even decode are the client's fault, and get the same JSON 400.
pub(super) fn pairs(query: Result<Query<Pairs>, QueryRejection>) -> Result<Pairs, ApiError> {
    query
        .map(|Query(p)| p)
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {}", e.body_text())))
}

/// An id that does not even decode (bad UTF-8) names no article.
fn article_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    id.map(|Path(id)| id).map_err(|_| no_such_article())
}

fn no_such_article() -> ApiError {
    ApiError::not_found("no article with that id")
}

fn find(shared: &Shared, id: &str) -> Result<StoredArticle, ApiError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(no_such_article());
    }
    shared.engine.article(id)?.ok_or_else(no_such_article)
}

/// Mentions are found again in the text, so the rules are applied to them as to the stored names.
fn article_view(article: StoredArticle, rules: &EntityRules) -> ArticleView {
    let head = format!("{}\n\n", article.headline);
    let body_start = head.chars().count();
    let text = head + &article.full_body();
    let until = text.char_indices().nth(MARKED_CHARS).map(|(at, _)| at);
    let marked = until.map_or(text.as_str(), |at| paragraph_before(&text, at));
    let mentions_until = until.map(|_| marked.chars().count());
    let mentions = entities::extract(marked)
        .into_iter()
        .filter_map(|mut m| {
            let (kind, canonical) = rules.resolve(m.kind, &m.canonical)?;
            m.kind = kind;
            m.canonical = canonical;
            Some(m)
        })
        .collect();
    ArticleView {
        article,
        text,
        body_start,
        mentions,
        mentions_until,
    }
}

/// `text` up to the last paragraph break before byte `at` (or `at` itself when there is none),
/// so the tagger never reads half a sentence.
fn paragraph_before(text: &str, at: usize) -> &str {
    let cut = text[..at].rfind("\n\n").unwrap_or(at);
    &text[..cut]
}

/// A turn among the concurrent searches, waited for up to the request's `deadline`.
pub(super) async fn permit(
    state: &AppState,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, ApiError> {
    tokio::time::timeout_at(deadline, state.0.permits.clone().acquire_owned())
        .await
        .map_err(|_| ApiError::unavailable("the server is busy; try again shortly"))?
        .map_err(ApiError::internal)
}

/// Run engine work on the blocking pool, under the concurrency cap and one deadline for queueing
/// and running together. The permit travels into the blocking task, so a search that outlives its
/// deadline still counts against the cap until it really ends.
pub(super) async fn blocking<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
{
    blocking_until(state, move |shared, _| work(shared)).await
}

/// [`blocking`], the deadline handed to `work` for the engine to stop at, so work past it ends
/// about when its 503 is sent and frees its turn for others.
pub(super) async fn blocking_until<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Shared, Deadline) -> Result<T, ApiError> + Send + 'static,
{
    blocking_by(state, Instant::now() + state.0.limits.search_timeout, work).await
}

/// [`blocking_until`] with a deadline the caller chose, for a request that runs several pieces of
/// work under one deadline (a batch).
pub(super) async fn blocking_by<T, F>(
    state: &AppState,
    deadline: Instant,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Shared, Deadline) -> Result<T, ApiError> + Send + 'static,
{
    if Instant::now() >= deadline {
        return Err(too_slow());
    }
    let permit = permit(state, deadline).await?;
    let shared = state.0.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&shared, Deadline::at(deadline.into_std()))
    });
    match tokio::time::timeout_at(deadline, task).await {
        Err(_) => Err(too_slow()),
        Ok(Err(join)) => Err(ApiError::internal(join)),
        Ok(Ok(result)) => result,
    }
}

/// Run a search on the thread its request arrived on, under the same cap and deadline as
/// [`blocking`], the deadline handed to `work` for the engine to stop at. Handing a search of a
/// millisecond or two to the blocking pool and back cost two thread wake-ups; here the runtime
/// moves this worker's other tasks to another one instead, so a slow search stalls nobody else.
/// A search that stops itself at the deadline answers the 503 then; one that ends a little past
/// it (between two of the engine's checks) gets the same 503 as it ends.
pub(super) async fn inline<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&Shared, Deadline) -> Result<T, ApiError>,
{
    let deadline = Instant::now() + state.0.limits.search_timeout;
    let _permit = permit(state, deadline).await?;
    let result = on_this_thread(|| work(&state.0, Deadline::at(deadline.into_std())));
    if Instant::now() > deadline {
        return Err(too_slow());
    }
    result
}

/// The engines' own "took too long", so the 503 reads the same whoever noticed.
fn too_slow() -> ApiError {
    ApiError::from(newsdex::Error::TooLong)
}

/// `work` on the calling thread; a panic becomes a 500, as it does on the blocking pool. Only a
/// multi-threaded runtime can hand its other tasks on (the server's is one; a test's may not be).
fn on_this_thread<T>(work: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
    let guarded = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .unwrap_or_else(|_| Err(ApiError::internal("the search failed unexpectedly")))
    };
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(guarded),
        _ => guarded(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::StatusCode;

    use super::*;
    use crate::server::Limits;
    use newsdex::engines::tantivy::Engine;
    use newsdex::engines::tantivy::NewsIndex;

    fn state(dir: &std::path::Path, timeout_ms: u64, max_concurrent: usize) -> AppState {
        let index = NewsIndex::open_or_create(dir).unwrap();
        let limits = Limits {
            search_timeout: Duration::from_millis(timeout_ms),
            max_concurrent,
        };
        let engine = Engine::open_long_lived(index, true).unwrap();
        AppState::new(std::sync::Arc::new(engine), limits).unwrap()
    }

    fn slow(ms: u64) -> impl FnOnce(&Shared) -> Result<u64, ApiError> + Send + 'static {
        move |_| {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(ms)
        }
    }

    #[tokio::test]
    async fn slow_work_gets_a_503_and_keeps_its_permit() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 150, 1);
        assert_eq!(blocking(&state, slow(10)).await, Ok(10));
        let late = blocking(&state, slow(600)).await.unwrap_err();
        assert_eq!(late.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(late.message.contains("too long"), "{}", late.message);
        // The abandoned search still runs and still holds the only permit: the next caller waits
        // its whole deadline for a turn and is told the server is busy.
        let queued = blocking(&state, slow(10)).await.unwrap_err();
        assert_eq!(queued.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(queued.message.contains("busy"), "{}", queued.message);
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(blocking(&state, slow(10)).await, Ok(10));
    }

    /// `slow` as inline work that does not look at its deadline.
    fn slow_inline(ms: u64) -> impl FnOnce(&Shared, Deadline) -> Result<u64, ApiError> {
        move |shared, _| slow(ms)(shared)
    }

    /// Inline work that stops at its deadline, as the engines do: a check every few ms.
    fn stopping(ms: u64) -> impl FnOnce(&Shared, Deadline) -> Result<u64, ApiError> {
        move |_, deadline| {
            let end = std::time::Instant::now() + Duration::from_millis(ms);
            while std::time::Instant::now() < end {
                deadline.check()?;
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(ms)
        }
    }

    // The server's runtime is multi-threaded; one worker makes "the others are not stalled"
    // mean something.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_slow_inline_search_stalls_nobody_and_holds_its_permit() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 150, 1);
        assert_eq!(inline(&state, slow_inline(10)).await, Ok(10));
        let started = Instant::now();
        let slow_one = tokio::spawn({
            let state = state.clone();
            async move { inline(&state, slow_inline(500)).await }
        });
        // While it runs on the only worker, another task on the runtime still runs on time (the
        // test's own body runs outside the workers, so the check must be a spawned task)...
        tokio::time::sleep(Duration::from_millis(20)).await;
        let other = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            started.elapsed()
        });
        assert!(other.await.unwrap() < Duration::from_millis(300));
        // ...and a second search waits for the only permit, up to its deadline: busy.
        let queued = inline(&state, slow_inline(10)).await.unwrap_err();
        assert_eq!(queued.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(queued.message.contains("busy"), "{}", queued.message);
        // Work that never looks at its deadline is told "too long" only when it ends.
        let late = slow_one.await.unwrap().unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(500));
        assert_eq!(late.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(late.message.contains("too long"), "{}", late.message);
        assert_eq!(inline(&state, slow_inline(10)).await, Ok(10));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_search_that_checks_its_deadline_gets_its_503_at_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 100, 1);
        assert_eq!(inline(&state, stopping(10)).await, Ok(10));
        let started = Instant::now();
        let late = inline(&state, stopping(3000)).await.unwrap_err();
        let took = started.elapsed();
        assert_eq!(late.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(late.message.contains("too long"), "{}", late.message);
        assert!(took >= Duration::from_millis(100), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
        // It gave its permit back when it stopped: the next search runs at once.
        assert_eq!(inline(&state, stopping(10)).await, Ok(10));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_panicking_inline_search_is_an_internal_error() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 1000, 1);
        let failed = inline(&state, |_, _| -> Result<u64, ApiError> { panic!("boom") })
            .await
            .unwrap_err();
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(inline(&state, slow_inline(1)).await, Ok(1));
    }
}
