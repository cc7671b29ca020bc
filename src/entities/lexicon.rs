//! The word lexicon inside the model: gazetteer membership of words and phrases (countries, cities,
//! first names, organisation suffixes, titles ...) and word clusters, in one open-addressing hash
//! table that is stored as two flat arrays, so loading it is a copy and a lookup is a probe or two.
//! Reading the gazetteer files happens only at training time (`compile_gazetteers`); the product
//! binary carries the compiled table inside the model.

use std::collections::HashMap;
use std::path::Path;

use xxhash_rust::xxh3::xxh3_64;

use super::tokenize::tokenize;

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

/// Normalise a phrase the way the tagger sees tokens: tokenized, typographic quotes folded,
/// lower case, tokens joined by one space.
pub fn phrase_key(phrase: &str) -> Option<String> {
    let tk = tokenize(phrase);
    if tk.tokens.is_empty() || tk.tokens.len() > MAX_PHRASE {
        return None;
    }
    let parts: Vec<String> = tk
        .tokens
        .iter()
        .map(|t| super::features::normalize(t.text(phrase)).to_lowercase())
        .collect();
    Some(parts.join(" "))
}

/// Everything the training command reads from the gazetteer folder.
#[derive(Debug, Default)]
pub struct Gazetteers {
    pub phrases: HashMap<String, u32>,
    /// Alias (lower case, dots removed) -> canonical place name.
    pub place_aliases: Vec<(String, String)>,
    /// Person titles, lower case without dots ("mr", "prime minister").
    pub titles: Vec<String>,
}

fn read_lines(path: &Path) -> Vec<String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect(),
        Err(e) => {
            eprintln!("warning: gazetteer {} unreadable: {e}", path.display());
            Vec::new()
        }
    }
}

/// Rows of a TSV file with a header line.
fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    read_lines(path)
        .into_iter()
        .skip(1)
        .map(|l| l.split('\t').map(|s| s.trim().to_string()).collect())
        .collect()
}

/// GATE list entries carry optional ":feature=value" suffixes.
fn gate_entry(line: &str) -> &str {
    match line.find(':') {
        Some(i) if line[i..].contains('=') => &line[..i],
        _ => line,
    }
}

/// Person titles known without any file: the gazetteer title lists are British-police heavy.
const BUILTIN_TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "president",
    "vice president",
    "prime minister",
    "minister",
    "foreign minister",
    "finance minister",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "general",
    "gen",
    "col",
    "colonel",
    "lt",
    "lieutenant",
    "captain",
    "capt",
    "sgt",
    "sergeant",
    "judge",
    "justice",
    "secretary",
    "secretary of state",
    "ambassador",
    "mayor",
    "chairman",
    "chairwoman",
    "chief executive",
    "ceo",
    "coach",
    "rev",
    "reverend",
    "father",
    "sir",
    "lord",
    "lady",
    "dame",
    "sheikh",
    "ayatollah",
    "cardinal",
    "bishop",
    "archbishop",
    "speaker",
    "commissioner",
    "attorney general",
    "adm",
    "admiral",
    "maj",
    "major",
    "sheik",
    "emir",
    "sultan",
    "crown prince",
    "premier",
    "leader",
    "spokesman",
    "spokeswoman",
    "st",
    "saint",
    "former president",
    "house speaker",
    "senate majority leader",
    "rabbi",
    "imam",
    "dr.",
    "defense secretary",
    "state secretary",
    "deputy",
    "detective",
    "officer",
];

