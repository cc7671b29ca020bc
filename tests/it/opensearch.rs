//! The OpenSearch engine against a real cluster over real HTTP: the same fixture folders indexed
//! into both engines give the same totals, facet counts, phrase hit sets and snippets; re-runs and
//! a killed run end with a clean run's articles; a cluster that is not there is told plainly.
//!
//! Needs `NEWSDEX_TEST_OPENSEARCH=http://127.0.0.1:PORT` (what `scripts/opensearch-cluster start`
//! prints; `.ci/run` sets it). Without it the cluster tests skip with a message; the unreachable
//! cluster test needs no cluster and always runs.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::common::{Fixture, Results, bin};

const CLUSTER_ENV: &str = "NEWSDEX_TEST_OPENSEARCH";

/// The cluster's base URL, or `None` (after saying why) when the tests should skip.
fn cluster(test: &str) -> Option<String> {
    match std::env::var(CLUSTER_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ => {
            eprintln!(
                "skipped {test}: no OpenSearch cluster (set {CLUSTER_ENV}=http://HOST:PORT; \
                 scripts/opensearch-cluster start runs one, it needs java and mvn)"
            );
            None
        }
    }
}

/// An engine URL for an index of this test alone; the index is dropped when the value is.
pub struct Remote {
    base: String,
    index: String,
}

impl Remote {
    /// A fresh index on the test cluster, or `None` (said why) without one.
    pub fn for_test(test: &str) -> Option<Remote> {
        cluster(test).map(|base| Remote::new(&base, test))
    }

    fn new(base: &str, test: &str) -> Remote {
        let index = format!("newsdex-test-{test}-{}", std::process::id());
        let r = Remote {
            base: base.to_string(),
            index,
        };
        r.drop_indices();
        r
    }

    pub fn url(&self) -> String {
        let host = self.base.trim_start_matches("http://");
        format!("opensearch+http://{host}/{}", self.index)
    }

