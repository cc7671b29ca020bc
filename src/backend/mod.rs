//! The search-backend boundary: what the CLI and the server may ask of an engine, and nothing
//! about how an engine answers.
//!
//! Two traits split the work the way the programs use it: [`Backend`] answers searches, articles,
//! related coverage, figures and checks (one per process, shared by every request), and [`Store`]
//! takes a run of writes from the indexer (one per `newsdex index`). Ingest, entity extraction, the
//! query parser and the snippet generator are shared: an engine receives parsed, tagged articles
//! and a validated [`SearchRequest`], and hands back results in the one shape both the CLI's
//! `--json` and the API print. The embedded tantivy index is the default engine; where an engine
//! lives is a [`Location`], chosen by `--index` or `--engine`.
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod ruled;
pub use ruled::{Edited, edit_rules, kinds_of, resolve_request, with_entity_rules};

use crate::Result;
use crate::copies::{GroupId, Member, Signature};
use crate::entities::rules::EntityRules;
pub use crate::index::check::CheckReport;
pub use crate::index::document::{EntitySet, StoredArticle};
pub use crate::index::manifest::{FileEntry, Manifest};
use crate::ingest::Article;
pub use crate::search::{ExportOptions, Hit, SearchRequest, SearchResults, Stats};

/// Everything a reader needs from an engine. Implementations are shared across threads.
pub trait Backend: Send + Sync {
    /// Where this engine is, for messages (credentials are never part of it).
    fn location(&self) -> String;

    /// One search: hits with snippets, total, facet counts.
    fn search(&self, req: &SearchRequest) -> Result<SearchResults>;

    /// One stored article by id.
    fn article(&self, id: &str) -> Result<Option<StoredArticle>>;

    /// Up to `limit` articles most like `article`, best first; never the article itself.
    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>>;

    /// Index-wide figures.
    fn stats(&self) -> Result<Stats>;

    /// Verify the index without changing it.
    fn check(&self) -> Result<CheckReport>;

    /// Every hit of `req` (its limit and offset aside), in its order, handed to `each` one at a
    /// time without holding them all; returns how many there were.
    fn export(
        &self,
        _req: &SearchRequest,
        _options: ExportOptions,
        _each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        Err(crate::Error::Usage(format!(
            "export is not supported by the engine at {} yet",
            self.location()
        )))
    }

    /// Prepare what the first searches would otherwise wait for (a long-lived server calls it once).
    fn warm(&self) -> Result<()> {
        Ok(())
    }

    /// The entity rules kept with the index (none when it has none).
    fn entity_rules(&self) -> Result<EntityRules>;

    /// Replace the entity rules kept with the index.
    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()>;
}

/// One related article, as the page lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedHit {
    pub id: String,
    pub headline: String,
    pub source: String,
    pub date: Option<NaiveDate>,
    pub score: f32,
}

/// An article ready to be stored: parsed, with its named entities.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub article: Article,
    pub entities: EntitySet,
    /// The body's copy signature (none for a body too short to judge).
    pub signature: Option<Signature>,
}

/// One piece of a file's articles. Small files come in one piece; large JSON Lines files in
/// several, in order. The first piece replaces the file's earlier articles, and after the last
/// one the store holds exactly this run's articles of the file.
#[derive(Debug)]
pub struct Piece {
    /// The file key (see `index::writer::file_key`).
    pub file: String,
    /// Content hash of the whole file.
    pub hash: u64,
    pub first: bool,
    pub last: bool,
    pub articles: Vec<Prepared>,
}

/// An article the engine would not store, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The file key it came from.
    pub file: String,
    /// 1-based position of the article among its file's articles.
    pub record: usize,
    pub reason: String,
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
    fn rejected(&mut self) -> Vec<Rejected> {
        Vec::new()
    }

    /// Every stored article's copy signature and group (articles without a signature left out),
    /// as of the last commit.
    fn copy_members(&mut self) -> Result<Vec<Member>>;

    /// Give the articles named by [`Member::handle`]s their new groups (none: ungrouped);
    /// durable with the next commit.
    fn set_copy_groups(&mut self, changes: Vec<(String, Option<GroupId>)>) -> Result<()>;

    /// End the run (after its last commit) and return how many articles the index holds.
    /// An interrupted run should return quickly rather than tidy up.
    fn finish(&mut self, interrupted: bool) -> Result<u64>;
}

