//! `train-ner`: trains the named-entity tagger from CoNLL files, gazetteers and (optionally)
//! unlabelled news text, and writes the model file that the library embeds.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use newsdex::entities::model::{Model, embedded_bytes};
use newsdex::entities::tagger::Tagger;
use newsdex::entities::tokenize::Doc;
use newsdex::entities::{group_canonical, tag_conll_using, tag_conll_with};
use newsdex_train::train::{Averaging, TrainOptions, run};

#[derive(Parser, Debug)]
#[command(about = "Train the newsdex named-entity tagger")]
struct Args {
    /// CoNLL training file (token first column, tag last).
    #[arg(long, required_unless_present_any = ["predict", "bench", "bench_texts", "extract"])]
    train: Option<PathBuf>,
    /// CoNLL dev file, scored once at the end (never used for choices).
    #[arg(long, required_unless_present_any = ["predict", "bench", "bench_texts", "extract"])]
    dev: Option<PathBuf>,
    /// Gazetteer folder (see its PROVENANCE.txt).
    #[arg(long, required_unless_present_any = ["predict", "bench", "bench_texts", "extract"])]
    gazetteers: Option<PathBuf>,
    /// Instead of training: tag this CoNLL file with the model at --out and print it.
    #[arg(long)]
    predict: Option<PathBuf>,
    /// Instead of training: time model loading and tagging of this CoNLL file with the model
    /// compiled into the binary.
    #[arg(long)]
    bench: Option<PathBuf>,
    /// Instead of training: time entity extraction over every file of this folder, each read as
    /// one article's raw text, with the model compiled into the binary.
    #[arg(long)]
    bench_texts: Option<PathBuf>,
    /// Instead of training: print the mentions and canonical entities of a raw text file, using
    /// the model compiled into the binary.
    #[arg(long)]
    extract: Option<PathBuf>,
    /// With --extract, --bench or --bench-texts: use this model file instead of the one compiled
    /// into the binary (to compare models side by side without rebuilding).
    #[arg(long)]
    model: Option<PathBuf>,
    /// With --bench-texts: word types the tagger's cache holds before it is trimmed (the
    /// indexer's is `tagger::WORD_CAP`), to weigh the cache's size against its misses.
    #[arg(long, default_value_t = newsdex::entities::tagger::WORD_CAP)]
    word_cap: usize,
    /// With --bench or --bench-texts: score every token, as the tagger did before it skipped
    /// the stretches far from capitalised words (`tagger::runs`), for side-by-side timing.
    #[arg(long)]
    every_token: bool,
    /// With --bench or --bench-texts: how far the scored runs reach around capitalised words.
    #[arg(long, default_value_t = newsdex::entities::tagger::REACH)]
    reach: usize,
    /// With --bench or --bench-texts: first compare the tags of runs with the full tagger's
    /// (untimed; see `cascade_check`).
    #[arg(long)]
    check_runs: bool,
    /// Output model file.
    #[arg(long, default_value = "models/ner.bin")]
    out: PathBuf,
    /// Unlabelled text for word clusters: files or folders (.txt, .json, .jsonl, .csv); repeatable.
    #[arg(long)]
    corpus: Vec<PathBuf>,
    /// Cache file for learned clusters (reused when present).
    #[arg(long)]
    clusters_cache: Option<PathBuf>,
    /// log2 of the number of feature buckets.
    #[arg(long, default_value_t = 22)]
    bits: u32,
    #[arg(long, default_value_t = 20)]
    max_epochs: usize,
    /// Cross-validation folds on the training set (epochs, CV F1, stage-2 training tags).
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Take gazetteers and clusters from this existing model file (to score its design by the
    /// same cross-validation).
    #[arg(long)]
    lexicon_from: Option<PathBuf>,
    /// Leave the learned word casings out (no case-restored view of sentences in capitals).
    #[arg(long)]
    no_casing: bool,
    /// Probability of hiding a token's own word identity in a training step.
    #[arg(long, default_value_t = 0.0)]
    word_dropout: f32,
    /// Leave out features seen fewer times than this in the training set.
    #[arg(long, default_value_t = 1)]
    min_count: u32,
    /// Share of training documents also trained on written in capitals.
    #[arg(long, default_value_t = 0.0)]
    caps_copies: f32,
    /// Use the word clusters of this model file instead of the learned ones.
    #[arg(long)]
    clusters_from: Option<PathBuf>,
    #[arg(long, default_value_t = 20_260_101)]
    seed: u64,
    /// Also train the capitals table, the weights that tag sentences in capitals, on the training
    /// set together with a copy of it in capitals.
    #[arg(long)]
    caps_table: bool,
    /// Independent perceptron runs, each in its own sentence order, whose averaged weights are
    /// averaged into each stage's one table (same tagging cost, training `runs` times longer).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// How the perceptron's steps are weighed in its averaged weights.
    #[arg(long, value_enum, default_value_t = Averaging::Uniform)]
    averaging: Averaging,
    /// Train the first stage only.
    #[arg(long)]
    no_stage2: bool,
    /// Also train on the development set's documents except every K-th, which alone are
    /// scored as "dev" (the shipped model uses K = 5; see models/README.md).
    #[arg(long, value_name = "K")]
    train_on_dev: Option<usize>,
    /// Upper bound of the model file size in bytes.
    #[arg(long, default_value_t = 19_500_000)]
    max_bytes: usize,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    if let Some(input) = &a.predict {
        let bytes = std::fs::read(&a.out)?;
        let model = Model::from_bytes(&bytes).context("not a model file")?;
        let text = std::fs::read_to_string(input)?;
        print!("{}", tag_conll_with(&model, &text));
        return Ok(());
    }
    let file_model = match &a.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            Some(Model::from_bytes(&bytes).context("not a model file")?)
        }
        None => None,
    };
    let model = || -> anyhow::Result<&Model> {
        match &file_model {
            Some(m) => Ok(m),
            None => newsdex::entities::model::embedded().context("no model compiled in"),
        }
    };
    if let Some(input) = &a.extract {
        let text = std::fs::read_to_string(input)?;
        let mentions = Tagger::new(model()?).extract(&text);
        for m in &mentions {
            println!(
                "{:>6}..{:<6} {:<6} {:<30} -> {}",
                m.start,
                m.end,
                m.kind.as_str(),
                m.text,
                m.canonical
            );
        }
        for (kind, names) in group_canonical(&mentions) {
            println!("{}: {}", kind.as_str(), names.join(" | "));
        }
        return Ok(());
    }
    if let Some(input) = &a.bench {
        let reach = (!a.every_token).then_some(a.reach);
        return bench(model()?, input, reach, a.check_runs);
    }
    if let Some(dir) = &a.bench_texts {
        let reach = (!a.every_token).then_some(a.reach);
        return bench_texts(model()?, dir, a.word_cap, reach, a.check_runs);
    }
    run(&TrainOptions {
        train: a.train.unwrap_or_default(),
        dev: a.dev.unwrap_or_default(),
        gazetteers: a.gazetteers.unwrap_or_default(),
        out: a.out,
        corpus: a.corpus,
        clusters_cache: a.clusters_cache,
        bits: a.bits,
        max_epochs: a.max_epochs,
        folds: a.folds,
        seed: a.seed,
        stage2: !a.no_stage2,
        max_bytes: a.max_bytes,
        lexicon_from: a.lexicon_from,
        no_casing: a.no_casing,
        word_dropout: a.word_dropout,
        min_count: a.min_count,
        caps_copies: a.caps_copies,
        clusters_from: a.clusters_from,
        caps_table: a.caps_table,
        runs: a.runs,
        averaging: a.averaging,
        train_on_dev: a.train_on_dev,
    })
}

