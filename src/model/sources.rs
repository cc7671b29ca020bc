//! Sources at query time: spelling variants and aliases folded into one outlet.
//!
//! The index keeps each article's cleaned source spelling (for display) and its key (see
//! `ingest::source`). Here keys are mapped through the aliases (`--source-alias FROM=TO` and the
//! alias file kept with the index) to one canonical key per outlet, so that merging two names
//! needs no re-indexing: a filter or `source:` on any spelling matches every key of its outlet,
//! and facet values of one outlet are counted as one, shown in the alias target's spelling or
//! else in the spelling most of its articles in the result carry.
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::results::FacetCount;
use crate::analysis::Memo;
use crate::ingest::source;
use crate::{Error, Result};

/// The alias file in an index folder: one `FROM=TO` a line, `#` comments.
pub const ALIAS_FILE: &str = "source-aliases.txt";

/// Longest chain of aliases followed (A=B, B=C...), so a cycle cannot loop.
const MAX_HOPS: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// From key to (target key, target spelling).
    map: HashMap<String, (String, String)>,
}

impl Aliases {
    pub fn path(index: &Path) -> PathBuf {
        index.join(ALIAS_FILE)
    }

    /// The aliases saved with an index (none if there is no file).
    pub fn load(index: &Path) -> Result<Aliases> {
        let path = Self::path(index);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Aliases::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        Self::parse(&text, &path.display().to_string())
    }

    /// Aliases from `FROM=TO` lines (`#` comments); errors name `origin` and the line.
    pub fn parse(text: &str, origin: &str) -> Result<Aliases> {
        let mut aliases = Aliases::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (from, to) = source::parse_alias(line)
                .map_err(|e| Error::Usage(format!("{origin} line {}: {e}", n + 1)))?;
            aliases.add(&from, &to);
        }
        Ok(aliases)
    }

    /// Add the aliases to the index's file, keeping the ones already there.
    pub fn save(index: &Path, new: &[(String, String)]) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let path = Self::path(index);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        for (from, to) in new {
            let line = format!("{from}={to}");
            if !text.lines().any(|l| l.trim() == line) {
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(&line);
                text.push('\n');
            }
        }
        std::fs::write(&path, text).map_err(|e| Error::io(path, e))
    }

    pub fn add(&mut self, from: &str, to: &str) {
        let (from_key, to_key) = (source::key(from), source::key(to));
        if !from_key.is_empty() && from_key != to_key {
            self.map.insert(from_key, (to_key, to.to_string()));
        }
    }

    /// The outlet a key belongs to, and the spelling its alias target was given, if any.
    fn resolve(&self, key: &str) -> (String, Option<String>) {
        self.resolve_owned(key.to_string())
    }

    /// [`Aliases::resolve`] of a key the caller owns: a key no alias names (most of them) is
    /// handed back as it came, with no copy.
    fn resolve_owned(&self, mut key: String) -> (String, Option<String>) {
        let mut shown = None;
        for _ in 0..MAX_HOPS {
            match self.map.get(&key) {
                Some((next, spelling)) => {
                    key = next.clone();
                    shown = Some(spelling.clone());
                }
                None => break,
            }
        }
        (key, shown)
    }

    pub fn canonical(&self, key: &str) -> String {
        self.resolve(key).0
    }

    /// Every key the aliases name, as alias or target, sorted: with these as a table's keys,
    /// [`SourceTable::keys_for`] finds every key of an outlet without listing the index's keys
    /// (a key no alias names is its own outlet).
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .map
            .iter()
            .flat_map(|(from, (to, _))| [from.clone(), to.clone()])
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// The sources of one searcher under a set of aliases.
pub struct SourceTable {
    aliases: Aliases,
    /// Every source key in the index, sorted; shared, since it changes only with a commit.
    keys: Arc<[String]>,
}

impl SourceTable {
    /// A table over keys from [`SourceTable::index_keys`].
    pub fn with_keys(keys: Arc<[String]>, aliases: Aliases) -> Self {
        SourceTable { aliases, keys }
    }

    /// A table over a known list of source keys (an engine that lists them its own way).
    pub fn from_keys(mut keys: Vec<String>, aliases: Aliases) -> Self {
        keys.sort_unstable();
        keys.dedup();
        SourceTable {
            aliases,
            keys: keys.into(),
        }
    }

    /// Every indexed key that names the same outlet as `value` (the value's own key included).
    pub fn keys_for(&self, value: &str) -> Vec<String> {
        let own = source::key(value);
        let outlet = self.aliases.canonical(&own);
        let mut out: Vec<String> = self
            .keys
            .iter()
            .filter(|k| self.aliases.canonical(k) == outlet)
            .cloned()
            .collect();
        if !out.contains(&own) {
            out.push(own);
        }
        out
    }

