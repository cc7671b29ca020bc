//! The schema: the only place that names index fields, and the one struct holding their handles.
//!
//! Text is indexed once: exact lower-cased words with positions serve phrases, prefixes and slop,
//! and ranked word matches reach them through each segment's stem table (`stems`). Facet values are stored as exact strings in
//! fast columns and again as lower-cased keywords so filters and `source:` scopes ignore case.
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzers::{EXACT, KEYWORD};
use crate::entities::EntityKind;

/// Field handles, built once per opened index.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    pub id: Field,
    /// Hash of the file an article came from: re-indexing a file replaces all its articles at once.
    pub file: Field,
    pub path: Field,
    /// Headline words as written (lower-cased, folded), with positions; stored.
    pub headline: Field,
    /// A headline made from the body's first words: stored for display, never indexed.
    pub derived_headline: Field,
    pub standfirst: Field,
    /// Standfirst and body words with positions (not stored: `text` holds the body as written).
    pub body: Field,
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
    /// The group of copies of one story the article belongs to (none when it has no copy).
    pub copy_group: Field,
    /// The article's near-duplicate signature (`copies::Signature::to_bytes`), a fast column so
    /// an index run can regroup every article without reading stored documents.
    pub copy_signature: Field,
}

/// Names of fast columns, for collectors that read them by name.
pub mod column {
    pub const SOURCE: &str = super::name::SOURCE;
    pub const SECTION: &str = super::name::SECTION;
    pub const DATE: &str = super::name::DATE;
    pub const COPY_GROUP: &str = super::name::COPY_GROUP;
    pub const COPY_SIGNATURE: &str = super::name::COPY_SIGNATURE;
}

/// Field names, shared by the embedded schema and the OpenSearch mapping (which keeps the exact
/// analysis of headline, body and entity names as subfields, the stemmed one in the field itself).
pub mod name {
    pub const ID: &str = "id";
    pub const FILE: &str = "file";
    /// Content hash of the article's file when it was written (OpenSearch only: a file's old
    /// articles are the ones under its key with another hash).
    pub const FILE_HASH: &str = "file_hash";
    pub const PATH: &str = "path";
    pub const HEADLINE: &str = "headline";
    pub const DERIVED_HEADLINE: &str = "derived_headline";
    pub const STANDFIRST: &str = "standfirst";
    pub const BODY: &str = "body";
    pub const TEXT: &str = "text";
    pub const SOURCE: &str = "source";
    pub const SOURCE_KEY: &str = "source_key";
    pub const SECTION: &str = "section";
    pub const SECTION_KEY: &str = "section_key";
    pub const DATE: &str = "date";
    pub const AUTHORS: &str = "authors";
    pub const URL: &str = "url";
    pub const COPY_GROUP: &str = "copy_group";
    pub const COPY_SIGNATURE: &str = "copy_signature";
    /// Suffix of an entity kind's tokenized field (`person_text`).
    pub const ENTITY_TEXT_SUFFIX: &str = "_text";
    /// The exact-analysis subfield of a text field in the OpenSearch mapping (`headline.exact`).
    pub const EXACT_SUBFIELD: &str = "exact";
    /// The tokenized subfield of an entity field in the OpenSearch mapping (`person.text`).
    pub const TEXT_SUBFIELD: &str = "text";
}

/// Field names of the OpenSearch companion index, which holds the manifest (one document per
/// file) and the index's saved settings.
pub mod meta {
    pub const KIND: &str = "kind";
    pub const KEY: &str = "key";
    pub const ROOT: &str = "root";
    pub const REL: &str = "rel";
    pub const SIZE: &str = "size";
    pub const MTIME_NS: &str = "mtime_ns";
    pub const HASH: &str = "hash";
    pub const ARTICLES: &str = "articles";
    pub const SOURCE_ALIASES: &str = "source_aliases";
    /// The entity rules, as the text of the rules file.
    pub const ENTITY_RULES: &str = "entity_rules";
    /// `kind` of a manifest entry.
    pub const FILE_KIND: &str = "file";
    /// `kind` and `_id` of the document with the index's saved settings.
    pub const SETTINGS_ID: &str = "settings";
}

/// Bumped whenever the schema, the analyzers or the layout of newsdex's own files in the index
/// folder change incompatibly (4: the manifest's compact layout).
pub const SCHEMA_VERSION: u32 = 4;

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
        b.add_text_field(name::ID, STRING | STORED);
        // Stored so an article can be written again with a new copy group.
        b.add_text_field(name::FILE, STRING | STORED);
        b.add_text_field(name::PATH, STRING | STORED);
        b.add_text_field(
            name::HEADLINE,
            text(EXACT, IndexRecordOption::WithFreqsAndPositions) | STORED,
        );
        b.add_text_field(name::DERIVED_HEADLINE, STORED);
        b.add_text_field(name::STANDFIRST, STORED);
        b.add_text_field(
            name::BODY,
            text(EXACT, IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field(name::TEXT, STORED);
        b.add_text_field(name::SOURCE, STRING | STORED | FAST);
        b.add_text_field(name::SOURCE_KEY, keyword());
        b.add_text_field(name::SECTION, STRING | STORED | FAST);
        b.add_text_field(name::SECTION_KEY, keyword());
        b.add_date_field(name::DATE, INDEXED | STORED | FAST);
        b.add_text_field(
            name::AUTHORS,
            text(EXACT, IndexRecordOption::WithFreqsAndPositions) | STORED,
        );
        b.add_text_field(name::URL, STORED);
        for kind in EntityKind::ALL {
            b.add_text_field(kind.as_str(), STRING | STORED | FAST);
            b.add_text_field(
                &format!("{}{}", kind.as_str(), name::ENTITY_TEXT_SUFFIX),
                text(EXACT, IndexRecordOption::WithFreqsAndPositions),
            );
        }
        b.add_text_field(name::COPY_GROUP, STRING | STORED | FAST);
        b.add_bytes_field(name::COPY_SIGNATURE, FAST);
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
            id: f(name::ID)?,
            file: f(name::FILE)?,
            path: f(name::PATH)?,
            headline: f(name::HEADLINE)?,
            derived_headline: f(name::DERIVED_HEADLINE)?,
            standfirst: f(name::STANDFIRST)?,
            body: f(name::BODY)?,
            text: f(name::TEXT)?,
            source: f(name::SOURCE)?,
            source_key: f(name::SOURCE_KEY)?,
            section: f(name::SECTION)?,
            section_key: f(name::SECTION_KEY)?,
            date: f(name::DATE)?,
            authors: f(name::AUTHORS)?,
            url: f(name::URL)?,
            entity: entity("")?,
            entity_text: entity(name::ENTITY_TEXT_SUFFIX)?,
            copy_group: f(name::COPY_GROUP)?,
            copy_signature: f(name::COPY_SIGNATURE)?,
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
