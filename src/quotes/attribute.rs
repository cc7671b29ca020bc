//! Attribution: the speech verb next to a quote and the subject of that verb, resolved to an
//! entity the tagger found. The clause after the quote is read first (`"...," said X`, `"...," X
//! said`, `"...," he said`), then the clause before it (`X said: "..."`, `According to X, "..."`,
//! and mixed quotes such as `she called the plan "reckless"`). A subject is a mention (the first
//! one that is not the object of a preposition, except the organisation a spokesman speaks for),
//! a pronoun (the nearest person, or organisation for "it", named before), or "the" + a role noun
//! (the latest person named with that role nearby; for an organisation noun, the latest
//! organisation). An attribution clause whose subject is none of these ("one resident said")
//! gives no speaker.
use super::Attribution;
use super::marks::Span;
use super::words::{
    PronounKind, Word, is_org_role, is_person_role, is_preposition, is_speech_verb, is_spokes_word,
    pronoun_kind, words,
};
use crate::entities::{EntityKind, Mention};

/// How far (characters) a clause is read from a quote.
const CLAUSE_CHARS: usize = 300;
/// Words read after the quote for its speech verb.
const AFTER_VERB_WINDOW: usize = 8;
/// How far back (characters) a pronoun or a role noun looks for the entity it stands for.
const REFERENCE_CHARS: usize = 2500;
/// How near a person's mention (characters) a role noun must stand to name that person's role.
const ROLE_NEAR: usize = 60;

/// A resolved speaker.
#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub kind: EntityKind,
    pub via: Attribution,
}

/// One text ready for attribution: its characters, the mentions that can speak (outside
/// quotes), and its quote spans.
pub struct Doc<'a> {
    chars: &'a [char],
    spans: &'a [Span],
    mentions: Vec<&'a Mention>,
}

/// Words that may stand between a quote and an inverted speech verb (`"...," later said X`).
fn is_filler(w: &str) -> bool {
    matches!(
        w,
        "also"
            | "later"
            | "then"
            | "once"
            | "previously"
            | "has"
            | "had"
            | "have"
            | "would"
            | "will"
            | "recently"
            | "earlier"
            | "further"
    )
}

fn is_determiner(w: &str) -> bool {
    matches!(w, "the" | "a" | "an" | "its" | "his" | "her" | "their")
}

fn is_abbreviation(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "ms"
            | "dr"
            | "st"
            | "gov"
            | "sen"
            | "rep"
            | "lt"
            | "gen"
            | "col"
            | "jr"
            | "sr"
            | "prof"
            | "rev"
            | "no"
            | "vs"
            | "u.s"
            | "u.k"
    )
}

impl<'a> Doc<'a> {
    pub fn new(chars: &'a [char], mentions: &'a [Mention], spans: &'a [Span]) -> Self {
        let inside = |m: &Mention| spans.iter().any(|s| m.start < s.end && m.end > s.open);
        let mentions = mentions
            .iter()
            .filter(|m| m.kind != EntityKind::Misc && !inside(m))
            .collect();
        Doc {
            chars,
            spans,
            mentions,
        }
    }

    /// The speaker of span `i`, if its clauses name one.
    pub fn attribute(&self, i: usize) -> Option<Speaker> {
        match self.after_clause(i) {
            Clause::Speaker(s) => return Some(s),
            Clause::Anonymous => return None,
            Clause::Nothing => {}
        }
        match self.before_clause(i) {
            Clause::Speaker(s) => Some(s),
            _ => None,
        }
    }

    /// Does span `i` go on from span `j` (spoken by `name`) in the same paragraph, with no one
    /// else named between?
    pub fn continues(&self, j: usize, i: usize, name: &str) -> bool {
        let (a, b) = (self.spans[j].after(), self.spans[i].open);
        if a > b || self.chars[a..b].contains(&'\n') {
            return false;
        }
        !self.mentions.iter().any(|m| {
            m.start >= a
                && m.end <= b
                && m.canonical != name
                && matches!(m.kind, EntityKind::Person | EntityKind::Org)
        })
    }

    fn paragraph_or_quote_bound_after(&self, i: usize, from: usize) -> usize {
        let next_open = self.spans.get(i + 1).map_or(self.chars.len(), |s| s.open);
        let mut to = next_open.min(from + CLAUSE_CHARS).min(self.chars.len());
        if let Some(nl) = self.chars[from..to].iter().position(|&c| c == '\n') {
            to = from + nl;
        }
        to
    }

