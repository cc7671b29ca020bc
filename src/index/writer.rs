//! The index writer: walks roots, parses changed files on worker threads, and replaces each file's
//! articles in the index. One bad file is counted and skipped; it never stops the run.
//!
//! Commits happen at intervals (by time and by article count) and on interruption; the manifest
//! of each commit only names files whose articles that commit holds, so a killed run loses at most
//! one interval and the next run finishes the job without duplicates.
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::Serialize;
use tantivy::{IndexWriter, Term};

use super::document::{ArticleDoc, entity_set, searchable_body, to_document};
use super::manifest::{self, FileEntry, Manifest};
use super::{Fields, NewsIndex};
use crate::ingest::{self, Format, ParseOptions, SkipReason, WalkItem, Warning};
use crate::{Error, Result};

/// Everything `newsdex index` was asked to do, validated.
#[derive(Debug, Clone)]
pub struct IndexPlan {
    pub roots: Vec<PathBuf>,
    pub parse: ParseOptions,
    /// Writer memory budget in bytes.
    pub memory_bytes: usize,
    pub entities: bool,
    /// Commit at least this often.
    pub commit_interval: Duration,
    /// ...and after this many new articles.
    pub commit_articles: usize,
    /// Set from outside (a signal handler) to stop after committing what is done.
    pub stop: Arc<AtomicBool>,
    /// Parsing threads.
    pub threads: usize,
}

impl IndexPlan {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        IndexPlan {
            roots,
            parse: ParseOptions::default(),
            memory_bytes: DEFAULT_MEMORY,
            entities: true,
            commit_interval: Duration::from_secs(10),
            commit_articles: 100_000,
            stop: Arc::new(AtomicBool::new(false)),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Default writer budget: enough for tantivy's threads, small enough for a laptop.
pub const DEFAULT_MEMORY: usize = 256 * 1024 * 1024;

/// Told about progress; the CLI draws a bar with it. The library never prints.
pub trait Observer: Sync {
    fn files_to_parse(&self, _total: usize) {}
    fn file_done(&self, _articles: usize) {}
    fn committed(&self, _documents: u64) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// A file that yielded nothing, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
}

/// A problem inside a file whose other articles were indexed.
#[derive(Debug, Clone, Serialize)]
pub struct FileWarning {
    pub path: String,
    pub warning: Warning,
}

/// What an index run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_seen: usize,
    /// Files parsed and written this run (new or changed).
    pub files_indexed: usize,
    /// Files left alone because they had not changed.
    pub files_unchanged: usize,
    /// Files gone from disk whose articles were removed.
    pub files_removed: usize,
    /// Articles new to the index.
    pub articles_added: usize,
    /// Articles that replaced an earlier version of themselves.
    pub articles_replaced: usize,
    pub articles_removed: usize,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<FileWarning>,
    pub commits: usize,
    pub interrupted: bool,
    pub seconds: f64,
    pub documents_total: u64,
}

impl Summary {
    /// Up to five distinct rejected date values with their files, impossible or unparsed ones.
    pub fn date_examples(&self, impossible: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for w in &self.warnings {
            let value = match (&w.warning, impossible) {
                (Warning::BadDate { value, .. }, true)
                | (Warning::UnparsedDate { value, .. }, false) => value,
                _ => continue,
            };
            let shown = format!("{value:?} in {}", w.path);
            if out.len() < 5 && !out.iter().any(|o| o.starts_with(&format!("{value:?} "))) {
                out.push(shown);
            }
        }
        out
    }
}

/// Identity of a file across runs: its absolute root and root-relative path.
pub fn file_key(root: &Path, rel: &str) -> String {
    ingest::article_id(root, rel)
}

/// A file to (re)parse, with what the manifest knew of it.
struct Job {
    item: WalkItem,
    key: String,
    size: u64,
    mtime_ns: u128,
    known_hash: Option<u64>,
}

enum Outcome {
    /// Same bytes as the manifest says: only the modification time moved.
    SameContent,
    Parsed {
        docs: Vec<ArticleDoc>,
        warnings: Vec<Warning>,
    },
    Skipped(SkipReason),
}

/// One piece of a file's result. Small files come in one piece; large JSON Lines files come in
/// slices so that memory stays bounded, the first slice deleting the file's old articles.
struct Done {
    job: Arc<Job>,
    hash: u64,
    outcome: Outcome,
    first: bool,
    last: bool,
}

/// JSON Lines files larger than this are read and indexed in slices of about this size.
const SLICE_BYTES: usize = 4 * 1024 * 1024;

/// Run the plan against an opened index.
pub fn run(index: &NewsIndex, plan: &IndexPlan, observer: &dyn Observer) -> Result<Summary> {
    let started = Instant::now();
    stems::register(&index.index);
    let writer: IndexWriter<ArticleDoc> =
        index.index.writer(plan.memory_bytes).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Error::Locked(index.path.clone()),
            other => Error::Tantivy(other),
        })?;
    // Files a killed writer left behind are not referenced by any commit: drop them.
    let _ = writer.garbage_collect_files().wait();
    let (manifest, generation) = Manifest::load(&index.path, &index.index)?;
    Manifest::remove_others(&index.path, generation);
    let mut run = Run {
        index,
        writer,
        manifest,
        generation,
        summary: Summary::default(),
        last_commit: Instant::now(),
        since_commit: 0,
        dirty: false,
        partial: Default::default(),
        plan,
        observer,
    };
    for root in &plan.roots {
        let root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
        run.index_root(&root)?;
        if plan.stop.load(Ordering::SeqCst) {
            run.summary.interrupted = true;
            break;
        }
    }
    run.commit()?;
    let Run {
        writer,
        mut summary,
        ..
    } = run;
    // Let background merges finish: fewer segments make every later query cheaper.
    if !summary.interrupted {
        writer.wait_merging_threads()?;
    }
    let reader = index.reader()?;
    reader.reload()?;
    summary.documents_total = reader.searcher().num_docs();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

