//! `GET /api/export`: every hit of a search streamed as CSV or JSON Lines.
//!
//! The export runs on the blocking pool and hands the body over in chunks through a bounded
//! channel, so a slow client slows the export down instead of making the server buffer it, and a
//! client that goes away stops it (the next send fails, which ends the export as a closed pipe).
//!
//! The search deadline holds until the first hit: the status line waits for it, so an export
//! whose first page takes too long is a 503 like a search (and stops there, freeing its turn),
//! and one that fails before any row gets its own status. Once rows flow the export runs to its
//! end, however long: a 200 cannot be taken back, and a long export is not a slow search.
use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::access::Caller;
use super::params::{self, Pairs};
use super::{ApiError, AppState};
use newsdex::features::export::{Column, Exporter, Format, Layout};
use newsdex::model::deadline::Deadline;
use newsdex::model::keys::Role;
use newsdex::model::query;
use newsdex::model::request::{ExportOptions, SearchRequest};

/// Bytes gathered before a chunk is handed to the connection.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks waiting for a slow client before the export itself waits.
const CHUNKS_IN_FLIGHT: usize = 8;

pub async fn export(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Response, ApiError> {
    let pairs = super::api::pairs(query)?;
    let (request, layout) = export_request(&pairs)?;
    // A malformed query is the client's 400, told before any row is sent.
    query::parse(&request.query, request.match_mode)?;
    let reader = caller.is_none_or(|c| c.0.role == Role::Read);
    if let Some(most) = state.0.access.max_export_rows.filter(|_| reader) {
        // Counted before the first row, so an export is refused whole rather than cut short.
        let mut count = request.clone();
        count.limit = 0;
        count.offset = 0;
        let total = super::api::blocking_until(&state, move |shared, deadline| {
            count.deadline = deadline;
            shared.engine.search(&count).map_err(ApiError::from)
        })
        .await?
        .total;
        if total > most {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                format!(
                    "this export would have {total} rows; read keys may export at most {most} at \
                     once (narrow the search, e.g. with since/until)"
                ),
            ));
        }
    }
    let deadline = Instant::now() + state.0.limits.search_timeout;
    let permit = super::api::permit(&state, deadline).await?;
    let (tx, mut rx) = mpsc::channel::<std::io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let (started, first) = oneshot::channel::<newsdex::Result<()>>();
    let shared = state.0.clone();
    let format = layout.format;
    let mut request = request;
    request.deadline = Deadline::at(deadline.into_std());
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut started = Some(started);
        let mut out = ChunkWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK_BYTES),
        };
        let options = ExportOptions {
            snippets: layout.wants_snippets(),
            ..ExportOptions::default()
        };
        let result = Exporter::new(&mut out, &layout).and_then(|mut exporter| {
            shared.engine.export(&request, options, &mut |hit| {
                // A handler that stopped waiting (its 503 sent) has nobody to stream to.
                if let Some(started) = started.take()
                    && started.send(Ok(())).is_err()
                {
                    return Err(gone());
                }
                exporter.write(&hit)
            })?;
            exporter.finish().map(|_| ())
        });
        let result = result.and_then(|()| out.flush().map_err(|e| newsdex::Error::io("export", e)));
        match (started, result) {
            // No row yet: the handler still holds the status line and tells the client itself.
            (Some(started), result) => {
                let _ = started.send(result);
            }
            (None, Err(e)) if !e.is_broken_pipe() => {
                eprintln!("newsdex: export stopped: {e}");
                // The status line has gone out: a body that ends in error is how the client hears it.
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
            (None, _) => {}
        }
    });
    match tokio::time::timeout_at(deadline, first).await {
        Err(_) => return Err(ApiError::from(newsdex::Error::TooLong)),
        Ok(Err(_)) => return Err(ApiError::internal("the export failed unexpectedly")),
        Ok(Ok(result)) => result?,
    }
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let filename = format!(
        "attachment; filename=\"newsdex-export.{}\"",
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The search parameters of `/api/search` (paging and facets aside: an export has every hit and
/// no facets) plus `format`, `fields` and `bom`.
fn export_request(pairs: &[(String, String)]) -> Result<(SearchRequest, Layout), ApiError> {
    let mut layout = Layout::default();
    let mut search = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "format" => layout.format = Format::parse(value)?,
            "fields" => layout.columns = Column::parse_list(value)?,
            "bom" => layout.bom = params::flag(key, value.trim())?,
            "limit" | "offset" | "facet" | "facet_size" | "explain" => {}
            _ => search.push((key.clone(), value.clone())),
        }
    }
    let mut request = params::search_request(&search)?;
    request.facets.clear();
    Ok((request, layout))
}

/// The client stopped listening: ends an export quietly, as a closed connection does.
fn gone() -> newsdex::Error {
    newsdex::Error::io(
        "export",
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"),
    )
}

/// Buffers rows into chunks and sends each down the channel, waiting while the channel is full.
struct ChunkWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}
