//! Feature extraction for the tagger, shared by training and run time so both see exactly the same
//! features. Features are strings in spirit ("w-1=the") but are hashed straight into bucket numbers
//! of a fixed-size weight table, which keeps the model small and avoids a feature dictionary.
//! Three groups: the token and its ±2 window (forms, shapes, affixes, gazetteers, clusters);
//! document context that needs no tags (how the same word is cased elsewhere in the article); and,
//! for the second stage, what the first-stage tagger said about the same word elsewhere.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::lexicon::{G_BITS, Lexicon, MAX_PHRASE, gaz_start, mix, word_hash};
use super::tokenize::{Doc, normalize};

/// Per-token features, flattened: token `i` owns `feats[offs[i]..offs[i + 1]]`.
#[derive(Default, Clone)]
pub struct Feats {
    pub feats: Vec<u32>,
    pub offs: Vec<u32>,
}

impl Feats {
    pub fn of(&self, i: usize) -> &[u32] {
        &self.feats[self.offs[i] as usize..self.offs[i + 1] as usize]
    }
}

/// What later feature groups need to know about a token.
pub struct TokInfo {
    /// `word_hash` of the lower-cased token.
    pub lower: u64,
    /// Has an upper-case letter.
    pub cap: bool,
    /// 0 ordinary, 1 sentence-initial, 2 in an all-caps or title-case headline.
    pub ctx: u8,
}

/// Word shape: letters become X/x, digits d, other characters stay; runs are cut at 4, or
/// (short shape) collapsed to one.
fn shape_into(word: &str, short: bool, s: &mut String) {
    s.clear();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k == last {
            run += 1;
            if short || run > 3 {
                continue;
            }
        } else {
            run = 0;
        }
        last = k;
        s.push(k);
    }
}

#[cfg(test)]
fn shape(word: &str, short: bool) -> String {
    let mut s = String::new();
    shape_into(word, short, &mut s);
    s
}

