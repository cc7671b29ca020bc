//! What the text itself says about the entities a quote may go to: which mentions can speak at
//! all, and each person's grammatical gender. Both come from the article's own words, never from
//! a list of names: a dateline (`NEW YORK (Reuters) —`) or a storm (`Hurricane Sandy`) that the
//! tagger took for a person cannot say anything, and "she said" cannot point to a man the text
//! calls "he" or "Mr". Kept apart from `attribute` because these are facts about the text's
//! entities, read once per text, while attribution is read per quote.
use rustc_hash::FxHashMap as HashMap;

use super::marks::Span;
use super::words::{Table, Word};
use crate::entities::{EntityKind, Mention};

/// Which way a pronoun or a title points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

/// Words before a name that make it a weather system, not someone who speaks.
fn is_weather_word(w: &str) -> bool {
    matches!(
        w,
        "hurricane" | "storm" | "superstorm" | "typhoon" | "cyclone" | "tropical"
    )
}

/// Can this mention be the speaker of a quote? Not when it is a dateline (a name in capitals
/// followed by the agency in brackets or the dash that opens the story) or a storm's name.
pub fn can_speak(table: &Table, chars: &[char], m: &Mention) -> bool {
    !is_dateline(chars, m) && !is_weather(table, m) && !is_title_alone(m)
}

/// `Intel's General Counsel, Steve Rodgers, said`: a person mention that is a title and nothing
/// else (the tagger took `Counsel` for a name) is nobody who can speak.
fn is_title_alone(m: &Mention) -> bool {
    let Some(model) = crate::entities::model::embedded() else {
        return false;
    };
    m.kind == EntityKind::Person
        && !m.text.contains(char::is_whitespace)
        && (model
            .titles
            .contains(&crate::entities::lexicon::alias_key(&m.text.to_lowercase()))
            || matches!(
                m.text.to_lowercase().as_str(),
                "counsel" | "counselor" | "counsellor"
            ))
}

fn is_dateline(chars: &[char], m: &Mention) -> bool {
    let letters = chars[m.start..m.end].iter().filter(|c| c.is_alphabetic());
    let all_caps = letters.clone().count() >= 2 && letters.clone().all(|c| c.is_uppercase());
    if !all_caps {
        return false;
    }
    let next = chars[m.end.min(chars.len())..]
        .iter()
        .find(|c| !c.is_whitespace() && **c != ',');
    matches!(next, Some('(' | '—' | '–' | '-'))
}

fn is_weather(table: &Table, m: &Mention) -> bool {
    table
        .last(m.start.saturating_sub(20), m.start)
        .is_some_and(|w| is_weather_word(&w.lower))
}

/// The gender of a pronoun or title, if it has one.
pub fn gender_of(w: &str) -> Option<Gender> {
    match w {
        "he" | "him" | "his" | "himself" | "mr" | "mr." => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" | "mrs" | "mrs." | "ms" | "ms." | "miss" => {
            Some(Gender::Female)
        }
        _ => None,
    }
}

