//! Which exact words of a segment share a stem: the bridge from stemmed queries to text indexed once.
//!
//! Headline and body are indexed once each, as exact lower-cased words with positions, which is
//! what phrases, prefixes and highlighting need. Ranked word matches are on stems, so a query
//! word's stem must find every exact word with that stem. A segment's table lists, per text
//! field, the words of that segment whose stem differs from the word itself, keyed by the stem;
//! a word equal to its own stem is looked up directly. Together they are exactly the words the
//! stemmed analyzer would have turned into that stem, because it is the exact analyzer followed by
//! the stemmer on each token.
//!
//! An index run writes each segment's table beside it when it ends (`<segment id>.stems`, a
//! finite-state map); a segment without one (written by a run still going, or killed) gets its
//! table computed from its term dictionaries when first searched. Tables are cached per process
//! by segment id, which tantivy never reuses.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer};
use tantivy::{Searcher, SegmentReader};
use tantivy_fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::Fields;

/// File name suffix of a segment's table.
const SUFFIX: &str = "stems";
/// Separates the stem from the word in a key; tokens never hold it.
const SEP: u8 = 0;
/// Cached tables past this count are dropped, live or not (a long-running server sees many
/// segments come and go); a dropped live one is computed again when next searched.
const MAX_CACHED: usize = 256;

/// One segment's stem-to-words table.
pub struct StemTable {
    map: Map<Vec<u8>>,
}

/// One word stemmed as the stemmed analyzer stems a token.
pub struct WordStemmer(TextAnalyzer);

impl Default for WordStemmer {
    fn default() -> Self {
        WordStemmer(
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        )
    }
}

impl WordStemmer {
    pub fn stem(&mut self, word: &str) -> String {
        let mut stream = self.0.token_stream(word);
        if stream.advance() {
            stream.token().text.clone()
        } else {
            String::new()
        }
    }
}

/// Whether the exact word `stem`, where a segment holds it, belongs under the stem `stem`.
pub fn is_own_stem(stem: &str) -> bool {
    WordStemmer::default().stem(stem) == stem
}

fn key(field: Field, stem: &str, word: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + stem.len() + 1 + word.len());
    k.extend_from_slice(&field.field_id().to_be_bytes());
    k.extend_from_slice(stem.as_bytes());
    k.push(SEP);
    k.extend_from_slice(word);
    k
}

impl StemTable {
    /// The table of a segment, from its term dictionaries.
    pub fn compute(reader: &SegmentReader, fields: &[Field]) -> tantivy::Result<StemTable> {
        let mut stemmer = WordStemmer::default();
        let mut keys = Vec::new();
        for &field in fields {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let word = stream.key();
                let Ok(text) = std::str::from_utf8(word) else {
                    continue;
                };
                let stem = stemmer.stem(text);
                if stem != text {
                    keys.push(key(field, &stem, word));
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        let mut builder = MapBuilder::memory();
        for k in &keys {
            builder.insert(k, 0).map_err(fst_error)?;
        }
        let bytes = builder.into_inner().map_err(fst_error)?;
        Ok(StemTable {
            map: Map::from_bytes(bytes).map_err(fst_error)?,
        })
    }

    fn load(path: &Path) -> Option<StemTable> {
        let bytes = std::fs::read(path).ok()?;
        Map::from_bytes(bytes).ok().map(|map| StemTable { map })
    }

    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("stems.tmp");
        std::fs::write(&tmp, self.map.as_fst().to_vec())?;
        std::fs::rename(&tmp, path)
    }

    /// The words of `field` in this segment whose stem is `stem`, other than `stem` itself.
    pub fn variants(&self, field: Field, stem: &str) -> Vec<String> {
        let from = key(field, stem, b"");
        let mut to = from.clone();
        *to.last_mut().expect("key ends with the separator") = SEP + 1;
        let mut stream = self.map.range().ge(&from).lt(&to).into_stream();
        let mut out = Vec::new();
        while let Some((k, _)) = stream.next() {
            // Keys are built from the dictionary's UTF-8 words.
            if let Ok(word) = std::str::from_utf8(&k[from.len()..]) {
                out.push(word.to_string());
            }
        }
        out
    }
}

fn fst_error(e: tantivy_fst::Error) -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError(format!("stem table: {e}"))
}

fn file(dir: &Path, id: SegmentId) -> PathBuf {
    dir.join(format!("{}.{SUFFIX}", id.uuid_string()))
}

type Cache = Mutex<HashMap<SegmentId, Arc<StemTable>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

fn remember(id: SegmentId, table: Arc<StemTable>) {
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    if c.len() >= MAX_CACHED {
        c.clear();
    }
    c.insert(id, table);
}

/// The table of a segment: cached, or computed from its dictionaries.
pub fn table(reader: &SegmentReader, fields: &[Field]) -> tantivy::Result<Arc<StemTable>> {
    let id = reader.segment_id();
    if let Some(t) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(t.clone());
    }
    let t = Arc::new(StemTable::compute(reader, fields)?);
    remember(id, t.clone());
    Ok(t)
}

/// The fields whose words the tables cover.
pub fn text_fields(fields: &Fields) -> [Field; 2] {
    [fields.headline, fields.body]
}

/// Load the saved tables of a searcher's segments into the cache, so queries do not compute them.
pub fn preload(dir: &Path, searcher: &Searcher) {
    for reader in searcher.segment_readers() {
        let id = reader.segment_id();
        let known = cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&id);
        if !known && let Some(t) = StemTable::load(&file(dir, id)) {
            remember(id, Arc::new(t));
        }
    }
}

/// Write the table of every segment of `searcher` that has none, and delete the tables of
/// segments no longer in the index.
pub fn save_all(dir: &Path, fields: &Fields, searcher: &Searcher) -> tantivy::Result<()> {
    let text = text_fields(fields);
    let mut live = Vec::new();
    for reader in searcher.segment_readers() {
        let path = file(dir, reader.segment_id());
        if !path.exists() {
            let t = table(reader, &text)?;
            t.save(&path)?;
        }
        live.push(path);
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = path.extension().is_some_and(|e| e == SUFFIX);
            if ours && !live.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_stems_are_told_apart() {
        assert!(is_own_stem("rate"));
        assert!(!is_own_stem("rates"));
        let mut s = WordStemmer::default();
        assert_eq!(s.stem("running"), "run");
    }
}
