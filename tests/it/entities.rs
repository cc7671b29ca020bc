//! Named entities end to end: the `entities` command, entity facets and filters on a real index,
//! and the tagger's score on the CoNLL development set when `../shared` is present.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::common::{Fixture, bin, shared};

#[derive(Debug, Deserialize)]
struct Mention {
    kind: String,
    text: String,
    canonical: String,
    start: usize,
    end: usize,
}

fn mentions_of(text: &str) -> Vec<Mention> {
    let f = Fixture::new();
    let path = f.write("a.txt", text);
    let out = bin()
        .args(["entities", "--json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn short_mentions_resolve_to_the_fullest_name_without_titles() {
    let text = "Prime Minister Joe Biden met Hassan Nasrallah in Paris on Monday.\n\n\
                Mr Biden said the talks were useful. Nasrallah did not comment, and officials in \
                France said Biden would return to Washington on Tuesday.";
    let ms = mentions_of(text);
    let chars: Vec<char> = text.chars().collect();
    for m in &ms {
        let slice: String = chars[m.start..m.end].iter().collect();
        assert_eq!(slice, m.text, "offsets are characters into the input");
    }
    let canon = |t: &str| {
        ms.iter()
            .find(|m| m.text == t || m.text.ends_with(t))
            .map(|m| (m.kind.clone(), m.canonical.clone()))
    };
    assert_eq!(
        canon("Nasrallah"),
        Some(("person".into(), "Hassan Nasrallah".into()))
    );
    assert_eq!(canon("Biden").map(|c| c.1), Some("Joe Biden".into()));
    assert!(
        ms.iter()
            .all(|m| !m.canonical.starts_with("Mr") && !m.canonical.starts_with("Prime"))
    );
    assert!(
        ms.iter()
            .any(|m| m.kind == "place" && m.canonical == "Paris")
    );
    assert!(
        ms.iter()
            .all(|m| m.canonical != "Monday" && m.canonical != "Tuesday")
    );
}

#[test]
fn place_aliases_are_merged() {
    let ms = mentions_of(
        "Officials in the U.S. said the United States would act. The US Senate agreed.",
    );
    let places: Vec<&str> = ms
        .iter()
        .filter(|m| m.kind == "place")
        .map(|m| m.canonical.as_str())
        .collect();
    assert!(!places.is_empty());
    assert!(places.iter().all(|p| *p == "United States"), "{places:?}");
}

fn corpus_index() -> Fixture {
    let f = Fixture::new();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let out = f.run(&["index", corpus.to_str().unwrap(), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    f
}

#[test]
fn entity_facets_count_articles_and_filters_keep_only_those_articles() {
    let f = corpus_index();
    let all = f.search(&["", "--limit", "1000", "--facet", "person,org,place"]);
    assert!(all.total >= 48);
    for kind in ["person", "org", "place"] {
        let facet = &all.facets[kind];
        assert!(!facet.is_empty(), "{kind} facet is empty");
        // Count by hand over every hit: a facet counts articles, however often each names it.
        let mut by_hand: BTreeMap<&str, u64> = BTreeMap::new();
        for hit in &all.hits {
            for name in &hit.entities[kind] {
                *by_hand.entry(name.as_str()).or_default() += 1;
            }
        }
        for c in facet {
            assert_eq!(
                by_hand.get(c.value.as_str()).copied(),
                Some(c.count),
                "{kind} {}",
                c.value
            );
        }
    }
    let person = &all.facets["person"][0];
    assert_eq!(
        person.value, "Elena Vasquez",
        "the corpus's most covered person"
    );
    let filtered = f.search(&["", "--person", &person.value, "--limit", "1000"]);
    assert_eq!(filtered.total, person.count);
    assert!(
        filtered
            .hits
            .iter()
            .all(|h| h.entities["person"].contains(&person.value))
    );
    let scoped = f.search(&["person:vasquez", "--limit", "1000"]);
    assert_eq!(scoped.total, person.count);
}

#[test]
fn conll_dev_set_scores_above_the_floor() {
    let Some(shared) = shared() else {
        eprintln!("skipping: ../shared/ner is not present");
        return;
    };
    let gold = shared.join("ner/conll2003/valid.txt");
    let f = Fixture::new();
    let out = bin()
        .args(["entities", "--conll"])
        .arg(&gold)
        .output()
        .unwrap();
    assert!(out.status.success());
    let pred = f.write("pred.conll", &out.stdout);
    let gold_lines = std::fs::read_to_string(&gold).unwrap().lines().count();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        gold_lines
    );
    let score = std::process::Command::new("python3")
        .arg(shared.join("ner/eval_conll.py"))
        .arg(&gold)
        .arg(&pred)
        .output();
    let Ok(score) = score else {
        eprintln!("skipping the score: python3 is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&score.stdout);
    let f1: f64 = text
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("F1="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no F1 line in: {text}"));
    assert!(f1 > 92.5, "dev F1 {f1}");
}
