//! Lines of an article that are not prose and whose words are never entities: rows of numeric
//! tables (results, prices, scores written as figures and abbreviations) and the closing sign-off
//! or source line. The tagger was trained on sentences; on such lines it reads an abbreviation at
//! the start of a row ("Shr", "Oper") or an agency's sign-off as a name, and the error repeats
//! across every story of an archive that uses the same layout.

use super::casing;
use super::model::Model;
use super::tokenize::Token;

/// Longest sign-off line, in words.
const SIGNOFF_WORDS: usize = 4;
/// Longest unknown word read as a table abbreviation, in letters.
const ABBREVIATION_LETTERS: usize = 5;

/// For every token: does it sit on a table row or the sign-off line?
pub fn excluded(model: &Model, text: &str, tokens: &[Token]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    let lines = token_lines(text, tokens);
    for line in &lines {
        if is_table_row(model, text, &tokens[line.clone()]) {
            out[line.clone()].iter_mut().for_each(|x| *x = true);
        }
    }
    if lines.len() >= 2
        && let Some(last) = lines.last()
        && is_signoff(text, &tokens[last.clone()])
    {
        out[last.clone()].iter_mut().for_each(|x| *x = true);
    }
    out
}

/// Token ranges of the text's non-empty lines, in order.
fn token_lines(text: &str, tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut i = 0;
    let mut line_end = 0;
    while i < tokens.len() {
        if tokens[i].start >= line_end {
            line_end = text[tokens[i].start..]
                .find('\n')
                .map_or(text.len(), |k| tokens[i].start + k);
        }
        let start = i;
        while i < tokens.len() && tokens[i].start < line_end {
            i += 1;
        }
        lines.push(start..i);
    }
    lines
}

fn has_alnum(t: &str) -> bool {
    t.chars().any(char::is_alphanumeric)
}

fn is_number(t: &str) -> bool {
    t.trim_start_matches(['(', '-', '+', '$', '£', '€'])
        .starts_with(|c: char| c.is_ascii_digit())
}

/// A word that a table row may hold besides numbers: one written in lower case here ("cts",
/// whatever its usual casing elsewhere: a unit is often also some acronym), one usually written
/// in lower case in news text ("Loss", "vs", "mln"), or a short word the vocabulary does not know
/// ("Shr", "Qtr"). Names and acronyms, capitalised here and usually, are not.
fn is_table_word(model: &Model, t: &str) -> bool {
    if !t.chars().all(|c| c.is_alphabetic() || c == '.') {
        return false;
    }
    if !t.chars().any(char::is_uppercase) {
        return true;
    }
    match casing::usual(&model.lexicon, t) {
        Some(lower) => lower,
        None => t.chars().filter(|c| c.is_alphabetic()).count() <= ABBREVIATION_LETTERS,
    }
}

/// A row of a numeric table: at least two numbers, a quarter or more of its words, and every
/// other word a table word. Numbers are counted first, so prose lines cost no lookups.
fn is_table_row(model: &Model, text: &str, line: &[Token]) -> bool {
    let words = || line.iter().map(|t| t.text(text)).filter(|t| has_alnum(t));
    let (n_words, numbers) = words().fold((0, 0), |(w, n), t| (w + 1, n + is_number(t) as usize));
    numbers >= 2
        && numbers * 4 >= n_words
        && words().all(|t| is_number(t) || is_table_word(model, t))
}

/// A closing sign-off or source line: a few words, no digits, no closing punctuation.
fn is_signoff(text: &str, line: &[Token]) -> bool {
    let (Some(first), Some(last)) = (line.first(), line.last()) else {
        return false;
    };
    let words: Vec<&str> = line
        .iter()
        .map(|t| t.text(text))
        .filter(|t| has_alnum(t))
        .collect();
    let raw = &text[first.start..last.end];
    !words.is_empty()
        && words.len() <= SIGNOFF_WORDS
        && !raw.chars().any(|c| c.is_ascii_digit())
        && !raw.ends_with(['.', '!', '?', ':', ';', ',', '"', '\'', '”', '’', ')', '…'])
        && words[0].starts_with(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tokenize::tokenize;

    fn lines_of(text: &str) -> Vec<String> {
        let tk = tokenize(text);
        token_lines(text, &tk.tokens)
            .into_iter()
            .map(|r| {
                tk.tokens[r]
                    .iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn lines_hold_their_tokens() {
        assert_eq!(
            lines_of("One two.\n\n  Three\nfour five\n"),
            vec!["One two .", "Three", "four five"]
        );
        assert!(lines_of("").is_empty());
    }

    fn row(line: &str) -> bool {
        let tk = tokenize(line);
        let model = crate::entities::model::embedded().expect("the compiled-in model");
        is_table_row(model, line, &tk.tokens)
    }

    #[test]
    fn unit_written_in_lower_case_is_a_table_word_whatever_its_usual_casing() {
        assert!(row("Shr 42 cts vs 31 cts"));
        assert!(row("Oper net 1,204,000 vs 977,000"));
        // Names in a row of figures are names: a results list is not a table of abbreviations.
        assert!(!row("Smith 4,512 Jones 3,990"));
    }

    #[test]
    fn sign_off_lines() {
        let check = |line: &str| {
            let tk = tokenize(line);
            is_signoff(line, &tk.tokens)
        };
        assert!(check("Reuter"));
        assert!(check("Harbour Gazette Wire"));
        assert!(!check("He left."));
        assert!(!check("Copyright 1987"));
        assert!(!check("and then the minister left the building"));
    }
}
