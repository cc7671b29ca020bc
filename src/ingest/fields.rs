//! Article fields from a key/value record: JSON objects and markdown front matter.
//!
//! Real feeds name the same field a dozen ways (`title`, `headline`; `publisher`, `source_name`,
//! `{"source": {"name": ..}}`), so the alias tables live here, shared by every structured format,
//! and the user's `--field our=theirs` mappings are consulted before them.
use serde_json::{Map, Value};

use super::text::{collapse_ws, non_empty, normalize_body, split_authors};
use super::{Article, ParseOptions, Warning, date};

/// The article fields a record can supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Headline,
    Standfirst,
    Body,
    Source,
    Date,
    Authors,
    Url,
}

impl Field {
    /// Names accepted on the left of a user field mapping.
    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Headline => &["headline", "title"],
            Field::Standfirst => &["standfirst", "summary", "description"],
            Field::Body => &["body", "text", "content"],
            Field::Source => &["source", "publisher"],
            Field::Date => &["date", "published"],
            Field::Authors => &["authors", "author", "byline"],
            Field::Url => &["url", "link"],
        }
    }

    /// Keys looked up in a record, in priority order (matched case-insensitively).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Headline => &["headline", "title"],
            Field::Standfirst => &[
                "standfirst",
                "description",
                "summary",
                "short_description",
                "subtitle",
                "subheadline",
                "dek",
            ],
            Field::Body => &[
                "body",
                "content",
                "text",
                "article",
                "story",
                "articlebody",
                "content_original",
            ],
            Field::Source => &[
                "source",
                "publisher",
                "publication",
                "outlet",
                "site",
                "source_name",
                "site_name",
            ],
            Field::Date => &[
                "date",
                "published",
                "published_at",
                "publish_date",
                "pubdate",
                "timestamp",
                "datetime",
                "created_at",
                "date_published",
                "datepublished",
            ],
            Field::Authors => &["author", "authors", "byline", "creator"],
            Field::Url => &["url", "link", "source_url", "permalink"],
        }
    }
}

/// Wrong-typed values seen while reading a record; reported only if the record is rejected.
#[derive(Debug, Default)]
pub struct TypeErrors(Vec<String>);

impl TypeErrors {
    fn note(&mut self, key: &str, v: &Value, wanted: &str) {
        self.0
            .push(format!("field {key:?} is {}, expected {wanted}", kind(v)));
    }
}

/// A JSON type as a phrase for warnings.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Find the value for `field`: user mappings first, then aliases; nulls and blank strings are
/// skipped so a later alias with real content can still win.
fn lookup<'a>(
    obj: &'a Map<String, Value>,
    field: Field,
    opts: &ParseOptions,
) -> Option<(String, &'a Value)> {
    let mapped = opts
        .field_map
        .iter()
        .filter(|(ours, _)| {
            field
                .names()
                .iter()
                .any(|n| n.eq_ignore_ascii_case(ours.trim()))
        })
        .map(|(_, theirs)| theirs.trim());
    mapped
        .chain(field.aliases().iter().copied())
        .find_map(|key| {
            get_path(obj, key)
                .filter(|v| !is_blank(v))
                .map(|v| (key.to_string(), v))
        })
}

/// Case-insensitive key lookup; a dotted key (`source.name`) descends into objects.
fn get_path<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = get_ci(obj, key) {
        return Some(v);
    }
    let (head, rest) = key.split_once('.')?;
    match get_ci(obj, head)? {
        Value::Object(inner) => get_path(inner, rest),
        _ => None,
    }
}

fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A single-line text field (headline, standfirst, url).
pub fn line_field(
    obj: &Map<String, Value>,
    field: Field,
    opts: &ParseOptions,
    errs: &mut TypeErrors,
) -> Option<String> {
    let (key, v) = lookup(obj, field, opts)?;
    match v {
        Value::String(s) => non_empty(s),
        Value::Array(items) => items.iter().find_map(|i| i.as_str().and_then(non_empty)),
        other => {
            errs.note(&key, other, "text");
            None
        }
    }
}

