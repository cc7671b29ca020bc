//! Entity pages: everything the archive says about one person, organisation, place or other name,
//! composed from filtered searches through the [`Backend`] boundary, so either engine serves it.
//!
//! A page is one search filtered on the exact canonical name (newest first, with the timeline and
//! facets over the whole result set: sources, and the names of every kind counted in articles),
//! plus the names folded into it. The index keeps canonical names only, not the words an article
//! wrote; re-tagging is deterministic, so the surface forms are recovered by tagging the latest
//! articles again at read time, a bounded amount of work that costs the index nothing.
//!
//! A name is looked up exactly first; when no article carries it (another case, a surname alone),
//! the entity's words are searched in the tokenized entity fields, and a single name equal to it
//! but for case is taken, any others offered as suggestions.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::backend::Backend;
use crate::entities::rules::EntityRules;
use crate::entities::{self, EntityKind};
use crate::model::request::{Facet, SearchRequest, Sort};
use crate::model::results::FacetCount;
use crate::model::timeline::{Interval, Timeline};

/// Articles re-tagged for [`EntityPage::merged_names`]: the newest ones, as many as this.
pub const MERGED_NAMES_ARTICLES: usize = 50;

/// What to look up and how much to show.
#[derive(Debug, Clone)]
pub struct EntityQuery {
    pub name: String,
    /// `None`: the kind under which most articles carry the name.
    pub kind: Option<EntityKind>,
    /// Latest articles listed.
    pub latest: usize,
    /// Sources and co-mentioned names listed (per kind).
    pub top: usize,
    pub interval: Interval,
}

impl EntityQuery {
    pub fn new(name: &str, kind: Option<EntityKind>) -> EntityQuery {
        EntityQuery {
            name: name.trim().to_string(),
            kind,
            latest: 10,
            top: 10,
            interval: Interval::Auto,
        }
    }
}

/// How many articles carry a name under one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: EntityKind,
    pub articles: u64,
}

/// One of the latest articles mentioning the entity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    pub headline: String,
    pub source: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
}

/// Where a merged name comes from: the articles' own words, or an entity rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergedBy {
    /// The tagger found these words in the article and resolved them to the canonical name.
    Text,
    /// An indexed name the entity rules show as this one (an alias, or a name moved to this kind).
    Rule,
    /// An indexed name the archive-wide merges show as this one (`why` says on what evidence;
    /// an entity rule about either name undoes it).
    Archive,
}

/// A name written in articles that stands for the entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedName {
    pub name: String,
    /// Articles (among those read) that wrote it; for a rule's name, every article carrying it.
    pub articles: u64,
    pub by: MergedBy,
    /// The kind the index has the name as, for a rule's name (the rule to undo is about it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityKind>,
    /// For an archive-wide merge: the kind of evidence and the evidence in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The page of one entity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntityPage {
    /// The canonical name, as the index holds it.
    pub name: String,
    pub kind: EntityKind,
    /// Articles mentioning it (under this kind).
    pub articles: u64,
    /// Other kinds the same name is filed under, most articles first.
    pub other_kinds: Vec<KindCount>,
    pub timeline: Timeline,
    /// Publications by articles mentioning it.
    pub sources: Vec<FacetCount>,
    /// Names of each kind most often mentioned alongside it, counted in articles; never itself.
    pub co_mentions: BTreeMap<EntityKind, Vec<FacetCount>>,
    /// Newest first.
    pub latest: Vec<ArticleRef>,
    /// Other spellings folded into the name, most articles first; rules may add to it.
    pub merged_names: Vec<MergedName>,
    /// How many of the newest articles were read for `merged_names`.
    pub merged_names_from: u64,
    /// What it said: its quotes in the newest articles quoting it, newest first.
    #[serde(default)]
    pub said: Vec<SaidQuote>,
    /// Publications by articles quoting it, most first.
    #[serde(default)]
    pub quoted_by: Vec<FacetCount>,
}

