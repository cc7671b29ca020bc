//! Word clusters learned from unlabelled news text, a cheap stand-in for Brown clusters: every
//! frequent word gets a vector of its left and right neighbours (positive PMI weighted), and the
//! words are split recursively in two by spherical 2-means. The path of left/right turns down that
//! tree is the word's bit string, so prefixes give clusters at several granularities. Words that
//! behave alike ("Clinton", "Obama", "Merkel") share long prefixes even if the labelled data has
//! never seen one of them, which is why clusters help the tagger generalise to other years' news.
//! Only training learns clusters (the result is stored in the model's lexicon, which the product
//! reads), so this module lives in the trainer crate.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use newsdex::entities::casing::mask_of;
use newsdex::entities::tokenize::{normalize, tokenize};

use crate::rng::Rng;

/// Words that get a cluster (most frequent first).
const VOCAB: usize = 60_000;
/// Neighbour words used as context dimensions, per side.
const CONTEXTS: usize = 3_000;
const MIN_COUNT: u32 = 5;
const MAX_DEPTH: u32 = 20;
const MIN_SPLIT: usize = 24;

/// What the unlabelled corpus teaches the lexicon: cluster paths of words as written, and the
/// usual casing of lower-case words (`casing::mask_of`).
#[derive(Debug, Default)]
pub struct Learned {
    pub clusters: HashMap<String, u32>,
    pub casing: HashMap<String, u32>,
}

fn read_table(path: &Path) -> Result<HashMap<String, u32>> {
    let text = std::fs::read_to_string(path)?;
    let mut m = HashMap::new();
    for line in text.lines() {
        if let Some((w, p)) = line.split_once('\t')
            && let Ok(p) = u32::from_str_radix(p, 2)
        {
            m.insert(w.to_string(), p);
        }
    }
    Ok(m)
}

fn write_table(path: &Path, m: &HashMap<String, u32>) -> Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut v: Vec<(&String, &u32)> = m.iter().collect();
    v.sort();
    for (w, p) in v {
        writeln!(f, "{w}\t{p:b}")?;
    }
    Ok(())
}

/// The casing table sits beside the cluster cache, under the same name plus `.casing`.
fn casing_path(cache: &Path) -> PathBuf {
    let mut s = cache.as_os_str().to_owned();
    s.push(".casing");
    PathBuf::from(s)
}

/// Clusters and casings from the cache files if both exist, else learned from `corpus` (and
/// cached).
pub fn load_or_learn(corpus: &[PathBuf], cache: Option<&Path>, seed: u64) -> Result<Learned> {
    if let Some(c) = cache
        && c.exists()
        && casing_path(c).exists()
    {
        let clusters = read_table(c)?;
        let casing = read_table(&casing_path(c))?;
        eprintln!(
            "clusters: read {} words and {} casings from {}",
            clusters.len(),
            casing.len(),
            c.display()
        );
        return Ok(Learned { clusters, casing });
    }
    let m = learn(corpus, seed)?;
    if let Some(c) = cache {
        write_table(c, &m.clusters)?;
        write_table(&casing_path(c), &m.casing)?;
    }
    Ok(m)
}

/// Collect the text of one corpus file: plain text, a JSON object, JSON Lines, or tab-separated
/// headline rows (the title in the second column). Headlines are taken too; sentences written in
/// title case or capitals are skipped later, whatever file they come from.
fn texts_of(path: &Path, out: &mut Vec<String>) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "json" | "jsonl" => {
            let pick = |v: &serde_json::Value, out: &mut Vec<String>| {
                for key in [
                    "title",
                    "headline",
                    "content_original",
                    "short_description",
                    "body",
                    "text",
                ] {
                    if let Some(s) = v.get(key).and_then(|s| s.as_str()) {
                        out.push(s.to_string());
                    }
                }
            };
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                pick(&v, out);
            } else {
                for line in text.lines() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                        pick(&v, out);
                    }
                }
            }
        }
        "csv" | "tsv" => {
            for line in text.lines() {
                if let Some(title) = line.split('\t').nth(1) {
                    out.push(title.to_string());
                }
            }
        }
        "txt" => out.push(text.into_owned()),
        _ => {}
    }
    Ok(())
}

