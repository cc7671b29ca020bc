//! Printers: every byte newsdex writes to standard output goes through here, human or JSON.
use std::collections::BTreeMap;
use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use super::config::{Setting, Settings};
use newsdex::entities::{EntityKind, Mention};
use newsdex::features::entity_page::{EntityLookup, UnknownEntity};
use newsdex::features::indexing::Summary;
use newsdex::ingest::{Words, location};
use newsdex::model::results::{QueryExplanation, SearchResults, Stats};
use newsdex::{Error, Result};

fn out_err(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Exactly one JSON object on standard output.
pub fn json<T: Serialize>(value: &T) -> Result<()> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer(&mut lock, value).map_err(|e| out_err(e.into()))?;
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
        for q in &hit.quotes {
            let who = q.speaker.as_deref().unwrap_or("unattributed");
            writeln!(
                w,
                "     \u{201c}{}\u{201d} \u{2014} {}",
                q.text,
                paint(who, DIM, color)
            )
            .map_err(out_err)?;
        }
        if hit.copies > 0 {
            writeln!(w, "     {}", paint(&copies_line(hit), DIM, color)).map_err(out_err)?;
        }
        if let Some(e) = &hit.explanation {
            explanation_tree(&mut w, e, 5)?;
        }
        writeln!(w).map_err(out_err)?;
    }
    if let Some(q) = &r.explanation {
        understood(&mut w, q, color)?;
    }
    if let Some(t) = &r.timeline {
        timeline(&mut w, t, color)?;
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
    let collapsed = if r.hits.iter().any(|h| h.copies > 0) {
        " (copies of one story shown as one hit; --no-collapse lists them)"
    } else {
        ""
    };
    writeln!(
        w,
        "{} result{}{}{} in {:.1} ms",
        r.total,
        if r.total == 1 { "" } else { "s" },
        shown,
        collapsed,
        r.took_ms
    )
    .map_err(out_err)
}

/// "+4 copies: Outlet A, Outlet B, ..." under a collapsed hit, with the group to list them by.
fn copies_line(hit: &newsdex::model::results::Hit) -> String {
    let group = hit
        .group
        .as_ref()
        .map(|g| format!(" (--group {})", g.0))
        .unwrap_or_default();
    format!(
        "+{} cop{}: {}{group}",
        hit.copies,
        if hit.copies == 1 { "y" } else { "ies" },
        hit.copy_sources.join(", ")
    )
}

/// The timeline as a sparkline between its first and last bucket, then its busiest bucket.
fn timeline(w: &mut impl Write, t: &newsdex::model::timeline::Timeline, color: bool) -> Result<()> {
    let (Some(first), Some(last)) = (t.buckets.first(), t.buckets.last()) else {
        return Ok(());
    };
    let peak = t.buckets.iter().max_by_key(|b| b.count).unwrap_or(first);
    let undated = match t.undated {
        0 => String::new(),
        n => format!(", {n} undated"),
    };
    writeln!(
        w,
        "{}: {} {} {} (by {}, most {} in {}{undated})",
        paint("date", HEADLINE, color),
        first.label,
        newsdex::model::timeline::sparkline(t),
        last.label,
        t.interval.name(),
        peak.count,
        peak.label
    )
    .map_err(out_err)
}

