//! Word clusters learned from unlabelled news text, a cheap stand-in for Brown clusters: every
//! frequent word gets a vector of its left and right neighbours (positive PMI weighted), and the
//! words are split recursively in two by spherical 2-means. The path of left/right turns down that
//! tree is the word's bit string, so prefixes give clusters at several granularities. Words that
//! behave alike ("Clinton", "Obama", "Merkel") share long prefixes even if the labelled data has
//! never seen one of them, which is why clusters help the tagger generalise to other years' news.
//! Only used by the training command; the result is stored in the model's lexicon.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::features::normalize;
use super::tokenize::tokenize;
use super::train::Rng;

/// Words that get a cluster (most frequent first).
const VOCAB: usize = 60_000;
/// Neighbour words used as context dimensions, per side.
const CONTEXTS: usize = 3_000;
const MIN_COUNT: u32 = 5;
const MAX_DEPTH: u32 = 20;
const MIN_SPLIT: usize = 24;

/// Clusters from the cache file if it exists, else learned from `corpus` (and cached).
pub fn load_or_learn(
    corpus: &[PathBuf],
    cache: Option<&Path>,
    seed: u64,
) -> Result<HashMap<String, u32>> {
    if let Some(c) = cache
        && c.exists()
    {
        let text = std::fs::read_to_string(c)?;
        let mut m = HashMap::new();
        for line in text.lines() {
            if let Some((w, p)) = line.split_once('\t')
                && let Ok(p) = u32::from_str_radix(p, 2)
            {
                m.insert(w.to_string(), p);
            }
        }
        eprintln!("clusters: read {} words from {}", m.len(), c.display());
        return Ok(m);
    }
    let m = learn(corpus, seed)?;
    if let Some(c) = cache {
        let mut f = std::io::BufWriter::new(std::fs::File::create(c)?);
        let mut v: Vec<(&String, &u32)> = m.iter().collect();
        v.sort();
        for (w, p) in v {
            writeln!(f, "{w}\t{p:b}")?;
        }
    }
    Ok(m)
}

/// Collect the text of one corpus file: plain text, a JSON object, or JSON Lines.
fn texts_of(path: &Path, out: &mut Vec<String>) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext == "json" || ext == "jsonl" {
        let pick = |v: &serde_json::Value, out: &mut Vec<String>| {
            // Body text only: headlines are title-cased, which would blur what capitals mean.
            for key in ["content_original", "short_description", "body", "text"] {
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
    } else if ext == "txt" {
        // Folder-of-articles layout: first line is the headline.
        let body: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
        out.push(body);
    }
    Ok(())
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

/// Learn clusters from the corpus files or folders.
pub fn learn(corpus: &[PathBuf], seed: u64) -> Result<HashMap<String, u32>> {
    let t0 = Instant::now();
    let mut files = Vec::new();
    for p in corpus {
        walk(p, &mut files);
    }
    // Intern every token; the corpus becomes a sequence of ids with sentence breaks.
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut seq: Vec<u32> = Vec::new();
    const BREAK: u32 = u32::MAX;
    let mut texts = Vec::new();
    for f in &files {
        texts.clear();
        texts_of(f, &mut texts)?;
        for t in &texts {
            let tk = tokenize(t);
            for s in &tk.sentences {
                for tok in &tk.tokens[s.clone()] {
                    let w = normalize(tok.text(t));
                    let id = match ids.get(w.as_ref()) {
                        Some(&id) => id,
                        None => {
                            let id = words.len() as u32;
                            ids.insert(w.to_string(), id);
                            words.push(w.to_string());
                            counts.push(0);
                            id
                        }
                    };
                    counts[id as usize] += 1;
                    seq.push(id);
                }
                seq.push(BREAK);
            }
        }
    }
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
    Ok(vocab
        .iter()
        .enumerate()
        .map(|(k, &w)| (words[w as usize].clone(), paths[k]))
        .collect())
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
