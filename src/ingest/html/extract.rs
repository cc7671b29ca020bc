//! The article's own text in a web page: which part of the page is the story, and which of its
//! blocks are page furniture (menus, share bars, "related" lists, captions, sign-up boxes).
//!
//! A saved page carries several times more text than its article. Indexing all of it puts menu
//! labels into phrase counts and sidebar names into entity facets, so the body is chosen by the
//! shape of the markup: prose lives in runs of paragraphs with commas and few links, furniture in
//! short, link-heavy blocks whose class or id names what they are. The page is flattened once into
//! an array in document order, so every measure below is a linear pass with no recursion (deeply
//! nested markup cannot overflow the stack) and no per-node allocation.
use scraper::node::Element;
use scraper::{Html, Node};

use crate::ingest::text::{collapse_ws, push_para};

/// Elements whose content is never article text.
const NEVER_TEXT: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "button",
    "select",
    "option",
    "input",
    "textarea",
    "head",
    "nav",
    "aside",
    "footer",
    "header",
    "figcaption",
    "label",
    "menu",
    "dialog",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "picture",
    "math",
];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "menu",
    "menubar",
    "search",
    "dialog",
    "alertdialog",
    "toolbar",
    "tablist",
];

/// Inline elements: their text belongs to the paragraph around them.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "del",
    "ins", "wbr", "strike", "tt", "big",
];

/// Parts of a table or a list. A name on one row or item ("player-2020-580" on a standings row)
/// says what the row holds, not that it is page furniture: furniture is a whole table or list,
/// and that is judged on the table or list element itself.
const ROW_PARTS: &[&str] = &[
    "tr", "td", "th", "thead", "tbody", "tfoot", "li", "dt", "dd",
];

/// Elements that end a paragraph in the output.
const BREAKS: &[&str] = &["br", "hr"];

/// Fragments of class and id values that name furniture. Matched inside the value, so they are
/// words long enough not to occur inside unrelated names.
const FURNITURE_HINTS: &[&str] = &[
    "comment",
    "disqus",
    "related",
    "recommend",
    "sidebar",
    "footer",
    "social",
    "share",
    "sharing",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "promo",
    "sponsor",
    "advert",
    "banner",
    "breadcrumb",
    "cookie",
    "consent",
    "popup",
    "modal",
    "masthead",
    "widget",
    "toolbar",
    "pagination",
    "pager",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "most-read",
    "byline",
    "dateline",
    "timestamp",
    "caption",
    "credit",
    "tags",
    "topics",
    "skip",
    "print",
    "rating",
    "reply",
    "login",
    "follow",
    "more-",
    "read-more",
    "readmore",
    "teaser",
    "author",
    "bio",
    "meta",
    "nav",
    "menu",
    "hidden",
    "sr-only",
    "screen-reader",
    "donate",
    "gallery",
    "slideshow",
    "carousel",
    "player",
    "paywall",
    "overlay",
    "toc",
];

/// Whole class or id words that name advertising (too short to match inside other words).
const AD_WORDS: &[&str] = &["ad", "ads", "adv", "advert", "dfp", "gpt", "sticky"];

/// Fragments of class and id values that name the article itself.
const ARTICLE_HINTS: &[&str] = &[
    "article", "body", "content", "entry", "main", "post", "story", "blog", "hentry",
];

/// Paragraph units shorter than this (in non-space characters) do not vote for a container.
const MIN_UNIT_CHARS: u32 = 25;

/// Non-link characters a link-heavy paragraph needs to be read as a sentence (see
/// [`Extractor::is_linked_prose`]).
const MIN_OWN_CHARS: u32 = 40;

/// One node of the flattened page.
struct Item<'a> {
    kind: Kind<'a>,
    /// Index of the parent, `None` for the root.
    parent: Option<usize>,
    /// One past the last descendant: the subtree is `index..end`.
    end: usize,
}

enum Kind<'a> {
    Element(&'a Element),
    Text(&'a str),
    Other,
}

/// Measures of one subtree, counted in non-space characters.
#[derive(Clone, Copy, Default)]
struct Stats {
    text: u32,
    link: u32,
    /// Text not inside a nested block: what this element holds as its own paragraph.
    inline: u32,
    inline_commas: u32,
    /// Text inside paragraph units (see [`Extractor::is_unit`]).
    unit_text: u32,
    images: u32,
    list_items: u32,
    paragraphs: u32,
    /// Block quotations: quoted posts and statements are content even inside an "embed" box.
    quotes: u32,
}

struct Extractor<'a> {
    items: Vec<Item<'a>>,
    dropped: Vec<bool>,
    stats: Vec<Stats>,
}

