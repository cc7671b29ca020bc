//! Names a web page echoes: what link pop-ups and glued "related" headlines leave in scraped
//! articles, read by the tagger as one long name.
//!
//! Two shapes, both repaired by cutting the span where the name starts over:
//! - a name told twice in a row, the second time often glued to the next words ("Ann Lee Ann
//!   LeeCouncil votes ..." is tagged "Ann Lee Ann LeeCouncil"): a span whose first two words come
//!   again from its third word on. Requiring both words keeps names that repeat one word
//!   ("Sirhan Bishara Sirhan");
//! - a member listing's formal first name with the familiar one in brackets after it ("Tom Ash
//!   Thomas (Tom) Ash" is tagged "Tom Ash Thomas"): a span of three or more words followed by
//!   its own first word in brackets. That shape names a person;
//! - a pop-up's formal name after the name the reader saw, its last word glued to whatever
//!   follows ("Sen. Ann Lee Ann Marie LeeSenate Democrats" is tagged "Ann Lee Ann Marie
//!   LeeSenate Democrats"): a word that runs on, lower case to capital, from a word the name
//!   already told. The name ends at that word's first telling; the words after the glued one
//!   are a name of their own. When the name seen is outside the span (the tagger cut it off
//!   before the pop-up), the span up to the glued word is all echo and goes. A whole word
//!   never matches part of a glued one by chance: names with a capital inside ("McLean",
//!   "DeSoto") run on from a prefix no name tells alone.
//!
//! Without the repair the echo becomes the entity's canonical name, and every later mention of
//! the person ("Lee", "Ms Lee") resolves to it: a facet value no reader would search for.
/// A span as the tagger gives it (`spans::Span`, written out here so the repair needs nothing
/// of the module that calls it): token range `[start, end)` and type.
type Span = (usize, usize, u8);

const PERSON: u8 = 1;

/// How far before a span the name a pop-up echoes may stand: a title and a full name.
const SEEN_BEFORE: usize = 6;

/// `spans` with every echoed name cut to its first telling. `words`: the document's tokens.
pub fn cut(words: &[&str], spans: Vec<Span>) -> Vec<Span> {
    let mut named = vec![false; words.len()];
    for &(a, b, _) in &spans {
        named[a..b].iter_mut().for_each(|x| *x = true);
    }
    spans
        .into_iter()
        .flat_map(|span| glued_echo(words, &named, span))
        .map(|span| cut_one(words, span))
        .collect()
}

/// A span holding a pop-up's name glued to the next words, as the spans left once the echo is
/// out: the name the reader saw, and the name after the glued word.
fn glued_echo(words: &[&str], named: &[bool], (a, b, kind): Span) -> Vec<Span> {
    for i in a..b {
        let Some(told) = glued_to_earlier(words, named, a.saturating_sub(SEEN_BEFORE), i) else {
            continue;
        };
        let mut out = Vec::new();
        if told >= a && told < i {
            out.push((a, told + 1, kind));
        }
        if i + 1 < b {
            out.push((i + 1, b, kind));
        }
        return out;
    }
    vec![(a, b, kind)]
}

/// Where a word of a name told in `from..i` first stands, if word `i` is that word run on into
/// a capital ("LeeSenate" after "Lee"). Only words inside names count: a sentence may open with
/// "You" before "YouTube".
fn glued_to_earlier(words: &[&str], named: &[bool], from: usize, i: usize) -> Option<usize> {
    let w = words[i];
    let seams = w
        .char_indices()
        .zip(w.chars().skip(1))
        .filter(|&((_, c), next)| c.is_lowercase() && next.is_uppercase())
        .map(|((k, c), _)| k + c.len_utf8());
    for seam in seams {
        let head = &w[..seam];
        if !is_name_word(head) {
            continue;
        }
        if let Some(j) = (from..i).find(|&j| named[j] && words[j] == head) {
            return Some(j);
        }
    }
    None
}

fn cut_one(words: &[&str], (a, b, kind): Span) -> Span {
    if b < a + 3 || !is_name_word(words[a]) {
        return (a, b, kind);
    }
    if let Some(i) = (a + 2..b).find(|&i| told_again(words, a, i)) {
        return (a, i, kind);
    }
    if nickname_in_brackets(words, b, words[a]) {
        return (a, b - 1, PERSON);
    }
    (a, b, kind)
}

/// Whether the name's first two words, from `a`, come again from `i` on (the second may be
/// glued to what follows it).
fn told_again(words: &[&str], a: usize, i: usize) -> bool {
    words[i] == words[a]
        && words
            .get(i + 1)
            .is_some_and(|w| w.starts_with(words[a + 1]) && is_name_word(words[a + 1]))
}

/// Whether `(first)` follows the span ending before `end`.
fn nickname_in_brackets(words: &[&str], end: usize, first: &str) -> bool {
    words.get(end) == Some(&"(")
        && words.get(end + 1) == Some(&first)
        && words.get(end + 2) == Some(&")")
}

/// A capitalised word of two letters or more.
fn is_name_word(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.next().is_some_and(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        text.split(' ').collect()
    }

    #[test]
    fn a_name_told_twice_is_cut_at_the_second_telling() {
        let w = words("Rep. Ann Lee Ann LeeCouncil votes");
        assert_eq!(cut(&w, vec![(1, 5, 1)]), vec![(1, 3, 1)]);
    }

    #[test]
    fn a_name_repeating_one_word_is_kept() {
        let w = words("Sirhan Bishara Sirhan said");
        assert_eq!(cut(&w, vec![(0, 3, 1)]), vec![(0, 3, 1)]);
    }

    #[test]
    fn a_formal_first_name_before_the_familiar_one_in_brackets_is_cut() {
        let w = words("Reps. Tom Ash Thomas ( Tom ) Ash said");
        assert_eq!(cut(&w, vec![(1, 4, 2)]), vec![(1, 3, 1)]);
    }

    #[test]
    fn a_pop_up_name_glued_to_the_next_words_is_cut_to_the_name_seen() {
        let w = words("Sen. Ann Lee Ann Marie LeeSenate Democrats met");
        assert_eq!(cut(&w, vec![(1, 7, 1)]), vec![(1, 3, 1), (6, 7, 1)]);
        let w = words("President Vance Jonah Peter VanceGOP leaders said");
        assert_eq!(cut(&w, vec![(1, 5, 1)]), vec![(1, 2, 1)]);
    }

    #[test]
    fn a_span_that_is_all_pop_up_goes() {
        let w = words("Sen. Ann Lee Ann Marie LeeLee said");
        assert_eq!(cut(&w, vec![(1, 3, 1), (4, 6, 1)]), vec![(1, 3, 1)]);
    }

    #[test]
    fn a_word_outside_any_name_is_no_echo() {
        let w = words("You can watch it on YouTube today");
        assert_eq!(cut(&w, vec![(5, 6, 2)]), vec![(5, 6, 2)]);
    }

    #[test]
    fn a_capital_inside_a_name_is_no_glue() {
        let w = words("Mac McLean met Dana DeSoto and Mc");
        assert_eq!(
            cut(&w, vec![(0, 2, 1), (3, 5, 1)]),
            vec![(0, 2, 1), (3, 5, 1)]
        );
    }

    #[test]
    fn a_short_span_is_never_cut() {
        let w = words("Ann Lee ( Ann )");
        assert_eq!(cut(&w, vec![(0, 2, 1)]), vec![(0, 2, 1)]);
    }
}
