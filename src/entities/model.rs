//! The trained tagger: weight tables, Viterbi decoding, the model file format and the copy of the
//! model that is compiled into the binary. Weights are hashed-feature rows of 9 tag scores,
//! quantised to i16 and stored sparsely (a bitmap says which rows exist, a rank table finds them),
//! because most buckets of the hash space are never touched and a dense table would not fit the
//! 20 MB budget. The file format is a plain little-endian layout of our own so that loading is a
//! few memory copies rather than a per-element deserialiser.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::features::{Feats, TokInfo, base_features, stage2_features};
use super::lexicon::Lexicon;
use super::tokenize::Doc;

pub const NTAGS: usize = 9;
pub const TAG_NAMES: [&str; NTAGS] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
/// Transition table: row `prev` (9 = sentence start) x column `cur`.
pub const NTRANS: usize = (NTAGS + 1) * NTAGS;

pub fn tag_id(name: &str) -> Option<u8> {
    TAG_NAMES.iter().position(|t| *t == name).map(|p| p as u8)
}

/// BIO validity: an I- tag only continues an entity of its own type.
pub fn allowed(prev: usize, cur: usize) -> bool {
    if cur == 0 || cur % 2 == 1 {
        return true;
    }
    prev == cur || prev + 1 == cur
}

/// Anything that gives the 9 tag scores of a feature bucket.
pub trait Weights {
    fn add_row(&self, f: u32, acc: &mut [f32; NTAGS]);
    fn trans(&self) -> &[f32; NTRANS];
}

/// Emission scores of each token of `range`, summed over one or two feature lists.
pub fn emissions<W: Weights>(
    w: &W,
    range: std::ops::Range<usize>,
    feats: &[&Feats],
    out: &mut Vec<[f32; NTAGS]>,
) {
    out.clear();
    for i in range {
        let mut acc = [0f32; NTAGS];
        for fs in feats {
            for &f in fs.of(i) {
                w.add_row(f, &mut acc);
            }
        }
        out.push(acc);
    }
}

/// Best valid BIO sequence under emission and transition scores.
pub fn viterbi(em: &[[f32; NTAGS]], trans: &[f32; NTRANS], out: &mut Vec<u8>) {
    viterbi_into(em, &masked(trans), &mut Vec::new(), out);
}

/// Transition scores with the BIO-invalid ones set to minus infinity, so the decoder needs no
/// validity test: an invalid step then scores minus infinity, which never beats the running best
/// (itself starting at minus infinity), exactly as if it had been skipped.
pub fn masked(trans: &[f32; NTRANS]) -> [f32; NTRANS] {
    let mut m = *trans;
    for prev in 0..=NTAGS {
        for cur in 0..NTAGS {
            if !allowed(prev, cur) {
                m[prev * NTAGS + cur] = f32::NEG_INFINITY;
            }
        }
    }
    m
}

/// Tag scores padded to a whole number of vector registers; lanes past NTAGS stay at minus
/// infinity and never win.
const LANES: usize = 12;

/// `viterbi` with masked transitions (see `masked`) and a reusable back-pointer buffer.
pub fn viterbi_into(
    em: &[[f32; NTAGS]],
    trans: &[f32; NTRANS],
    back: &mut Vec<[u8; NTAGS]>,
    out: &mut Vec<u8>,
) {
    out.clear();
    let n = em.len();
    if n == 0 {
        return;
    }
    back.clear();
    back.resize(n, [0u8; NTAGS]);
    let mut rows = [[f32::NEG_INFINITY; LANES]; NTAGS];
    for (prev, row) in rows.iter_mut().enumerate() {
        row[..NTAGS].copy_from_slice(&trans[prev * NTAGS..(prev + 1) * NTAGS]);
    }
    let mut score = [f32::NEG_INFINITY; NTAGS];
    for (t, s) in score.iter_mut().enumerate() {
        if allowed(NTAGS, t) && !(t > 0 && t % 2 == 0) {
            *s = em[0][t] + trans[NTAGS * NTAGS + t];
        }
    }
    for i in 1..n {
        // Previous tags in increasing order with a strict comparison: ties go to the lowest tag,
        // as in a plain loop. Branch-free selects over whole rows let the compiler vectorise.
        let mut best = [f32::NEG_INFINITY; LANES];
        let mut arg = [0i32; LANES];
        for (prev, row) in rows.iter().enumerate() {
            let ps = score[prev];
            for cur in 0..LANES {
                let v = ps + row[cur];
                let better = v > best[cur];
                best[cur] = if better { v } else { best[cur] };
                arg[cur] = if better { prev as i32 } else { arg[cur] };
            }
        }
        for cur in 0..NTAGS {
            score[cur] = best[cur] + em[i][cur];
            back[i][cur] = arg[cur] as u8;
        }
    }
    let mut best = 0;
    for t in 1..NTAGS {
        if score[t] > score[best] {
            best = t;
        }
    }
    out.resize(n, 0);
    out[n - 1] = best as u8;
    for i in (1..n).rev() {
        out[i - 1] = back[i][out[i] as usize];
    }
}

