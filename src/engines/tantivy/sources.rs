//! The sources of the embedded index: every source key its segments hold, for
//! [`SourceTable`]'s folding of spellings and aliases into outlets.
use std::sync::Arc;

use tantivy::Searcher;

use crate::model::sources::{Aliases, SourceTable};
use crate::{Error, Result};

impl SourceTable {
    pub fn new(
        searcher: &Searcher,
        key_field: tantivy::schema::Field,
        aliases: Aliases,
    ) -> Result<Self> {
        Ok(Self::with_keys(
            Self::index_keys(searcher, key_field)?,
            aliases,
        ))
    }

    /// Every source key of `searcher`'s segments, sorted and each once: what a long-lived
    /// engine keeps per reader generation, as walking the dictionaries costs more than a query's
    /// own work on small result sets.
    pub fn index_keys(
        searcher: &Searcher,
        key_field: tantivy::schema::Field,
    ) -> Result<Arc<[String]>> {
        let mut keys = Vec::new();
        for reader in searcher.segment_readers() {
            let index = reader.inverted_index(key_field)?;
            let mut stream = index
                .terms()
                .stream()
                .map_err(|e| Error::Other(e.to_string()))?;
            while stream.advance() {
                keys.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(keys.into())
    }
}
