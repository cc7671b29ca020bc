//! The OpenSearch engine: the same newsdex on a cluster the user already runs.
//!
//! Everything but storage and matching is shared with the embedded engine: articles arrive parsed
//! and tagged, queries arrive parsed (and are translated in [`dsl`]), snippets come from the one
//! snippet generator on the text the cluster returns, and results leave in the embedded engine's
//! JSON shape. Facet counts are exact: a terms aggregation is trusted only when OpenSearch reports
//! no possible error (every shard returned every value, which `shard_size` makes the common case),
//! and otherwise the values are counted exhaustively with a composite aggregation. Pages deeper
//! than the cluster's result window are reached with `search_after`.
pub mod client;
pub mod copies;
pub mod document;
pub mod dsl;
pub mod mapping;
pub mod ranking;
pub mod rerank;
mod revalidated;
pub mod sources;
pub mod store;
pub mod url;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::backend::Backend;
use crate::entities::rules::EntityRules;
use crate::model::article::StoredArticle;
use crate::model::check::CheckReport;
use crate::model::fields::name;
use crate::model::manifest::Manifest;
use crate::model::query;
use crate::model::quoted::QuoteFilter;
use crate::model::request::SearchRequest;
use crate::model::request::{ExportOptions, Facet, Sort};
use crate::model::request::{MAX_LIMIT, drops_stop_words};
use crate::model::results::FacetCount;
use crate::model::results::Hit;
use crate::model::results::{QueryExplanation, RelatedHit, SearchResults, Stats};
use crate::model::snippet::SnippetGenerator;
use crate::model::sources::{Aliases, SourceTable};
use crate::model::timeline::{self, Interval, Timeline};
use crate::{Error, Result};
use client::{Client, Method};
use mapping::meta;
pub use url::EngineUrl;

/// OpenSearch's default `index.max_result_window`: deeper pages go through `search_after`.
const RESULT_WINDOW: usize = 10_000;
/// Values per page of an exhaustive (composite) count.
const COMPOSITE_PAGE: usize = 1_000;
/// Manifest entries per page when the manifest is read.
const MANIFEST_PAGE: usize = 5_000;

/// How long the saved settings read from the cluster are used before their sequence number is
/// asked again: another process's change to aliases or rules shows within this time.
pub const SETTINGS_FRESH: Duration = Duration::from_secs(3);

/// A handle on one newsdex index in a cluster. Cheap to clone (clones share the settings cache).
#[derive(Clone)]
pub struct OpenSearch {
    pub client: Arc<Client>,
    settings: revalidated::Revalidated<Value>,
    /// The groups of copies as last read.
    groups: copies::GroupsCache,
}

/// A companion document's `(_seq_no, _primary_term)`, `None` while there is no document.
pub type DocVersion = Option<(u64, u64)>;

/// What [`OpenSearch::ensure`] found.
enum Ensured {
    /// The index was made by this call.
    Created,
    /// It was there (or another process made it meanwhile), with this mapping reply.
    Found(Value),
}

/// The version of a `GET _doc` reply (`None` for a missing document).
fn doc_version(reply: &client::Reply) -> Option<(u64, u64)> {
    reply.body["_seq_no"]
        .as_u64()
        .zip(reply.body["_primary_term"].as_u64())
}

