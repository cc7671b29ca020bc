//! The embedded engine's copy of the server's access keys: a JSON file in the index folder beside
//! the entity rules, outside the segments, so it outlives re-indexing and `--rebuild` (which keeps
//! it). It holds salted digests, never keys; on Unix it is still made readable by its owner only,
//! since names, roles and expiry dates are the newsroom's business.
//!
//! Saving writes a temporary file and renames it over the old one, so a server re-reading the
//! keys never sees half a file; a change holds an exclusive lock on a file of its own from read to
//! write, so a server recording a key's last use cannot undo a `keys create` made meanwhile.
use std::path::{Path, PathBuf};

use crate::model::keys::KeyRing;
use crate::{Error, Result};

pub const KEYS_FILE: &str = "access-keys.json";
/// Held (an OS file lock) while the keys are read, changed and written back.
pub const LOCK_FILE: &str = "access-keys.lock";

pub fn path(index: &Path) -> PathBuf {
    index.join(KEYS_FILE)
}

/// The keys kept in an index folder (none without a file).
pub fn load(index: &Path) -> Result<KeyRing> {
    let path = path(index);
    match std::fs::read_to_string(&path) {
        Ok(text) => KeyRing::parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeyRing::default()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Read, change and write the keys under the lock; the lock ends when the file is closed.
pub fn update(index: &Path, change: &mut dyn FnMut(&mut KeyRing) -> Result<()>) -> Result<KeyRing> {
    if !index.is_dir() {
        return Err(Error::NoIndex(index.to_path_buf()));
    }
    let lock_path = index.join(LOCK_FILE);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, e))?;
    fs4::fs_std::FileExt::lock_exclusive(&lock).map_err(|e| Error::io(&lock_path, e))?;
    let mut keys = load(index)?;
    change(&mut keys)?;
    save(index, &keys)?;
    drop(lock);
    Ok(keys)
}

fn save(index: &Path, keys: &KeyRing) -> Result<()> {
    let json = keys.to_json();
    super::files::replace_with(&path(index), |partial| {
        write_private(partial, json.as_bytes())
    })
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
