//! Feedback's expansion words as BM25F queries on the embedded engine. The relevance model and
//! the gate are engine-neutral (`model::feedback`, `model::ranking`); this is the scoring side:
//! each word weighted so the expansion takes its share of the query, re-scoring only the first
//! pass's top (see `rerank`), so what matches, and so totals and facets, are the query's as
//! typed.
use super::bm25f::Bm25fQuery;
use super::schema::Fields;
use crate::model::explain::Expansion;
use crate::model::ranking::{Bm25fParams, FeedbackParams};

/// The expansion as words to score with their boosts: the original query's words each weigh 1
/// in it, so an expansion word's boost is its share of the expansion's weight in the query as a
/// whole (the original itself is scaled by `original_weight`).
pub fn expansion_words(
    query_words: usize,
    expansion: &[Expansion],
    fields: &Fields,
    bm25f: Bm25fParams,
    params: &FeedbackParams,
) -> Vec<(Bm25fQuery, f32)> {
    let lambda = params.original_weight.clamp(0.0, 1.0);
    let scale = (1.0 - lambda) * query_words.max(1) as f32;
    expansion
        .iter()
        .map(|e| {
            (
                Bm25fQuery::new(fields.headline, fields.body, &e.term, bm25f),
                scale * e.weight,
            )
        })
        .collect()
}
