//! Copies of one story: the near-duplicate signature of an article's body and the grouping of
//! articles whose signatures say they are the same text, whichever engine stores them.
//!
//! Wire copy is republished with a new headline, a paragraph trimmed or a line added, so byte
//! equality finds almost none of it. An article's body is read as overlapping runs of
//! [`SHINGLE_WORDS`] words (shingles); two bodies are copies when the Jaccard similarity of their
//! shingle sets reaches [`THRESHOLD`]. MinHash estimates that similarity from [`HASHES`] small
//! numbers per article, and LSH banding ([`BANDS`] bands of [`ROWS`] values) finds the pairs worth
//! estimating without comparing every pair. MinHash rather than SimHash because its estimate is
//! the set overlap itself: a trimmed or extended copy loses similarity in proportion to what
//! changed, which makes the threshold a statement about text ("at least half the passages are
//! shared") that can be checked by eye.
//!
//! Groups are the connected components of the "is a copy of" pairs among every article the index
//! holds, named after their least member, so they are a function of the set of articles alone:
//! an incremental run, a deletion or `--rebuild` all end with the same groups (see
//! `features::copies::regroup`, which each index run calls through the store boundary). They are
//! kept beside the articles as a [`CopyGroups`] table, never inside them.
use std::collections::HashMap;

/// MinHash values per article: the estimate's standard error at similarity 0.5 is about 0.06.
pub const HASHES: usize = 64;
/// LSH bands and the values in each: `BANDS * ROWS == HASHES`.
pub const BANDS: usize = 16;
pub const ROWS: usize = 4;
/// Words per shingle: long enough that two different stories on one topic share few of them.
pub const SHINGLE_WORDS: usize = 5;
/// Bodies with fewer words carry too little text to tell a copy from a similar story.
pub const MIN_WORDS: usize = 40;
/// Estimated Jaccard similarity from which two bodies are copies (measured: BENCHMARKS.md).
pub const THRESHOLD: f32 = 0.6;

/// Bytes of a stored signature: the member key, then the MinHash values, little-endian.
pub const SIGNATURE_BYTES: usize = 8 + 4 * HASHES;

/// An article's MinHash signature, with the key that names a group after its least member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// A hash of the article id: stable across runs, and short in a group's name.
    pub key: u64,
    pub values: [u32; HASHES],
}

/// The name of a group of copies.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct GroupId(pub String);

impl GroupId {
    fn of(key: u64) -> GroupId {
        GroupId(format!("{key:016x}"))
    }
}

/// Multipliers and offsets of the [`HASHES`] hash functions, fixed forever: stored signatures
/// must stay comparable with new ones. Kept as two arrays so the inner loop vectorises.
static MULTIPLIERS: [u64; HASHES] = permutations().0;
static OFFSETS: [u64; HASHES] = permutations().1;

const fn splitmix(state: u64) -> (u64, u64) {
    let next = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = next;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (next, z ^ (z >> 31))
}

const fn permutations() -> ([u64; HASHES], [u64; HASHES]) {
    let (mut a, mut b) = ([0u64; HASHES], [0u64; HASHES]);
    let mut state = 0x6E65_7773_6465_7821;
    let mut i = 0;
    while i < HASHES {
        let (s, x) = splitmix(state);
        let (s, y) = splitmix(s);
        state = s;
        // Odd multipliers make each function a bijection of the 64-bit shingle hash.
        a[i] = x | 1;
        b[i] = y;
        i += 1;
    }
    (a, b)
}

