//! A search as every caller asks it and every engine answers it: the validated request, its
//! order, its facets and the options of an export.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::copies::GroupId;
use super::deadline::Deadline;
use super::fields::{self, column};
use super::query;
use super::query::MatchMode;

use super::ranking::Ranking;
use super::timeline;
use crate::entities::EntityKind;
use crate::entities::rules::EntityRules;
use crate::{Error, Result};

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// A facet the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Source,
    Section,
    Person,
    Org,
    Place,
    Misc,
    /// Who is quoted.
    Speaker,
}

impl Facet {
    pub const DEFAULT: [Facet; 4] = [Facet::Source, Facet::Person, Facet::Org, Facet::Place];
    pub const ALL: [Facet; 7] = [
        Facet::Source,
        Facet::Section,
        Facet::Person,
        Facet::Org,
        Facet::Place,
        Facet::Misc,
        Facet::Speaker,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Facet::Source => "source",
            Facet::Section => "section",
            Facet::Person => "person",
            Facet::Org => "org",
            Facet::Place => "place",
            Facet::Misc => "misc",
            Facet::Speaker => "speaker",
        }
    }

    pub fn parse(s: &str) -> Option<Facet> {
        Facet::ALL
            .into_iter()
            .find(|f| f.name() == s.trim().to_ascii_lowercase())
    }

    /// The entity kind an entity facet lists (none for the others).
    pub fn entity_kind(self) -> Option<EntityKind> {
        match self {
            Facet::Person => Some(EntityKind::Person),
            Facet::Org => Some(EntityKind::Org),
            Facet::Place => Some(EntityKind::Place),
            Facet::Misc => Some(EntityKind::Misc),
            Facet::Source | Facet::Section | Facet::Speaker => None,
        }
    }

    /// The facet that lists `kind`.
    pub fn of_kind(kind: EntityKind) -> Facet {
        match kind {
            EntityKind::Person => Facet::Person,
            EntityKind::Org => Facet::Org,
            EntityKind::Place => Facet::Place,
            EntityKind::Misc => Facet::Misc,
        }
    }

    /// The index field (a fast column here, a keyword field in OpenSearch) the facet counts.
    pub fn column(self) -> &'static str {
        match self {
            Facet::Source => column::SOURCE,
            Facet::Section => column::SECTION,
            Facet::Person => fields::entity_column(EntityKind::Person),
            Facet::Org => fields::entity_column(EntityKind::Org),
            Facet::Place => fields::entity_column(EntityKind::Place),
            Facet::Misc => fields::entity_column(EntityKind::Misc),
            Facet::Speaker => column::SPEAKER,
        }
    }
}

/// A search, validated: what the CLI and the HTTP API both build.
#[derive(Debug, Clone, Serialize)]
pub struct SearchRequest {
    pub query: String,
    pub match_mode: MatchMode,
    pub sources: Vec<String>,
    pub sections: Vec<String>,
    /// Exact canonical names per entity kind; several of one kind must all be present.
    pub entities: Vec<(EntityKind, String)>,
    /// Canonical names of speakers; an article must quote each of them.
    pub speakers: Vec<String>,
    /// Entity filters as the rules resolve them: each list is one filter, met by any of its
    /// indexed names (an empty list by none); every list must be met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entity_any: Vec<Vec<(EntityKind, String)>>,
    /// The index's entity rules, for `person:` style leaves (set by the rules layer). Shared, not
    /// copied: an archive's merges are thousands of aliases, and a request is cloned several
    /// times per search.
    #[serde(default, skip_serializing_if = "no_rules")]
    pub entity_rules: Arc<EntityRules>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    pub facets: Vec<Facet>,
    pub facet_size: usize,
    pub ranking: Ranking,
    /// `FROM=TO` source aliases of this search, on top of those saved with the index.
    pub source_aliases: Vec<(String, String)>,
    /// Report how the query was understood and what each hit's score is made of.
    pub explain: bool,
    /// Count the results per publication day, week, month or year (`--facet date`).
    pub timeline: Option<timeline::Interval>,
    /// Show each group of copies of one story as its best-ranked member (`--no-collapse` off).
    pub collapse: bool,
    /// Only articles of these groups of copies (the page's "show copies").
    pub groups: Vec<GroupId>,
    /// Only these articles, by id: `groups` as the collapsing layer resolves them from the
    /// groups kept with the index (engines filter on this, never on `groups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
    /// When the search gives up (the server's request deadline; none for the CLI). Not part
    /// of what is asked: two requests that differ only here have the same answer.
    #[serde(skip)]
    pub deadline: Deadline,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            match_mode: MatchMode::All,
            sources: vec![],
            sections: vec![],
            entities: vec![],
            speakers: vec![],
            entity_any: vec![],
            entity_rules: Arc::default(),
            since: None,
            until: None,
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            facets: Facet::DEFAULT.to_vec(),
            facet_size: 10,
            ranking: Ranking::default(),
            source_aliases: Vec::new(),
            explain: false,
            timeline: None,
            collapse: true,
            groups: Vec::new(),
            ids: None,
            deadline: Deadline::NONE,
        }
    }
}

/// How [`Engine::export`] reads its hits.
#[derive(Debug, Clone, Copy)]
pub struct ExportOptions {
    /// Make a snippet for every hit (costs a pass over each body).
    pub snippets: bool,
    /// Hits read per pass over the query: memory is bounded by this, not by the hit count.
    pub page: usize,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            snippets: false,
            page: 5000,
        }
    }
}

/// Whether a query is a long enough run of optional words for its stop words to be noise; a
/// query of stop words alone keeps them all.
pub fn drops_stop_words(tree: &query::Node, req: &SearchRequest) -> bool {
    let from = req.ranking.stop_words_from;
    if req.match_mode != MatchMode::Any || from == 0 {
        return false;
    }
    let words = query::optional_words(tree);
    let mut stop = crate::analysis::stop_words();
    words.len() >= from
        && words
            .iter()
            .any(|w| !crate::analysis::is_stop_word(&mut stop, w))
}

/// The name that asks for a timeline in a facet list (`--facet source,date`).
pub const DATE_FACET: &str = "date";

/// Check a facet list string like "source,person". `date` is accepted and left to
/// [`asks_for_timeline`]: it is a histogram, not a list of values.
pub fn parse_facets(list: &str) -> Result<Vec<Facet>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty() && !s.trim().eq_ignore_ascii_case(DATE_FACET))
        .map(|s| {
            Facet::parse(s).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown facet '{}' (facets: source, section, person, org, place, misc, speaker, date)",
                    s.trim()
                ))
            })
        })
        .collect()
}

/// Whether a facet list names `date`.
pub fn asks_for_timeline(list: &str) -> bool {
    list.split(',')
        .any(|s| s.trim().eq_ignore_ascii_case(DATE_FACET))
}

/// Largest page the engine serves, whatever the caller asks.
pub const MAX_LIMIT: usize = 1000;
/// Most values one facet lists (the CLI's `--facet-size`, the API's `facet_size`).
pub const MAX_FACET_SIZE: usize = 100;

fn no_rules(rules: &Arc<EntityRules>) -> bool {
    rules.is_empty()
}