fn title_case(lower: &str) -> String {
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Turns feature templates and their parts (token hashes or small integers) into bucket numbers.
#[derive(Debug, Clone, Copy)]
pub struct Buckets {
    shift: u32,
}

const TEMPLATE_SEED: u64 = 0x2545_f491_4f6c_dd1d;

#[inline]
fn small(v: u64) -> u64 {
    mix(TEMPLATE_SEED, v)
}

impl Buckets {
    pub fn new(bits: u32) -> Self {
        Buckets { shift: 64 - bits }
    }

    #[inline]
    fn of(self, key: u64) -> u32 {
        let x = key.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        (x >> self.shift) as u32
    }

    #[inline]
    pub fn f0(self, tmpl: u64) -> u32 {
        self.of(small(tmpl))
    }

    #[inline]
    pub fn f1(self, tmpl: u64, a: u64) -> u32 {
        self.of(mix(small(tmpl), a))
    }

    #[inline]
    pub fn f2(self, tmpl: u64, a: u64, b: u64) -> u32 {
        self.of(mix(mix(small(tmpl), a), b))
    }

    #[inline]
    pub fn f3(self, tmpl: u64, a: u64, b: u64, c: u64) -> u32 {
        self.of(mix(mix(mix(small(tmpl), a), b), c))
    }
}

/// Collects the bucket numbers of features in the order they are emitted.
pub struct Sink {
    pub out: Vec<u32>,
    b: Buckets,
}

impl Sink {
    pub fn new(bits: u32, capacity: usize) -> Self {
        Sink {
            out: Vec::with_capacity(capacity),
            b: Buckets::new(bits),
        }
    }

    /// A sink writing into `out`, emptied first, so callers can keep one buffer.
    pub fn reuse(bits: u32, mut out: Vec<u32>) -> Self {
        out.clear();
        Sink {
            out,
            b: Buckets::new(bits),
        }
    }

    #[inline]
    pub fn f0(&mut self, tmpl: u64) {
        self.out.push(self.b.f0(tmpl));
    }

    #[inline]
    pub fn f1(&mut self, tmpl: u64, a: u64) {
        self.out.push(self.b.f1(tmpl, a));
    }

    #[inline]
    pub fn f2(&mut self, tmpl: u64, a: u64, b: u64) {
        self.out.push(self.b.f2(tmpl, a, b));
    }

    #[inline]
    pub fn f3(&mut self, tmpl: u64, a: u64, b: u64, c: u64) {
        self.out.push(self.b.f3(tmpl, a, b, c));
    }
}

#[derive(Default, Clone, Copy)]
pub struct DocStat {
    lower_count: u32,
    cap_mid_count: u32,
    /// A token where the word is written in an ordinary (not all-caps) sentence, mid-sentence.
    mixed_form: Option<u32>,
}

/// Hasher for keys that already are good 64-bit hashes.
#[derive(Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub type KeyMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;

pub fn cluster_feats(sink: &mut Sink, tmpl: u64, path: u32, depths: &[u32]) {
    if path == 0 {
        return;
    }
    let depth = 31 - path.leading_zeros();
    for &d in depths {
        let p = if depth > d { path >> (depth - d) } else { path };
        sink.f2(tmpl, d as u64, p as u64);
        if depth <= d {
            break;
        }
    }
}

/// Words that title-cased headlines leave in lower case.
fn is_function_word(lower: &str) -> bool {
    matches!(
        lower,
        "a" | "an"
            | "the"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "and"
            | "or"
            | "but"
            | "by"
            | "with"
            | "from"
            | "as"
            | "vs"
            | "vs."
            | "is"
            | "'s"
    )
}

/// Small lower-case words that may sit inside a gazetteer phrase ("Isle of Man").
fn is_connector(lower: &str) -> bool {
    matches!(
        lower,
        "of" | "and"
            | "de"
            | "la"
            | "le"
            | "del"
            | "da"
            | "do"
            | "dos"
            | "das"
            | "du"
            | "des"
            | "the"
            | "on"
            | "upon"
            | "am"
            | "an"
            | "der"
            | "van"
            | "von"
            | "al"
            | "el"
            | "&"
    )
}

/// What the features need to know about one token's text alone, whatever its neighbours: hashes
/// of its forms and shapes, its cluster and single-word gazetteer flags, and the character
/// classes that the sentence and phrase rules test. Training computes it per token; the run-time
/// tagger once per word type (`tagger`), so both must take it from here.
#[derive(Debug, Clone, Copy, Default)]
pub struct WordFacts {
    /// `word_hash` of the normalised token.
    pub hw: u64,
    /// `word_hash` of its lower-case form.
    pub hl: u64,
    pub hshape: u64,
    /// Hash of the short shape.
    pub hss: u64,
    /// Cluster path, 0 when unknown.
    pub cluster: u32,
    /// Gazetteer flags of the word on its own.
    pub gaz1: u32,
    /// Has an upper-case letter.
    pub cap: bool,
    /// Has a lower-case letter.
    pub has_lower: bool,
    /// Has two or more upper-case letters.
    pub upper2: bool,
    pub comma: bool,
    /// "(" or starting with a digit: marks tables and lists rather than headlines.
    pub tabular: bool,
    pub alpha_start: bool,
    pub num_start: bool,
    pub function_word: bool,
    pub connector: bool,
    pub quote: bool,
}

impl WordFacts {
    /// Facts of a normalised token (see `normalize`); `buf` is scratch space for shapes.
    pub fn of(lex: &Lexicon, t: &str, buf: &mut String) -> Self {
        let cap = t.chars().any(|c| c.is_uppercase());
        let has_lower = t.chars().any(|c| c.is_lowercase());
        let hw = word_hash(t);
        let lower: Cow<str> = if cap || !t.is_ascii() {
            Cow::Owned(t.to_lowercase())
        } else {
            Cow::Borrowed(t)
        };
        let hl = if lower.as_ref() == t {
            hw
        } else {
            word_hash(&lower)
        };
        shape_into(t, false, buf);
        let hshape = word_hash(buf);
        shape_into(t, true, buf);
        let hss = word_hash(buf);
        WordFacts {
            hw,
            hl,
            hshape,
            hss,
            cluster: word_cluster(lex, hw, hl, cap && !has_lower, &lower),
            gaz1: lex.gazetteer_key(gaz_start(hl)),
            cap,
            has_lower,
            upper2: t.chars().filter(|c| c.is_uppercase()).count() >= 2,
            comma: t == ",",
            tabular: t == "(" || t.starts_with(|c: char| c.is_ascii_digit()),
            alpha_start: t.starts_with(|c: char| c.is_alphabetic()),
            num_start: t.starts_with(|c: char| c.is_numeric()),
            function_word: is_function_word(&lower),
            connector: is_connector(&lower),
            quote: is_quote(t),
        }
    }
}

/// Cluster of a word as written, else (all-caps words) of its title-case form, else of its lower
/// case form.
fn word_cluster(lex: &Lexicon, hw: u64, hl: u64, all_caps: bool, lower: &str) -> u32 {
    let c = lex.cluster_of_hash(hw);
    if c != 0 {
        return c;
    }
    if all_caps {
        let c = lex.cluster(&title_case(lower));
        if c != 0 {
            return c;
        }
    }
    if hl != hw { lex.cluster_of_hash(hl) } else { 0 }
}

/// Sentence context of every token: 0 ordinary, 1 sentence-initial, 2 in an all-caps or
/// title-case headline (see `TokInfo::ctx`).
pub fn sentence_contexts(facts: &[WordFacts], sents: &[Range<usize>], ctx: &mut Vec<u8>) {
    ctx.clear();
    ctx.resize(facts.len(), 0);
    for s in sents {
        let headline = is_headline(&facts[s.clone()]);
        for c in &mut ctx[s.clone()] {
            *c = if headline { 2 } else { 0 };
        }
        if !s.is_empty() && !headline {
            ctx[s.start] = 1;
        }
    }
}

/// An all-caps sentence, or a title-cased one: title-cased headlines ("Bomb Suspect Changed After
/// Trip Abroad") lose the same information as all-caps ones, so they are treated alike. Tables
/// and name lists (digits, brackets, commas) are not headlines.
fn is_headline(sent: &[WordFacts]) -> bool {
    let mut upper_words = 0;
    let mut lower_words = 0;
    let mut title_words = 0;
    let mut plain_words = 0;
    let mut commas = 0;
    let mut tabular = false;
    for f in sent {
        if f.has_lower {
            lower_words += 1;
        } else if f.upper2 {
            upper_words += 1;
        }
        commas += f.comma as usize;
        tabular |= f.tabular;
        if !f.alpha_start || f.function_word {
            continue;
        }
        if f.cap {
            title_words += 1;
        } else {
            plain_words += 1;
        }
    }
    let titlecase = title_words >= 4 && plain_words == 0 && commas <= 1 && !tabular;
    (lower_words == 0 && upper_words > 0) || titlecase
}

/// How each word (by lower-case hash) is written across the document: in lower case, and
/// capitalised in mid-sentence of ordinary text.
pub fn doc_stats(
    facts: &[WordFacts],
    sents: &[Range<usize>],
    ctx: &[u8],
    stats: &mut KeyMap<DocStat>,
) {
    stats.clear();
    for s in sents {
        for i in s.clone() {
            let st = stats.entry(facts[i].hl).or_default();
            if !facts[i].cap {
                st.lower_count += 1;
            } else if ctx[i] != 2 && i != s.start && !facts[i - 1].quote {
                st.cap_mid_count += 1;
                if st.mixed_form.is_none() {
                    st.mixed_form = Some(i as u32);
                }
            }
        }
    }
}

/// Gazetteer matches: single words anywhere (`gaz_b` starts as each word's own flags), phrases of
/// up to MAX_PHRASE tokens that start capitalised and continue with capitalised words, numbers or
/// connectors. A phrase's flags go to its first token (`gaz_b`) and to the rest (`gaz_i`).
pub fn phrase_gazetteers(
    lex: &Lexicon,
    facts: &[WordFacts],
    sents: &[Range<usize>],
    gaz_b: &mut Vec<u32>,
    gaz_i: &mut Vec<u32>,
) {
    gaz_b.clear();
    gaz_b.extend(facts.iter().map(|f| f.gaz1));
    gaz_i.clear();
    gaz_i.resize(facts.len(), 0);
    for s in sents {
        for i in s.clone() {
            if !facts[i].cap {
                continue;
            }
            let mut key = gaz_start(facts[i].hl);
            for j in i + 1..(i + MAX_PHRASE).min(s.end) {
                let f = &facts[j];
                if !f.cap && !f.num_start && !f.connector {
                    break;
                }
                key = mix(key, f.hl);
                let g = lex.gazetteer_key(key);
                if g != 0 {
                    gaz_b[i] |= g;
                    for k in &mut gaz_i[i + 1..=j] {
                        *k |= g;
                    }
                }
            }
        }
    }
}

/// Prefixes and suffixes of up to 4 characters.
pub fn affix_features(sink: &mut Sink, w: &str) {
    let mut ends = w
        .char_indices()
        .map(|(b, _)| b)
        .skip(1)
        .chain(std::iter::once(w.len()));
    for k in 1..=4u64 {
        match ends.next() {
            Some(e) => sink.f2(5, k, word_hash(&w[..e])),
            None => break,
        }
    }
    let mut starts = w.char_indices().rev().map(|(b, _)| b);
    for k in 1..=4u64 {
        match starts.next() {
            Some(b) => sink.f2(6, k, word_hash(&w[b..])),
            None => break,
        }
    }
}

/// Beginning and end of sentence, in place of a neighbour's hash.
pub const BOS: u64 = 0x51;
pub const EOS: u64 = 0x52;

/// Stage-independent features of every token of a document, sentences in capitals seen through
/// their case-restored view (`casing`).
pub fn base_features(lex: &Lexicon, doc: &Doc, bits: u32) -> (Vec<TokInfo>, Feats) {
    super::casing::with_view(lex, doc, |doc| base_features_of_view(lex, doc, bits))
}

fn base_features_of_view(lex: &Lexicon, doc: &Doc, bits: u32) -> (Vec<TokInfo>, Feats) {
    let n = doc.tokens.len();
    let norms: Vec<Cow<str>> = doc.tokens.iter().map(|t| normalize(t)).collect();
    let mut buf = String::with_capacity(32);
    let facts: Vec<WordFacts> = norms
        .iter()
        .map(|t| WordFacts::of(lex, t, &mut buf))
        .collect();
    let mut ctxs = Vec::new();
    sentence_contexts(&facts, &doc.sents, &mut ctxs);
    let mut stats: KeyMap<DocStat> = KeyMap::default();
    doc_stats(&facts, &doc.sents, &ctxs, &mut stats);
    let (mut gaz_b, mut gaz_i) = (Vec::new(), Vec::new());
    phrase_gazetteers(lex, &facts, &doc.sents, &mut gaz_b, &mut gaz_i);
    let hw = |i: usize| facts[i].hw;
    let hl = |i: usize| facts[i].hl;
    let hss = |i: usize| facts[i].hss;
    let caps = |i: usize| facts[i].cap;
    let clusters = |i: usize| facts[i].cluster;
    let gaz1 = |i: usize| facts[i].gaz1;

    let mut sink = Sink::new(bits, n * 48);
    let mut offs = Vec::with_capacity(n + 1);
    offs.push(0u32);
    for s in &doc.sents {
        for i in s.clone() {
            let ctx = ctxs[i] as u64;
            let at = |k: isize| -> Option<usize> {
                let j = i as isize + k;
                (j >= s.start as isize && j < s.end as isize).then_some(j as usize)
            };
            let lw = |k: isize| at(k).map_or(if k < 0 { BOS } else { EOS }, hl);
            let sh = |k: isize| at(k).map_or(if k < 0 { BOS } else { EOS }, hss);
            let l = hl(i);
            let ss = hss(i);
            sink.f0(0);
            sink.f1(1, hw(i));
            sink.f1(2, l);
            sink.f1(3, facts[i].hshape);
            sink.f2(4, ss, ctx);
            affix_features(&mut sink, &norms[i]);
            sink.f1(7, lw(-1));
            sink.f1(8, lw(1));
            sink.f1(9, lw(-2));
            sink.f1(10, lw(2));
            sink.f2(11, lw(-1), l);
            sink.f2(12, l, lw(1));
            sink.f3(13, sh(-1), ss, sh(1));
            sink.f2(14, sh(-1), ss);
            sink.f2(15, ss, sh(1));
            sink.f2(16, lw(-1), ss);
            sink.f2(17, ss, lw(1));
            // Gazetteers, conjoined with capitalisation because "will" and "Will" differ.
            let cap = caps(i) as u64;
            for b in 0..G_BITS {
                let bit = 1 << b;
                if gaz_b[i] & bit != 0 {
                    sink.f2(20, b as u64, cap);
                }
                if gaz_i[i] & bit != 0 {
                    sink.f2(21, b as u64, cap);
                }
                if let Some(j) = at(-1)
                    && gaz1(j) & bit != 0
                {
                    sink.f2(22, b as u64, caps(j) as u64);
                }
                if let Some(j) = at(1)
                    && gaz1(j) & bit != 0
                {
                    sink.f2(23, b as u64, caps(j) as u64);
                }
            }
            if gaz_b[i] | gaz_i[i] == 0 && caps(i) {
                sink.f1(24, ctx);
            }
            // Word clusters of the token and its neighbours.
            cluster_feats(&mut sink, 30, clusters(i), &[4, 6, 10, 20]);
            if let Some(j) = at(-1) {
                cluster_feats(&mut sink, 31, clusters(j), &[4, 8]);
            }
            if let Some(j) = at(1) {
                cluster_feats(&mut sink, 32, clusters(j), &[4, 8]);
            }
            if clusters(i) == 0 {
                sink.f1(33, cap);
            }
            if caps(i) {
                let own_first = i == s.start;
                doc_context_features(&mut sink, &facts, &stats, l, ctxs[i], own_first);
            }
            offs.push(sink.out.len() as u32);
        }
    }
    let infos = facts
        .iter()
        .zip(&ctxs)
        .map(|(f, &ctx)| TokInfo {
            lower: f.hl,
            cap: f.cap,
            ctx,
        })
        .collect();
    (
        infos,
        Feats {
            feats: sink.out,
            offs,
        },
    )
}

/// Document context of a capitalised token: is this word capitalised mid-sentence, or written in
/// lower case, elsewhere in the article? Decides sentence-initial and headline words.
pub fn doc_context_features(
    sink: &mut Sink,
    facts: &[WordFacts],
    stats: &KeyMap<DocStat>,
    lower: u64,
    ctx: u8,
    sentence_first: bool,
) {
    let st = stats.get(&lower).copied().unwrap_or_default();
    let own_mid = ctx == 0 && !sentence_first;
    let mid = st.cap_mid_count.saturating_sub(own_mid as u32) > 0;
    let low = st.lower_count > 0;
    sink.f3(40, ctx as u64, mid as u64, low as u64);
    if ctx == 2
        && let Some(m) = st.mixed_form
    {
        let m = &facts[m as usize];
        sink.f1(41, m.hw);
        sink.f1(42, m.hss);
        cluster_feats(sink, 43, m.cluster, &[4, 8, 20]);
    }
}

fn is_quote(t: &str) -> bool {
    matches!(t, "\"" | "'" | "(" | "-")
}

/// Entity type of a tag: 0 for O, 1..=4 for PER, ORG, LOC, MISC.
pub fn tag_type(t: u8) -> u8 {
    t.div_ceil(2)
}

/// Entity spans `(start, end, type)` of a valid BIO tag sequence over a document.
pub fn spans(tags: &[u8], sents: &[Range<usize>]) -> Vec<(usize, usize, u8)> {
    let mut out = Vec::new();
    for s in sents {
        let mut i = s.start;
        while i < s.end {
            let t = tags[i];
            if t == 0 {
                i += 1;
                continue;
            }
            let ty = tag_type(t);
            let mut j = i + 1;
            while j < s.end && tags[j] == ty * 2 {
                j += 1;
            }
            out.push((i, j, ty));
            i = j;
        }
    }
    out
}

fn majority(counts: &[u32; 5]) -> Option<(u8, bool)> {
    let total: u32 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let (best, &c) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(k, &c)| (c, std::cmp::Reverse(k)))
        .unwrap();
    Some((best as u8, c == total))
}

