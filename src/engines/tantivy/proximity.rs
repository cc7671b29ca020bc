//! Proximity: query words that meet in a document, near each other and in the query's order,
//! count for more.
//!
//! News queries are full of names and set phrases typed without quotes ("interest rate",
//! "john smith"): an article where the words stand together is usually about the thing named,
//! one where they are scattered seldom is. Each pair of neighbouring query words is scored as
//! one more BM25F word (a sequential-dependence-style pair feature): its frequency counts the
//! places the two meet, 1 for each in the query's order within `ORDERED_GAP` positions, 1/2 for
//! each within the window either way; fields are weighted and length-normalised as for a word,
//! then saturated with k1, and the pair's idf is the mean of its two words'. Optionally words
//! further apart in the query pair too, unordered (`model::scoring::pairs`, shared with the
//! OpenSearch engine so both pair alike). Positions are read
//! only for the documents the second pass re-scores, so the cost is bounded by its depth.
use std::cell::RefCell;
use std::collections::HashMap;

pub use crate::model::scoring::meetings;
use crate::model::scoring::{self, Pair};
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Explanation;
use tantivy::{DocId, DocSet, Searcher, SegmentReader};

use super::bm25f::{self, Bm25fQuery, Counts, Stats};
use crate::model::ranking::{Bm25fParams, ProximityParams};

/// The pairs of a query and the collection figures their scores need.
pub struct Proximity {
    words: Vec<Bm25fQuery>,
    /// Per pair: its two words (indexes into `words`) and its idf.
    pairs: Vec<(Pair, f32)>,
    stats: Stats,
    params: ProximityParams,
    bm25f: Bm25fParams,
    /// Per segment, each word's position lists as opened, before any seek: the second pass
    /// over a segment (the candidates that may still climb) starts from this copy instead of
    /// opening them again.
    opened: RefCell<HashMap<SegmentId, Vec<WordLists>>>,
}

/// One word's position lists in one segment, each tagged with its slot (0 headline, 1 body).
type WordLists = Vec<(usize, SegmentPostings)>;

/// One pair's part of one document's score, for `--explain`.
pub struct PairScore {
    /// Which of the query's pairs (an index into [`Proximity::labels`]).
    pub pair: usize,
    /// How far apart the query puts its words (1: neighbours).
    pub apart: usize,
    pub ordered: u32,
    pub near: u32,
    pub score: f32,
}

impl Proximity {
    /// The pairs of `words` (the query's scored words in its order; see
    /// `model::scoring::pairs`), or `None` when there are none or proximity is off.
    pub fn new(
        searcher: &Searcher,
        words: &[Bm25fQuery],
        params: ProximityParams,
        bm25f: Bm25fParams,
    ) -> tantivy::Result<Option<Proximity>> {
        if !params.enabled() || words.len() < 2 {
            return Ok(None);
        }
        let stats: Vec<Stats> = words
            .iter()
            .map(|w| w.stats(searcher))
            .collect::<tantivy::Result<_>>()?;
        let names: Vec<&str> = words.iter().map(Bm25fQuery::word).collect();
        let idf = |i: usize| bm25f::idf(stats[i].docs, stats[i].doc_freq);
        let pairs: Vec<(Pair, f32)> = scoring::pairs(&names, &params)
            .into_iter()
            .map(|p| (p, (idf(p.first) + idf(p.second)) / 2.0))
            .collect();
        if pairs.is_empty() {
            return Ok(None);
        }
        Ok(Some(Proximity {
            words: words.to_vec(),
            pairs,
            stats: stats[0],
            params,
            bm25f,
            opened: RefCell::default(),
        }))
    }

    /// The most the pairs can add to any document's score: each pair's score saturates below
    /// `weight x idf x (k1 + 1)` however often its words meet.
    pub fn max_score(&self) -> f32 {
        let k1 = self.bm25f.k1;
        self.pairs
            .iter()
            .map(|(p, idf)| p.weight(&self.params) * idf * (k1 + 1.0))
            .sum()
    }

