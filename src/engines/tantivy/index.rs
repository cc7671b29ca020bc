//! The embedded index on disk: opening and creating it, its marker file, the analyzers it
//! registers, and what a rebuild keeps (the newsroom's settings files).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{Index, IndexReader, IndexSettings, ReloadPolicy};

use super::schema::{self, Fields};
use super::stems;
use crate::analysis;

use crate::{Error, Result};

/// Our own marker file beside tantivy's: says which newsdex schema wrote the index.
const MARKER: &str = "newsdex.json";

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
}

/// Files in the index folder that are the newsroom's settings rather than the index: a rebuild
/// leaves them where they are, so no moment exists at which they are gone.
const KEPT_ON_REBUILD: [&str; 4] = [
    crate::entities::rules::RULES_FILE,
    super::keys::KEYS_FILE,
    super::keys::LOCK_FILE,
    crate::model::sources::ALIAS_FILE,
];

/// Remove everything the engine wrote in `path`, leaving the settings files in place.
fn clear_keeping_settings(path: &Path) -> Result<()> {
    let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let name = entry.file_name();
        if KEPT_ON_REBUILD.iter().any(|k| name == *k) {
            continue;
        }
        let file = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&file, e))?;
        let removed = if kind.is_dir() {
            std::fs::remove_dir_all(&file)
        } else {
            std::fs::remove_file(&file)
        };
        removed.map_err(|e| Error::io(&file, e))?;
    }
    Ok(())
}

/// An opened index with its field handles and analyzers registered.
pub struct NewsIndex {
    pub index: Index,
    pub fields: Fields,
    pub path: PathBuf,
}

impl NewsIndex {
    /// Open an existing index for reading; a clear error if there is none or it is not ours.
    pub fn open(path: &Path) -> Result<NewsIndex> {
        if !path.join(MARKER).exists() && !path.join("meta.json").exists() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        check_marker(path)?;
        let index = Index::open_in_dir(path).map_err(|e| Error::Incompatible {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::wrap(index, path)
    }

    /// Open the index at `path`, creating it (and the folder) when absent.
    pub fn open_or_create(path: &Path) -> Result<NewsIndex> {
        if path.join("meta.json").exists() {
            return Self::open(path);
        }
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let dir = MmapDirectory::open(path).map_err(|e| Error::Other(e.to_string()))?;
        let index = Index::builder()
            .schema(Fields::build_schema())
            .settings(settings())
            .open_or_create(dir)?;
        write_marker(path)?;
        Self::wrap(index, path)
    }

    /// Remove everything in the index folder and start anew (`--rebuild`).
    /// The entity rules are kept: they describe the names, not the articles that carry them.
    pub fn recreate(path: &Path) -> Result<NewsIndex> {
        if path.join("meta.json").exists() || path.join(MARKER).exists() {
            clear_keeping_settings(path)?;
        }
        Self::open_or_create(path)
    }

    fn wrap(index: Index, path: &Path) -> Result<NewsIndex> {
        analysis::register(&index);
        let fields = Fields::from_schema(&index.schema()).map_err(|e| Error::Incompatible {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(NewsIndex {
            index,
            fields,
            path: path.to_path_buf(),
        })
    }

    /// The one reader a program should hold; it follows new commits on its own.
    pub fn reader(&self) -> Result<IndexReader> {
        let reader: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        stems::preload(&self.path, &reader.searcher());
        Ok(reader)
    }

    /// Bytes the index folder takes on disk.
    pub fn disk_bytes(&self) -> u64 {
        walkdir::WalkDir::new(&self.path)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    }
}

/// How new indexes keep their stored fields. zstd (level 3) in 16 KB blocks keeps AllSides' doc
/// store at 105 MB where lz4 needed 155 MB; larger blocks save little more (98 MB at 64 KB) and
/// make every hit decompress more text, since a hit's block is decompressed whole.
fn settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor {
            compression_level: Some(3),
        }),
        docstore_blocksize: 16 * 1024,
        ..IndexSettings::default()
    }
}

fn check_marker(path: &Path) -> Result<()> {
    let marker_path = path.join(MARKER);
    let incompatible = |reason: String| Error::Incompatible {
        path: path.to_path_buf(),
        reason,
    };
    let raw = std::fs::read_to_string(&marker_path)
        .map_err(|_| incompatible("it was not written by newsdex (no newsdex.json)".into()))?;
    let marker: Marker = serde_json::from_str(&raw)
        .map_err(|e| incompatible(format!("newsdex.json is unreadable: {e}")))?;
    if marker.schema_version != schema::SCHEMA_VERSION {
        return Err(incompatible(format!(
            "it was written with schema version {}, this newsdex reads version {}",
            marker.schema_version,
            schema::SCHEMA_VERSION
        )));
    }
    Ok(())
}

fn write_marker(path: &Path) -> Result<()> {
    let marker = Marker {
        schema_version: schema::SCHEMA_VERSION,
    };
    let body = serde_json::to_string_pretty(&marker).map_err(|e| Error::Other(e.to_string()))?;
    let target = path.join(MARKER);
    std::fs::write(&target, body).map_err(|e| Error::io(target, e))
}

/// Where the index lives: `--index`, else `NEWSDEX_INDEX`, else `./.newsdex` (clap handles the env).
pub fn default_location() -> PathBuf {
    PathBuf::from(".newsdex")
}
