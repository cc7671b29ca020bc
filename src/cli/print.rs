//! Printers: every byte newsdex writes to standard output goes through here, human or JSON.
use std::io::Write;
use std::path::Path;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::entities::Mention;
use crate::index::writer::{Summary, skip_label};
use crate::search::{QueryExplanation, SearchResults, Stats};
use crate::{Error, Result};

fn out_err(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Exactly one JSON object on standard output.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer(&mut lock, value).map_err(|e| Error::Other(e.to_string()))?;
    writeln!(lock).map_err(out_err)
}

pub fn raw(text: &str) -> Result<()> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(out_err)
}

const MATCH: Style = AnsiColor::Red.on_default().bold();
const HEADLINE: Style = Style::new().bold();
const DIM: Style = AnsiColor::BrightBlack.on_default();

/// `text` with the `[start, end)` char ranges wrapped in `style` (or in nothing when colour is off).
fn mark(text: &str, ranges: &[[usize; 2]], base: Style, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let mut out = String::new();
    let mut r = ranges.iter().peekable();
    out.push_str(&base.render().to_string());
    for (i, c) in text.chars().enumerate() {
        if r.peek().is_some_and(|[s, _]| *s == i) {
            out.push_str(&format!("{}", MATCH.render()));
        }
        out.push(c);
        if r.peek().is_some_and(|[_, e]| *e == i + 1) {
            out.push_str(&format!("{}{}", MATCH.render_reset(), base.render()));
            r.next();
        }
    }
    out.push_str(&base.render_reset().to_string());
    out
}

fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

pub fn search_results(r: &SearchResults, color: bool) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for (i, hit) in r.hits.iter().enumerate() {
        let date = hit
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "no date".into());
        writeln!(
            w,
            "{:>3}. {}",
            r.offset + i + 1,
            mark(&hit.headline, &hit.headline_highlights, HEADLINE, color)
        )
        .map_err(out_err)?;
        writeln!(
            w,
            "     {}",
            paint(
                &format!("{} · {} · {}", hit.source, date, hit.path),
                DIM,
                color
            )
        )
        .map_err(out_err)?;
        if !hit.snippet.is_empty() {
            writeln!(
                w,
                "     {}",
                mark(&hit.snippet, &hit.highlights, Style::new(), color)
            )
            .map_err(out_err)?;
        }
        if let Some(e) = &hit.explanation {
            explanation_tree(&mut w, e, 5)?;
        }
        writeln!(w).map_err(out_err)?;
    }
    if let Some(q) = &r.explanation {
        understood(&mut w, q, color)?;
    }
    for (name, counts) in &r.facets {
        if counts.is_empty() {
            continue;
        }
        let list: Vec<String> = counts
            .iter()
            .map(|c| format!("{} ({})", c.value, c.count))
            .collect();
        writeln!(w, "{}: {}", paint(name, HEADLINE, color), list.join(", ")).map_err(out_err)?;
    }
    let shown = if r.hits.is_empty() {
        String::new()
    } else {
        format!(", showing {}-{}", r.offset + 1, r.offset + r.hits.len())
    };
    writeln!(
        w,
        "{} result{}{} in {:.1} ms",
        r.total,
        if r.total == 1 { "" } else { "s" },
        shown,
        r.took_ms
    )
    .map_err(out_err)
}

/// How the query was read, one leaf a line.
fn understood(w: &mut impl Write, q: &QueryExplanation, color: bool) -> Result<()> {
    writeln!(w, "{}", paint("Query understood as:", HEADLINE, color)).map_err(out_err)?;
    for leaf in &q.leaves {
        let what = match &leaf.dropped {
            Some(why) => format!("dropped: {why}"),
            None => format!("-> {} in {}", leaf.terms.join(" "), leaf.fields.join(", ")),
        };
        writeln!(
            w,
            "  {:?} {:?} ({:?}) {what}",
            leaf.text, leaf.kind, leaf.role
        )
        .map_err(out_err)?;
    }
    if !q.expansion.is_empty() {
        let words: Vec<String> = q
            .expansion
            .iter()
            .map(|e| format!("{} {:.3}", e.term, e.weight))
            .collect();
        writeln!(w, "  re-scored with feedback words: {}", words.join(", ")).map_err(out_err)?;
    }
    Ok(())
}

/// Whole numbers without decimals, others to three places.
fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

