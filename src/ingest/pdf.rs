//! PDF documents: the text layer laid out again in reading order, with the document's title,
//! author and creation date.
//!
//! A PDF stores positioned glyphs, not paragraphs. Reports and press releases set in two columns,
//! with a running header and a page number on every page, would otherwise index as interleaved
//! half-lines with the header repeated page after page, and words hyphenated at line ends would
//! never match a search. So glyphs are collected with their positions (through `pdf-extract`,
//! pure Rust, so the binary stays single), grouped into lines and column blocks, and re-joined:
//! columns top to bottom, left before right; hyphenated breaks mended; lines repeated at the top
//! or bottom of most pages dropped. A file with no text layer (a scan) is a reported skip, as is
//! an encrypted or broken one. The parse runs bounded in time so no file can stall a run; the
//! bound grows with the document's length, and the pages read when it runs out (or before a page
//! breaks the parser) are kept with a warning, so a long manual is never lost for time alone.
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use pdf_extract::{Document, MediaBox, Object, OutputDev, OutputError, Transform};

use super::ocr::{self, OcrOptions};
use super::text::{collapse_ws, non_empty, split_authors};
use super::{Article, SkipReason, Warning, bounded, date, pdf_repair};

/// Wall-clock budget for a PDF before its length is known; real reports take well under a second.
const BASE_BUDGET: Duration = Duration::from_secs(20);

/// Added to the budget for each page (once the page count is known) and each megabyte of file:
/// a 3,000-page manual reads in about 10 s on an idle core and three times that on a busy one.
const PAGE_BUDGET: Duration = Duration::from_millis(100);
const MEGABYTE_BUDGET: Duration = Duration::from_secs(1);

/// The most one file may take whatever length it claims: the bound against a hostile file.
const MAX_BUDGET: Duration = Duration::from_secs(300);

/// The reader checks its budget between pages and every thousand glyphs; past the budget by this
/// much (stuck inside one page) the caller stops waiting and keeps the pages read.
const GRACE: Duration = Duration::from_secs(5);

/// Most glyphs read from one file (about 2,000 dense pages); beyond it the rest is dropped.
const MAX_GLYPHS: usize = 4_000_000;

/// A line is heading-sized when its type is this much larger than the body text.
const HEADING_RATIO: f64 = 1.25;

/// Lines at the top or bottom of at least this share of pages are running headers or footers.
const RUNNING_SHARE: f64 = 0.5;

/// A PDF's text as an article; with `ocr`, pages without a text layer are read from their
/// images, each in its own time budget (outside the file's, since OCR is slow by nature). A file
/// read only in part (out of time, a page the parser cannot read) is kept with a warning.
pub fn parse_pdf(
    bytes: &[u8],
    ocr: Option<&OcrOptions>,
    warnings: &mut Vec<Warning>,
) -> Result<Article, SkipReason> {
    parse_within(bytes, ocr, warnings, budget)
}

fn parse_within(
    bytes: &[u8],
    ocr: Option<&OcrOptions>,
    warnings: &mut Vec<Warning>,
    budget: Budget,
) -> Result<Article, SkipReason> {
    let shared: Arc<[u8]> = Arc::from(bytes);
    let parsed = Arc::clone(&shared);
    let progress = Arc::new(Progress::new(bytes.len(), budget));
    let worker = Arc::clone(&progress);
    let outcome = bounded::run_within(
        "PDF",
        || progress.allowed().saturating_add(GRACE),
        move || read(&parsed, &worker),
    );
    // A thread still reading past the grace ends at its next page or glyphs.
    progress.stop.store(true, Ordering::Relaxed);
    let total = progress.page_count.load(Ordering::Relaxed);
    let (info, mut pages) = progress.take();
    let has_text = pages.iter().any(|p| !p.lines.is_empty());
    let shortfall = match outcome {
        Ok(shortfall) => shortfall,
        Err(reason) if has_text => Some(Shortfall::Failed(reason)),
        Err(reason) => return Err(reason),
    };
    if let Some(shortfall) = shortfall {
        if !has_text {
            return Err(shortfall.into_skip());
        }
        warnings.push(Warning::PartlyRead {
            detail: shortfall.detail(pages.len(), total),
        });
    }
    let by_ocr = ocr.is_some_and(|options| read_scanned_pages(&shared, &mut pages, options));
    if pages.iter().all(|p| p.lines.is_empty()) {
        return Err(SkipReason::NoTextLayer);
    }
    let mut article = article(info, pages);
    article.ocr = by_ocr;
    Ok(article)
}

