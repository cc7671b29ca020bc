//! Snippets: up to three short fragments around what the query really matched, with highlight
//! offsets in characters.
//!
//! A phrase highlights its occurrences only, a prefix highlights the words it expanded to, and
//! negated words are never in the highlight list, so what is marked is what made the article match.
use std::cell::RefCell;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use super::highlight::Highlight;
use crate::analysis::{self, Memo};

/// Target length of one fragment, in characters.
pub const FRAGMENT_CHARS: usize = 160;
pub const MAX_FRAGMENTS: usize = 3;
pub const JOINER: &str = " … ";

/// A text with `[start, end)` character ranges to highlight.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Marked {
    pub text: String,
    pub highlights: Vec<[usize; 2]>,
}

/// Which part of an article is being matched: scoped highlights apply to one part only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Headline,
    Body,
}

/// One snippet generator per query: it owns its analyzers and buffers so each hit reuses them.
pub struct SnippetGenerator {
    highlights: Vec<Highlight>,
    stem: TextAnalyzer,
    exact: TextAnalyzer,
    /// Stems of words already seen (by this thread's earlier generators too): stemming is the
    /// costly part of matching, and words repeat.
    stems: Memo<String>,
    /// The tokens of the text being matched that can take part in a match, reused across hits.
    tokens: Candidates,
    /// The part of a body the fragments come from, one unit per character, reused across hits.
    folded: Folded,
}

/// A match: char range and which highlight produced it.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    which: usize,
}

/// The tokens of a text that could take part in a match of the query, with their positions among
/// all its tokens. A body has thousands of words and a query a handful: most words are ruled out
/// by their first byte, before they are lower-cased, folded or stemmed, and never stored.
#[derive(Debug, Default)]
struct Candidates {
    /// Every kept token's text, back to back.
    texts: String,
    kept: Vec<Candidate>,
    /// How many tokens were seen, kept or not: the next token's position.
    seen: usize,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    position: usize,
    /// Byte range in the text.
    bytes: [usize; 2],
    /// Byte range in `texts`.
    text: [usize; 2],
}

impl Candidates {
    fn clear(&mut self) {
        self.texts.clear();
        self.kept.clear();
        self.seen = 0;
    }

    fn text(&self, k: usize) -> &str {
        let [a, b] = self.kept[k].text;
        &self.texts[a..b]
    }
}

/// Which words the active highlights could match, judged on a word's first byte: every term a
/// match compares with (a stem, a phrase's words, a prefix's words) starts a word that can match
/// it, since exact tokens and English stems keep a word's first letter.
struct FirstBytes([bool; 256], [u8; 256]);

/// A byte's class in [`FirstBytes`]' second table: bits a candidate scan tests at once.
const ALNUM: u8 = 1;
const ADMITTED: u8 = 2;
const BEYOND_ASCII: u8 = 4;

impl FirstBytes {
    fn of(highlights: &[Highlight], active: &[usize]) -> FirstBytes {
        let mut first = [false; 256];
        let terms = active.iter().flat_map(|&i| match &highlights[i] {
            Highlight::Stem { term, .. } => std::slice::from_ref(term),
            Highlight::Phrase { terms, .. } | Highlight::Prefix { terms, .. } => terms.as_slice(),
        });
        for term in terms {
            match term.as_bytes().first() {
                Some(&b) => {
                    first[b.to_ascii_lowercase() as usize] = true;
                    first[b.to_ascii_uppercase() as usize] = true;
                }
                // An empty prefix would match any word.
                None => first = [true; 256],
            }
        }
        let class = std::array::from_fn(|b| {
            let byte = b as u8;
            match byte.is_ascii() {
                false => BEYOND_ASCII,
                true => {
                    (u8::from(byte.is_ascii_alphanumeric()) * ALNUM)
                        | (u8::from(first[b]) * ADMITTED)
                }
            }
        });
        FirstBytes(first, class)
    }

    /// The first byte at or after `at` where a candidate may start: a byte beyond ASCII, or an
    /// admitted byte not inside a word. `word` says whether the character before `at` belongs
    /// to a word. An admitted letter is common inside words ("i" in most of them), and
    /// stopping at each one to look back was most of a snippet's scan; here the byte before is
    /// carried along, and the test is one branch that is rarely taken.
    fn next_start(&self, bytes: &[u8], mut at: usize, mut word: bool) -> usize {
        while let Some(&b) = bytes.get(at) {
            let class = self.1[b as usize];
            let outside = u8::from(!word) * ADMITTED;
            if class & (BEYOND_ASCII | outside) != 0 {
                break;
            }
            word = class & ALNUM != 0;
            at += 1;
        }
        at
    }

    /// Whether an all-ASCII word may match: it is its own token but for case.
    fn admits(&self, word: &str) -> bool {
        word.as_bytes().first().is_some_and(|&b| self.0[b as usize])
    }
}