/// The companion-index id of a file's manifest entry (keys are long; ids should not be).
pub fn manifest_id(key: &str) -> String {
    format!("file-{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

impl OpenSearch {
    fn connect(url: EngineUrl) -> OpenSearch {
        OpenSearch {
            client: Arc::new(Client::new(url)),
            settings: revalidated::Revalidated::new(false),
            groups: revalidated::Revalidated::new(true),
        }
    }

    pub fn url(&self) -> &EngineUrl {
        &self.client.url
    }

    fn index(&self) -> &str {
        &self.client.url.index
    }

    /// Open an existing index for reading; a clear error when there is none or it is not ours.
    pub fn open(url: EngineUrl) -> Result<OpenSearch> {
        let engine = Self::connect(url);
        if !engine.check_mapping(engine.index())? {
            return Err(engine
                .client
                .error("no newsdex index there (run `newsdex index DIR --engine URL` first)"));
        }
        Ok(engine)
    }

    /// Open for an index run: create the index and its companion when absent (anew with
    /// `rebuild`), check their mapping version when present. `true` with it when this run created
    /// the article index: it is in load mode ([`mapping::article_index`]) and holds nothing
    /// older than the run.
    pub fn open_for_writing(url: EngineUrl, rebuild: bool) -> Result<(OpenSearch, bool)> {
        let engine = Self::connect(url);
        let (articles, companion) = (engine.index().to_string(), engine.url().meta_index());
        // The entity rules describe names, not articles: a rebuild keeps them.
        let kept_rules = if rebuild {
            engine.saved_rules_text().ok().flatten()
        } else {
            None
        };
        if rebuild {
            for index in [&articles, &companion] {
                let reply = engine
                    .client
                    .call_any(Method::DELETE, &format!("/{index}"), None)?;
                if !reply.ok() && reply.status != 404 {
                    return Err(engine.client.refused(&format!("/{index}"), &reply));
                }
            }
        }
        let layout = engine.url().layout;
        let fresh = match engine.ensure(&articles, &mapping::article_index(layout))? {
            Ensured::Created => true,
            Ensured::Found(found) => {
                if let Some(replicas) = mapping::declared_loading(&found, &articles) {
                    // A run killed in load mode left it so; this run writes into a served index.
                    engine.end_load(replicas)?;
                }
                false
            }
        };
        engine.ensure(&companion, &mapping::meta_index())?;
        if let Some(text) = kept_rules {
            engine.save_setting(meta::ENTITY_RULES, json!(text))?;
        }
        Ok((engine, fresh))
    }

    /// End load mode: a flush, the layout's replicas (`replicas`; an index loaded by an earlier
    /// build had none meanwhile), the periodic refresh back, and the
    /// mark in the mapping gone last, so a run killed in between is put right by the next one. Waits
    /// while the replicas copy the segments, so a run ends with the layout it was asked for; a
    /// cluster with too few nodes never starts them, which is no reason to wait.
    pub fn end_load(&self, replicas: u64) -> Result<()> {
        let index = self.index();
        // A Lucene commit first: a new replica copies the last commit's files and replays the
        // operations after it one by one, which without this is every article again (59 s
        // against 4 s for a tenth of AllSides).
        self.client
            .call(Method::POST, &format!("/{index}/_flush"), None)?;
        self.client.call(
            Method::PUT,
            &format!("/{index}/_settings"),
            Some(&mapping::loaded(replicas)),
        )?;
        self.client.call(
            Method::PUT,
            &format!("/{index}/_mapping"),
            Some(&mapping::loaded_meta()),
        )?;
        // A timeout (408) leaves the copies to finish on their own: the articles are all in.
        self.client.call_any(
            Method::GET,
            &format!(
                "/_cluster/health/{index}?wait_for_events=languid\
                 &wait_for_no_initializing_shards=true&timeout=120s"
            ),
            None,
        )?;
        Ok(())
    }

    /// Create `index` with `body` unless it exists; either way it must be ours afterwards.
    fn ensure(&self, index: &str, body: &Value) -> Result<Ensured> {
        if let Some(found) = self.our_mapping(index)? {
            return Ok(Ensured::Found(found));
        }
        let reply = self
            .client
            .call_any(Method::PUT, &format!("/{index}"), Some(body))?;
        let raced =
            reply.body["error"]["type"].as_str() == Some("resource_already_exists_exception");
        if !reply.ok() && !raced {
            return Err(self.client.refused(&format!("/{index}"), &reply));
        }
        // Wait until the new index can take writes (its primaries are allocated).
        self.client.call(
            Method::GET,
            &format!("/_cluster/health/{index}?wait_for_active_shards=1&wait_for_status=yellow&timeout=30s"),
            None,
        )?;
        match self.our_mapping(index)? {
            Some(found) if raced => Ok(Ensured::Found(found)),
            _ => Ok(Ensured::Created),
        }
    }

    /// Whether `index` exists; an error if it exists but is not of this mapping version.
    fn check_mapping(&self, index: &str) -> Result<bool> {
        Ok(self.our_mapping(index)?.is_some())
    }

    /// The mapping of `index` (`GET _mapping`'s reply) when it exists; an error if it exists
    /// but is not of this mapping version.
    fn our_mapping(&self, index: &str) -> Result<Option<Value>> {
        let reply = self
            .client
            .call_any(Method::GET, &format!("/{index}/_mapping"), None)?;
        if reply.status == 404 {
            return Ok(None);
        }
        if !reply.ok() {
            return Err(self.client.refused(&format!("/{index}/_mapping"), &reply));
        }
        let incompatible = |reason: String| Error::Incompatible {
            path: PathBuf::from(format!("{}", self.url())),
            reason,
        };
        match mapping::declared_version(&reply.body, index) {
            None => Err(incompatible(format!(
                "the index {index} was not created by newsdex (its mapping has no {})",
                mapping::VERSION_KEY
            ))),
            Some(v) if v != mapping::MAPPING_VERSION => Err(incompatible(format!(
                "the index {index} has mapping version {v}, this newsdex reads version {}; incompatible, rebuild",
                mapping::MAPPING_VERSION
            ))),
            Some(_) => Ok(Some(reply.body)),
        }
    }

    fn search_raw(&self, index: &str, body: &Value) -> Result<Value> {
        self.search_with(index, body, "")
    }

    /// A `_search` with a query string (`""` or `?...`); an error when any shard did not answer,
    /// so a total or facet count is never short by what a lost node held.
    fn search_with(&self, index: &str, body: &Value, query: &str) -> Result<Value> {
        let reply = self.client.call(
            Method::POST,
            &format!("/{index}/_search{query}"),
            Some(body),
        )?;
        let shards = &reply["_shards"];
        let failed = shards["failed"].as_u64().unwrap_or(0);
        let total = shards["total"].as_u64().unwrap_or(0);
        let answered =
            shards["successful"].as_u64().unwrap_or(0) + shards["skipped"].as_u64().unwrap_or(0);
        if failed > 0 || answered < total || reply["timed_out"].as_bool() == Some(true) {
            return Err(self.client.error(format!(
                "only {answered} of the index's {total} shards answered ({failed} failed{}): the \
                 cluster is missing part of the index; try again when it is green",
                if reply["timed_out"].as_bool() == Some(true) {
                    ", timed out"
                } else {
                    ""
                }
            )));
        }
        Ok(reply)
    }

    /// Articles in the index.
    pub fn count(&self) -> Result<u64> {
        let index = self.index();
        self.client
            .call(Method::POST, &format!("/{index}/_refresh"), None)?;
        let reply = self
            .client
            .call(Method::GET, &format!("/{index}/_count"), None)?;
        Ok(reply["count"].as_u64().unwrap_or(0))
    }

    /// Every manifest entry in the companion index.
    pub fn load_manifest(&self) -> Result<Manifest> {
        let mut manifest = Manifest::default();
        let body = json!({
            "query": { "term": { meta::KIND: meta::FILE_KIND } },
            "sort": [{ meta::KEY: "asc" }],
        });
        self.each_sorted_hit(&self.url().meta_index(), body, |hit| {
            if let Some((key, entry)) = store::entry_from(&hit["_source"]) {
                manifest.files.insert(key, entry);
            }
        })?;
        Ok(manifest)
    }

    /// Every hit of `body` (a query with a total sort) in `index`, in pages of `MANIFEST_PAGE`
    /// walked with `search_after`.
    fn each_sorted_hit(
        &self,
        index: &str,
        mut body: Value,
        mut each: impl FnMut(&Value),
    ) -> Result<()> {
        body["size"] = json!(MANIFEST_PAGE);
        loop {
            let reply = self.search_raw(index, &body)?;
            let hits = reply["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            hits.iter().for_each(&mut each);
            if hits.len() < MANIFEST_PAGE {
                return Ok(());
            }
            if let Some(last) = hits.last() {
                body["search_after"] = last["sort"].clone();
            }
        }
    }

    fn settings_path(&self) -> String {
        format!("/{}/_doc/{}", self.url().meta_index(), meta::SETTINGS_ID)
    }

    /// The settings document as the cluster holds it now, with its version.
    fn read_settings(&self, source: bool) -> Result<(Value, Option<(u64, u64)>)> {
        self.read_meta_doc(self.settings_path(), source)
    }

    /// A companion-index document at `path` as the cluster holds it now (its `_source` only
    /// when asked for), with its version; `{}` and no version when there is none.
    fn read_meta_doc(&self, mut path: String, source: bool) -> Result<(Value, Option<(u64, u64)>)> {
        if !source {
            path.push_str("?_source=false");
        }
        let reply = self.client.call_any(Method::GET, &path, None)?;
        match reply.status {
            404 => Ok((json!({}), None)),
            _ if reply.ok() => Ok((reply.body["_source"].clone(), doc_version(&reply))),
            _ => Err(self.client.refused(&path, &reply)),
        }
    }

    /// The saved settings: the process's copy, checked against the document's version (no body)
    /// once it is older than [`SETTINGS_FRESH`], and read again once that version changed.
    fn settings_doc(&self) -> Result<Arc<Value>> {
        Ok(self.versioned_settings()?.0)
    }

    /// [`Self::settings_doc`] with the version it is (see [`revalidated`]).
    fn versioned_settings(&self) -> Result<(Arc<Value>, DocVersion)> {
        self.settings.get(
            self,
            |engine| Ok(engine.read_settings(false)?.1),
            || self.read_settings(true),
        )
    }

    /// Forget the cached settings (this process just changed them).
    fn settings_changed(&self) {
        self.settings.forget();
    }

    /// The collection figures BM25F reads: as the last index run saved them, else counted now
    /// (an index no run has committed to yet).
    fn figures(&self) -> Result<ranking::Figures> {
        if let Some(f) = ranking::Figures::from_json(&self.settings_doc()?[meta::RANKING_STATS]) {
            return Ok(f);
        }
        self.count_figures()
    }

    /// The collection figures counted by the cluster: one search, every document.
    fn count_figures(&self) -> Result<ranking::Figures> {
        let body = json!({
            "size": 0, "track_total_hits": true, "query": { "match_all": {} },
            "aggs": ranking::Figures::aggregations(),
        });
        Ok(ranking::Figures::from_reply(
            &self.search_raw(self.index(), &body)?,
        ))
    }

    /// Count the collection figures and save them with the index, for every search to read
    /// from the settings it already caches. Called when an index run commits.
    pub fn save_figures(&self, fold: Option<ranking::FoldRange>) -> Result<()> {
        let figures = ranking::Figures {
            fold,
            ..self.count_figures()?
        };
        self.save_setting(meta::RANKING_STATS, figures.to_json())
    }

    /// The source aliases saved with the index, one `FROM=TO` a line.
    fn saved_aliases(&self) -> Result<Vec<String>> {
        Ok(self.settings_doc()?[meta::SOURCE_ALIASES]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub fn save_source_aliases(&self, new: &[(String, String)]) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let mut lines = self.saved_aliases()?;
        for (from, to) in new {
            let line = format!("{from}={to}");
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        self.save_setting(meta::SOURCE_ALIASES, json!(lines))
    }

    /// Set one field of the saved settings, keeping the others.
    fn save_setting(&self, key: &str, value: Value) -> Result<()> {
        let mut doc = Value::clone(&*self.settings_doc()?);
        if !doc.is_object() {
            doc = json!({});
        }
        doc[meta::KIND] = json!(meta::SETTINGS_ID);
        doc[key] = value;
        // Read back by id (real-time), never searched: no refresh to wait for.
        let path = self.settings_path();
        let written = self.client.call(Method::PUT, &path, Some(&doc)).map(|_| ());
        self.settings_changed();
        written
    }

    /// The entity rules file's text kept in the settings, if any.
    fn saved_rules_text(&self) -> Result<Option<String>> {
        Ok(self.settings_doc()?[meta::ENTITY_RULES]
            .as_str()
            .map(str::to_string))
    }

    /// Saved aliases with the request's own on top.
    fn aliases(&self, req: &SearchRequest) -> Result<Aliases> {
        let text = self.saved_aliases()?.join("\n");
        let mut aliases = Aliases::parse(&text, &self.url().masked())?;
        for (from, to) in &req.source_aliases {
            aliases.add(from, to);
        }
        Ok(aliases)
    }

    /// Every entity name the index holds, per kind, with the articles carrying it.
    pub fn entity_names(&self) -> Result<crate::entities::merges::NamesByKind> {
        let mut out = BTreeMap::new();
        for kind in crate::entities::EntityKind::ALL {
            let column = crate::model::fields::entity_column(kind);
            let names = self
                .all_counts(&json!({ "match_all": {} }), column)?
                .into_iter()
                .map(|c| crate::entities::merges::NameCount {
                    name: c.value,
                    articles: c.count,
                })
                .collect();
            out.insert(kind, names);
        }
        Ok(out)
    }

    /// Every link value with its articles, decoded.
    pub fn entity_links(&self) -> Result<Vec<crate::entities::merges::LinkCount>> {
        Ok(self
            .all_counts(&json!({ "match_all": {} }), name::ENTITY_LINK)?
            .into_iter()
            .filter_map(|c| crate::entities::merges::LinkCount::of_value(&c.value, c.count))
            .collect())
    }

    pub fn save_entity_merges(&self, merges: &crate::entities::merges::EntityMerges) -> Result<()> {
        self.save_setting(meta::ENTITY_MERGES, json!(merges.to_json()))
    }

    /// Exact counts of every value of `field` among the articles matching `query`.
    fn all_counts(&self, query: &Value, field: &str) -> Result<Vec<FacetCount>> {
        let mut counts = Vec::new();
        let mut after: Option<Value> = None;
        loop {
            let mut composite = json!({
                "size": COMPOSITE_PAGE,
                "sources": [{ "v": { "terms": { "field": field } } }],
            });
            if let Some(a) = &after {
                composite["after"] = a.clone();
            }
            let body = json!({
                "size": 0, "track_total_hits": false, "query": query,
                "aggs": { "all": { "composite": composite } },
            });
            let reply = self.search_raw(self.index(), &body)?;
            let agg = &reply["aggregations"]["all"];
            let buckets = agg["buckets"].as_array().cloned().unwrap_or_default();
            for b in &buckets {
                if let (Some(value), Some(count)) =
                    (b["key"]["v"].as_str(), b["doc_count"].as_u64())
                {
                    counts.push(FacetCount {
                        value: value.to_string(),
                        count,
                    });
                }
            }
            if buckets.len() < COMPOSITE_PAGE || agg["after_key"].is_null() {
                break;
            }
            after = Some(agg["after_key"].clone());
        }
        counts.sort_by(by_count_then_value);
        Ok(counts)
    }

    /// The facet counts of one facet: the terms aggregation's when it is exact, else counted.
    fn facet_counts(
        &self,
        facet: Facet,
        reply: &Value,
        query: &Value,
        size: usize,
    ) -> Result<Vec<FacetCount>> {
        let agg = &reply["aggregations"][facet.name()];
        if top_is_exact(agg, size) {
            let mut counts: Vec<FacetCount> = agg["buckets"]
                .as_array()
                .map(|bs| {
                    bs.iter()
                        .filter_map(|b| {
                            Some(FacetCount {
                                value: b["key"].as_str()?.to_string(),
                                count: b["doc_count"].as_u64()?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            counts.sort_by(by_count_then_value);
            return Ok(counts);
        }
        let mut counts = self.all_counts(query, facet.column())?;
        counts.truncate(size);
        Ok(counts)
    }

    /// The source facet from the reply's aggregations, or counted exhaustively when the
    /// cluster cannot vouch for them.
    fn source_facet(
        &self,
        reply: &Value,
        query: &Value,
        table: &SourceTable,
        size: usize,
    ) -> Result<Vec<FacetCount>> {
        if let Some((spellings, cut)) = sources::spelling_counts(&reply["aggregations"]) {
            let merged = table.merge_counts(spellings, size);
            // Keys left out of the list count at most `cut`: a tie with the last outlet shown
            // could order either way, so only a strictly larger last outlet is certain; a list
            // short of `size` while keys were left out is missing some of them.
            let certain = match (cut, merged.last()) {
                (Some(cut), Some(last)) => merged.len() == size && last.count > cut,
                (Some(_), None) => false,
                (None, _) => true,
            };
            if certain {
                return Ok(merged);
            }
        }
        let all = self.all_counts(query, Facet::Source.column())?;
        Ok(table.merge_counts(all, size))
    }

    /// The first pass's top (`found`, best first, with their text) re-scored by proximity and
    /// gated feedback; a second request only when the gate wants the samples' word counts.
    fn second_pass(
        &self,
        plan: &rerank::Plan<'_>,
        found: Vec<Value>,
        reply: &Value,
        total: u64,
        end: usize,
    ) -> Result<SecondPass> {
        let top: Vec<rerank::Candidate> = found
            .into_iter()
            .map(|h| {
                let score = h["_score"].as_f64().unwrap_or(0.0) as f32;
                let article = document::from_source(&h["_source"]);
                rerank::Candidate::new(score, h, article)
            })
            .collect();
        let mut freqs = rerank::DocFreqs::from_aggregations(&reply["aggregations"][QUERY_WORDS]);
        let mut expansion = Vec::new();
        let mut decision = None;
        if plan.feedback {
            let (words, first_look) = plan.sample_words(&top, total);
            decision = Some(first_look.clone());
            if let Some(words) = words {
                let body = json!({
                    "size": 0, "track_total_hits": false, "query": { "match_all": {} },
                    "aggs": rerank::DocFreqs::aggregations(&words, true),
                });
                let counted = self.search_raw(self.index(), &body)?;
                let mut more = rerank::DocFreqs::from_aggregations(&counted["aggregations"]);
                more.either.extend(std::mem::take(&mut freqs.either));
                freqs = more;
                let (e, d) = plan.expansion(&top, &freqs, first_look);
                expansion = e;
                decision = Some(d);
            }
        }
        Ok(SecondPass {
            ranked: plan.rescore(top, end, &expansion, &freqs),
            expansion,
            decision,
        })
    }

    /// Hits `offset..offset+limit` beyond the result window, walked with `search_after`.
    fn deep_page(
        &self,
        query: &Value,
        sort: &Value,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Value>> {
        let mut after: Option<Value> = None;
        let mut skipped = 0;
        while skipped < offset {
            let step = (offset - skipped).min(RESULT_WINDOW);
            let mut body = json!({
                "size": step, "query": query, "sort": sort,
                "_source": false, "track_total_hits": false,
            });
            if let Some(a) = &after {
                body["search_after"] = a.clone();
            }
            let reply = self.search_raw(self.index(), &body)?;
            let hits = reply["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            skipped += hits.len();
            match hits.last() {
                Some(h) if hits.len() == step => after = Some(h["sort"].clone()),
                _ => return Ok(Vec::new()),
            }
        }
        let mut body = json!({
            "size": limit, "query": query, "sort": sort,
            "_source": document::returned_source(), "track_total_hits": false,
        });
        if let Some(a) = after {
            body["search_after"] = a;
        }
        let reply = self.search_raw(self.index(), &body)?;
        Ok(reply["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }
}

/// Whether a terms aggregation's first `size` buckets are the exact top list: every shard sent
/// all its values (no possible error), or each listed bucket was counted on every shard (its
/// own error 0) and the last listed count is above what any value left out could have (the
/// aggregation's error bound), as happens with long-tailed entity names.
fn top_is_exact(agg: &Value, size: usize) -> bool {
    let bound = agg["doc_count_error_upper_bound"].as_u64();
    if bound == Some(0) {
        return true;
    }
    let (Some(bound), Some(buckets)) = (bound, agg["buckets"].as_array()) else {
        return false;
    };
    if buckets.len() < size {
        return false;
    }
    let listed = &buckets[..size];
    listed
        .iter()
        .all(|b| b["doc_count_error_upper_bound"].as_u64() == Some(0))
        && listed
            .last()
            .and_then(|b| b["doc_count"].as_u64())
            .is_some_and(|last| last > bound)
}

fn by_count_then_value(a: &FacetCount, b: &FacetCount) -> std::cmp::Ordering {
    b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value))
}

/// Result order, with the id as the tie-breaker `search_after` needs.
/// Names of the aggregations a timeline is read from.
const TIMELINE_DAYS: &str = "timeline_days";
const TIMELINE_UNDATED: &str = "timeline_undated";
/// A hit of the page: the cluster's hit, and its second-pass score and explanation when the
/// second pass re-scored it.
type PageHit = (Value, Option<(f32, Value)>);

/// The second pass's outcome: the re-scored top and what `--explain` shows of it.
struct SecondPass {
    ranked: Vec<rerank::Rescored>,
    expansion: Vec<crate::model::explain::Expansion>,
    decision: Option<crate::model::explain::FeedbackDecision>,
}

/// The aggregation that counts the query words' documents, for proximity's idf.
const QUERY_WORDS: &str = "query_words";
/// The aggregation that counts articles per set of entity names.
const SETS: &str = "entity_sets";

/// The timeline from a reply's per-day histogram and its count of undated matches.
fn timeline_of(reply: &Value, interval: Interval) -> Timeline {
    let aggs = &reply["aggregations"];
    let days: HashMap<NaiveDate, u64> = aggs[TIMELINE_DAYS]["buckets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|b| {
            let day = b["key_as_string"].as_str()?.parse().ok()?;
            Some((day, b["doc_count"].as_u64()?))
        })
        .collect();
    let undated = aggs[TIMELINE_UNDATED]["doc_count"].as_u64().unwrap_or(0);
    timeline::histogram(&days, interval, undated)
}

/// Ranked searches score with the whole index's term statistics (`dfs_query_then_fetch`: each
/// shard's counts gathered first, inside the cluster, in the same request), as the embedded
/// index does; otherwise a term's weight would depend on which shard an article landed in.
fn search_type(req: &SearchRequest) -> &'static str {
    if req.sort == Sort::Relevance && !req.query.trim().is_empty() {
        "?search_type=dfs_query_then_fetch"
    } else {
        ""
    }
}

fn sort_of(sort: Sort) -> Value {
    let tie = json!({ name::ID: "asc" });
    match sort {
        Sort::Relevance => json!(["_score", tie]),
        Sort::Newest => json!([{ name::DATE: { "order": "desc", "missing": "_last" } }, tie]),
        Sort::Oldest => json!([{ name::DATE: { "order": "asc", "missing": "_last" } }, tie]),
    }
}

/// A returned document as a hit, scored as the result order says.
fn hit(found: &Value, sort: Sort, snippets: Option<&mut SnippetGenerator>) -> Hit {
    let score = if sort == Sort::Relevance {
        found["_score"].as_f64().unwrap_or(0.0) as f32
    } else {
        0.0
    };
    Hit::from_article(document::from_source(&found["_source"]), score, snippets)
}

/// A request translated for the cluster: its query, what snippets mark, the sources it knows.
struct Prepared {
    query: Value,
    /// The same query as a ranked search's first pass: the same articles, each word over
    /// headline and body ordered by its weighted stems, no script (`ranking::first_pass_word_query`).
    first: Value,
    highlights: Vec<crate::model::highlight::Highlight>,
    table: SourceTable,
    /// The source keys aliases name, counted apart in a source facet.
    aliased: Vec<String>,
    /// The query's positive unquoted words (stems) in its order, for the second pass.
    scored: Vec<String>,
    collection: crate::model::scoring::Collection,
    /// Whether the first pass's weighted stems score BM25F exactly enough to rank by
    /// (`ranking::Figures::folded_is_exact`): then no script re-scores the top.
    folded: bool,
    /// How each leaf of the query was understood (`--explain`).
    leaves: Vec<crate::model::explain::Understood>,
}

impl OpenSearch {
    fn prepare(&self, req: &SearchRequest) -> Result<Prepared> {
        let tree = query::parse(&req.query, req.match_mode)?;
        let aliases = self.aliases(req)?;
        // The keys aliases name are all a filter needs: a key no alias names is its own outlet.
        let aliased = aliases.keys();
        let table = SourceTable::from_keys(aliased.clone(), aliases);
        let figures = self.figures()?;
        let collection = figures.collection();
        let folded = figures.folded_is_exact(&req.ranking.bm25f);
        let make = |first_pass: bool| {
            let mut t = dsl::Translator::new(req, collection);
            t.drop_stop_words = drops_stop_words(&tree, req);
            t.sources = Some(&table);
            t.entity_rules = Some(req.entity_rules.as_ref());
            t.first_pass = first_pass;
            t
        };
        let whole = |text: Option<Value>| {
            let text = match text {
                None if !req.query.trim().is_empty() => Some(json!({ "match_none": {} })),
                q => q,
            };
            json!({ "bool": {
                "must": [text.unwrap_or_else(|| json!({ "match_all": {} }))],
                "filter": dsl::filters(req, Some(&table)),
            }})
        };
        let mut translator = make(false);
        let query = whole(translator.build(&tree));
        let first = whole(make(true).build(&tree));
        let highlights = std::mem::take(&mut translator.highlights);
        let scored = std::mem::take(&mut translator.scored);
        let leaves = std::mem::take(&mut translator.understood);
        drop(translator);
        Ok(Prepared {
            query,
            first,
            highlights,
            table,
            aliased,
            scored,
            collection,
            folded,
            leaves,
        })
    }
}

impl Backend for OpenSearch {
    fn location(&self) -> String {
        self.url().masked()
    }

    fn entity_rules(&self) -> Result<EntityRules> {
        match self.saved_rules_text()? {
            Some(text) => {
                EntityRules::parse(&text, &format!("{} entity rules", self.url().masked()))
            }
            None => Ok(EntityRules::default()),
        }
    }

    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()> {
        self.save_setting(meta::ENTITY_RULES, json!(rules.to_toml()))
    }

    /// The settings document's version: rules and merges are both kept in it, and the cache
    /// revalidates it by `_seq_no` as it does for every other setting.
    fn rules_version(&self) -> Result<crate::entities::rules::RulesVersion> {
        use std::hash::{Hash, Hasher};
        let (_, version) = self.versioned_settings()?;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        version.hash(&mut hasher);
        Ok(crate::entities::rules::RulesVersion(hasher.finish()))
    }

    /// Kept as JSON text in the companion settings document, like the rules.
    fn copy_groups(&self) -> Result<Arc<crate::model::copies::CopyGroups>> {
        OpenSearch::copy_groups(self)
    }

    /// No bound: a round trip per name would cost more than the counts it could spare.
    fn indexed_articles(&self, names: &[crate::entities::rules::Entity]) -> Result<Vec<u64>> {
        Ok(vec![u64::MAX; names.len()])
    }

    /// Worked out on every read: a remote index keeps no file beside it to hold them.
    fn effective_rules(&self) -> Result<EntityRules> {
        let rules = Backend::entity_rules(self)?;
        Ok(Backend::entity_merges(self)?.under(&rules))
    }

    fn entity_merges(&self) -> Result<crate::entities::merges::EntityMerges> {
        match self.settings_doc()?[meta::ENTITY_MERGES].as_str() {
            Some(text) => crate::entities::merges::EntityMerges::parse(
                text,
                &format!("{} entity merges", self.url().masked()),
            ),
            None => Ok(Default::default()),
        }
    }

    /// Kept as the JSON text of the keys file in the companion settings document, which the
    /// companion mapping does not index (`dynamic: false`): the digests are stored, never searched.
    /// Read fresh, past the settings cache: a revoked key must stop working as soon as the
    /// server's own reload says, not a cache period later.
    fn access_keys(&self) -> Result<crate::model::keys::KeyRing> {
        match self.read_settings(true)?.0[meta::ACCESS_KEYS].as_str() {
            Some(text) => crate::model::keys::KeyRing::parse(
                text,
                &format!("{} access keys", self.url().masked()),
            ),
            None => Ok(crate::model::keys::KeyRing::default()),
        }
    }

    /// Optimistic: the settings document is written only if nobody wrote it since it was read
    /// (`if_seq_no`), else read and changed again.
    fn update_access_keys(
        &self,
        change: &mut dyn FnMut(&mut crate::model::keys::KeyRing) -> Result<()>,
    ) -> Result<crate::model::keys::KeyRing> {
        const TRIES: usize = 8;
        let path = self.settings_path();
        for _ in 0..TRIES {
            let (mut doc, version) = self.read_settings(true)?;
            if !doc.is_object() {
                doc = json!({});
            }
            let mut ring = match doc[meta::ACCESS_KEYS].as_str() {
                Some(text) => crate::model::keys::KeyRing::parse(
                    text,
                    &format!("{} access keys", self.url().masked()),
                )?,
                None => crate::model::keys::KeyRing::default(),
            };
            change(&mut ring)?;
            doc[meta::KIND] = json!(meta::SETTINGS_ID);
            doc[meta::ACCESS_KEYS] = json!(ring.to_json());
            let put = match version {
                Some((seq, term)) => {
                    format!("{path}?refresh=wait_for&if_seq_no={seq}&if_primary_term={term}")
                }
                None => format!("{path}?refresh=wait_for&op_type=create"),
            };
            let written = self.client.call_any(Method::PUT, &put, Some(&doc))?;
            self.settings_changed();
            if written.ok() {
                return Ok(ring);
            }
            if written.status != 409 {
                return Err(self.client.refused(&put, &written));
            }
        }
        Err(Error::Engine {
            url: self.url().masked(),
            message: format!(
                "the access keys were changed by others {TRIES} times while this change was made; try again"
            ),
        })
    }

    /// Pages of `options.page` hits walked with `search_after` on the result order (the id breaks
    /// ties), so every hit comes exactly once however many there are.
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        let Prepared {
            query, highlights, ..
        } = self.prepare(req)?;
        let mut snippets = options.snippets.then(|| SnippetGenerator::new(highlights));
        let quotes = QuoteFilter::new(req);
        let sort = sort_of(req.sort);
        let size = options.page.clamp(1, RESULT_WINDOW);
        let mut after: Option<Value> = None;
        let mut count = 0u64;
        loop {
            let mut body = json!({
                "size": size, "query": query, "sort": sort,
                "_source": document::returned_source(), "track_total_hits": false,
            });
            if let Some(a) = after.take() {
                body["search_after"] = a;
            }
            let reply = self.search_raw(self.index(), &body)?;
            if count == 0 {
                // The deadline holds until the first hit (see `Backend::export`).
                req.deadline.check()?;
            }
            let found = reply["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for h in &found {
                let mut hit = hit(h, req.sort, snippets.as_mut());
                hit.quotes = quotes.select(std::mem::take(&mut hit.quotes));
                each(hit)?;
                count += 1;
            }
            match found.last() {
                Some(last) if found.len() >= size => after = Some(last["sort"].clone()),
                _ => return Ok(count),
            }
        }
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        let Prepared {
            query,
            first,
            highlights,
            table,
            aliased,
            scored,
            collection,
            folded,
            leaves,
        } = self.prepare(req)?;
        let limit = req.limit.min(MAX_LIMIT);
        let deep = req.offset + limit > RESULT_WINDOW;
        let sort = sort_of(req.sort);
        let plan = rerank::Plan::new(
            &req.ranking,
            &scored,
            req.ranking.feedback.enabled()
                && req.match_mode == query::MatchMode::Any
                && req.sort == Sort::Relevance,
            collection,
        );
        // A ranked page is one request. Its first pass matches (totals, facets) and orders every
        // match by the weighted stems, BM25F as folded at index time, without a script; a
        // rescore ranks each shard's best `depth` (or down to the page's end) by the exact
        // BM25F script and, unless feedback may run, proximity, as the embedded engine re-scores
        // its best `depth`. Feedback reads the whole top, so when its gate may open the top
        // comes back with its text and the second pass (feedback, proximity) is done here.
        let ranked = req.sort == Sort::Relevance && !deep && !req.query.trim().is_empty();
        let window = req.ranking.depth.max(req.offset + limit).max(1);
        let second = ranked && plan.may_feed();
        let (size, from) = match (deep, second) {
            (true, _) => (0, 0),
            (false, true) => (window, 0),
            (false, false) => (limit, req.offset),
        };
        let mut aggs = serde_json::Map::new();
        for facet in &req.facets {
            if *facet == Facet::Source {
                aggs.extend(sources::aggregations(req.facet_size, &aliased));
            } else {
                // Generous per-shard lists make the terms aggregation exact in all but huge cases.
                let shard_size = (req.facet_size * 20).max(1_000);
                aggs.insert(
                    facet.name().to_string(),
                    json!({ "terms": { "field": facet.column(), "size": req.facet_size.max(1), "shard_size": shard_size, "show_term_doc_count_error": true } }),
                );
            }
        }
        if req.timeline.is_some() {
            // Days with articles, exactly (a date histogram is not approximate), bucketed as the
            // embedded engine buckets them.
            aggs.insert(
                TIMELINE_DAYS.to_string(),
                json!({ "date_histogram": { "field": name::DATE, "calendar_interval": "day", "min_doc_count": 1, "format": "yyyy-MM-dd" } }),
            );
            aggs.insert(
                TIMELINE_UNDATED.to_string(),
                json!({ "missing": { "field": name::DATE } }),
            );
        }
        if second && !plan.pairs().is_empty() {
            // Proximity's idf: the query words' document frequencies, counted in this request.
            aggs.insert(
                QUERY_WORDS.to_string(),
                json!({ "global": {}, "aggs": rerank::DocFreqs::aggregations(&scored, false) }),
            );
        }
        let mut body = json!({
            "query": query,
            "track_total_hits": true,
            "size": size,
            "from": from,
            "sort": sort,
            "_source": document::returned_source(),
            "aggs": aggs,
        });
        let proximity = match ranked && !second {
            true => ranking::proximity_clauses(&scored, &plan.pairs(), &req.ranking.proximity),
            false => Vec::new(),
        };
        // A query without words over headline and body (a phrase, a field) is its own first pass.
        // Where the folding holds, the first pass scores BM25F itself and only proximity is
        // added to its best; otherwise the script re-scores them exactly.
        let rescore = match (ranked, folded) {
            (false, _) => None,
            (true, true) => {
                body["query"] = first;
                (!proximity.is_empty()).then(|| ranking::proximity_rescore(window, proximity))
            }
            (true, false) if first != body["query"] || !proximity.is_empty() => {
                let exact = std::mem::replace(&mut body["query"], first);
                Some(ranking::exact_rescore(window, exact, proximity))
            }
            (true, false) => None,
        };
        if let Some(rescore) = rescore {
            body["rescore"] = rescore;
            // The cluster rescores only a search ordered by score alone: equal scores come in
            // the shards' order, not the id's.
            body.as_object_mut()
                .expect("a search body is an object")
                .remove("sort");
        }
        if req.explain && req.sort == Sort::Relevance {
            // Lucene's own account of each score (the rescore's part included).
            body["explain"] = json!(true);
        }
        // The cluster is not cut short (its own `timeout` answers with what its shards have
        // found so far, a different answer); the request is checked on either side of it.
        req.deadline.check()?;
        let mut reply = self.search_with(self.index(), &body, search_type(req))?;
        req.deadline.check()?;
        let total = reply["hits"]["total"]["value"].as_u64().unwrap_or(0);
        let found = if deep {
            self.deep_page(&query, &sort, req.offset, limit)?
        } else {
            // Taken, not copied: the hits carry the page's texts; the rest of the reply is read on.
            match reply["hits"]["hits"].take() {
                Value::Array(hits) => hits,
                _ => Vec::new(),
            }
        };
        let explain = req.explain && req.sort == Sort::Relevance;
        // Each hit: the cluster's hit, and its second-pass score and explanation when re-scored.
        let (page, expansion, decision): (Vec<PageHit>, _, _) = if second {
            let pass = self.second_pass(&plan, found, &reply, total, req.offset + limit)?;
            let page = pass
                .ranked
                .into_iter()
                .skip(req.offset)
                .take(limit)
                .map(|r| {
                    let tree = if explain {
                        r.explain(r.candidate.hit["_explanation"].clone())
                    } else {
                        Value::Null
                    };
                    let score = r.score;
                    (r.candidate.hit, Some((score, tree)))
                })
                .collect();
            (page, pass.expansion, pass.decision)
        } else {
            (
                found.into_iter().map(|h| (h, None)).collect(),
                Vec::new(),
                None,
            )
        };
        let mut snippets = SnippetGenerator::new(highlights);
        let quotes = QuoteFilter::new(req);
        let hits = page
            .iter()
            .map(|(h, rescored)| {
                let mut hit = hit(h, req.sort, Some(&mut snippets));
                let tree = match rescored {
                    Some((score, tree)) => {
                        hit.score = *score;
                        tree.clone()
                    }
                    None => h["_explanation"].clone(),
                };
                if explain && !tree.is_null() {
                    hit.explanation = Some(tree);
                }
                hit.quotes = quotes.select(std::mem::take(&mut hit.quotes));
                hit
            })
            .collect();
        let mut facets = BTreeMap::new();
        for facet in &req.facets {
            // A facet may ask the cluster again.
            req.deadline.check()?;
            let counts = if *facet == Facet::Source {
                self.source_facet(&reply, &query, &table, req.facet_size)?
            } else {
                self.facet_counts(*facet, &reply, &query, req.facet_size)?
            };
            facets.insert(facet.name().to_string(), counts);
        }
        Ok(SearchResults {
            query: req.query.clone(),
            total,
            offset: req.offset,
            limit,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            cached: false,
            hits,
            facets,
            explanation: req.explain.then_some(QueryExplanation {
                match_mode: req.match_mode,
                leaves,
                expansion,
                feedback: decision,
            }),
            timeline: req.timeline.map(|interval| timeline_of(&reply, interval)),
            collapsed: false,
            entity_facets_shown: false,
        })
    }

    /// One request: a `filters` aggregation with one bucket per set, each an article once.
    fn count_each(
        &self,
        req: &SearchRequest,
        sets: &[Vec<crate::entities::rules::Entity>],
    ) -> Result<Vec<u64>> {
        if sets.is_empty() {
            return Ok(Vec::new());
        }
        let Prepared { query, .. } = self.prepare(req)?;
        let filters: Vec<Value> = sets.iter().map(|s| dsl::entity_terms(s)).collect();
        let body = json!({
            "size": 0, "track_total_hits": false, "query": query,
            "aggs": { (SETS): { "filters": { "filters": filters } } },
        });
        let reply = self.search_raw(self.index(), &body)?;
        let counts: Vec<u64> = reply["aggregations"][SETS]["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .map(|b| b["doc_count"].as_u64().unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default();
        if counts.len() != sets.len() {
            return Err(Error::Other(format!(
                "{}: the engine answered {} counts for {} sets of names",
                self.url().masked(),
                counts.len(),
                sets.len()
            )));
        }
        Ok(counts)
    }

    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        let id = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
        let path = format!("/{}/_doc/{id}", self.index());
        let reply = self.client.call_any(Method::GET, &path, None)?;
        match reply.status {
            404 => Ok(None),
            _ if reply.ok() => Ok(Some(document::from_source(&reply.body["_source"]))),
            _ => Err(self.client.refused(&path, &reply)),
        }
    }

    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>> {
        use crate::model::related::{ENTITY_BOOST, MAX_QUERY_TERMS, RELATIVE_FLOOR, STOP_WORDS};
        let body_text = article.full_body();
        let num_docs = self.count()?;
        let min_tf = if body_text.split_whitespace().count() < 300 {
            1
        } else {
            2
        };
        let mut mlt = json!({
            "fields": [name::HEADLINE, name::BODY],
            "like": [format!("{}\n\n{body_text}", article.headline)],
            "min_doc_freq": 2, "min_term_freq": min_tf,
            "max_query_terms": MAX_QUERY_TERMS, "min_word_length": 3,
            "stop_words": STOP_WORDS,
        });
        if num_docs >= 20 {
            mlt["max_doc_freq"] = json!(num_docs * 2 / 5);
        }
        let mut should = vec![json!({ "more_like_this": mlt })];
        for (kind, names) in &article.entities {
            for entity in names {
                should.push(json!({ "term": { kind.as_str(): { "value": entity, "boost": ENTITY_BOOST } } }));
            }
        }
        let body = json!({
            "size": limit,
            "_source": [name::ID, name::HEADLINE, name::DERIVED_HEADLINE, name::SOURCE, name::DATE],
            "query": { "bool": {
                "should": should, "minimum_should_match": 1,
                "must_not": [{ "term": { name::ID: article.id } }],
            }},
        });
        let reply = self.search_raw(self.index(), &body)?;
        let hits = reply["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let best = hits
            .first()
            .and_then(|h| h["_score"].as_f64())
            .unwrap_or(0.0) as f32;
        Ok(hits
            .iter()
            .map(|h| {
                (
                    h["_score"].as_f64().unwrap_or(0.0) as f32,
                    document::from_source(&h["_source"]),
                )
            })
            .take_while(|(score, _)| *score >= best * RELATIVE_FLOOR)
            .map(|(score, a)| RelatedHit {
                id: a.id,
                headline: a.headline,
                source: a.source,
                date: a.date,
                score,
            })
            .collect())
    }

    fn stats(&self) -> Result<Stats> {
        let all = json!({ "match_all": {} });
        let documents = self.count()?;
        let body = json!({
            "size": 0, "track_total_hits": false,
            "aggs": {
                "oldest": { "min": { "field": name::DATE, "format": "yyyy-MM-dd" } },
                "newest": { "max": { "field": name::DATE, "format": "yyyy-MM-dd" } },
            },
        });
        let reply = self.search_raw(self.index(), &body)?;
        let day = |agg: &str| {
            reply["aggregations"][agg]["value_as_string"]
                .as_str()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let store = self.client.call(
            Method::GET,
            &format!("/{}/_stats/store", self.index()),
            None,
        )?;
        // Spellings of one outlet are one line, as in the source facet.
        let outlets = SourceTable::from_keys(Vec::new(), self.aliases(&SearchRequest::default())?);
        Ok(Stats {
            documents,
            sources: outlets.merge_counts(self.all_counts(&all, name::SOURCE)?, usize::MAX),
            sections: self.all_counts(&all, name::SECTION)?,
            oldest: day("oldest"),
            newest: day("newest"),
            index_bytes: store["_all"]["primaries"]["store"]["size_in_bytes"]
                .as_u64()
                .unwrap_or(0),
        })
    }

    /// Nothing to prepare: the cluster keeps its own caches warm.
    fn warm(&self) -> Result<()> {
        Ok(())
    }

    fn check(&self) -> Result<CheckReport> {
        let mut problems = Vec::new();
        let health = self.client.call(
            Method::GET,
            &format!("/_cluster/health/{}", self.index()),
            None,
        )?;
        if health["status"].as_str() == Some("red") {
            problems.push(
                "some of the index's primary shards are not allocated (cluster status red)"
                    .to_string(),
            );
        }
        let documents = self.count()?;
        let manifest = self.load_manifest()?;
        Ok(CheckReport::new(
            problems,
            documents,
            Some(&manifest),
            "re-run `newsdex index DIR... --engine URL`, or rebuild with --rebuild",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(bound: u64, buckets: &[(u64, u64)]) -> Value {
        let buckets: Vec<Value> = buckets
            .iter()
            .enumerate()
            .map(|(i, (count, error))| {
                json!({ "key": format!("v{i}"), "doc_count": count, "doc_count_error_upper_bound": error })
            })
            .collect();
        json!({ "doc_count_error_upper_bound": bound, "buckets": buckets })
    }

    #[test]
    fn a_long_tail_top_list_is_trusted_only_above_what_a_left_out_value_could_have() {
        // Every shard sent every value.
        assert!(top_is_exact(&agg(0, &[(5, 0), (1, 0)]), 10));
        // Long tail: the last listed value (4) beats any left-out value (at most 2).
        assert!(top_is_exact(&agg(2, &[(9, 0), (4, 0)]), 2));
        // A left-out value could tie or pass the last one listed.
        assert!(!top_is_exact(&agg(4, &[(9, 0), (4, 0)]), 2));
        // A listed value missed on some shard.
        assert!(!top_is_exact(&agg(1, &[(9, 1), (4, 0)]), 2));
        // Fewer values listed than asked while some were held back.
        assert!(!top_is_exact(&agg(1, &[(9, 0)]), 2));
    }
}