/// A file's wall-clock budget from its size in bytes, its page count (0 until known) and the
/// pages read so far.
type Budget = fn(bytes: usize, pages: usize, read: usize) -> Duration;

/// The budget newsdex runs with: the base, widened by length, up to the cap.
fn budget(bytes: usize, pages: usize, _read: usize) -> Duration {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    BASE_BUDGET
        .saturating_add(PAGE_BUDGET.saturating_mul(count(pages)))
        .saturating_add(MEGABYTE_BUDGET.saturating_mul(count(bytes >> 20)))
        .min(MAX_BUDGET)
}

/// Why a document was read only in part.
enum Shortfall {
    /// The reader stopped itself (time budget, character cap); why, in words.
    Stopped(&'static str),
    /// Pages the parser could not read, and why the first could not.
    Broken(Vec<u32>, SkipReason),
    /// The parser thread did not come back (stuck past its budget in one page, or failed).
    Failed(SkipReason),
}

impl Shortfall {
    fn detail(&self, read: usize, total: usize) -> String {
        let read = if total > 0 {
            format!("{read} of {total} pages read")
        } else {
            format!("{read} pages read")
        };
        match self {
            Shortfall::Stopped(why) => format!("{read}: {why}"),
            Shortfall::Broken(pages, why) => match pages.as_slice() {
                [one] => format!("page {one} not read: {}", in_words(why)),
                many => format!(
                    "{} pages not read, the first page {}: {}",
                    many.len(),
                    many[0],
                    in_words(why)
                ),
            },
            Shortfall::Failed(why) => format!("{read}: {}", in_words(why)),
        }
    }

    /// The skip when nothing was read at all.
    fn into_skip(self) -> SkipReason {
        match self {
            Shortfall::Stopped(why) => SkipReason::Malformed(format!("no text read before {why}")),
            Shortfall::Broken(_, why) | Shortfall::Failed(why) => why,
        }
    }
}

/// A skip reason's detail, or its label when it has none.
fn in_words(why: &SkipReason) -> String {
    let words = why.words();
    words.detail.unwrap_or(words.label).to_string()
}

/// What the parser thread has read, shared with the caller: the page count widens the budget,
/// and when the budget runs out the pages read so far are kept.
struct Progress {
    started: Instant,
    bytes: usize,
    budget: Budget,
    page_count: AtomicUsize,
    /// Set by the caller once it has stopped waiting.
    stop: AtomicBool,
    read: Mutex<(Info, Vec<Page>)>,
    pages_read: AtomicUsize,
}

impl Progress {
    fn new(bytes: usize, budget: Budget) -> Progress {
        Progress {
            started: Instant::now(),
            bytes,
            budget,
            page_count: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            read: Mutex::default(),
            pages_read: AtomicUsize::new(0),
        }
    }

    fn allowed(&self) -> Duration {
        (self.budget)(
            self.bytes,
            self.page_count.load(Ordering::Relaxed),
            self.pages_read.load(Ordering::Relaxed),
        )
    }

    /// Whether the reader should stop: told to, or past its budget.
    fn over_budget(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.started.elapsed() > self.allowed()
    }

    fn push(&self, page: Page) {
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.1.push(page);
        self.pages_read.store(read.1.len(), Ordering::Relaxed);
    }