/// The words of `text` (as [`analysis::words`] finds them) that [`FirstBytes`] does not rule
/// out: every word holding a character beyond ASCII, and the ASCII words starting with an
/// admitted byte; the others are passed over without finding where they end. Token positions
/// are lost, so this serves queries of stems alone.
fn candidate_words<'t>(
    text: &'t str,
    first: &'t FirstBytes,
) -> impl Iterator<Item = analysis::Word> + 't {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            at = first.next_start(bytes, at, ends_in_word(&text[..at]));
            if at >= bytes.len() {
                return None;
            }
            // An admitted byte stopped at starts no word inside another.
            let start = if bytes[at] < 0x80 {
                at
            } else {
                // `at` is the first byte of a character: continuation bytes are passed over
                // with the character or the word they belong to.
                let c = text[at..].chars().next().unwrap_or(' ');
                if !c.is_alphanumeric() {
                    at += c.len_utf8();
                    continue;
                }
                word_start(text, at)
            };
            let w = analysis::words(&text[start..]).next()?;
            let w = analysis::Word {
                start: start + w.start,
                end: start + w.end,
                ascii: w.ascii,
            };
            at = w.end;
            return Some(w);
        }
    })
}

/// Whether `before` ends with a character of a word.
fn ends_in_word(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// Where the word holding the character at byte `at` begins.
fn word_start(text: &str, at: usize) -> usize {
    let back: usize = (text[..at].chars().rev())
        .take_while(|c| c.is_alphanumeric())
        .map(char::len_utf8)
        .sum();
    at - back
}

impl SnippetGenerator {
    pub fn new(highlights: Vec<Highlight>) -> Self {
        SnippetGenerator {
            highlights,
            stem: analysis::stemmed(),
            exact: analysis::exact(),
            stems: STEMS
                .try_with(|kept| std::mem::replace(&mut *kept.borrow_mut(), Memo::new(KEPT_STEMS)))
                .unwrap_or_else(|_| Memo::new(KEPT_STEMS)),
            tokens: Candidates::default(),
            folded: Folded::default(),
        }
    }

    /// The headline with its matches marked.
    pub fn headline(&mut self, headline: &str) -> Marked {
        let (hits, _) = self.find(headline, Part::Headline);
        let (text, highlights, _) = match headline.is_ascii() {
            true => render(headline.as_bytes(), 0, headline.len(), &hits),
            false => {
                let chars: Vec<char> = headline.chars().collect();
                render(&chars, 0, chars.len(), &hits)
            }
        };
        Marked { text, highlights }
    }

    /// Up to three fragments of the body around its best matches; the opening if nothing matched.
    pub fn body(&mut self, body: &str) -> Marked {
        let (hits, scanned) = self.find(body, Part::Body);
        // Fragments reach at most one fragment past the last match scanned.
        let body = &body[..prefix_end(body, scanned + 4 * FRAGMENT_CHARS)];
        // In ASCII text every byte is a character: the windows are chosen on the bytes as they
        // lie. Other text is folded to one byte per character, and only the chosen windows are
        // decoded.
        if body.is_ascii() {
            let units = body.as_bytes();
            return fragments(units, &hits, |from, to| render(units, from, to, &hits));
        }
        self.folded.fold(body);
        let folded = &self.folded;
        fragments(&folded.units, &hits, |from, to| {
            let (a, b) = (folded.byte_of(from), folded.byte_of(to));
            render_chars(body[a..b].chars(), from, to, &hits)
        })
    }

    /// The matches in `text`, and how many bytes of it were scanned to find them.
    fn find(&mut self, text: &str, part: Part) -> (Vec<Hit>, usize) {
        let active: Vec<usize> = (0..self.highlights.len())
            .filter(|&i| {
                let scope = self.highlights[i].scope();
                match part {
                    Part::Headline => scope.covers_headline(),
                    Part::Body => scope.covers_body(),
                }
            })
            .collect();
        if active.is_empty() || text.is_empty() {
            return (Vec::new(), 0);
        }
        let first = FirstBytes::of(&self.highlights, &active);
        // Long bodies are scanned from the start in growing prefixes, stopping once every part of
        // the query has matched and there is enough for the fragments: the best windows are
        // found early in almost every article, and analysing 50 KB per hit is the costly part.
        // Each round analyses only the new part; matching reruns over all tokens, which is cheap.
        self.tokens.clear();
        let mut done = 0;
        let mut scanned = SCAN_START_BYTES;
        loop {
            let end = prefix_end(text, scanned);
            self.scan(&text[done..end], done, &active, &first);
            done = end;
            let mut hits = self.find_in(&active);
            let mut distinct: Vec<usize> = hits.iter().map(|h| h.which).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let enough = distinct.len() == active.len() && hits.len() >= MAX_FRAGMENTS;
            if end == text.len() || enough {
                to_char_offsets(&text[..end], &mut hits);
                return (hits, end);
            }
            scanned = scanned.saturating_mul(4);
        }
    }

    /// Add the tokens of `text` (which starts at byte `base` of the whole text and neither begins
    /// nor ends inside a word) that some active highlight could match.
    fn scan(&mut self, text: &str, base: usize, active: &[usize], first: &FirstBytes) {
        // Only phrases and prefixes compare token positions; stems need the words that could
        // stem to them, which start with an admitted byte or hold a character beyond ASCII.
        let positions =
            (active.iter()).any(|&i| !matches!(self.highlights[i], Highlight::Stem { .. }));
        if positions {
            for w in analysis::words(text) {
                self.consider(text, w, base, active, first);
            }
        } else {
            for w in candidate_words(text, first) {
                self.consider(text, w, base, active, first);
            }
        }
    }

    /// Keep `w` (a word of `text`) if some active highlight could match it; count its position.
    fn consider(
        &mut self,
        text: &str,
        w: analysis::Word,
        base: usize,
        active: &[usize],
        first: &FirstBytes,
    ) {
        let tokens = &mut self.tokens;
        let word = &text[w.start..w.end];
        let from = tokens.texts.len();
        if w.ascii {
            if !analysis::is_ascii_token(word) {
                return;
            }
            if !first.admits(word) {
                tokens.seen += 1;
                return;
            }
        }
        if !analysis::fold_word(&mut self.exact, word, w.ascii, &mut tokens.texts) {
            return;
        }
        let position = tokens.seen;
        tokens.seen += 1;
        let token = &tokens.texts[from..];
        let wanted = active
            .iter()
            .any(|&i| wants(&self.highlights[i], token, &mut self.stem, &mut self.stems));
        if wanted {
            tokens.kept.push(Candidate {
                position,
                bytes: [base + w.start, base + w.end],
                text: [from, tokens.texts.len()],
            });
        } else {
            tokens.texts.truncate(from);
        }
    }

    /// Matches among the tokens kept so far, as byte ranges.
    fn find_in(&mut self, active: &[usize]) -> Vec<Hit> {
        let tokens = &self.tokens;
        let span = |from: usize, to: usize, which: usize| Hit {
            start: tokens.kept[from].bytes[0],
            end: tokens.kept[to].bytes[1],
            which,
        };
        let mut hits = Vec::new();
        for &which in active {
            match &self.highlights[which] {
                Highlight::Stem { term, .. } => {
                    for k in 0..tokens.kept.len() {
                        let word = tokens.text(k);
                        if could_stem_to(word, term)
                            && stem_of(&mut self.stem, &mut self.stems, word) == term
                        {
                            hits.push(span(k, k, which));
                        }
                    }
                }
                Highlight::Phrase { terms, slop, .. } => {
                    for (from, kept) in phrase_matches(tokens, terms, *slop) {
                        if *slop == 0 {
                            hits.push(span(from, kept[kept.len() - 1], which));
                        } else {
                            hits.extend(kept.iter().map(|&k| span(k, k, which)));
                        }
                    }
                }
                Highlight::Prefix { terms, .. } => {
                    let n = terms.len();
                    for k in 0..tokens.kept.len().saturating_sub(n - 1) {
                        // Every token equal to a term is kept, so a token missing between kept
                        // ones (a gap in positions) breaks the sequence.
                        let p = tokens.kept[k].position;
                        let in_line = (1..n).all(|j| tokens.kept[k + j].position == p + j);
                        let head_ok = (0..n - 1).all(|j| tokens.text(k + j) == terms[j]);
                        if in_line && head_ok && tokens.text(k + n - 1).starts_with(&terms[n - 1]) {
                            hits.push(span(k, k + n - 1, which));
                        }
                    }
                }
            }
        }
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        // Drop hits nested inside an earlier one so highlights never overlap.
        let mut merged: Vec<Hit> = Vec::with_capacity(hits.len());
        for h in hits {
            match merged.last_mut() {
                Some(last) if h.start < last.end => last.end = last.end.max(h.end),
                _ => merged.push(h),
            }
        }
        merged
    }
}

/// Whether `token` could take part in a match of `highlight`: equal to one of its exact words,
/// starting with its prefix, or stemming to its stem.
fn wants(
    highlight: &Highlight,
    token: &str,
    stem: &mut TextAnalyzer,
    stems: &mut Memo<String>,
) -> bool {
    match highlight {
        Highlight::Stem { term, .. } => {
            could_stem_to(token, term) && stem_of(stem, stems, token) == term
        }
        Highlight::Phrase { terms, .. } => terms.iter().any(|t| t == token),
        Highlight::Prefix { terms, .. } => {
            let (last, head) = terms.split_last().expect("a prefix has words");
            token.starts_with(last.as_str()) || head.iter().any(|t| t == token)
        }
    }
}

/// How much of a body the first scan for matches reads.
const SCAN_START_BYTES: usize = 8 * 1024;

/// A byte position at or after `at` where a prefix can end without cutting a word.
fn prefix_end(text: &str, mut at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    // The scan sizes are byte counts and may land inside a multi-byte character.
    while !text.is_char_boundary(at) {
        at += 1;
    }
    text[at..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(text.len(), |(i, _)| at + i)
}

/// English stems keep the word's first letter and are never longer than the word, so most words
/// can be ruled out without running the stemmer.
fn could_stem_to(word: &str, stem: &str) -> bool {
    word.len() >= stem.len() && word.as_bytes().first() == stem.as_bytes().first()
}

fn stem_of<'c>(analyzer: &mut TextAnalyzer, cache: &'c mut Memo<String>, word: &str) -> &'c str {
    if cache.get(word).is_none() {
        let stem = analysis::terms(analyzer, word)
            .into_iter()
            .next()
            .unwrap_or_default();
        cache.insert(word, stem);
    }
    cache.get(word).map_or("", String::as_str)
}

