//! Names that a speech verb beside a quote frames, where the tagger missed them or filed them
//! as a thing (`Conaway said in a statement`, `"…," Fox 9 reported`, `according to Emily's
//! List`). The tagger reads every word alike; news writing puts its speakers in a few fixed
//! frames next to their quotes, and a capitalised name in such a frame is someone who speaks
//! whatever the tagger made of it. The frame gives the name's extent: the run of capitalised
//! words right before the verb, right after it, or after `according to`.
//!
//! This only adds mentions (or turns a mis-kinded one into an organisation); which quote each
//! one says is still the attribution rules' call, so a frame name is never a speaker without an
//! attribution the text supports. Kept apart from `referents` because it reads the quotes'
//! frames, not facts about the entities.
use super::marks::Span;
use super::words::{
    Table, Word, is_kind_of_body, is_org_role, is_speech_verb, paragraph_end, paragraph_start,
    pronoun_kind,
};
use crate::entities::{EntityKind, Mention, casing, lexicon, model};

/// Words read before a quote's opening mark for a frame (`Ada Kern told reporters on Monday:`).
const BEFORE_WORDS: usize = 10;
/// Words read after a quote's closing mark (`," said Deputy Mayor Ada Kern`).
const AFTER_WORDS: usize = 6;
/// Characters those words may span.
const FRAME_CHARS: usize = 120;
/// Words a frame name may have (titles and `the` not counted).
const NAME_WORDS: usize = 4;

/// The mentions with the names speech-verb frames add: a framed name no mention covers becomes
/// a mention wherever it is written outside another mention; a framed name the tagger called a
/// thing (`Misc`) becomes an organisation everywhere the tagger wrote it.
pub fn framed_names(
    table: &Table,
    chars: &[char],
    spans: &[Span],
    mentions: Vec<Mention>,
) -> Vec<Mention> {
    let mut out = mentions;
    let mut added = false;
    for span in spans {
        for (start, end) in frame_runs(table, chars, spans, span) {
            added |= adopt(chars, &mut out, start, end);
        }
    }
    if added {
        out.sort_by_key(|m| m.start);
    }
    out
}

/// A thing's name that can be a body's (`Fox 9`, `Review-Journal`, `Anti-Defamation League`):
/// one word alone in the frame is as often a party or a people used as a noun (`The
/// Republican insisted`).
fn names_a_body(text: &str) -> bool {
    text.contains(char::is_whitespace)
        || text.contains('-')
        || text.contains(|c: char| c.is_ascii_digit())
}

/// Take the run `chars[start..end]` as a speaker's name; true when a mention was added.
fn adopt(chars: &[char], out: &mut Vec<Mention>, start: usize, end: usize) -> bool {
    let overlapping: Vec<usize> = (0..out.len())
        .filter(|&k| out[k].start < end && out[k].end > start)
        .collect();
    match overlapping.as_slice() {
        [] => {
            let text: String = chars[start..end].iter().collect();
            let kind = kind_of(&text);
            let canonical = canonical_of(out, &text, kind);
            let needle: Vec<char> = text.chars().collect();
            for at in occurrences(chars, &needle) {
                if !out
                    .iter()
                    .any(|m| m.start < at + needle.len() && m.end > at)
                {
                    out.push(Mention {
                        kind,
                        text: text.clone(),
                        canonical: canonical.clone(),
                        start: at,
                        end: at + needle.len(),
                    });
                }
            }
            true
        }
        [k] if out[*k].kind == EntityKind::Misc
            && out[*k].start == start
            && out[*k].end == end
            && names_a_body(&out[*k].text) =>
        {
            let canonical = out[*k].canonical.clone();
            for m in out
                .iter_mut()
                .filter(|m| m.kind == EntityKind::Misc && m.canonical == canonical)
            {
                m.kind = EntityKind::Org;
            }
            false
        }
        // Covered by a person or an organisation already, or cut across by a mention: the
        // tagger's reading stands.
        _ => false,
    }
}

