//! Article <-> tantivy document: the one place that maps our fields both ways.
use chrono::{NaiveDate, NaiveTime};
use tantivy::schema::document::{
    ArrayAccess, DeserializeError, DocumentDeserialize, DocumentDeserializer, ObjectAccess,
    ValueDeserialize, ValueDeserializer, ValueVisitor,
};
use tantivy::schema::{Document, Facet, Field, OwnedValue};
use tantivy::tokenizer::PreTokenizedString;
use tantivy::{DateTime, DocAddress, Searcher};

use super::schema::Fields;
use crate::Result;
use crate::entities::EntityKind;
use crate::entities::merges::Link;
use crate::ingest::Article;
use crate::model::article::{EntitySet, StoredArticle, UNKNOWN_SOURCE, with_standfirst};
use crate::model::copies::Signature;

/// An article as tantivy indexes it. Each text is held once and named by every field that takes
/// it (often `body` and `text`), where a [`tantivy::TantivyDocument`] would copy it per field: two copies
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

/// A stored field's value as a hit needs it. Strings are taken as the store hands them over
/// (one allocation each), where a [`tantivy::TantivyDocument`] copies every value into its own buffer and
/// the article then copies each string out again: two copies of every body per hit.
#[derive(Debug)]
enum StoredValue {
    Text(String),
    Date(DateTime),
    Bool(bool),
    /// A kind of value no field of ours stores; read past and dropped.
    Other,
}

impl ValueDeserialize for StoredValue {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_any(StoredVisitor)
    }
}

struct StoredVisitor;

impl ValueVisitor for StoredVisitor {
    type Value = StoredValue;

    fn visit_null(&self) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_string(&self, val: String) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Text(val))
    }
    fn visit_u64(&self, _: u64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_i64(&self, _: i64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_f64(&self, _: f64) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_bool(&self, val: bool) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Bool(val))
    }
    fn visit_datetime(&self, val: DateTime) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Date(val))
    }
    fn visit_ip_address(&self, _: std::net::Ipv6Addr) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_facet(&self, _: Facet) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_bytes(&self, _: Vec<u8>) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_pre_tokenized_string(
        &self,
        _: PreTokenizedString,
    ) -> Result<StoredValue, DeserializeError> {
        Ok(StoredValue::Other)
    }
    fn visit_array<'de, A>(&self, mut access: A) -> Result<StoredValue, DeserializeError>
    where
        A: ArrayAccess<'de>,
    {
        // Every element is read so the document's next field starts where it should.
        while access.next_element::<StoredValue>()?.is_some() {}
        Ok(StoredValue::Other)
    }
    fn visit_object<'de, A>(&self, mut access: A) -> Result<StoredValue, DeserializeError>
    where
        A: ObjectAccess<'de>,
    {
        while access.next_entry::<StoredValue>()?.is_some() {}
        Ok(StoredValue::Other)
    }
}

/// A stored document as (field, value) pairs in stored order, read straight from the store.
#[derive(Debug, Default)]
struct StoredDoc(Vec<(Field, StoredValue)>);

impl DocumentDeserialize for StoredDoc {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut values = Vec::with_capacity(deserializer.size_hint());
        while let Some(pair) = deserializer.next_field::<StoredValue>()? {
            values.push(pair);
        }
        Ok(StoredDoc(values))
    }
}

impl StoredDoc {
    /// The first value of `field`, whatever its kind (as `TantivyDocument::get_first`).
    fn first(&self, field: Field) -> Option<&StoredValue> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }

    /// The first value of `field` when it is text, moved out of the document.
    fn take_first(&mut self, field: Field) -> Option<String> {
        self.0
            .iter_mut()
            .find(|(f, _)| *f == field)
            .and_then(|(_, v)| match v {
                StoredValue::Text(s) => Some(std::mem::take(s)),
                _ => None,
            })
    }

    /// Every text value of `field` in stored order, moved out of the document.
    fn take_all(&mut self, field: Field) -> Vec<String> {
        (self.0.iter_mut())
            .filter(|(f, _)| *f == field)
            .filter_map(|(_, v)| match v {
                StoredValue::Text(s) => Some(std::mem::take(s)),
                _ => None,
            })
            .collect()
    }
}

/// The stored article at `addr`.
pub fn read_article(
    fields: &Fields,
    searcher: &Searcher,
    addr: DocAddress,
) -> Result<StoredArticle> {
    read_article_parts(fields, searcher, addr, Parts { quotes: true })
}

/// Which optional parts of a stored article to decode.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    /// The quotes (stored as JSON): a search that shows none leaves them empty.
    pub quotes: bool,
}

/// The stored article at `addr`, with only the optional `parts` decoded.
pub fn read_article_parts(
    fields: &Fields,
    searcher: &Searcher,
    addr: DocAddress,
    parts: Parts,
) -> Result<StoredArticle> {
    let doc: StoredDoc = searcher.doc(addr)?;
    Ok(from_stored(fields, doc, parts))
}

