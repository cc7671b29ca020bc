//! `POST /api/batch`: a list of queries, each with its total hits (and per source when asked),
//! under the filters of the query string. Each query runs as its own blocking search, so a long
//! list shares the engine fairly with other clients and no single deadline covers the whole list.
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use serde::Deserialize;

use super::api::{blocking, pairs};
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
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        let base = base.clone();
        let per_source = body.per_source;
        let row = blocking(&state, move |shared| {
            Ok(batch::run_line(
                shared.engine.as_ref(),
                &base,
                &line,
                per_source,
            ))
        })
        .await?;
        rows.push(row);
    }
    Ok(Json(Report::new(rows)))
}
