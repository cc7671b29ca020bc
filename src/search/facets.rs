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
            .map(|slot| {
                let mut named = HashMap::new();
                if let Some((column, counts)) = slot {
                    let mut buf = String::new();
                    for (ord, count) in counts.into_iter().enumerate() {
                        if count > 0 && column.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                            named.insert(buf.clone(), count as u64);
                        }
                    }
                }
                named
            })
            .collect()
    }
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
