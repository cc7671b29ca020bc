//! HTML pages: metadata from Open Graph, `<meta>` and JSON-LD; body text from the article
//! element with page chrome (scripts, navigation, headers, footers) left out.
//!
//! Saved web pages are the messiest archive format. Only visible article prose is indexed, so a
//! search never matches menu labels or script source, and all text comes out as plain strings
//! (entities decoded, tags gone) for the indexer to escape when it renders them.
use std::collections::HashMap;

use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;

use super::text::{collapse_ws, headline_from_body, non_empty, push_para, split_authors};
use super::{Article, Warning, date};

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "footer", "header", "aside", "form", "template", "svg",
    "iframe", "button", "select", "head",
];

/// Elements that start a new paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "br",
    "hr",
    "body",
];

pub fn parse_html(text: &str, warnings: &mut Vec<Warning>) -> Article {
    let doc = Html::parse_document(text);
    let meta = collect_meta(&doc);
    let ld = json_ld(&doc);
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| meta.get(*k).and_then(|v| non_empty(v)))
    };

    let headline = get(&["og:title", "twitter:title"])
        .or_else(|| first_text(&doc, "h1"))
        .or_else(|| first_text(&doc, "title"))
        .or_else(|| ld_str(&ld, "headline"));
    let body = body_text(&doc, headline.as_deref());
    let headline = headline.unwrap_or_else(|| headline_from_body(&body));

    let source = get(&[
        "og:site_name",
        "publisher",
        "application-name",
        "dc.publisher",
    ])
    .or_else(|| {
        ld.as_ref()
            .and_then(|o| o.get("publisher"))
            .and_then(name_of)
    });
    let raw_date = get(&[
        "article:published_time",
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "dc.date",
        "dc.date.issued",
        "datepublished",
        "sailthru.date",
    ])
    .or_else(|| ld_str(&ld, "datePublished"))
    .or_else(|| attr_of_first(&doc, "time[datetime]", "datetime"));
    let date = raw_date.and_then(|raw| match date::parse_date(&raw) {
        Ok(d) => d,
        Err(_) => {
            warnings.push(Warning::BadDate {
                record: None,
                value: raw,
            });
            None
        }
    });

    Article {
        headline,
        standfirst: get(&["og:description", "description", "twitter:description"]),
        body,
        source,
        date,
        authors: authors(&doc, &meta, &ld),
        url: get(&["og:url"]).or_else(|| attr_of_first(&doc, "link[rel=canonical]", "href")),
        ..Default::default()
    }
}

fn selector(css: &str) -> Option<Selector> {
    Selector::parse(css).ok()
}

/// `<meta>` values keyed by lowercased `property`, `name` or `itemprop`; the first one wins.
fn collect_meta(doc: &Html) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let Some(sel) = selector("meta") else {
        return map;
    };
    for el in doc.select(&sel) {
        let v = el.value();
        let Some(content) = v.attr("content") else {
            continue;
        };
        for key in ["property", "name", "itemprop"]
            .iter()
            .filter_map(|a| v.attr(a))
        {
            map.entry(key.trim().to_ascii_lowercase())
                .or_insert_with(|| content.to_string());
        }
    }
    map
}

fn first_text(doc: &Html, css: &str) -> Option<String> {
    let sel = selector(css)?;
    doc.select(&sel)
        .find_map(|el| non_empty(&el.text().collect::<String>()))
}

fn attr_of_first(doc: &Html, css: &str, attr: &str) -> Option<String> {
    let sel = selector(css)?;
    doc.select(&sel)
        .find_map(|el| el.value().attr(attr).and_then(non_empty))
}

/// The first JSON-LD object describing an article (or anything with a headline).
fn json_ld(doc: &Html) -> Option<serde_json::Map<String, Value>> {
    let sel = selector("script[type=\"application/ld+json\"]")?;
    let mut candidates = Vec::new();
    for el in doc.select(&sel) {
        let Ok(v) = serde_json::from_str::<Value>(&el.text().collect::<String>()) else {
            continue;
        };
        flatten_ld(v, &mut candidates);
    }
    let is_article = |o: &serde_json::Map<String, Value>| {
        let ty = o.get("@type").map(Value::to_string).unwrap_or_default();
        ty.contains("Article") || ty.contains("Posting") || o.contains_key("headline")
    };
    candidates.into_iter().find(is_article)
}

