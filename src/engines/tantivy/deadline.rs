//! A tantivy search that stops at the request's deadline: any collector, driven over each
//! segment's matches by a loop of our own that looks at the clock before each segment and every
//! few thousand documents within one, and returns [`Error::TooLong`] once it has passed.
//!
//! Why a loop of our own: tantivy hands a segment's matches to its collector in one call that
//! cannot be interrupted, so a collector can only ignore the rest. Our queries (BM25F words under
//! a boolean query) are iterated through the same boxed scorer either way, so the loop costs
//! what tantivy's own does. A search without a deadline is tantivy's search, untouched.
//!
//! Either way an index of several segments has them collected by two hands (see
//! [`super::hands`]): this thread and a task on the pool take segments in turn, and their results
//! are merged in the segments' order, as a single thread would merge them.
use std::sync::atomic::{AtomicBool, Ordering};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::AliveBitSet;
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, Searcher, SegmentOrdinal, SegmentReader};
use tantivy::{TERMINATED, TantivyError};

use super::hands;
use crate::model::deadline::{Deadline, Ticks};
use crate::{Error, Result};

/// `searcher.search(query, collector)`, stopped with [`Error::TooLong`] at `deadline`.
pub fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    deadline: Deadline,
) -> Result<C::Fruit> {
    if deadline.instant().is_none() {
        return Ok(collect(searcher, query, collector)?);
    }
    let stopped = AtomicBool::new(false);
    let bounded = Bounded {
        inner: collector,
        deadline,
        stopped: &stopped,
    };
    match collect(searcher, query, &bounded) {
        Ok(fruit) => Ok(fruit),
        // Tantivy carries only its own errors out of a segment, so the reason travels beside.
        Err(_) if stopped.load(Ordering::Relaxed) => Err(Error::TooLong),
        Err(e) => Err(e.into()),
    }
}

/// `searcher.search(query, collector)` with the segments collected by two hands when there are
/// several: the same weight, scoring and merge as tantivy's own search.
fn collect<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let segments = searcher.segment_readers();
    if segments.len() < 2 {
        return searcher.search(query, collector);
    }
    let scoring = match collector.requires_scoring() {
        true => EnableScoring::enabled_from_searcher(searcher),
        false => EnableScoring::disabled_from_searcher(searcher),
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let shared = hands::Shared::new();
    // Largest first, so the last segment either hand takes is a small one.
    let mut order: Vec<usize> = (0..segments.len()).collect();
    order.sort_by_key(|&s| std::cmp::Reverse(segments[s].max_doc()));
    shared.publish(order.clone());
    let each = |_: &mut (), &s: &usize| {
        collector.collect_segment(weight.as_ref(), s as SegmentOrdinal, &segments[s])
    };
    hands::both(|| shared.work(|| (), each), || shared.work(|| (), each));
    let made = (shared.into_results())
        .ok_or_else(|| TantivyError::InternalError("a segment was left uncollected".into()))?;
    // Back in the segments' order, as tantivy merges them.
    let mut by_segment: Vec<_> = order.into_iter().zip(made).collect();
    by_segment.sort_unstable_by_key(|&(s, _)| s);
    let fruits =
        (by_segment.into_iter().map(|(_, fruit)| fruit)).collect::<tantivy::Result<_>>()?;
    collector.merge_fruits(fruits)
}

struct Bounded<'a, C> {
    inner: &'a C,
    deadline: Deadline,
    stopped: &'a AtomicBool,
}

impl<C: Collector> Collector for Bounded<'_, C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn check_schema(&self, schema: &tantivy::schema::Schema) -> tantivy::Result<()> {
        self.inner.check_schema(schema)
    }

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<C::Child> {
        self.inner.for_segment(segment, reader)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
        let mut ticks = self.deadline.ticks();
        let mut child = self.inner.for_segment(segment, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let finished = match self.requires_scoring() {
            true => scored(&mut child, scorer.as_mut(), alive, &mut ticks),
            false => unscored(&mut child, scorer.as_mut(), alive, &mut ticks),
        };
        if !finished || self.deadline.passed() {
            self.stopped.store(true, Ordering::Relaxed);
            return Err(TantivyError::InternalError(
                "past the search's deadline".into(),
            ));
        }
        Ok(child.harvest())
    }
}

/// Every live match with its score, as tantivy's own loop offers them; false when stopped.
fn scored<S: SegmentCollector>(
    child: &mut S,
    scorer: &mut dyn Scorer,
    alive: Option<&AliveBitSet>,
    ticks: &mut Ticks,
) -> bool {
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            child.collect(doc, scorer.score());
        }
        if ticks.passed_after(1) {
            return false;
        }
        doc = scorer.advance();
    }
    true
}