/// Most words whose stems a thread keeps between snippet generators (a few MB at most).
const KEPT_STEMS: usize = 100_000;

thread_local! {
    /// Stems found by this thread's earlier generators: a server makes every page's snippets on
    /// a few pooled threads, and news words recur from query to query, so most words need no
    /// stemmer run. A word's stem never changes, so what is kept is never stale.
    static STEMS: RefCell<Memo<String>> = RefCell::new(Memo::new(KEPT_STEMS));
}

impl Drop for SnippetGenerator {
    fn drop(&mut self) {
        let stems = std::mem::replace(&mut self.stems, Memo::new(KEPT_STEMS));
        // A thread being torn down has no cache left to keep them in.
        let _ = STEMS.try_with(|kept| *kept.borrow_mut() = stems);
    }
}

/// Occurrences of `terms` in order, each term at most `slop` extra tokens after the previous one
/// in total: (index of the first kept token, index of each term's kept token). Every token equal
/// to a term is kept, so the first kept token equal to the next term within reach is the first
/// such token of the whole text.
fn phrase_matches(tokens: &Candidates, terms: &[String], slop: u32) -> Vec<(usize, Vec<usize>)> {
    let mut out = Vec::new();
    let slop = slop as usize;
    let kept = &tokens.kept;
    for start in 0..kept.len() {
        if tokens.text(start) != terms[0] {
            continue;
        }
        let mut found = vec![start];
        let mut budget = slop;
        let mut at = start;
        for term in &terms[1..] {
            let reach = kept[at].position + 1 + budget;
            let next = (at + 1..kept.len())
                .take_while(|&k| kept[k].position <= reach)
                .find(|&k| tokens.text(k) == term);
            match next {
                Some(k) => {
                    budget -= kept[k].position - kept[at].position - 1;
                    at = k;
                    found.push(k);
                }
                None => break,
            }
        }
        if found.len() == terms.len() {
            out.push((start, found));
        }
    }
    out
}

