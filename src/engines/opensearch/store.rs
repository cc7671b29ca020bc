//! The OpenSearch [`Store`]: articles go out in bounded bulk requests, several in flight; a file
//! is replaced as a unit; the manifest lives in the companion index.
//!
//! Document ids are the article ids, so replaying a file overwrites rather than duplicates. Each
//! article carries its file's content hash: once a file's last piece is written (and before the
//! commit that names it), the file's articles under any other hash are deleted, which removes
//! what a shrunken file no longer holds. A commit waits for every bulk request, makes them
//! searchable, runs those deletes, and only then writes the manifest entries that changed, so a
//! run killed at any point leaves a manifest that names nothing it has not finished; the next run
//! redoes the rest and ends with exactly the articles of a clean run.
//!
//! An index this run created is written in load mode (no periodic refresh; see
//! [`super::mapping::article_index`]) and holds nothing older than the run: no stale articles to
//! delete at a commit, and the copy signatures are the ones this store sent, so regrouping
//! reads them from memory instead of walking every document back (unless the index holds more
//! articles than this store sent: another machine wrote into it too). The run's end restores the
//! layout.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::{Value, json};

use super::client::{Client, Method};
use super::mapping::meta;
use super::{OpenSearch, document, manifest_id};
use crate::backend::Store;
use crate::model::copies::{Member, Signature};
use crate::model::fields::name;
use crate::model::manifest::{FileEntry, Manifest};
use crate::model::write::{Piece, Prepared, Rejected};
use crate::{Error, Result};

/// A bulk request is sent once it holds this many bytes...
const BULK_BYTES: usize = 4 * 1024 * 1024;
/// ...or this many articles.
const BULK_ITEMS: usize = 1_000;
/// Bulk requests in flight at once.
const IN_FLIGHT: usize = 3;
/// Files per delete-by-query.
const FILES_PER_DELETE: usize = 500;
/// The first articles of an empty index are held back this many before any is folded, so
/// their weighted stems are folded with the averages of this many articles instead of a few.
const HOLD_ARTICLES: usize = BULK_ITEMS;

/// Which file and record each item of a bulk request came from, and its article id.
type Origins = Vec<Origin>;

/// The articles of one bulk request the cluster refused, with their ids.
type Refused = Vec<(String, Rejected)>;

struct Origin {
    file: String,
    record: usize,
    id: String,
}

/// An article held back until the first averages are known (see [`HOLD_ARTICLES`]).
struct Held {
    file: String,
    hash: String,
    record: usize,
    article: Prepared,
    analysed: document::Analysed,
}

pub struct OpenSearchStore {
    engine: OpenSearch,
    /// The manifest as the cluster holds it: commits write only the difference.
    committed: Manifest,
    buffer: Vec<u8>,
    origins: Origins,
    in_flight: VecDeque<JoinHandle<Result<Refused>>>,
    /// Files whose last piece is written: (key, hash) whose other articles go at the commit.
    finished: Vec<(String, String)>,
    /// Files gone from disk.
    deleted: Vec<String>,
    /// Articles written so far per file in this run, for record numbers.
    written: HashMap<String, usize>,
    rejected: Vec<Rejected>,
    /// Whether this run created the index (see the module's header).
    fresh: bool,
    /// In a fresh index, the copy signature of every article sent, by id.
    signatures: BTreeMap<String, Signature>,
    /// Articles the cluster took from this store.
    taken: u64,
    /// The index's articles and tokens as saved before the run plus those written since: the
    /// average lengths each article's weighted stems are folded with, and the range of them
    /// (saved at each commit; searches rely on the folding only while it holds).
    figures: super::ranking::Figures,
    /// The first articles of an empty index, not yet folded.
    held: Vec<Held>,
    /// Whether articles are still held back.
    holding: bool,
}

impl OpenSearchStore {
    /// Open (creating when absent, anew with `rebuild`) the index at `url` for one run.
    pub fn open(url: super::EngineUrl, rebuild: bool) -> Result<OpenSearchStore> {
        let (engine, fresh) = OpenSearch::open_for_writing(url, rebuild)?;
        Ok(OpenSearchStore::new(engine, fresh))
    }

