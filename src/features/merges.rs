//! The archive-wide entity merges on any engine: found after each index run from the names the
//! index holds (read through the [`Store`] boundary, like regrouping copies), kept with the index,
//! and applied when a search is answered under the entity rules, which always win
//! (see [`crate::entities::merges`] for the classes of merge and the evidence each needs).
use crate::Result;
use crate::backend::{Backend, Store};
use crate::entities::merges::{EntityMerges, find};

/// Find the merges among every name `store` holds and keep them with the index, replacing the
/// last run's. Called once per index run after its writes, so the merges always describe the
/// articles the index holds. Returns how many there are.
pub fn remerge(store: &mut dyn Store) -> Result<usize> {
    let names = store.entity_names()?;
    let links = store.entity_links()?;
    let merges = find(crate::entities::model::embedded(), &names, &links);
    store.save_entity_merges(&merges)?;
    Ok(merges.merges.len())
}

/// The merges in force on `engine`'s index: those no entity rule is about.
pub fn merges_in_force(engine: &dyn Backend) -> Result<EntityMerges> {
    let rules = engine.entity_rules()?;
    let merges = engine.entity_merges()?;
    Ok(EntityMerges {
        merges: merges.in_force(&rules).cloned().collect(),
    })
}