/// Where a token sits in a multi-token name: 0 first, 1 inside, 2 last.
fn position_in(a: usize, b: usize, i: usize) -> usize {
    if i == a {
        0
    } else if i + 1 == b {
        2
    } else {
        1
    }
}

/// Key of a name's initials ("Palestine Liberation Organisation" -> PLO): the first letter of
/// each word that is not a connector, upper-cased, so the key does not depend on the casing of
/// the sentence it was written in.
fn initials_key<'a>(words: impl Iterator<Item = &'a str>) -> Option<u64> {
    let mut key = 0xac40u64;
    let mut len = 0;
    for w in words {
        let Some(c) = w.chars().next() else { continue };
        if !c.is_alphabetic() {
            return None;
        }
        if is_connector(&w.to_lowercase()) {
            continue;
        }
        for u in c.to_uppercase() {
            key = mix(key, u as u64);
        }
        len += 1;
    }
    (len >= 2).then_some(key)
}

/// The initials key of a token written as an acronym (two to six capital letters, dots
/// allowed: "PLO", "U.N."), outside headlines, where every word is in capitals.
fn acronym_key(tok: &str, ctx: u8) -> Option<u64> {
    if ctx == 2 {
        return None;
    }
    let mut key = 0xac40u64;
    let mut len = 0;
    for c in tok.chars() {
        if c == '.' {
            continue;
        }
        if !c.is_uppercase() {
            return None;
        }
        key = mix(key, c as u64);
        len += 1;
    }
    (2..=6).contains(&len).then_some(key)
}

