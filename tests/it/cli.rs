//! End-to-end tests of `newsdex index` and `newsdex search` on articles written to temp folders.
use crate::common::{Fixture, bin, contains_phrase};

/// A small archive with near-miss phrases, accents, stems, dates and several outlets.
fn archive() -> Fixture {
    let f = Fixture::new();
    f.write(
        "economy/boe.txt",
        "Bank of England holds rates\n\nThe Bank of England kept its main rate unchanged on Thursday.\n\nEconomists had expected the decision after inflation cooled in the spring.\n\nMeridian Wire\n",
    );
    f.write(
        "economy/banks.txt",
        "Regional banks report profits\n\nSeveral banks of England's northern towns reported higher profits this quarter.\n\nA bank England officials visited said lending was strong.\n\nNorthfield Courier\n",
    );
    f.write(
        "economy/inflation.txt",
        "Inflationary pressure eases\n\nPrices rose more slowly in March, and inflation expectations fell.\n\nThe central bank said it was watching the labour market closely.\n\nMeridian Wire\n",
    );
    f.write(
        "culture/cafe.txt",
        "Old café reopens on the harbour\n\nThe café, closed for two years, reopened with a new menu of regional dishes.\n\nThe Harbour Gazette\n",
    );
    f.write(
        "politics/election.txt",
        "Council election date set\n\nThe city council voted to hold the election in May. Candidates have until April to register.\n\nNorthfield Courier\n",
    );
    f.write(
        "politics/elections-review.txt",
        "Review of past elections published\n\nA review of the last three elections found turnout fell each time. The Bank of England was not mentioned.\n\nThe Harbour Gazette\n",
    );
    f.index_docs(&[]);
    f
}

#[test]
fn quoted_phrase_matches_exactly_and_nothing_near() {
    let f = archive();
    let r = f.search(&["\"bank of england\""]);
    let mut paths: Vec<&str> = r.hits.iter().map(|h| h.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["economy/boe.txt", "politics/elections-review.txt"]);
    for hit in &r.hits {
        assert!(!hit.marked().is_empty(), "{} has no highlight", hit.path);
        for m in hit.marked() {
            assert_eq!(
                m.to_lowercase(),
                "bank of england",
                "only the phrase is marked"
            );
        }
    }
}

#[test]
fn phrase_hit_count_equals_a_brute_force_scan() {
    let f = archive();
    for phrase in [
        "bank of england",
        "the central bank",
        "banks of england",
        "bank england",
        "café",
    ] {
        let expected = walk_count(&f.docs(), |text| contains_phrase(text, phrase));
        let r = f.search(&[&format!("\"{phrase}\"")]);
        assert_eq!(r.total as usize, expected, "phrase {phrase:?}");
    }
}

fn walk_count(dir: &std::path::Path, pred: impl Fn(&str) -> bool) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter(|e| pred(&String::from_utf8_lossy(&std::fs::read(e.path()).unwrap())))
        .count()
}

#[test]
fn unquoted_words_are_stemmed_and_accent_folded() {
    let f = archive();
    let r = f.search(&["elections"]);
    assert_eq!(r.total, 2, "election and elections both match");
    let r = f.search(&["cafe"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].headline_marked(), ["café"]);
}

#[test]
fn prefix_query_expands_and_is_highlighted() {
    let f = archive();
    let r = f.search(&["infla*"]);
    let mut paths: Vec<&str> = r.hits.iter().map(|h| h.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["economy/boe.txt", "economy/inflation.txt"]);
    let hit = r
        .hits
        .iter()
        .find(|h| h.path == "economy/inflation.txt")
        .unwrap();
    assert_eq!(hit.headline_marked(), ["Inflationary"]);
    assert!(
        hit.marked()
            .iter()
            .all(|m| m.to_lowercase().starts_with("infla"))
    );
}

#[test]
fn negated_words_exclude_and_are_never_highlighted() {
    let f = archive();
    let r = f.search(&["bank -inflation"]);
    assert!(
        r.hits
            .iter()
            .all(|h| h.path != "economy/boe.txt" && h.path != "economy/inflation.txt")
    );
    for hit in &r.hits {
        assert!(
            hit.marked()
                .iter()
                .all(|m| !m.to_lowercase().contains("inflation"))
        );
    }
    assert!(r.total >= 1);
}

#[test]
fn all_words_by_default_any_on_request() {
    let f = archive();
    let all = f.search(&["café election"]);
    assert_eq!(all.total, 0);
    let any = f.search(&["café election", "--match", "any"]);
    assert_eq!(any.total, 3);
}

#[test]
fn source_facets_sum_to_total_and_filter_by_source() {
    let f = archive();
    let r = f.search(&["", "--facet", "source,section"]);
    assert_eq!(r.total, 6);
    let sum: u64 = r.facets["source"].iter().map(|c| c.count).sum();
    assert_eq!(sum, r.total);
    let wire = r.facets["source"]
        .iter()
        .find(|c| c.value == "Meridian Wire")
        .unwrap();
    assert_eq!(wire.count, 2);
    let sections: u64 = r.facets["section"].iter().map(|c| c.count).sum();
    assert_eq!(sections, 6);
    let filtered = f.search(&["", "--source", "meridian wire"]);
    assert_eq!(filtered.total, 2);
    assert!(filtered.hits.iter().all(|h| h.source == "Meridian Wire"));
    let scoped = f.search(&["source:\"Northfield Courier\" bank"]);
    assert_eq!(scoped.total, 1);
}

#[test]
fn facets_count_the_whole_result_set_not_the_page() {
    let f = archive();
    let r = f.search(&["", "--limit", "1", "--facet", "source"]);
    assert_eq!(r.hits.len(), 1);
    let sum: u64 = r.facets["source"].iter().map(|c| c.count).sum();
    assert_eq!(sum, 6);
}