    /// Facet counts of stored spellings folded into one count per outlet, largest first.
    pub fn merge_counts(&self, counts: Vec<FacetCount>, size: usize) -> Vec<FacetCount> {
        // Per outlet: total, alias spelling, and its most common spelling so far. A server
        // merges every spelling of the index on every request with a source facet, so nothing
        // here is allocated per spelling that the answer does not keep.
        let mut outlets: BTreeMap<String, (u64, Option<String>, FacetCount)> = BTreeMap::new();
        for c in counts {
            let (outlet, shown) = self.aliases.resolve_owned(key_of_spelling(&c.value));
            let count = c.count;
            match outlets.entry(outlet) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert((count, shown, c));
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    let entry = slot.get_mut();
                    entry.0 += count;
                    if shown.is_some() {
                        entry.1 = shown;
                    }
                    if more_common(&c, &entry.2) {
                        entry.2 = c;
                    }
                }
            }
        }
        let mut merged: Vec<FacetCount> = outlets
            .into_values()
            .map(|(count, shown, top)| FacetCount {
                value: shown.unwrap_or(top.value),
                count,
            })
            .collect();
        merged.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        merged.truncate(size);
        merged
    }
}

/// Most spellings whose keys a thread keeps between requests.
const KEPT_KEYS: usize = 10_000;

thread_local! {
    /// Keys of source spellings already seen by this thread: every request with a source facet
    /// folds every spelling the index holds, and folding (Unicode normalisation) was a few
    /// percent of a served search.
    static KEYS: std::cell::RefCell<Memo<String>> = std::cell::RefCell::new(Memo::new(KEPT_KEYS));
}

/// [`source::key`] of a stored spelling, remembered per thread.
fn key_of_spelling(spelling: &str) -> String {
    let kept = KEYS.try_with(|keys| keys.borrow().get(spelling).cloned());
    if let Ok(Some(key)) = kept {
        return key;
    }
    let key = source::key(spelling);
    let _ = KEYS.try_with(|keys| keys.borrow_mut().insert(spelling, key.clone()));
    key
}

/// Whether spelling `a` is shown before `b`: the one most articles carry; ties go to the first
/// in byte order, so output is stable.
fn more_common(a: &FacetCount, b: &FacetCount) -> bool {
    b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)) == std::cmp::Ordering::Less
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keys: &[&str], aliases: &[(&str, &str)]) -> SourceTable {
        let mut a = Aliases::default();
        for (from, to) in aliases {
            a.add(from, to);
        }
        SourceTable {
            aliases: a,
            keys: keys.iter().map(|k| k.to_string()).collect(),
        }
    }

    fn fc(value: &str, count: u64) -> FacetCount {
        FacetCount {
            value: value.into(),
            count,
        }
    }

    #[test]
    fn variants_merge_under_their_most_common_spelling() {
        let t = table(&["reuters"], &[]);
        let merged = t.merge_counts(vec![fc("REUTERS", 2), fc("Reuters", 5), fc("Other", 3)], 10);
        assert_eq!(merged, vec![fc("Reuters", 7), fc("Other", 3)]);
    }

    #[test]
    fn aliases_merge_outlets_and_filters_follow_them() {
        let t = table(
            &["fox news", "fox online news", "other"],
            &[("Fox Online News", "Fox News")],
        );
        let merged = t.merge_counts(vec![fc("Fox Online News", 4), fc("fox news", 1)], 10);
        assert_eq!(merged, vec![fc("Fox News", 5)]);
        let mut keys = t.keys_for("FOX NEWS");
        keys.sort();
        assert_eq!(keys, vec!["fox news", "fox online news"]);
        assert_eq!(t.keys_for("Other"), vec!["other"]);
    }

    /// A remembered key is the key folding gives, the first time and after, and a full
    /// cache starts over rather than answering wrong.
    #[test]
    fn remembered_spelling_keys_are_the_folded_keys() {
        let spellings = [
            "Reuters'",
            "A.P.",
            "Le Monde — Édition",
            "ＦＯＸ News",
            "BBC  News",
            "",
        ];
        for _ in 0..2 {
            for s in spellings {
                assert_eq!(key_of_spelling(s), source::key(s), "{s:?}");
            }
        }
        for n in 0..KEPT_KEYS + 5 {
            let s = format!("Outlet {n}");
            assert_eq!(key_of_spelling(&s), format!("outlet {n}"));
        }
        assert_eq!(key_of_spelling("A.P."), "ap");
    }

    #[test]
    fn alias_cycles_end() {
        let t = table(&["a", "b"], &[("a", "b"), ("b", "a")]);
        let keys = t.keys_for("a");
        assert!(!keys.is_empty());
    }
}
