//! The one place that names the engines: where an engine lives ([`Location`]), opening it for
//! reading with the layers every caller gets (entity rules, collapsed copies, source aliases),
//! and opening it for an index run. Everything above (the CLI, the server) goes through here.
use std::path::PathBuf;
use std::sync::Arc;

use crate::Result;
use crate::backend::{Backend, Store};
use crate::engines::opensearch::store::OpenSearchStore;
use crate::engines::opensearch::{EngineUrl, OpenSearch};
use crate::engines::tantivy::{Engine, NewsIndex, TantivyStore};
use crate::features::aliases::with_source_aliases;
use crate::features::collapse::collapsing;
use crate::features::rules::with_entity_rules;
use crate::model::write::WriteOptions;

/// Where an engine lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded index in a folder.
    Dir(PathBuf),
    /// An index in an OpenSearch cluster.
    OpenSearch(EngineUrl),
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
/// searches collapsing copies of one story when asked to.
pub fn open(location: &Location, usage: Usage) -> Result<Arc<dyn Backend>> {
    open_with(location, usage, Vec::new())
}

/// [`open`], with source aliases from outside the index (`FROM=TO`, the config file's) applied to
/// every search and export, over the index's saved aliases and under each request's own.
pub fn open_with(
    location: &Location,
    usage: Usage,
    source_aliases: Vec<(String, String)>,
) -> Result<Arc<dyn Backend>> {
    let ruled = with_entity_rules(open_engine(location, usage)?);
    Ok(with_source_aliases(collapsing(ruled), source_aliases))
}

/// The engine at `location` as it indexed the articles, without the layers.
fn open_engine(location: &Location, usage: Usage) -> Result<Arc<dyn Backend>> {
    match location {
        Location::Dir(path) => {
            let index = NewsIndex::open(path)?;
            let engine = match usage {
                Usage::OneShot => Engine::open(index)?,
                Usage::LongLived { cache_results } => {
                    Engine::open_long_lived(index, cache_results)?
                }
            };
            Ok(Arc::new(engine))
        }
        Location::OpenSearch(url) => Ok(Arc::new(OpenSearch::open(url.clone())?)),
    }
}

/// Open (creating when absent) the engine at `location` for one index run.
pub fn open_store(location: &Location, options: WriteOptions) -> Result<Box<dyn Store>> {
    match location {
        Location::Dir(path) => Ok(Box::new(TantivyStore::open(path, options)?)),
        Location::OpenSearch(url) => Ok(Box::new(OpenSearchStore::open(
            url.clone(),
            options.rebuild,
        )?)),
    }
}
