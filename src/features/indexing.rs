//! The index run: walks roots, parses changed files on worker threads, and replaces each file's
//! articles through a [`Store`], whichever engine it writes to. One bad file is counted and
//! skipped; it never stops the run.
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

use crate::backend::Store;
use crate::ingest::{self, Format, ParseOptions, SkipReason, WalkItem, Warning};
use crate::model::article::{body_quotes, entity_set, headline_and_body, searchable_body};
use crate::model::manifest::{FileEntry, Manifest, file_key};
use crate::model::write::{Piece, Prepared};
use crate::{Error, Result};

/// Everything `newsdex index` was asked to do, validated.
#[derive(Debug, Clone)]
pub struct IndexPlan {
    pub roots: Vec<PathBuf>,
    pub parse: ParseOptions,
    /// Writer memory budget in bytes.
    pub memory_bytes: usize,
    pub entities: bool,
    /// Sign each article's body for copy detection.
    pub copies: bool,
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
            copies: true,
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
    /// Groups of copies of one story in the whole index after the run, and the articles in them.
    pub copy_groups: usize,
    pub articles_in_copy_groups: usize,
    /// Entity names shown as another name of the archive (`newsdex entities merges`).
    pub entity_merges: usize,
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
        docs: Vec<Prepared>,
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

/// Run the plan against an opened store.
pub fn run(store: &mut dyn Store, plan: &IndexPlan, observer: &dyn Observer) -> Result<Summary> {
    let started = Instant::now();
    let manifest = store.manifest()?;
    let mut run = Run {
        store,
        manifest,
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
    if !run.summary.interrupted {
        run.regroup()?;
        run.summary.entity_merges = super::merges::remerge(run.store)?;
    }
    let Run {
        store, mut summary, ..
    } = run;
    summary.documents_total = store.finish(summary.interrupted)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

struct Run<'a> {
    store: &'a mut dyn Store,
    manifest: Manifest,
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
            self.prune(&root_name, &seen)?;
        }
        Ok(())
    }