/// A word's hash: letters and digits only, case folded, so punctuation and capitals edited by a
/// sub-editor do not make a copy look new.
fn word_hash(word: &str) -> u64 {
    if word.is_ascii() {
        let mut buf = [0u8; 64];
        let len = word.len().min(buf.len());
        for (b, c) in buf.iter_mut().zip(word.bytes()) {
            *b = c.to_ascii_lowercase();
        }
        return xxhash_rust::xxh3::xxh3_64(&buf[..len]);
    }
    let mut buf = [0u8; 64];
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let mut tmp = [0u8; 4];
        for &b in c.encode_utf8(&mut tmp).as_bytes() {
            if len < buf.len() {
                buf[len] = b;
                len += 1;
            }
        }
    }
    xxhash_rust::xxh3::xxh3_64(&buf[..len])
}

/// The hashes of a text's shingles (duplicates included; MinHash does not mind); none for a
/// text of fewer than [`MIN_WORDS`] words.
pub fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(word_hash)
        .collect();
    if words.len() < MIN_WORDS {
        return Vec::new();
    }
    words
        .windows(SHINGLE_WORDS)
        .map(|w| {
            w.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, &x| {
                (h.rotate_left(23) ^ x).wrapping_mul(0x0000_0100_0000_01B3)
            })
        })
        .collect()
}

impl Signature {
    /// The signature of the article `id` with body `text`, or `None` for a body too short to
    /// judge.
    pub fn of(id: &str, text: &str) -> Option<Signature> {
        let shingles = shingles(text);
        if shingles.is_empty() {
            return None;
        }
        let mut values = [u32::MAX; HASHES];
        for s in shingles {
            for i in 0..HASHES {
                let h = (MULTIPLIERS[i].wrapping_mul(s).wrapping_add(OFFSETS[i]) >> 32) as u32;
                values[i] = values[i].min(h);
            }
        }
        Some(Signature {
            key: xxhash_rust::xxh3::xxh3_64(id.as_bytes()),
            values,
        })
    }

