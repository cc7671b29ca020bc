//! The second pass of a relevance search: feedback and proximity re-score only the first
//! pass's top, never the whole index.
//!
//! The first pass (the query as typed, under its filters) decides what matches and so the
//! totals, facets and timeline; it also keeps its best `depth` hits (or down to the requested
//! page's end, when deeper). Only those can rise into the page, so only those are re-scored:
//! `original weight x (first-pass score + proximity) + feedback`, where feedback scores the
//! expansion words on each candidate (seeking their postings to it) and proximity reads the
//! query words' positions in it. Documents below the depth keep their first-pass order.
//!
//! Only the requested page has to come out exact. With proximity alone (feedback shut, the
//! usual case for a query typed in a search box), a candidate can gain at most the pairs'
//! saturated maximum, so positions are read for the page's own candidates first and then only
//! for those whose first-pass score plus that maximum still reaches the page's lowest final
//! score, and whose words' term frequencies still allow it; the page is the one a re-scoring
//! of the whole depth would cut, at a fraction of the reads.
//!
//! Feedback is gated per query (`FeedbackParams::gate`): it runs only on a query of enough
//! words, when more documents match than it samples, when the sampled top stands out from the
//! rest of the candidates (the gap) and when the sampled documents agree on the words they
//! suggest (the agreement). Otherwise the query keeps its first-pass ranking; a gate shut
//! before the samples are read costs nothing.
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use tantivy::query::{EnableScoring, Explanation, Query};
use tantivy::{DocAddress, DocId, DocSet, Searcher};

use super::bm25f::{self, Bm25fQuery};
use super::document::read_article;
use super::feedback;
use super::proximity::{self, Floor, PairScore, Proximity};
use super::schema::Fields;
use crate::Result;
use crate::model::explain::{Expansion, FeedbackDecision};
use crate::model::feedback as model;
use crate::model::ranking::Ranking;
use crate::model::scoring;

/// What the second pass of one request may use.
pub struct Plan {
    /// The query's positive unquoted words in its order, as scored.
    pub words: Vec<Bm25fQuery>,
    /// Whether feedback is asked for (optional words, relevance order, feedback on).
    pub feedback: bool,
}

impl Plan {
    /// Whether there is a second pass at all.
    pub fn active(&self, ranking: &Ranking) -> bool {
        self.feedback || (ranking.proximity.enabled() && self.pairs(ranking) > 0)
    }

    fn pairs(&self, ranking: &Ranking) -> usize {
        let names: Vec<&str> = self.words.iter().map(Bm25fQuery::word).collect();
        scoring::pairs(&names, &ranking.proximity).len()
    }

    /// How many first-pass hits to keep for a page ending at `end`.
    pub fn depth(&self, ranking: &Ranking, end: usize) -> usize {
        ranking.depth.max(end).max(1)
    }
}

/// One candidate's score parts.
struct Parts {
    first: f32,
    pairs: Vec<PairScore>,
    feedback: Vec<(String, f32)>,
}

impl Parts {
    fn near(&self) -> f32 {
        self.pairs.iter().map(|x| x.score).sum()
    }

    fn fed(&self) -> f32 {
        self.feedback.iter().map(|x| x.1).sum()
    }
}

/// The re-scored candidates, best first, and what `--explain` shows of the pass.
pub struct Reranked {
    pub docs: Vec<(f32, DocAddress)>,
    pub expansion: Vec<Expansion>,
    pub decision: Option<FeedbackDecision>,
    /// The first-pass score's weight in the final score.
    pub original_weight: f32,
    /// Per candidate read; a fast hash, as every candidate of the depth is looked up.
    parts: FxHashMap<DocAddress, Parts>,
    /// The proximity pairs' names, for `--explain`.
    labels: Vec<String>,
}

impl Reranked {
    /// The first pass unchanged.
    fn unchanged(docs: Vec<(f32, DocAddress)>, decision: Option<FeedbackDecision>) -> Self {
        Reranked {
            docs,
            expansion: Vec::new(),
            decision,
            original_weight: 1.0,
            parts: FxHashMap::default(),
            labels: Vec::new(),
        }
    }

    /// A hit's explanation: the first pass's, with the second pass's parts beside it.
    pub fn explain(&self, addr: DocAddress, first: Explanation) -> Explanation {
        let Some(parts) = self.parts.get(&addr) else {
            if self.original_weight == 1.0 {
                return first;
            }
            let mut e = Explanation::new(
                "below the second pass's depth: original weight x first pass",
                self.original_weight * first.value(),
            );
            e.add_const("original weight", self.original_weight);
            e.add_detail(first);
            return e;
        };
        let final_score = self
            .docs
            .iter()
            .find(|(_, a)| *a == addr)
            .map_or(parts.first, |(s, _)| *s);
        let mut e = Explanation::new(
            "second pass: original weight x (first pass + proximity) + feedback",
            final_score,
        );
        e.add_const("original weight", self.original_weight);
        e.add_detail(first);
        if !parts.pairs.is_empty() {
            e.add_detail(proximity::explain(
                &parts.pairs,
                &self.labels,
                self.original_weight,
            ));
        }
        if !parts.feedback.is_empty() {
            let total: f32 = parts.feedback.iter().map(|f| f.1).sum();
            let mut f = Explanation::new("feedback", total);
            for (term, score) in &parts.feedback {
                f.add_detail(Explanation::new_with_string(
                    format!("expansion({term})"),
                    *score,
                ));
            }
            e.add_detail(f);
        }
        e
    }
}

