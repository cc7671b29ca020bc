//! Named entities at run time: the project's own tokenizer, features, trained tagger, gazetteers
//! and canonical names. Used by the index writer (entity fields and facets) and by
//! `newsdex entities`.
//!
//! Entry points: [`extract`] (mentions with character offsets and canonical names),
//! [`canonical_entities`] (distinct names per kind, for facets) and [`tag_conll`] (CoNLL files,
//! for scoring). The tagger is a two-stage averaged perceptron with Viterbi decoding over BIO
//! tags; its model (`models/ner.bin`, see `models/README.md`) is compiled into the binary and
//! parsed once on first use. Run time tags through [`tagger::Tagger`], which caches per-word work
//! across articles and scores only the stretches near capitalised words, giving the tags of the
//! plain `Model::tag_doc` that training uses wherever that gives the rest "O".
//!
//! Training is not here: the `train-ner` command, the perceptron training and cross-validation,
//! the word clusters and the reading of the gazetteer folder live in the trainer crate
//! (`crates/train`, package `newsdex-train`), which reaches the modules below through their
//! public paths, so that training and tagging share one set of features while the library and the
//! `newsdex` binary never compile the trainer.
//!
//! Modules, lowest first: `tokenize` (raw text -> sentences and tokens, the tagger's view of a
//! document `Doc` and the token normalisation), `lexicon` (gazetteers, clusters and casings
//! inside the model), `casing` (the case-restored view of sentences in capitals), `features`
//! (hashed features), `model` (weights, Viterbi, file format), `conll` (CoNLL I/O and scoring),
//! `layout` (table rows and sign-off lines, never tagged), `furniture` (datelines, credit lines
//! and bylines: places of filing and authors, never names in the story), `spans` (whole names
//! from the tagger's spans), `merges` (one name per entity across the archive), `canonical` (mentions -> newsroom
//! names), `tagger` (fast run-time tagging with per-word-type caches), and `rules` (the
//! corrections kept with an index).
use std::collections::BTreeMap;

use serde::Serialize;

pub mod canonical;
pub mod casing;
pub mod conll;
mod echoes;
pub mod features;
pub mod furniture;
pub mod layout;
pub mod lexicon;
pub mod merges;
pub mod model;
pub mod rules;
pub mod spans;
pub mod tagger;
pub mod tokenize;

/// The four CoNLL entity types, named as the product shows them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
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
    tag_conll_using(&mut tagger::Tagger::new(model), input)
}

/// `tag_conll` with a given tagger (benchmarks compare its settings).
pub fn tag_conll_using(tagger: &mut tagger::Tagger, input: &str) -> String {
    let model = tagger.model();
    let docs = conll::read_conll(input);
    let predicted: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| {
            let doc = d.as_doc();
            let tags = tagger.tag_doc(&doc);
            let found = features::spans(&tags, &doc.sents);
            let whole = spans::whole_names(model, &doc.tokens, &doc.sents, &found);
            spans::to_tags(tags.len(), &whole)
        })
        .collect();
    conll::write_tagged(input, &docs, &predicted)
}

thread_local! {
    /// One tagger per thread for the embedded model, so its word cache serves every article the
    /// thread extracts from (the indexer's workers call `extract` once per article).
    static TAGGER: std::cell::RefCell<Option<tagger::Tagger<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Extract the entity mentions of one article's text, each with its canonical name within the
/// article. Offsets are in characters. Empty if the build carries no trained model.
pub fn extract(text: &str) -> Vec<Mention> {
    let Some(model) = model::embedded() else {
        return Vec::new();
    };
    TAGGER.with(|cell| {
        let mut slot = cell.borrow_mut();
        slot.get_or_insert_with(|| tagger::Tagger::new(model))
            .extract(text)
    })
}

/// What the indexer takes from an article's text in one pass (see [`extract_crediting`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub mentions: Vec<Mention>,
    /// Authors that credit lines and bylines of the body name, as written, each once.
    pub credited: Vec<String>,
}

