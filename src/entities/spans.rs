//! Whole names from the tagger's spans: the repairs made to entity spans before they become
//! mentions (and before `tag_conll` writes its tags), so that a name is never cut at the words
//! that join its parts. The tagger decides word by word and often stops at a connector ("Standard
//! | and Poor's Corp"), a possessive ("Moody | 's Investors Service Inc") or a legal form it reads
//! as a name of its own ("Showboat | Inc"); and it reads the codes that wire copy puts in brackets
//! after a company ("<SBO>", "(IBM.N)") as names.
//!
//! The repairs are general rules over the shape of the words, using what the model already knows
//! (the legal forms of the gazetteer folder, the usual casing of words), never lists of names:
//! - a legal form ("Inc", "Corp", "Plc", "AG") closes the name before it: the span runs on to
//!   it across capitalised words, "&"/"and" and a possessive followed by words usually written
//!   in lower case ("'s Investors Service"), and the whole is an organisation;
//! - "&" between a name and capitalised words joins them ("Procter & Gamble");
//! - a span made of legal forms, connectors and possessives alone takes the capitalised words
//!   just before it as its name, or is dropped;
//! - a span opening with a connector or possessive is joined to the span just before it, or
//!   loses those words; a span ending in one loses them;
//! - a code in angle brackets, or a code-shaped word in round brackets (letters with a dotted
//!   exchange suffix or digits, "IBM.N", "0005.HK"), is not a name.
use std::cell::{Cell, RefCell};
use std::ops::Range;

use super::casing;
use super::lexicon::{
    G_CAPITAL, G_CITY, G_COUNTRY, G_FIRST_NAME, G_ORG_SUFFIX, G_REGION, G_US_STATE, alias_key_into,
};
use super::model::Model;
use super::tokenize::normalize;

/// A span as the tagger gives it: token range `[start, end)` and type (1 person, 2 organisation,
/// 3 place, 4 misc).
pub type Span = (usize, usize, u8);

const ORG: u8 = 2;
const PLACE: u8 = 3;

/// Most words a name runs on over to reach its legal form.
const MAX_RUN: usize = 6;
/// Most capitalised words taken before a lone legal form as its name.
const MAX_BACK: usize = 4;

/// The spans of a document with names made whole (see the module header). `words` are the
/// document's tokens, `sents` its sentences; spans never cross a sentence.
pub fn whole_names(
    model: &Model,
    words: &[&str],
    sents: &[Range<usize>],
    spans: &[Span],
) -> Vec<Span> {
    let mut w = Words {
        model,
        words,
        named: vec![false; words.len()],
        legal: vec![Cell::new(UNKNOWN); words.len()],
    };
    for &(a, b, _) in spans {
        if (a..b).any(|i| !w.is_glue(i)) {
            w.named[a..b].iter_mut().for_each(|x| *x = true);
        }
    }
    let mut out = Vec::with_capacity(spans.len());
    // The tagger gives spans in text order, so each sentence's are found by two binary searches
    // instead of a pass over the document's spans per sentence.
    let sorted = spans.is_sorted_by_key(|sp| sp.0);
    for s in sents {
        let in_sentence: Vec<Span> = if sorted {
            let from = spans.partition_point(|sp| sp.0 < s.start);
            let to = spans.partition_point(|sp| sp.0 < s.end);
            spans[from..to.max(from)].to_vec()
        } else {
            spans
                .iter()
                .copied()
                .filter(|&(a, _, _)| s.contains(&a))
                .collect()
        };
        let mut here = in_sentence.clone();
        here.retain(|sp| !w.is_code(*sp, s));
        for &(a, b, _) in &in_sentence {
            if !here.iter().any(|h| h.0 == a) {
                w.named[a..b].iter_mut().for_each(|x| *x = false);
            }
        }
        here = w.join_fragments(here, s);
        here = w.run_to_legal_form(here, s);
        here.retain(|&(a, b, _)| (a..b).any(|i| !w.is_glue(i)));
        out.extend(here);
    }
    super::echoes::cut(words, out)
}

struct Words<'a> {
    model: &'a Model,
    words: &'a [&'a str],
    /// Tokens inside a span the tagger found that is more than glue: a name of its own, which
    /// a run to a legal form never crosses ("KeyCorp and [Banc One Corp]" are two names).
    named: Vec<bool>,
    /// Per token, whether it is a legal form, worked out on first asking: the rules ask about
    /// the same tokens many times, and each answer costs a key and three look-ups.
    legal: Vec<Cell<u8>>,
}

const UNKNOWN: u8 = 0;
const NOT_LEGAL: u8 = 1;
const LEGAL: u8 = 2;

