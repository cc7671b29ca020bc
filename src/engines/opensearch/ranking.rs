//! The embedded engine's BM25F on the cluster: what the documents carry for it, the collection
//! figures it needs, and the query that scores one word.
//!
//! Summing Lucene's BM25 per field saturates headline and body apart and normalises lengths by
//! Lucene's own rules, which ranked 0.65-0.86x of the embedded engine on the judged collections.
//! Here one word is a `script_score` over a term of the union field (`stems`, headline and body
//! stems together): the term matches exactly the documents holding the word in either field,
//! and its similarity scores BM25F's idf from that field's statistics (the whole index's under
//! `dfs_query_then_fetch`). The script multiplies it by the saturated weighted frequency, read
//! with `termFreq` from the headline's and body's stems (made by newsdex's analyzer at index
//! time, so the words are the embedded engine's) and normalised by each field's length,
//! which every document carries as a number (its token count as the embedded index's field norm
//! keeps it). Average lengths come from the collection figures each index run saves when it
//! commits, so a search needs no request for them.
//!
//! The script runs only where it can change the page. A ranked search's first pass orders
//! every match by the cluster's own BM25 over the weighted stems, BM25F's weighted frequencies
//! folded in at index time ([`weighted_stems`]), boosted so that it scores BM25F itself
//! ([`folded_boost`]). While the average lengths have not moved past [`FOLD_TOLERANCE`] from
//! those any article was folded with (each index run saves the range, [`FoldRange`]; an empty
//! index's first articles are folded together once the first bulk's averages are known), that
//! score is the ranking, and a `rescore` only adds proximity, span clauses over the
//! position-indexed stems ([`proximity_clauses`]), to each shard's best `depth`. Otherwise the
//! `rescore` ranks them by the script and proximity. On all of AllSides a word matches
//! thousands of articles; the script on each of them was most of a one-word search, and on the
//! best 200 per shard still a third of a three-word one.
use serde_json::{Value, json};

use crate::analysis;
use crate::ingest::Article;
use crate::model::fields::name;
use crate::model::ranking::{Bm25fParams, ORDERED_GAP, ProximityParams};
use crate::model::scoring::{self, Collection, Pair};

/// A document's headline and body as ranked: their stems (newsdex's, separated by spaces) and
/// lengths in tokens, exact and as the embedded index stores them (a derived headline is not
/// indexed as one).
pub struct Ranked {
    pub stems: [String; 2],
    pub tokens: [u32; 2],
    pub stored: [u32; 2],
}

pub fn ranked(article: &Article, body: &str) -> Ranked {
    let mut stem = analysis::stemmed();
    let headline = match article.headline_derived {
        true => Vec::new(),
        false => analysis::terms(&mut stem, &article.headline),
    };
    let body = analysis::terms(&mut stem, body);
    let tokens = [&headline, &body].map(|t| u32::try_from(t.len()).unwrap_or(u32::MAX));
    Ranked {
        stems: [headline.join(" "), body.join(" ")],
        tokens,
        stored: tokens.map(|n| scoring::stored_length(n as usize)),
    }
}

/// The weighted stems of a document (`name::WEIGHTED_STEMS`): each stem once as
/// `stem|frequency`, its frequency BM25F's weighted frequency under the default parameters and
/// the average lengths `avg` (the index's as far as known when it is written), in whole
/// `1 / FOLD_SCALE`s and at least one. The cluster's BM25 over them (no length normalisation,
/// `k1` scaled alike) then orders the articles of one word as BM25F does, and of several words
/// nearly so; only the average lengths may have moved since the document was written, which is
/// why the exact script still ranks the top.
pub fn weighted_stems(ranked: &Ranked, avg: [f32; 2]) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    let mut freqs: BTreeMap<&str, [f32; 2]> = BTreeMap::new();
    for (slot, stems) in ranked.stems.iter().enumerate() {
        for stem in stems.split_whitespace() {
            freqs.entry(stem).or_default()[slot] += 1.0;
        }
    }
    let p = Bm25fParams::default();
    let c = Collection { docs: 0, avg };
    let mut out = String::new();
    for (stem, freq) in freqs {
        let weighted = scoring::weighted_freq(&p, freq, ranked.stored, &c);
        let folded = (weighted * super::mapping::FOLD_SCALE).round().max(1.0) as u64;
        let gap = if out.is_empty() { "" } else { " " };
        let _ = write!(out, "{gap}{stem}|{folded}");
    }
    out
}