    /// Each document's pair scores, for `docs` of one segment in ascending order, each with
    /// its first-pass score; `None` for a document whose pairs could not lift it to the
    /// `floor` judged by its words' term frequencies alone (`reach`), before its positions are
    /// read. Each document read raises the floor with its final score. `keep`: a later pass
    /// will read this segment again (from a copy of its lists kept now).
    pub fn score_segment(
        &self,
        reader: &SegmentReader,
        docs: &[(DocId, f32)],
        floor: &mut Floor,
        keep: bool,
    ) -> tantivy::Result<Vec<Option<Vec<PairScore>>>> {
        let mut lists = self.lists(reader, keep)?;
        let norms = self.words[0].norm_readers(reader)?;
        // One buffer per word and slot, reused from document to document.
        let mut positions: Vec<[Vec<u32>; 2]> = vec![[Vec::new(), Vec::new()]; lists.len()];
        let mut freqs: Vec<[u32; 2]> = vec![[0; 2]; lists.len()];
        let most = self.max_score();
        let mut out = Vec::with_capacity(docs.len());
        for &(doc, first) in docs {
            // The floor may have risen past it since it was chosen: then no list moves.
            if !floor.reached(first, most) {
                out.push(None);
                continue;
            }
            let lengths = Counts {
                tf_headline: 0,
                tf_body: 0,
                len_headline: norms[0].fieldnorm(doc),
                len_body: norms[1].fieldnorm(doc),
            };
            if !self.freqs_reach(&mut lists, doc, first, &lengths, floor, &mut freqs) {
                out.push(None);
                continue;
            }
            for (w, (word, into)) in lists.iter_mut().zip(&mut positions).enumerate() {
                word_positions(word, doc, self.wanted(w, &freqs), into);
            }
            let pairs: Vec<PairScore> = self
                .pairs
                .iter()
                .enumerate()
                .map(|(i, (p, idf))| self.pair(i, p, *idf, &positions, &lengths))
                .collect();
            floor.raise(first + pairs.iter().map(|x| x.score).sum::<f32>());
            out.push(Some(pairs));
        }
        Ok(out)
    }

    /// Moves the words' lists to `doc` one word at a time, into `freqs`, and says whether the
    /// pairs may still lift the candidate to the floor: after each word, `reach` with the
    /// words not yet moved taken at their most, so a candidate its first words already rule
    /// out costs no seek in the other words' lists.
    fn freqs_reach(
        &self,
        lists: &mut [WordLists],
        doc: DocId,
        first: f32,
        lengths: &Counts,
        floor: &Floor,
        freqs: &mut [[u32; 2]],
    ) -> bool {
        for (w, word) in lists.iter_mut().enumerate() {
            freqs[w] = word_freqs(word, doc);
            if !floor.reached(first, self.reach(&freqs[..=w], lengths)) {
                return false;
            }
        }
        true
    }

    /// The most the pairs can add to a document whose first `freqs.len()` words occur
    /// `freqs` times (per word, per slot) in fields of these `lengths`: a pair's frequency in
    /// a slot counts each occurrence of its first word at most once (`meetings`), and is 0
    /// where its second word is absent, so scoring that frequency bounds the pair from above.
    /// A pair whose first word is not among them gets its saturated maximum, and one whose
    /// second word is not among them is taken as present; so does every pair where the
    /// fields' weights would make the score fall with the frequency.
    fn reach(&self, freqs: &[[u32; 2]], lengths: &Counts) -> f32 {
        let unit = |slot: usize| {
            let mut f = [0.0; 2];
            f[slot] = 1.0;
            self.bm25f.weighted_freq(f, lengths, &self.stats)
        };
        if !(unit(0) >= 0.0 && unit(1) >= 0.0) {
            return self.max_score();
        }
        let k1 = self.bm25f.k1;
        self.pairs
            .iter()
            .map(|(p, idf)| {
                let weight = p.weight(&self.params);
                let Some(once) = freqs.get(p.first) else {
                    return weight * idf * (k1 + 1.0);
                };
                let freq: [f32; 2] = std::array::from_fn(|slot| match freqs.get(p.second) {
                    Some(second) if second[slot] == 0 => 0.0,
                    _ => p.freq((once[slot], 0)),
                });
                let tf = self.bm25f.weighted_freq(freq, lengths, &self.stats);
                match tf > 0.0 {
                    true => weight * idf * tf * (k1 + 1.0) / (tf + k1),
                    false => 0.0,
                }
            })
            .sum()
    }