impl Words<'_> {
    fn text(&self, i: usize) -> &str {
        self.words[i]
    }

    fn capitalised(&self, i: usize) -> bool {
        self.text(i).starts_with(char::is_uppercase)
    }

    fn is_possessive(&self, i: usize) -> bool {
        matches!(normalize(self.text(i)).as_ref(), "'s" | "'S" | "'")
    }

    fn is_connector(&self, i: usize) -> bool {
        matches!(self.text(i), "&" | "and")
    }

    /// See [`is_legal_form`].
    fn is_legal_form(&self, i: usize) -> bool {
        match self.legal[i].get() {
            UNKNOWN => {
                let yes = is_legal_form(self.model, self.text(i));
                self.legal[i].set(if yes { LEGAL } else { NOT_LEGAL });
                yes
            }
            known => known == LEGAL,
        }
    }

    /// Words that join or close a name but are never one alone.
    fn is_glue(&self, i: usize) -> bool {
        self.is_possessive(i)
            || self.is_connector(i)
            || self.is_legal_form(i)
            || !self.text(i).chars().any(char::is_alphanumeric)
    }

    /// A word usually written in lower case ("Investors", "Service").
    fn is_generic(&self, i: usize) -> bool {
        casing::is_generic(&self.model.lexicon, self.text(i))
    }

    /// A ticker or code in brackets: any name alone in angle brackets, or in round brackets a
    /// code-shaped word (letters and a dotted suffix, or letters and digits).
    fn is_code(&self, (a, b, _): Span, s: &Range<usize>) -> bool {
        if a == s.start || b >= s.end {
            return false;
        }
        let (open, close) = (self.text(a - 1), self.text(b));
        let codes = || (a..b).all(|i| is_code_shaped(self.text(i)));
        match (open, close) {
            ("<", ">") => (a..b).all(|i| !self.text(i).chars().any(char::is_lowercase)),
            ("(", ")") | ("[", "]") => codes(),
            _ => false,
        }
    }

    /// Spans that open with a connector or possessive join the span ending just before them;
    /// glue left at either end of a span is cut off.
    fn join_fragments(&mut self, spans: Vec<Span>, s: &Range<usize>) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        for (mut a, mut b, ty) in spans {
            let opens_with_glue = self.is_connector(a) || self.is_possessive(a);
            if opens_with_glue {
                if let Some(prev) = out.last_mut()
                    && prev.1 == a
                {
                    prev.1 = b;
                    prev.2 = if self.ends_in_legal_form(prev.0, b) {
                        ORG
                    } else {
                        prev.2
                    };
                    continue;
                }
                if a > s.start
                    && self.capitalised(a - 1)
                    && (self.is_possessive(a) || self.is_connector(a))
                    && self.ends_in_legal_form(a, b)
                {
                    // "Standard | and Poor's Corp": the word before belongs to the name.
                    a = self.back_over_capitals(a, s, out.last().map_or(s.start, |p| p.1));
                }
            }
            while a < b && (self.is_connector(a) || self.is_possessive(a)) {
                self.named[a] = false;
                a += 1;
            }
            // A trailing possessive stays (the mention layer cuts it; CoNLL keeps some inside
            // names), a trailing connector goes.
            while b > a && self.is_connector(b - 1) {
                b -= 1;
            }
            if a < b {
                out.push((a, b, ty));
            }
        }
        out
    }

    fn ends_in_legal_form(&self, a: usize, b: usize) -> bool {
        b > a && self.is_legal_form(b - 1)
    }

    /// The start of the run of capitalised words (at most `MAX_BACK`) ending just before `a`,
    /// not reaching back past `floor`.
    fn back_over_capitals(&self, a: usize, s: &Range<usize>, floor: usize) -> usize {
        let floor = floor.max(s.start).max(a.saturating_sub(MAX_BACK));
        let mut k = a;
        while k > floor && self.capitalised(k - 1) && !self.is_glue(k - 1) {
            k -= 1;
        }
        k
    }

    /// Each span runs on to a legal form that closes its name, swallowing the spans it crosses;
    /// a span of legal forms alone takes the capitalised words before it as its name.
    fn run_to_legal_form(&self, spans: Vec<Span>, s: &Range<usize>) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        for (a, b, ty) in spans {
            if let Some(prev) = out.last_mut()
                && prev.1 > a
            {
                // Swallowed by a span that ran on over it.
                prev.1 = prev.1.max(b);
                continue;
            }
            let lone = (a..b).all(|i| self.is_glue(i));
            let (a, ty) = if lone {
                let floor = out.last().map_or(s.start, |p| p.1);
                let k = self.back_over_capitals(a, s, floor);
                match out.last_mut() {
                    // "[Showboat] [Inc]": the lone legal form closes the span before it.
                    Some(prev) if prev.1 == a => {
                        prev.1 = b;
                        prev.2 = ORG;
                        continue;
                    }
                    _ if k < a => (k, ORG),
                    _ => continue,
                }
            } else {
                (a, ty)
            };
            let (b, ty) = match self.legal_form_ahead(a, b, ty, s) {
                Some(end) => (end, ORG),
                None => (self.ampersand_ahead(b, ty, s), ty),
            };
            out.push((a, b, ty));
        }
        out
    }

    /// Where the name `[a, b)` ends if a legal form closes it within `MAX_RUN` words: the run may
    /// cross capitalised words, "&", "and" (after a one-word name or an organisation), and a
    /// possessive followed only by words usually written in lower case, never a place's
    /// possessive ("Britain's BP Plc" is two names).
    fn legal_form_ahead(&self, a: usize, b: usize, ty: u8, s: &Range<usize>) -> Option<usize> {
        let mut k = b;
        let mut after_possessive = false;
        while k < s.end && k < b + MAX_RUN {
            if self.named[k] {
                return None;
            }
            if self.is_legal_form(k) {
                let mut end = k + 1;
                while end < s.end && self.is_legal_form(end) {
                    end += 1;
                }
                return Some(end);
            }
            if self.is_possessive(k) {
                if ty == PLACE || after_possessive {
                    return None;
                }
                after_possessive = true;
            } else if self.is_connector(k) {
                if !(ty == ORG || b - a == 1) {
                    return None;
                }
            } else if !self.capitalised(k) || (after_possessive && !self.is_generic(k)) {
                return None;
            }
            k += 1;
        }
        None
    }

    /// "Procter & Gamble": an organisation or one-word name runs on over "&" and the capitalised
    /// words after it.
    fn ampersand_ahead(&self, b: usize, ty: u8, s: &Range<usize>) -> usize {
        if ty == PLACE || b + 1 >= s.end || self.text(b) != "&" || !self.capitalised(b + 1) {
            return b;
        }
        let mut end = b + 1;
        while end < s.end && end < b + MAX_RUN && self.capitalised(end) && !self.is_connector(end) {
            end += 1;
        }
        end
    }
}

