//! The index settings and mapping newsdex creates, and the check that an existing index is ours
//! and of this mapping version.
//!
//! Analysis mirrors the embedded analyzers token for token: words are runs of letters and digits
//! (the embedded tokenizer's rule), tokens of 64 bytes or more dropped, lower-cased, folded to
//! ASCII, and stemmed with the Snowball English stemmer for the ranked fields. The exact
//! subfields keep positions for phrases and prefixes; keyword fields hold the source, section and
//! entity names as written, beside the folded keys filters use.
use serde_json::{Value, json};

use crate::entities::EntityKind;
pub use crate::model::fields::meta;
use crate::model::fields::name;

/// Bumped whenever the mapping or analysis changes incompatibly (5: BM25F's union field,
/// per-field lengths and idf similarity; 6: positions in the headline and body stems, which
/// proximity's span queries read, and the weighted stems a first pass ranks by).
pub const MAPPING_VERSION: u64 = 6;
/// The key in the mapping's `_meta` that holds [`MAPPING_VERSION`].
pub const VERSION_KEY: &str = "newsdex_mapping_version";
/// The key in the mapping's `_meta` present while an index is written in load mode (see
/// [`article_index`]): the replicas it gets back when the run ends.
pub const LOADING_KEY: &str = "newsdex_loading_replicas";

const STEM: &str = "newsdex_stem";
/// Stems made by newsdex, separated by spaces: taken as they are.
const GIVEN: &str = "newsdex_given";
const EXACT: &str = "newsdex_exact";
/// `stem|frequency` pairs made by newsdex: the frequency becomes the term's.
const WEIGHTED: &str = "newsdex_weighted";
/// The weighted stems' similarity: Lucene's BM25 without length normalisation (the frequencies
/// are normalised already) and with BM25F's `k1` scaled as the frequencies are, so a word scores
/// its BM25F saturation (up to Lucene's constant factor) times its idf.
pub const FOLDED_SIMILARITY: &str = "newsdex_folded";
/// Weighted frequencies are kept as whole multiples of `1 / FOLD_SCALE`.
pub const FOLD_SCALE: f32 = 100.0;
/// The similarity of the union field: a matching document scores the word's BM25F idf, the
/// factor the query's script multiplies its saturated per-field frequencies by.
pub const IDF_SIMILARITY: &str = "newsdex_idf";

/// Shards and replicas of a new index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub shards: u32,
    pub replicas: u32,
}

impl Default for Layout {
    /// One shard, as OpenSearch's own default: an archive far below the usual shard size (tens
    /// of GB; all of AllSides is 150 MB) gains nothing from more, and on one shard the cluster
    /// skips the dfs round a ranked search otherwise pays and its terms aggregations are exact.
    /// One replica survives the loss of a node. A larger archive names its shards in the URL.
    fn default() -> Self {
        Layout {
            shards: 1,
            replicas: 1,
        }
    }
}

/// Settings and mappings of a new article index, created in load mode: no periodic refresh
/// while the run that creates it writes, which is OpenSearch's own advice for a first bulk load.
/// Segments are made at the run's commits (which refresh) instead of every second. The replicas
/// are there from the start: dropping them for the load (the rest of that advice) was measured
/// faster on one machine, but a node lost mid-load then took the articles already committed to
/// its shards with it. The mapping's `_meta` records the replicas of the layout, so a run killed
/// in load mode is put right by the next run that opens the index.
pub fn article_index(layout: Layout) -> Value {
    let mut mappings = articles();
    mappings["_meta"][LOADING_KEY] = json!(layout.replicas);
    json!({
        "settings": {
            "number_of_shards": layout.shards,
            "number_of_replicas": layout.replicas,
            "refresh_interval": "-1",
            "analysis": analysis(),
            "similarity": similarity(),
        },
        "mappings": mappings,
    })
}

/// The settings that end load mode: the layout's replicas and the default refresh interval.
pub fn loaded(replicas: u64) -> Value {
    json!({ "index": { "number_of_replicas": replicas, "refresh_interval": null } })
}

