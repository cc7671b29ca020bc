//! The embedded engine's searcher: queries in, [`SearchResults`] out. Builds the tantivy query,
//! collects hits, snippets and facet counts, and answers the rest of [`Backend`] from the index.
//! Never prints: the CLI and the server render what this returns.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use chrono::NaiveDate;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, EmptyQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, DocAddress, IndexReader, Order, Searcher, Term};

use super::document::{Parts, read_article, read_article_parts};
use super::facets::GlobalOrdinals;
use super::index::NewsIndex;
use super::rerank::{self, Plan};
use super::schema::Fields;
use super::stems;
use super::timeline::TimelineCollector;
use super::{best, build, deadline, export, facets, hands, related};
use crate::backend::Backend;
use crate::entities::EntityKind;
use crate::entities::rules::EntityRules;
use crate::model::article::StoredArticle;
use crate::model::deadline::Deadline;
use crate::model::explain::Understood;
use crate::model::fields::{self, column};
use crate::model::highlight::Highlight;
use crate::model::query::{self, MatchMode};
use crate::model::quoted::QuoteFilter;
use crate::model::request::{
    ExportOptions, Facet, MAX_LIMIT, SearchRequest, Sort, drops_stop_words,
};
use crate::model::results::{FacetCount, Hit, QueryExplanation, SearchResults, Stats};
use crate::model::snippet::SnippetGenerator;
use crate::model::sources::{Aliases, SourceTable};
use crate::{Error, Result};

/// The one searcher of a program: an opened index and its reader.
pub struct Engine {
    pub index: NewsIndex,
    reader: IndexReader,
    /// Merged facet dictionaries, kept only by engines that answer many queries.
    ordinals: Option<Mutex<OrdinalCache>>,
    /// Recent results, kept only by engines that answer many queries.
    results: Option<Mutex<ResultCache>>,
    /// Words' document frequencies, kept only by engines that answer many queries.
    doc_freqs: Option<Mutex<DocFreqCache>>,
    /// The groups of copies, read again only when an index run saved new ones.
    groups: super::copies::GroupsCache,
}

/// Most words whose document frequency a long-lived engine remembers (a few MB at most).
const CACHED_DOC_FREQS: usize = 200_000;

/// Document frequencies under one reader generation. Feedback weighs every distinct word of its
/// sample articles by idf, a term-dictionary look-up per word, field and segment: a third of an
/// any-word search's instructions in the profile, although most words recur from query to query.
#[derive(Default)]
struct DocFreqCache {
    generation: u64,
    freqs: HashMap<String, u64>,
}

impl DocFreqCache {
    fn get(&self, generation: u64, word: &str) -> Option<u64> {
        (generation == self.generation)
            .then(|| self.freqs.get(word).copied())
            .flatten()
    }

    fn put(&mut self, generation: u64, word: &str, freq: u64) {
        if generation < self.generation {
            return;
        }
        if generation > self.generation || self.freqs.len() >= CACHED_DOC_FREQS {
            self.generation = generation;
            self.freqs.clear();
        }
        self.freqs.insert(word.to_string(), freq);
    }
}

/// How many recent searches a long-lived engine remembers (a few MB at most).
const CACHED_RESULTS: usize = 256;

/// Results of recent searches under one reader generation: a page reloaded, a facet unticked
/// or a popular query asked again is answered without searching. Any commit empties it.
#[derive(Default)]
struct ResultCache {
    generation: u64,
    tick: u64,
    entries: HashMap<String, (u64, SearchResults)>,
}

impl ResultCache {
    fn get(&mut self, generation: u64, key: &str) -> Option<SearchResults> {
        if generation != self.generation {
            return None;
        }
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(used, results)| {
            *used = tick;
            results.clone()
        })
    }

    fn put(&mut self, generation: u64, key: String, results: &SearchResults) {
        if generation < self.generation {
            return;
        }
        if generation > self.generation {
            self.generation = generation;
            self.entries.clear();
        }
        if self.entries.len() >= CACHED_RESULTS {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.entries.remove(&oldest);
            }
        }
        self.tick += 1;
        self.entries.insert(key, (self.tick, results.clone()));
    }
}

