//! Named entities: the project's own tokenizer, features, trained tagger, gazetteers and canonical
//! names. Used by the index writer (entity fields and facets) and by `newsdex entities`.
use std::collections::BTreeMap;

use serde::Serialize;

pub mod canonical;
pub mod clusters;
pub mod conll;
pub mod features;
pub mod lexicon;
pub mod model;
pub mod tokenize;
pub mod train;

/// The four CoNLL entity types, named as the product shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Org,
    Place,
    Misc,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Person,
        EntityKind::Org,
        EntityKind::Place,
        EntityKind::Misc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Org => "org",
            EntityKind::Place => "place",
            EntityKind::Misc => "misc",
        }
    }
}

/// One mention of an entity in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mention {
    pub kind: EntityKind,
    /// The text as written.
    pub text: String,
    /// The fullest name of the same entity in this text, without titles.
    pub canonical: String,
    /// Character (not byte) offsets, `[start, end)`.
    pub start: usize,
    pub end: usize,
}

/// Tag a CoNLL column file: every token line gets one more column with the predicted IOB2 tag;
/// blank and `-DOCSTART-` lines are kept as they are. Documents (`-DOCSTART-`) are tagged as units
/// because the tagger uses document-level evidence.
pub fn tag_conll(input: &str) -> String {
    match model::embedded() {
        Some(m) => tag_conll_with(m, input),
        None => tag_conll_with(&model::Model::default(), input),
    }
}

/// `tag_conll` with an explicit model.
pub fn tag_conll_with(model: &model::Model, input: &str) -> String {
    let docs = conll::read_conll(input);
    let predicted: Vec<Vec<u8>> = docs.iter().map(|d| model.tag_doc(&d.as_doc())).collect();
    conll::write_tagged(input, &docs, &predicted)
}

/// Extract the entity mentions of one article's text, each with its canonical name within the
/// article. Offsets are in characters. Empty if the build carries no trained model.
pub fn extract(text: &str) -> Vec<Mention> {
    let Some(model) = model::embedded() else {
        return Vec::new();
    };
    extract_with(model, text)
}

/// `extract` with an explicit model (tests, benchmarks, alternative models).
pub fn extract_with(model: &model::Model, text: &str) -> Vec<Mention> {
    let tk = tokenize::tokenize(text);
    let doc = features::Doc {
        tokens: tk.tokens.iter().map(|t| t.text(text)).collect(),
        sents: tk.sentences.clone(),
    };
    let tags = model.tag_doc(&doc);
    let spans = features::spans(&tags, &doc.sents);
    canonical::mentions(model, text, &tk.tokens, &spans)
}

/// The distinct canonical names of one article per kind, most mentioned first (ties: first seen).
/// This is what the indexer stores as entity facets.
pub fn canonical_entities(text: &str) -> BTreeMap<EntityKind, Vec<String>> {
    group_canonical(&extract(text))
}

/// Group mentions into distinct canonical names per kind, most frequent first.
pub fn group_canonical(mentions: &[Mention]) -> BTreeMap<EntityKind, Vec<String>> {
    let mut counts: BTreeMap<EntityKind, Vec<(String, usize)>> = BTreeMap::new();
    for m in mentions {
        let list = counts.entry(m.kind).or_default();
        match list.iter_mut().find(|(n, _)| *n == m.canonical) {
            Some(e) => e.1 += 1,
            None => list.push((m.canonical.clone(), 1)),
        }
    }
    counts
        .into_iter()
        .map(|(k, mut v)| {
            // Stable sort keeps first-seen order among equal counts.
            v.sort_by(|a, b| b.1.cmp(&a.1));
            (k, v.into_iter().map(|(n, _)| n).collect())
        })
        .collect()
}
