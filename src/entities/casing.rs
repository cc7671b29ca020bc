//! The case-restored view of sentences written in capitals. Wires and archives write headlines
//! (sometimes whole stories) in upper case, which erases the tagger's strongest evidence. Such a
//! sentence is tagged as if it were written normally: each word takes its most frequent casing in
//! ordinary running text of the unlabelled news corpus (stored in the model's lexicon as a mask
//! of upper-case letter positions), unknown words are read as names (title case), and the first
//! word is capitalised as in any sentence. Only the tagger's view changes: tokens keep their
//! places, so mentions keep the offsets and text of the original. The restored view still loses
//! what casing told apart ("US" the country, "us" the pronoun), so models carry a second weight
//! table for these sentences, trained on text in capitals seen through this same view; this
//! module also says which sentences it tags (`caps_sentences`).

use std::ops::Range;

use super::lexicon::{Lexicon, word_hash};
use super::tokenize::{Doc, normalize};

/// Set in every stored mask, so that 0 means "no casing known".
pub const KNOWN: u32 = 1 << 31;
/// Letters beyond this position are restored in lower case.
const MASK_CHARS: usize = 31;

/// The casing of a word as a mask of its upper-case character positions.
pub fn mask_of(word: &str) -> u32 {
    let mut m = KNOWN;
    for (i, c) in word.chars().take(MASK_CHARS).enumerate() {
        if c.is_uppercase() {
            m |= 1 << i;
        }
    }
    m
}

/// Write `lower` with the casing of `mask` into `out`.
fn apply(lower: &str, mask: u32, out: &mut String) {
    out.clear();
    for (i, c) in lower.chars().enumerate() {
        if i < MASK_CHARS && mask & (1 << i) != 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
}

/// Is the word usually written in lower case in news text? `None` when the vocabulary does not
/// know it. Models without a casing table answer from the cluster vocabulary, which holds
/// words as written.
pub fn usual(lex: &Lexicon, tok: &str) -> Option<bool> {
    let lower = normalize(tok).to_lowercase();
    let h = word_hash(&lower);
    if lex.has_casing() {
        return match lex.casing(h) {
            0 => None,
            m => Some(m == KNOWN),
        };
    }
    if lex.cluster_of_hash(h) != 0 {
        return Some(true);
    }
    let mut title = String::new();
    apply(&lower, KNOWN | 1, &mut title);
    (lex.cluster(&title) != 0 || lex.cluster(tok) != 0).then_some(false)
}

/// A sentence in capitals: no lower-case letter anywhere, and some word of two or more
/// upper-case letters (so "I" or a lone initial does not count).
pub fn is_all_caps(tokens: &[&str]) -> bool {
    let mut long_upper = false;
    for t in tokens {
        let mut upper = 0;
        for c in t.chars() {
            if c.is_lowercase() {
                return false;
            }
            upper += c.is_uppercase() as usize;
        }
        long_upper |= upper >= 2;
    }
    long_upper
}

/// The restored form of one token of a sentence in capitals; `None` if it stays as written.
fn restored(lex: &Lexicon, tok: &str, first: bool, buf: &mut String) -> Option<String> {
    if !tok.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let lower = normalize(tok).to_lowercase();
    let mask = match lex.casing(word_hash(&lower)) {
        0 => KNOWN | 1,
        m => m,
    };
    apply(&lower, if first { mask | 1 } else { mask }, buf);
    (buf != tok).then(|| buf.clone())
}

/// Restored forms `(token index, form)` of the tokens of every sentence in capitals. Empty when
/// there is none, or when the model carries no casing table (models made before it existed).
pub fn restore(lex: &Lexicon, doc: &Doc) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    if !lex.has_casing() {
        return out;
    }
    let mut buf = String::new();
    for s in &doc.sents {
        if !is_all_caps(&doc.tokens[s.clone()]) {
            continue;
        }
        for i in s.clone() {
            if let Some(r) = restored(lex, doc.tokens[i], i == s.start, &mut buf) {
                out.push((i, r));
            }
        }
    }
    out
}

/// Run `f` on the document as the tagger should see it: `doc` itself, or its case-restored view
/// when it has sentences in capitals.
pub fn with_view<R>(lex: &Lexicon, doc: &Doc, f: impl FnOnce(&Doc) -> R) -> R {
    let forms = restore(lex, doc);
    if forms.is_empty() {
        f(doc)
    } else {
        f(&view(doc, &forms))
    }
}