/// A batch as aligned columns: line, hits, query, then the sources when counted.
pub fn batch_table(report: &newsdex::features::batch::Report) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let width = report
        .rows
        .iter()
        .map(|r| r.query.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    writeln!(w, "{:>5}  {:>8}  query", "line", "hits").map_err(out_err)?;
    for row in &report.rows {
        let hits = match (row.total, &row.error) {
            (Some(t), _) => t.to_string(),
            (None, _) => "error".to_string(),
        };
        let sources: Vec<String> = row
            .sources
            .iter()
            .map(|s| format!("{} {}", s.value, s.count))
            .collect();
        let tail = match (&row.error, sources.is_empty()) {
            (Some(e), _) => format!("  {e}"),
            (None, false) => format!("  {}", sources.join(", ")),
            (None, true) => String::new(),
        };
        let line = format!("{:>5}  {:>8}  {:<width$}{tail}", row.line, hits, row.query);
        writeln!(w, "{}", line.trim_end()).map_err(out_err)?;
    }
    let failed = match report.failed {
        0 => String::new(),
        n => format!(", {n} failed"),
    };
    let n = report.rows.len();
    writeln!(w, "{n} quer{}{failed}", if n == 1 { "y" } else { "ies" }).map_err(out_err)
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
    if let Some(d) = &q.feedback {
        let verdict = match &d.reason {
            Some(why) => format!("not used: {why}"),
            None => "used".to_string(),
        };
        writeln!(
            w,
            "  feedback {verdict} ({} matches, top gap {:.2}, agreement {:.2})",
            d.matches, d.gap, d.agreement
        )
        .map_err(out_err)?;
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

/// An entity's page: a heading line, the timeline, sources and names alongside, other spellings,
/// then the latest articles; or, for a name no article carries, the names that match it.
pub fn entity(found: &EntityLookup) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    let page = match found {
        EntityLookup::Found(page) => page,
        EntityLookup::Unknown(u) => return unknown_entity(&mut w, u),
    };
    let others: Vec<String> = page
        .other_kinds
        .iter()
        .map(|k| format!("{} in {}", k.kind.as_str(), articles(k.articles)))
        .collect();
    let also = match others.is_empty() {
        true => String::new(),
        false => format!(" · also {}", others.join(", ")),
    };
    writeln!(
        w,
        "{} ({}) · {}{also}",
        page.name,
        page.kind.as_str(),
        articles(page.articles)
    )
    .map_err(out_err)?;
    timeline(&mut w, &page.timeline, false)?;
    counts_line(&mut w, "sources", &page.sources)?;
    for (kind, counts) in &page.co_mentions {
        counts_line(&mut w, kind_label(*kind), counts)?;
    }
    if !page.merged_names.is_empty() {
        let names: Vec<String> = page
            .merged_names
            .iter()
            .map(|m| match m.by {
                newsdex::features::entity_page::MergedBy::Rule => {
                    format!("{} ({}, by a rule)", m.name, m.articles)
                }
                newsdex::features::entity_page::MergedBy::Text => {
                    format!("{} ({})", m.name, m.articles)
                }
                newsdex::features::entity_page::MergedBy::Archive => {
                    let why = m.why.as_deref().unwrap_or("merged across the archive");
                    format!("{} ({}, {why})", m.name, m.articles)
                }
            })
            .collect();
        writeln!(
            w,
            "also written: {} (in the {} latest articles)",
            names.join(", "),
            page.merged_names_from
        )
        .map_err(out_err)?;
    }
    writeln!(w, "latest:").map_err(out_err)?;
    for a in &page.latest {
        let date = a.date.map_or_else(|| "no date".into(), |d| d.to_string());
        writeln!(w, "  {date:<10}  {} · {} · {}", a.headline, a.source, a.id).map_err(out_err)?;
    }
    if !page.said.is_empty() {
        writeln!(w, "said:").map_err(out_err)?;
        for q in &page.said {
            let a = &q.article;
            let date = a.date.map_or_else(|| "no date".into(), |d| d.to_string());
            writeln!(w, "  {date:<10}  \u{201c}{}\u{201d}", q.text).map_err(out_err)?;
            writeln!(
                w,
                "              {} · {} @{}-{}",
                a.source, a.id, q.start, q.end
            )
            .map_err(out_err)?;
        }
    }
    if !page.quoted_by.is_empty() {
        let list: Vec<String> = page
            .quoted_by
            .iter()
            .map(|c| format!("{} ({})", c.value, c.count))
            .collect();
        writeln!(w, "quoted by: {}", list.join(", ")).map_err(out_err)?;
    }
    Ok(())
}

fn unknown_entity(w: &mut impl Write, u: &UnknownEntity) -> Result<()> {
    let kind = u
        .kind
        .map_or(String::new(), |k| format!(" as {}", k.as_str()));
    if u.suggestions.is_empty() {
        return writeln!(w, "no article mentions \"{}\"{kind}", u.name).map_err(out_err);
    }
    writeln!(
        w,
        "no article mentions \"{}\"{kind}; names with its words:",
        u.name
    )
    .map_err(out_err)?;
    for s in &u.suggestions {
        writeln!(
            w,
            "  {} ({}, {})",
            s.name,
            s.kind.as_str(),
            articles(s.articles)
        )
        .map_err(out_err)?;
    }
    Ok(())
}

fn articles(n: u64) -> String {
    format!("{n} article{}", if n == 1 { "" } else { "s" })
}

fn kind_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "people",
        EntityKind::Org => "organisations",
        EntityKind::Place => "places",
        EntityKind::Misc => "other names",
    }
}

