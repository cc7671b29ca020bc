//! Entity rules applied to whatever an engine answers, on any engine: the one place where the
//! corrections kept with an index meet searches, exports and articles.
//!
//! Engines index the names the tagger found; this layer shows them as the rules say. A filter on
//! a name becomes a filter on every indexed name shown as it; `person:` style leaves are handed
//! the rules (the query builders adjust them); hits, exported rows and articles have their entity
//! lists rewritten; and an entity facet is counted in articles per shown value: values no rule
//! touches keep the engine's counts, and the merged values that could make a list are counted
//! together in one more pass (articles carrying any of each value's names), so an article
//! carrying two names of one value counts once.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::backend::{Backend, Layer};
use crate::entities::EntityKind;
use crate::entities::rules::{Edit, Entity, EntityRules, Group, RulesVersion};
use crate::model::article::StoredArticle;
use crate::model::request::{ExportOptions, SearchRequest, Sort};
use crate::model::results::{FacetCount, Hit, SearchResults};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// `engine` with the rules saved with its index applied to every answer.
pub fn with_entity_rules(engine: Arc<dyn Backend>) -> Arc<dyn Backend> {
    Arc::new(Ruled {
        engine,
        prepared: Mutex::new(None),
        engine_shows: AtomicBool::new(false),
    })
}

struct Ruled {
    engine: Arc<dyn Backend>,
    /// The rules as last prepared, with the version they were read at: a server answers many
    /// searches between two saves, and reading, parsing and grouping the merges each time cost
    /// more than the search itself.
    prepared: Mutex<Option<(RulesVersion, Arc<Prepared>)>>,
    /// The engine counted the entity facets under the rules itself in its last answer with
    /// them (a long-lived embedded engine does), so its lists need no widening.
    engine_shows: AtomicBool,
}

/// How many lists' worth of values the engine's entity lists are widened by when this layer
/// counts the merged values itself. The most a merged value can have is the sum of its names'
/// counts, a name below a list counting as the list's last; in lists eleven times as long the
/// last counts are low enough to rule out most merged values before they are counted (on all of
/// AllSides, 150-500 of about 2,800 are left to count; three or five times as long left nearly
/// all), and longer still costs the engine more than it saves.
const WIDENING: usize = 10;

/// The effective rules and what every facet needs of them, worked out once per version (and
/// only when a facet asks: a search without entity facets never groups the rules).
struct Prepared {
    rules: Arc<EntityRules>,
    affected: OnceLock<BTreeMap<EntityKind, BTreeSet<String>>>,
}

impl Prepared {
    fn new(rules: EntityRules) -> Self {
        Prepared {
            rules: Arc::new(rules),
            affected: OnceLock::new(),
        }
    }

    /// Per kind, the indexed names some rule shows as another value (or hides).
    fn affected(&self) -> &BTreeMap<EntityKind, BTreeSet<String>> {
        self.affected.get_or_init(|| self.rules.affected())
    }
}

/// `req` as the engine must run it under `rules`: entity filters resolved to indexed names, and
/// the rules along for query leaves.
pub fn resolve_request(req: &SearchRequest, rules: &Arc<EntityRules>) -> SearchRequest {
    let mut out = req.clone();
    out.entity_rules = rules.clone();
    let resolved = out
        .entities
        .drain(..)
        .map(|(kind, name)| rules.members(kind, &name));
    out.entity_any = resolved.chain(req.entity_any.iter().cloned()).collect();
    out
}

impl Ruled {
    /// The rules kept with the index and the archive-wide merges no rule is about, read again
    /// only when the index's rules or merges were saved since the last read.
    fn prepared(&self) -> Result<Arc<Prepared>> {
        let version = self.engine.rules_version()?;
        if let Some((seen, prepared)) = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && *seen == version
        {
            return Ok(prepared.clone());
        }
        let prepared = Arc::new(Prepared::new(self.engine.effective_rules()?));
        *self.prepared.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((version, prepared.clone()));
        Ok(prepared)
    }

