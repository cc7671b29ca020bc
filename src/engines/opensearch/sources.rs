//! The source facet inside the one search request.
//!
//! Every article carries its folded source key from index time, so outlets are counted by a
//! terms aggregation over the key, and the spellings beside it by one over the spellings (the
//! facet shows an outlet in its most common spelling). A spelling's key is the same fold of it
//! here, so each listed key gathers its spellings from that list; their counts are whole when
//! they add up to the key's exact count (a terms aggregation never counts a value over). The
//! spellings used to be a sub-aggregation under every key bucket: on all of AllSides that was a
//! quarter to a third of the cluster's time for a one-word search (`shard_size` buckets per shard,
//! each with its own list), the largest part of newsdex's request beyond the raw one. Aliases
//! merge keys at query time without re-indexing: the keys they name are counted exactly by a
//! third aggregation restricted to them (with their spellings beneath, a handful of buckets), and
//! the first asks for as many more keys as there are aliased ones, so the top outlets are exact
//! whatever the aliases merge. When the cluster cannot vouch for the counts (a shard held back
//! values, or a key's spellings fell outside the list), [`spelling_counts`] says so and the
//! engine counts exhaustively instead.
use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::model::fields::name;
use crate::model::results::FacetCount;

/// Aggregation names.
const TOP: &str = "source_keys";
const SPELLED: &str = "source_spellings";
const ALIASED: &str = "source_aliased";
const SPELLINGS: &str = "spellings";
/// Spellings asked per aliased key; a key with more is counted exhaustively.
const MAX_SPELLINGS: usize = 16;
/// Spellings listed per key listed: most outlets have one spelling (491 spellings of 490 keys
/// on all of AllSides), and the spare places keep a listed key's rarer spellings in the list when
/// keys just below the list have more common ones.
const SPELLINGS_PER_KEY: usize = 2;
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
    let shard_size = (wanted * 20).max(1_000);
    let mut out = vec![
        (
            TOP.to_string(),
            json!({ "terms": { "field": name::SOURCE_KEY, "size": wanted, "shard_size": shard_size } }),
        ),
        (
            SPELLED.to_string(),
            json!({ "terms": {
                "field": name::SOURCE, "size": wanted * SPELLINGS_PER_KEY, "shard_size": shard_size,
            } }),
        ),
    ];
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
    if top.is_null() || !exact(top) {
        return None;
    }
    let mut keys: BTreeMap<String, Vec<FacetCount>> = BTreeMap::new();
    let mut spelled: HashMap<String, Vec<FacetCount>> = HashMap::new();
    for b in aggs[SPELLED]["buckets"].as_array()? {
        let count = FacetCount {
            value: b["key"].as_str()?.to_string(),
            count: b["doc_count"].as_u64()?,
        };
        spelled
            .entry(crate::ingest::source::key(&count.value))
            .or_default()
            .push(count);
    }
    for bucket in top["buckets"].as_array()? {
        let key = bucket["key"].as_str()?;
        let counts = spelled.remove(key).unwrap_or_default();
        // Each listed count is at most the spelling's own: adding up to the key's exact count,
        // they are all exact and no spelling of the key is missing.
        if counts.iter().map(|c| c.count).sum::<u64>() != bucket["doc_count"].as_u64()? {
            return None;
        }
        keys.insert(key.to_string(), counts);
    }
    let aliased = &aggs[ALIASED];
    if !aliased.is_null() {
        if !exact(aliased) {
            return None;
        }
        for bucket in aliased["buckets"].as_array()? {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(buckets: &[(&str, u64)], other: u64) -> Value {
        let buckets: Vec<Value> = buckets
            .iter()
            .map(|(k, n)| json!({ "key": k, "doc_count": n }))
            .collect();
        json!({ "doc_count_error_upper_bound": 0, "sum_other_doc_count": other, "buckets": buckets })
    }

    #[test]
    fn each_listed_key_gathers_its_spellings_from_the_flat_list() {
        let fox = crate::ingest::source::key("Fox News");
        let bbc = crate::ingest::source::key("BBC");
        assert_eq!(fox, crate::ingest::source::key("FOX NEWS"));
        let aggs = json!({
            TOP: terms(&[(&fox, 5), (&bbc, 2)], 3),
            // A spelling of a key below the list comes between them.
            SPELLED: terms(&[("Fox News", 4), ("Reuters", 3), ("BBC", 2), ("FOX NEWS", 1)], 0),
        });
        let (mut counts, cut) = spelling_counts(&aggs).expect("vouched for");
        counts.sort_by(|a, b| a.value.cmp(&b.value));
        let got: Vec<(&str, u64)> = counts.iter().map(|c| (c.value.as_str(), c.count)).collect();
        assert_eq!(got, [("BBC", 2), ("FOX NEWS", 1), ("Fox News", 4)]);
        assert_eq!(cut, Some(2));
    }

    #[test]
    fn a_key_whose_spellings_fell_outside_the_list_is_not_vouched_for() {
        let fox = crate::ingest::source::key("Fox News");
        let aggs = json!({
            TOP: terms(&[(&fox, 5)], 0),
            // "FOX NEWS" (1) was not listed: the spellings add up to 4 of the key's 5.
            SPELLED: terms(&[("Fox News", 4)], 1),
        });
        assert!(spelling_counts(&aggs).is_none());
    }
}