/// Quantised sparse weight rows of both stages: a row holds the 9 stage-1 scores and, when there
/// is a second stage, its 9 scores, so one lookup per feature serves both passes.
#[derive(Debug, Clone)]
pub struct Table {
    pub bits: u32,
    /// 9 (stage 1 only) or 18 (both stages).
    pub width: usize,
    pub scale: [f32; 2],
    pub trans: [[f32; NTRANS]; 2],
    /// Which buckets have rows, 64 to a block, each beside the number of rows before it, so that
    /// finding a row reads one cache line of the index instead of two (rows are found at random).
    blocks: Vec<Block>,
    pub rows: Vec<i16>,
}

/// 64 buckets of a table: which have rows, and how many rows the buckets before them have.
#[derive(Debug, Clone, Copy)]
struct Block {
    present: u64,
    before: u32,
}

/// The blocks of a bitmap of buckets with rows.
fn blocks(present: &[u64]) -> Vec<Block> {
    let mut before = 0u32;
    present
        .iter()
        .map(|&w| {
            let block = Block { present: w, before };
            before += w.count_ones();
            block
        })
        .collect()
}

impl Default for Table {
    fn default() -> Self {
        Table {
            bits: 0,
            width: NTAGS,
            scale: [1.0; 2],
            trans: [[0.0; NTRANS]; 2],
            blocks: vec![Block {
                present: 0,
                before: 0,
            }],
            rows: Vec::new(),
        }
    }
}

/// Dense weights of one stage as training leaves them.
pub struct DenseStage<'a> {
    pub w: &'a [f32],
    pub trans: &'a [f32; NTRANS],
}

impl Table {
    /// Quantise dense tables (`2^bits * NTAGS` floats each); all-zero rows are dropped.
    pub fn from_dense(bits: u32, s1: &DenseStage, s2: Option<&DenseStage>) -> Self {
        let scale_of = |w: &[f32]| w.iter().fold(0f32, |m, &v| m.max(v.abs())).max(1e-9) / 32000.0;
        let scale = [scale_of(s1.w), s2.map_or(1.0, |s| scale_of(s.w))];
        let width = if s2.is_some() { 2 * NTAGS } else { NTAGS };
        let nrows = 1usize << bits;
        let mut present = vec![0u64; nrows.div_ceil(64)];
        let mut rows = Vec::new();
        let mut q = vec![0i16; width];
        for r in 0..nrows {
            let span = r * NTAGS..(r + 1) * NTAGS;
            for (k, &v) in s1.w[span.clone()].iter().enumerate() {
                q[k] = (v / scale[0]).round() as i16;
            }
            if let Some(s2) = s2 {
                for (k, &v) in s2.w[span].iter().enumerate() {
                    q[NTAGS + k] = (v / scale[1]).round() as i16;
                }
            }
            if q.iter().any(|&v| v != 0) {
                present[r / 64] |= 1 << (r % 64);
                rows.extend_from_slice(&q);
            }
        }
        Table {
            bits,
            width,
            scale,
            trans: [*s1.trans, s2.map_or([0.0; NTRANS], |s| *s.trans)],
            blocks: blocks(&present),
            rows,
        }
    }

