//! Article <-> OpenSearch document: the JSON `_source` newsdex writes and reads back.
use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::analysis::normalize_keyword;
use crate::entities::EntityKind;
use crate::entities::merges::Link;
use crate::model::article::{EntitySet, StoredArticle};
use crate::model::article::{UNKNOWN_SOURCE, searchable_body};
use crate::model::copies::Signature;
use crate::model::fields::name;
use crate::model::write::Prepared;

/// An article's searchable body and its headline and body as ranked, made once: counted into
/// the index's figures when the article is written, folded when it is sent.
pub struct Analysed {
    body: String,
    ranked: super::ranking::Ranked,
}

impl Analysed {
    pub fn of(prepared: &Prepared) -> Analysed {
        // What is indexed is what the embedded index indexes: standfirst and body as one text.
        let body = searchable_body(&prepared.article);
        let ranked = super::ranking::ranked(&prepared.article, &body);
        Analysed { body, ranked }
    }

    /// Count the article into `figures` (the averages later articles are folded with).
    pub fn count_into(&self, figures: &mut super::ranking::Figures) {
        figures.docs += 1;
        for (sum, n) in figures.tokens.iter_mut().zip(self.ranked.tokens) {
            *sum += u64::from(n);
        }
    }
}

/// The document for one article of the file `file` (content hash `hash`), analysed as
/// `analysed`; its weighted stems are folded with `figures`' average lengths, which the fold
/// range records.
pub fn to_source(
    file: &str,
    hash: &str,
    prepared: &Prepared,
    analysed: Analysed,
    figures: &mut super::ranking::Figures,
) -> Value {
    let a = &prepared.article;
    let mut doc = Map::new();
    let mut put = |field: &str, value: Value| {
        doc.insert(field.to_string(), value);
    };
    put(name::ID, json!(a.id));
    put(name::FILE, json!(file));
    put(name::FILE_HASH, json!(hash));
    put(name::PATH, json!(a.path));
    if a.headline_derived {
        put(name::DERIVED_HEADLINE, json!(a.headline));
    } else {
        put(name::HEADLINE, json!(a.headline));
    }
    if let Some(s) = a.standfirst.as_deref().filter(|s| !s.is_empty()) {
        put(name::STANDFIRST, json!(s));
    }
    let Analysed { body, ranked } = analysed;
    let avg = figures.collection().avg;
    if let Some(range) = figures.fold.as_mut() {
        range.note(avg);
    }
    let weighted = super::ranking::weighted_stems(&ranked, avg);
    let [headline_stems, body_stems] = ranked.stems;
    if !headline_stems.is_empty() {
        put(name::HEADLINE_STEMS, json!(headline_stems));
    }
    put(name::BODY_STEMS, json!(body_stems));
    put(name::HEADLINE_LENGTH, json!(ranked.stored[0]));
    put(name::BODY_LENGTH, json!(ranked.stored[1]));
    put(name::HEADLINE_TOKENS, json!(ranked.tokens[0]));
    put(name::BODY_TOKENS, json!(ranked.tokens[1]));
    put(name::WEIGHTED_STEMS, json!(weighted));
    put(name::BODY, json!(body));
    put(name::TEXT, json!(a.body));
    let source = a
        .source
        .clone()
        .unwrap_or_else(|| UNKNOWN_SOURCE.to_string());
    put(name::SOURCE_KEY, json!(crate::ingest::source::key(&source)));
    put(name::SOURCE, json!(source));
    if let Some(section) = &a.section {
        put(name::SECTION, json!(section));
        put(name::SECTION_KEY, json!(normalize_keyword(section)));
    }
    if let Some(date) = a.date {
        put(name::DATE, json!(date.format("%Y-%m-%d").to_string()));
    }
    if !a.authors.is_empty() {
        put(name::AUTHORS, json!(a.authors));
    }
    if let Some(url) = &a.url {
        put(name::URL, json!(url));
    }
    for (kind, names) in &prepared.entities {
        if !names.is_empty() {
            put(kind.as_str(), json!(names));
        }
    }
    if !prepared.quotes.is_empty() {
        let words: Vec<&str> = prepared.quotes.iter().map(|q| q.text.as_str()).collect();
        put(name::QUOTE, json!(words));
        put(
            name::SPEAKER,
            json!(crate::quotes::speakers(&prepared.quotes)),
        );
        put(name::QUOTES, json!(prepared.quotes));
    }
    if a.ocr {
        put(name::OCR, json!(true));
    }
    if !prepared.links.is_empty() {
        let links: Vec<String> = prepared.links.iter().map(Link::encode).collect();
        put(name::ENTITY_LINK, json!(links));
    }
    if let Some(signature) = &prepared.signature {
        put(name::COPY_SIGNATURE, json!(signature_text(signature)));
    }
    Value::Object(doc)
}

fn text(source: &Value, field: &str) -> Option<String> {
    source[field].as_str().map(str::to_string)
}

/// A field that holds one value or a list of them.
fn texts(source: &Value, field: &str) -> Vec<String> {
    match &source[field] {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The stored article of a hit's `_source`.
pub fn from_source(source: &Value) -> StoredArticle {
    let entities: EntitySet = EntityKind::ALL
        .into_iter()
        .map(|k| (k, texts(source, k.as_str())))
        .collect();
    let headline = text(source, name::HEADLINE);
    StoredArticle {
        id: text(source, name::ID).unwrap_or_default(),
        path: text(source, name::PATH).unwrap_or_default(),
        headline_derived: headline.is_none(),
        headline: headline
            .or_else(|| text(source, name::DERIVED_HEADLINE))
            .unwrap_or_default(),
        standfirst: text(source, name::STANDFIRST),
        body: text(source, name::TEXT).unwrap_or_default(),
        source: text(source, name::SOURCE).unwrap_or_else(|| UNKNOWN_SOURCE.into()),
        section: text(source, name::SECTION),
        date: source[name::DATE]
            .as_str()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        authors: texts(source, name::AUTHORS),
        url: text(source, name::URL),
        entities,
        // Named by the collapsing layer from the groups kept with the index.
        group: None,
        quotes: serde_json::from_value(source[name::QUOTES].clone()).unwrap_or_default(),
        ocr: source[name::OCR].as_bool().unwrap_or(false),
        links: texts(source, name::ENTITY_LINK)
            .iter()
            .filter_map(|v| Link::decode(v))
            .collect(),
    }
}

/// What a hit asks of `_source`: all of it. The mapping already keeps the indexed body and the
/// stems out of it, so the rest is what a hit reads plus a few short bookkeeping fields; naming
/// the fields made the cluster parse and rewrite every source it returned (on a loaded machine,
/// one fetch of 34-65 texts: 73 ms with the fields named, 56 ms whole; one-word searches 69
/// against 56 ms).
pub fn returned_source() -> Value {
    Value::Bool(true)
}

/// A signature as the mapping's `binary` field takes it.
pub fn signature_text(signature: &Signature) -> String {
    base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
}

/// The signature of a `_source` that carries one.
pub fn signature_of(source: &Value) -> Option<Signature> {
    let text = source[name::COPY_SIGNATURE].as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Signature::from_bytes(&bytes)
}
