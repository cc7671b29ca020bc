//! `newsdex check`: verify an index without changing it, and say how to repair what is wrong.
use std::path::Path;

use serde::Serialize;

use super::NewsIndex;
use super::manifest::Manifest;
use crate::Result;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub documents: u64,
    pub manifest_files: usize,
    pub manifest_articles: u64,
    pub problems: Vec<String>,
    pub advice: Option<String>,
}

pub fn check(path: &Path) -> Result<CheckReport> {
    let index = NewsIndex::open(path)?;
    let mut problems = Vec::new();
    match index.index.validate_checksum() {
        Ok(bad) => problems.extend(
            bad.into_iter()
                .map(|p| format!("checksum mismatch in {}", p.display())),
        ),
        Err(e) => problems.push(format!("could not verify checksums: {e}")),
    }
    let documents = index.reader()?.searcher().num_docs();
    let (manifest_files, manifest_articles) = match Manifest::load(&index.path, &index.index) {
        Ok((m, _)) => (m.files.len(), m.article_count()),
        Err(e) => {
            problems.push(e.to_string());
            (0, 0)
        }
    };
    if problems.is_empty() && manifest_articles != documents {
        problems.push(format!(
            "the manifest lists {manifest_articles} articles but the index holds {documents}"
        ));
    }
    let ok = problems.is_empty();
    Ok(CheckReport {
        ok,
        documents,
        manifest_files,
        manifest_articles,
        problems,
        advice: (!ok)
            .then(|| "rebuild the index with `newsdex index --rebuild DIR...`".to_string()),
    })
}