    /// Facet lists of the shown values, from the engine's lists of indexed ones: values no rule
    /// touches keep the engine's counts, and every merged value that could make a list is counted
    /// in one more pass for all of them together ([`Backend::count_each`]).
    fn facets(
        &self,
        req: &SearchRequest,
        inner: &SearchRequest,
        prepared: &Prepared,
        results: &mut SearchResults,
    ) -> Result<()> {
        let affected = prepared.affected();
        let groups = prepared.rules.groups();
        // The engine's lists, asked longer by the number of values that may drop out of them.
        let lists: BTreeMap<EntityKind, Vec<FacetCount>> = req
            .facets
            .iter()
            .filter_map(|f| {
                f.entity_kind()
                    .map(|k| (k, results.facets.get(f.name()).cloned()))
            })
            .map(|(k, list)| (k, list.unwrap_or_default()))
            .collect();
        let asked = inner.facet_size;
        let mut shown: BTreeMap<EntityKind, Vec<FacetCount>> = BTreeMap::new();
        let mut candidates: Vec<(&Group, u64)> = Vec::new();
        for (kind, list) in &lists {
            let none = BTreeSet::new();
            let touched = affected.get(kind).unwrap_or(&none);
            let mut kept: Vec<FacetCount> = list
                .iter()
                .filter(|c| !touched.contains(&c.value))
                .cloned()
                .collect();
            kept.truncate(req.facet_size);
            // Below the last value of a full list, a merged value cannot make the list.
            let floor = match kept.len() >= req.facet_size {
                true => kept.last().map_or(0, |c| c.count),
                false => 0,
            };
            candidates.extend(
                groups
                    .iter()
                    .filter(|g| g.target.0 == *kind)
                    .map(|g| (g, floor.max(1)))
                    .filter(|(g, floor)| upper_bound(g, &lists, asked) >= *floor),
            );
            shown.insert(*kind, kept);
        }
        let candidates = self.within_reach(candidates, &lists, asked)?;
        let sets: Vec<Vec<(EntityKind, String)>> =
            candidates.iter().map(|g| g.members.clone()).collect();
        let counts = self.engine.count_each(&counting(inner), &sets)?;
        for (group, count) in candidates.iter().zip(counts) {
            if count > 0
                && let Some(list) = shown.get_mut(&group.target.0)
            {
                list.push(FacetCount {
                    value: group.target.1.clone(),
                    count,
                });
            }
        }
        for facet in &req.facets {
            let Some(kind) = facet.entity_kind() else {
                continue;
            };
            let mut list = shown.get(&kind).cloned().unwrap_or_default();
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            list.truncate(req.facet_size);
            results.facets.insert(facet.name().to_string(), list);
        }
        Ok(())
    }
}

impl Ruled {
    /// The merged values of `candidates` that can still reach their floor once each name is
    /// also bounded by the articles carrying it in the whole index. The engine's lists bound a
    /// name they leave out only by their last count, and a kind no facet asked for not at all;
    /// most merged names are rare, so on all of AllSides this leaves a tenth or less of the
    /// values the lists alone could not rule out (each costs a dictionary search per segment,
    /// and a one-shot search has no merged dictionaries).
    fn within_reach<'g>(
        &self,
        candidates: Vec<(&'g Group, u64)>,
        lists: &BTreeMap<EntityKind, Vec<FacetCount>>,
        asked: usize,
    ) -> Result<Vec<&'g Group>> {
        // A name a list shows has its exact count there: only the others are looked up.
        let unlisted = |(kind, name): &Entity| {
            lists
                .get(kind)
                .is_none_or(|list| list.iter().all(|c| &c.value != name))
        };
        let names: Vec<Entity> = (candidates.iter())
            .flat_map(|(g, _)| g.members.iter().filter(|m| unlisted(m)).cloned())
            .collect();
        let mut indexed = self.engine.indexed_articles(&names)?.into_iter();
        Ok(candidates
            .into_iter()
            .filter(|(group, floor)| {
                let mut bound = 0u64;
                for member in &group.members {
                    let most = name_bound(member, lists, asked);
                    let whole = match unlisted(member) {
                        true => indexed.next().unwrap_or(u64::MAX),
                        false => u64::MAX,
                    };
                    bound = bound.saturating_add(most.min(whole));
                }
                bound >= *floor
            })
            .map(|(group, _)| group)
            .collect())
    }
}