/// `label: value (count), ...`, or nothing for an empty list.
fn counts_line(
    w: &mut impl Write,
    label: &str,
    counts: &[newsdex::model::results::FacetCount],
) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = counts
        .iter()
        .map(|c| format!("{} ({})", c.value, c.count))
        .collect();
    writeln!(w, "{label}: {}", list.join(", ")).map_err(out_err)
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

/// One quote a line: offsets, speaker (or `-`), and the words in marks.
pub fn quotes(qs: &[newsdex::quotes::Quote]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for q in qs {
        writeln!(
            w,
            "{}-{}\t{}\t\u{201c}{}\u{201d}",
            q.start,
            q.end,
            q.speaker.as_deref().unwrap_or("-"),
            q.text
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// `n noun` with the noun in the right number: "1 article", "2 articles".
fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One skipped file or warning, in the forms a person and a script read.
#[derive(Debug, Serialize)]
struct Problem {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<usize>,
    /// Stable code for scripts, e.g. `too_large`.
    code: &'static str,
    /// Short phrase for people, e.g. "too large".
    reason: &'static str,
    detail: Option<String>,
    /// The whole line as `--verbose` prints it: `path: reason (detail)`.
    message: String,
}

impl Problem {
    fn new(path: &str, record: Option<usize>, words: Words<'_>) -> Self {
        Problem {
            path: path.to_string(),
            record,
            code: words.code,
            reason: words.label,
            detail: words.detail.map(str::to_string),
            message: format!("{}: {words}", location(path, record)),
        }
    }
}

/// An index run's summary as scripts read it.
#[derive(Debug, Serialize)]
struct IndexReport<'a> {
    index: &'a str,
    files_seen: usize,
    files_indexed: usize,
    files_unchanged: usize,
    files_removed: usize,
    articles_added: usize,
    articles_replaced: usize,
    articles_removed: usize,
    documents_total: u64,
    /// Groups of copies of one story in the whole index, and the articles in them.
    copy_groups: usize,
    articles_in_copy_groups: usize,
    /// Entity names shown as another name across the archive.
    entity_merges: usize,
    commits: usize,
    interrupted: bool,
    seconds: f64,
    /// Skipped files by reason.
    skipped_by_reason: BTreeMap<&'static str, usize>,
    /// Warnings by reason.
    warnings_by_reason: BTreeMap<&'static str, usize>,
    skipped: Vec<Problem>,
    warnings: Vec<Problem>,
}

fn skipped(s: &Summary) -> Vec<Problem> {
    s.skipped
        .iter()
        .map(|k| Problem::new(&k.path, None, k.reason.words()))
        .collect()
}

fn warnings(s: &Summary) -> Vec<Problem> {
    s.warnings
        .iter()
        .map(|w| Problem::new(&w.path, w.warning.record(), w.warning.words()))
        .collect()
}

/// How many problems there are of each reason.
fn by_reason(problems: &[Problem]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for p in problems {
        *counts.entry(p.reason).or_insert(0) += 1;
    }
    counts
}

/// The summary of an index run as one JSON object on standard output.
pub fn index_json(s: &Summary, index: &str) -> Result<()> {
    let (skipped, warnings) = (skipped(s), warnings(s));
    json(&IndexReport {
        index,
        files_seen: s.files_seen,
        files_indexed: s.files_indexed,
        files_unchanged: s.files_unchanged,
        files_removed: s.files_removed,
        articles_added: s.articles_added,
        articles_replaced: s.articles_replaced,
        articles_removed: s.articles_removed,
        documents_total: s.documents_total,
        copy_groups: s.copy_groups,
        articles_in_copy_groups: s.articles_in_copy_groups,
        entity_merges: s.entity_merges,
        commits: s.commits,
        interrupted: s.interrupted,
        seconds: s.seconds,
        skipped_by_reason: by_reason(&skipped),
        warnings_by_reason: by_reason(&warnings),
        skipped,
        warnings,
    })
}

/// "malformed: 2, empty: 1", most frequent first.
fn grouped(problems: &[Problem]) -> String {
    let mut counts: Vec<(&str, usize)> = by_reason(problems).into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = counts.iter().map(|(r, n)| format!("{r}: {n}")).collect();
    list.join(", ")
}

/// The end-of-run summary on standard error, so standard output stays clean for scripts.
pub fn index_summary(s: &Summary, verbose: bool, index: &str) {
    let mut e = std::io::stderr().lock();
    let (skipped, warnings) = (skipped(s), warnings(s));
    if verbose {
        for (title, list) in [("skipped", &skipped), ("warning", &warnings)] {
            for p in list {
                let _ = writeln!(e, "{title}: {}", p.message);
            }
        }
    }
    let _ = writeln!(
        e,
        "indexed {} from {} ({} new, {} replaced) in {:.2} s; {} unchanged; {} in {}",
        count(
            s.articles_added as u64 + s.articles_replaced as u64,
            "article",
            "articles"
        ),
        count(s.files_indexed as u64, "file", "files"),
        s.articles_added,
        s.articles_replaced,
        s.seconds,
        count(s.files_unchanged as u64, "file", "files"),
        count(s.documents_total, "document", "documents"),
        index
    );
    if s.copy_groups > 0 {
        let _ = writeln!(
            e,
            "copies of one story: {} in {}",
            count(s.articles_in_copy_groups as u64, "article", "articles"),
            count(s.copy_groups as u64, "group", "groups"),
        );
    }
    if s.entity_merges > 0 {
        let _ = writeln!(
            e,
            "entity names merged across the archive: {} (newsdex entities merges)",
            s.entity_merges
        );
    }
    if s.files_removed > 0 || s.articles_removed > 0 {
        let _ = writeln!(
            e,
            "removed {} ({} gone from disk)",
            count(s.articles_removed as u64, "article", "articles"),
            count(s.files_removed as u64, "file", "files"),
        );
    }
    if s.interrupted {
        let _ = writeln!(
            e,
            "interrupted: what was done is committed; run the same command again to finish"
        );
    }
    let hint = if verbose {
        ""
    } else {
        "; --verbose lists them"
    };
    if !skipped.is_empty() {
        let _ = writeln!(
            e,
            "skipped {} ({}{hint})",
            count(skipped.len() as u64, "file", "files"),
            grouped(&skipped)
        );
    }
    if !warnings.is_empty() {
        let _ = writeln!(
            e,
            "{} in files otherwise indexed ({}{hint})",
            count(warnings.len() as u64, "warning", "warnings"),
            grouped(&warnings)
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

/// The effective settings, one a line, each with where it came from.
pub fn settings(s: &Settings) -> Result<()> {
    fn entry<T>(name: String, value: String, setting: &Setting<T>) -> (String, String) {
        (format!("{name} = {value}"), setting.origin.to_string())
    }
    let none = || "(none)".to_string();
    let mut lines = vec![
        entry(
            "index".into(),
            s.index.value.display().to_string(),
            &s.index,
        ),
        entry(
            "engine_url".into(),
            s.engine_url.value.clone().unwrap_or_else(none),
            &s.engine_url,
        ),
    ];
    if s.fields.is_empty() {
        lines.push(("fields = (none)".into(), "default".into()));
    }
    for f in &s.fields {
        let name = format!("fields.{}", f.value.field);
        lines.push(entry(name, f.value.key.clone(), f));
    }
    if s.source_aliases.is_empty() {
        lines.push(("source_aliases = (none)".into(), "default".into()));
    }
    for a in &s.source_aliases {
        let name = format!("source_aliases.{:?}", a.value.alias);
        lines.push(entry(name, a.value.canonical.clone(), a));
    }
    let file = match &s.config_file.path {
        Some(p) if s.config_file.found => p.display().to_string(),
        Some(p) => format!("{} (not present)", p.display()),
        None => none(),
    };
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    writeln!(w, "config file: {file}").map_err(out_err)?;
    for (line, origin) in lines {
        writeln!(w, "{line:<width$}  ({origin})").map_err(out_err)?;
    }
    Ok(())
}

pub fn check(r: &newsdex::model::check::CheckReport) -> Result<()> {
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
