//! BM25F and word proximity as plain arithmetic over counts, for an engine that scores a
//! search's second pass outside its index (OpenSearch re-scores the first pass's top in the
//! process, from the hits' text). The formulas are the ones `model::ranking` documents and the
//! embedded engine computes from its postings; here they take counts, lengths and collection
//! figures as numbers, so any engine that can count them ranks alike.
use tantivy::fieldnorm::FieldNormReader;

use super::ranking::{Bm25fParams, ORDERED_GAP, ProximityParams};

/// The collection figures a BM25F score needs, for headline (slot 0) and body (slot 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Collection {
    pub docs: u64,
    /// Average length in tokens of each slot over all documents.
    pub avg: [f32; 2],
}

impl Collection {
    /// Average length of headline and body together.
    pub fn avg_len(&self) -> f32 {
        self.avg[0] + self.avg[1]
    }
}

/// BM25's idf with document frequency `doc_freq` among `docs`.
pub fn idf(docs: u64, doc_freq: u64) -> f32 {
    let df = doc_freq.min(docs) as f32;
    (1.0 + (docs as f32 - df + 0.5) / (df + 0.5)).ln()
}

/// A field's length as the embedded index keeps it (its one-byte field norm: exact up to 40
/// tokens, coarser above), so both engines normalise by the same number.
pub fn stored_length(tokens: usize) -> u32 {
    let tokens = u32::try_from(tokens).unwrap_or(u32::MAX);
    FieldNormReader::id_to_fieldnorm(FieldNormReader::fieldnorm_to_id(tokens))
}

/// The weighted frequency before saturation of `freq` occurrences in headline and body, in
/// documents whose slots are `len` tokens long.
pub fn weighted_freq(p: &Bm25fParams, freq: [f32; 2], len: [u32; 2], c: &Collection) -> f32 {
    if !p.per_field {
        return p.headline_weight * freq[0] + p.body_weight * freq[1];
    }
    let norm = |b: f32, len: u32, avg: f32| 1.0 - b + b * len as f32 / avg.max(f32::MIN_POSITIVE);
    p.headline_weight * freq[0] / norm(p.headline_b, len[0], c.avg[0])
        + p.body_weight * freq[1] / norm(p.b, len[1], c.avg[1])
}

/// One word's BM25F score (without boost) in a document.
pub fn word_score(p: &Bm25fParams, idf: f32, freq: [f32; 2], len: [u32; 2], c: &Collection) -> f32 {
    let tf = weighted_freq(p, freq, len, c);
    if tf <= 0.0 {
        return 0.0;
    }
    let norm = if p.per_field {
        1.0
    } else {
        let total = (len[0] + len[1]) as f32;
        1.0 - p.b + p.b * total / c.avg_len().max(f32::MIN_POSITIVE)
    };
    idf * tf * (p.k1 + 1.0) / (tf + p.k1 * norm)
}

/// One proximity pair: two of the query's scored words (indexes into them, in the query's
/// order) and how far apart the query puts them (1: neighbours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub first: usize,
    pub second: usize,
    pub apart: usize,
}

impl Pair {
    /// Its weight against the words' own.
    pub fn weight(&self, prox: &ProximityParams) -> f32 {
        match self.apart {
            1 => prox.weight,
            _ => prox.far_weight,
        }
    }

    /// Its frequency from its meetings in one slot (in order, near): neighbours count 1 in the
    /// query's order and 1/2 either way within the window; words further apart in the query
    /// have no order to keep, so every meeting counts 1/2.
    pub fn freq(&self, (ordered, near): (u32, u32)) -> f32 {
        match self.apart {
            1 => ordered as f32 + 0.5 * near as f32,
            _ => 0.5 * (ordered + near) as f32,
        }
    }

    /// Its name for `--explain`: `near(a b)` for neighbours, `window(a b)` for the others.
    pub fn label<S: AsRef<str>>(&self, words: &[S]) -> String {
        let kind = if self.apart == 1 { "near" } else { "window" };
        let (a, b) = (words[self.first].as_ref(), words[self.second].as_ref());
        format!("{kind}({a} {b})")
    }
}

/// The pairs proximity scores in a query of these scored words (in its order): neighbours of
/// two different words, then, when `prox.far()`, words up to `prox.span` apart whose two words
/// no pair already joins. Pairs whose weight is 0 are left out.
pub fn pairs<S: AsRef<str>>(words: &[S], prox: &ProximityParams) -> Vec<Pair> {
    if !prox.enabled() {
        return Vec::new();
    }
    let word = |i: usize| words[i].as_ref();
    let mut out: Vec<Pair> = Vec::new();
    let span = if prox.far() { prox.span } else { 1 };
    for apart in 1..=span.min(words.len().saturating_sub(1)) {
        for first in 0..words.len() - apart {
            let second = first + apart;
            let (a, b) = (word(first), word(second));
            let joined = |p: &Pair| {
                let (x, y) = (word(p.first), word(p.second));
                (x, y) == (a, b) || (x, y) == (b, a)
            };
            // Neighbours pair as before even when the same two words meet twice in the query.
            if a != b && (apart == 1 || !out.iter().any(joined)) {
                out.push(Pair {
                    first,
                    second,
                    apart,
                });
            }
        }
    }
    out.retain(|p| p.weight(prox) > 0.0);
    out
}

