//! Collapsed results: one hit per group of copies of one story, for any engine.
//!
//! A [`Layer`] over any engine, so both engines collapse the same way from the same groups, the
//! table each index run keeps with the index ([`CopyGroups`]): this layer names each hit's and
//! article's group from it and turns a filter by group into one by its members' ids, so the
//! engines never store a group in an article. For a collapsed search,
//! the engine is asked for uncollapsed hits (its totals and facets count every article, as the
//! README promises), hits are walked in rank order keeping the first, best-ranked member of each group,
//! and one more pass over the page's groups (an export, without snippets) counts each group's
//! other matching members and names their sources, wherever they ranked.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::Result;
use crate::backend::{Backend, Layer};
use crate::model::article::StoredArticle;
use crate::model::copies::{CopyGroups, GroupId};
use crate::model::request::{ExportOptions, MAX_LIMIT, SearchRequest};
use crate::model::results::{Hit, SearchResults};

/// `engine`, answering searches that ask for it collapsed.
pub fn collapsing(engine: Arc<dyn Backend>) -> Arc<dyn Backend> {
    Arc::new(Collapsing { engine })
}

struct Collapsing {
    engine: Arc<dyn Backend>,
}

/// What a hit stands for in a collapsed list: its group, or itself when it has none.
fn story(hit: &Hit) -> String {
    match &hit.group {
        Some(g) => format!("g:{}", g.0),
        None => format!("a:{}", hit.id),
    }
}

impl Collapsing {
    /// `req` with its groups resolved to their members' ids, for the engine underneath.
    fn resolved(&self, req: &SearchRequest, groups: &CopyGroups) -> SearchRequest {
        let mut inner = req.clone();
        if !req.groups.is_empty() {
            let ids = req.groups.iter().flat_map(|g| groups.members(g)).cloned();
            inner.ids = Some(match req.ids.as_ref() {
                // A caller's own id filter still holds: both must be met.
                Some(own) => ids.filter(|id| own.contains(id)).collect(),
                None => ids.collect(),
            });
        }
        inner
    }

    /// The engine's search of `req`, each hit named with its group.
    fn search_grouped(&self, req: &SearchRequest, groups: &CopyGroups) -> Result<SearchResults> {
        let mut results = self.engine.search(&self.resolved(req, groups))?;
        for hit in &mut results.hits {
            hit.group = groups.group_of(&hit.id).cloned();
        }
        Ok(results)
    }

    fn collapsed(&self, req: &SearchRequest, groups: &CopyGroups) -> Result<SearchResults> {
        let limit = req.limit.min(MAX_LIMIT);
        let wanted = req.offset + limit;
        let mut inner = req.clone();
        inner.collapse = false;
        inner.offset = 0;
        // Most pages hold no two copies of one story: then the uncollapsed first `wanted` hits
        // are the answer, and asking for more would only make snippets nobody sees.
        inner.limit = wanted.min(MAX_LIMIT);
        let mut results = self.search_grouped(&inner, groups)?;
        let (mut firsts, mut seen) = (Vec::new(), HashSet::new());
        let mut fetched = 0usize;
        loop {
            let page = std::mem::take(&mut results.hits);
            fetched += page.len();
            let got = page.len();
            for hit in page {
                if seen.insert(story(&hit)) {
                    firsts.push(hit);
                }
            }
            if firsts.len() >= wanted || got < inner.limit || fetched as u64 >= results.total {
                break;
            }
            // The rest of the order, without facets or timeline (the first pass has them).
            let mut more = inner.clone();
            more.offset = fetched;
            // Copies are rarely more than a few per story: twice the page usually holds them.
            more.limit = (wanted * 2).clamp(20, MAX_LIMIT);
            more.facets = Vec::new();
            more.timeline = None;
            more.explain = false;
            let next = self.search_grouped(&more, groups)?;
            inner.limit = more.limit;
            results.hits = next.hits;
        }
        let mut hits: Vec<Hit> = firsts.into_iter().skip(req.offset).take(limit).collect();
        self.count_copies(req, groups, &mut hits)?;
        results.hits = hits;
        results.offset = req.offset;
        results.limit = limit;
        results.collapsed = true;
        Ok(results)
    }

    /// Fill in each grouped hit's copies: the other members of its group the search matches.
    fn count_copies(
        &self,
        req: &SearchRequest,
        groups: &CopyGroups,
        hits: &mut [Hit],
    ) -> Result<()> {
        let wanted: Vec<GroupId> = hits.iter().filter_map(|h| h.group.clone()).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let mut members = req.clone();
        members.groups = wanted;
        members.collapse = false;
        let mut sources: HashMap<GroupId, Vec<(String, String)>> = HashMap::new();
        self.engine.export(
            &self.resolved(&members, groups),
            ExportOptions::default(),
            &mut |hit: Hit| {
                if let Some(g) = groups.group_of(&hit.id) {
                    sources
                        .entry(g.clone())
                        .or_default()
                        .push((hit.id, hit.source));
                }
                Ok(())
            },
        )?;
        for hit in hits.iter_mut() {
            let Some(found) = hit.group.as_ref().and_then(|g| sources.get(g)) else {
                continue;
            };
            hit.copy_sources = found
                .iter()
                .filter(|(id, _)| *id != hit.id)
                .map(|(_, source)| source.clone())
                .collect();
            hit.copies = hit.copy_sources.len();
        }
        Ok(())
    }
}

impl Layer for Collapsing {
    fn inner(&self) -> &dyn Backend {
        self.engine.as_ref()
    }
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let started = std::time::Instant::now();
        let groups = self.engine.copy_groups()?;
        if req.collapse {
            let mut results = self.collapsed(req, &groups)?;
            results.took_ms = started.elapsed().as_secs_f64() * 1000.0;
            Ok(results)
        } else {
            self.search_grouped(req, &groups)
        }
    }

    fn count_each(
        &self,
        req: &SearchRequest,
        sets: &[Vec<crate::entities::rules::Entity>],
    ) -> Result<Vec<u64>> {
        let groups = self.engine.copy_groups()?;
        self.engine.count_each(&self.resolved(req, &groups), sets)
    }

    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        let groups = self.engine.copy_groups()?;
        self.engine.export(
            &self.resolved(req, &groups),
            options,
            &mut |mut hit: Hit| {
                hit.group = groups.group_of(&hit.id).cloned();
                each(hit)
            },
        )
    }

    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        let Some(mut article) = self.engine.article(id)? else {
            return Ok(None);
        };
        article.group = self.engine.copy_groups()?.group_of(id).cloned();
        Ok(Some(article))
    }
}
