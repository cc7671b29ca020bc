//! The embedded engine's schema: how each field of [`crate::model::fields`] is indexed and stored,
//! and the one struct holding their handles.
//!
//! Text is indexed once: exact lower-cased words with positions serve phrases, prefixes and slop,
//! and ranked word matches reach them through each segment's stem table (`stems`). Facet values
//! are stored as exact strings in fast columns and again as lower-cased keywords so filters and
//! `source:` scopes ignore case.
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{EXACT, KEYWORD};
use crate::entities::EntityKind;
use crate::model::fields::{self, name};

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
    /// The words inside the article's quotes, exact analysis with positions, for `quote:`.
    pub quote: Field,
    /// Canonical names of the quoted entities (stored, fast: a facet and a filter).
    pub speaker: Field,
    /// The quotes with speakers and offsets, as JSON (stored only).
    pub quotes: Field,
    /// Marks articles read by OCR (stored); absent from indexes made before it, which open as
    /// they are, with no article marked.
    pub ocr: Option<Field>,
    /// The acronyms each article spells out. Optional like `ocr`: an index made before links
    /// were recorded opens as it is and has no acronym merges until `--rebuild`.
    pub entity_link: Option<Field>,
}

/// Bumped whenever the schema, the analyzers or the layout of newsdex's own files in the index
/// folder change incompatibly (4: the manifest's compact layout; 5: quotes and speakers).
pub const SCHEMA_VERSION: u32 = 5;

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
        b.add_text_field(
            name::QUOTE,
            text(EXACT, IndexRecordOption::WithFreqsAndPositions),
        );
        b.add_text_field(name::SPEAKER, STRING | STORED | FAST);
        b.add_text_field(name::QUOTES, STORED);
        b.add_bool_field(name::OCR, STORED);
        b.add_text_field(name::ENTITY_LINK, STRING | STORED | FAST);
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
            quote: f(name::QUOTE)?,
            speaker: f(name::SPEAKER)?,
            quotes: f(name::QUOTES)?,
            ocr: f(name::OCR).ok(),
            entity_link: f(name::ENTITY_LINK).ok(),
        })
    }

    /// The fast-column name of an entity kind's exact field.
    pub fn entity_column(kind: EntityKind) -> &'static str {
        fields::entity_column(kind)
    }

    pub fn entity_field(&self, kind: EntityKind) -> Field {
        self.entity[kind as usize]
    }

    pub fn entity_text_field(&self, kind: EntityKind) -> Field {
        self.entity_text[kind as usize]
    }
}

/// An index in memory holding `(headline, body)` articles, one segment (one commit) per batch:
/// what the engine's unit tests of scoring and stems read.
#[cfg(test)]
pub fn index_in_ram(batches: &[&[(&str, &str)]]) -> (tantivy::Index, Fields) {
    let index = tantivy::Index::create_in_ram(Fields::build_schema());
    crate::analysis::register(&index);
    let f = Fields::from_schema(&index.schema()).unwrap();
    let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
    for batch in batches {
        for (h, b) in *batch {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(f.headline, h);
            doc.add_text(f.body, b);
            w.add_document(doc).unwrap();
        }
        w.commit().unwrap();
    }
    (index, f)
}