    /// The highest `_version` of the index's articles: 1 while none was ever written twice.
    pub fn highest_version(&self) -> u64 {
        let agent = ureq::Agent::new_with_defaults();
        let mut reply = agent
            .post(format!("{}/{}/_search", self.base, self.index))
            .header("Content-Type", "application/json")
            .send(r#"{"size": 1000, "version": true, "_source": false}"#)
            .expect("search the articles' versions");
        let text = reply.body_mut().read_to_string().expect("a search reply");
        let body: serde_json::Value = serde_json::from_str(&text).expect("a search reply");
        body["hits"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .filter_map(|h| h["_version"].as_u64())
            .max()
            .unwrap_or(0)
    }

    fn drop_indices(&self) {
        let agent = ureq::Agent::new_with_defaults();
        for index in [self.index.clone(), format!("{}-newsdex-meta", self.index)] {
            let _ = agent.delete(format!("{}/{index}", self.base)).call();
        }
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.drop_indices();
    }
}

pub fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `newsdex ARGS --engine URL` (the fixture's `--index` is given too: the engine flag wins).
fn remote_run(f: &Fixture, remote: &Remote, args: &[&str]) -> Output {
    f.run(&[args, &["--engine", &remote.url()]].concat())
}

fn remote_search(f: &Fixture, remote: &Remote, args: &[&str]) -> Results {
    let out = ok(
        remote_run(f, remote, &[&["search", "--json"], args].concat()),
        "remote search",
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[derive(Debug, Deserialize)]
pub struct Summary {
    pub files_indexed: usize,
    pub articles_removed: usize,
    pub documents_total: u64,
    pub warnings: Vec<serde_json::Value>,
}

pub fn summary(out: &Output) -> Summary {
    serde_json::from_slice(&out.stdout).expect("index --json prints one object")
}

#[derive(Debug, Deserialize)]
struct Stats {
    documents: u64,
    sources: Vec<crate::common::FacetCount>,
    sections: Vec<crate::common::FacetCount>,
    oldest: Option<String>,
    newest: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Check {
    ok: bool,
    documents: u64,
    manifest_articles: u64,
}

/// Copy the sample corpus (nested folders) into the fixture's docs folder.
fn copy_corpus(f: &Fixture) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for entry in walk(&root) {
        let rel = entry
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        f.write(&rel, std::fs::read(&entry).unwrap());
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every article id a search for everything returns, page by page.
pub fn all_ids(search: impl Fn(&[&str]) -> Results) -> Vec<String> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let r = search(&["", "--limit", "1000", "--offset", &offset.to_string()]);
        let n = r.hits.len();
        out.extend(r.hits.into_iter().map(|h| h.id));
        if n < 1000 {
            return out;
        }
        offset += n;
    }
}

const QUERIES: &[&str] = &[
    "\"interest rates\"",
    "\"bank of england\"",
    "\"city council\"",
    "\"the\"",
    "council",
    "inflation",
    "rovers OR united",
    "flood -storm",
    "infla*",
    "\"prime minis*\"",
    "headline:match",
    "date:2024",
    "\"said the\"~2",
    "body:election source:\"meridian wire\"",
];

#[test]
fn engines_agree_on_totals_facets_phrase_hits_and_snippets() {
    let Some(base) = cluster("engines_agree") else {
        return;
    };
    let remote = Remote::new(&base, "agree");
    let f = Fixture::new();
    copy_corpus(&f);
    let local_run = summary(&f.index_docs(&["--json"]));
    let remote_out = ok(
        remote_run(
            &f,
            &remote,
            &["index", f.docs().to_str().unwrap(), "--json"],
        ),
        "remote index",
    );
    // Created without a layout in the URL: one shard and one replica.
    assert_eq!(shards_of(&remote), 1);
    assert_eq!(replicas_of(&remote), 1);
    let remote_summary = summary(&remote_out);
    assert!(remote_summary.documents_total > 20, "{remote_summary:?}");
    assert_eq!(remote_summary.documents_total, local_run.documents_total);
    // The corpus's own problems, and no article the cluster refused.
    assert_eq!(remote_summary.warnings, local_run.warnings);

    let facets = ["--facet", "source,section,person,org,place,misc"];
    let mut nonzero = 0;
    for q in QUERIES {
        let args = [&[*q, "--limit", "1000"], &facets[..]].concat();
        let local = f.search(&args);
        let far = remote_search(&f, &remote, &args);
        assert_eq!(far.total, local.total, "total of {q}");
        assert_eq!(far.facets, local.facets, "facets of {q}");
        let ids = |r: &Results| r.hits.iter().map(|h| h.id.clone()).collect::<BTreeSet<_>>();
        assert_eq!(ids(&far), ids(&local), "hit set of {q}");
        // The same article gets the same snippet and highlights from both engines.
        let by_id: BTreeMap<&str, _> = local.hits.iter().map(|h| (h.id.as_str(), h)).collect();
        for h in &far.hits {
            let l = by_id[h.id.as_str()];
            assert_eq!(
                (
                    &h.headline,
                    &h.snippet,
                    &h.highlights,
                    &h.headline_highlights
                ),
                (
                    &l.headline,
                    &l.snippet,
                    &l.highlights,
                    &l.headline_highlights
                ),
                "snippet of {} for {q}",
                h.id
            );
            assert_eq!(h.entities, l.entities, "entities of {}", h.id);
        }
        nonzero += usize::from(local.total > 0);
    }
    assert!(
        nonzero >= 10,
        "most queries should find something: {nonzero}"
    );

    // Filters, date order and paging.
    for args in [
        vec![
            "",
            "--source",
            "Meridian Wire",
            "--limit",
            "5",
            "--offset",
            "3",
        ],
        vec![
            "", "--since", "2024-03", "--until", "2024-06", "--sort", "oldest",
        ],
    ] {
        let local = f.search(&args);
        let far = remote_search(&f, &remote, &args);
        assert_eq!(far.total, local.total, "{args:?}");
        assert_eq!(far.hits.len(), local.hits.len(), "{args:?}");
    }

    let stats =
        |out: Output| -> Stats { serde_json::from_slice(&ok(out, "stats").stdout).unwrap() };
    let (l, r) = (
        stats(f.run(&["stats", "--json"])),
        stats(remote_run(&f, &remote, &["stats", "--json"])),
    );
    assert_eq!(
        (r.documents, &r.sources, &r.sections, &r.oldest, &r.newest),
        (l.documents, &l.sources, &l.sections, &l.oldest, &l.newest)
    );
}

pub fn article(n: usize, topic: &str) -> String {
    format!(
        "Report {n} on the {topic}\n\nThe {topic} story number {n} went on today as officials answered questions.\n\nMeridian Wire\n"
    )
}

fn records(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"headline\": \"Feed item {i}\", \"body\": \"Feed body {i} about the harbour.\", \"source\": \"Feed Desk\"}}\n"
            )
        })
        .collect()
}

#[test]
fn reruns_after_add_change_and_delete_hold_the_embedded_article_set() {
    let Some(base) = cluster("reruns") else {
        return;
    };
    let remote = Remote::new(&base, "reruns");
    let f = Fixture::new();
    for n in 0..6 {
        f.write(&format!("a/{n}.txt"), article(n, "harbour"));
    }
    f.write("feed.jsonl", records(5));
    let both = |expect_removed: Option<usize>| {
        let local = summary(&f.index_docs(&["--json", "--no-entities"]));
        let far = summary(&ok(
            remote_run(
                &f,
                &remote,
                &[
                    "index",
                    f.docs().to_str().unwrap(),
                    "--json",
                    "--no-entities",
                ],
            ),
            "remote index",
        ));
        assert_eq!(far.documents_total, local.documents_total);
        assert_eq!(far.files_indexed, local.files_indexed);
        if let Some(removed) = expect_removed {
            assert_eq!(far.articles_removed, removed);
        }
        let l = all_ids(|a| f.search(a));
        let r = all_ids(|a| remote_search(&f, &remote, a));
        assert_eq!(r.len(), BTreeSet::from_iter(&r).len(), "no duplicates");
        assert_eq!(BTreeSet::from_iter(&r), BTreeSet::from_iter(&l));
        r.len()
    };
    assert_eq!(both(None), 11);
    // Nothing changed: nothing is written again.
    let again = summary(&ok(
        remote_run(
            &f,
            &remote,
            &["index", f.docs().to_str().unwrap(), "--json"],
        ),
        "remote index",
    ));
    assert_eq!(again.files_indexed, 0);

    // Add one file, change one, shrink the feed from five records to two, delete one file.
    f.write("a/new.txt", article(99, "festival"));
    std::thread::sleep(Duration::from_millis(20));
    f.write("a/0.txt", article(0, "budget"));
    f.write("feed.jsonl", records(2));
    std::fs::remove_file(f.docs().join("a/5.txt")).unwrap();
    assert_eq!(both(Some(4)), 8);
    let found = remote_search(&f, &remote, &["budget"]);
    assert_eq!(found.total, 1);
    assert_eq!(remote_search(&f, &remote, &["\"feed item 4\""]).total, 0);

    let check: Check =
        serde_json::from_slice(&remote_run(&f, &remote, &["check", "--json"]).stdout).unwrap();
    assert!(
        check.ok && check.documents == 8 && check.manifest_articles == 8,
        "{check:?}"
    );
}

#[test]
fn sigkill_mid_run_then_a_rerun_gives_the_clean_runs_article_set() {
    let Some(base) = cluster("sigkill") else {
        return;
    };
    let remote = Remote::new(&base, "sigkill");
    let f = Fixture::new();
    let files = 3_000;
    for n in 0..files {
        f.write(&format!("s{}/{n}.txt", n % 10), article(n, "rail"));
    }
    let mut child = bin()
        .args([
            "index",
            f.docs().to_str().unwrap(),
            "--engine",
            &remote.url(),
        ])
        .args([
            "--no-entities",
            "--threads",
            "1",
            "--commit-interval",
            "0.2",
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn newsdex index");
    // Kill it once the cluster holds some of the articles but not all.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            Instant::now() < deadline,
            "no articles in the cluster within 120 s"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        let out = remote_run(&f, &remote, &["search", "--json", "", "--limit", "0"]);
        if out.status.success() {
            let r: Results = serde_json::from_slice(&out.stdout).unwrap();
            if r.total > 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    // Killed while loading the index it created: still without its periodic refresh, marked so,
    // and with its replica all along (a node lost mid-load loses no committed article).
    assert_eq!(
        load_state(&base, &remote.index),
        LoadState {
            replicas: 1,
            refresh_off: true,
            marked: true
        }
    );

    let resumed = summary(&ok(
        remote_run(
            &f,
            &remote,
            &[
                "index",
                f.docs().to_str().unwrap(),
                "--json",
                "--no-entities",
            ],
        ),
        "re-run",
    ));
    assert_eq!(resumed.documents_total, files as u64);
    // The re-run handed the layout back before writing into the index.
    assert_eq!(load_state(&base, &remote.index), LoadState::handed_back(1));
    f.index_docs(&["--no-entities", "--quiet"]);
    let r = all_ids(|a| remote_search(&f, &remote, a));
    let l = all_ids(|a| f.search(a));
    assert_eq!(r.len(), files, "no duplicates, nothing missing");
    assert_eq!(BTreeSet::from_iter(&r), BTreeSet::from_iter(&l));
}

/// What an index shows of load mode (its replicas, no periodic refresh, the mark in the mapping).
#[derive(Debug, PartialEq)]
struct LoadState {
    replicas: u64,
    refresh_off: bool,
    marked: bool,
}

impl LoadState {
    fn handed_back(replicas: u64) -> LoadState {
        LoadState {
            replicas,
            refresh_off: false,
            marked: false,
        }
    }
}

fn load_state(base: &str, index: &str) -> LoadState {
    let settings = &cluster_json(base, &format!("/{index}/_settings"))[index]["settings"]["index"];
    let mapping = cluster_json(base, &format!("/{index}/_mapping"));
    LoadState {
        replicas: settings["number_of_replicas"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .expect("number_of_replicas"),
        refresh_off: settings["refresh_interval"].as_str() == Some("-1"),
        marked: !mapping[index]["mappings"]["_meta"]["newsdex_loading_replicas"].is_null(),
    }
}

#[test]
fn a_new_index_is_loaded_without_periodic_refresh_and_ends_with_its_layout_and_every_article_found()
{
    let Some(base) = cluster("load_mode") else {
        return;
    };
    let remote = Remote::new(&base, "load-mode");
    let f = Fixture::new();
    let files = 40;
    for n in 0..files {
        f.write(&format!("l/{n}.txt"), article(n, "harbour"));
    }
    let url = format!("{}?shards=2&replicas=1", remote.url());
    let docs = f.docs().to_str().unwrap().to_string();
    let run = |extra: &[&str]| {
        summary(&ok(
            f.run(
                &[
                    &["index", &docs, "--json", "--no-entities", "--engine", &url],
                    extra,
                ]
                .concat(),
            ),
            "index run",
        ))
    };
    assert_eq!(run(&[]).documents_total, files as u64);
    assert_eq!(load_state(&base, &remote.index), LoadState::handed_back(1));
    // A later run writes into the served index as it is and leaves the layout alone.
    f.write("l/late.txt", article(999, "harbour"));
    assert_eq!(run(&[]).documents_total, files as u64 + 1);
    assert_eq!(load_state(&base, &remote.index), LoadState::handed_back(1));
    let r = remote_search(&f, &remote, &["harbour", "--limit", "0"]);
    assert_eq!(r.total, files as u64 + 1);
    // A rebuild loads anew and hands back again.
    assert_eq!(run(&["--rebuild"]).documents_total, files as u64 + 1);
    assert_eq!(load_state(&base, &remote.index), LoadState::handed_back(1));
}

#[test]
fn index_of_another_mapping_version_is_refused_with_rebuild_advice() {
    let Some(base) = cluster("mapping_version") else {
        return;
    };
    let remote = Remote::new(&base, "version");
    // The version before this one (an index written by the previous release: no positions in
    // its stems, which proximity's spans need), as a search and an index run meet it.
    let previous = newsdex::engines::opensearch::mapping::MAPPING_VERSION - 1;
    let agent = ureq::Agent::new_with_defaults();
    agent
        .put(format!("{base}/{}", remote.index))
        .header("Content-Type", "application/json")
        .send(format!(
            r#"{{"mappings": {{"_meta": {{"newsdex_mapping_version": {previous}}}}}}}"#
        ))
        .expect("create an index of another version");
    let f = Fixture::new();
    f.write("one.txt", article(1, "school"));
    for args in [
        vec!["search", "anything"],
        vec!["index", f.docs().to_str().unwrap()],
    ] {
        let out = remote_run(&f, &remote, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("mapping version {previous}"))
                && err.contains(&remote.index)
                && err.contains("rebuild"),
            "{args:?}: {err}"
        );
    }

    let rebuilt = remote_run(
        &f,
        &remote,
        &["index", f.docs().to_str().unwrap(), "--rebuild", "--json"],
    );
    assert_eq!(summary(&ok(rebuilt, "rebuild")).documents_total, 1);
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn unreachable_cluster_is_named_with_the_password_masked_and_exit_code_1() {
    let f = Fixture::new();
    f.write("one.txt", article(1, "school"));
    let port = closed_port();
    let url = format!("opensearch+http://ann:hunter2@127.0.0.1:{port}/news");
    for args in [
        vec!["search", "harbour"],
        vec!["index", f.docs().to_str().unwrap()],
        vec!["stats"],
        vec!["check"],
    ] {
        let out = f.run(&[&args[..], &["--engine", &url]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(&format!("opensearch+http://ann:***@127.0.0.1:{port}/news")),
            "{args:?}: {err}"
        );
        assert!(err.contains("connection refused"), "{err}");
        assert!(
            !err.contains("hunter2") && !err.contains("panicked"),
            "{err}"
        );
    }
    // The same from the environment variable.
    let out = bin()
        .args(["search", "harbour"])
        .env("NEWSDEX_ENGINE", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
}

#[test]
fn a_malformed_engine_url_is_a_usage_error_naming_it() {
    let f = Fixture::new();
    let out = f.run(&[
        "search",
        "x",
        "--engine",
        "opensearch+http://ann:hunter2@h:9200/Bad/Name",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("index name") && !err.contains("hunter2"),
        "{err}"
    );
}

/// The timeline's buckets, a batch's counts and an export's rows are the same from both engines.
#[test]
fn engines_agree_on_timelines_batch_counts_and_exports() {
    let Some(base) = cluster("engines_agree_on_timelines") else {
        return;
    };
    let remote = Remote::new(&base, "timeline");
    let f = Fixture::new();
    copy_corpus(&f);
    f.index_docs(&["--quiet"]);
    ok(
        remote_run(
            &f,
            &remote,
            &["index", f.docs().to_str().unwrap(), "--quiet"],
        ),
        "remote index",
    );
    for interval in ["month", "week", "auto"] {
        let args = [
            "",
            "--facet",
            "date",
            "--interval",
            interval,
            "--limit",
            "0",
            "--json",
        ];
        let local = ok(f.run(&[&["search"], &args[..]].concat()), "local search");
        let remote_out = ok(
            remote_run(&f, &remote, &[&["search"], &args[..]].concat()),
            "remote search",
        );
        let timeline = |out: &Output| -> serde_json::Value {
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["timeline"].clone()
        };
        assert!(timeline(&local)["buckets"].as_array().unwrap().len() > 1);
        assert_eq!(timeline(&local), timeline(&remote_out), "by {interval}");
    }
    let list = f.dir.path().join("list.txt");
    std::fs::write(&list, "bank\n# c\nVasquez\n\"open\n").unwrap();
    let args = [
        "search",
        "--batch",
        list.to_str().unwrap(),
        "--per-source",
        "--json",
    ];
    let local = f.run(&args);
    let remote_out = remote_run(&f, &remote, &args);
    assert_eq!(local.status.code(), Some(2));
    assert_eq!(remote_out.status.code(), Some(2));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&local.stdout).unwrap(),
        serde_json::from_slice::<serde_json::Value>(&remote_out.stdout).unwrap()
    );
    // An export (in date order: ranking may differ between the engines) holds the same rows,
    // read in pages smaller than the hit count.
    let args = [
        "export",
        "",
        "--sort",
        "oldest",
        "--format",
        "jsonl",
        "--page-size",
        "3",
    ];
    let local = ok(f.run(&args), "local export");
    let remote_out = ok(remote_run(&f, &remote, &args), "remote export");
    // Articles of one day may come in another order: compare the rows by id.
    let rows = |out: &Output| -> Vec<serde_json::Value> {
        let mut rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        rows.sort_by_key(|r| r["id"].as_str().unwrap_or_default().to_string());
        rows
    };
    let (local, remote_rows) = (rows(&local), rows(&remote_out));
    assert!(local.len() > 3, "{local:?}");
    assert_eq!(local, remote_rows);
}

#[test]
fn the_api_serves_the_opensearch_index_like_the_cli() {
    let Some(remote) = Remote::for_test("api") else {
        return;
    };
    let corpus = crate::server::Corpus::on_engine(&remote.url());
    let server = crate::server::Server::start_on(&corpus.location());
    let f = Fixture::new();
    let cli = remote_search(&f, &remote, &["ceasefire", "--facet", "source,section"]);
    let api = server.json("/api/search?q=ceasefire&facet=source,section");
    assert_eq!(api["total"].as_u64(), Some(cli.total));
    assert_eq!(cli.total, 4);
    let ids: Vec<&str> = api["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        cli.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>()
    );
    let article = server.json(&format!("/api/articles/{}", ids[0]));
    assert_eq!(article["id"].as_str(), Some(ids[0]));
    assert!(
        article["text"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("ceasefire")
    );
    let related = server.json(&format!("/api/articles/{}/related", ids[0]));
    let related: Vec<&str> = related["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert!(
        !related.is_empty() && !related.contains(&ids[0]),
        "{related:?}"
    );
    assert_eq!(server.get("/api/articles/no-such-id").status, 404);
    let stats = server.json("/api/stats");
    assert_eq!(stats["documents"].as_u64(), Some(corpus.total() as u64));
}

/// A JSON reply from the cluster itself (its statistics), outside newsdex.
fn cluster_json(base: &str, path: &str) -> serde_json::Value {
    let mut reply = ureq::get(format!("{base}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let text = reply.body_mut().read_to_string().expect("cluster reply");
    serde_json::from_str(&text).expect("cluster JSON")
}

/// The index's settings as the cluster reports them.
fn index_setting(remote: &Remote, key: &str) -> u64 {
    let settings = cluster_json(&remote.base, &format!("/{}/_settings", remote.index));
    settings[&remote.index]["settings"]["index"][key]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{key} of {}: {settings}", remote.index))
}

fn shards_of(remote: &Remote) -> u64 {
    index_setting(remote, "number_of_shards")
}

fn replicas_of(remote: &Remote) -> u64 {
    index_setting(remote, "number_of_replicas")
}

/// The cluster's own counts for an index: (searches run on its shards, document gets).
fn index_requests(base: &str, index: &str) -> (u64, u64) {
    let stats = cluster_json(base, &format!("/{index}/_stats/search,get"));
    let total = &stats["_all"]["total"];
    (
        total["search"]["query_total"].as_u64().unwrap_or(0),
        total["get"]["total"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_served_search_with_facets_and_timeline_is_one_request_to_the_cluster() {
    let Some(remote) = Remote::for_test("one-request") else {
        return;
    };
    let base = remote.base.clone();
    let corpus = crate::server::Corpus::on_engine(&remote.url());
    let mut location = corpus.location();
    location.push("--no-cache".into());
    let server = crate::server::Server::start_on(&location);
    let meta = format!("{}-newsdex-meta", remote.index);
    let settings = cluster_json(&base, &format!("/{}/_settings", remote.index));
    let shards: u64 = settings[&remote.index]["settings"]["index"]["number_of_shards"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("number_of_shards");
    let searches = [
        "/api/search?q=ceasefire&facet=source,section,date",
        "/api/search?q=talks&facet=source,person&source=Reuters",
        "/api/search?q=%22peace+talks%22&facet=source,org,date",
        "/api/search?q=ceasefire+talks&facet=source&sort=newest",
    ];
    // Ranked by relevance, two words: proximity's second pass fetches the text of the page and
    // of what could climb into it, a second request, never a third.
    let ranked = "/api/search?q=ceasefire+talks&facet=source";
    // The first search reads the saved settings once.
    server.json(searches[0]);
    let (articles_before, _) = index_requests(&base, &remote.index);
    let (meta_searches_before, meta_gets_before) = index_requests(&base, &meta);
    let started = Instant::now();
    let mut answers = Vec::new();
    for path in searches {
        answers.push(server.json(path));
    }
    let (articles_after, _) = index_requests(&base, &remote.index);
    // One `_search` per search: each asks every shard once.
    assert_eq!(
        articles_after - articles_before,
        searches.len() as u64 * shards,
        "searches on the article index"
    );
    let ranked_answer = server.json(ranked);
    let (articles_ranked, _) = index_requests(&base, &remote.index);
    let ranked_searches = articles_ranked - articles_after;
    assert!(
        (shards..=2 * shards).contains(&ranked_searches),
        "{ranked_searches} shard searches for a two-word ranked search on {shards} shards"
    );
    assert!(
        ranked_answer["hits"][0]["headline"].is_string(),
        "{ranked_answer}"
    );
    let elapsed = started.elapsed().as_secs();
    let (meta_searches_after, meta_gets_after) = index_requests(&base, &meta);
    assert_eq!(
        meta_searches_after, meta_searches_before,
        "searches on the companion index"
    );
    // The settings are revalidated at most once per freshness period (3 s) of the run.
    assert!(
        meta_gets_after - meta_gets_before <= elapsed / 3 + 1,
        "{} settings reads in {elapsed} s",
        meta_gets_after - meta_gets_before
    );
    // And the answers are whole: the source facet sums to the total.
    let first = &answers[0];
    let facet_sum: u64 = first["facets"]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(facet_sum, first["total"].as_u64().unwrap());
    assert!(facet_sum > 0);
}

#[test]
fn saved_aliases_merge_outlets_on_opensearch_as_embedded_without_listing_keys() {
    let Some(remote) = Remote::for_test("aliases") else {
        return;
    };
    let f = Fixture::new();
    crate::common::copy_fixtures(&f, "aliases");
    let alias = ["--source-alias", "Fox Online News=Fox News"];
    f.index_docs(&[&["--no-entities", "--quiet"][..], &alias].concat());
    ok(
        remote_run(
            &f,
            &remote,
            &[
                &[
                    "index",
                    f.docs().to_str().unwrap(),
                    "--no-entities",
                    "--quiet",
                ][..],
                &alias,
            ]
            .concat(),
        ),
        "remote index",
    );
    for args in [
        &["--facet", "source", "gales"][..],
        &["--source", "fox online news", "gales"],
        &["source:\"FOX NEWS\"", "--facet", "source"],
    ] {
        let local = f.search(args);
        let there = remote_search(&f, &remote, args);
        assert_eq!(there.total, local.total, "{args:?}");
        assert_eq!(there.facets, local.facets, "{args:?}");
    }
    let merged = remote_search(&f, &remote, &["--facet", "source", "gales"]);
    assert_eq!(merged.facets["source"][0].value, "Fox News");
    assert_eq!(merged.facets["source"][0].count, 3);
}

/// Articles on three topics whose words overlap, so a query's top differs from its tail and
/// feedback's expansion words move articles: harbour storms, harbour trade, bread.
fn ranking_corpus(f: &Fixture) {
    let topics = [
        (
            "Storm closes harbour",
            "The storm hit the harbour overnight and cranes were tied down while ships waited offshore for the wind to drop",
        ),
        (
            "Harbour trade grows",
            "Container ships and cranes at the harbour moved more cargo this year as trade with the port's partners grew",
        ),
        (
            "Bakery opens",
            "The bakery on the square bakes bread in wood ovens and the storm of customers on its first day surprised the owners",
        ),
    ];
    for i in 0..36 {
        let (headline, body) = topics[i % 3];
        // Lengths vary so per-field normalisation matters; some articles repeat a word.
        let extra = " and the crews said the wind was the worst in years".repeat(i % 4);
        let repeat = if i % 5 == 0 {
            " Storm warnings again."
        } else {
            ""
        };
        f.write(
            &format!("r{i:02}.json"),
            format!(
                r#"{{"headline": "{headline} {i}", "body": "{body}{extra}.{repeat}", "source": "Wire {}"}}"#,
                i % 2
            ),
        );
    }
}

/// Ids and scores of a search's hits.
fn ranked(r: &Results) -> Vec<(String, f32)> {
    r.hits.iter().map(|h| (h.id.clone(), h.score)).collect()
}

/// The engines give the same hits in the same order (articles of equal score may come in
/// either order: each engine breaks ties its own way) with the same scores to float precision.
fn assert_same_ranking(local: &Results, far: &Results, what: &str) {
    assert_eq!(far.total, local.total, "total of {what}");
    let (l, r) = (ranked(local), ranked(far));
    let local_score: BTreeMap<&str, f32> = l.iter().map(|(id, s)| (id.as_str(), *s)).collect();
    assert_eq!(r.len(), l.len(), "hits of {what}");
    let close = |a: f32, b: f32| (a - b).abs() <= 2e-3 * b.abs().max(1.0);
    for (id, rs) in &r {
        let ls = local_score
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} not among the embedded hits of {what}"));
        assert!(close(*rs, *ls), "score of {id} for {what}: {rs} vs {ls}");
    }
    // In the cluster's order the embedded scores never rise (beyond a tie).
    for pair in r.windows(2) {
        let (a, b) = (
            local_score[pair[0].0.as_str()],
            local_score[pair[1].0.as_str()],
        );
        assert!(
            a >= b || close(a, b),
            "order of {what}: {} ({a}) before {} ({b})\n{r:?}\nvs {l:?}",
            pair[0].0,
            pair[1].0
        );
    }
}

/// Arguments as the fixture's runners take them.
fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Proximity inside the cluster scores a pair that meets the once, whatever its meetings, so
/// scores differ from the embedded engine's by construction; what must agree: the total, the
/// articles proximity lifts (the cluster's score above the embedded BM25F alone, `bm25f`, exactly
/// where the embedded proximity part is above zero: the same meetings), and most of the first
/// ten places.
fn assert_proximity_alike(local: &Results, far: &Results, bm25f: &Results, what: &str) {
    assert_eq!(far.total, local.total, "total of {what}");
    let score = |r: &Results| -> BTreeMap<String, f32> { ranked(r).into_iter().collect() };
    let (near, plain, cluster) = (score(local), score(bm25f), score(far));
    let lift = |with: f32, id: &str| with - plain[id];
    // A lift is one beyond the engines' agreement on scores (the cluster's BM25F may be the
    // stems folded at index time, equal to about 0.01%).
    let lifted_by = |lift: f32, id: &str| lift > 2e-3 * plain[id].abs().max(1.0);
    let mut lifted = 0;
    for (id, s) in &cluster {
        let (here, there) = (lift(near[id], id), lift(*s, id));
        assert_eq!(
            lifted_by(there, id),
            lifted_by(here, id),
            "{what}: proximity lifts {id} by {here} embedded and {there} in the cluster"
        );
        lifted += usize::from(lifted_by(here, id));
    }
    assert!(lifted > 0, "{what}: proximity lifted nothing");
    let top =
        |r: &Results| -> Vec<String> { r.hits.iter().take(10).map(|h| h.id.clone()).collect() };
    let (l, r) = (top(local), top(far));
    let shared = r.iter().filter(|id| l.contains(id)).count();
    assert!(
        shared * 10 >= 8 * l.len(),
        "{what}: {shared} of the first {} shared\n{r:?}\nvs {l:?}",
        l.len()
    );
}

#[test]
fn engines_rank_alike_with_bm25f_proximity_and_feedback() {
    let Some(remote) = Remote::for_test("rank") else {
        return;
    };
    let f = Fixture::new();
    ranking_corpus(&f);
    // Without copy groups, so the lists compared rank every article, none collapsed.
    f.index_docs(&["--no-entities", "--no-copies"]);
    // Two shards, so the cluster scores with statistics gathered across shards (the dfs round),
    // the path a larger archive takes; the default layout has one shard.
    let two_shards = format!("{}?shards=2&replicas=1", remote.url());
    ok(
        f.run(&[
            "index",
            f.docs().to_str().unwrap(),
            "--no-entities",
            "--no-copies",
            "--engine",
            &two_shards,
        ]),
        "remote index",
    );
    assert_eq!(shards_of(&remote), 2);
    // Feedback's gate opened on any query of this small corpus, so the test sees it work.
    let open = "fb_words=0,fb_gap=0,fb_agree=0";
    // The settings off by default: pairs of words further apart, samples weighted by likelihood.
    let far = "fb_words=0,fb_gap=0,fb_agree=0,fb_rm=3,prox_far=0.3,prox_span=3";
    // Equal scores: BM25F alone, and the searches feedback may re-rank (proximity is then
    // scored in the process, as the embedded engine scores it).
    let cases: [(&str, &[&str]); 3] = [
        ("one word", &["storm"]),
        (
            "feedback",
            &["--match", "any", "--ranking", open, "storm harbour wind"],
        ),
        (
            "far pairs, likelihood-weighted feedback",
            &["--match", "any", "--ranking", far, "storm harbour wind"],
        ),
    ];
    for (what, args) in cases {
        let args = [args, &["--limit", "40"][..]].concat();
        assert_same_ranking(&f.search(&args), &remote_search(&f, &remote, &args), what);
    }
    // The first pass orders by the weighted stems and keeps each shard's best `depth` for the
    // exact script: a window of 4 per shard still holds BM25F's best 3 (compared by score,
    // since equal scores may come in either order).
    let everything = f.search(&["storm", "--limit", "40"]);
    let narrow = remote_search(
        &f,
        &remote,
        &["storm", "--ranking", "depth=4", "--limit", "3"],
    );
    assert_eq!(narrow.total, everything.total);
    assert_eq!(narrow.hits.len(), 3);
    let scores: BTreeMap<&str, f32> = everything
        .hits
        .iter()
        .map(|h| (h.id.as_str(), h.score))
        .collect();
    for (hit, best) in narrow.hits.iter().zip(&everything.hits) {
        let close = (hit.score - best.score).abs() <= 2e-3 * best.score.abs().max(1.0);
        assert!(
            close,
            "window of 4: {} {} vs {}",
            hit.id, hit.score, best.score
        );
        assert!((scores[hit.id.as_str()] - hit.score).abs() <= 2e-3 * hit.score.max(1.0));
    }
    // Proximity inside the one request (no feedback possible): the same lifts, a like order.
    let spans: [(&str, &[&str], &str); 3] = [
        (
            "two words, proximity",
            &["--match", "any", "harbour cranes"],
            "",
        ),
        ("all words", &["harbour ships"], ""),
        (
            "feedback off",
            &["--match", "any", "storm harbour wind"],
            "fb_docs=0",
        ),
    ];
    for (what, args, ranking) in spans {
        let with = |extra: &str| -> Vec<String> {
            let spec = [ranking, extra].join(",");
            let more = ["--limit", "40", "--ranking", spec.trim_matches(',')];
            args.iter().chain(&more).map(|a| a.to_string()).collect()
        };
        let (plain, bare) = (with(""), with("prox=0"));
        let (local, bm25f) = (f.search(&strs(&plain)), f.search(&strs(&bare)));
        let far = remote_search(&f, &remote, &strs(&plain));
        assert_proximity_alike(&local, &far, &bm25f, what);
    }
    // Not vacuous: feedback changes this query's ranking on the embedded engine.
    let fed = f.search(&[
        "--match",
        "any",
        "--ranking",
        open,
        "storm harbour wind",
        "--limit",
        "40",
    ]);
    let plain = f.search(&[
        "--match",
        "any",
        "--ranking",
        "fb_docs=0",
        "storm harbour wind",
        "--limit",
        "40",
    ]);
    assert_ne!(ranked(&fed), ranked(&plain), "feedback moved nothing");
}

#[test]
fn words_the_clusters_stemmer_stems_otherwise_find_the_same_articles() {
    // Regression: the cluster's Snowball made "intern" of "international" where newsdex makes
    // "internat", so the word found nothing on OpenSearch.
    let Some(remote) = Remote::for_test("stems") else {
        return;
    };
    let f = Fixture::new();
    f.write(
        "a.json",
        r#"{"headline": "International talks", "body": "Delegates met for international talks."}"#,
    );
    f.write(
        "b.json",
        r#"{"headline": "Internal review", "body": "An internal review of the internationally known lab."}"#,
    );
    f.write(
        "c.json",
        r#"{"headline": "Harbour news", "body": "Nothing international here, only boats."}"#,
    );
    f.index_docs(&["--no-entities"]);
    ok(
        remote_run(
            &f,
            &remote,
            &["index", f.docs().to_str().unwrap(), "--no-entities"],
        ),
        "remote index",
    );
    for q in ["international", "internal", "headline:international"] {
        let (local, far) = (f.search(&[q]), remote_search(&f, &remote, &[q]));
        assert!(local.total > 0, "{q} finds something");
        assert_same_ranking(&local, &far, q);
    }
    // Two words: proximity too, scored in the cluster by spans over the same stems.
    let q = "international talks";
    let (local, far) = (f.search(&[q]), remote_search(&f, &remote, &[q]));
    let bm25f = f.search(&[q, "--ranking", "prox=0"]);
    assert!(local.total > 0, "{q} finds something");
    assert_proximity_alike(&local, &far, &bm25f, q);
}

/// The averages (headline, body) the index's weighted stems were folded with, lowest and
/// highest, as the last index run saved them.
fn fold_range(remote: &Remote) -> ([f64; 2], [f64; 2]) {
    let doc = cluster_json(
        &remote.base,
        &format!("/{}-newsdex-meta/_doc/settings", remote.index),
    );
    let stats = &doc["_source"]["ranking_stats"];
    let pair = |key: &str| -> [f64; 2] {
        let a = stats[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} in {stats}"));
        [a[0].as_f64().unwrap(), a[1].as_f64().unwrap()]
    };
    (pair("fold_min"), pair("fold_max"))
}

/// A first pass ranks by the stems folded at index time only while the averages they were
/// folded with still hold: after a run of much longer articles the exact script ranks again,
/// and both before and after, the cluster ranks as the embedded engine.
#[test]
fn folded_first_pass_gives_way_to_the_exact_script_once_average_lengths_move() {
    let Some(remote) = Remote::for_test("fold") else {
        return;
    };
    let f = Fixture::new();
    ranking_corpus(&f);
    let index = |f: &Fixture| {
        f.index_docs(&["--no-entities", "--no-copies"]);
        let docs = f.docs().to_str().unwrap().to_string();
        ok(
            remote_run(
                f,
                &remote,
                &["index", &docs, "--no-entities", "--no-copies"],
            ),
            "remote index",
        );
    };
    let compare = |f: &Fixture, when: &str| {
        let cases: [(&str, &[&str]); 2] = [
            ("one word", &["storm"]),
            (
                "three words",
                &[
                    "--match",
                    "any",
                    "--ranking",
                    "prox=0,fb_docs=0",
                    "storm harbour wind",
                ],
            ),
        ];
        for (what, args) in cases {
            // Every match compared: a cut at a near-tie could take either article.
            let args = [args, &["--limit", "100"][..]].concat();
            let what = format!("{what}, {when}");
            assert_same_ranking(&f.search(&args), &remote_search(f, &remote, &args), &what);
        }
    };
    index(&f);
    // A new index's first articles are folded together, with the averages of them all.
    let (lo, hi) = fold_range(&remote);
    assert!(
        hi[1] / lo[1] <= 1.0 + 1.0 / 16.0,
        "fresh index folded with {lo:?}..{hi:?}"
    );
    compare(&f, "folded");
    let long = " while the storm surge rose the harbour master kept every crane down".repeat(30);
    for i in 0..24 {
        f.write(
            &format!("long{i:02}.json"),
            format!(
                r#"{{"headline": "Long report {i}", "body": "Report {i}.{long}", "source": "Wire 2"}}"#
            ),
        );
    }
    index(&f);
    // Not vacuous: the body average moved past what the folding tolerates.
    let (lo, hi) = fold_range(&remote);
    assert!(
        hi[1] / lo[1] > 1.0 + 1.0 / 16.0,
        "folded with {lo:?}..{hi:?}"
    );
    compare(&f, "after longer articles");
}