/// A sentence of ordinary running text: some word (other than a small function word) starts in
/// lower case. Title-cased and all-capital headlines say nothing about how words are cased.
fn is_running_text(words: &[String]) -> bool {
    words.iter().any(|w| {
        w.starts_with(|c: char| c.is_lowercase())
            && w.chars().count() > 3
            && w.chars().all(|c| c.is_alphabetic() || c == '-')
    })
}

fn walk(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => return,
        };
        entries.sort();
        for e in entries {
            walk(&e, files);
        }
    } else {
        files.push(path.to_path_buf());
    }
}

/// Learn clusters and casings from the corpus files or folders.
pub fn learn(corpus: &[PathBuf], seed: u64) -> Result<Learned> {
    let t0 = Instant::now();
    let mut files = Vec::new();
    for p in corpus {
        walk(p, &mut files);
    }
    // Intern every token; the corpus becomes a sequence of ids with sentence breaks.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    // Mid-sentence occurrences, where capitals mean a name rather than a sentence start.
    let mut mid_counts: Vec<u32> = Vec::new();
    let mut seq: Vec<u32> = Vec::new();
    const BREAK: u32 = u32::MAX;
    let mut texts = Vec::new();
    let mut sent: Vec<String> = Vec::new();
    for f in &files {
        texts.clear();
        texts_of(f, &mut texts)?;
        for t in &texts {
            let tk = tokenize(t);
            for s in &tk.sentences {
                sent.clear();
                sent.extend(
                    tk.tokens[s.clone()]
                        .iter()
                        .map(|tok| normalize(tok.text(t)).into_owned()),
                );
                if !is_running_text(&sent) {
                    continue;
                }
                for (k, w) in sent.iter().enumerate() {
                    let id = match ids.get(w.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = words.len() as u32;
                            ids.insert(w.clone(), id);
                            words.push(w.clone());
                            counts.push(0);
                            mid_counts.push(0);
                            id
                        }
                    };
                    counts[id as usize] += 1;
                    let opener = k == 0
                        || matches!(
                            sent[k - 1].as_str(),
                            "\"" | "'" | "(" | "-" | ":" | "[" | "." | "?" | "!"
                        );
                    if !opener {
                        mid_counts[id as usize] += 1;
                    }
                    seq.push(id);
                }
                seq.push(BREAK);
            }
        }
    }
    let casing = casings(&words, &mid_counts);
    eprintln!("clusters: {} casings", casing.len());
    eprintln!(
        "clusters: {} files, {} tokens, {} types ({:.1}s)",
        files.len(),
        seq.len(),
        words.len(),
        t0.elapsed().as_secs_f64()
    );
    // Vocabulary: frequent words as written. Contexts: frequent lower-cased words.
    let mut order: Vec<u32> = (0..words.len() as u32).collect();
    order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
    let vocab: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&w| counts[w as usize] >= MIN_COUNT)
        .filter(|&w| words[w as usize].chars().any(|c| c.is_alphabetic()))
        .take(VOCAB)
        .collect();
    let mut vocab_idx = vec![u32::MAX; words.len()];
    for (k, &w) in vocab.iter().enumerate() {
        vocab_idx[w as usize] = k as u32;
    }
    let mut lower_counts: HashMap<String, u64> = HashMap::new();
    for (w, &c) in words.iter().zip(&counts) {
        *lower_counts.entry(w.to_lowercase()).or_default() += c as u64;
    }
    let mut ctx_words: Vec<(String, u64)> = lower_counts.into_iter().collect();
    ctx_words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ctx_words.truncate(CONTEXTS);
    let ctx_of_lower: HashMap<&str, u32> = ctx_words
        .iter()
        .enumerate()
        .map(|(k, (w, _))| (w.as_str(), k as u32))
        .collect();
    // Context id of every word id; CONTEXTS means "other", and 2 extra ids mark sentence edges.
    let ctx_of: Vec<u32> = words
        .iter()
        .map(|w| {
            ctx_of_lower
                .get(w.to_lowercase().as_str())
                .copied()
                .unwrap_or(CONTEXTS as u32)
        })
        .collect();
    let dims = 2 * (CONTEXTS + 2);
    let mut cooc: Vec<HashMap<u32, f32>> = vec![HashMap::new(); vocab.len()];
    let edge = (CONTEXTS + 1) as u32;
    for i in 0..seq.len() {
        let w = seq[i];
        if w == BREAK {
            continue;
        }
        let v = vocab_idx[w as usize];
        if v == u32::MAX {
            continue;
        }
        let left = if i > 0 && seq[i - 1] != BREAK {
            ctx_of[seq[i - 1] as usize]
        } else {
            edge
        };
        let right = if i + 1 < seq.len() && seq[i + 1] != BREAK {
            ctx_of[seq[i + 1] as usize]
        } else {
            edge
        };
        let m = &mut cooc[v as usize];
        *m.entry(left).or_default() += 1.0;
        *m.entry(right + (CONTEXTS + 2) as u32).or_default() += 1.0;
    }
    drop(seq);
    // Positive PMI with smoothed context probabilities, then unit length.
    let mut ctx_total = vec![0f64; dims];
    let mut total = 0f64;
    for m in &cooc {
        for (&c, &n) in m {
            ctx_total[c as usize] += n as f64;
            total += n as f64;
        }
    }
    let smooth: Vec<f64> = ctx_total.iter().map(|&c| c.powf(0.75)).collect();
    let smooth_sum: f64 = smooth.iter().sum();
    let vectors: Vec<Vec<(u32, f32)>> = cooc
        .iter()
        .map(|m| {
            let wsum: f64 = m.values().map(|&n| n as f64).sum();
            let mut v: Vec<(u32, f32)> = m
                .iter()
                .filter(|&(&c, _)| c != CONTEXTS as u32 && c != (2 * CONTEXTS + 2) as u32)
                .filter_map(|(&c, &n)| {
                    let pmi = ((n as f64 / wsum) / (smooth[c as usize] / smooth_sum)).ln();
                    (pmi > 0.0).then_some((c, pmi as f32))
                })
                .collect();
            v.sort_by_key(|x| x.0);
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
            for x in v.iter_mut() {
                x.1 /= norm;
            }
            v
        })
        .collect();
    drop(cooc);
    eprintln!(
        "clusters: {} vectors over {} dims, {total} pairs ({:.1}s)",
        vectors.len(),
        dims,
        t0.elapsed().as_secs_f64()
    );
    // Recursive bisection.
    let mut paths = vec![1u32; vectors.len()];
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut stack: Vec<(Vec<u32>, u32, u32)> = vec![((0..vectors.len() as u32).collect(), 1, 0)];
    let mut leaves = 0;
    while let Some((members, path, depth)) = stack.pop() {
        if members.len() < MIN_SPLIT || depth >= MAX_DEPTH {
            for &m in &members {
                paths[m as usize] = path;
            }
            leaves += 1;
            continue;
        }
        let (a, b) = bisect(&vectors, &members, dims, &mut rng);
        if a.is_empty() || b.is_empty() {
            for &m in &members {
                paths[m as usize] = path;
            }
            leaves += 1;
            continue;
        }
        stack.push((a, path << 1, depth + 1));
        stack.push((b, (path << 1) | 1, depth + 1));
    }
    eprintln!(
        "clusters: {leaves} leaves ({:.1}s)",
        t0.elapsed().as_secs_f64()
    );
    let clusters = vocab
        .iter()
        .enumerate()
        .map(|(k, &w)| (words[w as usize].clone(), paths[k]))
        .collect();
    Ok(Learned { clusters, casing })
}