    /// Which buckets have rows, 64 to a word (the bitmap the model file stores).
    pub fn present(&self) -> impl Iterator<Item = u64> + '_ {
        self.blocks.iter().map(|b| b.present)
    }

    pub fn row_count(&self) -> usize {
        self.rows.len() / self.width
    }

    pub fn has_stage2(&self) -> bool {
        self.width == 2 * NTAGS
    }

    /// Add the row of bucket `f` (both stages) to `acc`; absent rows are zero.
    #[inline]
    pub fn add_to(&self, f: u32, acc: &mut [i32; 2 * NTAGS]) {
        if let Some(row) = self.row(f) {
            for (a, &v) in acc.iter_mut().zip(row) {
                *a += v as i32;
            }
        }
    }

    #[inline]
    fn row(&self, f: u32) -> Option<&[i16]> {
        self.row_of(f).map(|idx| self.row_at(idx))
    }

    /// Where bucket `f`'s row is among the stored rows; `None` for an absent (zero) row.
    #[inline]
    pub fn row_of(&self, f: u32) -> Option<u32> {
        let f = f as usize;
        let block = *self.blocks.get(f >> 6)?;
        let bit = 1u64 << (f & 63);
        if block.present & bit == 0 {
            return None;
        }
        Some(block.before + (block.present & (bit - 1)).count_ones())
    }

    #[inline]
    fn row_at(&self, idx: u32) -> &[i16] {
        let idx = idx as usize;
        &self.rows[idx * self.width..(idx + 1) * self.width]
    }

    /// Add the stored row `idx` (from `row_of`) to `acc`.
    #[inline]
    pub fn add_row(&self, idx: u32, acc: &mut [i32; 2 * NTAGS]) {
        for (a, &v) in acc.iter_mut().zip(self.row_at(idx)) {
            *a += v as i32;
        }
    }
}

/// A complete tagger.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub bits: u32,
    pub lexicon: Lexicon,
    pub table: Table,
    /// Weights for sentences in capitals (see `casing`), trained on the training set together
    /// with a copy of it in capitals; `None` in models made before it existed, which tag such
    /// sentences with `table`.
    pub caps: Option<Table>,
    /// Alias key (see `lexicon::alias_key`) -> canonical place name.
    pub place_aliases: HashMap<String, String>,
    /// Title keys (see `lexicon::alias_key`).
    pub titles: std::collections::HashSet<String>,
}

/// Scratch buffers reused across sentences.
#[derive(Default)]
pub struct Scratch {
    em: Vec<[f32; NTAGS]>,
    path: Vec<u8>,
}

/// Tag every token of a document with one weight table; `extra` are additional features.
pub fn decode_doc<W: Weights>(
    w: &W,
    doc: &Doc,
    feats: &[&Feats],
    scratch: &mut Scratch,
    tags: &mut Vec<u8>,
) {
    tags.clear();
    tags.resize(doc.tokens.len(), 0);
    for s in &doc.sents {
        emissions(w, s.clone(), feats, &mut scratch.em);
        viterbi(&scratch.em, w.trans(), &mut scratch.path);
        tags[s.clone()].copy_from_slice(&scratch.path);
    }
}

impl Model {
    /// BIO tag ids for every token of a document. With a capitals table, sentences in capitals
    /// (see `casing::caps_sentences`) are tagged by it: its first stage tags them, its second
    /// stage reads those tags together with the main first stage's tags of the other sentences
    /// (the same document context as in its training) and gives their final tags.
    pub fn tag_doc(&self, doc: &Doc) -> Vec<u8> {
        let caps_sents = match &self.caps {
            Some(_) => super::casing::caps_sentences(doc),
            None => Vec::new(),
        };
        let (infos, base) = base_features(&self.lexicon, doc, self.bits);
        let n = doc.tokens.len();
        let t = &self.table;
        let (em1, mut em2) = base_emissions(t, &base, n, &doc.sents);
        let mut tags = vec![0u8; n];
        decode_sents(&em1, &t.trans[0], &doc.sents, &mut tags);
        // The stage-1 tags the capitals table's second stage reads.
        let mut context = tags.clone();
        let caps = match &self.caps {
            Some(c) if !caps_sents.is_empty() => {
                let (cem1, cem2) = base_emissions(c, &base, n, &caps_sents);
                decode_sents(&cem1, &c.trans[0], &caps_sents, &mut context);
                Some((c, cem2))
            }
            _ => None,
        };
        if t.has_stage2() {
            let extra = self.stage2_features(&infos, doc, &tags);
            add_stage2(t, &extra, &doc.sents, &mut em2);
            decode_sents(&em2, &t.trans[1], &doc.sents, &mut tags);
        }
        if let Some((c, mut cem2)) = caps {
            if c.has_stage2() {
                let extra = self.stage2_features(&infos, doc, &context);
                add_stage2(c, &extra, &caps_sents, &mut cem2);
                decode_sents(&cem2, &c.trans[1], &caps_sents, &mut tags);
            } else {
                for s in &caps_sents {
                    tags[s.clone()].copy_from_slice(&context[s.clone()]);
                }
            }
        }
        tags
    }

