//! Ranking through the real binary: BM25F over headline and body, derived headlines, feedback
//! that re-scores without changing what matches and is gated per query, proximity, the second
//! pass's depth, and `--explain`.
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
    feedback: Option<FeedbackDecision>,
}

#[derive(Debug, Deserialize)]
struct FeedbackDecision {
    applied: bool,
    reason: Option<String>,
    matches: u64,
    gap: f32,
    agreement: f32,
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
    // Four words are too few for feedback by default; let through, four matches are fewer than
    // the ten documents feedback samples: nothing to learn from.
    let q = "storm cranes harbour weather";
    let short = explained(&f, &["--match", "any", q]).explanation.feedback;
    assert!(short.unwrap().reason.unwrap().contains("few words"));
    let decided = explained(&f, &["--match", "any", "--ranking", "fb_words=0", q]);
    let decision = decided.explanation.feedback.expect("feedback considered");
    assert!(!decision.applied);
    assert_eq!(decision.matches, 4);
    assert!(decision.reason.unwrap().contains("matches"));
    assert!(decided.explanation.expansion.is_empty());
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

/// Two articles of the same length holding "interest" and "rate" once each: together and in
/// order in one, far apart in the other.
fn adjacent_and_scattered() -> Fixture {
    let f = Fixture::new();
    f.write(
        "adjacent.json",
        format!(r#"{{"headline": "Bank news", "body": "Interest rate news today. {FILLER} closing words here."}}"#),
    );
    f.write(
        "scattered.json",
        format!(r#"{{"headline": "Bank news", "body": "Interest news today. {FILLER} closing words rate here."}}"#),
    );
    f.index_docs(&["--no-entities"]);
    f
}

#[test]
fn proximity_ranks_words_together_above_words_apart() {
    let f = adjacent_and_scattered();
    // Without proximity the two are the same to BM25F.
    let plain = f.search(&["--ranking", "prox=0", "interest rate"]);
    assert_eq!(plain.total, 2);
    assert!((plain.hits[0].score - plain.hits[1].score).abs() < 1e-4);
    for mode in ["all", "any"] {
        let r = explained(
            &f,
            &["--match", mode, "--ranking", "prox=0.3", "interest rate"],
        );
        assert_eq!(r.hits[0].path, "adjacent.json", "match {mode}");
        let near = r.hits[0]
            .explanation
            .find("near(interest rate)")
            .expect("the pair's part is explained");
        assert_eq!(near.find("in order, near").unwrap().value, 1.0);
        assert!(near.value > 0.0);
        // The scattered article's words are 17 positions apart: beyond the window.
        assert!(r.hits[1].explanation.find("near(interest rate)").is_none());
    }
    // Reversed, the words still meet, but out of order they count for less.
    let reversed = explained(&f, &["--ranking", "prox=0.3", "rate interest"]);
    assert_eq!(reversed.hits[0].path, "adjacent.json");
    let near = reversed.hits[0]
        .explanation
        .find("near(rate interest)")
        .unwrap();
    assert_eq!(near.find("within the window").unwrap().value, 1.0);
    let in_order = explained(&f, &["--ranking", "prox=0.3", "interest rate"]);
    let ordered = in_order.hits[0]
        .explanation
        .find("near(interest rate)")
        .unwrap();
    assert!(near.value < ordered.value);
    // Phrases stay exact: the scattered article does not match the quoted words.
    assert_eq!(f.search(&["\"interest rate\""]).total, 1);
}

/// Words two apart in the query ("interest" and "rate" around "bank") pair only when far pairs
/// are asked for, count wherever they meet within the window, and `--explain` names the part.
#[test]
fn query_words_further_apart_pair_only_when_asked_and_are_explained() {
    let f = adjacent_and_scattered();
    let query = "interest bank rate";
    for spec in ["prox=0", "prox=0,prox_far=0.3,prox_span=1"] {
        let plain = f.search(&["--ranking", spec, query]);
        assert_eq!(plain.total, 2, "{spec}");
        assert!(
            (plain.hits[0].score - plain.hits[1].score).abs() < 1e-4,
            "{spec}: no pair may lift either article"
        );
    }
    for mode in ["all", "any"] {
        let r = explained(
            &f,
            &[
                "--match",
                mode,
                "--ranking",
                "prox=0,prox_far=0.3,prox_span=2",
                query,
            ],
        );
        assert_eq!(r.hits[0].path, "adjacent.json", "match {mode}");
        let window = r.hits[0]
            .explanation
            .find("window(interest rate)")
            .expect("the far pair's part is explained");
        assert!(window.value > 0.0);
        assert_eq!(window.find("apart in the query").unwrap().value, 2.0);
        assert_eq!(window.find("in order, near").unwrap().value, 1.0);
        assert!(r.hits[0].explanation.find("proximity").unwrap().value > 0.0);
        // Neighbouring pairs are off (prox=0); the scattered article's words stand too far apart.
        assert!(r.hits[0].explanation.find("near(interest bank)").is_none());
        assert!(
            r.hits[1]
                .explanation
                .find("window(interest rate)")
                .is_none()
        );
    }
}

/// Fifteen articles that each hold "market" once, at the same length, each otherwise on a topic
/// of its own: the first pass shows no clear top.
fn flat_first_pass() -> Fixture {
    let f = Fixture::new();
    let topics = [
        "football league",
        "violin concert",
        "garden roses",
        "mountain railway",
        "chess final",
        "bakery ovens",
        "river ferry",
        "school choir",
        "city museum",
        "farm tractors",
        "harbour cranes",
        "desert rally",
        "opera house",
        "ski resort",
        "village fete",
    ];
    for (i, topic) in topics.iter().enumerate() {
        f.write(
            &format!("a{i}.json"),
            format!(r#"{{"headline": "Story {i}", "body": "A {topic} story from the market square this week.", "source": "Source {}"}}"#, i % 3),
        );
    }
    f.index_docs(&["--no-entities"]);
    f
}

#[test]
fn feedback_gate_stays_shut_when_the_first_pass_shows_no_clear_top() {
    let f = flat_first_pass();
    let args = |ranking: &str| -> Vec<String> {
        vec![
            "--match".into(),
            "any".into(),
            "--limit".into(),
            "20".into(),
            "--facet".into(),
            "source".into(),
            "--ranking".into(),
            ranking.into(),
            "market news".into(),
        ]
    };
    let run = |ranking: &str| {
        let a = args(ranking);
        explained(&f, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let shut = run("fb_words=0,fb_gap=1.1");
    let decision = shut.explanation.feedback.as_ref().expect("considered");
    assert_eq!(decision.matches, 15);
    // Every article scores alike: the sampled top stands no higher than the rest.
    assert!((decision.gap - 1.0).abs() < 1e-3, "{decision:?}");
    assert!(!decision.applied);
    assert!(decision.reason.as_deref().unwrap().contains("stand out"));
    assert!(shut.explanation.expansion.is_empty());
    // Shut, the ranking is the first pass's: the same order and scores as feedback off.
    let off = f.search(&[
        "--match",
        "any",
        "--limit",
        "20",
        "--ranking",
        "fb_docs=0",
        "market news",
    ]);
    let shut_plain = f.search(
        &args("fb_words=0,fb_gap=1.1")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let order = |r: &crate::common::Results| {
        r.hits
            .iter()
            .map(|h| (h.path.clone(), (h.score * 1e4).round() as i64))
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&shut_plain), order(&off));
    // Samples on fifteen topics agree on little: an agreement threshold shuts it too.
    let disagree = run("fb_words=0,fb_gap=0,fb_agree=0.6");
    let d = disagree.explanation.feedback.unwrap();
    assert!(d.agreement < 0.6, "{d:?}");
    assert!(!d.applied);
    assert!(d.reason.unwrap().contains("agree"));
    // Open, the same first pass is expanded, and totals and facets stay the first pass's.
    let open = run("fb_words=0,fb_gap=0,fb_agree=0");
    assert!(open.explanation.feedback.as_ref().unwrap().applied);
    assert!(!open.explanation.expansion.is_empty());
    let open_plain = f.search(
        &args("fb_words=0,fb_gap=0,fb_agree=0")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(open_plain.total, shut_plain.total);
    assert_eq!(open_plain.facets, shut_plain.facets);
    let parts = open.hits[0]
        .explanation
        .find("feedback")
        .expect("feedback part");
    assert!(
        parts
            .details
            .iter()
            .all(|d| d.description.starts_with("expansion("))
    );
}

#[test]
fn pages_past_the_second_pass_depth_cut_one_order() {
    let f = Fixture::new();
    for i in 0..24 {
        // Varying lengths and placements so first-pass and proximity orders differ.
        let pad = "more words ".repeat(i % 7);
        let body = if i % 2 == 0 {
            format!("interest rate {pad} report {i}")
        } else {
            format!("interest {pad} report {i} about the rate")
        };
        f.write(
            &format!("a{i:02}.json"),
            format!(r#"{{"headline": "Note {i}", "body": "{body}"}}"#),
        );
    }
    f.index_docs(&["--no-entities"]);
    let ranking = "depth=5,prox=0.3";
    let whole = f.search(&[
        "--match",
        "any",
        "--limit",
        "24",
        "--ranking",
        ranking,
        "interest rate",
    ]);
    assert_eq!(whole.total, 24);
    let mut paged = Vec::new();
    for offset in (0..24).step_by(4) {
        let page = f.search(&[
            "--match",
            "any",
            "--limit",
            "4",
            "--offset",
            &offset.to_string(),
            "--ranking",
            ranking,
            "interest rate",
        ]);
        assert_eq!(page.total, 24);
        paged.extend(page.hits.into_iter().map(|h| h.path));
    }
    let all: Vec<String> = whole.hits.iter().map(|h| h.path.clone()).collect();
    assert_eq!(paged, all, "every page cuts the same order");
    // Scores never rise down the list, across the depth too.
    assert!(
        whole
            .hits
            .windows(2)
            .all(|w| w[0].score >= w[1].score - 1e-5)
    );
}

/// Twenty short articles with "interest" and "rate" apart: on BM25F alone they score higher
/// than one longer article holding the words side by side, which proximity lifts above them all.
fn write_apart_notes(f: &Fixture) {
    for i in 0..20 {
        let pad = "more words ".repeat(i % 4);
        f.write(
            &format!("apart{i:02}.json"),
            format!(r#"{{"headline": "Note {i}", "body": "interest {pad}was set in the report number {i} long before the new rate"}}"#),
        );
    }
}

/// The article with "interest rate" side by side.
fn write_together(f: &Fixture) {
    f.write(
        "together.json",
        r#"{"headline": "Note", "body": "The interest rate was set again this week by the board of the central bank"}"#,
    );
}

/// Articles without the words, so that the words are not in every article (idf > 0).
fn write_others(f: &Fixture) {
    for i in 0..30 {
        f.write(
            &format!("other{i:02}.json"),
            format!(r#"{{"headline": "Other {i}", "body": "A story about something else entirely, number {i}"}}"#),
        );
    }
}

/// Each hit's path and score to four places: what two orders of the same hits must share.
fn cut(hits: &[crate::common::Hit]) -> Vec<(String, i64)> {
    hits.iter()
        .map(|h| (h.path.clone(), (h.score * 1e4).round() as i64))
        .collect()
}

/// Regression for the second pass reading positions only where they can change the page
/// (issue 27): a page cut after re-scoring the page's own candidates and those that can still
/// climb into it must be the same as the page cut from re-scoring every candidate.
#[test]
fn a_page_of_proximity_is_the_full_second_pass_cut_short() {
    let f = Fixture::new();
    write_apart_notes(&f);
    write_together(&f);
    write_others(&f);
    f.index_docs(&["--no-entities"]);
    let plain = f.search(&["--limit", "21", "--ranking", "prox=0", "interest rate"]);
    let first_pass_place = plain
        .hits
        .iter()
        .position(|h| h.path == "together.json")
        .unwrap();
    assert!(
        first_pass_place >= 3,
        "below the first page without proximity"
    );
    for mode in ["all", "any"] {
        let whole = f.search(&["--match", mode, "--limit", "21", "interest rate"]);
        assert_eq!(whole.hits[0].path, "together.json", "match {mode}");
        let mut paged = Vec::new();
        for offset in (0..21).step_by(3) {
            let page = f.search(&[
                "--match",
                mode,
                "--limit",
                "3",
                "--offset",
                &offset.to_string(),
                "interest rate",
            ]);
            assert_eq!(page.total, 21);
            paged.extend(page.hits);
        }
        assert_eq!(cut(&paged), cut(&whole.hits), "match {mode}");
        // The page's hits carry their whole score: the climber's explanation has its pair.
        let top = explained(&f, &["--match", mode, "--limit", "1", "interest rate"]);
        assert_eq!(top.hits[0].path, "together.json");
        assert!(
            top.hits[0]
                .explanation
                .find("near(interest rate)")
                .is_some()
        );
    }
}

/// Guard for any bound on what the second pass re-scores (issue 27: a first pass kept to what
/// can climb was tried): a hit far below the page on BM25F alone, in a segment of its own, must
/// still be re-scored and lifted onto page one, and a page of three must be the top three of the
/// whole depth's order.
#[test]
fn a_first_pass_kept_to_what_can_climb_still_lifts_a_low_hit_onto_page_one() {
    let f = Fixture::new();
    write_apart_notes(&f);
    write_others(&f);
    f.index_docs(&["--no-entities"]);
    // A second run adds a segment: the climber, and hits too far below to climb at all.
    write_together(&f);
    for i in 0..10 {
        f.write(
            &format!("deep{i:02}.json"),
            format!(
                r#"{{"headline": "Deep {i}", "body": "interest {} rate"}}"#,
                FILLER.repeat(12)
            ),
        );
    }
    f.index_docs(&["--no-entities"]);
    let plain = f.search(&["--limit", "31", "--ranking", "prox=0", "interest rate"]);
    assert_eq!(plain.total, 31);
    let place = plain
        .hits
        .iter()
        .position(|h| h.path == "together.json")
        .unwrap();
    assert!(
        place >= 3,
        "below the first page without proximity: {place}"
    );
    for mode in ["all", "any"] {
        let page = f.search(&["--match", mode, "--limit", "3", "interest rate"]);
        assert_eq!(page.total, 31, "match {mode}");
        assert_eq!(page.hits[0].path, "together.json", "match {mode}");
        let whole = explained(&f, &["--match", mode, "--limit", "3", "interest rate"]);
        let paths: Vec<&str> = whole.hits.iter().map(|h| h.path.as_str()).collect();
        let shown: Vec<&str> = page.hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(shown, paths, "match {mode}");
        let all = f.search(&["--match", mode, "--limit", "31", "interest rate"]);
        assert_eq!(cut(&page.hits), cut(&all.hits[..3]), "match {mode}");
    }
}
