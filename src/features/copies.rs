//! Regrouping copies of one story after each index run, on any engine: every stored signature
//! read back through the [`Store`] boundary, grouped by [`crate::model::copies::groups`], and
//! only the changed groups written.
use std::collections::HashMap;

use crate::Result;
use crate::backend::Store;
use crate::model::copies::{GroupId, Signature, THRESHOLD, groups};

/// What a regrouping changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Regrouped {
    pub groups: usize,
    pub grouped_articles: usize,
    /// Articles whose stored group was changed.
    pub changed: usize,
}

/// Recompute every article's group from the signatures `store` holds, and store the groups
/// that changed. Called once per index run after its writes, so the groups always describe
/// the articles the index holds, whatever was added, edited or deleted.
pub fn regroup(store: &mut dyn Store) -> Result<Regrouped> {
    let members = store.copy_members()?;
    let signatures: Vec<&Signature> = members.iter().map(|m| &m.signature).collect();
    let wanted = groups(&signatures, THRESHOLD);
    let mut sizes: HashMap<&GroupId, usize> = HashMap::new();
    for g in wanted.iter().flatten() {
        *sizes.entry(g).or_default() += 1;
    }
    let mut report = Regrouped {
        groups: sizes.len(),
        grouped_articles: sizes.values().sum(),
        changed: 0,
    };
    let changes: Vec<(String, Option<GroupId>)> = members
        .iter()
        .zip(&wanted)
        .filter(|(m, g)| m.group != **g)
        .map(|(m, g)| (m.handle.clone(), g.clone()))
        .collect();
    report.changed = changes.len();
    if !changes.is_empty() {
        store.set_copy_groups(changes)?;
    }
    Ok(report)
}
