//! The source facet inside the one search request.
//!
//! Every article carries its folded source key from index time, so outlets are counted by a
//! terms aggregation over the key, with the spellings of each key beneath it (the facet shows
//! an outlet in its most common spelling). Aliases merge keys at query time without re-indexing:
//! the keys they name are counted exactly by a second aggregation restricted to them, and the
//! first asks for as many more keys as there are aliased ones, so the top outlets are exact
//! whatever the aliases merge. When the cluster cannot vouch for the counts (a shard held back
//! values), [`spelling_counts`] says so and the engine counts exhaustively instead.
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::fields::name;
use crate::model::results::FacetCount;

/// Aggregation names.
const TOP: &str = "source_keys";
const ALIASED: &str = "source_aliased";
const SPELLINGS: &str = "spellings";
/// Spellings asked per key; a key with more is counted exhaustively.
const MAX_SPELLINGS: usize = 16;
/// Longest facet (with aliased keys) asked of a terms aggregation; longer ones (a batch's "every
/// source") are counted exhaustively.
const MAX_KEYS: usize = 5_000;
/// Keys asked beyond twice the facet's own: an outlet left out of the list is only known to count no
/// more than the last key listed, so when the facet's last outlet ties with that key the top
/// list is uncertain and costs an exhaustive count. Listing more keys than shown puts that
/// bound below the facet's last place in all but flat tails; a few dozen more buckets cost the
/// cluster nothing measurable (each shard already sends its `shard_size`).
const MORE_KEYS: usize = 10;

/// The aggregations of a source facet of `size` outlets, `aliased` the keys aliases name; none
/// when the list would be too long for one.
pub fn aggregations(size: usize, aliased: &[String]) -> Vec<(String, Value)> {
    let spellings =
        json!({ SPELLINGS: { "terms": { "field": name::SOURCE, "size": MAX_SPELLINGS } } });
    let wanted = size
        .max(1)
        .saturating_mul(2)
        .saturating_add(MORE_KEYS)
        .saturating_add(aliased.len());
    if wanted > MAX_KEYS {
        return Vec::new();
    }
    let mut out = vec![(
        TOP.to_string(),
        json!({
            "terms": { "field": name::SOURCE_KEY, "size": wanted, "shard_size": (wanted * 20).max(1_000) },
            "aggs": spellings,
        }),
    )];
    if !aliased.is_empty() {
        out.push((
            ALIASED.to_string(),
            json!({
                "terms": { "field": name::SOURCE_KEY, "include": aliased, "size": aliased.len() },
                "aggs": spellings,
            }),
        ));
    }
    out
}

/// Whether a terms aggregation's buckets are exact and complete for what they list.
fn exact(agg: &Value) -> bool {
    agg["doc_count_error_upper_bound"].as_u64() == Some(0)
}

/// The counts of every spelling under the listed keys (each key once), and the smallest key
/// count of the top list when it left keys out; `None` when the cluster cannot vouch for them.
pub fn spelling_counts(aggs: &Value) -> Option<(Vec<FacetCount>, Option<u64>)> {
    let top = &aggs[TOP];
    if top.is_null() {
        return None;
    }
    let mut keys: BTreeMap<String, Vec<FacetCount>> = BTreeMap::new();
    for agg in [top, &aggs[ALIASED]] {
        if agg.is_null() {
            continue;
        }
        if !exact(agg) {
            return None;
        }
        for bucket in agg["buckets"].as_array()? {
            let key = bucket["key"].as_str()?;
            let spelled = &bucket[SPELLINGS];
            if spelled["sum_other_doc_count"].as_u64() != Some(0) || !exact(spelled) {
                return None;
            }
            let counts = spelled["buckets"]
                .as_array()?
                .iter()
                .map(|b| {
                    Some(FacetCount {
                        value: b["key"].as_str()?.to_string(),
                        count: b["doc_count"].as_u64()?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            keys.insert(key.to_string(), counts);
        }
    }
    let cut = match top["sum_other_doc_count"].as_u64() {
        Some(0) => None,
        _ => top["buckets"]
            .as_array()?
            .last()
            .and_then(|b| b["doc_count"].as_u64()),
    };
    Some((keys.into_values().flatten().collect(), cut))
}
