//! The embedded engine's [`Store`]: one tantivy writer over an index folder, with the manifest
//! kept beside the segments and named in each commit's payload.
//!
//! A file's articles share a `file` term, so replacing a file is one delete of that term followed
//! by its new documents, and both land in the same commit. A file the index cannot hold articles
//! of yet (most of them, in a first run) is written without the delete.
use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::indexer::{IndexWriterOptions, NoMergePolicy};
use tantivy::{IndexWriter, Term};

use super::document::{ArticleDoc, to_document};
use super::index::NewsIndex;
use super::manifest;
use super::stems;
use crate::backend::Store;
use crate::model::copies::{CopyGroups, Member};
use crate::model::manifest::Manifest;
use crate::model::write::{Piece, Rejected, WriteOptions};
use crate::{Error, Result};

pub struct TantivyStore {
    index: NewsIndex,
    /// Hashes of the files the index may hold articles of: those it held when opened and those
    /// written since. A file outside it has nothing to delete (a collision costs one delete).
    may_hold: HashSet<u64>,
    /// Taken by [`Store::finish`], which waits for its merges.
    writer: Option<IndexWriter<ArticleDoc>>,
    generation: u64,
    memory_bytes: usize,
}

impl TantivyStore {
    /// Open the index folder for writing, creating it when absent (or anew with `rebuild`).
    pub fn open(path: &Path, options: WriteOptions) -> Result<TantivyStore> {
        let room = options.memory_bytes as u64;
        let opened = if options.rebuild {
            NewsIndex::recreate(path)
        } else {
            NewsIndex::open_or_create(path)
        };
        let index = opened.map_err(|e| e.while_writing_index(path, room))?;
        let writer: IndexWriter<ArticleDoc> = index
            .index
            .writer_with_options(writer_options(options.memory_bytes))
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
                other => Error::Tantivy(other).while_writing_index(path, room),
            })?;
        // Merges wait for the end of the run (see `merge_bounded`).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        // Files a killed writer left behind are not referenced by any commit: drop them.
        let _ = writer.garbage_collect_files().wait();
        let may_hold = files_held(&index)?;
        Ok(TantivyStore {
            index,
            may_hold,
            writer: Some(writer),
            generation: 0,
            memory_bytes: options.memory_bytes,
        })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter<ArticleDoc>> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::Other("the index run has already finished".into()))
    }

    /// Whether the index may hold articles of `file`, noting that it will. Each delete costs
    /// tantivy about 800 bytes until the next commit and a lookup in every segment then:
    /// deleting unconditionally held 34 MB at the peak of indexing AllSides (one article per
    /// file) into a new index.
    fn may_hold(&mut self, file: &str) -> bool {
        !self.may_hold.insert(file_hash(file.as_bytes()))
    }

    /// Errors as the user needs to hear them: a full disk is named as such.
    fn told(&self, e: Error) -> Error {
        e.while_writing_index(&self.index.path, self.memory_bytes as u64)
    }
}

impl Store for TantivyStore {
    fn location(&self) -> String {
        self.index.path.display().to_string()
    }

    /// The embedded index takes every article it is handed.
    fn rejected(&mut self) -> Vec<Rejected> {
        Vec::new()
    }

    fn manifest(&mut self) -> Result<Manifest> {
        let (manifest, generation) = Manifest::load(&self.index.path, &self.index.index)?;
        Manifest::remove_others(&self.index.path, generation);
        self.generation = generation;
        Ok(manifest)
    }

    fn save_source_aliases(&mut self, aliases: &[(String, String)]) -> Result<()> {
        crate::model::sources::Aliases::save(&self.index.path, aliases)
    }

    fn write(&mut self, piece: Piece) -> Result<()> {
        let fields = self.index.fields.clone();
        let delete = piece.first && self.may_hold(&piece.file);
        let writer = self.writer()?;
        if delete {
            writer.delete_term(Term::from_field_text(fields.file, &piece.file));
        }
        let mut added = Ok(());
        for p in piece.articles {
            let mut doc = to_document(
                &fields,
                &piece.file,
                p.article,
                &p.entities,
                &p.quotes,
                &p.links,
            );
            doc.add_copy(&fields, p.signature.as_ref());
            if let Err(e) = writer.add_document(doc) {
                added = Err(Error::Tantivy(e));
                break;
            }
        }
        added.map_err(|e| self.told(e))
    }

    fn delete_file(&mut self, file: &str) -> Result<()> {
        let term = Term::from_field_text(self.index.fields.file, file);
        self.writer()?.delete_term(term);
        Ok(())
    }

