//! The embedded engine's gated RM3 feedback (and the proximity beside it) for OpenSearch, done
//! in the process over the first pass's top.
//!
//! Feedback's words are known only after the first pass, so the cluster does what only it can
//! (the first pass, rescored by BM25F, with its totals and facets; the document frequencies the
//! relevance model needs) and the rest is arithmetic here, over the hits' text analysed with the
//! engines' shared analyzers into each field's stems at their positions. A search whose gate may
//! open gets the top back with its text in the first request, and a second (only when the gate's
//! first checks pass) asks the document frequencies of the samples' words: at most two requests.
//! Proximity is scored here too on that path, exactly as the embedded engine scores it, since the
//! texts are at hand and the samples must be the first pass's best by BM25F alone. Searches whose
//! gate cannot open score proximity inside their one request instead (`super::ranking`).
//! The relevance model and the gate are `model::feedback` and `model::ranking`'s, the scores
//! `model::scoring`'s, so the expansion and the final order are the embedded engine's.
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;
use serde_json::{Value, json};

use crate::analysis::{self, Memo};
use crate::model::article::StoredArticle;
use crate::model::explain::{Expansion, FeedbackDecision};
use crate::model::feedback::{self, Sample};
use crate::model::fields::name;
use crate::model::ranking::Ranking;
use crate::model::scoring::{self, Collection, Pair};
use tantivy::tokenizer::TextAnalyzer;

/// One first-pass hit: its score, its hit as the cluster returned it, and its text, analysed only
/// when the second pass needs it.
pub struct Candidate {
    pub score: f32,
    pub hit: Value,
    article: StoredArticle,
    /// Headline (slot 0) and body (slot 1) stems in position order.
    stems: OnceCell<[Vec<Rc<str>>; 2]>,
}

impl Candidate {
    /// A hit that came back with its `_source`.
    pub fn new(score: f32, hit: Value, article: StoredArticle) -> Candidate {
        Candidate {
            score,
            hit,
            article,
            stems: OnceCell::new(),
        }
    }

    /// The indexed headline (none when derived) and body.
    fn texts(&self) -> [String; 2] {
        let article = &self.article;
        let headline = match article.headline_derived {
            true => String::new(),
            false => article.headline.clone(),
        };
        [headline, article.full_body()]
    }

    /// What a feedback sample reads: headline and body as the embedded engine joins them.
    fn sample_text(&self) -> String {
        let [headline, body] = self.texts();
        format!("{headline}\n\n{body}")
    }

    fn stems(&self, known: &Stems) -> &[Vec<Rc<str>>; 2] {
        self.stems
            .get_or_init(|| self.texts().map(|t| known.of(&t)))
    }

    fn lengths(&self, known: &Stems) -> [u32; 2] {
        let [h, b] = self.stems(known);
        [h, b].map(|s| scoring::stored_length(s.len()))
    }

    fn freq(&self, known: &Stems, word: &str) -> [f32; 2] {
        let [h, b] = self.stems(known);
        [h, b].map(|s| s.iter().filter(|w| ***w == *word).count() as f32)
    }

    fn positions(&self, known: &Stems, word: &str) -> [Vec<u32>; 2] {
        let [h, b] = self.stems(known);
        [h, b].map(|s| {
            s.iter()
                .enumerate()
                .filter(|(_, w)| ***w == *word)
                .map(|(i, _)| i as u32)
                .collect()
        })
    }
}

/// Each distinct word's stem, looked up once per search (the candidates of one search share
/// most of their words) and worked out once per process ([`shared_stem`]): stemming every
/// token of every candidate was most of the second pass's time, and after the first searches
/// nearly every word of an article has been seen. A word is analysed alone by the stemmed
/// analyzer, which gives what it gives for that word inside a text: the tokenizer splits as
/// [`analysis::words`] does and every filter works token by token (an over-long word yields
/// nothing, as in a text).
pub struct Stems {
    /// Per search, so a token's stem is shared by reference: the hash is Fx, not SipHash,
    /// since the keys are words of the cluster's articles, looked up tens of thousands of times
    /// per search, not keys an attacker picks to collide.
    known: RefCell<FxHashMap<String, Option<Rc<str>>>>,
    analyzer: RefCell<Option<TextAnalyzer>>,
}

impl Default for Stems {
    fn default() -> Stems {
        Stems {
            known: RefCell::new(FxHashMap::default()),
            analyzer: RefCell::new(None),
        }
    }
}

