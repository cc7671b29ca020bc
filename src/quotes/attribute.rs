//! Attribution: the speech verb next to a quote and the subject of that verb, resolved to an
//! entity the tagger found. The clause after the quote is read first (`"...," said X`, `"...," X
//! said`, `"...," he said`), then the clause before it (`X said: "..."`, `According to X, "..."`,
//! and mixed quotes such as `she called the plan "reckless"`). A subject is a mention (the first
//! one that is not the object of a preposition, except the organisation a spokesman speaks for),
//! a pronoun (the nearest person, or organisation for "it", named before), or "the" + a role noun
//! (the latest person named with that role nearby; for an organisation noun, the latest
//! organisation). An attribution clause whose subject is none of these ("one resident said")
//! gives no speaker.
use rustc_hash::FxHashMap as HashMap;

use super::Attribution;
use super::marks::Span;
use super::referents::{Gender, can_speak, genders};
use super::words::{
    PronounKind, Table, Word, is_kind_of_body, is_media_noun, is_org_role, is_passive_auxiliary,
    is_person_noun, is_person_role, is_preposition, is_speech_verb, is_spokes_word, other_sense,
    paragraph_end, pronoun_kind,
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
/// Words after an inverted speech verb that may hold its subject (titles and ranks not counted).
const HEAD_WORDS: usize = 6;
/// Words a claim noun may stand before the `that` opening what it says (`Kern's remark at a
/// fundraiser that …`).
const CLAIM_WORDS: usize = 6;
/// Words a title may stand from the name it is written with: before it (`Deputy Finance
/// Minister Ada Kern`) or in the apposition after its comma (`Kern, the deputy minister`).
const TITLE_WORDS: usize = 4;
/// Words an introductory phrase opening on a preposition may run to its comma.
const INTRO_WORDS: usize = 12;
/// How many sentences a pronoun may go back through sentences whose subject is the same pronoun.
const PRONOUN_CHAIN: usize = 4;
/// Words an affiliation may run to after a dash signature's name (`— Karen Hao, MIT Technology
/// Review`).
const SIGNATURE_WORDS: usize = 8;
/// Words a signature standing on its own line after a quote may have (`Ed Morrissey, Hot Air`).
const SIGNATURE_LINE_WORDS: usize = 12;
/// Words an apposition after a quote's speaker may run to before the speech verb (`"…,"
/// Jennifer Doudna, executive director of …, which took the pledge, said`).
const APPOSITION_WORDS: usize = 20;
/// How long a bracket after a name may be and still qualify it (`(D-Calif.)`, `(R-Texas)`).
const BRACKET_CHARS: usize = 24;
/// Sentences a paragraph may go on for after X's quote for a quote paragraph right after it
/// to go on in X's voice.
const PARAGRAPH_SENTENCES: usize = 4;
/// Words a sentence after a quote's own full stop may have and still be its attribution alone
/// (`"…." Fox 9 reported.`).
const SHORT_ATTRIBUTION_WORDS: usize = 4;
/// Words a sentence-closing attribution may have after its verb (`, Kern said in a statement.`).
const FINAL_TAIL_WORDS: usize = 4;
/// How many earlier quotes a document may be traced back through (`the statement said` asks who
/// spoke in the sentence that introduced the statement, whose quote may itself be a document's).
/// A quote running past the sentence that asks can lead back to itself, so the chain is bounded.
const ISSUER_CHAIN: u8 = 3;

/// A resolved speaker.
#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub kind: EntityKind,
    pub via: Attribution,
}

/// One text ready for attribution: its characters, the mentions that can speak (outside
/// quotes), every mention (a word inside a name is no verb: "the Washington Post said"), each
/// person's gender as the text shows it, and its quote spans.
pub struct Doc<'a> {
    chars: &'a [char],
    table: &'a Table<'a>,
    spans: &'a [Span],
    mentions: Vec<&'a Mention>,
    all: &'a [Mention],
    genders: HashMap<String, Gender>,
    /// Earlier quotes being attributed on behalf of a document right now (see `ISSUER_CHAIN`).
    tracing: std::cell::Cell<u8>,
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

/// Conjunctions that open a clause of their own, with its own subject.
fn is_contrast(w: &str) -> bool {
    matches!(
        w,
        "although" | "though" | "whereas" | "while" | "but" | "because"
    )
}

/// Words that join a verb to the clause before it without a subject of its own ("and said",
/// "before accusing").
fn is_connective(w: &str) -> bool {
    matches!(
        w,
        "and" | "or" | "but" | "yet" | "then" | "before" | "after" | "while" | "when" | "by" | "so"
    )
}

/// A word that brings an unnamed person or a spokesman into the text (`a resident`, `the
/// minister`, `a spokesman`): words after it may be theirs.
fn introduces_someone(w: &str) -> bool {
    is_person_noun(w) || is_person_role(w) || is_spokes_word(w)
}

/// Words that join or govern others; none stands inside a job title.
fn is_function_word(w: &str) -> bool {
    is_determiner(w) || is_preposition(w) || matches!(w, "and" | "or" | "but" | "nor" | "who")
}

/// A noun for someone who does something (`strategist`, `producer`, `organizer`), the usual
/// last word of a job title the role list does not hold.
fn is_agent_noun(w: &str) -> bool {
    w.chars().count() >= 6
        && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && ["ist", "er", "or"].iter().any(|s| w.ends_with(s))
}

fn is_determiner(w: &str) -> bool {
    matches!(w, "the" | "a" | "an" | "its" | "his" | "her" | "their")
}

/// Initials joined by full stops (`g.k` in `Rep. G.K. Butterfield`): a name goes on after them.
fn is_initials(w: &str) -> bool {
    w.contains('.') && w.split('.').all(|p| p.chars().count() == 1)
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
            | "sgt"
            | "capt"
            | "maj"
            | "adm"
            | "no"
            | "vs"
            | "u.s"
            | "u.k"
    )
}

impl<'a> Doc<'a> {
    pub fn new(
        table: &'a Table<'a>,
        chars: &'a [char],
        mentions: &'a [Mention],
        spans: &'a [Span],
    ) -> Self {
        let inside = |m: &Mention| spans.iter().any(|s| m.start < s.end && m.end > s.open);
        let all = mentions;
        let mentions: Vec<&Mention> = mentions
            .iter()
            .filter(|m| m.kind != EntityKind::Misc && !inside(m) && can_speak(table, chars, m))
            .collect();
        let genders = genders(table, chars, &mentions, spans);
        Doc {
            chars,
            table,
            spans,
            mentions,
            all,
            genders,
            tracing: std::cell::Cell::new(0),
        }
    }

