//! Unquoted words match on stems while headline and body are indexed once, as exact words: the
//! totals must equal a brute-force scan of every article's stems, with the saved stem tables and
//! without them (a segment whose table is computed when first searched).
use std::collections::BTreeSet;

use newsdex::analysis as analyzers;

use crate::common::Fixture;

/// Word families whose members share a stem or only look as if they do, and literal stems
/// ("univers", "happi") that the stemmer itself changes.
const WORDS: &[&str] = &[
    "run",
    "runs",
    "running",
    "runner",
    "ran",
    "general",
    "generally",
    "generous",
    "generation",
    "generate",
    "generated",
    "happy",
    "happiness",
    "happily",
    "happier",
    "happi",
    "news",
    "new",
    "newer",
    "elect",
    "election",
    "elections",
    "elected",
    "connect",
    "connection",
    "connected",
    "universe",
    "university",
    "universal",
    "univers",
    "policy",
    "policies",
    "police",
    "organ",
    "organization",
    "organize",
    "organic",
    "café",
    "cafe",
    "banks",
    "banking",
    "state",
    "states",
    "stated",
    "statement",
    "agree",
    "agreed",
    "agreement",
    "city",
    "cities",
    "died",
    "dying",
    "sky",
    "skies",
    "Zoë",
    "zoe",
];

/// A deterministic stream of picks, so the archive is the same on every run.
struct Picks(u64);

impl Picks {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn words(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| WORDS[self.next(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn stems(text: &str) -> BTreeSet<String> {
    analyzers::terms(&mut analyzers::stemmed(), text)
        .into_iter()
        .collect()
}

/// Articles as (headline, body), written as JSON files into the fixture.
fn archive(f: &Fixture) -> Vec<(String, String)> {
    let mut picks = Picks(7);
    let mut articles = Vec::new();
    for i in 0..80 {
        let (h, b) = (2 + picks.next(4), 5 + picks.next(25));
        let (headline, body) = (picks.words(h), picks.words(b));
        let json = serde_json::json!({ "headline": headline, "body": body });
        f.write(&format!("a{i:02}.json"), json.to_string());
        articles.push((headline, body));
    }
    articles
}

/// Per query word: (matches expected by the scan, matches in the headline alone).
fn expected(articles: &[(String, String)], word: &str) -> (u64, u64) {
    let stem = stems(word).into_iter().next().expect("a stem");
    let both = articles
        .iter()
        .filter(|(h, b)| stems(h).contains(&stem) || stems(b).contains(&stem))
        .count();
    let headline = articles
        .iter()
        .filter(|(h, _)| stems(h).contains(&stem))
        .count();
    (both as u64, headline as u64)
}

fn scores(f: &Fixture, word: &str) -> (u64, u64, Vec<(String, i64)>) {
    let r = f.search(&[word, "--limit", "100"]);
    let scoped = f.search(&[&format!("headline:{word}"), "--limit", "100"]);
    let mut hits: Vec<(String, i64)> = r
        .hits
        .iter()
        .map(|h| (h.path.clone(), (h.score * 1e4).round() as i64))
        .collect();
    hits.sort();
    (r.total, scoped.total, hits)
}

#[test]
fn stemmed_word_counts_equal_a_brute_force_scan_with_and_without_stem_tables() {
    let f = Fixture::new();
    let articles = archive(&f);
    f.index_docs(&["--no-entities"]);
    let tables: Vec<_> = std::fs::read_dir(f.index())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "stems"))
        .collect();
    assert!(!tables.is_empty(), "the index run saves its stem tables");
    let mut saved = Vec::new();
    for word in WORDS {
        let got = scores(&f, word);
        let (total, headline) = expected(&articles, word);
        assert_eq!(got.0, total, "articles with a word stemming like {word:?}");
        assert_eq!(
            got.1, headline,
            "headlines with a word stemming like {word:?}"
        );
        saved.push(got);
    }
    // A segment without a saved table (a run killed before it ended) answers the same.
    for t in tables {
        std::fs::remove_file(t).unwrap();
    }
    for (word, before) in WORDS.iter().zip(saved) {
        assert_eq!(scores(&f, word), before, "{word:?} without saved tables");
    }
}