/// The mapping `_meta` once load mode is over (a `_meta` update replaces it whole).
pub fn loaded_meta() -> Value {
    json!({ "_meta": { VERSION_KEY: MAPPING_VERSION } })
}

fn analysis() -> Value {
    json!({
        "tokenizer": {
            "newsdex_words": { "type": "pattern", "pattern": "[^\\p{IsAlphabetic}\\p{N}]+" }
        },
        "filter": {
            // Characters, not bytes: equal to the embedded limit for ASCII words.
            "newsdex_long": { "type": "length", "max": 63 },
            "newsdex_snowball": { "type": "snowball", "language": "English" }
        },
        "analyzer": {
            EXACT: {
                "type": "custom", "tokenizer": "newsdex_words",
                "filter": ["newsdex_long", "lowercase", "asciifolding"]
            },
            STEM: {
                "type": "custom", "tokenizer": "newsdex_words",
                "filter": ["newsdex_long", "lowercase", "asciifolding", "newsdex_snowball"]
            },
            GIVEN: { "type": "custom", "tokenizer": "whitespace" },
            WEIGHTED: {
                "type": "custom", "tokenizer": "whitespace", "filter": ["delimited_term_freq"]
            }
        }
    })
}

/// The embedded engine's idf, `ln(1 + (N - df + 0.5) / (df + 0.5))`, over the union field's
/// statistics: with `dfs_query_then_fetch` they are the whole index's, whatever the shards.
/// Computed once per term (the weight script); every matching document scores it.
fn similarity() -> Value {
    json!({
        IDF_SIMILARITY: {
            "type": "scripted",
            "weight_script": { "source": "double df = term.docFreq; double n = field.docCount; \
                return query.boost * Math.log(1.0 + (n - df + 0.5) / (df + 0.5));" },
            "script": { "source": "return weight;" }
        },
        FOLDED_SIMILARITY: {
            "type": "BM25",
            "k1": crate::model::ranking::Bm25fParams::default().k1 * FOLD_SCALE,
            "b": 0.0,
        }
    })
}

/// Each stem once, its weighted frequency folded in (`stem|frequency`): frequencies and
/// documents only, no norms (the lengths are in the frequency).
fn weighted_text() -> Value {
    json!({
        "type": "text", "analyzer": WEIGHTED, "index_options": "freqs", "norms": false,
        "similarity": FOLDED_SIMILARITY,
    })
}

/// A text field: stemmed by the cluster (what more-like-this reads), with an exact subfield for
/// phrases and prefixes.
fn ranked_text() -> Value {
    json!({
        "type": "text", "analyzer": STEM, "index_options": "freqs",
        "fields": { name::EXACT_SUBFIELD: { "type": "text", "analyzer": EXACT, "index_options": "positions" } }
    })
}

/// A field's stems as newsdex's analyzer makes them, with frequencies (ranked word matches)
/// and positions (where two query words meet, for proximity), also copied to the union field.
/// A match scores the word's idf in this field (a word scoped to it is BM25 over it alone, by
/// the same script; a span of two words scores the sum of their idfs).
fn given_stems() -> Value {
    json!({
        "type": "text", "analyzer": GIVEN, "index_options": "positions", "norms": false,
        "copy_to": name::STEMS, "similarity": IDF_SIMILARITY,
    })
}

/// Headline and body stems in one field: documents only, no lengths, scored by the idf
/// similarity. Its document frequency is BM25F's (the word in either field).
fn union_text() -> Value {
    json!({
        "type": "text", "analyzer": GIVEN, "index_options": "docs", "norms": false,
        "similarity": IDF_SIMILARITY,
    })
}

/// A length in tokens: read by the ranking script from doc values, never searched.
fn length() -> Value {
    json!({ "type": "integer", "index": false })
}

fn stored_only() -> Value {
    json!({ "type": "text", "index": false })
}

