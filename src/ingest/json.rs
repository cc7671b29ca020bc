//! JSON and JSON Lines: one article object, an array of them, a wrapper object holding an array,
//! or one object per line.
//!
//! Dumps from scrapers and APIs are routinely dirty (a truncated line, a number where text was
//! expected), so one bad record becomes a warning and every good record is kept.
use serde_json::{Map, Value};

use super::fields::{self, Rejected};
use super::{Extracted, ParseOptions, SkipReason, Warning};

/// Keys under which wrapper objects commonly hold their article array.
const CONTAINER_KEYS: &[&str] = &[
    "articles",
    "data",
    "items",
    "results",
    "records",
    "stories",
    "posts",
    "entries",
    "documents",
];

/// A `.json` file. Falls back to JSON Lines when the file is really one object per line (the
/// HuffPost dataset ships like that under a `.json` name).
pub fn parse_json(text: &str, opts: &ParseOptions) -> Result<Extracted, SkipReason> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => from_value(v, opts),
        Err(e) if looks_like_lines(text) => {
            let out = parse_lines(text, opts);
            if out.records.is_empty() {
                Err(SkipReason::Malformed(format!("invalid JSON: {e}")))
            } else {
                Ok(out)
            }
        }
        Err(e) => Err(SkipReason::Malformed(format!("invalid JSON: {e}"))),
    }
}

/// A `.jsonl` / `.ndjson` file. A multi-line file that is valid JSON as a whole (a
/// pretty-printed array saved with the wrong extension) is read as JSON instead: real JSON Lines
/// with two or more records never parse as one value.
pub fn parse_jsonl(text: &str, opts: &ParseOptions) -> Result<Extracted, SkipReason> {
    if text.lines().filter(|l| !l.trim().is_empty()).count() > 1
        && let Ok(v) = serde_json::from_str::<Value>(text)
    {
        return from_value(v, opts);
    }
    Ok(parse_lines(text, opts))
}

fn looks_like_lines(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first_is_object = lines
        .next()
        .is_some_and(|l| matches!(serde_json::from_str::<Value>(l), Ok(Value::Object(_))));
    first_is_object && lines.next().is_some()
}

/// Lines only, never the whole text as one JSON value: for slices of a larger file.
pub(crate) fn parse_lines_only(text: &str, opts: &ParseOptions) -> Extracted {
    parse_lines(text, opts)
}

/// One record per non-blank line, numbered by line so warnings point at the editor line.
fn parse_lines(text: &str, opts: &ParseOptions) -> Extracted {
    let mut out = Extracted::default();
    for (i, line) in text.lines().enumerate() {
        let record = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if opts.max_article_bytes > 0 && line.len() as u64 > opts.max_article_bytes {
            let reason = format!(
                "too large ({} bytes, limit {})",
                line.len(),
                opts.max_article_bytes
            );
            out.warnings.push(Warning::BadRecord { record, reason });
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => add_record(&mut out, &v, record, opts),
            Err(e) => out.warnings.push(Warning::BadRecord {
                record,
                reason: format!("invalid JSON: {e}"),
            }),
        }
    }
    out
}

fn from_value(v: Value, opts: &ParseOptions) -> Result<Extracted, SkipReason> {
    match v {
        Value::Array(items) => Ok(from_array(&items, opts)),
        Value::Object(obj) => match container_array(&obj) {
            Some(items) => Ok(from_array(items, opts)),
            None => single(&obj, opts),
        },
        other => Err(SkipReason::Malformed(format!(
            "top-level JSON is {}, expected an object or an array",
            fields::kind(&other)
        ))),
    }
}

fn container_array(obj: &Map<String, Value>) -> Option<&Vec<Value>> {
    CONTAINER_KEYS.iter().find_map(|key| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.as_array())
    })
}

fn from_array(items: &[Value], opts: &ParseOptions) -> Extracted {
    let mut out = Extracted::default();
    for (i, v) in items.iter().enumerate() {
        add_record(&mut out, v, i + 1, opts);
    }
    out
}

fn add_record(out: &mut Extracted, v: &Value, record: usize, opts: &ParseOptions) {
    let Value::Object(obj) = v else {
        let reason = format!("record is {}, expected an object", fields::kind(v));
        out.warnings.push(Warning::BadRecord { record, reason });
        return;
    };
    match fields::article_from_map(obj, opts, Some(record), &mut out.warnings) {
        Ok(a) => out.records.push((Some(record), a)),
        Err(Rejected { reason, .. }) => out.warnings.push(Warning::BadRecord { record, reason }),
    }
}