/// What the first stage said about a document's words and names: per word (lower-case hash),
/// the types it was tagged with, its types and positions inside longer names, and its first
/// capitalised occurrence; per name, its types; per set of initials, the types of the longer
/// names they abbreviate.
struct DocEvidence {
    spans: Vec<(usize, usize, u8)>,
    /// Per token, its span in `spans`, or `usize::MAX`.
    span_of: Vec<usize>,
    span_keys: Vec<u64>,
    word_types: KeyMap<[u32; 5]>,
    super_types: KeyMap<[u32; 5]>,
    /// Per word, counts of (type, position) in multi-token names, as `type * 3 + position`.
    super_pos: KeyMap<[u32; 12]>,
    span_types: KeyMap<[u32; 5]>,
    initials: KeyMap<[u32; 5]>,
    /// Per word, the first capitalised occurrence.
    first: KeyMap<usize>,
}

/// A map with room for `k` keys.
fn sized<V>(k: usize) -> KeyMap<V> {
    KeyMap::with_capacity_and_hasher(k, Default::default())
}

impl DocEvidence {
    fn of(infos: &[TokInfo], doc: &Doc, tags1: &[u8]) -> Self {
        let n = infos.len();
        let sp = spans(tags1, &doc.sents);
        // Sized for their most keys at once (the maps are only looked up, never walked): growing
        // them one rehash at a time showed in the indexing profile.
        let caps = infos.iter().filter(|t| t.cap).count();
        let in_names: usize = sp.iter().map(|&(a, b, _)| b - a).sum();
        let mut ev = DocEvidence {
            span_of: vec![usize::MAX; n],
            span_keys: Vec::with_capacity(sp.len()),
            word_types: sized(caps),
            super_types: sized(in_names),
            super_pos: sized(in_names),
            span_types: sized(sp.len()),
            initials: KeyMap::default(),
            first: sized(caps),
            spans: Vec::new(),
        };
        for (i, info) in infos.iter().enumerate() {
            if info.cap {
                ev.word_types.entry(info.lower).or_default()[tag_type(tags1[i]) as usize] += 1;
                ev.first.entry(info.lower).or_insert(i);
            }
        }
        for (k, &(a, b, ty)) in sp.iter().enumerate() {
            let key = (a..b).fold(0x5ba2, |acc, i| mix(acc, infos[i].lower));
            ev.span_types.entry(key).or_default()[ty as usize] += 1;
            ev.span_keys.push(key);
            if b - a > 1
                && let Some(ik) = initials_key(doc.tokens[a..b].iter().copied())
            {
                ev.initials.entry(ik).or_default()[ty as usize] += 1;
            }
            ev.span_of[a..b].fill(k);
            if b - a > 1 {
                for (i, info) in infos.iter().enumerate().take(b).skip(a) {
                    ev.super_types.entry(info.lower).or_default()[ty as usize] += 1;
                    let pos = ty as usize * 3 + position_in(a, b, i);
                    ev.super_pos.entry(info.lower).or_default()[pos - 3] += 1;
                }
            }
        }
        ev.spans = sp;
        ev
    }