    /// `Philippe` when the text names `Philippe Saint-Andre`: a person the tagger knows by a
    /// first name alone is the one person of the text whose fuller name opens with it.
    pub fn full_name(&self, mut s: Speaker) -> Speaker {
        if s.kind != EntityKind::Person || s.name.contains(' ') {
            return s;
        }
        let mut fuller = self
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Person)
            .map(|m| m.canonical.as_str())
            .filter(|c| {
                c.split_whitespace().count() > 1 && c.split_whitespace().next() == Some(&s.name)
            });
        if let Some(first) = fuller.next()
            && fuller.all(|c| c == first)
        {
            s.name = first.to_string();
            return s;
        }
        // `Philippe Saint-Andre` read as a person and a place: a mention right after the
        // first name, one space between, is the rest of the name.
        let rests: Vec<String> = self
            .all
            .iter()
            .filter(|m| m.kind == EntityKind::Person && m.canonical == s.name)
            .filter_map(|m| {
                self.all
                    .iter()
                    .find(|n| n.start == m.end + 1 && self.chars[m.end] == ' ')
                    .map(|n| self.chars[n.start..n.end].iter().collect())
            })
            .collect();
        if let Some(rest) = rests.first()
            && rests.iter().all(|r| r == rest)
            && !rest.contains(' ')
        {
            s.name = format!("{} {rest}", s.name);
        }
        s
    }

    /// The text's words, split once: the learned step's features read the same clauses.
    pub fn table(&self) -> &'a Table<'a> {
        self.table
    }

    /// The mentions that can speak: persons and organisations outside quotes, in text order.
    pub fn speakable(&self) -> &[&'a Mention] {
        &self.mentions
    }

    /// A person's gender as the text shows it, if it does.
    pub fn gender(&self, name: &str) -> Option<Gender> {
        self.genders.get(name).copied()
    }

    /// The last speech verb of a clause, or the one it reports through: in `who he says asked`
    /// the speaker is the one who says.
    fn last_verb(&self, ws: &[Word]) -> Option<usize> {
        let mut v = (0..ws.len()).rev().find(|&k| self.verb(ws, k))?;
        while v > 0 && self.verb(ws, v - 1) {
            v -= 1;
        }
        Some(v)
    }

    /// Is word `k` of `ws` a speech verb here? Not inside a name ("the Washington Post"), not
    /// after a determiner (a noun: "a note", "the state"), not passive ("was told") and not in
    /// another sense ("continues to be", "called for").
    pub fn verb(&self, ws: &[Word], k: usize) -> bool {
        let w = &ws[k];
        // `the letter read`: "read" speaks only with a document as its subject.
        let document_reads = matches!(w.lower.as_str(), "read" | "reads")
            && ((k > 0 && is_document_noun(&ws[k - 1].lower))
                // `"…," read the report.`: inverted, the document after the verb.
                || (ws.get(k + 1).is_some_and(|d| is_determiner(&d.lower))
                    && ws.get(k + 2).is_some_and(|n| is_document_noun(&n.lower))));
        if !is_speech_verb(&w.lower) && !document_reads {
            return false;
        }
        if self
            .all
            .iter()
            .any(|m| m.start <= w.start && w.end <= m.end)
        {
            return false;
        }
        let prev = k.checked_sub(1).map(|p| ws[p].lower.as_str());
        let participle = w.lower.ends_with("ed") || matches!(w.lower.as_str(), "told" | "said");
        if prev.is_some_and(|p| is_determiner(p) || (participle && is_passive_auxiliary(p))) {
            return false;
        }
        !other_sense(&w.lower, ws.get(k + 1).map(|n| n.lower.as_str()))
            || ws
                .get(k + 1)
                .is_some_and(|n| n.lower == "for" && self.quote_right_after(n.end))
    }

    /// `According to Politico, Kern was "furious"`: the source phrase after "according to" ends
    /// at its first comma.
    fn source_phrase<'w>(&self, ws: &'w [Word]) -> &'w [Word] {
        let end = ws
            .iter()
            .position(|w| self.chars.get(w.end) == Some(&','))
            .map_or(ws.len(), |k| k + 1);
        &ws[..end]
    }

    /// `Biden's assertion that the law "…"`, `Cohen's claim that Kern was a "racist"`: words in
    /// marks inside the clause a named possessor's claim introduces are the possessor's. Gives
    /// the claim noun's place, so a caller can tell whether a speech verb comes after it.
    fn possessor_claim(&self, ws: &[Word]) -> Option<(usize, Clause)> {
        let t = ws.iter().rposition(|w| w.lower == "that")?;
        let n = (t.saturating_sub(CLAIM_WORDS)..t)
            .rev()
            .find(|&k| is_claim_noun(&ws[k].lower))?;
        // `Kern's remark at a fundraiser that …` gives her words; `the conclusion of Kern's
        // argument is that …` and an aside (`Kern's remarks - not the first time that …`)
        // give someone else's reading of them.
        let between = &self.chars[ws[n].end..ws[t].start];
        if ws[n + 1..t].iter().any(|w| is_auxiliary(&w.lower))
            || between
                .iter()
                .any(|c| c.is_ascii_punctuation() || matches!(c, '—' | '–'))
        {
            return None;
        }
        let owner = &ws[n.checked_sub(1)?];
        if !(owner.lower.ends_with("'s") || owner.lower.ends_with("’s")) {
            return None;
        }
        let m = self.mentions.iter().find(|m| {
            matches!(m.kind, EntityKind::Person | EntityKind::Org)
                && m.end > owner.start
                && m.end < owner.end
        })?;
        Some((n, Clause::Speaker(named(m))))
    }

    /// Does a quote open right after `at`, blanks aside (`called for "strength and security"`:
    /// what was called for, in marks, is the caller's words)?
    fn quote_right_after(&self, at: usize) -> bool {
        self.spans
            .iter()
            .any(|s| s.open >= at && self.chars[at..s.open].iter().all(|c| c.is_whitespace()))
    }

    /// The speaker of span `i`, if its clauses name one. "according to" after a quote names a
    /// source rather than a speaker when the clause before has one of its own.
    pub fn attribute(&self, i: usize) -> Found {
        if let Some(s) = self.dash_signature(i) {
            return Found::Speaker(s);
        }
        let (after, according) = self.after_clause(i);
        // `When he said immigrants would "…", Kern tweeted back`: a quote inside a clause
        // opened by a subordinating conjunction is attributed in that clause; the subject
        // after it belongs to the main clause.
        if matches!(after, Clause::Speaker(_))
            && self.in_subordinate_clause(i)
            && let Clause::Speaker(s) = self.before_clause(i)
        {
            return Found::Speaker(s);
        }
        if !according {
            match after {
                Clause::Speaker(s) => return Found::Speaker(s),
                Clause::Anonymous => return Found::Unresolved,
                Clause::Nothing => {}
            }
        }
        match self.before_clause(i) {
            Clause::Speaker(s) => Found::Speaker(s),
            Clause::Anonymous => Found::Unresolved,
            Clause::Nothing => match after {
                Clause::Speaker(s) => Found::Speaker(s),
                Clause::Anonymous => Found::Unresolved,
                Clause::Nothing => match self.sentence_final(i) {
                    Clause::Speaker(s) => Found::Speaker(s),
                    Clause::Anonymous => Found::Unresolved,
                    Clause::Nothing => Found::Nothing,
                },
            },
        }
    }

    /// Does span `i` stand in a clause its sentence opens with a subordinating conjunction
    /// (`When`, `After`, `Although` …), with no comma closing that clause before the quote?
    fn in_subordinate_clause(&self, i: usize) -> bool {
        let open = self.spans[i].open;
        let start = self.sentence_start(open.saturating_sub(CLAUSE_CHARS), open);
        let ws = self.table.words(start, open);
        let opens = ws.first().is_some_and(|w| {
            matches!(
                w.lower.as_str(),
                "when"
                    | "after"
                    | "as"
                    | "while"
                    | "although"
                    | "though"
                    | "if"
                    | "because"
                    | "since"
                    | "before"
                    | "once"
                    | "whereas"
            )
        });
        opens && !self.chars[start..open].contains(&',')
    }

    /// `"..." – Paul Manafort` or `"..." — Karen Hao, MIT Technology Review`: a quote signed,
    /// epigraph-style, by a dash and a name that closes the paragraph (an affiliation after a
    /// comma aside). Roundups of opinion columns sign on the line after the quote instead
    /// (`"…"` then `Ed Morrissey, Hot Air`), and may sign for a board (`— Editorial board,
    /// Washington Post`, the outlet's). Anything else after the name (a verb, a clause, a full
    /// stop) is no signature.
    fn dash_signature(&self, i: usize) -> Option<Speaker> {
        let after = self.spans[i].after().min(self.chars.len());
        let line_end = paragraph_end(self.chars, after);
        match (after..line_end).find(|&k| !self.chars[k].is_whitespace()) {
            Some(dash) if matches!(self.chars[dash], '–' | '—' | '-' | '/') => {
                self.signature(dash + 1, line_end)
            }
            Some(_) => None,
            // The quote closes its line: a signature stands alone on the next line with text.
            None => {
                let start =
                    (line_end..self.chars.len()).find(|&k| !self.chars[k].is_whitespace())?;
                let end = paragraph_end(self.chars, start);
                if matches!(self.chars[start], '–' | '—' | '-' | '/') {
                    return self.signature(start + 1, end);
                }
                // Undashed, the line must read as a byline, not a sentence or a headline.
                let ws = self.table.words(start, end);
                let last = (start..end)
                    .rev()
                    .find(|&k| !self.chars[k].is_whitespace())?;
                if ws.len() > SIGNATURE_LINE_WORDS
                    || matches!(self.chars[last], '.' | '?' | '!' | ':' | '"' | '”')
                {
                    return None;
                }
                // Nor a lone tagged word such as a layout label: undashed, a person signs.
                self.signature(start, end)
                    .filter(|s| s.kind == EntityKind::Person)
            }
        }
    }

    /// The signer named from `from` to the line's `end`: a person or organisation and at most
    /// an affiliation after a comma (`, Hot Air`) or `to` (`to HuffPost`, whom the words were
    /// given to), or a board of an outlet (`Editorial board, X`), whose words are the outlet's.
    fn signature(&self, from: usize, end: usize) -> Option<Speaker> {
        let first = (from..end).find(|&k| !self.chars[k].is_whitespace())?;
        let speakable = |m: &&Mention| matches!(m.kind, EntityKind::Person | EntityKind::Org);
        let m = match self
            .mentions
            .iter()
            .copied()
            .filter(speakable)
            .find(|m| m.start == first)
        {
            Some(m) => m,
            None => {
                let comma = (first..end).find(|&k| self.chars[k] == ',')?;
                let board = self.table.words(first, comma);
                let is_board = matches!(
                    board.iter().map(|w| w.lower.as_str()).collect::<Vec<_>>()[..],
                    ["editorial", "board"] | ["the", "editorial", "board"] | ["the", "editors"]
                );
                let outlet = (comma + 1..end).find(|&k| !self.chars[k].is_whitespace())?;
                let m = self
                    .mentions
                    .iter()
                    .find(|m| m.start == outlet && m.kind == EntityKind::Org)?;
                return (is_board && self.table.words(m.end, end).is_empty()).then(|| named(m));
            }
        };
        let rest = self.table.words(m.end, end);
        let signed = rest.is_empty()
            || ((self.chars[m.end] == ',' || rest[0].lower == "to")
                && rest.len() <= SIGNATURE_WORDS
                && !(0..rest.len()).any(|k| self.verb(&rest, k)));
        signed.then(|| named(m))
    }

    /// `The bank expects rates to stay low for a "considerable time" as the recovery
    /// strengthens, Kern said.`: an attribution closing the sentence after its last comma
    /// (`, Kern said.`, `, said a spokesman for X.`) gives the words of every quote of that
    /// sentence that has no attribution of its own. The closing clause must be an attribution
    /// alone: a speech verb with a few words at most after it (`, officials said the talks would
    /// go on` reports other words).
    fn sentence_final(&self, i: usize) -> Clause {
        let span = &self.spans[i];
        if matches!(self.last_quoted(span), Some('.' | '?' | '!')) {
            return Clause::Nothing;
        }
        let from = span.after().min(self.chars.len());
        let limit = (from + CLAUSE_CHARS).min(self.chars.len());
        let Some(end) = (from..limit)
            .find(|&k| !self.quoted(k) && (self.ends_sentence(k) || self.chars[k] == '\n'))
        else {
            return Clause::Nothing;
        };
        let Some(comma) = (from..end)
            .rev()
            .find(|&k| self.chars[k] == ',' && !self.quoted(k))
        else {
            return Clause::Nothing;
        };
        if self.spans.iter().any(|s| s.open > comma && s.open < end) {
            return Clause::Nothing;
        }
        let ws = self.table.words(comma + 1, end);
        let window = ws.len().min(AFTER_VERB_WINDOW);
        let Some(v) = (0..window).find(|&k| self.verb(&ws, k)) else {
            return Clause::Nothing;
        };
        if ws[..v].iter().all(|w| is_filler(&w.lower)) {
            return if is_inversion_verb(&ws[v].lower) {
                self.subject_after(&ws[v + 1..], end)
            } else {
                Clause::Nothing
            };
        }
        if ws.len() - v - 1 > FINAL_TAIL_WORDS {
            return Clause::Nothing;
        }
        self.subject_before(&ws[..v], ws[v].start)
    }

    /// Does span `i` go on from span `j` (spoken by `name`)? It does when nothing but `j`'s own
    /// attribution stands between them: at most one sentence end, at most one paragraph break
    /// (a quote opening the next paragraph), and no other person or organisation named except
    /// as the object of a speech verb ("Kern told Segall").
    pub fn continues(&self, j: usize, i: usize, name: &str) -> bool {
        let (a, b) = (self.spans[j].after(), self.spans[i].open);
        if a > b {
            return false;
        }
        let breaks = paragraph_breaks(&self.chars[a..b]);
        let ends = (a..b).filter(|&k| self.ends_sentence(k)).count();
        if breaks > 1 || (breaks == 1 && !self.opens_paragraph(i)) {
            return false;
        }
        let ws = self.table.words(a, b);
        // The newspaper convention: a paragraph that is nothing but a quote, right after the
        // paragraph where X was quoted, goes on in X's voice even when that paragraph went on
        // for a few sentences, as long as nobody else (named or not) came in between.
        let quote_paragraph = breaks == 1 && self.whole_paragraph(i);
        if ends > 1
            && !(quote_paragraph
                && ends <= PARAGRAPH_SENTENCES
                && !ws.iter().any(|w| introduces_someone(&w.lower)))
        {
            return false;
        }
        !self.mentions.iter().any(|m| {
            m.start >= a
                && m.end <= b
                && m.canonical != name
                && matches!(m.kind, EntityKind::Person | EntityKind::Org)
                && !(0..ws.len()).any(|k| ws[k].end <= m.start && self.verb(&ws, k))
        })
    }

    /// Is span `i` joined to the next one by nothing but "and" or "or" (and blanks or a comma)?
    pub fn paired_with_next(&self, i: usize) -> bool {
        let Some(next) = self.spans.get(i + 1) else {
            return false;
        };
        let (a, b) = (self.spans[i].after(), next.open);
        if a > b || b - a > 8 {
            return false;
        }
        let ws = self.table.words(a, b);
        ws.len() == 1
            && matches!(ws[0].lower.as_str(), "and" | "or")
            && self.chars[a..b]
                .iter()
                .all(|c| c.is_alphabetic() || c.is_whitespace() || *c == ',')
    }

    /// Do spans `j` and `i` stand in one sentence: no sentence end nor line break between them,
    /// and `j` does not end one itself (`… go to waste.” Now a ‘good crisis’ …`: the quote's
    /// own full stop, a capital after its closing mark, closes the sentence it stands in),
    /// unless the sentence holding `i` reports speech too (`….” At the end of January, his
    /// committee moved into “wartime” mode, he said`): then it goes on in the same voice.
    pub fn same_sentence(&self, j: usize, i: usize) -> bool {
        let (a, b) = (self.spans[j].after(), self.spans[i].open);
        a <= b
            && !(a..b).any(|k| self.ends_sentence(k) || self.chars[k] == '\n')
            && (!self.quote_ends_sentence(&self.spans[j]) || self.reports_speech(a, i))
    }

    /// Does the sentence running from `from` through span `i` hold a speech verb outside quotes?
    fn reports_speech(&self, from: usize, i: usize) -> bool {
        let after = self.spans[i].after().min(self.chars.len());
        let end = self.sentence_end(after, paragraph_end(self.chars, after));
        let ws = self.unquoted_words(from, end);
        (0..ws.len()).any(|k| self.verb(&ws, k))
    }

    /// Does quote `s` end its sentence with its own last mark of sentence punctuation?
    fn quote_ends_sentence(&self, s: &Span) -> bool {
        (s.start..s.end)
            .rev()
            .find(|&k| !self.chars[k].is_whitespace())
            .is_some_and(|k| self.ends_sentence(k) && self.ends_quote_and_sentence(s, k))
    }

    /// Is span `i` a paragraph of its own: nothing but blanks after it up to the line's end?
    fn whole_paragraph(&self, i: usize) -> bool {
        self.chars[self.spans[i].after().min(self.chars.len())..]
            .iter()
            .take_while(|c| **c != '\n')
            .all(|c| c.is_whitespace())
    }

    /// Is span `i` the first thing in its paragraph?
    fn opens_paragraph(&self, i: usize) -> bool {
        let open = self.spans[i].open;
        self.chars[..open]
            .iter()
            .rev()
            .take_while(|c| **c != '\n')
            .all(|c| c.is_whitespace())
    }

    fn paragraph_or_quote_bound_after(&self, i: usize, from: usize) -> usize {
        let next_open = self.spans.get(i + 1).map_or(self.chars.len(), |s| s.open);
        let mut to = next_open.min(from + CLAUSE_CHARS).min(self.chars.len());
        if let Some(nl) = self.chars[from..to].iter().position(|&c| c == '\n') {
            to = from + nl;
        }
        to
    }

    /// The clause after span `i`, and whether it is an "according to".
    fn after_clause(&self, i: usize) -> (Clause, bool) {
        let span = &self.spans[i];
        let from = span.after().min(self.chars.len());
        let to = self.paragraph_or_quote_bound_after(i, from);
        let to = self.sentence_end(from, to);
        let ws = self.table.words(from, to);
        // `… has been described as "…" by Borough President Ada Kern`: a passive speech verb
        // before the quote, its agent after it.
        // Only a name speaks here: `by the sentencing judge` is nobody the text names.
        if ws.first().is_some_and(|w| w.lower == "by") && self.passive_before(i) {
            return match self.subject_after(&ws[1..], to) {
                Clause::Speaker(s) if s.via == Attribution::Named => (Clause::Speaker(s), false),
                _ => (Clause::Anonymous, false),
            };
        }
        // A quote that ends its own sentence with a full stop is rarely followed by its speaker
        // ("...," she said is the form); a capital after it starts a new sentence.
        // Unless that sentence is the attribution alone (`"…." Fox 9 reported.`): a speech
        // verb among a few words, the sentence ending there.
        let attribution_alone = ws.len() <= SHORT_ATTRIBUTION_WORDS
            && self.ends_sentence_at(to)
            && (0..ws.len()).any(|k| self.verb(&ws, k));
        if self.last_quoted(span) == Some('.')
            && ws.first().is_some_and(|w| self.capital(w))
            && !attribution_alone
        {
            return (Clause::Nothing, false);
        }
        // A quote the sentence runs on from (`called it "reckless" and left`) has its speaker
        // before it; an attribution after a quote follows its own punctuation or a comma.
        let joined = matches!(
            self.last_quoted(span),
            Some(',' | '.' | '?' | '!' | '…' | '—' | '-')
        ) || matches!(self.chars.get(from), Some(',' | '—'));
        if !joined && !self.bare_attribution(i, &ws) {
            return (Clause::Nothing, false);
        }
        if ws.len() >= 2 && ws[0].lower == "according" && ws[1].lower == "to" {
            return (self.subject_after(&ws[2..], to), true);
        }
        if let Some(c) = self.quoted_as_saying(&ws) {
            return (c, false);
        }
        // `"...", but insisted that ...`: a clause opening on a conjunction is the sentence's
        // next clause, not the attribution of the quote before it.
        if ws
            .first()
            .is_some_and(|w| is_connective(&w.lower) || is_contrast(&w.lower))
        {
            return (Clause::Nothing, false);
        }
        let window = &ws[..ws.len().min(AFTER_VERB_WINDOW)];
        let Some(v) = (0..window.len())
            .find(|&k| self.verb(&ws, k))
            .or_else(|| self.verb_after_apposition(&ws))
        else {
            return (Clause::Nothing, false);
        };
        if ws[..v].iter().all(|w| is_filler(&w.lower)) {
            if !is_inversion_verb(&ws[v].lower) {
                return (Clause::Nothing, false);
            }
            let head = &ws[v + 1..ws.len().min(v + 7)];
            let c = self.subject_after(&ws[v + 1..], to);
            return (self.or_described(c, head, span.open, ws[v].start), false);
        }
        let c = self.subject_before(&ws[..v], ws[v].start);
        (
            self.or_described(c, &ws[..v], span.open, ws[v].start),
            false,
        )
    }

    /// An attribution right after a quote whose subject is a definite description no name was
    /// written with (`"…," the agent added`, `"…," added the two-time Academy Award winner`):
    /// news writing's way of not repeating the name of the person it just quoted. Only there:
    /// before a quote, `the city promised` or `the sector "…"` is rarely a person.
    fn or_described(&self, c: Clause, ws: &[Word], open: usize, at: usize) -> Clause {
        if !matches!(c, Clause::Anonymous) {
            return c;
        }
        let ws = &ws[ws.iter().take_while(|w| is_filler(&w.lower)).count()..];
        if ws.first().is_none_or(|w| w.lower != "the") {
            return c;
        }
        // The description takes up the one who spoke last: when someone else spoke since the
        // person named (`One student said …`, `the communique stated`), it may be them.
        let Some(last) = self.latest_speech(open) else {
            return c;
        };
        match self.titled_noun(ws, at, true) {
            Some(Clause::Speaker(s)) if self.speaks_in(&s, last) => Clause::Speaker(s),
            _ => c,
        }
    }

    /// Is the character at `k` inside one of the text's quotes (its marks included)?
    fn quoted(&self, k: usize) -> bool {
        self.spans.iter().any(|s| k >= s.open && k < s.after())
    }

    /// The words of `[from, to)` outside quotes: attributions and subjects are read in the
    /// narrator's words alone.
    fn unquoted_words(&self, from: usize, to: usize) -> Vec<Word> {
        self.table
            .words(from, to)
            .iter()
            .filter(|w| !self.quoted(w.start))
            .cloned()
            .collect()
    }

    /// The latest speech verb outside quotes before `open`, within the reference window.
    fn latest_speech(&self, open: usize) -> Option<Word> {
        let from = open.saturating_sub(REFERENCE_CHARS);
        let ws = self.table.words(from, open);
        let k = (0..ws.len())
            .rev()
            .find(|&k| !self.quoted(ws[k].start) && self.verb(&ws, k))?;
        Some(ws[k].clone())
    }

    /// Is `s` the one speaking through `verb`: the subject its sentence gives, or a `he`/`she`
    /// right before it (a pronoun goes on in the voice of the person named)? No organisation
    /// may speak in that sentence (`the Attorney's Office confirmed that prosecutor Ada Kern
    /// …`: the office, not the person, spoke).
    fn speaks_in(&self, s: &Speaker, verb: Word) -> bool {
        let floor = verb.start.saturating_sub(CLAUSE_CHARS);
        let start = self.sentence_start(floor, verb.start);
        let end = self.sentence_end(verb.end, (verb.end + CLAUSE_CHARS).min(self.chars.len()));
        let org_speaks = self.mentions.iter().any(|o| {
            o.kind == EntityKind::Org && o.start >= start && o.end <= end && self.reports(o)
        });
        if org_speaks {
            return false;
        }
        let before = self.table.words(start, verb.start);
        let pronoun = before.last().is_some_and(|w| {
            matches!(
                pronoun_kind(&w.lower),
                Some(PronounKind::He | PronounKind::She)
            )
        });
        pronoun
            || self
                .speaker_of_sentence(start, end)
                .is_some_and(|m| m.canonical == s.name)
    }

    /// `"…," the newspaper quoted Qantas chief executive Geoff Dixon as saying`: the words are
    /// the one quoted, not the one quoting; a name between `quoted` and `as saying` speaks, and
    /// none there (`quoted a source as saying`) gives no speaker.
    fn quoted_as_saying(&self, ws: &[Word]) -> Option<Clause> {
        let q = ws
            .iter()
            .take(AFTER_VERB_WINDOW)
            .position(|w| matches!(w.lower.as_str(), "quoted" | "quotes" | "quoting"))?;
        let a = (q + 1..ws.len().saturating_sub(1).min(q + 12))
            .find(|&k| ws[k].lower == "as" && ws[k + 1].lower == "saying")?;
        if a == q + 1 {
            return None;
        }
        Some(
            // The name nearest `as saying` is the one quoted (`quoted Qantas chief executive
            // Geoff Dixon`), whatever the tagger made of the words before it.
            match self.subject_mention(ws[q + 1].start, ws[a].start, true) {
                Some(m) => Clause::Speaker(named(m)),
                None => Clause::Anonymous,
            },
        )
    }

    /// Does span `i` follow a passive speech verb right away (`was described as`, `has been
    /// widely called`)?
    fn passive_before(&self, i: usize) -> bool {
        let open = self.spans[i].open;
        let start = self.sentence_start(open.saturating_sub(CLAUSE_CHARS), open);
        let ws = self.table.words(start, open);
        let mut k = ws.len();
        if k > 0 && ws[k - 1].lower == "as" {
            k -= 1;
        }
        if k < 2 || !is_speech_verb(&ws[k - 1].lower) {
            return false;
        }
        let aux = |w: &Word| is_passive_auxiliary(&w.lower);
        aux(&ws[k - 2]) || (k >= 3 && ws[k - 2].lower.ends_with("ly") && aux(&ws[k - 3]))
    }

    /// `"...," Tom Porcelli, chief economist at a bank in the city, wrote`: a name, an apposition
    /// between commas that may be long, and the verb right after the second comma.
    /// `"I never thought I would be here" he told the crowd.`: a quote opening its sentence,
    /// its comma left out, followed right away by "he"/"she" or a name and a speech verb.
    fn bare_attribution(&self, i: usize, ws: &[Word]) -> bool {
        let open = self.spans[i].open;
        let opens_sentence = self.chars[..open]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .is_none_or(|&c| matches!(c, '.' | '?' | '!' | '\n' | ':'))
            || self.opens_paragraph(i);
        let subject = ws.first().is_some_and(|w| {
            matches!(
                pronoun_kind(&w.lower),
                Some(PronounKind::He | PronounKind::She)
            )
        });
        opens_sentence && subject && ws.len() >= 2 && self.verb(ws, 1)
    }

    fn verb_after_apposition(&self, ws: &[Word]) -> Option<usize> {
        // A title before the name (`Rev. Rob Schenck, president of ...`, `Representative Bill
        // Kern, who ...`, `Harbour Trust president Ada Kern said`) is part of it: capitalised
        // words and roles only.
        let name = self.mentions.iter().find(|m| {
            m.kind == EntityKind::Person
                && ws.first().is_some_and(|f| m.start >= f.start)
                && ws
                    .iter()
                    .take_while(|w| w.end <= m.start)
                    .all(|w| self.capital(w) || is_person_role(&w.lower))
                && ws.iter().take_while(|w| w.end <= m.start).count() <= 5
        })?;
        if self.chars.get(name.end) != Some(&',') {
            // No apposition: the verb follows the name.
            let v = ws.iter().position(|w| w.start > name.end)?;
            let v = v + ws[v..].iter().take_while(|w| is_filler(&w.lower)).count();
            return (v < ws.len() && self.verb(ws, v)).then_some(v);
        }
        let close = (name.end + 1..ws.last()?.start).find(|&k| self.chars[k] == ',');
        if let Some(close) = close {
            let v = ws.iter().position(|w| w.start > close)?;
            let v = v + ws[v..].iter().take_while(|w| is_filler(&w.lower)).count();
            if v < ws.len() && self.verb(ws, v) {
                return Some(v);
            }
        }
        // A long apposition: `Jennifer Doudna, executive director of the institute, which took
        // the pledge, said`, `Ian Bremmer, president of the consulting firm Eurasia Group told
        // reporters` (its closing comma left out). The first speech verb of the sentence after
        // the name, not far, with no other person between: the name is its subject.
        let v = ws
            .iter()
            .position(|w| w.start > name.end)
            .into_iter()
            .flat_map(|v| v..ws.len().min(v + APPOSITION_WORDS))
            .find(|&k| self.verb(ws, k))?;
        let between = self
            .mentions
            .iter()
            .any(|m| m.kind == EntityKind::Person && m.start > name.end && m.end <= ws[v].start);
        (!between).then_some(v)
    }

    fn before_clause(&self, i: usize) -> Clause {
        let span = &self.spans[i];
        let prev_end = i.checked_sub(1).map_or(0, |j| self.spans[j].after());
        let mut from = span.open.saturating_sub(CLAUSE_CHARS).max(prev_end);
        let para = match self.chars[from..span.open].iter().rposition(|&c| c == '\n') {
            Some(nl) => {
                from += nl + 1;
                true
            }
            None => from == 0,
        };
        let start = self.sentence_start(from, span.open);
        let ws = self.table.words(start, span.open);
        if ws.is_empty() && para && start == from {
            // A block quote introduced by the paragraph before (`As Kern notes:`).
            return self.introduced_by_colon(from, prev_end, self.whole_paragraph(i));
        }
        if ws.is_empty() && start > from {
            // A quote that opens a sentence right after one that says who speaks
            // (`Kern said she would stay. "We ..."`), in the same paragraph.
            return self.previous_sentence(from, start, true);
        }
        if let Some(a) = ws
            .windows(2)
            .position(|p| p[0].lower == "according" && p[1].lower == "to")
        {
            // `According to Politico, Kern and Bell were "blindsided"`: the source is the
            // phrase up to its comma, not the subject of the clause after it; but a clause with
            // a speech verb of its own (`According to a recording, Kern added that "…"`) names
            // the speaker, the source only vouching for the words.
            let source = self.source_phrase(&ws[a + 2..]);
            if self.last_verb(&ws[a + 2 + source.len()..]).is_none() {
                return self.subject_after(source, source.last().map_or(span.open, |w| w.end));
            }
        }
        if let Some((n, c)) = self.possessor_claim(&ws)
            && self.last_verb(&ws).is_none_or(|v| v <= n)
        {
            return c;
        }
        let Some(v) = self.last_verb(&ws) else {
            // `Kern had a similar view: "..."`: a colon right before the quote introduces it
            // in the voice of the sentence's subject, speech verb or not.
            return if self.colon_before(span.open) {
                self.sentence_subject(start, span.open)
            } else {
                Clause::Nothing
            };
        };
        if ws[..v].iter().all(|w| is_filler(&w.lower)) {
            // `"...," said X, "..."`: the second half of a quote split by its attribution.
            if is_inversion_verb(&ws[v].lower) {
                return self.subject_after(&ws[v + 1..], span.open);
            }
            // `Crowley, whose debate Limbaugh described as "...," later told the AP "..."`:
            // the sentence goes on past an embedded quote to its own subject's verb.
            if i > 0 && start == prev_end && self.runs_on_from(i - 1) {
                let head = self.sentence_start_outside_quotes(
                    span.open.saturating_sub(2 * CLAUSE_CHARS),
                    ws[v].start,
                );
                return match self.sentence_subject(head, ws[v].start) {
                    c @ Clause::Speaker(_) => c,
                    _ => Clause::Nothing,
                };
            }
            return Clause::Nothing;
        }
        if self.borrows_subject(&ws, v) {
            let head = self.sentence_start_outside_quotes(
                span.open.saturating_sub(2 * CLAUSE_CHARS),
                ws[v].start,
            );
            if let c @ Clause::Speaker(_) = self.sentence_subject(head, ws[v].start) {
                return c;
            }
        }
        match self.subject_before(&ws[..v], ws[v].start) {
            Clause::Anonymous => self.reporting_frame(&ws, v),
            c => c,
        }
    }

    /// `The report said manufacturers expressed "..."`: when the verb next to a quote has no
    /// entity for its subject, an earlier `said` or `reported` of the same clause whose subject
    /// is one reports those words, and that subject is the quote's source. (Verbs of suggesting
    /// or claiming frame a topic, not a source: `Footage suggests that Kern's claim ...`.)
    fn reporting_frame(&self, ws: &[Word], v: usize) -> Clause {
        let frame = (0..v).rev().find(|&k| {
            self.verb(ws, k)
                && matches!(
                    ws[k].lower.as_str(),
                    "said" | "says" | "reported" | "reports"
                )
                && !ws[..k].iter().all(|w| is_filler(&w.lower))
        });
        match frame.map(|k| self.subject_before(&ws[..k], ws[k].start)) {
            Some(c @ Clause::Speaker(_)) => c,
            _ => Clause::Anonymous,
        }
    }

    /// Does the sentence of span `j` go on after it (the quote does not end with its own full
    /// stop, question or exclamation mark)?
    fn runs_on_from(&self, j: usize) -> bool {
        !matches!(self.last_quoted(&self.spans[j]), Some('.' | '?' | '!'))
    }

    /// Is the last thing before `open` (blanks aside) a colon?
    fn colon_before(&self, open: usize) -> bool {
        self.chars[..open].iter().rev().find(|c| !c.is_whitespace()) == Some(&':')
    }

    /// Does the speech verb at word `v` have no subject of its own, so that it shares the
    /// sentence's? A verb after a conjunction alone (`Kern called it a "..." and said Friday
    /// "..."`, `... before accusing her of "..."`) or a participle after a comma (`Marrow
    /// refused the offer, calling it "..."`): the one speaking is the main clause's subject,
    /// not the nearest name (often an object).
    fn borrows_subject(&self, ws: &[Word], v: usize) -> bool {
        let rest = &ws[..v];
        let connective = |w: &Word| is_filler(&w.lower) || is_connective(&w.lower);
        if !rest.is_empty() && rest.iter().all(connective) {
            return true;
        }
        // `Tobias tried to attend a rally for Mary Burke and claimed ...`: a verb right after
        // "and"/"but" goes on with the clause before, whose subject is the sentence's.
        if rest
            .last()
            .is_some_and(|w| matches!(w.lower.as_str(), "and" | "but"))
        {
            return true;
        }
        let participle = ws[v].lower.ends_with("ing");
        let after_comma = self.chars[..ws[v].start]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            == Some(&',');
        participle && (after_comma || rest.last().is_some_and(|w| is_connective(&w.lower)))
    }

    /// The subject of the sentence starting at `start`, read from its head (to `to`): after an
    /// opening conjunction and an introductory phrase between commas that names no one
    /// (`Last week, ...`), a pronoun, a name among its first words, or "the" + a role.
    fn sentence_subject(&self, start: usize, to: usize) -> Clause {
        let mut ws = self.unquoted_words(start, to);
        while ws
            .first()
            .is_some_and(|w| is_contrast(&w.lower) || is_connective(&w.lower))
        {
            ws.remove(0);
        }
        let skip = self.intro_len(&ws, true);
        ws.drain(..skip);
        let Some(first) = ws.first() else {
            return Clause::Nothing;
        };
        if let Some(p) = pronoun_kind(&first.lower) {
            return self.pronoun(p, first.start, None);
        }
        let end = head_end(&ws, to);
        if let Some(m) = self.subject_mention(first.start, end, false) {
            return Clause::Speaker(named(m));
        }
        self.role(&ws[..ws.len().min(3)], first.start)
            .unwrap_or(Clause::Nothing)
    }

    /// How many words at the head of `ws` form an introductory phrase to pass over before the
    /// subject. One opening on a preposition or on a participle and its preposition (`In the
    /// footage, ...`, `Filed with the BBC, ...`) names objects, never the subject, however many
    /// names it holds, and a relative clause between commas right after it (`which is Kern's own
    /// report for the BBC,`) describes its object; another phrase counts only when it is short
    /// and names no one (`Last week, ...`), and only when `short` allows it. A comma right after
    /// a person's name ends no introductory phrase: `On tape Mr Kern, who ...` opens on its
    /// subject.
    fn intro_len(&self, ws: &[Word], short: bool) -> usize {
        // `Also asked about the report, Kern said`: an adverb may open the phrase.
        let lead = ws.iter().take_while(|w| is_filler(&w.lower)).count();
        let head = &ws[lead.min(ws.len())..];
        let prepositional = head.first().is_some_and(|w| is_preposition(&w.lower))
            || (head.len() > 1
                && (head[0].lower.ends_with("ed") || head[0].lower.ends_with("ing"))
                && is_preposition(&head[1].lower));
        let reach = if prepositional { INTRO_WORDS } else { 5 };
        let comma = |w: &Word| self.chars.get(w.end) == Some(&',');
        let Some(c) = ws.iter().take(reach).position(comma) else {
            return 0;
        };
        let names = self
            .mentions
            .iter()
            .any(|m| m.start >= ws[0].start && m.end <= ws[c].end);
        let person_before_comma = self
            .mentions
            .iter()
            .any(|m| m.kind == EntityKind::Person && m.end == ws[c].end);
        if c + 1 >= ws.len() || person_before_comma || (!prepositional && (names || !short)) {
            return 0;
        }
        let rest = &ws[c + 1..];
        let relative = rest
            .first()
            .is_some_and(|w| matches!(w.lower.as_str(), "which" | "who" | "whose" | "where"));
        match rest
            .iter()
            .position(comma)
            .filter(|_| relative && prepositional)
        {
            Some(r) if c + 1 + r + 1 < ws.len() => c + 1 + r + 1,
            _ => c + 1,
        }
    }

    /// A quote opening the paragraph at `para` whose previous paragraph ends with a colon: the
    /// speaker of that paragraph's last sentence (`As Kern notes:`, `Kern wrote on Friday:`),
    /// when no quote of its own stands in it.
    ///
    /// A quote that is a paragraph of its own (`whole`) after a paragraph ending on a sentence
    /// that says who speaks (`But ultimately, he said, he has learned from his missteps.`) goes
    /// on in that speaker's voice.
    fn introduced_by_colon(&self, para: usize, floor: usize, whole: bool) -> Clause {
        let Some(colon) = self.chars[floor..para]
            .iter()
            .rposition(|c| !c.is_whitespace())
            .map(|k| floor + k)
        else {
            return Clause::Nothing;
        };
        let line = self.chars[floor..colon]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(floor, |k| floor + k + 1);
        if self.chars[colon] != ':' {
            return if whole && self.ends_sentence(colon) {
                self.previous_sentence(line, colon + 1, false)
            } else {
                Clause::Nothing
            };
        }
        let start = self.sentence_start(line, colon);
        if self.spans.iter().any(|s| s.open >= start && s.open < colon) {
            return Clause::Nothing;
        }
        let ws = self.table.words(start, colon);
        let Some(v) = (0..ws.len()).rev().find(|&k| self.verb(&ws, k)) else {
            // `Alexander closed out the segment with this:`: as in one paragraph, a colon
            // introduces the next paragraph's quote in the voice of its sentence's subject.
            return self.person_subject(start, colon);
        };
        if ws[..v]
            .iter()
            .all(|w| is_filler(&w.lower) || w.lower == "as")
        {
            return self.subject_after(&ws[v + 1..], colon);
        }
        let subject: Vec<Word> = ws[..v]
            .iter()
            .filter(|w| w.lower != "as")
            .cloned()
            .collect();
        self.subject_before(&subject, ws[v].start)
    }

    /// The speaker of the sentence `[from, to)` ends, when it is `X said ...` with no quote of
    /// its own.
    ///
    /// With `beat` (the quote in the same paragraph), a sentence with no speech verb gives its
    /// person subject: across a paragraph break, a quote paragraph after a sentence about what
    /// someone did is as often a headline or a slogan as that person's words.
    fn previous_sentence(&self, from: usize, to: usize, beat: bool) -> Clause {
        let start = self.sentence_start(from, to.saturating_sub(1));
        if self.spans.iter().any(|s| s.open >= start && s.open < to) {
            return Clause::Nothing;
        }
        let ws = self.table.words(start, to);
        // `Castillo worries that fundamentalism will win.` then a quote paragraph: a thought
        // reported with "that" introduces its thinker's words as a speech verb does.
        let thought = |k: usize| {
            !beat
                && is_verb_of_thought(&ws[k].lower)
                && ws.get(k + 1).is_some_and(|w| w.lower == "that")
        };
        let Some(v) = (0..ws.len()).find(|&k| self.verb(&ws, k) || thought(k)) else {
            // The action beat: `McCain rolled her eyes. "That's so rude."` — a bare quote right
            // after a sentence about what a person did is that person's.
            if beat {
                return self.person_subject(start, to);
            }
            // `As the hearing went on Kern began to lay out his argument.` then a quote
            // paragraph: a sentence whose subject takes up words of its own (an argument, a
            // statement, a point) introduces them as a speech verb does.
            return if (1..ws.len()).any(|k| introduces_words(&ws, k)) {
                match self.sentence_subject(start, to) {
                    Clause::Speaker(s) => Clause::Speaker(Speaker {
                        via: Attribution::Continued,
                        ..s
                    }),
                    _ => Clause::Nothing,
                }
            } else {
                Clause::Nothing
            };
        };
        match self.subject_before(&ws[..v], ws[v].start) {
            Clause::Speaker(s) => Clause::Speaker(Speaker {
                via: Attribution::Continued,
                ..s
            }),
            _ => Clause::Nothing,
        }
    }

    /// The sentence's subject `[start, to)` when it is a person (named, or a pronoun standing
    /// for one), as the voice a quote right after it goes on in.
    fn person_subject(&self, start: usize, to: usize) -> Clause {
        match self.sentence_subject(start, to) {
            Clause::Speaker(s) if s.kind == EntityKind::Person => Clause::Speaker(Speaker {
                via: Attribution::Continued,
                ..s
            }),
            _ => Clause::Nothing,
        }
    }

    /// The subject in the words before a speech verb at `verb`.
    fn subject_before(&self, ws: &[Word], verb: usize) -> Clause {
        // `... the United States should not negotiate, although 53 percent said`: a subject
        // stands after the conjunction that opens its clause, unless that clause is an aside
        // between commas before the verb.
        let aside = self.chars[..verb].iter().rev().find(|c| !c.is_whitespace()) == Some(&',');
        let ws = match ws.iter().rposition(|w| is_contrast(&w.lower)) {
            Some(b) if b + 1 < ws.len() && !aside => &ws[b + 1..],
            _ => ws,
        };
        let ws = &ws[self.intro_len(ws, false)..];
        let Some(first) = ws.first() else {
            return Clause::Nothing;
        };
        let last = &ws[ws.len() - 1];
        if matches!(last.lower.as_str(), "who" | "which") {
            // `prosecutors who argued`: the subject is what the relative pronoun follows.
            return match self
                .mentions
                .iter()
                .find(|m| self.right_before(m, last.start) && m.kind != EntityKind::Place)
            {
                Some(m) => Clause::Speaker(named(m)),
                None => Clause::Anonymous,
            };
        }
        // The word right before the verb is its subject when it is a pronoun: `Natalie, who he
        // says` is said by "he", not by Natalie; `they said` names no one.
        if let Some(k) = ws.iter().rposition(|w| !is_filler(&w.lower)) {
            if ws[k].lower == "they" {
                return Clause::Anonymous;
            }
            if let Some(p) = pronoun_kind(&ws[k].lower) {
                return self.pronoun(p, verb, self.relative_head(ws, k));
            }
        }
        if let Some(m) = self.subject_mention(first.start, verb, true) {
            return Clause::Speaker(named(m));
        }
        if let Some(m) = self.surname(last, verb) {
            return Clause::Speaker(named(m));
        }
        let near = &ws[ws.len().saturating_sub(3)..];
        if let Some(p) = near.iter().rev().find_map(|w| pronoun_kind(&w.lower)) {
            return self.pronoun(p, verb, None);
        }
        // `A former senior official at the Harbour Department said`: no body speaks through
        // someone who has left it, whatever its noun.
        if ws.iter().any(|w| is_former(&w.lower)) && ws.iter().any(|w| is_spokes_word(&w.lower)) {
            return Clause::Anonymous;
        }
        let tail = &ws[ws.len().saturating_sub(5)..];
        if let Some(c) = self.document(tail, tail.len().saturating_sub(2), verb) {
            return c;
        }
        if let Some(c) = self.role(tail, verb) {
            return c;
        }
        Clause::Anonymous
    }

    /// `the report said`, `its statement said`, `the minutes said`: a document speaks for whoever
    /// issued it. A name in the noun phrase is found as a subject before this is asked; here
    /// "its"/"his"/"her" stand for the organisation or person they point to, and "the" + noun
    /// for the latest entity written next to that word (`Fed minutes released ...`, `the
    /// institute reported ...`). A document noun among the words from `from` on is the head
    /// only when no other noun follows it. An indefinite one (`a report said`) names no one.
    fn document(&self, ws: &[Word], from: usize, at: usize) -> Option<Clause> {
        // A document after a preposition qualifies another (`a statement on its website`): the
        // head is the one before it.
        let r = (from.min(ws.len())..ws.len()).rev().find(|&k| {
            is_document_noun(&ws[k].lower)
                && !ws[k.saturating_sub(2)..k]
                    .iter()
                    .any(|w| is_preposition(&w.lower))
        })?;
        // `The university released a statement saying`: the document's issuer is the subject
        // of the verb that issued it.
        if let Some(k) = (r.saturating_sub(3)..r).find(|&k| is_issuing_verb(&ws[k].lower))
            && k > 0
        {
            return Some(self.subject_before(&ws[..k], ws[k].start));
        }
        let det = ws[..r]
            .iter()
            .rev()
            .take(3)
            .find(|w| is_determiner(&w.lower) || matches!(w.lower.as_str(), "this" | "that"));
        let found = match det.map(|d| d.lower.as_str()) {
            Some("its") => self.latest_before(at, |m| m.kind == EntityKind::Org),
            Some("his") => self.latest_subject_person(at, Gender::Male, None),
            Some("her") => self.latest_subject_person(at, Gender::Female, None),
            Some("the" | "this" | "that") => {
                let noun = stem(&ws[r].lower);
                let issuer = self.latest_before(ws[r].start, |m| {
                    m.kind != EntityKind::Place && self.issued(m, &noun)
                });
                if issuer.is_none()
                    && let Some(s) = self.earlier_issuer(&noun, ws[r].start)
                {
                    return Some(Clause::Speaker(Speaker {
                        via: Attribution::Role,
                        ..s
                    }));
                }
                issuer
            }
            _ => None,
        };
        Some(match found {
            Some(m) => Clause::Speaker(Speaker {
                via: Attribution::Role,
                ..named(m)
            }),
            None => Clause::Anonymous,
        })
    }

    /// `the club said in its statement. ... "…," the statement said`: a definite document that
    /// names no issuer of its own is the one an earlier sentence introduced as the vehicle of
    /// someone's words (`said in a statement`, `In a letter, X and Y wrote`), and speaks for
    /// whoever that sentence attributes: the speaker of a quote in it, else its named subject.
    /// A document only mentioned earlier (`a report showed`) introduces no issuer.
    fn earlier_issuer(&self, noun: &str, at: usize) -> Option<Speaker> {
        let floor = at.saturating_sub(REFERENCE_CHARS);
        let here = self.sentence_start(floor, at);
        let ws = self.table.words(floor, here);
        let inside = |k: usize| self.spans.iter().any(|s| s.open < k && k < s.after());
        // The words just before the document's name, within its own sentence: a verb in the
        // sentence before (`… released it. Statement copies …`) introduced something else.
        let lead = |k: usize| {
            let from = self.sentence_start(floor, ws[k].start);
            ws[k.saturating_sub(3)..k]
                .iter()
                .filter(move |w| w.start >= from)
        };
        let k = (0..ws.len()).rev().find(|&k| {
            ws[k].lower.starts_with(noun)
                && !inside(ws[k].start)
                && lead(k).any(|w| w.lower == "in" || is_issuing_verb(&w.lower))
        })?;
        let from = self.sentence_start(floor, ws[k].start);
        let to = self.sentence_end(ws[k].end, here);
        // `The ACLU published a report showing …`: the subject of the verb that issued the
        // document is its issuer.
        if let Some(v) = lead(k).find(|w| is_issuing_verb(&w.lower)) {
            return self
                .subject_mention(from, v.start, true)
                .filter(|m| matches!(m.kind, EntityKind::Person | EntityKind::Org))
                .map(named);
        }
        // A quote that runs on past the sentence asking is the one being attributed (or holds
        // it): its speaker is what is sought, so the sentence's subject answers instead.
        let quoted = (0..self.spans.len())
            .rev()
            .find(|&j| self.spans[j].open < to && self.spans[j].after() > from)
            .filter(|&j| self.spans[j].after() <= here);
        let depth = self.tracing.get();
        if depth >= ISSUER_CHAIN {
            return None;
        }
        self.tracing.set(depth + 1);
        let traced = quoted.map(|j| self.attribute(j));
        self.tracing.set(depth);
        if let Some(Found::Speaker(s)) = traced {
            return Some(s);
        }
        self.speaker_of_sentence(from, to).map(named)
    }

    /// The subject in the words after an inverted speech verb (`said X`, `according to X`).
    fn subject_after(&self, ws: &[Word], to: usize) -> Clause {
        let Some(first) = ws.first() else {
            return Clause::Nothing;
        };
        if let Some(p) = pronoun_kind(&first.lower) {
            return self.pronoun(p, first.start, None);
        }
        // The subject comes first: a mention within its first words, or "the" + role.
        let head_end = self.head_through_name(ws, first.start, head_end(ws, to), to);
        if let Some(m) = self.subject_mention(first.start, head_end, false) {
            return Clause::Speaker(named(m));
        }
        if let Some(m) = self.surname(first, first.start) {
            return Clause::Speaker(named(m));
        }
        let head = &ws[..ws.len().min(4)];
        if let Some(c) = self.document(head, 0, first.start) {
            return c;
        }
        if let Some(c) = self.role(head, first.start) {
            return c;
        }
        Clause::Anonymous
    }

    /// The subject among the mentions in `[from, to)`. Left out: objects of a preposition
    /// (except the organisation a spokesman speaks for), possessives ("Palin's time") and
    /// organisations that only qualify a role ("the Federal Reserve chairman"). A person is
    /// preferred to an organisation (an affiliation: "Oxfam's Barbara Stocking"); before a verb
    /// the nearest one to it, after an inverted verb the first.
    fn subject_mention(&self, from: usize, to: usize, before_verb: bool) -> Option<&'a Mention> {
        if from >= to {
            // An empty stretch names no one (and a reversed one is a caller's slip, not a
            // reason to stop reading the article).
            return None;
        }
        let ws = self.table.words(from, to);
        let candidates: Vec<&'a Mention> = self
            .mentions
            .iter()
            .filter(|m| m.start >= from && m.end <= to)
            .filter(|m| self.can_be_subject(m, &ws))
            .copied()
            .collect();
        let last_before_verb = self.chars[from..to]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .copied();
        let comma_before_verb = last_before_verb == Some(',');
        let dash_before_verb = last_before_verb.filter(|c| matches!(c, '—' | '–'));
        let pick = |kind: EntityKind| {
            let of_kind: Vec<&'a Mention> = candidates
                .iter()
                .filter(|m| m.kind == kind)
                .copied()
                .collect();
            let first = of_kind.first().copied();
            // `Lavrov, in a call with Pompeo, said`: the subject is before the aside, between
            // commas or dashes (`Bratton — who came back under de Blasio — labels that`).
            let opens_aside = |m: &Mention| {
                self.chars[m.end.min(to)..to]
                    .iter()
                    .find(|c| !c.is_whitespace())
                    .copied()
            };
            let aside = first.is_some_and(|m| match opens_aside(m) {
                Some(',') => comma_before_verb,
                Some(d @ ('—' | '–')) => dash_before_verb == Some(d),
                _ => false,
            });
            if before_verb && !aside {
                of_kind.last().map(|&m| self.first_of_pair(&of_kind, m))
            } else {
                first
            }
        };
        pick(EntityKind::Person)
            .or_else(|| pick(EntityKind::Org))
            .or_else(|| pick(EntityKind::Place))
    }

    /// `Martin and Peters write`: joint authors speak as one, and the annotation (like a
    /// citation) names the first of them, so a subject joined to the one before it by "and"
    /// alone gives way to that one.
    fn first_of_pair(&self, of_kind: &[&'a Mention], m: &'a Mention) -> &'a Mention {
        let mut cur = m;
        while let Some(prev) = of_kind.iter().rev().find(|p| p.end <= cur.start) {
            // `Gowdy and Chairman of the House Judiciary Committee Bob Goodlatte`: the second
            // name may carry its title.
            let between: String = self.chars[prev.end..cur.start].iter().collect();
            let mut rest = between.split_whitespace();
            if rest.next() != Some("and")
                || !rest
                    .all(|w| w.starts_with(char::is_uppercase) || matches!(w, "of" | "the" | "for"))
            {
                break;
            }
            cur = prev;
        }
        cur
    }

    /// A capitalised word the tagger left untagged that is the last name of a person named
    /// before ("said King" after "Rep. Peter King").
    ///
    /// Likewise an organisation the text goes on calling by the first word of its name
    /// (`"…," Justice said` after `the Justice Department`).
    fn surname(&self, w: &Word, at: usize) -> Option<&'a Mention> {
        if !self.capital(w) || w.end - w.start < 2 {
            return None;
        }
        let word: String = self.chars[w.start..w.end].iter().collect();
        let short_org = |m: &Mention| {
            m.kind == EntityKind::Org
                && m.canonical.split_whitespace().count() > 1
                && m.canonical.split_whitespace().next() == Some(word.as_str())
        };
        if self
            .all
            .iter()
            .any(|m| m.start <= w.start && w.end <= m.end)
        {
            return None;
        }
        self.mentions
            .iter()
            .rev()
            .filter(|m| m.end <= at)
            .find(|m| {
                (m.kind == EntityKind::Person
                    && m.canonical.split_whitespace().count() > 1
                    && m.canonical.ends_with(&word)
                    && m.canonical[..m.canonical.len() - word.len()].ends_with(' '))
                    || short_org(m)
            })
            .copied()
    }

    fn can_be_subject(&self, m: &Mention, ws: &[Word]) -> bool {
        let before = words_before(m, ws);
        if let Some(p) = before.first().filter(|p| is_preposition(&p.lower)) {
            // A spokesman speaks for the body after any preposition (`a spokesman for`, `analysts
            // at`); a document only for its author (`a report by Oxfam`), never for the body it
            // was filed with or sent to (`a complaint with the FEC`, `a letter to Kern`).
            // `the letter signed by X`: a participle may stand between the document and `by`.
            let authored = |k: usize| {
                before.get(k).is_some_and(|s| is_document_noun(&s.lower))
                    && matches!(p.lower.as_str(), "by" | "from")
            };
            let participle = before.get(1).is_some_and(|s| is_issuing_verb(&s.lower));
            // `a former senior official at the Energy Department said`: who has left a body
            // no longer speaks for it.
            let former = before.iter().skip(2).take(3).any(|w| is_former(&w.lower));
            return before
                .get(1)
                .is_some_and(|s| is_spokes_word(&s.lower) && !former)
                || authored(1)
                || (participle && authored(2));
        }
        // `a former Kern aide said`: someone who works for a person is not that person.
        if m.kind == EntityKind::Person
            && ws
                .iter()
                .find(|w| w.start >= m.end)
                .is_some_and(|w| w.start <= m.end + 1 && is_follower(&w.lower))
        {
            return false;
        }
        if self.qualifies_next_name(m, ws) || self.example_in_aside(m, ws) {
            return false;
        }
        // `the Vermont socialist asked`: a place between a determiner and a noun describes
        // the noun, which is the subject.
        if m.kind == EntityKind::Place && self.modifies_noun(m, ws) {
            return false;
        }
        let possessive = self.possessive(m);
        let next = ws.iter().find(|w| w.start >= m.end);
        // A role after a comma is an apposition (`Lord Bach, Minister for ...`), not a
        // qualifier (`a U.S. health official`).
        let qualifies_role = m.kind != EntityKind::Person
            && self.chars.get(m.end) != Some(&',')
            && ws.iter().filter(|w| w.start >= m.end).take(2).any(|w| {
                // An organisation speaks through its spokesman or officials; a place does
                // not (`a U.S. health official` is no statement of the United States).
                if m.kind == EntityKind::Place {
                    is_person_role(&w.lower) || is_spokes_word(&w.lower)
                } else {
                    is_person_role(&w.lower) && !is_spokes_word(&w.lower)
                }
            });
        if possessive {
            return next.is_some_and(|w| is_spokes_word(&w.lower));
        }
        // `a former TSA official said`: likewise.
        if m.kind != EntityKind::Person && before.first().is_some_and(|w| is_former(&w.lower)) {
            return false;
        }
        !qualifies_role
    }

    /// `says former Kern press secretary Ada Bell`: a person named before a role (or an aide's
    /// word) that another person's name follows qualifies that name; the second is the subject.
    fn qualifies_next_name(&self, m: &Mention, ws: &[Word]) -> bool {
        self.qualified_name(m, ws).is_some()
    }

    /// The person whose title `m` qualifies: `former Kern press secretary Ada Bell`, and an
    /// employer before a job title (`Northwind Capital senior market strategist Ada Bell`,
    /// `Halden Institute immigration policy analyst Ada Bell`), where the title is a run of
    /// lower-case words ending in a role or an agent noun, and the name follows at once.
    fn qualified_name(&self, m: &Mention, ws: &[Word]) -> Option<&'a Mention> {
        if self.chars.get(m.end) == Some(&',') {
            return None;
        }
        let after: Vec<&Word> = ws.iter().filter(|w| w.start >= m.end).take(4).collect();
        let title_word = |w: &str| {
            is_person_role(w)
                || is_follower(w)
                || (m.kind != EntityKind::Person && is_agent_noun(w))
        };
        let last = (0..after.len()).find(|&k| title_word(&after[k].lower))?;
        // A function word means the words are a clause or a list, not a title (`said Kern
        // and Bell`, `Kern told reporters Bell …`).
        let plain_title = after[..=last]
            .iter()
            .all(|w| !self.capital(w) && !is_function_word(&w.lower));
        let gap_plain = self.chars[m.end..after[last].end]
            .iter()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '-');
        if !(plain_title && gap_plain) {
            return None;
        }
        self.mentions
            .iter()
            .find(|o| {
                o.kind == EntityKind::Person
                    && o.start > after[last].end
                    && o.start <= after[last].end + 1
            })
            .copied()
    }

    /// The head window after an inverted verb, widened so that it never cuts a name in two
    /// and takes in the name an employer and title qualify (`said Northwind Capital senior
    /// market strategist Ada Bell` is seven words before the name ends).
    fn head_through_name(&self, ws: &[Word], from: usize, end: usize, to: usize) -> usize {
        self.mentions
            .iter()
            .filter(|m| m.start >= from && m.start < end)
            .map(|m| {
                let reach = self
                    .qualified_name(m, ws)
                    .map_or(m.end, |o| o.end.max(m.end));
                reach.min(to)
            })
            .fold(end, usize::max)
    }

    /// `Kern and other officials, such as Commissioner Ada Bell, said`: a name given as an
    /// example (after `such as` or `including` in its clause) is not the subject when the
    /// clause names someone before it; alone (`some, such as the group Peta, say`) it is.
    fn example_in_aside(&self, m: &Mention, ws: &[Word]) -> bool {
        let comma = self.chars[..m.start]
            .iter()
            .rposition(|c| matches!(c, ',' | '(' | '—' | '-' | '\n'))
            .unwrap_or(0);
        let between: Vec<&Word> = ws
            .iter()
            .filter(|w| w.start >= comma && w.end <= m.start)
            .collect();
        let example = between.iter().any(|w| w.lower == "including")
            || between
                .windows(2)
                .any(|p| p[0].lower == "such" && p[1].lower == "as");
        let from = ws.first().map_or(comma, |w| w.start);
        example
            && self.mentions.iter().any(|o| {
                matches!(o.kind, EntityKind::Person | EntityKind::Org)
                    && o.start >= from
                    && o.end <= comma
            })
    }

    /// Does this place stand between a determiner and a lower-case noun (`the Vermont
    /// socialist`, `a Texas senator`)? A verb, an adverb or a preposition after it leaves it the
    /// subject (`the United States said`, `China on Monday said`).
    fn modifies_noun(&self, m: &Mention, ws: &[Word]) -> bool {
        let prev = ws.iter().rev().find(|w| w.end <= m.start);
        let next = ws.iter().find(|w| w.start >= m.end);
        let (Some(prev), Some(next)) = (prev, next) else {
            return false;
        };
        // `a White House fact sheet said`: a document speaks for whoever issued it.
        let document = ws
            .iter()
            .filter(|w| w.start >= m.end)
            .take(3)
            .any(|w| is_document_noun(&w.lower));
        is_determiner(&prev.lower)
            && !document
            && !self.capital(next)
            && next.start <= m.end + 1
            && next.lower.chars().all(|c| c.is_alphabetic())
            && !is_speech_verb(&next.lower)
            && !is_preposition(&next.lower)
            && !is_filler(&next.lower)
            && !is_auxiliary(&next.lower)
    }

    /// The name a relative clause opened by `who`/`whom`/`that` right before the pronoun at word
    /// `k` hangs on: "he" in `Natalie, who he says` is not Natalie.
    fn relative_head(&self, ws: &[Word], k: usize) -> Option<&'a str> {
        let rel = ws.get(k.checked_sub(1)?)?;
        if !matches!(rel.lower.as_str(), "who" | "whom" | "that") {
            return None;
        }
        self.mentions
            .iter()
            .find(|m| self.right_before(m, rel.start))
            .map(|m| m.canonical.as_str())
    }

    /// Does mention `m` stand right before `at`: nothing between but blanks and a comma, or a
    /// bracket after the name (`Rep. Dutch Ruppersberger (D-Md.), who`, the party and state US
    /// news writes after a legislator's name)?
    fn right_before(&self, m: &Mention, at: usize) -> bool {
        if m.end > at {
            return false;
        }
        let gap = &self.chars[m.end..at];
        let plain = |c: &char| c.is_whitespace() || *c == ',';
        if gap.len() <= 2 {
            return true;
        }
        let Some(close) = gap.iter().rposition(|&c| c == ')') else {
            return false;
        };
        let open = gap.iter().position(|&c| c == '(');
        open.is_some_and(|o| {
            o < close
                && gap[..o].iter().all(plain)
                && gap[close + 1..].iter().all(plain)
                && close - o <= BRACKET_CHARS
                && !gap[o + 1..close].contains(&'(')
        })
    }

    fn pronoun(&self, p: PronounKind, at: usize, exclude: Option<&str>) -> Clause {
        let gender = match p {
            PronounKind::He => Some(Gender::Male),
            PronounKind::She => Some(Gender::Female),
            PronounKind::It => None,
        };
        if let Some(c) = gender.and_then(|g| self.unnamed_speaker(at, g, exclude)) {
            return c;
        }
        let found = match p {
            PronounKind::He => self.latest_subject_person(at, Gender::Male, exclude),
            PronounKind::She => self.latest_subject_person(at, Gender::Female, exclude),
            PronounKind::It => self.latest_before(at, |m| m.kind == EntityKind::Org),
        };
        match found {
            Some(m) => Clause::Speaker(Speaker {
                via: Attribution::Pronoun,
                ..named(m)
            }),
            None => Clause::Anonymous,
        }
    }

    /// "he"/"she" after a sentence whose speaker is not named but described (`A spokeswoman for
    /// Oxford University said ...`, `the president says ...`, `one resident said ...`), later
    /// than any person the pronoun may stand for: the pronoun is that speaker, so it goes to what
    /// the description resolves to (the organisation spoken for, the person with that role) or
    /// to no one, never to a person named before it.
    fn unnamed_speaker(&self, at: usize, gender: Gender, exclude: Option<&str>) -> Option<Clause> {
        let fits = |m: &Mention| {
            m.kind == EntityKind::Person
                && exclude != Some(m.canonical.as_str())
                && self.genders.get(&m.canonical).is_none_or(|g| *g == gender)
        };
        let floor = self
            .latest_before(at, fits)
            .map_or(at.saturating_sub(REFERENCE_CHARS), |m| m.end);
        let own = self.sentence_start_outside_quotes(floor, at);
        let mut end = own;
        while end > floor {
            let start = self.sentence_start(floor, end.saturating_sub(1));
            if start <= floor {
                // The rest of the sentence naming the person: its speaker is that person's.
                break;
            }
            if let Some(c) = self.described_speaker(start, end, &fits) {
                return Some(c);
            }
            end = start.saturating_sub(1).max(floor);
        }
        None
    }

    /// Where the sentence holding `at` starts, not counting sentence ends inside quotes except a
    /// quote's own last full stop when a capital follows its closing mark (`… the crowd.” He
    /// notes`): that one ends the sentence the quote stands in too.
    fn sentence_start_outside_quotes(&self, floor: usize, at: usize) -> usize {
        (floor..at)
            .rev()
            .find(|&i| {
                if self.chars[i] == '\n' {
                    return !self.spans.iter().any(|s| i >= s.start && i < s.after());
                }
                if !self.ends_sentence(i) {
                    return false;
                }
                match self.spans.iter().find(|s| i >= s.start && i < s.after()) {
                    None => true,
                    Some(s) => self.ends_quote_and_sentence(s, i),
                }
            })
            .map_or(floor, |i| i + 1)
    }

    /// Is `i` the last full stop of quote `s`, with a capital opening the next word after it?
    fn ends_quote_and_sentence(&self, s: &Span, i: usize) -> bool {
        let last = (s.start..s.end)
            .rev()
            .find(|&k| !self.chars[k].is_whitespace());
        last == Some(i)
            && self.chars[s.after().min(self.chars.len())..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| c.is_uppercase())
    }

    /// The speaker of the sentence `[from, to)` when it speaks through a description rather than
    /// a name or a pronoun: `Some(speaker)` for an organisation's spokesman or a role noun that
    /// resolves (to a person `fits` allows), `Some(Anonymous)` for a singular description that
    /// does not (`one resident said`), `None` when the sentence has no speech verb or names its
    /// speaker otherwise.
    fn described_speaker(
        &self,
        from: usize,
        to: usize,
        fits: &dyn Fn(&Mention) -> bool,
    ) -> Option<Clause> {
        let ws = self.unquoted_words(from, to);
        let v = self.last_verb(&ws)?;
        // `A judge ordered his release`: a verb that takes an object here reports no words, so
        // the judge is no speaker a later "he" stands for.
        if ws.get(v + 1).is_some_and(|n| is_determiner(&n.lower))
            && !matches!(
                ws[v].lower.as_str(),
                "said" | "says" | "told" | "tells" | "asked" | "asks" | "wrote" | "writes"
            )
        {
            return None;
        }
        let inverted = ws[..v].iter().all(|w| is_filler(&w.lower));
        let subject: &[Word] = if inverted {
            let rest = &ws[v + 1..];
            &rest[..rest.len().min(HEAD_WORDS)]
        } else {
            &ws[..v]
        };
        let near = &subject[subject.len().saturating_sub(5)..];
        // The description's noun is a person's (`the veteran game maker` is no company).
        // A word of a name is no description (`a spokeswoman for Oxford University`).
        let named = |w: &Word| {
            self.mentions
                .iter()
                .any(|m| m.start <= w.start && w.end <= m.end)
        };
        let noun = near.iter().rposition(|w| {
            !named(w)
                && (is_person_role(&w.lower)
                    || is_org_role(&w.lower)
                    || is_spokes_word(&w.lower)
                    || is_person_noun(&w.lower))
        });
        let described = noun.is_some_and(|r| {
            let w = &near[r].lower;
            !is_org_role(w) && !is_plural_role(w)
        });
        let offset = subject.len() - near.len();
        let definite = noun.is_some_and(|r| {
            subject[..offset + r]
                .iter()
                .any(|w| !matches!(w.lower.as_str(), "a" | "an" | "one") && is_determiner(&w.lower))
        });
        let (lo, hi) = (subject.first()?.start, subject.last()?.end);
        let named_person = self
            .mentions
            .iter()
            .any(|m| m.kind == EntityKind::Person && m.start >= lo && m.end <= hi);
        if !described
            || named_person
            || subject
                .iter()
                .any(|w| pronoun_kind(&w.lower).is_some() || w.lower == "they")
        {
            return None;
        }
        let clause = if inverted {
            self.subject_after(subject, to)
        } else {
            self.subject_before(subject, ws[v].start)
        };
        match clause {
            Clause::Speaker(s) if s.kind == EntityKind::Org => Some(Clause::Speaker(s)),
            Clause::Speaker(s) => {
                let m = self.mentions.iter().find(|m| m.canonical == s.name)?;
                fits(m).then_some(Clause::Speaker(s))
            }
            // `the Factory Records founder` whom the text never named so: someone already
            // known, so the pronoun is resolved as if the description were not there.
            Clause::Anonymous if definite => None,
            Clause::Anonymous => Some(Clause::Anonymous),
            Clause::Nothing => None,
        }
    }

    /// The person a "he" or "she" at `at` most likely points to: the first person named in the
    /// latest sentence that names one (the subject more often than an object), this sentence
    /// included. Only people the pronoun's gender fits count (a person the text calls "she" or
    /// "Ms" is no "he"), and never `exclude` (the head of the relative clause it stands in).
    fn latest_subject_person(
        &self,
        at: usize,
        gender: Gender,
        exclude: Option<&str>,
    ) -> Option<&'a Mention> {
        let fits = |m: &Mention| {
            m.kind == EntityKind::Person
                && exclude != Some(m.canonical.as_str())
                && self.genders.get(&m.canonical).is_none_or(|g| *g == gender)
                && !self.is_topic(m)
        };
        let mut at = at;
        for _ in 0..PRONOUN_CHAIN {
            let last = self.latest_before(at, fits)?;
            let start = self.sentence_start(last.start.saturating_sub(CLAUSE_CHARS), last.start);
            let end = self.sentence_end(last.end, at.max(last.end));
            if let Some(m) = self.speaker_of_sentence(start, end).filter(|m| fits(m)) {
                return Some(m);
            }
            // `the president continued to bring up Clinton's emails. "…," he tweeted`: a
            // sentence whose subject is a definite role is about that role's person.
            if let Some(m) = self.role_subject(start, end).filter(|m| fits(m)) {
                return Some(m);
            }
            // `... to bring up Clinton's emails. "...," he tweeted`, `In an interview with
            // Mother Jones, she promised`: a person named only as a possessive or the object of
            // a preposition is not who the sentence is about; the pronoun goes on from further
            // back.
            let sentence = self.table.words(start, at);
            let Some(first) = self
                .mentions
                .iter()
                .find(|m| {
                    fits(m)
                        && m.start >= start
                        && m.end <= at
                        && self.can_be_antecedent(m, &sentence, end >= at)
                })
                .copied()
            else {
                at = start;
                continue;
            };
            // `Ellison's colleague from Illinois, Representative Jan Schakowsky, was …`: the
            // sentence is about the one the possessive's noun names in apposition.
            let first = self.apposition_of(first, end, &fits).unwrap_or(first);
            // `Now he fears ..., captain Jason Robinson ...`: a sentence whose subject is already
            // the pronoun names its people as objects; the pronoun goes on from further back.
            if !self.pronoun_before(start, first.start, gender) {
                return Some(first);
            }
            at = start;
        }
        None
    }

    /// The person a sentence `[from, to)` opening on "the" + a person role (`The president
    /// continued …`, after any introductory phrase) is about, when the role resolves to one.
    fn role_subject(&self, from: usize, to: usize) -> Option<&'a Mention> {
        let ws = self.unquoted_words(from, to);
        let ws = &ws[self.intro_len(&ws, true)..];
        if ws.first()?.lower != "the" {
            return None;
        }
        let r = (1..ws.len().min(4)).find(|&k| is_person_role(&ws[k].lower))?;
        // The role is the head of the subject: a verb-like word follows, no name.
        let next = ws.get(r + 1)?;
        if self.capital(next) || is_preposition(&next.lower) {
            return None;
        }
        match self.role(&ws[..=r], ws[0].start)? {
            Clause::Speaker(s) if s.kind == EntityKind::Person => self
                .mentions
                .iter()
                .rev()
                .find(|m| m.canonical == s.name && m.end <= ws[0].start)
                .copied(),
            _ => None,
        }
    }

    /// Can this person, named in the sentence `ws`, be what a later "he"/"she" stands for? A
    /// possessive only at the head of its clause (`O'Reilly's voice can be heard`), not deeper
    /// in it (`continued to bring up Clinton's emails`, `The problem with Gibson's film`); the
    /// object of a preposition not in the pronoun's own sentence (`In an interview with Mother
    /// Jones, she promised`), except the source of `according to X` and the agent of `by X`.
    fn can_be_antecedent(&self, m: &Mention, ws: &[Word], own_sentence: bool) -> bool {
        let before = words_before(m, ws);
        if self.possessive(m) {
            let clause = before
                .iter()
                .take_while(|w| self.chars.get(w.end) != Some(&','))
                .count();
            return clause == 0;
        }
        match before.as_slice() {
            // `the 21-year-old told Cadena Cope`: the listener is not who the sentence is about.
            [v, ..] if matches!(v.lower.as_str(), "told" | "tells" | "telling") => false,
            [p, ..] if p.lower == "by" => true,
            [p, a, ..] if p.lower == "to" && a.lower == "according" => true,
            [p, ..] if is_preposition(&p.lower) => !own_sentence,
            _ => self.can_be_subject(m, ws),
        }
    }

    /// The person set in apposition to a possessive's noun at the head of a sentence
    /// (`Ellison's House colleague from Illinois, Representative Jan Schakowsky,`): one comma
    /// before the name, one right after it, a few words between.
    fn apposition_of(
        &self,
        m: &'a Mention,
        to: usize,
        fits: &dyn Fn(&Mention) -> bool,
    ) -> Option<&'a Mention> {
        if !self.possessive(m) {
            return None;
        }
        let n = self
            .mentions
            .iter()
            .find(|n| n.start > m.end && n.end <= to && fits(n))?;
        let between = &self.chars[m.end..n.start];
        let commas = between.iter().filter(|c| **c == ',').count();
        let few = self.table.words(m.end, n.start).len() <= TITLE_WORDS * 2;
        (commas == 1 && few && self.chars.get(n.end) == Some(&',')).then_some(*n)
    }

    fn possessive(&self, m: &Mention) -> bool {
        matches!(self.chars.get(m.end), Some('\'' | '’'))
            && matches!(self.chars.get(m.end + 1), Some('s' | ' '))
    }

    /// Does a "he" (or "she") of `gender` stand in the narrative of `[from, to)`?
    fn pronoun_before(&self, from: usize, to: usize, gender: Gender) -> bool {
        let quoted = |k: usize| self.spans.iter().any(|s| k >= s.start && k < s.end);
        self.table.words(from, to).iter().any(|w| {
            !quoted(w.start)
                && matches!(
                    (w.lower.as_str(), gender),
                    ("he", Gender::Male) | ("she", Gender::Female)
                )
        })
    }

    /// The person a sentence `[from, to)` says spoke: the named subject of its last speech verb
    /// (`..., argued Mr Howard`).
    fn speaker_of_sentence(&self, from: usize, to: usize) -> Option<&'a Mention> {
        let ws = self.table.words(from, to);
        let v = self.last_verb(&ws)?;
        if let Some(m) = self.contrasting_subject(&ws[v + 1..], to) {
            return Some(m);
        }
        // `As Beth reported, Aghdam was clear about …`: a source named in an opening `as`
        // clause is not who the sentence is about; the main clause's person is.
        if ws.first().is_some_and(|w| w.lower == "as")
            && !self.chars[from..ws[v].start].contains(&',')
            && let Some(c) = (ws[v].end..to).find(|&k| self.chars[k] == ',')
            && let Some(m) = self
                .subject_mention(c + 1, to, false)
                .filter(|m| m.kind == EntityKind::Person)
        {
            return Some(m);
        }
        let after_comma = self.chars[from..ws[v].start]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            == Some(&',');
        // `Peter Nielson, who is the party's chairman, said he ...`: a name followed by an aside
        // that ends at the verb is its subject; the verb is not inverted.
        let aside_subject = self
            .subject_mention(from, ws[v].start, true)
            .filter(|m| m.kind == EntityKind::Person && self.chars.get(m.end) == Some(&','));
        let m = if after_comma && aside_subject.is_none() && is_inversion_verb(&ws[v].lower) {
            let end = head_end(&ws[v + 1..], to);
            self.subject_mention(ws[v].end, end, false)
        } else {
            // `He said that ... Mr Houston ...`: a pronoun speaks, not the names after it; it
            // stands for the person named before it in the sentence, if any.
            let k = (0..v).rev().find(|&k| !is_filler(&ws[k].lower));
            if k.is_some_and(|k| ws[k].lower == "they") {
                return None;
            }
            if let Some(k) = k.filter(|&k| pronoun_kind(&ws[k].lower).is_some()) {
                return self.person_before_pronoun(&ws, k, from);
            }
            // `Steyer, a critic of Trump, entered the race, vowing ...`: a participle's subject
            // is the sentence's first, not the name nearest to it, read past an introductory
            // phrase (`Also asked about a report on Gray, Kern said ... but added`).
            let nearest = !self.borrows_subject(&ws, v);
            if !nearest {
                let skip = self.intro_len(&ws, false);
                if skip > 0 && skip < v {
                    return self
                        .subject_mention(ws[skip].start, ws[v].start, false)
                        .filter(|m| m.kind == EntityKind::Person);
                }
            }
            self.subject_mention(from, ws[v].start, nearest)
        }?;
        (m.kind == EntityKind::Person).then_some(m)
    }

    /// `Hewitt said ..., but Tennis Australia's Geoff Pollard rejected his comments`: a clause
    /// after "but" (or a semicolon) that opens on a person makes that person the sentence's
    /// latest subject, the one a "he" in the next sentence continues.
    fn contrasting_subject(&self, ws: &[Word], to: usize) -> Option<&'a Mention> {
        let b = ws.iter().position(|w| {
            w.lower == "but"
                || self.chars[..w.start]
                    .iter()
                    .rev()
                    .find(|c| !c.is_whitespace())
                    == Some(&';')
        })?;
        let clause = &ws[b..];
        let from = if clause[0].lower == "but" {
            clause.get(1)?.start
        } else {
            clause[0].start
        };
        let head = head_end(&clause[1..], to).min(clause.get(5).map_or(to, |w| w.start));
        let m = self.subject_mention(from, head, true)?;
        // Only a determiner or names (an affiliation: `Tennis Australia's`) before the person.
        let opens = self
            .table
            .words(from, m.start)
            .iter()
            .all(|w| is_determiner(&w.lower) || self.capital(w));
        (m.kind == EntityKind::Person && opens).then_some(m)
    }

    /// The person a "he"/"she" at word `k` stands for within its own sentence (from `from`): the
    /// latest one named before it that can be a subject, that its gender fits, and that is not
    /// the head of the relative clause it opens.
    fn person_before_pronoun(&self, ws: &[Word], k: usize, from: usize) -> Option<&'a Mention> {
        let gender = match pronoun_kind(&ws[k].lower)? {
            PronounKind::He => Gender::Male,
            PronounKind::She => Gender::Female,
            PronounKind::It => return None,
        };
        let exclude = self.relative_head(ws, k);
        let before = self.table.words(from, ws[k].start);
        self.mentions
            .iter()
            .rev()
            .find(|m| {
                m.kind == EntityKind::Person
                    && m.start >= from
                    && m.end <= ws[k].start
                    && exclude != Some(m.canonical.as_str())
                    && !self.is_topic(m)
                    && self.genders.get(&m.canonical).is_none_or(|g| *g == gender)
                    && self.can_be_subject(m, &before)
            })
            .copied()
    }

    /// "the minister", "the company": a definite role noun resolved to the entity named with it,
    /// or to the one person named so far.
    fn role(&self, ws: &[Word], at: usize) -> Option<Clause> {
        let Some(r) = ws.iter().rposition(|w| {
            is_person_role(&w.lower) || is_org_role(&w.lower) || is_spokes_word(&w.lower)
        }) else {
            return self.titled_noun(ws, at, false);
        };
        let det = ws[..r]
            .iter()
            .rev()
            .find(|w| is_determiner(&w.lower) || self.names_org(w) || w.lower == "one");
        // `one official said`: as indefinite as `an official said`.
        if det.is_none_or(|d| matches!(d.lower.as_str(), "a" | "an" | "one")) {
            return Some(Clause::Anonymous);
        }
        let role = &ws[r].lower;
        let owner = self.mentions.iter().find(|m| {
            m.kind == EntityKind::Org && det.is_some_and(|d| m.start <= d.start && d.end <= m.end)
        });
        if is_spokes_word(role) && is_person_role(role) && !is_plural_role(role) {
            // `A spokesperson for Harvard said … "…," the spokesperson said`: the definite
            // spokesman is the one the text introduced, who speaks for the body named with
            // them; one written with a name (`Ada Kern, a spokeswoman`) is that person. Never
            // the person named last: a spokesman is not who the article is about.
            let found = self
                .person_with_role(at, role, |_| true)
                .or_else(|| self.spoken_for(ws[r].start));
            return Some(match found {
                Some(m) => Clause::Speaker(Speaker {
                    via: Attribution::Role,
                    ..named(m)
                }),
                None => Clause::Anonymous,
            });
        }
        let found = if let Some(owner) = owner.filter(|_| is_org_role(role)) {
            // `the Federal Reserve board said`: the body named with the noun.
            Some(*owner)
        } else if is_org_role(role) {
            let d = ws[..r]
                .iter()
                .rposition(|w| is_determiner(&w.lower) || self.names_org(w))
                .map_or(0, |d| d + 1);
            self.org_for_role(role, &ws[d..r], at)
        } else {
            let d = ws[..r]
                .iter()
                .rposition(|w| is_determiner(&w.lower) || self.names_org(w))
                .map_or(0, |d| d + 1);
            // `the Palestinian ambassador` is not `U.S. Ambassador Nikki Haley`: a nationality
            // before the role must be written with the person too (a club or a place, `the
            // Old Trafford boss`, is often written only there), whatever the tagger made of it.
            let q = ws[..r]
                .iter()
                .rposition(|w| is_determiner(&w.lower))
                .map_or(0, |q| q + 1);
            let qualifiers: Vec<String> = ws[q.min(d)..r]
                .iter()
                .filter(|w| self.capital(w) && is_demonym(&w.lower))
                .map(|w| stem(&w.lower))
                .collect();
            let qualified = |m: &Mention| {
                qualifiers
                    .iter()
                    .all(|q| self.written_near(m, |w| stem(w) == *q))
            };
            self.person_with_role(at, role, qualified)
                .or_else(|| self.only_person_before(at))
                .or_else(|| self.latest_named_speaker(at))
                .filter(|p| {
                    self.mentions
                        .iter()
                        .any(|m| m.canonical == p.canonical && m.end <= at && qualified(m))
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

    /// `"…," the agent added` after `his agent Dipo Alli`, `the inspector general said` after
    /// `Inspector General Ada Kern`: "the" + a noun no list of roles holds stands for the latest
    /// person the text wrote with that noun as a title. Failing that, when `describe` (the
    /// attribution right after a quote, `or_described`), a description of one person
    /// (`"…," added the two-time Academy Award winner`) is news writing's way of not
    /// repeating a name: it takes up the person the latest sentence naming someone gives as
    /// speaking (`speaker_described`). Nouns for unnamed people, groups, documents and plurals
    /// are no one's description (`the crowd`, `the poll`). The noun phrase is "the" and up to
    /// five words, the last lower-case, at the head of `ws` or ending it (next to the verb).
    fn titled_noun(&self, ws: &[Word], at: usize, describe: bool) -> Option<Clause> {
        let t = if ws.first().is_some_and(|w| w.lower == "the") {
            0
        } else {
            ws.iter().rposition(|w| w.lower == "the")?
        };
        let noun_words = self.description_len(&ws[t + 1..]);
        let after = t + 1 + noun_words;
        if noun_words == 0 || !(after == ws.len() || t == 0) || self.capital(&ws[after - 1]) {
            return None;
        }
        let head = &ws[after - 1].lower;
        if is_plural_role(head)
            || is_document_noun(head)
            || is_person_noun(head)
            || is_collective_noun(head)
            || is_former(head)
            || matches!(head.as_str(), "other" | "latter" | "same")
        {
            return None;
        }
        // A listed role (`the official said`) has its own reading in `role`, whose "no one"
        // stands: a description is only what no list holds.
        let listed = ws[t + 1..after]
            .iter()
            .any(|w| is_person_role(&w.lower) || is_org_role(&w.lower) || is_spokes_word(&w.lower));
        if describe && listed {
            return None;
        }
        let lower_case = ws[t + 1..after].iter().all(|w| !self.capital(w));
        let titled = lower_case
            .then(|| self.person_with_role(at, head, |_| true))
            .flatten();
        // A phrase that reaches the end of `ws` with neither punctuation nor the verb after it
        // may go on past it: its last word read may be a modifier, not the noun.
        let last = &ws[after - 1];
        let whole = after < ws.len() || self.ends_phrase(last) || self.before_speech_verb(last);
        let m = titled.or_else(|| {
            (describe && whole)
                .then(|| self.speaker_described(at))
                .flatten()
        })?;
        Some(Clause::Speaker(Speaker {
            via: Attribution::Role,
            ..named(m)
        }))
    }

    /// How many of the words after "the" make its noun phrase: up to five words, none a
    /// function word, pronoun or speech verb, ending at the first one punctuation follows.
    fn description_len(&self, ws: &[Word]) -> usize {
        let mut n = 0;
        for w in ws.iter().take(5) {
            let l = w.lower.as_str();
            // An adverb ends the phrase (`the Republican reportedly told`).
            if !l.chars().all(|c| c.is_alphabetic() || c == '-')
                || l.ends_with("ly")
                || is_function_word(l)
                || is_filler(l)
                || is_speech_verb(l)
                || pronoun_kind(l).is_some()
            {
                break;
            }
            n += 1;
            if self.ends_phrase(w) {
                break;
            }
        }
        n
    }

    /// Does punctuation right after the word end the phrase it is in?
    fn ends_phrase(&self, w: &Word) -> bool {
        self.chars
            .get(w.end)
            .is_some_and(|c| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '(' | ')' | '—' | '–'))
    }

    /// Is the next word a speech verb (`the agent added`)?
    fn before_speech_verb(&self, w: &Word) -> bool {
        let to = (w.end + 30).min(self.chars.len());
        self.table
            .words(w.end, to)
            .first()
            .is_some_and(|n| is_speech_verb(&n.lower))
    }

    /// The person a definite description takes up: the one the latest sentence naming someone
    /// gives as speaking, unless an organisation has spoken since (`Kern said … Northwind
    /// announced …. "…," the carmaker said` may be the body).
    fn speaker_described(&self, at: usize) -> Option<&'a Mention> {
        let m = self
            .latest_named_speaker(at)
            .filter(|m| m.kind == EntityKind::Person)?;
        let org_since = self.mentions.iter().any(|o| {
            o.kind == EntityKind::Org && o.start >= m.end && o.end <= at && self.reports(o)
        });
        (!org_since).then_some(m)
    }

    /// The organisation "the <modifiers> <noun>" stands for: the latest one named before `at`
    /// whose name holds the noun ("the council" → Caldmoor Council), else, for a noun any
    /// organisation may go by ("the company", "the group"), the latest one; an institution's noun
    /// ("the government", "the ministry") must be in the name. A possessive or capitalised
    /// modifier must be in the name too: "the correspondents' group" is not the radio network
    /// named last.
    fn org_for_role(&self, noun: &str, modifiers: &[Word], at: usize) -> Option<&'a Mention> {
        let constraining: Vec<String> = modifiers
            .iter()
            .filter(|w| {
                let possessive = matches!(self.chars.get(w.end), Some('\'' | '’'))
                    || w.lower.ends_with("'s")
                    || w.lower.ends_with("’s");
                let place = self
                    .mentions
                    .iter()
                    .any(|m| m.kind == EntityKind::Place && m.start <= w.start && w.end <= m.end);
                possessive || (self.capital(w) && !place)
            })
            .map(|w| stem(&w.lower))
            .collect();
        let holds = |m: &Mention, word: &str| {
            m.canonical
                .split(|c: char| !c.is_alphanumeric())
                .any(|n| stem(&n.to_lowercase()) == word)
        };
        let fits =
            |m: &Mention| m.kind == EntityKind::Org && constraining.iter().all(|w| holds(m, w));
        let names = names_of_org_noun(noun);
        // `EMI said two albums - one by Coldplay - were late. "…," the company added`: a body
        // named as the object of a preposition is rarely the one the noun takes up; one named
        // as a subject is preferred, the latest of any kind when there is none.
        let held = self.latest_before(at, |m| fits(m) && names.iter().any(|n| holds(m, n)));
        if is_media_noun(noun) {
            // `Fox 9 reported … "…," the outlet reported`: a publication taken up by its kind
            // is the latest body the text gave as a source, never one only mentioned.
            return held.or_else(|| self.latest_before(at, |m| fits(m) && self.reports(m)));
        }
        held.or_else(|| {
            (!is_institution(noun))
                .then(|| {
                    self.latest_before(at, |m| fits(m) && !self.after_preposition(m))
                        .or_else(|| self.latest_before(at, fits))
                })
                .flatten()
        })
    }

    /// Is a mention given as a source: the subject of a speech verb within three words after it
    /// (`Fox 9 reported`, `Politico, while reporting`) or the one after `according to`?
    fn reports(&self, m: &Mention) -> bool {
        let to = self.sentence_end(m.end, (m.end + CLAUSE_CHARS).min(self.chars.len()));
        let after = self.table.words(m.end, to);
        let verb = (0..after.len().min(3)).any(|k| {
            self.verb(&after, k)
                && !self
                    .mentions
                    .iter()
                    .any(|o| o.start >= m.end && o.end <= after[k].start)
        });
        let before = self.table.words(m.start.saturating_sub(20), m.start);
        let according = before.len() >= 2
            && before[before.len() - 2].lower == "according"
            && before[before.len() - 1].lower == "to";
        verb || according
    }

    /// Is a mention the object of a preposition (`one by Coldplay`, `shares in the EMI group`)?
    fn after_preposition(&self, m: &Mention) -> bool {
        let ws = self.table.words(m.start.saturating_sub(30), m.start);
        ws.iter()
            .rev()
            .find(|w| !is_determiner(&w.lower))
            .is_some_and(|w| is_preposition(&w.lower))
    }

    /// `Simon Le Bon said ... . "..." the singer said`: a definite role that no name was written
    /// with stands for the person the latest sentence naming someone says spoke, when that
    /// sentence names its speaker (a speech verb with that person as its subject).
    fn latest_named_speaker(&self, at: usize) -> Option<&'a Mention> {
        let last = self.latest_before(at, |m| m.kind == EntityKind::Person)?;
        let start = self.sentence_start(last.start.saturating_sub(CLAUSE_CHARS), last.start);
        let end = self.sentence_end(last.end, at.max(last.end));
        self.speaker_of_sentence(start, end)
            .filter(|m| m.start >= start && !self.is_topic(m))
    }

    /// `Trump, she said, also ...`: a name set before a parenthetical "he/she said" is what is
    /// spoken about, never the one the pronoun stands for.
    fn is_topic(&self, m: &Mention) -> bool {
        if self.chars.get(m.end) != Some(&',') {
            return false;
        }
        let ws = self.table.words(m.end, (m.end + 40).min(self.chars.len()));
        ws.len() >= 2
            && ws[0].start - m.end <= 3
            && matches!(
                pronoun_kind(&ws[0].lower),
                Some(PronounKind::He | PronounKind::She)
            )
            && is_speech_verb(&ws[1].lower)
    }

    /// The latest person named before `at` whose name stands next to `role` somewhere in the text
    /// before it.
    fn person_with_role(
        &self,
        at: usize,
        role: &str,
        keep: impl Fn(&Mention) -> bool,
    ) -> Option<&'a Mention> {
        let before: Vec<&'a Mention> = self
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Person && m.end <= at)
            .copied()
            .collect();
        // The answer for a person depends on their canonical name alone, and a person is
        // usually named many times: each name is tried once, not once per mention.
        let mut refused: Vec<&str> = Vec::new();
        before.iter().rev().copied().find(|p| {
            if refused.contains(&p.canonical.as_str()) {
                return false;
            }
            let found = before
                .iter()
                .any(|m| m.canonical == p.canonical && self.named_with(m, role) && keep(m));
            if !found {
                refused.push(p.canonical.as_str());
            }
            found
        })
    }

    /// Is this word part of an organisation's mention ("the Facebook CEO" reads as definite)?
    fn names_org(&self, w: &Word) -> bool {
        self.mentions
            .iter()
            .any(|m| m.kind == EntityKind::Org && m.start <= w.start && w.end <= m.end)
    }

    /// The organisation the latest spokesman introduced before `at` speaks for: `a spokesperson
    /// for Harvard`, `a Harvard spokeswoman`, `Harvard's spokesman`.
    fn spoken_for(&self, at: usize) -> Option<&'a Mention> {
        let from = at.saturating_sub(REFERENCE_CHARS);
        let ws = self.table.words(from, at);
        let k = ws.iter().rposition(|w| {
            is_spokes_word(&w.lower)
                && is_person_role(&w.lower)
                && !is_plural_role(&w.lower)
                && !self.quoted(w.start)
        })?;
        let org = |m: &&&'a Mention| m.kind == EntityKind::Org;
        let after = ws
            .get(k + 1)
            .filter(|p| is_preposition(&p.lower))
            .and_then(|p| {
                let next = ws.get(k + 2)?;
                let next = if is_determiner(&next.lower) {
                    ws.get(k + 3)?
                } else {
                    next
                };
                self.mentions
                    .iter()
                    .filter(org)
                    .find(|m| m.start == next.start && p.end < m.start)
            });
        let before = || {
            self.mentions.iter().filter(org).find(|m| {
                m.end <= ws[k].start
                    && self.chars[m.end..ws[k].start]
                        .iter()
                        .all(|c| c.is_whitespace() || matches!(c, '\'' | '’' | 's'))
                    && ws[k].start - m.end <= 3
            })
        };
        after.or_else(before).copied()
    }

    /// The one person named before `at`, if exactly one is.
    fn only_person_before(&self, at: usize) -> Option<&'a Mention> {
        let mut people = self
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Person && m.end <= at);
        let first = *people.next()?;
        people
            .all(|m| m.canonical == first.canonical)
            .then_some(first)
    }

    /// Did this mention issue a document called `noun`, as the words right after it say
    /// (`Fed minutes`, `Oxfam's report`, `the institute reported`, `Oxfam said in a report`)?
    /// A mention after a preposition is the document's addressee or topic (`a letter to Kern`),
    /// never its author.
    fn issued(&self, m: &Mention, noun: &str) -> bool {
        let from = m.start.saturating_sub(ROLE_NEAR);
        let before = self.table.words(from, m.start);
        if before.last().is_some_and(|w| is_preposition(&w.lower)) {
            return false;
        }
        let mut to = (m.end + ROLE_NEAR).min(self.chars.len());
        if let Some(k) = (m.end..to).find(|&k| is_mark(self.chars[k]) || self.ends_sentence(k)) {
            to = k;
        }
        self.table
            .words(m.end, to)
            .iter()
            .any(|w| w.lower.starts_with(noun))
    }

    /// Is `role` written as this person's own title ("Health Minister Ada Kern", "Kern, the
    /// minister")? The window stops at a quotation mark or a sentence's end. Before the name, no
    /// other person may stand between the role and it (`President Obama's adviser Pete Rouse`);
    /// after it, the role is the apposition's only when no other person comes first and no
    /// preposition governs it (`Pete Rouse, counselor to the president` names Rouse's role, and
    /// the president is someone else).
    fn named_with(&self, m: &Mention, role: &str) -> bool {
        let (from, to) = self.near_window(m);
        let ws = self.table.words(from, to);
        let other_between = |a: usize, b: usize| {
            self.mentions.iter().any(|o| {
                o.kind == EntityKind::Person
                    && o.canonical != m.canonical
                    && o.start >= a
                    && o.end <= b
            })
        };
        let before = ws.iter().filter(|w| w.end <= m.start).count();
        let apposition = self.chars.get(m.end) == Some(&',');
        (0..ws.len()).any(|k| {
            let w = &ws[k];
            if w.lower != role {
                return false;
            }
            if w.end <= m.start {
                // Only capitalised words of the title itself between it and the name
                // (`Inspector General Ada Kern`, `agent Dipo Alli`), never a verb (`The
                // petition also cited Kern`).
                return before - k <= TITLE_WORDS
                    && ws[k + 1..before].iter().all(|t| self.capital(t))
                    && !other_between(w.end, m.start);
            }
            apposition
                && k - before < TITLE_WORDS
                && !other_between(m.end, w.start)
                && !governed_by_preposition(&ws, k)
        })
    }

    /// The stretch of text around a mention read for words written with it: `ROLE_NEAR`
    /// characters either side, within its sentence and outside quotation marks.
    fn near_window(&self, m: &Mention) -> (usize, usize) {
        let from = m.start.saturating_sub(ROLE_NEAR);
        let mut to = (m.end + ROLE_NEAR).min(self.chars.len());
        if let Some(k) = (m.end..to).find(|&k| is_mark(self.chars[k]) || self.ends_sentence(k)) {
            to = k;
        }
        let from = (from..m.start)
            .rev()
            .find(|&k| is_mark(self.chars[k]) || self.ends_sentence(k))
            .map_or(from, |k| k + 1);
        (from, to)
    }

    /// Does a word `keep` accepts stand next to this mention, within its sentence and outside
    /// quotation marks (`ROLE_NEAR` characters either side)?
    fn written_near(&self, m: &Mention, keep: impl Fn(&str) -> bool) -> bool {
        let (from, to) = self.near_window(m);
        self.table.words(from, to).iter().any(|w| keep(&w.lower))
    }

    fn latest_before(&self, at: usize, keep: impl Fn(&Mention) -> bool) -> Option<&'a Mention> {
        let floor = at.saturating_sub(REFERENCE_CHARS);
        self.mentions
            .iter()
            .rev()
            .find(|m| m.end <= at && m.start >= floor && keep(m))
            .copied()
    }

    /// The quote's last character, blanks aside; a nested quote's closing single mark is
    /// passed over (`"I said, 'Don't scream at me,'" Navarro recounted`: the comma before it
    /// is the quote's own, joining it to its attribution).
    fn last_quoted(&self, span: &Span) -> Option<char> {
        self.chars[span.start..span.end]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace() && !matches!(c, '\'' | '’'))
            .copied()
    }

    fn capital(&self, w: &Word) -> bool {
        self.chars[w.start].is_uppercase()
    }

    /// Is the character at `i` a full stop, question or exclamation mark ending a sentence?
    pub fn ends_sentence(&self, i: usize) -> bool {
        if !matches!(self.chars[i], '.' | '?' | '!') {
            return false;
        }
        if !self
            .chars
            .get(i + 1)
            .is_none_or(|c| c.is_whitespace() || is_mark(*c))
        {
            return false;
        }
        // `Recon Analytics Inc. researcher Roger Entner`: a sentence does not go on in lower case,
        // so a full stop before a lower-case word closes an abbreviation, not a sentence.
        let next = self.chars[i + 1..]
            .iter()
            .find(|c| !c.is_whitespace() && !is_mark(**c));
        if next.is_some_and(|c| c.is_lowercase()) && self.chars[i] == '.' {
            return false;
        }
        let last = self.table.last(i.saturating_sub(6), i);
        last.is_none_or(|w| {
            w.end != i
                || !(is_abbreviation(&w.lower) || w.end - w.start == 1 || is_initials(&w.lower))
        })
    }

    /// Does a sentence end at `at`: its full stop, a line break or the end of the text?
    fn ends_sentence_at(&self, at: usize) -> bool {
        at >= self.chars.len() || self.ends_sentence(at) || self.chars[at] == '\n'
    }

    /// Where the sentence from `from` ends: its full stop, or a line break (a headline or a
    /// paragraph without closing punctuation is a sentence of its own).
    fn sentence_end(&self, from: usize, to: usize) -> usize {
        (from..to)
            .find(|&i| self.ends_sentence(i) || self.chars[i] == '\n')
            .unwrap_or(to)
    }

    fn sentence_start(&self, from: usize, to: usize) -> usize {
        (from..to)
            .rev()
            .find(|&i| self.ends_sentence(i) || self.chars[i] == '\n')
            .map_or(from, |i| i + 1)
    }
}