    /// The slots in which word `w`'s positions can matter: those where it and a word it pairs
    /// with both occur (elsewhere its pairs meet nowhere, whatever the positions).
    fn wanted(&self, w: usize, freqs: &[[u32; 2]]) -> [bool; 2] {
        std::array::from_fn(|slot| {
            self.pairs.iter().any(|(p, _)| {
                (p.first == w || p.second == w)
                    && freqs[p.first][slot] > 0
                    && freqs[p.second][slot] > 0
            })
        })
    }

    /// Every word's position lists in one segment, unread. With `keep`, a copy is kept for the
    /// segment's next pass (a copy costs less than opening again); a pass without it takes the
    /// kept copy, or opens the lists when there is none.
    fn lists(&self, reader: &SegmentReader, keep: bool) -> tantivy::Result<Vec<WordLists>> {
        let id = reader.segment_id();
        let kept = self.opened.borrow_mut().remove(&id);
        if let Some(lists) = kept {
            if keep {
                self.opened.borrow_mut().insert(id, lists.clone());
            }
            return Ok(lists);
        }
        let lists: Vec<WordLists> = self
            .words
            .iter()
            .map(|w| w.position_lists(reader))
            .collect::<tantivy::Result<_>>()?;
        if keep {
            self.opened.borrow_mut().insert(id, lists.clone());
        }
        Ok(lists)
    }

    /// Each pair's name for `--explain`, in the order of [`PairScore::pair`].
    pub fn labels(&self) -> Vec<String> {
        let names: Vec<&str> = self.words.iter().map(Bm25fQuery::word).collect();
        self.pairs.iter().map(|(p, _)| p.label(&names)).collect()
    }

    fn pair(
        &self,
        index: usize,
        pair: &Pair,
        idf: f32,
        positions: &[[Vec<u32>; 2]],
        lengths: &Counts,
    ) -> PairScore {
        let (a, b) = (pair.first, pair.second);
        let (mut ordered, mut near) = (0, 0);
        let mut freq = [0.0f32; 2];
        for (slot, f) in freq.iter_mut().enumerate() {
            let met = meetings(&positions[a][slot], &positions[b][slot], self.params.window);
            ordered += met.0;
            near += met.1;
            *f = pair.freq(met);
        }
        let tf = self.bm25f.weighted_freq(freq, lengths, &self.stats);
        let k1 = self.bm25f.k1;
        let score = if tf > 0.0 {
            pair.weight(&self.params) * idf * tf * (k1 + 1.0) / (tf + k1)
        } else {
            0.0
        };
        PairScore {
            pair: index,
            apart: pair.apart,
            ordered,
            near,
            score,
        }
    }
}

/// The lowest final score the page can end on, as known so far: the `len`-th best final score
/// of the candidates read (each candidate counted once). A candidate that cannot reach it is
/// beaten strictly by `len` others, so it stays below the page whatever its positions hold.
pub struct Floor {
    /// The best final scores read so far, at most `len` of them, lowest first.
    best: Vec<f32>,
    len: usize,
}

impl Floor {
    /// The floor of a page of `len` places: none until `len` candidates have been read.
    pub fn new(len: usize) -> Self {
        Floor {
            best: Vec::with_capacity(len),
            len,
        }
    }

    /// No floor at all: every candidate is read (feedback re-scores them all).
    pub fn none() -> Self {
        Floor::new(0)
    }

    fn level(&self) -> f32 {
        match self.best.first() {
            Some(&low) if self.len > 0 && self.best.len() == self.len => low,
            _ => f32::NEG_INFINITY,
        }
    }

    /// Whether a candidate whose first-pass score is `first` and whose pairs can add at most
    /// `gain` may still reach the floor. A hair of slack, so float rounding never drops a
    /// candidate that would tie it.
    pub fn reached(&self, first: f32, gain: f32) -> bool {
        first + gain * (1.0 + 1e-4) + 1e-4 >= self.level()
    }

