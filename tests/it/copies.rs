//! Copies of one story: a wire story republished by five outlets with small edits is one hit
//! with its copies counted, stories on the same topic stay apart, and groups stay right through
//! added copies, deletions, edits and `--rebuild`.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::common::Fixture;

/// The wire story's paragraphs (fictional, as everything in tests).
pub const WIRE: [&str; 7] = [
    "Engineers at the Port of Kellerby began lowering the first steel gate of the new tidal barrier on Tuesday, three years after the storm surge that flooded the old town and closed the ferry terminal for a month.",
    "The gate, forty metres wide and weighing nearly two thousand tonnes, was floated down the estuary from the Halvern shipyard on a pair of barges before dawn, watched by a crowd of residents along the sea wall.",
    "Harbour master Ingrid Solberg said the barrier would protect eleven thousand homes and the container quay from surges up to four metres above the highest spring tide recorded in the last century.",
    "The council borrowed most of the money for the scheme from a regional infrastructure fund, and critics on the opposition benches have warned that repayments will squeeze spending on schools and buses for a decade.",
    "Contractors expect to fit the remaining five gates before the winter storm season, when the barrier will be tested against a full spring tide with the gates closed for the first time.",
    "Fishing crews who use the inner harbour will have to time their departures around the closures, and the cooperative representing them has asked for compensation for every tide on which the gates stay shut.",
    "A public viewing platform on the northern pier is due to open in the spring, along with a small exhibition about the floods that damaged the harbour and the market hall three winters ago.",
];

/// The paragraph one outlet adds.
const ADDED: &str = "Local schools were invited to name the gates, and the first will carry the name chosen by pupils at Kellerby Primary.";

/// Two other stories about the same barrier: same topic, their own text.
const OTHER_STORIES: [(&str, &str, &str); 2] = [
    (
        "Barrier bill doubles as council seeks more time",
        "Capital Ledger",
        "The cost of the Kellerby tidal barrier has doubled since the scheme was approved, according to figures published by the council's audit committee on Monday. The committee blamed the price of steel, delays at the Halvern shipyard and a redesign of the gate hinges after tests in a wave tank showed them wearing faster than expected. Opposition councillors want the remaining work paused until an independent review reports, while the harbour authority insists that any delay would leave the old town exposed for another winter. Repayments on the infrastructure loan start next year and will rise each year for the following decade, the figures show, with the first instalment falling due in April.",
    ),
    (
        "Fishing crews fear lost tides behind the new gates",
        "Northfield Courier",
        "Fishing families in Kellerby say the new tidal barrier could cost them dozens of working tides a year once its gates begin closing for surges and tests. Skippers at the inner harbour described early starts and missed markets during the trial closures last month, and the cooperative that sells their catch has written to the harbour authority asking for compensation for every tide lost. The authority says closures will be rare and announced days in advance, but crews point out that the worst weather for the town is also the best for the price of fish. A meeting between the two sides is planned at the market hall next week, chaired by the local member of parliament.",
    ),
];

/// The five outlets' versions: a new headline, a trimmed last paragraph, an added line, or all three.
fn versions() -> Vec<(&'static str, &'static str, String)> {
    let full = WIRE.join("\n\n");
    let trimmed = WIRE[..WIRE.len() - 1].join("\n\n");
    let added = format!(
        "{}\n\n{ADDED}\n\n{}",
        WIRE[..3].join("\n\n"),
        WIRE[3..].join("\n\n")
    );
    vec![
        (
            "Meridian Wire",
            "First gate of Kellerby tidal barrier lowered into place",
            full.clone(),
        ),
        (
            "Harbour Gazette",
            "Kellerby's giant flood gate arrives by barge",
            full,
        ),
        (
            "Coastline Radio News",
            "First gate of Kellerby tidal barrier lowered into place",
            trimmed.clone(),
        ),
        (
            "Estuary Times",
            "First gate of Kellerby tidal barrier lowered into place",
            added,
        ),
        (
            "Valley Post",
            "Town watches as flood barrier gate goes in",
            format!("{trimmed}\n\n{ADDED}"),
        ),
    ]
}

