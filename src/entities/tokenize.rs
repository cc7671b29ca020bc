//! Tokenizer for raw news text: splits an article into sentences and word tokens with byte and
//! character offsets. It follows the CoNLL/Penn conventions the tagger was trained on (possessive
//! "'s" and "n't" are separate tokens, punctuation is split off, hyphenated words stay whole), while
//! keeping abbreviations ("U.S.", "Mr.", "Jan.") and initials ("J.") in one piece so that their
//! dot neither becomes a token nor ends the sentence.
//!
//! It also owns what every later stage takes from tokens: `Doc`, a document as the tagger sees it
//! (token texts and sentence ranges), and `normalize`, the folding of typographic variants to the
//! forms of the training data. They sit here, the lowest module, so that `lexicon`, `casing`,
//! `features` and `conll` can all use them without importing one another in a circle.

use std::borrow::Cow;
use std::ops::Range;

/// One document as the tagger sees it: tokens and sentences as token ranges.
pub struct Doc<'a> {
    pub tokens: Vec<&'a str>,
    pub sents: Vec<Range<usize>>,
}

/// Fold typographic variants to the ASCII forms of the training data.
pub fn normalize(tok: &str) -> Cow<'_, str> {
    if tok.is_ascii() {
        return match tok {
            "``" | "''" => Cow::Borrowed("\""),
            "--" | "---" => Cow::Borrowed("-"),
            _ => Cow::Borrowed(tok),
        };
    }
    let mut s = String::with_capacity(tok.len());
    for c in tok.chars() {
        match c {
            '’' | '‘' | '‛' | '`' => s.push('\''),
            '“' | '”' | '„' | '«' | '»' => s.push('"'),
            '—' | '–' | '―' | '‒' => s.push('-'),
            '…' => s.push_str("..."),
            _ => s.push(c),
        }
    }
    Cow::Owned(s)
}

/// One token: `[start, end)` in bytes (for slicing) and in characters (for the public API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

/// The tokens of a text and its sentences as ranges of token indices.
#[derive(Debug, Clone, Default)]
pub struct Tokenized {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Range<usize>>,
}

/// Abbreviations whose final dot belongs to the word. Lower case, with the dot.
const ABBREVIATIONS: &[&str] = &[
    "mr.", "mrs.", "ms.", "dr.", "prof.", "sen.", "rep.", "gov.", "gen.", "col.", "lt.", "sgt.",
    "capt.", "cmdr.", "adm.", "maj.", "cpl.", "pvt.", "lieut.", "supt.", "insp.", "det.", "rev.",
    "fr.", "msgr.", "hon.", "pres.", "sec.", "atty.", "amb.", "st.", "ste.", "mt.", "ft.", "jr.",
    "sr.", "inc.", "corp.", "co.", "ltd.", "bros.", "plc.", "llc.", "assn.", "dept.", "univ.",
    "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.",
    "dec.", "mon.", "tue.", "tues.", "wed.", "thu.", "thur.", "thurs.", "fri.", "sat.", "sun.",
    "vs.", "v.", "etc.", "vol.", "approx.", "est.", "fig.", "ave.", "blvd.", "rd.", "calif.",
    "fla.", "mass.", "penn.", "conn.", "wash.", "ore.", "ill.", "mich.", "minn.", "wis.", "ariz.",
    "colo.", "okla.", "tenn.", "ky.", "ala.", "ga.", "va.", "md.", "mo.", "ark.", "miss.", "nev.",
    "neb.", "kan.", "del.", "vt.", "n.h.", "n.j.", "n.y.", "n.c.", "s.c.", "e.g.", "i.e.", "a.m.",
    "p.m.", "ph.d.", "u.s.", "u.k.", "u.n.", "e.u.", "d.c.",
];