/// The runs of capitalised words that the speech verbs next to one quote frame as its
/// speaker: `NAME said` and `said NAME` within a few words of either mark, and
/// `according to NAME`. Words inside any quote are no frame.
fn frame_runs(table: &Table, chars: &[char], spans: &[Span], span: &Span) -> Vec<(usize, usize)> {
    let quoted = |w: &Word| spans.iter().any(|s| w.start >= s.open && w.start < s.end);
    let para_start = paragraph_start(chars, span.open);
    let para_end = paragraph_end(chars, span.end);
    let before = table.words(
        span.open.saturating_sub(FRAME_CHARS).max(para_start),
        span.open,
    );
    let before = &before[before.len().saturating_sub(BEFORE_WORDS)..];
    let after = table.words(span.end, (span.end + FRAME_CHARS).min(para_end));
    let after = &after[..after.len().min(AFTER_WORDS)];
    let mut runs = Vec::new();
    for (side, ws) in [(Side::Before, before), (Side::After, after)] {
        for v in 0..ws.len() {
            if quoted(&ws[v]) {
                continue;
            }
            let w = &ws[v].lower;
            if is_finite_speech_verb(w) {
                // `Kern said:` before the quote; `," Kern said` right after it.
                runs.extend(
                    run_before(chars, ws, v)
                        .filter(|&(a, _)| side == Side::Before || a == ws[0].start),
                );
                // `," said Kern`: the subject comes after the verb only in that inversion;
                // elsewhere the words after a speech verb are its object (`told Reuters`).
                if side == Side::After && v == 0 {
                    runs.extend(run_after(chars, ws, 1));
                }
            } else if w == "according" && ws.get(v + 1).is_some_and(|n| n.lower == "to") {
                runs.extend(run_after(chars, ws, v + 2));
            }
        }
    }
    runs.retain(|&(a, b)| !spans.iter().any(|s| a < s.end && b > s.open));
    runs
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

/// A speech verb as a finite verb (`said`, `says`, `reported`), not a participle that opens a
/// phrase (`saying`, `adding`) or a bare form that may be a noun (`claim`, `state`).
fn is_finite_speech_verb(w: &str) -> bool {
    (is_speech_verb(w) || w == "reported" || w == "reports" || w == "tweeted")
        && (w.ends_with("ed") || w.ends_with('s') || matches!(w, "said" | "told" | "wrote"))
        && !w.ends_with("ss")
}

/// The capitalised run ending right before word `v` (`Conaway said`).
fn run_before(chars: &[char], ws: &[Word], v: usize) -> Option<(usize, usize)> {
    let mut first = v;
    while first > 0
        && v - first < NAME_WORDS + 2
        && capitalised(chars, &ws[first - 1])
        && joined(chars, &ws[first - 1], &ws[first])
    {
        first -= 1;
    }
    let sentence_start = opens_sentence(chars, &ws[first]);
    name_of(chars, &ws[first..v], sentence_start)
}

/// The capitalised run starting at word `from` (`said Deputy Mayor Ada Kern`), after an
/// optional `the`.
fn run_after(chars: &[char], ws: &[Word], from: usize) -> Option<(usize, usize)> {
    let from = if ws.get(from).is_some_and(|w| w.lower == "the") {
        from + 1
    } else {
        from
    };
    let mut last = from;
    while last < ws.len()
        && last - from < NAME_WORDS + 2
        && capitalised(chars, &ws[last])
        && (last == from || joined(chars, &ws[last - 1], &ws[last]))
    {
        last += 1;
    }
    // `said Democratic strategist Paul Begala`: a capitalised word before a common noun
    // modifies it and is no subject.
    if ws
        .get(last)
        .is_some_and(|n| last > from && joined(chars, &ws[last - 1], n))
    {
        return None;
    }
    name_of(chars, &ws[from..last], false)
}

/// The name a run of capitalised words holds: leading titles and `The` dropped; none when what
/// is left is empty, too long, a pronoun, or (at a sentence's start, where every word is
/// capitalised) a word news text writes in lower case (`Officials said`).
fn name_of(chars: &[char], run: &[Word], sentence_start: bool) -> Option<(usize, usize)> {
    let model = model::embedded()?;
    let title = |w: &[Word]| {
        let phrase: Vec<&str> = w.iter().map(|w| w.lower.as_str()).collect();
        model
            .titles
            .contains(&lexicon::alias_key(&phrase.join(" ")))
    };
    let mut run = run;
    let mut opens = sentence_start;
    loop {
        // A title of one word or two (`Rep.`, `Prime Minister`), or `the`, before the name.
        let skip = match run {
            [w, ..] if w.lower == "the" || title(&run[..1]) => 1,
            [_, _, ..] if title(&run[..2]) => 2,
            _ => break,
        };
        run = &run[skip..];
        opens = false;
    }
    // What is left must be a name, not a title (`the Prime Minister said`), nor initials of two
    // letters (`PM says`).
    let letters = |w: &Word| w.lower.chars().filter(|c| c.is_alphabetic()).count();
    if run.iter().any(|w| title(std::slice::from_ref(w)))
        || (run.len() == 1 && letters(&run[0]) <= 2)
    {
        return None;
    }
    let (first, last) = (run.first()?, run.last()?);
    if !chars[first.start].is_uppercase() {
        return None;
    }
    if run.len() > NAME_WORDS
        || run
            .iter()
            .any(|w| pronoun_kind(&w.lower).is_some() || is_calendar_or_person(&w.lower))
    {
        return None;
    }
    let written = |w: &Word| chars[w.start..w.end].iter().collect::<String>();
    let generic = |w: &Word| casing::usual(&model.lexicon, &written(w)) == Some(true);
    if (opens && generic(first)) || run.iter().all(generic) {
        return None;
    }
    Some((first.start, last.end))
}

/// Capitalised words that are no one: the days and months a frame carries (`said Thursday`),
/// and the pronouns of the first and second person (`I said`).
fn is_calendar_or_person(w: &str) -> bool {
    let w = w.trim_end_matches("'s").trim_end_matches("’s");
    matches!(
        w,
        "i" | "we"
            | "you"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "today"
            | "yesterday"
            | "tonight"
    )
}

/// A word that may be part of a name: capitalised, or a number after a capitalised word (`Fox
/// 9`; `name_of` wants the first word capitalised).
fn capitalised(chars: &[char], w: &Word) -> bool {
    chars[w.start].is_uppercase() || chars[w.start].is_ascii_digit()
}

/// Two words of one name: one space between them and nothing else.
fn joined(chars: &[char], a: &Word, b: &Word) -> bool {
    b.start == a.end + 1 && chars[a.end] == ' '
}

/// Does the word open its sentence (or line, or quote)? Not after a quote that closes on a
/// comma (`…her," Radio 7 reported`): the sentence goes on there.
fn opens_sentence(chars: &[char], w: &Word) -> bool {
    let mut before = chars[..w.start].iter().rev().filter(|c| **c != ' ');
    match before.next() {
        None => true,
        Some('"' | '”' | '’' | '\'') => before.next().is_none_or(|c| *c != ','),
        Some(c) => matches!(c, '.' | '!' | '?' | '\n' | '“' | '‘' | ':' | '—' | '–'),
    }
}

/// An organisation when its last word names a kind of body (`Heritage Foundation`), it is
/// written in capitals (`CBO`), as a possessive's thing (`Emily's List`) or with a number
/// (`Radio 7`); else a person.
fn kind_of(text: &str) -> EntityKind {
    let last = text
        .split_whitespace()
        .last()
        .unwrap_or(text)
        .to_lowercase();
    let acronym = text.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && text
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    let possessive = text
        .split_whitespace()
        .rev()
        .skip(1)
        .any(|w| w.ends_with("'s") || w.ends_with("’s"));
    let numbered = text.contains(|c: char| c.is_ascii_digit());
    if acronym || possessive || numbered || is_org_role(&last) || is_kind_of_body(&last) {
        EntityKind::Org
    } else {
        EntityKind::Person
    }
}

/// A person written by surname alone takes the one fuller name the text gives that surname.
fn canonical_of(mentions: &[Mention], text: &str, kind: EntityKind) -> String {
    if kind != EntityKind::Person || text.contains(' ') {
        return text.to_string();
    }
    let mut fuller = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .map(|m| m.canonical.as_str())
        .filter(|c| c.split_whitespace().count() > 1 && c.split_whitespace().last() == Some(text));
    match fuller.next() {
        Some(first) if fuller.all(|c| c == first) => first.to_string(),
        _ => text.to_string(),
    }
}

/// Word-bounded occurrences of a name, case as written.
fn occurrences(chars: &[char], needle: &[char]) -> Vec<usize> {
    let n = needle.len();
    if n == 0 || n > chars.len() {
        return Vec::new();
    }
    (0..=chars.len() - n)
        .filter(|&k| {
            chars[k] == needle[0]
                && chars[k..k + n] == *needle
                && (k == 0 || !chars[k - 1].is_alphanumeric())
                && chars.get(k + n).is_none_or(|c| !c.is_alphanumeric())
        })
        .collect()
}