    /// Count a candidate's final score, read.
    pub fn raise(&mut self, score: f32) {
        if self.best.len() < self.len {
            let at = self.best.partition_point(|&s| s < score);
            self.best.insert(at, score);
        } else if self.best.first().is_some_and(|&low| score > low) {
            self.best.remove(0);
            let at = self.best.partition_point(|&s| s < score);
            self.best.insert(at, score);
        }
    }
}

/// One word's occurrences (all its forms) in one document, per slot, moving its lists there.
fn word_freqs(lists: &mut [(usize, SegmentPostings)], doc: DocId) -> [u32; 2] {
    let mut freqs = [0; 2];
    for (slot, list) in lists.iter_mut() {
        if list.doc() < doc {
            list.seek(doc);
        }
        if list.doc() == doc {
            freqs[*slot] += list.term_freq();
        }
    }
    freqs
}

/// Sorted positions of one word (all its forms) in one document, per `wanted` slot, into
/// `out`; its lists already stand at `doc` (`word_freqs`).
fn word_positions(
    lists: &mut [(usize, SegmentPostings)],
    doc: DocId,
    wanted: [bool; 2],
    out: &mut [Vec<u32>; 2],
) {
    let mut forms = [0u8; 2];
    for o in out.iter_mut() {
        o.clear();
    }
    for (slot, list) in lists.iter_mut() {
        if wanted[*slot] && list.doc() == doc {
            list.append_positions_with_offset(0, &mut out[*slot]);
            forms[*slot] += 1;
        }
    }
    // One form's positions come sorted; only several forms' need merging.
    for (o, n) in out.iter_mut().zip(forms) {
        if n > 1 {
            o.sort_unstable();
        }
    }
}