/// The document as the tagger should see it, given `restore`'s forms.
fn view<'b>(doc: &Doc<'b>, forms: &'b [(usize, String)]) -> Doc<'b> {
    let mut tokens = doc.tokens.clone();
    for (i, f) in forms {
        tokens[*i] = f.as_str();
    }
    Doc {
        tokens,
        sents: doc.sents.clone(),
    }
}

/// The sentences in capitals of a document as written: the ones the capitals table tags.
pub fn caps_sentences(doc: &Doc) -> Vec<Range<usize>> {
    doc.sents
        .iter()
        .filter(|s| is_all_caps(&doc.tokens[(*s).clone()]))
        .cloned()
        .collect()
}

/// Give every sentence in capitals its tags from `caps` (the same document tagged by the
/// capitals table); the other sentences keep theirs.
pub fn merge_caps(doc: &Doc, caps: &[u8], out: &mut [u8]) {
    for s in caps_sentences(doc) {
        out[s.clone()].copy_from_slice(&caps[s]);
    }
}

/// A generic word: usually written in lower case in news text ("bank", "commission"), and
/// neither a first name nor a place. On its own it names something only through a longer name.
pub fn is_generic(lex: &Lexicon, tok: &str) -> bool {
    usual(lex, tok) == Some(true) && is_common(lex, &super::lexicon::alias_key(&normalize(tok)))
}

/// A word seen often in lower case in news text that is neither a first name nor a place.
pub fn is_common(lex: &Lexicon, lower: &str) -> bool {
    use super::lexicon::{G_CITY, G_COUNTRY, G_FIRST_NAME, G_US_STATE};
    lex.cluster(lower) != 0
        && lex.gazetteer(lower) & (G_FIRST_NAME | G_COUNTRY | G_CITY | G_US_STATE) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lex() -> Lexicon {
        let mut casing = HashMap::new();
        for w in ["the", "said", "Merkel", "U.S.", "EU", "McDonald"] {
            casing.insert(w.to_lowercase(), mask_of(w));
        }
        Lexicon::build(&HashMap::new(), &HashMap::new(), &casing)
    }

    #[test]
    fn masks_round_trip() {
        let mut s = String::new();
        for w in ["Merkel", "EU", "McDonald", "the", "U.S."] {
            apply(&w.to_lowercase(), mask_of(w), &mut s);
            assert_eq!(s, w);
        }
    }

    #[test]
    fn restores_only_sentences_in_capitals() {
        let lex = lex();
        let toks = vec![
            "THE", "EU", "AND", "MERKEL", "SAID", "NO", "Merkel", "said", "no",
        ];
        let doc = Doc {
            tokens: toks,
            sents: vec![0..6, 6..9],
        };
        let forms = restore(&lex, &doc);
        let v = view(&doc, &forms);
        assert_eq!(
            v.tokens,
            vec![
                "The", "EU", "And", "Merkel", "said", "No", "Merkel", "said", "no"
            ]
        );
    }

    #[test]
    fn no_casing_table_means_no_change() {
        let lex = Lexicon::build(&HashMap::new(), &HashMap::new(), &HashMap::new());
        let doc = Doc {
            tokens: vec!["MERKEL", "SAID"],
            sents: vec![0..1, 1..2],
        };
        assert!(restore(&lex, &doc).is_empty());
    }

    #[test]
    fn only_sentences_in_capitals_take_the_capitals_tags() {
        let doc = Doc {
            tokens: vec!["EU", "SAYS", "NO", "Merkel", "said", "no"],
            sents: vec![0..3, 3..6],
        };
        let caps = caps_sentences(&doc);
        assert_eq!((caps.len(), caps[0].clone()), (1, 0..3));
        let mut tags = [0u8, 0, 0, 1, 0, 0];
        merge_caps(&doc, &[3, 0, 0, 2, 0, 2], &mut tags);
        assert_eq!(tags, [3, 0, 0, 1, 0, 0]);
        let mixed = Doc {
            tokens: vec!["Merkel", "said", "no"],
            sents: std::iter::once(0..3).collect(),
        };
        assert!(caps_sentences(&mixed).is_empty());
    }

    #[test]
    fn all_caps_needs_a_word_of_capitals() {
        assert!(is_all_caps(&["EU", "SAYS", "NO"]));
        assert!(is_all_caps(&["MERKEL", "1996-08-22"]));
        assert!(!is_all_caps(&["I", "-", "3"]));
        assert!(!is_all_caps(&["EU", "says"]));
    }
}
