//! Archive-wide entity merges end to end, on both engines: the real binary indexes fictional
//! articles (`tests/fixtures/merges`): an organisation written out in two articles ("Meridian
//! Monetary Board", a1 and a2, a2 spelling the acronym out) and as its acronym in two others
//! ("MMB", a3 and a4); a party
//! written out in two ("Progressive Reformers", a5 and a7) and abbreviated in one ("Prog Refs",
//! a6); and a story (a5) with a dateline and a credit line. The merges are checked where names
//! show (facets, filters, hits, `newsdex entities merges`), through a re-index and `--rebuild`,
//! under a `keep` rule that undoes one and an alias rule that wins over one.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::common::{Fixture, Results, bin, copy_fixtures};
use crate::opensearch::Remote;

const BOARD: &str = "Meridian Monetary Board";
const PARTY: &str = "Progressive Reformers";

#[derive(Debug, Deserialize)]
struct Merges {
    merges: Vec<Merge>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Merge {
    kind: String,
    from: String,
    to: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct Mention {
    kind: String,
    canonical: String,
}

/// Runs `newsdex` against one index: a folder, or an OpenSearch index.
struct Archive<'a> {
    f: &'a Fixture,
    engine: Option<String>,
}

impl Archive<'_> {
    fn run(&self, args: &[&str]) -> String {
        let mut all: Vec<&str> = args.to_vec();
        if let Some(url) = &self.engine {
            all.extend(["--engine", url.as_str()]);
        }
        let out = self.f.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn index(&self, extra: &[&str]) {
        let docs = self.f.docs();
        self.run(&[&["index", docs.to_str().unwrap(), "--quiet"], extra].concat());
    }

    fn search(&self, args: &[&str]) -> Results {
        serde_json::from_str(&self.run(&[&["search", "--json"], args].concat())).unwrap()
    }

    fn orgs(&self) -> BTreeMap<String, u64> {
        self.search(&["", "--limit", "0", "--facet", "org", "--facet-size", "50"])
            .facets["org"]
            .iter()
            .map(|c| (c.value.clone(), c.count))
            .collect()
    }

    fn merges(&self) -> Vec<Merge> {
        let out = self.run(&["entities", "merges", "--json"]);
        serde_json::from_str::<Merges>(&out).unwrap().merges
    }
}

/// The names the tagger finds in one fixture file, as (kind, canonical name): what the merges
/// start from. Checked first, so a changed model fails here with a clear message rather than
/// further down.
fn tagged(f: &Fixture, file: &str) -> Vec<(String, String)> {
    let path = f.docs().join(file);
    let out = bin()
        .args(["entities", path.to_str().unwrap(), "--json"])
        .output()
        .expect("run newsdex");
    let mentions: Vec<Mention> = serde_json::from_slice(&out.stdout).unwrap();
    mentions
        .into_iter()
        .map(|m| (m.kind, m.canonical))
        .collect()
}

fn org(name: &str) -> (String, String) {
    ("org".to_string(), name.to_string())
}

fn merge(from: &str, to: &str, reason: &str) -> Merge {
    Merge {
        kind: "org".into(),
        from: from.into(),
        to: to.into(),
        reason: reason.into(),
    }
}

fn fixture() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "merges");
    for (file, name) in [
        ("a1.txt", BOARD),
        ("a2.txt", BOARD),
        ("a3.txt", "MMB"),
        ("a4.txt", "MMB"),
        ("a5.txt", PARTY),
        ("a6.txt", "Prog Refs"),
        ("a7.txt", PARTY),
    ] {
        assert!(
            tagged(&f, file).contains(&org(name)),
            "the tagger no longer finds {name:?} in {file}: {:?}",
            tagged(&f, file)
        );
    }
    f
}