/// [`extract`] of `text`, and the authors credited in it from byte `body` on: for a headline, a
/// blank line and a body (`model::article::headline_and_body`), exactly
/// `furniture::authors(body)`, without tokenizing the body a second time.
pub fn extract_crediting(text: &str, body: usize) -> Extraction {
    let Some(model) = model::embedded() else {
        return Extraction {
            credited: text.get(body..).map(furniture::authors).unwrap_or_default(),
            ..Extraction::default()
        };
    };
    TAGGER.with(|cell| {
        let mut slot = cell.borrow_mut();
        slot.get_or_insert_with(|| tagger::Tagger::new(model))
            .extract_crediting(text, body)
    })
}

/// `extract` with an explicit model (tests, benchmarks, alternative models). It starts with empty
/// caches; to tag many texts with one model, keep a [`tagger::Tagger`] instead.
pub fn extract_with(model: &model::Model, text: &str) -> Vec<Mention> {
    tagger::Tagger::new(model).extract(text)
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
            v.sort_by_key(|e| std::cmp::Reverse(e.1));
            (k, v.into_iter().map(|(n, _)| n).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, kind: EntityKind) -> Vec<String> {
        canonical_entities(text).remove(&kind).unwrap_or_default()
    }

    #[test]
    fn embedded_model_loads_and_tags() {
        let t0 = std::time::Instant::now();
        let m = model::embedded().expect("a trained model is compiled in");
        eprintln!("model load: {:?}", t0.elapsed());
        assert!(m.table.row_count() > 1000);
        let text = "Angela Merkel met Microsoft executives in Paris on Monday.";
        let ms = extract(text);
        let got: Vec<(EntityKind, &str)> = ms.iter().map(|m| (m.kind, m.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (EntityKind::Person, "Angela Merkel"),
                (EntityKind::Org, "Microsoft"),
                (EntityKind::Place, "Paris"),
            ]
        );
        // Offsets are characters and slice back to the mention text.
        let chars: Vec<char> = text.chars().collect();
        for m in &ms {
            let s: String = chars[m.start..m.end].iter().collect();
            assert_eq!(s, m.text);
        }
    }

    #[test]
    fn character_offsets_with_non_ascii_text() {
        let text = "Café owners in Zürich said François Hollande’s visit to Berlin was brief.";
        let ms = extract(text);
        let chars: Vec<char> = text.chars().collect();
        assert!(!ms.is_empty());
        for m in &ms {
            let s: String = chars[m.start..m.end].iter().collect();
            assert_eq!(s, m.text);
        }
        let people = names(text, EntityKind::Person);
        assert_eq!(people, vec!["François Hollande"]);
    }

    #[test]
    fn short_names_resolve_to_the_fullest_mention() {
        let text = "Hezbollah leader Hassan Nasrallah spoke on Sunday in Beirut. \
                    Nasrallah said the group would respond. \
                    Later, President Joe Biden called the speech dangerous. \
                    Mr Biden's aides said Biden would meet Lebanese officials.";
        let ms = extract(text);
        for m in &ms {
            if m.text == "Nasrallah" {
                assert_eq!(m.canonical, "Hassan Nasrallah");
            }
            if m.text.contains("Biden") {
                assert_eq!(m.canonical, "Joe Biden", "{m:?}");
            }
        }
        let people = names(text, EntityKind::Person);
        assert!(
            people.contains(&"Hassan Nasrallah".to_string()),
            "{people:?}"
        );
        assert!(people.contains(&"Joe Biden".to_string()), "{people:?}");
        assert!(
            !people
                .iter()
                .any(|p| p == "Nasrallah" || p == "Biden" || p.contains("'s"))
        );
        let all: Vec<String> = canonical_entities(text).into_values().flatten().collect();
        assert!(
            !all.iter()
                .any(|n| n == "Sunday" || n == "President" || n == "Mr")
        );
    }

    #[test]
    fn place_aliases_merge() {
        let text = "The U.S. and Britain signed the deal. Officials in the United States \
                    and the UK praised it, and America will host the next round.";
        let places = names(text, EntityKind::Place);
        assert!(places.contains(&"United States".to_string()), "{places:?}");
        assert!(places.contains(&"United Kingdom".to_string()), "{places:?}");
        assert!(
            !places
                .iter()
                .any(|p| ["U.S.", "Britain", "UK", "America"].contains(&p.as_str())),
            "{places:?}"
        );
    }

    #[test]
    fn acronyms_resolve_to_full_organisation_names() {
        let text = "The International Monetary Fund cut its forecast. The IMF said growth \
                    in Germany would slow.";
        let orgs = names(text, EntityKind::Org);
        assert_eq!(orgs, vec!["International Monetary Fund"]);
    }

    #[test]
    fn no_junk_facets() {
        let text = "Despite the rain, thousands marched on Saturday. \
                    Prime Minister Keir Starmer said on Tuesday that the Labour Party \
                    would not change course.";
        let all: Vec<String> = canonical_entities(text).into_values().flatten().collect();
        for junk in ["Despite", "Saturday", "Tuesday", "Prime Minister", "Prime"] {
            assert!(!all.iter().any(|n| n == junk), "{junk} in {all:?}");
        }
        let people = names(text, EntityKind::Person);
        assert_eq!(people, vec!["Keir Starmer"]);
    }

    #[test]
    fn empty_and_odd_input() {
        assert!(extract("").is_empty());
        assert!(extract("   \n\n  ").is_empty());
        assert!(extract("!!! ... ??? --").is_empty());
        let ms = extract("Photo: Charles Dharapak/AP\nApparently Obama said nothing.");
        assert!(!ms.iter().any(|m| m.text.contains('/')), "{ms:?}");
        for m in &ms {
            assert!(!m.canonical.starts_with("Apparently"), "{m:?}");
        }
    }

    #[test]
    fn tag_conll_keeps_lines() {
        let input = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\
                     German JJ B-NP B-MISC\ncall NN I-NP O\n\n";
        let out = tag_conll(input);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "-DOCSTART- -X- -X- O");
        assert_eq!(lines[1], "");
        assert_eq!(lines[2], "EU NNP B-NP B-ORG B-ORG");
        assert_eq!(lines[4], "German JJ B-NP B-MISC B-MISC");
        assert_eq!(lines.len(), 7);
    }

    /// Tags the dev documents the shipped model was not trained on (every
    /// `conll::HELD_OUT_EVERY`-th) through `tag_conll` and scores them like conlleval. Needs the
    /// shared data beside the checkout; skipped without it.
    #[test]
    fn dev_set_f1_floor() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/ner/conll2003/valid.txt");
        let Ok(dev_text) = std::fs::read_to_string(&path) else {
            eprintln!(
                "skipping dev_set_f1_floor: {} not found (../shared is absent)",
                path.display()
            );
            return;
        };
        let (_, gold_text) = conll::split_held_out(&dev_text, conll::HELD_OUT_EVERY);
        let t0 = std::time::Instant::now();
        let tagged = tag_conll(&gold_text);
        eprintln!("tagged dev set in {:?}", t0.elapsed());
        let mut gold = Vec::new();
        let mut pred = Vec::new();
        for (g, p) in gold_text.lines().zip(tagged.lines()) {
            let gc: Vec<&str> = g.split_whitespace().collect();
            let pc: Vec<&str> = p.split_whitespace().collect();
            if gc.is_empty() {
                assert!(pc.is_empty());
                gold.push("O");
                pred.push("O");
                continue;
            }
            assert_eq!(gc[0], pc[0]);
            gold.push(gc[gc.len() - 1]);
            pred.push(pc[pc.len() - 1]);
        }
        let score = conll::score_strings(&gold, &pred);
        eprintln!("dev set: {}", score.report());
        assert!(score.f1() > 94.3, "dev F1 {}", score.report());
    }
}
