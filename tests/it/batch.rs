//! `search --batch` and `POST /api/batch`: each line's count equals the same query searched alone,
//! a bad line is reported by number while the others run.
use serde::Deserialize;

use crate::common::Fixture;
use crate::export::archive;
use crate::server::{Corpus, Server, request};

#[derive(Debug, Deserialize)]
struct Report {
    rows: Vec<Row>,
    failed: usize,
}

#[derive(Debug, Deserialize)]
struct Row {
    line: usize,
    query: String,
    total: Option<u64>,
    #[serde(default)]
    sources: Vec<crate::common::FacetCount>,
    error: Option<String>,
    position: Option<usize>,
}

const LIST: &str = "# levy coverage\nharbour levy\n\nregatta\n  \"fair deal\n# done\nsource:\"Capital Ledger\" levy\nnothing-matches-this\n";

fn batch(f: &Fixture, args: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let list = f.dir.path().join("list.txt");
    std::fs::write(&list, LIST).unwrap();
    let out = f.run(&[&["search", "--batch", list.to_str().unwrap()], args].concat());
    (out, list)
}

#[test]
fn batch_counts_match_single_searches_and_a_bad_line_is_reported_by_number() {
    let f = archive();
    let (out, list) = batch(&f, &["--json", "--per-source"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a failed line makes the exit code 2"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:5: query error at position 0", list.display())),
        "{stderr}"
    );
    let report: Report = serde_json::from_slice(&out.stdout).expect("one JSON report");
    let lines: Vec<usize> = report.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4, 5, 7, 8]);
    assert_eq!(report.failed, 1);
    for row in &report.rows {
        if row.line == 5 {
            assert!(row.total.is_none() && row.error.is_some());
            assert_eq!(row.position, Some(0));
            continue;
        }
        let alone = f.search(&[&row.query, "--facet", "source"]);
        assert_eq!(row.total, Some(alone.total), "{}", row.query);
        assert_eq!(row.sources, alone.facets["source"], "{}", row.query);
    }
    assert_eq!(report.rows[4].total, Some(0));
    assert!(report.rows[0].total.unwrap() > 100);
}

#[test]
fn batch_as_csv_and_table_under_filters() {
    let f = archive();
    let (out, _) = batch(
        &f,
        &[
            "--per-source",
            "--format",
            "csv",
            "--source",
            "Meridian Wire",
        ],
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["line", "query", "hits", "error", "Meridian Wire"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let levy = f.search(&["harbour levy", "--source", "Meridian Wire"]);
    assert_eq!(&rows[0][2], levy.total.to_string());
    assert_eq!(&rows[0][4], levy.total.to_string());
    assert!(rows[2][3].contains("unterminated quote"));
    let (table, _) = batch(&f, &[]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("error") && l.contains("\"fair deal")),
        "{text}"
    );
    assert!(text.trim_end().ends_with("5 queries, 1 failed"), "{text}");
}

#[test]
fn api_batch_runs_the_list_under_the_query_string_filters() {
    let corpus = Corpus::new();
    let server = Server::start(&corpus.index_path());
    let body =
        serde_json::json!({"text": "ceasefire\n# c\ncairo\n(unbalanced\n", "per_source": true});
    let reply = request(
        &server.addr,
        "POST",
        "/api/batch?source=Reuters",
        Some(&body.to_string()),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report: Report = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(report.rows.len(), 3);
    assert_eq!(report.failed, 1);
    let alone = server.json("/api/search?q=ceasefire&source=Reuters");
    assert_eq!(report.rows[0].total, alone["total"].as_u64());
    assert_eq!(report.rows[0].sources.len(), 1);
    assert_eq!(report.rows[0].sources[0].value, "Reuters");
    assert_eq!(report.rows[2].line, 4);
    assert!(report.rows[2].error.is_some());
    let bad = request(&server.addr, "POST", "/api/batch", Some("[1, 2]"));
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"].as_str().unwrap().contains("text"),
        "{}",
        bad.body
    );
}