struct Run<'a> {
    index: &'a NewsIndex,
    writer: IndexWriter<ArticleDoc>,
    manifest: Manifest,
    generation: u64,
    summary: Summary,
    last_commit: Instant,
    since_commit: usize,
    dirty: bool,
    /// Articles added so far for files that arrive in slices.
    partial: std::collections::HashMap<String, usize>,
    plan: &'a IndexPlan,
    observer: &'a dyn Observer,
}

impl Run<'_> {
    fn index_root(&mut self, root: &Path) -> Result<()> {
        let root_name = root.display().to_string();
        let mut seen = HashSet::new();
        let mut jobs = Vec::new();
        for item in ingest::walk(root) {
            self.summary.files_seen += 1;
            let item = match item {
                Ok(item) => item,
                Err((path, reason)) => {
                    self.skip(path.display().to_string(), reason);
                    continue;
                }
            };
            let key = file_key(root, &item.rel);
            seen.insert(key.clone());
            if Format::from_path(&item.path).is_none() {
                self.skip(item.rel, SkipReason::UnsupportedExtension);
                continue;
            }
            let Ok(meta) = std::fs::metadata(&item.path) else {
                self.skip(
                    item.rel,
                    SkipReason::Unreadable("vanished while indexing".into()),
                );
                continue;
            };
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let known = self.manifest.files.get(&key);
            if known.is_some_and(|e| e.size == meta.len() && e.mtime_ns == mtime_ns) {
                self.summary.files_unchanged += 1;
                continue;
            }
            jobs.push(Job {
                known_hash: known.map(|e| e.hash),
                item,
                key,
                size: meta.len(),
                mtime_ns,
            });
        }
        self.observer.files_to_parse(jobs.len());
        self.process(root, &root_name, jobs)?;
        if !self.plan.stop.load(Ordering::SeqCst) {
            self.prune(&root_name, &seen);
        }
        Ok(())
    }

    /// Parse jobs on worker threads and apply the results here, in one writer.
    fn process(&mut self, root: &Path, root_name: &str, jobs: Vec<Job>) -> Result<()> {
        let threads = self.plan.threads.max(1);
        let fields = self.index.fields.clone();
        let plan = self.plan;
        std::thread::scope(|scope| -> Result<()> {
            let (job_tx, job_rx) = sync_channel::<Job>(threads * 4);
            let (done_tx, done_rx) = sync_channel::<Done>(threads * 4);
            let job_rx = Arc::new(Mutex::new(job_rx));
            for _ in 0..threads {
                let job_rx = Arc::clone(&job_rx);
                let done_tx = done_tx.clone();
                let fields = &fields;
                scope.spawn(move || worker(&job_rx, &done_tx, root, fields, plan));
            }
            drop(done_tx);
            let stop = Arc::clone(&plan.stop);
            scope.spawn(move || {
                for job in jobs {
                    if stop.load(Ordering::SeqCst) || job_tx.send(job).is_err() {
                        break;
                    }
                }
            });
            for done in done_rx {
                self.apply(root_name, done)?;
                self.maybe_commit()?;
            }
            Ok(())
        })
    }

    fn apply(&mut self, root_name: &str, done: Done) -> Result<()> {
        let Done {
            job,
            hash,
            outcome,
            first,
            last,
        } = done;
        let previous = self
            .manifest
            .files
            .get(&job.key)
            .map_or(0, |e| e.articles as usize);
        let entry = |articles: usize| FileEntry {
            root: root_name.to_string(),
            rel: job.item.rel.clone(),
            size: job.size,
            mtime_ns: job.mtime_ns,
            hash,
            articles: articles as u32,
        };
        match outcome {
            Outcome::SameContent => {
                self.summary.files_unchanged += 1;
                self.manifest.files.insert(job.key.clone(), entry(previous));
                self.dirty = true;
                self.observer.file_done(0);
            }
            Outcome::Skipped(reason) => {
                // A file that was fine before keeps its articles: a read error is no reason to lose them.
                self.skip(job.item.rel.clone(), reason);
                self.partial.remove(&job.key);
                self.observer.file_done(0);
            }
            Outcome::Parsed { docs, warnings } => {
                if first {
                    self.writer
                        .delete_term(Term::from_field_text(self.index.fields.file, &job.key));
                }
                let count = docs.len();
                for doc in docs {
                    self.writer.add_document(doc)?;
                }
                for warning in warnings {
                    self.summary.warnings.push(FileWarning {
                        path: job.item.rel.clone(),
                        warning,
                    });
                }
                self.since_commit += count.max(1);
                self.dirty = true;
                let so_far = self.partial.remove(&job.key).unwrap_or(0) + count;
                if !last {
                    // The manifest learns of the file only with its last slice, so a commit in
                    // between never claims a file whose articles are not all in.
                    self.partial.insert(job.key.clone(), so_far);
                    return Ok(());
                }
                self.summary.files_indexed += 1;
                self.summary.articles_replaced += previous.min(so_far);
                self.summary.articles_added += so_far.saturating_sub(previous);
                self.summary.articles_removed += previous.saturating_sub(so_far);
                self.manifest.files.insert(job.key.clone(), entry(so_far));
                self.observer.file_done(so_far);
            }
        }
        Ok(())
    }

    /// Remove the articles of this root's files that are no longer on disk.
    fn prune(&mut self, root_name: &str, seen: &HashSet<String>) {
        let gone: Vec<String> = self
            .manifest
            .files
            .iter()
            .filter(|(key, e)| e.root == root_name && !seen.contains(*key))
            .map(|(key, _)| key.clone())
            .collect();
        for key in gone {
            if let Some(entry) = self.manifest.files.remove(&key) {
                self.writer
                    .delete_term(Term::from_field_text(self.index.fields.file, &key));
                self.summary.files_removed += 1;
                self.summary.articles_removed += entry.articles as usize;
                self.dirty = true;
            }
        }
    }

    fn skip(&mut self, path: String, reason: SkipReason) {
        self.summary.skipped.push(Skipped { path, reason });
    }

    fn maybe_commit(&mut self) -> Result<()> {
        if self.since_commit >= self.plan.commit_articles
            || self.last_commit.elapsed() >= self.plan.commit_interval
        {
            self.commit()?;
        }
        Ok(())
    }

    /// Manifest first, then the commit that names it.
    fn commit(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let next = self.generation + 1;
        self.manifest.save(&self.index.path, next)?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&manifest::payload(next));
        prepared.commit()?;
        Manifest::remove_others(&self.index.path, next);
        self.generation = next;
        self.summary.commits += 1;
        self.since_commit = 0;
        self.dirty = false;
        self.last_commit = Instant::now();
        self.observer.committed(self.manifest.article_count());
        Ok(())
    }
}

