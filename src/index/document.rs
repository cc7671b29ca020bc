//! Article <-> tantivy document: the one place that maps our fields both ways.
use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use tantivy::schema::Value;
use tantivy::{DateTime, TantivyDocument};

use super::Fields;
use crate::entities::{EntityKind, Mention};
use crate::ingest::Article;

/// Source stored for articles that name none.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// Unique canonical names per kind, in first-mention order; facets count articles, not mentions.
pub type EntitySet = BTreeMap<EntityKind, Vec<String>>;

pub fn entity_set(mentions: &[Mention]) -> EntitySet {
    let mut set = EntitySet::new();
    for m in mentions {
        let names = set.entry(m.kind).or_default();
        if !m.canonical.is_empty() && !names.contains(&m.canonical) {
            names.push(m.canonical.clone());
        }
    }
    set
}

/// The text the entity tagger and the snippet generator read: headline, standfirst, body.
pub fn searchable_body(article: &Article) -> String {
    with_standfirst(article.standfirst.as_deref(), &article.body)
}

/// Standfirst and body as one text: what is indexed, tagged and shown in snippets, one way for
/// parsed and stored articles alike so offsets agree.
fn with_standfirst(standfirst: Option<&str>, body: &str) -> String {
    match standfirst {
        Some(s) if !s.is_empty() => format!("{s}\n\n{body}"),
        _ => body.to_string(),
    }
}

pub fn to_document(
    fields: &Fields,
    file_key: &str,
    article: &Article,
    entities: &EntitySet,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &article.id);
    doc.add_text(fields.file, file_key);
    doc.add_text(fields.path, &article.path);
    doc.add_text(fields.headline, &article.headline);
    doc.add_text(fields.headline_exact, &article.headline);
    if let Some(standfirst) = article.standfirst.as_deref().filter(|s| !s.is_empty()) {
        doc.add_text(fields.standfirst, standfirst);
    }
    let full = searchable_body(article);
    doc.add_text(fields.body, &full);
    doc.add_text(fields.body_exact, &full);
    doc.add_text(fields.text, &article.body);
    let source = article.source.as_deref().unwrap_or(UNKNOWN_SOURCE);
    doc.add_text(fields.source, source);
    doc.add_text(fields.source_key, source);
    if let Some(section) = &article.section {
        doc.add_text(fields.section, section);
        doc.add_text(fields.section_key, section);
    }
    if let Some(date) = article.date {
        doc.add_date(fields.date, to_tantivy_date(date));
    }
    for author in &article.authors {
        doc.add_text(fields.authors, author);
    }
    if let Some(url) = &article.url {
        doc.add_text(fields.url, url);
    }
    for (kind, names) in entities {
        for name in names {
            doc.add_text(fields.entity_field(*kind), name);
            doc.add_text(fields.entity_text_field(*kind), name);
        }
    }
    doc
}

pub fn to_tantivy_date(date: NaiveDate) -> DateTime {
    DateTime::from_timestamp_secs(date.and_time(NaiveTime::MIN).and_utc().timestamp())
}

pub fn from_tantivy_date(date: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0).map(|d| d.date_naive())
}

/// A stored article as read back from the index.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    pub id: String,
    pub path: String,
    pub headline: String,
    pub standfirst: Option<String>,
    pub body: String,
    pub source: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub entities: EntitySet,
}

fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn all_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

pub fn from_document(fields: &Fields, doc: &TantivyDocument) -> StoredArticle {
    let entities = EntityKind::ALL
        .into_iter()
        .map(|k| (k, all_str(doc, fields.entity_field(k))))
        .collect();
    StoredArticle {
        id: first_str(doc, fields.id).unwrap_or_default(),
        path: first_str(doc, fields.path).unwrap_or_default(),
        headline: first_str(doc, fields.headline).unwrap_or_default(),
        standfirst: first_str(doc, fields.standfirst),
        body: first_str(doc, fields.text).unwrap_or_default(),
        source: first_str(doc, fields.source).unwrap_or_else(|| UNKNOWN_SOURCE.into()),
        section: first_str(doc, fields.section),
        date: doc
            .get_first(fields.date)
            .and_then(|v| v.as_datetime())
            .and_then(from_tantivy_date),
        authors: all_str(doc, fields.authors),
        url: first_str(doc, fields.url),
        entities,
    }
}

impl StoredArticle {
    /// Standfirst and body as one text, the way snippets and entity offsets see it.
    pub fn full_body(&self) -> String {
        with_standfirst(self.standfirst.as_deref(), &self.body)
    }
}
