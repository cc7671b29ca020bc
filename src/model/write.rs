//! What an index run hands a store: articles made ready, in pieces per file, and what the store
//! refused. The vocabulary of the [`crate::backend::Store`] boundary.
use super::article::EntitySet;
use super::copies::Signature;
use crate::ingest::Article;

/// An article ready to be stored: parsed, with its named entities.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub article: Article,
    pub entities: EntitySet,
    /// Its direct quotes, offsets in the searchable body (standfirst and body).
    pub quotes: Vec<crate::quotes::Quote>,
    /// The body's copy signature (none for a body too short to judge).
    pub signature: Option<Signature>,
    /// The acronyms it spells out (evidence for the archive-wide merges).
    pub links: Vec<crate::entities::merges::Link>,
}

/// One piece of a file's articles. Small files come in one piece; large JSON Lines files in
/// several, in order. The first piece replaces the file's earlier articles, and after the last
/// one the store holds exactly this run's articles of the file.
#[derive(Debug)]
pub struct Piece {
    /// The file key (see `model::manifest::file_key`).
    pub file: String,
    /// Content hash of the whole file.
    pub hash: u64,
    pub first: bool,
    pub last: bool,
    pub articles: Vec<Prepared>,
}

/// An article the engine would not store, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The file key it came from.
    pub file: String,
    /// 1-based position of the article among its file's articles.
    pub record: usize,
    pub reason: String,
}

/// What an index run needs to open its store.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Start from an empty index, dropping what is there.
    pub rebuild: bool,
    /// Memory the embedded writer may use, in bytes.
    pub memory_bytes: usize,
}
