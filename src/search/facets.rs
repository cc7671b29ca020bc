//! Facet counts over the whole result set, read from fast string columns by ordinal.
//!
//! Counting ordinals per segment and naming them once at the end keeps the per-hit cost to an
//! array increment, so facets stay cheap on result sets of hundreds of thousands of articles.
use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// One facet value and how many matching articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts the values of several string columns for every matching document.
pub struct FacetCollector {
    columns: Vec<String>,
}

impl FacetCollector {
    pub fn new(columns: Vec<String>) -> Self {
        FacetCollector { columns }
    }
}

pub struct SegmentFacets {
    columns: Vec<Option<(StrColumn, Vec<u32>)>>,
}

type Counts = Vec<HashMap<String, u64>>;

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for name in &self.columns {
            let column = segment.fast_fields().str(name)?;
            columns.push(column.map(|c| {
                let n = c.num_terms();
                (c, vec![0u32; n])
            }));
        }
        Ok(SegmentFacets { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged: Counts = vec![HashMap::new(); self.columns.len()];
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (value, count) in from {
                    *into.entry(value).or_insert(0) += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Counts {
        self.columns
            .into_iter()
            .map(|slot| slot.map(name_counts).unwrap_or_default())
            .collect()
    }
}

/// Name the ordinals that were seen, in one sorted pass over the dictionary (looking ordinals up
/// one by one costs a block decode each).
fn name_counts((column, counts): (StrColumn, Vec<u32>)) -> HashMap<String, u64> {
    let ords: Vec<u64> = (0..counts.len() as u64)
        .filter(|&o| counts[o as usize] > 0)
        .collect();
    let mut named = HashMap::with_capacity(ords.len());
    let mut next = ords.iter();
    let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
        if let Some(&ord) = next.next() {
            let value = String::from_utf8_lossy(bytes).into_owned();
            named.insert(value, counts[ord as usize] as u64);
        }
    });
    named
}

/// The `size` most frequent values, ties broken by name so output is stable.
pub fn top(counts: HashMap<String, u64>, size: usize) -> Vec<FacetCount> {
    let mut all: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    all.truncate(size);
    all
}
