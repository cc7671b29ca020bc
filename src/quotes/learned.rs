//! The learned step of attribution. For each quote the rules keep, the persons and
//! organisations that could have said it (named in its paragraph or the one before, the rules'
//! own answer, the person a "he said" beside it points back to) are described by named binary
//! features, and a logistic model scores each one. The weights, and how the model and the rules
//! combine (the policy and its confidence threshold), are in `models/quotes.txt`, compiled in;
//! `train-quotes` (crates/train) writes that file from the hand annotation and chooses the
//! policy by cross-validation. Features are plain names so that the file reads as a table and
//! the trainer scores exactly what the indexer computes.
//!
//! The model never invents a speaker: a candidate is always a mention the tagger found, and a
//! quote whose best candidate scores under the threshold keeps the rules' answer (or none).
use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::attribute::{Doc, Speaker};
use super::marks::Span;
use super::referents::Gender;
use super::words::{
    PronounKind, Table, Word, is_preposition, paragraph_end, paragraph_start, pronoun_kind,
};
use crate::entities::{EntityKind, Mention};

/// How far back (characters) a pronoun next to a quote looks for the entity it stands for.
const PRONOUN_CHARS: usize = 2500;
/// Words read after a name for the speech verb whose subject it is (`X, a spokesman, said`).
const VERB_AFTER_WORDS: usize = 8;
/// Characters read before a name for the inverted speech verb (`said X`).
const VERB_BEFORE_CHARS: usize = 25;
/// How far (characters) a sentence start is looked for behind a name.
const SENTENCE_CHARS: usize = 400;

/// An entity that may have said a quote, with the features the model scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The canonical name, as a speaker is reported.
    pub name: String,
    pub kind: EntityKind,
    pub features: Vec<String>,
}

/// How the model's answer combines with the rules'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// The rules alone; the model is not run.
    Rules,
    /// The rules' speaker stands unless the model gives it less than the veto probability;
    /// where the rules give none, the best candidate at or over the threshold speaks.
    Fill,
    /// The best candidate at or over the threshold speaks (the rules' answer is one of its
    /// features); under it, no speaker.
    Decide,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Rules => "rules",
            Policy::Fill => "fill",
            Policy::Decide => "decide",
        }
    }

    fn parse(s: &str) -> Option<Policy> {
        [Policy::Rules, Policy::Fill, Policy::Decide]
            .into_iter()
            .find(|p| p.name() == s)
    }
}

/// A policy with its probabilities: `threshold` for a candidate to speak, `veto` under which
/// the rules' own speaker is dropped (`Fill` only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub policy: Policy,
    pub threshold: f64,
    pub veto: f64,
}

impl Cut {
    /// Can [`decide`] change a quote the rules gave a speaker? Only then does such a quote need
    /// its candidates ranked (`fill` without a veto speaks only where the rules found nobody).
    pub fn may_overrule(self) -> bool {
        match self.policy {
            Policy::Rules => false,
            Policy::Fill => self.veto > 0.0,
            Policy::Decide => true,
        }
    }
}

/// The rules alone.
pub const RULES: Cut = Cut {
    policy: Policy::Rules,
    threshold: 1.0,
    veto: 0.0,
};

/// What becomes of one quote's speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The rules' answer (a speaker or none) stands.
    Keep,
    /// No speaker, whatever the rules said.
    Drop,
    /// Candidate `n` speaks.
    Choose(usize),
}

/// The combination step, shared by the indexer and the trainer's cross-validation: `probs` are
/// the candidates' probabilities, `rule` the index of the rules' speaker among them.
pub fn decide(cut: Cut, rule: Option<usize>, probs: &[f64]) -> Decision {
    let Cut {
        policy,
        threshold,
        veto,
    } = cut;
    let best = (0..probs.len()).fold(None, |best: Option<usize>, k| match best {
        Some(b) if probs[b] >= probs[k] => Some(b),
        _ => Some(k),
    });
    let confident = best.filter(|&b| probs[b] >= threshold);
    match policy {
        Policy::Rules => Decision::Keep,
        Policy::Fill => match rule {
            Some(r) if probs[r] < veto => Decision::Drop,
            Some(_) => Decision::Keep,
            None => confident.map_or(Decision::Keep, Decision::Choose),
        },
        Policy::Decide => match confident {
            Some(b) if Some(b) == rule => Decision::Keep,
            Some(b) => Decision::Choose(b),
            None => Decision::Drop,
        },
    }
}

