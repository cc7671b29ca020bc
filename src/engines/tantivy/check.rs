//! `newsdex check` of the embedded index: tantivy's checksums, then the shared manifest check.
use std::path::Path;

use super::index::NewsIndex;
use crate::Result;
use crate::model::check::CheckReport;
use crate::model::manifest::Manifest;

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
    let manifest = match Manifest::load(&index.path, &index.index) {
        Ok((m, _)) => Some(m),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    Ok(CheckReport::new(
        problems,
        documents,
        manifest.as_ref(),
        "rebuild the index with `newsdex index --rebuild DIR...`",
    ))
}