/// How far the index's average lengths may move from those its weighted stems were folded with
/// before the folded first pass no longer stands for BM25F: one sixteenth, half the finest step
/// in which the embedded index keeps a long field's length (its one-byte norms step by 1/16 to
/// 1/8 above 40 tokens). Below this, `length / average` moves less than the embedded engine's
/// own rounding of the length already moves it.
pub const FOLD_TOLERANCE: f32 = 1.0 / 16.0;

/// The smallest and largest average lengths (headline, body) any article of an index was
/// folded with ([`weighted_stems`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoldRange {
    pub min: [f32; 2],
    pub max: [f32; 2],
}

impl FoldRange {
    /// No article folded yet.
    pub const EMPTY: FoldRange = FoldRange {
        min: [f32::INFINITY; 2],
        max: [f32::NEG_INFINITY; 2],
    };

    pub fn note(&mut self, avg: [f32; 2]) {
        for (slot, a) in avg.into_iter().enumerate() {
            self.min[slot] = self.min[slot].min(a);
            self.max[slot] = self.max[slot].max(a);
        }
    }

    /// Whether every article was folded with averages within [`FOLD_TOLERANCE`] of `avg`, so
    /// the cluster's BM25 over the weighted stems scores BM25F (with the default parameters).
    pub fn settled(&self, avg: [f32; 2]) -> bool {
        (0..2).all(|slot| {
            let (lo, hi, now) = (self.min[slot], self.max[slot], avg[slot]);
            // A field no article has (headlines all derived) is folded alike in every article.
            if hi <= 0.0 && now <= 0.0 {
                return true;
            }
            lo > 0.0
                && now > 0.0
                && now / lo <= 1.0 + FOLD_TOLERANCE
                && hi / now <= 1.0 + FOLD_TOLERANCE
        })
    }
}

/// Articles and total headline and body tokens of an index, and the averages its articles were
/// folded with (`None` when not known: written by a build that did not record them).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    pub docs: u64,
    pub tokens: [u64; 2],
    pub fold: Option<FoldRange>,
}

impl Figures {
    /// The aggregations that count them in one `_search` (size 0, all documents).
    pub fn aggregations() -> Value {
        json!({
            "headline_tokens": { "sum": { "field": name::HEADLINE_TOKENS } },
            "body_tokens": { "sum": { "field": name::BODY_TOKENS } },
        })
    }

    /// The figures from that search's reply.
    pub fn from_reply(reply: &Value) -> Figures {
        let sum = |agg: &str| reply["aggregations"][agg]["value"].as_f64().unwrap_or(0.0) as u64;
        Figures {
            docs: reply["hits"]["total"]["value"].as_u64().unwrap_or(0),
            tokens: [sum("headline_tokens"), sum("body_tokens")],
            fold: None,
        }
    }

    pub fn to_json(self) -> Value {
        let mut v = json!({ "docs": self.docs, "headline_tokens": self.tokens[0], "body_tokens": self.tokens[1] });
        if let Some(r) = self.fold.filter(|r| r.min[0].is_finite()) {
            v["fold_min"] = json!(r.min);
            v["fold_max"] = json!(r.max);
        }
        v
    }

    /// The figures as saved in the settings document; `None` when none were saved.
    pub fn from_json(v: &Value) -> Option<Figures> {
        let pair = |key: &str| -> Option<[f32; 2]> {
            let a = v[key].as_array()?;
            Some([a.first()?.as_f64()? as f32, a.get(1)?.as_f64()? as f32])
        };
        let fold = match (pair("fold_min"), pair("fold_max")) {
            (Some(min), Some(max)) => Some(FoldRange { min, max }),
            _ => None,
        };
        Some(Figures {
            docs: v["docs"].as_u64()?,
            tokens: [v["headline_tokens"].as_u64()?, v["body_tokens"].as_u64()?],
            fold,
        })
    }

    /// Whether the cluster's BM25 over the weighted stems scores BM25F under `p` here: `p` is
    /// the default the stems were folded with, and the averages have not moved past
    /// [`FOLD_TOLERANCE`] since any article was folded.
    pub fn folded_is_exact(&self, p: &Bm25fParams) -> bool {
        *p == Bm25fParams::default() && self.fold.is_some_and(|r| r.settled(self.collection().avg))
    }

