//! Source names through the real binary: sign-off spellings folded into one facet value, and
//! aliases applied at query time without re-indexing.
use crate::common::{FacetCount, Fixture, Results, bin, copy_fixtures};
use crate::server::{Server, enc};

#[test]
fn one_outlets_sign_off_in_six_spellings_is_one_facet_value() {
    let f = Fixture::new();
    copy_fixtures(&f, "signoffs");
    f.index_docs(&["--no-entities"]);
    let r = f.search(&["--facet", "source", "--limit", "20"]);
    assert_eq!(r.total, 7);
    assert_eq!(
        r.facets["source"],
        vec![
            FacetCount {
                value: "Meridian Wire".into(),
                count: 6
            },
            FacetCount {
                value: "unknown".into(),
                count: 1
            },
        ]
    );
    // A name run into the last sentence is not a sign-off: it stays in the body.
    let glued = r.hits.iter().find(|h| h.path == "g-glued.txt").unwrap();
    assert_eq!(glued.source, "unknown");
    let recognised = r.hits.iter().find(|h| h.path == "d-caret.txt").unwrap();
    assert!(
        !recognised.snippet.contains("Meridian"),
        "{}",
        recognised.snippet
    );
    // Any spelling filters to all six.
    assert_eq!(f.search(&["--source", "MERIDIAN WIRE."]).total, 6);
    assert_eq!(f.search(&["source:\"meridian wire\""]).total, 6);
}

#[test]
fn alias_merges_two_outlets_at_query_time() {
    let f = Fixture::new();
    copy_fixtures(&f, "aliases");
    f.index_docs(&["--no-entities"]);
    let before = f.search(&["--facet", "source", "gales"]);
    assert_eq!(before.facets["source"].len(), 3);
    // Per search.
    let r = f.search(&[
        "--facet",
        "source",
        "--source-alias",
        "Fox Online News=Fox News",
        "gales",
    ]);
    assert_eq!(
        r.facets["source"][0],
        FacetCount {
            value: "Fox News".into(),
            count: 3
        }
    );
    // Saved with the index by `index --source-alias`, which re-reads no files.
    let out = f.index_docs(&["--source-alias", "Fox Online News=Fox News", "--json"]);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files_indexed"], 0);
    let r = f.search(&["--facet", "source", "gales"]);
    assert_eq!(r.facets["source"].len(), 2);
    assert_eq!(r.facets["source"][0].count, 3);
    assert_eq!(f.search(&["--source", "Fox News"]).total, 3);
    assert_eq!(f.search(&["source:\"fox online news\""]).total, 3);
    assert_eq!(f.search(&["--source", "Northfield Courier"]).total, 1);
}

/// `index --rebuild` once deleted the index folder with the saved aliases in it.
#[test]
fn saved_source_aliases_survive_rebuild() {
    let f = Fixture::new();
    copy_fixtures(&f, "aliases");
    f.index_docs(&[
        "--no-entities",
        "--source-alias",
        "Fox Online News=Fox News",
    ]);
    assert_eq!(f.search(&["--source", "Fox News"]).total, 3);
    f.index_docs(&["--no-entities", "--rebuild"]);
    let r = f.search(&["--facet", "source", "gales"]);
    assert_eq!(r.facets["source"].len(), 2);
    assert_eq!(f.search(&["--source", "Fox News"]).total, 3);
}

#[test]
fn malformed_alias_is_a_usage_error() {
    let f = Fixture::new();
    copy_fixtures(&f, "aliases");
    f.index_docs(&["--no-entities"]);
    let out = f.run(&["search", "--source-alias", "Fox News", "gales"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FROM=TO"));
}

/// The config file's `[source_aliases]` once reached `newsdex search` but not the server.
#[test]
fn config_file_source_aliases_apply_to_search_and_serve() {
    let f = Fixture::new();
    copy_fixtures(&f, "aliases");
    f.index_docs(&["--no-entities"]);
    let config = f.dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[source_aliases]\n\"Fox Online News\" = \"Fox News\"\n",
    )
    .unwrap();
    let fox = FacetCount {
        value: "Fox News".into(),
        count: 3,
    };

    let out = bin()
        .env("NEWSDEX_CONFIG", &config)
        .args(["search", "--json", "--facet", "source", "--index"])
        .arg(f.index())
        .arg("gales")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Results = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli.facets["source"].len(), 2, "{:?}", cli.facets);
    assert_eq!(cli.facets["source"][0], fox);

    let mut cmd = bin();
    cmd.env("NEWSDEX_CONFIG", &config);
    let server = Server::start_with(&f.index(), cmd);
    let served = |path: &str| -> Results {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        serde_json::from_str(&reply.body).unwrap()
    };
    let r = served("/api/search?q=gales&facet=source");
    assert_eq!(r.facets["source"].len(), 2, "{:?}", r.facets);
    assert_eq!(r.facets["source"][0], fox);
    assert_eq!(served("/api/search?q=gales&source=Fox%20News").total, 3);
    let q = enc("source:\"fox online news\"");
    assert_eq!(served(&format!("/api/search?q={q}")).total, 3);
    assert_eq!(served("/api/search?source=Northfield%20Courier").total, 1);
}

/// `stats` once listed an outlet once per spelling ("Reuter" and "REUTER" apart) where the
/// source facet counted it once.
#[test]
fn stats_lists_an_outlet_once_like_the_source_facet() {
    let f = Fixture::new();
    copy_fixtures(&f, "signoffs");
    f.index_docs(&["--no-entities", "--source-alias", "unknown=Meridian Wire"]);
    let out = f.run(&["stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = f.search(&["--facet", "source", "--limit", "1"]);
    let listed: Vec<(String, u64)> = stats["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    let faceted: Vec<(String, u64)> = r.facets["source"]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(listed, faceted);
    // Six spellings and the saved alias make one outlet of all seven articles.
    assert_eq!(listed, vec![("Meridian Wire".to_string(), 7)]);
}
