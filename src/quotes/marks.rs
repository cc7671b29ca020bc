//! Quotation marks paired into spans. Owns the mark styles and the paragraph convention: a quote
//! may run over several paragraphs, each re-opened with a mark and only the last one closed; a
//! mark left open at a paragraph's end whose next paragraph does not re-open it was an
//! apostrophe, a typo or an inch sign, and makes no span.

/// The family a quote was opened with; it decides which marks close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `"` opens and closes.
    Straight,
    /// `“` ... `”`.
    Curly,
    /// `«` ... `»`, and the reversed `»` ... `«` some languages use.
    Guillemet,
    /// `„` ... `“` (or `”`).
    Low,
    /// `‘` ... `’`, only outside a double quote.
    Single,
}

/// One quoted stretch of a text, in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The opening mark.
    pub open: usize,
    /// First quoted character, `[start, end)`.
    pub start: usize,
    pub end: usize,
    /// The marks re-opening later paragraphs of the same quote.
    pub reopens: Vec<usize>,
}

impl Span {
    /// The quoted words: re-opening marks dropped, line breaks and the spaces around them folded
    /// into one space.
    pub fn text(&self, chars: &[char]) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for (i, &c) in chars.iter().enumerate().take(self.end).skip(self.start) {
            if self.reopens.contains(&i) {
                continue;
            }
            if c == '\n' || c == '\r' {
                pending_space = true;
                continue;
            }
            if pending_space {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(' ');
                pending_space = false;
                if c == ' ' {
                    continue;
                }
            }
            if c == ' ' && out.ends_with(' ') {
                continue;
            }
            out.push(c);
        }
        out.trim().to_string()
    }

    /// The character just after the closing mark.
    pub fn after(&self) -> usize {
        self.end + 1
    }
}