/// `inner` as its facet lists alone need it: no page, timeline or explanation, in index order.
fn lists_only(inner: &SearchRequest) -> SearchRequest {
    SearchRequest {
        facets: inner.facets.clone(),
        ..counting(inner)
    }
}

/// `inner` as a count needs it: no page, facets, timeline or explanation, and in index order
/// (a count needs no ranking, and relevance order would run the feedback's first pass).
fn counting(inner: &SearchRequest) -> SearchRequest {
    let mut count = inner.clone();
    count.limit = 0;
    count.offset = 0;
    count.facets = Vec::new();
    count.timeline = None;
    count.explain = false;
    count.sort = Sort::Newest;
    count
}

/// How many values an entity list of `results` lacks once the names the rules touch are left
/// out, where the engine's list was full (a shorter list holds every value there is).
fn shortfall(
    req: &SearchRequest,
    inner: &SearchRequest,
    affected: &BTreeMap<EntityKind, BTreeSet<String>>,
    results: &SearchResults,
) -> Option<usize> {
    let none = BTreeSet::new();
    req.facets
        .iter()
        .filter_map(|f| f.entity_kind().map(|k| (k, results.facets.get(f.name()))))
        .filter_map(|(kind, list)| {
            let list = list?;
            let touched = affected.get(&kind).unwrap_or(&none);
            let kept = list.iter().filter(|c| !touched.contains(&c.value)).count();
            (list.len() >= inner.facet_size && kept < req.facet_size).then(|| req.facet_size - kept)
        })
        .max()
}

/// The most articles a merged value can have, from the engine's lists: the sum of its names'
/// counts, a name missing from a full list counting as that list's last count, and from a list
/// not asked for as unbounded.
fn upper_bound(group: &Group, lists: &BTreeMap<EntityKind, Vec<FacetCount>>, asked: usize) -> u64 {
    (group.members.iter())
        .map(|member| name_bound(member, lists, asked))
        .fold(0u64, u64::saturating_add)
}

/// The most articles of the search one indexed name can have, from the engine's lists (see
/// [`upper_bound`]).
fn name_bound(
    (kind, name): &Entity,
    lists: &BTreeMap<EntityKind, Vec<FacetCount>>,
    asked: usize,
) -> u64 {
    let Some(list) = lists.get(kind) else {
        return u64::MAX;
    };
    match list.iter().find(|c| &c.value == name) {
        Some(c) => c.count,
        None if list.len() >= asked => list.last().map_or(0, |c| c.count),
        None => 0,
    }
}

fn show_hit(rules: &EntityRules, mut hit: Hit) -> Hit {
    hit.entities = rules.apply(&hit.entities);
    hit
}