    /// The estimated Jaccard similarity of two bodies' shingle sets.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self
            .values
            .iter()
            .zip(&other.values)
            .filter(|(a, b)| a == b)
            .count();
        same as f32 / HASHES as f32
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNATURE_BYTES);
        out.extend_from_slice(&self.key.to_le_bytes());
        for v in self.values {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// The signature stored as [`Signature::to_bytes`] wrote it; `None` for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != SIGNATURE_BYTES {
            return None;
        }
        let (key, rest) = bytes.split_at(8);
        let mut values = [0u32; HASHES];
        for (v, chunk) in values.iter_mut().zip(rest.chunks_exact(4)) {
            *v = u32::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Signature {
            key: u64::from_le_bytes(key.try_into().ok()?),
            values,
        })
    }

    fn band(&self, band: usize) -> u64 {
        let rows = &self.values[band * ROWS..(band + 1) * ROWS];
        rows.iter().fold(band as u64, |h, &v| {
            (h.rotate_left(29) ^ u64::from(v)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
    }
}

/// Union-find over member positions.
struct Components {
    parent: Vec<usize>,
}

impl Components {
    fn new(n: usize) -> Self {
        Components {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// Every pair of signatures that share a band, each pair once per shared band, with its
/// estimated similarity. `visit` returning false skips the estimate (already joined).
pub fn candidate_pairs(
    signatures: &[&Signature],
    mut visit: impl FnMut(usize, usize) -> bool,
    mut found: impl FnMut(usize, usize, f32),
) {
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    for band in 0..BANDS {
        buckets.clear();
        for (i, s) in signatures.iter().enumerate() {
            buckets.entry(s.band(band)).or_default().push(i);
        }
        for members in buckets.values().filter(|m| m.len() > 1) {
            for (n, &i) in members.iter().enumerate() {
                for &j in &members[n + 1..] {
                    if visit(i, j) {
                        found(i, j, signatures[i].similarity(signatures[j]));
                    }
                }
            }
        }
    }
}

/// The group of each signature (`None`: no copy of it found), as connected components of the
/// pairs at or above `threshold`, each named after its least key.
pub fn groups(signatures: &[&Signature], threshold: f32) -> Vec<Option<GroupId>> {
    let components = std::cell::RefCell::new(Components::new(signatures.len()));
    candidate_pairs(
        signatures,
        |i, j| {
            let mut c = components.borrow_mut();
            c.find(i) != c.find(j)
        },
        |i, j, similarity| {
            if similarity >= threshold {
                components.borrow_mut().union(i, j);
            }
        },
    );
    let mut components = components.into_inner();
    let mut least: HashMap<usize, (u64, usize)> = HashMap::new();
    for (i, s) in signatures.iter().enumerate() {
        let root = components.find(i);
        let entry = least.entry(root).or_insert((s.key, 0));
        entry.0 = entry.0.min(s.key);
        entry.1 += 1;
    }
    (0..signatures.len())
        .map(|i| {
            let (key, size) = least[&components.find(i)];
            (size > 1).then(|| GroupId::of(key))
        })
        .collect()
}

/// One stored article as the grouping sees it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The article's id, by which the groups kept with the index name it.
    pub id: String,
    pub signature: Signature,
}

/// The name of the file (embedded engine) or companion document (OpenSearch) that keeps the
/// groups with the index.
pub const GROUPS_FILE: &str = "copy_groups.json";

/// Bumped when [`CopyGroups::to_json`]'s layout changes; a table of another version is read as
/// absent (the next index run writes it anew), never misread.
pub const GROUPS_VERSION: u32 = 1;

/// Every group of copies the index holds, by name, with the ids of its members: kept beside the
/// articles rather than in them, so that joining, leaving or renaming a group writes no article
/// again (tantivy has no in-place update; rewriting every copy doubled peak RSS, BENCHMARKS.md).
/// Searches read it to name each hit's group, collapse copies and filter by group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyGroups {
    members: HashMap<GroupId, Vec<String>>,
    by_id: HashMap<String, GroupId>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredGroups {
    version: u32,
    /// Each group's name, then its members' ids, sorted so equal tables are equal bytes.
    groups: Vec<(GroupId, Vec<String>)>,
}

impl CopyGroups {
    /// The groups of `members`, given each one's group as [`groups`] found it.
    pub fn of(members: &[Member], wanted: &[Option<GroupId>]) -> CopyGroups {
        let mut table = CopyGroups::default();
        for (member, group) in members.iter().zip(wanted) {
            if let Some(group) = group {
                table.insert(group.clone(), member.id.clone());
            }
        }
        table
    }

    fn insert(&mut self, group: GroupId, id: String) {
        self.by_id.insert(id.clone(), group.clone());
        self.members.entry(group).or_default().push(id);
    }

    /// The group of the article `id`, if it has one.
    pub fn group_of(&self, id: &str) -> Option<&GroupId> {
        self.by_id.get(id)
    }

    /// The ids of a group's members (none for a name the index does not hold).
    pub fn members(&self, group: &GroupId) -> &[String] {
        self.members.get(group).map_or(&[], Vec::as_slice)
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// How many articles are in a group.
    pub fn articles(&self) -> usize {
        self.by_id.len()
    }

    pub fn to_json(&self) -> String {
        let mut groups: Vec<(GroupId, Vec<String>)> = self
            .members
            .iter()
            .map(|(g, ids)| {
                let mut ids = ids.clone();
                ids.sort();
                (g.clone(), ids)
            })
            .collect();
        groups.sort();
        let stored = StoredGroups {
            version: GROUPS_VERSION,
            groups,
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// The table [`CopyGroups::to_json`] wrote; `None` for one of another version (or none at
    /// all), which the next index run replaces. `origin` names the file in the error.
    pub fn parse(text: &str, origin: &str) -> crate::Result<Option<CopyGroups>> {
        #[derive(serde::Deserialize)]
        struct Version {
            version: u32,
        }
        let unreadable = |e: serde_json::Error| {
            crate::Error::Other(format!(
                "{origin} is unreadable: {e} (an index run writes it anew)"
            ))
        };
        let version: Version = serde_json::from_str(text).map_err(unreadable)?;
        if version.version != GROUPS_VERSION {
            return Ok(None);
        }
        let stored: StoredGroups = serde_json::from_str(text).map_err(unreadable)?;
        let mut table = CopyGroups::default();
        for (group, ids) in stored.groups {
            for id in ids {
                table.insert(group.clone(), id);
            }
        }
        Ok(Some(table))
    }

    /// The table of `(id, group)` pairs (an index written before the table was kept, whose
    /// articles carry their group).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, GroupId)>) -> CopyGroups {
        let mut table = CopyGroups::default();
        for (id, group) in pairs {
            table.insert(group, id);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(words: usize, seed: u64) -> String {
        (0..words)
            .map(|i| format!("w{}", splitmix(seed * 1000 + i as u64).1 % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn signatures_survive_a_round_trip_through_bytes() {
        let s = Signature::of("a", &story(100, 1)).unwrap();
        assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Signature::from_bytes(&[0u8; 10]), None);
    }

    #[test]
    fn short_bodies_have_no_signature() {
        assert!(Signature::of("a", &story(MIN_WORDS - 1, 1)).is_none());
    }

    #[test]
    fn estimate_follows_the_shared_fraction() {
        let text = story(400, 2);
        let words: Vec<&str> = text.split(' ').collect();
        let half = words[..200].join(" ") + " " + &story(200, 3);
        let a = Signature::of("a", &text).unwrap();
        let b = Signature::of("b", &half).unwrap();
        // 196 of 396 shingles in each are shared: Jaccard about 0.33.
        let s = a.similarity(&b);
        assert!((0.15..0.5).contains(&s), "{s}");
        let trimmed = words[..360].join(" ");
        let c = Signature::of("c", &trimmed).unwrap();
        assert!(a.similarity(&c) >= 0.75, "{}", a.similarity(&c));
    }

    #[test]
    fn groups_are_components_named_after_their_least_key() {
        let base = story(300, 4);
        let copies: Vec<Signature> = (0..3)
            .map(|i| Signature::of(&format!("copy{i}"), &format!("{base} extra{i} line")).unwrap())
            .collect();
        let other = Signature::of("other", &story(300, 5)).unwrap();
        let mut all: Vec<&Signature> = copies.iter().collect();
        all.push(&other);
        let g = groups(&all, THRESHOLD);
        let least = copies.iter().map(|s| s.key).min().unwrap();
        assert_eq!(g[0], Some(GroupId::of(least)));
        assert_eq!(g[0], g[1]);
        assert_eq!(g[1], g[2]);
        assert_eq!(g[3], None);
        // Order of the input does not matter.
        all.reverse();
        let again = groups(&all, THRESHOLD);
        assert_eq!(again[3], Some(GroupId::of(least)));
        assert_eq!(again[0], None);
    }

    #[test]
    fn a_groups_table_survives_its_json_and_another_version_reads_as_none() {
        let table = CopyGroups::from_pairs([
            ("b".to_string(), GroupId("g1".into())),
            ("a".to_string(), GroupId("g1".into())),
            ("c".to_string(), GroupId("g2".into())),
        ]);
        let again = CopyGroups::parse(&table.to_json(), "t").unwrap().unwrap();
        assert_eq!(again.group_of("a"), Some(&GroupId("g1".into())));
        assert_eq!(again.members(&GroupId("g1".into())), ["a", "b"]);
        assert_eq!((again.len(), again.articles()), (2, 3));
        assert_eq!(again.group_of("d"), None);
        let other = table
            .to_json()
            .replacen("\"version\":1", "\"version\":99", 1);
        assert_eq!(CopyGroups::parse(&other, "t").unwrap(), None);
        let err = CopyGroups::parse("{", "the file").unwrap_err().to_string();
        assert!(err.contains("the file"), "{err}");
    }
}