/// Where an engine lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded index in a folder.
    Dir(PathBuf),
    /// An index in an OpenSearch cluster.
    OpenSearch(crate::opensearch::EngineUrl),
}

impl Location {
    /// For messages.
    pub fn describe(&self) -> String {
        match self {
            Location::Dir(p) => p.display().to_string(),
            Location::OpenSearch(url) => url.masked(),
        }
    }
}

/// How a reader will be used: a server answers many queries and keeps caches, a command one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    OneShot,
    LongLived { cache_results: bool },
}

/// Open the engine at `location` for reading: its entity rules applied to every answer, and its
/// searches collapsing copies of one story when asked to (see [`crate::copies::collapse`]).
pub fn open(location: &Location, usage: Usage) -> Result<Arc<dyn Backend>> {
    let ruled = with_entity_rules(open_engine(location, usage)?);
    Ok(crate::copies::collapse::collapsing(ruled))
}

/// The engine at `location` as it indexed the articles, without the entity rules.
pub fn open_engine(location: &Location, usage: Usage) -> Result<Arc<dyn Backend>> {
    match location {
        Location::Dir(path) => {
            let index = crate::index::NewsIndex::open(path)?;
            let engine = match usage {
                Usage::OneShot => crate::search::Engine::open(index)?,
                Usage::LongLived { cache_results } => {
                    crate::search::Engine::open_long_lived(index, cache_results)?
                }
            };
            Ok(Arc::new(engine))
        }
        Location::OpenSearch(url) => {
            Ok(Arc::new(crate::opensearch::OpenSearch::open(url.clone())?))
        }
    }
}

/// `engine` with `aliases` (`FROM=TO`, the config file's) applied to every search and export it
/// answers, over the index's saved aliases and under each request's own.
pub fn with_source_aliases(
    engine: Arc<dyn Backend>,
    aliases: Vec<(String, String)>,
) -> Arc<dyn Backend> {
    if aliases.is_empty() {
        return engine;
    }
    Arc::new(WithSourceAliases { engine, aliases })
}

struct WithSourceAliases {
    engine: Arc<dyn Backend>,
    aliases: Vec<(String, String)>,
}

impl WithSourceAliases {
    fn request(&self, req: &SearchRequest) -> SearchRequest {
        let mut req = req.clone();
        req.source_aliases = self
            .aliases
            .iter()
            .chain(&req.source_aliases)
            .cloned()
            .collect();
        req
    }
}

impl Backend for WithSourceAliases {
    fn location(&self) -> String {
        self.engine.location()
    }
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        self.engine.search(&self.request(req))
    }
    fn article(&self, id: &str) -> Result<Option<StoredArticle>> {
        self.engine.article(id)
    }
    fn related(&self, article: &StoredArticle, limit: usize) -> Result<Vec<RelatedHit>> {
        self.engine.related(article, limit)
    }
    fn stats(&self) -> Result<Stats> {
        self.engine.stats()
    }
    fn check(&self) -> Result<CheckReport> {
        self.engine.check()
    }
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        self.engine.export(&self.request(req), options, each)
    }
    fn warm(&self) -> Result<()> {
        self.engine.warm()
    }
    fn entity_rules(&self) -> Result<EntityRules> {
        self.engine.entity_rules()
    }
    fn save_entity_rules(&self, rules: &EntityRules) -> Result<()> {
        self.engine.save_entity_rules(rules)
    }
}

/// What an index run needs to open its store.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// Start from an empty index, dropping what is there.
    pub rebuild: bool,
    /// Memory the embedded writer may use, in bytes.
    pub memory_bytes: usize,
}

/// Open (creating when absent) the engine at `location` for one index run.
pub fn open_store(location: &Location, options: WriteOptions) -> Result<Box<dyn Store>> {
    match location {
        Location::Dir(path) => Ok(Box::new(crate::index::store::TantivyStore::open(
            path, options,
        )?)),
        Location::OpenSearch(url) => {
            let engine =
                crate::opensearch::OpenSearch::open_for_writing(url.clone(), options.rebuild)?;
            Ok(Box::new(crate::opensearch::store::OpenSearchStore::new(
                engine,
            )))
        }
    }
}
