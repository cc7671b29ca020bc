//! BM25F: one score per query word over headline and body together.
//!
//! Summing an independent BM25 per field saturates each field on its own, so a word present in
//! both a headline and a body counts almost twice, and a short headline's length normalisation
//! swamps everything else. Here the word's frequencies in the two fields are weighted and added
//! first, and only then is the sum saturated, once. By default (Robertson and Zaragoza's BM25F)
//! each field's frequency is normalised by that field's length against its average:
//!
//! ```text
//! tf    = w_h * tf_h / (1 - b_h + b_h * len_h / avg_h) + w_b * tf_b / (1 - b + b * len_b / avg_b)
//! score = boost * idf * tf * (k1 + 1) / (tf + k1)
//! idf   = ln(1 + (N - df + 0.5) / (df + 0.5)),  df = documents with the word in either field
//! ```
//!
//! The other variant (`per_field = false`, what SQLite FTS5's bm25 does) adds raw weighted
//! frequencies and normalises the document's whole length once:
//! `tf = w_h * tf_h + w_b * tf_b`, `score = idf * tf * (k1 + 1) / (tf + k1 * norm)` with
//! `norm = 1 - b + b * (len_h + len_b) / avg(len_h + len_b)`. Per-field normalisation won on
//! both judged collections (BENCHMARKS.md): a title-only record is then not treated as a
//! very short document whose every word is prominent.
//!
//! Lengths come from tantivy's field norms (exact up to 40 tokens, coarser above), which is
//! what its own BM25 uses.
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::stems;
use crate::model::ranking::Bm25fParams;

/// Collection figures a score depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub docs: u64,
    pub doc_freq: u64,
    /// Average headline + body length in tokens.
    pub avg_len: f32,
    pub avg_headline: f32,
    pub avg_body: f32,
}

/// What one document holds of one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    pub tf_headline: u32,
    pub tf_body: u32,
    pub len_headline: u32,
    pub len_body: u32,
}

pub fn idf(docs: u64, doc_freq: u64) -> f32 {
    let df = doc_freq.min(docs) as f32;
    (1.0 + (docs as f32 - df + 0.5) / (df + 0.5)).ln()
}

impl Bm25fParams {
    /// The weighted term frequency before saturation (per-field normalised in that mode).
    pub fn weighted_tf(&self, c: &Counts, stats: &Stats) -> f32 {
        self.weighted_freq([c.tf_headline as f32, c.tf_body as f32], c, stats)
    }

    /// `weighted_tf` for fractional frequencies (proximity's weighted meetings); `c`'s
    /// frequencies are ignored, its lengths used.
    pub fn weighted_freq(&self, [h, b]: [f32; 2], c: &Counts, stats: &Stats) -> f32 {
        if !self.per_field {
            return self.headline_weight * h + self.body_weight * b;
        }
        let norms = [
            field_norm(self.headline_b, c.len_headline, stats.avg_headline),
            field_norm(self.b, c.len_body, stats.avg_body),
        ];
        self.per_field_tf([h, b], norms)
    }

    /// The per-field weighted frequency from each field's length normalisation.
    #[inline]
    fn per_field_tf(&self, [h, b]: [f32; 2], [norm_h, norm_b]: [f32; 2]) -> f32 {
        self.headline_weight * h / norm_h + self.body_weight * b / norm_b
    }

    /// The length normalisation of a document.
    pub fn length_norm(&self, c: &Counts, avg_len: f32) -> f32 {
        let len = (c.len_headline + c.len_body) as f32;
        1.0 - self.b + self.b * len / avg_len.max(f32::MIN_POSITIVE)
    }

    /// The formula in the module comment, without the boost.
    pub fn score(&self, stats: &Stats, c: &Counts) -> f32 {
        let tf = self.weighted_tf(c, stats);
        if tf <= 0.0 {
            return 0.0;
        }
        let norm = if self.per_field {
            1.0
        } else {
            self.length_norm(c, stats.avg_len)
        };
        self.saturate(idf(stats.docs, stats.doc_freq), tf, norm)
    }

    /// The last step of [`Bm25fParams::score`], for a positive `tf`.
    #[inline]
    fn saturate(&self, idf: f32, tf: f32, norm: f32) -> f32 {
        idf * tf * (self.k1 + 1.0) / (tf + self.k1 * norm)
    }
}

/// One field's length normalisation in the per-field variant.
#[inline]
fn field_norm(b: f32, len: u32, avg: f32) -> f32 {
    1.0 - b + b * len as f32 / avg.max(f32::MIN_POSITIVE)
}

