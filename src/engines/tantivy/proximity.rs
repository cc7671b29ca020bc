//! Proximity: query words that meet in a document, near each other and in the query's order,
//! count for more.
//!
//! News queries are full of names and set phrases typed without quotes ("interest rate",
//! "john smith"): an article where the words stand together is usually about the thing named,
//! one where they are scattered seldom is. Each pair of neighbouring query words is scored as
//! one more BM25F word (a sequential-dependence-style pair feature): its frequency counts the
//! places the two meet, 1 for each in the query's order within `ORDERED_GAP` positions, 1/2 for
//! each within the window either way; fields are weighted and length-normalised as for a word,
//! then saturated with k1, and the pair's idf is the mean of its two words'. Positions are read
//! only for the documents the second pass re-scores, so the cost is bounded by its depth.
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Explanation;
use tantivy::{DocId, DocSet, Searcher, SegmentReader};

use super::bm25f::{self, Bm25fQuery, Counts, Stats};
use crate::model::ranking::{Bm25fParams, ORDERED_GAP, ProximityParams};

/// The pairs of a query and the collection figures their scores need.
pub struct Proximity {
    words: Vec<Bm25fQuery>,
    /// Per pair: the indexes of its two words in `words` and its idf.
    pairs: Vec<(usize, usize, f32)>,
    stats: Stats,
    params: ProximityParams,
    bm25f: Bm25fParams,
}

/// One pair's part of one document's score, for `--explain`.
pub struct PairScore {
    pub label: String,
    pub ordered: u32,
    pub near: u32,
    pub score: f32,
}

impl Proximity {
    /// The neighbouring pairs of `words` (the query's scored words in its order), or `None`
    /// when there are fewer than two distinct words or proximity is off.
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
        let pairs: Vec<(usize, usize, f32)> = (1..words.len())
            .filter(|&i| words[i - 1].word() != words[i].word())
            .map(|i| {
                let idf = |s: &Stats| bm25f::idf(s.docs, s.doc_freq);
                (i - 1, i, (idf(&stats[i - 1]) + idf(&stats[i])) / 2.0)
            })
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
        }))
    }

    /// Each document's pair scores, for `docs` of one segment in ascending order.
    pub fn score_segment(
        &self,
        reader: &SegmentReader,
        docs: &[DocId],
    ) -> tantivy::Result<Vec<Vec<PairScore>>> {
        let mut lists: Vec<Vec<(usize, SegmentPostings)>> = self
            .words
            .iter()
            .map(|w| w.position_lists(reader))
            .collect::<tantivy::Result<_>>()?;
        let norms = self.words[0].norm_readers(reader)?;
        let mut buf = Vec::new();
        let mut out = Vec::with_capacity(docs.len());
        for &doc in docs {
            let positions: Vec<[Vec<u32>; 2]> = lists
                .iter_mut()
                .map(|word| word_positions(word, doc, &mut buf))
                .collect();
            let lengths = Counts {
                tf_headline: 0,
                tf_body: 0,
                len_headline: norms[0].fieldnorm(doc),
                len_body: norms[1].fieldnorm(doc),
            };
            out.push(
                self.pairs
                    .iter()
                    .map(|&(a, b, idf)| self.pair(a, b, idf, &positions, &lengths))
                    .collect(),
            );
        }
        Ok(out)
    }

    fn pair(
        &self,
        a: usize,
        b: usize,
        idf: f32,
        positions: &[[Vec<u32>; 2]],
        lengths: &Counts,
    ) -> PairScore {
        let (mut ordered, mut near) = (0, 0);
        let mut freq = [0.0f32; 2];
        for (slot, f) in freq.iter_mut().enumerate() {
            let (o, n) = meetings(&positions[a][slot], &positions[b][slot], self.params.window);
            ordered += o;
            near += n;
            *f = o as f32 + 0.5 * n as f32;
        }
        let tf = self.bm25f.weighted_freq(freq, lengths, &self.stats);
        let k1 = self.bm25f.k1;
        let score = if tf > 0.0 {
            self.params.weight * idf * tf * (k1 + 1.0) / (tf + k1)
        } else {
            0.0
        };
        PairScore {
            label: format!("near({} {})", self.words[a].word(), self.words[b].word()),
            ordered,
            near,
            score,
        }
    }
}

/// Sorted positions of one word (all its forms) in one document, per slot.
fn word_positions(
    lists: &mut [(usize, SegmentPostings)],
    doc: DocId,
    buf: &mut Vec<u32>,
) -> [Vec<u32>; 2] {
    let mut out = [Vec::new(), Vec::new()];
    for (slot, list) in lists.iter_mut() {
        if list.doc() < doc {
            list.seek(doc);
        }
        if list.doc() == doc {
            list.positions(buf);
            out[*slot].extend_from_slice(buf);
        }
    }
    for o in &mut out {
        o.sort_unstable();
    }
    out
}

/// How often the first word is followed by the second within `ORDERED_GAP` positions, and how
/// often else the two stand within `window` of each other either way; each occurrence of the
/// first word counts once, at its best.
pub fn meetings(first: &[u32], second: &[u32], window: u32) -> (u32, u32) {
    let (mut ordered, mut near) = (0, 0);
    for &p in first {
        let from = second.partition_point(|&q| q + window < p);
        let mut best = 0;
        for &q in second[from..].iter().take_while(|&&q| q <= p + window) {
            if q > p && q - p <= ORDERED_GAP {
                best = 2;
                break;
            }
            if q != p {
                best = 1;
            }
        }
        match best {
            2 => ordered += 1,
            1 => near += 1,
            _ => {}
        }
    }
    (ordered, near)
}

/// One document's proximity part for `--explain`.
pub fn explain(pairs: &[PairScore], scale: f32) -> Explanation {
    let total: f32 = pairs.iter().map(|p| p.score).sum();
    let mut e = Explanation::new("proximity", scale * total);
    e.add_const("original weight", scale);
    for p in pairs {
        let mut d = Explanation::new_with_string(p.label.clone(), p.score);
        d.add_const("in order, near", p.ordered as f32);
        d.add_const("within the window", p.near as f32);
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
}
