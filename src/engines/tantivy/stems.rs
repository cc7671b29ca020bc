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
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::{SegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer};
use tantivy::{DocSet, Searcher, SegmentReader, TERMINATED, Term};
use tantivy_fst::raw::Fst;
use tantivy_fst::{Map, MapBuilder};

use crate::model::fields::name;

/// File name suffix of a segment's table.
const SUFFIX: &str = "stems";
/// First bytes of a table file, naming its layout.
const MAGIC: &[u8; 8] = b"ndxstem1";
/// Cached tables past this count are dropped, live or not (a long-running server sees many
/// segments come and go); a dropped live one is computed again when next searched.
const MAX_CACHED: usize = 256;

/// One segment's stem-to-words table.
///
/// Layout: magic, the two fields' ids, the lengths of the two parts that follow (a finite-state
/// map from each stem to its entry's offset, then the entries), the map, the entries. An entry holds the documents with any form of the
/// stem in the first field, the second, and either (precomputed: a query needs them for its idf
/// and would otherwise walk every form's postings), then its forms, each as the field's slot, a
/// length byte and the word. Forms are the words other than the stem itself, and the stem itself
/// where it is its own stem and the segment holds it.
pub struct StemTable {
    fields: [Field; 2],
    /// Saved tables are mapped from their files, not copied: a process that runs one query
    /// touches only the pages it reads.
    map: Map<OwnedBytes>,
    entries: OwnedBytes,
}

/// The forms of one stem in one segment.
pub struct Group<'a> {
    /// Documents with a form in the first field, the second, either.
    pub doc_freq: [u32; 3],
    forms: &'a [u8],
    count: usize,
}

impl<'a> Group<'a> {
    /// (slot of the field, word) per form.
    pub fn forms(&self) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        let mut rest = self.forms;
        (0..self.count).filter_map(move |_| {
            let (&slot, tail) = rest.split_first()?;
            let (&len, tail) = tail.split_first()?;
            let (word, tail) = tail.split_at_checked(usize::from(len))?;
            rest = tail;
            Some((usize::from(slot), std::str::from_utf8(word).ok()?))
        })
    }
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

/// A form found while reading a segment's dictionaries.
struct Found {
    slot: u8,
    word: Vec<u8>,
    info: TermInfo,
}

