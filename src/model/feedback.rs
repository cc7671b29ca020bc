//! Pseudo-relevance feedback (RM3) as engine-neutral arithmetic: the best few results of a
//! query suggest more words for it, and the first pass says whether to trust them.
//!
//! A long request written in prose ("papers on the design of compilers for small machines") and
//! the articles that answer it often share few words. RM3 takes the top documents of the first
//! search as a sample of what is wanted, builds a word distribution from them (each document's
//! word frequencies, weighted by its share of the top scores), and adds its most likely words to
//! the query, interpolated with the original. A document's share is by default its share of the
//! top scores; `FeedbackParams::likelihood` weighs it by its first-pass likelihood instead. Each engine scores the words its own way; the
//! model, its analysis (the same stems both engines index) and the gate live here so both
//! engines expand alike.
//!
//! Feedback helps when the top documents are about the query and harms when they are not, so
//! the model also says how much its samples agree: the expansion words' mean share of the
//! samples holding them. Words drawn from one long outlier hold little of the sample; words
//! every top document shares hold all of it. `FeedbackParams::gate` reads it with the gap.
use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::TextAnalyzer;

use super::explain::{Expansion, FeedbackDecision};
use super::ranking::FeedbackParams;
use crate::analysis;

/// What the first pass shows of a query of `words` scored words and `matches` matches, whose
/// top scores are `scores` (the decision `--explain` shows, not yet applied), and whether the
/// gate lets feedback go on to read its samples. Both engines decide alike from here.
pub fn first_look(
    params: &FeedbackParams,
    words: usize,
    matches: u64,
    scores: &[f32],
) -> (FeedbackDecision, bool) {
    let gap = params.gap(scores);
    let mut decision = FeedbackDecision {
        applied: false,
        reason: None,
        query_words: words,
        matches,
        gap,
        agreement: 0.0,
    };
    let open = match params.gate(words, matches, gap, words, 1.0) {
        Ok(_) => true,
        Err(why) => {
            decision.reason = Some(why.to_string());
            false
        }
    };
    (decision, open)
}

