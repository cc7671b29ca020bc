//! The files newsdex keeps in an index folder beside tantivy's segments (entity rules, merges,
//! copy groups, access keys). Each is only ever replaced whole, by a temporary file renamed over
//! it, so a reader never sees half of one; and a reader tells one saved file from the next by its
//! stamp, since a rename always gives it a new identity even within one clock tick.
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Put `bytes` in place at `path`.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_with(path, |partial| std::fs::write(partial, bytes))
}

/// Put in place at `path` what `write` writes to the temporary file it is given.
pub fn replace_with(path: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<()> {
    let partial = partial(path);
    write(&partial).map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, path).map_err(|e| Error::io(path, e))
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// What tells one saved file from another: its identity, length and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stamp(u64, u64, Option<std::time::SystemTime>);

/// The stamp of the file at `path`; `None` when there is none.
pub fn stamp(path: &Path) -> Result<Option<Stamp>> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(Stamp(identity(&m), m.len(), m.modified().ok()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> u64 {
    0
}