/// Abbreviations that are always followed by a name, so they never end a sentence.
const TITLE_ABBREVIATIONS: &[&str] = &[
    "mr.", "mrs.", "ms.", "dr.", "prof.", "sen.", "rep.", "gov.", "gen.", "col.", "lt.", "sgt.",
    "capt.", "cmdr.", "adm.", "maj.", "cpl.", "pvt.", "lieut.", "supt.", "insp.", "det.", "rev.",
    "fr.", "msgr.", "hon.", "st.", "mt.", "ft.", "vs.", "v.",
];

/// Words that usually begin a sentence: after an abbreviation such as "U.S." they mark a boundary.
const SENTENCE_STARTERS: &[&str] = &[
    "the",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "but",
    "and",
    "in",
    "this",
    "that",
    "there",
    "a",
    "an",
    "his",
    "her",
    "their",
    "its",
    "on",
    "at",
    "as",
    "if",
    "when",
    "after",
    "while",
    "some",
    "many",
    "however",
    "meanwhile",
    "yet",
    "so",
    "both",
    "our",
];

fn is_abbreviation(lower: &str) -> bool {
    if ABBREVIATIONS.contains(&lower) {
        return true;
    }
    // Initials and dotted acronyms: "J.", "U.S.", "U.S.A.", "A.B.C."
    let mut expect_letter = true;
    let mut letters = 0;
    for c in lower.chars() {
        if expect_letter {
            if !c.is_alphabetic() {
                return false;
            }
            letters += 1;
            expect_letter = false;
        } else {
            if c != '.' {
                return false;
            }
            expect_letter = true;
        }
    }
    letters > 0 && expect_letter
}

fn is_open_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '`' | '(' | '[' | '{' | '“' | '‘' | '«' | '„' | '¿' | '¡' | '<'
    )
}

fn is_close_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»' | ',' | ';' | ':' | '!' | '?' | '>' | '…'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '—' | '–' | '―' | '‒')
}

/// Contraction clitics that stay whole when a chunk consists of only them ("'s" in CoNLL input).
const CLITICS: &[&str] = &["'s", "’s", "'re", "'ve", "'ll", "'d", "'m", "n't", "'S"];

/// Split text into tokens and sentences.
pub fn tokenize(text: &str) -> Tokenized {
    let mut out = Tokenized {
        tokens: Vec::with_capacity(text.len() / 5),
        sentences: Vec::new(),
    };
    let mut chars = Vec::with_capacity(32);
    // Chunks between whitespace, with the number of newlines seen before each chunk.
    let mut chunk_start: Option<(usize, usize)> = None;
    let mut newline_before = false;
    let mut sent_start = 0usize;
    for (char_idx, (b, c)) in text.char_indices().enumerate() {
        if c.is_whitespace() {
            if let Some((bs, cs)) = chunk_start.take() {
                split_chunk(text, bs, b, cs, &mut chars, &mut out.tokens);
            }
            if c == '\n' {
                newline_before = true;
            }
        } else if chunk_start.is_none() {
            if newline_before {
                // Every line break ends a sentence: news text puts headlines, datelines and
                // paragraphs on their own lines, and wrapped prose is rare in archives.
                close_sentence(&mut out, &mut sent_start);
                newline_before = false;
            }
            chunk_start = Some((b, char_idx));
        }
    }
    if let Some((bs, cs)) = chunk_start.take() {
        split_chunk(text, bs, text.len(), cs, &mut chars, &mut out.tokens);
    }
    close_sentence(&mut out, &mut sent_start);
    // Split the line-level sentences further at sentence-final punctuation.
    let lines = std::mem::take(&mut out.sentences);
    for line in lines {
        split_sentences(text, &out.tokens, line, &mut out.sentences);
    }
    out
}

fn close_sentence(out: &mut Tokenized, sent_start: &mut usize) {
    if out.tokens.len() > *sent_start {
        out.sentences.push(*sent_start..out.tokens.len());
        *sent_start = out.tokens.len();
    }
}