    fn take(&self) -> (Info, Vec<Page>) {
        std::mem::take(&mut *self.read.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A page with fewer characters than this is taken to have no text layer (a scan may carry a
/// stamped page number or a file name as text).
const TEXTLESS_CHARS: usize = 16;

/// OCR the pages without a text layer, replacing their lines with what was read; whether any
/// page was read.
fn read_scanned_pages(pdf: &[u8], pages: &mut [Page], options: &OcrOptions) -> bool {
    let textless: Vec<u32> = pages
        .iter()
        .filter(|p| p.lines.iter().map(|l| l.text.len()).sum::<usize>() < TEXTLESS_CHARS)
        .map(|p| p.number)
        .collect();
    if textless.is_empty() {
        return false;
    }
    let read = ocr::read_pages(pdf, &textless, options);
    for (number, text) in &read {
        if let Some(page) = pages.iter_mut().find(|p| p.number == *number) {
            page.lines = ocr_lines(text, page.width);
        }
    }
    !read.is_empty()
}

/// OCR output as page lines: one a line, a blank line a paragraph break, set in one size and
/// across the page so paragraphs, hyphenation and running lines are treated as for a text layer.
fn ocr_lines(text: &str, width: f64) -> Vec<Line> {
    const SIZE: f64 = 10.0;
    let mut y = 0.0;
    let mut lines = Vec::new();
    for raw in text.lines() {
        let t = collapse_ws(raw);
        y += SIZE * 1.2;
        if t.is_empty() {
            y += SIZE * 1.2;
            continue;
        }
        lines.push(Line {
            x0: 0.0,
            x1: width.max(1.0),
            y,
            size: SIZE,
            upright: true,
            text: t,
        });
    }
    lines
}

/// Read the document into `progress`, page by page; `Some` says what was left unread when the
/// document was read only in part.
fn read(bytes: &[u8], progress: &Arc<Progress>) -> Result<Option<Shortfall>, SkipReason> {
    if !bytes.starts_with(b"%PDF-") && !bytes.get(..1024).is_some_and(|h| find(h, b"%PDF-")) {
        return Err(SkipReason::Malformed("not a PDF (no %PDF header)".into()));
    }
    let mut doc = load(bytes)?;
    if doc.is_encrypted() {
        return Err(SkipReason::Encrypted);
    }
    check_page_tree(&doc)?;
    let numbers: Vec<u32> = doc.get_pages().into_keys().collect();
    progress.page_count.store(numbers.len(), Ordering::Relaxed);
    pdf_repair::mend_content_streams(&mut doc);
    progress
        .read
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .0 = Info::of(&doc);
    let mut collector = Collector::new(Arc::clone(progress));
    let whole = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut collector)
    }));
    let shortfall = match (collector.stopped, whole) {
        (Some(why), _) => Some(Shortfall::Stopped(why)),
        (None, Ok(Ok(()))) => None,
        // A page the parser cannot read (bad operands, a font it panics on) costs that page:
        // the pages after it are read one by one.
        (None, failed) => {
            let why = failure(failed);
            let broken = read_after_failure(&doc, &numbers, &mut collector);
            match collector.stopped {
                Some(stopped) => Some(Shortfall::Stopped(stopped)),
                None => Some(Shortfall::Broken(broken, why)),
            }
        }
    };
    collector.finish();
    Ok(shortfall)
}

/// The skip reason for a failed pass of the parser, in words for the file's owner.
fn failure<E: std::fmt::Display>(outcome: std::thread::Result<Result<(), E>>) -> SkipReason {
    match outcome {
        // A library's panic text is written for its developers, not for the file's owner.
        Err(_) => SkipReason::Malformed("the PDF parser failed on this file".into()),
        Ok(Err(e)) => SkipReason::Malformed(format!("unreadable page content: {e}")),
        Ok(Ok(())) => SkipReason::Malformed("the PDF parser stopped early".into()),
    }
}

/// After the whole-document pass stopped at a page, read each later page on its own; returns
/// the pages that could not be read.
fn read_after_failure(doc: &Document, numbers: &[u32], collector: &mut Collector) -> Vec<u32> {
    // The page open when the pass stopped is lost; a failure between pages shows again below.
    let failed_at = collector.number;
    let mut broken: Vec<u32> = collector.open.then_some(failed_at).into_iter().collect();
    for &number in numbers.iter().filter(|&&n| n > failed_at) {
        if collector.stopped.is_some() {
            break;
        }
        let page = catch_unwind(AssertUnwindSafe(|| {
            pdf_extract::output_doc_page(doc, &mut *collector, number)
        }));
        if !matches!(page, Ok(Ok(()))) && collector.stopped.is_none() {
            broken.push(number);
        }
    }
    broken
}

/// pdf-extract looks a page's inherited attributes (resources, media box) up its `/Parent`
/// chain without remembering where it has been, so a page tree that loops would keep a core
/// busy long after the file's time budget had run out. Such a tree is broken, whatever the loop.
fn check_page_tree(doc: &Document) -> Result<(), SkipReason> {
    for (number, page) in doc.get_pages() {
        let mut seen = HashSet::new();
        let mut at = Some(page);
        while let Some(id) = at {
            if !seen.insert(id) {
                return Err(SkipReason::Malformed(format!(
                    "the page tree loops above page {number}"
                )));
            }
            at = doc
                .get_dictionary(id)
                .and_then(|d| d.get(b"Parent"))
                .and_then(Object::as_reference)
                .ok();
        }
    }
    Ok(())
}

/// The document, or when its cross-reference table cannot be read (a `startxref` a few bytes
/// out, a table cut short), the document with a table rebuilt from its objects, as readers do.
fn load(bytes: &[u8]) -> Result<Document, SkipReason> {
    let first = match Document::load_mem(bytes) {
        // An encrypted file's page tree may be unreadable until decrypted: it is reported as such.
        Ok(doc) if doc.is_encrypted() || !doc.get_pages().is_empty() => return Ok(doc),
        Ok(doc) => Ok(doc),
        Err(e) => Err(load_error(e)),
    };
    if matches!(first, Err(SkipReason::Encrypted)) {
        return first;
    }
    let rebuilt = pdf_repair::rebuild_xref(bytes).and_then(|b| Document::load_mem(&b).ok());
    match rebuilt {
        Some(doc) if !doc.get_pages().is_empty() => Ok(doc),
        _ => first,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn load_error(e: pdf_extract::Error) -> SkipReason {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("decrypt") || lower.contains("password") || lower.contains("encrypt") {
        SkipReason::Encrypted
    } else {
        SkipReason::Malformed(format!("broken or truncated PDF: {text}"))
    }
}

/// The document information dictionary's fields we use.
#[derive(Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
    created: Option<NaiveDate>,
}

impl Info {
    fn of(doc: &Document) -> Info {
        let dict = doc
            .trailer
            .get(b"Info")
            .ok()
            .and_then(|o| match o {
                Object::Reference(id) => doc.get_object(*id).ok(),
                other => Some(other),
            })
            .and_then(|o| o.as_dict().ok());
        let Some(dict) = dict else {
            return Info::default();
        };
        let text = |key: &[u8]| match dict.get(key).ok()? {
            Object::String(bytes, _) => non_empty(&text_string(bytes)),
            _ => None,
        };
        Info {
            title: text(b"Title").filter(|t| is_real_title(t)),
            author: text(b"Author"),
            created: text(b"CreationDate")
                .or_else(|| text(b"ModDate"))
                .and_then(|d| pdf_date(&d)),
        }
    }
}

/// Titles that tools write by themselves say nothing about the document.
fn is_real_title(t: &str) -> bool {
    let lower = t.to_lowercase();
    !(lower == "untitled"
        || lower.starts_with("microsoft word - ")
        || lower.ends_with(".doc")
        || lower.ends_with(".docx")
        || lower.ends_with(".pdf"))
}

/// A PDF text string: UTF-16 with a byte-order mark, else PDFDocEncoding (Latin-1 for text).
fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

/// `D:YYYYMMDDHHmmSS+hh'mm'` (everything after the year optional) as a calendar day.
fn pdf_date(s: &str) -> Option<NaiveDate> {
    let digits: String = s
        .trim()
        .trim_start_matches("D:")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (y, m, d) = (digits.get(..4)?, digits.get(4..6)?, digits.get(6..8)?);
    date::parse_date(&format!("{y}-{m}-{d}")).ok().flatten()
}

/// One glyph as placed on the page, y growing downwards, in the frame of its own turn.
struct Glyph {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    turn: QuarterTurn,
    text: String,
}

/// Which way a glyph's baseline runs, to the nearest quarter turn counter-clockwise from
/// left-to-right.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum QuarterTurn {
    None,
    Quarter,
    Half,
    ThreeQuarters,
}

impl QuarterTurn {
    /// The turn of a baseline direction `(dx, dy)` in PDF space (y up).
    fn of(dx: f64, dy: f64) -> QuarterTurn {
        if dx.abs() >= dy.abs() {
            if dx >= 0.0 { Self::None } else { Self::Half }
        } else if dy > 0.0 {
            Self::Quarter
        } else {
            Self::ThreeQuarters
        }
    }