/// Each field's length normalisation for each of the 256 field-norm ids, in the per-field
/// variant. Scoring every matching document of a common word divided twice and took a logarithm
/// per call; the norms depend only on a field's average length and `b`, the same for every word
/// of a search, so one table serves them all. The values are the very `f32`s
/// [`Bm25fParams::weighted_tf`] computes, so scores are unchanged to the bit.
struct NormTables {
    key: [u32; 4],
    norms: [[f32; 256]; 2],
}

impl NormTables {
    fn key(params: &Bm25fParams, stats: &Stats) -> [u32; 4] {
        let bits = [
            params.headline_b,
            params.b,
            stats.avg_headline,
            stats.avg_body,
        ];
        bits.map(f32::to_bits)
    }

    fn build(params: &Bm25fParams, stats: &Stats) -> NormTables {
        let table = |b: f32, avg: f32| {
            std::array::from_fn(|id| field_norm(b, FieldNormReader::id_to_fieldnorm(id as u8), avg))
        };
        NormTables {
            key: NormTables::key(params, stats),
            norms: [
                table(params.headline_b, stats.avg_headline),
                table(params.b, stats.avg_body),
            ],
        }
    }

    /// The tables for `params` and `stats`: this thread's last ones when they fit.
    fn of(params: &Bm25fParams, stats: &Stats) -> Arc<NormTables> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<Arc<NormTables>>> = const {
                std::cell::RefCell::new(None)
            };
        }
        let key = NormTables::key(params, stats);
        let cached = LAST.with(|last| last.borrow().clone().filter(|t| t.key == key));
        cached.unwrap_or_else(|| {
            let tables = Arc::new(NormTables::build(params, stats));
            LAST.with(|last| *last.borrow_mut() = Some(tables.clone()));
            tables
        })
    }
}

/// One stemmed word over the text fields: every exact word with that stem, in headline and body.
#[derive(Clone)]
pub struct Bm25fQuery {
    /// `None` for a word searched in one field only (the body slot then holds that field).
    pub headline: Option<Term>,
    pub body: Term,
    pub params: Bm25fParams,
    /// Whether term frequencies are read, or every match counts once (more-like-this clauses).
    with_freqs: bool,
    /// Whether the exact word equal to the stem has that stem (most do; "news" does not).
    own_stem: bool,
    word: String,
    /// Shared by the clones of one query word: the first pass's weight and the second pass
    /// (proximity) hold clones of the same word, and need not look it up twice.
    memo: Arc<Memo>,
}

/// What one query word has already looked up. Both parts depend only on immutable segments
/// (statistics on the set of segments, term entries on one segment), so they are exact for any
/// searcher with those segments, and a query word lives for one request anyway.
#[derive(Default)]
struct Memo {
    /// The statistics and the segments (in the searcher's order) they were counted over.
    stats: Mutex<Option<(Vec<SegmentId>, Stats)>>,
    /// Per segment, the dictionary entry of each of the word's forms found there, with its
    /// slot: the term dictionary is searched once per segment, whatever is read after.
    terms: Mutex<HashMap<SegmentId, Entries>>,
}

/// The dictionary entries of a word's forms in one segment, each with its slot.
type Entries = Arc<[(usize, TermInfo)]>;

/// A poisoned memo only means another thread panicked while holding it; what it holds is
/// still a finished value or nothing.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl fmt::Debug for Bm25fQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bm25f({:?})", self.word)
    }
}

impl Bm25fQuery {
    pub fn new(headline: Field, body: Field, word: &str, params: Bm25fParams) -> Self {
        Bm25fQuery {
            headline: Some(Term::from_field_text(headline, word)),
            body: Term::from_field_text(body, word),
            params,
            with_freqs: true,
            own_stem: stems::is_own_stem(word),
            word: word.to_string(),
            memo: Arc::default(),
        }
    }

    /// The word in one field, scored as plain BM25 (k1 1.2, b 0.75) over that field.
    pub fn single(field: Field, word: &str) -> Self {
        let params = Bm25fParams::single_field();
        Bm25fQuery {
            headline: None,
            ..Bm25fQuery::new(field, field, word, params)
        }
    }

    /// Count each matching document's occurrences as one.
    pub fn presence_only(mut self) -> Self {
        self.with_freqs = false;
        self
    }

    pub fn word(&self) -> &str {
        &self.word
    }

