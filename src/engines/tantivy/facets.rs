//! Facet counts over the whole result set, read from fast string columns by ordinal.
//!
//! Counting is an array increment per matching document and value; each segment also notes which
//! ordinals it touched, so nothing later scans the (tens of thousands of) values nobody matched.
//! Naming is the costly part, because every segment numbers its values in its own dictionary.
//! Two ways to pay for it:
//! - A long-lived engine (the server) merges the dictionaries once per reader generation into
//!   [`GlobalOrdinals`], after which a query's counts are summed and named with array lookups only.
//! - A one-shot process (the CLI) cannot amortise that merge, so it finds the top values with a
//!   threshold algorithm: name only each segment's leading values, count those exactly everywhere,
//!   and stop once no unnamed value could still make the list.
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::hands;
use crate::entities::EntityKind;
use crate::entities::rules::EntityRules;

use crate::model::deadline::Deadline;
use crate::model::results::FacetCount;

/// One column's values across all segments of a searcher, with every document's values already
/// translated to positions in one merged list (what search servers call global ordinals).
/// Counting a document is then a few array increments, with no column decoding.
///
/// The merged list is ordered by how many documents carry each value, most first: names follow
/// a steep power law, so nearly every increment of a query lands in the few cache lines at the
/// head of its count array instead of anywhere in an array of hundreds of kilobytes.
#[derive(Debug, Default)]
pub struct GlobalOrdinals {
    names: Vec<String>,
    /// Per global ordinal, the position of its name in byte order: ties between counts break by
    /// name, as they do without merged dictionaries.
    name_order: Vec<u32>,
    /// Indexed by segment ordinal.
    segments: Vec<SegmentValues>,
    /// Count arrays of `names.len()`.
    pool: CountPool,
    /// From value to global ordinal, made on first use: counting sets of values by name (see
    /// [`GlobalSetCounter`]) then costs a hash look-up per value instead of a dictionary search
    /// per value and segment.
    by_name: OnceLock<HashMap<Box<str>, u32>>,
}

/// Document `d`'s global ordinals are `ords[starts[d]..starts[d + 1]]`.
#[derive(Debug, Default)]
struct SegmentValues {
    starts: Vec<u32>,
    ords: Vec<u32>,
}

impl SegmentValues {
    fn docs(&self) -> DocId {
        self.starts.len().saturating_sub(1) as DocId
    }

    fn of(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        match (self.starts.get(d), self.starts.get(d + 1)) {
            (Some(&from), Some(&to)) => &self.ords[from as usize..to as usize],
            _ => &[],
        }
    }
}

impl GlobalOrdinals {
    /// Merge the dictionaries of `column` in every segment of `searcher` and translate every
    /// document's values.
    pub fn build(searcher: &Searcher, column: &str) -> tantivy::Result<GlobalOrdinals> {
        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            let col = segment.fast_fields().str(column)?;
            let terms = match &col {
                Some(col) => dictionary_terms(col)?,
                None => Vec::new(),
            };
            segments.push((col, segment.max_doc(), terms));
        }
        let mut all: Vec<&[u8]> = segments
            .iter()
            .flat_map(|(_, _, terms)| terms.iter().map(Vec::as_slice))
            .collect();
        all.sort_unstable();
        all.dedup();
        let mut segments: Vec<SegmentValues> = segments
            .iter()
            .map(|(col, max_doc, terms)| match col {
                Some(col) => translate(col, *max_doc, &to_global(&all, terms)),
                None => SegmentValues::default(),
            })
            .collect();
        let by_frequency = most_carried_first(&segments, all.len());
        let mut position = vec![0u32; all.len()];
        for (at, &byte_ord) in by_frequency.iter().enumerate() {
            position[byte_ord as usize] = at as u32;
        }
        for seg in &mut segments {
            for ord in &mut seg.ords {
                *ord = position[*ord as usize];
            }
        }
        let names = by_frequency
            .iter()
            .map(|&b| String::from_utf8_lossy(all[b as usize]).into_owned())
            .collect();
        Ok(GlobalOrdinals {
            names,
            name_order: by_frequency,
            segments,
            pool: CountPool::default(),
            by_name: OnceLock::new(),
        })
    }

    /// The global ordinal of `value`, if any document carries it.
    pub fn ordinal(&self, value: &str) -> Option<u32> {
        self.by_name
            .get_or_init(|| {
                (self.names.iter().enumerate())
                    .map(|(g, name)| (name.as_str().into(), g as u32))
                    .collect()
            })
            .get(value)
            .copied()
    }

    fn take_counts(&self) -> Vec<u32> {
        self.pool.take(self.names.len())
    }

    fn give_back(&self, counts: Vec<u32>, touched: &[u32]) {
        self.pool.give_back(counts, touched);
    }
}

/// Zeroed count arrays of one length, reused so a query allocates nothing that large.
#[derive(Debug, Default)]
struct CountPool(Mutex<Vec<Vec<u32>>>);

impl CountPool {
    fn take(&self, len: usize) -> Vec<u32> {
        let pooled = self.0.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| vec![0; len])
    }

    /// Give back a count array; only `touched` entries can be non-zero.
    fn give_back(&self, mut counts: Vec<u32>, touched: &[u32]) {
        for &i in touched {
            counts[i as usize] = 0;
        }
        if let Ok(mut pool) = self.0.lock() {
            pool.push(counts);
        }
    }

    /// Give back a count array any entry of which may be non-zero.
    fn give_back_dirty(&self, mut counts: Vec<u32>) {
        counts.fill(0);
        self.give_back(counts, &[]);
    }
}

/// A segment dictionary's terms, in its (byte) order.
fn dictionary_terms(col: &StrColumn) -> std::io::Result<Vec<Vec<u8>>> {
    let mut terms = Vec::new();
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        terms.push(stream.key().to_vec());
    }
    Ok(terms)
}

/// Every document's values of one segment, as global ordinals through `map`.
fn translate(col: &StrColumn, max_doc: DocId, map: &[u32]) -> SegmentValues {
    let mut values = SegmentValues::default();
    values.starts.reserve(max_doc as usize + 1);
    for doc in 0..max_doc {
        values.starts.push(values.ords.len() as u32);
        values
            .ords
            .extend(col.term_ords(doc).map(|o| map[o as usize]));
    }
    values.starts.push(values.ords.len() as u32);
    values
}