fn keyword() -> Value {
    json!({ "type": "keyword" })
}

fn articles() -> Value {
    let mut properties = serde_json::Map::new();
    let mut put = |field: &str, mapping: Value| {
        properties.insert(field.to_string(), mapping);
    };
    put(name::ID, keyword());
    put(name::FILE, keyword());
    put(name::FILE_HASH, keyword());
    put(name::PATH, json!({ "type": "keyword", "index": false }));
    put(name::HEADLINE, ranked_text());
    put(name::DERIVED_HEADLINE, stored_only());
    put(name::STANDFIRST, stored_only());
    put(name::BODY, ranked_text());
    put(name::HEADLINE_STEMS, given_stems());
    put(name::BODY_STEMS, given_stems());
    put(name::STEMS, union_text());
    put(name::WEIGHTED_STEMS, weighted_text());
    put(name::HEADLINE_LENGTH, length());
    put(name::BODY_LENGTH, length());
    put(name::HEADLINE_TOKENS, length());
    put(name::BODY_TOKENS, length());
    put(name::TEXT, stored_only());
    put(name::SOURCE, keyword());
    put(name::SOURCE_KEY, keyword());
    put(name::SECTION, keyword());
    put(name::SECTION_KEY, keyword());
    put(
        name::DATE,
        json!({ "type": "date", "format": "strict_date" }),
    );
    put(name::AUTHORS, json!({ "type": "text", "analyzer": EXACT }));
    put(name::URL, json!({ "type": "keyword", "index": false }));
    put(name::COPY_GROUP, keyword());
    put(name::COPY_SIGNATURE, json!({ "type": "binary" }));
    put(name::QUOTE, json!({ "type": "text", "analyzer": EXACT }));
    put(name::SPEAKER, keyword());
    put(name::QUOTES, json!({ "type": "object", "enabled": false }));
    put(name::OCR, json!({ "type": "boolean", "index": false }));
    put(name::ENTITY_LINK, keyword());
    for kind in EntityKind::ALL {
        put(
            kind.as_str(),
            json!({
                "type": "keyword",
                "fields": { name::TEXT_SUBFIELD: { "type": "text", "analyzer": EXACT } }
            }),
        );
    }
    json!({
        "dynamic": "strict",
        "_meta": { VERSION_KEY: MAPPING_VERSION },
        // The indexed body is standfirst + text, both kept on their own: no third copy; the
        // stems are made again from the text whenever an article is written.
        "_source": { "excludes": [name::BODY, name::HEADLINE_STEMS, name::BODY_STEMS, name::WEIGHTED_STEMS] },
        "properties": properties,
    })
}

/// Settings and mappings of the companion index (manifest entries and saved settings).
pub fn meta_index() -> Value {
    json!({
        "settings": { "number_of_shards": 1, "number_of_replicas": 1 },
        "mappings": {
            "dynamic": false,
            "_meta": { VERSION_KEY: MAPPING_VERSION },
            "properties": {
                meta::KIND: keyword(),
                meta::KEY: keyword(),
                meta::ROOT: keyword(),
            }
        }
    })
}

/// The `_meta` of an existing index's mapping, from `GET /{index}/_mapping`.
fn declared_meta<'a>(mapping_reply: &'a Value, index: &str) -> Option<&'a Value> {
    let of_index = mapping_reply
        .get(index)
        .or_else(|| mapping_reply.as_object().and_then(|m| m.values().next()))?;
    Some(&of_index["mappings"]["_meta"])
}

/// The mapping version an existing index declares.
pub fn declared_version(mapping_reply: &Value, index: &str) -> Option<u64> {
    declared_meta(mapping_reply, index)?[VERSION_KEY].as_u64()
}

/// The replicas an index left in load mode is to get back; `None` when it is not in load mode.
pub fn declared_loading(mapping_reply: &Value, index: &str) -> Option<u64> {
    declared_meta(mapping_reply, index)?[LOADING_KEY].as_u64()
}
