//! The manifest: which files the index holds, with size, modification time and content hash, so a
//! re-run parses only what changed and prunes what is gone.
//!
//! Each commit writes a new numbered manifest file first and then names it in the commit's payload,
//! so the manifest a reader trusts is always the one of the last completed commit: a crash between
//! the two leaves the previous manifest in force, which can only cause extra re-parsing.
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::{Error, Result};

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

/// The commit payload that names the manifest generation.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    manifest: u64,
}

fn file_name(generation: u64) -> String {
    format!("manifest-{generation}.bin")
}

/// The manifest generation named by the last commit, if any.
pub fn committed_generation(index: &Index) -> Result<Option<u64>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<Payload>(p).ok())
        .map(|p| p.manifest))
}

pub fn payload(generation: u64) -> String {
    serde_json::to_string(&Payload {
        manifest: generation,
    })
    .unwrap_or_default()
}

impl Manifest {
    /// Load the manifest of the last commit; an index never committed by newsdex has an empty one.
    pub fn load(dir: &Path, index: &Index) -> Result<(Manifest, u64)> {
        let Some(generation) = committed_generation(index)? else {
            return Ok((Manifest::default(), 0));
        };
        let path = dir.join(file_name(generation));
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let manifest = postcard::from_bytes(&bytes).map_err(|e| Error::Incompatible {
            path: path.clone(),
            reason: format!("the manifest is unreadable: {e}"),
        })?;
        Ok((manifest, generation))
    }

    /// Write this manifest as `generation`, durably, before the commit that names it.
    pub fn save(&self, dir: &Path, generation: u64) -> Result<PathBuf> {
        let path = dir.join(file_name(generation));
        let tmp = dir.join(format!("{}.tmp", file_name(generation)));
        let bytes = postcard::to_stdvec(self).map_err(|e| Error::Other(e.to_string()))?;
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&bytes).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// Remove manifest files other than `keep` (older ones, or one written by a crashed run).
    pub fn remove_others(dir: &Path, keep: u64) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let keep = file_name(keep);
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("manifest-") && name != keep {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    pub fn article_count(&self) -> u64 {
        self.files.values().map(|e| e.articles as u64).sum()
    }
}