fn merges_on(a: &Archive) {
    a.index(&[]);
    // What the pass found, with its reasons.
    let merges = a.merges();
    assert!(
        merges.contains(&merge("MMB", BOARD, "acronym")),
        "{merges:?}"
    );
    assert!(
        merges.contains(&merge("Prog Refs", PARTY, "abbreviation")),
        "{merges:?}"
    );
    // Facets count each entity once per article, under one name.
    let orgs = a.orgs();
    assert_eq!(orgs.get(BOARD), Some(&4), "{orgs:?}");
    assert_eq!(orgs.get(PARTY), Some(&3), "{orgs:?}");
    assert_eq!(orgs.get("MMB"), None, "{orgs:?}");
    assert_eq!(orgs.get("Prog Refs"), None, "{orgs:?}");
    // A filter on either name finds every article of the entity.
    assert_eq!(a.search(&["", "--org", "MMB", "--limit", "0"]).total, 4);
    assert_eq!(a.search(&["", "--org", BOARD, "--limit", "0"]).total, 4);
    // Hits show the merged name.
    let hits = a.search(&["yields", "--limit", "5"]).hits;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entities["org"], vec![BOARD.to_string()]);

    // News furniture: the dateline's agency is no organisation, the credit line's names are the
    // article's authors and no persons, and an author can be searched.
    assert_eq!(orgs.get("Coast Wire"), None, "{orgs:?}");
    let harbour = a.search(&["harbour deal signed", "--limit", "1"]).hits;
    assert_eq!(harbour[0].authors, vec!["Tomas Lind", "Ruth Ellery"]);
    assert_eq!(
        harbour[0].entities["person"],
        vec!["Edda Marrow".to_string()]
    );
    assert!(harbour[0].entities["place"].contains(&"Velmore".to_string()));
    assert_eq!(a.search(&["author:Ellery", "--limit", "0"]).total, 1);

    // A re-index after a new article, and a rebuild, keep the merges up to date.
    a.f.write(
        "a8.txt",
        "Board meets again\n\nThe MMB meets again on Thursday, analysts said in a note.\n",
    );
    a.index(&[]);
    assert_eq!(a.orgs().get(BOARD), Some(&5));
    a.index(&["--rebuild"]);
    assert_eq!(a.orgs().get(BOARD), Some(&5));
    assert!(a.merges().contains(&merge("MMB", BOARD, "acronym")));

    // A keep rule undoes the merge; removing it brings the merge back.
    a.run(&["entities", "keep", "MMB"]);
    let orgs = a.orgs();
    assert_eq!(
        (orgs.get("MMB"), orgs.get(BOARD)),
        (Some(&3), Some(&2)),
        "{orgs:?}"
    );
    assert!(!a.merges().iter().any(|m| m.from == "MMB"));
    a.run(&["entities", "remove", "MMB"]);
    assert_eq!(a.orgs().get(BOARD), Some(&5));
    // An alias rule wins over the merge.
    a.run(&["entities", "add-alias", "MMB", "Meridian Board"]);
    let orgs = a.orgs();
    assert_eq!(
        (orgs.get("Meridian Board"), orgs.get(BOARD)),
        (Some(&3), Some(&2)),
        "{orgs:?}"
    );
}

#[test]
fn archive_merges_on_the_embedded_engine() {
    let f = fixture();
    merges_on(&Archive {
        f: &f,
        engine: None,
    });
}

#[test]
fn archive_merges_on_opensearch() {
    let Some(remote) = Remote::for_test("archive-merges") else {
        return;
    };
    let f = fixture();
    merges_on(&Archive {
        f: &f,
        engine: Some(remote.url()),
    });
}

#[test]
fn facet_size_lists_that_many_values() {
    let f = fixture();
    let a = Archive {
        f: &f,
        engine: None,
    };
    a.index(&[]);
    // Two organisations in all (after the merges).
    assert_eq!(a.orgs().len(), 2);
    let one = a.search(&["", "--limit", "0", "--facet", "org", "--facet-size", "1"]);
    assert_eq!(one.facets["org"].len(), 1);
    assert_eq!(one.facets["org"][0].value, BOARD);
    let out = f.run(&["search", "", "--facet-size", "0"]);
    assert!(!out.status.success());
}

