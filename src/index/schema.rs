//! The schema: the only place that names index fields, and the one struct holding their handles.
//!
//! Text is indexed twice: a stemmed, freq-only field for ranked word matches, and an unstemmed field
//! with positions for exact phrases, prefixes and slop. Facet values are stored as exact strings in
//! fast columns and again as lower-cased keywords so filters and `source:` scopes ignore case.
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzers::{EXACT, KEYWORD, STEMMED};
use crate::entities::EntityKind;

/// Field handles, built once per opened index.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    pub id: Field,
    /// Hash of the file an article came from: re-indexing a file replaces all its articles at once.
    pub file: Field,
    pub path: Field,
    pub headline: Field,
    pub headline_exact: Field,
    /// A headline made from the body's first words: stored for display, never indexed.
    pub derived_headline: Field,
    pub standfirst: Field,
    /// Standfirst and body, stemmed, for ranking (not stored: `text` holds the body as written).
    pub body: Field,
    pub body_exact: Field,
    pub text: Field,
    pub source: Field,
    pub source_key: Field,
    pub section: Field,
    pub section_key: Field,
    pub date: Field,
    pub authors: Field,
    pub url: Field,
    /// Per entity kind: exact canonical names (stored, fast, for facets and filters).
    pub entity: [Field; 4],
    /// Per entity kind: the same names tokenized, for `person:nasrallah` style queries.
    pub entity_text: [Field; 4],
}

/// Names of fast columns, for collectors that read them by name.
pub mod column {
    pub const SOURCE: &str = "source";
    pub const SECTION: &str = "section";
    pub const DATE: &str = "date";
}

/// Bumped whenever the schema or analyzers change incompatibly.
pub const SCHEMA_VERSION: u32 = 2;

fn text(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

fn keyword() -> TextOptions {
    text(KEYWORD, IndexRecordOption::Basic)
}

impl Fields {
    pub fn build_schema() -> Schema {
        let mut b = Schema::builder();
        b.add_text_field("id", STRING | STORED);
        b.add_text_field("file", STRING);
        b.add_text_field("path", STRING | STORED);
        b.add_text_field(
            "headline",
            text(STEMMED, IndexRecordOption::WithFreqs) | STORED,
        );
        b.add_text_field(
            "headline_exact",
            text(EXACT, IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field("derived_headline", STORED);
        b.add_text_field("standfirst", STORED);
        b.add_text_field("body", text(STEMMED, IndexRecordOption::WithFreqs));
        b.add_text_field(
            "body_exact",
            text(EXACT, IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field("text", STORED);
        b.add_text_field("source", STRING | STORED | FAST);
        b.add_text_field("source_key", keyword());
        b.add_text_field("section", STRING | STORED | FAST);
        b.add_text_field("section_key", keyword());
        b.add_date_field("date", INDEXED | STORED | FAST);
        b.add_text_field(
            "authors",
            text(EXACT, IndexRecordOption::WithFreqsAndPositions) | STORED,
        );
        b.add_text_field("url", STORED);
        for kind in EntityKind::ALL {
            b.add_text_field(kind.as_str(), STRING | STORED | FAST);
            b.add_text_field(
                &format!("{}_text", kind.as_str()),
                text(EXACT, IndexRecordOption::WithFreqsAndPositions),
            );
        }
        b.build()
    }

    /// Resolve handles from an index's schema; fails if a field is missing (an older index).
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        let entity = |suffix: &str| -> tantivy::Result<[Field; 4]> {
            let mut out = [Field::from_field_id(0); 4];
            for (slot, kind) in out.iter_mut().zip(EntityKind::ALL) {
                *slot = f(&format!("{}{}", kind.as_str(), suffix))?;
            }
            Ok(out)
        };
        Ok(Fields {
            schema: schema.clone(),
            id: f("id")?,
            file: f("file")?,
            path: f("path")?,
            headline: f("headline")?,
            headline_exact: f("headline_exact")?,
            derived_headline: f("derived_headline")?,
            standfirst: f("standfirst")?,
            body: f("body")?,
            body_exact: f("body_exact")?,
            text: f("text")?,
            source: f("source")?,
            source_key: f("source_key")?,
            section: f("section")?,
            section_key: f("section_key")?,
            date: f("date")?,
            authors: f("authors")?,
            url: f("url")?,
            entity: entity("")?,
            entity_text: entity("_text")?,
        })
    }

    /// The fast-column name of an entity kind's exact field.
    pub fn entity_column(kind: EntityKind) -> &'static str {
        kind.as_str()
    }

    pub fn entity_field(&self, kind: EntityKind) -> Field {
        self.entity[kind as usize]
    }

    pub fn entity_text_field(&self, kind: EntityKind) -> Field {
        self.entity_text[kind as usize]
    }
}