    /// Stage-two features read, as the base features are, through the case-restored view.
    fn stage2_features(&self, infos: &[TokInfo], doc: &Doc, tags1: &[u8]) -> Feats {
        super::casing::with_view(&self.lexicon, doc, |v| {
            stage2_features(infos, v, tags1, self.bits)
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.u32(self.bits);
        let (k, v) = self.lexicon.parts();
        w.u32s(k);
        w.u32s(v);
        w.table(&self.table);
        let mut aliases: Vec<(&String, &String)> = self.place_aliases.iter().collect();
        aliases.sort();
        w.u32(aliases.len() as u32);
        for (a, c) in aliases {
            w.str(a);
            w.str(c);
        }
        let mut titles: Vec<&String> = self.titles.iter().collect();
        titles.sort();
        w.u32(titles.len() as u32);
        for t in titles {
            w.str(t);
        }
        if let Some(caps) = &self.caps {
            w.table(caps);
        }
        w.0
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return None;
        }
        let bits = r.u32()?;
        let keys = r.u32s()?;
        let vals = r.u32s()?;
        let table = r.table()?;
        let na = r.u32()? as usize;
        let mut place_aliases = HashMap::with_capacity(na);
        for _ in 0..na {
            let a = r.str()?;
            let c = r.str()?;
            place_aliases.insert(a, c);
        }
        let nt = r.u32()? as usize;
        let mut titles = std::collections::HashSet::with_capacity(nt);
        for _ in 0..nt {
            titles.insert(r.str()?);
        }
        // The capitals table comes last, so files without one still read.
        let caps = if r.pos < r.b.len() {
            Some(r.table()?).filter(|c| c.bits == table.bits)
        } else {
            None
        };
        Some(Model {
            bits,
            lexicon: Lexicon::from_parts(keys, vals),
            table,
            caps,
            place_aliases,
            titles,
        })
    }
}

/// Emissions of the base features under one table for the tokens of `sents` (zero elsewhere),
/// for both stages: one lookup per feature serves both.
fn base_emissions(
    t: &Table,
    base: &Feats,
    n: usize,
    sents: &[Range<usize>],
) -> (Vec<[f32; NTAGS]>, Vec<[f32; NTAGS]>) {
    let mut em1 = vec![[0f32; NTAGS]; n];
    let mut em2 = vec![[0f32; NTAGS]; n];
    for i in sents.iter().flat_map(|s| s.clone()) {
        let mut acc = [0i32; 2 * NTAGS];
        for &f in base.of(i) {
            t.add_to(f, &mut acc);
        }
        for k in 0..NTAGS {
            em1[i][k] = acc[k] as f32 * t.scale[0];
            em2[i][k] = acc[NTAGS + k] as f32 * t.scale[1];
        }
    }
    (em1, em2)
}

/// Add the second-stage features' emissions under `t` for the tokens of `sents`.
fn add_stage2(t: &Table, extra: &Feats, sents: &[Range<usize>], em2: &mut [[f32; NTAGS]]) {
    for i in sents.iter().flat_map(|s| s.clone()) {
        let mut acc = [0i32; 2 * NTAGS];
        for &f in extra.of(i) {
            t.add_to(f, &mut acc);
        }
        for k in 0..NTAGS {
            em2[i][k] += acc[NTAGS + k] as f32 * t.scale[1];
        }
    }
}

/// Decode the sentences `sents` into their places in `tags`.
fn decode_sents(
    em: &[[f32; NTAGS]],
    trans: &[f32; NTRANS],
    sents: &[Range<usize>],
    tags: &mut [u8],
) {
    let mut path = Vec::new();
    for s in sents {
        viterbi(&em[s.clone()], trans, &mut path);
        tags[s.clone()].copy_from_slice(&path);
    }
}

const MAGIC: &[u8] = b"NEWSDEX-NER-2\n";

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32s(&mut self, v: &[u32]) {
        self.u32(v.len() as u32);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn table(&mut self, w: &Table) {
        self.u32(w.bits);
        self.u32(w.width as u32);
        for s in w.scale {
            self.0.extend_from_slice(&s.to_le_bytes());
        }
        for t in w.trans.iter().flatten() {
            self.0.extend_from_slice(&t.to_le_bytes());
        }
        self.u32(w.blocks.len() as u32);
        for x in w.present() {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
        self.u32(w.rows.len() as u32);
        for x in &w.rows {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.u32()? as usize;
        let raw = self.take(n.checked_mul(4)?)?;
        Some(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    fn table(&mut self) -> Option<Table> {
        let bits = self.u32()?;
        let width = self.u32()? as usize;
        if width != NTAGS && width != 2 * NTAGS {
            return None;
        }
        let scale = [self.f32()?, self.f32()?];
        let mut trans = [[0f32; NTRANS]; 2];
        for t in trans.iter_mut().flatten() {
            *t = self.f32()?;
        }
        let np = self.u32()? as usize;
        let raw = self.take(np.checked_mul(8)?)?;
        let present: Vec<u64> = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect();
        let nr = self.u32()? as usize;
        let raw = self.take(nr.checked_mul(2)?)?;
        let rows: Vec<i16> = raw
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        if present.len() != (1usize << bits).div_ceil(64) {
            return None;
        }
        let with_rows: usize = present.iter().map(|x| x.count_ones() as usize).sum();
        if with_rows * width != rows.len() {
            return None;
        }
        Some(Table {
            bits,
            width,
            scale,
            trans,
            blocks: blocks(&present),
            rows,
        })
    }
}

static EMBEDDED: &[u8] = include_bytes!("../../models/ner.bin");
static MODEL: OnceLock<Option<Model>> = OnceLock::new();

/// The bytes of the model compiled into the binary.
pub fn embedded_bytes() -> &'static [u8] {
    EMBEDDED
}

/// The model compiled into the binary, parsed on first use. `None` only if the build carries no
/// trained model (an empty `models/ner.bin`), in which case entity extraction finds nothing.
pub fn embedded() -> Option<&'static Model> {
    MODEL.get_or_init(|| Model::from_bytes(EMBEDDED)).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row found through the blocks is the row that counting the bitmap from the start
    /// finds, for buckets with and without rows, in every part of the table.
    #[test]
    fn rows_found_through_blocks_are_the_counted_rows() {
        let table = &embedded().expect("a trained model is compiled in").table;
        let present: Vec<u64> = table.present().collect();
        let counted = |f: usize| {
            let (word, bit) = (present[f / 64], 1u64 << (f % 64));
            (word & bit != 0).then(|| {
                let before: usize = present[..f / 64]
                    .iter()
                    .map(|w| w.count_ones() as usize)
                    .sum::<usize>()
                    + (word & (bit - 1)).count_ones() as usize;
                &table.rows[before * table.width..(before + 1) * table.width]
            })
        };
        let n = 1usize << table.bits;
        let (mut with, mut without) = (0, 0);
        for f in (0..n).step_by(997).chain(n - 64..n) {
            let got = table.row(f as u32);
            assert_eq!(got, counted(f), "bucket {f}");
            if got.is_some() {
                with += 1;
            } else {
                without += 1;
            }
        }
        assert!(
            with > 50 && without > 50,
            "{with} buckets with rows, {without} without"
        );
        assert_eq!(table.row(n as u32), None, "past the end");
    }

    #[test]
    fn viterbi_respects_bio() {
        // Emissions prefer I-PER at the start, which is invalid; the decoder must pick B-PER.
        let mut em = vec![[0f32; NTAGS]; 2];
        em[0][2] = 5.0;
        em[0][1] = 1.0;
        em[1][2] = 5.0;
        let trans = [0f32; NTRANS];
        let mut out = Vec::new();
        viterbi(&em, &trans, &mut out);
        assert_eq!(out, vec![1, 2]);
    }

    /// The straightforward decoder: skip invalid steps, keep the first best previous tag.
    fn reference_viterbi(em: &[[f32; NTAGS]], trans: &[f32; NTRANS]) -> Vec<u8> {
        let n = em.len();
        if n == 0 {
            return Vec::new();
        }
        let mut back = vec![[0u8; NTAGS]; n];
        let mut score = [f32::NEG_INFINITY; NTAGS];
        for (t, s) in score.iter_mut().enumerate() {
            if allowed(NTAGS, t) && !(t > 0 && t % 2 == 0) {
                *s = em[0][t] + trans[NTAGS * NTAGS + t];
            }
        }
        for i in 1..n {
            let mut next = [f32::NEG_INFINITY; NTAGS];
            for cur in 0..NTAGS {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0u8;
                for (prev, &ps) in score.iter().enumerate() {
                    if allowed(prev, cur) && ps + trans[prev * NTAGS + cur] > best {
                        best = ps + trans[prev * NTAGS + cur];
                        arg = prev as u8;
                    }
                }
                next[cur] = best + em[i][cur];
                back[i][cur] = arg;
            }
            score = next;
        }
        let mut out = vec![0u8; n];
        out[n - 1] = (1..NTAGS).fold(0, |b, t| if score[t] > score[b] { t } else { b }) as u8;
        for i in (1..n).rev() {
            out[i - 1] = back[i][out[i] as usize];
        }
        out
    }

    /// The vectorised decoder agrees with the straightforward one, ties included (scores drawn
    /// from a few coarse values tie often).
    #[test]
    fn viterbi_matches_reference() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = |k: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % k) as f32 - (k / 2) as f32
        };
        let mut out = Vec::new();
        for round in 0..2000 {
            let coarse = if round % 2 == 0 { 3 } else { 1000 };
            let mut trans = [0f32; NTRANS];
            for t in trans.iter_mut() {
                *t = next(coarse);
            }
            let n = 1 + (round % 17);
            let em: Vec<[f32; NTAGS]> = (0..n)
                .map(|_| std::array::from_fn(|_| next(coarse)))
                .collect();
            viterbi(&em, &trans, &mut out);
            assert_eq!(out, reference_viterbi(&em, &trans), "round {round}");
        }
    }

