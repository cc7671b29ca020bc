//! Related coverage in the embedded index: the articles most like one article, for the article
//! view. Words alone find articles on the same topic;
//! shared named entities find the same story told by another outlet, so both take part: a
//! more-like-this query over the stemmed headline and body, and a boosted clause per entity the
//! article names. The article itself is excluded by id.
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::Result;
use crate::backend::RelatedHit;
use crate::index::Fields;
use crate::index::document::{StoredArticle, from_document};

/// Shared entities count for more than shared words: a name in common is a strong sign of one story.
pub const ENTITY_BOOST: f32 = 2.0;
/// Hits scoring under this share of the best one share little more than a common word with the
/// article; listing them as related coverage would mislead.
pub const RELATIVE_FLOOR: f32 = 0.2;
/// Most distinctive terms taken from the article.
pub const MAX_QUERY_TERMS: usize = 30;
/// Function words the stemmed analyzer keeps; as query terms they would match everything.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "he", "her", "his", "i", "in", "is", "it", "its", "not", "of", "on", "or", "s", "said",
    "she", "that", "the", "their", "there", "they", "this", "to", "wa", "was", "we", "were",
    "which", "who", "will", "with", "would", "year", "also", "more", "new", "one", "after",
    "about", "than", "them", "all", "up", "out", "can", "what", "so", "if", "into",
];

/// The top `limit` articles like `article`, best first.
pub fn related(
    fields: &Fields,
    searcher: &Searcher,
    article: &StoredArticle,
    limit: usize,
) -> Result<Vec<RelatedHit>> {
    let query = related_query(fields, searcher.num_docs(), article);
    let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
    let floor = top.first().map_or(0.0, |(best, _)| best * RELATIVE_FLOOR);
    top.into_iter()
        .take_while(|(score, _)| *score >= floor)
        .map(|(score, addr)| {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let found = from_document(fields, &doc);
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

fn related_query(fields: &Fields, num_docs: u64, article: &StoredArticle) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(words_like(fields, num_docs, article)),
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
    BooleanQuery::new(clauses)
}

/// More-like-this over the stemmed fields, tuned to the index size: a term must occur in at least
/// one other article to say anything, and one in most articles says nothing.
fn words_like(fields: &Fields, num_docs: u64, article: &StoredArticle) -> MoreLikeThisQuery {
    let body = article.full_body();
    // Short texts rarely repeat a word; demanding two occurrences would leave no terms at all.
    let min_tf = if body.split_whitespace().count() < 300 {
        1
    } else {
        2
    };
    let mut builder = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(2)
        .with_min_term_frequency(min_tf)
        .with_max_query_terms(MAX_QUERY_TERMS)
        .with_min_word_length(3)
        .with_stop_words(STOP_WORDS.iter().map(|s| s.to_string()).collect());
    if num_docs >= 20 {
        builder = builder.with_max_doc_frequency(num_docs * 2 / 5);
    }
    builder.with_document_fields(vec![
        (
            fields.headline,
            vec![OwnedValue::Str(article.headline.clone())],
        ),
        (fields.body, vec![OwnedValue::Str(body)]),
    ])
}
