//! The article as the engines store and return it, and the texts made from it in one way for
//! every engine (what is tagged, indexed and shown in snippets), so offsets agree everywhere.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::copies::GroupId;
use crate::entities::{EntityKind, Mention};
use crate::ingest::Article;

/// Source stored for articles that name none.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// Unique canonical names per kind, in first-mention order; facets count articles, not mentions.
pub type EntitySet = BTreeMap<EntityKind, Vec<String>>;

pub fn entity_set(mentions: &[Mention]) -> EntitySet {
    let mut set = EntitySet::new();
    for m in mentions {
        let names = set.entry(m.kind).or_default();
        if !m.canonical.is_empty() && !names.contains(&m.canonical) {
            names.push(m.canonical.clone());
        }
    }
    set
}

/// The text the entity tagger and the snippet generator read: headline, standfirst, body.
pub fn searchable_body(article: &Article) -> String {
    with_standfirst(article.standfirst.as_deref(), &article.body)
}

/// The text the entity tagger reads: headline, a blank line, standfirst and body. One way for
/// parsed and stored articles, so a stored article tagged again gives the names it was indexed
/// with.
pub fn tagged_text(article: &Article) -> String {
    headline_and_body(&article.headline, &searchable_body(article))
}

pub fn headline_and_body(headline: &str, body: &str) -> String {
    format!("{headline}\n\n{body}")
}

/// Standfirst and body as one text: what is indexed, tagged and shown in snippets, one way for
/// parsed and stored articles alike so offsets agree.
pub fn with_standfirst(standfirst: Option<&str>, body: &str) -> String {
    match standfirst {
        Some(s) if !s.is_empty() => format!("{s}\n\n{body}"),
        _ => body.to_string(),
    }
}

/// The quotes of an article's body, found over the tagged text (headline, blank line, body) with
/// the tagger's mentions of it, offsets moved into the searchable body. Quotes in the headline
/// are left out: a headline's marks mostly cite a phrase the body quotes in full.
pub fn body_quotes(
    headline: &str,
    tagged: &str,
    mentions: &[Mention],
) -> Vec<crate::quotes::Quote> {
    let shift = headline.chars().count() + 2;
    crate::quotes::extract_with_mentions(tagged, mentions)
        .into_iter()
        .filter(|q| q.start >= shift)
        .map(|mut q| {
            q.start -= shift;
            q.end -= shift;
            q
        })
        .collect()
}

/// A stored article as read back from the index.
#[derive(Debug, Clone, Serialize)]
pub struct StoredArticle {
    pub id: String,
    pub path: String,
    pub headline: String,
    /// The headline was made from the body for display; it is not indexed.
    pub headline_derived: bool,
    pub standfirst: Option<String>,
    pub body: String,
    pub source: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub entities: EntitySet,
    /// The group of copies of one story it belongs to, if any.
    pub group: Option<GroupId>,
    /// Its direct quotes, offsets in [`StoredArticle::full_body`].
    pub quotes: Vec<crate::quotes::Quote>,
    /// Some of the text was read by OCR from page images.
    pub ocr: bool,
    /// The acronyms it spells out, kept so the article can be written again with them; evidence
    /// for the archive-wide merges, never shown.
    #[serde(skip)]
    pub links: Vec<crate::entities::merges::Link>,
}

/// A stored article as the parsed article it was made from, to be written again.
pub fn to_article(stored: StoredArticle) -> (Article, EntitySet) {
    let StoredArticle {
        id,
        path,
        headline,
        headline_derived,
        standfirst,
        body,
        source,
        section,
        date,
        authors,
        url,
        entities,
        group: _,
        quotes: _,
        ocr,
        links: _,
    } = stored;
    let article = Article {
        id,
        path,
        headline,
        headline_derived,
        standfirst,
        body,
        source: Some(source),
        date,
        authors,
        url,
        section,
        ocr,
    };
    (article, entities)
}

impl StoredArticle {
    /// Standfirst and body as one text, the way snippets and entity offsets see it.
    pub fn full_body(&self) -> String {
        with_standfirst(self.standfirst.as_deref(), &self.body)
    }

    /// The text the indexer tagged for this article's entities (see [`tagged_text`]).
    pub fn tagged_text(&self) -> String {
        headline_and_body(&self.headline, &self.full_body())
    }
}