fn markdown(headline: &str, source: &str, body: &str) -> String {
    format!("---\ntitle: \"{headline}\"\nsource: {source}\ndate: 2025-10-14\n---\n\n{body}\n")
}

/// The five copies under `wire/`, the two other stories under `other/`.
pub fn write_story(f: &Fixture) {
    for (n, (source, headline, body)) in versions().into_iter().enumerate() {
        f.write(
            &format!("wire/copy{n}.md"),
            markdown(headline, source, &body),
        );
    }
    for (n, (headline, source, body)) in OTHER_STORIES.iter().enumerate() {
        f.write(
            &format!("other/story{n}.md"),
            markdown(headline, source, body),
        );
    }
}

#[derive(Debug, Deserialize)]
pub struct Results {
    pub total: u64,
    pub hits: Vec<Hit>,
    #[serde(default)]
    pub collapsed: bool,
    pub facets: BTreeMap<String, Vec<crate::common::FacetCount>>,
}

#[derive(Debug, Deserialize)]
pub struct Hit {
    pub path: String,
    pub source: String,
    pub group: Option<String>,
    pub copies: usize,
    pub copy_sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct IndexReport {
    copy_groups: usize,
    articles_in_copy_groups: usize,
    #[serde(default)]
    articles_added: u64,
}

pub fn search(f: &Fixture, args: &[&str]) -> Results {
    let out = f.run(&[&["search", "--json", "--facet", "source"], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("search JSON")
}

fn index(f: &Fixture, extra: &[&str]) -> IndexReport {
    let out = f.index_docs(&[&["--json", "--no-entities"], extra].concat());
    serde_json::from_slice(&out.stdout).expect("index JSON")
}

/// Every article's group, by path, from an uncollapsed listing.
pub fn groups_by_path(r: &Results) -> BTreeMap<String, Option<String>> {
    r.hits
        .iter()
        .map(|h| (h.path.clone(), h.group.clone()))
        .collect()
}

const QUERY: &str = "kellerby barrier";

/// A sixth outlet's copy, indexed in a later run: the whole story and a credit line.
fn write_sixth_copy(f: &Fixture) {
    let full = WIRE.join("\n\n");
    let body = format!("{full}\n\nLowland Herald staff contributed.");
    f.write(
        "late/copy5.md",
        markdown("Barrier gate lowered at Kellerby", "Lowland Herald", &body),
    );
}

/// The one collapsed hit that has copies.
fn with_copies(r: &Results) -> &Hit {
    r.hits
        .iter()
        .find(|h| h.copies > 0)
        .expect("a hit with copies")
}

#[test]
fn one_story_in_five_outlets_is_one_hit_with_four_copies() {
    let f = Fixture::new();
    write_story(&f);
    let report = index(&f, &[]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 5));

    let r = search(&f, &[QUERY]);
    assert!(r.collapsed);
    // Totals and facets count articles; the page shows stories.
    assert_eq!(r.total, 7);
    let counted: u64 = r.facets["source"].iter().map(|c| c.count).sum();
    assert_eq!(counted, 7);
    assert_eq!(r.hits.len(), 3, "{:?}", r.hits);
    let wire: Vec<&Hit> = r
        .hits
        .iter()
        .filter(|h| h.path.starts_with("wire/"))
        .collect();
    assert_eq!(wire.len(), 1, "{:?}", r.hits);
    assert_eq!(wire[0].copies, 4);
    let mut all_sources: Vec<&str> = wire[0].copy_sources.iter().map(String::as_str).collect();
    all_sources.push(&wire[0].source);
    all_sources.sort();
    assert_eq!(
        all_sources,
        [
            "Coastline Radio News",
            "Estuary Times",
            "Harbour Gazette",
            "Meridian Wire",
            "Valley Post"
        ]
    );
    for other in r.hits.iter().filter(|h| h.path.starts_with("other/")) {
        assert_eq!((other.copies, &other.group), (0, &None), "{other:?}");
    }

    // Uncollapsed: every article, the five sharing one group.
    let all = search(&f, &[QUERY, "--no-collapse"]);
    assert!(!all.collapsed);
    assert_eq!(all.hits.len(), 7);
    assert!(all.hits.iter().all(|h| h.copies == 0));
    let group = wire[0].group.clone().expect("the wire story has a group");
    let members = search(&f, &["", "--group", &group, "--no-collapse"]);
    let mut paths: Vec<&str> = members.hits.iter().map(|h| h.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "wire/copy0.md",
            "wire/copy1.md",
            "wire/copy2.md",
            "wire/copy3.md",
            "wire/copy4.md"
        ]
    );

    // The human output names the copies.
    let out = f.run(&["search", QUERY, "--facet", "source"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("+4 copies: "), "{text}");
    assert!(text.contains(&format!("--group {group}")), "{text}");
}

#[test]
fn copies_count_only_members_the_search_matches() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    // Only the two versions with the added line mention the pupils.
    let r = search(&f, &["pupils kellerby"]);
    assert_eq!(r.total, 2);
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].copies, 1);
}

