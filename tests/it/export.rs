//! `newsdex export` and `GET /api/export`: every hit exactly once, in the search's order, with the
//! same fields the search shows, read back by a real CSV parser.
use std::collections::HashSet;

use serde::Deserialize;

use crate::common::{Fixture, Results};
use crate::server::{Corpus, Server};

/// Articles in one JSON Lines file: more than one page of any size the tests use, headlines with
/// the characters CSV must quote (commas, quotes, line breaks) and accents.
const ARTICLES: usize = 230;

pub fn archive() -> Fixture {
    let f = Fixture::new();
    let mut lines = String::new();
    for i in 0..ARTICLES {
        let source = ["Harbour Gazette", "Capital Ledger", "Meridian Wire"][i % 3];
        let headline = match i % 4 {
            0 => format!("Harbour levy, part {i}: \"a fair deal\""),
            1 => format!("Café owners in Zürich weigh harbour levy {i}"),
            2 => format!("Council votes\non harbour levy {i}"),
            _ => format!("Rain delays the regatta {i}"),
        };
        let body = if i % 4 == 3 {
            format!("The regatta was postponed for the {i}th time as rain kept boats ashore.")
        } else {
            format!(
                "The harbour levy was debated again; councillors heard {} objections. {}",
                i,
                "The levy would fund dredging. ".repeat(1 + i % 5)
            )
        };
        let row = serde_json::json!({
            "headline": headline,
            "body": body,
            "source": source,
            "date": format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            "author": if i % 2 == 0 { "Ana Ruiz" } else { "Tom Reed, Li Wei" },
        });
        lines.push_str(&row.to_string());
        lines.push('\n');
    }
    f.write("archive.jsonl", lines);
    f.index_docs(&["--no-entities", "--quiet"]);
    f
}

/// One CSV row as the export's header names it.
#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    path: String,
    headline: String,
    source: String,
    section: String,
    date: String,
    authors: String,
    url: String,
    score: f32,
    person: String,
    org: String,
    place: String,
    misc: String,
}

#[derive(Debug, Deserialize)]
struct JsonRow {
    id: String,
    date: Option<String>,
    authors: Vec<String>,
    snippet: String,
}

fn export(f: &Fixture, args: &[&str]) -> Vec<u8> {
    let out = f.run(&[&["export"], args].concat());
    assert!(
        out.status.success(),
        "export {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn csv_rows(bytes: &[u8]) -> Vec<Row> {
    csv::Reader::from_reader(bytes)
        .deserialize()
        .collect::<Result<Vec<Row>, _>>()
        .expect("the export parses as CSV with the documented header")
}

fn all_hits(f: &Fixture, query: &str, sort: &str) -> Results {
    f.search(&[query, "--sort", sort, "--limit", "1000", "--facet", ""])
}

#[test]
fn export_has_every_hit_once_in_rank_order_with_the_search_fields() {
    let f = archive();
    let search = all_hits(&f, "harbour levy", "relevance");
    assert!(search.total > 150, "the query matches many articles");
    // Pages of 40 force several passes over the query; the default reads one.
    for page in ["40", "5000"] {
        let rows = csv_rows(&export(&f, &["harbour levy", "--page-size", page]));
        assert_eq!(rows.len() as u64, search.total, "page size {page}");
        let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), rows.len(), "no article twice (page size {page})");
        for (row, hit) in rows.iter().zip(&search.hits) {
            assert_eq!(row.id, hit.id);
            assert_eq!(row.headline, hit.headline);
            assert_eq!(row.source, hit.source);
            assert_eq!(Some(row.date.as_str()), hit.date.as_deref());
            assert_eq!(row.authors, hit.authors.join("; "));
            assert_eq!(row.path, hit.path);
            assert!((row.score - hit.score).abs() < 1e-3, "{row:?} vs {hit:?}");
            assert_eq!(row.section, hit.section.clone().unwrap_or_default());
            assert_eq!(row.url, hit.url.clone().unwrap_or_default());
            assert!(row.person.is_empty() && row.org.is_empty());
            assert!(row.place.is_empty() && row.misc.is_empty());
        }
        assert!(rows.windows(2).all(|w| w[0].score >= w[1].score));
    }
    let quoted = csv_rows(&export(&f, &["harbour levy", "--page-size", "40"]));
    assert!(
        quoted
            .iter()
            .any(|r| r.headline.contains("\"a fair deal\""))
    );
    assert!(
        quoted
            .iter()
            .any(|r| r.headline.starts_with("Café owners in Zürich"))
    );
}

