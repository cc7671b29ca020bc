//! News furniture: the parts of a story that say who filed it and from where, recognised by
//! their shape (in any outlet's wording, never by a list of agencies or names), so that their
//! words are read as what they are and never as names in the story.
//!
//! - A dateline opens a line: a place in capitals or followed by a bracketed agency, an optional
//!   date after a comma, and a dash ("CITY (Agency) -", "CITY, Month Day (Agency) -",
//!   "CITY -"). Its place is the place of filing (a place mention, whole: never cut into an
//!   organisation fragment); the agency in brackets is no entity of the story.
//! - A credit clause opens a line, a bracket or follows a semicolon: a few role words (the first
//!   capitalised, the rest in lower case) then "by" and names ("Reporting by ...; Editing by
//!   ...", "Additional reporting by X in Y"). A byline is a short line "By X" or "By X in Y".
//!   Their names are the article's authors, never persons in the story; their words are no
//!   entities at all.
//! - A picture credit is a short line or bracket of capitalised words holding a word joined by a
//!   slash to another ("REUTERS/Ana Velo", "(Ana Velo/Coast Wire via Harbour Images)", "Photo:
//!   Ana Velo/Coast Wire"): the photographer and the agency are no entities of the story.
use std::ops::Range;

use super::tokenize::{Token, normalize, tokenize};

/// Most words of a dateline's place, of a bracketed agency, and of a credit's role.
const PLACE_WORDS: usize = 4;
const AGENCY_WORDS: usize = 5;
const ROLE_WORDS: usize = 3;
/// Longest byline, in words.
const BYLINE_WORDS: usize = 12;
/// Longest picture credit, in words.
const PICTURE_CREDIT_WORDS: usize = 10;
/// Small words a picture credit may hold besides names ("via Harbour Images").
const PICTURE_CREDIT_JOINERS: &[&str] = &["via", "and", "for", "of"];
/// Most words of a date after a dateline's comma ("Oct 3", "March 12, 2011").
const DATE_WORDS: usize = 5;

/// The furniture found in one text, as token ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Furniture {
    /// Places of filing (one per dateline).
    pub places: Vec<Range<usize>>,
    /// Tokens that are furniture and never entities (agencies, credit and byline lines).
    pub excluded: Vec<Range<usize>>,
    /// Names credited as authors.
    pub authors: Vec<Range<usize>>,
}

/// Find the furniture of `text` from its tokens.
pub fn find(text: &str, tokens: &[Token]) -> Furniture {
    let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
    let mut out = Furniture::default();
    for line in lines(text, tokens) {
        if let Some((place, agency)) = dateline(&words, line.clone()) {
            out.places.push(place);
            out.excluded.extend(agency);
        }
        if let Some(names) = byline(&words, line.clone()) {
            out.authors.extend(names);
            out.excluded.push(line.clone());
            continue;
        }
        out.excluded.extend(picture_credits(&words, line.clone()));
        credits(&words, line, &mut out);
    }
    out
}

/// The authors credited in `text` (credit clauses and bylines), as written, each once.
pub fn authors(text: &str) -> Vec<String> {
    if !may_credit(text) {
        return Vec::new();
    }
    let tk = tokenize(text);
    credited(text, &tk.tokens, &find(text, &tk.tokens), 0)
}

/// Whether `text` can hold a credit or byline at all: the quick test `authors` makes before
/// tokenizing.
pub fn may_credit(text: &str) -> bool {
    text.contains("by ") || text.contains("By ")
}

