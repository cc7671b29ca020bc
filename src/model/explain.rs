//! `--explain`: how a query was understood, leaf by leaf, and the words feedback added; the same
//! vocabulary on both engines.
use serde::{Deserialize, Serialize};

/// How one leaf of the query was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeafKind {
    Word,
    Phrase,
    Prefix,
    /// A whole-value match on source or section.
    Keyword,
    Date,
}

/// Whether a leaf must, may or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Required,
    Optional,
    Excluded,
}

/// One leaf of the query as the engine understood it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Understood {
    /// The text as typed.
    pub text: String,
    pub kind: LeafKind,
    pub role: Role,
    /// What analysis made of it: stems for words, exact tokens for phrases and prefixes.
    pub terms: Vec<String>,
    /// The index fields searched.
    pub fields: Vec<String>,
    /// Why the leaf takes no part in the search, when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped: Option<String>,
}

impl Understood {
    /// A leaf searched in `fields`.
    pub fn searched(
        text: &str,
        kind: LeafKind,
        role: Role,
        terms: Vec<String>,
        fields: Vec<String>,
    ) -> Self {
        Understood {
            text: text.to_string(),
            kind,
            role,
            terms,
            fields,
            dropped: None,
        }
    }

    /// A leaf that takes no part in the search, and why.
    pub fn dropped(text: &str, kind: LeafKind, role: Role, terms: Vec<String>, why: &str) -> Self {
        Understood {
            text: text.to_string(),
            kind,
            role,
            terms,
            fields: Vec::new(),
            dropped: Some(why.to_string()),
        }
    }
}

/// An expansion word and its probability under the relevance model (the words sum to 1).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Expansion {
    pub term: String,
    pub weight: f32,
}

/// What the first pass showed about a query, and whether feedback ran on it (`--explain`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackDecision {
    /// Whether the expansion re-scored the hits.
    pub applied: bool,
    /// Why not, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The query's scored words (stop words of a long query left out).
    pub query_words: usize,
    /// Documents the first pass matched.
    pub matches: u64,
    /// Mean first-pass score of the feedback documents over the mean of the re-scored top.
    pub gap: f32,
    /// The expansion words' mean share of the feedback documents that hold them (0 when the
    /// gate shut before the samples were read).
    pub agreement: f32,
}