    fn new(engine: OpenSearch, fresh: bool) -> OpenSearchStore {
        // Only averages come of it: an index not yet counted starts from its first articles.
        let mut figures = engine.figures().unwrap_or_default();
        // An empty index has no article folded otherwise; one written by a build that kept no
        // fold range keeps none (unknown), so searches keep the exact script there.
        let empty = figures.docs == 0;
        if empty {
            figures.fold = Some(super::ranking::FoldRange::EMPTY);
        }
        OpenSearchStore {
            figures,
            held: Vec::new(),
            holding: empty,
            engine,
            fresh,
            signatures: BTreeMap::new(),
            taken: 0,
            committed: Manifest::default(),
            buffer: Vec::new(),
            origins: Vec::new(),
            in_flight: VecDeque::new(),
            finished: Vec::new(),
            deleted: Vec::new(),
            written: HashMap::new(),
            rejected: Vec::new(),
        }
    }

    fn client(&self) -> &Arc<Client> {
        &self.engine.client
    }

    /// Send the buffered articles, waiting first if too many requests are out.
    fn dispatch(&mut self) -> Result<()> {
        if self.origins.is_empty() {
            return Ok(());
        }
        while self.in_flight.len() >= IN_FLIGHT {
            self.join_oldest()?;
        }
        let body = std::mem::take(&mut self.buffer);
        let origins = std::mem::take(&mut self.origins);
        let client = Arc::clone(self.client());
        self.in_flight.push_back(std::thread::spawn(move || {
            send_bulk(&client, body, origins)
        }));
        Ok(())
    }

