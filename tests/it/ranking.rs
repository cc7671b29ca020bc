//! Ranking through the real binary: BM25F over headline and body, derived headlines, feedback
//! that re-scores without changing what matches, and `--explain`.
use serde::Deserialize;

use crate::common::Fixture;

#[derive(Debug, Deserialize)]
struct Explained {
    hits: Vec<ExplainedHit>,
    explanation: QueryExplanation,
}

#[derive(Debug, Deserialize)]
struct ExplainedHit {
    path: String,
    explanation: Node,
}

#[derive(Debug, Deserialize)]
struct Node {
    value: f32,
    description: String,
    #[serde(default)]
    details: Vec<Node>,
}

impl Node {
    /// The first node (depth first) whose description is `name`.
    fn find(&self, name: &str) -> Option<&Node> {
        if self.description == name {
            return Some(self);
        }
        self.details.iter().find_map(|d| d.find(name))
    }
}

#[derive(Debug, Deserialize)]
struct QueryExplanation {
    leaves: Vec<Leaf>,
    #[serde(default)]
    expansion: Vec<Expansion>,
}

#[derive(Debug, Deserialize)]
struct Leaf {
    text: String,
    kind: String,
    role: String,
    terms: Vec<String>,
    fields: Vec<String>,
    dropped: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Expansion {
    term: String,
    weight: f32,
}

fn explained(f: &Fixture, args: &[&str]) -> Explained {
    let out = f.run(&[&["search", "--json", "--explain"], args].concat());
    assert!(
        out.status.success(),
        "search failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

const FILLER: &str = "The report was read out at the meeting and discussed at length by everyone present that evening";

#[test]
fn headline_less_article_is_not_ranked_by_its_first_words_twice() {
    let f = Fixture::new();
    // Same length, the word once each: one opens the body (and so the derived headline), the
    // other sits in the middle. Neither has a headline, so they must score alike.
    f.write(
        "first.json",
        format!(r#"{{"body": "Volcano ash closed the airport. {FILLER} today."}}"#),
    );
    f.write(
        "middle.json",
        format!(r#"{{"body": "Airport closed after the ash. {FILLER} volcano."}}"#),
    );
    f.index_docs(&["--no-entities"]);
    let r = f.search(&["volcano"]);
    assert_eq!(r.total, 2);
    let first = r.hits.iter().find(|h| h.path == "first.json").unwrap();
    let middle = r.hits.iter().find(|h| h.path == "middle.json").unwrap();
    assert!(
        (first.score - middle.score).abs() < 1e-4,
        "first words counted again: {} vs {}",
        first.score,
        middle.score
    );
    // The derived headline is still shown.
    assert_eq!(first.headline, "Volcano ash closed the airport.");
    // And headline: finds neither, since neither has one.
    assert_eq!(f.search(&["headline:volcano"]).total, 0);
}

#[test]
fn headline_and_body_combine_before_saturation() {
    let f = Fixture::new();
    f.write(
        "both.json",
        r#"{"headline": "Flood warning", "body": "A flood warning was issued for the river valley on Monday morning."}"#,
    );
    f.write(
        "body.json",
        r#"{"headline": "River valley news", "body": "A flood warning was issued for the river valley on Monday morning."}"#,
    );
    f.index_docs(&["--no-entities"]);
    let r = explained(&f, &["flood"]);
    assert_eq!(r.hits[0].path, "both.json");
    let parts = r.hits[0]
        .explanation
        .find("bm25f(flood)")
        .expect("bm25f part");
    assert_eq!(parts.find("headline tf").unwrap().value, 1.0);
    assert_eq!(parts.find("body tf").unwrap().value, 1.0);
    // One saturation: the headline adds less than a second independent field score would.
    let body_only = r.hits[1].explanation.find("bm25f(flood)").unwrap().value;
    assert!(parts.value > body_only && parts.value < 2.0 * body_only);
}

#[test]
fn explain_reports_stems_fields_and_dropped_words() {
    let f = Fixture::new();
    f.write(
        "a.json",
        r#"{"headline": "Councils publish budgets", "body": "The councils of the region published their budgets for the year."}"#,
    );
    f.write(
        "b.json",
        r#"{"headline": "Weather", "body": "Rain all week in the region."}"#,
    );
    f.index_docs(&["--no-entities"]);
    let r = explained(
        &f,
        &[
            "--match",
            "any",
            "the budgets of the councils \"the region\"",
        ],
    );
    let leaf = |t: &str| r.explanation.leaves.iter().find(|l| l.text == t).unwrap();
    let budgets = leaf("budgets");
    assert_eq!(budgets.kind, "word");
    assert_eq!(budgets.role, "optional");
    assert_eq!(budgets.terms, vec!["budget"]);
    assert_eq!(budgets.fields, vec!["headline", "body"]);
    let the = leaf("the");
    assert!(
        the.dropped.as_deref().unwrap().contains("stop word"),
        "{the:?}"
    );
    // A phrase keeps its stop words and stays exact.
    let phrase = leaf("the region");
    assert_eq!(phrase.kind, "phrase");
    assert_eq!(phrase.terms, vec!["the", "region"]);
    assert!(phrase.dropped.is_none());
    assert_eq!(r.hits[0].path, "a.json");
    assert!(r.hits[0].explanation.value > 0.0);
    assert!(
        r.explanation
            .expansion
            .iter()
            .all(|e| e.weight > 0.0 && !e.term.is_empty())
    );
}

#[test]
fn feedback_rescores_but_never_changes_totals_or_facets() {
    let f = Fixture::new();
    for i in 0..12 {
        let topic = if i % 3 == 0 {
            "harbour cranes storm"
        } else {
            "bakery bread ovens"
        };
        f.write(
            &format!("a{i}.json"),
            format!(
                r#"{{"headline": "Story {i}", "body": "A story about {topic} number {i}.", "source": "Source {}"}}"#,
                i % 2
            ),
        );
    }
    f.index_docs(&["--no-entities"]);
    let with = f.search(&["--match", "any", "storm cranes harbour weather"]);
    let without = f.search(&[
        "--match",
        "any",
        "--ranking",
        "fb_docs=0",
        "storm cranes harbour weather",
    ]);
    assert_eq!(with.total, 4);
    assert_eq!(with.total, without.total);
    assert_eq!(with.facets, without.facets);
    let mut a: Vec<_> = with.hits.iter().map(|h| h.path.clone()).collect();
    let mut b: Vec<_> = without.hits.iter().map(|h| h.path.clone()).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // Typed two-word queries still need both words.
    assert_eq!(f.search(&["storm bakery"]).total, 0);
    // Phrases stay exact.
    assert_eq!(f.search(&["\"cranes harbour\""]).total, 0);
    assert_eq!(f.search(&["\"harbour cranes\""]).total, 4);
}

#[test]
fn bad_ranking_settings_are_usage_errors() {
    let f = Fixture::new();
    f.write("a.json", r#"{"headline": "A", "body": "b"}"#);
    f.index_docs(&["--no-entities"]);
    let out = f.run(&["search", "--ranking", "k9=1", "a"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("k9"));
}