    /// A point of PDF space (y up) in this turn's upright frame, y growing downwards; upright
    /// text keeps its page coordinates (measured down from the top, `height`).
    fn upright(self, x: f64, y: f64, height: f64) -> (f64, f64) {
        match self {
            Self::None => (x, height - y),
            Self::Quarter => (y, x),
            Self::Half => (-x, y),
            Self::ThreeQuarters => (-y, -x),
        }
    }
}

/// A run of glyphs on one baseline with no wide gap: a line of one column.
#[derive(Clone)]
struct Line {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    /// Set the normal way up; turned lines have coordinates of their own frame.
    upright: bool,
    text: String,
}

struct Page {
    /// 1-based, as the document numbers it.
    number: u32,
    width: f64,
    lines: Vec<Line>,
}

/// Receives glyphs from `pdf-extract`, page by page, hands each finished page to the shared
/// progress, and stops the parser when told to or past the glyph cap.
struct Collector {
    progress: Arc<Progress>,
    glyphs: usize,
    /// Why reading stopped early, once it has.
    stopped: Option<&'static str>,
    height: f64,
    width: f64,
    /// The page being read, or the last one read (0 before the first).
    number: u32,
    /// Whether page `number` has begun and not ended.
    open: bool,
    /// Pages handed over so far.
    closed: usize,
    current: Vec<Glyph>,
}

impl Collector {
    fn new(progress: Arc<Progress>) -> Self {
        Collector {
            progress,
            glyphs: 0,
            stopped: None,
            height: 0.0,
            width: 0.0,
            number: 0,
            open: false,
            closed: 0,
            current: Vec::new(),
        }
    }

