//! Training of the tagger (used by the `train-ner` command): an averaged structured perceptron
//! over hashed features, trained in two stages. Stage 1 uses token, window, gazetteer, cluster and
//! casing features; stage 2 adds what stage 1 predicted for the same words elsewhere in the
//! document. Stage-2 training data gets its stage-1 tags by cross-validation (jackknifing), so
//! stage 2 learns how far to trust an imperfect first pass rather than a perfect one. The dev set
//! only picks the number of epochs; it is never trained on. Everything is deterministic given
//! the seed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::conll::{ConllDoc, Score, read_conll, score_docs};
use super::features::{Feats, TokInfo, base_features, stage2_features};
use super::lexicon::{Lexicon, compile_gazetteers};
use super::model::{DenseStage, Model, NTAGS, NTRANS, Scratch, Table, Weights, decode_doc};

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
}

/// Small deterministic PRNG (xorshift64*), so runs repeat exactly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Averaged perceptron state: current weights plus the running sums for averaging.
struct Perceptron {
    w: Vec<f32>,
    acc: Vec<f64>,
    trans: [f32; NTRANS],
    tacc: [f64; NTRANS],
    c: f64,
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
    fn new(bits: u32) -> Self {
        let n = (1usize << bits) * NTAGS;
        Perceptron {
            w: vec![0.0; n],
            acc: vec![0.0; n],
            trans: [0.0; NTRANS],
            tacc: [0.0; NTRANS],
            c: 1.0,
        }
    }

    fn bump(&mut self, f: u32, t: u8, d: f32) {
        let k = f as usize * NTAGS + t as usize;
        self.w[k] += d;
        self.acc[k] += self.c * d as f64;
    }

    fn bump_trans(&mut self, prev: usize, cur: u8, d: f32) {
        let k = prev * NTAGS + cur as usize;
        self.trans[k] += d;
        self.tacc[k] += self.c * d as f64;
    }