/// Nouns for what an organisation or a person issues in writing: the document speaks for them.
/// Nouns of saying whose `that` clause gives the words of the one they belong to (`Kern's
/// claim that …`).
fn is_claim_noun(w: &str) -> bool {
    matches!(
        w,
        "claim"
            | "claims"
            | "assertion"
            | "assertions"
            | "remark"
            | "remarks"
            | "comment"
            | "comments"
            | "statement"
            | "insistence"
            | "suggestion"
            | "argument"
            | "contention"
            | "warning"
            | "promise"
            | "pledge"
            | "admission"
            | "accusation"
            | "allegation"
    )
}

/// Nouns for many people at once (`the crowd chanted`): a description of no one person.
fn is_collective_noun(w: &str) -> bool {
    matches!(
        w,
        "crowd" | "audience" | "public" | "family" | "couple" | "jury" | "panel"
    )
}

fn is_document_noun(w: &str) -> bool {
    matches!(
        w,
        "report"
            | "statement"
            | "minutes"
            | "survey"
            | "memo"
            | "filing"
            | "letter"
            | "brief"
            | "study"
            | "release"
            | "tweet"
            | "post"
            | "resolution"
            | "complaint"
            | "editorial"
            | "lawsuit"
            | "document"
            | "paper"
            | "review"
            | "analysis"
            | "ruling"
            | "notice"
            | "message"
            | "email"
            | "poll"
            | "proposal"
            // A publication's website and headlines speak for it (`the CNN website read`).
            | "website"
            | "headline"
            // `a White House fact sheet said`.
            | "sheet"
    )
}