    /// Manifest first, then the commit that names it.
    fn commit(&mut self, manifest: &Manifest) -> Result<()> {
        let next = self.generation + 1;
        manifest
            .save(&self.index.path, next)
            .map_err(|e| self.told(e))?;
        let room = self.memory_bytes as u64;
        let path = self.index.path.clone();
        let told = |e: tantivy::TantivyError| Error::Tantivy(e).while_writing_index(&path, room);
        let mut prepared = self.writer()?.prepare_commit().map_err(told)?;
        prepared.set_payload(&manifest::payload(next));
        prepared.commit().map_err(told)?;
        Manifest::remove_others(&self.index.path, next);
        self.generation = next;
        Ok(())
    }

    fn copy_members(&mut self) -> Result<Vec<Member>> {
        let reader = self.index.reader()?;
        reader.reload()?;
        super::copies::members(&reader.searcher(), &self.index.fields)
    }

    fn save_copy_groups(&mut self, groups: &CopyGroups) -> Result<()> {
        super::copies::save(&self.index.path, groups).map_err(|e| self.told(e))
    }

    /// Every value of each entity column, counted over all articles by the facet collector.
    fn entity_names(&mut self) -> Result<crate::entities::merges::NamesByKind> {
        use crate::entities::EntityKind;
        let reader = self.index.reader()?;
        reader.reload()?;
        let searcher = reader.searcher();
        let columns: Vec<String> = EntityKind::ALL
            .iter()
            .map(|k| crate::model::fields::entity_column(*k).to_string())
            .collect();
        let collector = super::facets::FacetCollector::new(columns, usize::MAX);
        let lists = searcher.search(&tantivy::query::AllQuery, &collector)?;
        Ok(EntityKind::ALL
            .into_iter()
            .zip(lists)
            .map(|(kind, list)| {
                let names = list
                    .into_iter()
                    .map(|c| crate::entities::merges::NameCount {
                        name: c.value,
                        articles: c.count,
                    })
                    .collect();
                (kind, names)
            })
            .collect())
    }

    /// Every link value, counted over all articles by the facet collector (none where the
    /// index predates the field).
    fn entity_links(&mut self) -> Result<Vec<crate::entities::merges::LinkCount>> {
        if self.index.fields.entity_link.is_none() {
            return Ok(Vec::new());
        }
        let reader = self.index.reader()?;
        reader.reload()?;
        let searcher = reader.searcher();
        let column = crate::model::fields::column::ENTITY_LINK.to_string();
        let collector = super::facets::FacetCollector::new(vec![column], usize::MAX);
        let lists = searcher.search(&tantivy::query::AllQuery, &collector)?;
        Ok(lists
            .into_iter()
            .flatten()
            .filter_map(|c| crate::entities::merges::LinkCount::of_value(&c.value, c.count))
            .collect())
    }

    fn save_entity_merges(&mut self, merges: &crate::entities::merges::EntityMerges) -> Result<()> {
        super::rules::save_merges(&self.index.path, merges)?;
        super::worked::refresh(&self.index.path);
        Ok(())
    }

    fn finish(&mut self, interrupted: bool) -> Result<u64> {
        // Merge the run's segments: fewer segments make every later query cheaper.
        if let Some(mut writer) = self.writer.take()
            && !interrupted
        {
            merge_bounded(&mut writer, &self.index)?;
            // The merged segments' files would otherwise stay on disk until the next run.
            writer.garbage_collect_files().wait()?;
            writer.wait_merging_threads()?;
        }
        let reader = self.index.reader()?;
        reader.reload()?;
        let searcher = reader.searcher();
        if !interrupted {
            // Queries find each segment's stem table ready instead of computing it.
            stems::save_all(&self.index.path, &searcher).map_err(|e| {
                Error::Tantivy(e).while_writing_index(&self.index.path, self.memory_bytes as u64)
            })?;
        }
        Ok(searcher.num_docs())
    }
}

/// Smallest budget tantivy takes for one indexing thread (its `MEMORY_BUDGET_NUM_BYTES_MIN`).
const THREAD_BUDGET_MIN: usize = 15_000_000;

/// The writer tantivy's `Index::writer` would make (one indexing thread per core, at most 8, each
/// with its share of the budget), with two merge threads instead of four: the run's merges come
/// at its end (`merge_bounded`), two at a time, each holding its own pages only.
fn writer_options(memory_bytes: usize) -> IndexWriterOptions {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(8).min(memory_bytes / THREAD_BUDGET_MIN).max(1);
    IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(memory_bytes / threads)
        .num_merge_threads(MERGES_AT_ONCE)
        .build()
}

