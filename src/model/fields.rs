//! Field names: the one vocabulary of stored and indexed fields, shared by the embedded schema
//! and the OpenSearch mapping, so that a facet, a filter or a query scope names the same field on
//! both engines.
use crate::entities::EntityKind;

/// Names of fast columns, for collectors that read them by name.
pub mod column {
    pub const SOURCE: &str = super::name::SOURCE;
    pub const SECTION: &str = super::name::SECTION;
    pub const DATE: &str = super::name::DATE;
    pub const COPY_GROUP: &str = super::name::COPY_GROUP;
    pub const COPY_SIGNATURE: &str = super::name::COPY_SIGNATURE;
    pub const SPEAKER: &str = super::name::SPEAKER;
    pub const ENTITY_LINK: &str = super::name::ENTITY_LINK;
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
    /// The words inside the article's direct quotes, for `quote:` (docs/quotes.md).
    pub const QUOTE: &str = "quote";
    /// Canonical names of the entities the article quotes (a facet and a filter).
    pub const SPEAKER: &str = "speaker";
    /// The article's quotes with speakers and offsets, stored as JSON.
    pub const QUOTES: &str = "quotes";
    /// The acronyms the article spells out (`entities::merges::Link`), the evidence of the
    /// archive-wide acronym merges; never shown.
    pub const ENTITY_LINK: &str = "entity_link";
    /// Set (stored only) on articles whose text was read by OCR from page images.
    pub const OCR: &str = "ocr";
    /// Suffix of an entity kind's tokenized field (`person_text`).
    pub const ENTITY_TEXT_SUFFIX: &str = "_text";
    /// The exact-analysis subfield of a text field in the OpenSearch mapping (`headline.exact`).
    pub const EXACT_SUBFIELD: &str = "exact";
    /// The tokenized subfield of an entity field in the OpenSearch mapping (`person.text`).
    pub const TEXT_SUBFIELD: &str = "text";
    /// OpenSearch only: the stems of headline and body in one field, whose document frequency
    /// is BM25F's (documents with the word in either field).
    pub const STEMS: &str = "stems";
    /// OpenSearch only: the headline's and the body's stems as newsdex's analyzer makes them
    /// (the cluster's Snowball stems some words otherwise: "international"), what ranked word
    /// matches search.
    pub const HEADLINE_STEMS: &str = "headline_stems";
    pub const BODY_STEMS: &str = "body_stems";
    /// OpenSearch only: each stem once with its BM25F weighted frequency (headline and body,
    /// length-normalised) folded in at index time as its term frequency, so the cluster's own
    /// BM25 orders a first pass as BM25F does, without a script per match.
    pub const WEIGHTED_STEMS: &str = "weighted_stems";
    /// OpenSearch only: the headline's and the body's lengths in tokens as the embedded index's
    /// field norms keep them, for BM25F's per-field length normalisation.
    pub const HEADLINE_LENGTH: &str = "headline_length";
    pub const BODY_LENGTH: &str = "body_length";
    /// OpenSearch only: the exact token counts, whose sums give BM25F's average lengths.
    pub const HEADLINE_TOKENS: &str = "headline_tokens";
    pub const BODY_TOKENS: &str = "body_tokens";
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
    /// The archive-wide entity merges, as their JSON.
    pub const ENTITY_MERGES: &str = "entity_merges";
    /// The server's access keys (salted hashes only), as the JSON of the keys file.
    pub const ACCESS_KEYS: &str = "access_keys";
    /// The collection figures BM25F needs (articles, total headline and body tokens), saved by
    /// every index run when it commits.
    pub const RANKING_STATS: &str = "ranking_stats";
    /// `kind` of a manifest entry.
    pub const FILE_KIND: &str = "file";
    /// `kind` and `_id` of the document with the index's saved settings.
    pub const SETTINGS_ID: &str = "settings";
    /// `kind` and `_id` of the document with the groups of copies, kept apart from the settings
    /// (it grows with the archive and changes with every index run).
    pub const COPY_GROUPS: &str = "copy_groups";
    /// The groups document's table, as its JSON text.
    pub const TABLE: &str = "table";
}

/// The fast-column (keyword field) name of an entity kind's exact names.
pub fn entity_column(kind: EntityKind) -> &'static str {
    kind.as_str()
}