#[test]
fn a_new_copy_joins_and_deleting_the_best_ranked_keeps_the_rest_grouped() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    write_sixth_copy(&f);
    let report = index(&f, &[]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 6));
    let r = search(&f, &[QUERY]);
    let best = with_copies(&r);
    assert_eq!(best.copies, 5);

    std::fs::remove_file(f.docs().join(&best.path)).unwrap();
    let report = index(&f, &[]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 5));
    let r2 = search(&f, &[QUERY]);
    let next = with_copies(&r2);
    assert_eq!(next.copies, 4);
    assert_ne!(next.path, best.path);
    let all = search(&f, &[QUERY, "--no-collapse"]);
    let groups: std::collections::BTreeSet<_> = all
        .hits
        .iter()
        .filter(|h| h.path.contains("copy"))
        .map(|h| h.group.clone())
        .collect();
    assert_eq!(groups.len(), 1, "{:?}", all.hits);
    assert!(groups.iter().all(Option::is_some));
}

#[test]
fn an_edited_member_leaves_its_group_and_the_others_stay() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    // The outlet replaced the wire text with a report of its own.
    let own = "Coastline Radio News spent the morning on the sea wall with the families who lost \
        their shops in the floods three winters ago. Most said they would believe in the barrier \
        only when it had held back a real storm, and several described the years of insurance \
        claims, temporary premises and empty streets that followed the surge. The baker on Quay \
        Street reopened last spring after rebuilding her ovens on a raised floor, and she said the \
        sight of the gate arriving by barge was the first good news the street had heard in years.";
    f.write(
        "wire/copy2.md",
        markdown(
            "Shopkeepers wait to trust the gate",
            "Coastline Radio News",
            own,
        ),
    );
    let report = index(&f, &[]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 4));
    let groups = groups_by_path(&search(&f, &["", "--no-collapse", "--limit", "50"]));
    assert_eq!(groups["wire/copy2.md"], None);
    let wire: std::collections::BTreeSet<_> = groups
        .iter()
        .filter(|(p, _)| p.starts_with("wire/") && *p != "wire/copy2.md")
        .map(|(_, g)| g.clone())
        .collect();
    assert_eq!(wire.len(), 1);
    assert!(wire.iter().all(Option::is_some));
}

#[test]
fn rebuild_gives_the_groups_of_the_incremental_runs() {
    let f = Fixture::new();
    // Built in three runs: two copies, then the rest, then one deleted.
    let versions = versions();
    for (n, (source, headline, body)) in versions.iter().enumerate().take(2) {
        f.write(
            &format!("wire/copy{n}.md"),
            markdown(headline, source, body),
        );
    }
    index(&f, &[]);
    write_story(&f);
    index(&f, &[]);
    std::fs::remove_file(f.docs().join("wire/copy0.md")).unwrap();
    index(&f, &[]);
    let listing = ["", "--no-collapse", "--limit", "50"];
    let incremental = groups_by_path(&search(&f, &listing));
    let report = index(&f, &["--rebuild"]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 4));
    let rebuilt = groups_by_path(&search(&f, &listing));
    assert_eq!(incremental, rebuilt);
    assert_eq!(rebuilt.values().filter(|g| g.is_some()).count(), 4);
}