/// The body: a string, or an array of paragraph strings.
pub fn body_field(
    obj: &Map<String, Value>,
    opts: &ParseOptions,
    errs: &mut TypeErrors,
) -> Option<String> {
    let (key, v) = lookup(obj, Field::Body, opts)?;
    let body = match v {
        Value::String(s) => normalize_body(s),
        Value::Array(items) => normalize_body(
            &items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
        other => {
            errs.note(&key, other, "text");
            return None;
        }
    };
    (!body.is_empty()).then_some(body)
}

/// The source: a string, or an object with a `name`.
pub fn source_field(obj: &Map<String, Value>, opts: &ParseOptions) -> Option<String> {
    let (_, v) = lookup(obj, Field::Source, opts)?;
    name_of(v)
}

/// A display name from a string, an object (`name`/`title`) or the first of an array.
fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Object(o) => ["name", "title", "@name"]
            .iter()
            .find_map(|k| get_ci(o, k).and_then(Value::as_str).and_then(non_empty)),
        Value::Array(items) => items.iter().find_map(name_of),
        _ => None,
    }
}

/// Authors: a delimited string, an array of strings, or objects with names.
pub fn authors_field(obj: &Map<String, Value>, opts: &ParseOptions) -> Vec<String> {
    let Some((_, v)) = lookup(obj, Field::Authors, opts) else {
        return Vec::new();
    };
    match v {
        Value::String(s) => split_authors(s),
        Value::Array(items) => items.iter().filter_map(name_of).collect(),
        other => name_of(other).into_iter().collect(),
    }
}

/// The date, with a warning for values that are present but not a plausible date.
pub fn date_field(
    obj: &Map<String, Value>,
    opts: &ParseOptions,
    record: Option<usize>,
    warnings: &mut Vec<Warning>,
) -> Option<chrono::NaiveDate> {
    let (_, v) = lookup(obj, Field::Date, opts)?;
    let parsed = match v {
        Value::String(s) => date::parse_date(s),
        Value::Number(n) => match n.as_i64() {
            Some(i) => date::from_unix(i).map(Some),
            None => date::from_unix_f64(n.as_f64().unwrap_or(f64::NAN)).map(Some),
        },
        Value::Object(o) => match get_ci(o, "$date").and_then(Value::as_str) {
            Some(s) => date::parse_date(s),
            None => Err(date::DateError::Unrecognised),
        },
        _ => Err(date::DateError::Unrecognised),
    };
    parsed.unwrap_or_else(|err| {
        let value = match v {
            Value::String(s) => collapse_ws(s),
            other => other.to_string(),
        };
        warnings.push(Warning::date(record, value, err));
        None
    })
}

/// Why a record could not become an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub reason: String,
    /// True when the record simply has no text (as opposed to wrong-typed fields).
    pub no_text: bool,
}