/// The article text of a page as paragraphs joined by blank lines. A heading equal to the
/// headline is left out so the body does not start with the title.
pub fn main_text(doc: &Html, headline: Option<&str>) -> String {
    let mut ex = Extractor::new(doc);
    ex.drop_never_text();
    ex.measure();
    ex.drop_furniture_by_name();
    ex.measure();
    let roots = ex.article_roots();
    // A page too small to hold a paragraph of prose is kept whole, less the markup that is never
    // text: there is nothing to tell article from furniture by.
    let (roots, clean) = match roots.is_empty() {
        true => (vec![ex.body_index()], false),
        false => (roots, true),
    };
    ex.emit(&roots, clean, headline.map(collapse_ws).as_deref())
}

impl<'a> Extractor<'a> {
    fn new(doc: &'a Html) -> Self {
        let mut items: Vec<Item<'a>> = Vec::new();
        let mut stack = vec![(doc.tree.root(), None)];
        while let Some((node, parent)) = stack.pop() {
            let kind = match node.value() {
                Node::Element(e) => Kind::Element(e),
                Node::Text(t) => Kind::Text(t),
                _ => Kind::Other,
            };
            let index = items.len();
            items.push(Item {
                kind,
                parent,
                end: index + 1,
            });
            let mut children: Vec<_> = node.children().collect();
            children.reverse();
            stack.extend(children.into_iter().map(|c| (c, Some(index))));
        }
        for i in (0..items.len()).rev() {
            if let Some(p) = items[i].parent {
                items[p].end = items[p].end.max(items[i].end);
            }
        }
        let n = items.len();
        Extractor {
            items,
            dropped: vec![false; n],
            stats: vec![Stats::default(); n],
        }
    }

