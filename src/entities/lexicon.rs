//! The word lexicon inside the model: gazetteer membership of words and phrases (countries, cities,
//! first names, organisation suffixes, titles ...) and word clusters, in one open-addressing hash
//! table that is stored as two flat arrays, so loading it is a copy and a lookup is a probe or two.
//! Reading the gazetteer files happens only at training time (`newsdex_train::gazetteers`, in
//! `crates/train`); the product binary carries the compiled table inside the model.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

pub const G_COUNTRY: u32 = 1 << 0;
pub const G_CAPITAL: u32 = 1 << 1;
pub const G_CITY: u32 = 1 << 2;
pub const G_BIG_CITY: u32 = 1 << 3;
pub const G_US_STATE: u32 = 1 << 4;
pub const G_REGION: u32 = 1 << 5;
pub const G_DEMONYM: u32 = 1 << 6;
pub const G_FIRST_NAME: u32 = 1 << 7;
pub const G_SURNAME: u32 = 1 << 8;
pub const G_COMMON_SURNAME: u32 = 1 << 9;
pub const G_ORG_SUFFIX: u32 = 1 << 10;
pub const G_ORG_KEY: u32 = 1 << 11;
pub const G_TITLE: u32 = 1 << 12;
pub const G_BITS: u32 = 13;

/// Longest gazetteer phrase, in tokens, that the matcher tries.
pub const MAX_PHRASE: usize = 5;

const SEED_GAZ: u64 = 0x6761_7a00_1234_5678;
const SEED_CLUSTER: u64 = 0x636c_7573_8765_4321;
const SEED_CASING: u64 = 0x6361_7365_2468_1357;
/// The casing key under which `build` marks that the table holds casings at all.
const CASING_MARK: u64 = 0x6d61_726b;

/// Hash of one token's text; every other key is built from these, so run time hashes each token
/// once and derives phrase and feature keys by mixing integers.
#[inline]
pub fn word_hash(s: &str) -> u64 {
    xxh3_64(s.as_bytes())
}

/// Combine a running key with one more part (order-sensitive).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(25)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^ (x >> 29)
}

/// Key of a gazetteer phrase from its tokens' lower-case hashes: start with `gaz_start`, then
/// `mix` in each further token.
#[inline]
pub fn gaz_start(first: u64) -> u64 {
    mix(SEED_GAZ, first)
}

/// Word/phrase -> gazetteer flags, and cased word -> cluster path.
/// A cluster path is the bit string of the word's leaf in the cluster tree, below a leading 1 bit
/// (so `0b1` is the root, `0b10` its left child ...).
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    keys: Vec<u32>,
    vals: Vec<u32>,
    /// Whether the table holds word casings (see `casing`).
    has_casing: bool,
}

fn split_hash(h: u64) -> (u32, usize) {
    (((h >> 32) as u32) | 1, h as usize)
}

impl Lexicon {
    pub fn from_parts(keys: Vec<u32>, vals: Vec<u32>) -> Self {
        let mut lex = Lexicon {
            keys,
            vals,
            has_casing: false,
        };
        lex.has_casing = lex.get(mix(SEED_CASING, CASING_MARK)) != 0;
        lex
    }

    pub fn parts(&self) -> (&[u32], &[u32]) {
        (&self.keys, &self.vals)
    }

    /// `casing` maps lower-case words to their usual casing (`casing::mask_of`).
    pub fn build(
        gaz: &HashMap<String, u32>,
        clusters: &HashMap<String, u32>,
        casing: &HashMap<String, u32>,
    ) -> Self {
        let n = gaz.len() + clusters.len() + casing.len() + 1;
        let cap = (n * 3 / 2 + 16).next_power_of_two();
        let mut lex = Lexicon {
            keys: vec![0; cap],
            vals: vec![0; cap],
            has_casing: false,
        };
        // Sorted insertion makes the table layout, and so the model file, identical across runs.
        let mut gaz: Vec<(&String, &u32)> = gaz.iter().collect();
        gaz.sort();
        let mut clusters: Vec<(&String, &u32)> = clusters.iter().collect();
        clusters.sort();
        for (k, &v) in gaz {
            let mut parts = k.split(' ').map(word_hash);
            let first = parts.next().unwrap_or(0);
            let key = parts.fold(gaz_start(first), mix);
            lex.insert(key, v);
        }
        for (k, &v) in clusters {
            lex.insert(mix(SEED_CLUSTER, word_hash(k)), v);
        }
        let mut casing: Vec<(&String, &u32)> = casing.iter().collect();
        casing.sort();
        if !casing.is_empty() {
            lex.insert(mix(SEED_CASING, CASING_MARK), 1);
            lex.has_casing = true;
        }
        for (k, &v) in casing {
            lex.insert(mix(SEED_CASING, word_hash(k)), v);
        }
        lex
    }