#[test]
fn export_writes_every_article_with_its_group() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    let out = f.run(&[
        "export",
        QUERY,
        "--format",
        "jsonl",
        "--fields",
        "path,group",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 7);
    let grouped: Vec<&serde_json::Value> = rows.iter().filter(|r| r["group"].is_string()).collect();
    assert_eq!(grouped.len(), 5);
    assert!(grouped.iter().all(|r| r["group"] == grouped[0]["group"]));
    assert!(
        grouped
            .iter()
            .all(|r| r["path"].as_str().unwrap().starts_with("wire/"))
    );
}

#[test]
fn the_api_collapses_and_collapse_false_or_a_group_undoes_it() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    let server = crate::server::Server::start(&f.index());
    let collapsed = server.json(&format!("/api/search?q={}", crate::server::enc(QUERY)));
    assert_eq!(collapsed["total"], 7);
    assert_eq!(collapsed["hits"].as_array().unwrap().len(), 3);
    let best = collapsed["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["copies"] == 4)
        .expect("a hit with four copies");
    let group = best["group"].as_str().unwrap();
    let all = server.json(&format!(
        "/api/search?q={}&collapse=false",
        crate::server::enc(QUERY)
    ));
    assert_eq!(all["hits"].as_array().unwrap().len(), 7);
    let members = server.json(&format!(
        "/api/search?q={}&group={group}&collapse=false",
        crate::server::enc(QUERY)
    ));
    assert_eq!(members["total"], 5);
    assert_eq!(members["hits"].as_array().unwrap().len(), 5);
    let bad = server.get("/api/search?q=x&collapse=maybe");
    assert_eq!(bad.status, 400);
}

/// The embedded index's operation count (tantivy's `opstamp` in `meta.json`): one per document
/// added, per delete and per commit, so an article written twice shows in it even after merges
/// have dropped the deleted version.
fn operations(f: &Fixture) -> u64 {
    #[derive(Deserialize)]
    struct Meta {
        opstamp: u64,
    }
    let text = std::fs::read_to_string(f.index().join("meta.json")).expect("meta.json");
    serde_json::from_str::<Meta>(&text)
        .expect("meta.json")
        .opstamp
}

/// The bug: each index run recorded copy groups by writing every grouped article again (tantivy
/// has no in-place update), which doubled the peak memory of indexing an archive of copies. Now
/// the groups are kept beside the articles and each article is written once, in the run that
/// indexes it, however many copies it has and whatever groups it joins later.
#[test]
fn an_index_run_with_many_copies_does_not_rewrite_articles() {
    // The story and its neighbours republished in four archives: every article has copies.
    let archive = |f: &Fixture, n: usize, wire_only: bool| {
        for (c, (source, headline, body)) in versions().into_iter().enumerate() {
            f.write(
                &format!("archive{n}/wire/copy{c}.md"),
                markdown(headline, source, &body),
            );
        }
        for (c, (headline, source, body)) in OTHER_STORIES.iter().enumerate() {
            if !wire_only {
                f.write(
                    &format!("archive{n}/other/story{c}.md"),
                    markdown(headline, source, body),
                );
            }
        }
    };
    // The same runs without copy groups write each article once: the yardstick.
    let (f, plain) = (Fixture::new(), Fixture::new());
    for g in [&f, &plain] {
        (0..4).for_each(|n| archive(g, n, false));
    }
    let first = index(&f, &[]);
    index(&plain, &["--no-copies"]);
    assert_eq!(first.articles_added, 28);
    assert_eq!(
        (first.copy_groups, first.articles_in_copy_groups),
        (3, 28),
        "the wire story and both other stories, each in four archives"
    );
    assert_eq!(
        operations(&f),
        operations(&plain),
        "writes of the first run"
    );

    // A fifth archive joins the wire story's group (and may rename it): only its own articles
    // are written.
    for g in [&f, &plain] {
        archive(g, 4, true);
    }
    let second = index(&f, &[]);
    index(&plain, &["--no-copies"]);
    assert_eq!(second.articles_added, 5);
    assert_eq!(
        (second.copy_groups, second.articles_in_copy_groups),
        (3, 33)
    );
    assert_eq!(
        operations(&f),
        operations(&plain),
        "writes of the second run"
    );

    // And the groups are what searches see: 25 wire copies in one hit.
    let r = search(&f, &[QUERY]);
    assert_eq!(r.total, 33);
    assert_eq!(r.hits.len(), 3, "{:?}", r.hits);
    let wire = r
        .hits
        .iter()
        .find(|h| h.path.contains("/wire/"))
        .expect("the wire story");
    assert_eq!(wire.copies, 24);
}