    fn terms(&self) -> impl Iterator<Item = (usize, &Term)> {
        self.headline
            .iter()
            .map(|t| (0, t))
            .chain(std::iter::once((1, &self.body)))
    }

    fn slot_field(&self, slot: usize) -> Field {
        match (slot, &self.headline) {
            (0, Some(headline)) => headline.field(),
            _ => self.body.field(),
        }
    }

    /// The posting lists of this word's exact forms in one segment, each tagged with its slot
    /// (0 headline, 1 body).
    fn postings(
        &self,
        reader: &SegmentReader,
        record: IndexRecordOption,
    ) -> tantivy::Result<Vec<(usize, SegmentPostings)>> {
        let entries = self.entries(reader)?;
        let mut lists = Vec::with_capacity(entries.len());
        for (slot, info) in entries.iter() {
            let inverted = reader.inverted_index(self.slot_field(*slot))?;
            lists.push((*slot, inverted.read_postings_from_terminfo(info, record)?));
        }
        Ok(lists)
    }

    /// The dictionary entries of this word's exact forms in one segment, each tagged with its
    /// slot, in the order `postings` opens them; looked up once per segment and remembered.
    fn entries(&self, reader: &SegmentReader) -> tantivy::Result<Entries> {
        let id = reader.segment_id();
        if let Some(known) = lock(&self.memo.terms).get(&id) {
            return Ok(known.clone());
        }
        let found: Entries = self.look_up_entries(reader)?.into();
        lock(&self.memo.terms).insert(id, found.clone());
        Ok(found)
    }

    fn look_up_entries(&self, reader: &SegmentReader) -> tantivy::Result<Vec<(usize, TermInfo)>> {
        let table = stems::table(reader)?;
        let group = table.group(&self.word);
        let mut entries = Vec::new();
        for (slot, term) in self.terms() {
            let field = term.field();
            let inverted = reader.inverted_index(field)?;
            match (&group, table.slot(field)) {
                (Some(group), Some(at)) => {
                    for (s, form) in group.forms() {
                        let form = Term::from_field_text(field, form);
                        if s == at
                            && let Some(info) = inverted.get_term_info(&form)?
                        {
                            entries.push((slot, info));
                        }
                    }
                }
                // The stem is its only possible form.
                _ if self.own_stem => {
                    if let Some(info) = inverted.get_term_info(term)? {
                        entries.push((slot, info));
                    }
                }
                _ => {}
            }
        }
        Ok(entries)
    }