    fn insert(&mut self, h: u64, v: u32) {
        let (key, mut slot) = split_hash(h);
        let mask = self.keys.len() - 1;
        loop {
            slot &= mask;
            if self.keys[slot] == 0 || self.keys[slot] == key {
                self.keys[slot] = key;
                self.vals[slot] |= v;
                return;
            }
            slot += 1;
        }
    }

    fn get(&self, h: u64) -> u32 {
        if self.keys.is_empty() {
            return 0;
        }
        let (key, mut slot) = split_hash(h);
        let mask = self.keys.len() - 1;
        loop {
            slot &= mask;
            let k = self.keys[slot];
            if k == key {
                return self.vals[slot];
            }
            if k == 0 {
                return 0;
            }
            slot += 1;
        }
    }

    /// Gazetteer flags of a phrase key (see `gaz_start`).
    #[inline]
    pub fn gazetteer_key(&self, key: u64) -> u32 {
        self.get(key)
    }

    /// Gazetteer flags of a lower-cased phrase whose tokens are joined by single spaces.
    pub fn gazetteer(&self, lower_phrase: &str) -> u32 {
        let mut parts = lower_phrase.split(' ').map(word_hash);
        let first = parts.next().unwrap_or(0);
        self.get(parts.fold(gaz_start(first), mix))
    }

    /// Cluster path of a word from its `word_hash`, 0 when unknown.
    #[inline]
    pub fn cluster_of_hash(&self, h: u64) -> u32 {
        self.get(mix(SEED_CLUSTER, h))
    }

    /// Usual casing of a lower-case word from its `word_hash` (`casing::mask_of`), 0 when unknown.
    #[inline]
    pub fn casing(&self, lower_hash: u64) -> u32 {
        self.get(mix(SEED_CASING, lower_hash))
    }

    /// Whether the table holds word casings (models made before casings were learned do not).
    pub fn has_casing(&self) -> bool {
        self.has_casing
    }

    /// Cluster path of a word as written, 0 when unknown.
    pub fn cluster(&self, word: &str) -> u32 {
        self.cluster_of_hash(word_hash(word))
    }
}

/// Key for alias and title lookups: lower case, dots dropped, spaces collapsed.
pub fn alias_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    alias_key_into(s, &mut out);
    out
}

/// [`alias_key`] written into `out` (cleared first), for callers that keep a buffer.
pub fn alias_key_into(s: &str, out: &mut String) {
    out.clear();
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            if c != '.' {
                out.extend(c.to_lowercase());
            }
        }
    }
    // Leading "the "s are cut from the key in place: no second string.
    let the = out.len() - out.trim_start_matches("the ").len();
    out.drain(..the);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_roundtrip() {
        let mut gaz = HashMap::new();
        gaz.insert("new york".to_string(), G_CITY);
        gaz.insert("paris".to_string(), G_CITY | G_CAPITAL);
        let mut cl = HashMap::new();
        cl.insert("Paris".to_string(), 0b1011);
        let lex = Lexicon::build(&gaz, &cl, &HashMap::new());
        assert_eq!(lex.gazetteer("new york"), G_CITY);
        assert_eq!(lex.gazetteer("paris"), G_CITY | G_CAPITAL);
        assert_eq!(lex.gazetteer("london"), 0);
        assert_eq!(lex.cluster("Paris"), 0b1011);
        assert_eq!(lex.cluster("paris"), 0);
    }

    #[test]
    fn alias_keys() {
        assert_eq!(alias_key("U.S."), "us");
        assert_eq!(alias_key("The  Netherlands"), "netherlands");
        assert_eq!(alias_key("Prime Minister"), "prime minister");
        assert_eq!(alias_key("The the  Hague"), "hague");
        assert_eq!(alias_key("Theodore"), "theodore");
        assert_eq!(alias_key("the"), "the");
    }
}
