//! The embedded engine's copies of one story: each article's signature read from its fast column
//! (with its id, from the id terms), and the groups kept as one JSON file in the index folder,
//! beside the segments. Keeping the groups outside the documents means an index run records them
//! without writing any article again: tantivy has no in-place update, and rewriting every copy
//! was most of the peak memory of indexing an archive full of copies (BENCHMARKS.md).
//!
//! Saving writes a temporary file and renames it over the old one, so a reader never sees half a
//! table; a run stopped before it saves leaves the last run's table, which the next run replaces
//! (`--rebuild` removes it with the segments). An index written before the table was kept has
//! each group in its articles' `copy_group` column; it is read from there until a run saves one.
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::{DocId, Searcher, SegmentReader};

use super::files::{Stamp, stamp};
use super::schema::Fields;
use crate::model::copies::{CopyGroups, GROUPS_FILE, GroupId, Member, Signature};
use crate::model::fields::column;
use crate::{Error, Result};

/// The live articles of every segment that have a signature, with their ids.
pub fn members(searcher: &Searcher, fields: &Fields) -> Result<Vec<Member>> {
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        segment_members(segment, fields, &mut out)?;
    }
    Ok(out)
}

fn segment_members(segment: &SegmentReader, fields: &Fields, out: &mut Vec<Member>) -> Result<()> {
    let fast = segment.fast_fields();
    let Some(signatures) = fast.bytes(column::COPY_SIGNATURE)? else {
        return Ok(());
    };
    // The dictionary in one pass, rather than a lookup per article.
    let mut by_ord: Vec<Option<Signature>> = Vec::with_capacity(signatures.num_terms());
    let mut terms = signatures
        .dictionary()
        .stream()
        .map_err(|e| Error::Tantivy(e.into()))?;
    while terms.advance() {
        by_ord.push(Signature::from_bytes(terms.key()));
    }
    let mut ids = ids(segment, fields)?;
    for doc in 0..segment.max_doc() {
        if segment.is_deleted(doc) {
            continue;
        }
        let signature = signatures
            .term_ords(doc)
            .next()
            .and_then(|o| by_ord.get(o as usize).cloned().flatten());
        let id = ids.get_mut(doc as usize).and_then(Option::take);
        if let (Some(signature), Some(id)) = (signature, id) {
            out.push(Member { id, signature });
        }
    }
    Ok(())
}

/// Each document's id, from the id field's terms and postings: the term dictionary is small and
/// read in order, where the stored documents would each be decompressed.
fn ids(segment: &SegmentReader, fields: &Fields) -> Result<Vec<Option<String>>> {
    let mut ids = vec![None; segment.max_doc() as usize];
    let inverted = segment.inverted_index(fields.id)?;
    let mut terms = inverted
        .terms()
        .stream()
        .map_err(|e| Error::Tantivy(e.into()))?;
    while terms.advance() {
        let id = String::from_utf8_lossy(terms.key()).into_owned();
        let mut postings = inverted
            .read_postings_from_terminfo(terms.value(), tantivy::schema::IndexRecordOption::Basic)
            .map_err(|e| Error::Tantivy(e.into()))?;
        let mut doc: DocId = tantivy::DocSet::doc(&postings);
        while doc != tantivy::TERMINATED {
            if let Some(slot) = ids.get_mut(doc as usize) {
                *slot = Some(id.clone());
            }
            doc = tantivy::DocSet::advance(&mut postings);
        }
    }
    Ok(ids)
}

/// Put the table in place, by a temporary file renamed over the old one.
pub fn save(index: &Path, groups: &CopyGroups) -> Result<()> {
    super::files::replace(&index.join(GROUPS_FILE), groups.to_json().as_bytes())
}

/// The table as it was last read, with the version of the file it came from.
#[derive(Default)]
pub struct GroupsCache {
    last: Mutex<Option<(Version, Arc<CopyGroups>)>>,
}

/// What tells one saved table from another: the file's stamp, or, without a file, the commit
/// the groups were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Version {
    File(Stamp),
    Columns(u64),
}

impl GroupsCache {
    /// The groups kept with the index at `index`, read again only when they changed;
    /// `searcher` is called only when there is no table of this version to read.
    pub fn get(
        &self,
        index: &Path,
        searcher: &dyn Fn() -> Searcher,
        fields: &Fields,
    ) -> Result<Arc<CopyGroups>> {
        let path = index.join(GROUPS_FILE);
        let version = match stamp(&path)? {
            Some(stamp) => Version::File(stamp),
            None => Version::Columns(searcher().generation().generation_id()),
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, groups)) = last.as_ref()
            && *seen == version
        {
            return Ok(Arc::clone(groups));
        }
        let stored = match version {
            Version::File(..) => load(&path)?,
            Version::Columns(_) => None,
        };
        // No table (or one of another version): the groups as the articles carry them, until
        // an index run saves a table.
        let groups = Arc::new(match stored {
            Some(groups) => groups,
            None => legacy(&searcher(), fields)?,
        });
        *last = Some((version, Arc::clone(&groups)));
        Ok(groups)
    }
}

/// The table in the file at `path`; `None` for one of another version.
fn load(path: &Path) -> Result<Option<CopyGroups>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    CopyGroups::parse(&text, &path.display().to_string())
}

/// The groups an index written before the table was kept carries in its `copy_group` column.
fn legacy(searcher: &Searcher, fields: &Fields) -> Result<CopyGroups> {
    let mut pairs = Vec::new();
    for segment in searcher.segment_readers() {
        let Some(groups) = segment.fast_fields().str(column::COPY_GROUP)? else {
            continue;
        };
        if groups.num_terms() == 0 {
            continue;
        }
        let ids = ids(segment, fields)?;
        let mut name = String::new();
        for (doc, id) in ids.into_iter().enumerate() {
            let doc = doc as DocId;
            let Some(id) = id.filter(|_| !segment.is_deleted(doc)) else {
                continue;
            };
            if let Some(o) = groups.term_ords(doc).next()
                && groups
                    .ord_to_str(o, &mut name)
                    .map_err(|e| Error::Tantivy(e.into()))?
            {
                pairs.push((id, GroupId(name.clone())));
            }
        }
    }
    Ok(CopyGroups::from_pairs(pairs))
}
