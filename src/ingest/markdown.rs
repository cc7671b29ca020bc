//! Markdown articles: YAML (`---`) or TOML (`+++`) front matter for metadata, the first `# `
//! heading as a fallback headline, and a body with the markup lightly stripped.
//!
//! Static-site and notes archives store articles this way. Search and snippets want prose, not
//! syntax, so emphasis markers, heading hashes and link targets are removed while every word of
//! text (including code) is kept.
use serde_json::{Map, Value};

use super::fields::{self, Field, TypeErrors};
use super::text::{collapse_ws, split_paragraphs};
use super::{Article, ParseOptions, Warning};

pub fn parse_markdown(text: &str, opts: &ParseOptions, warnings: &mut Vec<Warning>) -> Article {
    let (meta, body_src) = split_front_matter(text, warnings);
    let mut errs = TypeErrors::default();
    let fm_headline = fields::line_field(&meta, Field::Headline, opts, &mut errs);
    let (heading, body_src) = match fm_headline {
        Some(_) => (None, body_src.to_string()),
        None => take_first_h1(body_src),
    };
    let body = strip_markdown(&body_src);
    let headline = fm_headline.or(heading).unwrap_or_default();
    Article {
        headline,
        standfirst: fields::line_field(&meta, Field::Standfirst, opts, &mut errs),
        body,
        source: fields::source_field(&meta, opts),
        date: fields::date_field(&meta, opts, None, warnings),
        authors: fields::authors_field(&meta, opts),
        url: fields::line_field(&meta, Field::Url, opts, &mut errs),
        ..Default::default()
    }
}

#[derive(Clone, Copy)]
enum FrontMatter {
    Yaml,
    Toml,
}

/// Split off front matter. Unparseable front matter is reported (record 1) and ignored, and the
/// text after it is still the body.
fn split_front_matter<'a>(
    text: &'a str,
    warnings: &mut Vec<Warning>,
) -> (Map<String, Value>, &'a str) {
    let Some((kind, inner, rest)) = find_front_matter(text) else {
        return (Map::new(), text);
    };
    let parsed = match kind {
        FrontMatter::Yaml => parse_yaml(inner),
        FrontMatter::Toml => inner
            .parse::<toml::Table>()
            .map(|t| toml_to_json(toml::Value::Table(t)))
            .map_err(|e| e.to_string()),
    };
    match parsed {
        Ok(Value::Object(map)) => (map, rest),
        Ok(Value::Null) => (Map::new(), rest),
        Ok(other) => {
            let reason = format!(
                "front matter is {}, expected a mapping",
                fields::kind(&other)
            );
            warnings.push(Warning::BadRecord { record: 1, reason });
            (Map::new(), rest)
        }
        Err(e) => {
            let reason = format!("front matter: {}", collapse_ws(&e));
            warnings.push(Warning::BadRecord { record: 1, reason });
            (Map::new(), rest)
        }
    }
}

/// YAML front matter as JSON values. Only `true` and `false` are booleans (as in YAML 1.2), so
/// `title: No` stays a title; the parser's budgets bound what alias bombs can cost.
fn parse_yaml(inner: &str) -> Result<Value, String> {
    if inner.trim().is_empty() {
        return Ok(Value::Null);
    }
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<Value>(inner, options).map_err(|e| e.to_string())
}