    fn after_clause(&self, i: usize) -> Clause {
        let span = &self.spans[i];
        let from = span.after().min(self.chars.len());
        let to = self.paragraph_or_quote_bound_after(i, from);
        let to = self.sentence_end(from, to);
        let ws = words(self.chars, from, to);
        // A quote that ends its own sentence with a full stop is rarely followed by its speaker
        // ("...," she said is the form); a capital after it starts a new sentence.
        if self.last_quoted(span) == Some('.') && ws.first().is_some_and(|w| self.capital(w)) {
            return Clause::Nothing;
        }
        // A quote the sentence runs on from (`called it "reckless" and left`) has its speaker
        // before it; an attribution after a quote follows its own punctuation or a comma.
        let joined = matches!(
            self.last_quoted(span),
            Some(',' | '.' | '?' | '!' | '…' | '—' | '-')
        ) || matches!(self.chars.get(from), Some(',' | '—'));
        if !joined {
            return Clause::Nothing;
        }
        if ws.len() >= 2 && ws[0].lower == "according" && ws[1].lower == "to" {
            return self.subject_after(&ws[2..], to);
        }
        let window = &ws[..ws.len().min(AFTER_VERB_WINDOW)];
        let Some(v) = window.iter().position(|w| is_speech_verb(&w.lower)) else {
            return Clause::Nothing;
        };
        if window[..v].iter().all(|w| is_filler(&w.lower)) {
            return self.subject_after(&ws[v + 1..], to);
        }
        self.subject_before(&ws[..v], ws[v].start)
    }

    fn before_clause(&self, i: usize) -> Clause {
        let span = &self.spans[i];
        let prev_end = i.checked_sub(1).map_or(0, |j| self.spans[j].after());
        let mut from = span.open.saturating_sub(CLAUSE_CHARS).max(prev_end);
        if let Some(nl) = self.chars[from..span.open].iter().rposition(|&c| c == '\n') {
            from += nl + 1;
        }
        let from = self.sentence_start(from, span.open);
        let ws = words(self.chars, from, span.open);
        if let Some(a) = ws
            .windows(2)
            .position(|p| p[0].lower == "according" && p[1].lower == "to")
        {
            return self.subject_after(&ws[a + 2..], span.open);
        }
        let Some(v) = ws.iter().rposition(|w| is_speech_verb(&w.lower)) else {
            return Clause::Nothing;
        };
        if ws[..v].iter().all(|w| is_filler(&w.lower)) {
            // `"...," said X, "..."`: the second half of a quote split by its attribution.
            return self.subject_after(&ws[v + 1..], span.open);
        }
        self.subject_before(&ws[..v], ws[v].start)
    }

    /// The subject in the words before a speech verb at `verb`.
    fn subject_before(&self, ws: &[Word], verb: usize) -> Clause {
        let Some(first) = ws.first() else {
            return Clause::Nothing;
        };
        if let Some(m) = self.subject_mention(first.start, verb) {
            return Clause::Speaker(named(m));
        }
        let near = &ws[ws.len().saturating_sub(3)..];
        if let Some(p) = near.iter().rev().find_map(|w| pronoun_kind(&w.lower)) {
            return self.pronoun(p, verb);
        }
        if let Some(c) = self.role(&ws[ws.len().saturating_sub(5)..], verb) {
            return c;
        }
        Clause::Anonymous
    }

    /// The subject in the words after an inverted speech verb (`said X`, `according to X`).
    fn subject_after(&self, ws: &[Word], to: usize) -> Clause {
        let Some(first) = ws.first() else {
            return Clause::Nothing;
        };
        if let Some(p) = pronoun_kind(&first.lower) {
            return self.pronoun(p, first.start);
        }
        // The subject comes first: a mention within its first words, or "the" + role.
        let head_end = ws.get(6).map_or(to, |w| w.start);
        if let Some(m) = self.subject_mention(first.start, head_end) {
            return Clause::Speaker(named(m));
        }
        let head = &ws[..ws.len().min(4)];
        if let Some(c) = self.role(head, first.start) {
            return c;
        }
        Clause::Anonymous
    }