/// A malformed model file: the line and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "quote model line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ModelError {}

/// Logistic weights over feature names, with the policy they are used under.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub cut: Cut,
    weights: FxHashMap<String, f64>,
}

impl Model {
    pub fn new(cut: Cut, weights: FxHashMap<String, f64>) -> Model {
        Model { cut, weights }
    }

    /// Read the text format `train-quotes` writes: `policy NAME`, `threshold X`, `veto X` and one
    /// `w FEATURE WEIGHT` line per feature; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut model = Model::new(RULES, FxHashMap::default());
        for (n, line) in text.lines().enumerate() {
            let bad = |reason: &str| ModelError {
                line: n + 1,
                reason: reason.to_string(),
            };
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                [""] => {}
                [c, ..] if c.starts_with('#') => {}
                ["policy", p] => {
                    model.cut.policy = Policy::parse(p).ok_or_else(|| bad("no such policy"))?
                }
                ["threshold", t] => {
                    model.cut.threshold = t.parse().map_err(|_| bad("threshold is no number"))?
                }
                ["veto", t] => model.cut.veto = t.parse().map_err(|_| bad("veto is no number"))?,
                ["w", name, w] => {
                    let w = w.parse().map_err(|_| bad("weight is no number"))?;
                    model.weights.insert((*name).to_string(), w);
                }
                _ => return Err(bad("expected policy, threshold or w lines (tab-separated)")),
            }
        }
        Ok(model)
    }

    /// The model's probability that `c` said the quote.
    pub fn probability(&self, c: &Candidate) -> f64 {
        let z: f64 = c.features.iter().filter_map(|f| self.weights.get(f)).sum();
        1.0 / (1.0 + (-z).exp())
    }
}

/// The model compiled into the binary (`models/quotes.txt`). A file that does not parse is a
/// build defect the tests catch; at run time it falls back to the rules alone.
pub fn embedded() -> &'static Model {
    static MODEL: LazyLock<Model> = LazyLock::new(|| {
        Model::parse(include_str!("../../models/quotes.txt"))
            .unwrap_or_else(|_| Model::new(RULES, FxHashMap::default()))
    });
    &MODEL
}

/// Which side of the quote a mention stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

impl Side {
    fn tag(self) -> &'static str {
        match self {
            Side::Before => "b",
            Side::After => "a",
        }
    }
}

/// Running counts of sentence ends and line breaks over a text, made once per text, so the
/// number between two places costs a subtraction: news text without line breaks is one long
/// paragraph, and every quote's candidates may stand anywhere in it.
pub struct Tally {
    ends: Vec<u32>,
    breaks: Vec<u32>,
}

impl Tally {
    pub fn new(doc: &Doc, chars: &[char]) -> Tally {
        let mut ends = Vec::with_capacity(chars.len() + 1);
        let mut breaks = Vec::with_capacity(chars.len() + 1);
        let (mut e, mut b) = (0u32, 0u32);
        ends.push(0);
        breaks.push(0);
        for (k, &c) in chars.iter().enumerate() {
            b += u32::from(c == '\n');
            e += u32::from(c == '\n' || doc.ends_sentence(k));
            ends.push(e);
            breaks.push(b);
        }
        Tally { ends, breaks }
    }

    /// Sentence ends (or line breaks) in `[a, b)`.
    fn ends(&self, a: usize, b: usize) -> usize {
        let b = b.min(self.ends.len() - 1);
        (self.ends[b].saturating_sub(self.ends[a.min(b)])) as usize
    }

    /// Line breaks in `[a, b)`.
    fn breaks(&self, a: usize, b: usize) -> usize {
        let b = b.min(self.breaks.len() - 1);
        (self.breaks[b].saturating_sub(self.breaks[a.min(b)])) as usize
    }
}

/// The first `n` words of the paragraph from `from` on: the table lends them, and a stretch
/// cutting a word is split only as far as the `n` words reach.
fn first_words(table: &Table, chars: &[char], from: usize, n: usize) -> Vec<Word> {
    table
        .iter(from, paragraph_end(chars, from))
        .take(n)
        .map(Cow::into_owned)
        .collect()
}