/// One document's proximity part for `--explain`.
pub fn explain(pairs: &[PairScore], labels: &[String], scale: f32) -> Explanation {
    let total: f32 = pairs.iter().map(|p| p.score).sum();
    let mut e = Explanation::new("proximity", scale * total);
    e.add_const("original weight", scale);
    for p in pairs {
        let mut d = Explanation::new_with_string(labels[p.pair].clone(), p.score);
        d.add_const("in order, near", p.ordered as f32);
        d.add_const("within the window", p.near as f32);
        if p.apart > 1 {
            d.add_const("apart in the query", p.apart as f32);
        }
        e.add_detail(d);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meetings_count_order_and_window() {
        // "interest rate": adjacent in order at 3-4; reversed and near at 10/9; alone at 40.
        let interest = [3, 10, 40];
        let rate = [4, 9, 60];
        assert_eq!(meetings(&interest, &rate, 8), (1, 1));
        // One stop word between still counts as in order; three words between only as near.
        assert_eq!(meetings(&[5], &[7], 8), (1, 0));
        assert_eq!(meetings(&[5], &[9], 8), (0, 1));
        assert_eq!(meetings(&[5], &[14], 8), (0, 0));
        assert_eq!(meetings(&[], &[1], 8), (0, 0));
    }

    /// A candidate is left unread only when its pairs could not lift it to the floor: against
    /// floors from just above nothing to the saturated maximum, every document skipped scores
    /// below the floor when read in full, every document read scores as a fresh pass does, and
    /// the term-frequency bound skips some document holding both words that the saturated
    /// maximum alone would have read. With three words the bound is also taken after the
    /// first words' lists alone have moved (the rest at their most).
    #[test]
    fn only_candidates_that_cannot_reach_the_floor_are_left_unread() {
        let skipped = left_unread_only_below_the_floor(&["interest", "rate"]);
        assert!(skipped > 0, "no document holding both words was skipped");
        left_unread_only_below_the_floor(&["rate", "interest", "today"]);
        left_unread_only_below_the_floor(&["interest", "far", "rate"]);
    }

    /// The check above for one query; how many documents whose pairs meet were skipped.
    fn left_unread_only_below_the_floor(query: &[&str]) -> usize {
        let (index, f) = five_documents();
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let bm25f = Bm25fParams::default();
        let words: Vec<Bm25fQuery> = query
            .iter()
            .map(|w| Bm25fQuery::new(f.headline, f.body, w, bm25f))
            .collect();
        let params = ProximityParams::default();
        let fresh = || {
            Proximity::new(&searcher, &words, params, bm25f)
                .unwrap()
                .unwrap()
        };
        let docs: Vec<(DocId, f32)> = (0..5).map(|d| (d, 0.0)).collect();
        let total = |pairs: &[PairScore]| pairs.iter().map(|x| x.score).sum::<f32>();
        let whole: Vec<f32> = fresh()
            .score_segment(segment, &docs, &mut Floor::none(), false)
            .unwrap()
            .iter()
            .map(|p| total(p.as_ref().unwrap()))
            .collect();
        let most = fresh().max_score();
        let mut skipped_holding_both = 0;
        for level in [1e-3, most * 0.25, most * 0.5, most * 0.9, most * 1.01] {
            // More places than documents: reading them cannot lift the floor above `level`.
            let mut floor = Floor::new(10);
            for _ in 0..10 {
                floor.raise(level);
            }
            let got = fresh()
                .score_segment(segment, &docs, &mut floor, false)
                .unwrap();
            for (d, pairs) in got.iter().enumerate() {
                match pairs {
                    None => {
                        assert!(whole[d] < level, "doc {d} skipped at {level}");
                        if whole[d] > 0.0 && level < most {
                            skipped_holding_both += 1;
                        }
                    }
                    Some(pairs) => assert_eq!(total(pairs), whole[d], "doc {d}"),
                }
            }
        }
        assert!(whole.iter().any(|&s| s > 0.0), "some pair must meet");
        skipped_holding_both
    }

    fn five_documents() -> (tantivy::Index, crate::engines::tantivy::schema::Fields) {
        crate::engines::tantivy::schema::index_in_ram(&[&[
            ("Interest rates", "the interest rate rose"),
            ("Rates", "rate of interest, then interest"),
            ("Nothing", "no words here"),
            (
                "Interest",
                "interest and more interest, far from any rate at all today",
            ),
            ("Rate interest", "rates interest rates"),
        ]])
    }

    /// The candidates that may climb are scored in a second pass over the same segment, from a
    /// copy of the lists the first pass opened: every document's pairs must come out as a
    /// fresh proximity scoring them all at once gives, including documents before the first
    /// pass's last one.
    #[test]
    fn a_second_batch_of_a_segment_scores_as_a_fresh_pass() {
        let (index, f) = five_documents();
        let searcher = index.reader().unwrap().searcher();
        let segment = &searcher.segment_readers()[0];
        let bm25f = Bm25fParams::default();
        let words = ["interest", "rate"].map(|w| Bm25fQuery::new(f.headline, f.body, w, bm25f));
        let params = ProximityParams::default();
        let scores = |p: &Proximity, docs: &[DocId]| -> Vec<(u32, u32, f32)> {
            let docs: Vec<(DocId, f32)> = docs.iter().map(|&d| (d, 0.0)).collect();
            p.score_segment(segment, &docs, &mut Floor::none(), true)
                .unwrap()
                .into_iter()
                .flat_map(Option::unwrap)
                .map(|s| (s.ordered, s.near, s.score))
                .collect()
        };
        let fresh = Proximity::new(&searcher, &words, params, bm25f)
            .unwrap()
            .unwrap();
        let whole = scores(&fresh, &[0, 1, 2, 3, 4]);
        assert!(whole.iter().any(|s| s.2 > 0.0), "some pair must meet");
        let batched = Proximity::new(&searcher, &words, params, bm25f)
            .unwrap()
            .unwrap();
        let first = scores(&batched, &[1, 4]);
        let second = scores(&batched, &[0, 2, 3]);
        let n = first.len() / 2;
        assert_eq!(first[..n], whole[n..2 * n]);
        assert_eq!(first[n..], whole[4 * n..]);
        assert_eq!(second[..n], whole[..n]);
        assert_eq!(second[n..], whole[2 * n..4 * n]);
    }
}