/// Each person's gender as the text shows it: the title written before a mention (`Mr`, `Ms`),
/// and a "he" or "she" in the narrative (not inside a quote) that can only be that person: the
/// first one after a name that opens its sentence's list of people, in that sentence, or the
/// word opening the next sentence — and no other person named between them; and a `himself` or
/// `herself` later in the name's own sentence, with no other person named between. Only subject
/// and reflexive pronouns vote: an object ("shouted at her") points at someone else as often as not, and so
/// does a pronoun opening a relative clause ("Natalie, who he says"). A person with votes both
/// ways, or none, has no gender and matches any pronoun.
pub fn genders(
    table: &Table,
    chars: &[char],
    mentions: &[&Mention],
    spans: &[Span],
) -> HashMap<String, Gender> {
    let people: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Person)
        .copied()
        .collect();
    let quoted = |at: usize| spans.iter().any(|s| at >= s.start && at < s.end);
    let mut votes: HashMap<&str, (u32, u32)> = HashMap::default();
    for (i, m) in people.iter().enumerate() {
        let title = table
            .last(m.start.saturating_sub(6), m.start)
            .filter(|w| w.end + 2 >= m.start)
            .and_then(|w| gender_of(&w.lower));
        let opens = i == 0 || sentence_ends(chars, people[i - 1].end, m.start) > 0;
        let until = people.get(i + 1).map_or(chars.len(), |n| n.start);
        let pronoun = next_pronoun(table, chars, m.end, until, opens, &quoted);
        let reflexive = next_reflexive(table, chars, m.end, until, &quoted);
        for g in [title, pronoun, reflexive].into_iter().flatten() {
            let e = votes.entry(m.canonical.as_str()).or_default();
            match g {
                Gender::Male => e.0 += 1,
                Gender::Female => e.1 += 1,
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(name, (male, female))| {
            let g = match (male, female) {
                (m, 0) if m > 0 => Gender::Male,
                (0, f) if f > 0 => Gender::Female,
                _ => return None,
            };
            Some((name.to_string(), g))
        })
        .collect()
}

/// The pronoun after a name at `from` that stands for it: in its own sentence when the name is
/// the first person of that sentence (`opens`), else only as the next sentence's first word.
fn next_pronoun(
    table: &Table,
    chars: &[char],
    from: usize,
    until: usize,
    opens: bool,
    quoted: &impl Fn(usize) -> bool,
) -> Option<Gender> {
    let until = until.min(chars.len());
    let mut last_end = from;
    let mut ends = 0;
    // Lazily: the stretch runs to the next person, often the rest of the text, and the answer
    // comes within two sentences.
    let mut before: Option<std::borrow::Cow<Word>> = None;
    for w in table.iter(from, until) {
        let crossed = sentence_ends(chars, last_end, w.start);
        ends += crossed;
        last_end = w.end;
        if ends >= 2 || (ends == 1 && crossed == 0) {
            return None;
        }
        if quoted(w.start) {
            before = Some(w);
            continue;
        }
        let relative = before
            .as_ref()
            .is_some_and(|p| matches!(p.lower.as_str(), "who" | "whom" | "that"));
        let here = (ends == 0 && opens && !relative) || (ends == 1 && crossed > 0);
        if let Some(g) = subject_pronoun(&w).filter(|_| here) {
            return Some(g);
        }
        if ends == 1 {
            return None;
        }
        before = Some(w);
    }
    None
}

/// `a report that Gray tried to harm himself`: a reflexive pronoun in the name's own sentence,
/// with no other person named between, binds to that name (a reflexive's antecedent stands in
/// its clause).
fn next_reflexive(
    table: &Table,
    chars: &[char],
    from: usize,
    until: usize,
    quoted: &impl Fn(usize) -> bool,
) -> Option<Gender> {
    let until = until.min(chars.len());
    let mut last_end = from;
    // Lazily, as in `next_pronoun`: the answer is in the name's own sentence.
    for w in table.iter(from, until) {
        if sentence_ends(chars, last_end, w.start) > 0 {
            return None;
        }
        last_end = w.end;
        if quoted(w.start) {
            continue;
        }
        match w.lower.as_str() {
            "himself" => return Some(Gender::Male),
            "herself" => return Some(Gender::Female),
            _ => {}
        }
    }
    None
}

fn subject_pronoun(w: &Word) -> Option<Gender> {
    match w.lower.as_str() {
        "he" => Some(Gender::Male),
        "she" => Some(Gender::Female),
        _ => None,
    }
}

fn sentence_ends(chars: &[char], from: usize, to: usize) -> usize {
    chars[from..to]
        .iter()
        .filter(|c| matches!(c, '.' | '?' | '!' | '\n'))
        .count()
        .min(2)
}

/// How far back (characters) the people sharing a surname are counted.
const SURNAME_WINDOW: usize = 2500;

/// A bare surname two or more people of the text share (`Cuomo said` in an article on Andrew,
/// Chris and Mario Cuomo) stands for the one the text has just been talking about: the person
/// of that surname named by a fuller or another name (`Andrew Cuomo`, `Andrew`) most often in
/// the stretch before it. The tagger's choice (the first-named fuller name) stays unless another
/// person of that surname is named there strictly more often, so the article's main person
/// keeps a surname that a relative mentioned once also bears.
pub fn shared_surnames(mentions: &[Mention]) -> Vec<Mention> {
    let mut out = mentions.to_vec();
    for (i, m) in mentions.iter().enumerate() {
        let Some(surname) = bare_surname(m) else {
            continue;
        };
        let floor = m.start.saturating_sub(SURNAME_WINDOW);
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for other in mentions.iter().filter(|o| {
            o.kind == EntityKind::Person
                && o.start >= floor
                && o.end <= m.start
                && o.text != m.text
                && surname_of(&o.canonical) == Some(surname)
        }) {
            match counts.iter_mut().find(|(n, _)| *n == other.canonical) {
                Some(e) => e.1 += 1,
                None => counts.push((other.canonical.as_str(), 1)),
            }
        }
        if counts.len() < 2 {
            continue;
        }
        let own = counts
            .iter()
            .find(|(n, _)| *n == m.canonical)
            .map_or(0, |e| e.1);
        if let Some((name, _)) = counts
            .iter()
            .filter(|(_, n)| *n > own)
            .max_by_key(|(_, n)| *n)
        {
            out[i].canonical = name.to_string();
        }
    }
    out
}

/// A person written by one name (`Behar`) whose canonical name goes on past it with a
/// capitalised word that news text writes in lower case (`Joy Behar Slams Bolton`, from a
/// headline the tagger read as one long name) is known by the canonical name cut after it
/// (`Joy Behar`): no name goes on with a common word, a headline's verb does. Names that go on
/// with a particle (`Lula da Silva`) or another name (`López Obrador`) keep their canonical.
pub fn glued_canonicals(mentions: Vec<Mention>) -> Vec<Mention> {
    let Some(model) = crate::entities::model::embedded() else {
        return mentions;
    };
    let common = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && crate::entities::casing::usual(&model.lexicon, w) == Some(true)
    };
    let mut out = mentions;
    for m in out.iter_mut() {
        if m.kind != EntityKind::Person || m.text.contains(char::is_whitespace) {
            continue;
        }
        let words: Vec<&str> = m.canonical.split_whitespace().collect();
        if let Some(k) = words.iter().position(|w| *w == m.text)
            && k > 0
            && words.get(k + 1).is_some_and(|w| common(w))
        {
            m.canonical = words[..=k].join(" ");
        }
    }
    out
}

