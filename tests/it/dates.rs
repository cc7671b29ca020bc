//! Dates through the real binary: only datelines in plain text, the wire formats in metadata,
//! and unparsed and impossible dates counted apart.
use crate::common::{Fixture, copy_fixtures};

fn date_of(r: &crate::common::Results, path: &str) -> Option<String> {
    r.hits
        .iter()
        .find(|h| h.path == path)
        .unwrap_or_else(|| panic!("{path} not found"))
        .date
        .clone()
}

#[test]
fn dates_come_only_from_datelines_and_metadata() {
    let f = Fixture::new();
    copy_fixtures(&f, "dates");
    let out = f.index_docs(&["--no-entities", "--verbose"]);
    let r = f.search(&["--limit", "50"]);
    // A bare number on line 2 and a table line are not dates.
    assert_eq!(date_of(&r, "bare-number.txt"), None);
    assert_eq!(date_of(&r, "table-line.txt"), None);
    let table = r.hits.iter().find(|h| h.path == "table-line.txt").unwrap();
    assert!(table.snippet.contains("53 weeks to April 4, 1987"));
    // Datelines in the new formats.
    assert_eq!(
        date_of(&r, "wire-format.txt").as_deref(),
        Some("1987-02-26")
    );
    assert_eq!(
        date_of(&r, "month-time-zone.txt").as_deref(),
        Some("2019-11-19")
    );
    // Metadata in the wire's formats.
    for (record, want) in [
        (1, Some("1987-02-26")),
        (2, Some("1987-03-03")),
        (3, Some("1987-03-05")),
        (4, Some("1987-03-06")),
        (5, Some("1987-03-07")),
        (6, None),
        (7, None),
        (8, None),
    ] {
        assert_eq!(
            date_of(&r, &format!("feed.jsonl#{record}")).as_deref(),
            want,
            "record {record}"
        );
    }
    // The summary tells unparsed from impossible, and --verbose shows examples of each.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("(impossible date: 2, date not understood: 1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unparsed dates, for example: \"sometime soon\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("impossible dates, for example:"),
        "{stderr}"
    );
    assert!(stderr.contains("\"1987-02-30\""), "{stderr}");
}