fn worker(
    jobs: &Mutex<Receiver<Job>>,
    done: &std::sync::mpsc::SyncSender<Done>,
    root: &Path,
    fields: &Fields,
    plan: &IndexPlan,
) {
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let job = Arc::new(job);
        let mut send = |hash: u64, outcome: Outcome, first: bool, last: bool| {
            let job = Arc::clone(&job);
            done.send(Done {
                job,
                hash,
                outcome,
                first,
                last,
            })
            .is_ok()
        };
        let streamed = Format::from_path(&job.item.path) == Some(Format::JsonLines)
            && job.size > SLICE_BYTES as u64;
        let ok = if streamed {
            parse_sliced(&job, root, fields, plan, &mut send)
        } else {
            let (hash, outcome) = parse_job(&job, root, fields, plan);
            send(hash, outcome, true, true)
        };
        if !ok {
            return;
        }
    }
}

fn documents(
    articles: Vec<ingest::Article>,
    key: &str,
    fields: &Fields,
    plan: &IndexPlan,
) -> Vec<ArticleDoc> {
    articles
        .into_iter()
        .map(|article| {
            let entities = if plan.entities {
                let text = format!("{}\n\n{}", article.headline, searchable_body(&article));
                entity_set(&crate::entities::extract(&text))
            } else {
                Default::default()
            };
            to_document(fields, key, article, &entities)
        })
        .collect()
}

