//! Timelines (`--facet date`): exact counts over the whole result set, bucket by bucket equal to
//! a count of the hits' own dates, from the CLI and the API alike.
use serde::Deserialize;

use crate::common::Fixture;
use crate::export::archive;
use crate::server::{Corpus, Server};

#[derive(Debug, Deserialize)]
struct Searched {
    total: u64,
    hits: Vec<DatedHit>,
    timeline: Timeline,
}

#[derive(Debug, Deserialize)]
struct DatedHit {
    date: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Timeline {
    interval: String,
    buckets: Vec<Bucket>,
    undated: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Bucket {
    label: String,
    start: String,
    end: String,
    count: u64,
}

fn timeline(f: &Fixture, query: &str, interval: &str) -> Searched {
    let out = f.run(&[
        "search",
        query,
        "--json",
        "--facet",
        "date",
        "--interval",
        interval,
        "--limit",
        "1000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("search JSON with a timeline")
}

/// The hits' dates counted by hand into the buckets' own ranges.
fn counted_by_hand(s: &Searched) -> Vec<u64> {
    s.timeline
        .buckets
        .iter()
        .map(|b| {
            s.hits
                .iter()
                .filter_map(|h| h.date.as_deref())
                .filter(|d| *d >= b.start.as_str() && *d <= b.end.as_str())
                .count() as u64
        })
        .collect()
}

#[test]
fn histogram_counts_sum_to_the_total_and_match_the_hits_dates() {
    let f = archive();
    f.write(
        "late/undated.txt",
        "Harbour levy rethink\n\nThe harbour levy will be looked at again.\n",
    );
    f.index_docs(&["--no-entities", "--quiet"]);
    for (query, interval, expect) in [
        ("harbour levy", "month", "month"),
        ("harbour levy", "week", "week"),
        ("", "day", "day"),
        ("regatta", "year", "year"),
        ("harbour levy", "auto", "week"),
    ] {
        let s = timeline(&f, query, interval);
        assert!(s.total as usize <= s.hits.len(), "every hit fits one page");
        assert_eq!(s.timeline.interval, expect, "{query} by {interval}");
        let summed: u64 = s.timeline.buckets.iter().map(|b| b.count).sum();
        assert_eq!(
            summed + s.timeline.undated,
            s.total,
            "{query} by {interval}"
        );
        assert_eq!(
            s.timeline
                .buckets
                .iter()
                .map(|b| b.count)
                .collect::<Vec<_>>(),
            counted_by_hand(&s),
            "{query} by {interval}"
        );
        let undated = s.hits.iter().filter(|h| h.date.is_none()).count() as u64;
        assert_eq!(s.timeline.undated, undated);
        // Buckets follow each other without gaps or overlaps.
        for w in s.timeline.buckets.windows(2) {
            assert!(w[0].end < w[1].start, "{:?}", w);
        }
    }
    let months = timeline(&f, "harbour levy", "month");
    let labels: Vec<&str> = months
        .timeline
        .buckets
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels.first(), Some(&"2024-01"));
    // December holds only regatta stories (every fourth article), none about the levy.
    assert_eq!(labels.last(), Some(&"2024-11"));
    assert_eq!(
        months.timeline.undated, 1,
        "the undated article is counted apart"
    );
}

#[test]
fn human_output_draws_a_sparkline_and_bad_intervals_are_refused() {
    let f = archive();
    let out = f.run(&[
        "search",
        "",
        "--facet",
        "date",
        "--interval",
        "month",
        "--limit",
        "0",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("date: "))
        .unwrap_or_else(|| panic!("no timeline line in {text}"));
    assert!(line.starts_with("date: 2024-01 "), "{line}");
    assert!(line.contains(" 2024-12 (by month"), "{line}");
    let bars = line.chars().filter(|c| ('▁'..='█').contains(c)).count();
    assert_eq!(bars, 12, "one bar a month: {line}");
    let bad = f.run(&["search", "x", "--facet", "date", "--interval", "fortnight"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fortnight"));
}

#[test]
fn api_timeline_matches_the_cli_and_names_bad_intervals() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let body = server.json("/api/search?q=ceasefire&facet=date&facet=source&interval=day");
    let timeline: Timeline = serde_json::from_value(body["timeline"].clone()).unwrap();
    let summed: u64 = timeline.buckets.iter().map(|b| b.count).sum();
    assert_eq!(summed + timeline.undated, body["total"].as_u64().unwrap());
    assert!(
        body["facets"]["source"].is_array(),
        "other facets still counted"
    );
    let plain = server.json("/api/search?q=ceasefire");
    assert!(plain.get("timeline").is_none(), "no timeline unless asked");
    let bad = server.get("/api/search?facet=date&interval=fortnight");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("interval"), "{}", bad.body);
}