    fn join_oldest(&mut self) -> Result<()> {
        let Some(handle) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let rejected = handle
            .join()
            .map_err(|_| self.client().error("a bulk request thread failed"))??;
        for (id, r) in rejected {
            // Not in the index, so in no group.
            self.signatures.remove(&id);
            self.taken = self.taken.saturating_sub(1);
            self.rejected.push(r);
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<()> {
        self.release_held();
        self.dispatch()?;
        let mut first_error = None;
        while !self.in_flight.is_empty() {
            if let Err(e) = self.join_oldest() {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Fold and buffer the held articles, all with the averages of them all, and hold no more.
    fn release_held(&mut self) {
        self.holding = false;
        for h in std::mem::take(&mut self.held) {
            self.buffer_article(&h.file, &h.hash, h.record, &h.article, h.analysed);
        }
    }

    /// One article's bulk lines into the buffer.
    fn buffer_article(
        &mut self,
        file: &str,
        hash: &str,
        record: usize,
        article: &Prepared,
        analysed: document::Analysed,
    ) {
        let index = &self.engine.url().index;
        let source = document::to_source(file, hash, article, analysed, &mut self.figures);
        line(
            &mut self.buffer,
            &json!({ "index": { "_index": index, "_id": article.article.id } }),
        );
        line(&mut self.buffer, &source);
        self.taken += 1;
        self.origins.push(Origin {
            file: file.to_string(),
            record,
            id: article.article.id.clone(),
        });
        if let Some(signature) = article.signature.as_ref().filter(|_| self.fresh) {
            self.signatures
                .insert(article.article.id.clone(), signature.clone());
        }
    }

    /// Delete the superseded articles of finished files and all articles of deleted ones.
    fn clean_up(&mut self) -> Result<()> {
        if self.fresh {
            // Nothing in the index is older than this run.
            self.finished.clear();
            self.deleted.clear();
            return Ok(());
        }
        let articles = self.engine.url().index.clone();
        let mut queries: Vec<Value> = Vec::new();
        for chunk in self.finished.chunks(FILES_PER_DELETE) {
            let stale: Vec<Value> = chunk
                .iter()
                .map(|(file, hash)| {
                    json!({ "bool": {
                        "filter": [{ "term": { name::FILE: file } }],
                        "must_not": [{ "term": { name::FILE_HASH: hash } }],
                    }})
                })
                .collect();
            queries.push(json!({ "bool": { "should": stale, "minimum_should_match": 1 } }));
        }
        for chunk in self.deleted.chunks(FILES_PER_DELETE) {
            queries.push(json!({ "terms": { name::FILE: chunk } }));
        }
        for query in queries {
            self.client().call(
                Method::POST,
                &format!("/{articles}/_delete_by_query?conflicts=proceed&refresh=true"),
                Some(&json!({ "query": query })),
            )?;
        }
        self.finished.clear();
        self.deleted.clear();
        Ok(())
    }

    /// Write the manifest entries that changed since the last commit.
    fn save_manifest(&mut self, manifest: &Manifest) -> Result<()> {
        let index = self.engine.url().meta_index();
        let mut body = Vec::new();
        let mut count = 0;
        for (key, entry) in &manifest.files {
            if self.committed.files.get(key) == Some(entry) {
                continue;
            }
            line(
                &mut body,
                &json!({ "index": { "_index": index, "_id": manifest_id(key) } }),
            );
            line(&mut body, &entry_source(key, entry));
            count += 1;
        }
        for key in self.committed.files.keys() {
            if !manifest.files.contains_key(key) {
                line(
                    &mut body,
                    &json!({ "delete": { "_index": index, "_id": manifest_id(key) } }),
                );
                count += 1;
            }
        }
        if count > 0 {
            // The manifest is read back with a search: visible now, not at the next refresh.
            let reply = self.client().bulk_to(body, "?refresh=true")?;
            if reply["errors"].as_bool() == Some(true) {
                let failed = first_item_error(&reply).unwrap_or_default();
                return Err(self
                    .client()
                    .error(format!("the manifest could not be saved: {failed}")));
            }
        }
        self.committed = manifest.clone();
        Ok(())
    }
}

fn line(out: &mut Vec<u8>, value: &Value) {
    out.extend_from_slice(value.to_string().as_bytes());
    out.push(b'\n');
}

/// A manifest entry as the companion index holds it (64- and 128-bit numbers as text).
fn entry_source(key: &str, e: &FileEntry) -> Value {
    json!({
        meta::KIND: meta::FILE_KIND,
        meta::KEY: key,
        meta::ROOT: e.root,
        meta::REL: e.rel,
        meta::SIZE: e.size.to_string(),
        meta::MTIME_NS: e.mtime_ns.to_string(),
        meta::HASH: e.hash.to_string(),
        meta::ARTICLES: e.articles,
    })
}

/// The manifest entry of a companion-index document.
pub fn entry_from(source: &Value) -> Option<(String, FileEntry)> {
    let num = |f: &str| source[f].as_str().and_then(|s| s.parse::<u128>().ok());
    Some((
        source[meta::KEY].as_str()?.to_string(),
        FileEntry {
            root: source[meta::ROOT].as_str()?.to_string(),
            rel: source[meta::REL].as_str()?.to_string(),
            size: num(meta::SIZE)? as u64,
            mtime_ns: num(meta::MTIME_NS)?,
            hash: num(meta::HASH)? as u64,
            articles: source[meta::ARTICLES].as_u64()? as u32,
        },
    ))
}

fn first_item_error(reply: &Value) -> Option<String> {
    reply["items"].as_array()?.iter().find_map(|item| {
        let action = item.as_object()?.values().next()?;
        action
            .get("error")
            .map(|e| super::client::reason(&json!({ "error": e })))
    })
}

/// One bulk request; items the cluster refused come back as rejections (with their article
/// ids), a refused request as an error (after the client's retries).
fn send_bulk(client: &Client, body: Vec<u8>, origins: Origins) -> Result<Refused> {
    let reply = client.bulk_to(body, "")?;
    if reply["errors"].as_bool() != Some(true) {
        return Ok(Vec::new());
    }
    let items = reply["items"].as_array().cloned().unwrap_or_default();
    let mut rejected = Vec::new();
    for (item, Origin { file, record, id }) in items.iter().zip(origins) {
        let Some(action) = item.as_object().and_then(|o| o.values().next()) else {
            continue;
        };
        if let Some(error) = action.get("error") {
            let status = action["status"].as_u64().unwrap_or(0);
            if status == 429 || status >= 500 {
                // Busy after the retries of the whole request: the run cannot claim this file.
                return Err(client.error(format!(
                    "the cluster stayed too busy to take an article ({})",
                    super::client::reason(&json!({ "error": error }))
                )));
            }
            let reason = super::client::reason(&json!({ "error": error }));
            rejected.push((
                id,
                Rejected {
                    file,
                    record,
                    reason,
                },
            ));
        }
    }
    Ok(rejected)
}

impl Store for OpenSearchStore {
    fn location(&self) -> String {
        self.engine.url().masked()
    }

    fn manifest(&mut self) -> Result<Manifest> {
        self.committed = self.engine.load_manifest()?;
        Ok(self.committed.clone())
    }

    fn save_source_aliases(&mut self, aliases: &[(String, String)]) -> Result<()> {
        self.engine.save_source_aliases(aliases)
    }

    fn write(&mut self, mut piece: Piece) -> Result<()> {
        let hash = format!("{:016x}", piece.hash);
        let record = self.written.entry(piece.file.clone()).or_insert(0);
        if piece.first {
            *record = 0;
        }
        let mut record = *record;
        for article in std::mem::take(&mut piece.articles) {
            record += 1;
            let analysed = document::Analysed::of(&article);
            analysed.count_into(&mut self.figures);
            if self.holding {
                self.held.push(Held {
                    file: piece.file.clone(),
                    hash: hash.clone(),
                    record,
                    article,
                    analysed,
                });
                if self.held.len() >= HOLD_ARTICLES {
                    self.release_held();
                }
            } else {
                self.buffer_article(&piece.file, &hash, record, &article, analysed);
            }
        }
        self.written.insert(piece.file.clone(), record);
        if piece.last {
            self.finished.push((piece.file.clone(), hash));
            self.written.remove(&piece.file);
        }
        if self.buffer.len() >= BULK_BYTES || self.origins.len() >= BULK_ITEMS {
            self.dispatch()?;
        }
        Ok(())
    }

    fn delete_file(&mut self, file: &str) -> Result<()> {
        self.deleted.push(file.to_string());
        Ok(())
    }

    fn commit(&mut self, manifest: &Manifest) -> Result<()> {
        self.drain()?;
        let index = self.engine.url().index.clone();
        self.client()
            .call(Method::POST, &format!("/{index}/_refresh"), None)?;
        self.clean_up()?;
        self.save_manifest(manifest)?;
        // Searches read BM25F's average lengths, and whether the folding holds, from the
        // settings they cache.
        self.engine.save_figures(self.figures.fold)
    }

    fn copy_members(&mut self) -> Result<Vec<Member>> {
        if !self.fresh {
            return self.engine.copy_members();
        }
        self.drain()?;
        // Another machine may have written into the new index too (or an id came twice): then
        // what this store sent is not all there is, and the index is walked after all.
        if self.engine.count()? != self.taken {
            return self.engine.copy_members();
        }
        // In id order, as the walk over the index gives them.
        Ok(self
            .signatures
            .iter()
            .map(|(id, signature)| Member {
                id: id.clone(),
                signature: signature.clone(),
            })
            .collect())
    }

    fn entity_names(&mut self) -> Result<crate::entities::merges::NamesByKind> {
        self.engine.entity_names()
    }

    fn entity_links(&mut self) -> Result<Vec<crate::entities::merges::LinkCount>> {
        self.engine.entity_links()
    }

    fn save_entity_merges(&mut self, merges: &crate::entities::merges::EntityMerges) -> Result<()> {
        self.engine.save_entity_merges(merges)
    }

    fn save_copy_groups(&mut self, groups: &crate::model::copies::CopyGroups) -> Result<()> {
        self.engine.save_copy_groups(groups)
    }

    fn rejected(&mut self) -> Vec<Rejected> {
        std::mem::take(&mut self.rejected)
    }

    fn finish(&mut self, interrupted: bool) -> Result<u64> {
        if !interrupted {
            self.drain()?;
        }
        if self.fresh {
            self.engine
                .end_load(u64::from(self.engine.url().layout.replicas))?;
            self.fresh = false;
        }
        self.engine.count().map_err(|e| match e {
            Error::Engine { .. } => e,
            other => self.client().error(other),
        })
    }
}