#[test]
fn reindexing_replaces_and_never_duplicates() {
    let f = archive();
    let before = f.search(&[""]).total;
    f.write(
        "economy/boe.txt",
        "Bank of England cuts rates\n\nThe Bank of England cut its main rate on Thursday.\n\nMeridian Wire\n",
    );
    f.index_docs(&[]);
    let after = f.search(&[""]);
    assert_eq!(after.total, before);
    let r = f.search(&["headline:cuts"]);
    assert_eq!(r.total, 1);
    assert_eq!(
        f.search(&["headline:holds"]).total,
        0,
        "the old version is gone"
    );
}

#[test]
fn malformed_query_is_an_error_with_a_position() {
    let f = archive();
    let out = f.run(&["search", "rates \"bank of"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("position 6"), "{err}");
    assert!(err.contains("unterminated quote"), "{err}");
    let out = f.run(&["search", "colour:red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field 'colour'"));
}

#[test]
fn no_index_is_a_clear_error() {
    let f = Fixture::new();
    let out = f.run(&["search", "anything"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no newsdex index"));
}

#[test]
fn no_results_exit_zero() {
    let f = archive();
    let out = f.run(&["search", "zeppelin"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 results"));
}

#[test]
fn headline_matches_rank_above_body_matches() {
    let f = Fixture::new();
    f.write("a.txt", "Harbour dredging plan approved\n\nWork starts next month on the channel.\n\nThe Harbour Gazette\n");
    f.write("b.txt", "Council meets on budget\n\nThe council also discussed dredging and other harbour works at length today.\n\nThe Harbour Gazette\n");
    f.index_docs(&[]);
    let r = f.search(&["dredging"]);
    assert_eq!(r.hits[0].path, "a.txt");
}

#[test]
fn date_filters_and_sorting() {
    let f = Fixture::new();
    for (name, date) in [
        ("a", "2024-01-15"),
        ("b", "2024-06-01"),
        ("c", "2025-02-20"),
    ] {
        f.write(
            &format!("{name}.md"),
            format!("---\ntitle: Tide report {name}\ndate: {date}\nsource: Coastline Radio News\n---\n\nThe tide was high today.\n"),
        );
    }
    f.index_docs(&[]);
    let r = f.search(&["tide", "--since", "2024-03", "--until", "2024-12-31"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].date.as_deref(), Some("2024-06-01"));
    let r = f.search(&["tide", "--sort", "newest"]);
    let dates: Vec<_> = r.hits.iter().map(|h| h.date.clone().unwrap()).collect();
    assert_eq!(dates, ["2025-02-20", "2024-06-01", "2024-01-15"]);
    let r = f.search(&["date:2024"]);
    assert_eq!(r.total, 2);
    let r = f.search(&["date:[2024-06-01 TO *]", "--sort", "oldest"]);
    assert_eq!(
        r.hits
            .iter()
            .map(|h| h.date.clone().unwrap())
            .collect::<Vec<_>>(),
        ["2024-06-01", "2025-02-20"]
    );
}

#[test]
fn bad_files_are_reported_with_their_path_and_the_rest_indexed() {
    let f = Fixture::new();
    f.write(
        "good.txt",
        "Ferry service resumes\n\nThe ferry runs again from Monday.\n",
    );
    f.write("empty.txt", "");
    f.write(
        "latin1.txt",
        b"Caf\xe9 prices rise\n\nThe caf\xe9 on the pier raised prices.\n",
    );
    f.write(
        "feed.jsonl",
        "{\"title\": \"Storm warning issued\", \"body\": \"A storm is expected tonight.\"}\n{not json\n{\"title\": \"Roads closed\", \"body\": \"Snow closed two roads.\"}\n",
    );
    let out = f.index_docs(&["--verbose"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("empty.txt"), "{err}");
    assert!(err.contains("feed.jsonl"), "{err}");
    let r = f.search(&[""]);
    assert_eq!(r.total, 4, "good, latin1 and two good JSON lines");
    let cafe = f.search(&["café"]);
    assert_eq!(cafe.total, 1);
    assert_eq!(cafe.hits[0].headline, "Café prices rise");
}

#[test]
fn snippets_are_bounded_in_characters_on_multibyte_text() {
    let f = Fixture::new();
    let para = "Le café du port était plein, et les pêcheurs parlaient de la marée. ".repeat(30);
    f.write("fr.txt", format!("Marée haute au port\n\n{para}\n"));
    f.index_docs(&[]);
    let r = f.search(&["pêcheurs"]);
    let hit = &r.hits[0];
    let fragments: Vec<&str> = hit.snippet.split(" … ").collect();
    assert!(fragments.len() <= 3);
    for frag in fragments {
        assert!(frag.chars().count() <= 180, "{frag}");
    }
    assert!(hit.marked().iter().all(|m| m == "pêcheurs"));
    assert!(
        hit.highlights
            .iter()
            .all(|[_, e]| *e <= hit.snippet.chars().count())
    );
}

#[test]
fn stats_reports_documents_and_sources() {
    let f = archive();
    let out = f.run(&["stats", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["documents"], 6);
    let sum: u64 = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 6);
    assert!(v["index_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn index_env_var_sets_the_location() {
    let f = archive();
    let out = bin()
        .args(["search", "--json", "café"])
        .env("NEWSDEX_INDEX", f.index())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 1);
}

#[test]
fn a_query_of_only_punctuation_matches_nothing_but_a_blank_query_browses() {
    let f = archive();
    assert_eq!(f.search(&["?? !!"]).total, 0);
    assert_eq!(f.search(&[" "]).total, 6);
}
