//! Article <-> tantivy document: the one place that maps our fields both ways.
use chrono::{NaiveDate, NaiveTime};
use tantivy::schema::{Document, Field, OwnedValue, Value};
use tantivy::{DateTime, TantivyDocument};

use super::schema::Fields;
use crate::entities::EntityKind;
use crate::entities::merges::Link;
use crate::ingest::Article;
use crate::model::article::{EntitySet, StoredArticle, UNKNOWN_SOURCE, with_standfirst};
use crate::model::copies::Signature;

/// An article as tantivy indexes it. Each text is held once and named by every field that takes
/// it (often `body` and `text`), where a [`TantivyDocument`] would copy it per field: two copies
/// of every body, thousands of which wait in the writer's queue at once.
#[derive(Debug, Default)]
pub struct ArticleDoc {
    values: Vec<OwnedValue>,
    /// (field, index into `values`), in the order the fields were added.
    fields: Vec<(Field, usize)>,
}

impl ArticleDoc {
    fn add(&mut self, value: OwnedValue, fields: &[Field]) {
        let at = self.values.len();
        self.values.push(value);
        self.fields.extend(fields.iter().map(|&f| (f, at)));
    }

    fn add_text(&mut self, text: String, fields: &[Field]) {
        self.add(OwnedValue::Str(text), fields);
    }

    /// The article's copy signature, when it has one (its group is kept beside the articles).
    pub fn add_copy(&mut self, fields: &Fields, signature: Option<&Signature>) {
        if let Some(signature) = signature {
            self.add(
                OwnedValue::Bytes(signature.to_bytes()),
                &[fields.copy_signature],
            );
        }
    }
}

impl Document for ArticleDoc {
    type Value<'a> = &'a OwnedValue;
    type FieldsValuesIter<'a> = ArticleDocIter<'a>;

    fn iter_fields_and_values(&self) -> ArticleDocIter<'_> {
        ArticleDocIter { doc: self, next: 0 }
    }
}

pub struct ArticleDocIter<'a> {
    doc: &'a ArticleDoc,
    next: usize,
}

impl<'a> Iterator for ArticleDocIter<'a> {
    type Item = (Field, &'a OwnedValue);

    fn next(&mut self) -> Option<Self::Item> {
        let &(field, at) = self.doc.fields.get(self.next)?;
        self.next += 1;
        Some((field, &self.doc.values[at]))
    }
}

/// The document for `article`, taking its strings rather than copying them.
pub fn to_document(
    fields: &Fields,
    file_key: &str,
    article: Article,
    entities: &EntitySet,
    quotes: &[crate::quotes::Quote],
    links: &[Link],
) -> ArticleDoc {
    let Article {
        id,
        path,
        headline,
        headline_derived,
        standfirst,
        body,
        source,
        date,
        authors,
        url,
        section,
        ocr,
    } = article;
    let mut doc = ArticleDoc::default();
    doc.add_text(id, &[fields.id]);
    doc.add_text(file_key.to_string(), &[fields.file]);
    doc.add_text(path, &[fields.path]);
    if headline_derived {
        doc.add_text(headline, &[fields.derived_headline]);
    } else {
        doc.add_text(headline, &[fields.headline]);
    }
    match standfirst.filter(|s| !s.is_empty()) {
        Some(standfirst) => {
            let full = with_standfirst(Some(&standfirst), &body);
            doc.add_text(standfirst, &[fields.standfirst]);
            doc.add_text(full, &[fields.body]);
            doc.add_text(body, &[fields.text]);
        }
        // Without a standfirst the indexed text is the body itself: one string for both.
        None => doc.add_text(body, &[fields.body, fields.text]),
    }
    let source = source.unwrap_or_else(|| UNKNOWN_SOURCE.to_string());
    doc.add_text(crate::ingest::source::key(&source), &[fields.source_key]);
    doc.add_text(source, &[fields.source]);
    if let Some(section) = section {
        doc.add_text(section, &[fields.section, fields.section_key]);
    }
    if let Some(date) = date {
        doc.add(OwnedValue::Date(to_tantivy_date(date)), &[fields.date]);
    }
    for author in authors {
        doc.add_text(author, &[fields.authors]);
    }
    if let Some(url) = url {
        doc.add_text(url, &[fields.url]);
    }
    if let Some(field) = fields.ocr.filter(|_| ocr) {
        doc.add(OwnedValue::Bool(true), &[field]);
    }
    for (kind, names) in entities {
        for name in names {
            doc.add_text(
                name.clone(),
                &[fields.entity_field(*kind), fields.entity_text_field(*kind)],
            );
        }
    }
    for q in quotes {
        doc.add_text(q.text.clone(), &[fields.quote]);
    }
    for speaker in crate::quotes::speakers(quotes) {
        doc.add_text(speaker, &[fields.speaker]);
    }
    if !quotes.is_empty() {
        // A list of plain structs always serialises.
        let json = serde_json::to_string(quotes).unwrap_or_default();
        doc.add_text(json, &[fields.quotes]);
    }
    if let Some(field) = fields.entity_link {
        for link in links {
            doc.add_text(link.encode(), &[field]);
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
        headline: first_str(doc, fields.headline)
            .or_else(|| first_str(doc, fields.derived_headline))
            .unwrap_or_default(),
        headline_derived: doc.get_first(fields.headline).is_none(),
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
        // Named by the collapsing layer from the groups kept with the index.
        group: None,
        quotes: first_str(doc, fields.quotes)
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        ocr: fields
            .ocr
            .and_then(|f| doc.get_first(f))
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        links: fields
            .entity_link
            .map(|f| all_str(doc, f))
            .unwrap_or_default()
            .iter()
            .filter_map(|v| Link::decode(v))
            .collect(),
    }
}
