//! Every hit of a search, for export: in rank or date order, read a page at a time.
//!
//! Memory stays flat whatever the number of hits: each page is a fresh pass over the query that
//! keeps only the next `page` positions after the last one handed out (keyset paging), so no list
//! of all matches is ever held. A position orders by score or date, then by segment and document,
//! which makes the order total: ties never repeat or drop an article between pages, as long as
//! all pages read the same searcher.
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::model::fields::column;
use crate::model::request::Sort;

/// Where one hit stands in the export order: smaller comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    key: i64,
    pub segment: SegmentOrdinal,
    pub doc: DocId,
}

impl Position {
    /// The score a relevance-ordered position was made from (0 in date order).
    pub fn score(&self, order: Sort) -> Score {
        match order {
            Sort::Relevance => score_from_key(self.key),
            Sort::Newest | Sort::Oldest => 0.0,
        }
    }
}

/// Scores map onto integers that keep their order (IEEE-754 total order), negated so that the
/// best score is the smallest key.
fn score_key(score: Score) -> i64 {
    -i64::from(orderable(score.to_bits() as i32))
}

fn score_from_key(key: i64) -> Score {
    f32::from_bits(orderable(-key as i32) as u32)
}

/// Flips the magnitude bits of negative floats so integer order is float order; its own inverse.
pub(super) fn orderable(bits: i32) -> i32 {
    bits ^ ((((bits >> 31) as u32) >> 1) as i32)
}

/// Articles without a date come last in either date order.
fn date_key(date: Option<DateTime>, order: Sort) -> i64 {
    match (date, order) {
        (None, _) => i64::MAX,
        (Some(d), Sort::Newest) => -d.into_timestamp_nanos(),
        (Some(d), _) => d.into_timestamp_nanos(),
    }
}

/// Collects the first `size` positions after `after`, in order.
pub struct Page {
    pub order: Sort,
    pub after: Option<Position>,
    pub size: usize,
}

pub struct SegmentPage {
    segment: SegmentOrdinal,
    dates: Option<Column<DateTime>>,
    order: Sort,
    after: Option<Position>,
    size: usize,
    /// The best `size` positions seen, largest on top so it is the one to evict.
    kept: BinaryHeap<Position>,
}

impl Collector for Page {
    type Fruit = Vec<Position>;
    type Child = SegmentPage;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPage> {
        let dates = match self.order {
            Sort::Relevance => None,
            Sort::Newest | Sort::Oldest => Some(reader.fast_fields().date(column::DATE)?),
        };
        Ok(SegmentPage {
            segment,
            dates,
            order: self.order,
            after: self.after,
            size: self.size.max(1),
            kept: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Position>>) -> tantivy::Result<Vec<Position>> {
        let mut all: Vec<Position> = fruits.into_iter().flatten().collect();
        all.sort_unstable();
        all.truncate(self.size.max(1));
        Ok(all)
    }
}

impl SegmentCollector for SegmentPage {
    type Fruit = Vec<Position>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = match &self.dates {
            Some(dates) => date_key(dates.first(doc), self.order),
            None => score_key(score),
        };
        let position = Position {
            key,
            segment: self.segment,
            doc,
        };
        if self.after.is_some_and(|after| position <= after) {
            return;
        }
        if self.kept.len() < self.size {
            self.kept.push(position);
        } else if self.kept.peek().is_some_and(|worst| position < *worst) {
            self.kept.pop();
            self.kept.push(position);
        }
    }

    fn harvest(self) -> Vec<Position> {
        self.kept.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_keys_order_best_first_and_give_the_score_back() {
        let scores = [12.5f32, 3.25, 0.0, -0.0, -1.5, 1e-9, f32::MAX];
        let mut by_key = scores.to_vec();
        by_key.sort_by_key(|s| score_key(*s));
        let mut by_score = scores.to_vec();
        by_score.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(by_key, by_score);
        for s in scores {
            assert_eq!(score_from_key(score_key(s)).to_bits(), s.to_bits());
        }
    }

    #[test]
    fn undated_articles_come_last_in_both_date_orders() {
        let early = Some(DateTime::from_timestamp_secs(1_000));
        let late = Some(DateTime::from_timestamp_secs(2_000));
        assert!(date_key(late, Sort::Newest) < date_key(early, Sort::Newest));
        assert!(date_key(early, Sort::Oldest) < date_key(late, Sort::Oldest));
        assert!(date_key(None, Sort::Newest) > date_key(early, Sort::Newest));
        assert!(date_key(None, Sort::Oldest) > date_key(late, Sort::Oldest));
    }
}
