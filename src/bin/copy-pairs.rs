//! `copy-pairs`: measures the copy detector on a folder of articles, to choose and check its
//! threshold: the similarity distribution of the candidate pairs LSH finds, the groups a
//! threshold makes, and samples of pairs in a similarity band to read by eye.

use std::path::PathBuf;

use clap::Parser;
use newsdex::ingest::{self, Article, Format, ParseOptions};
use newsdex::model::copies::{self, Signature};

#[derive(Parser, Debug)]
#[command(about = "Similarity of candidate copy pairs in a folder of articles")]
struct Args {
    /// Folder of articles (parsed as `newsdex index` parses them).
    dir: PathBuf,
    /// Field mappings, as `newsdex index --field`.
    #[arg(long, value_name = "FIELD=KEY")]
    field: Vec<String>,
    /// Threshold whose groups are reported.
    #[arg(long, default_value_t = copies::THRESHOLD)]
    threshold: f32,
    /// Print up to N sampled pairs with a similarity in [--low, --high).
    #[arg(long, default_value_t = 0)]
    sample: usize,
    #[arg(long, default_value_t = 0.0)]
    low: f32,
    #[arg(long, default_value_t = 1.01)]
    high: f32,
    /// Print up to N sampled groups (at --threshold) with their members' headlines and sources.
    #[arg(long, default_value_t = 0)]
    groups: usize,
}

fn articles(args: &Args) -> anyhow::Result<Vec<Article>> {
    let mut opts = ParseOptions::default();
    for f in &args.field {
        let (ours, theirs) = f
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--field {f}: expected FIELD=KEY"))?;
        opts.field_map.push((ours.into(), theirs.into()));
    }
    let root = std::fs::canonicalize(&args.dir)?;
    let mut out = Vec::new();
    for item in ingest::walk(&root).flatten() {
        let Some(format) = Format::from_path(&item.path) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&item.path) else {
            continue;
        };
        if let Ok(parsed) = ingest::parse_bytes(&root, &item.rel, format, &bytes, &opts) {
            out.extend(parsed.articles);
        }
    }
    Ok(out)
}

/// A deterministic spread over the list (every k-th), so samples are repeatable.
fn spread<T>(items: &[T], n: usize) -> impl Iterator<Item = &T> {
    let step = (items.len() / n.max(1)).max(1);
    items.iter().step_by(step).take(n)
}

/// Exact Jaccard similarity and containment (of the smaller in the larger) of two bodies'
/// shingle sets, to judge the estimate by.
fn exact(a: &Article, b: &Article) -> (f32, f32) {
    let set = |a: &Article| -> std::collections::HashSet<u64> {
        copies::shingles(&a.body).into_iter().collect()
    };
    let (x, y) = (set(a), set(b));
    let shared = x.intersection(&y).count() as f32;
    let union = (x.len() + y.len()) as f32 - shared;
    (
        shared / union.max(1.0),
        shared / x.len().min(y.len()).max(1) as f32,
    )
}

fn opening(a: &Article) -> String {
    a.body
        .chars()
        .take(160)
        .collect::<String>()
        .replace('\n', " ")
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = std::time::Instant::now();
    let articles = articles(&args)?;
    let parsed = started.elapsed();
    let started = std::time::Instant::now();
    let signed: Vec<(usize, Signature)> = articles
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let body = match a.standfirst.as_deref() {
                Some(s) if !s.is_empty() => format!("{s}\n\n{}", a.body),
                _ => a.body.clone(),
            };
            Signature::of(&a.id, &body).map(|s| (i, s))
        })
        .collect();
    let signing = started.elapsed();
    let refs: Vec<&Signature> = signed.iter().map(|(_, s)| s).collect();
    let mut pairs = std::collections::HashSet::new();
    let mut scored = Vec::new();
    copies::candidate_pairs(
        &refs,
        |i, j| pairs.insert((i, j)),
        |i, j, s| scored.push((s, i, j)),
    );
    println!(
        "{} articles, {} with a signature; parsing {:.1} s, signatures {:.3} s ({:.1} µs each)",
        articles.len(),
        signed.len(),
        parsed.as_secs_f64(),
        signing.as_secs_f64(),
        signing.as_secs_f64() * 1e6 / signed.len().max(1) as f64
    );
    println!("{} candidate pairs; estimated similarity:", scored.len());
    let mut bins = [0usize; 20];
    for (s, _, _) in &scored {
        bins[((s * 20.0) as usize).min(19)] += 1;
    }
    for (b, n) in bins.iter().enumerate() {
        println!(
            "  [{:.2}, {:.2}) {n}",
            b as f32 / 20.0,
            (b + 1) as f32 / 20.0
        );
    }
    let groups = copies::groups(&refs, args.threshold);
    let mut sizes: std::collections::HashMap<&copies::GroupId, Vec<usize>> = Default::default();
    for (k, g) in groups.iter().enumerate() {
        if let Some(g) = g {
            sizes.entry(g).or_default().push(signed[k].0);
        }
    }
    let grouped: usize = sizes.values().map(Vec::len).sum();
    let largest = sizes.values().map(Vec::len).max().unwrap_or(0);
    let mut by_size = std::collections::BTreeMap::<usize, usize>::new();
    for m in sizes.values() {
        *by_size.entry(m.len()).or_default() += 1;
    }
    println!(
        "threshold {}: {} groups, {grouped} articles in groups, largest {largest}; groups by size: {by_size:?}",
        args.threshold,
        sizes.len()
    );
    scored.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let band: Vec<_> = scored
        .iter()
        .filter(|(s, _, _)| *s >= args.low && *s < args.high)
        .collect();
    for (s, i, j) in spread(&band, args.sample) {
        let (a, b) = (&articles[signed[*i].0], &articles[signed[*j].0]);
        let (j, c) = exact(a, b);
        println!(
            "\n{s:.3} (exact {j:.3}, containment {c:.3})\n  A [{}] {}\n    {}",
            a.source.as_deref().unwrap_or("?"),
            a.headline,
            opening(a)
        );
        println!(
            "  B [{}] {}\n    {}",
            b.source.as_deref().unwrap_or("?"),
            b.headline,
            opening(b)
        );
    }
    let mut listed: Vec<_> = sizes.into_iter().collect();
    listed.sort();
    for (g, members) in spread(&listed, args.groups) {
        println!("\ngroup {} ({} articles)", g.0, members.len());
        for m in members {
            let a = &articles[*m];
            println!(
                "  [{}] {} ({} words)",
                a.source.as_deref().unwrap_or("?"),
                a.headline,
                a.body.split_whitespace().count()
            );
        }
    }
    Ok(())
}
