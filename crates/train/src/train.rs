//! Training of the tagger (used by the `train-ner` command): an averaged structured perceptron
//! over hashed features, trained in two stages. Stage 1 uses token, window, gazetteer, cluster and
//! casing features; stage 2 adds what stage 1 predicted for the same words elsewhere in the
//! document. Every design choice is measured by k-fold cross-validation on the training set: the
//! folds' held-out scores pick each stage's number of epochs and give the reported CV F1, and the
//! same held-out stage-1 tags are stage 2's training input (jackknifing), so stage 2 learns how
//! far to trust an imperfect first pass rather than a perfect one. The dev set is scored once, at
//! the end, and never trained or tuned on. Everything is deterministic given the seed.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use newsdex::entities::canonical::{is_generic_word, is_head_word};
use newsdex::entities::casing::{caps_sentences, merge_caps, with_view};
use newsdex::entities::conll::{ConllDoc, Score, read_conll, score_docs, split_held_out};
use newsdex::entities::features::{Feats, TokInfo, base_features, spans, stage2_features};
use newsdex::entities::lexicon::{Lexicon, alias_key};
use newsdex::entities::model::{
    DenseStage, Model, NTAGS, NTRANS, Scratch, Table, Weights, decode_doc, emissions, viterbi,
};

use crate::clusters::{Learned, load_or_learn};
use crate::gazetteers::compile_gazetteers;
use crate::rng::Rng;

/// Options of the training command.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub train: PathBuf,
    pub dev: PathBuf,
    pub gazetteers: PathBuf,
    pub out: PathBuf,
    /// Unlabelled text for word clusters; none means no cluster features.
    pub corpus: Vec<PathBuf>,
    /// Where learned clusters are cached between runs (recomputed when absent).
    pub clusters_cache: Option<PathBuf>,
    pub bits: u32,
    pub max_epochs: usize,
    pub folds: usize,
    pub seed: u64,
    pub stage2: bool,
    pub max_bytes: usize,
    /// Take gazetteers and clusters from this model file instead of building them (to measure
    /// an existing model's design under the same cross-validation).
    pub lexicon_from: Option<PathBuf>,
    /// Leave the learned casings out of the lexicon (no case-restored view).
    pub no_casing: bool,
    /// Probability of hiding a token's own word-identity features in a training step.
    pub word_dropout: f32,
    /// Features (buckets) seen fewer times than this in the training set are not used.
    pub min_count: u32,
    /// Share of training documents also trained on in capitals.
    pub caps_copies: f32,
    /// Use the cluster hierarchy of this model file instead of the learned one (casings are
    /// still learned).
    pub clusters_from: Option<PathBuf>,
    /// Also train the capitals table: weights for sentences in capitals, learned from the
    /// training set together with a copy of it in capitals.
    pub caps_table: bool,
    /// Independent perceptron runs (sentence orders) averaged into each stage's table.
    pub runs: usize,
    /// How each run's steps are weighed in its averaged weights.
    pub averaging: Averaging,
    /// Also train (and cross-validate) on the dev documents outside every K-th; the dev score
    /// is then that of the held-out K-th documents alone.
    pub train_on_dev: Option<usize>,
}

/// The cluster paths an existing model holds for the words of the learned vocabulary (as
/// written and in lower, title and upper case): its hierarchy, learned from other text or from
/// another start, in place of the newly learned one.
fn clusters_of_model(
    path: &std::path::Path,
    learned: &Learned,
) -> Result<std::collections::HashMap<String, u32>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let m = Model::from_bytes(&bytes).context("not a model file")?;
    let mut out = std::collections::HashMap::new();
    let mut title = String::new();
    for w in learned.clusters.keys().chain(learned.casing.keys()) {
        let lower = w.to_lowercase();
        title.clear();
        let mut cs = lower.chars();
        if let Some(f) = cs.next() {
            title.extend(f.to_uppercase());
            title.extend(cs);
        }
        for form in [w.clone(), lower.clone(), title.clone(), w.to_uppercase()] {
            let p = m.lexicon.cluster(&form);
            if p != 0 {
                out.insert(form, p);
            }
        }
    }
    Ok(out)
}

/// How every stage is trained: how often word identity is hidden, how many independent runs
/// are averaged into its table and how each run averages its steps.
#[derive(Debug, Clone, Copy)]
struct Recipe {
    word_dropout: f32,
    runs: usize,
    averaging: Averaging,
}

/// How the weights after each training sentence are weighed in the averaged perceptron's mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Averaging {
    /// Every step alike (Collins 2002).
    Uniform,
    /// Step `t` weighs `t`, so the early weights, learned from few sentences, count less (the
    /// polynomial-decay averaging of Shamir and Zhang 2013, with exponent one).
    Linear,
}