/// A score explanation tree, indented, each node's value first.
fn explanation_tree(w: &mut impl Write, node: &serde_json::Value, indent: usize) -> Result<()> {
    let value = node.get("value").and_then(|v| v.as_f64()).unwrap_or(0.0);
    let description = node
        .get("description")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let details = node
        .get("details")
        .and_then(|d| d.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    // A node whose parts are all plain figures (a word's idf, frequencies, lengths) fits on
    // one line.
    if !details.is_empty() && details.iter().all(|d| d.get("details").is_none()) {
        let figures: Vec<String> = details
            .iter()
            .map(|d| {
                let v = d.get("value").and_then(|v| v.as_f64()).unwrap_or(0.0);
                let name = d.get("description").and_then(|v| v.as_str()).unwrap_or("");
                format!("{name} {}", trim_float(v))
            })
            .collect();
        return writeln!(
            w,
            "{:indent$}{value:.4} {description}: {}",
            "",
            figures.join(", ")
        )
        .map_err(out_err);
    }
    writeln!(w, "{:indent$}{value:.4} {description}", "").map_err(out_err)?;
    for d in details {
        explanation_tree(w, d, indent + 2)?;
    }
    Ok(())
}

pub fn stats(s: &Stats) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    writeln!(w, "documents: {}", s.documents).map_err(out_err)?;
    let span = match (s.oldest, s.newest) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no dates".into(),
    };
    writeln!(w, "dates: {span}").map_err(out_err)?;
    writeln!(w, "index size: {:.1} MB", s.index_bytes as f64 / 1e6).map_err(out_err)?;
    writeln!(w, "sources ({}):", s.sources.len()).map_err(out_err)?;
    for c in s.sources.iter().take(20) {
        writeln!(w, "  {:>7}  {}", c.count, c.value).map_err(out_err)?;
    }
    if s.sources.len() > 20 {
        writeln!(w, "  … and {} more", s.sources.len() - 20).map_err(out_err)?;
    }
    Ok(())
}

pub fn mentions(ms: &[Mention]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for m in ms {
        writeln!(
            w,
            "{}\t{}\t{}\t{}-{}",
            m.kind.as_str(),
            m.canonical,
            m.text,
            m.start,
            m.end
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// The end-of-run summary on standard error, so standard output stays clean for scripts.
pub fn index_summary(s: &Summary, verbose: bool, index: &Path) {
    let mut e = std::io::stderr().lock();
    if verbose {
        for skip in &s.skipped {
            let detail = match &skip.reason {
                crate::ingest::SkipReason::Unreadable(d)
                | crate::ingest::SkipReason::Malformed(d) => {
                    format!(": {d}")
                }
                _ => String::new(),
            };
            let _ = writeln!(
                e,
                "skipped {} ({}{detail})",
                skip.path,
                skip_label(&skip.reason)
            );
        }
        for w in &s.warnings {
            let _ = writeln!(e, "warning {}: {:?}", w.path, w.warning);
        }
    }
    let _ = writeln!(
        e,
        "indexed {} articles from {} files ({} new, {} replaced) in {:.2} s; {} files unchanged; {} documents in {}",
        s.articles_added + s.articles_replaced,
        s.files_indexed,
        s.articles_added,
        s.articles_replaced,
        s.seconds,
        s.files_unchanged,
        s.documents_total,
        index.display()
    );
    if s.files_removed > 0 || s.articles_removed > 0 {
        let _ = writeln!(
            e,
            "removed {} articles ({} files gone from disk)",
            s.articles_removed, s.files_removed
        );
    }
    if s.interrupted {
        let _ = writeln!(
            e,
            "interrupted: what was done is committed; run the same command again to finish"
        );
    }
    let skipped = s.skipped_by_reason();
    if !skipped.is_empty() {
        let list: Vec<String> = skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let _ = writeln!(
            e,
            "skipped {} files: {}{}",
            s.skipped.len(),
            list.join(", "),
            if verbose {
                ""
            } else {
                " (--verbose lists them)"
            }
        );
    }
    if s.bad_records() > 0 || s.bad_dates() > 0 || s.unparsed_dates() > 0 {
        let _ = writeln!(
            e,
            "kept with problems: {} bad records skipped; stored as no date: {} unparsed dates, {} impossible dates",
            s.bad_records(),
            s.unparsed_dates(),
            s.bad_dates()
        );
    }
    if verbose {
        for (label, examples) in [
            ("unparsed", s.date_examples(false)),
            ("impossible", s.date_examples(true)),
        ] {
            if !examples.is_empty() {
                let _ = writeln!(e, "{label} dates, for example: {}", examples.join(" | "));
            }
        }
    }
}

pub fn check(r: &crate::index::check::CheckReport) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    writeln!(
        w,
        "{} documents; manifest: {} files, {} articles",
        r.documents, r.manifest_files, r.manifest_articles
    )
    .map_err(out_err)?;
    for p in &r.problems {
        writeln!(w, "problem: {p}").map_err(out_err)?;
    }
    match &r.advice {
        Some(a) => writeln!(w, "index has problems: {a}").map_err(out_err),
        None => writeln!(w, "index is healthy").map_err(out_err),
    }
}
