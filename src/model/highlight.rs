//! The positive leaves of a query in the form the snippet generator marks tokens with: what both
//! engines hand the shared snippets, so a hit is highlighted the same way wherever it was found.
use super::query::Scope;

/// A positive leaf of the query, in the form the snippet generator matches tokens with.
#[derive(Debug, Clone, PartialEq)]
pub enum Highlight {
    /// A stemmed term.
    Stem { scope: Scope, term: String },
    /// Exact terms in order, with slop.
    Phrase {
        scope: Scope,
        terms: Vec<String>,
        slop: u32,
    },
    /// Exact terms whose last one is a prefix.
    Prefix { scope: Scope, terms: Vec<String> },
}

impl Highlight {
    pub fn scope(&self) -> Scope {
        match self {
            Highlight::Stem { scope, .. }
            | Highlight::Phrase { scope, .. }
            | Highlight::Prefix { scope, .. } => *scope,
        }
    }
}