impl Averaging {
    /// The running sums take update `d` at step `c` (counted from 1) as `weight(c) * d`, and the
    /// mean after step `c - 1` is `w - sums / weight(c)`: for uniform weights the mean of
    /// `w_0..w_{c-1}`, for linear ones that of `t * w_t` over `t (t + 1) / 2`.
    fn weight(self, c: f64) -> f64 {
        match self {
            Averaging::Uniform => c,
            Averaging::Linear => c * (c - 1.0),
        }
    }
}

/// Averaged perceptron state: current weights plus the running sums for averaging.
struct Perceptron {
    w: Vec<f32>,
    acc: Vec<f64>,
    trans: [f32; NTRANS],
    tacc: [f64; NTRANS],
    c: f64,
    averaging: Averaging,
}

impl Weights for Perceptron {
    #[inline]
    fn add_row(&self, f: u32, acc: &mut [f32; NTAGS]) {
        add_dense_row(&self.w, f, acc);
    }
    fn trans(&self) -> &[f32; NTRANS] {
        &self.trans
    }
}

/// Add feature `f`'s row of a dense `features x tags` table to the tag scores.
#[inline]
fn add_dense_row(w: &[f32], f: u32, acc: &mut [f32; NTAGS]) {
    let row = &w[f as usize * NTAGS..f as usize * NTAGS + NTAGS];
    for (a, &v) in acc.iter_mut().zip(row) {
        *a += v;
    }
}

/// Plain dense weights (the averaged result).
pub struct Dense {
    pub w: Vec<f32>,
    pub trans: [f32; NTRANS],
}

impl Weights for Dense {
    #[inline]
    fn add_row(&self, f: u32, acc: &mut [f32; NTAGS]) {
        add_dense_row(&self.w, f, acc);
    }
    fn trans(&self) -> &[f32; NTRANS] {
        &self.trans
    }
}

impl Perceptron {
    fn new(bits: u32, averaging: Averaging) -> Self {
        let n = (1usize << bits) * NTAGS;
        Perceptron {
            w: vec![0.0; n],
            acc: vec![0.0; n],
            trans: [0.0; NTRANS],
            tacc: [0.0; NTRANS],
            c: 1.0,
            averaging,
        }
    }

    fn bump(&mut self, f: u32, t: u8, d: f32) {
        let k = f as usize * NTAGS + t as usize;
        self.w[k] += d;
        self.acc[k] += self.averaging.weight(self.c) * d as f64;
    }

    fn bump_trans(&mut self, prev: usize, cur: u8, d: f32) {
        let k = prev * NTAGS + cur as usize;
        self.trans[k] += d;
        self.tacc[k] += self.averaging.weight(self.c) * d as f64;
    }

    /// Add `share` of the averaged weights to `out`.
    fn add_averaged(&self, out: &mut Dense, share: f64) {
        // Before any step the sums are empty and the mean is the weights themselves.
        let c = self.averaging.weight(self.c).max(1.0);
        for ((o, &w), &a) in out.w.iter_mut().zip(&self.w).zip(&self.acc) {
            *o += ((w as f64 - a / c) * share) as f32;
        }
        for (k, t) in out.trans.iter_mut().enumerate() {
            *t += ((self.trans[k] as f64 - self.tacc[k] / c) * share) as f32;
        }
    }
}

/// One prepared training or dev document.
struct Prepared {
    doc: ConllDoc,
    infos: Vec<TokInfo>,
    base: Feats,
    extra: Feats,
}

fn prepare(docs: Vec<ConllDoc>, lex: &Lexicon, bits: u32) -> Vec<Prepared> {
    docs.into_iter()
        .map(|doc| {
            let (infos, base) = base_features(lex, &doc.as_doc(), bits);
            Prepared {
                doc,
                infos,
                base,
                extra: Feats::default(),
            }
        })
        .collect()
}

/// Where a token's own word-identity features (the word as written and in lower case) sit in
/// its base feature list: `base_features` emits them right after the bias.
const WORD_IDENTITY: std::ops::Range<usize> = 1..3;

/// A token's features, without its word identity when `hide`.
fn visible(row: &[u32], hide: bool) -> impl Iterator<Item = &u32> {
    let (a, b) = if hide {
        (
            WORD_IDENTITY.start.min(row.len()),
            WORD_IDENTITY.end.min(row.len()),
        )
    } else {
        (0, 0)
    };
    row[..a].iter().chain(&row[b..])
}

/// Occurrences of every bucket in a set of feature lists, saturating.
fn bucket_counts<'a>(bits: u32, feats: impl Iterator<Item = &'a Feats>) -> Vec<u16> {
    let mut counts = vec![0u16; 1 << bits];
    for f in feats {
        for &b in &f.feats {
            counts[b as usize] = counts[b as usize].saturating_add(1);
        }
    }
    counts
}

