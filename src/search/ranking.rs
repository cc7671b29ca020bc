//! The ranking settings of a search, in one value: BM25F's parameters, pseudo-relevance
//! feedback and stop-word handling. The defaults were chosen on judged collections (see
//! BENCHMARKS.md); `--ranking key=value,...` overrides them for experiments and benchmarks.
use serde::Serialize;

use super::bm25f::Bm25fParams;
use super::feedback::FeedbackParams;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ranking {
    pub bm25f: Bm25fParams,
    pub feedback: FeedbackParams,
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
            stop_words_from: 4,
        }
    }
}

const KEYS: &str = "k1, b, headline, body, per_field, headline_b, fb_docs, fb_terms, fb_weight, fb_idf, fb_smooth, stop_from";

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
}