/// Verbs whose object is a document its subject issued (`published a report`, `issuing a
/// statement`, `a letter signed by`).
fn is_issuing_verb(w: &str) -> bool {
    matches!(
        w,
        "published"
            | "publishes"
            | "publishing"
            | "issued"
            | "issues"
            | "issuing"
            | "released"
            | "releases"
            | "releasing"
            | "sent"
            | "sends"
            | "sending"
            | "penned"
            | "signed"
            | "filed"
            | "posted"
            | "submitted"
    )
}

/// A word shaped like a nationality or a people's adjective (`Palestinian`, `Chinese`,
/// `British`, `Israeli`, `Korean`): it says whose role a role noun is.
fn is_demonym(w: &str) -> bool {
    w.chars().all(|c| c.is_alphabetic())
        && w.chars().count() > 3
        && ["ian", "ean", "ese", "ish", "an", "i"]
            .iter()
            .any(|end| w.ends_with(end))
}

/// Is word `k` a noun for someone's own words after a determiner or possessive (`his
/// argument`, `a statement`, `the point`)?
fn introduces_words(ws: &[Word], k: usize) -> bool {
    let noun = matches!(
        ws[k].lower.as_str(),
        "argument" | "statement" | "point" | "remarks" | "message" | "appeal" | "case" | "call"
    );
    noun && matches!(
        ws[k - 1].lower.as_str(),
        "a" | "an" | "the" | "his" | "her" | "its" | "their" | "this"
    )
}

