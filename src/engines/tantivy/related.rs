//! Related coverage in the embedded index: the articles most like one article, for the article
//! view. Words alone find articles on the same topic;
//! shared named entities find the same story told by another outlet, so both take part: a
//! more-like-this query over the stemmed headline and body, and a boosted clause per entity the
//! article names. The article itself is excluded by id.
use std::collections::HashMap;
use tantivy::collector::TopDocs;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::bm25f::{self, Bm25fQuery};
use super::document::read_article;
use super::schema::Fields;
use crate::Result;
use crate::analysis;
use crate::model::article::StoredArticle;
use crate::model::related::{ENTITY_BOOST, MAX_QUERY_TERMS, RELATIVE_FLOOR, STOP_WORDS};
use crate::model::results::RelatedHit;

/// Stems shorter than this (in bytes) are too ambiguous to say what an article is about.
const MIN_WORD_BYTES: usize = 3;
/// A stem must occur in at least this many articles (the article itself and one other).
const MIN_DOC_FREQ: u64 = 2;

/// The top `limit` articles like `article`, best first.
pub fn related(
    fields: &Fields,
    searcher: &Searcher,
    article: &StoredArticle,
    limit: usize,
) -> Result<Vec<RelatedHit>> {
    let query = related_query(fields, searcher, article)?;
    let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
    let floor = top.first().map_or(0.0, |(best, _)| best * RELATIVE_FLOOR);
    top.into_iter()
        .take_while(|(score, _)| *score >= floor)
        .map(|(score, addr)| {
            let found = read_article(fields, searcher, addr)?;
            Ok(RelatedHit {
                id: found.id,
                headline: found.headline,
                source: found.source,
                date: found.date,
                score,
            })
        })
        .collect()
}

fn related_query(
    fields: &Fields,
    searcher: &Searcher,
    article: &StoredArticle,
) -> Result<BooleanQuery> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(words_like(fields, searcher, article)?),
    )];
    for (kind, names) in &article.entities {
        for name in names {
            let term = Term::from_field_text(fields.entity_field(*kind), name);
            let q = TermQuery::new(term, IndexRecordOption::Basic);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), ENTITY_BOOST)),
            ));
        }
    }
    let itself = Term::from_field_text(fields.id, &article.id);
    clauses.push((
        Occur::MustNot,
        Box::new(TermQuery::new(itself, IndexRecordOption::Basic)),
    ));
    Ok(BooleanQuery::new(clauses))
}

/// More-like-this over the stemmed headline and body words, tuned to the index size: a term must
/// occur in at least one other article to say anything, and one in most articles says nothing.
/// Each of the article's stems is weighed by its count times its idf in that field, and the best
/// make one optional clause each, matched in every exact form of the stem.
fn words_like(
    fields: &Fields,
    searcher: &Searcher,
    article: &StoredArticle,
) -> Result<BooleanQuery> {
    let body = article.full_body();
    // Short texts rarely repeat a word; demanding two occurrences would leave no terms at all.
    let min_tf = if body.split_whitespace().count() < 300 {
        1
    } else {
        2
    };
    let num_docs = searcher.num_docs();
    let max_df = if num_docs >= 20 {
        num_docs * 2 / 5
    } else {
        u64::MAX
    };
    let mut stem = analysis::stemmed();
    let mut counts: HashMap<(Field, String), usize> = HashMap::new();
    for (field, text) in [
        (fields.headline, article.headline.as_str()),
        (fields.body, &body),
    ] {
        for word in analysis::terms(&mut stem, text) {
            if word.len() >= MIN_WORD_BYTES && !STOP_WORDS.contains(&word.as_str()) {
                *counts.entry((field, word)).or_insert(0) += 1;
            }
        }
    }
    let mut scored = Vec::new();
    for ((field, word), tf) in counts {
        if tf < min_tf {
            continue;
        }
        let df = bm25f::doc_freq(searcher, field, &word)?;
        if df < MIN_DOC_FREQ || df > max_df {
            continue;
        }
        scored.push((tf as f32 * bm25f::idf(num_docs, df), field, word));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    scored.truncate(MAX_QUERY_TERMS);
    let clauses: Vec<(Occur, Box<dyn Query>)> = scored
        .into_iter()
        .map(|(_, field, word)| {
            let q = Bm25fQuery::single(field, &word).presence_only();
            (Occur::Should, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    Ok(BooleanQuery::new(clauses))
}
