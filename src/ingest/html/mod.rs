//! HTML pages: metadata from Open Graph, `<meta>`, JSON-LD, microdata and the URL; the body is
//! the article's own text, found by [`extract`].
//!
//! Saved web pages are the messiest archive format. Only visible article prose is indexed, so a
//! search never matches menu labels or script source, and all text comes out as plain strings
//! (entities decoded, tags gone) for the indexer to escape when it renders them. Each field has
//! several sources on a real page; they are tried in a fixed order (the README lists it) and the
//! first usable value wins, so the same page always yields the same article.
mod extract;

use std::collections::HashMap;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};
use serde_json::{Map, Value};

use super::text::{collapse_ws, headline_from_body, non_empty, normalize_body, split_authors};
use super::{Article, Warning, date};

/// `<meta>` names that carry a publication date, most specific first.
const META_DATES: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
];

/// Longest text taken from a byline element: longer ones are prose, not names.
const MAX_BYLINE_CHARS: usize = 120;

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
    let body = structured_body(&ld, extract::main_text(&doc, headline.as_deref()));
    let headline = headline.unwrap_or_else(|| headline_from_body(&body));
    let standfirst = get(&["og:description", "description", "twitter:description"])
        .filter(|s| !repeats_body(s, &body) && shown_on_page(&doc, s));

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
    let url = canonical_url(&doc, &meta, &ld);
    let date = page_date(&doc, &meta, &ld, url.as_deref(), warnings);

    Article {
        headline,
        standfirst,
        body,
        source,
        date,
        authors: authors(&doc, &meta, &ld),
        url,
        ..Default::default()
    }
}

/// The page's JSON-LD `articleBody` instead of the text found in the markup when it is more than
/// twice as long: the page then renders its story by script (the markup holds a teaser), and the
/// structured copy is the only full text. A shorter structured copy is usually a cut summary.
fn structured_body(ld: &Option<Map<String, Value>>, found: String) -> String {
    let Some(text) = ld
        .as_ref()
        .and_then(|o| o.get("articleBody"))
        .and_then(Value::as_str)
    else {
        return found;
    };
    let looks_like_markup = text.contains("</") || text.contains("<p");
    if looks_like_markup || text.chars().count() <= 2 * found.chars().count() {
        return found;
    }
    normalize_body(text)
}