/// The authors of `furniture` (found in `text` with `tokens`) whose names start at byte `from`
/// or later, as written, each once. A text made of a headline, a blank line and a body gives,
/// from `from` on, exactly what `authors` gives for the body alone: tokens and lines never run
/// across the blank line, so the indexer tokenizes an article once for both.
pub fn credited(text: &str, tokens: &[Token], furniture: &Furniture, from: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in furniture
        .authors
        .iter()
        .filter(|r| tokens[r.start].start >= from)
    {
        let name = text[tokens[r.start].start..tokens[r.end - 1].end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Token ranges of the text's non-empty lines.
fn lines(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=tokens.len() {
        let breaks = i == tokens.len() || text[tokens[i - 1].end..tokens[i].start].contains('\n');
        if breaks {
            if start < i {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

fn capitalised(w: &str) -> bool {
    w.starts_with(char::is_uppercase)
}

fn in_capitals(w: &str) -> bool {
    w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase)
}

fn is_dash(w: &str) -> bool {
    matches!(normalize(w).as_ref(), "-" | "--")
}

fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// A dateline at the start of `line`: the place's tokens and the agency's (brackets included).
fn dateline(words: &[&str], line: Range<usize>) -> Option<(Range<usize>, Option<Range<usize>>)> {
    let end = line.end;
    let mut k = line.start;
    // The place: capitalised words (a dotted state abbreviation and a comma between parts allowed
    // when the words are in capitals: "ST. LOUIS", "PORTLAND, Ore.").
    while k < end && k - line.start < PLACE_WORDS && capitalised(words[k]) && is_word(words[k]) {
        k += 1;
    }
    let place = line.start..k;
    if place.is_empty() {
        return None;
    }
    let place_in_capitals = place.clone().all(|i| in_capitals(words[i]));
    // An optional date (or state) after a comma: a few words, at least one with a digit or
    // capitalised, before the bracket or dash.
    if k < end && words[k] == "," {
        let mut j = k + 1;
        while j < end && j - k <= DATE_WORDS && !is_dash(words[j]) && words[j] != "(" {
            if !(is_word(words[j]) || words[j] == "," || words[j] == ".") {
                return None;
            }
            j += 1;
        }
        k = j;
    }
    let mut agency = None;
    if k < end && words[k] == "(" {
        let close = (k + 1..end.min(k + 2 + AGENCY_WORDS)).find(|&j| words[j] == ")")?;
        if close == k + 1 || !(k + 1..close).all(|j| capitalised(words[j]) || !is_word(words[j])) {
            return None;
        }
        agency = Some(k..close + 1);
        k = close + 1;
    }
    let dash = k < end && is_dash(words[k]);
    // Without an agency, only a place in capitals makes a dateline ("LONDON -"); "Smith - the
    // ..." is prose.
    (dash && (agency.is_some() || place_in_capitals) && k + 1 < end).then_some((place, agency))
}

/// A byline line: "By" and a few capitalised names, with "and", commas and "in Place" between
/// them, and nothing else.
fn byline(words: &[&str], line: Range<usize>) -> Option<Vec<Range<usize>>> {
    let n_words = line.clone().filter(|&i| is_word(words[i])).count();
    if !(2..=BYLINE_WORDS).contains(&n_words) || words[line.start] != "By" {
        return None;
    }
    let names = names_after_by(words, line.start + 1, line.end)?;
    // Nothing but names, places and separators may follow.
    let covered = names.last().map_or(line.start, |r| r.end);
    let rest_is_place = (covered..line.end)
        .all(|i| capitalised(words[i]) || !is_word(words[i]) || matches!(words[i], "in" | "and"));
    rest_is_place.then_some(names)
}

/// Credit clauses in `line`: role words right after the line start, "(" or ";", then "by" and
/// names, up to ";", ")" or the line's end.
fn credits(words: &[&str], line: Range<usize>, out: &mut Furniture) {
    let mut clause_start = line.start;
    let mut i = line.start;
    while i <= line.end {
        let at_end = i == line.end;
        if at_end || matches!(words[i], "(" | ";" | ")") {
            if let Some(names) = credit_clause(words, clause_start, i) {
                out.authors.extend(names);
                // The bracket around a clause at a line's end goes with it.
                out.excluded.push(clause_start..i);
            }
            clause_start = i + 1;
        }
        i += 1;
    }
}

/// A credit clause `[a, b)`: role words, "by", names.
fn credit_clause(words: &[&str], a: usize, b: usize) -> Option<Vec<Range<usize>>> {
    let by = (a + 1..b.min(a + 1 + ROLE_WORDS)).find(|&j| words[j] == "by")?;
    let role_ok = capitalised(words[a])
        && !in_capitals(words[a])
        && (a + 1..by).all(|j| words[j].chars().all(char::is_lowercase));
    if !role_ok {
        return None;
    }
    let names = names_after_by(words, by + 1, b)?;
    // The clause is credits only: nothing but names and "in Place" after "by".
    let covered = names.last().map_or(by, |r| r.end);
    (covered..b)
        .all(|i| capitalised(words[i]) || !is_word(words[i]) || matches!(words[i], "in" | "and"))
        .then_some(names)
}

/// Picture credits in `line`: the whole line, or bracketed parts of it, when it is one.
fn picture_credits(words: &[&str], line: Range<usize>) -> Vec<Range<usize>> {
    if !(line.clone()).any(|i| words[i].contains('/')) {
        return Vec::new();
    }
    if picture_credit(words, line.clone()) {
        return vec![line];
    }
    let mut out = Vec::new();
    let mut open = None;
    for i in line {
        match words[i] {
            "(" | "[" => open = Some(i),
            ")" | "]" => {
                if let Some(o) = open.take()
                    && picture_credit(words, o + 1..i)
                {
                    out.push(o..i + 1);
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether `[a, b)` is a picture credit: a few words, each capitalised, a joiner or no word (a
/// label's colon), one of them two capitalised parts joined by a slash.
fn picture_credit(words: &[&str], r: Range<usize>) -> bool {
    let n_words = r.clone().filter(|&i| is_word(words[i])).count();
    let slashed = |w: &str| {
        let mut parts = w.split('/');
        let (Some(x), Some(y), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        capitalised(x) && capitalised(y) && x.chars().all(char::is_alphabetic)
    };
    (2..=PICTURE_CREDIT_WORDS).contains(&n_words)
        && r.clone().any(|i| slashed(words[i]))
        && r.clone().all(|i| {
            let w = words[i];
            capitalised(w) || !is_word(w) || PICTURE_CREDIT_JOINERS.contains(&w)
        })
}

/// Names after "by": runs of capitalised words separated by "," or "and", up to "in" (a place)
/// or the end. None if the first word is no name.
fn names_after_by(words: &[&str], from: usize, to: usize) -> Option<Vec<Range<usize>>> {
    let mut names = Vec::new();
    let mut k = from;
    loop {
        let start = k;
        while k < to && capitalised(words[k]) && is_word(words[k]) {
            k += 1;
        }
        if k == start {
            break;
        }
        names.push(start..k);
        if k < to && matches!(words[k], "," | "and" | "&") {
            k += 1;
            continue;
        }
        break;
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let tk = tokenize(text);
        let f = find(text, &tk.tokens);
        let join = |rs: &[Range<usize>]| -> Vec<String> {
            rs.iter()
                .map(|r| {
                    tk.tokens[r.clone()]
                        .iter()
                        .map(|t| t.text(text))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        (join(&f.places), join(&f.excluded), join(&f.authors))
    }

    #[test]
    fn datelines_give_the_place_and_hide_the_agency() {
        let (places, excluded, _) =
            shown("Storm hits coast\n\nPORT ELDRIDGE (Harbour Wire) - Winds rose on Monday.");
        assert_eq!(places, vec!["PORT ELDRIDGE"]);
        assert_eq!(excluded, vec!["( Harbour Wire )"]);
        let (places, excluded, _) = shown("VELMORE, March 3 (Coast Press) - The vote was held.");
        assert_eq!(places, vec!["VELMORE"]);
        assert_eq!(excluded, vec!["( Coast Press )"]);
        let (places, _, _) = shown("NORTH HALLAM - Police said on Friday.");
        assert_eq!(places, vec!["NORTH HALLAM"]);
        // Prose with a dash is no dateline.
        let (places, _, _) = shown("Edda Marrow - a former minister - spoke.");
        assert!(places.is_empty());
    }

    #[test]
    fn credit_lines_name_authors() {
        let text = "The talks ended.\n(Reporting by Edda Marrow and Tomas Quist; Additional \
                    reporting by Halvard Lind in Velmore; Editing by Ruth Ellery)";
        let (_, excluded, authors) = shown(text);
        assert_eq!(
            authors,
            vec!["Edda Marrow", "Tomas Quist", "Halvard Lind", "Ruth Ellery"]
        );
        assert_eq!(excluded.len(), 3);
        assert_eq!(
            super::authors(text),
            vec!["Edda Marrow", "Tomas Quist", "Halvard Lind", "Ruth Ellery"]
        );
        // "by" in a sentence is no credit.
        assert!(super::authors("The bill was signed by Edda Marrow on Monday.").is_empty());
    }

    #[test]
    fn picture_credits_are_no_names() {
        let text = "Harbour deal signed\n\nREUTERS/Ana Velo\n\nThe deal was signed on Monday \
                    by the Velmore council. (Ana Velo/Coast Wire via Harbour Images)\n\nPhoto: \
                    Tomas Quist/Harbour Images\n\nThe Marrow/Quist ticket won the vote.";
        let (_, excluded, authors) = shown(text);
        assert_eq!(
            excluded,
            vec![
                "REUTERS/Ana Velo",
                "( Ana Velo/Coast Wire via Harbour Images )",
                "Photo : Tomas Quist/Harbour Images"
            ]
        );
        assert!(authors.is_empty());
        // A slash in prose, or in a bracket of prose, is no credit.
        let (_, excluded, _) = shown("The Marrow/Quist ticket (a Velmore/Eldridge pact) won.");
        assert!(excluded.is_empty(), "{excluded:?}");
    }

    #[test]
    fn bylines_name_authors() {
        let text = "Harbour deal signed\n\nBy Ruth Ellery in Velmore\n\nThe deal was signed.";
        assert_eq!(super::authors(text), vec!["Ruth Ellery"]);
        assert!(super::authors("By Monday the deal was signed and sealed.").is_empty());
    }
}