/// Report model load time, tagging speed on a CoNLL file (tokens given) and extraction speed on
/// the same words as raw text (tokenizer and canonical names included).
fn bench(
    model: &Model,
    input: &std::path::Path,
    reach: Option<usize>,
    check: bool,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(input)?;
    let t0 = Instant::now();
    let embedded = Model::from_bytes(embedded_bytes()).context("no model compiled in")?;
    let load = t0.elapsed();
    println!(
        "embedded model: {} bytes, load {:.2} ms; benchmarked model: {} table rows",
        embedded_bytes().len(),
        load.as_secs_f64() * 1e3,
        model.table.row_count()
    );
    drop(embedded);
    let conll_docs = newsdex::entities::conll::read_conll(&text);
    if let Some(reach) = reach.filter(|_| check) {
        cascade_check(model, reach, conll_docs.iter().map(|d| d.as_doc()));
    }
    let tokens = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("-DOCSTART-"))
        .count();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let out = tag_conll_using(&mut Tagger::new(model).with_reach(reach), &text);
        std::hint::black_box(out);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "tag_conll: {tokens} tokens in {:.3} s = {:.0} tokens/s",
        best,
        tokens as f64 / best
    );
    // The same documents as raw text, one sentence per line.
    let docs: Vec<String> = text
        .split("-DOCSTART-")
        .map(|d| {
            d.split("\n\n")
                .map(|s| {
                    s.lines()
                        .filter_map(|l| l.split_whitespace().next())
                        .filter(|w| *w != "-X-")
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let mut best = f64::MAX;
    let mut mentions = 0;
    for _ in 0..3 {
        // A fresh tagger per round: its caches warm up within the round, as in one indexing run.
        let mut tagger = Tagger::new(model).with_reach(reach);
        let t = Instant::now();
        mentions = docs.iter().map(|d| tagger.extract(d).len()).sum::<usize>();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "extract (raw text): {mentions} mentions, {:.3} s = {:.0} tokens/s",
        best,
        tokens as f64 / best
    );
    Ok(())
}

/// Extraction speed on real articles (one raw-text file each), as the indexer runs it: one
/// `extract` call per article on one thread, the thread's tagger reused across articles.
fn bench_texts(
    model: &Model,
    dir: &std::path::Path,
    word_cap: usize,
    reach: Option<usize>,
    check: bool,
) -> anyhow::Result<()> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read(p).map(|b| String::from_utf8_lossy(&b).into_owned()))
        .collect::<Result<_, _>>()?;
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    if let Some(reach) = reach.filter(|_| check) {
        let tokenized: Vec<_> = texts
            .iter()
            .map(|t| newsdex::entities::tokenize::tokenize(t))
            .collect();
        cascade_check(
            model,
            reach,
            tokenized.iter().zip(&texts).map(|(tk, text)| Doc {
                tokens: tk.tokens.iter().map(|t| t.text(text)).collect(),
                sents: tk.sentences.clone(),
            }),
        );
    }
    let mut tagger = Tagger::with_capacity(model, word_cap, newsdex::entities::tagger::SHAPE_CAP)
        .with_reach(reach);
    for round in 1..=5 {
        let t = Instant::now();
        let mentions: usize = texts.iter().map(|t| tagger.extract(t).len()).sum();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "round {round}: {} articles, {mentions} mentions, {:.3} s = {:.1} MB/s",
            texts.len(),
            secs,
            bytes as f64 / secs / 1e6
        );
    }
    Ok(())
}