/// One quote of an entity, with the article it is in; `start` and `end` are character offsets
/// in the article's body (standfirst and body), for a link to the quote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaidQuote {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub article: ArticleRef,
}

/// A name no article carries, with the nearest names that exist.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnknownEntity {
    pub name: String,
    pub kind: Option<EntityKind>,
    /// Always 0: the page of nothing, shaped so a client can test one field.
    pub articles: u64,
    pub suggestions: Vec<Suggestion>,
}

/// A name that does exist, whose words match the one asked for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suggestion {
    pub name: String,
    pub kind: EntityKind,
    pub articles: u64,
}

/// The answer to a lookup.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntityLookup {
    Found(Box<EntityPage>),
    Unknown(UnknownEntity),
}

/// Suggestions offered for an unknown name.
const SUGGESTIONS: usize = 10;

/// The page for `query` under `base` (its filters, dates and source aliases; its text, sort,
/// paging and facets are replaced).
pub fn lookup(
    engine: &dyn Backend,
    base: &SearchRequest,
    query: &EntityQuery,
) -> Result<EntityLookup> {
    let mut name = query.name.clone();
    let mut counts = counts_by_kind(engine, base, &name)?;
    let at = match pick(&counts, query.kind) {
        Some(at) => at,
        None => {
            // Every kind is searched, so a name asked for as the wrong kind is offered as the
            // right one.
            let similar = similar_names(engine, base, &query.name)?;
            if let Some(spelt) = same_but_for_case(&similar, &query.name, query.kind) {
                name = spelt;
                counts = counts_by_kind(engine, base, &name)?;
            }
            match pick(&counts, query.kind) {
                Some(at) => at,
                None => {
                    return Ok(EntityLookup::Unknown(UnknownEntity {
                        name: query.name.clone(),
                        kind: query.kind,
                        articles: 0,
                        suggestions: similar,
                    }));
                }
            }
        }
    };
    let chosen = counts.remove(at);
    // A name the rules (or the archive-wide merges) merge into another is shown as that one,
    // whichever was asked for.
    let rules = engine.effective_rules()?;
    let name = rules.aliased(chosen.kind, &name);
    let mut page = page(engine, base, query, &name, chosen, counts)?;
    let merges = super::merges::merges_in_force(engine)?;
    let mut by_rules = merged_by_rules(engine, base, &rules, page.kind, &name)?;
    for m in &mut by_rules {
        if let Some(merge) = m.kind.and_then(|k| merges.of(k, &m.name)) {
            m.by = MergedBy::Archive;
            m.why = Some(format!("{}: {}", merge.reason.as_str(), merge.evidence()));
        }
    }
    // A rule's name the articles also wrote is listed once, as the rule's (it can be undone).
    page.merged_names
        .retain(|m| !by_rules.iter().any(|r| r.name == m.name));
    page.merged_names = by_rules.into_iter().chain(page.merged_names).collect();
    Ok(EntityLookup::Found(Box::new(page)))
}

/// The one spelling among `similar` (of `kind`, when given) that is `name` but for case.
fn same_but_for_case(
    similar: &[Suggestion],
    name: &str,
    kind: Option<EntityKind>,
) -> Option<String> {
    let lower = name.to_lowercase();
    let mut spellings = similar
        .iter()
        .filter(|s| s.name.to_lowercase() == lower && kind.is_none_or(|k| k == s.kind))
        .map(|s| &s.name);
    let first = spellings.next()?;
    spellings.all(|s| s == first).then(|| first.clone())
}

/// The position in `counts` of the kind asked for, or of the kind with most articles.
fn pick(counts: &[KindCount], kind: Option<EntityKind>) -> Option<usize> {
    match kind {
        Some(k) => counts.iter().position(|c| c.kind == k),
        None => (!counts.is_empty()).then_some(0),
    }
}