/// What the first pass hands the second.
pub struct FirstPass {
    /// Its best hits, best first.
    pub top: Vec<(f32, DocAddress)>,
    /// How many documents matched.
    pub total: u64,
    /// Where the requested page ends: the places of the result that must be exact.
    pub end: usize,
}

/// How many articles hold a word in their headline or body, whichever is more: the engine
/// answers it (a long-lived one from a cache kept until the next commit).
pub type DocFreq<'a> = &'a dyn Fn(&str) -> u64;

/// Re-score the first pass's `top` (best first) of `total` matches: its first `depth`, with
/// the rest after them in their first-pass order, so every page of a search cuts the same
/// order. Only the first `end` places of the result need to be exact (the page asked for; the
/// rest is not shown): with proximity alone, candidates that cannot climb into them are left
/// in their first-pass order unread (see `bounded`).
pub fn rerank(
    searcher: &Searcher,
    doc_freq: DocFreq<'_>,
    fields: &Fields,
    ranking: &Ranking,
    plan: &Plan,
    first: FirstPass,
) -> Result<Reranked> {
    let FirstPass {
        mut top,
        total,
        end,
    } = first;
    let rest = top.split_off(ranking.depth.max(1).min(top.len()));
    let head = FirstPass { top, total, end };
    let mut r = rerank_head(searcher, doc_freq, fields, ranking, plan, head)?;
    let scale = r.original_weight;
    r.docs.extend(rest.into_iter().map(|(s, a)| (scale * s, a)));
    Ok(r)
}

fn rerank_head(
    searcher: &Searcher,
    doc_freq: DocFreq<'_>,
    fields: &Fields,
    ranking: &Ranking,
    plan: &Plan,
    first: FirstPass,
) -> Result<Reranked> {
    let FirstPass { top, total, end } = first;
    let (expansion, decision) = if plan.feedback {
        let (e, d) = decide(searcher, doc_freq, fields, ranking, plan, &top, total)?;
        (e, Some(d))
    } else {
        (Vec::new(), None)
    };
    let pairs = Proximity::new(searcher, &plan.words, ranking.proximity, ranking.bm25f)?;
    if expansion.is_empty() && pairs.is_none() {
        return Ok(Reranked::unchanged(top, decision));
    }
    let words = feedback::expansion_words(
        plan.words.len(),
        &expansion,
        fields,
        ranking.bm25f,
        &ranking.feedback,
    );
    let original_weight = if expansion.is_empty() {
        1.0
    } else {
        ranking.feedback.original_weight.clamp(0.0, 1.0)
    };
    let mut parts = match (&pairs, words.is_empty()) {
        (Some(p), true) => bounded(searcher, &top, p, end)?,
        _ => score_parts(
            searcher,
            &top,
            pairs.as_ref(),
            &words,
            &mut Floor::none(),
            false,
        )?,
    };
    let mut docs: Vec<(f32, DocAddress)> = top
        .iter()
        .map(|&(first, addr)| match parts.get(&addr) {
            Some(p) => (original_weight * (first + p.near()) + p.fed(), addr),
            None => (original_weight * first, addr),
        })
        .collect();
    // Stable: equal scores keep the first pass's order.
    docs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for p in parts.values_mut() {
        p.feedback.retain(|f| f.1 > 0.0);
        p.pairs.retain(|x| x.score > 0.0);
    }
    Ok(Reranked {
        docs,
        expansion,
        decision,
        original_weight,
        parts,
        labels: pairs.as_ref().map(Proximity::labels).unwrap_or_default(),
    })
}

