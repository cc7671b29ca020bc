//! The manifest: which files the index holds, with size, modification time and content hash, so a
//! re-run parses only what changed and prunes what is gone. Each engine keeps it its own way (the
//! embedded one in files named by its commits, OpenSearch in a companion index); this is what
//! they keep, and the one check of it against the documents an index holds.
use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// What the index knows about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Canonical root folder the file was indexed under.
    pub root: String,
    /// Path relative to that root.
    pub rel: String,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u128,
    /// Content hash (xxh3).
    pub hash: u64,
    /// Articles the file yielded.
    pub articles: u32,
}

/// All files of the index, keyed by file key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub files: HashMap<String, FileEntry>,
}

impl Manifest {
    pub fn article_count(&self) -> u64 {
        self.files.values().map(|e| e.articles as u64).sum()
    }
}

/// Identity of a file across runs: its absolute root and root-relative path.
pub fn file_key(root: &Path, rel: &str) -> String {
    crate::ingest::article_id(root, rel)
}
