//! The ranking settings of a search as data, in one value that every engine reads: BM25F's
//! parameters, the second pass (its depth, pseudo-relevance feedback and the gate that decides
//! it per query, word proximity) and stop-word handling. BM25F's values are textbook; the
//! second pass's were chosen by leave-one-collection-out on four judged collections
//! (`scripts/relevance loco`, BENCHMARKS.md), the gate conservatively: among settings as good
//! as the best on the worst collection, the one that changes the plain ranking least.
//! `--ranking key=value,...` overrides them for experiments and benchmarks.
use serde::Serialize;

use crate::{Error, Result};

/// Headline matches count this much more than body matches.
pub const HEADLINE_BOOST: f32 = 2.0;

/// The free parameters of the model.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Bm25fParams {
    pub k1: f32,
    pub b: f32,
    pub headline_weight: f32,
    pub body_weight: f32,
    /// Normalise each field's frequency by that field's length (Robertson and Zaragoza's
    /// BM25F) instead of the document's length once; `headline_b` is then the headline's `b`.
    pub per_field: bool,
    pub headline_b: f32,
}

impl Bm25fParams {
    /// Plain BM25 over one field (k1 1.2, b 0.75), in the body's place: how a word scoped to
    /// headline or body is scored there.
    pub fn single_field() -> Self {
        Bm25fParams {
            headline_weight: 0.0,
            body_weight: 1.0,
            ..Bm25fParams::default()
        }
    }
}

impl Default for Bm25fParams {
    fn default() -> Self {
        Bm25fParams {
            k1: 1.2,
            b: 0.75,
            headline_weight: 3.0,
            body_weight: 1.0,
            per_field: true,
            headline_b: 0.75,
        }
    }
}

/// RM3's parameters. `docs == 0` turns feedback off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FeedbackParams {
    /// Top documents taken as relevant.
    pub docs: usize,
    /// Expansion words added.
    pub terms: usize,
    /// Weight of the original query against the expansion, in (0, 1].
    pub original_weight: f32,
    /// Rank candidate words by their relevance-model probability times their idf, so that words
    /// common to the whole collection ("use", "system") are not taken for the topic.
    pub idf_weighted: bool,
    /// Add the samples' mean length to each sample's length when turning its counts into
    /// probabilities, so a five-word title does not outweigh a whole abstract.
    pub smoothed: bool,
    /// The gate: feedback runs only when the first pass's feedback documents stand out from
    /// the rest of its top (mean score of the feedback documents over the mean of the whole
    /// re-scored top is at least this) ...
    pub min_gap: f32,
    /// ... and agree with each other (the expansion words' mean share of the feedback
    /// documents holding them, weighted by the words' weights, is at least this). 0 opens the
    /// gate on that count.
    pub min_agreement: f32,
    /// ... and the query has at least this many scored words: a request written as a sentence
    /// gains from more words, a name or two typed in a search box already says what it means.
    pub min_words: usize,
    /// How the feedback documents share the relevance model. 0: by their share of the top
    /// scores (linear). Above 0: by their first-pass likelihood, as in RM3 proper, each
    /// weighted `exp(likelihood x score / top score)`, so the higher this, the more the best
    /// documents dominate; scores are divided by the top one so the setting means the same for
    /// queries of any length.
    pub likelihood: f32,
}

impl Default for FeedbackParams {
    fn default() -> Self {
        FeedbackParams {
            docs: 10,
            terms: 20,
            original_weight: 0.6,
            idf_weighted: true,
            smoothed: true,
            min_gap: 1.5,
            min_agreement: 0.3,
            min_words: 5,
            likelihood: 0.0,
        }
    }
}

impl FeedbackParams {
    pub fn enabled(&self) -> bool {
        self.docs > 0 && self.terms > 0 && self.original_weight < 1.0
    }