/// Merges that run side by side at the end of a run (see `merge_bounded`): one per core of a
/// small machine, so that the end of the run is not one core's work, with at most twice
/// [`MERGE_BYTES`] of segment files mapped at once.
const MERGES_AT_ONCE: usize = 2;

/// Most bytes of segment files that one merge reads.
const MERGE_BYTES: u64 = 128 << 20;

/// Merge the index's segments in groups of at most [`MERGE_BYTES`], [`MERGES_AT_ONCE`] groups at
/// a time, smallest segments first; a segment that size or larger is left as it is.
///
/// A merge reads its segments through memory maps, and every page it touches counts in the run's
/// resident memory until the merge ends. tantivy's own policy merged during the run, while the
/// tagger and the indexing buffers held most of their memory, and one merge could read half the
/// index at once: on AllSides with entities the file-backed pages rose from 30 to 170-190 MiB
/// on top of 150-220 MiB of heap, the run's peak. At the end of the run the tagger's threads are
/// gone and each merge reads a bounded amount, so the peak no longer depends on the archive's
/// size; the total merge work is about one pass over what this run wrote, and later runs leave
/// segments of the bound's size alone.
fn merge_bounded(writer: &mut IndexWriter<ArticleDoc>, index: &NewsIndex) -> Result<()> {
    let metas = index.index.searchable_segment_metas()?;
    let sizes = segment_bytes(&index.path)?;
    let segments = metas
        .iter()
        .map(|m| {
            let id = m.id();
            (id, sizes.get(&id.uuid_string()).copied().unwrap_or(0))
        })
        .collect();
    for pair in merge_groups(segments, MERGE_BYTES).chunks(MERGES_AT_ONCE) {
        let running: Vec<_> = pair.iter().map(|group| writer.merge(group)).collect();
        for merge in running {
            merge.wait()?;
        }
    }
    Ok(())
}

/// Bytes on disk per segment, by the segment id that starts each of its files' names.
fn segment_bytes(path: &Path) -> Result<HashMap<String, u64>> {
    let mut sizes: HashMap<String, u64> = HashMap::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((segment, _)) = name.split_once('.') else {
            continue;
        };
        let bytes = entry.metadata().map_or(0, |m| m.len());
        *sizes.entry(segment.to_string()).or_default() += bytes;
    }
    Ok(sizes)
}

/// Groups of two or more segments to merge, each at most `limit` bytes in all, smallest first.
fn merge_groups<T>(mut segments: Vec<(T, u64)>, limit: u64) -> Vec<Vec<T>> {
    segments.sort_by_key(|(_, bytes)| *bytes);
    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut total = 0;
    for (id, bytes) in segments {
        if bytes >= limit {
            break;
        }
        if total + bytes > limit {
            if group.len() > 1 {
                groups.push(std::mem::take(&mut group));
            }
            group.clear();
            total = 0;
        }
        group.push(id);
        total += bytes;
    }
    if group.len() > 1 {
        groups.push(group);
    }
    groups
}

/// A file key's hash, from its text or from the bytes of its term.
fn file_hash(file: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(file)
}

/// Hashes of every file term of the committed index, deleted articles' included.
fn files_held(index: &NewsIndex) -> Result<HashSet<u64>> {
    let searcher = index.index.reader()?.searcher();
    let mut held = HashSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(index.fields.file)?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(|e| Error::Tantivy(e.into()))?;
        while terms.advance() {
            held.insert(file_hash(terms.key()));
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::merge_groups;

    #[test]
    fn merge_groups_stay_under_the_limit_and_leave_big_segments_alone() {
        let segments = vec![
            ("a", 40),
            ("big", 100),
            ("b", 10),
            ("c", 30),
            ("d", 60),
            ("e", 5),
        ];
        let groups = merge_groups(segments, 100);
        // Smallest first: e, b, c, a fill 85 bytes; d alone would be no merge; big stays.
        assert_eq!(groups, vec![vec!["e", "b", "c", "a"]]);
        for g in &groups {
            assert!(g.len() > 1);
        }
        let many: Vec<(u32, u64)> = (0..10).map(|i| (i, 30)).collect();
        let groups = merge_groups(many, 100);
        // Three groups of three; the tenth segment has no partner left.
        assert_eq!(groups.len(), 3, "{groups:?}");
        assert!(groups.iter().all(|g| g.len() * 30 <= 100));
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 9);
    }
}