/// Verbs that report a thought (`worries that`, `believes that`): with "that" they introduce
/// the thinker's words in the next paragraph.
fn is_verb_of_thought(w: &str) -> bool {
    matches!(
        w,
        "worries"
            | "worried"
            | "believes"
            | "believed"
            | "thinks"
            | "thought"
            | "fears"
            | "feared"
            | "feels"
            | "felt"
            | "hopes"
            | "hoped"
    )
}

/// Verbs that carry another (`the country has said`, `officials are expected`).
fn is_auxiliary(w: &str) -> bool {
    matches!(
        w,
        "is" | "was"
            | "are"
            | "were"
            | "be"
            | "been"
            | "has"
            | "had"
            | "have"
            | "will"
            | "would"
            | "should"
            | "could"
            | "can"
            | "may"
            | "might"
            | "must"
            | "did"
            | "does"
            | "do"
    )
}

/// Is word `k` the object of a preposition: right after one, or after one and a determiner
/// (`counselor to the president`)?
fn governed_by_preposition(ws: &[Word], k: usize) -> bool {
    let before = |n: usize| k.checked_sub(n).map(|j| ws[j].lower.as_str());
    before(1).is_some_and(is_preposition)
        || (before(1).is_some_and(is_determiner) && before(2).is_some_and(is_preposition))
}