    fn element(&self, i: usize) -> Option<&'a Element> {
        match self.items[i].kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    fn tag(&self, i: usize) -> &'a str {
        self.element(i).map(|e| e.name()).unwrap_or("")
    }

    fn drop_subtree(&mut self, i: usize) {
        let end = self.items[i].end;
        self.dropped[i..end].iter_mut().for_each(|d| *d = true);
    }

    /// Markup that is never prose, whatever the page: scripts, styles, media, ARIA furniture.
    fn drop_never_text(&mut self) {
        let mut i = 0;
        while i < self.items.len() {
            if let Some(e) = self.element(i)
                && (NEVER_TEXT.contains(&e.name()) || has_furniture_role(e))
            {
                self.drop_subtree(i);
                i = self.items[i].end;
                continue;
            }
            i += 1;
        }
    }

    /// Blocks whose class or id names furniture, and hidden blocks, unless they hold most of the
    /// page's prose (a wrapper called `story-with-comments` is still the story, and a hidden box
    /// left unclosed swallows the rest of the page when the markup is repaired). Rows and items
    /// are not judged by name alone (see [`ROW_PARTS`]); hiding still counts for them.
    fn drop_furniture_by_name(&mut self) {
        let page_units = self.stats[0].unit_text.max(1);
        let mut i = 0;
        while i < self.items.len() {
            if !self.dropped[i]
                && let Some(e) = self.element(i)
                && !matches!(e.name(), "html" | "body" | "article" | "main")
                && ((name_weight(e) < 0 && !ROW_PARTS.contains(&e.name())) || is_hidden(e))
                && self.stats[i].unit_text * 2 < page_units
                && !self.is_quote_box(i)
            {
                self.drop_subtree(i);
                i = self.items[i].end;
                continue;
            }
            i += 1;
        }
    }

    /// A box around a quoted post or statement (an embedded tweet): a few paragraphs, mostly
    /// inside block quotations. Social and embed classes on it do not make it furniture.
    fn is_quote_box(&self, i: usize) -> bool {
        let s = &self.stats[i];
        s.quotes > 0 && s.paragraphs <= s.quotes * 3 + 2
    }

    /// A paragraph unit: an element holding prose of its own rather than only other blocks.
    fn is_unit(&self, i: usize, s: &Stats) -> bool {
        match self.tag(i) {
            "p" | "pre" | "blockquote" => true,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "a" | "" => false,
            t if INLINE.contains(&t) => false,
            _ => s.inline >= MIN_UNIT_CHARS,
        }
    }

    /// Bottom-up measures of every subtree, ignoring dropped nodes.
    fn measure(&mut self) {
        self.stats.iter_mut().for_each(|s| *s = Stats::default());
        for i in (0..self.items.len()).rev() {
            if self.dropped[i] {
                continue;
            }
            let mut s = self.stats[i];
            let tag = self.tag(i);
            if let Kind::Text(t) = self.items[i].kind {
                let chars = t.chars().filter(|c| !c.is_whitespace()).count() as u32;
                s.text = chars;
                s.inline = chars;
                s.inline_commas = t.matches([',', '，', '、']).count() as u32;
            }
            match tag {
                "a" => s.link = s.text,
                "img" => s.images += 1,
                "li" => s.list_items += 1,
                "p" => s.paragraphs += 1,
                "blockquote" => s.quotes += 1,
                _ => {}
            }
            if self.is_unit(i, &s) {
                s.unit_text += s.inline;
            }
            self.stats[i] = s;
            let Some(p) = self.items[i].parent else {
                continue;
            };
            let inline_child = matches!(self.items[i].kind, Kind::Text(_)) || INLINE.contains(&tag);
            let ps = &mut self.stats[p];
            ps.text += s.text;
            ps.link += s.link;
            ps.images += s.images;
            ps.list_items += s.list_items;
            ps.paragraphs += s.paragraphs;
            ps.quotes += s.quotes;
            ps.unit_text += s.unit_text;
            if inline_child {
                ps.inline += s.inline;
                ps.inline_commas += s.inline_commas;
            }
        }
    }

    fn link_density(&self, i: usize) -> f32 {
        let s = &self.stats[i];
        if s.text == 0 {
            0.0
        } else {
            s.link as f32 / s.text as f32
        }
    }

    /// Readability-style votes: every paragraph unit gives its ancestors a score for its length
    /// and commas (prose has commas, menus do not), decaying with distance; a container's score
    /// is then weighed by its tag and class and discounted by its share of link text.
    fn scores(&self) -> Vec<f32> {
        let n = self.items.len();
        let mut votes = vec![0f32; n];
        let mut voted = vec![false; n];
        for i in 0..n {
            let s = &self.stats[i];
            if self.dropped[i] || !self.is_unit(i, s) || s.inline < MIN_UNIT_CHARS {
                continue;
            }
            let vote = 1.0 + s.inline_commas as f32 + (s.inline as f32 / 100.0).min(3.0);
            // A block holding loose text is its own paragraph's container, as if the text were
            // wrapped in a `<p>` inside it.
            let mut ancestor = match self.tag(i) {
                "p" | "pre" | "blockquote" => self.items[i].parent,
                _ => Some(i),
            };
            let mut level = 0;
            while let Some(a) = ancestor {
                if level > 4 {
                    break;
                }
                let share = match level {
                    0 => 1.0,
                    1 => 0.5,
                    l => 1.0 / (l as f32 * 3.0),
                };
                votes[a] += vote * share;
                voted[a] = true;
                ancestor = self.items[a].parent;
                level += 1;
            }
        }
        (0..n)
            .map(|i| {
                if !voted[i] || self.dropped[i] {
                    return 0.0;
                }
                let e = self.element(i);
                let base = e.map(|e| tag_weight(e.name()) + name_weight(e) as f32);
                (votes[i] + base.unwrap_or(0.0)) * (1.0 - self.link_density(i))
            })
            .collect()
    }

    /// The best-scoring container plus the siblings that continue it (articles split into
    /// several blocks around an advertisement). Empty when nothing on the page reads as prose.
    fn article_roots(&self) -> Vec<usize> {
        let scores = self.scores();
        let best = (0..self.items.len())
            .filter(|&i| self.element(i).is_some() && scores[i] > 0.0)
            .max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let Some(mut top) = best else {
            return Vec::new();
        };
        // A container that is the only real content of its parent is the same block.
        while let Some(p) = self.items[top].parent {
            if matches!(self.tag(p), "body" | "html" | "") {
                break;
            }
            if self.stats[p].unit_text as f32 > self.stats[top].unit_text as f32 * 1.05
                || (self.stats[p].text as f32) > self.stats[top].text as f32 * 1.2
            {
                break;
            }
            top = p;
        }
        let Some(parent) = self.items[top].parent else {
            return vec![top];
        };
        let threshold = (scores[top] * 0.2).max(10.0);
        let top_class = self.element(top).and_then(|e| e.attr("class"));
        self.children(parent)
            .filter(|&c| {
                c == top
                    || (!self.dropped[c] && {
                        let same_class = top_class.is_some()
                            && self.element(c).and_then(|e| e.attr("class")) == top_class;
                        let bonus = if same_class { scores[top] * 0.2 } else { 0.0 };
                        (same_class && self.is_prose_twin(c))
                            || scores[c] + bonus >= threshold
                            || self.is_loose_paragraph(c)
                    })
            })
            .collect()
    }

    /// A sibling of the article block with the same class that holds prose and is not a link
    /// list: the same article cut into one wrapper per paragraph (cards, "body part" blocks
    /// around adverts). Each such wrapper is too small to pass the score threshold alone, however
    /// many of them make the story.
    fn is_prose_twin(&self, i: usize) -> bool {
        self.stats[i].unit_text > 0 && self.link_density(i) < 0.5
    }

    /// A `<p>` beside the article block that reads like part of it.
    fn is_loose_paragraph(&self, i: usize) -> bool {
        if self.tag(i) != "p" {
            return false;
        }
        let s = &self.stats[i];
        let density = self.link_density(i);
        (s.text > 80 && density < 0.25) || (s.text > 0 && density == 0.0 && s.inline_commas > 0)
    }

    fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.items[i].end;
        let mut next = i + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = next;
            next = self.items[c].end;
            Some(c)
        })
    }

    fn body_index(&self) -> usize {
        (0..self.items.len())
            .find(|&i| self.tag(i) == "body")
            .unwrap_or(0)
    }

    /// Blocks inside the article that are still furniture: link lists, galleries, short labels
    /// ("Advertisement"), and forms of lists. A block holding most of the article is never one.
    fn is_clutter(&self, i: usize, article_units: u32) -> bool {
        let Some(e) = self.element(i) else {
            return false;
        };
        let s = &self.stats[i];
        if s.unit_text * 2 > article_units || self.is_quote_box(i) {
            return false;
        }
        let density = self.link_density(i);
        let weight = name_weight(e);
        match e.name() {
            "p" => density > 0.5 && !self.is_linked_prose(i),
            "div" | "section" | "ul" | "ol" | "table" | "dl" | "span" | "figure" | "center"
            | "form" => {
                let sparse_text = s.text < 25 && s.paragraphs == 0 && !self.ends_sentence(i);
                let gallery = s.images > 1
                    && (s.paragraphs as f32) < s.images as f32 * 0.5
                    && s.text < 100 * s.images;
                let list_heavy =
                    !matches!(e.name(), "ul" | "ol") && s.list_items > s.paragraphs + 2;
                let linky = density > 0.5 || (density > 0.25 && weight < 25);
                weight < 0 || sparse_text || gallery || list_heavy || linky
            }
            _ => false,
        }
    }

    /// A paragraph of prose whose sources are linked word by word ("led to <a>canceled
    /// flights</a>, <a>closed schools</a>, and ..."): mostly link text, yet a sentence with
    /// words of its own between the links. A list of links run together has no such words.
    fn is_linked_prose(&self, i: usize) -> bool {
        let s = &self.stats[i];
        s.text.saturating_sub(s.link) >= MIN_OWN_CHARS
            && s.inline_commas > 0
            && self.ends_sentence(i)
    }

    /// True when a block's text ends like a sentence: short prose, not a label.
    fn ends_sentence(&self, i: usize) -> bool {
        let last = (i..self.items[i].end)
            .rev()
            .find_map(|j| match self.items[j].kind {
                Kind::Text(t) if !t.trim().is_empty() && !self.dropped[j] => Some(t.trim_end()),
                _ => None,
            });
        last.is_some_and(|t| t.ends_with(['.', '!', '?', '…', '"', '”', '»', ')']))
    }

    /// The text of the chosen blocks as paragraphs.
    fn emit(&self, roots: &[usize], clean: bool, headline: Option<&str>) -> String {
        let article_units: u32 = roots.iter().map(|&r| self.stats[r].unit_text).sum();
        let mut paras = Vec::new();
        let mut current = String::new();
        for &root in roots {
            let mut closing: Vec<usize> = Vec::new();
            let mut i = root;
            let end = self.items[root].end;
            while i < end {
                while closing.last().is_some_and(|&c| self.items[c].end <= i) {
                    closing.pop();
                    push_para(&mut paras, &mut current);
                }
                if self.dropped[i]
                    || (clean && i != root && self.is_clutter(i, article_units))
                    || self.is_headline(i, headline)
                {
                    i = self.items[i].end;
                    continue;
                }
                match self.items[i].kind {
                    Kind::Text(t) => current.push_str(t),
                    Kind::Element(e) if BREAKS.contains(&e.name()) => {
                        push_para(&mut paras, &mut current)
                    }
                    Kind::Element(e) if INLINE.contains(&e.name()) => {
                        // Inline closers such as `</a>` must not glue words together when the
                        // markup has no whitespace; the space before punctuation is tidied later.
                        if !current.ends_with(char::is_whitespace) {
                            current.push(' ');
                        }
                    }
                    Kind::Element(_) => {
                        push_para(&mut paras, &mut current);
                        closing.push(i);
                    }
                    Kind::Other => {}
                }
                i += 1;
            }
            push_para(&mut paras, &mut current);
        }
        paras
            .iter()
            .filter(|p| !is_dateline(p) && !is_label(p))
            .map(|p| tidy_punctuation(p))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn is_headline(&self, i: usize, headline: Option<&str>) -> bool {
        let (Some(h), "h1") = (headline, self.tag(i)) else {
            return false;
        };
        let mut text = String::new();
        for j in i..self.items[i].end {
            if let Kind::Text(t) = self.items[j].kind {
                text.push_str(t);
                text.push(' ');
            }
        }
        collapse_ws(&text) == h
    }
}