    /// Parse jobs on worker threads and apply the results here, in one writer.
    fn process(&mut self, root: &Path, root_name: &str, jobs: Vec<Job>) -> Result<()> {
        let threads = self.plan.threads.max(1);
        let plan = self.plan;
        std::thread::scope(|scope| -> Result<()> {
            let (job_tx, job_rx) = sync_channel::<Job>(threads * 4);
            let (done_tx, done_rx) = sync_channel::<Done>(threads * 4);
            let job_rx = Arc::new(Mutex::new(job_rx));
            for _ in 0..threads {
                let job_rx = Arc::clone(&job_rx);
                let done_tx = done_tx.clone();
                scope.spawn(move || worker(&job_rx, &done_tx, root, plan));
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
                let count = docs.len();
                self.store.write(Piece {
                    file: job.key.clone(),
                    hash,
                    first,
                    last,
                    articles: docs,
                })?;
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
    fn prune(&mut self, root_name: &str, seen: &HashSet<String>) -> Result<()> {
        let gone: Vec<String> = self
            .manifest
            .files
            .iter()
            .filter(|(key, e)| e.root == root_name && !seen.contains(*key))
            .map(|(key, _)| key.clone())
            .collect();
        for key in gone {
            if let Some(entry) = self.manifest.files.remove(&key) {
                self.store.delete_file(&key)?;
                self.summary.files_removed += 1;
                self.summary.articles_removed += entry.articles as usize;
                self.dirty = true;
            }
        }
        Ok(())
    }

    /// Articles the engine refused become warnings on their files.
    fn note_rejected(&mut self) {
        for r in self.store.rejected() {
            let path = self
                .manifest
                .files
                .get(&r.file)
                .map_or_else(|| r.file.clone(), |e| e.rel.clone());
            self.summary.warnings.push(FileWarning {
                path,
                warning: Warning::BadRecord {
                    record: r.record,
                    reason: format!("the search engine refused the article: {}", r.reason),
                },
            });
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

    /// Bring the copy groups kept with the index up to date with what it now holds. Runs even
    /// when nothing changed, so a run killed between its last commit and this step is made
    /// whole by the next one.
    fn regroup(&mut self) -> Result<()> {
        let done = super::copies::regroup(self.store)?;
        self.summary.copy_groups = done.groups;
        self.summary.articles_in_copy_groups = done.grouped_articles;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        if !self.dirty {
            return Ok(());
        }
        self.store.commit(&self.manifest)?;
        self.note_rejected();
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
            parse_sliced(&job, root, plan, &mut send)
        } else {
            let (hash, outcome) = parse_job(&job, root, plan);
            send(hash, outcome, true, true)
        };
        if !ok {
            return;
        }
    }
}

/// Articles with their named entities (when the plan asks for them).
fn documents(
    articles: Vec<ingest::Article>,
    plan: &IndexPlan,
    warnings: &mut Vec<Warning>,
) -> Vec<Prepared> {
    articles
        .into_iter()
        .map(|mut article| {
            let body = searchable_body(&article);
            let signature = plan
                .copies
                .then(|| crate::model::copies::Signature::of(&article.id, &body))
                .flatten();
            let found = if plan.entities {
                analyse(&article.headline, &body).unwrap_or_else(|fault| {
                    warnings.push(Warning::NotAnalysed {
                        detail: format!("{:?}: {fault}", article.headline),
                    });
                    Analysis::default()
                })
            } else {
                Analysis::default()
            };
            credit_authors(&mut article, found.credited);
            Prepared {
                article,
                entities: found.entities,
                quotes: found.quotes,
                signature,
                links: found.links,
            }
        })
        .collect()
}

/// What the tagger and the quote rules find in one article.
#[derive(Default)]
struct Analysis {
    entities: crate::model::article::EntitySet,
    quotes: Vec<crate::quotes::Quote>,
    links: Vec<crate::entities::merges::Link>,
    credited: Vec<String>,
}

/// Tags the article and finds its quotes. A fault in that code (a bug, never the text's fault)
/// costs this one article its entities and quotes, not the run: the article is still indexed
/// and searchable, and the file is reported with the fault.
fn analyse(headline: &str, body: &str) -> std::result::Result<Analysis, String> {
    std::panic::catch_unwind(|| {
        let tagged = headline_and_body(headline, body);
        // One tokenization of the text gives the mentions and the body's credits.
        let found = crate::entities::extract_crediting(&tagged, tagged.len() - body.len());
        let mentions = found.mentions;
        Analysis {
            entities: entity_set(&mentions),
            quotes: body_quotes(headline, &tagged, &mentions),
            links: crate::entities::merges::links_of(&mentions),
            credited: found.credited,
        }
    })
    .map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal fault".to_string())
    })
}

/// The authors a credit line or byline of the body names, added to the article's own (each
/// once, whatever its case): credited names are the article's authors, not persons in it.
fn credit_authors(article: &mut ingest::Article, credited: Vec<String>) {
    for name in credited {
        let lower = name.to_lowercase();
        if !article.authors.iter().any(|a| a.to_lowercase() == lower) {
            article.authors.push(name);
        }
    }
}

fn parse_job(job: &Job, root: &Path, plan: &IndexPlan) -> (u64, Outcome) {
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
        Ok(mut parsed) => (
            hash,
            Outcome::Parsed {
                docs: documents(parsed.articles, plan, &mut parsed.warnings),
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
            parse_slice(job, root, plan, &slice, first_line, lines_in_slice)
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
    plan: &IndexPlan,
    slice: &[u8],
    first_line: usize,
    lines: usize,
) -> Outcome {
    match ingest::parse_jsonl_chunk(root, &job.item.rel, slice, first_line, &plan.parse) {
        Ok(mut parsed) => Outcome::Parsed {
            docs: documents(parsed.articles, plan, &mut parsed.warnings),
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
