//! Entity rules end to end: the real binary indexes fictional articles (`tests/fixtures/rules`),
//! rules are added with `newsdex entities ...`, by hand in the TOML file, or over HTTP, and every
//! place a name shows (facets, filters, `person:` queries, hit lists, exports) is checked against
//! counts worked out by hand from the fixtures.
//!
//! What the tagger finds there: "Priya Ramaswamy" in two articles and "Cllr P. Ramaswamy" in two,
//! one article carrying both; "Millbrook" and "Millbrook Town" as places of one article;
//! "Meadow Lane" (a street) as a name of another kind than a place (which kind depends on the
//! model: [`street_kind`] reads it); "Kestrel Pictures" (a photo credit) as an org in three.

use serde::Deserialize;

use crate::common::{Fixture, copy_fixtures};
use crate::keys::Serve;

const PRIYA: &str = "Priya Ramaswamy";
const CLLR: &str = "Cllr P. Ramaswamy";

fn fixture() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "rules");
    f.index_docs(&["--quiet"]);
    f
}

/// `newsdex ARGS --index ...`, which must succeed; its standard output.
fn ok(f: &Fixture, args: &[&str]) -> String {
    let out = f.run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A facet's values with their counts.
fn facet(f: &Fixture, kind: &str, args: &[&str]) -> Vec<(String, u64)> {
    let facets = format!("--facet={kind}");
    let r = f.search(&[&["", "--limit", "0", &facets], args].concat());
    r.facets[kind]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect()
}

/// The kind (not place) under which the tagger filed the street "Meadow Lane" of one article: the
/// mistake the retype tests correct.
fn street_kind(f: &Fixture) -> &'static str {
    let kinds: Vec<&'static str> = ["person", "org", "misc"]
        .into_iter()
        .filter(|k| count_of(&facet(f, k, &[]), "Meadow Lane") == Some(1))
        .collect();
    assert_eq!(kinds.len(), 1, "Meadow Lane filed as {kinds:?}");
    assert_eq!(count_of(&facet(f, "place", &[]), "Meadow Lane"), None);
    kinds[0]
}

fn count_of(values: &[(String, u64)], name: &str) -> Option<u64> {
    values.iter().find(|(v, _)| v == name).map(|(_, c)| *c)
}

fn total(f: &Fixture, args: &[&str]) -> u64 {
    f.search(&[&["--limit", "0"], args].concat()).total
}