    /// The token's own span, when it has one.
    fn span(&self, i: usize) -> Option<(usize, usize, u8)> {
        self.spans.get(self.span_of[i]).copied()
    }
}

/// The first-stage tag read beyond a sentence's ends by the tag-window features.
pub const OUTSIDE_TAG: u64 = 9;

/// The first-stage tag `k` places from token `i`, or [`OUTSIDE_TAG`] past the ends of sentence
/// `s`: training's features and the tagger's summed tables read the window the same way.
#[inline]
pub fn window_tag(tags1: &[u8], s: &std::ops::Range<usize>, i: usize, k: isize) -> u64 {
    let j = i as isize + k;
    if j >= s.start as isize && j < s.end as isize {
        tags1[j as usize] as u64
    } else {
        OUTSIDE_TAG
    }
}

/// Stage-two features of a token's own first-stage tag with its neighbours' (`prev`, `next`).
#[inline]
pub fn tag_trigram_features(sink: &mut Sink, prev: u64, own: u64, next: u64) {
    sink.f1(100, own);
    sink.f2(101, prev, own);
    sink.f2(102, own, next);
}

/// Stage-two feature of the first-stage tags two before a token and its own.
#[inline]
pub fn tag_left_features(sink: &mut Sink, prev2: u64, prev: u64, own: u64) {
    sink.f3(107, prev2, prev, own);
}