impl StemTable {
    /// The table of a segment, from its term dictionaries; `fields` are headline and body.
    pub fn compute(reader: &SegmentReader, fields: [Field; 2]) -> tantivy::Result<StemTable> {
        let mut stemmer = WordStemmer::default();
        let mut groups: BTreeMap<String, Vec<Found>> = BTreeMap::new();
        for (slot, &field) in fields.iter().enumerate() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let word = stream.key();
                let Ok(text) = std::str::from_utf8(word) else {
                    continue;
                };
                let stem = stemmer.stem(text);
                // A token longer than a length byte cannot be indexed anyway (the analyzers cap
                // tokens far below it).
                if stem != text && word.len() <= usize::from(u8::MAX) {
                    groups.entry(stem).or_default().push(Found {
                        slot: slot as u8,
                        word: word.to_vec(),
                        info: stream.value().clone(),
                    });
                }
            }
        }
        let inverted = [
            reader.inverted_index(fields[0])?,
            reader.inverted_index(fields[1])?,
        ];
        let mut map = MapBuilder::memory();
        let mut entries = Vec::new();
        for (stem, mut forms) in groups {
            if stemmer.stem(&stem) == stem {
                for (slot, inv) in inverted.iter().enumerate() {
                    if let Some(info) =
                        inv.get_term_info(&Term::from_field_text(fields[slot], &stem))?
                    {
                        forms.push(Found {
                            slot: slot as u8,
                            word: stem.as_bytes().to_vec(),
                            info,
                        });
                    }
                }
            }
            map.insert(&stem, entries.len() as u64).map_err(fst_error)?;
            write_entry(&mut entries, &inverted, &forms)?;
        }
        let bytes = OwnedBytes::new(map.into_inner().map_err(fst_error)?);
        Ok(StemTable {
            fields,
            map: Map::from(Fst::new(bytes).map_err(fst_error)?),
            entries: OwnedBytes::new(entries),
        })
    }

    fn from_file(bytes: OwnedBytes) -> Option<StemTable> {
        let head = MAGIC.len() + 24;
        let b = bytes.as_slice();
        if b.len() < head || &b[..MAGIC.len()] != MAGIC {
            return None;
        }
        let word = |at: usize| -> Option<[u8; 4]> { b.get(at..at + 4)?.try_into().ok() };
        let f0 = u32::from_le_bytes(word(MAGIC.len())?);
        let f1 = u32::from_le_bytes(word(MAGIC.len() + 4)?);
        let size = |at: usize| -> Option<usize> {
            usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
        };
        let end = head.checked_add(size(MAGIC.len() + 8)?)?;
        // A file cut short would silently lose stems: its length must be the one written.
        if end.checked_add(size(MAGIC.len() + 16)?)? != b.len() {
            return None;
        }
        Some(StemTable {
            fields: [Field::from_field_id(f0), Field::from_field_id(f1)],
            map: Map::from(Fst::new(bytes.slice(head..end)).ok()?),
            entries: bytes.slice(end..bytes.len()),
        })
    }

    fn to_file(&self) -> Vec<u8> {
        let fst = self.map.as_fst().to_vec();
        let mut out = Vec::with_capacity(MAGIC.len() + 24 + fst.len() + self.entries.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.fields[0].field_id().to_le_bytes());
        out.extend_from_slice(&self.fields[1].field_id().to_le_bytes());
        out.extend_from_slice(&(fst.len() as u64).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u64).to_le_bytes());
        out.extend_from_slice(&fst);
        out.extend_from_slice(self.entries.as_slice());
        out
    }

    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("stems.tmp");
        std::fs::write(&tmp, self.to_file())?;
        std::fs::rename(&tmp, path)
    }

    /// The slot of a field the table covers.
    pub fn slot(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|&f| f == field)
    }

    /// The forms of `stem` in this segment, or `None` if its only possible form is itself.
    pub fn group(&self, stem: &str) -> Option<Group<'_>> {
        let at = usize::try_from(self.map.get(stem)?).ok()?;
        let e = self.entries.as_slice().get(at..)?;
        let mut doc_freq = [0u32; 3];
        for (i, df) in doc_freq.iter_mut().enumerate() {
            *df = u32::from_le_bytes(*e.get(i * 4..i * 4 + 4)?.first_chunk::<4>()?);
        }
        let count = usize::from(u16::from_le_bytes(*e.get(12..14)?.first_chunk::<2>()?));
        Some(Group {
            doc_freq,
            forms: e.get(14..)?,
            count,
        })
    }
}

/// Append one stem's entry: its document counts (walking its forms' postings once, here, so no
/// query has to) and its forms.
fn write_entry(
    out: &mut Vec<u8>,
    inverted: &[Arc<InvertedIndexReader>; 2],
    forms: &[Found],
) -> tantivy::Result<()> {
    let mut lists: Vec<(usize, SegmentPostings)> = Vec::with_capacity(forms.len());
    for f in forms {
        let inv = &inverted[usize::from(f.slot)];
        lists.push((
            usize::from(f.slot),
            inv.read_postings_from_terminfo(&f.info, IndexRecordOption::Basic)?,
        ));
    }
    let mut doc_freq = [0u32; 3];
    loop {
        let doc = lists
            .iter()
            .map(|(_, p)| p.doc())
            .min()
            .unwrap_or(TERMINATED);
        if doc == TERMINATED {
            break;
        }
        let mut seen = [false; 2];
        for (slot, p) in &mut lists {
            if p.doc() == doc {
                seen[*slot] = true;
                p.advance();
            }
        }
        doc_freq[0] += u32::from(seen[0]);
        doc_freq[1] += u32::from(seen[1]);
        doc_freq[2] += 1;
    }
    for df in doc_freq {
        out.extend_from_slice(&df.to_le_bytes());
    }
    let count = u16::try_from(forms.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_le_bytes());
    for f in forms.iter().take(usize::from(count)) {
        out.push(f.slot);
        out.push(f.word.len() as u8);
        out.extend_from_slice(&f.word);
    }
    Ok(())
}