/// A short line that only dates the page ("Updated: Sat 8:31 PM, Feb 17, 2018"): a year or a
/// clock time, few words, and no full stop at the end as a sentence would have.
fn is_dateline(p: &str) -> bool {
    if p.chars().count() > 80 || p.ends_with('.') || p.split_whitespace().count() > 12 {
        return false;
    }
    let bytes = p.as_bytes();
    let year = bytes.windows(4).enumerate().any(|(i, w)| {
        let digits =
            w.iter().all(u8::is_ascii_digit) && (w.starts_with(b"19") || w.starts_with(b"20"));
        let alone = |j: Option<&u8>| j.is_none_or(|b| !b.is_ascii_digit());
        digits && alone(i.checked_sub(1).and_then(|j| bytes.get(j))) && alone(bytes.get(i + 4))
    });
    let clock = bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit());
    year || clock
}

/// A field label left without its value ("Posted:", "Tags:").
fn is_label(p: &str) -> bool {
    p.ends_with(':') && p.split_whitespace().count() <= 3
}

/// Score for the kind of element: sections and divs hold articles, lists and headings do not.
fn tag_weight(tag: &str) -> f32 {
    match tag {
        "article" => 10.0,
        "div" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

/// -25 for a class or id that names furniture, +25 for one that names the article, 0 otherwise
/// (both: the article hint wins, as in `article-body-share-free`... a body is a body).
fn name_weight(e: &Element) -> i32 {
    let mut weight = 0;
    for value in [e.attr("class"), e.id()].into_iter().flatten() {
        let v = value.to_ascii_lowercase();
        let article = ARTICLE_HINTS.iter().any(|h| v.contains(h));
        let furniture = FURNITURE_HINTS.iter().any(|h| v.contains(h))
            || v.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| AD_WORDS.contains(&w));
        weight += match (article, furniture) {
            (true, false) => 25,
            (false, true) => -25,
            _ => 0,
        };
    }
    weight
}

fn is_hidden(e: &Element) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    e.attr("style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

fn has_furniture_role(e: &Element) -> bool {
    e.attr("role")
        .is_some_and(|r| FURNITURE_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
}

/// Remove the space an inline close tag leaves before punctuation ("word , next").
fn tidy_punctuation(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' '
            && chars
                .peek()
                .is_some_and(|n| matches!(n, ',' | '.' | ';' | ':' | '!' | '?' | ')'))
        {
            continue;
        }
        out.push(c);
    }
    out
}