/// Turn the byte ranges of `hits` into character ranges of `text`, counting characters once
/// between successive offsets rather than indexing every character of the text.
fn to_char_offsets(text: &str, hits: &mut [Hit]) {
    if text.is_ascii() {
        return;
    }
    let mut points: Vec<usize> = hits.iter().flat_map(|h| [h.start, h.end]).collect();
    points.sort_unstable();
    points.dedup();
    let mut chars = Vec::with_capacity(points.len());
    let (mut prev, mut count) = (0, 0);
    for &p in &points {
        count += text[prev..p].chars().count();
        chars.push(count);
        prev = p;
    }
    let char_of = |byte: usize| points.binary_search(&byte).map_or(0, |i| chars[i]);
    for h in hits {
        h.start = char_of(h.start);
        h.end = char_of(h.end);
    }
}

/// The fragments of a body prefix, given as one unit per character, around `hits` (character
/// ranges), joined, with the highlights as character ranges; `render` gives a window's text (see
/// [`render`]).
fn fragments<T: Unit>(
    units: &[T],
    hits: &[Hit],
    mut render: impl FnMut(usize, usize) -> (String, Vec<[usize; 2]>, usize),
) -> Marked {
    let mut out = Marked::default();
    let mut base = 0;
    for (i, (start, end)) in choose_windows(units, hits).into_iter().enumerate() {
        if i > 0 {
            out.text.push_str(JOINER);
            base += JOINER.chars().count();
        }
        let (text, highlights, chars) = render(start, end);
        out.text.push_str(&text);
        out.highlights
            .extend(highlights.into_iter().map(|[s, e]| [s + base, e + base]));
        base += chars;
    }
    out
}

/// One character of a text the windows are chosen on: a `char`, or a byte of ASCII text.
trait Unit: Copy {
    fn char(self) -> char;
}

impl Unit for char {
    #[inline]
    fn char(self) -> char {
        self
    }
}

impl Unit for u8 {
    /// Only ever a byte of ASCII text, which is its own character.
    #[inline]
    fn char(self) -> char {
        char::from(self)
    }
}

/// A character of a text beyond ASCII folded to one byte: ASCII as it is, any other character
/// to the one byte standing for every character the windows treat alike. Windows look at a
/// character only to ask whether it is whitespace, a line break, sentence-ending punctuation or
/// a closing quote, and those beyond ASCII that matter are whitespace and the closing double
/// quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FoldedUnit(u8);

impl FoldedUnit {
    const SPACE: u8 = 0x80;
    const CLOSING_QUOTE: u8 = 0x81;
    const OTHER: u8 = 0x82;

    fn of(c: char) -> FoldedUnit {
        match c {
            c if c.is_ascii() => FoldedUnit(c as u8),
            '\u{201d}' => FoldedUnit(Self::CLOSING_QUOTE),
            c if c.is_whitespace() => FoldedUnit(Self::SPACE),
            _ => FoldedUnit(Self::OTHER),
        }
    }
}

impl Unit for FoldedUnit {
    #[inline]
    fn char(self) -> char {
        match self.0 {
            b if b < 0x80 => char::from(b),
            Self::SPACE => '\u{2003}',
            Self::CLOSING_QUOTE => '\u{201d}',
            _ => '\u{fffd}',
        }
    }
}

/// How many bytes `bytes` starts with that are ASCII: whole blocks are tested at once (a body
/// beyond ASCII has runs of hundreds of ASCII bytes between its quotes and dashes).
fn ascii_run(bytes: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let mut run = 0;
    for block in bytes.chunks(BLOCK) {
        if !block.is_ascii() {
            return run + block.iter().take_while(|b| b.is_ascii()).count();
        }
        run += block.len();
    }
    run
}

/// A text beyond ASCII as windows are chosen on it: one [`FoldedUnit`] per character, and where
/// the characters beyond ASCII are, to find a window's bytes. Folding copies runs of ASCII whole:
/// a news body beyond ASCII is mostly ASCII with a few quotes and dashes, and decoding all of it
/// into `char`s was a twentieth of a served search.
#[derive(Debug, Default)]
struct Folded {
    units: Vec<FoldedUnit>,
    /// Per character beyond ASCII, in text order: its character index, and how many bytes more
    /// than characters the text holds up to and including it.
    wide: Vec<(usize, usize)>,
}