/// Read the gazetteer folder (layout described in its PROVENANCE.txt).
pub fn compile_gazetteers(dir: &Path) -> Gazetteers {
    let mut g = Gazetteers::default();
    let add = |phrases: &mut HashMap<String, u32>, name: &str, flag: u32| {
        if let Some(k) = phrase_key(name)
            && k.chars().any(|c| c.is_alphabetic())
        {
            *phrases.entry(k).or_insert(0) |= flag;
        }
    };
    let mut aliases: HashMap<String, String> = HashMap::new();
    for row in read_tsv(&dir.join("countries.tsv")) {
        if row.len() < 12 {
            continue;
        }
        let common = row[2].clone();
        add(&mut g.phrases, &common, G_COUNTRY);
        add(&mut g.phrases, &row[3], G_COUNTRY);
        aliases.insert(alias_key(&row[3]), common.clone());
        aliases.insert(alias_key(&common), common.clone());
        for alt in row[4].split('|') {
            // Two-letter codes are mostly ordinary words ("IN", "IT", "TO") once lower-cased.
            if alt.chars().count() >= 3 || matches!(alt, "US" | "UK") {
                add(&mut g.phrases, alt, G_COUNTRY);
                aliases.insert(alias_key(alt), common.clone());
            }
        }
        for cap in row[5].split('|') {
            add(&mut g.phrases, cap, G_CAPITAL | G_CITY);
        }
        add(&mut g.phrases, &row[10], G_DEMONYM);
        add(&mut g.phrases, &row[11], G_DEMONYM);
    }
    // Names that newsrooms use but the country list does not spell out.
    for (alias, canon) in [
        ("America", "United States"),
        ("U.S.", "United States"),
        ("U.S.A.", "United States"),
        ("United States of America", "United States"),
        ("Britain", "United Kingdom"),
        ("Great Britain", "United Kingdom"),
        ("U.K.", "United Kingdom"),
        ("Holland", "Netherlands"),
        ("the Netherlands", "Netherlands"),
        ("Russian Federation", "Russia"),
        ("South Korea", "South Korea"),
        ("North Korea", "North Korea"),
        ("UAE", "United Arab Emirates"),
    ] {
        aliases.insert(alias_key(alias), canon.to_string());
        add(&mut g.phrases, alias, G_COUNTRY);
    }
    for row in read_tsv(&dir.join("capitals.tsv")) {
        if let Some(c) = row.first() {
            add(&mut g.phrases, c, G_CAPITAL | G_CITY);
        }
    }
    for row in read_tsv(&dir.join("demonyms.tsv")) {
        if let Some(d) = row.first() {
            add(&mut g.phrases, d, G_DEMONYM);
        }
    }
    for row in read_tsv(&dir.join("world_cities_15000.tsv")) {
        if row.len() < 8 {
            continue;
        }
        let pop: u64 = row[7].parse().unwrap_or(0);
        let flag = if pop >= 300_000 {
            G_CITY | G_BIG_CITY
        } else {
            G_CITY
        };
        add(&mut g.phrases, &row[1], flag);
        add(&mut g.phrases, &row[2], flag);
    }
    for row in read_tsv(&dir.join("us_states.tsv")) {
        if row.len() >= 2 {
            add(&mut g.phrases, &row[1], G_US_STATE);
        }
    }
    for row in read_tsv(&dir.join("raw/geonames_admin1.tsv")) {
        if row.len() >= 3 {
            add(&mut g.phrases, &row[1], G_REGION);
            add(&mut g.phrases, &row[2], G_REGION);
        }
    }
    for f in ["first_male", "first_female"] {
        for row in read_tsv(&dir.join(format!("census1990_{f}.tsv"))) {
            if let Some(n) = row.first() {
                add(&mut g.phrases, n, G_FIRST_NAME);
            }
        }
    }
    for row in read_tsv(&dir.join("census1990_surnames.tsv")) {
        if row.len() < 4 {
            continue;
        }
        let rank: u32 = row[3].parse().unwrap_or(u32::MAX);
        if rank <= 2_000 {
            add(&mut g.phrases, &row[0], G_SURNAME | G_COMMON_SURNAME);
        } else if rank <= 40_000 {
            add(&mut g.phrases, &row[0], G_SURNAME);
        }
    }
    for f in ["male.txt", "female.txt"] {
        for n in read_lines(&dir.join("nltk_names").join(f)) {
            add(&mut g.phrases, &n, G_FIRST_NAME);
        }
    }
    for (f, flag) in [
        ("countries.txt", G_COUNTRY),
        ("isocountries.txt", G_COUNTRY),
        ("nationalities.txt", G_DEMONYM),
        ("usstates.txt", G_US_STATE),
        ("uscities.txt", G_CITY),
        ("caprovinces.txt", G_REGION),
        ("mexstates.txt", G_REGION),
    ] {
        for n in read_lines(&dir.join("nltk_gazetteers").join(f)) {
            add(&mut g.phrases, &n, flag);
        }
    }
    for row in read_tsv(&dir.join("org_suffixes.tsv")) {
        if let Some(s) = row.first() {
            add(&mut g.phrases, s, G_ORG_SUFFIX);
        }
    }
    for (f, flag) in [
        ("cdg.lst", G_ORG_SUFFIX),
        ("org_key.lst", G_ORG_KEY),
        ("org_base.lst", G_ORG_KEY),
        ("org_ending.lst", G_ORG_KEY),
        ("country_adj.lst", G_DEMONYM),
        ("title.lst", G_TITLE),
        ("title_pol.lst", G_TITLE),
    ] {
        for line in read_lines(&dir.join("gate_annie").join(f)) {
            let e = gate_entry(&line);
            add(&mut g.phrases, e, flag);
            if flag == G_TITLE {
                g.titles.push(alias_key(e));
            }
        }
    }
    for t in BUILTIN_TITLES {
        add(&mut g.phrases, t, G_TITLE);
        g.titles.push(alias_key(t));
    }
    g.titles.sort();
    g.titles.dedup();
    g.titles.retain(|t| !t.is_empty());
    let mut aliases: Vec<(String, String)> = aliases.into_iter().collect();
    aliases.retain(|(k, _)| !k.is_empty());
    aliases.sort();
    g.place_aliases = aliases;
    g
}

/// Key for alias and title lookups: lower case, dots dropped, spaces collapsed.
pub fn alias_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
    out.trim_start_matches("the ").to_string()
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
    }
}
