//! Our query tree in OpenSearch's query DSL, with the highlights the shared snippet generator
//! marks.
//!
//! Words are analysed here with the embedded analyzers and sent as terms, so both engines match
//! the same tokens: a word is a stem (newsdex's own stems are indexed, since the cluster's
//! Snowball stems some words otherwise) scored by the embedded engine's BM25F over headline and
//! body (see [`super::ranking`]; a word scoped to one field is a term there), a phrase a
//! span-near of exact terms in order within the slop (the embedded phrase query's rule), a
//! prefix a prefix query (or a phrase prefix) on the exact subfields. Source and section scopes
//! are keyword matches on the folded keys, exactly as in the embedded index.
use std::ops::Bound;

use chrono::NaiveDate;
use serde_json::{Value, json};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, normalize_keyword};
use crate::entities::EntityKind;
use crate::entities::rules::EntityRules;
use crate::ingest::source::key as source_key;
use crate::model::explain::{LeafKind, Role, Understood};
use crate::model::fields::name;
use crate::model::highlight::Highlight;
use crate::model::names;
use crate::model::query::{Node, Occur, Scope};
use crate::model::ranking::{Bm25fParams, HEADLINE_BOOST};
use crate::model::request::SearchRequest;
use crate::model::scoring::Collection;
use crate::model::sources::SourceTable;

/// Exact-analysis subfield of a ranked text field.
fn exact(field: &str) -> String {
    format!("{field}.{}", name::EXACT_SUBFIELD)
}

pub struct Translator<'a> {
    stem: TextAnalyzer,
    exact: TextAnalyzer,
    stop: TextAnalyzer,
    bm25f: Bm25fParams,
    /// The index's collection figures, which BM25F's length normalisation reads.
    collection: Collection,
    pub drop_stop_words: bool,
    pub sources: Option<&'a SourceTable>,
    /// The index's entity rules, for `person:` style leaves.
    pub entity_rules: Option<&'a EntityRules>,
    pub highlights: Vec<Highlight>,
    /// Positive unquoted words scored with BM25F over both text fields (their stems), in the
    /// query's order: the second pass's feedback counts them and proximity pairs them.
    pub scored: Vec<String>,
    /// Build a ranked search's first pass: a word over headline and body as its weighted stems'
    /// term (`super::ranking::first_pass_word_query`), the same articles without the script.
    pub first_pass: bool,
    /// The role of the clause being built (stop words may be dropped from optional ones).
    role: Role,
    /// How each leaf was understood, for `--explain`.
    pub understood: Vec<Understood>,
}

impl<'a> Translator<'a> {
    pub fn new(req: &SearchRequest, collection: Collection) -> Self {
        Translator {
            stem: analysis::stemmed(),
            exact: analysis::exact(),
            stop: analysis::stop_words(),
            bm25f: req.ranking.bm25f,
            collection,
            drop_stop_words: false,
            sources: None,
            entity_rules: None,
            highlights: Vec::new(),
            scored: Vec::new(),
            first_pass: false,
            role: Role::Required,
            understood: Vec::new(),
        }
    }

    fn note(&mut self, text: &str, kind: LeafKind, terms: Vec<String>, fields: &[&str]) {
        let fields = fields.iter().map(|f| f.to_string()).collect();
        (self.understood).push(Understood::searched(text, kind, self.role, terms, fields));
    }

    fn note_dropped(&mut self, text: &str, kind: LeafKind, terms: Vec<String>, why: &str) {
        (self.understood).push(Understood::dropped(text, kind, self.role, terms, why));
    }

    /// The query for a tree; `None` means "matches everything".
    pub fn build(&mut self, node: &Node) -> Option<Value> {
        self.node(node, true)
    }

    fn node(&mut self, node: &Node, positive: bool) -> Option<Value> {
        match node {
            Node::Word { scope, text } => self.word(*scope, text, positive),
            Node::Prefix { scope, text } => self.prefix(*scope, text, positive),
            Node::Phrase { scope, text, slop } => self.phrase(*scope, text, *slop, positive),
            Node::DateRange { lower, upper } => {
                let text = format!("{lower:?} .. {upper:?}");
                self.note(&text, LeafKind::Date, Vec::new(), &[name::DATE]);
                Some(date_range(*lower, *upper))
            }
            Node::Group(clauses) => self.group(clauses, positive),
        }
    }