/// The byte-order ordinals `0..n`, ordered by how many documents carry each, most first (ties in
/// byte order).
fn most_carried_first(segments: &[SegmentValues], n: usize) -> Vec<u32> {
    let mut carried = vec![0u32; n];
    for seg in segments {
        for &ord in &seg.ords {
            carried[ord as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|a, b| {
        carried[*b as usize]
            .cmp(&carried[*a as usize])
            .then(a.cmp(b))
    });
    order
}

/// Positions of a segment's (sorted) terms in the merged (sorted) list: one merge walk.
fn to_global(all: &[&[u8]], terms: &[Vec<u8>]) -> Vec<u32> {
    let mut at = 0usize;
    terms
        .iter()
        .map(|t| {
            while all[at] != t.as_slice() {
                at += 1;
            }
            at as u32
        })
        .collect()
}

/// Counts the values of several string columns for every matching document and keeps the `size`
/// most frequent of each (all of them with `usize::MAX`).
pub struct FacetCollector {
    columns: Vec<String>,
    /// Per column, merged dictionaries when the caller has them.
    globals: Vec<Option<Arc<GlobalOrdinals>>>,
    /// Per column, how many values to keep.
    sizes: Vec<usize>,
}

impl FacetCollector {
    pub fn new(columns: Vec<String>, size: usize) -> Self {
        Self::new_sized(columns.into_iter().map(|c| (c, size)).collect())
    }

    /// Columns each with their own number of values to keep.
    pub fn new_sized(columns: Vec<(String, usize)>) -> Self {
        let (columns, sizes): (Vec<String>, Vec<usize>) = columns.into_iter().unzip();
        let globals = vec![None; columns.len()];
        FacetCollector {
            columns,
            globals,
            sizes,
        }
    }

    /// Use merged dictionaries (one per column, same order) instead of per-query naming.
    pub fn with_globals(mut self, globals: Vec<Option<Arc<GlobalOrdinals>>>) -> Self {
        self.globals = globals;
        self.globals.resize(self.columns.len(), None);
        self
    }
}

/// One segment's counts of one column.
pub enum SegmentCounts {
    /// By the segment's own ordinals, named through its dictionary afterwards.
    Local(LocalCounts),
    /// By global ordinals, into a pooled array the size of the merged dictionary.
    Global(GlobalCounts),
}

pub struct LocalCounts {
    column: StrColumn,
    counts: Vec<u32>,
    /// Ordinals with a non-zero count, each once.
    touched: Vec<u32>,
}

pub struct GlobalCounts {
    global: Arc<GlobalOrdinals>,
    segment: usize,
    counts: Vec<u32>,
    touched: Vec<u32>,
}

pub struct SegmentFacets {
    columns: Vec<Option<SegmentCounts>>,
}

impl FacetCollector {
    fn segment_counts(
        &self,
        name: &str,
        global: Option<&Arc<GlobalOrdinals>>,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Option<SegmentCounts>> {
        if let Some(global) = global {
            if (segment_ord as usize) >= global.segments.len() {
                return Err(tantivy::TantivyError::InternalError(
                    "facet dictionaries were built for another reader".into(),
                ));
            }
            return Ok(Some(SegmentCounts::Global(GlobalCounts {
                counts: global.take_counts(),
                global: global.clone(),
                segment: segment_ord as usize,
                touched: Vec::new(),
            })));
        }
        Ok(segment.fast_fields().str(name)?.map(|column| {
            SegmentCounts::Local(LocalCounts {
                counts: vec![0u32; column.num_terms()],
                column,
                touched: Vec::new(),
            })
        }))
    }
}

impl Collector for FacetCollector {
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let columns = self
            .columns
            .iter()
            .zip(&self.globals)
            .map(|(name, global)| self.segment_counts(name, global.as_ref(), segment_ord, segment))
            .collect::<tantivy::Result<_>>()?;
        Ok(SegmentFacets { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<Option<SegmentCounts>>>,
    ) -> tantivy::Result<Vec<Vec<FacetCount>>> {
        let mut locals: Vec<Vec<LocalCounts>> = (0..self.columns.len()).map(|_| vec![]).collect();
        let mut globals: Vec<Vec<GlobalCounts>> = (0..self.columns.len()).map(|_| vec![]).collect();
        for segment in fruits {
            for (i, counts) in segment.into_iter().enumerate() {
                match counts {
                    Some(SegmentCounts::Local(c)) => locals[i].push(c),
                    Some(SegmentCounts::Global(c)) => globals[i].push(c),
                    None => {}
                }
            }
        }
        Ok(locals
            .into_iter()
            .zip(globals)
            .zip(&self.sizes)
            .map(|((local, global), &size)| {
                if global.is_empty() {
                    top_values(&local, size)
                } else {
                    top_global(global, size)
                }
            })
            .collect())
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Vec<Option<SegmentCounts>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for seg in self.columns.iter_mut().flatten() {
            match seg {
                SegmentCounts::Local(c) => {
                    for ord in c.column.term_ords(doc) {
                        bump(&mut c.counts, &mut c.touched, ord as u32);
                    }
                }
                SegmentCounts::Global(c) => {
                    for &g in c.global.segments[c.segment].of(doc) {
                        bump(&mut c.counts, &mut c.touched, g);
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
    }
}

/// The matching documents of each segment, in doc order (indexed by segment ordinal): collected
/// in the ranking pass so facets can be counted afterwards, after the page is made, without
/// running the query again.
pub struct MatchingDocs;

pub struct SegmentDocs {
    segment: SegmentOrdinal,
    docs: Vec<DocId>,
}

impl Collector for MatchingDocs {
    type Fruit = Vec<Vec<DocId>>;
    type Child = SegmentDocs;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _segment: &SegmentReader,
    ) -> tantivy::Result<SegmentDocs> {
        Ok(SegmentDocs {
            segment: segment_ord,
            docs: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<DocId>)>,
    ) -> tantivy::Result<Vec<Vec<DocId>>> {
        let mut out: Vec<Vec<DocId>> = Vec::new();
        for (segment, docs) in fruits {
            let at = segment as usize;
            if out.len() <= at {
                out.resize_with(at + 1, Vec::new);
            }
            out[at] = docs;
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentDocs {
    type Fruit = (SegmentOrdinal, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
    }

    fn harvest(self) -> Self::Fruit {
        (self.segment, self.docs)
    }
}

/// The top values of each column (with its number of values to keep) over `docs`, through merged
/// dictionaries: the same lists a [`FacetCollector`] with these globals gives for the same documents.
pub fn count_matching(
    columns: &[(Arc<GlobalOrdinals>, usize)],
    docs: &[Vec<DocId>],
    deadline: Deadline,
) -> crate::Result<Vec<Vec<FacetCount>>> {
    columns
        .iter()
        .map(|(global, size)| {
            deadline.check()?;
            // A list nobody will read (the entity lists a server counts under the rules).
            if *size == 0 {
                return Ok(Vec::new());
            }
            if docs.len() > global.segments.len() {
                return Err(tantivy::TantivyError::InternalError(
                    "facet dictionaries were built for another reader".into(),
                )
                .into());
            }
            let mut counts = global.take_counts();
            let mut touched = Vec::new();
            for (segment, docs) in docs.iter().enumerate() {
                let values = &global.segments[segment];
                for &doc in docs {
                    for &g in values.of(doc) {
                        bump(&mut counts, &mut touched, g);
                    }
                }
            }
            let sum = GlobalCounts {
                global: global.clone(),
                segment: 0,
                counts,
                touched,
            };
            Ok(top_global(vec![sum], *size))
        })
        .collect()
}

#[inline]
fn bump(counts: &mut [u32], touched: &mut Vec<u32>, ord: u32) {
    let count = &mut counts[ord as usize];
    if *count == 0 {
        touched.push(ord);
    }
    *count += 1;
}

/// Most frequent first, then by name, so output is stable.
fn by_count_then_name(a: &FacetCount, b: &FacetCount) -> Ordering {
    b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value))
}

fn rank(all: &mut Vec<FacetCount>, size: usize) {
    all.sort_unstable_by(by_count_then_name);
    all.truncate(size);
}

/// The `n` first items of `items` under `cmp`, sorted; the rest is left in any order.
fn top_n<T>(items: &mut Vec<T>, n: usize, cmp: impl Fn(&T, &T) -> Ordering) {
    if n == 0 {
        items.clear();
        return;
    }
    if items.len() > n {
        items.select_nth_unstable_by(n - 1, &cmp);
        items.truncate(n);
    }
    items.sort_unstable_by(cmp);
}

/// The ids of `all` (ascending, so most widely carried first) counted above zero that can make
/// a list of `size`: read in order until `size` of them count more than the next id is carried
/// by, since a count never exceeds the articles carrying the value, and every later id is
/// carried by no more. A query matching most of the archive read every value of a kind, tens of
/// thousands, to keep ten.
fn reachable(all: &[u32], counts: &[u32], carried: &[u32], size: usize) -> Vec<u32> {
    let mut ids = Vec::new();
    if size == 0 {
        return ids;
    }
    let mut best: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
    for &id in all {
        let out_of_reach = |least: &Reverse<u32>| carried[id as usize] < least.0;
        if best.len() == size && best.peek().is_some_and(out_of_reach) {
            break;
        }
        let count = counts[id as usize];
        if count == 0 {
            continue;
        }
        ids.push(id);
        best.push(Reverse(count));
        if best.len() > size {
            best.pop();
        }
    }
    ids
}

/// The exact top `size` values, summed and named through merged dictionaries.
fn top_global(segments: Vec<GlobalCounts>, size: usize) -> Vec<FacetCount> {
    let mut segments = segments.into_iter();
    let Some(mut sum) = segments.next() else {
        return Vec::new();
    };
    for seg in segments {
        for &g in &seg.touched {
            let n = seg.counts[g as usize];
            if sum.counts[g as usize] == 0 {
                sum.touched.push(g);
            }
            sum.counts[g as usize] += n;
        }
        seg.global.give_back(seg.counts, &seg.touched);
    }
    let counts = &sum.counts;
    let name_order = &sum.global.name_order;
    // One key per value, most articles first and then first by name: ordering plain integers
    // costs no lookups per comparison, and most values tie on small counts.
    let mut top: Vec<(u64, u32)> = sum
        .touched
        .iter()
        .map(|&g| {
            let key = (u64::from(counts[g as usize]) << 32)
                | u64::from(u32::MAX - name_order[g as usize]);
            (key, g)
        })
        .collect();
    top_n(&mut top, size, |a, b| b.0.cmp(&a.0));
    let ranked = top
        .into_iter()
        .map(|(_, g)| FacetCount {
            value: sum.global.names[g as usize].clone(),
            count: counts[g as usize] as u64,
        })
        .collect();
    sum.global.give_back(sum.counts, &sum.touched);
    ranked
}

/// The exact top `size` values over all segments, naming as few values as possible.
fn top_values(segments: &[LocalCounts], size: usize) -> Vec<FacetCount> {
    let mut depth = size.saturating_mul(2).max(16);
    loop {
        let exhaustive = segments.iter().all(|s| s.touched.len() <= depth);
        // Name each segment's leading values; the best unnamed value of a segment is a bound on
        // what any unnamed value can have there.
        let mut known: Vec<HashMap<Vec<u8>, u64>> = Vec::with_capacity(segments.len());
        // A segment that named every value it touched has nothing more to look up: any other
        // value counts 0 there. An exhaustive listing (the archive-wide merge pass asks for every
        // value) otherwise searched each segment's dictionary for every value others named.
        let mut whole: Vec<bool> = Vec::with_capacity(segments.len());
        // Per segment, the most any value it did not name can have there.
        let mut unnamed_most: Vec<u64> = Vec::with_capacity(segments.len());
        for seg in segments {
            let lead = leading_ords(seg, depth.saturating_add(1));
            let take = lead.len().min(depth);
            let mut ords: Vec<u64> = lead[..take].iter().map(|&o| o as u64).collect();
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
            whole.push(take == seg.touched.len());
            unnamed_most.push(lead.get(take).map_or(0, |&o| seg.counts[o as usize] as u64));
        }
        let bound: u64 = unnamed_most.iter().sum();
        let candidates = within_reach(&known, &unnamed_most, size);
        // A value's count in a segment is known where that segment named it, looked up elsewhere.
        let mut ranked: Vec<FacetCount> = candidates
            .into_iter()
            .map(|bytes| FacetCount {
                count: segments
                    .iter()
                    .zip(known.iter().zip(&whole))
                    .map(|(s, (k, &whole))| match k.get(bytes) {
                        Some(&n) => n,
                        None if whole => 0,
                        None => count_of(s, bytes),
                    })
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

/// The named values that could still make a list of `size`. Each segment's dictionary search for
/// a value it did not name is the costly part of counting, so a value is dropped unheard when even
/// the most its unnamed segments could hold (`unnamed_most`) leaves it below `size` values' known
/// counts: those counts only grow when completed, so it could not be in the list, however ties
/// fall.
fn within_reach<'a>(
    known: &'a [HashMap<Vec<u8>, u64>],
    unnamed_most: &[u64],
    size: usize,
) -> Vec<&'a Vec<u8>> {
    let candidates: HashSet<&Vec<u8>> = known.iter().flat_map(|k| k.keys()).collect();
    let reach: Vec<(u64, u64, &Vec<u8>)> = candidates
        .into_iter()
        .map(|bytes| {
            let (mut least, mut most) = (0u64, 0u64);
            for (k, &unnamed) in known.iter().zip(unnamed_most) {
                match k.get(bytes) {
                    Some(&n) => (least, most) = (least + n, most + n),
                    None => most += unnamed,
                }
            }
            (least, most, bytes)
        })
        .collect();
    let floor = match size == 0 || reach.len() < size {
        true => 0,
        false => {
            let mut leasts: Vec<u64> = reach.iter().map(|r| r.0).collect();
            let (_, floor, _) = leasts.select_nth_unstable_by(size - 1, |a, b| b.cmp(a));
            *floor
        }
    };
    reach
        .into_iter()
        .filter(|&(_, most, _)| most >= floor)
        .map(|(_, _, bytes)| bytes)
        .collect()
}

/// A segment's `n` most frequent ordinals, most frequent first.
fn leading_ords(seg: &LocalCounts, n: usize) -> Vec<u32> {
    let mut ords = seg.touched.clone();
    top_n(&mut ords, n, |a, b| {
        seg.counts[*b as usize].cmp(&seg.counts[*a as usize])
    });
    ords
}

fn count_of(seg: &LocalCounts, value: &[u8]) -> u64 {
    match seg.column.dictionary().term_ord(value) {
        Ok(Some(ord)) => seg.counts.get(ord as usize).copied().unwrap_or(0) as u64,
        _ => 0,
    }
}

/// Counts, for each of several sets of (column, value) pairs, the matching documents carrying any
/// value of the set, in one pass: each segment looks its sets' values up in its dictionaries once,
/// and a document counts once per set however many of the set's values it carries (what an entity
/// merged from several indexed names needs, where summing the names' counts would count twice).
pub struct SetCounter {
    sets: Vec<Vec<(&'static str, String)>>,
}

impl SetCounter {
    pub fn new(sets: Vec<Vec<(&'static str, String)>>) -> Self {
        SetCounter { sets }
    }
}

pub struct SegmentSets {
    /// The columns some set reads, each with the sets its segment ordinals belong to: looked up
    /// for every value of every matching document, so by a fast hash (a keyed one made counting
    /// the merged values of a one-shot search cost twice its plain facet pass).
    columns: Vec<(StrColumn, rustc_hash::FxHashMap<u64, Vec<usize>>)>,
    counts: Vec<u64>,
    /// Per set, one past the last document counted for it.
    last: Vec<DocId>,
}

impl Collector for SetCounter {
    type Fruit = Vec<u64>;
    type Child = SegmentSets;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentSets> {
        let mut wanted: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
        for (set, values) in self.sets.iter().enumerate() {
            for (column, value) in values {
                wanted
                    .entry(*column)
                    .or_default()
                    .push((value.as_str(), set));
            }
        }
        let mut columns = Vec::new();
        for (name, values) in wanted {
            let Some(column) = segment.fast_fields().str(name)? else {
                continue;
            };
            let mut sets_of = rustc_hash::FxHashMap::<u64, Vec<usize>>::default();
            for (ord, set) in ords_of(&column, values)? {
                sets_of.entry(ord).or_default().push(set);
            }
            if !sets_of.is_empty() {
                columns.push((column, sets_of));
            }
        }
        Ok(SegmentSets {
            columns,
            counts: vec![0; self.sets.len()],
            last: vec![0; self.sets.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut sum = vec![0u64; self.sets.len()];
        for counts in fruits {
            for (total, n) in sum.iter_mut().zip(counts) {
                *total += n;
            }
        }
        Ok(sum)
    }
}

impl SegmentCollector for SegmentSets {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let SegmentSets {
            columns,
            counts,
            last,
        } = self;
        for (column, sets_of) in columns.iter() {
            for ord in column.term_ords(doc) {
                for &set in sets_of.get(&ord).map_or(&[][..], Vec::as_slice) {
                    if last[set] != doc + 1 {
                        last[set] = doc + 1;
                        counts[set] += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

/// A dictionary search decodes part of a block for each value; walking the dictionary in order
/// decodes each term once. Past this share of the dictionary's terms, the walk is cheaper (an
/// archive with thousands of merged names looks up thousands of values per segment).
const WALK_FROM_SHARE: usize = 16;

/// The segment ordinal of each value of `values` found in `column`, with what it came with.
fn ords_of<T>(column: &StrColumn, mut values: Vec<(&str, T)>) -> io::Result<Vec<(u64, T)>> {
    let dictionary = column.dictionary();
    let mut out = Vec::with_capacity(values.len());
    if values.len().saturating_mul(WALK_FROM_SHARE) < dictionary.num_terms() {
        for (value, with) in values {
            if let Some(ord) = dictionary.term_ord(value.as_bytes())? {
                out.push((ord, with));
            }
        }
        return Ok(out);
    }
    values.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return Ok(out);
    };
    let mut terms = dictionary.range().ge(first.0).le(last.0).into_stream()?;
    let mut values = values.into_iter().peekable();
    while terms.advance() {
        let key = terms.key();
        while values.next_if(|(v, _)| v.as_bytes() < key).is_some() {}
        while let Some((_, with)) = values.next_if(|(v, _)| v.as_bytes() == key) {
            out.push((terms.term_ord(), with));
        }
        if values.peek().is_none() {
            break;
        }
    }
    Ok(out)
}

/// What [`SetCounter`] counts, through merged dictionaries: each value is found once by name for
/// the whole index, and a document's values are read as global ordinals with no column decoding.
pub struct GlobalSetCounter {
    /// Per column read: its merged dictionary and which sets each of its values belongs to.
    columns: Vec<(Arc<GlobalOrdinals>, Arc<SetsOf>)>,
    sets: usize,
}

/// The sets each global ordinal of one column belongs to, by array look-up: a value is almost
/// always in one set at most, and every value of every matching document is looked up.
#[derive(Default)]
struct SetsOf {
    /// Per global ordinal, its first set plus one (0: none).
    first: Vec<u32>,
    /// The further sets of the few values in more than one.
    more: HashMap<u32, Vec<usize>>,
}

impl SetsOf {
    fn add(&mut self, ord: u32, set: usize) {
        let slot = &mut self.first[ord as usize];
        if *slot == 0 {
            *slot = set as u32 + 1;
        } else {
            self.more.entry(ord).or_default().push(set);
        }
    }

    #[inline]
    fn each(&self, ord: u32, mut f: impl FnMut(usize)) {
        let first = self.first[ord as usize];
        if first == 0 {
            return;
        }
        f(first as usize - 1);
        if !self.more.is_empty() {
            for &set in self.more.get(&ord).map_or(&[][..], Vec::as_slice) {
                f(set);
            }
        }
    }
}

impl GlobalSetCounter {
    /// Counts for `sets` of (column, value), with `global` giving each column's merged
    /// dictionary.
    pub fn new(
        sets: &[Vec<(&'static str, String)>],
        global: &HashMap<&'static str, Arc<GlobalOrdinals>>,
    ) -> GlobalSetCounter {
        let mut by_column: HashMap<&'static str, SetsOf> = HashMap::new();
        for (set, values) in sets.iter().enumerate() {
            for (column, value) in values {
                let Some(dictionary) = global.get(column) else {
                    continue;
                };
                let Some(g) = dictionary.ordinal(value) else {
                    continue;
                };
                by_column
                    .entry(*column)
                    .or_insert_with(|| SetsOf {
                        first: vec![0; dictionary.names.len()],
                        more: HashMap::new(),
                    })
                    .add(g, set);
            }
        }
        let columns = by_column
            .into_iter()
            .filter_map(|(column, sets_of)| Some((global.get(column)?.clone(), Arc::new(sets_of))))
            .collect();
        GlobalSetCounter {
            columns,
            sets: sets.len(),
        }
    }
}

pub struct SegmentGlobalSets {
    columns: Vec<(Arc<GlobalOrdinals>, Arc<SetsOf>)>,
    segment: usize,
    counts: Vec<u64>,
    /// Per set, one past the last document counted for it.
    last: Vec<DocId>,
}

impl Collector for GlobalSetCounter {
    type Fruit = Vec<u64>;
    type Child = SegmentGlobalSets;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _segment: &SegmentReader,
    ) -> tantivy::Result<SegmentGlobalSets> {
        let segment = segment_ord as usize;
        if self
            .columns
            .iter()
            .any(|(g, _)| segment >= g.segments.len())
        {
            return Err(tantivy::TantivyError::InternalError(
                "facet dictionaries were built for another reader".into(),
            ));
        }
        Ok(SegmentGlobalSets {
            columns: self.columns.clone(),
            segment,
            counts: vec![0; self.sets],
            last: vec![0; self.sets],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut sum = vec![0u64; self.sets];
        for counts in fruits {
            for (total, n) in sum.iter_mut().zip(counts) {
                *total += n;
            }
        }
        Ok(sum)
    }
}

impl SegmentCollector for SegmentGlobalSets {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let SegmentGlobalSets {
            columns,
            segment,
            counts,
            last,
        } = self;
        for (global, sets_of) in columns.iter() {
            for &g in global.segments[*segment].of(doc) {
                sets_of.each(g, |set| {
                    if last[set] != doc + 1 {
                        last[set] = doc + 1;
                        counts[set] += 1;
                    }
                });
            }
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

/// Entity values as the entity rules show them, per document: what a server counts for the
/// entity facets of every search under one set of rules.
///
/// Aliases, blocks and retypes are resolved once per reader generation and rules version, into
/// one list of shown-value ids per document (every kind together, each id once). A search then
/// counts with one array increment per value and document: no translation table, no check that
/// an article was already counted for a value two of its names merge into.
///
/// Ids are numbered by how many live articles carry the value, most first, whatever its kind, and
/// each document's list is in id order. A search asks for the top few values of each kind, and a
/// value can only reach a count as high as the articles carrying it: so a search first counts
/// only the values carried widely enough (a prefix of each document's list) and counts further
/// only when some value left out could still make a list (see [`ShownValues::count`]).
pub struct ShownValues {
    /// Indexed by segment ordinal: each document's shown-value ids, ascending.
    segments: Vec<SegmentValues>,
    /// The same lists cut to the widely carried ids, at a few cuts: (how many ids, the most
    /// carried, a cut keeps; its lists indexed by segment ordinal), fewest ids first. What a
    /// search over many articles counts first.
    heads: Vec<(u32, Vec<HeadValues>)>,
    /// Shown values by id.
    names: Vec<String>,
    /// Per id, its kind (as a position in [`EntityKind::ALL`]).
    kind_of: Vec<u8>,
    /// Per kind, its ids in ascending order.
    by_kind: Vec<(EntityKind, Vec<u32>)>,
    /// Per id, the live articles that carry it; never rising from one id to the next. A query
    /// matching most of the archive counts the articles it does not match and subtracts.
    carried: Vec<u32>,
    /// Live articles in all segments.
    live: usize,
    /// Count arrays of `names.len()`.
    pool: CountPool,
}

/// The first count of a search takes the values carried by at least this share of its matching
/// articles (1/64): a top value of a kind is usually carried far more widely, and the few values
/// this leaves in are counted in the cache. A wrong guess only costs a second, exact round.
const FIRST_ROUND_SHARE: usize = 64;

/// The head lists keep the values carried by at least these shares of the live articles (never
/// fewer than two articles): a first round over more than 64 x that many matching articles
/// counts no value outside them (at 37,000 articles: from about 9,300, 2,300 and 600), and the
/// more it matches, the fewer ids per article it reads.
const HEAD_SHARES: [usize; 3] = [256, 1024, 4096];

/// From this many documents to count over, two hands count half each: below it, handing half
/// to another thread and adding its counts back cost about what it saves.
const SPLIT_DOCUMENTS: usize = 2048;

/// `docs` (per segment, ascending) cut into two runs, the first of `at` documents, each again
/// per segment.
fn halves(docs: &[Vec<DocId>], at: usize) -> (Vec<&[DocId]>, Vec<&[DocId]>) {
    let mut left = at;
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for d in docs {
        let cut = left.min(d.len());
        left -= cut;
        first.push(&d[..cut]);
        second.push(&d[cut..]);
    }
    (first, second)
}

/// Per-segment document ranges cut into two with about as many documents on each side.
type Ranges = Vec<std::ops::Range<DocId>>;

fn split_ranges(ranges: &[std::ops::Range<DocId>]) -> (Ranges, Ranges) {
    let total: usize = ranges.iter().map(|r| r.len()).sum();
    let mut left = total / 2;
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for r in ranges {
        let cut = left.min(r.len());
        left -= cut;
        let mid = r.start + cut as DocId;
        first.push(r.start..mid);
        second.push(mid..r.end);
    }
    (first, second)
}

/// Each document's most widely carried shown-value ids, as `u16`, back to back with no other
/// ids between them.
///
/// A search over thousands of articles first counts only a few values per article (see
/// [`ShownValues::count`]), but reading them from the full lists touches a cache line or two of
/// a many-megabyte array per article, where a dozen ids sit among the long tail nobody counts
/// then: one cache miss per matching article was 70% of the entity facets' time. Here an
/// article's head ids are a few bytes next to its neighbour's, so a result set in document order
/// reads one short array almost in sequence.
#[derive(Debug, Default)]
struct HeadValues {
    starts: Vec<u32>,
    ids: Vec<u16>,
}

impl HeadValues {
    /// The lists of `values` cut to the ids below `head_ids` (at most 65,536).
    fn of(values: &SegmentValues, head_ids: u32) -> HeadValues {
        let mut head = HeadValues::default();
        head.starts.reserve(values.starts.len());
        for d in 0..values.docs() {
            head.starts.push(head.ids.len() as u32);
            let list = values.of(d);
            let cut = list.partition_point(|&id| id < head_ids);
            // Ids below `head_ids` <= 65,536 fit in 16 bits.
            head.ids.extend(list[..cut].iter().map(|&id| id as u16));
        }
        head.starts.push(head.ids.len() as u32);
        head
    }

    fn list(&self, doc: DocId) -> &[u16] {
        let d = doc as usize;
        match (self.starts.get(d), self.starts.get(d + 1)) {
            (Some(&from), Some(&to)) => &self.ids[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// Call `tally` with the ids of `ids` in one document's ascending `list`: a contiguous run of it.
#[inline]
fn count_run<T: Copy + Into<u32>>(
    list: &[T],
    ids: &std::ops::Range<u32>,
    mut tally: impl FnMut(u32),
) {
    let from = match ids.start {
        0 => 0,
        start => list.partition_point(|&id| id.into() < start),
    };
    for &id in &list[from..] {
        let id = id.into();
        if id >= ids.end {
            break;
        }
        tally(id);
    }
}

/// Count the ids of `ids` (zero so far) in the list `list` gives each document of `docs` (per
/// segment of `segments`), noting each id counted in `touched`. A range no longer than the
/// documents is counted with plain increments and its counted ids are read off it afterwards:
/// asking at every increment whether it is an id's first was a hard-to-predict branch per value,
/// and one pass over the range costs less. Plain loops: an iterator over the lists of every
/// segment was not inlined and cost more than the branch saved.
fn count_lists<S, T: Copy + Into<u32>>(
    segments: &[S],
    docs: &[&[DocId]],
    list: impl Fn(&S, DocId) -> &[T],
    ids: std::ops::Range<u32>,
    counts: &mut [u32],
    touched: &mut Vec<u32>,
) {
    let documents: usize = docs.iter().map(|d| d.len()).sum();
    if ids.len() > documents {
        for (segment, docs) in segments.iter().zip(docs) {
            for &doc in *docs {
                count_run(list(segment, doc), &ids, |id| bump(counts, touched, id));
            }
        }
        return;
    }
    for (segment, docs) in segments.iter().zip(docs) {
        for &doc in *docs {
            count_run(list(segment, doc), &ids, |id| counts[id as usize] += 1);
        }
    }
    touched.extend(ids.filter(|&id| counts[id as usize] > 0));
}

impl ShownValues {
    /// `columns`: each entity kind's global ordinals under `searcher`, in [`EntityKind::ALL`]
    /// order.
    pub fn build(
        searcher: &Searcher,
        columns: Vec<Arc<GlobalOrdinals>>,
        rules: &EntityRules,
    ) -> ShownValues {
        let kinds = EntityKind::ALL;
        // Each column's global ordinal -> index into `targets` (in first-seen order).
        let mut seen: HashMap<(EntityKind, String), u32> = HashMap::new();
        let mut targets: Vec<(EntityKind, String)> = Vec::new();
        let maps: Vec<Vec<u32>> = kinds
            .iter()
            .zip(&columns)
            .map(|(&kind, global)| {
                (global.names.iter())
                    .map(|name| match rules.resolve(kind, name) {
                        Some(target) => *seen.entry(target.clone()).or_insert_with(|| {
                            targets.push(target);
                            (targets.len() - 1) as u32
                        }),
                        None => u32::MAX,
                    })
                    .collect()
            })
            .collect();
        let mut live = 0usize;
        let segments: Vec<SegmentValues> = (searcher.segment_readers().iter().enumerate())
            .map(|(segment, reader)| {
                live += reader.num_docs() as usize;
                shown_of_segment(&columns, &maps, segment, reader)
            })
            .collect();
        ShownValues::numbered(segments, targets, live)
    }

    /// The shown values from each live document's list of `targets` (indices, ascending, each
    /// once), renumbered most carried first.
    fn numbered(
        mut segments: Vec<SegmentValues>,
        targets: Vec<(EntityKind, String)>,
        live: usize,
    ) -> ShownValues {
        let mut carried_by_target = vec![0u32; targets.len()];
        for seg in &segments {
            for &t in &seg.ords {
                carried_by_target[t as usize] += 1;
            }
        }
        // Most carried first; ties by kind and name only so the numbering is reproducible.
        let mut order: Vec<u32> = (0..targets.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (ta, tb) = (&targets[a as usize], &targets[b as usize]);
            (carried_by_target[b as usize].cmp(&carried_by_target[a as usize]))
                .then_with(|| kind_rank(ta.0).cmp(&kind_rank(tb.0)))
                .then_with(|| ta.1.cmp(&tb.1))
        });
        let mut id_of_target = vec![0u32; targets.len()];
        for (id, &t) in order.iter().enumerate() {
            id_of_target[t as usize] = id as u32;
        }
        for seg in &mut segments {
            for ord in &mut seg.ords {
                *ord = id_of_target[*ord as usize];
            }
            for d in 0..seg.docs() as usize {
                let (from, to) = (seg.starts[d] as usize, seg.starts[d + 1] as usize);
                seg.ords[from..to].sort_unstable();
            }
        }
        let carried: Vec<u32> = (order.iter())
            .map(|&t| carried_by_target[t as usize])
            .collect();
        let kind_of: Vec<u8> = (order.iter())
            .map(|&t| kind_rank(targets[t as usize].0))
            .collect();
        let by_kind = EntityKind::ALL
            .into_iter()
            .map(|kind| {
                let ids = (0..kind_of.len() as u32)
                    .filter(|&id| kind_of[id as usize] == kind_rank(kind))
                    .collect();
                (kind, ids)
            })
            .collect();
        let mut names: Vec<Option<String>> = targets.into_iter().map(|t| Some(t.1)).collect();
        let names = (order.iter())
            .map(|&t| names[t as usize].take().unwrap_or_default())
            .collect();
        let mut heads: Vec<(u32, Vec<HeadValues>)> = Vec::new();
        for share in HEAD_SHARES {
            let floor = (live / share).max(2) as u32;
            let ids = (carried.partition_point(|&c| c >= floor)).min(1 << 16) as u32;
            if heads.last().is_some_and(|(kept, _)| *kept >= ids) {
                continue;
            }
            let lists = (segments.iter()).map(|seg| HeadValues::of(seg, ids));
            heads.push((ids, lists.collect()));
        }
        ShownValues {
            segments,
            heads,
            names,
            kind_of,
            by_kind,
            carried,
            live,
            pool: CountPool::default(),
        }
    }

    /// The top `size` shown values of each kind in `kinds` over `docs` (per segment, in doc
    /// order, as [`MatchingDocs`] collects them), each matching article counted once per value.
    ///
    /// Counted in rounds, each over the values carried by at least a floor of articles (a prefix
    /// of ids, so a prefix of each document's list): once every asked kind's `size`-th count
    /// exceeds what the most carried value left out could reach, the lists are exact. The
    /// second round's floor is the lowest such count the first found, which always suffices.
    pub fn count(
        &self,
        kinds: &[EntityKind],
        size: usize,
        docs: &[Vec<DocId>],
    ) -> tantivy::Result<Vec<Vec<FacetCount>>> {
        if docs.len() != self.segments.len() {
            return Err(tantivy::TantivyError::InternalError(
                "entity values were built for another reader".into(),
            ));
        }
        let matching: usize = docs.iter().map(Vec::len).sum();
        let sorted = (docs.iter()).all(|d| d.windows(2).all(|w| w[0] < w[1]));
        if sorted && matching * 2 > self.live {
            let counts = self.count_unmatched(docs);
            let lists = self.top(kinds, size, &counts, None);
            self.pool.give_back_dirty(counts);
            return Ok(lists);
        }
        let mut counts = self.take_counts();
        let mut touched: Vec<u32> = Vec::new();
        let mut floor = (matching / FIRST_ROUND_SHARE).max(1) as u32;
        let mut counted = 0u32;
        let mut by_kind: Vec<Vec<u32>> = Vec::new();
        loop {
            let upto = self.carried.partition_point(|&c| c >= floor) as u32;
            self.count_ids(docs, counted..upto, &mut counts, &mut touched);
            counted = upto;
            // The most any value not counted yet can reach.
            let reach = self.carried.get(upto as usize).copied().unwrap_or(0);
            if reach == 0 {
                break;
            }
            let least = self.least_nth_count(kinds, size, &counts, &touched, &mut by_kind);
            if least > reach {
                break;
            }
            // `least` <= `reach` < `floor`: the next round counts more values, and after it
            // nothing left out can reach the asked kinds' lists (their counts only grow).
            floor = least.max(1);
        }
        let lists = self.top(kinds, size, &counts, Some(&touched));
        self.give_back(counts, &touched);
        Ok(lists)
    }

    /// Count the ids in `ids` over `docs`: in each document's ascending list, a contiguous run,
    /// read from the shortest head lists that hold every id of the range.
    fn count_ids(
        &self,
        docs: &[Vec<DocId>],
        ids: std::ops::Range<u32>,
        counts: &mut [u32],
        touched: &mut Vec<u32>,
    ) {
        if ids.is_empty() {
            return;
        }
        if let Some((_, heads)) = self.heads.iter().find(|(kept, _)| ids.end <= *kept) {
            return self.count_halves(heads, docs, HeadValues::list, ids, counts, touched);
        }
        self.count_halves(
            &self.segments,
            docs,
            SegmentValues::of,
            ids,
            counts,
            touched,
        );
    }

    /// [`count_lists`] over `docs`, on two hands when there are enough of them: each hand
    /// counts half the documents into its own array, and the second's counts are added to the
    /// first's. The same counts either way; only the order of `touched` differs, which nothing
    /// reads.
    fn count_halves<S: Sync, T: Copy + Into<u32>>(
        &self,
        segments: &[S],
        docs: &[Vec<DocId>],
        list: impl Fn(&S, DocId) -> &[T] + Sync,
        ids: std::ops::Range<u32>,
        counts: &mut [u32],
        touched: &mut Vec<u32>,
    ) {
        let documents: usize = docs.iter().map(Vec::len).sum();
        if documents < SPLIT_DOCUMENTS {
            let all: Vec<&[DocId]> = docs.iter().map(Vec::as_slice).collect();
            return count_lists(segments, &all, list, ids, counts, touched);
        }
        let (first, second) = halves(docs, documents / 2);
        let mut theirs = self.take_counts();
        let mut theirs_touched = Vec::new();
        hands::both(
            || count_lists(segments, &first, &list, ids.clone(), counts, touched),
            || {
                let (counts, touched) = (&mut theirs, &mut theirs_touched);
                count_lists(segments, &second, &list, ids.clone(), counts, touched)
            },
        );
        for &id in &theirs_touched {
            let count = &mut counts[id as usize];
            if *count == 0 {
                touched.push(id);
            }
            *count += theirs[id as usize];
        }
        self.give_back(theirs, &theirs_touched);
    }

    /// The lowest, over `kinds`, of each kind's `size`-th highest count among the counted values
    /// (0 for a kind with fewer values). One pass over `touched` sorts every asked kind's counts
    /// into its own buffer of `by_kind` (kept across rounds): a pass per kind read every touched
    /// id once for each kind, a few percent of a served search.
    fn least_nth_count(
        &self,
        kinds: &[EntityKind],
        size: usize,
        counts: &[u32],
        touched: &[u32],
        by_kind: &mut Vec<Vec<u32>>,
    ) -> u32 {
        if size == 0 || kinds.is_empty() {
            return 0;
        }
        by_kind.resize_with(EntityKind::ALL.len(), Vec::new);
        let mut asked = [false; EntityKind::ALL.len()];
        for &k in kinds {
            asked[kind_rank(k) as usize] = true;
        }
        for list in by_kind.iter_mut() {
            list.clear();
        }
        for &id in touched {
            let rank = self.kind_of[id as usize] as usize;
            if asked[rank] {
                by_kind[rank].push(counts[id as usize]);
            }
        }
        (kinds.iter())
            .map(|&k| nth_highest(&mut by_kind[kind_rank(k) as usize], size))
            .min()
            .unwrap_or(0)
    }

    /// Counts over the live articles `docs` does not hold, subtracted from all the carried ones.
    /// On two hands when the archive is large enough: each takes half the segments' documents,
    /// one subtracting from the carried counts, the other counting what the first then
    /// subtracts.
    fn count_unmatched(&self, docs: &[Vec<DocId>]) -> Vec<u32> {
        // A pooled array: a fresh one this large comes from the system as pages to zero.
        let mut counts = self.take_counts();
        counts.copy_from_slice(&self.carried);
        let whole: Vec<std::ops::Range<DocId>> = (self.segments.iter())
            .map(|values| 0..values.docs())
            .collect();
        if self.live < SPLIT_DOCUMENTS {
            self.unmatched(docs, &whole, |id| counts[id as usize] -= 1);
            return counts;
        }
        let (first, second) = split_ranges(&whole);
        let mut theirs = self.take_counts();
        hands::both(
            || self.unmatched(docs, &first, |id| counts[id as usize] -= 1),
            || self.unmatched(docs, &second, |id| theirs[id as usize] += 1),
        );
        for (count, taken) in counts.iter_mut().zip(&theirs) {
            *count -= taken;
        }
        self.pool.give_back_dirty(theirs);
        counts
    }

    /// `each` of the ids of every live document in `ranges` (per segment) that `docs` (per
    /// segment, ascending) does not hold.
    fn unmatched(
        &self,
        docs: &[Vec<DocId>],
        ranges: &[std::ops::Range<DocId>],
        mut each: impl FnMut(u32),
    ) {
        for ((values, docs), range) in self.segments.iter().zip(docs).zip(ranges) {
            let from = docs.partition_point(|&d| d < range.start);
            let mut next = docs[from..].iter().copied().peekable();
            for doc in range.clone() {
                if next.next_if_eq(&doc).is_some() {
                    continue;
                }
                values.of(doc).iter().for_each(|&id| each(id));
            }
        }
    }

    /// Each kind's top `size` values among `touched` (every id of the kind when `None`).
    fn top(
        &self,
        kinds: &[EntityKind],
        size: usize,
        counts: &[u32],
        touched: Option<&[u32]>,
    ) -> Vec<Vec<FacetCount>> {
        let order = |a: &u32, b: &u32| {
            let (ca, cb) = (counts[*a as usize], counts[*b as usize]);
            cb.cmp(&ca)
                .then_with(|| self.names[*a as usize].cmp(&self.names[*b as usize]))
        };
        kinds
            .iter()
            .map(|kind| {
                let Some((_, all)) = self.by_kind.iter().find(|(k, _)| k == kind) else {
                    return Vec::new();
                };
                let rank = kind_rank(*kind);
                let mut ids: Vec<u32> = match touched {
                    Some(touched) => (touched.iter().copied())
                        .filter(|&id| self.kind_of[id as usize] == rank)
                        .collect(),
                    None => reachable(all, counts, &self.carried, size),
                };
                // Counts first: only values reaching the size-th count are compared by name
                // (thousands of values tie at one or two articles).
                if size > 0 && ids.len() > size {
                    let by_count = |a: &u32, b: &u32| counts[*b as usize].cmp(&counts[*a as usize]);
                    let (_, &mut nth, _) = ids.select_nth_unstable_by(size - 1, by_count);
                    let least = counts[nth as usize];
                    ids.retain(|&id| counts[id as usize] >= least);
                }
                top_n(&mut ids, size, order);
                ids.into_iter()
                    .map(|id| FacetCount {
                        value: self.names[id as usize].clone(),
                        count: counts[id as usize] as u64,
                    })
                    .collect()
            })
            .collect()
    }

    fn take_counts(&self) -> Vec<u32> {
        self.pool.take(self.names.len())
    }

    fn give_back(&self, counts: Vec<u32>, touched: &[u32]) {
        self.pool.give_back(counts, touched);
    }
}

/// A kind's position in [`EntityKind::ALL`].
fn kind_rank(kind: EntityKind) -> u8 {
    EntityKind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u8
}

/// The `n`-th highest of `values` (1 is the highest); 0 when there are fewer than `n` or `n` is 0.
/// Reorders `values`.
fn nth_highest(values: &mut [u32], n: usize) -> u32 {
    if n == 0 || values.len() < n {
        return 0;
    }
    let (_, nth, _) = values.select_nth_unstable_by(n - 1, |a, b| b.cmp(a));
    *nth
}

/// Sort `ords[from..]` and drop repeats and values no rule shows (`u32::MAX`, which sorts last).
fn keep_each_shown_once(ords: &mut Vec<u32>, from: usize) {
    ords[from..].sort_unstable();
    let mut kept = from;
    for i in from..ords.len() {
        let id = ords[i];
        if id != u32::MAX && (kept == from || ords[kept - 1] != id) {
            ords[kept] = id;
            kept += 1;
        }
    }
    ords.truncate(kept);
}

/// One segment's documents as shown-value ids: each kind's global ordinals through its `maps`,
/// values no rule shows left out, each id once per document. Deleted documents carry none: no
/// query matches them, and counting the unmatched articles then passes over them.
fn shown_of_segment(
    columns: &[Arc<GlobalOrdinals>],
    maps: &[Vec<u32>],
    segment: usize,
    reader: &SegmentReader,
) -> SegmentValues {
    let mut values = SegmentValues::default();
    values.starts.reserve(reader.max_doc() as usize + 1);
    for doc in 0..reader.max_doc() {
        let from = values.ords.len();
        values.starts.push(from as u32);
        if reader.is_deleted(doc) {
            continue;
        }
        for (global, map) in columns.iter().zip(maps) {
            let Some(seg) = global.segments.get(segment) else {
                continue;
            };
            (values.ords).extend(seg.of(doc).iter().map(|&g| map[g as usize]));
        }
        keep_each_shown_once(&mut values.ords, from);
    }
    values.starts.push(values.ords.len() as u32);
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of numbers (xorshift), so the test needs no random crate.
    struct Stream(u64);

    impl Stream {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// Documents carrying values of every kind drawn from a steep power law (a few values in
    /// most articles, thousands in one or two), as entity names are; lists of target indices.
    fn archive(
        docs: u32,
        values: u32,
        seed: u64,
    ) -> (Vec<SegmentValues>, Vec<(EntityKind, String)>) {
        let mut s = Stream(seed);
        let targets: Vec<(EntityKind, String)> = (0..values)
            .map(|v| {
                (
                    EntityKind::ALL[(v % 4) as usize],
                    format!("value {}", values - v),
                )
            })
            .collect();
        let mut segments = Vec::new();
        for seg_docs in [docs / 3, docs - docs / 3] {
            let mut seg = SegmentValues::default();
            for _ in 0..seg_docs {
                seg.starts.push(seg.ords.len() as u32);
                let from = seg.ords.len();
                for _ in 0..s.below(30) {
                    // Squaring a uniform draw favours low indices; dividing again steepens it.
                    let u = s.below(u64::from(values));
                    seg.ords
                        .push((u * u / u64::from(values) * (s.below(4) + 1) / 4) as u32);
                }
                keep_each_shown_once(&mut seg.ords, from);
            }
            seg.starts.push(seg.ords.len() as u32);
            segments.push(seg);
        }
        (segments, targets)
    }

    /// Every matching document's every value counted, ranked by count and then by name.
    fn counted_in_full(
        shown: &ShownValues,
        kinds: &[EntityKind],
        size: usize,
        docs: &[Vec<DocId>],
    ) -> Vec<Vec<FacetCount>> {
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for (values, docs) in shown.segments.iter().zip(docs) {
            for &doc in docs {
                for &id in values.of(doc) {
                    *counts.entry(id).or_default() += 1;
                }
            }
        }
        kinds
            .iter()
            .map(|&kind| {
                let mut list: Vec<FacetCount> = (counts.iter())
                    .filter(|(id, _)| shown.kind_of[**id as usize] == kind_rank(kind))
                    .map(|(id, &count)| FacetCount {
                        value: shown.names[*id as usize].clone(),
                        count,
                    })
                    .collect();
                rank(&mut list, size);
                list
            })
            .collect()
    }

    /// A one-segment index whose `p` column holds `names`, one per document.
    fn column_of(names: &[String]) -> tantivy::Result<(tantivy::Index, StrColumn)> {
        use tantivy::schema::{FAST, STRING, Schema};
        let mut schema = Schema::builder();
        let field = schema.add_text_field("p", STRING | FAST);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for name in names {
            writer.add_document(tantivy::doc!(field => name.as_str()))?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let column = searcher.segment_reader(0).fast_fields().str("p")?;
        Ok((index, column.expect("the column was written")))
    }

    /// Segments whose `p` column holds power-law names, each segment favouring other names (so
    /// a segment's leading values are not the archive's), counted over a drawn share of docs.
    fn skewed_segments(seed: u64) -> tantivy::Result<(tantivy::Index, Vec<LocalCounts>)> {
        use tantivy::schema::{FAST, STRING, Schema};
        let mut schema = Schema::builder();
        let field = schema.add_text_field("p", STRING | FAST);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut s = Stream(seed);
        for shift in [0u64, 37, 211] {
            for _ in 0..2500 {
                // The least of three draws: low numbers are common, high ones rare.
                let rank = s.below(900).min(s.below(900)).min(s.below(900));
                let name = format!("n{:04}", (rank + shift) % 900);
                writer.add_document(tantivy::doc!(field => name.as_str()))?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        let mut segments = Vec::new();
        for reader in searcher.segment_readers() {
            let column = reader
                .fast_fields()
                .str("p")?
                .expect("the column was written");
            let mut seg = LocalCounts {
                counts: vec![0; column.num_terms()],
                touched: Vec::new(),
                column,
            };
            for doc in (0..reader.max_doc()).filter(|_| s.below(3) > 0) {
                for ord in seg.column.term_ords(doc).collect::<Vec<_>>() {
                    bump(&mut seg.counts, &mut seg.touched, ord as u32);
                }
            }
            segments.push(seg);
        }
        Ok((index, segments))
    }

    #[test]
    fn top_values_looking_up_only_reachable_values_is_the_full_count() -> tantivy::Result<()> {
        for seed in [3, 17] {
            let (_index, segments) = skewed_segments(seed)?;
            assert_eq!(segments.len(), 3);
            let mut all: HashMap<Vec<u8>, u64> = HashMap::new();
            for seg in &segments {
                let mut ords: Vec<u64> = seg.touched.iter().map(|&o| o as u64).collect();
                ords.sort_unstable();
                let mut next = ords.iter();
                seg.column
                    .dictionary()
                    .sorted_ords_to_term_cb(&ords, |bytes| {
                        let ord = *next.next().expect("one term per ordinal");
                        *all.entry(bytes.to_vec()).or_default() += seg.counts[ord as usize] as u64;
                    })?;
            }
            for size in [1, 3, 10, 40, 110, 5000] {
                let mut full: Vec<FacetCount> = (all.iter())
                    .map(|(bytes, &count)| FacetCount {
                        value: String::from_utf8_lossy(bytes).into_owned(),
                        count,
                    })
                    .collect();
                rank(&mut full, size);
                assert_eq!(top_values(&segments, size), full, "seed {seed} size {size}");
            }
        }
        Ok(())
    }

    #[test]
    fn a_value_its_unnamed_segments_cannot_lift_is_not_looked_up() {
        let named = |pairs: &[(&str, u64)]| -> HashMap<Vec<u8>, u64> {
            pairs
                .iter()
                .map(|&(v, n)| (v.as_bytes().to_vec(), n))
                .collect()
        };
        let known = [
            named(&[("a", 50), ("b", 40), ("c", 9)]),
            named(&[("a", 30), ("d", 45), ("e", 12)]),
        ];
        // Known at least: a 80, d 45, b 40, e 12, c 9; at most, with the first segment's unnamed
        // values holding up to 35 and the second's up to 10: a 80, d 80, b 50, e 47, c 19.
        let kept = |size: usize| -> Vec<String> {
            let mut out: Vec<String> = within_reach(&known, &[35, 10], size)
                .into_iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            out.sort();
            out
        };
        // "d" could still reach 80 and tie "a".
        assert_eq!(kept(1), ["a", "d"]);
        assert_eq!(kept(2), ["a", "b", "d", "e"]);
        assert_eq!(kept(5), ["a", "b", "c", "d", "e"]);
        assert_eq!(kept(9), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn ords_of_many_values_walks_the_dictionary_to_the_same_ordinals() -> tantivy::Result<()> {
        let names: Vec<String> = (0..500).map(|i| format!("name {i:03}")).collect();
        let (_index, column) = column_of(&names)?;
        let by_search = |wanted: &[String]| -> Vec<(u64, usize)> {
            let mut out: Vec<(u64, usize)> = (wanted.iter().enumerate())
                .filter_map(|(i, v)| {
                    let ord = column.dictionary().term_ord(v.as_bytes()).ok()??;
                    Some((ord, i))
                })
                .collect();
            out.sort_unstable();
            out
        };
        // Few values are searched one by one; most of the dictionary is walked, with values
        // absent from it, repeated, and before and after its first and last terms.
        let few: Vec<String> = ["name 007", "absent", "name 499"]
            .map(String::from)
            .to_vec();
        let mut many: Vec<String> = (0..200).map(|i| format!("name {:03}", i * 3)).collect();
        many.extend(["aaa", "name 003", "name 0035", "zzz", "name 499"].map(String::from));
        for wanted in [few, many] {
            let values: Vec<(&str, usize)> = (wanted.iter().enumerate())
                .map(|(i, v)| (v.as_str(), i))
                .collect();
            let mut got = ords_of(&column, values)?;
            got.sort_unstable();
            assert_eq!(got, by_search(&wanted));
        }
        Ok(())
    }

    #[test]
    fn nth_highest_counts_from_the_top_and_is_zero_when_short() {
        let mut values = vec![3, 9, 1, 9, 4];
        assert_eq!(nth_highest(&mut values.clone(), 1), 9);
        assert_eq!(nth_highest(&mut values.clone(), 2), 9);
        assert_eq!(nth_highest(&mut values.clone(), 3), 4);
        assert_eq!(nth_highest(&mut values.clone(), 5), 1);
        assert_eq!(nth_highest(&mut values.clone(), 6), 0);
        assert_eq!(nth_highest(&mut values, 0), 0);
        assert_eq!(nth_highest(&mut [], 1), 0);
    }

    /// The one pass over the touched ids finds, for any set of asked kinds, the lowest of what
    /// sorting each kind's counted values on its own gives.
    #[test]
    fn least_nth_count_is_the_lowest_kind_by_kind_nth_count() {
        let (segments, targets) = archive(900, 1200, 3);
        let shown = ShownValues::numbered(segments, targets, 900);
        let mut s = Stream(5);
        let counts: Vec<u32> = (0..shown.names.len()).map(|_| s.below(50) as u32).collect();
        let touched: Vec<u32> = (0..shown.names.len() as u32)
            .filter(|_| s.below(3) > 0)
            .collect();
        let by_sorting = |kind: EntityKind, size: usize| {
            let mut of_kind: Vec<u32> = (touched.iter())
                .filter(|&&id| shown.kind_of[id as usize] == kind_rank(kind))
                .map(|&id| counts[id as usize])
                .collect();
            of_kind.sort_unstable_by(|a, b| b.cmp(a));
            match size {
                0 => 0,
                _ => of_kind.get(size - 1).copied().unwrap_or(0),
            }
        };
        let all = EntityKind::ALL;
        let mut buffers = Vec::new();
        let mut nonzero = 0;
        for kinds in [&all[..], &all[1..], &all[2..3], &[all[3], all[0]], &[]] {
            for size in [0, 1, 10, 100, 290, 400] {
                let expected = (kinds.iter())
                    .map(|&k| by_sorting(k, size))
                    .min()
                    .unwrap_or(0);
                let found = shown.least_nth_count(kinds, size, &counts, &touched, &mut buffers);
                assert_eq!(found, expected, "{kinds:?} size {size}");
                nonzero += usize::from(found > 0);
            }
        }
        assert!(nonzero >= 8, "most cases have a count to find: {nonzero}");
    }

    #[test]
    fn counting_the_widely_carried_values_first_gives_the_full_counts() {
        let (segments, targets) = archive(3000, 4000, 7);
        let live = 3000;
        let shown = ShownValues::numbered(segments, targets, live);
        assert!(shown.carried.windows(2).all(|w| w[0] >= w[1]));
        // The searches below read from two cuts of head lists, and from the full lists.
        assert_eq!(shown.heads.len(), 2);
        for (kept, heads) in &shown.heads {
            for (head, full) in heads.iter().zip(&shown.segments) {
                for doc in 0..full.docs() {
                    let cut: Vec<u32> = (full.of(doc).iter().copied())
                        .filter(|&id| id < *kept)
                        .collect();
                    let read: Vec<u32> = head.list(doc).iter().map(|&id| u32::from(id)).collect();
                    assert_eq!(read, cut, "doc {doc} cut at {kept}");
                }
            }
        }
        // Result sets from a handful of articles to just under half the archive (more is
        // counted by subtraction), and list sizes from one value to more than most kinds hold.
        let shares = [1, 5, 20, 60, 140, 190];
        counts_are_the_full_counts(&shown, &shares, &[1, 3, 10, 50, 5000], 11);
    }

    /// Count each share (of 400) of `shown`'s documents, drawn from `seed`, with each list size
    /// of `sizes`, and compare with a full count; the sizes of the result sets.
    fn counts_are_the_full_counts(
        shown: &ShownValues,
        shares: &[u64],
        sizes: &[usize],
        seed: u64,
    ) -> Vec<usize> {
        let mut s = Stream(seed);
        let kinds = EntityKind::ALL;
        let mut matching = Vec::new();
        for &share in shares {
            for &size in sizes {
                let docs: Vec<Vec<DocId>> = (shown.segments.iter())
                    .map(|seg| (0..seg.docs()).filter(|_| s.below(400) < share).collect())
                    .collect();
                matching.push(docs.iter().map(Vec::len).sum());
                let fast = shown.count(&kinds, size, &docs).expect("counted");
                assert_eq!(
                    fast,
                    counted_in_full(shown, &kinds, size, &docs),
                    "share {share}/400, size {size}"
                );
            }
        }
        matching
    }

    #[test]
    fn counts_made_on_two_hands_are_the_full_counts() {
        // Large enough that both ways of counting hand half the documents to another thread:
        // result sets above SPLIT_DOCUMENTS and under half the archive, and above half (counted
        // by subtraction).
        let (segments, targets) = archive(9000, 6000, 5);
        let shown = ShownValues::numbered(segments, targets, 9000);
        let matching =
            counts_are_the_full_counts(&shown, &[120, 190, 260, 390], &[1, 10, 5000], 23);
        assert!(
            matching.iter().all(|&m| m >= SPLIT_DOCUMENTS),
            "{matching:?}"
        );
    }

    #[test]
    fn halves_and_split_ranges_keep_every_document_once_in_order() {
        let docs: Vec<Vec<DocId>> = vec![vec![1, 4, 9], vec![], vec![0, 2, 3, 5], vec![7]];
        for at in 0..=8 {
            let (first, second) = halves(&docs, at);
            assert_eq!(first.iter().map(|d| d.len()).sum::<usize>(), at);
            for (k, d) in docs.iter().enumerate() {
                assert_eq!(
                    [first[k], second[k]].concat(),
                    *d,
                    "segment {k}, cut at {at}"
                );
            }
        }
        let ranges = vec![0..5, 0..0, 0..4];
        let (first, second) = split_ranges(&ranges);
        assert_eq!((first.iter().map(|r| r.len()).sum::<usize>()), 4);
        for (k, r) in ranges.iter().enumerate() {
            assert_eq!(first[k].start, r.start, "range {k}");
            assert_eq!(first[k].end, second[k].start, "range {k}");
            assert_eq!(second[k].end, r.end, "range {k}");
        }
    }
}