/// Words whose stems the process keeps; past this the memo starts afresh, so a long-running
/// server over ever new vocabulary holds a few megabytes at most.
const SHARED_STEMS: usize = 200_000;

/// The process's memo of stems (`None` for a word the analyzer drops). A stem depends on the
/// word alone, never on an index or a request, so every search can share it.
fn shared_stems() -> &'static Mutex<Memo<Option<Box<str>>>> {
    static SHARED: OnceLock<Mutex<Memo<Option<Box<str>>>>> = OnceLock::new();
    SHARED.get_or_init(|| Mutex::new(Memo::new(SHARED_STEMS)))
}

/// The stem of `word`, from the process's memo or worked out by `analyzer` (made on first
/// need) and remembered.
fn shared_stem(word: &str, analyzer: &mut Option<TextAnalyzer>) -> Option<Rc<str>> {
    let memo = shared_stems();
    // A poisoned memo only means another search panicked mid-insert; its entries are whole.
    if let Some(stem) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(word) {
        return stem.as_deref().map(Rc::from);
    }
    let analyzer = analyzer.get_or_insert_with(analysis::stemmed);
    let stem = analysis::terms(analyzer, word).into_iter().next();
    let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
    memo.insert(word, stem.as_deref().map(Box::from));
    stem.as_deref().map(Rc::from)
}

impl Stems {
    /// The stemmed analyzer's tokens of `text`, in order.
    fn of(&self, text: &str) -> Vec<Rc<str>> {
        let mut known = self.known.borrow_mut();
        let mut out = Vec::new();
        for w in analysis::words(text) {
            let word = &text[w.start..w.end];
            let stem = match known.get(word) {
                Some(stem) => stem.clone(),
                None => {
                    let stem = shared_stem(word, &mut self.analyzer.borrow_mut());
                    known.insert(word.to_string(), stem.clone());
                    stem
                }
            };
            out.extend(stem);
        }
        out
    }
}

/// Document frequencies of words: in the headline, in the body, in either.
#[derive(Debug, Default, Clone)]
pub struct DocFreqs {
    pub headline: HashMap<String, u64>,
    pub body: HashMap<String, u64>,
    pub either: HashMap<String, u64>,
}

/// Names of the aggregations that count them.
const IN_HEADLINE: &str = "df_headline";
const IN_BODY: &str = "df_body";
const IN_EITHER: &str = "df_either";

impl DocFreqs {
    /// Aggregations over the whole index counting `words` in either field (and, with
    /// `per_field`, in each), to put under a `global` aggregation or a match-all search.
    pub fn aggregations(words: &[String], per_field: bool) -> Value {
        let filters = |field: &str| {
            let f: serde_json::Map<String, Value> = words
                .iter()
                .map(|w| (w.clone(), json!({ "term": { field: w } })))
                .collect();
            json!({ "filters": { "filters": f } })
        };
        let mut aggs = serde_json::Map::new();
        aggs.insert(IN_EITHER.into(), filters(name::STEMS));
        if per_field {
            aggs.insert(IN_HEADLINE.into(), filters(name::HEADLINE_STEMS));
            aggs.insert(IN_BODY.into(), filters(name::BODY_STEMS));
        }
        Value::Object(aggs)
    }

    /// The counts from a reply's aggregations (`aggs` is the object holding them).
    pub fn from_aggregations(aggs: &Value) -> DocFreqs {
        let read = |agg: &str| -> HashMap<String, u64> {
            aggs[agg]["buckets"]
                .as_object()
                .map(|b| {
                    b.iter()
                        .filter_map(|(w, v)| Some((w.clone(), v["doc_count"].as_u64()?)))
                        .collect()
                })
                .unwrap_or_default()
        };
        DocFreqs {
            headline: read(IN_HEADLINE),
            body: read(IN_BODY),
            either: read(IN_EITHER),
        }
    }

    fn either(&self, word: &str) -> u64 {
        self.either.get(word).copied().unwrap_or(0)
    }

    /// What feedback's idf reads: the larger of the per-field counts (the embedded engine's).
    fn larger(&self, word: &str) -> u64 {
        let h = self.headline.get(word).copied().unwrap_or(0);
        let b = self.body.get(word).copied().unwrap_or(0);
        h.max(b)
    }
}

/// The second pass's plan for one search.
pub struct Plan<'a> {
    pub ranking: &'a Ranking,
    /// The query's scored stems in its order.
    pub words: &'a [String],
    /// Whether feedback is asked for (optional words, relevance order, feedback on).
    pub feedback: bool,
    pub collection: Collection,
    /// The candidates' words' stems, shared by all of them.
    known: Stems,
}