/// Global ordinals of the newest reader generation seen, built per column on first use, and
/// the index's source keys under that generation.
#[derive(Default)]
struct OrdinalCache {
    generation: u64,
    columns: HashMap<&'static str, Arc<GlobalOrdinals>>,
    source_keys: Option<Arc<[String]>>,
    /// Entity values as the last rules seen show them (kept with those rules: the rules layer
    /// shares one `Arc` per saved version, so the same pointer means the same rules).
    shown: Option<(Arc<EntityRules>, Arc<facets::ShownValues>)>,
}

impl OrdinalCache {
    /// Forget everything built for an older generation once a newer one is seen.
    fn follow(&mut self, generation: u64) {
        if generation > self.generation {
            *self = OrdinalCache {
                generation,
                ..OrdinalCache::default()
            };
        }
    }
}

/// A cache whose holder panicked is still a valid cache: every update leaves it consistent.
/// An export's deadline, which holds only until its first hit (see `Backend::export`).
fn until_first(req: &SearchRequest, written: u64) -> Deadline {
    match written {
        0 => req.deadline,
        _ => Deadline::NONE,
    }
}

/// A page of documents with their scores, in order.
type ScoredPage = Vec<(f32, DocAddress)>;

/// Whether `req` has a second pass: it re-scores the first pass's best, which are then kept
/// from the top and cut to the page after re-scoring.
fn second_pass(req: &SearchRequest, plan: &Plan) -> bool {
    req.sort == Sort::Relevance && plan.active(&req.ranking)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Engine {
    /// An engine for a few queries (the CLI): nothing is cached across queries.
    pub fn open(index: NewsIndex) -> Result<Engine> {
        let reader = index.reader()?;
        Ok(Engine {
            index,
            reader,
            ordinals: None,
            results: None,
            doc_freqs: None,
            groups: Default::default(),
        })
    }

    /// An engine for many queries (the server): facet dictionaries are merged once per commit
    /// seen, which makes every later facet count a matter of array lookups.
    /// It also remembers recent results until the next commit, unless `remember` is false.
    pub fn open_long_lived(index: NewsIndex, remember: bool) -> Result<Engine> {
        let mut engine = Engine::open(index)?;
        engine.ordinals = Some(Mutex::new(OrdinalCache::default()));
        engine.doc_freqs = Some(Mutex::new(DocFreqCache::default()));
        if remember {
            engine.results = Some(Mutex::new(ResultCache::default()));
        }
        Ok(engine)
    }

    /// Build what the first queries would otherwise wait for.
    pub fn warm(&self) -> Result<()> {
        self.global_ordinals(&self.searcher(), &Facet::ALL)?;
        Ok(())
    }

    /// Merged dictionaries for `facets` under `searcher`, or `None`s for a short-lived engine.
    fn global_ordinals(
        &self,
        searcher: &Searcher,
        facets: &[Facet],
    ) -> Result<Vec<Option<Arc<GlobalOrdinals>>>> {
        let Some(cache) = &self.ordinals else {
            return Ok(vec![None; facets.len()]);
        };
        let generation = searcher.generation().generation_id();
        let mut cache = lock(cache);
        cache.follow(generation);
        let mut out = Vec::with_capacity(facets.len());
        for facet in facets {
            let column = facet.column();
            let built = match cache.columns.get(column) {
                Some(g) if generation == cache.generation => g.clone(),
                _ => {
                    let g = Arc::new(GlobalOrdinals::build(searcher, column)?);
                    // A query still on an older searcher gets its own, uncached copy.
                    if generation == cache.generation {
                        cache.columns.insert(column, g.clone());
                    }
                    g
                }
            };
            out.push(Some(built));
        }
        Ok(out)
    }

    /// Whether this engine counts `req`'s entity facets under its rules itself: only one that
    /// keeps merged dictionaries (a server's), and only under rules.
    fn shows_entity_facets(&self, req: &SearchRequest) -> bool {
        self.ordinals.is_some() && !req.entity_rules.is_empty()
    }

    /// The entity values as `rules` show them under `searcher`'s generation, for an engine that
    /// keeps merged dictionaries (none for the CLI's, or without rules).
    fn shown_values(
        &self,
        searcher: &Searcher,
        rules: &Arc<EntityRules>,
    ) -> Result<Option<Arc<facets::ShownValues>>> {
        let Some(cache) = self.ordinals.as_ref().filter(|_| !rules.is_empty()) else {
            return Ok(None);
        };
        let generation = searcher.generation().generation_id();
        {
            let held = lock(cache);
            if let Some((seen, shown)) = &held.shown
                && Arc::ptr_eq(seen, rules)
                && held.generation == generation
            {
                return Ok(Some(shown.clone()));
            }
        }
        let entity_facets: Vec<Facet> = EntityKind::ALL.into_iter().map(Facet::of_kind).collect();
        let columns: Vec<Arc<GlobalOrdinals>> = self
            .global_ordinals(searcher, &entity_facets)?
            .into_iter()
            .flatten()
            .collect();
        let shown = Arc::new(facets::ShownValues::build(searcher, columns, rules));
        let mut cache = lock(cache);
        if cache.generation == generation {
            cache.shown = Some((rules.clone(), shown.clone()));
        }
        Ok(Some(shown))
    }

    /// Replace the entity lists among `counts` (one per requested facet) with the values as the
    /// request's rules show them, counted over `matching`; whether it did.
    fn show_entity_facets(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        matching: &[Vec<tantivy::DocId>],
        counts: &mut [Vec<crate::model::results::FacetCount>],
    ) -> Result<bool> {
        let at: Vec<(usize, EntityKind)> = (req.facets.iter().enumerate())
            .filter_map(|(i, f)| f.entity_kind().map(|k| (i, k)))
            .collect();
        if at.is_empty() || !self.shows_entity_facets(req) {
            return Ok(false);
        }
        let Some(shown) = self.shown_values(searcher, &req.entity_rules)? else {
            return Ok(false);
        };
        let kinds: Vec<EntityKind> = at.iter().map(|&(_, k)| k).collect();
        let lists = shown.count(&kinds, req.facet_size, matching)?;
        for ((i, _), list) in at.into_iter().zip(lists) {
            if let Some(slot) = counts.get_mut(i) {
                *slot = list;
            }
        }
        Ok(true)
    }

    pub fn fields(&self) -> &Fields {
        &self.index.fields
    }

    /// A searcher over the latest commit the reader has seen, for queries beyond [`Engine::search`].
    /// Segments that arrived with a commit get their saved stem tables loaded here.
    pub fn searcher(&self) -> Searcher {
        let searcher = self.reader.searcher();
        stems::preload(&self.index.path, &searcher);
        searcher
    }

    /// Pick up commits made since the reader last looked.
    pub fn refresh(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        let searcher = self.searcher();
        let Some(cache) = &self.results else {
            return self.search_with(&searcher, req, started);
        };
        let generation = searcher.generation().generation_id();
        let key = serde_json::to_string(req).map_err(|e| Error::Other(e.to_string()))?;
        if let Some(mut results) = lock(cache).get(generation, &key) {
            results.cached = true;
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            return Ok(results);
        }
        let results = self.search_with(&searcher, req, started)?;
        lock(cache).put(generation, key, &results);
        Ok(results)
    }

    fn search_with(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        started: Instant,
    ) -> Result<SearchResults> {
        let Prepared {
            query: full,
            highlights,
            understood,
            plan,
            sources,
        } = self.prepare(searcher, req)?;
        req.deadline.check()?;
        let limit = req.limit.min(MAX_LIMIT);
        // Source spellings merge after counting, so every spelling must be counted.
        let sizes: Vec<(&'static str, usize)> = req
            .facets
            .iter()
            .map(|f| {
                let size = if *f == Facet::Source {
                    usize::MAX
                } else {
                    req.facet_size
                };
                (f.column(), size)
            })
            .collect();
        let globals = self.global_ordinals(searcher, &req.facets)?;
        // Entity lists a server counts under the rules (`show_entity_facets`) are not counted
        // as indexed.
        let shown = self.shows_entity_facets(req);
        // With merged dictionaries the ranking pass only notes the matching documents, and their
        // facets are counted afterwards by array look-ups.
        let later: Option<Vec<(Arc<GlobalOrdinals>, usize)>> = match req.facets.is_empty() {
            true => None,
            false => globals
                .iter()
                .zip(&sizes)
                .zip(&req.facets)
                .map(|((g, (_, size)), f)| {
                    let size = match shown && f.entity_kind().is_some() {
                        true => 0,
                        false => *size,
                    };
                    g.clone().map(|g| (g, size))
                })
                .collect(),
        };
        let in_pass = later.is_none().then(|| {
            facets::FacetCollector::new_sized(
                sizes.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            )
            .with_globals(globals)
        });
        let facet_collectors = (in_pass, later.is_some().then_some(facets::MatchingDocs));
        // A second pass re-scores the first pass's best: they are kept from the top, and the
        // page is cut after re-scoring.
        let second = second_pass(req, &plan);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(req.offset);
        let dates = req.timeline.map(|interval| TimelineCollector { interval });
        let (docs, total, (counted, matching), dates): (Vec<(f32, DocAddress)>, usize, _, _) =
            match req.sort {
                // The second pass's depth is kept by `best::Best`, at a fraction of the cost
                // of tantivy's general collector.
                Sort::Relevance if second => deadline::search(
                    searcher,
                    &full,
                    &(
                        best::Best::new(plan.depth(&req.ranking, req.offset + limit)),
                        Count,
                        facet_collectors,
                        dates,
                    ),
                    req.deadline,
                )?,
                Sort::Relevance => deadline::search(
                    searcher,
                    &full,
                    &(top.order_by_score(), Count, facet_collectors, dates),
                    req.deadline,
                )?,
                Sort::Newest | Sort::Oldest => {
                    let order = if req.sort == Sort::Newest {
                        Order::Desc
                    } else {
                        Order::Asc
                    };
                    let (docs, total, counts, dates) = deadline::search(
                        searcher,
                        &full,
                        &(
                            top.order_by_fast_field::<DateTime>(column::DATE, order),
                            Count,
                            facet_collectors,
                            dates,
                        ),
                        req.deadline,
                    )?;
                    (
                        docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                        total,
                        counts,
                        dates,
                    )
                }
            };
        let quotes = QuoteFilter::new(req);
        // Most searches show no quotes: their hits leave the stored quotes unparsed.
        let read_quotes = !quotes.shows_none();
        let page: hands::Shared<(f32, DocAddress), Result<Hit>> = hands::Shared::new();
        let make_hit = |snippets: &mut SnippetGenerator, &(score, addr): &(f32, DocAddress)| {
            req.deadline.check()?;
            self.hit(searcher, addr, score, Some(snippets), read_quotes)
        };
        let snippets = || SnippetGenerator::new(highlights.clone());
        // This hand re-scores and learns the page, then reads hits; the other counts the
        // facets, then reads hits off the same page.
        let (ranked, counted) = hands::both(
            || {
                let promise = page.promise();
                let ranked = self.page(searcher, req, &plan, docs, total);
                if let Ok((docs, _)) = &ranked {
                    page.publish(docs.clone());
                }
                drop(promise);
                page.work(snippets, make_hit);
                ranked
            },
            || {
                let counted = self.count_facets(searcher, req, later.as_ref(), matching, counted);
                page.work(snippets, make_hit);
                counted
            },
        );
        let (docs, reranked) = ranked?;
        let (counts, entity_facets_shown) = counted?;
        let mut hits = (page.into_results())
            .ok_or_else(|| Error::Other("a hit of the page was left unmade".into()))?
            .into_iter()
            .collect::<Result<Vec<Hit>>>()?;
        for hit in &mut hits {
            hit.quotes = quotes.select(std::mem::take(&mut hit.quotes));
        }
        if req.explain && req.sort == Sort::Relevance {
            for (hit, (_, addr)) in hits.iter_mut().zip(&docs) {
                let mut e = full.explain(searcher, *addr)?;
                if let Some(r) = &reranked {
                    e = r.explain(*addr, e);
                }
                hit.explanation = serde_json::to_value(&e).ok();
            }
        }
        let explanation = req.explain.then_some(QueryExplanation {
            match_mode: req.match_mode,
            leaves: understood,
            expansion: reranked
                .as_ref()
                .map(|r| r.expansion.clone())
                .unwrap_or_default(),
            feedback: reranked.as_ref().and_then(|r| r.decision.clone()),
        });
        let facets = req
            .facets
            .iter()
            .zip(counts)
            .map(|(f, c)| {
                let c = if *f == Facet::Source {
                    sources.merge_counts(c, req.facet_size)
                } else {
                    c
                };
                (f.name().to_string(), c)
            })
            .collect();
        Ok(SearchResults {
            query: req.query.clone(),
            total: total as u64,
            offset: req.offset,
            limit,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            cached: false,
            hits,
            facets,
            explanation,
            timeline: dates,
            collapsed: false,
            entity_facets_shown,
        })
    }

    /// Articles of `req` carrying any name of each of `sets`: the request's query run once, its
    /// documents' entity columns read by ordinal (see [`facets::SetCounter`]).
    pub fn count_each(
        &self,
        req: &SearchRequest,
        sets: &[Vec<crate::entities::rules::Entity>],
    ) -> Result<Vec<u64>> {
        if sets.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.searcher();
        let query = self.prepare(&searcher, req)?.query;
        let columns: Vec<Vec<(&'static str, String)>> = sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(|(kind, name)| (fields::entity_column(*kind), name.clone()))
                    .collect()
            })
            .collect();
        // A long-lived engine has the columns' merged dictionaries: values are found by name once.
        let read: Vec<Facet> = Facet::ALL
            .into_iter()
            .filter(|f| columns.iter().flatten().any(|(c, _)| *c == f.column()))
            .collect();
        let globals: Option<HashMap<&'static str, Arc<GlobalOrdinals>>> = self
            .global_ordinals(&searcher, &read)?
            .into_iter()
            .zip(&read)
            .map(|(g, f)| g.map(|g| (f.column(), g)))
            .collect();
        match globals {
            Some(globals) if self.ordinals.is_some() => {
                let counter = facets::GlobalSetCounter::new(&columns, &globals);
                deadline::search(&searcher, &query, &counter, req.deadline)
            }
            _ => deadline::search(
                &searcher,
                &query,
                &facets::SetCounter::new(columns),
                req.deadline,
            ),
        }
    }

    /// The whole query of a request (text and filters), what a second pass may use, and what
    /// rendering hits needs.
    fn prepare(&self, searcher: &Searcher, req: &SearchRequest) -> Result<Prepared> {
        let tree = query::parse(&req.query, req.match_mode)?;
        let sources = self.source_table(searcher, req)?;
        let mut builder = build::Builder::new(self.fields(), req.ranking.bm25f);
        builder.drop_stop_words = drops_stop_words(&tree, req);
        builder.sources = Some(&sources);
        builder.entity_rules = Some(req.entity_rules.as_ref());
        let text_query = match builder.build(&tree) {
            // Words that all vanish in analysis ("???") match nothing; only a blank query browses.
            None if !req.query.trim().is_empty() => Some(Box::new(EmptyQuery) as Box<dyn Query>),
            q => q,
        };
        // RM3 for optional-word searches ranked by relevance: the first pass's best hits may
        // suggest words that re-score (never widen) it.
        // A gate shut by the query's length alone is shut before anything is read: then there
        // is no feedback to plan for (and no deeper first pass to keep), unless `--explain`
        // is to show the gate's decision.
        let plan = Plan {
            feedback: req.ranking.feedback.enabled()
                && req.match_mode == MatchMode::Any
                && req.sort == Sort::Relevance
                && !builder.scored.is_empty()
                && (req.explain || req.ranking.feedback.long_enough(builder.scored.len())),
            words: std::mem::take(&mut builder.scored),
        };
        let query = self.with_filters(text_query, req, &sources);
        let highlights = std::mem::take(&mut builder.highlights);
        let understood = std::mem::take(&mut builder.understood);
        Ok(Prepared {
            query,
            highlights,
            understood,
            plan,
            sources,
        })
    }

    /// How many articles have `word` in their headline or in their body, whichever is more; a
    /// long-lived engine remembers it until the next commit.
    fn doc_freq(&self, searcher: &Searcher, word: &str) -> u64 {
        let look_up = || {
            let f = self.fields();
            [f.headline, f.body]
                .iter()
                .map(|field| super::bm25f::doc_freq(searcher, *field, word).unwrap_or(0))
                .max()
                .unwrap_or(0)
        };
        let Some(cache) = &self.doc_freqs else {
            return look_up();
        };
        let generation = searcher.generation().generation_id();
        if let Some(freq) = lock(cache).get(generation, word) {
            return freq;
        }
        let freq = look_up();
        lock(cache).put(generation, word, freq);
        freq
    }

    /// The index's sources under the saved aliases and the request's own.
    fn source_table(&self, searcher: &Searcher, req: &SearchRequest) -> Result<SourceTable> {
        let mut aliases = Aliases::load(&self.index.path)?;
        for (from, to) in &req.source_aliases {
            aliases.add(from, to);
        }
        Ok(SourceTable::with_keys(self.source_keys(searcher)?, aliases))
    }

    /// The index's source keys under `searcher`, walked once per generation by a long-lived engine.
    fn source_keys(&self, searcher: &Searcher) -> Result<Arc<[String]>> {
        let walk = || SourceTable::index_keys(searcher, self.fields().source_key);
        let Some(cache) = &self.ordinals else {
            return walk();
        };
        let generation = searcher.generation().generation_id();
        let mut cache = lock(cache);
        cache.follow(generation);
        if generation != cache.generation {
            // A query still on an older searcher walks its own keys.
            return walk();
        }
        if let Some(keys) = &cache.source_keys {
            return Ok(keys.clone());
        }
        let keys = walk()?;
        cache.source_keys = Some(keys.clone());
        Ok(keys)
    }

    fn with_filters(
        &self,
        text: Option<Box<dyn Query>>,
        req: &SearchRequest,
        sources: &SourceTable,
    ) -> Box<dyn Query> {
        let fields = self.fields();
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(q) = text {
            must.push((Occur::Must, q));
        }
        let any_of = |field, values: &[String], keyword: bool| -> Box<dyn Query> {
            let subs = values
                .iter()
                .map(|v| {
                    let value = if keyword {
                        crate::analysis::normalize_keyword(v)
                    } else {
                        v.clone()
                    };
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, &value),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            Box::new(BooleanQuery::new(subs))
        };
        if !req.sources.is_empty() {
            let keys: Vec<String> = req
                .sources
                .iter()
                .flat_map(|s| sources.keys_for(s))
                .collect();
            must.push((Occur::Must, any_of(fields.source_key, &keys, false)));
        }
        if !req.sections.is_empty() {
            must.push((Occur::Must, any_of(fields.section_key, &req.sections, true)));
        }
        for (kind, name) in &req.entities {
            must.push((
                Occur::Must,
                any_of(
                    fields.entity_field(*kind),
                    std::slice::from_ref(name),
                    false,
                ),
            ));
        }
        for names in &req.entity_any {
            must.push((Occur::Must, build::entity_terms(fields, names)));
        }
        for speaker in &req.speakers {
            must.push((
                Occur::Must,
                any_of(fields.speaker, std::slice::from_ref(speaker), false),
            ));
        }
        if req.since.is_some() || req.until.is_some() {
            let lower = req.since.map_or(Bound::Unbounded, Bound::Included);
            let upper = req.until.map_or(Bound::Unbounded, Bound::Included);
            must.push((
                Occur::Must,
                build::date_range_query(fields.date, lower, upper),
            ));
        }
        if let Some(ids) = &req.ids {
            let terms = ids.iter().map(|id| Term::from_field_text(fields.id, id));
            must.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
        }
        match must.len() {
            0 => Box::new(AllQuery),
            1 if must[0].0 == Occur::Must => must.pop().map(|m| m.1).unwrap_or(Box::new(AllQuery)),
            _ => Box::new(BooleanQuery::new(must)),
        }
    }

    /// The page's documents, re-scored by the second pass when there is one, and what the
    /// second pass decided; a search past its deadline stops here.
    fn page(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        plan: &Plan,
        docs: Vec<(f32, DocAddress)>,
        total: usize,
    ) -> Result<(ScoredPage, Option<rerank::Reranked>)> {
        let limit = req.limit.min(MAX_LIMIT);
        let (docs, reranked) = match second_pass(req, plan) {
            true => {
                let r = rerank::rerank(
                    searcher,
                    &|word: &str| self.doc_freq(searcher, word),
                    self.fields(),
                    &req.ranking,
                    plan,
                    rerank::FirstPass {
                        top: docs,
                        total: total as u64,
                        end: req.offset + limit,
                    },
                )?;
                let page = r
                    .docs
                    .iter()
                    .skip(req.offset)
                    .take(limit)
                    .copied()
                    .collect();
                (page, Some(r))
            }
            false => (docs, None),
        };
        req.deadline.check()?;
        let docs = if limit == 0 { Vec::new() } else { docs };
        Ok((docs, reranked))
    }

    /// The facet lists, one per requested facet: counted by merged dictionaries over the
    /// matching documents when the first pass only noted them, else as the first pass counted
    /// them; the entity lists under the request's rules where this engine shows them (and
    /// whether it did).
    fn count_facets(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        later: Option<&Vec<(Arc<GlobalOrdinals>, usize)>>,
        matching: Option<Vec<Vec<tantivy::DocId>>>,
        counted: Option<Vec<Vec<FacetCount>>>,
    ) -> Result<(Vec<Vec<FacetCount>>, bool)> {
        let mut counts = match (later, &matching) {
            (Some(columns), Some(matching)) => {
                facets::count_matching(columns, matching, req.deadline)?
            }
            _ => counted.unwrap_or_default(),
        };
        let shown = match &matching {
            Some(matching) => {
                req.deadline.check()?;
                self.show_entity_facets(searcher, req, matching, &mut counts)?
            }
            None => false,
        };
        Ok((counts, shown))
    }

    /// One hit; its quotes are read from the store only when `quotes`.
    fn hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
        score: f32,
        snippets: Option<&mut SnippetGenerator>,
        quotes: bool,
    ) -> Result<Hit> {
        let parts = Parts { quotes };
        Ok(Hit::from_article(
            read_article_parts(self.fields(), searcher, addr, parts)?,
            score,
            snippets,
        ))
    }

    /// Every hit of `req` (its limit and offset aside) in its order, handed to `each` one at a
    /// time; returns how many there were. Snippets are made only when asked for.
    pub fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        let searcher = self.searcher();
        let prepared = self.prepare(&searcher, req)?;
        let quotes = QuoteFilter::new(req);
        let mut snippets = options
            .snippets
            .then(|| SnippetGenerator::new(prepared.highlights.clone()));
        let size = options.page.max(1);
        let mut after = None;
        let mut count = 0u64;
        // The second pass's candidates come first in its order; the rest follow in the first
        // pass's, their scores scaled as the candidates' first-pass scores were.
        let mut scale = 1.0;
        if req.sort == Sort::Relevance && prepared.plan.active(&req.ranking) {
            let depth = req.ranking.depth.max(1);
            let page = export::Page {
                order: req.sort,
                after: None,
                size: depth,
            };
            let positions =
                deadline::search(&searcher, &prepared.query, &page, until_first(req, count))?;
            let top = positions
                .iter()
                .map(|p| (p.score(req.sort), DocAddress::new(p.segment, p.doc)))
                .collect();
            // Past the depth the exact total does not matter to the second pass.
            let total = positions.len() as u64 + u64::from(positions.len() >= depth);
            let reranked = rerank::rerank(
                &searcher,
                &|word: &str| self.doc_freq(&searcher, word),
                self.fields(),
                &req.ranking,
                &prepared.plan,
                rerank::FirstPass {
                    top,
                    total,
                    // Every hit is written with its score: all candidates re-scored.
                    end: usize::MAX,
                },
            )?;
            for &(score, addr) in &reranked.docs {
                each(self.hit(&searcher, addr, score, snippets.as_mut(), true)?)?;
                count += 1;
            }
            if positions.len() < depth {
                return Ok(count);
            }
            after = positions.last().copied();
            scale = reranked.original_weight;
        }
        loop {
            let page = export::Page {
                order: req.sort,
                after,
                size,
            };
            let positions =
                deadline::search(&searcher, &prepared.query, &page, until_first(req, count))?;
            for position in &positions {
                let addr = DocAddress::new(position.segment, position.doc);
                let score = scale * position.score(req.sort);
                let mut hit = self.hit(&searcher, addr, score, snippets.as_mut(), true)?;
                hit.quotes = quotes.select(std::mem::take(&mut hit.quotes));
                each(hit)?;
                count += 1;
            }
            match positions.last() {
                Some(last) if positions.len() >= size => after = Some(*last),
                _ => return Ok(count),
            }
        }
    }

    /// One stored article by id.
    pub fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        let searcher = self.searcher();
        let term = Term::from_field_text(self.fields().id, id);
        let q = TermQuery::new(term, IndexRecordOption::Basic);
        let found = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = found.first() else {
            return Ok(None);
        };
        Ok(Some(read_article(self.fields(), &searcher, *addr)?))
    }

    pub fn stats(&self) -> Result<Stats> {
        let searcher = self.searcher();
        let collector = facets::FacetCollector::new(
            vec![column::SOURCE.into(), column::SECTION.into()],
            usize::MAX,
        );
        let mut counts = searcher.search(&AllQuery, &collector)?.into_iter();
        // Spellings of one outlet are one line, as in the source facet.
        let outlets = SourceTable::from_keys(Vec::new(), Aliases::load(&self.index.path)?);
        let sources = outlets.merge_counts(counts.next().unwrap_or_default(), usize::MAX);
        let sections = counts.next().unwrap_or_default();
        let date_at = |order| -> Result<Option<NaiveDate>> {
            let top = TopDocs::with_limit(1).order_by_fast_field::<DateTime>(column::DATE, order);
            let found = searcher.search(&AllQuery, &top)?;
            Ok(found
                .first()
                .and_then(|(d, _)| *d)
                .and_then(super::document::from_tantivy_date))
        };
        Ok(Stats {
            documents: searcher.num_docs(),
            sources,
            sections,
            oldest: date_at(Order::Asc)?,
            newest: date_at(Order::Desc)?,
            index_bytes: self.index.disk_bytes(),
        })
    }
}

