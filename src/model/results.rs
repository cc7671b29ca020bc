//! What a search, a stats call or a check returns, in the one shape the CLI's `--json` and the
//! API both print, whichever engine answered.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::article::StoredArticle;
use super::copies::GroupId;
use super::explain::{Expansion, FeedbackDecision, Understood};
use super::query::MatchMode;
use super::snippet::SnippetGenerator;
use super::timeline;
use crate::entities::EntityKind;

/// How a query was understood (`--explain`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryExplanation {
    pub match_mode: MatchMode,
    pub leaves: Vec<Understood>,
    /// Words pseudo-relevance feedback added to re-score the hits, with their weights.
    pub expansion: Vec<Expansion>,
    /// Whether feedback ran and what the first pass showed (absent when it was not asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackDecision>,
}

/// One result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub path: String,
    pub headline: String,
    pub source: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
    pub authors: Vec<String>,
    pub url: Option<String>,
    pub score: f32,
    pub snippet: String,
    /// `[start, end)` character offsets into `snippet`.
    pub highlights: Vec<[usize; 2]>,
    /// `[start, end)` character offsets into `headline`.
    pub headline_highlights: Vec<[usize; 2]>,
    pub entities: BTreeMap<EntityKind, Vec<String>>,
    /// The parts of the score, as a tree (`--explain` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<serde_json::Value>,
    /// The group of copies of one story the article belongs to.
    #[serde(default)]
    pub group: Option<GroupId>,
    /// In a collapsed search: how many other articles of its group the search found...
    #[serde(default)]
    pub copies: usize,
    /// ...and their sources, best-ranked first.
    #[serde(default)]
    pub copy_sources: Vec<String>,
    /// Its quotes the search asks about (`quote:` words, `--speaker`), see `model::quoted`.
    #[serde(default)]
    pub quotes: Vec<crate::quotes::Quote>,
}

/// What a search returns; serialises to the CLI's `--json` and the API's body.
impl Hit {
    /// A stored article as a hit, with its headline and body marked by `snippets`; without a
    /// generator (an export without snippets), the headline as stored and no snippet.
    pub fn from_article(
        article: StoredArticle,
        score: f32,
        snippets: Option<&mut SnippetGenerator>,
    ) -> Hit {
        let (headline, headline_highlights, snippet, highlights) = match snippets {
            Some(snippets) => {
                let head = snippets.headline(&article.headline);
                // Most articles have no standfirst: their body is snippeted where it lies.
                let body = match article.standfirst.as_deref() {
                    Some(s) if !s.is_empty() => snippets.body(&article.full_body()),
                    _ => snippets.body(&article.body),
                };
                (head.text, head.highlights, body.text, body.highlights)
            }
            None => (article.headline, Vec::new(), String::new(), Vec::new()),
        };
        Hit {
            id: article.id,
            path: article.path,
            headline,
            source: article.source,
            section: article.section,
            date: article.date,
            authors: article.authors,
            url: article.url,
            score,
            snippet,
            highlights,
            headline_highlights,
            entities: article.entities,
            explanation: None,
            group: article.group,
            copies: 0,
            copy_sources: Vec::new(),
            quotes: article.quotes,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    pub took_ms: f64,
    /// Served from the engine's recent results rather than searched again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cached: bool,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<QueryExplanation>,
    /// Results per publication period, over the whole result set (`--facet date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<timeline::Timeline>,
    /// Hits are one per group of copies (`total` and facets still count every article).
    #[serde(default)]
    pub collapsed: bool,
    /// The entity facets already list the values as the request's entity rules show them, each
    /// article once per value (an engine that can count them so says; the rules layer then
    /// leaves the lists alone).
    #[serde(skip)]
    pub entity_facets_shown: bool,
}

/// Index-wide figures for `newsdex stats`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    pub documents: u64,
    pub sources: Vec<FacetCount>,
    pub sections: Vec<FacetCount>,
    pub oldest: Option<NaiveDate>,
    pub newest: Option<NaiveDate>,
    pub index_bytes: u64,
}

/// One facet value and how many matching articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// One related article, as the page lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelatedHit {
    pub id: String,
    pub headline: String,
    pub source: String,
    pub date: Option<NaiveDate>,
    pub score: f32,
}