    pub fn collection(&self) -> Collection {
        let avg = |t: u64| {
            if self.docs == 0 {
                1.0
            } else {
                t as f32 / self.docs as f32
            }
        };
        Collection {
            docs: self.docs,
            avg: [avg(self.tokens[0]), avg(self.tokens[1])],
        }
    }
}

/// The per-document part of BM25F in Painless: `_score` is the word's idf (the union field's
/// similarity), multiplied by the saturated weighted frequency (`model::scoring::word_score`).
const SCRIPT: &str = "\
double th = termFreq(params.hf, params.t); double tb = termFreq(params.bf, params.t);\
double lh = doc[params.hl].size() == 0 ? 0 : doc[params.hl].value;\
double lb = doc[params.bl].size() == 0 ? 0 : doc[params.bl].value;\
double tf; double norm = 1.0;\
if (params.pf) {\
 tf = params.wh * th / (1.0 - params.bh + params.bh * lh / params.ah)\
  + params.wb * tb / (1.0 - params.bb + params.bb * lb / params.ab);\
} else {\
 tf = params.wh * th + params.wb * tb;\
 norm = 1.0 - params.bb + params.bb * (lh + lb) / (params.ah + params.ab);\
}\
if (tf <= 0) { return 0; }\
return _score * tf * (params.k1 + 1.0) / (tf + params.k1 * norm);";

/// Neighbouring pairs proximity scores inside the cluster, at most. Each costs eight span terms
/// and six compound clauses, and the cluster refuses a query of more than 1,024 clauses (its
/// default `indices.query.bool.max_clause_count`; a 60-word query's pairs passed it): past
/// this a long query's further pairs are left to its words' own scores.
pub const MAX_PAIRS: usize = 24;

/// Proximity inside the one request: per pair (the first [`MAX_PAIRS`]) and field, the larger
/// of an ordered meeting within `ORDERED_GAP` and a meeting either way within the window. A
/// span over the stems fields scores the sum of its words' idf (their similarity ignores
/// frequency), so each clause is boosted to the pair's weight times the mean idf (ordered) or
/// half of it (either way): a pair that meets scores what one meeting scores in the embedded
/// engine, whatever the number of meetings.
pub fn proximity_clauses(words: &[String], pairs: &[Pair], prox: &ProximityParams) -> Vec<Value> {
    let span = |field: &str, a: &str, b: &str, slop: u32, ordered: bool, boost: f32| {
        json!({ "span_near": {
            "clauses": [ { "span_term": { field: a } }, { "span_term": { field: b } } ],
            "slop": slop, "in_order": ordered, "boost": boost,
        }})
    };
    let mut out = Vec::new();
    for p in pairs.iter().take(MAX_PAIRS) {
        let (a, b) = (&words[p.first], &words[p.second]);
        let w = p.weight(prox);
        for (field, share) in [(name::BODY_STEMS, 1.0), (name::HEADLINE_STEMS, 0.5)] {
            let ordered = ORDERED_GAP - 1;
            out.push(json!({ "dis_max": {
                "_name": format!("{}:{field}", p.label(words)),
                "queries": [
                    span(field, a, b, ordered, p.apart == 1, share * w / 2.0),
                    span(field, a, b, prox.window.saturating_sub(1), false, share * w / 4.0),
                ],
            }}));
        }
    }
    out
}

/// One stemmed word as a first pass ranks it: the same articles as [`word_query`], ordered by
/// the cluster's BM25 over the weighted stems (no script per match), boosted so the score is
/// BM25F's when the folding holds ([`Figures::folded_is_exact`]).
pub fn first_pass_word_query(stem: &str) -> Value {
    json!({ "term": { name::WEIGHTED_STEMS: { "value": stem, "boost": folded_boost() } } })
}

/// The cluster's BM25 (the classic form, which multiplies by `k1 + 1`) over frequencies and
/// `k1` scaled by `FOLD_SCALE` scores `(k1 * FOLD_SCALE + 1) / (k1 + 1)` times BM25F's
/// saturation; this boost takes that factor out.
pub fn folded_boost() -> f32 {
    let k1 = Bm25fParams::default().k1;
    (k1 + 1.0) / (k1 * super::mapping::FOLD_SCALE + 1.0)
}

/// The rescore that adds proximity to a first pass that already scores BM25F (its scores kept).
pub fn proximity_rescore(window: usize, proximity: Vec<Value>) -> Value {
    rescore(window, json!({ "bool": { "should": proximity } }), 1.0)
}

