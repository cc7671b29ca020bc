//! Facet counts over the whole result set, read from fast string columns by ordinal.
//!
//! Counting is an array increment per matching document and value. Naming is the costly part
//! (a dictionary lookup per value, and entity columns hold tens of thousands of names), so the
//! top values are found with a threshold algorithm: name only each segment's leading values,
//! count those exactly everywhere, and stop once no unnamed value could still make the list.
use std::collections::{HashMap, HashSet};

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

/// Counts the values of several string columns for every matching document and keeps the `size`
/// most frequent of each (all of them with `usize::MAX`).
pub struct FacetCollector {
    columns: Vec<String>,
    size: usize,
}

impl FacetCollector {
    pub fn new(columns: Vec<String>, size: usize) -> Self {
        FacetCollector { columns, size }
    }
}

/// Per-segment ordinal counts of one column.
pub struct SegmentCounts {
    column: StrColumn,
    counts: Vec<u32>,
}

pub struct SegmentFacets {
    columns: Vec<Option<SegmentCounts>>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for name in &self.columns {
            let column = segment.fast_fields().str(name)?;
            columns.push(column.map(|column| {
                let counts = vec![0u32; column.num_terms()];
                SegmentCounts { column, counts }
            }));
        }
        Ok(SegmentFacets { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<Option<SegmentCounts>>>,
    ) -> tantivy::Result<Vec<Vec<FacetCount>>> {
        let mut per_column: Vec<Vec<SegmentCounts>> =
            (0..self.columns.len()).map(|_| Vec::new()).collect();
        for segment in fruits {
            for (slot, counts) in per_column.iter_mut().zip(segment) {
                slot.extend(counts);
            }
        }
        Ok(per_column
            .into_iter()
            .map(|segments| top_values(&segments, self.size))
            .collect())
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Vec<Option<SegmentCounts>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for seg in self.columns.iter_mut().flatten() {
            for ord in seg.column.term_ords(doc) {
                seg.counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
    }
}

/// Most frequent first, then by name, so output is stable.
fn rank(all: &mut Vec<FacetCount>, size: usize) {
    all.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    all.truncate(size);
}

/// The exact top `size` values over all segments.
fn top_values(segments: &[SegmentCounts], size: usize) -> Vec<FacetCount> {
    let leaders: Vec<Vec<u64>> = segments.iter().map(ords_by_count).collect();
    let mut depth = size.saturating_mul(2).max(16);
    loop {
        let exhaustive = leaders.iter().all(|l| l.len() <= depth);
        // Name each segment's leading values; the best unnamed value of a segment is a bound on
        // what any unnamed value can have there.
        let mut known: Vec<HashMap<Vec<u8>, u64>> = Vec::with_capacity(segments.len());
        let mut bound: u64 = 0;
        for (seg, lead) in segments.iter().zip(&leaders) {
            let take = lead.len().min(depth);
            let mut ords = lead[..take].to_vec();
            ords.sort_unstable();
            let mut named = HashMap::with_capacity(take);
            let mut next = ords.iter();
            let _ = seg
                .column
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(&ord) = next.next() {
                        named.insert(bytes.to_vec(), seg.counts[ord as usize] as u64);
                    }
                });
            known.push(named);
            bound += lead.get(take).map_or(0, |&o| seg.counts[o as usize] as u64);
        }
        let candidates: HashSet<&Vec<u8>> = known.iter().flat_map(|k| k.keys()).collect();
        // A value's count in a segment is known where that segment named it, looked up elsewhere.
        let mut ranked: Vec<FacetCount> = candidates
            .into_iter()
            .map(|bytes| FacetCount {
                count: segments
                    .iter()
                    .zip(&known)
                    .map(|(s, k)| k.get(bytes).copied().unwrap_or_else(|| count_of(s, bytes)))
                    .sum(),
                value: String::from_utf8_lossy(bytes).into_owned(),
            })
            .collect();
        rank(&mut ranked, size);
        let settled = ranked.len() >= size && ranked.last().is_some_and(|last| last.count > bound);
        if exhaustive || settled {
            return ranked;
        }
        depth = depth.saturating_mul(4);
    }
}

/// A segment's non-zero ordinals, most frequent first.
fn ords_by_count(seg: &SegmentCounts) -> Vec<u64> {
    let mut ords: Vec<u64> = (0..seg.counts.len() as u64)
        .filter(|&o| seg.counts[o as usize] > 0)
        .collect();
    ords.sort_unstable_by(|a, b| seg.counts[*b as usize].cmp(&seg.counts[*a as usize]));
    ords
}

fn count_of(seg: &SegmentCounts, value: &[u8]) -> u64 {
    match seg.column.dictionary().term_ord(value) {
        Ok(Some(ord)) => seg.counts.get(ord as usize).copied().unwrap_or(0) as u64,
        _ => 0,
    }
}