/// Drop the features seen fewer than `min` times: weights learned from one or two examples fit
/// those examples rather than the task. The first `keep` features of every token stay, so word
/// identity keeps its place for word dropout.
fn prune_rare(feats: &mut Feats, counts: &[u16], min: u32, keep: usize) {
    let mut out = Vec::with_capacity(feats.feats.len());
    let mut offs = Vec::with_capacity(feats.offs.len());
    offs.push(0u32);
    for i in 0..feats.offs.len() - 1 {
        let row = feats.of(i);
        let k = keep.min(row.len());
        out.extend_from_slice(&row[..k]);
        out.extend(
            row[k..]
                .iter()
                .copied()
                .filter(|&b| counts[b as usize] as u32 >= min),
        );
        offs.push(out.len() as u32);
    }
    feats.feats = out;
    feats.offs = offs;
}

fn feats_of(p: &Prepared, stage2: bool) -> Vec<&Feats> {
    if stage2 {
        vec![&p.base, &p.extra]
    } else {
        vec![&p.base]
    }
}

fn tag_all<W: Weights>(w: &W, docs: &[Prepared], stage2: bool) -> Vec<Vec<u8>> {
    let mut scratch = Scratch::default();
    docs.iter()
        .map(|p| {
            let mut tags = Vec::new();
            decode_doc(
                w,
                &p.doc.as_doc(),
                &feats_of(p, stage2),
                &mut scratch,
                &mut tags,
            );
            tags
        })
        .collect()
}

fn gold_of(docs: &[Prepared]) -> Vec<ConllDoc> {
    docs.iter().map(|p| p.doc.clone()).collect()
}

/// One perceptron run of a stage: its weights, its own order of the training sentences and its
/// own random stream.
struct Run {
    p: Perceptron,
    units: Vec<(usize, usize)>,
    rng: Rng,
}