fn parse_job(job: &Job, root: &Path, fields: &Fields, plan: &IndexPlan) -> (u64, Outcome) {
    let Some(format) = Format::from_path(&job.item.path) else {
        return (0, Outcome::Skipped(SkipReason::UnsupportedExtension));
    };
    let limit = plan.parse.max_article_bytes;
    if limit > 0 && format != Format::JsonLines && job.size > limit {
        return (0, Outcome::Skipped(SkipReason::TooLarge));
    }
    let bytes = match std::fs::read(&job.item.path) {
        Ok(b) => b,
        Err(e) => return (0, Outcome::Skipped(SkipReason::Unreadable(e.to_string()))),
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    if job.known_hash == Some(hash) {
        return (hash, Outcome::SameContent);
    }
    match ingest::parse_bytes(root, &job.item.rel, format, &bytes, &plan.parse) {
        Ok(parsed) => (
            hash,
            Outcome::Parsed {
                docs: documents(parsed.articles, &job.key, fields, plan),
                warnings: parsed.warnings,
            },
        ),
        Err(reason) => (hash, Outcome::Skipped(reason)),
    }
}

/// Hash a large JSON Lines file in one streaming pass, then parse it slice by slice, each slice
/// a run of whole lines. Returns false when the receiver is gone.
fn parse_sliced(
    job: &Job,
    root: &Path,
    fields: &Fields,
    plan: &IndexPlan,
    send: &mut dyn FnMut(u64, Outcome, bool, bool) -> bool,
) -> bool {
    let unreadable = |e: std::io::Error| Outcome::Skipped(SkipReason::Unreadable(e.to_string()));
    let hash = match hash_file(&job.item.path) {
        Ok(h) => h,
        Err(e) => return send(0, unreadable(e), true, true),
    };
    if job.known_hash == Some(hash) {
        return send(hash, Outcome::SameContent, true, true);
    }
    let file = match std::fs::File::open(&job.item.path) {
        Ok(f) => f,
        Err(e) => return send(hash, unreadable(e), true, true),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut slice = Vec::with_capacity(SLICE_BYTES + (1 << 16));
    let mut first_line = 1;
    let mut lines_in_slice = 0;
    let mut first = true;
    loop {
        let before = slice.len();
        let read = match reader.read_until(b'\n', &mut slice) {
            Ok(n) => n,
            Err(e) => return send(hash, unreadable(e), first, true),
        };
        if read > 0 && slice.len() > before {
            lines_in_slice += 1;
        }
        let at_end = read == 0;
        if slice.len() < SLICE_BYTES && !at_end {
            continue;
        }
        let outcome = if slice.iter().all(u8::is_ascii_whitespace) {
            Outcome::Parsed {
                docs: Vec::new(),
                warnings: Vec::new(),
            }
        } else {
            parse_slice(job, root, fields, plan, &slice, first_line, lines_in_slice)
        };
        if !send(hash, outcome, first, at_end) {
            return false;
        }
        if at_end {
            return true;
        }
        first = false;
        first_line += lines_in_slice;
        lines_in_slice = 0;
        slice.clear();
    }
}

fn parse_slice(
    job: &Job,
    root: &Path,
    fields: &Fields,
    plan: &IndexPlan,
    slice: &[u8],
    first_line: usize,
    lines: usize,
) -> Outcome {
    match ingest::parse_jsonl_chunk(root, &job.item.rel, slice, first_line, &plan.parse) {
        Ok(parsed) => Outcome::Parsed {
            docs: documents(parsed.articles, &job.key, fields, plan),
            warnings: parsed.warnings,
        },
        Err(reason) => Outcome::Parsed {
            docs: Vec::new(),
            warnings: vec![Warning::BadRecord {
                record: first_line,
                reason: format!(
                    "lines {first_line}-{}: {}",
                    first_line + lines.saturating_sub(1),
                    reason.label()
                ),
            }],
        },
    }
}

fn hash_file(path: &Path) -> std::io::Result<u64> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.digest());
        }
        hasher.update(&buf[..n]);
    }
}

