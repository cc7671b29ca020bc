//! The boundary between what asks and what answers: [`Backend`] (searches, articles, related
//! coverage, figures, checks; one per process, shared by every request) and [`Store`] (a run of
//! writes from the indexer), and [`Layer`], the one way to change some of an engine's answers.
//!
//! Everything above (the indexing run, entity rules, copies, the CLI and the server) sees engines
//! only through these traits, and everything they exchange is the engine-neutral vocabulary of
//! [`crate::model`]. No method has a default body: a new method must be answered by every engine,
//! and [`Layer`]'s blanket implementation forwards it through every layer.
use crate::Result;
use crate::entities::merges::{EntityMerges, LinkCount, NamesByKind};
use crate::entities::rules::{Entity, EntityRules, RulesVersion};
use crate::model::article::StoredArticle;
use crate::model::check::CheckReport;
use crate::model::copies::{CopyGroups, Member};
use crate::model::keys::KeyRing;
use crate::model::manifest::Manifest;
use crate::model::request::{ExportOptions, SearchRequest};
use crate::model::results::{Hit, RelatedHit, SearchResults, Stats};
use crate::model::write::{Piece, Rejected};

/// Everything a reader needs from an engine. Implementations are shared across threads.
pub trait Backend: Send + Sync {
    /// Where this engine is, for messages (credentials are never part of it).
    fn location(&self) -> String;

    /// One search: hits with snippets, total, facet counts.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults>;

    /// Articles matching `req` (its page, facets and timeline aside) that carry any name of each
    /// of `sets`, one count per set, counted in one pass: an article carrying several names of a
    /// set counts once.
    fn count_each(&self, req: &SearchRequest, sets: &[Vec<Entity>]) -> Result<Vec<u64>>;

    /// For each indexed entity name, at least as many articles as carry it in the whole index
    /// (`u64::MAX` where the engine cannot tell cheaply): a bound no search's count of the name
    /// exceeds, for deciding what is worth counting.
    fn indexed_articles(&self, names: &[Entity]) -> Result<Vec<u64>>;

    /// One stored article by id.
    fn article(&self, id: &str) -> Result<Option<StoredArticle>>;

    /// Up to `limit` articles most like `article`, best first; never the article itself.
    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>>;

    /// Index-wide figures.
    fn stats(&self) -> Result<Stats>;

    /// Verify the index without changing it.
    fn check(&self) -> Result<CheckReport>;

    /// Every hit of `req` (its limit and offset aside), in its order, handed to `each` one at a
    /// time without holding them all; returns how many there were. `req.deadline` bounds the wait
    /// for the first hit only: once hits flow the caller is streaming them and cannot turn them
    /// into an error page, and a long export is not a slow one.
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64>;

    /// Prepare what the first searches would otherwise wait for (a long-lived server calls it once).
    fn warm(&self) -> Result<()>;

    /// The entity rules kept with the index (none when it has none).
    fn entity_rules(&self) -> Result<EntityRules>;

    /// Replace the entity rules kept with the index.
    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()>;

    /// The archive-wide entity merges found after the last index run (none before one).
    fn entity_merges(&self) -> Result<EntityMerges>;

    /// The rules searches are answered with: the entity rules, then the merges no rule is about
    /// (`EntityMerges::under`). An engine may keep them worked out with the index, so long as
    /// what it returns is always what the saved rules and merges give now.
    fn effective_rules(&self) -> Result<EntityRules>;

    /// The groups of copies found after the last index run (none before one), shared: a
    /// long-lived engine reads them again only when a run has saved new ones.
    fn copy_groups(&self) -> Result<std::sync::Arc<CopyGroups>>;

    /// A token that changes whenever the entity rules or merges kept with the index are saved
    /// (cheap: no rules are read).
    fn rules_version(&self) -> Result<RulesVersion>;

    /// The server's access keys kept with the index (salted digests, never keys; none when it
    /// has none).
    fn access_keys(&self) -> Result<KeyRing>;

    /// Change the access keys kept with the index as one step: `change` sees the keys as stored
    /// now and nobody else's change lands between that read and the write (it may be called
    /// again on a fresh read if one did); returns the keys as written.
    fn update_access_keys(
        &self,
        change: &mut dyn FnMut(&mut KeyRing) -> Result<()>,
    ) -> Result<KeyRing>;
}

/// The writing side of an engine, held by one index run.
///
/// The run calls [`Store::write`] and [`Store::delete_file`] as files are parsed or found gone,
/// and [`Store::commit`] with the manifest that describes everything written so far. After a
/// commit returns, what it names survives a crash; a crash before it loses at most the writes
/// since the previous commit, and the next run (which starts from [`Store::manifest`]) redoes them
/// with the same result as a clean run.
pub trait Store: Send {
    /// Where this engine is, for messages.
    fn location(&self) -> String;

    /// The manifest of the last commit (empty for a new index).
    fn manifest(&mut self) -> Result<Manifest>;

    /// Source aliases to keep with the index (`index --source-alias`), added to those it has.
    fn save_source_aliases(&mut self, aliases: &[(String, String)]) -> Result<()>;

    /// Store one piece of a file's articles.
    fn write(&mut self, piece: Piece) -> Result<()>;

    /// Remove every article of a file.
    fn delete_file(&mut self, file: &str) -> Result<()>;