/// The seed of run `r` of a stage. Run 0 keeps the stage's seed, so a stage of one run is the
/// plain averaged perceptron.
fn run_seed(seed: u64, r: usize) -> u64 {
    seed ^ (r as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Buffers reused by every training step.
#[derive(Default)]
struct Step {
    em: Vec<[f32; NTAGS]>,
    path: Vec<u8>,
    hidden: Vec<bool>,
}

/// One epoch of one run over its sentences, in a fresh order; returns the number of sentences it
/// got wrong. `threshold` is the word-dropout probability on the scale of `u64`.
fn train_epoch(
    run: &mut Run,
    train: &[Prepared],
    stage2: bool,
    threshold: u64,
    step: &mut Step,
) -> usize {
    let Run { p, units, rng } = run;
    let Step { em, path, hidden } = step;
    rng.shuffle(units);
    let mut errors = 0usize;
    for &(d, s) in units.iter() {
        let doc = &train[d];
        let range = doc.doc.sents[s].clone();
        let feats = feats_of(doc, stage2);
        // Word dropout: now and then a token must be tagged without its own identity, from
        // its shape, clusters, gazetteers and context, as an unseen name would be.
        hidden.clear();
        hidden.extend(
            range
                .clone()
                .map(|_| threshold > 0 && rng.next_u64() < threshold),
        );
        em.clear();
        for (k, i) in range.clone().enumerate() {
            let mut acc = [0f32; NTAGS];
            for (g, fs) in feats.iter().enumerate() {
                for &f in visible(fs.of(i), g == 0 && hidden[k]) {
                    p.add_row(f, &mut acc);
                }
            }
            em.push(acc);
        }
        viterbi(em, &p.trans, path);
        let gold = &doc.doc.tags[range.clone()];
        if path.as_slice() != gold {
            errors += 1;
            let mut pg = NTAGS;
            let mut pp = NTAGS;
            for (k, i) in range.enumerate() {
                let (g, q) = (gold[k], path[k]);
                if g != q {
                    for (gi, fs) in feats.iter().enumerate() {
                        for &f in visible(fs.of(i), gi == 0 && hidden[k]) {
                            p.bump(f, g, 1.0);
                            p.bump(f, q, -1.0);
                        }
                    }
                }
                if (pg, g) != (pp, q) {
                    p.bump_trans(pg, g, 1.0);
                    p.bump_trans(pp, q, -1.0);
                }
                pg = g as usize;
                pp = q as usize;
            }
        }
        p.c += 1.0;
    }
    errors
}

/// The mean of the runs' averaged weights: one table, so tagging costs what one run's would,
/// while the accident of one sentence order weighs less.
fn mean_of(runs: &[Run]) -> Dense {
    let n = runs[0].p.w.len();
    let mut out = Dense {
        w: vec![0.0; n],
        trans: [0.0; NTRANS],
    };
    let share = 1.0 / runs.len() as f64;
    for r in runs {
        r.p.add_averaged(&mut out, share);
    }
    out
}

/// Train one stage on `train[idx]` for `epochs` epochs: `recipe.runs` independent runs, each in
/// its own sentence order, whose averaged weights are averaged into one table. After every epoch
/// `each_epoch` gets that table so far (cross-validation scores held-out folds with it); the
/// final one is returned.
#[allow(clippy::too_many_arguments)]
fn train_stage(
    bits: u32,
    train: &[Prepared],
    idx: &[usize],
    stage2: bool,
    epochs: usize,
    seed: u64,
    recipe: Recipe,
    mut each_epoch: impl FnMut(usize, &Dense),
) -> Dense {
    let mut units: Vec<(usize, usize)> = Vec::new();
    for &d in idx {
        for s in 0..train[d].doc.sents.len() {
            units.push((d, s));
        }
    }
    let mut runs: Vec<Run> = (0..recipe.runs.max(1))
        .map(|r| Run {
            p: Perceptron::new(bits, recipe.averaging),
            units: units.clone(),
            rng: Rng::new(run_seed(seed, r)),
        })
        .collect();
    let mut step = Step::default();
    let threshold = (recipe.word_dropout.clamp(0.0, 1.0) as f64 * u64::MAX as f64) as u64;
    for epoch in 1..=epochs {
        let t0 = Instant::now();
        let errors: Vec<usize> = runs
            .iter_mut()
            .map(|r| train_epoch(r, train, stage2, threshold, &mut step))
            .collect();
        eprintln!(
            "  epoch {epoch}: {errors:?} wrong sentences ({:.1}s)",
            t0.elapsed().as_secs_f64()
        );
        if epoch < epochs {
            each_epoch(epoch, &mean_of(&runs));
        }
    }
    let last = mean_of(&runs);
    each_epoch(epochs, &last);
    last
}

/// Stage-two features of every document from its stage-one tags, read through the same
/// case-restored view as at run time.
fn set_stage2_feats(lex: &Lexicon, docs: &mut [Prepared], tags1: &[Vec<u8>], bits: u32) {
    for (p, t) in docs.iter_mut().zip(tags1) {
        let extra = with_view(lex, &p.doc.as_doc(), |v| {
            stage2_features(&p.infos, v, t, bits)
        });
        p.extra = extra;
    }
}

/// The documents (a `share` of them, chosen by the seed) that are also trained on written all in
/// capitals, as wires and headlines are: the model then learns to tag the case-restored view,
/// with its mistakes, and not only text whose casing is right.
fn capitalised_copies(docs: &[ConllDoc], share: f32, seed: u64) -> Vec<usize> {
    let mut rng = Rng::new(seed ^ 0xca95);
    let cut = (share.clamp(0.0, 1.0) as f64 * u64::MAX as f64) as u64;
    (0..docs.len())
        .filter(|_| share > 0.0 && rng.next_u64() <= cut)
        .collect()
}

fn capitalised(doc: &ConllDoc) -> ConllDoc {
    ConllDoc {
        tokens: doc.tokens.iter().map(|t| t.to_uppercase()).collect(),
        ..doc.clone()
    }
}

/// Held-out predictions of a k-fold cross-validation of one stage: for every epoch, the tags of
/// every training document from the model of the fold that did not see it.
struct CvRun {
    tags: Vec<Vec<Vec<u8>>>,
    /// Per epoch, document and token: how far the chosen tag's emission beats "O".
    margins: Vec<Vec<Vec<f32>>>,
}

impl CvRun {
    /// The epoch with the best pooled held-out F1 on the documents `scored` (the training set
    /// as written, or its capitalised copies that follow it), and that score.
    fn best(&self, gold: &[ConllDoc], scored: Range<usize>) -> (usize, Score) {
        let mut best = (1, Score::default());
        // The other documents: the copies after the written ones, or the written ones before.
        let others = if scored.start == 0 {
            scored.end..gold.len()
        } else {
            0..scored.start
        };
        for (e, tags) in self.tags.iter().enumerate() {
            let sc = score_docs(&gold[scored.clone()], &tags[scored.clone()]);
            if !others.is_empty() {
                let rest = score_docs(&gold[others.clone()], &tags[others.clone()]);
                eprintln!(
                    "  cv epoch {}: {} (other documents {})",
                    e + 1,
                    sc.report(),
                    rest.report()
                );
            } else {
                eprintln!("  cv epoch {}: {}", e + 1, sc.report());
            }
            if e == 0 || sc.f1() > best.1.f1() {
                best = (e + 1, sc);
            }
        }
        best
    }
}

/// k-fold cross-validation of one stage over the training set, `epochs` epochs per fold.
#[allow(clippy::too_many_arguments)]
fn cross_validate(
    bits: u32,
    train: &[Prepared],
    fold_of: &[usize],
    k: usize,
    stage2: bool,
    epochs: usize,
    seed: u64,
    recipe: Recipe,
) -> CvRun {
    let n = train.len();
    let mut tags = vec![vec![Vec::new(); n]; epochs];
    let mut margins = vec![vec![Vec::new(); n]; epochs];
    for fold in 0..k {
        eprintln!("stage {}, fold {}/{k}", 1 + stage2 as usize, fold + 1);
        let idx: Vec<usize> = (0..n).filter(|&d| fold_of[d] != fold).collect();
        let held: Vec<usize> = (0..n).filter(|&d| fold_of[d] == fold).collect();
        train_stage(
            bits,
            train,
            &idx,
            stage2,
            epochs,
            seed + fold as u64 + 1,
            recipe,
            |e, w| {
                let (mut em, mut path) = (Vec::new(), Vec::new());
                for &d in &held {
                    let p = &train[d];
                    let n_tok = p.doc.tokens.len();
                    let (t, m) = (&mut tags[e - 1][d], &mut margins[e - 1][d]);
                    t.resize(n_tok, 0);
                    m.resize(n_tok, 0.0);
                    for s in &p.doc.sents {
                        emissions(w, s.clone(), &feats_of(p, stage2), &mut em);
                        viterbi(&em, w.trans(), &mut path);
                        for (k, &q) in path.iter().enumerate() {
                            t[s.start + k] = q;
                            m[s.start + k] = em[k][q as usize] - em[k][0];
                        }
                    }
                }
            },
        );
    }
    CvRun { tags, margins }
}

/// The margin below which a lone generic word is dropped (see `canonical`), chosen on the
/// cross-validated predictions: each candidate is applied to the held-out tags and scored.
fn choose_confident_margin(
    model: &Model,
    train: &[Prepared],
    tags: &[Vec<u8>],
    margins: &[Vec<f32>],
    scored: usize,
) -> f32 {
    let gold = gold_of(&train[..scored]);
    let mut best = (f32::NEG_INFINITY, score_docs(&gold, &tags[..scored]));
    eprintln!("  lone generic words kept always: {}", best.1.report());
    for t in [0.0f32, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0] {
        let pred: Vec<Vec<u8>> = (0..scored)
            .map(|d| drop_lone_generic(model, &train[d].doc, &tags[d], &margins[d], t))
            .collect();
        let sc = score_docs(&gold, &pred);
        eprintln!("  lone generic words need margin {t}: {}", sc.report());
        if sc.f1() > best.1.f1() {
            best = (t, sc);
        }
    }
    best.0
}

/// Tags with the lone generic words below `margin` set to O, unless they head a longer name of
/// the same type in the document (the rule `canonical` applies to mentions).
fn drop_lone_generic(
    model: &Model,
    doc: &ConllDoc,
    tags: &[u8],
    margins: &[f32],
    margin: f32,
) -> Vec<u8> {
    let sp = spans(tags, &doc.sents);
    let lower = |i: usize| alias_key(&doc.tokens[i]);
    let longer: Vec<(u8, Vec<String>)> = sp
        .iter()
        .filter(|&&(a, b, _)| b - a > 1)
        .map(|&(a, b, ty)| (ty, (a..b).map(lower).collect()))
        .collect();
    let mut out = tags.to_vec();
    for &(a, b, ty) in &sp {
        if b - a != 1 || margins[a] >= margin || !is_generic_word(model, &doc.tokens[a]) {
            continue;
        }
        let w = lower(a);
        if !longer
            .iter()
            .any(|(t, long)| *t == ty && is_head_word(long, &w))
        {
            out[a] = 0;
        }
    }
    out
}

/// Both stages of one weight table as training leaves them, with their cross-validation.
struct Stages {
    s1: Dense,
    /// `None` when stage 2 is off or does not beat stage 1 in cross-validation.
    s2: Option<Dense>,
    /// Pooled held-out F1 of the chosen stage and epochs on the scored documents.
    cv: Score,
    /// Held-out tags and margins (see `CvRun`) of the chosen stage and epochs, per document.
    tags: Vec<Vec<u8>>,
    margins: Vec<Vec<f32>>,
    /// Held-out tags of the chosen stage-1 epoch, per document.
    tags1: Vec<Vec<u8>>,
}

/// Cross-validate and train both stages on `train`, the epochs of each chosen by the held-out
/// F1 of the documents `scored`. Stage 2 reads `context(d, tags)` of every document's held-out
/// stage-1 tags (the tags themselves for the main table), and every document is left with
/// those stage-2 features.
#[allow(clippy::too_many_arguments)]
fn train_stages(
    opts: &TrainOptions,
    lex: &Lexicon,
    train: &mut [Prepared],
    fold_of: &[usize],
    k: usize,
    scored: Range<usize>,
    seed: u64,
    recipe: Recipe,
    context: &dyn Fn(usize, &[u8]) -> Vec<u8>,
) -> Stages {
    let bits = opts.bits;
    let gold = gold_of(train);
    let cv1 = cross_validate(
        bits,
        train,
        fold_of,
        k,
        false,
        opts.max_epochs,
        seed,
        recipe,
    );
    let (s1_epochs, cv1_score) = cv1.best(&gold, scored.clone());
    eprintln!("stage 1 cv best: epoch {s1_epochs}, {}", cv1_score.report());
    let all: Vec<usize> = (0..train.len()).collect();
    eprintln!("stage 1, all training data");
    let s1 = train_stage(bits, train, &all, false, s1_epochs, seed, recipe, |_, _| {});
    let mut out = Stages {
        s1,
        s2: None,
        cv: cv1_score,
        tags: cv1.tags[s1_epochs - 1].clone(),
        margins: cv1.margins[s1_epochs - 1].clone(),
        tags1: cv1.tags[s1_epochs - 1].clone(),
    };
    if !opts.stage2 {
        return out;
    }
    // The held-out stage-1 tags of the chosen epoch are the jackknifed input of stage 2: each
    // document's come from a model that never saw it, as at run time.
    let tags1: Vec<Vec<u8>> = out
        .tags1
        .iter()
        .enumerate()
        .map(|(d, t)| context(d, t))
        .collect();
    set_stage2_feats(lex, train, &tags1, bits);
    let seed2 = seed + 100;
    let cv2 = cross_validate(
        bits,
        train,
        fold_of,
        k,
        true,
        opts.max_epochs,
        seed2,
        recipe,
    );
    let (s2_epochs, cv2_score) = cv2.best(&gold, scored);
    eprintln!("stage 2 cv best: epoch {s2_epochs}, {}", cv2_score.report());
    if cv2_score.f1() <= out.cv.f1() {
        eprintln!("stage 2 does not help in cross-validation; keeping stage 1 only");
        return out;
    }
    eprintln!("stage 2, all training data");
    out.s2 = Some(train_stage(
        bits,
        train,
        &all,
        true,
        s2_epochs,
        seed2,
        recipe,
        |_, _| {},
    ));
    out.cv = cv2_score;
    out.tags = cv2.tags[s2_epochs - 1].clone();
    out.margins = cv2.margins[s2_epochs - 1].clone();
    out
}

/// Dev F1 of the unquantised weights (for comparison with the quantised model's).
fn float_dev_score(lex: &Lexicon, st: &Stages, dev: &mut [Prepared], bits: u32) -> Score {
    let gold = gold_of(dev);
    let tags1 = tag_all(&st.s1, dev, false);
    match &st.s2 {
        Some(s2) => {
            set_stage2_feats(lex, dev, &tags1, bits);
            score_docs(&gold, &tag_all(s2, dev, true))
        }
        None => score_docs(&gold, &tags1),
    }
}

/// The capitals table and its cross-validation, with the gold tags it was scored on.
struct CapsTable {
    s1: Dense,
    s2: Option<Dense>,
    /// Held-out tags: of the written training documents first, then of their copies in capitals.
    tags: Vec<Vec<u8>>,
    gold: Vec<ConllDoc>,
}

/// Train the weights for sentences in capitals on the written training documents together with
/// a copy of each in capitals (the first `n` of `train` are the written ones; a copy shares its
/// original's fold), epochs chosen by the held-out F1 of the copies. Its second stage reads, as
/// at run time, its own first stage's tags of the sentences in capitals and the main table's
/// (`main`, held out) of the others.
#[allow(clippy::too_many_arguments)]
fn train_caps_table(
    opts: &TrainOptions,
    lex: &Lexicon,
    main: &Stages,
    train: &[Prepared],
    n: usize,
    fold_of: &[usize],
    k: usize,
    recipe: Recipe,
) -> CapsTable {
    let mut docs: Vec<ConllDoc> = train[..n].iter().map(|p| p.doc.clone()).collect();
    docs.extend(train[..n].iter().map(|p| capitalised(&p.doc)));
    let folds: Vec<usize> = (0..2 * n).map(|d| fold_of[d % n]).collect();
    eprintln!("capitals table: {} documents", docs.len());
    let caps_sents: Vec<Vec<Range<usize>>> =
        docs.iter().map(|d| caps_sentences(&d.as_doc())).collect();
    let mut caps_train = prepare(docs, lex, opts.bits);
    let context = |d: usize, own: &[u8]| {
        let mut tags = main.tags1[d % n].clone();
        for s in &caps_sents[d] {
            tags[s.clone()].copy_from_slice(&own[s.clone()]);
        }
        tags
    };
    let seed = opts.seed + 200;
    let st = train_stages(
        opts,
        lex,
        &mut caps_train,
        &folds,
        k,
        n..2 * n,
        seed,
        recipe,
        &context,
    );
    CapsTable {
        s1: st.s1,
        s2: st.s2,
        tags: st.tags,
        gold: gold_of(&caps_train),
    }
}

/// Quantise one table's stages after `pruned` has zeroed its smallest weights.
fn quantised(
    bits: u32,
    s1: &Dense,
    s2: Option<&Dense>,
    pruned: &dyn Fn(&Dense) -> Vec<f32>,
) -> Table {
    let w1 = pruned(s1);
    let w2 = s2.map(|d| (pruned(d), d.trans));
    Table::from_dense(
        bits,
        &DenseStage {
            w: &w1,
            trans: &s1.trans,
        },
        w2.as_ref()
            .map(|(w, trans)| DenseStage { w, trans })
            .as_ref(),
    )
}

/// Run the whole training and write the model file: cross-validation on the training set picks
/// each stage's epochs (and gives the reported CV F1), the final model is trained on the whole
/// training set, and the dev set is scored once at the end.
pub fn run(opts: &TrainOptions) -> Result<()> {
    let t_start = Instant::now();
    let read = |p: &PathBuf| -> Result<String> {
        std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
    };
    let mut train_docs = read_conll(&read(&opts.train)?);
    let dev_text = read(&opts.dev)?;
    let dev_docs = match opts.train_on_dev {
        Some(every) => {
            let (trained, held) = split_held_out(&dev_text, every);
            let extra = read_conll(&trained);
            eprintln!(
                "training also on {} dev documents; held out and scored: one in {every}, from \
                 the first",
                extra.len()
            );
            train_docs.extend(extra);
            read_conll(&held)
        }
        None => read_conll(&dev_text),
    };
    if train_docs.is_empty() {
        bail!("no training documents in {}", opts.train.display());
    }
    let k = opts.folds.max(2);
    let n_written = train_docs.len();
    // Each document's fold; a capitalised copy shares its original's, so no fold is scored on
    // a copy of text its model was trained on.
    let mut fold_of: Vec<usize> = (0..n_written).map(|d| d % k).collect();
    let copies = capitalised_copies(&train_docs, opts.caps_copies, opts.seed);
    for d in copies {
        train_docs.push(capitalised(&train_docs[d]));
        fold_of.push(fold_of[d]);
    }
    eprintln!(
        "train: {} docs, {} tokens; dev: {} docs, {} tokens",
        train_docs.len(),
        train_docs.iter().map(|d| d.tokens.len()).sum::<usize>(),
        dev_docs.len(),
        dev_docs.iter().map(|d| d.tokens.len()).sum::<usize>()
    );
    let gaz = compile_gazetteers(&opts.gazetteers);
    eprintln!(
        "gazetteers: {} phrases, {} place aliases, {} titles",
        gaz.phrases.len(),
        gaz.place_aliases.len(),
        gaz.titles.len()
    );
    let lex = match &opts.lexicon_from {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let m = Model::from_bytes(&bytes).context("not a model file")?;
            eprintln!(
                "lexicon of {} (casings: {})",
                path.display(),
                m.lexicon.has_casing()
            );
            m.lexicon
        }
        None => {
            let mut learned = if opts.corpus.is_empty() {
                Learned::default()
            } else {
                load_or_learn(&opts.corpus, opts.clusters_cache.as_deref(), opts.seed)?
            };
            eprintln!(
                "clusters: {} words, {} casings",
                learned.clusters.len(),
                learned.casing.len()
            );
            let none = std::collections::HashMap::new();
            let casing = if opts.no_casing {
                &none
            } else {
                &learned.casing
            };
            if let Some(path) = &opts.clusters_from {
                learned.clusters = clusters_of_model(path, &learned)?;
                eprintln!(
                    "clusters of {}: {} words",
                    path.display(),
                    learned.clusters.len()
                );
            }
            Lexicon::build(&gaz.phrases, &learned.clusters, casing)
        }
    };
    let bits = opts.bits;
    let mut train = prepare(train_docs, &lex, bits);
    let mut dev = prepare(dev_docs, &lex, bits);
    if opts.min_count > 1 {
        let counts = bucket_counts(bits, train.iter().map(|p| &p.base));
        for p in train.iter_mut() {
            prune_rare(&mut p.base, &counts, opts.min_count, WORD_IDENTITY.end);
        }
        eprintln!(
            "features seen fewer than {} times left out: {} kept",
            opts.min_count,
            train.iter().map(|p| p.base.feats.len()).sum::<usize>()
        );
    }
    let train_gold = gold_of(&train);
    let dev_gold = gold_of(&dev);
    eprintln!("features ready ({:.1}s)", t_start.elapsed().as_secs_f64());

    let recipe = Recipe {
        word_dropout: opts.word_dropout,
        runs: opts.runs,
        averaging: opts.averaging,
    };
    let mut model = Model {
        bits,
        lexicon: lex,
        table: Table::default(),
        caps: None,
        place_aliases: gaz.place_aliases.iter().cloned().collect(),
        titles: gaz.titles.iter().cloned().collect(),
    };
    let cv_all = 0..n_written;
    let own = |_: usize, t: &[u8]| t.to_vec();
    let main = train_stages(
        opts,
        &model.lexicon,
        &mut train,
        &fold_of,
        k,
        cv_all,
        opts.seed,
        recipe,
        &own,
    );
    if main.s2.is_some() {
        let t = choose_confident_margin(&model, &train, &main.tags, &main.margins, n_written);
        println!("confident margin for lone generic words (cv): {t}");
    }
    let float_dev = float_dev_score(&model.lexicon, &main, &mut dev, bits);
    let mut cv_score = main.cv.clone();
    let caps = if opts.caps_table {
        let caps = train_caps_table(
            opts,
            &model.lexicon,
            &main,
            &train,
            n_written,
            &fold_of,
            k,
            recipe,
        );
        // The system as it runs: sentences in capitals tagged by the capitals table.
        let merged: Vec<Vec<u8>> = (0..n_written)
            .map(|d| {
                let mut tags = main.tags[d].clone();
                merge_caps(&train[d].doc.as_doc(), &caps.tags[d], &mut tags);
                tags
            })
            .collect();
        cv_score = score_docs(&train_gold[..n_written], &merged);
        let in_caps = score_docs(&caps.gold[n_written..], &caps.tags[n_written..]);
        println!(
            "cv F1 of the training set in capitals, capitals table ({k}-fold): {}",
            in_caps.report()
        );
        Some(caps)
    } else {
        None
    };
    let s1 = &main.s1;
    let s2_dense = main.s2.as_ref();
    // Quantise, pruning the smallest weights until the file fits the budget.
    let mut prune = 0f32;
    loop {
        let pruned = |d: &Dense| -> Vec<f32> {
            d.w.iter()
                .map(|&v| if v.abs() < prune { 0.0 } else { v })
                .collect()
        };
        model.table = quantised(bits, s1, s2_dense, &pruned);
        model.caps = caps
            .as_ref()
            .map(|c| quantised(bits, &c.s1, c.s2.as_ref(), &pruned));
        let bytes = model.to_bytes();
        eprintln!(
            "model: {} bytes (prune {prune}), {} rows of {}",
            bytes.len(),
            model.table.row_count(),
            model.table.width
        );
        if bytes.len() <= opts.max_bytes {
            // Score the quantised model, as shipped, on the dev set: the one look at it.
            let check = Model::from_bytes(&bytes).context("re-reading the model")?;
            let pred: Vec<Vec<u8>> = dev_gold
                .iter()
                .map(|d| check.tag_doc(&d.as_doc()))
                .collect();
            let sc = score_docs(&dev_gold, &pred);
            println!("cv F1 ({k}-fold, training set): {}", cv_score.report());
            println!(
                "dev F1 (quantised model): {} (float {})",
                sc.report(),
                float_dev.report()
            );
            let dev_caps: Vec<ConllDoc> = dev_gold.iter().map(capitalised).collect();
            let pred: Vec<Vec<u8>> = dev_caps
                .iter()
                .map(|d| check.tag_doc(&d.as_doc()))
                .collect();
            println!(
                "dev F1 in capitals (quantised model): {}",
                score_docs(&dev_caps, &pred).report()
            );
            if let Some(dir) = opts.out.parent() {
                std::fs::create_dir_all(dir).ok();
            }
            std::fs::write(&opts.out, &bytes)
                .with_context(|| format!("writing {}", opts.out.display()))?;
            eprintln!(
                "wrote {} in {:.1}s",
                opts.out.display(),
                t_start.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        prune = if prune == 0.0 { 0.05 } else { prune * 1.6 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running sums must give the same mean as weighing every step's weights by hand.
    #[test]
    fn averaged_weights_match_the_weighted_mean_of_every_step() {
        // One feature, tag 1, updated by these amounts at steps 1..=6 (0: no update); the uniform
        // mean of its weights is 10 / 7, the linear one 11 / 7.
        let updates = [2.0f32, 0.0, 0.0, -1.0, 0.0, 1.0];
        for averaging in [Averaging::Uniform, Averaging::Linear] {
            let mut p = Perceptron::new(1, averaging);
            // Weights after each step, starting from the zero weights before any step.
            let mut after = vec![0.0f64];
            for &d in &updates {
                if d != 0.0 {
                    p.bump(0, 1, d);
                }
                after.push(p.w[1] as f64);
                p.c += 1.0;
            }
            let step_weight = |t: usize| match averaging {
                Averaging::Uniform => 1.0,
                Averaging::Linear => t as f64,
            };
            let total: f64 = (0..after.len()).map(step_weight).sum();
            let expected: f64 = after
                .iter()
                .enumerate()
                .map(|(t, w)| step_weight(t) * w)
                .sum::<f64>()
                / total;
            let mut out = Dense {
                w: vec![0.0; p.w.len()],
                trans: [0.0; NTRANS],
            };
            p.add_averaged(&mut out, 1.0);
            assert!(
                (out.w[1] as f64 - expected).abs() < 1e-6,
                "{averaging:?}: {} vs {expected}",
                out.w[1]
            );
            assert_eq!(out.w[0], 0.0);
        }
    }

    /// Runs are combined by the plain mean of their averaged weights.
    #[test]
    fn runs_are_averaged_into_one_table() {
        let run = |d: f32| {
            let mut p = Perceptron::new(1, Averaging::Uniform);
            p.bump(1, 2, d);
            p.bump_trans(0, 3, d);
            p.c += 1.0;
            Run {
                p,
                units: Vec::new(),
                rng: Rng::new(1),
            }
        };
        let one = mean_of(&[run(4.0)]);
        // Uniform mean of the weights before and after the one step: 4 / 2.
        assert_eq!(one.w[NTAGS + 2], 2.0);
        let two = mean_of(&[run(4.0), run(-2.0)]);
        assert_eq!(two.w[NTAGS + 2], 0.5);
        assert_eq!(two.trans[3], 0.5);
        assert_eq!(run_seed(7, 0), 7);
        assert_ne!(run_seed(7, 1), run_seed(7, 2));
    }
}