fn flatten_ld(v: Value, out: &mut Vec<serde_json::Map<String, Value>>) {
    match v {
        Value::Array(items) => items.into_iter().for_each(|i| flatten_ld(i, out)),
        Value::Object(mut o) => {
            if let Some(graph) = o.remove("@graph") {
                flatten_ld(graph, out);
            }
            out.push(o);
        }
        _ => {}
    }
}

fn ld_str(ld: &Option<serde_json::Map<String, Value>>, key: &str) -> Option<String> {
    ld.as_ref()?.get(key)?.as_str().and_then(non_empty)
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Object(o) => o.get("name").and_then(Value::as_str).and_then(non_empty),
        Value::Array(a) => a.iter().find_map(name_of),
        _ => None,
    }
}

fn authors(
    doc: &Html,
    meta: &HashMap<String, String>,
    ld: &Option<serde_json::Map<String, Value>>,
) -> Vec<String> {
    let not_url = |s: &&String| !s.starts_with("http://") && !s.starts_with("https://");
    if let Some(m) = ["author", "article:author", "dc.creator"]
        .iter()
        .filter_map(|k| meta.get(*k))
        .find(not_url)
    {
        let names = split_authors(m);
        if !names.is_empty() {
            return names;
        }
    }
    if let Some(a) = ld.as_ref().and_then(|o| o.get("author")) {
        let names: Vec<String> = match a {
            Value::Array(items) => items.iter().filter_map(name_of).collect(),
            other => name_of(other)
                .map(|n| split_authors(&n))
                .unwrap_or_default(),
        };
        if !names.is_empty() {
            return names;
        }
    }
    let Some(sel) = selector("[rel~=author]") else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for el in doc.select(&sel) {
        if let Some(n) = non_empty(&el.text().collect::<String>())
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    names
}

/// Visible text of `<article>`, else `<main>`, else `<body>`, as paragraphs. An `<h1>` repeating
/// the headline is dropped so the body does not start with the title.
fn body_text(doc: &Html, headline: Option<&str>) -> String {
    for css in ["article", "main", "[role=main]", "body"] {
        if let Some(root) = selector(css).and_then(|s| doc.select(&s).next()) {
            let text = element_text(root, headline);
            if !text.is_empty() {
                return text;
            }
        }
    }
    element_text(doc.root_element(), headline)
}

/// Iterative (not recursive) so deeply nested markup cannot overflow the stack.
fn element_text(root: ElementRef<'_>, headline: Option<&str>) -> String {
    let mut paras = Vec::new();
    let mut current = String::new();
    // (node, closing): each element is pushed again as "closing" before its children so block
    // boundaries can be emitted on both sides.
    let mut stack = vec![(*root, false)];
    while let Some((node, closing)) = stack.pop() {
        if let Node::Text(t) = node.value() {
            current.push_str(t);
            continue;
        }
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let name = el.value().name();
        let is_block = BLOCKS.contains(&name);
        if closing {
            if is_block {
                push_para(&mut paras, &mut current);
            } else {
                // Inline closers such as `</a>` must not glue words together when the markup has
                // no whitespace; stray spaces before punctuation are tidied afterwards.
                current.push(' ');
            }
            continue;
        }
        if el.id() != root.id() && should_skip(el, name, headline) {
            continue;
        }
        if is_block {
            push_para(&mut paras, &mut current);
        }
        stack.push((node, true));
        stack.extend(node.children().rev().map(|c| (c, false)));
    }
    push_para(&mut paras, &mut current);
    paras
        .iter()
        .map(|p| tidy_punctuation(p))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn should_skip(el: ElementRef<'_>, name: &str, headline: Option<&str>) -> bool {
    if SKIPPED.contains(&name) {
        return true;
    }
    match (name, headline) {
        ("h1", Some(h)) => collapse_ws(&el.text().collect::<String>()) == collapse_ws(h),
        _ => false,
    }
}

/// Remove the space an inline close tag leaves before punctuation ("word , next").
fn tidy_punctuation(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let chars: Vec<char> = p.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if c == ' ' && next.is_some_and(|n| matches!(n, ',' | '.' | ';' | ':' | '!' | '?' | ')')) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn parse(html: &str) -> (Article, Vec<Warning>) {
        let mut w = Vec::new();
        let a = parse_html(html, &mut w);
        (a, w)
    }

    const PAGE: &str = r#"<!doctype html><html><head>
<title>Fallback title | Site</title>
<meta property="og:title" content="Harbour bridge reopens">
<meta property="og:site_name" content="  The Harbour   Gazette ">
<meta property="article:published_time" content="2025-03-04T07:15:00+00:00">
<meta name="author" content="Ana Ruiz, Ben Okafor">
<meta name="description" content="Repairs finished early.">
<meta property="og:url" content="https://gazette.test/bridge">
<script>var secret = "tracking code";</script>
<style>.x { color: red }</style>
</head><body>
<nav>Home | Politics | Sport</nav>
<header><h1>Harbour bridge reopens</h1></header>
<article>
<h1>Harbour bridge reopens</h1>
<p>The bridge   reopened on <em>Tuesday</em>, two weeks early.</p>
<script>document.write("ad")</script>
<p>Engineers said the <a href="/x">café</a> nearby had &amp; would reopen.</p>
<noscript>Enable JavaScript</noscript>
</article>
<footer>Copyright The Harbour Gazette</footer>
</body></html>"#;

    #[test]
    fn full_page_metadata_and_body() {
        let (a, w) = parse(PAGE);
        assert!(w.is_empty());
        assert_eq!(a.headline, "Harbour bridge reopens");
        assert_eq!(a.source.as_deref(), Some("The Harbour Gazette"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2025, 3, 4));
        assert_eq!(a.authors, vec!["Ana Ruiz", "Ben Okafor"]);
        assert_eq!(a.standfirst.as_deref(), Some("Repairs finished early."));
        assert_eq!(a.url.as_deref(), Some("https://gazette.test/bridge"));
        assert_eq!(
            a.body,
            "The bridge reopened on Tuesday, two weeks early.\n\nEngineers said the café nearby had & would reopen."
        );
    }

    #[test]
    fn no_article_element_uses_visible_body_without_chrome() {
        let html = "<html><head><title>Page title</title></head><body><nav>Menu</nav><script>x()</script><div>First para</div><div>Second <b>bold</b></div><footer>foot</footer></body></html>";
        let (a, _) = parse(html);
        assert_eq!(a.headline, "Page title");
        assert_eq!(a.body, "First para\n\nSecond bold");
    }

    #[test]
    fn h1_fallback_and_escaped_markup_headline_stays_text() {
        let html = "<body><h1>&lt;img src=x onerror=alert(1)&gt;</h1><p>Body.</p></body>";
        let (a, _) = parse(html);
        assert_eq!(a.headline, "<img src=x onerror=alert(1)>");
        assert_eq!(a.body, "Body.");
    }

    #[test]
    fn json_ld_and_time_fallbacks() {
        let html = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle","headline":"LD headline","publisher":{"@type":"Organization","name":"Meridian Wire"},"author":[{"@type":"Person","name":"Ana Ruiz"}]}]}</script></head>
<body><main><p>Text <time datetime="2024-11-05">5 Nov</time> here.</p></main></body></html>"#;
        let (a, w) = parse(html);
        assert!(w.is_empty());
        assert_eq!(a.headline, "LD headline");
        assert_eq!(a.source.as_deref(), Some("Meridian Wire"));
        assert_eq!(a.authors, vec!["Ana Ruiz"]);
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 11, 5));
        assert_eq!(a.body, "Text 5 Nov here.");
    }

    #[test]
    fn bad_meta_date_warns() {
        let (a, w) =
            parse(r#"<head><meta name="date" content="2024-02-30"></head><body><p>x</p></body>"#);
        assert_eq!(a.date, None);
        assert_eq!(
            w,
            vec![Warning::BadDate {
                record: None,
                value: "2024-02-30".into()
            }]
        );
    }

    #[test]
    fn rel_author_and_publisher_meta() {
        let html = r#"<head><meta name="publisher" content="Capital Ledger"><meta name="author" content="https://x.test/ana"></head><body><p>By <a rel="author" href="/ana">Ana Ruiz</a></p></body>"#;
        let (a, _) = parse(html);
        assert_eq!(a.source.as_deref(), Some("Capital Ledger"));
        assert_eq!(a.authors, vec!["Ana Ruiz"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
        let (a, _) = parse(&html);
        assert_eq!(a.body, "deep");
    }
}