    fn group(&mut self, clauses: &[(Occur, Node)], positive: bool) -> Option<Value> {
        let (mut must, mut should, mut must_not) = (Vec::new(), Vec::new(), Vec::new());
        let outer = self.role;
        for (occur, child) in clauses {
            // The embedded builder's roles: anything under an exclusion is excluded.
            self.role = match (outer, occur) {
                (Role::Excluded, _) | (_, Occur::MustNot) => Role::Excluded,
                (_, Occur::Must) => Role::Required,
                (_, Occur::Should) => Role::Optional,
            };
            let built = self.node(child, positive && *occur != Occur::MustNot);
            self.role = outer;
            if let Some(q) = built {
                match occur {
                    Occur::Must => must.push(q),
                    Occur::Should => should.push(q),
                    Occur::MustNot => must_not.push(q),
                }
            }
        }
        if must.is_empty() && should.is_empty() && must_not.is_empty() {
            return None;
        }
        if must.is_empty() && should.is_empty() {
            must.push(json!({ "match_all": {} }));
        }
        // As in the embedded boolean query: optional clauses beside required ones only score.
        let minimum = if must.is_empty() { 1 } else { 0 };
        Some(json!({ "bool": {
            "must": must, "should": should, "must_not": must_not,
            "minimum_should_match": minimum,
        }}))
    }

    fn word(&mut self, scope: Scope, text: &str, positive: bool) -> Option<Value> {
        if !matches!(scope, Scope::Text | Scope::Headline | Scope::Body) {
            return self.phrase(scope, text, 0, positive);
        }
        let terms = analysis::terms(&mut self.stem, text);
        match terms.as_slice() {
            [] => {
                let why = "no letters or digits to search";
                self.note_dropped(text, LeafKind::Word, terms, why);
                None
            }
            [term] => {
                if self.drop_stop_words
                    && self.role == Role::Optional
                    && analysis::is_stop_word(&mut self.stop, text)
                {
                    let why = "stop word in a long optional-word query";
                    self.note_dropped(text, LeafKind::Word, terms.clone(), why);
                    return None;
                }
                let fields: &[&str] = match scope {
                    Scope::Headline => &[name::HEADLINE_STEMS],
                    Scope::Body => &[name::BODY_STEMS],
                    _ => &[name::HEADLINE_STEMS, name::BODY_STEMS],
                };
                self.note(text, LeafKind::Word, terms.clone(), fields);
                if positive {
                    self.highlights.push(Highlight::Stem {
                        scope,
                        term: term.clone(),
                    });
                }
                if scope == Scope::Text && self.first_pass {
                    return Some(super::ranking::first_pass_word_query(term));
                }
                if scope == Scope::Text {
                    if positive {
                        self.scored.push(term.clone());
                    }
                    return Some(super::ranking::word_query(
                        term,
                        &self.bm25f,
                        &self.collection,
                    ));
                }
                let slot = usize::from(scope == Scope::Body);
                Some(super::ranking::field_word_query(
                    slot,
                    term,
                    &self.collection,
                ))
            }
            _ => self.phrase(scope, text, 0, positive),
        }
    }

    fn keyword(&mut self, scope: Scope, text: &str) -> Option<Value> {
        let (field, values) = match scope {
            Scope::Source => {
                let keys = match self.sources {
                    Some(table) => table.keys_for(text),
                    None => vec![source_key(text)],
                };
                (name::SOURCE_KEY, keys)
            }
            Scope::Section => (name::SECTION_KEY, vec![normalize_keyword(text)]),
            _ => return None,
        };
        self.note(text, LeafKind::Keyword, values.clone(), &[field]);
        Some(json!({ "terms": { field: values } }))
    }