/// Stage-two feature of a token's first-stage tag and the two after it.
#[inline]
pub fn tag_right_features(sink: &mut Sink, own: u64, next: u64, next2: u64) {
    sink.f3(108, own, next, next2);
}

/// Second-stage features: the first stage's tags of this token's neighbours and what it said
/// about the same word or name elsewhere in the document (Ratinov and Roth 2009's non-local
/// features: the same word's other tags, its first mention, its place in longer names).
pub fn stage2_features(infos: &[TokInfo], doc: &Doc, tags1: &[u8], bits: u32) -> Feats {
    stage2_into(infos, doc, tags1, bits, true)
}

/// Only the document-level part of `stage2_features` (empty for tokens in lower case): the
/// run-time tagger sums the tag-window part from tables it fills once (see `tagger`).
pub fn stage2_nonlocal_features(infos: &[TokInfo], doc: &Doc, tags1: &[u8], bits: u32) -> Feats {
    stage2_into(infos, doc, tags1, bits, false)
}

fn stage2_into(infos: &[TokInfo], doc: &Doc, tags1: &[u8], bits: u32, window: bool) -> Feats {
    let n = infos.len();
    let ev = DocEvidence::of(infos, doc, tags1);
    let mut sink = Sink::new(bits, if window { n * 12 } else { n });
    let mut offs = Vec::with_capacity(n + 1);
    offs.push(0u32);
    for s in &doc.sents {
        for i in s.clone() {
            if window {
                let tag_at = |k: isize| window_tag(tags1, s, i, k);
                let own = tags1[i] as u64;
                tag_trigram_features(&mut sink, tag_at(-1), own, tag_at(1));
                tag_left_features(&mut sink, tag_at(-2), tag_at(-1), own);
                tag_right_features(&mut sink, own, tag_at(1), tag_at(2));
            }
            if infos[i].cap {
                nonlocal_features(&mut sink, infos, doc, tags1, &ev, i);
            }
            offs.push(sink.out.len() as u32);
        }
    }
    Feats {
        feats: sink.out,
        offs,
    }
}

