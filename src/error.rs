//! The library's typed error: every failure a user can cause or meet, with what to do about it.
//!
//! `main.rs` maps these to exit codes; nothing else in the library uses `anyhow`.
use std::path::PathBuf;

/// Result with the library's error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user asked for something malformed (bad flag value, bad query).
    #[error("{0}")]
    Usage(String),
    /// A query that does not parse, with the character position of the problem.
    #[error("query error at position {position}: {message}\n  {query}\n  {caret}")]
    Query {
        query: String,
        position: usize,
        message: String,
        caret: String,
    },
    /// No index where one was expected.
    #[error("no newsdex index at {0} (run `newsdex index DIR` first, or pass --index)")]
    NoIndex(PathBuf),
    /// Another process holds the writer lock.
    #[error("another process is writing the index at {0}; wait for it to finish")]
    Locked(PathBuf),
    /// The index on disk was written by something we cannot read.
    #[error(
        "the index at {path} cannot be opened: {reason} (repair with `newsdex index --rebuild DIR`)"
    )]
    Incompatible { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A query error pointing at a character position, with a caret line for humans.
    pub fn query(query: &str, position: usize, message: impl Into<String>) -> Self {
        let position = position.min(query.chars().count());
        Error::Query {
            query: query.to_string(),
            position,
            message: message.into(),
            caret: format!("{}^", " ".repeat(position)),
        }
    }

    /// The process exit code for this error: 2 usage/query, 3 locked, 1 anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Query { .. } => 2,
            Error::Locked(_) => 3,
            _ => 1,
        }
    }
}
