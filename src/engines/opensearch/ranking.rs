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
use serde_json::{Value, json};

use crate::analysis;
use crate::ingest::Article;
use crate::model::fields::name;
use crate::model::ranking::Bm25fParams;
use crate::model::scoring::{self, Collection};

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

/// Articles and total headline and body tokens of an index.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    pub docs: u64,
    pub tokens: [u64; 2],
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
        }
    }

    pub fn to_json(self) -> Value {
        json!({ "docs": self.docs, "headline_tokens": self.tokens[0], "body_tokens": self.tokens[1] })
    }

    /// The figures as saved in the settings document; `None` when none were saved.
    pub fn from_json(v: &Value) -> Option<Figures> {
        Some(Figures {
            docs: v["docs"].as_u64()?,
            tokens: [v["headline_tokens"].as_u64()?, v["body_tokens"].as_u64()?],
        })
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

/// Prefixes of the names [`name_words`] gives a word's clause (its score) and the clause's
/// term (the word's idf), as `matched_queries` reports them.
pub const WORD_NAME: &str = "newsdex_word:";
pub const IDF_NAME: &str = "newsdex_idf:";

/// Name every word-over-headline-and-body clause of `query` and its term, so a search asked with
/// `include_named_queries_score` returns, per hit, each word's score and idf. Their ratio is the
/// word's saturated weighted frequency in that hit, whatever statistics the shards scored with.
pub fn name_words(query: &mut Value) {
    match query {
        Value::Object(map) => {
            if let Some(Value::Object(score)) = map.get_mut("script_score") {
                let word = score["script"]["params"]["t"].as_str().map(str::to_string);
                let term = &mut score["query"]["term"];
                if let (Some(word), Some(value)) = (word, term.get(name::STEMS).cloned()) {
                    term[name::STEMS] =
                        json!({ "value": value, "_name": format!("{IDF_NAME}{word}") });
                    score.insert("_name".into(), json!(format!("{WORD_NAME}{word}")));
                }
            }
            map.values_mut().for_each(name_words);
        }
        Value::Array(items) => items.iter_mut().for_each(name_words),
        _ => {}
    }
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

    #[test]
    fn only_words_over_both_fields_are_named() {
        let c = Collection {
            docs: 10,
            avg: [4.0, 12.0],
        };
        let p = Bm25fParams::default();
        let mut q = json!({ "bool": { "must": [word_query("storm", &p, &c)],
            "should": [field_word_query(0, "ship", &c)] } });
        name_words(&mut q);
        let word = &q["bool"]["must"][0]["script_score"];
        assert_eq!(word["_name"], json!("newsdex_word:storm"));
        assert_eq!(
            word["query"]["term"][name::STEMS]["_name"],
            json!("newsdex_idf:storm")
        );
        assert_eq!(word["query"]["term"][name::STEMS]["value"], json!("storm"));
        let field = &q["bool"]["should"][0]["script_score"];
        assert!(field.get("_name").is_none(), "{field}");
    }
}
