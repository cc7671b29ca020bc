//! The hand annotation of quotes (tests/data/quotes) and the articles it points into: shared by
//! `train-quotes`, which learns from it, and `quote-misses`, which sorts the quotes whose speaker
//! the candidates cannot reach. The articles are read exactly as `scripts/quotes-eval` hands them
//! to `newsdex quotes`, so offsets and answers agree with the evaluation.
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// One gold quote: character offsets in its article and its speaker (`None`: unattributed).
#[derive(Debug, Clone)]
pub struct Gold {
    pub start: usize,
    pub end: usize,
    pub speaker: Option<String>,
}

/// Where the annotated articles live: options of every command that reads the annotation.
#[derive(Debug, Clone, clap::Args)]
pub struct Corpora {
    #[arg(long, default_value = "../shared/corpora/bbc/bbc")]
    pub bbc: PathBuf,
    #[arg(
        long,
        default_value = "/tmp/corpora/Article-Bias-Prediction/data/jsons"
    )]
    pub allsides: PathBuf,
    #[arg(
        long,
        default_value = "../shared/corpora/huffpost-sample/News_Category_Dataset_v3.json"
    )]
    pub huffpost: PathBuf,
}

/// The gold quotes of the named sets, by (set, document), in file order. Only the named sets'
/// files are opened, so a set being annotated beside them is never read.
pub fn read_gold(
    dir: &Path,
    sets: &[&str],
) -> anyhow::Result<BTreeMap<(String, String), Vec<Gold>>> {
    let mut gold: BTreeMap<(String, String), Vec<Gold>> = BTreeMap::new();
    for set in sets {
        let path = dir.join(format!("{set}.tsv"));
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let [part, doc, start, end, speaker] = f.as_slice() else {
                bail!(
                    "{}:{}: expected 5 tab-separated fields",
                    path.display(),
                    n + 1
                );
            };
            if !sets.contains(part) {
                continue;
            }
            let num = |s: &str| {
                s.parse::<usize>()
                    .with_context(|| format!("{}:{}: {s:?} is no offset", path.display(), n + 1))
            };
            gold.entry((part.to_string(), doc.to_string()))
                .or_default()
                .push(Gold {
                    start: num(start)?,
                    end: num(end)?,
                    speaker: (*speaker != "-").then(|| speaker.to_string()),
                });
        }
    }
    Ok(gold)
}

/// The article's text as `scripts/quotes-eval` hands it to `newsdex quotes`.
pub fn article(corpora: &Corpora, doc: &str) -> anyhow::Result<String> {
    if let Some(rest) = doc.strip_prefix("bbc/") {
        let path = corpora.bbc.join(rest);
        return fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()));
    }
    if let Some(line) = doc.strip_prefix("huffpost/") {
        let n: usize = line
            .parse()
            .with_context(|| format!("{doc}: no line number"))?;
        let text = fs::read_to_string(&corpora.huffpost)
            .with_context(|| format!("reading {}", corpora.huffpost.display()))?;
        let line = text
            .lines()
            .nth(n)
            .with_context(|| format!("{} has no line {n}", corpora.huffpost.display()))?;
        let v: serde_json::Value = serde_json::from_str(line)?;
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        return Ok(format!(
            "{}\n\n{}",
            field("headline"),
            field("short_description")
        ));
    }
    let path = corpora.allsides.join(format!("{doc}.json"));
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    Ok(v["content_original"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Each found quote's gold quote, matched as the evaluation does: each gold quote in order takes
/// the first unmatched found quote overlapping it. `None`: the found span is no gold quote.
pub fn match_gold(found: &[(usize, usize)], quotes: &[Gold]) -> Vec<Option<usize>> {
    let mut out = vec![None; found.len()];
    for (g, q) in quotes.iter().enumerate() {
        if let Some(k) = (0..found.len())
            .find(|&k| out[k].is_none() && found[k].0 < q.end && found[k].1 > q.start)
        {
            out[k] = Some(g);
        }
    }
    out
}