impl Folded {
    fn fold(&mut self, text: &str) {
        self.units.clear();
        self.wide.clear();
        let bytes = text.as_bytes();
        let mut at = 0;
        let mut extra = 0;
        while at < bytes.len() {
            let run = ascii_run(&bytes[at..]);
            (self.units).extend(bytes[at..at + run].iter().map(|&b| FoldedUnit(b)));
            at += run;
            if let Some(c) = text[at..].chars().next() {
                self.units.push(FoldedUnit::of(c));
                extra += c.len_utf8() - 1;
                self.wide.push((self.units.len() - 1, extra));
                at += c.len_utf8();
            }
        }
    }

    /// The byte offset of the character at index `char_index` (the text's length past its end).
    fn byte_of(&self, char_index: usize) -> usize {
        let before = self.wide.partition_point(|&(c, _)| c < char_index);
        char_index + before.checked_sub(1).map_or(0, |k| self.wide[k].1)
    }
}

/// Pick up to three non-overlapping windows covering the most distinct matches, in text order.
fn choose_windows<T: Unit>(chars: &[T], hits: &[Hit]) -> Vec<(usize, usize)> {
    if hits.is_empty() {
        return vec![window_from(chars, 0, 0)];
    }
    // A hit's window does not depend on the round, and finding its sentence start is the costly
    // part, so each is found once.
    let mut starts = SentenceStarts::default();
    let around: Vec<(usize, usize)> = hits
        .iter()
        .map(|h| window_around(chars, h.start, h.end, &mut starts))
        .collect();
    let mut covered = vec![false; hits.len()];
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut inside: Vec<usize> = Vec::new();
    while chosen.len() < MAX_FRAGMENTS {
        let mut best: Option<((usize, usize), (usize, usize))> = None;
        for (i, &w) in around.iter().enumerate() {
            if covered[i] {
                continue;
            }
            if chosen.iter().any(|c| c.0 < w.1 && w.0 < c.1) {
                continue;
            }
            // Hits are in text order and never overlap, so those inside a window are a run.
            let from = hits.partition_point(|x| x.start < w.0);
            let to = hits.partition_point(|x| x.end <= w.1).max(from);
            inside.clear();
            inside.extend(
                hits[from..to]
                    .iter()
                    .zip(&covered[from..to])
                    .filter(|(_, c)| !**c)
                    .map(|(x, _)| x.which),
            );
            let matches = inside.len();
            inside.sort_unstable();
            inside.dedup();
            let score = (inside.len(), matches);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, w));
            }
        }
        let Some((_, w)) = best else { break };
        for (i, h) in hits.iter().enumerate() {
            if h.start < w.1 && h.end > w.0 {
                covered[i] = true;
            }
        }
        chosen.push(w);
    }
    chosen.sort_unstable();
    chosen
}

/// A window of about FRAGMENT_CHARS containing `[start, end)`: from the sentence start when that is
/// close enough, else from a word boundary a little before the match.
fn window_around<T: Unit>(
    chars: &[T],
    start: usize,
    end: usize,
    starts: &mut SentenceStarts,
) -> (usize, usize) {
    let room = FRAGMENT_CHARS.saturating_sub(end - start);
    let lead_max = (room / 2).max(20).min(room.max(1));
    let from = match starts.within(chars, start, lead_max.max(room * 2 / 3)) {
        Some(sentence) => sentence,
        None => word_start_after(chars, start.saturating_sub(lead_max), start),
    };
    window_from(chars, from, end)
}

/// A window starting at `from`, ending at a sentence or word boundary near FRAGMENT_CHARS, and
/// never before `must_reach`.
fn window_from<T: Unit>(chars: &[T], from: usize, must_reach: usize) -> (usize, usize) {
    let from = skip_space(chars, from);
    let limit = (from + FRAGMENT_CHARS).min(chars.len());
    if limit == chars.len() {
        return (from, trim_end(chars, from, limit));
    }
    let floor = must_reach.max(from + FRAGMENT_CHARS * 2 / 3);
    // Prefer ending a sentence, then a word.
    let sentence_end = (floor..limit)
        .rev()
        .find(|&i| is_sentence_end(chars, i))
        .map(|i| i + 1);
    let end = sentence_end.unwrap_or_else(|| {
        (must_reach.max(from + 1)..=limit)
            .rev()
            .find(|&i| i == chars.len() || chars[i].char().is_whitespace())
            .unwrap_or(limit.max(must_reach))
    });
    (from, trim_end(chars, from, end.max(must_reach)))
}

fn is_sentence_end<T: Unit>(chars: &[T], i: usize) -> bool {
    matches!(chars[i].char(), '.' | '!' | '?')
        && chars.get(i + 1).is_none_or(|c| {
            let c = c.char();
            c.is_whitespace() || c == '"' || c == '\u{201d}'
        })
}

/// Where the sentence holding `at` starts, if that is at most `reach` characters back: a window
/// opens there only when it is that close, so the scan never walks further back than that.
/// The tests' reference for [`SentenceStarts::within`].
#[cfg(test)]
fn sentence_start_within<T: Unit>(chars: &[T], at: usize, reach: usize) -> Option<usize> {
    let floor = at.saturating_sub(reach);
    let mut i = at;
    while i > 0 && i >= floor {
        if starts_sentence(chars, i) {
            return Some(i);
        }
        i -= 1;
    }
    (floor == 0).then_some(0)
}