    fn close_page(&mut self) {
        if self.current.is_empty() && self.width == 0.0 {
            return;
        }
        let glyphs = std::mem::take(&mut self.current);
        self.progress.push(Page {
            number: self.number,
            width: self.width,
            lines: lines_of(glyphs),
        });
        self.closed += 1;
        self.width = 0.0;
    }

    fn finish(&mut self) {
        self.close_page();
    }

    fn stop(&mut self, why: &'static str) -> Result<(), OutputError> {
        self.stopped = Some(why);
        Err(OutputError::IoError(std::io::Error::other(why)))
    }

    /// Whether to go on: not past the glyph cap, and the caller still waiting.
    fn go_on(&mut self) -> Result<(), OutputError> {
        if self.stopped.is_some() {
            return Err(OutputError::IoError(std::io::Error::other("stopped")));
        }
        if self.glyphs > MAX_GLYPHS {
            return self.stop("the rest is past the cap on characters a file");
        }
        if self.progress.over_budget() {
            return self.stop("the time budget ran out");
        }
        Ok(())
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.close_page();
        self.go_on()?;
        self.number = page;
        self.open = true;
        self.height = media_box.ury - media_box.lly;
        self.width = (media_box.urx - media_box.llx).abs();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.close_page();
        self.open = false;
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.glyphs += 1;
        if self.glyphs.is_multiple_of(1024) || self.glyphs > MAX_GLYPHS {
            self.go_on()?;
        }
        // The glyph's size as the side of the square with the area of the transformed em box
        // (type can be scaled unevenly).
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt();
        if !size.is_finite() || size <= 0.0 {
            return Ok(());
        }
        // Its origin in the frame where its baseline runs left to right and y grows down the
        // page, so text turned a quarter or half turn (a rotated page, a negative font size)
        // is laid out in lines like upright text.
        let turn = QuarterTurn::of(font_size * trm.m11, font_size * trm.m12);
        let (x, y) = turn.upright(trm.m31, trm.m32, self.height);
        self.current.push(Glyph {
            x,
            end: x + width * size,
            y,
            size,
            turn,
            text: text.to_string(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Group a page's glyphs into lines: same baseline, and split where a gap is wide enough to be
/// a column gutter rather than a space.
fn lines_of(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.x.is_finite() && g.y.is_finite());
    glyphs.sort_by(|a, b| {
        (a.turn.cmp(&b.turn))
            .then(a.y.total_cmp(&b.y))
            .then(a.x.total_cmp(&b.x))
    });
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row)
                if g.turn == row[0].turn
                    && (g.y - row[0].y).abs() <= row[0].size.min(g.size) * 0.4 =>
            {
                row.push(g)
            }
            _ => rows.push(vec![g]),
        }
    }
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut line: Option<Line> = None;
        for g in row {
            let gutter = g.size * 1.5;
            match line.as_mut() {
                Some(l) if g.x - l.x1 <= gutter => {
                    let blank = g.text.trim().is_empty();
                    if !blank && g.x - l.x1 > g.size * 0.15 && !l.text.ends_with(' ') {
                        l.text.push(' ');
                    }
                    if !(blank && l.text.ends_with(' ')) {
                        l.text.push_str(if blank { " " } else { &g.text });
                    }
                    l.x1 = l.x1.max(g.end);
                    l.size = l.size.max(g.size);
                }
                _ => {
                    if let Some(done) = line.take() {
                        push_line(&mut lines, done);
                    }
                    if g.text.trim().is_empty() {
                        continue;
                    }
                    line = Some(Line {
                        x0: g.x,
                        x1: g.end,
                        y: g.y,
                        size: g.size,
                        upright: g.turn == QuarterTurn::None,
                        text: g.text,
                    });
                }
            }
        }
        if let Some(done) = line {
            push_line(&mut lines, done);
        }
    }
    lines
}

fn push_line(lines: &mut Vec<Line>, mut line: Line) {
    line.text = collapse_ws(&line.text);
    if !line.text.is_empty() {
        lines.push(line);
    }
}

/// Lines in reading order. On a page with two columns, the lines between two full-width lines
/// (a title, a wide figure note) are read left column first, then right.
fn reading_order(page: &Page) -> Vec<Line> {
    let mid = page.width / 2.0;
    let side = |l: &Line| {
        if l.x1 <= mid + l.size {
            Some(false)
        } else if l.x0 >= mid - l.size {
            Some(true)
        } else {
            None
        }
    };
    // Turned lines (a rotated page, a caption up the margin) come after the upright ones, in
    // their own frame's order: page-wide columns say nothing about them.
    let (upright, turned): (Vec<&Line>, Vec<&Line>) = page.lines.iter().partition(|l| l.upright);
    let left = upright.iter().filter(|l| side(l) == Some(false)).count();
    let right = upright.iter().filter(|l| side(l) == Some(true)).count();
    if page.width <= 0.0 || left < 3 || right < 3 {
        return upright.into_iter().chain(turned).cloned().collect();
    }
    let mut out = Vec::with_capacity(page.lines.len());
    let (mut lcol, mut rcol) = (Vec::new(), Vec::new());
    for &l in &upright {
        match side(l) {
            Some(false) => lcol.push(l.clone()),
            Some(true) => rcol.push(l.clone()),
            None => {
                out.append(&mut lcol);
                out.append(&mut rcol);
                out.push(l.clone());
            }
        }
    }
    out.append(&mut lcol);
    out.append(&mut rcol);
    out.extend(turned.into_iter().cloned());
    out
}

/// A line's text with digits generalised, so "Page 3" and "Page 4" are the same running line.
fn running_key(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect::<String>()
        .to_lowercase()
}

fn is_page_number(text: &str) -> bool {
    let t = text
        .trim()
        .trim_matches(['-', '–', '—', ' '])
        .to_lowercase();
    let t = t.strip_prefix("page").unwrap_or(&t).trim();
    !t.is_empty()
        && t.split(" of ")
            .all(|part| !part.is_empty() && part.trim().chars().all(|c| c.is_ascii_digit()))
}

/// Drop running headers and footers: the top or bottom line of a page when the same line (up
/// to its numbers) is there on most pages, and bare page numbers.
fn drop_running_lines(pages: &mut [Page]) {
    let edge_keys = |p: &Page| -> Vec<String> {
        let mut keys = Vec::new();
        if let Some(first) = p.lines.first() {
            keys.push(running_key(&first.text));
        }
        if p.lines.len() > 1
            && let Some(last) = p.lines.last()
        {
            keys.push(running_key(&last.text));
        }
        keys
    };
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for p in pages.iter() {
        let mut keys = edge_keys(p);
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let needed = ((pages.len() as f64) * RUNNING_SHARE).ceil().max(2.0) as usize;
    let running = |text: &str| {
        is_page_number(text) || counts.get(&running_key(text)).is_some_and(|&n| n >= needed)
    };
    for p in pages.iter_mut() {
        while p.lines.first().is_some_and(|l| running(&l.text)) {
            p.lines.remove(0);
        }
        while p.lines.last().is_some_and(|l| running(&l.text)) {
            p.lines.pop();
        }
    }
}

/// The size most of the text is set in.
fn body_size(lines: &[Line]) -> f64 {
    let mut sizes: Vec<(f64, usize)> = Vec::new();
    for l in lines {
        let s = (l.size * 2.0).round() / 2.0;
        match sizes.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += l.text.len(),
            None => sizes.push((s, l.text.len())),
        }
    }
    sizes
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .map_or(0.0, |(s, _)| s)
}

/// Lines joined into paragraphs: a new one after a gap taller than a line, at a change of type
/// size, or when the text jumps back up (a new column). A word hyphenated across lines is mended.
fn paragraphs(lines: &[Line]) -> Vec<String> {
    let mut paras = Vec::new();
    let mut current = String::new();
    let mut prev: Option<&Line> = None;
    for l in lines {
        let breaks = prev.is_none_or(|p| {
            let gap = l.y - p.y;
            gap > p.size.max(l.size) * 1.75 || gap < 0.0 || (l.size - p.size).abs() > p.size * 0.15
        });
        if breaks {
            if !current.is_empty() {
                paras.push(std::mem::take(&mut current));
            }
            current.push_str(&l.text);
        } else {
            join_line(&mut current, &l.text);
        }
        prev = Some(l);
    }
    if !current.is_empty() {
        paras.push(current);
    }
    paras
}

/// Append a line to a paragraph; "inter-" + "national" becomes "international", but "well-"
/// + "Known" and "2019-" + "2020" keep their hyphen.
fn join_line(para: &mut String, line: &str) {
    let hyphenated = para.ends_with('-')
        && para.chars().rev().nth(1).is_some_and(char::is_alphabetic)
        && line.chars().next().is_some_and(char::is_lowercase);
    if hyphenated {
        para.pop();
    } else {
        para.push(' ');
    }
    para.push_str(line);
}

fn article(info: Info, mut pages: Vec<Page>) -> Article {
    drop_running_lines(&mut pages);
    let mut lines: Vec<Line> = pages.iter().flat_map(reading_order).collect();
    let size = body_size(&lines);
    let heading_lines = lines
        .iter()
        .take_while(|l| size > 0.0 && l.size >= size * HEADING_RATIO)
        .count();
    let heading: Vec<Line> = lines.drain(..heading_lines).collect();
    let heading = non_empty(
        &heading
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mut body = paragraphs(&lines);
    let headline = match (info.title, heading) {
        (Some(title), Some(h)) => {
            if collapse_ws(&h) != title {
                body.insert(0, h);
            }
            title
        }
        (Some(title), None) => {
            if body.first().is_some_and(|p| *p == title) {
                body.remove(0);
            }
            title
        }
        (None, Some(h)) => h,
        (None, None) => String::new(),
    };
    Article {
        headline,
        body: body.join("\n\n"),
        date: info.created,
        authors: info.author.map(|a| split_authors(&a)).unwrap_or_default(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(x0: f64, x1: f64, y: f64, text: &str) -> Line {
        Line {
            x0,
            x1,
            y,
            size: 10.0,
            upright: true,
            text: text.into(),
        }
    }

    #[test]
    fn hyphenated_line_break_is_mended_but_real_hyphens_stay() {
        let mut p = "the inter-".to_string();
        join_line(&mut p, "national court");
        assert_eq!(p, "the international court");
        let mut p = "a well-".to_string();
        join_line(&mut p, "Known case in 2019-");
        join_line(&mut p, "2020");
        assert_eq!(p, "a well- Known case in 2019- 2020");
    }

    #[test]
    fn two_columns_read_left_then_right() {
        let mut lines = Vec::new();
        for i in 0..4 {
            let y = 100.0 + i as f64 * 12.0;
            lines.push(line(50.0, 280.0, y, &format!("L{i}")));
            lines.push(line(320.0, 560.0, y, &format!("R{i}")));
        }
        let page = Page {
            number: 1,
            width: 612.0,
            lines,
        };
        let order: Vec<String> = reading_order(&page).into_iter().map(|l| l.text).collect();
        assert_eq!(order, ["L0", "L1", "L2", "L3", "R0", "R1", "R2", "R3"]);
    }

    #[test]
    fn page_numbers_recognised() {
        assert!(is_page_number("3"));
        assert!(is_page_number("Page 3 of 10"));
        assert!(is_page_number("- 12 -"));
        assert!(!is_page_number("1984 was a year"));
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date("D:20240314093000+01'00'"),
            NaiveDate::from_ymd_opt(2024, 3, 14)
        );
        assert_eq!(pdf_date("D:2024"), None);
        assert_eq!(pdf_date("D:20241340"), None);
    }

    /// A valid PDF of `pages` pages of Helvetica, page `k` reading "leaf k of the long manual"
    /// under a running header and over its page number.
    fn long_pdf(pages: usize) -> Vec<u8> {
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            format!(
                "<< /Type /Pages /Count {pages} /Kids [{}] >>",
                (0..pages)
                    .map(|i| format!("{} 0 R", 4 + 2 * i))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        ];
        for k in 1..=pages {
            // A running header, the page's line and its number: only the middle line is text.
            let content = format!(
                "BT /F1 9 Tf 72 760 Td (The long manual) Tj ET\n\
                 BT /F1 12 Tf 72 700 Td (leaf {k} of the long manual) Tj ET\n\
                 BT /F1 9 Tf 300 40 Td ({k}) Tj ET\n"
            );
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                3 + 2 * k
            ));
            objects.push(format!(
                "<< /Length {} >>\nstream\n{content}endstream",
                content.len()
            ));
        }
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .bytes(),
        );
        out
    }