    /// The first pass's gap: the mean score of its best `docs` over the mean score of all of
    /// `scores` (the re-scored top, best first). 1 when all score alike.
    pub fn gap(&self, scores: &[f32]) -> f32 {
        let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len().max(1) as f32;
        let top = &scores[..self.docs.min(scores.len())];
        mean(top) / mean(scores).max(f32::MIN_POSITIVE)
    }

    /// Whether a query of `query_words` scored words has enough of them for feedback: the one
    /// part of the gate known before the first pass runs.
    pub fn long_enough(&self, query_words: usize) -> bool {
        query_words >= self.min_words.max(1)
    }

    /// Whether feedback runs on a query of `query_words` scored words whose first pass matched
    /// `matches` documents with this gap, and whose relevance model (of `words` words) has this agreement; `Err` says why not.
    pub fn gate(
        &self,
        query_words: usize,
        matches: u64,
        gap: f32,
        words: usize,
        agreement: f32,
    ) -> std::result::Result<(), &'static str> {
        if !self.long_enough(query_words) {
            Err("a query of few words")
        } else if matches <= self.docs as u64 {
            Err("no more matches than feedback samples")
        } else if words == 0 {
            Err("the top documents suggest no words")
        } else if gap < self.min_gap {
            Err("the top documents do not stand out from the rest")
        } else if agreement < self.min_agreement {
            Err("the top documents do not agree on a topic")
        } else {
            Ok(())
        }
    }
}

/// Query words near each other and in the query's order count for more: every pair of
/// neighbouring query words is scored as one more BM25F word whose frequency counts the places
/// the two meet, in order within `ORDERED_GAP` positions (weight 1) or either way within
/// `window` (weight 1/2: the 2:1 ratio of the ordered and unordered windows in the sequential
/// dependence model). Optionally, words further apart in the query (up to `span` apart) pair
/// too, unordered: every meeting within the window counts 1/2 (the full dependence model's
/// unordered windows).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProximityParams {
    /// The neighbouring pairs' weight against the words' own; 0 turns them off.
    pub weight: f32,
    /// The widest distance in positions at which two words still meet.
    pub window: u32,
    /// The weight of pairs of words that are not neighbours in the query; 0 turns them off.
    pub far_weight: f32,
    /// How far apart in the query two words of such a pair may be (2: one word between).
    pub span: usize,
}

/// In order, at most one word apart (a stop word dropped from the query in between).
pub const ORDERED_GAP: u32 = 2;

impl Default for ProximityParams {
    fn default() -> Self {
        ProximityParams {
            weight: 0.45,
            window: 8,
            far_weight: 0.0,
            span: 2,
        }
    }
}

impl ProximityParams {
    pub fn enabled(&self) -> bool {
        (self.weight > 0.0 || self.far()) && self.window > 0
    }

    /// Whether pairs of words that are not neighbours in the query are scored.
    pub fn far(&self) -> bool {
        self.far_weight > 0.0 && self.span >= 2
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ranking {
    pub bm25f: Bm25fParams,
    pub feedback: FeedbackParams,
    pub proximity: ProximityParams,
    /// The second pass (feedback, proximity) re-scores only the first pass's best this many
    /// (or the requested page's end, when deeper): what could rise into the page. Totals and
    /// facets are the first pass's.
    pub depth: usize,
    /// Optional-word queries (`--match any`) of at least this many words drop stop words:
    /// in a sentence-long request "the" and "of" say nothing, while in a two-word query the user
    /// typed them on purpose. 0 keeps them always.
    pub stop_words_from: usize,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            bm25f: Bm25fParams::default(),
            feedback: FeedbackParams::default(),
            proximity: ProximityParams::default(),
            depth: 200,
            stop_words_from: 4,
        }
    }
}

const KEYS: &str = "k1, b, headline, body, per_field, headline_b, fb_docs, fb_terms, fb_weight, fb_idf, fb_smooth, fb_gap, fb_agree, fb_words, fb_rm, prox, prox_window, prox_far, prox_span, depth, stop_from";