/// A legal form as written in a name: capitalised, in the gazetteer's legal forms, and not
/// also a place, a first name or a word usually written in lower case ("UK", "As").
pub fn is_legal_form(model: &Model, t: &str) -> bool {
    if !t.starts_with(char::is_uppercase) {
        return false;
    }
    // Asked of most capitalised words in names: the key goes in a buffer kept by the thread.
    thread_local! {
        static KEY: RefCell<String> = const { RefCell::new(String::new()) };
    }
    let listed = KEY.with_borrow_mut(|key| {
        alias_key_into(&normalize(t), key);
        let flags = model.lexicon.gazetteer(key);
        flags & G_ORG_SUFFIX != 0
            && flags & (G_COUNTRY | G_CAPITAL | G_CITY | G_US_STATE | G_REGION | G_FIRST_NAME) == 0
            && !model.place_aliases.contains_key(key.as_str())
    });
    listed && casing::usual(&model.lexicon, t) != Some(true)
}

/// A ticker or exchange code: upper-case letters with a dotted suffix ("IBM.N", "VOD.L"), or
/// digits with letters ("0005.HK", "7203.T").
fn is_code_shaped(t: &str) -> bool {
    let has_digit = t.chars().any(|c| c.is_ascii_digit());
    let has_alpha = t.chars().any(char::is_alphabetic);
    let no_lower = !t.chars().any(char::is_lowercase);
    let dotted = t
        .split_once('.')
        .is_some_and(|(l, r)| l.chars().count() >= 2 && !r.is_empty() && !r.contains('.'));
    no_lower && has_alpha && (dotted || has_digit)
}

