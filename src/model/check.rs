//! What `newsdex check` reports, and the one check every engine makes of its manifest against the
//! documents it holds.
use serde::Serialize;

use super::manifest::Manifest;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub documents: u64,
    pub manifest_files: usize,
    pub manifest_articles: u64,
    pub problems: Vec<String>,
    pub advice: Option<String>,
}

impl CheckReport {
    /// A report from an engine's own `problems`, the `documents` it holds and its `manifest`
    /// (`None`: unreadable, which the engine has put among the problems). When nothing else is
    /// wrong, the manifest must list as many articles as the index holds; `advice` is shown
    /// when anything is wrong.
    pub fn new(
        mut problems: Vec<String>,
        documents: u64,
        manifest: Option<&Manifest>,
        advice: &str,
    ) -> CheckReport {
        let (manifest_files, manifest_articles) =
            manifest.map_or((0, 0), |m| (m.files.len(), m.article_count()));
        if problems.is_empty() && manifest_articles != documents {
            problems.push(format!(
                "the manifest lists {manifest_articles} articles but the index holds {documents}"
            ));
        }
        let ok = problems.is_empty();
        CheckReport {
            ok,
            documents,
            manifest_files,
            manifest_articles,
            problems,
            advice: (!ok).then(|| advice.to_string()),
        }
    }
}