    /// The posting lists, with positions, of this word's forms in one segment, each tagged with
    /// its slot (0 headline, 1 body): what proximity reads.
    pub fn position_lists(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(usize, SegmentPostings)>> {
        self.postings(reader, IndexRecordOption::WithFreqsAndPositions)
    }

    /// The length readers of the headline and body slots in one segment.
    pub fn norm_readers(&self, reader: &SegmentReader) -> tantivy::Result<[FieldNormReader; 2]> {
        let headline = self.headline.as_ref().unwrap_or(&self.body);
        Ok([
            reader.get_fieldnorms_reader(headline.field())?,
            reader.get_fieldnorms_reader(self.body.field())?,
        ])
    }

    /// Documents of one segment holding any form of this word in its fields: precomputed in the
    /// stem table for a word of several forms, counted here otherwise.
    fn segment_doc_freq(&self, reader: &SegmentReader) -> tantivy::Result<u64> {
        let table = stems::table(reader)?;
        let slots: Vec<usize> = self
            .terms()
            .filter_map(|(_, t)| table.slot(t.field()))
            .collect();
        if let Some(group) = table.group(&self.word) {
            match slots[..] {
                [one] => return Ok(u64::from(group.doc_freq[one])),
                [_, _] => return Ok(u64::from(group.doc_freq[2])),
                _ => {}
            }
        }
        Ok(Union::new(self.postings(reader, IndexRecordOption::Basic)?).count())
    }

    /// Collection statistics of this word under `searcher`: counted once, then remembered
    /// for as long as the searcher's segments are the same.
    pub fn stats(&self, searcher: &Searcher) -> tantivy::Result<Stats> {
        let segments: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        if let Some((over, stats)) = &*lock(&self.memo.stats)
            && *over == segments
        {
            return Ok(*stats);
        }
        let stats = self.count_stats(searcher)?;
        *lock(&self.memo.stats) = Some((segments, stats));
        Ok(stats)
    }

    /// `stats` counted afresh, never from the memo.
    fn count_stats(&self, searcher: &Searcher) -> tantivy::Result<Stats> {
        let mut docs = 0u64;
        let mut tokens = [0u64; 2];
        let mut doc_freq = 0u64;
        for reader in searcher.segment_readers() {
            docs += u64::from(reader.max_doc());
            for (slot, term) in self.terms() {
                tokens[slot] += reader.inverted_index(term.field())?.total_num_tokens();
            }
            doc_freq += self.segment_doc_freq(reader)?;
        }
        let avg = |t: u64| {
            if docs == 0 {
                1.0
            } else {
                t as f32 / docs as f32
            }
        };
        Ok(Stats {
            docs,
            doc_freq,
            avg_len: avg(tokens[0] + tokens[1]),
            avg_headline: avg(tokens[0]),
            avg_body: avg(tokens[1]),
        })
    }
}

/// Documents of `searcher` holding the stem `word` in `field`, in any of its exact forms.
pub fn doc_freq(searcher: &Searcher, field: Field, word: &str) -> tantivy::Result<u64> {
    let q = Bm25fQuery::single(field, word);
    let mut n = 0;
    for reader in searcher.segment_readers() {
        n += q.segment_doc_freq(reader)?;
    }
    Ok(n)
}

impl Query for Bm25fQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let stats = match scoring {
            EnableScoring::Enabled { searcher, .. } => Some(self.stats(searcher)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(Bm25fWeight {
            query: self.clone(),
            stats,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in self.terms() {
            visitor(term, false);
        }
    }
}

struct Bm25fWeight {
    query: Bm25fQuery,
    /// `None` when scores are not wanted (counting, sorting by date).
    stats: Option<Stats>,
}

impl Bm25fWeight {
    fn make(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Bm25fScorer> {
        let q = &self.query;
        let record = if q.with_freqs && self.stats.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let headline = q.headline.as_ref().unwrap_or(&q.body);
        let tables = (self.stats.as_ref())
            .filter(|_| q.params.per_field)
            .map(|stats| {
                (
                    idf(stats.docs, stats.doc_freq),
                    NormTables::of(&q.params, stats),
                )
            });
        Ok(Bm25fScorer {
            tables,
            union: Union::new(q.postings(reader, record)?),
            norms: [
                reader.get_fieldnorms_reader(headline.field())?,
                reader.get_fieldnorms_reader(q.body.field())?,
            ],
            params: q.params,
            stats: self.stats,
            with_freqs: q.with_freqs,
            boost,
        })
    }
}

impl Weight for Bm25fWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.make(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.make(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not contain {:?}",
                self.query.word()
            )));
        }
        Ok(scorer.explain(self.query.word()))
    }
}

/// Several posting lists walked as one, in document order; each list carries its field's slot.
struct Union {
    lists: Vec<(usize, SegmentPostings)>,
    doc: DocId,
}

impl Union {
    fn new(lists: Vec<(usize, SegmentPostings)>) -> Self {
        let mut u = Union { lists, doc: 0 };
        u.doc = u.current();
        u
    }

    fn current(&self) -> DocId {
        self.lists
            .iter()
            .map(|(_, p)| p.doc())
            .min()
            .unwrap_or(TERMINATED)
    }

    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for (_, p) in &mut self.lists {
            if p.doc() == doc {
                p.advance();
            }
        }
        self.doc = self.current();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for (_, p) in &mut self.lists {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.doc = self.current();
        self.doc
    }

    /// Occurrences in the current document, per slot.
    fn freqs(&self) -> [u32; 2] {
        let mut f = [0; 2];
        for (slot, p) in &self.lists {
            if p.doc() == self.doc {
                f[*slot] += p.term_freq();
            }
        }
        f
    }

    /// Which slots the current document matches in.
    fn present(&self) -> [u32; 2] {
        let mut f = [0; 2];
        for (slot, p) in &self.lists {
            if p.doc() == self.doc {
                f[*slot] = 1;
            }
        }
        f
    }

    /// Documents left, walking the lists to the end.
    fn count(mut self) -> u64 {
        if self.lists.len() == 1 {
            return u64::from(self.lists[0].1.doc_freq());
        }
        let mut n = 0;
        while self.doc != TERMINATED {
            n += 1;
            self.advance();
        }
        n
    }

    fn size_hint(&self) -> u32 {
        self.lists.iter().map(|(_, p)| p.size_hint()).sum()
    }
}

struct Bm25fScorer {
    union: Union,
    norms: [FieldNormReader; 2],
    params: Bm25fParams,
    stats: Option<Stats>,
    with_freqs: bool,
    boost: Score,
    /// The word's idf and the norm tables, in the per-field variant with scores wanted.
    tables: Option<(f32, Arc<NormTables>)>,
}