/// Lower-case words kept in the casing table (most frequent first).
const CASING_VOCAB: usize = 120_000;

/// The most frequent mid-sentence form of every frequent lower-case word, as a casing mask.
fn casings(words: &[String], mid_counts: &[u32]) -> HashMap<String, u32> {
    // lower-case form -> (total, best count, best word id)
    let mut by_lower: HashMap<String, (u64, u32, u32)> = HashMap::new();
    for (id, (w, &c)) in words.iter().zip(mid_counts).enumerate() {
        if c == 0 || !w.chars().any(|ch| ch.is_alphabetic()) {
            continue;
        }
        let e = by_lower
            .entry(w.to_lowercase())
            .or_insert((0, 0, id as u32));
        e.0 += c as u64;
        if c > e.1 || (c == e.1 && words[id] < words[e.2 as usize]) {
            e.1 = c;
            e.2 = id as u32;
        }
    }
    let mut v: Vec<(String, (u64, u32, u32))> = by_lower
        .into_iter()
        .filter(|(_, e)| e.0 >= MIN_COUNT as u64)
        .collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    v.truncate(CASING_VOCAB);
    v.into_iter()
        .map(|(lower, e)| (lower, mask_of(&words[e.2 as usize])))
        .collect()
}

fn dot(v: &[(u32, f32)], c: &[f32]) -> f32 {
    v.iter().map(|&(i, x)| x * c[i as usize]).sum()
}

