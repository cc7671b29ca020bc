//! The embedded engine's copy of the entity rules: a TOML file in the index folder, beside the
//! segments but outside them, so it outlives every re-index and `--rebuild` (which keeps it).
//! Beside it, the archive-wide merges as JSON, rewritten after every index run.
//!
//! Saving writes a temporary file and renames it over the old one, so a reader never sees half a
//! file and a crash leaves the previous rules.
use std::path::{Path, PathBuf};

use crate::entities::merges::{EntityMerges, MERGES_FILE};
use crate::entities::rules::{EntityRules, RULES_FILE, RulesVersion};
use crate::{Error, Result};

pub fn path(index: &Path) -> PathBuf {
    index.join(RULES_FILE)
}

/// The file's text, if there is one.
pub fn read(index: &Path) -> Result<Option<String>> {
    let path = path(index);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The rules kept in an index folder (none without a file); a mistake names the file and line.
pub fn load(index: &Path) -> Result<EntityRules> {
    parse(index, read(index)?.as_deref())
}

/// The rules in `text`, read from the rules file of `index` (none without one).
pub fn parse(index: &Path, text: Option<&str>) -> Result<EntityRules> {
    match text {
        Some(text) => EntityRules::parse(text, &path(index).display().to_string()),
        None => Ok(EntityRules::default()),
    }
}

pub fn save(index: &Path, rules: &EntityRules) -> Result<()> {
    write(index, &rules.to_toml())
}

/// Put `text` in place as the rules file.
pub fn write(index: &Path, text: &str) -> Result<()> {
    super::files::replace(&path(index), text.as_bytes())
}

/// The merges kept in an index folder (none without a file).
pub fn load_merges(index: &Path) -> Result<EntityMerges> {
    parse_merges(index, read_merges(index)?.as_deref())
}

/// The merges file's text, if there is one.
pub fn read_merges(index: &Path) -> Result<Option<String>> {
    let path = index.join(MERGES_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The merges in `text`, read from the merges file of `index` (none without one).
pub fn parse_merges(index: &Path, text: Option<&str>) -> Result<EntityMerges> {
    match text {
        Some(text) => EntityMerges::parse(text, &index.join(MERGES_FILE).display().to_string()),
        None => Ok(EntityMerges::default()),
    }
}

/// Put the merges in place, by a temporary file renamed over the old one.
pub fn save_merges(index: &Path, merges: &EntityMerges) -> Result<()> {
    super::files::replace(&index.join(MERGES_FILE), merges.to_json().as_bytes())
}

/// The rules' and merges' version: each file's identity, length and modification time. Both are
/// only ever replaced by a rename, so a save always changes the identity even within one clock
/// tick.
pub fn version(index: &Path) -> Result<RulesVersion> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in [path(index), index.join(MERGES_FILE)] {
        super::files::stamp(&file)?.hash(&mut hasher);
    }
    Ok(RulesVersion(hasher.finish()))
}
