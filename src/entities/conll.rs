//! CoNLL column files: reading them into documents (for training and evaluation), writing tagged
//! copies (`tag_conll`), and entity-level scoring with conlleval's chunk rules, so training can
//! select models by the same number the project reports.

use std::ops::Range;

use super::model::{TAG_NAMES, tag_id};
use super::tokenize::Doc;

/// One `-DOCSTART-`-delimited document of a CoNLL file.
#[derive(Debug, Clone, Default)]
pub struct ConllDoc {
    pub tokens: Vec<String>,
    /// Gold tag ids (IOB2), when the file has a tag column.
    pub tags: Vec<u8>,
    pub sents: Vec<Range<usize>>,
    /// Line number of every token, for writing predictions back in place.
    pub lines: Vec<usize>,
}

impl ConllDoc {
    pub fn as_doc(&self) -> Doc<'_> {
        Doc {
            tokens: self.tokens.iter().map(|s| s.as_str()).collect(),
            sents: self.sents.clone(),
        }
    }
}

fn is_docstart(line: &str) -> bool {
    line.trim_start().starts_with("-DOCSTART-")
}

/// Every `HELD_OUT_EVERY`-th document of the development set (the first, the sixth, ...) is
/// held out of the shipped model's training; the rest is trained on together with the training
/// set. The held-out part is the text the suite's accuracy tests score (see models/README.md).
pub const HELD_OUT_EVERY: usize = 5;

/// Split a CoNLL file's text into the documents trained on and the documents held out (every
/// `every`-th, counting from the first), each kept as CoNLL text. Documents are counted as
/// `read_conll` counts them: a `-DOCSTART-` section with at least one token line.
pub fn split_held_out(text: &str, every: usize) -> (String, String) {
    let (mut trained, mut held) = (String::new(), String::new());
    let mut section = String::new();
    let mut n = 0usize;
    let mut flush = |section: &mut String| {
        let has_tokens = section
            .lines()
            .any(|l| !l.trim().is_empty() && !is_docstart(l));
        if has_tokens {
            let out = if n.is_multiple_of(every.max(1)) {
                &mut held
            } else {
                &mut trained
            };
            out.push_str(section);
            n += 1;
        }
        section.clear();
    };
    for line in text.lines() {
        if is_docstart(line) {
            flush(&mut section);
        }
        section.push_str(line);
        section.push('\n');
    }
    flush(&mut section);
    (trained, held)
}

/// Read a CoNLL file. Tags in the last column are converted from IOB1 to IOB2 as needed; a file
/// with only one column yields all-`O` tags.
pub fn read_conll(text: &str) -> Vec<ConllDoc> {
    let mut docs = Vec::new();
    let mut doc = ConllDoc::default();
    let mut sent_start = 0usize;
    let mut prev_tag = 0u8;
    let close_sent = |doc: &mut ConllDoc, sent_start: &mut usize| {
        if doc.tokens.len() > *sent_start {
            doc.sents.push(*sent_start..doc.tokens.len());
        }
        *sent_start = doc.tokens.len();
    };
    for (ln, line) in text.lines().enumerate() {
        if is_docstart(line) {
            close_sent(&mut doc, &mut sent_start);
            if !doc.tokens.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            sent_start = 0;
            prev_tag = 0;
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            close_sent(&mut doc, &mut sent_start);
            prev_tag = 0;
            continue;
        }
        let mut tag = if cols.len() > 1 {
            tag_id(cols[cols.len() - 1]).unwrap_or(0)
        } else {
            0
        };
        // IOB1 -> IOB2: an I- tag that does not continue its own type starts an entity.
        if tag > 0 && tag % 2 == 0 && prev_tag != tag && prev_tag + 1 != tag {
            tag -= 1;
        }
        prev_tag = tag;
        doc.tokens.push(cols[0].to_string());
        doc.tags.push(tag);
        doc.lines.push(ln);
    }
    close_sent(&mut doc, &mut sent_start);
    if !doc.tokens.is_empty() {
        docs.push(doc);
    }
    docs
}

/// Write `input` back with one more column holding each token's predicted tag.
pub fn write_tagged(input: &str, docs: &[ConllDoc], predicted: &[Vec<u8>]) -> String {
    let mut tag_of_line: Vec<Option<u8>> = vec![None; input.lines().count()];
    for (d, p) in docs.iter().zip(predicted) {
        for (&ln, &t) in d.lines.iter().zip(p) {
            tag_of_line[ln] = Some(t);
        }
    }
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    for (ln, line) in input.lines().enumerate() {
        out.push_str(line.trim_end());
        if let Some(t) = tag_of_line[ln] {
            out.push(' ');
            out.push_str(TAG_NAMES[t as usize]);
        }
        out.push('\n');
    }
    out
}

/// Entity counts of one evaluation, overall and per type (PER, ORG, LOC, MISC).
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub correct: [usize; 5],
    pub guessed: [usize; 5],
    pub gold: [usize; 5],
}

