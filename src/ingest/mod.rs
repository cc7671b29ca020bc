//! Ingest: walk a folder and turn every file into [`Article`]s, one parser per format.
//!
//! This module knows nothing of tantivy: it yields plain articles plus the reasons files were
//! skipped, so the index writer, the tests and any future consumer share one notion of "an article".
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

/// One news article as parsed from disk, before indexing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    /// Stable identifier: the same file (and record number) always gives the same id.
    pub id: String,
    /// Path relative to the indexed root, with `#N` (1-based) for records of multi-article files.
    pub path: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub body: String,
    pub source: Option<String>,
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    /// First folder under the root, since archives are often filed by section.
    pub section: Option<String>,
}

/// Why a whole file produced no articles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SkipReason {
    UnsupportedExtension,
    Empty,
    Binary,
    TooLarge,
    Unreadable(String),
    Malformed(String),
    NoText,
}

/// A problem inside a file whose other content was kept (a bad JSON line, an impossible date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Warning {
    /// A record (1-based line or array index) that could not be parsed; the rest of the file is kept.
    BadRecord { record: usize, reason: String },
    /// A date value that is not a real date; the article is kept with no date.
    BadDate {
        record: Option<usize>,
        value: String,
    },
}

/// Per-run options for the parsers.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Source for articles that name none (`--source`).
    pub default_source: Option<String>,
    /// User field mappings (`--field body=content_original`): (our field, their key).
    pub field_map: Vec<(String, String)>,
    /// Largest article (file) accepted, in bytes; 0 means no limit.
    pub max_article_bytes: u64,
}

/// What one file yielded.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub articles: Vec<Article>,
    pub warnings: Vec<Warning>,
}

/// Hidden files and folders and unsupported extensions are not returned by [`walk`].
pub struct WalkItem {
    pub path: PathBuf,
    /// Path relative to the root, `/`-separated.
    pub rel: String,
}

/// Walk `root` (files only, sorted, hidden entries skipped). Entries that cannot be read (symlink
/// loops, permission errors) come back as `Err` with the path and reason so the caller can count them.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<WalkItem, (PathBuf, SkipReason)>> {
    let root = root.to_path_buf();
    walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e
                    .path()
                    .strip_prefix(&root)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                Some(Ok(WalkItem {
                    path: e.into_path(),
                    rel,
                }))
            }
            Ok(_) => None,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                Some(Err((path, SkipReason::Unreadable(err.to_string()))))
            }
        })
}

/// Stable id of an article: a hash of its absolute root and its root-relative path (with `#N`).
pub fn article_id(root: &Path, rel: &str) -> String {
    let key = format!("{}\u{0}{}", root.display(), rel);
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

/// Parse one file into articles. Minimal plain-text parser; the per-format parsers replace it.
pub fn parse_file(root: &Path, item: &WalkItem, opts: &ParseOptions) -> Result<Parsed, SkipReason> {
    let ext = item
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "txt" {
        return Err(SkipReason::UnsupportedExtension);
    }
    let bytes = std::fs::read(&item.path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let headline = lines.next().ok_or(SkipReason::Empty)?.trim().to_string();
    let body = lines.collect::<Vec<_>>().join("\n\n");
    let section = item.rel.split_once('/').map(|(first, _)| first.to_string());
    Ok(Parsed {
        articles: vec![Article {
            id: article_id(root, &item.rel),
            path: item.rel.clone(),
            headline,
            body,
            source: opts.default_source.clone(),
            section,
            ..Default::default()
        }],
        warnings: vec![],
    })
}