    /// The first mention in `[from, to)` that is not the object of a preposition, or the
    /// organisation a spokesman speaks for.
    fn subject_mention(&self, from: usize, to: usize) -> Option<&'a Mention> {
        let ws = words(self.chars, from, to);
        for m in self
            .mentions
            .iter()
            .filter(|m| m.start >= from && m.end <= to)
        {
            let before: Vec<&Word> = ws
                .iter()
                .filter(|w| w.end <= m.start)
                .rev()
                .filter(|w| !is_determiner(&w.lower))
                .collect();
            match before.first() {
                Some(p) if is_preposition(&p.lower) => {
                    if before.get(1).is_some_and(|s| is_spokes_word(&s.lower)) {
                        return Some(m);
                    }
                }
                _ => return Some(m),
            }
        }
        None
    }

    fn pronoun(&self, p: PronounKind, at: usize) -> Clause {
        let kind = match p {
            PronounKind::Person => EntityKind::Person,
            PronounKind::Org => EntityKind::Org,
        };
        match self.latest_before(at, |m| m.kind == kind) {
            Some(m) => Clause::Speaker(Speaker {
                via: Attribution::Pronoun,
                ..named(m)
            }),
            None => Clause::Anonymous,
        }
    }

    /// "the minister", "the company": a definite role noun resolved to the entity named with it.
    fn role(&self, ws: &[Word], at: usize) -> Option<Clause> {
        let r = ws.iter().rposition(|w| {
            is_person_role(&w.lower) || is_org_role(&w.lower) || is_spokes_word(&w.lower)
        })?;
        let det = ws[..r].iter().rev().find(|w| is_determiner(&w.lower));
        if det.is_none_or(|d| matches!(d.lower.as_str(), "a" | "an")) {
            return Some(Clause::Anonymous);
        }
        let role = &ws[r].lower;
        let found = if is_org_role(role) {
            self.latest_before(at, |m| m.kind == EntityKind::Org)
        } else {
            self.latest_before(at, |m| {
                m.kind == EntityKind::Person && self.named_with(m, role)
            })
        };
        Some(match found {
            Some(m) => Clause::Speaker(Speaker {
                via: Attribution::Role,
                ..named(m)
            }),
            None => Clause::Anonymous,
        })
    }

    /// Is `role` written next to this mention ("Health Minister Ada Kern", "Kern, the minister")?
    fn named_with(&self, m: &Mention, role: &str) -> bool {
        let from = m.start.saturating_sub(ROLE_NEAR);
        let to = (m.end + ROLE_NEAR).min(self.chars.len());
        words(self.chars, from, to).iter().any(|w| w.lower == role)
    }

    fn latest_before(&self, at: usize, keep: impl Fn(&Mention) -> bool) -> Option<&'a Mention> {
        let floor = at.saturating_sub(REFERENCE_CHARS);
        self.mentions
            .iter()
            .rev()
            .find(|m| m.end <= at && m.start >= floor && keep(m))
            .copied()
    }

    fn last_quoted(&self, span: &Span) -> Option<char> {
        self.chars[span.start..span.end]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .copied()
    }

    fn capital(&self, w: &Word) -> bool {
        self.chars[w.start].is_uppercase()
    }

    /// Is the character at `i` a full stop, question or exclamation mark ending a sentence?
    fn ends_sentence(&self, i: usize) -> bool {
        if !matches!(self.chars[i], '.' | '?' | '!') {
            return false;
        }
        if !self.chars.get(i + 1).is_none_or(|c| c.is_whitespace()) {
            return false;
        }
        let ws = words(self.chars, i.saturating_sub(6), i);
        ws.last()
            .is_none_or(|w| w.end != i || !(is_abbreviation(&w.lower) || w.end - w.start == 1))
    }

    fn sentence_end(&self, from: usize, to: usize) -> usize {
        (from..to).find(|&i| self.ends_sentence(i)).unwrap_or(to)
    }

    fn sentence_start(&self, from: usize, to: usize) -> usize {
        (from..to)
            .rev()
            .find(|&i| self.ends_sentence(i))
            .map_or(from, |i| i + 1)
    }
}

/// What a clause says about a quote's speaker.
enum Clause {
    Speaker(Speaker),
    /// A speech verb whose subject is no entity ("one resident said"): no speaker, and the other
    /// clause is not asked.
    Anonymous,
    /// No attribution here.
    Nothing,
}

fn named(m: &Mention) -> Speaker {
    Speaker {
        name: m.canonical.clone(),
        kind: m.kind,
        via: Attribution::Named,
    }
}
