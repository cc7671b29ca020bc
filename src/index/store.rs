//! The embedded engine's [`Store`]: one tantivy writer over an index folder, with the manifest
//! kept beside the segments and named in each commit's payload.
//!
//! A file's articles share a `file` term, so replacing a file is one delete of that term followed
//! by its new documents, and both land in the same commit.
use std::path::Path;

use tantivy::{IndexWriter, Term};

use super::document::{ArticleDoc, to_document};
use super::manifest::{self, Manifest};
use super::{NewsIndex, stems};
use crate::backend::{Piece, Store, WriteOptions};
use crate::{Error, Result};

pub struct TantivyStore {
    index: NewsIndex,
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
        let writer: IndexWriter<ArticleDoc> =
            index
                .index
                .writer(options.memory_bytes)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
                    other => Error::Tantivy(other).while_writing_index(path, room),
                })?;
        // Files a killed writer left behind are not referenced by any commit: drop them.
        let _ = writer.garbage_collect_files().wait();
        Ok(TantivyStore {
            index,
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

    /// Errors as the user needs to hear them: a full disk is named as such.
    fn told(&self, e: Error) -> Error {
        e.while_writing_index(&self.index.path, self.memory_bytes as u64)
    }
}

impl Store for TantivyStore {
    fn location(&self) -> String {
        self.index.path.display().to_string()
    }

    fn manifest(&mut self) -> Result<Manifest> {
        let (manifest, generation) = Manifest::load(&self.index.path, &self.index.index)?;
        Manifest::remove_others(&self.index.path, generation);
        self.generation = generation;
        Ok(manifest)
    }

    fn save_source_aliases(&mut self, aliases: &[(String, String)]) -> Result<()> {
        crate::search::sources::Aliases::save(&self.index.path, aliases)
    }

    fn write(&mut self, piece: Piece) -> Result<()> {
        let fields = self.index.fields.clone();
        let writer = self.writer()?;
        if piece.first {
            writer.delete_term(Term::from_field_text(fields.file, &piece.file));
        }
        let mut added = Ok(());
        for p in piece.articles {
            let doc = to_document(&fields, &piece.file, p.article, &p.entities);
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

    fn finish(&mut self, interrupted: bool) -> Result<u64> {
        // Let background merges finish: fewer segments make every later query cheaper.
        if let Some(writer) = self.writer.take()
            && !interrupted
        {
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
