//! The OpenSearch engine's copies of one story: each article's signature read back from its
//! `_source`, and the groups kept as one document of the companion index, beside the articles.
//! Recording a group writes that one document, never an article again (an article is re-indexed
//! whole or not at all: `_source` leaves out the indexed body).
//!
//! An index written before the table was kept has each group in its articles' `copy_group`
//! field; it is read from there until an index run saves the table.
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::client::Method;
use serde_json::{Value, json};

use super::mapping::meta;
use super::{OpenSearch, SETTINGS_FRESH, document};
use crate::Result;
use crate::model::copies::{CopyGroups, GroupId, Member};
use crate::model::fields::name;

/// The table as last read, with the version of the document it came from.
pub struct CachedGroups {
    /// `(_seq_no, _primary_term)`, `None` while there is no document.
    version: Option<(u64, u64)>,
    checked: Instant,
    groups: Arc<CopyGroups>,
    /// A check of the version is under way on a thread of its own.
    checking: bool,
}

pub type GroupsCache = Arc<Mutex<Option<CachedGroups>>>;

impl OpenSearch {
    /// Every article with a copy signature: (id, signature), walked in id order. The signature
    /// is neither indexed nor a doc value, so articles without one are left out here.
    pub fn copy_members(&self) -> Result<Vec<Member>> {
        let mut members = Vec::new();
        let body = json!({
            "query": { "match_all": {} },
            "sort": [{ name::ID: "asc" }],
            "_source": [name::COPY_SIGNATURE],
            "track_total_hits": false,
        });
        self.each_sorted_hit(self.index(), body, |hit| {
            if let (Some(id), Some(signature)) =
                (hit["_id"].as_str(), document::signature_of(&hit["_source"]))
            {
                members.push(Member {
                    id: id.to_string(),
                    signature,
                });
            }
        })?;
        Ok(members)
    }

    fn groups_path(&self) -> String {
        format!("/{}/_doc/{}", self.url().meta_index(), meta::COPY_GROUPS)
    }

    /// Replace the table kept in the companion index.
    pub fn save_copy_groups(&self, groups: &CopyGroups) -> Result<()> {
        let doc = json!({ meta::KIND: meta::COPY_GROUPS, meta::TABLE: groups.to_json() });
        // Read back by id (real-time), never searched: no refresh to wait for.
        let path = self.groups_path();
        let written = self.client.call(Method::PUT, &path, Some(&doc)).map(|_| ());
        *self.groups_cache() = None;
        written
    }

    /// The groups kept with the index: the process's copy, its document's version (no body)
    /// checked on a thread of its own once the copy is older than [`SETTINGS_FRESH`] (as the
    /// settings are), read again once that version changed.
    pub fn copy_groups(&self) -> Result<Arc<CopyGroups>> {
        let mut cache = self.groups_cache();
        if let Some(c) = cache.as_mut() {
            if c.checked.elapsed() >= SETTINGS_FRESH && !c.checking {
                c.checking = true;
                let engine = self.clone();
                std::thread::spawn(move || engine.check_groups());
            }
            return Ok(Arc::clone(&c.groups));
        }
        let (doc, version) = self.read_groups(true)?;
        let stored = match doc[meta::TABLE].as_str() {
            Some(text) => CopyGroups::parse(text, &self.groups_path())?,
            None => None,
        };
        let groups = Arc::new(match stored {
            Some(groups) => groups,
            None => self.legacy_groups()?,
        });
        *cache = Some(CachedGroups {
            version,
            checked: Instant::now(),
            groups: Arc::clone(&groups),
            checking: false,
        });
        Ok(groups)
    }

    /// Confirm the cached table's version: kept when unchanged, dropped (the next reader reads
    /// it whole) when changed or when there is no document (an index whose groups are still in
    /// its articles), checked again by the next reader when the cluster did not answer.
    fn check_groups(&self) {
        let found = self.read_groups(false).map(|(_, version)| version);
        let mut cache = self.groups_cache();
        let Some(c) = cache.as_mut() else {
            return;
        };
        match found {
            Ok(version) if version == c.version && version.is_some() => {
                c.checked = Instant::now();
                c.checking = false;
            }
            Ok(_) => *cache = None,
            Err(_) => c.checking = false,
        }
    }

    /// A poisoned lock only means a reader panicked; the cached table is whole.
    fn groups_cache(&self) -> std::sync::MutexGuard<'_, Option<CachedGroups>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The groups document's `_source` (when asked for) and version.
    fn read_groups(&self, source: bool) -> Result<(Value, Option<(u64, u64)>)> {
        self.read_meta_doc(self.groups_path(), source)
    }

    /// The groups an index written before the table was kept carries in its articles.
    fn legacy_groups(&self) -> Result<CopyGroups> {
        let mut pairs = Vec::new();
        let body = json!({
            "query": { "exists": { "field": name::COPY_GROUP } },
            "sort": [{ name::ID: "asc" }],
            "_source": [name::COPY_GROUP],
            "track_total_hits": false,
        });
        self.each_sorted_hit(self.index(), body, |hit| {
            if let (Some(id), Some(group)) = (
                hit["_id"].as_str(),
                hit["_source"][name::COPY_GROUP].as_str(),
            ) {
                pairs.push((id.to_string(), GroupId(group.to_string())));
            }
        })?;
        Ok(CopyGroups::from_pairs(pairs))
    }
}
