//! The index writer: walks roots, parses each file, tags entities, and replaces the file's
//! articles in the index. One bad file is counted and skipped; it never stops the run.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tantivy::{IndexWriter, Term};

use super::NewsIndex;
use super::document::{entity_set, searchable_body, to_document};
use crate::ingest::{self, ParseOptions, SkipReason, WalkItem, Warning};
use crate::{Error, Result};

/// Everything `newsdex index` was asked to do, validated.
#[derive(Debug, Clone)]
pub struct IndexPlan {
    pub roots: Vec<PathBuf>,
    pub parse: ParseOptions,
    /// Writer memory budget in bytes.
    pub memory_bytes: usize,
    pub entities: bool,
}

/// A file that yielded nothing, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
}

/// A problem inside a file whose other articles were indexed.
#[derive(Debug, Clone, Serialize)]
pub struct FileWarning {
    pub path: String,
    pub warning: Warning,
}

/// What an index run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_seen: usize,
    pub files_indexed: usize,
    /// Articles new to the index.
    pub articles_added: usize,
    /// Articles that replaced an earlier version of themselves.
    pub articles_replaced: usize,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<FileWarning>,
    pub seconds: f64,
    pub documents_total: u64,
}

impl Summary {
    /// Skips counted by reason, for the one-line summary.
    pub fn skipped_by_reason(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(skip_label(&s.reason).to_string()).or_insert(0) += 1;
        }
        counts
    }

    pub fn bad_dates(&self) -> usize {
        self.warnings
            .iter()
            .filter(|w| matches!(w.warning, Warning::BadDate { .. }))
            .count()
    }

    pub fn bad_records(&self) -> usize {
        self.warnings
            .iter()
            .filter(|w| matches!(w.warning, Warning::BadRecord { .. }))
            .count()
    }
}

pub fn skip_label(reason: &SkipReason) -> &'static str {
    match reason {
        SkipReason::UnsupportedExtension => "unsupported extension",
        SkipReason::Empty => "empty",
        SkipReason::Binary => "binary",
        SkipReason::TooLarge => "too large",
        SkipReason::Unreadable(_) => "unreadable",
        SkipReason::Malformed(_) => "malformed",
        SkipReason::NoText => "no text",
    }
}

/// Identity of a file across runs: its absolute root and root-relative path.
pub fn file_key(root: &Path, rel: &str) -> String {
    ingest::article_id(root, rel)
}

/// Run the plan against an opened index.
pub fn run(index: &NewsIndex, plan: &IndexPlan) -> Result<Summary> {
    let started = Instant::now();
    let mut writer: IndexWriter = index.index.writer(plan.memory_bytes).map_err(|e| match e {
        tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
        other => Error::Tantivy(other),
    })?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut summary = Summary::default();
    for root in &plan.roots {
        let root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
        for item in ingest::walk(&root) {
            summary.files_seen += 1;
            let item = match item {
                Ok(item) => item,
                Err((path, reason)) => {
                    summary.skipped.push(Skipped {
                        path: path.display().to_string(),
                        reason,
                    });
                    continue;
                }
            };
            index_file(
                index,
                &mut writer,
                &searcher,
                &root,
                &item,
                plan,
                &mut summary,
            )?;
        }
    }
    writer.commit()?;
    reader.reload()?;
    summary.documents_total = reader.searcher().num_docs();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn index_file(
    index: &NewsIndex,
    writer: &mut IndexWriter,
    searcher: &tantivy::Searcher,
    root: &Path,
    item: &WalkItem,
    plan: &IndexPlan,
    summary: &mut Summary,
) -> Result<()> {
    let parsed = match ingest::parse_file(root, item, &plan.parse) {
        Ok(parsed) => parsed,
        Err(reason) => {
            summary.skipped.push(Skipped {
                path: item.rel.clone(),
                reason,
            });
            return Ok(());
        }
    };
    for warning in parsed.warnings {
        summary.warnings.push(FileWarning {
            path: item.rel.clone(),
            warning,
        });
    }
    let fields = &index.fields;
    let key = file_key(root, &item.rel);
    let key_term = Term::from_field_text(fields.file, &key);
    let previous = searcher.doc_freq(&key_term)? as usize;
    writer.delete_term(key_term);
    let count = parsed.articles.len();
    for article in &parsed.articles {
        let entities = if plan.entities {
            let text = format!("{}\n\n{}", article.headline, searchable_body(article));
            entity_set(&crate::entities::extract(&text))
        } else {
            Default::default()
        };
        writer.add_document(to_document(fields, &key, article, &entities))?;
    }
    summary.files_indexed += 1;
    summary.articles_replaced += previous.min(count);
    summary.articles_added += count.saturating_sub(previous);
    Ok(())
}

/// Default writer budget: enough for tantivy's threads, small enough for a laptop.
pub const DEFAULT_MEMORY: usize = 256 * 1024 * 1024;