/// The document-level evidence about capitalised token `i`, its own tags left out of it.
fn nonlocal_features(
    sink: &mut Sink,
    infos: &[TokInfo],
    doc: &Doc,
    tags1: &[u8],
    ev: &DocEvidence,
    i: usize,
) {
    let info = &infos[i];
    let own = tag_type(tags1[i]) as usize;
    let own_tag = tags1[i] as u64;
    let mut wt = ev.word_types[&info.lower];
    wt[own] -= 1;
    if let Some((ty, unanimous)) = majority(&wt) {
        sink.f2(103, ty as u64, unanimous as u64);
        // Evidence from elsewhere matters most where this token's own casing says little: at
        // sentence start and in headlines.
        sink.f3(106, ty as u64, unanimous as u64, info.ctx as u64);
        sink.f2(110, own_tag, ty as u64);
    }
    let own_long = ev.span(i).filter(|&(a, b, _)| b - a > 1);
    if let Some(st) = ev.super_types.get(&info.lower) {
        let mut st = *st;
        let mut sp = ev.super_pos[&info.lower];
        if let Some((a, b, ty)) = own_long {
            st[ty as usize] -= 1;
            sp[ty as usize * 3 + position_in(a, b, i) - 3] -= 1;
        }
        if let Some((ty, _)) = majority(&st) {
            sink.f2(104, ty as u64, own_long.is_none() as u64);
        }
        if let Some((k, _)) = best_of(&sp) {
            sink.f2(111, k as u64, own_long.is_none() as u64);
        }
    }
    if let Some((_, _, ty)) = ev.span(i) {
        let mut et = ev.span_types[&ev.span_keys[ev.span_of[i]]];
        et[ty as usize] -= 1;
        if let Some((ety, _)) = majority(&et) {
            sink.f1(105, ety as u64);
        }
    }
    // The first mention of a name is usually its fullest and most plainly written one.
    let first = ev.first[&info.lower];
    if first != i {
        let long = ev.span(first).is_some_and(|(a, b, _)| b - a > 1);
        sink.f3(
            112,
            tag_type(tags1[first]) as u64,
            long as u64,
            infos[first].ctx as u64,
        );
    }
    if let Some(key) = acronym_key(doc.tokens[i], info.ctx)
        && let Some(it) = ev.initials.get(&key)
        && let Some((ty, _)) = majority(it)
    {
        sink.f1(113, ty as u64);
    }
}