/// Build an article from a whole record (JSON). Fails when it has neither headline nor body.
pub fn article_from_map(
    obj: &Map<String, Value>,
    opts: &ParseOptions,
    record: Option<usize>,
    warnings: &mut Vec<Warning>,
) -> Result<Article, Rejected> {
    let mut errs = TypeErrors::default();
    let headline = line_field(obj, Field::Headline, opts, &mut errs);
    let body = body_field(obj, opts, &mut errs);
    if headline.is_none() && body.is_none() {
        let mut reason = "record has neither a headline nor a body".to_string();
        if !errs.0.is_empty() {
            reason = format!("{reason} ({})", errs.0.join("; "));
        }
        return Err(Rejected {
            reason,
            no_text: errs.0.is_empty(),
        });
    }
    let body = body.unwrap_or_default();
    let headline = headline.unwrap_or_default();
    Ok(Article {
        headline,
        standfirst: line_field(obj, Field::Standfirst, opts, &mut errs),
        body,
        source: source_field(obj, opts),
        date: date_field(obj, opts, record, warnings),
        authors: authors_field(obj, opts),
        url: line_field(obj, Field::Url, opts, &mut errs),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn build(v: Value, opts: &ParseOptions) -> (Result<Article, Rejected>, Vec<Warning>) {
        let mut w = Vec::new();
        let a = article_from_map(&obj(v), opts, Some(3), &mut w);
        (a, w)
    }

    #[test]
    fn aliases_are_case_insensitive() {
        let (a, w) = build(
            json!({"Title": "Vote delayed", "Content": "Para one.\n\nPara two.", "Publisher": {"name": " Capital  Ledger "},
                   "published_at": "2024-03-05T09:00:00Z", "byline": "Ana Ruiz and Ben Okafor", "LINK": "https://x.test/a",
                   "short_description": "A summary."}),
            &ParseOptions::default(),
        );
        let a = a.unwrap();
        assert!(w.is_empty());
        assert_eq!(a.headline, "Vote delayed");
        assert_eq!(a.body, "Para one.\n\nPara two.");
        assert_eq!(a.source.as_deref(), Some("Capital Ledger"));
        assert_eq!(a.date, chrono::NaiveDate::from_ymd_opt(2024, 3, 5));
        assert_eq!(a.authors, vec!["Ana Ruiz", "Ben Okafor"]);
        assert_eq!(a.url.as_deref(), Some("https://x.test/a"));
        assert_eq!(a.standfirst.as_deref(), Some("A summary."));
    }

    #[test]
    fn field_map_beats_aliases() {
        let opts = ParseOptions {
            field_map: vec![("body".into(), "content_original".into())],
            ..Default::default()
        };
        let v = json!({"title": "T", "content": "tokenized , copy .", "content_original": "Original copy."});
        assert_eq!(build(v.clone(), &opts).0.unwrap().body, "Original copy.");
        assert_eq!(
            build(v, &ParseOptions::default()).0.unwrap().body,
            "tokenized , copy ."
        );
    }

    #[test]
    fn dotted_field_map_descends() {
        let opts = ParseOptions {
            field_map: vec![("source".into(), "meta.outlet".into())],
            ..Default::default()
        };
        let v = json!({"title": "T", "body": "B", "meta": {"outlet": "Meridian Wire"}});
        assert_eq!(
            build(v, &opts).0.unwrap().source.as_deref(),
            Some("Meridian Wire")
        );
    }

    #[test]
    fn authors_as_objects_and_arrays() {
        let v = json!({"title": "T", "authors": [{"name": "A One"}, "B Two", 7]});
        assert_eq!(
            build(v, &ParseOptions::default()).0.unwrap().authors,
            vec!["A One", "B Two"]
        );
    }

    #[test]
    fn bad_date_warns_and_keeps_article() {
        let (a, w) = build(
            json!({"title": "T", "date": "0001-01-01"}),
            &ParseOptions::default(),
        );
        assert_eq!(a.unwrap().date, None);
        assert_eq!(
            w,
            vec![Warning::BadDate {
                record: Some(3),
                value: "0001-01-01".into()
            }]
        );
        let (a, w) = build(json!({"title": "T", "date": ""}), &ParseOptions::default());
        assert_eq!(a.unwrap().date, None);
        assert!(w.is_empty());
    }

    #[test]
    fn numeric_timestamp_date() {
        let (a, _) = build(
            json!({"title": "T", "timestamp": 1727604000000_i64}),
            &ParseOptions::default(),
        );
        assert_eq!(
            a.unwrap().date,
            chrono::NaiveDate::from_ymd_opt(2024, 9, 29)
        );
    }

    #[test]
    fn wrong_types_reject_with_reason() {
        let (a, _) = build(
            json!({"title": 42, "body": {"x": 1}}),
            &ParseOptions::default(),
        );
        let r = a.unwrap_err();
        assert!(!r.no_text);
        assert!(r.reason.contains("\"title\" is a number"), "{}", r.reason);
        let (a, _) = build(json!({"source": "X"}), &ParseOptions::default());
        assert!(a.unwrap_err().no_text);
    }

    #[test]
    fn missing_headline_is_left_for_the_shared_fallback() {
        let (a, _) = build(
            json!({"text": "Floods closed the bridge. Crews worked overnight."}),
            &ParseOptions::default(),
        );
        assert_eq!(a.unwrap().headline, "");
    }
}