/// The words of `ws` before mention `m`, nearest first, determiners left out.
fn words_before<'w>(m: &Mention, ws: &'w [Word]) -> Vec<&'w Word> {
    ws.iter()
        .filter(|w| w.end <= m.start)
        .rev()
        .filter(|w| !is_determiner(&w.lower))
        .collect()
}

/// Words for someone who no longer holds a post (`a former official`): they do not speak for
/// the body they served.
fn is_former(w: &str) -> bool {
    matches!(w, "former" | "ex" | "onetime" | "one-time" | "retired")
}

/// People who work for or stand by a person (`a Kern aide`): their words are not that person's.
fn is_follower(w: &str) -> bool {
    matches!(
        w,
        "aide"
            | "aides"
            | "adviser"
            | "advisers"
            | "advisor"
            | "advisors"
            | "staffer"
            | "staffers"
            | "ally"
            | "allies"
            | "associate"
            | "associates"
            | "confidant"
            | "confidante"
            | "loyalist"
            | "loyalists"
    )
}

/// A role in the plural ("officials", "spokesmen") is no antecedent of "he" or "she".
fn is_plural_role(w: &str) -> bool {
    w.ends_with("men") || (w.ends_with('s') && !w.ends_with("ss"))
}

/// A word without its possessive ending or plural `s`, to compare a role's words with a name's.
fn stem(w: &str) -> String {
    let w = w
        .trim_end_matches("'s")
        .trim_end_matches("’s")
        .trim_end_matches(['\'', '’']);
    w.strip_suffix('s').unwrap_or(w).to_string()
}