/// BIO tag ids for `n` tokens from spans (the inverse of the tagger's span reading).
pub fn to_tags(n: usize, spans: &[Span]) -> Vec<u8> {
    let mut tags = vec![0u8; n];
    for &(a, b, ty) in spans {
        for (k, t) in tags[a..b].iter_mut().enumerate() {
            *t = if k == 0 { ty * 2 - 1 } else { ty * 2 };
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shapes() {
        assert!(is_code_shaped("IBM.N"));
        assert!(is_code_shaped("0005.HK"));
        assert!(!is_code_shaped("IMF"));
        assert!(!is_code_shaped("U.S."));
        assert!(!is_code_shaped("Smith"));
    }

    /// The repaired spans of `text` given the tagger's spans as `(first word, words, type)`,
    /// shown as (type, words joined by spaces).
    fn repaired(text: &str, tagged: &[(usize, usize, u8)]) -> Vec<(u8, String)> {
        let model = crate::entities::model::embedded().expect("the compiled-in model");
        let words: Vec<&str> = text.split(' ').collect();
        let spans: Vec<Span> = tagged.iter().map(|&(a, n, t)| (a, a + n, t)).collect();
        let sentence = std::iter::once(0..words.len()).collect::<Vec<_>>();
        whole_names(model, &words, &sentence, &spans)
            .into_iter()
            .map(|(a, b, t)| (t, words[a..b].join(" ")))
            .collect()
    }

    fn org(s: &str) -> (u8, String) {
        (ORG, s.to_string())
    }

    #[test]
    fn a_lone_legal_form_takes_the_name_before_it() {
        // Fictional company; the tagger saw only "Inc".
        let text = "Bellweather Inc said its board declared a dividend";
        assert_eq!(repaired(text, &[(1, 1, ORG)]), vec![org("Bellweather Inc")]);
        // ... or both words as two names.
        assert_eq!(
            repaired(text, &[(0, 1, 1), (1, 1, ORG)]),
            vec![org("Bellweather Inc")]
        );
        // With nothing before it, a legal form is no entity.
        assert_eq!(repaired("Inc said it would pay", &[(0, 1, ORG)]), vec![]);
    }

    #[test]
    fn connector_and_possessive_fragments_join_the_name_before_them() {
        let text = "Hollis 's Investors Service Inc said";
        assert_eq!(
            repaired(text, &[(0, 1, ORG), (1, 4, ORG)]),
            vec![org("Hollis 's Investors Service Inc")]
        );
        let text = "Standish and Moore 's Corp lowered its rating";
        assert_eq!(
            repaired(text, &[(0, 1, ORG), (1, 4, ORG)]),
            vec![org("Standish and Moore 's Corp")]
        );
        // The fragment alone, the word before untagged.
        assert_eq!(
            repaired(text, &[(1, 4, ORG)]),
            vec![org("Standish and Moore 's Corp")]
        );
        // A trailing connector is no part of a name.
        assert_eq!(
            repaired("Standish and said", &[(0, 2, ORG)]),
            vec![org("Standish")]
        );
    }

    #[test]
    fn a_name_runs_on_to_its_legal_form_over_untagged_words() {
        let text = "shares of Corbin and Vale Corp rose";
        assert_eq!(
            repaired(text, &[(2, 1, ORG)]),
            vec![org("Corbin and Vale Corp")]
        );
        let text = "Hollis 's Ratings Service Inc raised";
        assert_eq!(
            repaired(text, &[(0, 1, 1)]),
            vec![org("Hollis 's Ratings Service Inc")]
        );
        // Two names the tagger told apart stay apart.
        let text = "KeyCorp and Tallis One Corp agreed";
        assert_eq!(
            repaired(text, &[(0, 1, ORG), (2, 3, ORG)]),
            vec![org("KeyCorp"), org("Tallis One Corp")]
        );
        // A place's possessive starts another name.
        let text = "Britain 's Kestrel Plc was unchanged";
        assert_eq!(
            repaired(text, &[(0, 1, PLACE), (2, 2, ORG)]),
            vec![(PLACE, "Britain".to_string()), org("Kestrel Plc")]
        );
    }

    #[test]
    fn an_ampersand_joins_the_words_after_it() {
        let text = "analysts at Pemberton & Lowry said";
        assert_eq!(
            repaired(text, &[(2, 1, ORG)]),
            vec![org("Pemberton & Lowry")]
        );
    }

    #[test]
    fn codes_in_brackets_are_not_names() {
        let text = "Quarry Holdings Plc < QRY > and Tamsin Mining Ltd ( TMN.L ) agreed";
        assert_eq!(
            repaired(text, &[(0, 3, ORG), (4, 1, ORG), (7, 3, ORG), (11, 1, ORG)]),
            vec![org("Quarry Holdings Plc"), org("Tamsin Mining Ltd")]
        );
        // An acronym in brackets is a name.
        let text = "the Meridian Monetary Board ( MMB ) said";
        assert_eq!(
            repaired(text, &[(1, 3, ORG), (5, 1, ORG)]),
            vec![org("Meridian Monetary Board"), org("MMB")]
        );
    }

    #[test]
    fn tags_round_trip() {
        assert_eq!(to_tags(5, &[(1, 3, ORG), (4, 5, 1)]), vec![0, 3, 4, 0, 1]);
    }
}