/// A groups table that cannot be read is named with its file, and the next index run writes it
/// anew.
#[test]
fn an_unreadable_groups_table_is_named_and_the_next_run_replaces_it() {
    let f = Fixture::new();
    write_story(&f);
    index(&f, &[]);
    let table = f.index().join("copy_groups.json");
    assert!(table.exists(), "the groups are kept beside the articles");
    std::fs::write(&table, "{ not json").unwrap();
    let out = f.run(&["search", QUERY]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("copy_groups.json"), "{err}");
    assert!(err.contains("index run"), "{err}");
    let report = index(&f, &[]);
    assert_eq!((report.copy_groups, report.articles_in_copy_groups), (1, 5));
    assert_eq!(with_copies(&search(&f, &[QUERY])).copies, 4);
}

/// The same runs on the OpenSearch engine give the embedded engine's groups, collapsed hits and
/// copies (group names depend on the articles alone, so they are equal too).
#[test]
fn opensearch_groups_and_collapses_like_the_embedded_engine() {
    let Some(remote) = crate::opensearch::Remote::for_test("copies") else {
        return;
    };
    let f = Fixture::new();
    write_story(&f);
    let engine = remote.url();
    let on_both = |extra: &[&str]| {
        index(&f, extra);
        index(&f, &[extra, &["--engine", &engine]].concat());
    };
    let compare = |what: &str| {
        let listing = ["", "--no-collapse", "--limit", "50"];
        let here = groups_by_path(&search(&f, &listing));
        let there = groups_by_path(&search(
            &f,
            &[&listing[..], &["--engine", &engine]].concat(),
        ));
        assert_eq!(here, there, "{what}: groups");
        let copies = |r: Results| -> Vec<(usize, Vec<String>)> {
            let mut v: Vec<_> = r
                .hits
                .into_iter()
                .map(|h| {
                    let mut s = h.copy_sources;
                    s.push(h.source);
                    s.sort();
                    (h.copies, s)
                })
                .collect();
            v.sort();
            v
        };
        let (a, b) = (
            search(&f, &[QUERY]),
            search(&f, &[QUERY, "--engine", &engine]),
        );
        assert_eq!(a.total, b.total, "{what}: total");
        assert!(b.collapsed);
        assert_eq!(copies(a), copies(b), "{what}: collapsed hits");
    };
    on_both(&[]);
    compare("first run");
    let r = search(&f, &[QUERY, "--engine", &engine]);
    assert_eq!(r.hits.iter().map(|h| h.copies).max(), Some(4));
    // Grouping wrote no article twice (the groups are a document of their own).
    assert_eq!(remote.highest_version(), 1);

    write_sixth_copy(&f);
    on_both(&[]);
    compare("a sixth copy");
    assert_eq!(remote.highest_version(), 1, "old members left as written");
    let best = search(&f, &[QUERY, "--engine", &engine])
        .hits
        .into_iter()
        .find(|h| h.copies == 5)
        .expect("five copies on the cluster");
    std::fs::remove_file(f.docs().join(&best.path)).unwrap();
    on_both(&[]);
    compare("the best-ranked copy deleted");
    on_both(&["--rebuild"]);
    compare("rebuilt");
}
