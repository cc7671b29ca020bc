//! Ingest: walk a folder and turn every file into [`Article`]s, one parser per format.
//!
//! This module knows nothing of tantivy: it yields plain articles plus the reasons files were
//! skipped, so the index writer, the tests and any future consumer share one notion of "an article".
mod bounded;
pub mod date;
mod decode;
mod fields;
mod html;
mod json;
mod markdown;
mod ocr;
mod office;
mod pdf;
mod pdf_repair;
mod problems;
pub mod source;
mod text;
mod txt;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

pub use ocr::{OcrOptions, Unavailable as OcrUnavailable, check as check_ocr};
pub use problems::{Words, location};

/// One news article as parsed from disk, before indexing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    /// Stable identifier: the same file (and record number) always gives the same id.
    pub id: String,
    /// Path relative to the indexed root, with `#N` (1-based) for records of multi-article files.
    pub path: String,
    pub headline: String,
    /// The headline was made from the body's first words (the record had none): shown in
    /// result lists, never indexed as a headline, or those words would count twice.
    pub headline_derived: bool,
    pub standfirst: Option<String>,
    pub body: String,
    pub source: Option<String>,
    #[serde(serialize_with = "serialize_date")]
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    /// First folder under the root, since archives are often filed by section.
    pub section: Option<String>,
    /// Some of the text was read by OCR from page images (a scan), so it may have misreadings.
    pub ocr: bool,
}

/// Dates serialise as `YYYY-MM-DD` (or null). Done by hand because chrono is built without its
/// `serde` feature.
fn serialize_date<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(&d.format("%Y-%m-%d")),
        None => s.serialize_none(),
    }
}

/// Why a whole file produced no articles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SkipReason {
    UnsupportedExtension,
    Empty,
    Binary,
    TooLarge,
    Unreadable(String),
    Malformed(String),
    NoText,
    /// A document that needs a password to be read.
    Encrypted,
    /// A PDF whose pages are images only (a scan): nothing to index without OCR.
    NoTextLayer,
}

/// A problem inside a file whose other content was kept (a bad JSON line, an impossible date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Warning {
    /// A record (1-based line or array index) that could not be parsed; the rest of the file is kept.
    BadRecord { record: usize, reason: String },
    /// An impossible date: shaped like a date but no such day, or outside the plausible years;
    /// the article is kept with no date.
    BadDate {
        record: Option<usize>,
        value: String,
    },
    /// A date value in no format we read; the article is kept with no date.
    UnparsedDate {
        record: Option<usize>,
        value: String,
    },
    /// A document read only in part (a PDF past its time budget, or with pages its parser cannot
    /// read); what was read is kept, and `detail` says what was not.
    PartlyRead { detail: String },
    /// An article indexed without its entities and quotes: finding them failed (a fault in
    /// newsdex, reported rather than stopping the run); `detail` names the article and the fault.
    NotAnalysed { detail: String },
}

impl Warning {
    /// The warning for a date value rejected with `err`: unparsed and impossible apart.
    pub fn date(record: Option<usize>, value: String, err: date::DateError) -> Warning {
        if err.understood() {
            Warning::BadDate { record, value }
        } else {
            Warning::UnparsedDate { record, value }
        }
    }
}

/// Per-run options for the parsers.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Source for articles that name none (`--source`).
    pub default_source: Option<String>,
    /// User field mappings (`--field body=content_original`): (our field, their key).
    pub field_map: Vec<(String, String)>,
    /// Largest article (file) accepted, in bytes; 0 means no limit.
    pub max_article_bytes: u64,
    /// Read PDF pages without a text layer by OCR (`--ocr`); `None` leaves them unread.
    pub ocr: Option<OcrOptions>,
}

/// What one file yielded.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub articles: Vec<Article>,
    pub warnings: Vec<Warning>,
}

/// One file found by [`walk`]. Hidden files and folders are never returned; files of any
/// extension are, so the caller can count unsupported ones via [`parse_file`].
pub struct WalkItem {
    pub path: PathBuf,
    /// Path relative to the root, `/`-separated.
    pub rel: String,
}

/// Walk `root` (files only, sorted, hidden entries skipped). Entries that cannot be read (symlink
/// loops, permission errors) come back as `Err` with the path and reason so the caller can count them.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<WalkItem, (PathBuf, SkipReason)>> {
    let root = root.to_path_buf();
    walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e
                    .path()
                    .strip_prefix(&root)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                Some(Ok(WalkItem {
                    path: e.into_path(),
                    rel,
                }))
            }
            Ok(_) => None,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                Some(Err((path, SkipReason::Unreadable(err.to_string()))))
            }
        })
}

/// Stable id of an article: a hash of its absolute root and its root-relative path (with `#N`).
pub fn article_id(root: &Path, rel: &str) -> String {
    let key = format!("{}\u{0}{}", root.display(), rel);
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

/// The article formats, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    JsonLines,
    Html,
    Pdf,
    /// Word (Office Open XML) documents.
    Docx,
    /// OpenDocument text.
    Odt,
}

impl Format {
    /// The format for a path's extension (case-insensitive), `None` if unsupported.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "docx" => Some(Format::Docx),
            "odt" => Some(Format::Odt),
            _ => None,
        }
    }

    /// JSON Lines files are limited per record, not as a whole.
    fn size_limit_applies_to_file(self) -> bool {
        self != Format::JsonLines
    }
}

/// What a format parser found: articles with their record number (`None` for single-article
/// files), plus warnings. Ids, paths, sections and default sources are filled in afterwards so
/// every format treats them identically.
#[derive(Debug, Default)]
pub(crate) struct Extracted {
    pub records: Vec<(Option<usize>, Article)>,
    pub warnings: Vec<Warning>,
}

