//! Quote or not: scare quotes ("so-called "experts""), titles of works and nicknames sit inside
//! the same marks as speech. A span is a quote when the text attributes it, or when it reads like
//! speech (several words, or its own closing punctuation); a span in title case, or named by
//! "titled", "dubbed", "known as" and the like, is a name, not words someone said; so is a short
//! capitalised name right after `told` (`told NBC's "Today"`: the programme spoken to), or one in
//! capitals throughout after `on` or `of` (`appeared on CNBC's "Squawk Box"`).
use super::marks::Span;
use super::words::{Table, Word, is_naming_word};

/// Longest name in marks taken for a title or nickname when all its long words are capitalised.
const TITLE_MAX_WORDS: usize = 10;
/// Longest name in marks that may end with the sentence's full stop or comma inside them.
const SHORT_NAME_WORDS: usize = 4;
/// Shortest unattributed span taken for speech.
const SPEECH_MIN_WORDS: usize = 4;

pub fn is_quote(table: &Table, chars: &[char], span: &Span, attributed: bool) -> bool {
    let ws = table.words(span.start, span.end);
    if ws.is_empty() || is_title_like(table, chars, span, ws.len()) || named_before(table, span) {
        return false;
    }
    attributed || ws.len() >= SPEECH_MIN_WORDS || ends_like_speech(chars, span)
}

/// "Night Harbour", "The Long Way Home": every word of four letters or more capitalised, and no
/// sentence punctuation of its own.
fn is_title_like(table: &Table, chars: &[char], span: &Span, n: usize) -> bool {
    // A short name may carry the sentence's full stop or comma inside the marks, as American
    // style puts it (`a group called "Friends of Harbour."`); a question or an exclamation is
    // speech.
    let punctuated = ends_like_speech(chars, span);
    let end_of_name = matches!(last_char(chars, span), Some('.' | ','));
    if n > TITLE_MAX_WORDS || (punctuated && !(end_of_name && n <= SHORT_NAME_WORDS)) {
        return false;
    }
    let ws = table.words(span.start, span.end);
    let long: Vec<_> = ws.iter().filter(|w| w.end - w.start >= 4).collect();
    // One capitalised word ("Brexit") is as likely a scare quote as a title; both are no quote
    // unless attributed, which the caller decides.
    long.len() >= 2 && long.iter().all(|w| chars[w.start].is_uppercase())
}

fn ends_like_speech(chars: &[char], span: &Span) -> bool {
    matches!(last_char(chars, span), Some('.' | ',' | '!' | '?' | '…'))
}

fn last_char(chars: &[char], span: &Span) -> Option<char> {
    chars[span.start..span.end]
        .iter()
        .rev()
        .find(|c| !c.is_whitespace())
        .copied()
}

/// `she told NBC's "Today"`, `Concha told "Fox & Friends."`: a short capitalised name in marks
/// right after `told` (and an outlet's possessive) is the programme spoken to, not words said;
/// so is one in capitals throughout after `on` or `of` (`appeared on CNBC's "Squawk Box"`).
pub fn names_programme(table: &Table, chars: &[char], span: &Span) -> bool {
    let inner = table.words(span.start, span.end);
    if inner.len() > SHORT_NAME_WORDS || !chars.get(span.start).is_some_and(|c| c.is_uppercase()) {
        return false;
    }
    let ws = table.words(span.open.saturating_sub(40), span.open);
    let told = |w: &Word| matches!(w.lower.as_str(), "told" | "tells");
    let capital = |w: &Word| chars[w.start].is_uppercase();
    let Some(last) = ws.last() else {
        return false;
    };
    // `on NBC's "Today."`, `an edition of "Harbour Live"`: a name in capitals throughout after
    // "on" or "of" is what someone appeared on or in, whatever verb the sentence has.
    let aired = |w: &Word| matches!(w.lower.as_str(), "on" | "of");
    let titled = inner
        .iter()
        .all(|w| chars[w.start].is_uppercase() || chars[w.start].is_ascii_digit())
        && !matches!(last_char(chars, span), Some('!' | '?'));
    if told(last) || (titled && aired(last)) {
        return true;
    }
    // The outlet may run to a few capitalised words (`Harbour Radio's`).
    let possessive = last.lower.ends_with("'s") || last.lower.ends_with("’s");
    let outlet = ws.iter().rev().take_while(|w| capital(w)).take(3).count();
    let before = ws.len().checked_sub(outlet + 1).map(|k| &ws[k]);
    possessive && outlet > 0 && before.is_some_and(|w| told(w) || (titled && w.lower == "on"))
}

/// The word right before the opening mark names a work or a nickname ("dubbed", "titled", "known
/// as", "so-called").
fn named_before(table: &Table, span: &Span) -> bool {
    let from = span.open.saturating_sub(30);
    let ws = table.words(from, span.open);
    let Some(last) = ws.last() else {
        return false;
    };
    if last.lower == "as" {
        return ws.len() >= 2 && ws[ws.len() - 2].lower == "known";
    }
    last.lower != "called" && last.lower != "as" && is_naming_word(&last.lower)
}