fn centroid(vectors: &[Vec<(u32, f32)>], members: &[u32], dims: usize) -> Vec<f32> {
    let mut c = vec![0f32; dims];
    for &m in members {
        for &(i, x) in &vectors[m as usize] {
            c[i as usize] += x;
        }
    }
    let norm = c.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    c.iter_mut().for_each(|x| *x /= norm);
    c
}

/// Split `members` in two with spherical 2-means, best of a few random starts. Starts pair a
/// random member with a random member from the less similar half, which avoids both identical
/// seeds and the outliers a farthest-point start would pick.
fn bisect(
    vectors: &[Vec<(u32, f32)>],
    members: &[u32],
    dims: usize,
    rng: &mut Rng,
) -> (Vec<u32>, Vec<u32>) {
    let mut best: Option<(f32, Vec<u32>, Vec<u32>)> = None;
    for _ in 0..3 {
        let first = members[rng.below(members.len())];
        let mut c1 = vec![0f32; dims];
        for &(i, x) in &vectors[first as usize] {
            c1[i as usize] = x;
        }
        let mut sims: Vec<(f32, u32)> = members
            .iter()
            .map(|&m| (dot(&vectors[m as usize], &c1), m))
            .collect();
        sims.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        let second = sims[rng.below(sims.len().div_ceil(2))].1;
        let mut c2 = vec![0f32; dims];
        for &(i, x) in &vectors[second as usize] {
            c2[i as usize] = x;
        }
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut objective = 0f32;
        for _ in 0..8 {
            a.clear();
            b.clear();
            objective = 0.0;
            for &m in members {
                let v = &vectors[m as usize];
                let (d1, d2) = (dot(v, &c1), dot(v, &c2));
                if d1 >= d2 {
                    a.push(m);
                    objective += d1;
                } else {
                    b.push(m);
                    objective += d2;
                }
            }
            if a.is_empty() || b.is_empty() {
                break;
            }
            c1 = centroid(vectors, &a, dims);
            c2 = centroid(vectors, &b, dims);
        }
        if !a.is_empty() && !b.is_empty() && best.as_ref().is_none_or(|x| objective > x.0) {
            best = Some((objective, a, b));
        }
    }
    match best {
        Some((_, a, b)) => (a, b),
        None => (members.to_vec(), Vec::new()),
    }
}