    /// The words "leaf N" of the pages an article holds.
    fn leaves(article: &Article) -> Vec<usize> {
        let text = format!("{} {}", article.headline, article.body);
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .windows(2)
            .filter(|w| w[0] == "leaf")
            .filter_map(|w| w[1].parse().ok())
            .collect()
    }

    #[test]
    fn long_document_read_whole_within_its_budget() {
        let mut warnings = Vec::new();
        let article = parse_pdf(&long_pdf(300), None, &mut warnings).unwrap();
        assert_eq!(leaves(&article), (1..=300).collect::<Vec<_>>());
        assert_eq!(warnings, []);
    }

    /// A long manual on a busy machine used to be skipped whole when its time ran out; now the
    /// pages read by then are kept, and a warning says how many of how many.
    #[test]
    fn long_document_past_its_budget_keeps_the_pages_read() {
        // The budget runs out once three pages are read: the reader checks it between pages.
        let three_pages = |_: usize, _: usize, read: usize| {
            if read >= 3 {
                Duration::ZERO
            } else {
                Duration::from_secs(60)
            }
        };
        let mut warnings = Vec::new();
        let article = parse_within(&long_pdf(40), None, &mut warnings, three_pages).unwrap();
        assert_eq!(leaves(&article), [1, 2, 3]);
        let [Warning::PartlyRead { detail }] = warnings.as_slice() else {
            panic!("{warnings:?}");
        };
        assert_eq!(detail, "3 of 40 pages read: the time budget ran out");
    }

    #[test]
    fn nothing_read_before_the_budget_ran_out_is_a_skip() {
        let none = |_: usize, _: usize, _: usize| Duration::ZERO;
        let mut warnings = Vec::new();
        let skip = parse_within(&long_pdf(5), None, &mut warnings, none).unwrap_err();
        assert_eq!(
            skip,
            SkipReason::Malformed("no text read before the time budget ran out".into())
        );
    }

    #[test]
    fn budget_grows_with_pages_and_size_up_to_the_cap() {
        assert_eq!(budget(1 << 10, 0, 0), BASE_BUDGET);
        assert_eq!(budget(1 << 10, 100, 0), Duration::from_secs(30));
        assert_eq!(budget(50 << 20, 0, 0), Duration::from_secs(70));
        assert_eq!(budget(1 << 10, 1_000_000, 0), MAX_BUDGET);
        assert_eq!(budget(usize::MAX, usize::MAX, 0), MAX_BUDGET);
    }

    #[test]
    fn text_strings_in_both_encodings() {
        assert_eq!(text_string(&[0xFE, 0xFF, 0, b'H', 0, b'i']), "Hi");
        assert_eq!(text_string(b"Caf\xe9"), "Café");
    }
}