/// The rescore that ranks a first pass's best `window` articles per shard by `query` (the
/// search as BM25F scores it) plus `proximity`; their first-pass scores are dropped.
pub fn exact_rescore(window: usize, query: Value, proximity: Vec<Value>) -> Value {
    let query = match proximity.is_empty() {
        true => query,
        false => json!({ "bool": { "must": [query], "should": proximity } }),
    };
    rescore(window, query, 0.0)
}

/// Each shard's best `window` scored again: the first-pass score times `first_weight` plus
/// `query`'s.
fn rescore(window: usize, query: Value, first_weight: f32) -> Value {
    json!({
        "window_size": window.max(1),
        "query": {
            "rescore_query": query, "query_weight": first_weight, "rescore_query_weight": 1.0,
            "score_mode": "total",
        },
    })
}

/// One stemmed word scored by BM25F over headline and body.
pub fn word_query(stem: &str, p: &Bm25fParams, c: &Collection) -> Value {
    script(name::STEMS, stem, p, c)
}

/// One stemmed word in one field (`slot` 0 headline, 1 body), scored as the embedded engine
/// scores it there: plain BM25 (k1 1.2, b 0.75) over that field.
pub fn field_word_query(slot: usize, stem: &str, c: &Collection) -> Value {
    let (stems, length) = [
        (name::HEADLINE_STEMS, name::HEADLINE_LENGTH),
        (name::BODY_STEMS, name::BODY_LENGTH),
    ][slot.min(1)];
    let p = Bm25fParams::single_field();
    // The field in the body's place, its average length there.
    let one = Collection {
        docs: c.docs,
        avg: [c.avg[slot.min(1)]; 2],
    };
    let mut q = script(stems, stem, &p, &one);
    let params = &mut q["script_score"]["script"]["params"];
    params["bf"] = json!(stems);
    params["bl"] = json!(length);
    q
}

