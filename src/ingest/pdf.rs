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
//! an encrypted or broken one; the parse runs bounded in time so no file can stall a run.
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use pdf_extract::{Document, MediaBox, Object, OutputDev, OutputError, Transform};

use super::ocr::{self, OcrOptions};
use super::text::{collapse_ws, non_empty, split_authors};
use super::{Article, SkipReason, bounded, date, pdf_repair};

/// Wall-clock budget for one PDF; real reports take well under a second.
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// Share of the budget for reading pages. Past it the pages read so far are kept, so a long
/// report on a busy machine is indexed by its first pages rather than skipped as too slow.
const PAGES_SHARE: f64 = 0.75;

/// Most glyphs read from one file (about 2,000 dense pages); beyond it the rest is dropped.
const MAX_GLYPHS: usize = 4_000_000;

/// A line is heading-sized when its type is this much larger than the body text.
const HEADING_RATIO: f64 = 1.25;

/// Lines at the top or bottom of at least this share of pages are running headers or footers.
const RUNNING_SHARE: f64 = 0.5;

/// A PDF's text as an article; with `ocr`, pages without a text layer are read from their
/// images, each in its own time budget (outside the file's, since OCR is slow by nature).
pub fn parse_pdf(bytes: &[u8], ocr: Option<&OcrOptions>) -> Result<Article, SkipReason> {
    let shared: Arc<[u8]> = Arc::from(bytes);
    let parsed = Arc::clone(&shared);
    let (info, mut pages) = bounded::run("PDF", TIME_BUDGET, move || read(&parsed))?;
    let by_ocr = ocr.is_some_and(|options| read_scanned_pages(&shared, &mut pages, options));
    if pages.iter().all(|p| p.lines.is_empty()) {
        return Err(SkipReason::NoTextLayer);
    }
    let mut article = article(info, pages);
    article.ocr = by_ocr;
    Ok(article)
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

fn read(bytes: &[u8]) -> Result<(Info, Vec<Page>), SkipReason> {
    let started = Instant::now();
    if !bytes.starts_with(b"%PDF-") && !bytes.get(..1024).is_some_and(|h| find(h, b"%PDF-")) {
        return Err(SkipReason::Malformed("not a PDF (no %PDF header)".into()));
    }
    let mut doc = load(bytes)?;
    if doc.is_encrypted() {
        return Err(SkipReason::Encrypted);
    }
    check_page_tree(&doc)?;
    pdf_repair::mend_content_streams(&mut doc);
    let info = Info::of(&doc);
    let mut pages = Collector::new(started + TIME_BUDGET.mul_f64(PAGES_SHARE));
    let outcome = pdf_extract::output_doc(&doc, &mut pages);
    if let Err(e) = outcome
        && !pages.stopped
    {
        return Err(SkipReason::Malformed(format!(
            "unreadable page content: {e}"
        )));
    }
    Ok((info, pages.finish()))
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

/// Receives glyphs from `pdf-extract`, page by page, and stops it when the budget is spent.
struct Collector {
    deadline: Instant,
    glyphs: usize,
    stopped: bool,
    height: f64,
    width: f64,
    number: u32,
    current: Vec<Glyph>,
    pages: Vec<Page>,
}

impl Collector {
    fn new(deadline: Instant) -> Self {
        Collector {
            deadline,
            glyphs: 0,
            stopped: false,
            height: 0.0,
            width: 0.0,
            number: 0,
            current: Vec::new(),
            pages: Vec::new(),
        }
    }

    fn close_page(&mut self) {
        if self.current.is_empty() && self.width == 0.0 {
            return;
        }
        let glyphs = std::mem::take(&mut self.current);
        self.pages.push(Page {
            number: self.number,
            width: self.width,
            lines: lines_of(glyphs),
        });
        self.width = 0.0;
    }

    fn finish(mut self) -> Vec<Page> {
        self.close_page();
        self.pages
    }

    fn stop(&mut self) -> Result<(), OutputError> {
        self.stopped = true;
        Err(OutputError::IoError(std::io::Error::other(
            "work budget spent",
        )))
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
        self.number = page;
        self.height = media_box.ury - media_box.lly;
        self.width = (media_box.urx - media_box.llx).abs();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.close_page();
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
        if self.glyphs > MAX_GLYPHS
            || (self.glyphs.is_multiple_of(4096) && Instant::now() > self.deadline)
        {
            return self.stop();
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

    #[test]
    fn text_strings_in_both_encodings() {
        assert_eq!(text_string(&[0xFE, 0xFF, 0, b'H', 0, b'i']), "Hi");
        assert_eq!(text_string(b"Caf\xe9"), "Café");
    }
}