    fn averaged(&self) -> Dense {
        let c = self.c;
        let w = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(&w, &a)| (w as f64 - a / c) as f32)
            .collect();
        let mut trans = [0f32; NTRANS];
        for (k, t) in trans.iter_mut().enumerate() {
            *t = (self.trans[k] as f64 - self.tacc[k] / c) as f32;
        }
        Dense { w, trans }
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

/// Train one stage on `train[idx]`. With a dev set, keeps the best epoch (stopping after
/// `patience` epochs without gain); without, runs exactly `epochs`.
fn train_stage(
    bits: u32,
    train: &[Prepared],
    idx: &[usize],
    dev: Option<(&[Prepared], &[ConllDoc])>,
    stage2: bool,
    epochs: usize,
    seed: u64,
) -> (Dense, usize, Score) {
    let mut p = Perceptron::new(bits);
    let mut units: Vec<(usize, usize)> = Vec::new();
    for &d in idx {
        for s in 0..train[d].doc.sents.len() {
            units.push((d, s));
        }
    }
    let mut rng = Rng::new(seed);
    let mut em = Vec::new();
    let mut path = Vec::new();
    let mut best: Option<(Dense, usize, Score)> = None;
    let mut since_best = 0;
    for epoch in 1..=epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut units);
        let mut errors = 0usize;
        for &(d, s) in &units {
            let doc = &train[d];
            let range = doc.doc.sents[s].clone();
            let feats = feats_of(doc, stage2);
            super::model::emissions(&p, range.clone(), &feats, &mut em);
            super::model::viterbi(&em, &p.trans, &mut path);
            let gold = &doc.doc.tags[range.clone()];
            if path.as_slice() != gold {
                errors += 1;
                let mut pg = NTAGS;
                let mut pp = NTAGS;
                for (k, i) in range.enumerate() {
                    let (g, q) = (gold[k], path[k]);
                    if g != q {
                        for fs in &feats {
                            for &f in fs.of(i) {
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
        match dev {
            Some((dev_docs, gold)) => {
                let avg = p.averaged();
                let pred = tag_all(&avg, dev_docs, stage2);
                let sc = score_docs(gold, &pred);
                eprintln!(
                    "  epoch {epoch}: {errors} wrong sentences, dev {} ({:.1}s)",
                    sc.report(),
                    t0.elapsed().as_secs_f64()
                );
                if best.as_ref().is_none_or(|b| sc.f1() > b.2.f1()) {
                    best = Some((avg, epoch, sc));
                    since_best = 0;
                } else {
                    since_best += 1;
                    if since_best >= 3 {
                        break;
                    }
                }
            }
            None => {
                eprintln!(
                    "  epoch {epoch}: {errors} wrong sentences ({:.1}s)",
                    t0.elapsed().as_secs_f64()
                );
            }
        }
    }
    match best {
        Some(b) => b,
        None => (p.averaged(), epochs, Score::default()),
    }
}

fn set_stage2_feats(docs: &mut [Prepared], tags1: &[Vec<u8>], bits: u32) {
    for (p, t) in docs.iter_mut().zip(tags1) {
        p.extra = stage2_features(&p.infos, &p.doc.as_doc(), t, bits);
    }
}

/// Run the whole training and write the model file.
pub fn run(opts: &TrainOptions) -> Result<()> {
    let t_start = Instant::now();
    let read = |p: &PathBuf| -> Result<Vec<ConllDoc>> {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        Ok(read_conll(&text))
    };
    let train_docs = read(&opts.train)?;
    let dev_docs = read(&opts.dev)?;
    if train_docs.is_empty() {
        bail!("no training documents in {}", opts.train.display());
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
    let clusters: HashMap<String, u32> = if opts.corpus.is_empty() {
        HashMap::new()
    } else {
        super::clusters::load_or_learn(&opts.corpus, opts.clusters_cache.as_deref(), opts.seed)?
    };
    eprintln!("clusters: {} words", clusters.len());
    let lex = Lexicon::build(&gaz.phrases, &clusters);
    let bits = opts.bits;
    let mut train = prepare(train_docs, &lex, bits);
    let mut dev = prepare(dev_docs, &lex, bits);
    let dev_gold = gold_of(&dev);
    eprintln!("features ready ({:.1}s)", t_start.elapsed().as_secs_f64());

    let all: Vec<usize> = (0..train.len()).collect();
    eprintln!("stage 1");
    let (s1, s1_epochs, s1_score) = train_stage(
        bits,
        &train,
        &all,
        Some((&dev, &dev_gold)),
        false,
        opts.max_epochs,
        opts.seed,
    );
    eprintln!("stage 1 best: epoch {s1_epochs}, dev {}", s1_score.report());
    let mut model = Model {
        bits,
        lexicon: lex,
        table: Table::default(),
        place_aliases: gaz.place_aliases.iter().cloned().collect(),
        titles: gaz.titles.iter().cloned().collect(),
    };
    let mut final_score = s1_score;
    let mut s2_dense = None;
    if opts.stage2 {
        // Jackknife: each fold's stage-1 tags come from a model that never saw that fold.
        let k = opts.folds.max(2);
        let mut tags1: Vec<Vec<u8>> = vec![Vec::new(); train.len()];
        for fold in 0..k {
            eprintln!("stage 1, fold {}/{k}", fold + 1);
            let idx: Vec<usize> = all.iter().copied().filter(|d| d % k != fold).collect();
            let (w, _, _) = train_stage(
                bits,
                &train,
                &idx,
                None,
                false,
                s1_epochs,
                opts.seed + fold as u64 + 1,
            );
            let held: Vec<usize> = all.iter().copied().filter(|d| d % k == fold).collect();
            let mut scratch = Scratch::default();
            for d in held {
                decode_doc(
                    &w,
                    &train[d].doc.as_doc(),
                    &[&train[d].base],
                    &mut scratch,
                    &mut tags1[d],
                );
            }
        }
        set_stage2_feats(&mut train, &tags1, bits);
        let dev_tags1 = tag_all(&s1, &dev, false);
        set_stage2_feats(&mut dev, &dev_tags1, bits);
        eprintln!("stage 2");
        let (s2, s2_epochs, s2_score) = train_stage(
            bits,
            &train,
            &all,
            Some((&dev, &dev_gold)),
            true,
            opts.max_epochs,
            opts.seed + 100,
        );
        eprintln!("stage 2 best: epoch {s2_epochs}, dev {}", s2_score.report());
        if s2_score.f1() > final_score.f1() {
            final_score = s2_score;
            s2_dense = Some(s2);
        } else {
            eprintln!("stage 2 does not help; keeping stage 1 only");
        }
    }
    // Quantise, pruning the smallest weights until the file fits the budget.
    let mut prune = 0f32;
    loop {
        let pruned = |d: &Dense| -> Vec<f32> {
            d.w.iter()
                .map(|&v| if v.abs() < prune { 0.0 } else { v })
                .collect()
        };
        let w1 = pruned(&s1);
        let w2 = s2_dense.as_ref().map(|d| (pruned(d), d.trans));
        model.table = Table::from_dense(
            bits,
            &DenseStage {
                w: &w1,
                trans: &s1.trans,
            },
            w2.as_ref()
                .map(|(w, trans)| DenseStage { w, trans })
                .as_ref(),
        );
        let bytes = model.to_bytes();
        eprintln!(
            "model: {} bytes (prune {prune}), {} rows of {}",
            bytes.len(),
            model.table.row_count(),
            model.table.width
        );
        if bytes.len() <= opts.max_bytes {
            // Check the quantised model scores like the float one before writing it.
            let check = Model::from_bytes(&bytes).context("re-reading the model")?;
            let pred: Vec<Vec<u8>> = dev_gold
                .iter()
                .map(|d| check.tag_doc(&d.as_doc()))
                .collect();
            let sc = score_docs(&dev_gold, &pred);
            eprintln!(
                "quantised model dev {} (float {})",
                sc.report(),
                final_score.report()
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