fn fst_error(e: tantivy_fst::Error) -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError(format!("stem table: {e}"))
}

/// A saved table's bytes, mapped; `None` when there is no readable file.
fn mapped(dir: &Path, id: SegmentId) -> Option<OwnedBytes> {
    let name = file(dir, id);
    let name = name.file_name()?;
    let directory = MmapDirectory::open(dir).ok()?;
    directory.open_read(Path::new(name)).ok()?.read_bytes().ok()
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

/// The fields whose words the tables cover, headline then body, from a segment's schema.
fn text_fields(schema: &Schema) -> tantivy::Result<[Field; 2]> {
    Ok([
        schema.get_field(name::HEADLINE)?,
        schema.get_field(name::BODY)?,
    ])
}

/// The table of a segment: cached, or computed from its dictionaries.
pub fn table(reader: &SegmentReader) -> tantivy::Result<Arc<StemTable>> {
    let id = reader.segment_id();
    if let Some(t) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(t.clone());
    }
    let t = Arc::new(StemTable::compute(reader, text_fields(reader.schema())?)?);
    remember(id, t.clone());
    Ok(t)
}

/// Load the saved tables of a searcher's segments into the cache, so queries do not compute them.
/// A file that does not read back whole, or names other fields, is left for [`table`] to redo.
pub fn preload(dir: &Path, searcher: &Searcher) {
    let Ok(fields) = text_fields(searcher.schema()) else {
        return;
    };
    for reader in searcher.segment_readers() {
        let id = reader.segment_id();
        let known = cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&id);
        if known {
            continue;
        }
        let loaded = mapped(dir, id)
            .and_then(StemTable::from_file)
            .filter(|t| t.fields == fields);
        if let Some(t) = loaded {
            remember(id, Arc::new(t));
        }
    }
}

/// Write the table of every segment of `searcher` that has none, and delete the tables of
/// segments no longer in the index.
pub fn save_all(dir: &Path, searcher: &Searcher) -> tantivy::Result<()> {
    let mut live = Vec::new();
    for reader in searcher.segment_readers() {
        let path = file(dir, reader.segment_id());
        if !path.exists() {
            table(reader)?.save(&path)?;
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

    /// Forms and document counts of a small segment, and the same after a trip through a file.
    #[test]
    fn table_lists_forms_and_counts_and_reads_back_whole() {
        let (index, f) = crate::engines::tantivy::schema::index_in_ram(&[&[
            ("Rates rise", "the rate rose"),
            ("Running late", "runs and runner"),
            ("Rate cut", "no change"),
            ("Quiet day", "nothing here rated"),
        ]]);
        let searcher = index.reader().unwrap().searcher();
        let reader = &searcher.segment_readers()[0];
        let table = StemTable::compute(reader, [f.headline, f.body]).unwrap();
        let back = StemTable::from_file(OwnedBytes::new(table.to_file())).unwrap();
        for t in [&table, &back] {
            let rate = t.group("rate").unwrap();
            let mut forms: Vec<_> = rate.forms().collect();
            forms.sort();
            assert_eq!(
                forms,
                [(0, "rate"), (0, "rates"), (1, "rate"), (1, "rated")]
            );
            // Headlines 1 and 3, bodies 1 and 4, either: 1, 3, 4.
            assert_eq!(rate.doc_freq, [2, 2, 3]);
            let run = t.group("run").unwrap();
            assert_eq!(run.doc_freq, [1, 1, 1]);
            assert!(
                t.group("quiet").is_none(),
                "a word that is its own only form"
            );
        }
        assert!(StemTable::from_file(OwnedBytes::new(b"ndxstem1 short".to_vec())).is_none());
        let mut cut = table.to_file();
        cut.truncate(cut.len() / 2);
        assert!(StemTable::from_file(OwnedBytes::new(cut)).is_none());
        let mut cut = table.to_file();
        cut.pop();
        assert!(StemTable::from_file(OwnedBytes::new(cut)).is_none());
    }
}