fn from_stored(fields: &Fields, mut doc: StoredDoc, parts: Parts) -> StoredArticle {
    let headline_derived = doc.first(fields.headline).is_none();
    let date = match doc.first(fields.date) {
        Some(StoredValue::Date(d)) => from_tantivy_date(*d),
        _ => None,
    };
    let ocr = matches!(
        fields.ocr.and_then(|f| doc.first(f)),
        Some(StoredValue::Bool(true))
    );
    let entities = EntityKind::ALL
        .into_iter()
        .map(|k| (k, doc.take_all(fields.entity_field(k))))
        .collect();
    let headline = match doc.take_first(fields.headline) {
        Some(h) => h,
        None => doc.take_first(fields.derived_headline).unwrap_or_default(),
    };
    StoredArticle {
        id: doc.take_first(fields.id).unwrap_or_default(),
        path: doc.take_first(fields.path).unwrap_or_default(),
        headline,
        headline_derived,
        standfirst: doc.take_first(fields.standfirst),
        body: doc.take_first(fields.text).unwrap_or_default(),
        source: doc
            .take_first(fields.source)
            .unwrap_or_else(|| UNKNOWN_SOURCE.into()),
        section: doc.take_first(fields.section),
        date,
        authors: doc.take_all(fields.authors),
        url: doc.take_first(fields.url),
        entities,
        // Named by the collapsing layer from the groups kept with the index.
        group: None,
        quotes: (doc.take_first(fields.quotes).filter(|_| parts.quotes))
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        ocr,
        links: fields
            .entity_link
            .map(|f| doc.take_all(f))
            .unwrap_or_default()
            .iter()
            .filter_map(|v| Link::decode(v))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::{Attribution, Quote};
    use tantivy::Index;

    fn article(n: u32, standfirst: Option<&str>, derived: bool) -> Article {
        Article {
            id: format!("id-{n}"),
            path: format!("desk/story-{n}.txt"),
            headline: format!("Harbour board {n} votes on dredging"),
            headline_derived: derived,
            standfirst: standfirst.map(str::to_string),
            body: format!("Körber said the harbour would close.\n\nStory {n} goes on."),
            source: Some("The Coastal Ledger".into()),
            date: NaiveDate::from_ymd_opt(2019, 3, n),
            authors: vec!["Ann Lee".into(), "Bo Ngata".into()],
            url: Some(format!("https://ledger.example/{n}")),
            section: Some("desk".into()),
            ocr: n.is_multiple_of(2),
        }
    }

    /// Every field a hit or an article page shows comes back from the store as it was written,
    /// in order, whichever optional parts the article has.
    #[test]
    fn stored_articles_read_back_as_written() {
        let index = Index::create_in_ram(Fields::build_schema());
        crate::analysis::register(&index);
        let fields = Fields::from_schema(&index.schema()).unwrap();
        let mut entities = EntitySet::new();
        entities.insert(EntityKind::Person, vec!["Körber".into(), "Ann Lee".into()]);
        entities.insert(EntityKind::Org, vec!["Harbour Board".into()]);
        let quotes = vec![Quote {
            text: "the harbour would close".into(),
            start: 12,
            end: 35,
            speaker: Some("Körber".into()),
            speaker_kind: Some(EntityKind::Person),
            attribution: Attribution::Named,
        }];
        let links = vec![Link {
            kind: EntityKind::Org,
            short: "HB".into(),
            long: "Harbour Board".into(),
        }];
        let written = [
            article(1, Some("A short standfirst."), false),
            article(2, None, true),
            article(3, Some(""), false),
        ];
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for a in written.clone() {
            let doc = to_document(&fields, "file-key", a, &entities, &quotes, &links);
            w.add_document(doc).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for (doc, a) in written.iter().enumerate() {
            let got = read_article(&fields, &searcher, DocAddress::new(0, doc as u32)).unwrap();
            assert_eq!(got.id, a.id);
            assert_eq!(got.path, a.path);
            assert_eq!(got.headline, a.headline);
            assert_eq!(got.headline_derived, a.headline_derived);
            let standfirst = a.standfirst.clone().filter(|s| !s.is_empty());
            assert_eq!(got.standfirst, standfirst);
            assert_eq!(got.body, a.body);
            assert_eq!(Some(got.source), a.source);
            assert_eq!(got.section, a.section);
            assert_eq!(got.date, a.date);
            assert_eq!(got.authors, a.authors);
            assert_eq!(got.url, a.url);
            assert_eq!(got.ocr, a.ocr);
            assert_eq!(got.entities[&EntityKind::Person], ["Körber", "Ann Lee"]);
            assert_eq!(got.entities[&EntityKind::Org], ["Harbour Board"]);
            assert!(got.entities[&EntityKind::Place].is_empty());
            assert_eq!(
                serde_json::to_value(&got.quotes).unwrap(),
                serde_json::to_value(&quotes).unwrap()
            );
            assert_eq!(got.links.len(), 1);
            assert_eq!(got.links[0].long, "Harbour Board");
        }
    }
}