/// Regression (facets under merges cost one search per merged value): the merged values are now
/// counted together in one pass, and that pass must still count an article carrying two names
/// of one entity once, under a query as well as over the whole archive.
fn two_names_in_one_article_count_once_on(a: &Archive) {
    a.f.write(
        "a9.txt",
        "Reformers hold rally\n\nMembers of the Progressive Reformers party backed the plan at \
         the harbour on Monday. Later the Prog Refs were cheered by the crowd, officials said.\n",
    );
    let both = tagged(a.f, "a9.txt");
    assert!(
        both.contains(&org(PARTY)) && both.contains(&org("Prog Refs")),
        "the tagger no longer finds both names in a9.txt: {both:?}"
    );
    a.index(&[]);
    assert!(
        a.merges()
            .contains(&merge("Prog Refs", PARTY, "abbreviation"))
    );
    // a5, a7 (written out), a6 (abbreviated) and a9 (both): four articles, not five.
    assert_eq!(a.orgs().get(PARTY), Some(&4));
    assert_eq!(a.search(&["", "--org", PARTY, "--limit", "0"]).total, 4);
    // Under a query matching a5 (written out), a6 (abbreviated) and a9 (both): three, not four.
    let harbour = a.search(&["harbour", "--limit", "0", "--facet", "org,source"]);
    let party = harbour.facets["org"].iter().find(|c| c.value == PARTY);
    assert_eq!(
        (harbour.total, party.map(|c| c.count)),
        (3, Some(3)),
        "{:?}",
        harbour.facets
    );
    // A source-only facet still shows merged names on the hits.
    let hits = a.search(&["cheered", "--facet", "source"]).hits;
    assert_eq!(hits[0].entities["org"], vec![PARTY.to_string()]);
}

#[test]
fn merged_facet_counts_an_article_with_two_names_once() {
    let f = fixture();
    two_names_in_one_article_count_once_on(&Archive {
        f: &f,
        engine: None,
    });
}

#[test]
fn merged_facet_counts_an_article_with_two_names_once_on_opensearch() {
    let Some(remote) = Remote::for_test("merged-facet-once") else {
        return;
    };
    let f = fixture();
    two_names_in_one_article_count_once_on(&Archive {
        f: &f,
        engine: Some(remote.url()),
    });
}

/// Regression (acronyms merged on initials alone: "USA" shown as a university, "NY" as a
/// holiday): an acronym whose letters are the initials of one name of the archive stays apart
/// when no article writes the two together, and merges once one does.
fn acronym_needs_an_article_spelling_it_out_on(a: &Archive) {
    let union = "Coastal Freight Union";
    a.f.write(
        "b1.txt",
        "Dockers vote to strike\n\nMembers of the Coastal Freight Union voted on Monday to \
         strike at the port.\n",
    );
    a.f.write(
        "b2.txt",
        "Port talks resume\n\nThe Coastal Freight Union returned to talks on Friday.\n",
    );
    a.f.write(
        "b3.txt",
        "Strike called off\n\nThe CFU called off the strike late on Sunday, a spokesman said.\n",
    );
    for (file, name) in [("b1.txt", union), ("b2.txt", union), ("b3.txt", "CFU")] {
        assert!(
            tagged(a.f, file).contains(&org(name)),
            "the tagger no longer finds {name:?} in {file}: {:?}",
            tagged(a.f, file)
        );
    }
    a.index(&[]);
    assert!(
        !a.merges().iter().any(|m| m.from == "CFU"),
        "{:?}",
        a.merges()
    );
    let orgs = a.orgs();
    assert_eq!(
        (orgs.get("CFU"), orgs.get(union)),
        (Some(&1), Some(&2)),
        "{orgs:?}"
    );
    // One article spelling it out is the archive's evidence.
    a.f.write(
        "b4.txt",
        "Union signs deal\n\nThe Coastal Freight Union (CFU) signed a deal with port owners.\n",
    );
    a.index(&[]);
    assert!(
        a.merges().contains(&merge("CFU", union, "acronym")),
        "{:?}",
        a.merges()
    );
    assert_eq!(a.orgs().get(union), Some(&4));
    assert_eq!(a.search(&["", "--org", "CFU", "--limit", "0"]).total, 4);
}