fn split_sentences(text: &str, tokens: &[Token], line: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut start = line.start;
    let mut i = line.start;
    while i < line.end {
        let t = tokens[i].text(text);
        let terminal = matches!(t, "." | "!" | "?" | "..." | "…");
        let abbrev_end = !terminal
            && t.ends_with('.')
            && t.len() > 2
            && !TITLE_ABBREVIATIONS.contains(&t.to_lowercase().as_str());
        if terminal || abbrev_end {
            let mut j = i + 1;
            while j < line.end && is_closing_token(tokens[j].text(text)) {
                j += 1;
            }
            if j < line.end {
                let next = tokens[j].text(text);
                let first = next.chars().next().unwrap_or(' ');
                let starts = if terminal {
                    first.is_uppercase() || first.is_numeric() || is_open_punct(first)
                } else {
                    // After an abbreviation only a typical sentence opener ends the sentence.
                    first.is_uppercase()
                        && SENTENCE_STARTERS.contains(&next.to_lowercase().as_str())
                };
                if starts {
                    out.push(start..j);
                    start = j;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if start < line.end {
        out.push(start..line.end);
    }
}

fn is_closing_token(t: &str) -> bool {
    matches!(t, "\"" | "'" | "”" | "’" | ")" | "]" | "}" | "»" | "''")
}

/// Split one whitespace-delimited chunk `text[bs..be]` (starting at character `cs`) into tokens.
/// `chars` is scratch space, kept by the caller so that a text is split without allocating for
/// every chunk.
fn split_chunk(
    text: &str,
    bs: usize,
    be: usize,
    cs: usize,
    chars: &mut Vec<(usize, char)>,
    out: &mut Vec<Token>,
) {
    let chunk = &text[bs..be];
    chars.clear();
    chars.extend(chunk.char_indices().map(|(b, c)| (b + bs, c)));
    let chars: &[(usize, char)] = chars;
    let n = chars.len();
    let byte_at = |i: usize| if i < n { chars[i].0 } else { be };
    let mut push = |from: usize, to: usize, out: &mut Vec<Token>| {
        if from < to {
            out.push(Token {
                start: byte_at(from),
                end: byte_at(to),
                char_start: cs + from,
                char_end: cs + to,
            });
        }
    };
    if CLITICS.contains(&chunk) {
        push(0, n, out);
        return;
    }
    let mut lo = 0usize;
    let mut hi = n;
    let mut tail: Vec<(usize, usize)> = Vec::new();
    // Leading punctuation, one mark at a time (repeated quotes like `` stay together).
    while lo < hi {
        let c = chars[lo].1;
        if is_open_punct(c) || is_dash(c) || (c == '-' && lo + 1 < hi && chars[lo + 1].1 == '-') {
            let mut j = lo + 1;
            while j < hi && chars[j].1 == c {
                j += 1;
            }
            push(lo, j, out);
            lo = j;
        } else {
            break;
        }
    }
    // Trailing punctuation, collected right to left.
    while lo < hi {
        let c = chars[hi - 1].1;
        if c == '.' {
            // An ellipsis is one token.
            let mut j = hi;
            while j > lo && chars[j - 1].1 == '.' {
                j -= 1;
            }
            if hi - j >= 2 {
                tail.push((j, hi));
                hi = j;
                continue;
            }
            let core: String = chars[lo..hi].iter().map(|x| x.1).collect();
            let lower = core.to_lowercase();
            if is_abbreviation(&lower) {
                break;
            }
            tail.push((hi - 1, hi));
            hi -= 1;
        } else if is_close_punct(c) || is_dash(c) {
            // A trailing apostrophe after "s" is a plural possessive ("Jesus'"): still split.
            let mut j = hi - 1;
            while j > lo && chars[j - 1].1 == c && c != ',' {
                j -= 1;
            }
            tail.push((j, hi));
            hi = j;
        } else {
            break;
        }
    }
    // Inside the core: split at dashes (but not hyphens) and at clitics.
    let mut seg = lo;
    let mut i = lo;
    while i < hi {
        let c = chars[i].1;
        let double_hyphen = c == '-' && i + 1 < hi && chars[i + 1].1 == '-';
        if is_dash(c) || double_hyphen {
            push_word(chars, seg, i, &mut push, out);
            let mut j = i + 1;
            while j < hi && chars[j].1 == c {
                j += 1;
            }
            push(i, j, out);
            seg = j;
            i = j;
        } else {
            i += 1;
        }
    }
    push_word(chars, seg, hi, &mut push, out);
    for &(a, b) in tail.iter().rev() {
        push(a, b, out);
    }
}

/// Push a word, splitting off a possessive or contraction clitic at its end.
fn push_word(
    chars: &[(usize, char)],
    lo: usize,
    hi: usize,
    push: &mut impl FnMut(usize, usize, &mut Vec<Token>),
    out: &mut Vec<Token>,
) {
    if lo >= hi {
        return;
    }
    let len = hi - lo;
    let ch = |i: usize| chars[i].1;
    let apostrophe = |c: char| c == '\'' || c == '’';
    if len > 2 && apostrophe(ch(hi - 2)) && matches!(ch(hi - 1), 's' | 'S' | 'd' | 'm' | 'D' | 'M')
    {
        push(lo, hi - 2, out);
        push(hi - 2, hi, out);
        return;
    }
    if len > 3
        && apostrophe(ch(hi - 3))
        && matches!(
            (ch(hi - 2), ch(hi - 1)),
            ('r', 'e') | ('v', 'e') | ('l', 'l') | ('R', 'E') | ('V', 'E') | ('L', 'L')
        )
    {
        push(lo, hi - 3, out);
        push(hi - 3, hi, out);
        return;
    }
    if len > 3
        && matches!(ch(hi - 3), 'n' | 'N')
        && apostrophe(ch(hi - 2))
        && matches!(ch(hi - 1), 't' | 'T')
    {
        push(lo, hi - 3, out);
        push(hi - 3, hi, out);
        return;
    }
    push(lo, hi, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).tokens.iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn splits_punctuation_and_possessives() {
        assert_eq!(
            words("Obama's aide said, \"No.\""),
            vec!["Obama", "'s", "aide", "said", ",", "\"", "No", ".", "\""]
        );
        assert_eq!(words("Biden’s plan"), vec!["Biden", "’s", "plan"]);
        assert_eq!(words("don't"), vec!["do", "n't"]);
        assert_eq!(words("Jesus' words"), vec!["Jesus", "'", "words"]);
    }

    #[test]
    fn keeps_abbreviations_initials_and_hyphens() {
        assert_eq!(
            words("Mr. J. Smith of the U.S. Franco-German firm left on Jan. 5."),
            vec![
                "Mr.",
                "J.",
                "Smith",
                "of",
                "the",
                "U.S.",
                "Franco-German",
                "firm",
                "left",
                "on",
                "Jan.",
                "5",
                "."
            ]
        );
    }

    #[test]
    fn splits_dashes() {
        assert_eq!(
            words("Paris—the capital -- is big"),
            vec!["Paris", "—", "the", "capital", "--", "is", "big"]
        );
    }

    #[test]
    fn offsets_are_characters() {
        let text = "Café Zürich’s owner, Anna.";
        let tk = tokenize(text);
        let chars: Vec<char> = text.chars().collect();
        for t in &tk.tokens {
            let by_char: String = chars[t.char_start..t.char_end].iter().collect();
            assert_eq!(by_char, t.text(text));
        }
        assert_eq!(tk.tokens[1].char_start, 5);
        assert_eq!(tk.tokens[1].char_end, 11);
    }

    #[test]
    fn sentences() {
        let text =
            "Mr. Smith went to Washington. He met Dr. Jones in the U.S. The end!\nHeadline here";
        let tk = tokenize(text);
        let sents: Vec<String> = tk
            .sentences
            .iter()
            .map(|r| {
                tk.tokens[r.clone()]
                    .iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            sents,
            vec![
                "Mr. Smith went to Washington .",
                "He met Dr. Jones in the U.S.",
                "The end !",
                "Headline here"
            ]
        );
    }
}