/// Kinds under which some article carries exactly `name`, most articles first (ties: the order
/// of [`EntityKind::ALL`]).
fn counts_by_kind(
    engine: &dyn Backend,
    base: &SearchRequest,
    name: &str,
) -> Result<Vec<KindCount>> {
    let mut counts = Vec::new();
    for kind in EntityKind::ALL {
        let req = SearchRequest {
            limit: 0,
            facets: Vec::new(),
            timeline: None,
            ..filtered(base, kind, name)
        };
        let articles = engine.search(&req)?.total;
        if articles > 0 {
            counts.push(KindCount { kind, articles });
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.articles));
    Ok(counts)
}

/// `base` narrowed to articles carrying `name` as a `kind`, with no text of its own.
fn filtered(base: &SearchRequest, kind: EntityKind, name: &str) -> SearchRequest {
    let mut req = base.clone();
    req.query = String::new();
    req.entities.push((kind, name.to_string()));
    req.offset = 0;
    req.explain = false;
    req
}

/// Names of any kind whose words contain the words of `name`, most articles first.
fn similar_names(
    engine: &dyn Backend,
    base: &SearchRequest,
    name: &str,
) -> Result<Vec<Suggestion>> {
    let mut exact = crate::analysis::exact();
    let wanted = crate::analysis::terms(&mut exact, name);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for kind in EntityKind::ALL {
        let facet = Facet::of_kind(kind);
        let req = SearchRequest {
            // The name's words as analysed: no quote or operator of the name can reach the
            // query parser.
            query: format!("{}:\"{}\"", kind.as_str(), wanted.join(" ")),
            limit: 0,
            offset: 0,
            facets: vec![facet],
            facet_size: SUGGESTIONS * 4,
            timeline: None,
            explain: false,
            ..base.clone()
        };
        let results = engine.search(&req)?;
        // The facet also counts every other name of those articles: keep the names with the words.
        let mut has_words = |name: &str| {
            let terms = crate::analysis::terms(&mut exact, name);
            terms.windows(wanted.len()).any(|w| w == wanted.as_slice())
        };
        for c in results.facets.get(facet.name()).into_iter().flatten() {
            if !has_words(&c.value) {
                continue;
            }
            out.push(Suggestion {
                name: c.value.clone(),
                kind,
                articles: c.count,
            });
        }
    }
    out.sort_by(|a, b| {
        b.articles
            .cmp(&a.articles)
            .then_with(|| a.name.cmp(&b.name))
    });
    out.truncate(SUGGESTIONS);
    Ok(out)
}

/// The page of `name` as a `chosen.kind`, with the other kinds it also has.
fn page(
    engine: &dyn Backend,
    base: &SearchRequest,
    query: &EntityQuery,
    name: &str,
    chosen: KindCount,
    other_kinds: Vec<KindCount>,
) -> Result<EntityPage> {
    let kind = chosen.kind;
    let mut facets = vec![Facet::Source];
    facets.extend(EntityKind::ALL.map(Facet::of_kind));
    let req = SearchRequest {
        sort: Sort::Newest,
        limit: query.latest.max(MERGED_NAMES_ARTICLES),
        facets,
        // One more of the page's own kind, which always counts the entity itself.
        facet_size: query.top + 1,
        timeline: Some(query.interval),
        ..filtered(base, kind, name)
    };
    let results = engine.search(&req)?;
    let mut facets = results.facets;
    let mut sources = facets.remove(Facet::Source.name()).unwrap_or_default();
    sources.truncate(query.top);
    let co_mentions = EntityKind::ALL
        .into_iter()
        .map(|k| {
            let mut list = facets.remove(Facet::of_kind(k).name()).unwrap_or_default();
            list.retain(|c| !(k == kind && c.value == name));
            list.truncate(query.top);
            (k, list)
        })
        .collect();
    let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    let read = &ids[..ids.len().min(MERGED_NAMES_ARTICLES)];
    let rules = engine.effective_rules()?;
    let merged_names = merged_names(engine, read, kind, name, &rules)?;
    let latest = results
        .hits
        .into_iter()
        .take(query.latest)
        .map(|h| ArticleRef {
            id: h.id,
            headline: h.headline,
            source: h.source,
            section: h.section,
            date: h.date,
        })
        .collect();
    let (said, quoted_by) = said(engine, base, query, name)?;
    Ok(EntityPage {
        said,
        quoted_by,
        name: name.to_string(),
        kind,
        articles: results.total,
        other_kinds,
        timeline: results.timeline.unwrap_or_else(|| {
            crate::model::timeline::histogram(&Default::default(), query.interval, 0)
        }),
        sources,
        co_mentions,
        latest,
        merged_names,
        merged_names_from: read.len() as u64,
    })
}