/// The index of the largest count, the first on ties, if any count is non-zero.
fn best_of(counts: &[u32]) -> Option<(usize, u32)> {
    counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c > 0)
        .max_by_key(|&(k, &c)| (c, std::cmp::Reverse(k)))
        .map(|(k, &c)| (k, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(shape("Obama", true), "Xx");
        assert_eq!(shape("Obama", false), "Xxxxx");
        assert_eq!(shape("1996-08-22", true), "d-d-d");
        assert_eq!(shape("U.S.", true), "X.X.");
    }

    #[test]
    fn acronyms_match_the_initials_of_names_in_any_casing() {
        let key = |ws: &[&str]| initials_key(ws.iter().copied());
        let plo = key(&["Palestine", "Liberation", "Organisation"]);
        assert!(plo.is_some());
        assert_eq!(acronym_key("PLO", 0), plo);
        assert_eq!(key(&["PALESTINE", "LIBERATION", "ORGANISATION"]), plo);
        assert_eq!(acronym_key("U.N.", 1), key(&["United", "Nations"]));
        // Connectors have no letter in the initials.
        let opec = key(&["Organisation", "of", "Petroleum", "Exporting", "Countries"]);
        assert_eq!(acronym_key("OPEC", 0), opec);
        assert_ne!(acronym_key("IMF", 0), key(&["World", "Bank"]));
        // Headline words are all in capitals and say nothing; nor do mixed-case words.
        assert_eq!(acronym_key("PLO", 2), None);
        assert_eq!(acronym_key("Plo", 0), None);
        assert_eq!(key(&["Japan"]), None);
    }

    #[test]
    fn positions_in_names() {
        assert_eq!(
            (0..3).map(|i| position_in(0, 3, i)).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(position_in(4, 6, 5), 2);
    }

    #[test]
    fn span_extraction() {
        // B-PER I-PER O B-LOC B-LOC
        let tags = [1, 2, 0, 5, 5];
        let sents = [0..3, 3..5];
        assert_eq!(spans(&tags, &sents), vec![(0, 2, 1), (3, 4, 3), (4, 5, 3)]);
    }
}