impl Bm25fScorer {
    /// [`Bm25fParams::score`] in the per-field variant, from the tables.
    #[inline]
    fn score_from(&self, idf: f32, tables: &NormTables) -> f32 {
        let doc = self.union.doc;
        let [h, b] = if self.with_freqs {
            self.union.freqs()
        } else {
            self.union.present()
        };
        let norms = [
            tables.norms[0][self.norms[0].fieldnorm_id(doc) as usize],
            tables.norms[1][self.norms[1].fieldnorm_id(doc) as usize],
        ];
        let tf = self.params.per_field_tf([h as f32, b as f32], norms);
        if tf <= 0.0 {
            return 0.0;
        }
        self.params.saturate(idf, tf, 1.0)
    }

    fn counts(&self) -> Counts {
        let doc = self.union.doc;
        let [tf_headline, tf_body] = if self.with_freqs {
            self.union.freqs()
        } else {
            self.union.present()
        };
        Counts {
            tf_headline,
            tf_body,
            len_headline: self.norms[0].fieldnorm(doc),
            len_body: self.norms[1].fieldnorm(doc),
        }
    }

    fn explain(&self, word: &str) -> Explanation {
        let Some(stats) = self.stats else {
            return Explanation::new("not scored", 0.0);
        };
        let c = self.counts();
        let mut e = Explanation::new_with_string(
            format!("bm25f({word})"),
            self.boost * self.params.score(&stats, &c),
        );
        e.add_const("boost", self.boost);
        e.add_const("idf", idf(stats.docs, stats.doc_freq));
        e.add_const("documents with the word", stats.doc_freq as f32);
        e.add_const("headline tf", c.tf_headline as f32);
        e.add_const("body tf", c.tf_body as f32);
        e.add_const("weighted tf", self.params.weighted_tf(&c, &stats));
        e.add_const("headline length", c.len_headline as f32);
        e.add_const("average headline length", stats.avg_headline);
        e.add_const("body length", c.len_body as f32);
        e.add_const("average body length", stats.avg_body);
        e
    }
}

impl DocSet for Bm25fScorer {
    fn advance(&mut self) -> DocId {
        self.union.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.union.seek(target)
    }

    fn doc(&self) -> DocId {
        self.union.doc
    }

    fn size_hint(&self) -> u32 {
        self.union.size_hint()
    }
}