/// Whether a sentence starts at `i` (> 0): after a line break, or after whitespace that follows
/// a sentence's end.
#[inline]
fn starts_sentence<T: Unit>(chars: &[T], i: usize) -> bool {
    let prev = chars[i - 1].char();
    prev == '\n' || (prev.is_whitespace() && i >= 2 && is_sentence_end(chars, i - 2))
}

/// The last sentence start in `[low, high]` (`low` > 0), read backwards.
fn last_start_in<T: Unit>(chars: &[T], low: usize, high: usize) -> Option<usize> {
    (low..=high).rev().find(|&i| starts_sentence(chars, i))
}

/// Sentence starts as windows are placed around a body's hits, in text order. Every hit looked
/// up to a hundred characters back for its sentence's start, and a body's hits are often a few
/// words apart, so the same characters were read again for each: here what was read is kept as
/// a range and the last sentence start in it, and a later hit reads only what lies past it.
#[derive(Debug, Default)]
struct SentenceStarts {
    /// The positions read, `[low, high]`, and the last sentence start among them.
    read: Option<(usize, usize, Option<usize>)>,
}

impl SentenceStarts {
    /// Where the sentence holding `at` starts, if that is at most `reach` characters back (a
    /// fresh look back, `sentence_start_within` in the tests, gives the same).
    fn within<T: Unit>(&mut self, chars: &[T], at: usize, reach: usize) -> Option<usize> {
        let floor = at.saturating_sub(reach);
        self.last_start(chars, floor.max(1), at)
            .or((floor == 0).then_some(0))
    }

    /// The last sentence start in `[low, high]` (`low` > 0).
    fn last_start<T: Unit>(&mut self, chars: &[T], low: usize, high: usize) -> Option<usize> {
        if low > high {
            return None;
        }
        // What was read helps a range reaching at least as far, starting no later than just past it.
        let kept = self.read.filter(|&(_, h, _)| h <= high && low <= h + 1);
        let Some((l, h, last)) = kept else {
            let found = last_start_in(chars, low, high);
            self.read = Some((found.unwrap_or(low), high, found));
            return found;
        };
        if let Some(i) = last_start_in(chars, low.max(h + 1), high) {
            self.read = Some((i, high, Some(i)));
            return Some(i);
        }
        // Nothing past `h`: `last` is the last start of `[l, high]`.
        let answer = match last {
            Some(a) => (a >= low).then_some(a),
            None if low >= l => None,
            None => {
                let found = last_start_in(chars, low, l - 1);
                self.read = Some((found.unwrap_or(low), high, found));
                return found;
            }
        };
        self.read = Some((l, high, last));
        answer
    }
}

fn word_start_after<T: Unit>(chars: &[T], from: usize, limit: usize) -> usize {
    if from == 0 {
        return 0;
    }
    (from..limit)
        .find(|&i| chars[i - 1].char().is_whitespace() && !chars[i].char().is_whitespace())
        .unwrap_or(limit)
}

fn skip_space<T: Unit>(chars: &[T], mut i: usize) -> usize {
    while i < chars.len() && chars[i].char().is_whitespace() {
        i += 1;
    }
    i
}

fn trim_end<T: Unit>(chars: &[T], from: usize, mut end: usize) -> usize {
    while end > from && chars[end - 1].char().is_whitespace() {
        end -= 1;
    }
    end
}

/// The text of `[from, to)` with whitespace runs folded to one space, the hits inside it as
/// character ranges of the folded text, and how many characters the folded text has.
fn render<T: Unit>(
    chars: &[T],
    from: usize,
    to: usize,
    hits: &[Hit],
) -> (String, Vec<[usize; 2]>, usize) {
    render_chars(chars[from..to].iter().map(|c| c.char()), from, to, hits)
}