#[test]
fn acronym_needs_an_article_spelling_it_out_on_the_embedded_engine() {
    let f = fixture();
    acronym_needs_an_article_spelling_it_out_on(&Archive {
        f: &f,
        engine: None,
    });
}

#[test]
fn acronym_needs_an_article_spelling_it_out_on_opensearch() {
    let Some(remote) = Remote::for_test("acronym-evidence") else {
        return;
    };
    let f = fixture();
    acronym_needs_an_article_spelling_it_out_on(&Archive {
        f: &f,
        engine: Some(remote.url()),
    });
}

/// A server's engine counts entity facets under the rules itself, in one pass over its merged
/// dictionaries; the CLI's lists are the engine's corrected by the rules layer. Both must list
/// the same values with the same counts, whatever the rules: merges (an article with two names
/// of one entity counting once), an alias, a name moved to another kind, a blocked name.
#[test]
fn served_entity_facets_under_rules_equal_the_clis() {
    let f = fixture();
    let a = Archive {
        f: &f,
        engine: None,
    };
    a.f.write(
        "a9.txt",
        "Reformers hold rally\n\nMembers of the Progressive Reformers party backed the plan at \
         the harbour on Monday. Later the Prog Refs were cheered by the crowd, officials said.\n",
    );
    a.index(&[]);
    let s = crate::keys::Serve::start(&f, "127.0.0.1:0", &[]);
    let queries = ["", "harbour", "rates", "Velmore"];
    let compare = |when: &str| {
        for q in queries {
            for size in ["1", "2", "50"] {
                let cli = a.search(&[
                    q,
                    "--limit",
                    "3",
                    "--facet",
                    "person,org,place,misc",
                    "--facet-size",
                    size,
                ]);
                let path = format!(
                    "/api/search?q={}&limit=3&facet=person,org,place,misc&facet_size={size}",
                    q.replace(' ', "+")
                );
                let reply = s.call_with("GET", &path, None, None, &[]);
                let served: Results = serde_json::from_str(&reply.body).expect("JSON");
                for kind in ["person", "org", "place", "misc"] {
                    let pairs = |r: &Results| -> Vec<(String, u64)> {
                        r.facets
                            .get(kind)
                            .map(|l| l.iter().map(|c| (c.value.clone(), c.count)).collect())
                            .unwrap_or_default()
                    };
                    assert_eq!(
                        pairs(&served),
                        pairs(&cli),
                        "{when}: {kind} facet of {q:?} at size {size}"
                    );
                }
            }
        }
    };
    compare("merges only");
    assert_eq!(a.orgs().get(PARTY), Some(&4));
    a.run(&["entities", "add-alias", "Edda Marrow", "Halvard Quist"]);
    a.run(&["entities", "retype", "Velmore", "org"]);
    a.run(&["entities", "block", "Meridian Monetary Board"]);
    compare("with an alias, a retype and a block");
    // A re-index that removes one article and rewrites another leaves deleted documents in the
    // segments. A query matching most of the archive (the empty one) is counted by subtracting
    // what it does not match from what every live article carries: deleted ones must not count.
    std::fs::remove_file(a.f.docs().join("a2.txt")).expect("remove a2.txt");
    a.f.write(
        "a6.txt",
        "Reformers split over harbour\n\nThe Prog Refs were divided on Thursday over the \
         harbour plan in Velmore, and Halvard Quist said the Progressive Reformers would vote \
         again.\n",
    );
    a.index(&[]);
    // The server's reader follows commits within about a second, as a search cluster's refresh
    // does: wait until it serves the new total.
    let total = a.search(&["", "--limit", "0"]).total;
    let served_total = || {
        let reply = s.call_with("GET", "/api/search?q=&limit=0", None, None, &[]);
        serde_json::from_str::<Results>(&reply.body)
            .expect("JSON")
            .total
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while served_total() != total && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    compare("after a re-index that removed and rewrote articles");
}

/// The names the archive `a` lists for `kind`, with their articles.
fn facet(a: &Archive, kind: &str) -> BTreeMap<String, u64> {
    a.search(&["", "--limit", "0", "--facet", kind, "--facet-size", "50"])
        .facets[kind]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect()
}

/// Regression (a club whose name is also a given name listed as a person: the tagger files
/// "Rowena" as the club in three match reports, k1-k3, and as a person in three others, k4-k6,
/// and no article names a person "... Rowena"): the archive-wide pass moves the person's
/// articles to the organisation, through a re-index and `--rebuild`, and a `keep` rule undoes
/// it. "Dana Orme" (k7), a person introduced in full, stays a person.
fn person_filed_as_a_club_elsewhere_on(a: &Archive) {
    for (file, kind) in [("k1.txt", "org"), ("k3.txt", "org"), ("k4.txt", "person")] {
        let found = tagged(a.f, file);
        assert!(
            found.contains(&(kind.to_string(), "Rowena".to_string())),
            "the tagger no longer files Rowena as {kind} in {file}: {found:?}"
        );
    }
    a.index(&[]);
    let moved = Merge {
        kind: "person".into(),
        from: "Rowena".into(),
        to: "Rowena".into(),
        reason: "kind".into(),
    };
    assert!(a.merges().contains(&moved), "{:?}", a.merges());
    let (orgs, persons) = (facet(a, "org"), facet(a, "person"));
    assert_eq!(orgs.get("Rowena"), Some(&6), "{orgs:?}");
    assert_eq!(persons.get("Rowena"), None, "{persons:?}");
    assert_eq!(persons.get("Dana Orme"), Some(&1), "{persons:?}");
    assert_eq!(a.search(&["", "--org", "Rowena", "--limit", "0"]).total, 6);
    let hits = a.search(&["\"fans of rowena\"", "--limit", "5"]).hits;
    assert_eq!(hits.len(), 3);
    assert!(
        hits.iter()
            .all(|h| h.entities["org"].contains(&"Rowena".to_string()))
    );

    a.index(&["--rebuild"]);
    assert_eq!(facet(a, "org").get("Rowena"), Some(&6));
    assert!(a.merges().contains(&moved));

    a.run(&["entities", "keep", "Rowena"]);
    let (orgs, persons) = (facet(a, "org"), facet(a, "person"));
    assert_eq!(
        (orgs.get("Rowena"), persons.get("Rowena")),
        (Some(&3), Some(&3)),
        "{orgs:?} {persons:?}"
    );
    assert!(!a.merges().contains(&moved));
}

fn kind_fixture() -> Fixture {
    let f = Fixture::new();
    copy_fixtures(&f, "kind-moves");
    f
}

#[test]
fn regression_a_club_named_like_a_person_was_listed_as_a_person() {
    let f = kind_fixture();
    person_filed_as_a_club_elsewhere_on(&Archive {
        f: &f,
        engine: None,
    });
}

#[test]
fn regression_a_club_named_like_a_person_was_listed_as_a_person_on_opensearch() {
    let Some(remote) = Remote::for_test("kind-moves") else {
        return;
    };
    let f = kind_fixture();
    person_filed_as_a_club_elsewhere_on(&Archive {
        f: &f,
        engine: Some(remote.url()),
    });
}