/// The surname a person's mention is written as alone (`Cuomo` for Chris Cuomo), if it is one.
fn bare_surname(m: &Mention) -> Option<&str> {
    (m.kind == EntityKind::Person && !m.text.contains(char::is_whitespace))
        .then(|| surname_of(&m.canonical))
        .flatten()
        .filter(|s| *s == m.text)
}

/// The last word of a name of two words or more.
fn surname_of(name: &str) -> Option<&str> {
    let mut ws = name.split_whitespace();
    let first = ws.next()?;
    let last = ws.next_back()?;
    (first != last).then_some(last)
}

/// Letters an organisation's initials may run to (`B&B`, `NAACP`).
const ACRONYM_LETTERS: std::ops::RangeInclusive<usize> = 2..=6;

/// An organisation's initials that the tagger found in one place (`B&B` for Bradford &
/// Bingley) but not in another (`Overall, B&B said`) are the same organisation everywhere after
/// the first mention: the tagger reads each occurrence on its own, while news writing
/// introduces the short form once and goes on using it.
pub fn untagged_acronyms(chars: &[char], mentions: &[Mention]) -> Vec<Mention> {
    let mut out = mentions.to_vec();
    let covered = |a: usize, b: usize| mentions.iter().any(|m| m.start < b && m.end > a);
    let mut seen: Vec<&str> = Vec::new();
    for m in mentions.iter().filter(|m| m.kind == EntityKind::Org) {
        if seen.contains(&m.text.as_str()) || !is_acronym(&m.text) {
            continue;
        }
        seen.push(&m.text);
        let needle: Vec<char> = m.text.chars().collect();
        let mut k = m.end;
        while k + needle.len() <= chars.len() {
            let end = k + needle.len();
            let bounded = !chars[k - 1].is_alphanumeric()
                && chars.get(end).is_none_or(|c| !c.is_alphanumeric());
            // The first character alone rules out almost every place, without a comparison
            // of the whole needle.
            if chars[k] == needle[0] && chars[k..end] == needle[..] && bounded && !covered(k, end) {
                out.push(Mention {
                    start: k,
                    end,
                    ..m.clone()
                });
                k = end;
            } else {
                k += 1;
            }
        }
    }
    out.sort_by_key(|m| m.start);
    out
}

/// An organisation's initials (`CBP`, `YAF`) stand for the organisation the same text names in
/// full (`U.S. Customs and Border Protection (CBP)`, `Young America's Foundation`): the speaker
/// is one body under one name, the full one, whichever form a quote's attribution uses. The
/// initials are those of the full name's words, leaving out small words (`and`, `for`, `of`,
/// `the`) and a possessive's `'s`, with or without a leading place (`U.S.`). Only a full name
/// the text itself writes counts; none is guessed.
pub fn spelled_out_acronyms(mentions: Vec<Mention>) -> Vec<Mention> {
    let full: Vec<(String, String)> = mentions
        .iter()
        .filter(|m| m.kind == EntityKind::Org && m.canonical.contains(' '))
        .map(|m| (m.canonical.clone(), initials(&m.canonical)))
        .collect();
    let mut out = mentions;
    for m in out.iter_mut() {
        if m.kind != EntityKind::Org || !is_acronym(&m.canonical) {
            continue;
        }
        let short: String = m.canonical.chars().filter(|c| c.is_alphabetic()).collect();
        let mut names = full.iter().filter(|(name, ini)| {
            ini.len() >= 2 && (ini == &short || leading_place_dropped(name, ini, &short))
        });
        // One full name only: two bodies with the same initials leave the short form alone.
        if let Some((name, _)) = names.next()
            && names.all(|(other, _)| other == name)
        {
            m.canonical = name.clone();
        }
    }
    out
}

/// The capitals of a name's words, small words and a possessive's `'s` left out.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| !matches!(*w, "and" | "for" | "of" | "the" | "on" | "in" | "&" | "at"))
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

/// Do the initials match once a leading place written in initials (`U.S.`, `UK`) is left out?
fn leading_place_dropped(name: &str, ini: &str, short: &str) -> bool {
    let first = name.split_whitespace().next().unwrap_or("");
    let place = is_acronym(first) && first.chars().filter(|c| c.is_alphabetic()).count() <= 2;
    place && ini.get(1..) == Some(short)
}

/// Is a written name an acronym: capitals only, joined at most by `&` or full stops?
fn is_acronym(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    ACRONYM_LETTERS.contains(&letters)
        && text
            .chars()
            .all(|c| c.is_uppercase() || c == '&' || c == '.')
}
