//! The library's typed error: every failure a user can cause or meet, with what to do about it.
//!
//! `main.rs` maps these to exit codes; nothing else in the library uses `anyhow`.
//! Operating-system errors are told in words with the path they happened on, and a full disk is
//! named as such, whichever layer noticed it.
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

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
    /// The disk holding the index filled up while it was written. Commits are atomic, so the
    /// index is left as its last commit had it.
    #[error(
        "no space left on device while writing the index in {}; nothing committed was lost; free space and run again",
        .0.display()
    )]
    DiskFull(PathBuf),
    #[error("{}: {}", .path.display(), plain_detail(&.source.to_string()))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A search engine reached over the network failed or refused; `url` has no password.
    #[error("{url}: {message}")]
    Engine { url: String, message: String },
    /// A search passed its deadline ([`crate::model::deadline::Deadline`]) and stopped.
    #[error("the search took too long; try a narrower query")]
    TooLong,
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

    /// Standard output was closed by its reader (`newsdex search | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == ErrorKind::BrokenPipe)
    }

    /// This error, met while writing the index at `index`, as the user needs to hear it. A full
    /// disk reaches us as an I/O error when we or tantivy saw it directly; when one of tantivy's
    /// worker threads saw it, only "writer killed" comes back, so a writer failure on a disk with
    /// less room left than `room_needed` bytes is taken to be the same thing.
    pub fn while_writing_index(self, index: &Path, room_needed: u64) -> Error {
        let low_space = || fs4::available_space(index).is_ok_and(|free| free < room_needed);
        let full = self.is_storage_full() || (matches!(self, Error::Tantivy(_)) && low_space());
        if full {
            Error::DiskFull(index.to_path_buf())
        } else {
            self
        }
    }

    fn is_storage_full(&self) -> bool {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::OpenWriteError as W;
        let full = |e: &std::io::Error| e.kind() == ErrorKind::StorageFull;
        match self {
            Error::Io { source, .. } => full(source),
            Error::Tantivy(T::IoError(e)) => full(e),
            Error::Tantivy(T::OpenWriteError(W::IoError { io_error, .. })) => full(io_error),
            _ => false,
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

/// A detail as a person reads it: on one line, and an operating system's message without its
/// error number ("Permission denied (os error 13)" is "permission denied"). Other details, such
/// as the value that was not a date, are kept as written.
pub fn plain_detail(detail: &str) -> String {
    let one_line = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(at) = one_line
        .rfind(" (os error ")
        .filter(|_| one_line.ends_with(')'))
    else {
        return one_line;
    };
    let message = &one_line[..at];
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
