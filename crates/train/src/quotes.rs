//! Training and cross-validating the quote attribution model (`models/quotes.txt`): the hand
//! annotation's articles turned into ranked candidates, a logistic regression over their
//! features, and the speaker precision and recall of `scripts/quotes-eval` computed the same way
//! here so that every policy and threshold is scored on quotes the fold's model never saw.
//! The candidates and their features come from `newsdex::quotes`, so the trainer learns from
//! exactly what the indexer computes.
use std::collections::BTreeMap;

use newsdex::quotes::learned::{Cut, Decision, decide};

/// One quote the rules found in an annotated article, ready for training and scoring.
#[derive(Debug, Clone)]
pub struct Item {
    /// The rules' speaker.
    pub rule: Option<String>,
    /// Each candidate's name and feature ids.
    pub candidates: Vec<(String, Vec<u32>)>,
    /// The gold quote it matched and that quote's speaker; `None` for a span that is no gold
    /// quote (its right answer is no speaker).
    pub gold: Option<Option<String>>,
}

impl Item {
    /// Is candidate `k` the gold speaker?
    pub fn label(&self, k: usize) -> bool {
        matches!(&self.gold, Some(Some(g)) if same_speaker(&self.candidates[k].0, g))
    }

    pub fn rule_index(&self) -> Option<usize> {
        let r = self.rule.as_ref()?;
        self.candidates.iter().position(|c| &c.0 == r)
    }
}

/// One annotated article: its annotation set and its quotes.
#[derive(Debug, Clone)]
pub struct Doc {
    pub part: String,
    pub items: Vec<Item>,
    /// Gold quotes with a speaker (recall's denominator).
    pub gold_attributed: usize,
}

/// Speaker precision and recall as `scripts/quotes-eval` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub predicted: usize,
    pub right: usize,
    pub gold: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.right, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.right, self.gold)
    }
    pub fn add(&mut self, o: Counts) {
        self.predicted += o.predicted;
        self.right += o.right;
        self.gold += o.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Score one article's speakers, given each quote's final speaker.
pub fn score(doc: &Doc, speakers: &[Option<String>]) -> Counts {
    let mut c = Counts {
        gold: doc.gold_attributed,
        ..Counts::default()
    };
    for (item, got) in doc.items.iter().zip(speakers) {
        let Some(got) = got else { continue };
        c.predicted += 1;
        if let Some(Some(g)) = &item.gold
            && same_speaker(got, g)
        {
            c.right += 1;
        }
    }
    c
}

/// The speakers of an article's quotes under a policy, given each candidate's probability.
pub fn speakers(doc: &Doc, probs: &[Vec<f64>], cut: Cut) -> Vec<Option<String>> {
    doc.items
        .iter()
        .zip(probs)
        .map(|(item, p)| match decide(cut, item.rule_index(), p) {
            Decision::Keep => item.rule.clone(),
            Decision::Drop => None,
            Decision::Choose(k) => Some(item.candidates[k].0.clone()),
        })
        .collect()
}

/// Names folded as `scripts/quotes-eval` folds them: lower case, punctuation to spaces, titles
/// and "the" dropped.
fn fold(name: &str) -> Vec<String> {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|w| !matches!(*w, "the" | "mr" | "mrs" | "ms" | "dr" | "sir" | "lord"))
        .map(str::to_string)
        .collect()
}

/// The evaluation's name match: equal after folding, one the other's initials, or one's words
/// a subset of the other's with the same last word.
pub fn same_speaker(a: &str, b: &str) -> bool {
    let (fa, fb) = (fold(a), fold(b));
    if fa.is_empty() || fb.is_empty() {
        return false;
    }
    if fa == fb {
        return true;
    }
    let (small, big) = if fa.len() <= fb.len() {
        (&fa, &fb)
    } else {
        (&fb, &fa)
    };
    if small.len() == 1 && big.len() > 1 {
        let initials: String = big.iter().filter_map(|w| w.chars().next()).collect();
        if small[0] == initials {
            return true;
        }
    }
    small.last() == big.last() && small.iter().all(|w| big.contains(w))
}

/// Logistic regression settings.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    pub iterations: usize,
    pub l2: f64,
    pub rate: f64,
}