/// Everything about one quote that the candidates' features read.
pub struct Context<'d, 'a> {
    pub doc: &'d Doc<'a>,
    pub tally: &'d Tally,
    pub chars: &'d [char],
    pub spans: &'d [Span],
    /// The quote's span index.
    pub i: usize,
    /// The rules' answer for this quote.
    pub rule: Option<&'d Speaker>,
    /// The rules' speaker of the quote before it, if it had one.
    pub previous: Option<&'d str>,
}

/// Whom the quote's surroundings point at, read once per quote; each candidate's features
/// compare its name with these. They serve the error classes the rules leave: a mixed quote
/// whose speaker is the subject of its sentence or of a speech verb a clause or more away, and
/// a quote paragraph whose speaker the paragraph before introduces without a speech verb.
#[derive(Debug, Default)]
struct Pointers<'m> {
    /// The first entity of the quote's sentence before it, not the object of a preposition.
    sentence_subject: Option<&'m str>,
    /// The entity last before the speech verb nearest the quote, in its sentence before it.
    verb_subject: Option<&'m str>,
    /// For a quote opening its paragraph: the first entity of the previous paragraph's last
    /// sentence, with how that sentence leads into the quote.
    intro: Option<(&'m str, &'static str)>,
}

impl<'a> Context<'_, 'a> {
    fn span(&self) -> &Span {
        &self.spans[self.i]
    }

    fn after(&self) -> usize {
        self.span().after().min(self.chars.len())
    }

    fn sentence_ends(&self, a: usize, b: usize) -> usize {
        self.tally.ends(a, b)
    }

    fn side(&self, m: &Mention) -> (Side, usize) {
        if m.end <= self.span().open {
            (Side::Before, self.span().open - m.end)
        } else {
            (Side::After, m.start.saturating_sub(self.after()))
        }
    }

    /// The characters between a mention and the quote.
    fn between(&self, m: &Mention) -> (usize, usize) {
        match self.side(m).0 {
            Side::Before => (m.end, self.span().open),
            Side::After => (self.after(), m.start),
        }
    }

    /// The candidates of this quote, in the order they are first named.
    pub fn candidates(&self) -> Vec<Candidate> {
        let open = self.span().open;
        let from = previous_paragraph_start(self.chars, paragraph_start(self.chars, open));
        let to = paragraph_end(self.chars, self.after());
        let speakable = self.doc.speakable();
        let mut groups: Vec<(&str, EntityKind, Vec<&Mention>)> = Vec::new();
        for m in speakable.iter().filter(|m| m.start >= from && m.end <= to) {
            match groups.iter_mut().find(|g| g.0 == m.canonical) {
                Some(g) => g.2.push(m),
                None => groups.push((&m.canonical, m.kind, vec![m])),
            }
        }
        let target = self.pronoun_target();
        let shape = self.quote_shape();
        let pointers = self.pointers();
        // Every candidate, near or far, also gets the features of the quote's pointers.
        let full = |name: &str, kind: EntityKind, ms: &[&Mention]| {
            let mut c = self.candidate(name, kind, ms, &groups, target, &shape);
            pointer_features(&pointers, &shape, &mut c);
            self.gap_features(&mut c);
            c
        };
        let mut out: Vec<Candidate> = groups
            .iter()
            .map(|(name, kind, ms)| full(name, *kind, ms))
            .collect();
        // The rules' speaker or a pronoun's referent may have been named further back.
        let far = [self.rule.map(|r| (r.name.as_str(), r.kind)), target]
            .into_iter()
            .flatten();
        for (name, kind) in far {
            if !out.iter().any(|c| c.name == name) {
                out.push(full(name, kind, &[]));
            }
        }
        out
    }

    /// Where the rules gave no speaker, the candidate's plain features again under their own
    /// names: the model's only say is on those quotes (the `fill` policy), and there the
    /// weights learnt mostly from quotes the rules did attribute fit less well. The position
    /// features (those with a side, `b&…`, `a&…`) are not doubled: cross-validation found no
    /// gain in them and they are the many.
    fn gap_features(&self, c: &mut Candidate) {
        if self.rule.is_some() {
            return;
        }
        let extra: Vec<String> = c
            .features
            .iter()
            .filter(|f| !f.contains('&') && !f.starts_with("rule"))
            .map(|f| format!("{f}@rule=none"))
            .collect();
        c.features.extend(extra);
        c.features.sort();
    }

    /// The start of the sentence holding `at` (a line break or a sentence end behind it).
    fn sentence_start(&self, at: usize) -> usize {
        let floor = at.saturating_sub(SENTENCE_CHARS);
        (floor..at)
            .rev()
            .find(|&k| self.chars[k] == '\n' || self.doc.ends_sentence(k))
            .map_or(floor, |k| k + 1)
    }

    /// Is a mention the object of a preposition (`speaking to X`), by the word before it?
    fn after_preposition(&self, from: usize, m: &Mention) -> bool {
        self.doc
            .table()
            .last(from.max(m.start.saturating_sub(20)), m.start)
            .is_some_and(|w| is_preposition(&w.lower))
    }

    /// The entities named in `[from, to)`, in text order.
    fn named_in(&self, from: usize, to: usize) -> impl DoubleEndedIterator<Item = &'a Mention> {
        self.doc
            .speakable()
            .iter()
            .copied()
            .filter(move |m| m.start >= from && m.end <= to)
    }

    /// The first entity of `[from, to)` that is no object of a preposition.
    fn subject_in(&self, from: usize, to: usize) -> Option<&'a Mention> {
        self.named_in(from, to)
            .find(|m| !self.after_preposition(from, m))
    }

    /// What the quote's sentence and the paragraph before point at (see [`Pointers`]).
    fn pointers(&self) -> Pointers<'a> {
        let open = self.span().open;
        let start = self.sentence_start(open);
        let mut p = Pointers {
            sentence_subject: self.subject_in(start, open).map(|m| m.canonical.as_str()),
            ..Pointers::default()
        };
        let ws = self.doc.table().words(start, open);
        if let Some(v) = (0..ws.len()).rev().find(|&k| self.doc.verb(&ws, k)) {
            p.verb_subject = self
                .named_in(start, ws[v].start)
                .rev()
                .find(|m| !self.after_preposition(start, m))
                .map(|m| m.canonical.as_str());
        }
        p.intro = self.intro(open);
        p
    }

    /// For a quote opening its paragraph, the subject of the previous paragraph's last
    /// sentence and how that sentence leads in: `colon` (`He wrote:`), `quoted` (the paragraph
    /// quotes someone), `verb` (a speech verb without a quote), else `plain` (`X cut out the
    /// middlemen.`).
    fn intro(&self, open: usize) -> Option<(&'a str, &'static str)> {
        let para = paragraph_start(self.chars, open);
        if para == 0 || !self.chars[para..open].iter().all(|c| c.is_whitespace()) {
            return None;
        }
        let prev = previous_paragraph_start(self.chars, para);
        let end = paragraph_end(self.chars, prev);
        let last = (prev..end)
            .rev()
            .find(|&k| !self.chars[k].is_whitespace())?;
        let start = self.sentence_start(last).max(prev);
        let subject = self.subject_in(start, end)?;
        let ws = self.doc.table().words(start, end);
        let how = if self.chars[last] == ':' {
            "colon"
        } else if self.spans.iter().any(|q| q.open >= prev && q.open < end) {
            "quoted"
        } else if (0..ws.len()).any(|k| self.doc.verb(&ws, k)) {
            "verb"
        } else {
            "plain"
        };
        Some((subject.canonical.as_str(), how))
    }

    fn candidate(
        &self,
        name: &str,
        kind: EntityKind,
        ms: &[&Mention],
        groups: &[(&str, EntityKind, Vec<&Mention>)],
        target: Option<(&str, EntityKind)>,
        shape: &[String],
    ) -> Candidate {
        let mut f = vec!["bias".to_string(), format!("kind={kind:?}")];
        let nearest = ms.iter().min_by_key(|m| self.side(m).1);
        match nearest {
            Some(m) => self.mention_features(m, groups, &mut f),
            None => f.push("far".to_string()),
        }
        let count = self
            .doc
            .speakable()
            .iter()
            .filter(|m| m.canonical == name)
            .count();
        f.push(format!("count={}", bucket(count, &[1, 2, 4, 8])));
        if target.is_some_and(|t| t.0 == name) {
            f.push("pronoun_target".to_string());
        }
        if self.previous == Some(name) {
            f.push("previous_speaker".to_string());
        }
        let rule = match self.rule {
            Some(r) if r.name == name => format!("rule={:?}", r.via),
            Some(_) => "rule=other".to_string(),
            None => "rule=none".to_string(),
        };
        for s in shape {
            f.push(format!("{rule}&{s}"));
        }
        f.push(rule);
        f.extend(shape.iter().cloned());
        f.sort();
        f.dedup();
        Candidate {
            name: name.to_string(),
            kind,
            features: f,
        }
    }

    /// Where the nearest mention stands and what words tie it to the quote.
    fn mention_features(
        &self,
        m: &Mention,
        groups: &[(&str, EntityKind, Vec<&Mention>)],
        f: &mut Vec<String>,
    ) {
        let (side, gap) = self.side(m);
        let s = side.tag();
        let dist = bucket(gap, &[3, 20, 60, 150, 300, 800]);
        let (a, b) = self.between(m);
        let ends = bucket(self.sentence_ends(a, b), &[0, 1, 2, 3]);
        let breaks = bucket(self.tally.breaks(a, b), &[0, 1, 2]);
        f.push(format!("{s}&d={dist}"));
        f.push(format!("{s}&ends={ends}"));
        f.push(format!("{s}&breaks={breaks}"));
        let others = groups
            .iter()
            .filter(|g| g.0 != m.canonical)
            .flat_map(|g| g.2.iter())
            .filter(|o| o.start >= a && o.end <= b)
            .count();
        f.push(format!("{s}&others={}", bucket(others, &[0, 1, 2])));
        if self.spans.iter().any(|q| q.open >= a && q.open < b) {
            f.push(format!("{s}&quote_between"));
        }
        let verb_after = self.verb_after(m);
        if let Some(k) = verb_after {
            let near = if k <= 1 { "near" } else { "far" };
            f.push(format!("{s}&verb_after={near}"));
            f.push(format!("{s}&verb_after={near}&ends={ends}"));
        }
        if self.verb_before(m) {
            f.push(format!("{s}&verb_before"));
            f.push(format!("{s}&verb_before&ends={ends}"));
        }
        if ends == 0 {
            let ws = self.doc.table().words(a, b);
            if (0..ws.len()).any(|k| self.doc.verb(&ws, k)) {
                f.push(format!("{s}&verb_between"));
            }
            if self.chars[a..b].contains(&':') {
                f.push(format!("{s}&colon"));
            }
        }
        let before = self.words_before(m);
        if let Some(w) = before.last() {
            if is_preposition(&w.lower) {
                f.push("preposition".to_string());
            }
            if before.len() >= 2 && before[before.len() - 2].lower == "according" {
                f.push("according".to_string());
            }
        }
        f.push(format!("subject={}", bucket(before.len(), &[0, 3])));
    }

    /// The words of a mention's sentence before it.
    fn words_before(&self, m: &Mention) -> Cow<'a, [Word]> {
        let floor = m.start.saturating_sub(SENTENCE_CHARS);
        let start = (floor..m.start)
            .rev()
            .find(|&k| self.chars[k] == '\n' || self.doc.ends_sentence(k))
            .map_or(floor, |k| k + 1);
        self.doc.table().words(start, m.start)
    }

    /// The position of the speech verb a mention is the subject of (`X said`, `X, a
    /// spokesman, said`), among the words after it in its sentence.
    fn verb_after(&self, m: &Mention) -> Option<usize> {
        let ws = first_words(self.doc.table(), self.chars, m.end, VERB_AFTER_WORDS);
        let ws = &ws[..];
        let stop = ws
            .iter()
            .position(|w| self.sentence_ends(m.end, w.start) > 0)
            .unwrap_or(ws.len());
        (0..stop).find(|&k| self.doc.verb(ws, k))
    }

    /// Does an inverted speech verb stand right before a mention (`said X`, `said the
    /// group's leader, X`)?
    fn verb_before(&self, m: &Mention) -> bool {
        let ws = self
            .doc
            .table()
            .words(m.start.saturating_sub(VERB_BEFORE_CHARS), m.start);
        let n = ws.len();
        (n.saturating_sub(3)..n).any(|k| self.doc.verb(&ws, k))
            && self.sentence_ends(ws.first().map_or(m.start, |w| w.start), m.start) == 0
    }

    /// The shape of the quote itself: its length, whether it opens its sentence or is a
    /// phrase inside one, whether it is its paragraph.
    fn quote_shape(&self) -> Vec<String> {
        let span = self.span();
        let n = self.doc.table().words(span.start, span.end).len();
        let mut out = vec![format!("len={}", bucket(n, &[3, 8, 20]))];
        let floor = span.open.saturating_sub(SENTENCE_CHARS);
        let start = (floor..span.open)
            .rev()
            .find(|&k| self.chars[k] == '\n' || self.doc.ends_sentence(k))
            .map_or(floor, |k| k + 1);
        let lead = self.doc.table().words(start, span.open);
        let colon = self.chars[start..span.open]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            == Some(&':');
        out.push(
            match (lead.is_empty(), colon) {
                (true, _) => "opens",
                (false, true) => "colon",
                (false, false) => "inside",
            }
            .to_string(),
        );
        let para = paragraph_start(self.chars, span.open);
        if self.chars[para..span.open]
            .iter()
            .all(|c| c.is_whitespace())
            && self.chars[self.after()..paragraph_end(self.chars, self.after())]
                .iter()
                .all(|c| c.is_whitespace())
        {
            out.push("paragraph".to_string());
        }
        out
    }

    /// `"...," he said` or `she said: "..."`: the entity the pronoun subject of the quote's
    /// speech verb stands for, the latest one named before the quote that it can mean.
    fn pronoun_target(&self) -> Option<(&str, EntityKind)> {
        let kind = self.pronoun_next_to_quote()?;
        let open = self.span().open;
        let floor = open.saturating_sub(PRONOUN_CHARS);
        self.doc
            .speakable()
            .iter()
            .rev()
            .filter(|m| m.end <= open && m.start >= floor)
            .find(|m| match kind {
                PronounKind::It => m.kind == EntityKind::Org,
                PronounKind::He | PronounKind::She => {
                    let wanted = if kind == PronounKind::He {
                        Gender::Male
                    } else {
                        Gender::Female
                    };
                    m.kind == EntityKind::Person
                        && self.doc.gender(&m.canonical).is_none_or(|g| g == wanted)
                }
            })
            .map(|m| (m.canonical.as_str(), m.kind))
    }

    fn pronoun_next_to_quote(&self) -> Option<PronounKind> {
        let after = self.after();
        // The verb beside a pronoun among the first three words stands within the first six
        // (and the verb test reads the word after it).
        let ws = first_words(self.doc.table(), self.chars, after, 7);
        let head = &ws[..ws.len().min(3)];
        let verb_near = |ws: &[Word], k: usize| {
            (k.saturating_sub(1)..(k + 3).min(ws.len())).any(|v| v != k && self.doc.verb(ws, v))
        };
        if let Some(k) = (0..head.len()).find(|&k| pronoun_kind(&head[k].lower).is_some())
            && verb_near(&ws, k)
            && self.sentence_ends(after, ws[k].start) == 0
        {
            return pronoun_kind(&ws[k].lower);
        }
        let open = self.span().open;
        let floor = paragraph_start(self.chars, open).max(open.saturating_sub(SENTENCE_CHARS));
        let start = (floor..open)
            .rev()
            .find(|&k| self.doc.ends_sentence(k))
            .map_or(floor, |k| k + 1);
        let ws = self.doc.table().words(start, open);
        (0..ws.len().min(2))
            .find(|&k| pronoun_kind(&ws[k].lower).is_some() && verb_near(&ws, k))
            .and_then(|k| pronoun_kind(&ws[k].lower))
    }
}