/// [`render`] of the characters `chars`, which are `[from, to)` of the text.
fn render_chars(
    chars: impl Iterator<Item = char>,
    from: usize,
    to: usize,
    hits: &[Hit],
) -> (String, Vec<[usize; 2]>, usize) {
    let mut out = String::with_capacity(to - from);
    let mut map = Vec::with_capacity(to - from + 1);
    let mut len = 0usize;
    let mut in_space = false;
    for c in chars {
        map.push(len);
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
                len += 1;
            }
            in_space = true;
        } else {
            out.push(c);
            len += 1;
            in_space = false;
        }
    }
    map.push(len);
    let highlights = hits
        .iter()
        .filter(|h| h.start >= from && h.end <= to && h.end > h.start)
        .map(|h| [map[h.start - from], map[h.end - from]])
        .collect();
    (out, highlights, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query::Scope;

    fn marked_words(m: &Marked) -> Vec<String> {
        let chars: Vec<char> = m.text.chars().collect();
        m.highlights
            .iter()
            .map(|[s, e]| chars[*s..*e].iter().collect())
            .collect()
    }

    fn phrase(words: &[&str]) -> Highlight {
        Highlight::Phrase {
            scope: Scope::Text,
            terms: words.iter().map(|s| s.to_string()).collect(),
            slop: 0,
        }
    }

    #[test]
    fn phrase_highlights_only_the_phrase() {
        let body = "The bank raised rates. Officials at the Bank of England said more. A bank in England disagreed.";
        let mut g = SnippetGenerator::new(vec![phrase(&["bank", "of", "england"])]);
        let m = g.body(body);
        assert_eq!(marked_words(&m), vec!["Bank of England"]);
    }

    #[test]
    fn stems_and_prefixes_are_highlighted() {
        let body =
            "Inflation rose. The inflationary spiral worried economists; rates were inflated.";
        let mut g = SnippetGenerator::new(vec![Highlight::Prefix {
            scope: Scope::Text,
            terms: vec!["infla".into()],
        }]);
        assert_eq!(
            marked_words(&g.body(body)),
            vec!["Inflation", "inflationary", "inflated"]
        );
        let term = analysis::terms(&mut analysis::stemmed(), "economist")[0].clone();
        let mut g = SnippetGenerator::new(vec![Highlight::Stem {
            scope: Scope::Text,
            term,
        }]);
        assert_eq!(marked_words(&g.body(body)), vec!["economists"]);
    }

    #[test]
    fn fragments_are_bounded_in_characters_on_multibyte_text() {
        let sentence =
            "Ce café près de la gare était plein à craquer ce matin-là, disaient les habitués. ";
        let body = format!("{}{}", sentence.repeat(20), "Le marché a ouvert. ");
        let mut g = SnippetGenerator::new(vec![Highlight::Stem {
            scope: Scope::Text,
            term: "cafe".into(),
        }]);
        let m = g.body(&body);
        let fragments: Vec<&str> = m.text.split(JOINER).collect();
        assert!(fragments.len() <= MAX_FRAGMENTS);
        for f in &fragments {
            assert!(
                f.chars().count() <= FRAGMENT_CHARS + 20,
                "fragment too long: {f}"
            );
        }
        assert!(marked_words(&m).iter().all(|w| w == "café"));
    }

    #[test]
    fn no_match_gives_the_opening() {
        let body = "First sentence here. Second one follows.";
        let mut g = SnippetGenerator::new(vec![]);
        let m = g.body(body);
        assert_eq!(m.text, body);
        assert!(m.highlights.is_empty());
    }

    #[test]
    fn slop_phrase_marks_each_word() {
        let body = "The central bank of the Republic of England announced.";
        let mut g = SnippetGenerator::new(vec![Highlight::Phrase {
            scope: Scope::Text,
            terms: vec!["bank".into(), "england".into()],
            slop: 4,
        }]);
        assert_eq!(marked_words(&g.body(body)), vec!["bank", "England"]);
    }

    #[test]
    fn regression_scan_boundary_inside_multibyte_char() {
        // Byte 8192, where the first scan stops, falls inside a curly quote; the only match comes
        // after it, so the scan must grow past that point without slicing the character.
        let mut body = "x".repeat(SCAN_START_BYTES - 2);
        body.push_str("\u{201d} and later the tariff talks resumed.");
        assert!(!body.is_char_boundary(SCAN_START_BYTES));
        let mut g = SnippetGenerator::new(vec![phrase(&["tariff", "talks"])]);
        assert_eq!(marked_words(&g.body(&body)), vec!["tariff talks"]);
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use crate::model::query::Scope;

    /// Bodies whose windows meet sentence ends, closing quotes, line breaks, runs of spaces, the
    /// text's edges and a long scan; the last ones hold characters beyond ASCII.
    fn bodies() -> Vec<String> {
        let sentence =
            "The tariff talks resumed on Monday.  Officials said\n\nthe tariff would \"stay\". ";
        vec![
            "tariff".into(),
            "  Tariff talks.  ".into(),
            sentence.repeat(12),
            format!("{}Tariff! {}", "word ".repeat(3000), "x ".repeat(400)),
            format!("{}the end", "No match here at all. ".repeat(40)),
            "A tariff?Then more,tariff. Tariffs\tand\r\ntariffs!".repeat(9),
            format!(
                "{}\u{201c}Tariff,\u{201d} she said. {}",
                "Ce café. ".repeat(30),
                sentence
            ),
            "Le tarif ─ tariff — tariff’s end. ".repeat(20),
            // Whitespace beyond ASCII (no-break, em and ideographic spaces, a line separator),
            // closing quotes after sentence ends, and characters of two to four bytes.
            format!(
                "{}“Tariff talks.” Then\u{a0}the tariff\u{2003}stayed.\u{2028}Tariff! {}",
                "Zölle 😀 東京 café. ".repeat(12),
                "Tarif\u{3000}tariff. ".repeat(30)
            ),
            format!("{} tariff.\u{201d}\u{a0}\u{a0}Next", "é".repeat(300)),
        ]
    }

    /// The windows of an ASCII body chosen on its bytes are those chosen on its characters, and
    /// the snippet of any body is what windowing its characters gives.
    #[test]
    fn windows_on_the_bytes_of_ascii_text_are_the_windows_on_its_characters() {
        let terms = analysis::terms(&mut analysis::stemmed(), "tariff talks");
        let mut marked = 0;
        for body in bodies() {
            let highlights = (terms.iter())
                .map(|t| Highlight::Stem {
                    scope: Scope::Text,
                    term: t.clone(),
                })
                .collect();
            let mut g = SnippetGenerator::new(highlights);
            let (hits, scanned) = g.find(&body, Part::Body);
            let prefix = &body[..prefix_end(&body, scanned + 4 * FRAGMENT_CHARS)];
            let chars: Vec<char> = prefix.chars().collect();
            let on_chars = fragments(&chars, &hits, |f, t| render(&chars, f, t, &hits));
            marked += usize::from(!on_chars.highlights.is_empty());
            if prefix.is_ascii() {
                let bytes = prefix.as_bytes();
                let on_bytes = fragments(bytes, &hits, |f, t| render(bytes, f, t, &hits));
                assert_eq!(on_bytes, on_chars, "{body:?}");
            }
            assert_eq!(g.body(&body), on_chars, "{body:?}");
            let headline: Vec<char> = body.chars().take(90).collect();
            let headline: String = headline.into_iter().collect();
            let (hits, _) = g.find(&headline, Part::Headline);
            let chars: Vec<char> = headline.chars().collect();
            let (text, highlights, _) = render(&chars, 0, chars.len(), &hits);
            assert_eq!(g.headline(&headline), Marked { text, highlights });
        }
        assert_eq!(marked, bodies().len() - 1, "every body but one has a match");
    }

    #[test]
    fn ascii_run_ends_at_the_first_byte_beyond_ascii() {
        for text in [
            "",
            "abc",
            "é",
            "aé",
            &"x".repeat(31),
            &format!("{}é", "x".repeat(32)),
        ] {
            let expected = text.bytes().take_while(|b| b.is_ascii()).count();
            assert_eq!(ascii_run(text.as_bytes()), expected, "{text:?}");
        }
        let long = format!("{}“{}", "y".repeat(70), "z".repeat(40));
        assert_eq!(ascii_run(long.as_bytes()), 70);
        assert_eq!(ascii_run("q".repeat(100).as_bytes()), 100);
    }

    #[test]
    fn folded_text_has_one_unit_per_character_and_finds_each_ones_bytes() {
        let mut folded = Folded::default();
        for text in [
            "",
            "plain",
            "é",
            "a\u{a0}b\u{201d} 😀東x",
            "“Tariff,” she said.\u{2028}Next",
        ] {
            folded.fold(text);
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            assert_eq!(folded.units.len(), chars.len(), "{text:?}");
            for (i, &(byte, c)) in chars.iter().enumerate() {
                assert_eq!(folded.byte_of(i), byte, "{text:?} char {i}");
                let unit = folded.units[i].char();
                assert_eq!(unit.is_whitespace(), c.is_whitespace(), "{text:?} char {i}");
                assert_eq!(
                    unit == c,
                    c.is_ascii() || c == '\u{201d}',
                    "{text:?} char {i}"
                );
            }
            assert_eq!(folded.byte_of(chars.len()), text.len());
        }
    }
}

#[cfg(test)]
mod candidate_tests {
    use super::*;
    use crate::model::query::Scope;

    /// Texts where a word's first letter, a letter inside a word, a character beyond ASCII (a
    /// letter, a curly quote, a digit of another script) and a chunk's edges meet.
    const TEXTS: &[&str] = &[
        "Immigration reform: the immigrants' ‘immigrant’ case, naïve Iranians in Île-de-France.",
        "iimmigr immigrATION xi ix ÉIMMIGRATION émigré i I 1i i1 ٣i i٣ 東京immigration immigration東京",
        "   ",
        "i",
        "é",
        "naïveté’s ’immigration’s’ — ‘Ι’ (Greek iota) İstanbul ıi",
        "x's  x-x, 'x' x_x x.x 1x x1 -- ... \"naive\" (i) i-i",
    ];

    #[test]
    fn candidate_words_are_the_words_first_bytes_admit_or_that_hold_a_character_beyond_ascii() {
        // An empty term admits every byte: the scan then stops wherever no word goes on.
        for terms in [&["immigr"][..], &["i"], &["naiv", "x"], &["1"], &["", "x"]] {
            let highlights: Vec<Highlight> = (terms.iter())
                .map(|t| Highlight::Stem {
                    scope: Scope::Text,
                    term: t.to_string(),
                })
                .collect();
            let active: Vec<usize> = (0..highlights.len()).collect();
            let first = FirstBytes::of(&highlights, &active);
            for text in TEXTS {
                let expected: Vec<analysis::Word> = (analysis::words(text))
                    .filter(|w| !w.ascii || first.admits(&text[w.start..w.end]))
                    .collect();
                let found: Vec<analysis::Word> = candidate_words(text, &first).collect();
                assert_eq!(found, expected, "{terms:?} in {text:?}");
            }
        }
    }

    /// Remembered sentence starts answer as a fresh look back does, for hits in text order at
    /// any spacing and reach, over texts dense in sentence ends, line breaks and quotes.
    #[test]
    fn remembered_sentence_starts_are_the_ones_a_fresh_look_back_finds() {
        let alphabet = [b'a', b'b', b' ', b' ', b'.', b'!', b'?', b'\n', b'"', b'\t'];
        // A small linear congruential generator: the cases are reproducible.
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n
        };
        for _ in 0..400 {
            let len = next(300);
            let text: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let mut starts = SentenceStarts::default();
            let mut at = 0;
            while at <= len {
                let reach = next(120);
                assert_eq!(
                    starts.within(&text, at, reach),
                    sentence_start_within(&text, at, reach),
                    "at {at}, reach {reach} in {:?}",
                    String::from_utf8_lossy(&text)
                );
                at += next(40);
            }
        }
    }
}
