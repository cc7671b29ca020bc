//! Source aliases from outside the index (the config file's `FROM=TO` lines) laid over an engine:
//! applied to every search and export, over the aliases saved with the index and under each
//! request's own.
use std::sync::Arc;

use crate::Result;
use crate::backend::{Backend, Layer};
use crate::entities::rules::Entity;
use crate::model::request::{ExportOptions, SearchRequest};
use crate::model::results::{Hit, SearchResults};

/// `engine` with `aliases` applied (itself when there are none).
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

impl Layer for WithSourceAliases {
    fn inner(&self) -> &dyn Backend {
        self.engine.as_ref()
    }
    fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        self.engine.search(&self.request(req))
    }
    fn count_each(&self, req: &SearchRequest, sets: &[Vec<Entity>]) -> Result<Vec<u64>> {
        self.engine.count_each(&self.request(req), sets)
    }
    fn export(
        &self,
        req: &SearchRequest,
        options: ExportOptions,
        each: &mut dyn FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        self.engine.export(&self.request(req), options, each)
    }
}
