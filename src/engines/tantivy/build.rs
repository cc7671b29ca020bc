//! Query tree -> tantivy query, plus the list of what matched for the snippet generator and an
//! account of how each part of the query was understood (for `--explain`).
//!
//! Unquoted words go to the stemmed fields, scored by BM25F over headline and body together;
//! phrases and prefixes go to the exact fields; scoped leaves go to their one field. Negated
//! leaves are never added to the highlight list.
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur as TOccur, PhrasePrefixQuery,
    PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::bm25f::Bm25fQuery;
use super::document::to_tantivy_date;
use super::schema::Fields;
use crate::analysis::{self, normalize_keyword};
use crate::entities::EntityKind;
use crate::entities::rules::EntityRules;
use crate::ingest::source::key as source_key;
use crate::model::explain::{LeafKind, Role, Understood};
use crate::model::highlight::Highlight;
use crate::model::names;
use crate::model::query::{Node, Occur, Scope};
use crate::model::ranking::{Bm25fParams, HEADLINE_BOOST};
use crate::model::sources::SourceTable;

pub struct Builder<'a> {
    fields: &'a Fields,
    stem: TextAnalyzer,
    exact: TextAnalyzer,
    stop: TextAnalyzer,
    bm25f: Bm25fParams,
    /// Drop optional stop words (long natural-language queries).
    pub drop_stop_words: bool,
    /// The role of the clause being built.
    role: Role,
    pub highlights: Vec<Highlight>,
    pub understood: Vec<Understood>,
    /// Positive unquoted words scored with BM25F over both text fields, in the query's order:
    /// feedback's weighting counts them, proximity pairs them.
    pub scored: Vec<Bm25fQuery>,
    /// The index's sources under the search's aliases, for `source:`.
    pub sources: Option<&'a SourceTable>,
    /// The index's entity rules, for `person:` style leaves.
    pub entity_rules: Option<&'a EntityRules>,
}

impl<'a> Builder<'a> {
    pub fn new(fields: &'a Fields, bm25f: Bm25fParams) -> Self {
        Builder {
            fields,
            stem: analysis::stemmed(),
            exact: analysis::exact(),
            stop: analysis::stop_words(),
            bm25f,
            drop_stop_words: false,
            role: Role::Required,
            highlights: Vec::new(),
            understood: Vec::new(),
            scored: Vec::new(),
            sources: None,
            entity_rules: None,
        }
    }

    fn field_names(&self, fields: &[Field]) -> Vec<String> {
        fields
            .iter()
            .map(|f| self.fields.schema.get_field_name(*f).to_string())
            .collect()
    }

    fn text_fields(&self, scope: Scope, headline: Field, body: Field) -> Vec<Field> {
        match scope {
            Scope::Headline => vec![headline],
            Scope::Body => vec![body],
            _ => vec![headline, body],
        }
    }

    fn note(&mut self, text: &str, kind: LeafKind, terms: Vec<String>, fields: &[Field]) {
        let fields = self.field_names(fields);
        (self.understood).push(Understood::searched(text, kind, self.role, terms, fields));
    }

    fn note_dropped(&mut self, text: &str, kind: LeafKind, terms: Vec<String>, why: &str) {
        (self.understood).push(Understood::dropped(text, kind, self.role, terms, why));
    }

    /// Build the query for a tree; `None` means "matches everything" (an empty query).
    pub fn build(&mut self, node: &Node) -> Option<Box<dyn Query>> {
        self.node(node, true)
    }

    fn node(&mut self, node: &Node, positive: bool) -> Option<Box<dyn Query>> {
        match node {
            Node::Word { scope, text } => self.word(*scope, text, positive),
            Node::Prefix { scope, text } => self.prefix(*scope, text, positive),
            Node::Phrase { scope, text, slop } => self.phrase(*scope, text, *slop, positive),
            Node::DateRange { lower, upper } => {
                self.understood.push(Understood {
                    text: format!("{lower:?} .. {upper:?}"),
                    kind: LeafKind::Date,
                    role: self.role,
                    terms: Vec::new(),
                    fields: self.field_names(&[self.fields.date]),
                    dropped: None,
                });
                Some(self.date_range(*lower, *upper))
            }
            Node::Group(clauses) => self.group(clauses, positive),
        }
    }