impl Layer for Ruled {
    fn inner(&self) -> &dyn Backend {
        self.engine.as_ref()
    }

    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let prepared = self.prepared()?;
        let rules = &prepared.rules;
        if rules.is_empty() {
            return self.engine.search(req);
        }
        let mut inner = resolve_request(req, rules);
        // Only entity facets pay for the merges: a search without one never looks at the groups.
        let entity_facets = req.facets.iter().any(|f| f.entity_kind().is_some());
        let most = match entity_facets {
            true => prepared.affected().values().map(BTreeSet::len).max(),
            false => None,
        }
        .unwrap_or(0);
        // Values the rules touch drop out of the engine's lists, so the lists are asked longer
        // from the start, by up to one list's worth: most searches then need no second asking;
        // where this layer counts the merged values, longer still, to bound them (`WIDENING`).
        let widening = match self.engine_shows.load(AtomicOrdering::Relaxed) {
            true => 1,
            false => WIDENING,
        };
        let mut extra = most.min(req.facet_size.saturating_mul(widening));
        inner.facet_size = req.facet_size.saturating_add(extra);
        let mut results = self.engine.search(&inner)?;
        if entity_facets {
            (self.engine_shows).store(results.entity_facets_shown, AtomicOrdering::Relaxed);
        }
        // An engine that counted the entity facets under the rules itself (the embedded one in a
        // server) leaves nothing to correct.
        if entity_facets && !results.entity_facets_shown {
            // Where a full list still falls short, ask again for the lists alone, longer by as
            // many as they lack (asking for every touched name at once made the engine name
            // hundreds of values; asking with the page made it rank and snippet it again).
            while let Some(short) = shortfall(req, &inner, prepared.affected(), &results)
                && extra < most
            {
                // Doubling: on an archive with thousands of merges, growing by one list's
                // worth asked the engine three or four more times per search.
                extra = extra
                    .saturating_add(short.max(req.facet_size).max(extra))
                    .min(most);
                inner.facet_size = req.facet_size.saturating_add(extra);
                results.facets = self.engine.search(&lists_only(&inner))?.facets;
            }
            self.facets(req, &inner, &prepared, &mut results)?;
        }
        for list in results.facets.values_mut() {
            list.truncate(req.facet_size);
        }
        results.hits = results
            .hits
            .into_iter()
            .map(|h| show_hit(rules, h))
            .collect();
        Ok(results)
    }

    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        let Some(mut article) = self.engine.article(id)? else {
            return Ok(None);
        };
        let prepared = self.prepared()?;
        if !prepared.rules.is_empty() {
            article.entities = prepared.rules.apply(&article.entities);
        }
        Ok(Some(article))
    }

    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        let prepared = self.prepared()?;
        let rules = &prepared.rules;
        if rules.is_empty() {
            return self.engine.export(req, options, each);
        }
        let inner = resolve_request(req, rules);
        self.engine
            .export(&inner, options, &mut |hit| each(show_hit(rules, hit)))
    }
}

/// The rules after an edit, and what the index showed of the name it was about.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Edited {
    pub rules: EntityRules,
    /// Articles showing the edited name, per kind, before the edit (kinds with none left out).
    pub found: BTreeMap<EntityKind, u64>,
    /// What the user should know (the name is in no article yet, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Articles showing `name` as each kind, as the rules show names now.
pub fn kinds_of(engine: &dyn Backend, name: &str) -> Result<BTreeMap<EntityKind, u64>> {
    let mut found = BTreeMap::new();
    for kind in EntityKind::ALL {
        let req = SearchRequest {
            entities: vec![(kind, name.trim().to_string())],
            limit: 0,
            facets: Vec::new(),
            ..SearchRequest::default()
        };
        let total = engine.search(&req)?.total;
        if total > 0 {
            found.insert(kind, total);
        }
    }
    Ok(found)
}

/// Apply `edit` to the rules kept with `engine`'s index. A name found as several kinds needs
/// the edit to say which (removing rules needs no such care).
pub fn edit_rules(engine: &dyn Backend, edit: Edit) -> Result<Edited> {
    let (name, kind) = edit.subject();
    let found = kinds_of(engine, name)?;
    let name = name.trim().to_string();
    let is_removal = matches!(edit, Edit::Remove { .. });
    if kind.is_none() && found.len() > 1 && !is_removal {
        let listed: Vec<String> = found
            .iter()
            .map(|(k, n)| {
                let articles = if *n == 1 { "article" } else { "articles" };
                format!("{} ({n} {articles})", k.as_str())
            })
            .collect();
        return Err(Error::Usage(format!(
            "{name:?} is found as {}: say which with --kind (kind in the API)",
            listed.join(" and ")
        )));
    }
    let note = (found.is_empty() && !is_removal)
        .then(|| format!("no article shows {name:?} yet; the rule applies once one does"));
    let mut rules = engine.entity_rules()?;
    rules.edit(&edit)?;
    engine.save_entity_rules(&rules)?;
    Ok(Edited { rules, found, note })
}