/// Every live match in blocks, as tantivy's own loop offers them without scores; false when
/// stopped.
fn unscored<S: SegmentCollector>(
    child: &mut S,
    scorer: &mut dyn Scorer,
    alive: Option<&AliveBitSet>,
    ticks: &mut Ticks,
) -> bool {
    let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
    loop {
        let filled = scorer.fill_buffer(&mut buffer);
        let docs = &buffer[..filled];
        match alive {
            None => child.collect_block(docs),
            Some(alive) => docs
                .iter()
                .filter(|&&doc| alive.is_alive(doc))
                .for_each(|&doc| child.collect(doc, 0.0)),
        }
        if filled < buffer.len() {
            return true;
        }
        if ticks.passed_after(filled as u32) {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{INDEXED, IndexRecordOption, Schema, TEXT};
    use tantivy::{DocId, Index, Score, Term, doc};

    use super::*;

    /// Documents in the test index: more than a few rounds of [`Ticks::EVERY`].
    const DOCS: u64 = 40_000;

    /// An index of `DOCS` short texts, every seventh one deleted so that segments carry deletes.
    fn index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let n = schema.add_u64_field("n", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 50_000_000).unwrap();
        for i in 0..DOCS {
            let words = format!("w{} w{} common", i % 97, i % 13);
            writer.add_document(doc!(text => words, n => i)).unwrap();
            if i % 20_000 == 19_999 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        for i in (0..DOCS).step_by(7) {
            writer.delete_term(Term::from_field_u64(n, i));
        }
        writer.commit().unwrap();
        (index, text)
    }

    fn word(text: tantivy::schema::Field, w: &str) -> TermQuery {
        TermQuery::new(Term::from_field_text(text, w), IndexRecordOption::WithFreqs)
    }

    /// Counts every document it is offered, where the test can see it even when the search fails.
    struct Seen(Arc<AtomicUsize>);
    struct SegmentSeen(Arc<AtomicUsize>);

    impl Collector for Seen {
        type Fruit = ();
        type Child = SegmentSeen;
        fn for_segment(
            &self,
            _: SegmentOrdinal,
            _: &SegmentReader,
        ) -> tantivy::Result<SegmentSeen> {
            Ok(SegmentSeen(self.0.clone()))
        }
        fn requires_scoring(&self) -> bool {
            false
        }
        fn merge_fruits(&self, _: Vec<()>) -> tantivy::Result<()> {
            Ok(())
        }
    }

    impl SegmentCollector for SegmentSeen {
        type Fruit = ();
        fn collect(&mut self, _: DocId, _: Score) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
        fn harvest(self) {}
    }

    #[test]
    fn a_search_within_its_deadline_finds_what_tantivy_finds() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 2);
        let later = Deadline::at(Instant::now() + Duration::from_secs(3600));
        let queries: [Box<dyn Query>; 2] = [Box::new(word(text, "common")), Box::new(AllQuery)];
        for query in &queries {
            let scored = (Count, TopDocs::with_limit(25).order_by_score());
            let plain = searcher.search(query.as_ref(), &scored).unwrap();
            assert!(plain.0 > 30_000 && plain.0 < DOCS as usize, "{}", plain.0);
            for deadline in [later, Deadline::NONE] {
                let bounded = search(&searcher, query.as_ref(), &scored, deadline).unwrap();
                assert_eq!(bounded, plain);
                // Without scores the documents come in blocks.
                let counted = search(&searcher, query.as_ref(), &Count, deadline).unwrap();
                assert_eq!(counted, plain.0);
            }
        }
        let rare = (Count, TopDocs::with_limit(5).order_by_score());
        let plain = searcher.search(&word(text, "w96"), &rare).unwrap();
        assert_eq!(
            search(&searcher, &word(text, "w96"), &rare, later).unwrap(),
            plain
        );
    }

    #[test]
    fn a_search_past_its_deadline_stops_within_a_round_of_documents() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let past = Deadline::at(Instant::now() - Duration::from_millis(1));
        let queries: [Box<dyn Query>; 2] = [Box::new(word(text, "common")), Box::new(AllQuery)];
        for query in &queries {
            let seen = Arc::new(AtomicUsize::new(0));
            let err = search(&searcher, query.as_ref(), &Seen(seen.clone()), past).unwrap_err();
            assert!(matches!(err, Error::TooLong), "{err}");
            // Segments are collected by two hands, each stopping within a round of its own.
            let seen = seen.load(Ordering::Relaxed);
            assert!(seen > 0 && seen <= 2 * Ticks::EVERY as usize, "{seen}");
            // Scored: one document at a time.
            let err = search(
                &searcher,
                query.as_ref(),
                &(Count, TopDocs::with_limit(3).order_by_score()),
                past,
            )
            .unwrap_err();
            assert!(matches!(err, Error::TooLong), "{err}");
        }
        // The same searches without a deadline offer every live match.
        let seen = Arc::new(AtomicUsize::new(0));
        search(&searcher, &AllQuery, &Seen(seen.clone()), Deadline::NONE).unwrap();
        assert_eq!(seen.load(Ordering::Relaxed) as u64, searcher.num_docs());
    }
}
