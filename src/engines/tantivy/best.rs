//! The first pass's best hits when a second pass re-scores them: the `size` best by score,
//! ties to the lower document address, in that order (tantivy's own top-docs order), kept in
//! the same pass as the count and the facets.
//!
//! Why not tantivy's top-docs collector: a second pass keeps its depth (200 hits) where a page
//! keeps 10, and beside the count no pruning applies, so every match is offered to the
//! collector. Tantivy's general collector then cost about 6% of a two- or three-word search
//! (its buffer is cut through a generic sort key and a tie-break by document). Here a hit is
//! one integer whose order is the hits' order (the score made orderable, then the document),
//! so cutting the buffer is plain integer selection; and a segment starts from the score that
//! the segments collected before it already guarantee: a hit scoring below another segment's
//! `size`-th best cannot be among the best overall.
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::export::orderable;

/// Collects the `size` best hits by score, best first.
pub struct Best {
    size: usize,
    /// The worst score rank (`rank`, smaller is better) a hit may have and still be among the
    /// best: the lowest `size`-th best of any segment collected so far.
    worst: Arc<AtomicU32>,
}

impl Best {
    pub fn new(size: usize) -> Self {
        Best {
            size: size.max(1),
            worst: Arc::new(AtomicU32::new(u32::MAX)),
        }
    }
}

pub struct SegmentBest {
    segment: SegmentOrdinal,
    size: usize,
    /// Kept hits (`key`), unordered; cut back to `size` when `2 x size` are held.
    keys: Vec<u64>,
    /// Only hits whose key is below this can still be among the best.
    bound: u64,
    /// The score of `bound`: a hit scoring below it is out without its key being made (most
    /// matches, once the buffer has been cut).
    least: Score,
    worst: Arc<AtomicU32>,
}

/// A score's place in score order, smaller for a better score: the IEEE-754 total order,
/// with -0 taken as 0 (tantivy ranks them as equal, so their ties go by document).
fn rank(score: Score) -> u32 {
    !((orderable((score + 0.0).to_bits() as i32) as u32) ^ (1 << 31))
}

fn score_of(rank: u32) -> Score {
    f32::from_bits(orderable(((!rank) ^ (1 << 31)) as i32) as u32)
}

/// One hit as an integer whose order is the hits' order: score rank, then document.
fn key(score: Score, doc: DocId) -> u64 {
    (u64::from(rank(score)) << 32) | u64::from(doc)
}

/// The smallest key of a hit ranked below `rank` (none past the last rank).
fn below(rank: u32) -> u64 {
    rank.checked_add(1).map_or(u64::MAX, |r| u64::from(r) << 32)
}

impl SegmentBest {
    /// Keeps the best `size` hits and lowers the bound to the `size`-th, sharing its score.
    fn cut(&mut self) {
        let n = self.size;
        if self.keys.len() <= n {
            return;
        }
        let (_, &mut last, _) = self.keys.select_nth_unstable(n - 1);
        self.keys.truncate(n);
        let here = (last >> 32) as u32;
        let worst = self.worst.fetch_min(here, Ordering::Relaxed).min(here);
        self.bound = last.min(below(worst));
        self.least = score_of((self.bound >> 32) as u32);
    }
}

impl Collector for Best {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        let (bound, least) = match self.worst.load(Ordering::Relaxed) {
            u32::MAX => (u64::MAX, Score::NEG_INFINITY),
            w => (below(w), score_of(w)),
        };
        Ok(SegmentBest {
            segment,
            size: self.size,
            keys: Vec::with_capacity(2 * self.size),
            bound,
            least,
            worst: self.worst.clone(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<u64>)>,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        // Across segments a tie goes to the lower segment, then the lower document.
        let mut all: Vec<(u32, SegmentOrdinal, DocId)> = fruits
            .into_iter()
            .flat_map(|(segment, keys)| {
                keys.into_iter()
                    .map(move |k| ((k >> 32) as u32, segment, k as u32))
            })
            .collect();
        if all.len() > self.size {
            all.select_nth_unstable(self.size - 1);
            all.truncate(self.size);
        }
        all.sort_unstable();
        Ok(all
            .into_iter()
            .map(|(rank, segment, doc)| (score_of(rank), DocAddress::new(segment, doc)))
            .collect())
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = (SegmentOrdinal, Vec<u64>);

    #[inline]
    fn collect(&mut self, doc: DocId, score: Score) {
        // Below `least` its rank, and so its key, is past `bound` (-0 and NaN go on to the key).
        if score < self.least {
            return;
        }
        let key = key(score, doc);
        if key >= self.bound {
            return;
        }
        if self.keys.len() == 2 * self.size {
            self.cut();
            if key >= self.bound {
                return;
            }
        }
        self.keys.push(key);
    }

    fn harvest(mut self) -> Self::Fruit {
        self.cut();
        (self.segment, self.keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::tantivy::bm25f::Bm25fQuery;
    use crate::model::ranking::Bm25fParams;
    use tantivy::collector::TopDocs;

    #[test]
    fn ranks_keep_score_order_and_come_back() {
        let scores = [-3.5, -0.0, 0.0, 1e-30, 0.5, 2.0, 7.25, f32::MAX];
        for pair in scores.windows(2) {
            assert!(rank(pair[0]) >= rank(pair[1]), "{pair:?}");
        }
        assert_eq!(rank(-0.0), rank(0.0));
        for s in scores {
            assert_eq!(score_of(rank(s)), s + 0.0);
        }
    }

    /// Three segments of articles repeating two words in different measure, so scores tie
    /// within and across segments: for every size, the kept hits, their order and their scores
    /// are tantivy's own top-docs.
    #[test]
    fn keeps_what_tantivys_top_docs_keeps_in_its_order() {
        let texts: Vec<String> = (0..90)
            .map(|i| {
                let rates = "rate ".repeat(i % 4);
                let filler = "word ".repeat(i % 7);
                format!("interest {rates}{filler}")
            })
            .collect();
        let articles: Vec<(&str, &str)> = texts.iter().map(|t| ("news", t.as_str())).collect();
        let batches: Vec<&[(&str, &str)]> = articles.chunks(30).collect();
        let (index, f) = crate::engines::tantivy::schema::index_in_ram(&batches);
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let query = Bm25fQuery::new(f.headline, f.body, "rate", Bm25fParams::default());
        for size in [1, 2, 5, 17, 40, 67, 100] {
            let theirs = searcher
                .search(&query, &TopDocs::with_limit(size).order_by_score())
                .unwrap();
            let ours = searcher.search(&query, &Best::new(size)).unwrap();
            assert_eq!(ours, theirs, "size {size}");
        }
    }
}