impl Backend for Engine {
    fn location(&self) -> String {
        self.index.path.display().to_string()
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        Engine::search(self, req)
    }

    fn count_each(
        &self,
        req: &SearchRequest,
        sets: &[Vec<crate::entities::rules::Entity>],
    ) -> Result<Vec<u64>> {
        Engine::count_each(self, req, sets)
    }

    /// Each name's document frequency in its kind's exact field: one term look-up per segment,
    /// counting deleted articles too, which only loosens the bound.
    fn indexed_articles(&self, names: &[crate::entities::rules::Entity]) -> Result<Vec<u64>> {
        let searcher = self.searcher();
        let mut out = vec![0u64; names.len()];
        for segment in searcher.segment_readers() {
            // Each kind's terms opened once per segment, not once per name.
            let mut terms = HashMap::new();
            for (total, (kind, name)) in out.iter_mut().zip(names) {
                let field = self.fields().entity_field(*kind);
                let inverted = match terms.entry(field) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(segment.inverted_index(field)?)
                    }
                };
                let term = Term::from_field_text(field, name);
                if let Some(info) =
                    (inverted.get_term_info(&term)).map_err(tantivy::TantivyError::from)?
                {
                    *total += u64::from(info.doc_freq);
                }
            }
        }
        Ok(out)
    }

    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        Engine::article(self, id)
    }

    fn related(
        &self,
        article: &StoredArticle,
        limit: usize,
    ) -> Result<Vec<crate::model::results::RelatedHit>> {
        related::related(self.fields(), &self.searcher(), article, limit)
    }

    fn stats(&self) -> Result<Stats> {
        Engine::stats(self)
    }

    fn check(&self) -> Result<crate::model::check::CheckReport> {
        super::check::check(&self.index.path)
    }

    fn warm(&self) -> Result<()> {
        Engine::warm(self)
    }

    fn entity_rules(&self) -> Result<EntityRules> {
        super::rules::load(&self.index.path)
    }

    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()> {
        super::rules::save(&self.index.path, rules)?;
        super::worked::refresh(&self.index.path);
        Ok(())
    }

    fn entity_merges(&self) -> Result<crate::entities::merges::EntityMerges> {
        super::rules::load_merges(&self.index.path)
    }

    fn effective_rules(&self) -> Result<EntityRules> {
        super::worked::load(&self.index.path)
    }

    fn copy_groups(&self) -> Result<Arc<crate::model::copies::CopyGroups>> {
        self.groups
            .get(&self.index.path, &|| self.searcher(), &self.index.fields)
    }

    fn rules_version(&self) -> Result<crate::entities::rules::RulesVersion> {
        super::rules::version(&self.index.path)
    }

    fn access_keys(&self) -> Result<crate::model::keys::KeyRing> {
        super::keys::load(&self.index.path)
    }

    fn update_access_keys(
        &self,
        change: &mut dyn FnMut(&mut crate::model::keys::KeyRing) -> Result<()>,
    ) -> Result<crate::model::keys::KeyRing> {
        super::keys::update(&self.index.path, change)
    }

    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        Engine::export(self, req, options, each)
    }
}

/// A request made ready to run: the query, and what snippets and `--explain` need.
struct Prepared {
    query: Box<dyn Query>,
    highlights: Vec<Highlight>,
    understood: Vec<Understood>,
    plan: Plan,
    sources: SourceTable,
}

#[cfg(test)]
mod tests {
    use super::DocFreqCache;

    #[test]
    fn doc_freqs_are_forgotten_with_a_new_generation() {
        let mut cache = DocFreqCache::default();
        cache.put(3, "tax", 12);
        assert_eq!(cache.get(3, "tax"), Some(12));
        assert_eq!(cache.get(4, "tax"), None);
        // A query still on an older searcher does not write its counts over the newer ones.
        cache.put(2, "war", 5);
        assert_eq!(cache.get(3, "war"), None);
        cache.put(4, "war", 6);
        assert_eq!(cache.get(4, "war"), Some(6));
        assert_eq!(cache.get(4, "tax"), None);
    }
}