/// The words in an organisation's name that an organisation noun may stand for: "the
/// government" is a ministry or a department as often as a body called a government.
fn names_of_org_noun(noun: &str) -> Vec<String> {
    match noun {
        "government" | "administration" => {
            ["government", "department", "ministry", "administration"]
                .iter()
                .map(|w| stem(w))
                .collect()
        }
        _ => vec![stem(noun)],
    }
}

/// Organisation nouns that stand only for a body with that word in its name: "the government"
/// is not whatever company was named last.
fn is_institution(noun: &str) -> bool {
    matches!(
        noun,
        "government"
            | "ministry"
            | "department"
            | "council"
            | "committee"
            | "commission"
            | "court"
            | "police"
            | "army"
            | "military"
            | "administration"
            | "agency"
            | "association"
            | "federation"
            | "league"
            | "board"
    ) || is_kind_of_body(noun)
}

/// Where the subject after an inverted verb may end: six words on, not counting titles and
/// ranks (`said Defense Ministry spokesman Sr. Col. Yang Yujun`), or `to`.
fn head_end(ws: &[Word], to: usize) -> usize {
    ws.iter()
        .filter(|w| !is_abbreviation(&w.lower))
        .nth(HEAD_WORDS)
        .map_or(to, |w| w.start)
}