/// The features of one candidate that compare it with the quote's [`Pointers`], each alone
/// and with the quote's shape (a mixed quote's sentence subject is not a quote paragraph's).
fn pointer_features(p: &Pointers, shape: &[String], c: &mut Candidate) {
    let name = c.name.as_str();
    let mut own = Vec::new();
    if p.sentence_subject == Some(name) {
        own.push("subj.sentence".to_string());
    }
    if p.verb_subject == Some(name) {
        own.push("subj.verb".to_string());
    }
    if let Some((who, how)) = p.intro
        && who == name
    {
        own.push(format!("intro.{how}"));
    }
    let placed = shape
        .iter()
        .find(|s| matches!(s.as_str(), "opens" | "colon" | "inside"));
    for f in own {
        if let Some(at) = placed {
            c.features.push(format!("{f}&{at}"));
        }
        c.features.push(f);
    }
    c.features.sort();
    c.features.dedup();
}

/// Which bucket `n` falls in: the index of the first edge it does not exceed, or one past the
/// last edge.
fn bucket(n: usize, edges: &[usize]) -> usize {
    edges.iter().position(|&e| n <= e).unwrap_or(edges.len())
}

/// The start of the paragraph before the one starting at `start`, over blank lines.
fn previous_paragraph_start(chars: &[char], start: usize) -> usize {
    let mut k = start;
    while k > 0 && chars[k - 1].is_whitespace() {
        k -= 1;
    }
    if k == 0 { 0 } else { paragraph_start(chars, k) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_inclusive_upper_edges() {
        assert_eq!(bucket(0, &[0, 1, 2]), 0);
        assert_eq!(bucket(2, &[0, 1, 2]), 2);
        assert_eq!(bucket(7, &[0, 1, 2]), 3);
    }

    #[test]
    fn previous_paragraph_skips_blank_lines() {
        let chars: Vec<char> = "One.\n\nTwo two.\nThree.".chars().collect();
        let third = paragraph_start(&chars, 17);
        assert_eq!(third, 15);
        assert_eq!(previous_paragraph_start(&chars, third), 6);
        assert_eq!(previous_paragraph_start(&chars, 6), 0);
    }

    fn cut(policy: Policy, threshold: f64, veto: f64) -> Cut {
        Cut {
            policy,
            threshold,
            veto,
        }
    }

    #[test]
    fn fill_keeps_the_rules_answer_and_fills_only_a_confident_gap() {
        let fill = cut(Policy::Fill, 0.6, 0.0);
        assert_eq!(decide(fill, Some(0), &[0.1, 0.9]), Decision::Keep);
        assert_eq!(decide(fill, None, &[0.1, 0.9]), Decision::Choose(1));
        assert_eq!(
            decide(cut(Policy::Fill, 0.95, 0.0), None, &[0.1, 0.9]),
            Decision::Keep
        );
        assert_eq!(decide(fill, None, &[]), Decision::Keep);
    }

    #[test]
    fn fill_vetoes_a_rule_answer_the_model_finds_unlikely() {
        let fill = cut(Policy::Fill, 0.6, 0.2);
        assert_eq!(decide(fill, Some(0), &[0.1, 0.9]), Decision::Drop);
        assert_eq!(decide(fill, Some(0), &[0.3, 0.9]), Decision::Keep);
    }

    #[test]
    fn decide_drops_an_unconfident_rule_answer() {
        let d = cut(Policy::Decide, 0.6, 0.0);
        assert_eq!(decide(d, Some(0), &[0.3, 0.2]), Decision::Drop);
        assert_eq!(decide(d, Some(0), &[0.7, 0.2]), Decision::Keep);
        assert_eq!(decide(d, Some(0), &[0.7, 0.8]), Decision::Choose(1));
        assert_eq!(decide(RULES, Some(0), &[0.0]), Decision::Keep);
    }

    #[test]
    fn model_file_round_trips_and_rejects_bad_lines() {
        let m = Model::parse(
            "# c\npolicy\tfill\nthreshold\t0.7\nveto\t0.1\nw\tbias\t-1.5\nw\tb&d=0\t2\n",
        )
        .unwrap();
        assert_eq!(m.cut, cut(Policy::Fill, 0.7, 0.1));
        let c = Candidate {
            name: "X".into(),
            kind: EntityKind::Person,
            features: vec!["bias".into(), "b&d=0".into(), "unknown".into()],
        };
        let p = m.probability(&c);
        assert!((p - 1.0 / (1.0 + (-0.5f64).exp())).abs() < 1e-12);
        let err = Model::parse("policy\tsometimes\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(Model::parse("w\tbias\tlots\n").is_err());
    }

    /// The candidates of quote `i` of `text`, whose people are named by `names` (the
    /// tagger is not asked, so the features are tested alone).
    fn candidates_of(text: &str, names: &[(&str, &str)], i: usize) -> Vec<Candidate> {
        let chars: Vec<char> = text.chars().collect();
        let mentions: Vec<Mention> = names
            .iter()
            .flat_map(|(written, canonical)| {
                text.match_indices(written).map(|(b, _)| {
                    let start = text[..b].chars().count();
                    Mention {
                        kind: EntityKind::Person,
                        text: written.to_string(),
                        canonical: canonical.to_string(),
                        start,
                        end: start + written.chars().count(),
                    }
                })
            })
            .collect();
        let spans = super::super::marks::spans(&chars);
        let table = super::super::words::Table::new(&chars);
        let doc = Doc::new(&table, &chars, &mentions, &spans);
        let tally = Tally::new(&doc, &chars);
        Context {
            doc: &doc,
            tally: &tally,
            chars: &chars,
            spans: &spans,
            i,
            rule: None,
            previous: None,
        }
        .candidates()
    }

    fn has(c: &Candidate, feature: &str) -> bool {
        c.features.iter().any(|f| f == feature)
    }

    #[test]
    fn an_inverted_verb_before_a_name_after_the_quote_is_seen() {
        let cs = candidates_of(
            "\"The pier stays shut,\" said Ann Lee on Monday.",
            &[("Ann Lee", "Ann Lee")],
            0,
        );
        assert_eq!(cs.len(), 1);
        assert!(has(&cs[0], "a&verb_before"), "{:?}", cs[0].features);
        assert!(has(&cs[0], "a&d=1"), "{:?}", cs[0].features);
        assert!(has(&cs[0], "rule=none"));
        assert!(has(&cs[0], "opens"));
    }

    #[test]
    fn a_name_two_paragraphs_back_is_no_candidate_and_the_previous_one_is() {
        let text = "Bo Kim left early.\n\nAnn Lee stayed at the quay all night.\n\n\"We will reopen the pier before winter comes.\"";
        let cs = candidates_of(text, &[("Bo Kim", "Bo Kim"), ("Ann Lee", "Ann Lee")], 0);
        let names: Vec<&str> = cs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ann Lee"]);
        let c = &cs[0];
        assert!(has(c, "b&breaks=2") && has(c, "subject=0") && has(c, "paragraph"));
        assert!(!has(c, "b&verb_after=near"), "{:?}", c.features);
    }

    #[test]
    fn he_said_marks_the_latest_man_named_before() {
        let text = "Ann Lee met Mr Tom Hale at the quay. \"The boats are old,\" he said.";
        let cs = candidates_of(text, &[("Ann Lee", "Ann Lee"), ("Tom Hale", "Tom Hale")], 0);
        let target: Vec<&str> = cs
            .iter()
            .filter(|c| has(c, "pronoun_target"))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(target, ["Tom Hale"]);
    }

    #[test]
    fn a_mixed_quote_points_at_its_sentence_subject_not_the_object() {
        let text = "Ann Lee, who met Bo Kim at the quay on Monday, later called the new pier plan \"a slow disaster\" for the town.";
        let cs = candidates_of(text, &[("Ann Lee", "Ann Lee"), ("Bo Kim", "Bo Kim")], 0);
        let with = |f: &str| -> Vec<&str> {
            cs.iter()
                .filter(|c| has(c, f))
                .map(|c| c.name.as_str())
                .collect()
        };
        assert_eq!(with("subj.sentence"), ["Ann Lee"]);
        assert_eq!(with("subj.sentence&inside"), ["Ann Lee"]);
        // The last entity before "called" stands after "at the quay"'s clause, no preposition
        // before it: Bo Kim, whom the sentence subject feature tells apart.
        assert_eq!(with("subj.verb"), ["Bo Kim"]);
    }

    #[test]
    fn a_quote_paragraph_points_at_the_subject_of_the_paragraph_before() {
        let text = "Bo Kim spoke first.\n\nThen Ann Lee went straight after the harbour board.\n\n\"We will not wait another winter for the pier.\"";
        let cs = candidates_of(text, &[("Bo Kim", "Bo Kim"), ("Ann Lee", "Ann Lee")], 0);
        let intro: Vec<(&str, &str)> = cs
            .iter()
            .flat_map(|c| {
                c.features
                    .iter()
                    .filter(|f| f.starts_with("intro.") && !f.contains(['&', '@']))
                    .map(move |f| (c.name.as_str(), f.as_str()))
            })
            .collect();
        assert_eq!(intro, [("Ann Lee", "intro.plain")]);
        // The rules gave no speaker (the test asks without them): the plain features are
        // doubled for the model's say on such quotes, the position features are not.
        let lee = cs.iter().find(|c| c.name == "Ann Lee").unwrap();
        assert!(has(lee, "intro.plain@rule=none"), "{:?}", lee.features);
        assert!(
            !lee.features
                .iter()
                .any(|f| f.contains('&') && f.ends_with("@rule=none"))
        );
    }

    #[test]
    fn a_colon_paragraph_introduces_with_a_colon() {
        let text =
            "Ann Lee wrote to the council:\n\n\"We will not wait another winter for the pier.\"";
        let cs = candidates_of(text, &[("Ann Lee", "Ann Lee")], 0);
        assert!(has(&cs[0], "intro.colon"), "{:?}", cs[0].features);
    }

    #[test]
    fn embedded_model_parses() {
        let text = include_str!("../../models/quotes.txt");
        assert!(Model::parse(text).is_ok());
    }
}