/// The script over a term of `matched` (whose similarity gives the idf).
fn script(matched: &str, stem: &str, p: &Bm25fParams, c: &Collection) -> Value {
    let floor = |avg: f32| f64::from(avg.max(f32::MIN_POSITIVE));
    json!({ "script_score": {
        "query": { "term": { matched: stem } },
        "script": {
            "source": SCRIPT,
            "params": {
                "t": stem,
                "hf": name::HEADLINE_STEMS, "bf": name::BODY_STEMS,
                "hl": name::HEADLINE_LENGTH, "bl": name::BODY_LENGTH,
                "pf": p.per_field,
                "wh": p.headline_weight, "wb": p.body_weight,
                "bh": p.headline_b, "bb": p.b, "k1": p.k1,
                "ah": floor(c.avg[0]), "ab": floor(c.avg[1]),
            },
        },
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folded frequency of `stem` in weighted stems.
    fn folded(weighted: &str, stem: &str) -> u64 {
        weighted
            .split(' ')
            .find_map(|t| t.strip_prefix(&format!("{stem}|")))
            .map_or(0, |n| n.parse().unwrap())
    }

    #[test]
    fn weighted_stems_order_a_words_articles_as_bm25f_does() {
        let avg = [8.0, 300.0];
        let c = Collection { docs: 100, avg };
        let p = Bm25fParams::default();
        // (headline stems, body stems): the word in the headline, often in a long body, once in
        // a short one, twice in a middling one...
        let docs = [
            ("storm hit", "the storm ".repeat(40)),
            ("quiet day", "storm ".to_string() + &"calm ".repeat(500)),
            ("quiet day", "storm at sea".to_string()),
            ("storm", "storm storm ".to_string() + &"wind ".repeat(200)),
            ("", "storm ".repeat(3) + &"rain ".repeat(900)),
        ];
        let mut folded_order = Vec::new();
        let mut bm25f_order = Vec::new();
        for (i, (h, b)) in docs.iter().enumerate() {
            let texts = [h.to_string(), b.clone()];
            let tokens = texts.clone().map(|t| t.split_whitespace().count() as u32);
            let freq = texts
                .clone()
                .map(|t| t.split_whitespace().filter(|w| *w == "storm").count() as f32);
            let ranked = Ranked {
                stems: texts,
                tokens,
                stored: tokens.map(|n| scoring::stored_length(n as usize)),
            };
            let weighted = weighted_stems(&ranked, avg);
            assert!(weighted.split(' ').all(|t| t.contains('|')), "{weighted}");
            folded_order.push((folded(&weighted, "storm"), i));
            bm25f_order.push((scoring::word_score(&p, 2.0, freq, ranked.stored, &c), i));
        }
        folded_order.sort_by_key(|x| std::cmp::Reverse(x.0));
        bm25f_order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let folded_ids: Vec<usize> = folded_order.iter().map(|x| x.1).collect();
        let bm25f_ids: Vec<usize> = bm25f_order.iter().map(|x| x.1).collect();
        assert_eq!(folded_ids, bm25f_ids);
    }

    #[test]
    fn proximity_stops_at_the_cap_of_pairs() {
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let prox = ProximityParams::default();
        let pairs = scoring::pairs(&words, &prox);
        assert_eq!(pairs.len(), 39);
        let clauses = proximity_clauses(&words, &pairs, &prox);
        // Two fields per pair.
        assert_eq!(clauses.len(), 2 * MAX_PAIRS);
        let text = serde_json::to_string(&clauses).unwrap();
        assert!(text.contains("near(w0 w1)"), "{text}");
        assert!(!text.contains(&format!("near(w{MAX_PAIRS} ")), "{text}");
    }

    #[test]
    fn folded_boost_turns_the_clusters_bm25_over_folded_stems_into_bm25f() {
        let p = Bm25fParams::default();
        let c = Collection {
            docs: 1000,
            avg: [9.0, 400.0],
        };
        let idf = scoring::idf(1000, 37);
        let k1 = f64::from(p.k1 * super::super::mapping::FOLD_SCALE);
        for (freq, len) in [
            ([1.0, 3.0], [9, 400]),
            ([0.0, 12.0], [0, 1800]),
            ([2.0, 0.0], [5, 60]),
        ] {
            let stored = len.map(|n| scoring::stored_length(n as usize));
            let folded = f64::from(
                (scoring::weighted_freq(&p, freq, stored, &c) * super::super::mapping::FOLD_SCALE)
                    .round(),
            );
            // The cluster's classic BM25 without length normalisation, times the boost.
            let cluster =
                f64::from(idf) * folded * (k1 + 1.0) / (folded + k1) * f64::from(folded_boost());
            let exact = f64::from(scoring::word_score(&p, idf, freq, stored, &c));
            assert!(
                (cluster - exact).abs() <= 1e-3 * exact,
                "{cluster} vs {exact}"
            );
        }
    }

    #[test]
    fn the_folding_holds_only_near_the_averages_it_was_made_with() {
        let mut range = FoldRange::EMPTY;
        range.note([8.0, 300.0]);
        range.note([8.2, 310.0]);
        let figures = |avg: [f32; 2], fold: Option<FoldRange>| Figures {
            docs: 100,
            tokens: avg.map(|a| (a * 100.0) as u64),
            fold,
        };
        let p = Bm25fParams::default();
        assert!(figures([8.1, 305.0], Some(range)).folded_is_exact(&p));
        // The body average moved by a fifth since some articles were folded.
        assert!(!figures([8.1, 372.0], Some(range)).folded_is_exact(&p));
        // Unknown range (an index written by an older build), or other parameters.
        assert!(!figures([8.1, 305.0], None).folded_is_exact(&p));
        let other = Bm25fParams { k1: 2.0, ..p };
        assert!(!figures([8.1, 305.0], Some(range)).folded_is_exact(&other));
        // No headlines at all (all derived) is folded alike everywhere.
        let mut bodies = FoldRange::EMPTY;
        bodies.note([0.0, 300.0]);
        assert!(figures([0.0, 300.0], Some(bodies)).folded_is_exact(&p));
    }

    #[test]
    fn the_fold_range_is_saved_with_the_figures_and_absent_from_old_ones() {
        let mut range = FoldRange::EMPTY;
        range.note([8.0, 300.0]);
        let f = Figures {
            docs: 3,
            tokens: [24, 900],
            fold: Some(range),
        };
        assert_eq!(Figures::from_json(&f.to_json()), Some(f));
        let old = json!({ "docs": 3, "headline_tokens": 24, "body_tokens": 900 });
        assert_eq!(Figures::from_json(&old).unwrap().fold, None);
        // Nothing folded yet saves no range.
        let empty = Figures {
            fold: Some(FoldRange::EMPTY),
            ..f
        };
        assert_eq!(Figures::from_json(&empty.to_json()).unwrap().fold, None);
    }
}
