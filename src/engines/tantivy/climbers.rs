//! The first pass's top for a second pass: its best `depth` hits by score, or, when the second
//! pass can only add a bounded amount to a hit (proximity alone), only the page's hits and those
//! that could still climb into it.
//!
//! A fixed depth of 200 made every multi-word search keep 200 hits and hand them on, though
//! most of them sit further below the page than proximity can lift anything. A hit whose
//! first-pass score plus the most the second pass can add (`reach`) falls short of the page's
//! last first-pass score cannot reach the page: every page candidate's final score is at least
//! its first-pass one. Such hits are dropped as they are collected. The comparison is the one
//! the second pass makes (`score + reach >= floor` in `f32`, `rerank::bounded`), against a
//! floor never above the page's final one, so every hit the second pass would re-score is kept.
//! Order and ties are `TopDocs`': score descending, then document address ascending.
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Keeps a search's best `depth` hits, and with a `reach` only those within it of the `page`-th
/// best score.
pub struct Climbers {
    /// At most this many hits.
    pub depth: usize,
    /// Where the page ends: its last hit's first-pass score is the floor.
    pub page: usize,
    /// The most the second pass can add to a hit's score; `None` when it is unbounded (feedback
    /// may re-weigh every candidate), which keeps the whole depth.
    pub reach: Option<f32>,
}

/// A score ordered totally (scores are never NaN, but `total_cmp` needs no proof of it).
#[derive(Clone, Copy, PartialEq)]
struct Key(f32);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// `TopDocs`' order: best score first, then the lower address.
fn best_first<D: Ord>(a: &(Score, D), b: &(Score, D)) -> Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// Whether a hit scoring `score` can reach a page whose last first-pass score is `floor`.
fn reaches(score: Score, reach: Option<f32>, floor: Option<Score>) -> bool {
    match (reach, floor) {
        (Some(reach), Some(floor)) => score + reach >= floor,
        _ => true,
    }
}

/// The best `depth` of `hits` (any order) that reach `floor`, best first.
fn cut<D: Ord + Copy>(
    hits: &mut Vec<(Score, D)>,
    depth: usize,
    reach: Option<f32>,
    floor: Option<Score>,
) {
    hits.retain(|h| reaches(h.0, reach, floor));
    if hits.len() > depth {
        hits.select_nth_unstable_by(depth, best_first);
        hits.truncate(depth);
    }
    hits.sort_unstable_by(best_first);
}

impl Collector for Climbers {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentClimbers;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentClimbers> {
        Ok(SegmentClimbers {
            segment,
            depth: self.depth.max(1),
            page: self.page.clamp(1, self.depth.max(1)),
            reach: self.reach,
            best: BinaryHeap::new(),
            kept: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by(best_first);
        let page = self.page.clamp(1, self.depth.max(1));
        let floor = all.get(page - 1).map(|h| h.0);
        cut(&mut all, self.depth.max(1), self.reach, floor);
        Ok(all)
    }
}

/// One segment's share: its own page-th best score so far is a floor never above the search's,
/// so what it drops no page of the search could show.
pub struct SegmentClimbers {
    segment: SegmentOrdinal,
    depth: usize,
    page: usize,
    reach: Option<f32>,
    /// The segment's best `page` scores so far (the lowest on top).
    best: BinaryHeap<Reverse<Key>>,
    kept: Vec<(Score, DocId)>,
}

impl SegmentClimbers {
    fn floor(&self) -> Option<Score> {
        (self.best.len() == self.page).then(|| self.best.peek().map_or(Score::MIN, |k| k.0.0))
    }
}

impl SegmentCollector for SegmentClimbers {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.best.len() < self.page {
            self.best.push(Reverse(Key(score)));
        } else if self.best.peek().is_some_and(|low| score > low.0.0) {
            self.best.pop();
            self.best.push(Reverse(Key(score)));
        }
        if !reaches(score, self.reach, self.floor()) {
            return;
        }
        self.kept.push((score, doc));
        // Drop what no longer reaches, and what lies below the depth, now and then.
        if self.kept.len() >= 2 * self.depth.max(64) {
            let floor = self.floor();
            cut(&mut self.kept, self.depth, self.reach, floor);
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        let floor = self.floor();
        cut(&mut self.kept, self.depth, self.reach, floor);
        let segment = self.segment;
        self.kept
            .into_iter()
            .map(|(score, doc)| (score, DocAddress::new(segment, doc)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the collector must return: the best `depth` by `TopDocs`' order, cut to those within
    /// `reach` of the `page`-th best score.
    fn reference(hits: &[(Score, DocAddress)], c: &Climbers) -> Vec<(Score, DocAddress)> {
        let mut all = hits.to_vec();
        all.sort_by(best_first);
        all.truncate(c.depth);
        let floor = all.get(c.page - 1).map(|h| h.0);
        all.retain(|h| reaches(h.0, c.reach, floor));
        all
    }

    fn collect(hits: &[(Score, DocAddress)], c: &Climbers) -> Vec<(Score, DocAddress)> {
        let mut fruits = Vec::new();
        for segment in 0..3 {
            let mut child = SegmentClimbers {
                segment,
                depth: c.depth,
                page: c.page,
                reach: c.reach,
                best: BinaryHeap::new(),
                kept: Vec::new(),
            };
            for &(score, addr) in hits.iter().filter(|h| h.1.segment_ord == segment) {
                child.collect(addr.doc_id, score);
            }
            fruits.push(child.harvest());
        }
        c.merge_fruits(fruits).unwrap()
    }

    #[test]
    fn keeps_the_depth_cut_to_what_can_reach_the_page_in_top_docs_order() {
        // Three segments of scores with many ties, in document order as a query gives them;
        // one segment's best lie far below the others', so its own floor is much lower.
        let hits: Vec<(Score, DocAddress)> = (0..3u32)
            .flat_map(|segment| {
                (0..500u32).map(move |doc| {
                    let base = ((doc * 7919 + segment * 104_729) % 97) as f32 / 8.0;
                    let score = if segment == 2 { base / 4.0 } else { base };
                    (score, DocAddress::new(segment, doc))
                })
            })
            .collect();
        for reach in [None, Some(0.0), Some(0.5), Some(3.0), Some(100.0)] {
            for (depth, page) in [(200, 10), (200, 1), (30, 30), (1000, 25)] {
                let c = Climbers { depth, page, reach };
                let got = collect(&hits, &c);
                assert_eq!(
                    got,
                    reference(&hits, &c),
                    "reach {reach:?} depth {depth} page {page}"
                );
            }
        }
        // The bound does cut: with a small reach only the page and its near ties are kept.
        let c = Climbers {
            depth: 200,
            page: 10,
            reach: Some(0.5),
        };
        assert!(collect(&hits, &c).len() < 100);
    }
}