impl Extracted {
    fn single(article: Article, warnings: Vec<Warning>) -> Extracted {
        Extracted {
            records: vec![(None, article)],
            warnings,
        }
    }
}

/// Parse one file into articles with the parser for its extension.
pub fn parse_file(root: &Path, item: &WalkItem, opts: &ParseOptions) -> Result<Parsed, SkipReason> {
    let format = Format::from_path(&item.path).ok_or(SkipReason::UnsupportedExtension)?;
    let meta = std::fs::metadata(&item.path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if opts.max_article_bytes > 0
        && format.size_limit_applies_to_file()
        && meta.len() > opts.max_article_bytes
    {
        return Err(SkipReason::TooLarge);
    }
    let bytes = std::fs::read(&item.path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    parse_bytes(root, &item.rel, format, &bytes, opts)
}

/// Parse file content already in memory; `rel` is the root-relative path (for ids and sections).
/// The size limit is the caller's business except per-record limits inside JSON Lines.
pub fn parse_bytes(
    root: &Path,
    rel: &str,
    format: Format,
    bytes: &[u8],
    opts: &ParseOptions,
) -> Result<Parsed, SkipReason> {
    let extracted = extract(format, bytes, opts)?;
    finish(root, rel, extracted, opts)
}

/// Parse a slice of a JSON Lines file that starts at line `first_line` (1-based), keeping the
/// record numbers (and so the ids) the records have in the whole file. The indexer streams large
/// files this way so memory does not grow with the file. A slice with no good line yields no
/// articles, only its warnings.
pub fn parse_jsonl_chunk(
    root: &Path,
    rel: &str,
    bytes: &[u8],
    first_line: usize,
    opts: &ParseOptions,
) -> Result<Parsed, SkipReason> {
    let text = unix_newlines(decode::decode(bytes)?);
    let mut extracted = json::parse_lines_only(&text, opts);
    let shift = first_line.saturating_sub(1);
    for (record, _) in &mut extracted.records {
        *record = record.map(|r| r + shift);
    }
    for w in &mut extracted.warnings {
        match w {
            Warning::BadRecord { record, .. } => *record += shift,
            Warning::BadDate { record, .. } | Warning::UnparsedDate { record, .. } => {
                *record = record.map(|r| r + shift)
            }
            Warning::PartlyRead { .. } | Warning::NotAnalysed { .. } => {}
        }
    }
    finish(root, rel, extracted, opts)
}

/// One line-ending convention for every parser (old Mac files use bare CR). Most files have no
/// CR at all and are passed through without a copy.
fn unix_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// Run the parser for `format`. Text formats are decoded first; PDF and office documents are
/// containers whose parsers read the bytes themselves.
fn extract(format: Format, bytes: &[u8], opts: &ParseOptions) -> Result<Extracted, SkipReason> {
    let text = || decode::decode(bytes).map(unix_newlines);
    let mut warnings = Vec::new();
    let article = match format {
        Format::Json => return json::parse_json(&text()?, opts),
        Format::JsonLines => return json::parse_jsonl(&text()?, opts),
        Format::Text => txt::parse_txt(&text()?, &mut warnings)?,
        Format::Markdown => markdown::parse_markdown(&text()?, opts, &mut warnings),
        Format::Html => html::parse_html(&text()?, &mut warnings),
        Format::Pdf => pdf::parse_pdf(bytes, opts.ocr.as_ref(), &mut warnings)?,
        Format::Docx => office::parse_docx(bytes)?,
        Format::Odt => office::parse_odt(bytes)?,
    };
    Ok(Extracted::single(article, warnings))
}

/// Give each extracted article its path, id, section and source defaults. A single-article file
/// whose article has no text at all is skipped as `NoText`.
fn finish(
    root: &Path,
    rel: &str,
    extracted: Extracted,
    opts: &ParseOptions,
) -> Result<Parsed, SkipReason> {
    let Extracted { records, warnings } = extracted;
    let section = section_of(rel);
    let default_source = opts.default_source.as_deref().and_then(source::clean);
    let mut articles = Vec::with_capacity(records.len());
    for (record, mut a) in records {
        if a.headline.trim().is_empty() && a.body.trim().is_empty() {
            if record.is_none() {
                return Err(SkipReason::NoText);
            }
            continue;
        }
        let derived = text::headline_from_body(&a.body);
        // Some parsers derive their own fallback headline: one equal to ours is a derivation too.
        if a.headline.trim().is_empty() || (!derived.is_empty() && a.headline == derived) {
            a.headline = derived;
            a.headline_derived = true;
        }
        a.path = match record {
            Some(n) => format!("{rel}#{n}"),
            None => rel.to_string(),
        };
        a.id = article_id(root, &a.path);
        a.section = section.clone();
        a.source = a
            .source
            .as_deref()
            .and_then(source::clean)
            .or_else(|| default_source.clone())
            .or_else(|| a.url.as_deref().and_then(source_from_url));
        articles.push(a);
    }
    Ok(Parsed { articles, warnings })
}

/// The outlet a URL names, for articles that name none: its host without `www.`
/// (`https://www.harbour-gazette.example/a` is `harbour-gazette.example`). Hosts that are
/// addresses or single names (`127.0.0.1`, `localhost`) name no outlet.
pub fn source_from_url(url: &str) -> Option<String> {
    let uri: http::Uri = url.trim().parse().ok()?;
    let host = uri.host()?.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let is_address = host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok();
    (host.contains('.') && !is_address).then(|| host.to_string())
}

/// The first folder under the root; files directly in the root have no section.
fn section_of(rel: &str) -> Option<String> {
    rel.split_once('/')
        .map(|(first, _)| first.to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests;