impl Ranking {
    /// Apply `key=value` pairs separated by commas to the defaults.
    pub fn parse(spec: &str) -> Result<Ranking> {
        let mut r = Ranking::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                Error::Usage(format!(
                    "ranking setting '{pair}' is not KEY=VALUE ({KEYS})"
                ))
            })?;
            let num = value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0);
            let num = num.ok_or_else(|| {
                Error::Usage(format!(
                    "ranking setting '{key}' needs a number >= 0, not '{value}'"
                ))
            })?;
            match key.trim() {
                "k1" => r.bm25f.k1 = num,
                "b" => r.bm25f.b = num.min(1.0),
                "headline" => r.bm25f.headline_weight = num,
                "body" => r.bm25f.body_weight = num,
                "per_field" => r.bm25f.per_field = num > 0.0,
                "headline_b" => r.bm25f.headline_b = num.min(1.0),
                "fb_docs" => r.feedback.docs = num as usize,
                "fb_terms" => r.feedback.terms = num as usize,
                "fb_weight" => r.feedback.original_weight = num.min(1.0),
                "fb_idf" => r.feedback.idf_weighted = num > 0.0,
                "fb_smooth" => r.feedback.smoothed = num > 0.0,
                "fb_gap" => r.feedback.min_gap = num,
                "fb_agree" => r.feedback.min_agreement = num.min(1.0),
                "fb_words" => r.feedback.min_words = num as usize,
                "prox" => r.proximity.weight = num,
                "fb_rm" => r.feedback.likelihood = num,
                "prox_window" => r.proximity.window = num as u32,
                "prox_far" => r.proximity.far_weight = num,
                "prox_span" => r.proximity.span = num as usize,
                "depth" => r.depth = num as usize,
                "stop_from" => r.stop_words_from = num as usize,
                other => {
                    return Err(Error::Usage(format!(
                        "unknown ranking setting '{other}' (settings: {KEYS})"
                    )));
                }
            }
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_override_defaults_and_bad_ones_are_named() {
        let r = Ranking::parse("k1=0.9, headline=2,fb_docs=0").unwrap();
        assert_eq!(r.bm25f.k1, 0.9);
        assert_eq!(r.bm25f.headline_weight, 2.0);
        assert_eq!(r.feedback.docs, 0);
        assert_eq!(r.bm25f.b, Ranking::default().bm25f.b);
        let err = Ranking::parse("k2=1").unwrap_err().to_string();
        assert!(err.contains("k2"), "{err}");
        assert!(Ranking::parse("k1=-1").is_err());
        assert!(Ranking::parse("k1").is_err());
    }

    #[test]
    fn gate_opens_only_on_a_clear_agreed_top_of_enough_matches() {
        let p = FeedbackParams {
            docs: 2,
            min_gap: 1.2,
            min_agreement: 0.5,
            min_words: 0,
            ..FeedbackParams::default()
        };
        // Top two mean 9, all four mean 5.5: gap 9 / 5.5.
        assert!((p.gap(&[10.0, 8.0, 2.0, 2.0]) - 9.0 / 5.5).abs() < 1e-6);
        assert!((p.gap(&[3.0, 3.0, 3.0]) - 1.0).abs() < 1e-6);
        assert!(p.gate(3, 100, 1.6, 20, 0.6).is_ok());
        assert!(p.gate(3, 2, 1.6, 20, 0.6).unwrap_err().contains("matches"));
        assert!(
            p.gate(3, 100, 1.1, 20, 0.6)
                .unwrap_err()
                .contains("stand out")
        );
        assert!(p.gate(3, 100, 1.6, 20, 0.4).unwrap_err().contains("agree"));
        assert!(p.gate(3, 100, 1.6, 0, 0.6).is_err());
        let p = FeedbackParams { min_words: 4, ..p };
        assert!(
            p.gate(3, 100, 1.6, 20, 0.6)
                .unwrap_err()
                .contains("few words")
        );
        assert!(p.gate(4, 100, 1.6, 20, 0.6).is_ok());
    }
}