/// The stemmed analyzer the writer indexes with: the registered one with a memo in front of the
/// stemmer. Snowball stemming was a fifth of all indexing CPU, and news text repeats a small
/// vocabulary, so each indexing thread remembers the stems it has computed. The tokens are the
/// same by construction (the exact pipeline, then the same stemmer on each token, which depends on
/// the token's text alone), and a test holds the two analyzers to identical streams.
mod stems {
    use std::collections::HashMap;
    use std::hash::{BuildHasher, Hasher};

    use tantivy::Index;
    use tantivy::tokenizer::{
        BoxTokenStream, Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter,
        TokenStream, Tokenizer,
    };

    use crate::index::analyzers::{self, STEMMED};

    /// Past this many distinct words a thread starts its memo afresh, bounding its memory
    /// (a few MB) on archives with huge vocabularies.
    const MAX_WORDS: usize = 200_000;

    /// Register the memoised analyzer under the stemmed analyzer's name on this index handle.
    /// Only the writer's handle is affected; queries through it would get the same tokens anyway.
    pub fn register(index: &Index) {
        index.tokenizers().register(STEMMED, analyzer());
    }

    pub fn analyzer() -> TextAnalyzer {
        TextAnalyzer::builder(Analyzed(analyzers::exact()))
            .filter(MemoStem)
            .build()
    }

    /// A whole analyzer used as the tokenizer of another, so the exact pipeline is written once.
    #[derive(Clone)]
    struct Analyzed(TextAnalyzer);

    impl Tokenizer for Analyzed {
        type TokenStream<'a> = BoxTokenStream<'a>;

        fn token_stream<'a>(&'a mut self, text: &'a str) -> BoxTokenStream<'a> {
            self.0.token_stream(text)
        }
    }

    #[derive(Clone)]
    struct MemoStem;

    impl TokenFilter for MemoStem {
        type Tokenizer<T: Tokenizer> = MemoStemFilter<T>;

        fn transform<T: Tokenizer>(self, inner: T) -> MemoStemFilter<T> {
            MemoStemFilter {
                inner,
                stemmer: TextAnalyzer::builder(RawTokenizer::default())
                    .filter(Stemmer::new(Language::English))
                    .build(),
                memo: HashMap::default(),
            }
        }
    }