#[test]
fn export_in_date_order_as_jsonl_with_snippets_to_a_file() {
    let f = archive();
    let path = f.dir.path().join("out.jsonl");
    let out = f.run(&[
        "export",
        "",
        "--sort",
        "oldest",
        "--format",
        "jsonl",
        "--fields",
        "id,date,authors,snippet",
        "--page-size",
        "64",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "rows go to the file, not standard output"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<JsonRow> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(rows.len(), ARTICLES);
    let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), ARTICLES, "every article once");
    let dates: Vec<&str> = rows.iter().filter_map(|r| r.date.as_deref()).collect();
    assert_eq!(dates.len(), ARTICLES);
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let search = all_hits(&f, "", "oldest");
    let searched: Vec<&str> = search
        .hits
        .iter()
        .filter_map(|h| h.date.as_deref())
        .collect();
    assert_eq!(dates, searched);
    assert!(rows.iter().all(|r| !r.snippet.is_empty()));
    assert!(rows.iter().any(|r| r.authors == ["Tom Reed", "Li Wei"]));
    assert!(!f.dir.path().join("out.jsonl.partial").exists());
}

#[test]
fn export_bom_and_bad_field_and_query_errors() {
    let f = archive();
    let bytes = export(&f, &["regatta", "--bom", "--fields", "id,headline"]);
    assert!(bytes.starts_with("\u{feff}id,headline\r\n".as_bytes()));
    let out = f.run(&["export", "x", "--fields", "id,colour"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("colour"));
    let out = f.run(&["export", "harbour levy)"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("position"));
}

#[test]
fn api_export_streams_the_same_rows_as_the_search() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let search = server.json("/api/search?q=ceasefire&limit=100");
    let reply = server.get("/api/export?q=ceasefire&format=csv&limit=1&offset=3");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        reply
            .header("content-disposition")
            .unwrap()
            .contains("newsdex-export.csv")
    );
    let rows = csv_rows(reply.body.as_bytes());
    let hits = search["hits"].as_array().unwrap();
    assert_eq!(rows.len() as u64, search["total"].as_u64().unwrap());
    assert!(rows.len() > 1, "paging parameters do not cut an export");
    for (row, hit) in rows.iter().zip(hits) {
        assert_eq!(row.id, hit["id"].as_str().unwrap());
        assert_eq!(row.headline, hit["headline"].as_str().unwrap());
    }
    let jsonl = server.get("/api/export?q=ceasefire&source=Reuters&format=jsonl&fields=id,snippet");
    assert_eq!(jsonl.status, 200);
    let lines: Vec<JsonRowLite> = jsonl
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let reuters = server.json("/api/search?q=ceasefire&source=Reuters");
    assert_eq!(lines.len() as u64, reuters["total"].as_u64().unwrap());
    assert!(
        lines
            .iter()
            .all(|l| l.snippet.to_lowercase().contains("ceasefire"))
    );
    let bad = server.get("/api/export?q=%22unclosed");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["position"].is_u64(), "{}", bad.body);
    assert_eq!(server.get("/api/export?format=xls").status, 400);
}

#[derive(Debug, Deserialize)]
struct JsonRowLite {
    #[allow(dead_code)]
    id: String,
    snippet: String,
}