/// The expansion of `samples` if the gate, reading the samples' agreement too, lets it apply
/// (none otherwise), with `decision` completed. `idf` as for [`model`].
pub fn expand(
    params: &FeedbackParams,
    decision: &mut FeedbackDecision,
    samples: &[Sample<'_>],
    idf: &dyn Fn(&str) -> f32,
) -> Vec<Expansion> {
    let model = model(
        samples,
        params.terms,
        params.idf_weighted.then_some(idf),
        params.smoothed,
        params.likelihood,
    );
    decision.agreement = model.agreement;
    decision.reason = params
        .gate(
            decision.query_words,
            decision.matches,
            decision.gap,
            model.expansion.len(),
            model.agreement,
        )
        .err()
        .map(str::to_string);
    decision.applied = decision.reason.is_none();
    match decision.applied {
        true => model.expansion,
        false => Vec::new(),
    }
}

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

/// A relevance model and how much its samples agree on it.
pub struct Model {
    pub expansion: Vec<Expansion>,
    /// Sum over the expansion words of weight x share of the samples holding the word, in [0, 1].
    pub agreement: f32,
}

/// The relevance model of the samples: the `terms` likeliest words, weights summing to 1.
/// `idf` (when given) multiplies each candidate's probability before ranking and weighting.
pub fn relevance_model(
    samples: &[Sample<'_>],
    terms: usize,
    idf: Option<&dyn Fn(&str) -> f32>,
    smoothed: bool,
) -> Vec<Expansion> {
    model(samples, terms, idf, smoothed, 0.0).expansion
}

/// `relevance_model` with the samples' agreement, the samples weighted as `likelihood` says
/// (`FeedbackParams::likelihood`).
pub fn model(
    samples: &[Sample<'_>],
    terms: usize,
    idf: Option<&dyn Fn(&str) -> f32>,
    smoothed: bool,
    likelihood: f32,
) -> Model {
    let mut stem = analysis::stemmed();
    let analysed: Vec<Vec<String>> = samples
        .iter()
        .map(|s| analysis::terms(&mut stem, s.text))
        .collect();
    let shares = shares(samples, likelihood);
    let expansion = weigh(&shares, &analysed, terms, idf, smoothed);
    let holding: Vec<HashSet<&str>> = analysed
        .iter()
        .map(|words| words.iter().map(String::as_str).collect())
        .collect();
    let agreement = expansion
        .iter()
        .map(|e| {
            let held = holding
                .iter()
                .filter(|h| h.contains(e.term.as_str()))
                .count();
            e.weight * held as f32 / holding.len().max(1) as f32
        })
        .sum();
    Model {
        expansion,
        agreement,
    }
}

/// Each sample's share of the relevance model, summing to 1 (empty when no sample scores
/// above 0): its share of the scores, or with `likelihood` > 0 its share of
/// `exp(likelihood x score / top score)`.
pub fn shares(samples: &[Sample<'_>], likelihood: f32) -> Vec<f32> {
    let top = samples.iter().map(|s| s.score).fold(0.0f32, f32::max);
    if top <= 0.0 {
        return Vec::new();
    }
    let raw: Vec<f32> = match likelihood > 0.0 {
        // Relative to the top, so the largest weight is 1 and nothing overflows.
        true => samples
            .iter()
            .map(|s| (likelihood * (s.score - top) / top).exp())
            .collect(),
        false => samples.iter().map(|s| s.score.max(0.0)).collect(),
    };
    let total: f32 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

fn weigh(
    shares: &[f32],
    analysed: &[Vec<String>],
    terms: usize,
    idf: Option<&dyn Fn(&str) -> f32>,
    smoothed: bool,
) -> Vec<Expansion> {
    if shares.is_empty() {
        return Vec::new();
    }
    let mut stop = analysis::stop_words();
    let mut model: HashMap<String, f32> = HashMap::new();
    let mean_len = if smoothed {
        analysed.iter().map(Vec::len).sum::<usize>() as f32 / analysed.len().max(1) as f32
    } else {
        0.0
    };
    for (s, words) in shares.iter().zip(analysed) {
        if words.is_empty() {
            continue;
        }
        let share = s / (words.len() as f32 + mean_len);
        for w in words {
            *model.entry(w.clone()).or_insert(0.0) += share;
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

    #[test]
    fn agreement_is_high_when_samples_share_words_and_low_when_they_do_not() {
        let shared = [
            Sample {
                score: 2.0,
                text: "volcano eruption ash cloud",
            },
            Sample {
                score: 1.0,
                text: "volcano ash eruption flights",
            },
        ];
        let apart = [
            Sample {
                score: 2.0,
                text: "volcano eruption ash cloud",
            },
            Sample {
                score: 1.0,
                text: "football league transfer window",
            },
        ];
        let agree = |s: &[Sample<'_>]| model(s, 4, None, false, 0.0).agreement;
        // Shared: the four likeliest words are volcano, eruption, ash (both samples) and one
        // word of the first alone; apart: every word is in one sample only.
        assert!(agree(&shared) > 0.75, "{}", agree(&shared));
        assert!((agree(&apart) - 0.5).abs() < 1e-5, "{}", agree(&apart));
    }

    #[test]
    fn likelihood_shares_favour_the_top_more_than_score_shares() {
        let samples = [
            Sample {
                score: 10.0,
                text: "",
            },
            Sample {
                score: 5.0,
                text: "",
            },
        ];
        let linear = shares(&samples, 0.0);
        assert!((linear[0] - 2.0 / 3.0).abs() < 1e-6, "{linear:?}");
        // exp(2 x 0) : exp(2 x -0.5) = 1 : e^-1.
        let rm = shares(&samples, 2.0);
        let e = (-1.0f32).exp();
        assert!((rm[0] - 1.0 / (1.0 + e)).abs() < 1e-6, "{rm:?}");
        assert!((rm.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let none = [Sample {
            score: 0.0,
            text: "",
        }];
        assert!(shares(&none, 2.0).is_empty());
    }
}