    fn phrase(&mut self, scope: Scope, text: &str, slop: u32, positive: bool) -> Option<Value> {
        if let Some(q) = self.keyword(scope, text) {
            return Some(q);
        }
        let terms = analysis::terms(&mut self.exact, text);
        if terms.is_empty() {
            let why = "no letters or digits to search";
            self.note_dropped(text, LeafKind::Phrase, terms, why);
            return None;
        }
        let fields = exact_field_names(scope);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        self.note(text, LeafKind::Phrase, terms.clone(), &fields);
        if positive {
            self.highlights.push(Highlight::Phrase {
                scope,
                terms: terms.clone(),
                slop,
            });
        }
        let make = |field: &str| -> Value {
            if let [term] = terms.as_slice() {
                return json!({ "term": { field: term } });
            }
            let clauses: Vec<Value> = terms
                .iter()
                .map(|t| json!({ "span_term": { field: t } }))
                .collect();
            json!({ "span_near": { "clauses": clauses, "slop": slop, "in_order": true } })
        };
        let built = exact_fields(scope, make);
        Some(self.under_rules(scope, built, |name| names::phrase_in(&terms, slop, name)))
    }

    fn prefix(&mut self, scope: Scope, text: &str, positive: bool) -> Option<Value> {
        if matches!(scope, Scope::Source | Scope::Section) {
            return self.phrase(scope, text, 0, positive);
        }
        let terms = analysis::terms(&mut self.exact, text);
        if terms.is_empty() {
            let why = "no letters or digits to search";
            self.note_dropped(text, LeafKind::Prefix, terms, why);
            return None;
        }
        let fields = exact_field_names(scope);
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        self.note(text, LeafKind::Prefix, terms.clone(), &fields);
        if positive {
            self.highlights.push(Highlight::Prefix {
                scope,
                terms: terms.clone(),
            });
        }
        let make = |field: &str| -> Value {
            if let [term] = terms.as_slice() {
                return json!({ "prefix": { field: { "value": term } } });
            }
            // The embedded phrase prefix expands the last word to at most 50 terms too.
            json!({ "match_phrase_prefix": { field: { "query": terms.join(" "), "max_expansions": 50 } } })
        };
        let built = exact_fields(scope, make);
        Some(self.under_rules(scope, built, |name| names::prefix_in(&terms, name)))
    }
}

impl Translator<'_> {
    /// An entity leaf as the rules show names (the embedded builder's rule, in the DSL).
    fn under_rules(
        &mut self,
        scope: Scope,
        built: Value,
        matches: impl Fn(&[String]) -> bool,
    ) -> Value {
        let Some((excluded, included)) =
            names::leaf_change(self.entity_rules, scope, &mut self.exact, matches)
        else {
            return built;
        };
        let kept = json!({ "bool": { "must": [built], "must_not": [entity_terms(&excluded)] } });
        json!({ "bool": { "should": [kept, entity_terms(&included)], "minimum_should_match": 1 } })
    }
}

/// Articles with any of the indexed entities `names`; none for an empty list.
pub fn entity_terms(names: &[(EntityKind, String)]) -> Value {
    let should: Vec<Value> = names
        .iter()
        .map(|(kind, name)| json!({ "term": { kind.as_str(): name } }))
        .collect();
    if should.is_empty() {
        return json!({ "match_none": {} });
    }
    json!({ "bool": { "should": should, "minimum_should_match": 1 } })
}

/// Headline (weighted) and/or body versions of one leaf.
fn per_text_field(
    scope: Scope,
    headline: &str,
    body: &str,
    weight: f32,
    make: impl Fn(&str) -> Value,
) -> Value {
    match scope {
        Scope::Headline => make(headline),
        Scope::Body => make(body),
        _ => {
            let boosted = json!({ "bool": { "must": [make(headline)], "boost": weight } });
            json!({ "bool": { "should": [boosted, make(body)], "minimum_should_match": 1 } })
        }
    }
}

/// The exact field(s) a scope covers, by name.
fn exact_field_names(scope: Scope) -> Vec<String> {
    match scope {
        Scope::Author => vec![name::AUTHORS.to_string()],
        Scope::Quote => vec![name::QUOTE.to_string()],
        Scope::Entity(kind) => vec![format!("{}.{}", kind.as_str(), name::TEXT_SUBFIELD)],
        Scope::Headline => vec![exact(name::HEADLINE)],
        Scope::Body => vec![exact(name::BODY)],
        _ => vec![exact(name::HEADLINE), exact(name::BODY)],
    }
}