impl Score {
    pub fn f1_of(&self, k: usize) -> f64 {
        let p = self.correct[k] as f64 / self.guessed[k].max(1) as f64;
        let r = self.correct[k] as f64 / self.gold[k].max(1) as f64;
        if p + r == 0.0 {
            0.0
        } else {
            200.0 * p * r / (p + r)
        }
    }
    /// Overall F1 in percent.
    pub fn f1(&self) -> f64 {
        self.f1_of(0)
    }
    pub fn report(&self) -> String {
        let mut s = format!("F1={:.2}", self.f1());
        for (k, name) in ["PER", "ORG", "LOC", "MISC"].iter().enumerate() {
            s.push_str(&format!(" {name}={:.2}", self.f1_of(k + 1)));
        }
        s
    }
}

/// Chunks of a tag-string sequence by conlleval's rules: `(start, end, type)`.
pub fn chunks(tags: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let split = |t: &str| -> (char, String) {
        match t.split_once('-') {
            Some((p, ty)) => (p.chars().next().unwrap_or('O'), ty.to_string()),
            None => ('O', String::new()),
        }
    };
    let mut prev = ('O', String::new());
    for (i, t) in tags.iter().enumerate() {
        let (p, ty) = split(t);
        let starts = p == 'B' || p == 'S' || (p == 'I' && (prev.0 == 'O' || prev.1 != ty));
        let ends_prev = prev.0 != 'O' && (p == 'O' || p == 'B' || p == 'S' || prev.1 != ty);
        if (ends_prev || starts)
            && let Some((s, pt)) = cur.take()
        {
            out.push((s, i, pt));
        }
        if starts {
            cur = Some((i, ty.clone()));
        }
        prev = (p, ty);
    }
    if let Some((s, pt)) = cur {
        out.push((s, tags.len(), pt));
    }
    out
}

/// Score predicted against gold tag strings (whole sequences, sentence breaks as "O").
pub fn score_strings(gold: &[&str], pred: &[&str]) -> Score {
    let mut sc = Score::default();
    let type_idx = |t: &str| match t {
        "PER" => 1,
        "ORG" => 2,
        "LOC" => 3,
        _ => 4,
    };
    let g = chunks(gold);
    let p = chunks(pred);
    let gset: std::collections::HashSet<&(usize, usize, String)> = g.iter().collect();
    for c in &g {
        sc.gold[0] += 1;
        sc.gold[type_idx(&c.2)] += 1;
    }
    for c in &p {
        sc.guessed[0] += 1;
        sc.guessed[type_idx(&c.2)] += 1;
        if gset.contains(c) {
            sc.correct[0] += 1;
            sc.correct[type_idx(&c.2)] += 1;
        }
    }
    sc
}

/// Score tag-id sequences of many documents.
pub fn score_docs(docs: &[ConllDoc], predicted: &[Vec<u8>]) -> Score {
    let mut gold = Vec::new();
    let mut pred = Vec::new();
    for (d, p) in docs.iter().zip(predicted) {
        for s in &d.sents {
            for i in s.clone() {
                gold.push(TAG_NAMES[d.tags[i] as usize]);
                pred.push(TAG_NAMES[p[i] as usize]);
            }
            gold.push("O");
            pred.push("O");
        }
    }
    score_strings(&gold, &pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_converts_iob1() {
        let text = "-DOCSTART- -X- O\n\nPeter X I-PER\nBlackburn X I-PER\nin X O\nBonn X I-LOC\n\n";
        let docs = read_conll(text);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].tags, vec![1, 2, 0, 5]);
        assert_eq!(docs[0].sents, vec![0..4]);
    }

    #[test]
    fn held_out_documents_are_every_kth_counting_as_read_conll_does() {
        let text = "-DOCSTART- -X- O\n\nA X B-PER\n\n-DOCSTART- -X- O\n\n\
                    -DOCSTART- -X- O\n\nB X O\nC X B-LOC\n\n-DOCSTART- -X- O\n\nD X O\n\n";
        let (trained, held) = split_held_out(text, 2);
        let (t, h) = (read_conll(&trained), read_conll(&held));
        assert_eq!(read_conll(text).len(), 3);
        assert_eq!(
            h.iter().map(|d| d.tokens.join(" ")).collect::<Vec<_>>(),
            ["A", "D"]
        );
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].tokens, ["B", "C"]);
        assert_eq!(t[0].tags, [0, 5]);
    }

    #[test]
    fn conlleval_chunks() {
        let c = chunks(&["B-PER", "I-PER", "O", "I-LOC", "I-ORG", "B-ORG"]);
        assert_eq!(
            c,
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 5, "ORG".to_string()),
                (5, 6, "ORG".to_string())
            ]
        );
        let s = score_strings(&["B-PER", "I-PER", "O"], &["B-PER", "O", "O"]);
        assert_eq!((s.correct[0], s.guessed[0], s.gold[0]), (0, 1, 1));
    }
}
