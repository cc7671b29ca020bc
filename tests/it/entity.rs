//! Entity pages (`newsdex entity`, `/api/entity`): the fixture `entity-page` is eight short
//! articles in three sources over three months (one undated) about a mayor, Helena Marsh, a
//! committee chair who appears with her in two of his three articles, a council named five times
//! in three of her articles, and "Bristol", filed as a place in two articles and as an
//! organisation in one. Counts below are those of the fixture's text, counted by hand.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::common::{Fixture, copy_fixtures};
use crate::opensearch::{Remote, ok};
use crate::server::{Server, enc};

#[derive(Debug, Deserialize, PartialEq)]
pub struct Page {
    pub name: String,
    pub kind: String,
    pub articles: u64,
    pub other_kinds: Vec<KindCount>,
    pub timeline: Timeline,
    pub sources: Vec<Count>,
    pub co_mentions: BTreeMap<String, Vec<Count>>,
    pub latest: Vec<ArticleRef>,
    pub merged_names: Vec<MergedName>,
    pub merged_names_from: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct KindCount {
    pub kind: String,
    pub articles: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Timeline {
    pub interval: String,
    pub buckets: Vec<Bucket>,
    pub undated: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Bucket {
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct ArticleRef {
    pub id: String,
    pub headline: String,
    pub source: String,
    pub date: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct MergedName {
    pub name: String,
    pub articles: u64,
    pub by: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Unknown {
    pub name: String,
    pub kind: Option<String>,
    pub articles: u64,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Suggestion {
    pub name: String,
    pub kind: String,
    pub articles: u64,
}

/// The fixture articles, indexed (with entities) into the fixture's own index.
pub fn indexed() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "entity-page");
    f.index_docs(&["--quiet"]);
    f
}

fn json_of(f: &Fixture, args: &[&str]) -> serde_json::Value {
    let out = ok(f.run(&[&["entity", "--json"], args].concat()), "entity");
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn page(f: &Fixture, args: &[&str]) -> Page {
    serde_json::from_value(json_of(f, args)).expect("an entity page")
}

fn counts(list: &[(&str, u64)]) -> Vec<Count> {
    list.iter()
        .map(|(v, c)| Count {
            value: v.to_string(),
            count: *c,
        })
        .collect()
}

/// The page of Helena Marsh as the fixture's text gives it.
fn check_marsh(p: &Page) {
    assert_eq!(
        (p.name.as_str(), p.kind.as_str()),
        ("Helena Marsh", "person")
    );
    assert_eq!(p.articles, 6);
    assert!(p.other_kinds.is_empty(), "{:?}", p.other_kinds);
    let months: Vec<(&str, u64)> = p
        .timeline
        .buckets
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(p.timeline.interval, "month");
    assert_eq!(months, [("2024-01", 2), ("2024-02", 1), ("2024-03", 2)]);
    assert_eq!(p.timeline.undated, 1, "the festival story has no date");
    assert_eq!(
        p.sources,
        counts(&[
            ("Meridian Wire", 3),
            ("Harbour Gazette", 2),
            ("Capital Ledger", 1)
        ])
    );
    // Tom Fielding is in three articles, two of them with her; the council is named five times
    // in three of hers: both are counted in articles, and she is never listed beside herself.
    assert_eq!(p.co_mentions["person"], counts(&[("Tom Fielding", 2)]));
    assert_eq!(
        p.co_mentions["org"].first(),
        Some(&Count {
            value: "Bristol City Council".into(),
            count: 3
        })
    );
    assert!(
        p.co_mentions["org"].contains(&Count {
            value: "Bank of England".into(),
            count: 1
        }),
        "{:?}",
        p.co_mentions["org"]
    );
    let dates: Vec<Option<&str>> = p.latest.iter().map(|a| a.date.as_deref()).collect();
    assert_eq!(
        dates,
        [
            Some("2024-03-20"),
            Some("2024-03-02"),
            Some("2024-02-14"),
            Some("2024-01-25"),
            Some("2024-01-10"),
            None
        ],
        "newest first, the undated last"
    );
    assert_eq!(p.latest[0].headline, "City bonds draw strong demand");
    // "Marsh said" and "Ms Marsh" in two articles: the short mention folded into the full name.
    assert_eq!(
        p.merged_names,
        [MergedName {
            name: "Marsh".into(),
            articles: 2,
            by: "text".into()
        }]
    );
    assert_eq!(p.merged_names_from, 6);
}

#[test]
fn entity_page_counts_months_sources_and_co_mentions_in_articles() {
    let f = indexed();
    let p = page(&f, &["Helena Marsh", "--interval", "month"]);
    check_marsh(&p);
    // The same figures as the searches they summarise.
    let both = f.search(&["", "--person", "Helena Marsh", "--person", "Tom Fielding"]);
    assert_eq!(both.total, 2);
    let hers = f.search(&["", "--person", "Helena Marsh", "--facet", "source"]);
    assert_eq!(hers.total, p.articles);
    let summed: u64 = p.timeline.buckets.iter().map(|b| b.count).sum();
    assert_eq!(summed + p.timeline.undated, p.articles);
    // --top and --latest bound the lists.
    let short = page(&f, &["Helena Marsh", "--top", "1", "--latest", "2"]);
    assert_eq!(short.sources, counts(&[("Meridian Wire", 3)]));
    assert_eq!(short.co_mentions["org"].len(), 1);
    assert_eq!(short.latest.len(), 2);
    assert_eq!(short.latest[0].id, p.latest[0].id);
}

#[test]
fn ambiguous_name_takes_the_kind_with_most_articles_and_lists_the_others() {
    let f = indexed();
    let place = page(&f, &["Bristol"]);
    assert_eq!((place.kind.as_str(), place.articles), ("place", 2));
    assert_eq!(
        place.other_kinds,
        [KindCount {
            kind: "org".into(),
            articles: 1
        }]
    );
    assert_eq!(place.sources, counts(&[("Harbour Gazette", 2)]));
    let org = page(&f, &["Bristol", "--kind", "org"]);
    assert_eq!((org.kind.as_str(), org.articles), ("org", 1));
    assert_eq!(
        org.other_kinds,
        [KindCount {
            kind: "place".into(),
            articles: 2
        }]
    );
    assert_eq!(org.latest.len(), 1);
    assert_eq!(org.latest[0].headline, "Rail link talks stall");
}

#[test]
fn unknown_name_says_so_offers_names_with_its_words_and_exits_zero() {
    let f = indexed();
    let out = f.run(&["entity", "Nobody Here"]);
    assert_eq!(out.status.code(), Some(0), "like a search without hits");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "no article mentions \"Nobody Here\""
    );
    let surname: Unknown = serde_json::from_value(json_of(&f, &["Marsh"])).unwrap();
    assert_eq!(surname.articles, 0);
    // Tom Fielding shares her articles but not her words: he is no suggestion.
    assert_eq!(
        surname.suggestions,
        [Suggestion {
            name: "Helena Marsh".into(),
            kind: "person".into(),
            articles: 6
        }]
    );
    let human = ok(f.run(&["entity", "Marsh"]), "entity Marsh");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Helena Marsh (person, 6 articles)"), "{text}");
    // A wrong kind is unknown too, and the suggestion names the right one.
    let wrong: Unknown =
        serde_json::from_value(json_of(&f, &["Tom Fielding", "--kind", "place"])).unwrap();
    assert_eq!(wrong.kind.as_deref(), Some("place"));
    assert_eq!(wrong.suggestions[0].kind, "person");
    // Another case of a name that exists is that name.
    let lower = page(&f, &["helena MARSH", "--interval", "month"]);
    check_marsh(&lower);
    // Quotes and operators in a name are words to look for, never query syntax.
    let odd = ok(f.run(&["entity", "\"Marsh (OR* -"]), "entity with quotes");
    assert!(
        String::from_utf8_lossy(&odd.stdout).starts_with("no article mentions \"\"Marsh (OR* -\""),
        "{}",
        String::from_utf8_lossy(&odd.stdout)
    );
    let bad = f.run(&["entity", "Bristol", "--kind", "company"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn human_output_shows_the_page_in_lines() {
    let f = indexed();
    let out = ok(
        f.run(&["entity", "Helena Marsh", "--interval", "month"]),
        "entity",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Helena Marsh (person) · 6 articles");
    assert!(
        lines[1].starts_with("date: 2024-01 ") && lines[1].contains("1 undated"),
        "{text}"
    );
    assert!(
        lines.contains(&"sources: Meridian Wire (3), Harbour Gazette (2), Capital Ledger (1)"),
        "{text}"
    );
    assert!(lines.contains(&"people: Tom Fielding (2)"), "{text}");
    assert!(
        lines.contains(&"also written: Marsh (2) (in the 6 latest articles)"),
        "{text}"
    );
    let latest = lines.iter().position(|l| *l == "latest:").expect("latest");
    assert_eq!(lines.len() - latest - 1, 6, "{text}");
    assert!(lines[latest + 1].contains("City bonds draw strong demand · Capital Ledger"));
}

#[test]
fn api_serves_the_cli_page_and_names_bad_parameters() {
    let f = indexed();
    let server = Server::start(&f.index());
    let cli = json_of(&f, &["Bristol", "--interval", "week"]);
    let api = server.json(&format!(
        "/api/entity?name={}&interval=week",
        enc("Bristol")
    ));
    assert_eq!(api, cli);
    let marsh: Page = serde_json::from_value(server.json(&format!(
        "/api/entity?name={}&kind=person&interval=month",
        enc("Helena Marsh")
    )))
    .unwrap();
    check_marsh(&marsh);
    let unknown = server.json("/api/entity?name=Marsh");
    assert_eq!(unknown["articles"], 0);
    assert_eq!(unknown["suggestions"][0]["name"], "Helena Marsh");
    for (query, words) in [
        ("/api/entity?kind=person", "name"),
        ("/api/entity?name=x&kind=company", "kind"),
        ("/api/entity?name=x&top=0", "top"),
        ("/api/entity?name=x&q=y", "unknown parameter"),
    ] {
        let reply = server.get(query);
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(reply.body.contains(words), "{query}: {}", reply.body);
    }
    let page = server.get("/entity?name=Bristol");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"entity\""), "the page has its view");
}

/// The OpenSearch engine gives the same pages, through the same backend boundary.
#[test]
fn opensearch_engine_gives_the_same_entity_pages() {
    let Some(remote) = Remote::for_test("entity") else {
        return;
    };
    let f = indexed();
    ok(
        f.run(&[
            "index",
            f.docs().to_str().unwrap(),
            "--quiet",
            "--engine",
            &remote.url(),
        ]),
        "index into OpenSearch",
    );
    let url = remote.url();
    for args in [
        vec!["Helena Marsh", "--interval", "month"],
        vec!["Bristol"],
        vec!["Bristol", "--kind", "org"],
        vec!["helena marsh", "--interval", "month"],
        vec!["Marsh"],
    ] {
        let embedded = json_of(&f, &args);
        let remote_args = [args.as_slice(), &["--engine", &url]].concat();
        let engine = json_of(&f, &remote_args);
        assert_eq!(engine, embedded, "{args:?}");
    }
}