/// A leaf on the exact field(s) its scope covers.
fn exact_fields(scope: Scope, make: impl Fn(&str) -> Value) -> Value {
    match scope {
        Scope::Author => make(name::AUTHORS),
        Scope::Quote => make(name::QUOTE),
        Scope::Entity(kind) => make(&format!("{}.{}", kind.as_str(), name::TEXT_SUBFIELD)),
        _ => per_text_field(
            scope,
            &exact(name::HEADLINE),
            &exact(name::BODY),
            HEADLINE_BOOST,
            |f| make(f),
        ),
    }
}

/// Articles dated within the bounds (whole days).
pub fn date_range(lower: Bound<NaiveDate>, upper: Bound<NaiveDate>) -> Value {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut range = serde_json::Map::new();
    match lower {
        Bound::Included(d) => {
            range.insert("gte".into(), json!(day(d)));
        }
        Bound::Excluded(d) => {
            range.insert("gt".into(), json!(day(d)));
        }
        Bound::Unbounded => {}
    }
    match upper {
        Bound::Included(d) => {
            range.insert("lte".into(), json!(day(d)));
        }
        Bound::Excluded(d) => {
            range.insert("lt".into(), json!(day(d)));
        }
        Bound::Unbounded => {}
    }
    if range.is_empty() {
        return json!({ "match_all": {} });
    }
    json!({ "range": { name::DATE: range } })
}

/// The request's filters (sources, sections, entities, dates), which never score.
pub fn filters(req: &SearchRequest, sources: Option<&SourceTable>) -> Vec<Value> {
    let mut out = Vec::new();
    if !req.sources.is_empty() {
        let keys: Vec<String> = req
            .sources
            .iter()
            .flat_map(|s| match sources {
                Some(t) => t.keys_for(s),
                None => vec![source_key(s)],
            })
            .collect();
        out.push(json!({ "terms": { name::SOURCE_KEY: keys } }));
    }
    if !req.sections.is_empty() {
        let keys: Vec<String> = req.sections.iter().map(|s| normalize_keyword(s)).collect();
        out.push(json!({ "terms": { name::SECTION_KEY: keys } }));
    }
    for (kind, entity) in &req.entities {
        out.push(json!({ "term": { kind.as_str(): entity } }));
    }
    for names in &req.entity_any {
        out.push(entity_terms(names));
    }
    for speaker in &req.speakers {
        out.push(json!({ "term": { name::SPEAKER: speaker } }));
    }
    if req.since.is_some() || req.until.is_some() {
        let lower = req.since.map_or(Bound::Unbounded, Bound::Included);
        let upper = req.until.map_or(Bound::Unbounded, Bound::Included);
        out.push(date_range(lower, upper));
    }
    if let Some(ids) = &req.ids {
        out.push(json!({ "terms": { name::ID: ids } }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query::MatchMode;

    fn translate(query: &str) -> (Option<Value>, Vec<Highlight>) {
        let req = SearchRequest::default();
        let tree = crate::model::query::parse(query, MatchMode::All).unwrap();
        let mut t = Translator::new(
            &req,
            Collection {
                docs: 10,
                avg: [5.0, 50.0],
            },
        );
        let q = t.build(&tree);
        (q, t.highlights)
    }

    #[test]
    fn words_are_stemmed_terms_and_phrases_exact_spans() {
        let (q, highlights) = translate("Running \"Bank of England\"");
        let text = q.unwrap().to_string();
        assert!(text.contains(r#"{"term":{"stems":"run"}}"#), "{text}");
        assert!(text.contains("script_score"), "{text}");
        assert!(
            text.contains(r#"{"span_term":{"body.exact":"england"}}"#),
            "{text}"
        );
        assert!(text.contains(r#""in_order":true"#), "{text}");
        assert_eq!(highlights.len(), 2);
    }

    #[test]
    fn excluded_only_queries_match_everything_else() {
        let (q, highlights) = translate("-flood");
        let text = q.unwrap().to_string();
        assert!(text.contains("match_all"), "{text}");
        assert!(text.contains("must_not"), "{text}");
        assert!(highlights.is_empty());
    }
}
