//! The OpenSearch engine's copies of one story: each article's signature read back from its
//! `_source`, and the groups kept as one document of the companion index, beside the articles.
//! Recording a group writes that one document, never an article again (an article is re-indexed
//! whole or not at all: `_source` leaves out the indexed body).
//!
//! An index written before the table was kept has each group in its articles' `copy_group`
//! field; it is read from there until an index run saves the table.
use std::sync::Arc;

use super::client::Method;
use serde_json::{Value, json};

use super::mapping::meta;
use super::{OpenSearch, document};
use crate::Result;
use crate::model::copies::{CopyGroups, GroupId, Member};
use crate::model::fields::name;

pub type GroupsCache = super::revalidated::Revalidated<CopyGroups>;

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
        self.groups.forget();
        written
    }

    /// The groups kept with the index: the process's copy, revalidated as the settings are
    /// (see [`super::revalidated`]); an index whose groups are still in its articles has no
    /// document to confirm, so it is read again each time.
    pub fn copy_groups(&self) -> Result<Arc<CopyGroups>> {
        let load = || {
            let (doc, version) = self.read_groups(true)?;
            let stored = match doc[meta::TABLE].as_str() {
                Some(text) => CopyGroups::parse(text, &self.groups_path())?,
                None => None,
            };
            let groups = match stored {
                Some(groups) => groups,
                None => self.legacy_groups()?,
            };
            Ok((groups, version))
        };
        let version = |engine: &OpenSearch| Ok(engine.read_groups(false)?.1);
        Ok(self.groups.get(self, version, load)?.0)
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