impl<'a> Plan<'a> {
    pub fn new(
        ranking: &'a Ranking,
        words: &'a [String],
        feedback: bool,
        collection: Collection,
    ) -> Plan<'a> {
        Plan {
            ranking,
            words,
            feedback,
            collection,
            known: Stems::default(),
        }
    }

    /// The pairs of words that proximity scores (`scoring::pairs`, as the embedded engine).
    pub fn pairs(&self) -> Vec<Pair> {
        scoring::pairs(self.words, &self.ranking.proximity)
    }

    /// Whether the feedback gate could open before anything is read: then every candidate's
    /// text is wanted.
    pub fn may_feed(&self) -> bool {
        self.feedback && self.words.len() >= self.ranking.feedback.min_words.max(1)
    }

    /// The words of the feedback samples a relevance model would weigh (the noise dropped),
    /// or `None` when the gate shuts before the samples are read.
    pub fn sample_words(
        &self,
        top: &[Candidate],
        total: u64,
    ) -> (Option<Vec<String>>, FeedbackDecision) {
        let params = self.ranking.feedback;
        let scores: Vec<f32> = top.iter().map(|c| c.score).collect();
        let (decision, open) = feedback::first_look(&params, self.words.len(), total, &scores);
        if !open {
            return (None, decision);
        }
        let mut stem = analysis::stemmed();
        let mut stop = analysis::stop_words();
        let words: BTreeSet<String> = top[..params.docs.min(top.len())]
            .iter()
            .flat_map(|c| analysis::terms(&mut stem, &c.sample_text()))
            .collect();
        let words = words
            .into_iter()
            .filter(|w| !feedback::is_noise(w, &mut stop))
            .collect();
        (Some(words), decision)
    }

    /// The relevance model of the samples under `freqs`, with the gate's final word.
    pub fn expansion(
        &self,
        top: &[Candidate],
        freqs: &DocFreqs,
        mut decision: FeedbackDecision,
    ) -> (Vec<Expansion>, FeedbackDecision) {
        let params = self.ranking.feedback;
        let texts: Vec<(f32, String)> = top[..params.docs.min(top.len())]
            .iter()
            .map(|c| (c.score, c.sample_text()))
            .collect();
        let samples: Vec<Sample<'_>> = texts
            .iter()
            .map(|(score, text)| Sample {
                score: *score,
                text,
            })
            .collect();
        let docs = self.collection.docs;
        let idf = |term: &str| -> f32 { scoring::idf(docs, freqs.larger(term)) };
        let expansion = feedback::expand(&params, &mut decision, &samples, &idf);
        (expansion, decision)
    }

    /// Each proximity pair with its idf (the mean of its words').
    fn weighted_pairs(&self, freqs: &DocFreqs) -> Vec<(Pair, f32)> {
        let idf = |i: usize| scoring::idf(self.collection.docs, freqs.either(&self.words[i]));
        self.pairs()
            .into_iter()
            .map(|p| (p, (idf(p.first) + idf(p.second)) / 2.0))
            .collect()
    }

    /// The most the proximity pairs can add to any candidate's score (each pair saturates at
    /// `weight x idf x (k1 + 1)`), with a hair of slack so float rounding never leaves out a
    /// candidate that ties.
    fn most_proximity(&self, pairs: &[(Pair, f32)]) -> f32 {
        let k1 = self.ranking.bm25f.k1;
        let prox = &self.ranking.proximity;
        let most: f32 = pairs
            .iter()
            .map(|(p, idf)| p.weight(prox) * idf * (k1 + 1.0))
            .sum();
        most * (1.0 + 1e-4) + 1e-6
    }

    /// The top re-scored, best first: `original weight x (first pass + proximity) + feedback`
    /// over the first `depth`, the rest after them scaled by the original weight. Only the first
    /// `end` places must be exact (the page asked for): with proximity alone, as in the embedded
    /// engine, a candidate is read only if it could climb into them (its first-pass score plus
    /// the most the pairs can add reaches the page's lowest final score).
    /// `freqs.either` holds the query words' and the expansion's document frequencies.
    pub fn rescore(
        &self,
        mut top: Vec<Candidate>,
        end: usize,
        expansion: &[Expansion],
        freqs: &DocFreqs,
    ) -> Vec<Rescored> {
        let depth = self.ranking.depth.max(1).min(top.len());
        let rest = top.split_off(depth);
        let docs = self.collection.docs;
        let idf = |w: &str| scoring::idf(docs, freqs.either(w));
        let pairs = self.weighted_pairs(freqs);
        let original_weight = if expansion.is_empty() {
            1.0
        } else {
            self.ranking.feedback.original_weight.clamp(0.0, 1.0)
        };
        // Each expansion word's boost is its share of the expansion's weight in the query as a
        // whole, the original words weighing 1 each.
        let scale = (1.0 - original_weight) * self.words.len().max(1) as f32;
        let expanded: Vec<(&str, f32, f32)> = expansion
            .iter()
            .map(|e| (e.term.as_str(), scale * e.weight, idf(&e.term)))
            .collect();
        let unread = |candidate: Candidate| Rescored {
            score: original_weight * candidate.score,
            original_weight,
            near: Vec::new(),
            feedback: Vec::new(),
            candidate,
        };
        let read = |candidate: Candidate| self.parts(candidate, &pairs, &expanded, original_weight);
        let mut scored: Vec<Rescored> = if pairs.is_empty() && expanded.is_empty() {
            top.into_iter().map(unread).collect()
        } else if expanded.is_empty() {
            let most = self.most_proximity(&pairs);
            let climbers = top.split_off(end.min(top.len()));
            let mut out: Vec<Rescored> = top.into_iter().map(read).collect();
            let floor = out.iter().map(|r| r.score).fold(f32::INFINITY, f32::min);
            out.extend(climbers.into_iter().map(|c| match c.score + most >= floor {
                true => read(c),
                false => unread(c),
            }));
            out
        } else {
            top.into_iter().map(read).collect()
        };
        // Stable: equal scores keep the first pass's order.
        scored.sort_by(|a, b| b.score.total_cmp(&a.score));
        scored.extend(rest.into_iter().map(unread));
        scored
    }

    /// One candidate's proximity and feedback parts, from its analysed text.
    fn parts(
        &self,
        candidate: Candidate,
        pairs: &[(Pair, f32)],
        expanded: &[(&str, f32, f32)],
        original_weight: f32,
    ) -> Rescored {
        let (bm25f, prox, c) = (
            &self.ranking.bm25f,
            &self.ranking.proximity,
            &self.collection,
        );
        let known = &self.known;
        let len = candidate.lengths(known);
        let positions: Vec<[Vec<u32>; 2]> = match pairs.is_empty() {
            true => Vec::new(),
            false => self
                .words
                .iter()
                .map(|w| candidate.positions(known, w))
                .collect(),
        };
        let near: Vec<(String, f32)> = pairs
            .iter()
            .map(|(pair, idf)| {
                let (a, b) = (pair.first, pair.second);
                let met = [0, 1].map(|slot| {
                    scoring::meetings(&positions[a][slot], &positions[b][slot], prox.window)
                });
                let score = scoring::pair_score(bm25f, prox, pair, *idf, met, len, c);
                (pair.label(self.words), score)
            })
            .collect();
        let feedback: Vec<(String, f32)> = expanded
            .iter()
            .map(|&(w, boost, idf)| {
                let s = boost * scoring::word_score(bm25f, idf, candidate.freq(known, w), len, c);
                (format!("expansion({w})"), s)
            })
            .collect();
        let sum = |parts: &[(String, f32)]| parts.iter().map(|p| p.1).sum::<f32>();
        Rescored {
            score: original_weight * (candidate.score + sum(&near)) + sum(&feedback),
            original_weight,
            near,
            feedback,
            candidate,
        }
    }
}

