//! Regrouping copies of one story after each index run, on any engine: every stored signature
//! read back through the [`Store`] boundary, grouped by [`crate::model::copies::groups`], and the
//! groups kept with the index as one table beside the articles, so no article is written again.
use crate::Result;
use crate::backend::Store;
use crate::model::copies::{CopyGroups, Signature, THRESHOLD, groups};

/// What a regrouping found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Regrouped {
    pub groups: usize,
    pub grouped_articles: usize,
}

/// Recompute every article's group from the signatures `store` holds and keep the groups with
/// the index, replacing the last run's. Called once per index run after its writes, so the
/// groups always describe the articles the index holds, whatever was added, edited or deleted.
pub fn regroup(store: &mut dyn Store) -> Result<Regrouped> {
    let members = store.copy_members()?;
    let signatures: Vec<&Signature> = members.iter().map(|m| &m.signature).collect();
    let wanted = groups(&signatures, THRESHOLD);
    let table = CopyGroups::of(&members, &wanted);
    store.save_copy_groups(&table)?;
    Ok(Regrouped {
        groups: table.len(),
        grouped_articles: table.articles(),
    })
}