/// One pair's proximity score: its meetings per slot (in order, near) as a frequency
/// (`Pair::freq`), normalised as a word's and saturated; `idf` is the mean of the pair's.
pub fn pair_score(
    bm25f: &Bm25fParams,
    prox: &ProximityParams,
    pair: &Pair,
    idf: f32,
    meetings: [(u32, u32); 2],
    len: [u32; 2],
    c: &Collection,
) -> f32 {
    let freq = meetings.map(|m| pair.freq(m));
    let tf = weighted_freq(bm25f, freq, len, c);
    if tf <= 0.0 {
        return 0.0;
    }
    pair.weight(prox) * idf * tf * (bm25f.k1 + 1.0) / (tf + bm25f.k1)
}

/// How often the first word (sorted positions) is followed by the second within
/// `ORDERED_GAP` positions, and how often else the two stand within `window` of each other
/// either way; each occurrence of the first word counts once, at its best.
pub fn meetings(first: &[u32], second: &[u32], window: u32) -> (u32, u32) {
    let (mut ordered, mut near) = (0, 0);
    // The first word's positions rise, so where its window opens in `second` only moves on.
    let mut from = 0;
    for &p in first {
        while from < second.len() && second[from] + window < p {
            from += 1;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const C: Collection = Collection {
        docs: 10,
        avg: [4.0, 16.0],
    };

    /// The per-field worked example: headline b 0.5, body b 0.75, a headline of 5 tokens with
    /// the word once and a body of 35 with it twice, the word in 2 of 10 documents:
    ///   tf    = 3 * 1 / (0.5 + 0.5 * 5/4) + 1 * 2 / (0.25 + 0.75 * 35/16) = 3.724518
    ///   score = ln(4.4) * 3.724518 * 2.2 / (3.724518 + 1.2)               = 2.465252
    #[test]
    fn per_field_score_matches_a_hand_computed_example() {
        let p = Bm25fParams {
            headline_b: 0.5,
            ..Bm25fParams::default()
        };
        let score = word_score(&p, idf(10, 2), [1.0, 2.0], [5, 35], &C);
        assert!((score - 2.465252).abs() < 1e-5, "{score}");
        assert_eq!(word_score(&p, idf(10, 2), [0.0, 0.0], [5, 35], &C), 0.0);
    }

    /// The document-length variant: tf = 3 + 2 = 5, norm = 0.25 + 0.75 * 40 / 20 = 1.75,
    /// score = ln(4.4) * 5 * 2.2 / (5 + 1.2 * 1.75) = 2.295445.
    #[test]
    fn whole_length_score_matches_a_hand_computed_example() {
        let p = Bm25fParams {
            per_field: false,
            ..Bm25fParams::default()
        };
        let score = word_score(&p, idf(10, 2), [1.0, 2.0], [5, 35], &C);
        assert!((score - 2.295445).abs() < 1e-5, "{score}");
    }

    #[test]
    fn meetings_count_order_and_window() {
        assert_eq!(meetings(&[3, 10, 40], &[4, 9, 60], 8), (1, 1));
        assert_eq!(meetings(&[5], &[7], 8), (1, 0));
        assert_eq!(meetings(&[5], &[9], 8), (0, 1));
        assert_eq!(meetings(&[5], &[14], 8), (0, 0));
    }

    #[test]
    fn stored_lengths_are_exact_when_short_and_coarse_when_long() {
        assert_eq!(stored_length(0), 0);
        assert_eq!(stored_length(37), 37);
        let long = stored_length(1000);
        assert!(long <= 1000 && long > 900, "{long}");
    }

    #[test]
    fn far_pairs_join_words_further_apart_once_and_only_when_asked() {
        let words = ["interest", "rate", "rise", "rate"];
        let near = ProximityParams::default();
        let got: Vec<(usize, usize, usize)> = pairs(&words, &near)
            .iter()
            .map(|p| (p.first, p.second, p.apart))
            .collect();
        assert_eq!(got, vec![(0, 1, 1), (1, 2, 1), (2, 3, 1)]);
        let far = ProximityParams {
            far_weight: 0.1,
            span: 3,
            ..near
        };
        let got: Vec<(usize, usize, usize)> = pairs(&words, &far)
            .iter()
            .map(|p| (p.first, p.second, p.apart))
            .collect();
        // (1, 3) is one word twice and (0, 3) joins what (0, 1) already does.
        assert_eq!(got, vec![(0, 1, 1), (1, 2, 1), (2, 3, 1), (0, 2, 2)]);
        assert_eq!(
            pairs(&words, &far)[3].label(&words),
            "window(interest rise)"
        );
        assert_eq!(pairs(&words, &far)[0].label(&words), "near(interest rate)");
        // A far pair counts every meeting 1/2: order says nothing for it.
        assert_eq!(pairs(&words, &far)[3].freq((2, 1)), 1.5);
        assert_eq!(pairs(&words, &far)[0].freq((2, 1)), 2.5);
        let far_only = ProximityParams { weight: 0.0, ..far };
        assert_eq!(pairs(&words, &far_only).len(), 1);
    }
}