#[derive(Debug, Deserialize, PartialEq)]
struct Rules {
    #[serde(default)]
    alias: Vec<Alias>,
    #[serde(default)]
    retype: Vec<Retype>,
    #[serde(default)]
    block: Vec<Block>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Alias {
    from: String,
    to: String,
    kind: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Retype {
    name: String,
    to: String,
    from: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Block {
    name: String,
    kind: Option<String>,
}

fn rules(f: &Fixture) -> Rules {
    serde_json::from_str(&ok(f, &["entities", "rules", "--json"])).expect("rules JSON")
}

#[test]
fn alias_merges_two_facet_values_counting_each_article_once_and_survives_rebuild() {
    let f = fixture();
    let before = facet(&f, "person", &[]);
    assert_eq!(count_of(&before, PRIYA), Some(2), "{before:?}");
    assert_eq!(count_of(&before, CLLR), Some(2), "{before:?}");

    ok(&f, &["entities", "add-alias", CLLR, PRIYA]);
    let check = |when: &str| {
        let after = facet(&f, "person", &[]);
        // Three articles, not four: the council vote carries both names and counts once.
        assert_eq!(count_of(&after, PRIYA), Some(3), "{when}: {after:?}");
        assert_eq!(count_of(&after, CLLR), None, "{when}: {after:?}");
        // A filter on either name finds every article of the merged value.
        assert_eq!(total(&f, &["", "--person", PRIYA]), 3, "{when}");
        assert_eq!(total(&f, &["", "--person", CLLR]), 3, "{when}");
        // `person:` words match the shown name, so the articles that only say "Cllr" are found.
        assert_eq!(total(&f, &["person:priya"]), 3, "{when}");
        // Hits list the merged name once.
        let r = f.search(&["", "--person", PRIYA, "--limit", "10"]);
        for hit in &r.hits {
            let people = &hit.entities["person"];
            assert_eq!(
                people.iter().filter(|p| *p == PRIYA).count(),
                1,
                "{when}: {people:?}"
            );
            assert!(!people.iter().any(|p| p == CLLR), "{when}: {people:?}");
        }
    };
    check("after the alias");

    // A re-index of a changed file parses it again; the rule still applies.
    let vote = f.docs().join("harbour-vote.md");
    let text = std::fs::read_to_string(&vote).unwrap();
    std::fs::write(&vote, text.replace("14 to 9", "15 to 8")).unwrap();
    f.index_docs(&["--quiet"]);
    check("after a re-index");

    f.index_docs(&["--quiet", "--rebuild"]);
    check("after --rebuild");
    assert_eq!(
        rules(&f).alias,
        vec![Alias {
            from: CLLR.into(),
            to: PRIYA.into(),
            kind: None
        }]
    );
}

#[test]
fn alias_of_two_names_in_one_article_counts_it_once() {
    let f = fixture();
    ok(
        &f,
        &[
            "entities",
            "add-alias",
            "Millbrook Town",
            "Millbrook",
            "--kind",
            "place",
        ],
    );
    assert_eq!(facet(&f, "place", &[]), vec![("Millbrook".to_string(), 1)]);
}

#[test]
fn block_removes_a_value_from_facets_queries_hits_and_exports() {
    let f = fixture();
    assert_eq!(
        count_of(&facet(&f, "org", &[]), "Kestrel Pictures"),
        Some(3)
    );
    assert_eq!(total(&f, &["org:kestrel"]), 3);

    ok(&f, &["entities", "block", "Kestrel Pictures"]);
    let orgs = facet(&f, "org", &[]);
    assert_eq!(count_of(&orgs, "Kestrel Pictures"), None, "{orgs:?}");
    assert_eq!(count_of(&orgs, "Harbour Board"), Some(2), "{orgs:?}");
    assert_eq!(total(&f, &["org:kestrel"]), 0);
    assert_eq!(total(&f, &["", "--org", "Kestrel Pictures"]), 0);
    let r = f.search(&["", "--limit", "10"]);
    assert_eq!(r.hits.len(), 4);
    for hit in &r.hits {
        assert!(!hit.entities["org"].iter().any(|o| o == "Kestrel Pictures"));
    }
    let csv = ok(&f, &["export", "", "--fields", "headline,org"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let orgs: Vec<String> = rows
        .records()
        .map(|r| r.expect("csv row")[1].to_string())
        .collect();
    assert_eq!(orgs.len(), 4);
    assert!(orgs.iter().any(|o| o.contains("Harbour Board")), "{orgs:?}");
    assert!(!orgs.iter().any(|o| o.contains("Kestrel")), "{orgs:?}");

    // Removing the rule brings it back.
    ok(&f, &["entities", "remove", "Kestrel Pictures"]);
    assert_eq!(
        count_of(&facet(&f, "org", &[]), "Kestrel Pictures"),
        Some(3)
    );
    assert_eq!(
        rules(&f),
        Rules {
            alias: vec![],
            retype: vec![],
            block: vec![]
        }
    );
}

#[test]
fn retype_moves_a_value_between_kind_facets_filters_and_field_queries() {
    let f = fixture();
    let kind = street_kind(&f);
    let field_query = format!("{kind}:\"meadow lane\"");
    assert_eq!(total(&f, &[&field_query]), 1);
    assert_eq!(total(&f, &["place:meadow"]), 0);

    ok(&f, &["entities", "retype", "Meadow Lane", "place"]);
    assert_eq!(count_of(&facet(&f, kind, &[]), "Meadow Lane"), None);
    assert_eq!(count_of(&facet(&f, "place", &[]), "Meadow Lane"), Some(1));
    assert_eq!(total(&f, &[&field_query]), 0);
    assert_eq!(total(&f, &["place:meadow"]), 1);
    assert_eq!(total(&f, &["place:\"meadow lane\" ramaswamy"]), 1);
    assert_eq!(total(&f, &["", "--place", "Meadow Lane"]), 1);
    // Other people's queries are untouched.
    assert_eq!(total(&f, &["person:ramaswamy"]), 3);
    let r = f.search(&["", "--place", "Meadow Lane"]);
    assert!(r.hits[0].entities["place"].contains(&"Meadow Lane".to_string()));
    let listed = r.hits[0].entities.get(kind).cloned().unwrap_or_default();
    assert!(!listed.contains(&"Meadow Lane".to_string()));
}

#[test]
fn hand_edited_rules_file_with_a_mistake_names_the_file_and_line() {
    let f = fixture();
    let path = f.index().join("entity-rules.toml");
    std::fs::write(
        &path,
        "[[alias]]\nfrom = \"Cllr P. Ramaswamy\"\nto = \"Priya Ramaswamy\"\n\n[[retype]]\nname = \"Meadow Lane\"\nto = \"street\"\n",
    )
    .unwrap();
    let out = f.run(&["search", "harbour"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("line 7"), "{err}");
    assert!(err.contains("street"), "{err}");

    // Fixed by hand, the file applies at once.
    std::fs::write(
        &path,
        "[[alias]]\nfrom = \"Cllr P. Ramaswamy\"\nto = \"Priya Ramaswamy\"\n\n[[retype]]\nname = \"Meadow Lane\"\nto = \"place\"\n",
    )
    .unwrap();
    assert_eq!(count_of(&facet(&f, "person", &[]), PRIYA), Some(3));
    assert_eq!(count_of(&facet(&f, "place", &[]), "Meadow Lane"), Some(1));
}

#[test]
fn an_alias_that_would_go_round_in_a_circle_is_refused() {
    let f = fixture();
    ok(&f, &["entities", "add-alias", CLLR, PRIYA]);
    let out = f.run(&["entities", "add-alias", PRIYA, CLLR]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("circle"));
    assert_eq!(rules(&f).alias.len(), 1);
}

/// POST a JSON body with extra headers and no key: status and body.
fn post(s: &Serve, path: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let reply = s.call_with("POST", path, None, Some(body), headers);
    (reply.status, reply.body)
}

/// GET without a key, as JSON.
fn get_json(s: &Serve, path: &str) -> serde_json::Value {
    let reply = s.call_with("GET", path, None, None, &[]);
    serde_json::from_str(&reply.body).expect("JSON")
}

#[derive(Debug, Deserialize)]
struct Edited {
    rules: Rules,
    found: std::collections::BTreeMap<String, u64>,
}

#[test]
fn the_api_lists_and_edits_rules_and_searches_follow_at_once() {
    let f = fixture();
    let s = Serve::start(&f, "127.0.0.1:0", &[]);
    let people =
        |s: &Serve| get_json(s, "/api/search?q=&facet=person&limit=0")["facets"]["person"].clone();
    let before = people(&s);
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["value"] == CLLR)
    );

    let body = format!(r#"{{"from": "{CLLR}", "to": "{PRIYA}"}}"#);
    let (status, reply) = post(&s, "/api/entities/rules/alias", &body, &[]);
    assert_eq!(status, 200, "{reply}");
    let edited: Edited = serde_json::from_str(&reply).unwrap();
    assert_eq!(edited.rules.alias.len(), 1);
    assert_eq!(edited.found.get("person"), Some(&2));
    let after = people(&s);
    let priya = after
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == PRIYA)
        .expect("merged value");
    assert_eq!(priya["count"], 3);
    assert!(!after.as_array().unwrap().iter().any(|c| c["value"] == CLLR));

    let (status, _) = post(
        &s,
        "/api/entities/rules/block",
        r#"{"name": "Kestrel Pictures", "kind": "org"}"#,
        &[],
    );
    assert_eq!(status, 200);
    let (status, _) = post(
        &s,
        "/api/entities/rules/retype",
        r#"{"name": "Meadow Lane", "to": "place"}"#,
        &[],
    );
    assert_eq!(status, 200);
    let listed: Rules = serde_json::from_value(get_json(&s, "/api/entities/rules")).unwrap();
    assert_eq!(
        (listed.alias.len(), listed.retype.len(), listed.block.len()),
        (1, 1, 1)
    );
    assert_eq!(listed.block[0].kind.as_deref(), Some("org"));
    assert_eq!(
        get_json(&s, "/api/search?q=org:kestrel&limit=0")["total"],
        0
    );

    // A page of another site cannot edit, and bad bodies are told plainly.
    let (status, _) = post(
        &s,
        "/api/entities/rules/remove",
        r#"{"name": "Kestrel Pictures"}"#,
        &[("Origin", "http://elsewhere.example")],
    );
    assert_eq!(status, 403);
    let (status, reply) = post(
        &s,
        "/api/entities/rules/retype",
        r#"{"name": "X", "to": "planet"}"#,
        &[],
    );
    assert_eq!(status, 400, "{reply}");
    let (status, _) = post(
        &s,
        "/api/entities/rules/remove",
        r#"{"name": "Kestrel Pictures"}"#,
        &[],
    );
    assert_eq!(status, 200);
    assert_eq!(
        get_json(&s, "/api/search?q=org:kestrel&limit=0")["total"],
        3
    );
}

/// The server keeps the rules in force between searches; a rule added by another process (the
/// CLI) must still apply to its next search, and a re-index's new merges too.
#[test]
fn regression_rules_kept_by_a_running_server_follow_edits_from_another_process() {
    let f = fixture();
    let s = Serve::start(&f, "127.0.0.1:0", &[]);
    let count = |s: &Serve, name: &str| {
        let people = get_json(s, "/api/search?q=&facet=person&limit=0")["facets"]["person"].clone();
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["value"] == name)
            .map(|c| c["count"].as_u64().unwrap())
    };
    assert_eq!(count(&s, CLLR), Some(2));
    assert_eq!(count(&s, PRIYA), Some(2));
    ok(&f, &["entities", "add-alias", CLLR, PRIYA]);
    assert_eq!(count(&s, PRIYA), Some(3));
    assert_eq!(count(&s, CLLR), None);
    ok(&f, &["entities", "remove", CLLR]);
    assert_eq!(count(&s, CLLR), Some(2));
    assert_eq!(count(&s, PRIYA), Some(2));
}

#[test]
fn edits_beyond_loopback_need_the_edit_token() {
    let f = fixture();
    let body = r#"{"name": "Kestrel Pictures"}"#;
    {
        // Beyond loopback without keys the server starts only when told reading is public.
        let open = Serve::start(&f, "0.0.0.0:0", &["--public"]);
        let (status, reply) = post(&open, "/api/entities/rules/block", body, &[]);
        assert_eq!(status, 403, "{reply}");
        assert!(reply.contains("--edit-token"), "{reply}");
        // Reading stays open.
        assert!(get_json(&open, "/api/entities/rules").is_object());
    }
    let guarded = Serve::start(
        &f,
        "0.0.0.0:0",
        &["--public", "--edit-token", "harbour-token"],
    );
    let (status, _) = post(&guarded, "/api/entities/rules/block", body, &[]);
    assert_eq!(status, 401);
    let (status, _) = post(
        &guarded,
        "/api/entities/rules/block",
        body,
        &[("Authorization", "Bearer wrong")],
    );
    assert_eq!(status, 401);
    let (status, reply) = post(
        &guarded,
        "/api/entities/rules/block",
        body,
        &[("Authorization", "Bearer harbour-token")],
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(rules(&f).block.len(), 1);
}

#[test]
fn a_name_found_as_two_kinds_needs_a_kind() {
    let f = fixture();
    let kind = street_kind(&f);
    // Make "Meadow Lane" both the kind it was tagged as and a place (by a rule on another name).
    ok(
        &f,
        &[
            "entities",
            "add-alias",
            "Millbrook",
            "Meadow Lane",
            "--kind",
            "place",
        ],
    );
    let out = f.run(&["entities", "block", "Meadow Lane"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for part in [
        format!("{kind} (1 article)"),
        "place (1 article)".into(),
        "--kind".into(),
    ] {
        assert!(err.contains(&part), "{err}");
    }
    ok(&f, &["entities", "block", "Meadow Lane", "--kind", kind]);
    assert_eq!(count_of(&facet(&f, kind, &[]), "Meadow Lane"), None);
    assert_eq!(count_of(&facet(&f, "place", &[]), "Meadow Lane"), Some(1));
}

/// A search as the engines are compared on: total, facet values with counts, hits' people.
type Answer = (u64, Vec<(String, Vec<(String, u64)>)>, Vec<Vec<String>>);

/// The same rules on an OpenSearch index of the same articles give the embedded engine's answers,
/// and survive `index --rebuild` there too.
#[test]
fn opensearch_engine_applies_the_rules_like_the_embedded_one() {
    let Some(remote) = crate::opensearch::Remote::for_test("rules") else {
        return;
    };
    let f = fixture();
    let engine = remote.url();
    let on_remote = |args: &[&str]| -> Vec<String> {
        [args, &["--engine", engine.as_str()]]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let run_remote = |args: &[&str]| {
        let args = on_remote(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&f, &args)
    };
    let docs = f.docs();
    run_remote(&["index", docs.to_str().unwrap(), "--quiet"]);
    let edits: &[&[&str]] = &[
        &["entities", "add-alias", CLLR, PRIYA],
        &[
            "entities",
            "add-alias",
            "Millbrook Town",
            "Millbrook",
            "--kind",
            "place",
        ],
        &["entities", "retype", "Meadow Lane", "place"],
        &["entities", "block", "Kestrel Pictures"],
    ];
    for edit in edits {
        ok(&f, edit);
        run_remote(edit);
    }
    let queries: &[&[&str]] = &[
        &["", "--facet", "person,org,place"],
        &["harbour", "--facet", "person,org,place"],
        &["person:priya"],
        &["place:meadow"],
        &["org:kestrel"],
        &["", "--person", CLLR],
        &["", "--place", "Meadow Lane"],
    ];
    let answer = |json: &str| -> Answer {
        let r: crate::common::Results = serde_json::from_str(json).expect("search JSON");
        let facets = r
            .facets
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.iter().map(|c| (c.value.clone(), c.count)).collect(),
                )
            })
            .collect();
        let mut people: Vec<Vec<String>> = r
            .hits
            .iter()
            .map(|h| h.entities.get("person").cloned().unwrap_or_default())
            .collect();
        people.sort();
        (r.total, facets, people)
    };
    let compare = |when: &str| {
        for q in queries {
            let args = [&["search", "--json", "--limit", "10"], *q].concat();
            let embedded = answer(&ok(&f, &args));
            let remote = answer(&run_remote(&args));
            assert_eq!(embedded, remote, "{when}: {q:?}");
        }
    };
    compare("after the edits");
    let page_of = |json: &str| {
        let page: serde_json::Value = serde_json::from_str(json).expect("page JSON");
        [
            page["name"].clone(),
            page["articles"].clone(),
            page["merged_names"].clone(),
            page["co_mentions"].clone(),
        ]
    };
    let page_args = ["entity", CLLR, "--kind", "person", "--json"];
    assert_eq!(
        page_of(&ok(&f, &page_args)),
        page_of(&run_remote(&page_args)),
        "entity pages"
    );
    let facets = answer(&run_remote(&["search", "--json", "", "--facet", "person"])).1;
    assert_eq!(
        facets[0]
            .1
            .iter()
            .find(|(v, _)| v == PRIYA)
            .map(|(_, c)| *c),
        Some(3)
    );
    run_remote(&["index", docs.to_str().unwrap(), "--quiet", "--rebuild"]);
    compare("after --rebuild on the cluster");
    let listed: Rules =
        serde_json::from_str(&run_remote(&["entities", "rules", "--json"])).unwrap();
    assert_eq!(listed, rules(&f));
}

/// `newsdex entity NAME --json`, parsed.
fn entity_page(f: &Fixture, name: &str, kind: &str) -> serde_json::Value {
    serde_json::from_str(&ok(f, &["entity", name, "--kind", kind, "--json"])).expect("page JSON")
}

#[test]
fn entity_pages_show_aliases_as_merged_names_and_lose_blocked_names() {
    let f = fixture();
    ok(&f, &["entities", "add-alias", CLLR, PRIYA]);
    ok(&f, &["entities", "block", "Kestrel Pictures"]);

    // The councillor's page is Priya Ramaswamy's: her three articles, the alias among the names
    // merged into her, with the two articles that carry it.
    for asked in [PRIYA, CLLR] {
        let page = entity_page(&f, asked, "person");
        assert_eq!(page["name"], PRIYA, "{asked}");
        assert_eq!(page["articles"], 3, "{asked}");
        let by_rule: Vec<&serde_json::Value> = page["merged_names"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["by"] == "rule")
            .collect();
        assert_eq!(by_rule.len(), 1, "{page}");
        assert_eq!(by_rule[0]["name"], CLLR);
        assert_eq!(by_rule[0]["articles"], 2);
        // Co-mentions follow the rules too: the blocked credit is gone, the board stays.
        let orgs: Vec<&str> = page["co_mentions"]["org"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap())
            .collect();
        assert!(orgs.contains(&"Harbour Board"), "{orgs:?}");
        assert!(!orgs.contains(&"Kestrel Pictures"), "{orgs:?}");
    }
    // The blocked name has no page.
    let blocked = entity_page(&f, "Kestrel Pictures", "org");
    assert_eq!(blocked["articles"], 0, "{blocked}");
    // A retyped name's page is under its new kind.
    ok(&f, &["entities", "retype", "Meadow Lane", "place"]);
    let street = entity_page(&f, "Meadow Lane", "place");
    assert_eq!(
        (street["kind"].as_str(), street["articles"].as_u64()),
        (Some("place"), Some(1))
    );
    assert_eq!(entity_page(&f, "Meadow Lane", "person")["articles"], 0);
}

/// A one-shot search reads the rules worked out beside the index (`entity-rules.worked`); that
/// file must never answer for rules it was not worked out from. After an edit through the CLI,
/// a hand edit, an old file put back over a new one, a damaged, half or deleted file, every
/// search gives the counts of the rules as they are.
#[test]
fn regression_a_one_shot_search_after_a_rules_edit_gives_the_fresh_counts() {
    let f = fixture();
    let worked = f.index().join("entity-rules.worked");
    assert!(worked.exists(), "the index run keeps the worked rules");
    assert_eq!(count_of(&facet(&f, "person", &[]), PRIYA), Some(2));

    ok(&f, &["entities", "add-alias", CLLR, PRIYA]);
    let merged = facet(&f, "person", &[]);
    assert_eq!(count_of(&merged, PRIYA), Some(3), "{merged:?}");
    assert_eq!(count_of(&merged, CLLR), None, "{merged:?}");
    let for_alias = std::fs::read(&worked).unwrap();

    // By hand, with no save through newsdex to rewrite the worked file.
    let rules = f.index().join("entity-rules.toml");
    std::fs::write(&rules, format!("[[block]]\nname = \"{PRIYA}\"\n")).unwrap();
    let blocked = |when: &str| {
        let people = facet(&f, "person", &[]);
        assert_eq!(count_of(&people, PRIYA), None, "{when}: {people:?}");
        assert_eq!(count_of(&people, CLLR), Some(2), "{when}: {people:?}");
        assert_eq!(total(&f, &["", "--person", CLLR]), 2, "{when}");
    };
    blocked("after a hand edit");
    let fresh = std::fs::read(&worked).unwrap();
    assert_ne!(fresh, for_alias, "the stale file was replaced");

    std::fs::write(&worked, &for_alias).unwrap();
    blocked("with the file worked out for the alias put back");
    let mut damaged = fresh.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    for (when, bytes) in [
        ("with a damaged file", damaged),
        ("with half a file", fresh[..middle].to_vec()),
        ("with an empty file", Vec::new()),
    ] {
        std::fs::write(&worked, bytes).unwrap();
        blocked(when);
        assert_eq!(std::fs::read(&worked).unwrap(), fresh, "{when}: rewritten");
    }
    std::fs::remove_file(&worked).unwrap();
    blocked("with no file");

    // Removing the rule through the CLI brings both names back as indexed.
    ok(&f, &["entities", "remove", PRIYA]);
    let people = facet(&f, "person", &[]);
    assert_eq!(count_of(&people, PRIYA), Some(2), "{people:?}");
    assert_eq!(count_of(&people, CLLR), Some(2), "{people:?}");
}