/// A file holding one article object: it is the whole file, so a bad one skips the file.
fn single(obj: &Map<String, Value>, opts: &ParseOptions) -> Result<Extracted, SkipReason> {
    let mut out = Extracted::default();
    match fields::article_from_map(obj, opts, None, &mut out.warnings) {
        Ok(a) => {
            out.records.push((None, a));
            Ok(out)
        }
        Err(r) if r.no_text => Err(SkipReason::NoText),
        Err(r) => Err(SkipReason::Malformed(r.reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ParseOptions {
        ParseOptions::default()
    }

    #[test]
    fn single_object_has_no_record_number() {
        let out = parse_json(r#"{"headline": "H", "body": "B"}"#, &opts()).unwrap();
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].0, None);
        assert_eq!(out.records[0].1.headline, "H");
    }

    #[test]
    fn array_records_are_numbered_from_one() {
        let out = parse_json(
            r#"[{"title": "A", "text": "x"}, {"title": "B", "text": "y"}]"#,
            &opts(),
        )
        .unwrap();
        let got: Vec<_> = out
            .records
            .iter()
            .map(|(n, a)| (*n, a.headline.as_str()))
            .collect();
        assert_eq!(got, vec![(Some(1), "A"), (Some(2), "B")]);
    }

    #[test]
    fn wrapper_object_array() {
        let out = parse_json(
            r#"{"status": "ok", "Articles": [{"title": "A"}, 5, {"title": "C"}]}"#,
            &opts(),
        )
        .unwrap();
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[1].0, Some(3));
        assert_eq!(
            out.warnings,
            vec![Warning::BadRecord {
                record: 2,
                reason: "record is a number, expected an object".into()
            }]
        );
    }

    #[test]
    fn top_level_scalar_is_malformed() {
        let err = parse_json(r#""just a string""#, &opts()).unwrap_err();
        assert_eq!(
            err,
            SkipReason::Malformed(
                "top-level JSON is a string, expected an object or an array".into()
            )
        );
        assert!(matches!(
            parse_json("{not json", &opts()),
            Err(SkipReason::Malformed(_))
        ));
    }

    #[test]
    fn single_object_without_text_is_no_text() {
        assert_eq!(
            parse_json(r#"{"source": "X"}"#, &opts()).unwrap_err(),
            SkipReason::NoText
        );
        assert!(
            matches!(parse_json(r#"{"title": 1}"#, &opts()), Err(SkipReason::Malformed(r)) if r.contains("number"))
        );
    }

    #[test]
    fn jsonl_keeps_good_lines_and_reports_bad_by_line() {
        let text = "{\"title\": \"One\", \"body\": \"a\"}\n\n{\"title\": \"Two\", \"body\": \n{\"title\": \"Three\"}\n[1]\n{\"date\": \"x\"}\n";
        let out = parse_jsonl(text, &opts()).unwrap();
        let got: Vec<_> = out
            .records
            .iter()
            .map(|(n, a)| (*n, a.headline.as_str()))
            .collect();
        assert_eq!(got, vec![(Some(1), "One"), (Some(4), "Three")]);
        let bad: Vec<usize> = out
            .warnings
            .iter()
            .filter_map(|w| match w {
                Warning::BadRecord { record, .. } => Some(*record),
                _ => None,
            })
            .collect();
        assert_eq!(bad, vec![3, 5, 6]);
    }

    #[test]
    fn jsonl_per_record_size_limit() {
        let o = ParseOptions {
            max_article_bytes: 40,
            ..Default::default()
        };
        let long = format!("{{\"title\": \"{}\"}}", "x".repeat(60));
        let out = parse_jsonl(&format!("{{\"title\": \"ok\"}}\n{long}\n"), &o).unwrap();
        assert_eq!(out.records.len(), 1);
        assert!(
            matches!(&out.warnings[0], Warning::BadRecord { record: 2, reason } if reason.starts_with("too large"))
        );
    }

    #[test]
    fn json_extension_holding_lines_falls_back() {
        let out = parse_json("{\"headline\": \"A\"}\n{\"headline\": \"B\"}\n", &opts()).unwrap();
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[1].0, Some(2));
    }

    #[test]
    fn jsonl_holding_an_array_falls_back() {
        let out =
            parse_jsonl("[\n {\"title\": \"A\"},\n {\"title\": \"B\"}\n]\n", &opts()).unwrap();
        assert_eq!(out.records.len(), 2);
    }
}
