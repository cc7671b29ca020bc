//! Whether one entity name's exact tokens hold a query leaf's, tested name by name (the rules
//! decide per name what a leaf matches, where the index decides per article). Both engines'
//! query builders ask it the same way.
use tantivy::tokenizer::TextAnalyzer;

use super::query::Scope;
use crate::analysis;
use crate::entities::rules::{Entity, EntityRules};

/// What an entity leaf on `scope` must stop matching (names of its kind) and start matching
/// (names of any kind) under `rules`, each name's exact tokens (by `exact`) tested with
/// `matches`; `None` when the rules change nothing for it.
pub fn leaf_change(
    rules: Option<&EntityRules>,
    scope: Scope,
    exact: &mut TextAnalyzer,
    matches: impl Fn(&[String]) -> bool,
) -> Option<(Vec<Entity>, Vec<Entity>)> {
    let (Scope::Entity(kind), Some(rules)) = (scope, rules) else {
        return None;
    };
    if rules.is_empty() {
        return None;
    }
    let change = rules.leaf_change(kind, &mut |name| matches(&analysis::terms(exact, name)));
    if change.exclude.is_empty() && change.include.is_empty() {
        return None;
    }
    let excluded = change.exclude.into_iter().map(|n| (kind, n)).collect();
    Some((excluded, change.include))
}

/// `terms` in order, at most `slop` extra tokens between the first and the last.
pub fn phrase_in(terms: &[String], slop: u32, name: &[String]) -> bool {
    if terms.is_empty() {
        return false;
    }
    (0..name.len()).any(|start| {
        let mut at = start;
        let mut gaps = 0usize;
        for (i, t) in terms.iter().enumerate() {
            loop {
                match name.get(at) {
                    Some(n) if n == t => break,
                    Some(_) if i > 0 && gaps < slop as usize => {
                        gaps += 1;
                        at += 1;
                    }
                    _ => return false,
                }
            }
            at += 1;
        }
        true
    })
}

/// `terms` in order, side by side, the last one a prefix of its token.
pub fn prefix_in(terms: &[String], name: &[String]) -> bool {
    let Some((last, first)) = terms.split_last() else {
        return false;
    };
    name.windows(terms.len())
        .any(|w| w[..first.len()] == *first && w[first.len()].starts_with(last.as_str()))
}