fn is_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„')
}

/// Paragraph breaks in a stretch of text: line breaks, runs of them counted once.
fn paragraph_breaks(text: &[char]) -> usize {
    let mut n = 0;
    let mut in_break = false;
    for &c in text {
        if c == '\n' {
            if !in_break {
                n += 1;
            }
            in_break = true;
        } else if !c.is_whitespace() {
            in_break = false;
        }
    }
    n
}

/// Verbs a speaker may follow (`"...," said X`); "told X" or "called X" name the listener or
/// the thing called.
fn is_inversion_verb(w: &str) -> bool {
    matches!(
        w,
        "said"
            | "says"
            // Only with a document after it (`read the report`): see `Doc::verb`.
            | "read"
            | "reads"
            | "added"
            | "adds"
            | "asked"
            | "asks"
            | "continued"
            | "continues"
            | "wrote"
            | "writes"
            | "explained"
            | "explains"
            | "replied"
            | "stated"
            | "insisted"
            | "warned"
            | "argued"
            | "noted"
            | "recalled"
            | "concluded"
            // Round 4: verbs a name follows as often in news writing (`"...," predicted Sen. X`).
            | "predicted"
            | "declared"
            | "charged"
            | "recounted"
            | "countered"
            | "interjected"
            | "responded"
            | "answered"
            | "conceded"
            | "admitted"
            | "acknowledged"
            | "observed"
            | "quipped"
            | "joked"
            | "stressed"
            | "announced"
            | "remarked"
            | "cautioned"
            | "asserted"
            | "echoed"
    )
}

/// What the text says about a quote's speaker.
pub enum Found {
    Speaker(Speaker),
    /// An attribution whose subject is no entity ("one resident said", "the mayor said" with no
    /// mayor named): no speaker, and no continuing the previous quote's either.
    Unresolved,
    /// No attribution at all: the quote may go on from the previous one.
    Nothing,
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