/// One candidate after the second pass, with the parts of its score.
pub struct Rescored {
    pub score: f32,
    pub original_weight: f32,
    /// Each proximity pair's part, named.
    pub near: Vec<(String, f32)>,
    /// Each expansion word's part, named.
    pub feedback: Vec<(String, f32)>,
    pub candidate: Candidate,
}

impl Rescored {
    /// The explanation tree of the final score, around the first pass's (Lucene's).
    pub fn explain(&self, first: Value) -> Value {
        let node = |description: &str, value: f32, details: Vec<Value>| json!({ "value": value, "description": description, "details": details });
        let named = |parts: &[(String, f32)]| -> Vec<Value> {
            parts
                .iter()
                .filter(|p| p.1 > 0.0)
                .map(|(name, v)| node(name, *v, Vec::new()))
                .collect()
        };
        let mut details = vec![
            node("original weight", self.original_weight, Vec::new()),
            first,
        ];
        let near: f32 = self.near.iter().map(|p| p.1).sum();
        if near > 0.0 {
            details.push(node(
                "proximity",
                self.original_weight * near,
                named(&self.near),
            ));
        }
        let fed: f32 = self.feedback.iter().map(|p| p.1).sum();
        if fed > 0.0 {
            details.push(node("feedback", fed, named(&self.feedback)));
        }
        node(
            "second pass: original weight x (first pass + proximity) + feedback",
            self.score,
            details,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(score: f32, id: &str, headline: &str, body: &str) -> Candidate {
        let mut source = json!({ "id": id, "text": body });
        if !headline.is_empty() {
            source["headline"] = json!(headline);
        }
        let article = super::super::document::from_source(&source);
        Candidate::new(score, json!({ "_id": id }), article)
    }

    #[test]
    fn a_texts_stems_are_the_analyzers_whether_worked_out_or_remembered_by_the_process() {
        let long = "x".repeat(70);
        let text = format!(
            "Running runners ran; Café naïve RESUMES {long} 2016 flies, fly-fishing and the \
             runners' stories"
        );
        let expected = analysis::terms(&mut analysis::stemmed(), &text);
        assert!(expected.iter().any(|s| s == "runner"), "{expected:?}");
        assert!(!expected.iter().any(|s| s.len() >= 64), "{expected:?}");
        // The first search works every word out; later ones, with their own per-search memo,
        // take them from the process's.
        for _ in 0..3 {
            let stems = Stems::default();
            let got: Vec<String> = stems.of(&text).iter().map(|s| s.to_string()).collect();
            assert_eq!(got, expected);
        }
        assert_eq!(
            shared_stems().lock().unwrap().get("Running").cloned(),
            Some(Some("run".into()))
        );
        assert_eq!(
            shared_stems().lock().unwrap().get(long.as_str()),
            Some(&None)
        );
    }

    #[test]
    fn document_frequencies_are_read_per_field_and_either() {
        let reply = json!({
            "df_headline": { "buckets": { "storm": { "doc_count": 3 } } },
            "df_body": { "buckets": { "storm": { "doc_count": 7 }, "ship": { "doc_count": 2 } } },
            "df_either": { "buckets": { "storm": { "doc_count": 8 } } },
        });
        let freqs = DocFreqs::from_aggregations(&reply);
        assert_eq!(freqs.larger("storm"), 7);
        assert_eq!(freqs.larger("ship"), 2);
        assert_eq!(freqs.either("storm"), 8);
        assert_eq!(freqs.either("absent"), 0);
        let aggs = DocFreqs::aggregations(&["storm".into()], true).to_string();
        assert!(aggs.contains(r#"{"term":{"stems":"storm"}}"#), "{aggs}");
        assert!(
            aggs.contains(r#"{"term":{"headline_stems":"storm"}}"#),
            "{aggs}"
        );
    }

    /// The two-word query the re-ranking tests below rank, over 100 short articles.
    fn interest_rate_plan() -> Plan<'static> {
        static QUERY: std::sync::LazyLock<(Ranking, [String; 2])> =
            std::sync::LazyLock::new(|| (Ranking::default(), ["interest".into(), "rate".into()]));
        let collection = Collection {
            docs: 100,
            avg: [4.0, 12.0],
        };
        Plan::new(&QUERY.0, &QUERY.1, false, collection)
    }

    /// Document frequencies in either field, as the cluster reports them.
    fn in_either(counts: &[(&str, u64)]) -> DocFreqs {
        let mut freqs = DocFreqs::default();
        for (word, n) in counts {
            freqs.either.insert(word.to_string(), *n);
        }
        freqs
    }

    #[test]
    fn proximity_lifts_the_words_together_and_keeps_the_rest_in_order() {
        let plan = interest_rate_plan();
        let pairs: Vec<(usize, usize)> = plan.pairs().iter().map(|p| (p.first, p.second)).collect();
        assert_eq!(pairs, vec![(0, 1)]);
        let apart = candidate(2.0, "apart", "", "rate news and more about interest today");
        let together = candidate(1.9, "together", "", "the interest rate rose again today");
        let freqs = in_either(&[("interest", 10), ("rate", 10)]);
        let out = plan.rescore(vec![apart, together], 2, &[], &freqs);
        let ids: Vec<&str> = out
            .iter()
            .map(|r| r.candidate.hit["_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["together", "apart"]);
        // Apart, the words meet within the window only (reversed): still a little lift.
        assert!(out[1].score > 2.0 && out[0].score > out[1].score);
        let tree = out[0]
            .explain(json!({ "value": 1.9, "description": "first" }))
            .to_string();
        assert!(tree.contains("near(interest rate)"), "{tree}");
    }
}
