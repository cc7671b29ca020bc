//! Feature extraction for the tagger, shared by training and run time so both see exactly the same
//! features. Features are strings in spirit ("w-1=the") but are hashed straight into bucket numbers
//! of a fixed-size weight table, which keeps the model small and avoids a feature dictionary.
//! Three groups: the token and its ±2 window (forms, shapes, affixes, gazetteers, clusters);
//! document context that needs no tags (how the same word is cased elsewhere in the article); and,
//! for the second stage, what the first-stage tagger said about the same word elsewhere.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use xxhash_rust::xxh3::xxh3_64;

use super::lexicon::{G_BITS, Lexicon, MAX_PHRASE};

/// One document as the tagger sees it: tokens and sentences as token ranges.
pub struct Doc<'a> {
    pub tokens: Vec<&'a str>,
    pub sents: Vec<Range<usize>>,
}

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
    pub lower: String,
    /// Has an upper-case letter.
    pub cap: bool,
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

fn shape(word: &str, short: bool) -> String {
    let mut s = String::with_capacity(8);
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
    s
}

fn title_case(lower: &str) -> String {
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Hashes feature parts into bucket numbers.
pub struct Hasher {
    buf: Vec<u8>,
    mask: u32,
}

impl Hasher {
    pub fn new(bits: u32) -> Self {
        Hasher {
            buf: Vec::with_capacity(64),
            mask: (1u32 << bits) - 1,
        }
    }

    fn add(&mut self, out: &mut Vec<u32>, tmpl: u8, parts: &[&[u8]]) {
        self.buf.clear();
        self.buf.push(tmpl);
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                self.buf.push(0xff);
            }
            self.buf.extend_from_slice(p);
        }
        out.push((xxh3_64(&self.buf) as u32) & self.mask);
    }
}

#[derive(Default, Clone, Copy)]
struct DocStat<'a> {
    lower_count: u32,
    cap_mid_count: u32,
    /// The word as written in an ordinary (not all-caps) sentence, not sentence-initially.
    mixed_form: Option<&'a str>,
}

fn cluster_feats(h: &mut Hasher, out: &mut Vec<u32>, tmpl: u8, path: u32, depths: &[u32]) {
    if path == 0 {
        return;
    }
    let depth = 31 - path.leading_zeros();
    for &d in depths {
        let p = if depth > d { path >> (depth - d) } else { path };
        h.add(out, tmpl, &[&[d as u8], &p.to_le_bytes()]);
        if depth <= d {
            break;
        }
    }
}