    #[test]
    fn table_roundtrip() {
        let bits = 8;
        let mut dense = vec![0f32; (1 << bits) * NTAGS];
        dense[5 * NTAGS + 3] = 2.5;
        dense[200 * NTAGS] = -1.0;
        let trans = [0f32; NTRANS];
        let s1 = DenseStage {
            w: &dense,
            trans: &trans,
        };
        let t = Table::from_dense(bits, &s1, None);
        assert_eq!(t.row_count(), 2);
        let row = t.row(5).expect("row 5");
        assert!((row[3] as f32 * t.scale[0] - 2.5).abs() < 1e-3);
        assert!(t.row(6).is_none());
        let m = Model {
            bits,
            table: t,
            ..Default::default()
        };
        let back = Model::from_bytes(&m.to_bytes()).expect("parse");
        let row = back.table.row(200).expect("row 200");
        assert!((row[0] as f32 * back.table.scale[0] + 1.0).abs() < 1e-3);
        assert!(
            back.caps.is_none(),
            "a file without a capitals table reads as such"
        );
        let mut caps_dense = vec![0f32; (1 << bits) * NTAGS];
        caps_dense[7 * NTAGS + 1] = 4.0;
        let caps = Table::from_dense(
            bits,
            &DenseStage {
                w: &caps_dense,
                trans: &trans,
            },
            None,
        );
        let with_caps = Model {
            caps: Some(caps),
            ..back
        };
        let bytes = with_caps.to_bytes();
        let again = Model::from_bytes(&bytes).expect("parse with capitals table");
        let caps = again.caps.as_ref().expect("capitals table kept");
        assert_eq!(caps.row_count(), 1);
        assert!((caps.row(7).expect("row 7")[1] as f32 * caps.scale[0] - 4.0).abs() < 1e-3);
        assert!(again.table.row(7).is_none(), "the tables stay apart");
        assert!(
            Model::from_bytes(&bytes[..bytes.len() - 3]).is_none(),
            "a cut file fails"
        );
    }
}