    fn group(&mut self, clauses: &[(Occur, Node)], positive: bool) -> Option<Box<dyn Query>> {
        let mut subs: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
        let outer = self.role;
        for (occur, child) in clauses {
            let child_positive = positive && *occur != Occur::MustNot;
            self.role = match (outer, occur) {
                (Role::Excluded, _) | (_, Occur::MustNot) => Role::Excluded,
                (_, Occur::Must) => Role::Required,
                (_, Occur::Should) => Role::Optional,
            };
            let built = self.node(child, child_positive);
            self.role = outer;
            if let Some(q) = built {
                let o = match occur {
                    Occur::Must => TOccur::Must,
                    Occur::Should => TOccur::Should,
                    Occur::MustNot => TOccur::MustNot,
                };
                subs.push((o, q));
            }
        }
        if subs.is_empty() {
            return None;
        }
        if subs.iter().all(|(o, _)| *o == TOccur::MustNot) {
            subs.push((TOccur::Must, Box::new(AllQuery)));
        }
        Some(Box::new(BooleanQuery::new(subs)))
    }

    fn word(&mut self, scope: Scope, text: &str, positive: bool) -> Option<Box<dyn Query>> {
        match scope {
            Scope::Text | Scope::Headline | Scope::Body => {}
            _ => return self.phrase(scope, text, 0, positive),
        }
        let terms = analysis::terms(&mut self.stem, text);
        match terms.as_slice() {
            [] => {
                self.note_dropped(
                    text,
                    LeafKind::Word,
                    terms,
                    "no letters or digits to search",
                );
                None
            }
            [term] => {
                if self.drop_stop_words
                    && self.role == Role::Optional
                    && analysis::is_stop_word(&mut self.stop, text)
                {
                    self.note_dropped(
                        text,
                        LeafKind::Word,
                        terms.clone(),
                        "stop word in a long optional-word query",
                    );
                    return None;
                }
                if positive {
                    self.highlights.push(Highlight::Stem {
                        scope,
                        term: term.clone(),
                    });
                }
                let (h, b) = (self.fields.headline, self.fields.body);
                let searched = self.text_fields(scope, h, b);
                self.note(text, LeafKind::Word, terms.clone(), &searched);
                if scope == Scope::Text {
                    let q = Bm25fQuery::new(h, b, term, self.bm25f);
                    if positive {
                        self.scored.push(q.clone());
                    }
                    return Some(Box::new(q));
                }
                Some(self.per_text_field(scope, h, b, |field| {
                    Box::new(Bm25fQuery::single(field, term))
                }))
            }
            // "covid-19" or "U.S." are several tokens: they must stay together.
            _ => self.phrase(scope, text, 0, positive),
        }
    }

