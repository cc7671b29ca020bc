//! Gazetteer compilation for training: reads the gazetteer folder (country, city, region, name,
//! organisation and title lists; layout in its PROVENANCE.txt) into the phrase flags, place
//! aliases and titles that the trainer builds into the model's lexicon. Only training reads these
//! files; the product carries the compiled table inside the model, so this lives in the trainer
//! crate rather than in `newsdex::entities::lexicon`.

use std::collections::HashMap;
use std::path::Path;

use newsdex::entities::lexicon::{
    G_BIG_CITY, G_CAPITAL, G_CITY, G_COMMON_SURNAME, G_COUNTRY, G_DEMONYM, G_FIRST_NAME, G_ORG_KEY,
    G_ORG_SUFFIX, G_REGION, G_SURNAME, G_TITLE, G_US_STATE, MAX_PHRASE, alias_key,
};
use newsdex::entities::tokenize::{normalize, tokenize};

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
        .map(|t| normalize(t.text(phrase)).to_lowercase())
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
