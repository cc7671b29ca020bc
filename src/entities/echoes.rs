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
//!   its own first word in brackets. That shape names a person.
//!
//! Without the repair the echo becomes the entity's canonical name, and every later mention of
//! the person ("Lee", "Ms Lee") resolves to it: a facet value no reader would search for.
/// A span as the tagger gives it (`spans::Span`, written out here so the repair needs nothing
/// of the module that calls it): token range `[start, end)` and type.
type Span = (usize, usize, u8);

const PERSON: u8 = 1;

/// `spans` with every echoed name cut to its first telling. `words`: the document's tokens.
pub fn cut(words: &[&str], spans: Vec<Span>) -> Vec<Span> {
    spans.into_iter().map(|span| cut_one(words, span)).collect()
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
    fn a_short_span_is_never_cut() {
        let w = words("Ann Lee ( Ann )");
        assert_eq!(cut(&w, vec![(0, 2, 1)]), vec![(0, 2, 1)]);
    }
}