impl Scorer for Bm25fScorer {
    fn score(&mut self) -> Score {
        match (&self.tables, self.stats) {
            (Some((idf, tables)), _) => self.boost * self.score_from(*idf, tables),
            (None, Some(stats)) => self.boost * self.params.score(&stats, &self.counts()),
            (None, None) => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: N = 10 documents, the word in 2 of them, average length 20.
    /// Document: headline of 5 tokens holding the word once, body of 35 holding it twice.
    ///   idf   = ln(1 + (10 - 2 + 0.5) / (2 + 0.5)) = ln(4.4)          = 1.481605
    ///   tf    = 3 * 1 + 1 * 2                                          = 5
    ///   norm  = 1 - 0.75 + 0.75 * (5 + 35) / 20                        = 1.75
    ///   score = 1.481605 * 5 * 2.2 / (5 + 1.2 * 1.75) = 16.29766 / 7.1 = 2.295445
    #[test]
    fn scoring_formula_matches_a_hand_computed_two_field_example() {
        let params = Bm25fParams {
            k1: 1.2,
            b: 0.75,
            headline_weight: 3.0,
            body_weight: 1.0,
            per_field: false,
            headline_b: 0.75,
        };
        let stats = STATS;
        let counts = Counts {
            tf_headline: 1,
            tf_body: 2,
            len_headline: 5,
            len_body: 35,
        };
        assert!((idf(10, 2) - 1.481605).abs() < 1e-5);
        assert!((params.weighted_tf(&counts, &stats) - 5.0).abs() < 1e-6);
        assert!((params.length_norm(&counts, 20.0) - 1.75).abs() < 1e-6);
        let score = params.score(&stats, &counts);
        assert!((score - 2.295445).abs() < 1e-5, "{score}");
        // Fields combine before saturation: the same five occurrences all in the body score the
        // same, where a per-field sum would have saturated the headline and body separately.
        let all_body = Counts {
            tf_headline: 0,
            tf_body: 5,
            ..counts
        };
        assert!((params.score(&stats, &all_body) - score).abs() < 1e-6);
    }

    const STATS: Stats = Stats {
        docs: 10,
        doc_freq: 2,
        avg_len: 20.0,
        avg_headline: 4.0,
        avg_body: 16.0,
    };

    /// The per-field variant on the same document, headline b = 0.5, body b = 0.75, average
    /// headline 4 and body 16 tokens:
    ///   tf    = 3 * 1 / (0.5 + 0.5 * 5/4) + 1 * 2 / (0.25 + 0.75 * 35/16)
    ///         = 3 / 1.125 + 2 / 1.890625                               = 3.724518
    ///   score = 1.481605 * 3.724518 * 2.2 / (3.724518 + 1.2)           = 2.465252
    #[test]
    fn per_field_variant_matches_a_hand_computed_example() {
        let params = Bm25fParams {
            per_field: true,
            headline_b: 0.5,
            ..Bm25fParams::default()
        };
        let counts = Counts {
            tf_headline: 1,
            tf_body: 2,
            len_headline: 5,
            len_body: 35,
        };
        assert!((params.weighted_tf(&counts, &STATS) - 3.724518).abs() < 1e-5);
        let score = params.score(&STATS, &counts);
        assert!((score - 2.465252).abs() < 1e-5, "{score}");
    }

    #[test]
    fn absent_word_scores_nothing() {
        let stats = STATS;
        let counts = Counts {
            tf_headline: 0,
            tf_body: 0,
            len_headline: 5,
            len_body: 35,
        };
        assert_eq!(Bm25fParams::default().score(&stats, &counts), 0.0);
    }

    /// A small index in two segments (two commits), for the memo tests.
    fn two_segments() -> (tantivy::Index, crate::engines::tantivy::schema::Fields) {
        let batches: [&[(&str, &str)]; 2] = [
            &[
                ("Rates rise", "the rate rose as rates do"),
                ("Quiet day", "nothing here rated, quiet quiet"),
            ],
            &[
                ("Rate cut", "a quiet rate cut"),
                ("Other news", "nothing"),
                ("Quiet rates", "rated quietly"),
            ],
        ];
        crate::engines::tantivy::schema::index_in_ram(&batches)
    }

    /// Every (slot, document, positions) a word's position lists hold in one segment.
    fn read_all(q: &Bm25fQuery, reader: &SegmentReader) -> Vec<(usize, DocId, Vec<u32>)> {
        let mut out = Vec::new();
        for (slot, mut list) in q.position_lists(reader).unwrap() {
            while list.doc() != TERMINATED {
                let mut positions = Vec::new();
                list.positions(&mut positions);
                out.push((slot, list.doc(), positions));
                list.advance();
            }
        }
        out
    }

    /// The second pass reuses the statistics and dictionary entries the first pass's weight
    /// looked up (through a clone of the same query word): they must equal a fresh count, and
    /// a searcher over other segments must not get the old statistics.
    #[test]
    fn remembered_statistics_and_entries_equal_fresh_ones() {
        let (index, f) = two_segments();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let params = Bm25fParams::default();
        for word in ["rate", "quiet", "nothing", "absent"] {
            let first = Bm25fQuery::new(f.headline, f.body, word, params);
            let second = first.clone();
            // The first pass: its weight counts the statistics and opens every segment's lists.
            let weight = first
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for segment in searcher.segment_readers() {
                weight.scorer(segment, 1.0).unwrap();
            }
            let fresh = Bm25fQuery::new(f.headline, f.body, word, params);
            assert_eq!(
                second.stats(&searcher).unwrap(),
                fresh.count_stats(&searcher).unwrap(),
                "{word}"
            );
            for segment in searcher.segment_readers() {
                assert!(lock(&second.memo.terms).contains_key(&segment.segment_id()));
                assert_eq!(
                    read_all(&second, segment),
                    read_all(&fresh, segment),
                    "{word}"
                );
            }
        }
        let rate = Bm25fQuery::new(f.headline, f.body, "rate", params);
        let before = rate.stats(&searcher).unwrap();
        assert_eq!(before.docs, 5);
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(f.body, "rates again");
        w.add_document(doc).unwrap();
        w.commit().unwrap();
        reader.reload().unwrap();
        let after = reader.searcher();
        let now = rate.stats(&after).unwrap();
        assert_eq!(now, rate.count_stats(&after).unwrap());
        assert_eq!((now.docs, now.doc_freq), (6, before.doc_freq + 1));
    }
}