/// The page's own address: `<link rel=canonical>`, then `og:url`, then JSON-LD's `url`.
fn canonical_url(
    doc: &Html,
    meta: &HashMap<String, String>,
    ld: &Option<Map<String, Value>>,
) -> Option<String> {
    attr_of_first(doc, "link[rel~=canonical]", "href")
        .or_else(|| meta.get("og:url").and_then(|v| non_empty(v)))
        .or_else(|| ld_str(ld, "url"))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

/// The publication date from the first source that has a real one: JSON-LD `datePublished`,
/// the `<meta>` dates, microdata `itemprop=datePublished`, the first `<time datetime>`, and last
/// the URL's `/2024/03/14/` path. A bad value is reported only when no source gives a date.
fn page_date(
    doc: &Html,
    meta: &HashMap<String, String>,
    ld: &Option<Map<String, Value>>,
    url: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Option<NaiveDate> {
    let microdata = || {
        let sel = selector("[itemprop=datePublished]")?;
        doc.select(&sel).find_map(|el| {
            let v = el.value();
            v.attr("datetime")
                .or_else(|| v.attr("content"))
                .and_then(non_empty)
        })
    };
    let candidates = [
        ld_str(ld, "datePublished"),
        META_DATES
            .iter()
            .find_map(|k| meta.get(*k).and_then(|v| non_empty(v))),
        microdata(),
        attr_of_first(doc, "time[datetime]", "datetime"),
    ];
    let mut bad = None;
    for raw in candidates.into_iter().flatten() {
        match date::parse_date(&raw) {
            Ok(Some(d)) => return Some(d),
            Ok(None) => {}
            Err(e) => {
                bad.get_or_insert((raw, e));
            }
        }
    }
    if let Some(d) = url.and_then(date_in_url) {
        return Some(d);
    }
    if let Some((value, err)) = bad {
        warnings.push(Warning::date(None, value, err));
    }
    None
}

/// A date written into a URL's path as `/YYYY/MM/DD/` or a segment starting `YYYY-MM-DD`, the way
/// news sites file their stories. Only full days count: `/2024/03/` alone is an archive page.
fn date_in_url(url: &str) -> Option<NaiveDate> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let as_date = |y: u32, m: u32, d: u32| {
        date::parse_date(&format!("{y:04}-{m:02}-{d:02}"))
            .ok()
            .flatten()
    };
    for w in segments.windows(3) {
        if let (Some(y), Some(m), Some(d)) = (
            number(w[0], 4),
            number(w[1], 2).or_else(|| number(w[1], 1)),
            number(w[2], 2).or_else(|| number(w[2], 1)),
        ) && let Some(day) = as_date(y, m, d)
        {
            return Some(day);
        }
    }
    segments.iter().find_map(|s| {
        let head = s.get(..10)?;
        let mut parts = head.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        as_date(number(y, 4)?, number(m, 2)?, number(d, 2)?)
    })
}

/// Lowercased words joined by single spaces, so texts compare whatever their markup and punctuation.
fn words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when the page shows its description to readers (a standfirst under the headline). A
/// description that lives only in `<meta>` is a summary written for search engines and social
/// cards, often in other words than the story; taking it as the standfirst would index text the
/// article does not contain.
fn shown_on_page(doc: &Html, description: &str) -> bool {
    let d = words(description.trim_end_matches(['.', '…', ' ']));
    if d.is_empty() {
        return false;
    }
    let mut visible = String::new();
    let mut stack = vec![doc.tree.root()];
    while let Some(node) = stack.pop() {
        match node.value() {
            scraper::Node::Element(e)
                if matches!(
                    e.name(),
                    "head" | "script" | "style" | "noscript" | "template"
                ) =>
            {
                continue;
            }
            scraper::Node::Text(t) => {
                visible.push_str(t);
                visible.push(' ');
            }
            _ => {}
        }
        stack.extend(node.children().rev());
    }
    words(&visible).contains(&d)
}

/// True when a description only repeats the opening of the body (many sites fill it with the
/// first paragraph); keeping both would store the lede twice and double its phrase counts.
fn repeats_body(description: &str, body: &str) -> bool {
    let d = words(description.trim_end_matches(['.', '…', ' ']));
    // A cut description ends in a partial word.
    let d = if description.trim_end().ends_with(['…', '.']) && description.contains("...") {
        d.rsplit_once(' ')
            .map_or(d.clone(), |(head, _)| head.to_string())
    } else {
        d
    };
    !d.is_empty() && words(body).contains(&d)
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
fn json_ld(doc: &Html) -> Option<Map<String, Value>> {
    let sel = selector("script[type=\"application/ld+json\"]")?;
    let mut candidates = Vec::new();
    for el in doc.select(&sel) {
        let Ok(v) = serde_json::from_str::<Value>(&el.text().collect::<String>()) else {
            continue;
        };
        flatten_ld(v, &mut candidates);
    }
    let is_article = |o: &Map<String, Value>| {
        let ty = o.get("@type").map(Value::to_string).unwrap_or_default();
        ty.contains("Article") || ty.contains("Posting") || o.contains_key("headline")
    };
    candidates.into_iter().find(is_article)
}

fn flatten_ld(v: Value, out: &mut Vec<Map<String, Value>>) {
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

fn ld_str(ld: &Option<Map<String, Value>>, key: &str) -> Option<String> {
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

/// Authors from the first source that names any: JSON-LD `author`, `<meta name=author>` (not a
/// profile URL), `rel=author` links, microdata `itemprop=author`, then a byline element's
/// "By A and B" text.
fn authors(
    doc: &Html,
    meta: &HashMap<String, String>,
    ld: &Option<Map<String, Value>>,
) -> Vec<String> {
    let from_ld = || match ld.as_ref().and_then(|o| o.get("author")) {
        Some(Value::Array(items)) => items.iter().filter_map(name_of).collect(),
        Some(other) => name_of(other)
            .map(|n| split_authors(&n))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let from_meta = || {
        ["author", "article:author", "dc.creator", "byl"]
            .iter()
            .filter_map(|k| meta.get(*k))
            .find(|s| !looks_like_url(s))
            .map(|m| split_authors(m))
            .unwrap_or_default()
    };
    let texts_of = |css: &str| {
        let mut names: Vec<String> = Vec::new();
        let Some(sel) = selector(css) else {
            return names;
        };
        for el in doc.select(&sel) {
            for n in split_authors(&person_text(el)) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    };
    let sources: [&dyn Fn() -> Vec<String>; 5] = [
        &from_ld,
        &from_meta,
        &|| texts_of("a[rel~=author]"),
        &|| texts_of("[itemprop~=author]"),
        &|| texts_of("[class*=byline]"),
    ];
    sources
        .iter()
        .map(|f| f())
        .find(|names| !names.is_empty())
        .unwrap_or_default()
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// The name text of a person element: its `itemprop=name` part when it has one, its own text
/// otherwise; empty when that is too long to be a byline.
fn person_text(el: ElementRef<'_>) -> String {
    let named = selector("[itemprop~=name]").and_then(|sel| el.select(&sel).next());
    let el = named.unwrap_or(el);
    let text = el
        .value()
        .attr("content")
        .map(str::to_string)
        .unwrap_or_else(|| collapse_ws(&el.text().collect::<Vec<_>>().join(" ")));
    if text.chars().count() > MAX_BYLINE_CHARS || looks_like_url(&text) {
        String::new()
    } else {
        text
    }
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
<header><h1>Harbour bridge reopens</h1><p class="dek">Repairs finished early.</p></header>
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
    fn description_only_in_meta_is_not_a_standfirst() {
        let html = r#"<head><meta name="description" content="Read our latest coverage of the harbour."></head><body><article><p>The council approved the harbour budget on Monday, after a long debate.</p></article></body>"#;
        let (a, _) = parse(html);
        assert_eq!(a.standfirst, None);
        assert!(a.body.contains("approved the harbour budget"), "{}", a.body);
    }

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
    fn date_of(head: &str, body: &str) -> (Option<NaiveDate>, Vec<Warning>) {
        let (a, w) = parse(&format!(
            "<html><head>{head}</head><body>{body}<p>Text.</p></body></html>"
        ));
        (a.date, w)
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    const LD_DATE: &str = r#"<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","datePublished":"2024-01-02T10:00:00Z"}</script>"#;
    const META_DATE: &str = r#"<meta property="article:published_time" content="2024-02-03">"#;
    const MICRODATA_DATE: &str = r#"<span itemprop="datePublished" content="2024-03-04"></span>"#;
    const TIME_DATE: &str = r#"<time datetime="2024-04-05T08:00">5 April</time>"#;
    const URL_DATE: &str =
        r#"<link rel="canonical" href="https://news.test/2024/05/06/story-slug/">"#;

    #[test]
    fn date_from_each_source_alone() {
        assert_eq!(date_of(LD_DATE, "").0, day(2024, 1, 2));
        assert_eq!(date_of(META_DATE, "").0, day(2024, 2, 3));
        assert_eq!(date_of("", MICRODATA_DATE).0, day(2024, 3, 4));
        assert_eq!(date_of("", TIME_DATE).0, day(2024, 4, 5));
        assert_eq!(date_of(URL_DATE, "").0, day(2024, 5, 6));
    }

    #[test]
    fn date_sources_in_priority_order_when_they_disagree() {
        let all_body = format!("{MICRODATA_DATE}{TIME_DATE}");
        assert_eq!(
            date_of(&format!("{URL_DATE}{META_DATE}{LD_DATE}"), &all_body).0,
            day(2024, 1, 2)
        );
        assert_eq!(
            date_of(&format!("{URL_DATE}{META_DATE}"), &all_body).0,
            day(2024, 2, 3)
        );
        assert_eq!(date_of(URL_DATE, &all_body).0, day(2024, 3, 4));
        assert_eq!(date_of(URL_DATE, TIME_DATE).0, day(2024, 4, 5));
    }

    #[test]
    fn bad_date_falls_through_to_the_next_source_without_warning() {
        let bad = r#"<meta property="article:published_time" content="2024-02-30">"#;
        let (d, w) = date_of(bad, TIME_DATE);
        assert_eq!(d, day(2024, 4, 5));
        assert!(w.is_empty());
    }

    #[test]
    fn url_dates_need_a_whole_day() {
        assert_eq!(
            date_in_url("https://x.test/news/2023/7/9/a"),
            day(2023, 7, 9)
        );
        assert_eq!(
            date_in_url("https://x.test/2023-07-09-harbour-story"),
            day(2023, 7, 9)
        );
        assert_eq!(date_in_url("https://x.test/2023/07/"), None);
        assert_eq!(date_in_url("https://x.test/2023/13/40/a"), None);
        assert_eq!(date_in_url("https://x.test/a?d=2023/07/09"), None);
    }

    #[test]
    fn authors_from_each_source_in_priority_order() {
        let ld = r#"<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Ana Ruiz"}}</script>"#;
        let meta = r#"<meta name="author" content="Ben Okafor">"#;
        let rel = r#"<a rel="author" href="/c">Chloé Martin</a>"#;
        let micro =
            r#"<span itemprop="author" itemscope><span itemprop="name">Dev Patel</span></span>"#;
        let byline = r#"<div class="article-byline">By Eva Stone and Femi Ade</div>"#;
        let authors = |head: &str, body: &str| {
            parse(&format!(
                "<html><head>{head}</head><body>{body}<p>Text.</p></body></html>"
            ))
            .0
            .authors
        };
        let body = format!("{rel}{micro}{byline}");
        assert_eq!(authors(&format!("{ld}{meta}"), &body), ["Ana Ruiz"]);
        assert_eq!(authors(meta, &body), ["Ben Okafor"]);
        assert_eq!(authors("", &body), ["Chloé Martin"]);
        assert_eq!(authors("", &format!("{micro}{byline}")), ["Dev Patel"]);
        assert_eq!(authors("", byline), ["Eva Stone", "Femi Ade"]);
    }

    #[test]
    fn canonical_link_wins_over_og_url() {
        let (a, _) = parse(
            r#"<head><meta property="og:url" content="https://m.news.test/a"><link rel="canonical" href="https://news.test/a"></head><body><p>x</p></body>"#,
        );
        assert_eq!(a.url.as_deref(), Some("https://news.test/a"));
    }

    #[test]
    fn description_repeating_the_lede_is_not_kept_twice() {
        let html = r#"<head><meta name="description" content="The council approved the harbour budget on Monday."></head><body><article><p>The council approved the harbour budget on Monday. It passed by two votes.</p></article></body>"#;
        let (a, _) = parse(html);
        assert_eq!(a.standfirst, None);
        assert!(a.body.starts_with("The council approved"));
    }
}
