//! `POST /api/batch`: a list of queries, each with its total hits (and per source when asked),
//! under the filters of the query string. Each query runs as its own blocking search, so a long
//! list shares the engine fairly with other clients (it waits for a turn per query). One search
//! deadline covers the whole list, checked before each query and handed into each search, so a
//! list past it stops there, frees its turn and is answered 503 "too long" at about the deadline;
//! a list that needs longer is split or run with a longer `--timeout` (or from the command line,
//! which has no deadline).
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use serde::Deserialize;
use tokio::time::Instant;

use super::api::{blocking_by, pairs};
use super::params::{self, Pairs};
use super::{ApiError, AppState};
use newsdex::features::batch::{self, Report};

/// Most queries one request may hold (the body limit also applies).
const MAX_QUERIES: usize = 1000;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// The list as typed or uploaded: one query a line, `#` comments, blank lines skipped.
    pub text: String,
    /// Count each query's hits per source too.
    #[serde(default)]
    pub per_source: bool,
}

pub async fn batch(
    State(state): State<AppState>,
    query: Result<Query<Pairs>, QueryRejection>,
    body: Result<Json<BatchBody>, JsonRejection>,
) -> Result<Json<Report>, ApiError> {
    let base = params::search_request(&pairs(query)?)?;
    let Json(body) = body.map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be JSON {{\"text\": \"one query a line\", \"per_source\": false}}: {}",
            e.body_text()
        ))
    })?;
    let lines = batch::parse(&body.text)?;
    if lines.len() > MAX_QUERIES {
        return Err(ApiError::bad_request(format!(
            "the list has {} queries (at most {MAX_QUERIES} at once)",
            lines.len()
        )));
    }
    let deadline = Instant::now() + state.0.limits.search_timeout;
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let mut base = base.clone();
        let per_source = body.per_source;
        let row = blocking_by(&state, deadline, move |shared, deadline| {
            base.deadline = deadline;
            batch::run_line(shared.engine.as_ref(), &base, &line, per_source)
                .map_err(ApiError::from)
        })
        .await?;
        rows.push(row);
    }
    Ok(Json(Report::new(rows)))
}