    fn phrase(
        &mut self,
        scope: Scope,
        text: &str,
        slop: u32,
        positive: bool,
    ) -> Option<Box<dyn Query>> {
        if let Some(field) = self.keyword_field(scope) {
            let values = match (scope, self.sources) {
                (Scope::Source, Some(table)) => table.keys_for(text),
                (Scope::Source, None) => vec![source_key(text)],
                _ => vec![normalize_keyword(text)],
            };
            self.note(text, LeafKind::Keyword, values.clone(), &[field]);
            let subs = values
                .iter()
                .map(|v| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, v),
                        IndexRecordOption::Basic,
                    ));
                    (TOccur::Should, q)
                })
                .collect();
            return Some(Box::new(BooleanQuery::new(subs)));
        }
        let terms = analysis::terms(&mut self.exact, text);
        if terms.is_empty() {
            self.note_dropped(
                text,
                LeafKind::Phrase,
                terms,
                "no letters or digits to search",
            );
            return None;
        }
        let searched = self.exact_field_list(scope);
        self.note(text, LeafKind::Phrase, terms.clone(), &searched);
        if positive {
            self.highlights.push(Highlight::Phrase {
                scope,
                terms: terms.clone(),
                slop,
            });
        }
        let make = |field: Field| -> Box<dyn Query> {
            if terms.len() == 1 {
                return Box::new(TermQuery::new(
                    Term::from_field_text(field, &terms[0]),
                    IndexRecordOption::WithFreqs,
                ));
            }
            let ts = terms
                .iter()
                .enumerate()
                .map(|(i, t)| (i, Term::from_field_text(field, t)))
                .collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(ts, slop))
        };
        let built = self.exact_fields(scope, make);
        Some(self.under_rules(scope, built, |name| names::phrase_in(&terms, slop, name)))
    }

    fn prefix(&mut self, scope: Scope, text: &str, positive: bool) -> Option<Box<dyn Query>> {
        if self.keyword_field(scope).is_some() {
            return self.phrase(scope, text, 0, positive);
        }
        let terms = analysis::terms(&mut self.exact, text);
        if terms.is_empty() {
            self.note_dropped(
                text,
                LeafKind::Prefix,
                terms,
                "no letters or digits to search",
            );
            return None;
        }
        let searched = self.exact_field_list(scope);
        self.note(text, LeafKind::Prefix, terms.clone(), &searched);
        if positive {
            self.highlights.push(Highlight::Prefix {
                scope,
                terms: terms.clone(),
            });
        }
        let make = |field: Field| -> Box<dyn Query> {
            if terms.len() == 1 {
                // Tokens are alphanumeric after analysis, so they need no regex escaping.
                let pattern = format!("{}.*", escape_regex(&terms[0]));
                return match RegexQuery::from_pattern(&pattern, field) {
                    Ok(q) => Box::new(q),
                    Err(_) => Box::new(EmptyQuery),
                };
            }
            let ts = terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            Box::new(PhrasePrefixQuery::new(ts))
        };
        let built = self.exact_fields(scope, make);
        Some(self.under_rules(scope, built, |name| names::prefix_in(&terms, name)))
    }

    /// An entity leaf as the rules show names: without the articles it matched only through a
    /// name now shown as something it does not match, with those whose names are now shown as
    /// something it matches. `matches` tests one name's exact tokens.
    fn under_rules(
        &mut self,
        scope: Scope,
        built: Box<dyn Query>,
        matches: impl Fn(&[String]) -> bool,
    ) -> Box<dyn Query> {
        let Some((excluded, included)) =
            names::leaf_change(self.entity_rules, scope, &mut self.exact, matches)
        else {
            return built;
        };
        let kept: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (TOccur::Must, built),
            (TOccur::MustNot, entity_terms(self.fields, &excluded)),
        ]));
        Box::new(BooleanQuery::new(vec![
            (TOccur::Should, kept),
            (TOccur::Should, entity_terms(self.fields, &included)),
        ]))
    }

    fn keyword_field(&self, scope: Scope) -> Option<Field> {
        match scope {
            Scope::Source => Some(self.fields.source_key),
            Scope::Section => Some(self.fields.section_key),
            _ => None,
        }
    }

    /// The exact field(s) a scope covers.
    fn exact_field_list(&self, scope: Scope) -> Vec<Field> {
        let f = self.fields;
        match scope {
            Scope::Author => vec![f.authors],
            Scope::Quote => vec![f.quote],
            Scope::Entity(kind) => vec![f.entity_text_field(kind)],
            _ => self.text_fields(scope, f.headline, f.body),
        }
    }

    /// Apply `make` to the exact field(s) a scope covers.
    fn exact_fields(&self, scope: Scope, make: impl Fn(Field) -> Box<dyn Query>) -> Box<dyn Query> {
        let f = self.fields;
        match scope {
            Scope::Author => make(f.authors),
            Scope::Quote => make(f.quote),
            Scope::Entity(kind) => make(f.entity_text_field(kind)),
            _ => self.per_text_field(scope, f.headline, f.body, make),
        }
    }

    /// Headline (boosted) and/or body versions of one query.
    fn per_text_field(
        &self,
        scope: Scope,
        headline: Field,
        body: Field,
        make: impl Fn(Field) -> Box<dyn Query>,
    ) -> Box<dyn Query> {
        match scope {
            Scope::Headline => make(headline),
            Scope::Body => make(body),
            _ => Box::new(BooleanQuery::new(vec![
                (
                    TOccur::Should,
                    Box::new(BoostQuery::new(make(headline), HEADLINE_BOOST)) as Box<dyn Query>,
                ),
                (TOccur::Should, make(body)),
            ])),
        }
    }

    fn date_range(
        &self,
        lower: Bound<chrono::NaiveDate>,
        upper: Bound<chrono::NaiveDate>,
    ) -> Box<dyn Query> {
        date_range_query(self.fields.date, lower, upper)
    }
}

/// Articles dated within the bounds (whole days).
pub fn date_range_query(
    field: Field,
    lower: Bound<chrono::NaiveDate>,
    upper: Bound<chrono::NaiveDate>,
) -> Box<dyn Query> {
    if matches!((lower, upper), (Bound::Unbounded, Bound::Unbounded)) {
        return Box::new(AllQuery);
    }
    let term = |d: chrono::NaiveDate| Term::from_field_date(field, to_tantivy_date(d));
    // Dates are stored at midnight, so a whole-day bound is one day's midnight.
    let lower = match lower {
        Bound::Included(d) => Bound::Included(term(d)),
        Bound::Excluded(d) => Bound::Excluded(term(d)),
        Bound::Unbounded => Bound::Unbounded,
    };
    let upper = match upper {
        Bound::Included(d) => Bound::Included(term(d)),
        Bound::Excluded(d) => Bound::Excluded(term(d)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(lower, upper))
}

/// Articles with any of the indexed entities `names`; none for an empty list.
pub fn entity_terms(fields: &Fields, names: &[(EntityKind, String)]) -> Box<dyn Query> {
    if names.is_empty() {
        return Box::new(EmptyQuery);
    }
    let subs = names
        .iter()
        .map(|(kind, name)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(fields.entity_field(*kind), name),
                IndexRecordOption::Basic,
            ));
            (TOccur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(subs))
}

fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