    #[derive(Clone)]
    struct MemoStemFilter<T> {
        inner: T,
        /// Stems one whole word: the raw tokenizer passes it through unchanged.
        stemmer: TextAnalyzer,
        memo: HashMap<Box<str>, Box<str>, FxBuild>,
    }

    impl<T: Tokenizer> Tokenizer for MemoStemFilter<T> {
        type TokenStream<'a> = MemoStemStream<'a, T::TokenStream<'a>>;

        fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
            if self.memo.len() > MAX_WORDS {
                self.memo.clear();
            }
            MemoStemStream {
                tail: self.inner.token_stream(text),
                stemmer: &mut self.stemmer,
                memo: &mut self.memo,
            }
        }
    }

    struct MemoStemStream<'a, T> {
        tail: T,
        stemmer: &'a mut TextAnalyzer,
        memo: &'a mut HashMap<Box<str>, Box<str>, FxBuild>,
    }

    impl<T: TokenStream> TokenStream for MemoStemStream<'_, T> {
        fn advance(&mut self) -> bool {
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token_mut();
            if let Some(stem) = self.memo.get(token.text.as_str()) {
                if **stem != *token.text {
                    token.text.clear();
                    token.text.push_str(stem);
                }
                return true;
            }
            let mut stream = self.stemmer.token_stream(&token.text);
            let stem = if stream.advance() {
                std::mem::take(&mut stream.token_mut().text)
            } else {
                token.text.clone()
            };
            drop(stream);
            self.memo
                .insert(token.text.as_str().into(), stem.as_str().into());
            token.text = stem;
            true
        }

        fn token(&self) -> &Token {
            self.tail.token()
        }

        fn token_mut(&mut self) -> &mut Token {
            self.tail.token_mut()
        }
    }

    /// A multiply-rotate hash (as in rustc's FxHash): words are short and not adversarial, and
    /// the default SipHash would cost a good part of what the memo saves.
    #[derive(Clone, Copy, Default)]
    struct FxBuild;

    impl BuildHasher for FxBuild {
        type Hasher = Fx;

        fn build_hasher(&self) -> Fx {
            Fx(0)
        }
    }

    struct Fx(u64);

    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    impl Fx {
        fn mix(&mut self, word: u64) {
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
    }

    impl Hasher for Fx {
        fn write(&mut self, bytes: &[u8]) {
            let mut chunks = bytes.chunks_exact(8);
            for chunk in &mut chunks {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                self.mix(u64::from_le_bytes(word));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut word = [0u8; 8];
                word[..rest.len()].copy_from_slice(rest);
                self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
            }
        }

        fn write_u8(&mut self, byte: u8) {
            self.mix(u64::from(byte));
        }

        fn finish(&self) -> u64 {
            self.0
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn stream(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
            analyzers::tokens(analyzer, text)
        }

        #[test]
        fn memoised_stems_equal_the_registered_analyzer() {
            let texts = [
                "The running runners ran; Café owners' naïve résumés — généralement!",
                "Running RUNNING running runs. Re-running don't won't U.S. officials said",
                "Ünïcödé ﬁnance ﬂights 東京 عربي İstanbul straße STRASSE œuvre",
                &"x".repeat(70),
                "",
                "   \n\n  ",
                "connection connections connected connecting connective 2024-03-05 $1.5bn",
            ];
            let mut plain = analyzers::stemmed();
            let mut memo = analyzer();
            // Twice over, so the second pass is answered from the memo.
            for _ in 0..2 {
                for text in texts {
                    assert_eq!(stream(&mut memo, text), stream(&mut plain, text), "{text}");
                }
            }
        }

        #[test]
        fn memo_is_bounded() {
            let mut memo = analyzer();
            let text: String = (0..MAX_WORDS + 10).map(|i| format!("w{i} ")).collect();
            assert_eq!(stream(&mut memo, &text).len(), MAX_WORDS + 10);
            // The next stream starts with a cleared memo and still stems correctly.
            let got: Vec<String> = stream(&mut memo, "running")
                .into_iter()
                .map(|t| t.text)
                .collect();
            assert_eq!(got, vec!["run"]);
        }
    }
}