/// The characters [`opens`], [`closes`] and a paragraph's re-opening can act on.
fn is_mark_or_break(c: char) -> bool {
    matches!(c, '\n' | '"' | '“' | '”' | '«' | '»' | '„' | '‘' | '’')
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Does `c` at `i` open a quote when none is open?
fn opens(chars: &[char], i: usize) -> Option<Family> {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    match chars[i] {
        '"' if next.is_some_and(|n| !n.is_whitespace()) && !prev.is_some_and(is_word) => {
            Some(Family::Straight)
        }
        '“' => Some(Family::Curly),
        '«' => Some(Family::Guillemet),
        '„' => Some(Family::Low),
        '‘' if next.is_some_and(is_word) && !prev.is_some_and(is_word) => Some(Family::Single),
        _ => None,
    }
}

/// Does `c` at `i` close a quote of `family`?
fn closes(chars: &[char], i: usize, family: Family) -> bool {
    let next = chars.get(i + 1).copied();
    match (family, chars[i]) {
        (Family::Straight, '"') => true,
        (Family::Curly, '”') => true,
        // A straight mark inside a curly quote is a typo for the closing one more often than a
        // nested quote, which would use single marks.
        (Family::Curly, '"') => true,
        // And the reverse: a curly closing mark ends a quote opened with a straight one
        // (`"…”`, text edited in two tools).
        (Family::Straight, '”') => true,
        (Family::Guillemet, '»') => true,
        (Family::Low, '“' | '”') => true,
        (Family::Single, '’') => !next.is_some_and(is_word),
        _ => false,
    }
}

/// Does the paragraph starting at `i` (after its leading blanks) re-open a quote of `family`?
fn reopens(chars: &[char], i: usize, family: Family) -> bool {
    matches!(
        (family, chars.get(i)),
        (Family::Straight | Family::Curly, Some('"' | '“'))
            | (Family::Guillemet, Some('«'))
            | (Family::Low, Some('„'))
            | (Family::Single, Some('‘'))
    )
}

/// Every quoted span of a text, in order. Quotes do not nest at this level: marks inside an open
/// quote other than its closing ones belong to its words.
pub fn spans(chars: &[char]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(Family, Span)> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Nearly every character is neither a mark nor a line break, and neither opens, closes
        // nor re-opens anything: passed over before the span in hand is taken apart.
        if !is_mark_or_break(c) {
            i += 1;
            continue;
        }
        if c == '\n' {
            if let Some((family, span)) = open.as_mut() {
                let mut k = i + 1;
                while k < chars.len() && chars[k].is_whitespace() {
                    k += 1;
                }
                let blank_line = chars[i + 1..k].contains(&'\n');
                // A line break inside a paragraph (hard-wrapped text) keeps the quote open; a
                // new paragraph must re-open it.
                if blank_line || k >= chars.len() || opens_paragraph(chars, i, k) {
                    if reopens(chars, k, *family) {
                        span.reopens.push(k);
                        i = k + 1;
                        continue;
                    }
                    open = None;
                    i = k;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        match open.take() {
            Some((family, mut span)) => {
                if family == Family::Straight && c == '"' && lost_paragraph(chars, i) {
                    span.reopens.push(i);
                    open = Some((family, span));
                } else if closes(chars, i, family) {
                    span.end = i;
                    if span.end > span.start {
                        out.push(span);
                    }
                } else {
                    open = Some((family, span));
                }
            }
            None => {
                if let Some(family) = opens(chars, i) {
                    open = Some((
                        family,
                        Span {
                            open: i,
                            start: i + 1,
                            end: i + 1,
                            reopens: Vec::new(),
                        },
                    ));
                }
            }
        }
        i += 1;
    }
    out
}

/// A straight mark inside an open quote, after a sentence's end and a space and before a word,
/// re-opens the next paragraph of the same quote in text whose paragraph breaks were lost
/// (`"...first. "Second..."`); a closing mark follows its words directly.
fn lost_paragraph(chars: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let before = i.checked_sub(2).map(|p| chars[p]);
    prev == Some(' ')
        && before.is_some_and(|c| matches!(c, '.' | '?' | '!' | ':' | ' '))
        && chars
            .get(i + 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '\'')
}

/// A single line break starts a new paragraph unless the text is hard-wrapped; a line that
/// begins with a quotation mark right after a line ending a sentence is taken as a paragraph.
fn opens_paragraph(chars: &[char], nl: usize, k: usize) -> bool {
    let before = chars[..nl].iter().rev().find(|c| !c.is_whitespace());
    let sentence_end = before.is_some_and(|c| matches!(c, '.' | '?' | '!' | '"' | '”' | ':'));
    sentence_end || matches!(chars.get(k), Some('"' | '“' | '«' | '„' | '‘'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        spans(&chars).iter().map(|sp| sp.text(&chars)).collect()
    }

    #[test]
    fn every_mark_style() {
        assert_eq!(texts("He said \"yes, now\" and left."), vec!["yes, now"]);
        assert_eq!(texts("He said “yes, now” and left."), vec!["yes, now"]);
        assert_eq!(texts("Il a dit « oui » hier."), vec!["oui"]);
        assert_eq!(texts("Er sagte „ja“ gestern."), vec!["ja"]);
        assert_eq!(
            texts("She called it ‘reckless’ on Monday."),
            vec!["reckless"]
        );
    }

    #[test]
    fn a_straight_mark_closed_by_a_curly_one_is_one_quote() {
        assert_eq!(
            texts("\"We will sign it,” Kern said. \"Soon.\""),
            vec!["We will sign it,", "Soon."]
        );
        assert_eq!(
            texts("“We will sign it,\" Kern said. “Soon.”"),
            vec!["We will sign it,", "Soon."]
        );
    }

    #[test]
    fn apostrophes_are_not_single_quotes() {
        assert!(texts("The players’ union said it’s fine, isn’t it.").is_empty());
    }

    #[test]
    fn a_quote_over_paragraphs_closes_at_the_last() {
        let s =
            "Mara Quill said: \"We came here first.\n\n\"We will stay here.\"\n\nThen she left.";
        let chars: Vec<char> = s.chars().collect();
        let sp = spans(&chars);
        assert_eq!(sp.len(), 1);
        assert_eq!(sp[0].text(&chars), "We came here first. We will stay here.");
        assert_eq!(sp[0].reopens.len(), 1);
    }

    #[test]
    fn a_quote_whose_paragraph_breaks_were_lost_is_one_quote() {
        let s = "\"We came first. \"We will stay,\" said Mara Quill.";
        assert_eq!(texts(s), vec!["We came first. We will stay,"]);
    }

    #[test]
    fn an_unclosed_mark_at_a_paragraph_end_makes_no_span() {
        let s = "The board was 6\" wide.\n\nThen \"it was over\" he said.";
        assert_eq!(texts(s), vec!["it was over"]);
    }
}
