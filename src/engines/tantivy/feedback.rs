//! Pseudo-relevance feedback (RM3): the best few results of a query suggest more words for it.
//!
//! A long request written in prose ("papers on the design of compilers for small machines") and
//! the articles that answer it often share few words. RM3 takes the top documents of the first
//! search as a sample of what is wanted, builds a word distribution from them (each document's
//! word frequencies, weighted by its share of the top scores), and adds its most likely words to
//! the query, interpolated with the original. The expansion only re-scores: the articles that
//! match, and so totals and facets, are those of the query as typed.
use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
use tantivy::tokenizer::TextAnalyzer;

use super::bm25f::Bm25fQuery;
use super::schema::Fields;
use crate::analysis;
use crate::model::explain::Expansion;
use crate::model::ranking::{Bm25fParams, FeedbackParams};

/// One feedback document: its first-pass score and its text.
pub struct Sample<'a> {
    pub score: f32,
    pub text: &'a str,
}

/// Whether an analysed term carries no topic of its own: a stop word, a number, a single letter.
pub fn is_noise(term: &str, stop: &mut TextAnalyzer) -> bool {
    term.chars().count() < 2
        || term.chars().all(|c| c.is_ascii_digit())
        || analysis::terms(stop, term).is_empty()
}

/// The relevance model of the samples: the `terms` likeliest words, weights summing to 1.
/// `idf` (when given) multiplies each candidate's probability before ranking and weighting.
pub fn relevance_model(
    samples: &[Sample<'_>],
    terms: usize,
    idf: Option<&dyn Fn(&str) -> f32>,
    smoothed: bool,
) -> Vec<Expansion> {
    let total: f32 = samples.iter().map(|s| s.score.max(0.0)).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut stem = analysis::stemmed();
    let mut stop = analysis::stop_words();
    let mut model: HashMap<String, f32> = HashMap::new();
    let analysed: Vec<Vec<String>> = samples
        .iter()
        .map(|s| analysis::terms(&mut stem, s.text))
        .collect();
    let mean_len = if smoothed {
        analysed.iter().map(Vec::len).sum::<usize>() as f32 / analysed.len().max(1) as f32
    } else {
        0.0
    };
    for (s, words) in samples.iter().zip(analysed) {
        if words.is_empty() {
            continue;
        }
        let share = s.score.max(0.0) / total / (words.len() as f32 + mean_len);
        for w in words {
            *model.entry(w).or_insert(0.0) += share;
        }
    }
    let mut ranked: Vec<(String, f32)> = model
        .into_iter()
        .filter(|(w, _)| !is_noise(w, &mut stop))
        .map(|(w, p)| {
            let p = idf.map_or(p, |f| p * f(&w));
            (w, p)
        })
        .filter(|(_, p)| *p > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(terms);
    let sum: f32 = ranked.iter().map(|r| r.1).sum();
    ranked
        .into_iter()
        .map(|(term, w)| Expansion {
            term,
            weight: w / sum,
        })
        .collect()
}

/// The original query, re-scored with the expansion: it still decides what matches. The
/// original's words each weigh 1 in it, so an expansion word's boost is its share of the
/// expansion's weight in the query as a whole.
pub fn expand(
    original: Box<dyn Query>,
    query_words: usize,
    expansion: &[Expansion],
    fields: &Fields,
    bm25f: Bm25fParams,
    params: &FeedbackParams,
) -> Box<dyn Query> {
    if expansion.is_empty() {
        return original;
    }
    let lambda = params.original_weight.clamp(0.0, 1.0);
    let scale = (1.0 - lambda) * query_words.max(1) as f32;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(BoostQuery::new(original, lambda)))];
    for e in expansion {
        let word = Bm25fQuery::new(fields.headline, fields.body, &e.term, bm25f);
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(word), scale * e.weight)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance_model_weights_documents_by_score_and_drops_noise() {
        let samples = [
            Sample {
                score: 3.0,
                text: "compilers compile the programs of 1970",
            },
            Sample {
                score: 1.0,
                text: "parsing programs",
            },
        ];
        let model = relevance_model(&samples, 10, None, false);
        let weight = |t: &str| model.iter().find(|e| e.term == t).map(|e| e.weight);
        // "compil" is 2 of 6 words in a document holding 3/4 of the score: 0.75 * 2/6 = 0.25;
        // "program" is 0.75 * 1/6 + 0.25 * 1/2 = 0.25; "pars" is 0.125. Normalised over the
        // kept words (0.625), with "the", "of" and "1970" dropped as noise.
        assert!((weight("compil").unwrap() - 0.4).abs() < 1e-5);
        assert!((weight("program").unwrap() - 0.4).abs() < 1e-5);
        assert!((weight("pars").unwrap() - 0.2).abs() < 1e-5);
        assert_eq!(weight("the"), None);
        assert_eq!(weight("1970"), None);
        assert_eq!(model.len(), 3);
        // With an idf that makes "program" worthless it is not an expansion at all.
        let idf = |t: &str| if t == "program" { 0.0 } else { 1.0 };
        let model = relevance_model(&samples, 10, Some(&idf), false);
        assert_eq!(model.len(), 2);
        assert!((model[0].weight - 0.25 / 0.375).abs() < 1e-5);
    }
}