/// Proximity alone, read only where it can change the first `end` places: first the top `end`
/// candidates, whose lowest final score is then a floor the page's last place cannot fall
/// below; then, in one more pass over each segment, only the candidates whose first-pass score
/// plus the most proximity can add (`Proximity::max_score`) still reaches that floor. The
/// others' positions are never read: at least `end` candidates above them already score more
/// than they could, so they stay below the page in their first-pass order, which is where a
/// full re-scoring puts them relative to the page too. In that pass each candidate is first
/// judged by its words' term frequencies (a pair meets at most as often as its first word
/// occurs, `Proximity::reach`), which cost nothing once its lists stand at it, and its
/// positions are read only if that bound still reaches the floor; every candidate read raises
/// the floor to the `end`-th best final score read so far. Queries whose top already holds the
/// words together (names, set phrases) read about `end` documents' positions instead of the
/// whole depth's.
fn bounded(
    searcher: &Searcher,
    top: &[(f32, DocAddress)],
    pairs: &Proximity,
    end: usize,
) -> Result<FxHashMap<DocAddress, Parts>> {
    let first = end.min(top.len());
    if first == 0 {
        return Ok(FxHashMap::default());
    }
    let mut floor = Floor::new(first);
    let mut parts = score_parts(searcher, &top[..first], Some(pairs), &[], &mut floor, true)?;
    let most = pairs.max_score();
    let climbers = top[first..]
        .iter()
        .take_while(|(score, _)| floor.reached(*score, most))
        .count();
    if climbers > 0 {
        let batch = &top[first..first + climbers];
        parts.extend(score_parts(
            searcher,
            batch,
            Some(pairs),
            &[],
            &mut floor,
            false,
        )?);
    }
    Ok(parts)
}

/// The expansion to use (empty when the gate stays shut) and why.
fn decide(
    searcher: &Searcher,
    doc_freq: DocFreq<'_>,
    fields: &Fields,
    ranking: &Ranking,
    plan: &Plan,
    top: &[(f32, DocAddress)],
    total: u64,
) -> Result<(Vec<Expansion>, FeedbackDecision)> {
    let params = ranking.feedback;
    let n = params.docs.min(top.len());
    let scores: Vec<f32> = top.iter().map(|x| x.0).collect();
    let (mut decision, open) = model::first_look(&params, plan.words.len(), total, &scores);
    // Too few matches: nothing to learn, and the samples are not even read.
    if !open {
        return Ok((Vec::new(), decision));
    }
    let mut texts = Vec::with_capacity(n);
    for (score, addr) in &top[..n] {
        let a = read_article(fields, searcher, *addr)?;
        let headline = if a.headline_derived { "" } else { &a.headline };
        texts.push((*score, format!("{headline}\n\n{}", a.full_body())));
    }
    let samples: Vec<model::Sample<'_>> = texts
        .iter()
        .map(|(score, text)| model::Sample {
            score: *score,
            text,
        })
        .collect();
    let docs = searcher.num_docs();
    let idf = |term: &str| -> f32 { bm25f::idf(docs, doc_freq(term)) };
    let expansion = model::expand(&params, &mut decision, &samples, &idf);
    Ok((expansion, decision))
}

/// Every candidate's proximity and feedback parts, walking each segment's candidates in
/// document order so each posting list is read forward once; proximity leaves out the
/// candidates that cannot reach `floor` (see `Proximity::score_segment`, and `keep` there).
fn score_parts(
    searcher: &Searcher,
    top: &[(f32, DocAddress)],
    pairs: Option<&Proximity>,
    words: &[(Bm25fQuery, f32)],
    floor: &mut Floor,
    keep: bool,
) -> Result<FxHashMap<DocAddress, Parts>> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights = words
        .iter()
        .map(|(q, boost)| Ok((q.word().to_string(), q.weight(scoring)?, *boost)))
        .collect::<tantivy::Result<Vec<_>>>()?;
    // Segments in order, so which candidates are read does not vary from run to run.
    let mut by_segment: BTreeMap<u32, Vec<(DocId, f32)>> = BTreeMap::new();
    for &(first, addr) in top {
        by_segment
            .entry(addr.segment_ord)
            .or_default()
            .push((addr.doc_id, first));
    }
    let mut parts = FxHashMap::with_capacity_and_hasher(top.len(), Default::default());
    for (segment, mut docs) in by_segment {
        docs.sort_unstable_by_key(|d| d.0);
        let reader = searcher.segment_reader(segment);
        let ids: Vec<DocId> = docs.iter().map(|d| d.0).collect();
        let mut near = match pairs {
            Some(p) => p.score_segment(reader, &docs, floor, keep)?,
            None => Vec::new(),
        };
        near.resize_with(ids.len(), || Some(Vec::new()));
        let mut fb: Vec<Vec<(String, f32)>> = vec![Vec::new(); ids.len()];
        for (word, weight, boost) in &weights {
            let mut scorer = weight.scorer(reader, *boost)?;
            for (i, &doc) in ids.iter().enumerate() {
                if scorer.doc() < doc {
                    scorer.seek(doc);
                }
                let score = if scorer.doc() == doc {
                    scorer.score()
                } else {
                    0.0
                };
                fb[i].push((word.clone(), score));
            }
        }
        for ((&(doc, first), pairs), feedback) in docs.iter().zip(near).zip(fb) {
            // Left unread: its pairs cannot lift it to the floor.
            let Some(pairs) = pairs else { continue };
            let addr = DocAddress::new(segment, doc);
            parts.insert(
                addr,
                Parts {
                    first,
                    pairs,
                    feedback,
                },
            );
        }
    }
    Ok(parts)
}