/// Train logistic weights (one per feature id) on every candidate of `docs`: full-batch
/// gradient descent with per-weight (AdaGrad) steps, from zero, so the result depends on the
/// data alone.
pub fn train(docs: &[&Doc], n_features: usize, fit: Fit) -> Vec<f64> {
    let examples: Vec<(&[u32], f64)> = docs
        .iter()
        .flat_map(|d| d.items.iter())
        .flat_map(|item| {
            (0..item.candidates.len()).map(move |k| {
                (
                    item.candidates[k].1.as_slice(),
                    f64::from(u8::from(item.label(k))),
                )
            })
        })
        .collect();
    let mut w = vec![0.0; n_features];
    let mut g2 = vec![1e-8; n_features];
    let n = examples.len().max(1) as f64;
    for _ in 0..fit.iterations {
        let mut grad: Vec<f64> = w.iter().map(|x| fit.l2 * x).collect();
        for (features, y) in &examples {
            let p = sigmoid(features.iter().map(|&f| w[f as usize]).sum());
            for &f in *features {
                grad[f as usize] += (p - y) / n;
            }
        }
        for k in 0..n_features {
            g2[k] += grad[k] * grad[k];
            w[k] -= fit.rate * grad[k] / g2[k].sqrt();
        }
    }
    w
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Each candidate's probability under weights `w`.
pub fn probabilities(doc: &Doc, w: &[f64]) -> Vec<Vec<f64>> {
    doc.items
        .iter()
        .map(|item| {
            item.candidates
                .iter()
                .map(|(_, fs)| sigmoid(fs.iter().map(|&f| w[f as usize]).sum()))
                .collect()
        })
        .collect()
}

/// Feature names to dense ids, in sorted order so ids do not depend on reading order.
pub fn feature_ids<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, u32> {
    let mut ids: BTreeMap<String, u32> = names.map(|n| (n.to_string(), 0)).collect();
    for (k, v) in ids.values_mut().enumerate() {
        *v = k as u32;
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsdex::quotes::learned::{Policy, RULES};

    #[test]
    fn names_match_as_the_evaluation_matches_them() {
        assert!(same_speaker("Tony Blair", "Mr Blair"));
        assert!(same_speaker(
            "TSA",
            "Transportation Security Administration"
        ));
        assert!(!same_speaker("Tony Blair", "Tony Benn"));
        assert!(!same_speaker("", "Blair"));
    }

    fn item(rule: Option<&str>, names: &[(&str, u32)], gold: Option<Option<&str>>) -> Item {
        Item {
            rule: rule.map(str::to_string),
            candidates: names
                .iter()
                .map(|(n, f)| (n.to_string(), vec![0, *f]))
                .collect(),
            gold: gold.map(|g| g.map(str::to_string)),
        }
    }

    #[test]
    fn training_learns_which_feature_marks_the_speaker() {
        let doc = Doc {
            part: "dev".into(),
            items: (0..20)
                .map(|_| item(None, &[("Ann Lee", 1), ("Bo Kim", 2)], Some(Some("Lee"))))
                .collect(),
            gold_attributed: 20,
        };
        let w = train(
            &[&doc],
            3,
            Fit {
                iterations: 200,
                l2: 1e-4,
                rate: 0.5,
            },
        );
        assert!(w[1] > w[2]);
        let probs = probabilities(&doc, &w);
        let fill = Cut {
            policy: Policy::Fill,
            threshold: 0.5,
            veto: 0.0,
        };
        let got = speakers(&doc, &probs, fill);
        let c = score(&doc, &got);
        assert_eq!((c.predicted, c.right), (20, 20));
    }

    #[test]
    fn a_speaker_on_a_span_that_is_no_quote_counts_against_precision() {
        let doc = Doc {
            part: "dev".into(),
            items: vec![
                item(Some("Ann Lee"), &[("Ann Lee", 1)], Some(Some("Ann Lee"))),
                item(Some("Ann Lee"), &[("Ann Lee", 1)], None),
            ],
            gold_attributed: 2,
        };
        let got = speakers(&doc, &[vec![0.9], vec![0.9]], RULES);
        let c = score(&doc, &got);
        assert_eq!((c.predicted, c.right, c.gold), (2, 1, 2));
    }
}