/// Stage-independent features of every token of a document.
pub fn base_features(lex: &Lexicon, doc: &Doc, bits: u32) -> (Vec<TokInfo>, Feats) {
    let n = doc.tokens.len();
    let norms: Vec<Cow<str>> = doc.tokens.iter().map(|t| normalize(t)).collect();
    let lowers: Vec<String> = norms.iter().map(|t| t.to_lowercase()).collect();
    let caps: Vec<bool> = norms
        .iter()
        .map(|t| t.chars().any(|c| c.is_uppercase()))
        .collect();
    let mut sent_allcaps = vec![false; n];
    let mut sent_first = vec![false; n];
    let mut stats: HashMap<&str, DocStat> = HashMap::new();
    for s in &doc.sents {
        let mut upper_words = 0;
        let mut lower_words = 0;
        for t in &norms[s.clone()] {
            if t.chars().any(|c| c.is_lowercase()) {
                lower_words += 1;
            } else if t.chars().filter(|c| c.is_uppercase()).count() >= 2 {
                upper_words += 1;
            }
        }
        let allcaps = lower_words == 0 && upper_words > 0;
        for i in s.clone() {
            sent_allcaps[i] = allcaps;
        }
        if !s.is_empty() {
            sent_first[s.start] = true;
        }
        for i in s.clone() {
            let st = stats.entry(lowers[i].as_str()).or_default();
            if !caps[i] {
                st.lower_count += 1;
            } else if !allcaps && i != s.start && !is_quote(&norms[i - 1]) {
                st.cap_mid_count += 1;
                if st.mixed_form.is_none() {
                    st.mixed_form = Some(&norms[i]);
                }
            }
        }
    }
    // Gazetteer matches: every phrase of up to MAX_PHRASE tokens that starts capitalised.
    let mut gaz_b = vec![0u32; n];
    let mut gaz_i = vec![0u32; n];
    let mut gaz1 = vec![0u32; n];
    let mut phrase = String::with_capacity(64);
    for s in &doc.sents {
        for i in s.clone() {
            let g = lex.gazetteer(&lowers[i]);
            gaz1[i] = g;
            gaz_b[i] |= g;
            if !caps[i] {
                continue;
            }
            phrase.clear();
            phrase.push_str(&lowers[i]);
            for j in i + 1..(i + MAX_PHRASE).min(s.end) {
                phrase.push(' ');
                phrase.push_str(&lowers[j]);
                let g = lex.gazetteer(&phrase);
                if g != 0 {
                    gaz_b[i] |= g;
                    for k in gaz_i.iter_mut().take(j + 1).skip(i + 1) {
                        *k |= g;
                    }
                }
            }
        }
    }
    let clusters: Vec<u32> = (0..n)
        .map(|i| {
            let c = lex.cluster(&norms[i]);
            if c != 0 {
                return c;
            }
            if caps[i] && !norms[i].chars().any(|c| c.is_lowercase()) {
                let c = lex.cluster(&title_case(&lowers[i]));
                if c != 0 {
                    return c;
                }
            }
            lex.cluster(&lowers[i])
        })
        .collect();
    let shapes: Vec<String> = norms.iter().map(|t| shape(t, true)).collect();

    let mut h = Hasher::new(bits);
    let mut f = Feats {
        feats: Vec::with_capacity(n * 64),
        offs: Vec::with_capacity(n + 1),
    };
    f.offs.push(0);
    for s in &doc.sents {
        for i in s.clone() {
            let out = &mut f.feats;
            let w = norms[i].as_ref();
            let l = lowers[i].as_str();
            let ss = shapes[i].as_str();
            let ctx: u8 = if sent_allcaps[i] {
                2
            } else if sent_first[i] {
                1
            } else {
                0
            };
            let at = |k: isize| -> Option<usize> {
                let j = i as isize + k;
                if j >= s.start as isize && j < s.end as isize {
                    Some(j as usize)
                } else {
                    None
                }
            };
            let lw = |k: isize| at(k).map_or(if k < 0 { "<s>" } else { "</s>" }, |j| &lowers[j]);
            let sh = |k: isize| at(k).map_or("#", |j| shapes[j].as_str());
            h.add(out, 0, &[]);
            h.add(out, 1, &[w.as_bytes()]);
            h.add(out, 2, &[l.as_bytes()]);
            h.add(out, 3, &[shape(w, false).as_bytes()]);
            h.add(out, 4, &[ss.as_bytes(), &[ctx]]);
            let chars: Vec<char> = w.chars().collect();
            let mut tmp = String::new();
            for k in 1..=4.min(chars.len()) {
                tmp.clear();
                tmp.extend(&chars[..k]);
                h.add(out, 5, &[tmp.as_bytes()]);
                tmp.clear();
                tmp.extend(&chars[chars.len() - k..]);
                h.add(out, 6, &[tmp.as_bytes()]);
            }
            h.add(out, 7, &[lw(-1).as_bytes()]);
            h.add(out, 8, &[lw(1).as_bytes()]);
            h.add(out, 9, &[lw(-2).as_bytes()]);
            h.add(out, 10, &[lw(2).as_bytes()]);
            h.add(out, 11, &[lw(-1).as_bytes(), l.as_bytes()]);
            h.add(out, 12, &[l.as_bytes(), lw(1).as_bytes()]);
            h.add(
                out,
                13,
                &[sh(-1).as_bytes(), ss.as_bytes(), sh(1).as_bytes()],
            );
            h.add(out, 14, &[sh(-1).as_bytes(), ss.as_bytes()]);
            h.add(out, 15, &[ss.as_bytes(), sh(1).as_bytes()]);
            h.add(out, 16, &[lw(-1).as_bytes(), ss.as_bytes()]);
            h.add(out, 17, &[ss.as_bytes(), lw(1).as_bytes()]);
            // Gazetteers, conjoined with capitalisation because "will" and "Will" differ.
            let cap = [caps[i] as u8];
            for b in 0..G_BITS {
                let bit = 1 << b;
                if gaz_b[i] & bit != 0 {
                    h.add(out, 20, &[&[b as u8], &cap]);
                }
                if gaz_i[i] & bit != 0 {
                    h.add(out, 21, &[&[b as u8], &cap]);
                }
                if let Some(j) = at(-1) {
                    if gaz1[j] & bit != 0 {
                        h.add(out, 22, &[&[b as u8], &[caps[j] as u8]]);
                    }
                }
                if let Some(j) = at(1) {
                    if gaz1[j] & bit != 0 {
                        h.add(out, 23, &[&[b as u8], &[caps[j] as u8]]);
                    }
                }
            }
            if gaz_b[i] | gaz_i[i] == 0 && caps[i] {
                h.add(out, 24, &[&[ctx]]);
            }
            // Word clusters of the token and its neighbours.
            cluster_feats(&mut h, out, 30, clusters[i], &[4, 6, 10, 20]);
            if let Some(j) = at(-1) {
                cluster_feats(&mut h, out, 31, clusters[j], &[4, 8]);
            }
            if let Some(j) = at(1) {
                cluster_feats(&mut h, out, 32, clusters[j], &[4, 8]);
            }
            if clusters[i] == 0 {
                h.add(out, 33, &[&cap]);
            }
            // Document context: is this word capitalised mid-sentence, or written in lower case,
            // elsewhere in the article? Decides sentence-initial and headline words.
            if caps[i] {
                let st = stats.get(l).copied().unwrap_or_default();
                let own_mid = ctx == 0 && i != s.start;
                let mid = st.cap_mid_count.saturating_sub(own_mid as u32) > 0;
                let low = st.lower_count > 0;
                h.add(out, 40, &[&[ctx, mid as u8, low as u8]]);
                if ctx == 2 {
                    if let Some(form) = st.mixed_form {
                        h.add(out, 41, &[form.as_bytes()]);
                        h.add(out, 42, &[shape(form, true).as_bytes()]);
                        cluster_feats(&mut h, out, 43, lex.cluster(form), &[4, 8, 20]);
                    }
                }
            }
            f.offs.push(f.feats.len() as u32);
        }
    }
    let infos = lowers
        .into_iter()
        .zip(caps)
        .map(|(lower, cap)| TokInfo { lower, cap })
        .collect();
    (infos, f)
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

/// Second-stage features: the first stage's tags of this token's neighbours and what it said
/// about the same word or name elsewhere in the document.
pub fn stage2_features(infos: &[TokInfo], doc: &Doc, tags1: &[u8], bits: u32) -> Feats {
    let n = infos.len();
    let sp = spans(tags1, &doc.sents);
    let mut word_types: HashMap<&str, [u32; 5]> = HashMap::new();
    for i in 0..n {
        if infos[i].cap {
            word_types.entry(&infos[i].lower).or_default()[tag_type(tags1[i]) as usize] += 1;
        }
    }
    let mut super_types: HashMap<&str, [u32; 5]> = HashMap::new();
    let mut span_types: HashMap<String, [u32; 5]> = HashMap::new();
    let mut span_of = vec![usize::MAX; n];
    let mut span_keys = Vec::with_capacity(sp.len());
    for (k, &(a, b, ty)) in sp.iter().enumerate() {
        let key: Vec<&str> = (a..b).map(|i| infos[i].lower.as_str()).collect();
        let key = key.join(" ");
        span_types.entry(key.clone()).or_default()[ty as usize] += 1;
        span_keys.push(key);
        for i in a..b {
            span_of[i] = k;
            if b - a > 1 {
                super_types.entry(&infos[i].lower).or_default()[ty as usize] += 1;
            }
        }
    }
    let mut h = Hasher::new(bits);
    let mut f = Feats {
        feats: Vec::with_capacity(n * 8),
        offs: Vec::with_capacity(n + 1),
    };
    f.offs.push(0);
    for s in &doc.sents {
        for i in s.clone() {
            let out = &mut f.feats;
            let prev = if i > s.start { tags1[i - 1] } else { 9 };
            let next = if i + 1 < s.end { tags1[i + 1] } else { 9 };
            h.add(out, 100, &[&[tags1[i]]]);
            h.add(out, 101, &[&[prev, tags1[i]]]);
            h.add(out, 102, &[&[tags1[i], next]]);
            if infos[i].cap {
                let own = tag_type(tags1[i]) as usize;
                let mut wt = word_types[infos[i].lower.as_str()];
                wt[own] -= 1;
                if let Some((ty, unanimous)) = majority(&wt) {
                    h.add(out, 103, &[&[ty, unanimous as u8]]);
                }
                if let Some(st) = super_types.get(infos[i].lower.as_str()) {
                    let mut st = *st;
                    if let Some(&(a, b, ty)) = sp.get(span_of[i]) {
                        if b - a > 1 {
                            st[ty as usize] -= 1;
                        }
                    }
                    if let Some((ty, _)) = majority(&st) {
                        let single = span_of[i] == usize::MAX || {
                            let (a, b, _) = sp[span_of[i]];
                            b - a == 1
                        };
                        h.add(out, 104, &[&[ty, single as u8]]);
                    }
                }
                if span_of[i] != usize::MAX {
                    let (_, _, ty) = sp[span_of[i]];
                    let mut et = span_types[&span_keys[span_of[i]]];
                    et[ty as usize] -= 1;
                    if let Some((ety, _)) = majority(&et) {
                        h.add(out, 105, &[&[ety]]);
                    }
                }
            }
            f.offs.push(f.feats.len() as u32);
        }
    }
    f
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
    fn span_extraction() {
        // B-PER I-PER O B-LOC B-LOC
        let tags = [1, 2, 0, 5, 5];
        assert_eq!(spans(&tags, &[0..5]), vec![(0, 2, 1), (3, 4, 3), (4, 5, 3)]);
    }
}