/// How the tagger that scores runs (`tagger::runs`, `reach` around capitalised words) compares
/// with the one that scores every token, untimed: the share of tokens held at "O", how many of
/// those the full tagger tags otherwise (in its first stage or finally) and how many final tags
/// differ anywhere.
fn cascade_check<'a>(model: &Model, reach: usize, docs: impl Iterator<Item = Doc<'a>>) {
    let mut full = Tagger::new(model).with_reach(None);
    let mut runs = Tagger::new(model).with_reach(Some(reach));
    let (mut tokens, mut skipped, mut reached1, mut reached, mut differ) = (0, 0, 0, 0, 0);
    for doc in docs {
        let (a, b) = (full.tag_doc(&doc), runs.tag_doc(&doc));
        let mut kept = vec![false; a.len()];
        for r in runs.last_runs() {
            kept[r.span.clone()].fill(true);
        }
        for (i, &k) in kept.iter().enumerate() {
            if k {
                continue;
            }
            skipped += 1;
            reached1 += (full.last_stage1()[i] != 0) as usize;
            reached += (a[i] != 0) as usize;
        }
        tokens += a.len();
        differ += a.iter().zip(&b).filter(|(x, y)| x != y).count();
    }
    println!(
        "runs within {reach} of a capitalised word: {tokens} tokens, {skipped} held at O ({:.1}%), \
         of which tagged otherwise by the full tagger {reached1} (first stage) / {reached} (final); \
         final tags differing: {differ}",
        100.0 * skipped as f64 / tokens.max(1) as f64
    );
}
