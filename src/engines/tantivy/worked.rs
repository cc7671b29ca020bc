//! The effective rules (the entity rules, then the merges no rule is about) kept worked out in
//! the index folder, every rule-mentioned name already resolved. A one-shot search otherwise
//! parses the merges and resolves thousands of names before it can count a facet, where a server
//! does that once per saved version.
//!
//! The file is only ever a shortcut, never a source: it names the exact text of the rules and
//! merges files it was worked out from and the build that wrote it, and a digest of its own bytes
//! guards against a torn or damaged file. A missing, damaged or stale file is worked out again
//! from the rules and merges (and rewritten when the folder allows), so it can cost time, never
//! an error or a different answer.
use std::path::{Path, PathBuf};

use crate::entities::rules::{EntityRules, Worked};
use crate::{Error, Result};

/// The worked-out rules in an index folder.
pub const WORKED_FILE: &str = "entity-rules.worked";

/// Leads every file, so a file of another format or version is never decoded as this one.
const MAGIC: &[u8; 8] = b"ndxwrk02";

/// The bytes after the magic: a digest of the rest, then the key it was worked out for.
const DIGEST_LEN: usize = 16;

/// The effective rules of the index at `index`, from the worked-out file when it matches the
/// rules and merges files as they are now, else worked out from them and kept for next time.
pub fn load(index: &Path) -> Result<EntityRules> {
    let sources = Sources::read(index)?;
    let key = sources.key();
    if let Some(key) = key
        && let Some(rules) = read(index, key)
    {
        return Ok(rules);
    }
    let rules = sources.work_out(index)?;
    if let Some(key) = key {
        // A folder the process may not write (a read-only archive) still answers; the next
        // search just works the rules out again.
        let _ = write(index, key, &rules.worked());
    }
    Ok(rules)
}

/// Work the rules out again after the rules or merges were saved, so the next search finds them
/// ready. A failure leaves at worst a stale file, which no search trusts.
pub fn refresh(index: &Path) {
    let _ = load(index);
}

/// The texts the effective rules are made of, exactly as read.
struct Sources {
    rules: Option<String>,
    merges: Option<String>,
}

impl Sources {
    fn read(index: &Path) -> Result<Sources> {
        Ok(Sources {
            rules: super::rules::read(index)?,
            merges: super::rules::read_merges(index)?,
        })
    }

    fn work_out(&self, index: &Path) -> Result<EntityRules> {
        let rules = super::rules::parse(index, self.rules.as_deref())?;
        let merges = super::rules::parse_merges(index, self.merges.as_deref())?;
        Ok(merges.under(&rules))
    }

    /// What a worked-out file must have been made from to stand for these texts: the texts
    /// themselves and the build (how names resolve may change from one build to the next). None
    /// when the build cannot be told, and then no file is trusted or written.
    fn key(&self) -> Option<u128> {
        use std::hash::Hash;
        let exe = std::env::current_exe().ok()?;
        let build = super::files::stamp(&exe).ok()??;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(MAGIC);
        build.hash(&mut hasher);
        for text in [&self.rules, &self.merges] {
            // Length first, so no two pairs of texts run together into the same bytes.
            match text {
                Some(text) => {
                    hasher.update(&(text.len() as u64 + 1).to_le_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(&0u64.to_le_bytes()),
            }
        }
        Some(hasher.digest128())
    }
}

fn path(index: &Path) -> PathBuf {
    index.join(WORKED_FILE)
}

/// The rules kept for `key`, if the file is whole and was made for it.
fn read(index: &Path, key: u128) -> Option<EntityRules> {
    let bytes = std::fs::read(path(index)).ok()?;
    let rest = bytes.strip_prefix(MAGIC)?;
    let (digest, body) = rest.split_at_checked(DIGEST_LEN)?;
    if digest != xxhash_rust::xxh3::xxh3_128(body).to_le_bytes() {
        return None;
    }
    let (kept, worked) = body.split_at_checked(DIGEST_LEN)?;
    if kept != key.to_le_bytes() {
        return None;
    }
    let worked: Worked = postcard::from_bytes(worked).ok()?;
    Some(EntityRules::from_worked(worked))
}

/// Tells apart the temporary files of one process's writers (a server's request threads).
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Keep `worked` as made for `key`, by a temporary file of this writer's own renamed over the
/// old one: two searches writing at once each rename a whole file.
fn write(index: &Path, key: u128, worked: &Worked) -> Result<()> {
    let path = path(index);
    let encoded = postcard::to_stdvec(worked)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let mut body = key.to_le_bytes().to_vec();
    body.extend_from_slice(&encoded);
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    let writer = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = index.join(format!(
        "{WORKED_FILE}.{}-{writer}.partial",
        std::process::id()
    ));
    std::fs::write(&partial, &bytes).map_err(|e| Error::io(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        Error::io(&path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityKind::*;

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("newsdex-worked-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn save_rules(dir: &Path, text: &str) {
        super::super::rules::write(dir, text).unwrap();
    }

    #[test]
    fn a_rules_edit_is_never_answered_from_the_old_file() {
        let dir = folder("edit");
        save_rules(
            dir.as_path(),
            "[[alias]]\nfrom = \"Obama\"\nto = \"Barack Obama\"\n",
        );
        let first = load(&dir).unwrap();
        assert!(path(&dir).exists(), "the first load keeps the worked rules");
        assert_eq!(
            first.resolve(Person, "Obama"),
            Some((Person, "Barack Obama".into()))
        );
        save_rules(dir.as_path(), "[[block]]\nname = \"Obama\"\n");
        let second = load(&dir).unwrap();
        assert_eq!(second.resolve(Person, "Obama"), None);
        assert_eq!(second, super::super::rules::load(&dir).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_or_missing_file_costs_only_time() {
        let dir = folder("damaged");
        save_rules(
            dir.as_path(),
            "[[alias]]\nfrom = \"IMF\"\nto = \"Fund\"\nkind = \"org\"\n",
        );
        let fresh = load(&dir).unwrap();
        let whole = std::fs::read(path(&dir)).unwrap();
        let mut flipped = whole.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x55;
        for damaged in [flipped, whole[..whole.len() / 2].to_vec(), Vec::new()] {
            std::fs::write(path(&dir), &damaged).unwrap();
            assert!(read(&dir, Sources::read(&dir).unwrap().key().unwrap()).is_none());
            let again = load(&dir).unwrap();
            assert_eq!(again, fresh);
            assert_eq!(again.resolve(Org, "IMF"), Some((Org, "Fund".into())));
            assert_eq!(std::fs::read(path(&dir)).unwrap(), whole, "rewritten whole");
        }
        std::fs::remove_file(path(&dir)).unwrap();
        assert_eq!(load(&dir).unwrap().groups(), fresh.groups());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