    /// Make everything written so far durable, together with `manifest`.
    fn commit(&mut self, manifest: &Manifest) -> Result<()>;

    /// Articles the engine refused since the last call (each one alone: the run goes on).
    fn rejected(&mut self) -> Vec<Rejected>;

    /// Every stored article's id and copy signature (articles without a signature left out),
    /// as of the last commit.
    fn copy_members(&mut self) -> Result<Vec<Member>>;

    /// Replace the groups of copies kept with the index (no article is written again).
    fn save_copy_groups(&mut self, groups: &CopyGroups) -> Result<()>;

    /// Every distinct entity name the index holds, per kind, with the articles carrying it, as
    /// of the last commit (what the archive-wide merges are found from).
    fn entity_names(&mut self) -> Result<NamesByKind>;

    /// Every acronym the articles spell out ([`crate::entities::merges::Link`]), with the articles recording it, as of the
    /// last commit (none for an index made before links were recorded).
    fn entity_links(&mut self) -> Result<Vec<LinkCount>>;

    /// Replace the archive-wide entity merges kept with the index.
    fn save_entity_merges(&mut self, merges: &EntityMerges) -> Result<()>;

    /// End the run (after its last commit) and return how many articles the index holds.
    /// An interrupted run should return quickly rather than tidy up.
    fn finish(&mut self, interrupted: bool) -> Result<u64>;
}

/// A layer over a [`Backend`] that changes some of its answers: implement [`Layer::inner`] and
/// the methods the layer changes; every other method passes through unchanged. Every layer is a
/// [`Backend`] by the blanket implementation below, which is the only place that forwards by hand.
pub trait Layer: Send + Sync {
    /// The engine (or layer) underneath.
    fn inner(&self) -> &dyn Backend;

    fn location(&self) -> String {
        self.inner().location()
    }
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        self.inner().search(req)
    }
    fn count_each(&self, req: &SearchRequest, sets: &[Vec<Entity>]) -> Result<Vec<u64>> {
        self.inner().count_each(req, sets)
    }
    fn indexed_articles(&self, names: &[Entity]) -> Result<Vec<u64>> {
        self.inner().indexed_articles(names)
    }
    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        self.inner().article(id)
    }
    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>> {
        self.inner().related(article, limit)
    }
    fn stats(&self) -> Result<Stats> {
        self.inner().stats()
    }
    fn check(&self) -> Result<CheckReport> {
        self.inner().check()
    }
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        self.inner().export(req, options, each)
    }
    fn warm(&self) -> Result<()> {
        self.inner().warm()
    }
    fn entity_rules(&self) -> Result<EntityRules> {
        self.inner().entity_rules()
    }
    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()> {
        self.inner().save_entity_rules(rules)
    }
    fn entity_merges(&self) -> Result<EntityMerges> {
        self.inner().entity_merges()
    }
    fn effective_rules(&self) -> Result<EntityRules> {
        self.inner().effective_rules()
    }
    fn copy_groups(&self) -> Result<std::sync::Arc<CopyGroups>> {
        self.inner().copy_groups()
    }
    fn rules_version(&self) -> Result<RulesVersion> {
        self.inner().rules_version()
    }
    fn access_keys(&self) -> Result<KeyRing> {
        self.inner().access_keys()
    }
    fn update_access_keys(
        &self,
        change: &mut dyn FnMut(&mut KeyRing) -> Result<()>,
    ) -> Result<KeyRing> {
        self.inner().update_access_keys(change)
    }
}

impl<L: Layer> Backend for L {
    fn location(&self) -> String {
        Layer::location(self)
    }
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        Layer::search(self, req)
    }
    fn count_each(&self, req: &SearchRequest, sets: &[Vec<Entity>]) -> Result<Vec<u64>> {
        Layer::count_each(self, req, sets)
    }
    fn indexed_articles(&self, names: &[Entity]) -> Result<Vec<u64>> {
        Layer::indexed_articles(self, names)
    }
    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        Layer::article(self, id)
    }
    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>> {
        Layer::related(self, article, limit)
    }
    fn stats(&self) -> Result<Stats> {
        Layer::stats(self)
    }
    fn check(&self) -> Result<CheckReport> {
        Layer::check(self)
    }
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        Layer::export(self, req, options, each)
    }
    fn warm(&self) -> Result<()> {
        Layer::warm(self)
    }
    fn entity_rules(&self) -> Result<EntityRules> {
        Layer::entity_rules(self)
    }
    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()> {
        Layer::save_entity_rules(self, rules)
    }
    fn entity_merges(&self) -> Result<EntityMerges> {
        Layer::entity_merges(self)
    }
    fn effective_rules(&self) -> Result<EntityRules> {
        Layer::effective_rules(self)
    }
    fn copy_groups(&self) -> Result<std::sync::Arc<CopyGroups>> {
        Layer::copy_groups(self)
    }
    fn rules_version(&self) -> Result<RulesVersion> {
        Layer::rules_version(self)
    }
    fn access_keys(&self) -> Result<KeyRing> {
        Layer::access_keys(self)
    }
    fn update_access_keys(
        &self,
        change: &mut dyn FnMut(&mut KeyRing) -> Result<()>,
    ) -> Result<KeyRing> {
        Layer::update_access_keys(self, change)
    }
}