/// The entity's quotes in the newest articles quoting it, and the publications quoting it most.
fn said(
    engine: &dyn Backend,
    base: &SearchRequest,
    query: &EntityQuery,
    name: &str,
) -> Result<(Vec<SaidQuote>, Vec<FacetCount>)> {
    let req = SearchRequest {
        sort: Sort::Newest,
        limit: query.latest,
        facets: vec![Facet::Source],
        facet_size: query.top,
        speakers: vec![name.to_string()],
        ..base.clone()
    };
    let mut results = engine.search(&req)?;
    let quoted_by = results
        .facets
        .remove(Facet::Source.name())
        .unwrap_or_default();
    let mut said = Vec::new();
    for h in results.hits {
        let article = ArticleRef {
            id: h.id,
            headline: h.headline,
            source: h.source,
            section: h.section,
            date: h.date,
        };
        said.extend(h.quotes.into_iter().map(|q| SaidQuote {
            text: q.text,
            start: q.start,
            end: q.end,
            article: article.clone(),
        }));
    }
    said.truncate(query.latest);
    Ok((said, quoted_by))
}

/// The words the articles `ids` wrote for `name` (other than `name` itself), found by tagging
/// them again exactly as the indexer did, each counted once per article.
fn merged_names(
    engine: &dyn Backend,
    ids: &[String],
    kind: EntityKind,
    name: &str,
    rules: &EntityRules,
) -> Result<Vec<MergedName>> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for id in ids {
        let Some(article) = engine.article(id)? else {
            continue;
        };
        let mut seen: Vec<String> = Vec::new();
        for m in entities::extract(&article.tagged_text()) {
            // Words resolved to a name a rule merges here are this entity's words too.
            let shown = rules.resolve(m.kind, &m.canonical);
            let ours = shown.is_some_and(|(k, n)| k == kind && n == name);
            if ours && m.text != name && !seen.contains(&m.text) {
                seen.push(m.text);
            }
        }
        for text in seen {
            *counts.entry(text).or_default() += 1;
        }
    }
    let mut out: Vec<MergedName> = counts
        .into_iter()
        .map(|(name, articles)| MergedName {
            name,
            articles,
            by: MergedBy::Text,
            kind: None,
            why: None,
        })
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse(m.articles));
    Ok(out)
}

/// The indexed names the rules show as `name` (other than itself as indexed), each with the
/// articles under `base` that carry it.
fn merged_by_rules(
    engine: &dyn Backend,
    base: &SearchRequest,
    rules: &EntityRules,
    kind: EntityKind,
    name: &str,
) -> Result<Vec<MergedName>> {
    let mut out = Vec::new();
    for (k, n) in rules.members(kind, name) {
        if k == kind && n == name {
            continue;
        }
        let req = SearchRequest {
            query: String::new(),
            entity_any: vec![vec![(k, n.clone())]],
            limit: 0,
            offset: 0,
            facets: Vec::new(),
            timeline: None,
            explain: false,
            ..base.clone()
        };
        let articles = engine.search(&req)?.total;
        if articles > 0 {
            out.push(MergedName {
                name: n,
                articles,
                by: MergedBy::Rule,
                kind: Some(k),
                why: None,
            });
        }
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.articles));
    Ok(out)
}