/// (kind, front matter text, rest) when the file opens with a fenced block.
fn find_front_matter(text: &str) -> Option<(FrontMatter, &str, &str)> {
    let first_end = text.find('\n')?;
    let (kind, closers): (FrontMatter, &[&str]) = match text[..first_end].trim_end() {
        "---" => (FrontMatter::Yaml, &["---", "..."]),
        "+++" => (FrontMatter::Toml, &["+++"]),
        _ => return None,
    };
    let after = &text[first_end + 1..];
    let mut offset = 0;
    for line in after.split_inclusive('\n') {
        if closers.contains(&line.trim_end()) {
            return Some((kind, &after[..offset], &after[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// TOML to JSON by hand, because datetimes would otherwise become private wrapper objects.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Remove the first level-1 ATX heading (outside code fences) and return its text.
fn take_first_h1(src: &str) -> (Option<String>, String) {
    let mut in_fence = false;
    let lines: Vec<&str> = src.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if is_fence(t) {
            in_fence = !in_fence;
        }
        if in_fence {
            continue;
        }
        if let Some(h) = t.strip_prefix("# ") {
            let heading = collapse_ws(&strip_inline(h.trim_end().trim_end_matches('#')));
            let mut rest: Vec<&str> = lines[..i].to_vec();
            rest.extend_from_slice(&lines[i + 1..]);
            return (Some(heading).filter(|h| !h.is_empty()), rest.join("\n"));
        }
    }
    (None, src.to_string())
}

fn is_fence(trimmed: &str) -> bool {
    trimmed.starts_with("```") || trimmed.starts_with("~~~")
}

/// Markdown to plain paragraphs. Headings and list items become paragraphs of their own.
pub fn strip_markdown(src: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in src.lines() {
        let t = line.trim();
        if is_fence(t) {
            in_fence = !in_fence;
            out.push(String::new());
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if is_rule(t) || is_reference_definition(t) || t.starts_with("<!--") {
            out.push(String::new());
            continue;
        }
        let (own_paragraph, content) = block_content(t);
        if own_paragraph {
            out.push(String::new());
        }
        out.push(strip_inline(content));
        if own_paragraph {
            out.push(String::new());
        }
    }
    split_paragraphs_blank_only(&out.join("\n"))
}

/// Like [`split_paragraphs`] but a block with no blank lines is still one paragraph, because in
/// markdown single newlines are soft wraps.
fn split_paragraphs_blank_only(text: &str) -> String {
    if text.lines().filter(|l| !l.trim().is_empty()).count() > 1 && !text.trim().contains("\n\n") {
        return collapse_ws(text);
    }
    split_paragraphs(text).join("\n\n")
}

/// Strip block markers (heading hashes, quote arrows, list bullets); true for blocks that stand
/// alone as paragraphs.
fn block_content(t: &str) -> (bool, &str) {
    let mut t = t;
    while let Some(rest) = t.strip_prefix('>') {
        t = rest.trim_start();
    }
    if t.starts_with('#') {
        let rest = t.trim_start_matches('#');
        if rest.is_empty() || rest.starts_with(' ') {
            return (true, rest.trim().trim_end_matches('#').trim_end());
        }
    }
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            return (true, rest);
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "))
    {
        return (true, rest);
    }
    (false, t)
}

fn is_rule(t: &str) -> bool {
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ['-', '*', '_']
            .iter()
            .any(|&m| compact.chars().all(|c| c == m))
}

fn is_reference_definition(t: &str) -> bool {
    t.starts_with('[') && t.find("]:").is_some_and(|i| !t[1..i].contains(']'))
}

/// Inline markup: links and images to their text, emphasis and code markers dropped.
fn strip_inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        match c {
            '\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                out.extend(next);
                i += 2;
            }
            // An image keeps its alt text the way a link keeps its text.
            '!' | '[' if c == '[' || next == Some('[') => {
                match link_at(&chars, i + usize::from(c == '!')) {
                    Some((text, end)) => {
                        out.push_str(&strip_inline(&text));
                        i = end;
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            '<' => match autolink_at(&chars, i) {
                Some((url, end)) => {
                    out.push_str(&url);
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            },
            '`' => i += 1,
            '*' | '_' | '~' => {
                let run = chars[i..].iter().take_while(|&&x| x == c).count();
                let after = chars.get(i + run).copied();
                let spaced =
                    prev.is_none_or(char::is_whitespace) && after.is_none_or(char::is_whitespace);
                let intraword = c == '_'
                    && prev.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric);
                let keep = spaced || intraword || (c == '~' && run < 2);
                if keep {
                    out.extend(&chars[i..i + run]);
                }
                i += run;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `[text](url)` or `[text][ref]` starting at `open`: the text and the index after the link.
fn link_at(chars: &[char], open: usize) -> Option<(String, usize)> {
    let close = matching(chars, open, '[', ']')?;
    let text: String = chars[open + 1..close].iter().collect();
    match chars.get(close + 1) {
        Some('(') => {
            let end = matching(chars, close + 1, '(', ')')?;
            Some((text, end + 1))
        }
        Some('[') => {
            let end = matching(chars, close + 1, '[', ']')?;
            Some((text, end + 1))
        }
        _ => None,
    }
}

fn matching(chars: &[char], open: usize, o: char, c: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &ch) in chars.iter().enumerate().skip(open) {
        if ch == o {
            depth += 1;
        } else if ch == c {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `<https://...>` autolinks become the bare URL.
fn autolink_at(chars: &[char], open: usize) -> Option<(String, usize)> {
    let close = chars[open..].iter().position(|&c| c == '>')? + open;
    let inner: String = chars[open + 1..close].iter().collect();
    let is_url = (inner.starts_with("http://")
        || inner.starts_with("https://")
        || inner.starts_with("mailto:"))
        && !inner.contains(char::is_whitespace);
    is_url.then_some((inner, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn parse(text: &str) -> (Article, Vec<Warning>) {
        let mut w = Vec::new();
        let a = parse_markdown(text, &ParseOptions::default(), &mut w);
        (a, w)
    }

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"Port strike ends\"\npublisher: The Harbour Gazette\ndate: 2024-05-02\nauthors:\n  - Ana Ruiz\n  - Ben Okafor\nurl: https://gazette.test/strike\n---\n\nDock workers **returned** to work.\n";
        let (a, w) = parse(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a.headline, "Port strike ends");
        assert_eq!(a.source.as_deref(), Some("The Harbour Gazette"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 5, 2));
        assert_eq!(a.authors, vec!["Ana Ruiz", "Ben Okafor"]);
        assert_eq!(a.url.as_deref(), Some("https://gazette.test/strike"));
        assert_eq!(a.body, "Dock workers returned to work.");
    }

    #[test]
    fn toml_front_matter_with_native_date() {
        let text = "+++\nheadline = \"Rates held\"\nsource = \"Capital Ledger\"\ndate = 2025-01-15T08:30:00Z\nauthor = \"Ana Ruiz\"\n+++\n# Ignored heading\n\nBody text.\n";
        let (a, w) = parse(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(a.headline, "Rates held");
        assert_eq!(a.source.as_deref(), Some("Capital Ledger"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2025, 1, 15));
        assert_eq!(a.authors, vec!["Ana Ruiz"]);
        assert_eq!(a.body, "Ignored heading\n\nBody text.");
    }

    #[test]
    fn heading_is_headline_without_front_matter() {
        let (a, _) = parse(
            "Intro line\n\n# The *Real* Headline #\n\nText with a [link](https://x.test/a) and ![a chart](c.png).\n",
        );
        assert_eq!(a.headline, "The Real Headline");
        assert_eq!(a.body, "Intro line\n\nText with a link and a chart.");
    }

    #[test]
    fn bad_front_matter_warns_and_keeps_body() {
        let (a, w) = parse("---\ntitle: [unclosed\n---\nBody here.\n");
        assert_eq!(w.len(), 1);
        assert!(
            matches!(&w[0], Warning::BadRecord { record: 1, reason } if reason.starts_with("front matter"))
        );
        assert_eq!(a.body, "Body here.");
        // The fallback headline is made later, for every format alike.
        assert_eq!(a.headline, "");
    }

    #[test]
    fn impossible_front_matter_date() {
        let (a, w) = parse("---\ntitle: T\ndate: 2024-13-45\n---\nBody.\n");
        assert_eq!(a.date, None);
        assert_eq!(
            w,
            vec![Warning::BadDate {
                record: None,
                value: "2024-13-45".into()
            }]
        );
    }

    #[test]
    fn inline_stripping() {
        assert_eq!(
            strip_inline("**bold** and _it_ and snake_case and `code`"),
            "bold and it and snake_case and code"
        );
        assert_eq!(
            strip_inline("5 * 3 and ~~gone~~ \\*lit\\*"),
            "5 * 3 and gone *lit*"
        );
        assert_eq!(
            strip_inline("see [the [nested] doc][ref] or <https://x.test>"),
            "see the [nested] doc or https://x.test"
        );
        assert_eq!(strip_inline("[unclosed link"), "[unclosed link");
    }

    #[test]
    fn blocks_lists_quotes_code() {
        let body = strip_markdown(
            "## Sub\n\n> quoted\n> text\n\n- one\n- two\n\n```\nlet x = 1;\n```\n\n---\n[ref]: https://x.test\n",
        );
        assert_eq!(body, "Sub\n\nquoted text\n\none\n\ntwo\n\nlet x = 1;");
    }
}
