//! `quote-misses`: sorts the gold attributed quotes of the annotation sets by why the rules do
//! not give them their speaker, and above all, for the quotes whose gold speaker is no candidate
//! of the learned step at all, what happened to the speaker's name: never tagged, tagged as a
//! place or a thing, glued to a neighbour or cut, tagged but not offered (inside a quote, or
//! named too far away), or not written in the text as the annotation names it. Those are the
//! quotes no ranking can fix; the counts say which layer to fix first.
//!
//!     cargo run --release -p newsdex-train --bin quote-misses -- [--sets dev,fresh9] [--list]

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Parser;
use newsdex::entities::{EntityKind, Mention};
use newsdex_train::annotation::{Corpora, article, match_gold, read_gold};
use newsdex_train::quotes::same_speaker;

/// Every annotation set whose held-out use is spent (fresh15, round 19's held-out set, is not
/// one of them).
const SETS: &[&str] = &[
    "dev", "held-out", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7",
    "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14",
];

#[derive(Parser, Debug)]
#[command(about = "Why the gold speakers of annotated quotes are missed")]
struct Args {
    #[arg(long, default_value = "tests/data/quotes")]
    data: PathBuf,
    #[command(flatten)]
    corpora: Corpora,
    /// The sets to read (comma-separated; default every spent set).
    #[arg(long, value_delimiter = ',')]
    sets: Vec<String>,
    /// Also print each quote whose speaker no candidate carries, with its class and the text
    /// around the name.
    #[arg(long)]
    list: bool,
}

/// Why a gold attributed quote does not get its speaker (or that it does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Right,
    /// The rules' span finder missed the quote.
    QuoteMissed,
    /// A candidate carries the gold name; the rules chose another or none.
    ReachableWrong,
    ReachableNone,
    /// A Person or Org mention carries the name, but only inside quotes.
    TaggedOnlyQuoted,
    /// A Person or Org mention carries the name, outside the candidate window.
    TaggedFar,
    /// A Person or Org mention carries the name in the window, yet it is no candidate (the
    /// rules judged the attribution anonymous, or the name cannot speak).
    TaggedNotOffered,
    /// The name is tagged only as a place or a thing.
    WrongKind,
    /// The name's last word is inside a mention that is another name (glued or cut).
    Glued,
    /// The name's last word is written but no mention covers it.
    Untagged,
    /// The name as annotated is not written in the text.
    NotWritten,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Right => "right",
            Class::QuoteMissed => "quote missed",
            Class::ReachableWrong => "reachable, rules wrong",
            Class::ReachableNone => "reachable, rules none",
            Class::TaggedOnlyQuoted => "tagged, only inside quotes",
            Class::TaggedFar => "tagged, outside the window",
            Class::TaggedNotOffered => "tagged in window, not offered",
            Class::WrongKind => "tagged as place/misc",
            Class::Glued => "glued to or cut from another name",
            Class::Untagged => "written, never tagged",
            Class::NotWritten => "not written as annotated",
        }
    }

    fn unreachable(self) -> bool {
        self >= Class::TaggedOnlyQuoted
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sets: Vec<&str> = if args.sets.is_empty() {
        SETS.to_vec()
    } else {
        args.sets.iter().map(String::as_str).collect()
    };
    let corpora = &args.corpora;
    let gold = read_gold(&args.data, &sets)?;
    let mut table: BTreeMap<(Class, String), usize> = BTreeMap::new();
    let mut near: BTreeMap<Class, (usize, usize)> = BTreeMap::new();
    let mut given: BTreeMap<String, usize> = BTreeMap::new();
    for ((part, doc), quotes) in &gold {
        let text = article(corpora, doc)?;
        let chars: Vec<char> = text.chars().collect();
        let mentions = newsdex::entities::extract(&text);
        let found = newsdex::quotes::extract_with_candidates(&text, &mentions);
        let spans: Vec<(usize, usize)> = found.iter().map(|(q, _)| (q.start, q.end)).collect();
        let matched = match_gold(&spans, quotes);
        *given.entry(part.clone()).or_default() +=
            found.iter().filter(|(q, _)| q.speaker.is_some()).count();
        for (g, q) in quotes.iter().enumerate() {
            let Some(speaker) = &q.speaker else { continue };
            let hit = matched.iter().position(|m| *m == Some(g));
            let (class, at) = match hit {
                None => (Class::QuoteMissed, None),
                Some(k) => {
                    let (quote, cands) = &found[k];
                    let said = quote.speaker.as_deref();
                    if said.is_some_and(|s| same_speaker(s, speaker)) {
                        (Class::Right, None)
                    } else if cands.iter().any(|c| same_speaker(&c.name, speaker)) {
                        if said.is_some() {
                            (Class::ReachableWrong, None)
                        } else {
                            (Class::ReachableNone, None)
                        }
                    } else {
                        let quoted: Vec<(usize, usize)> =
                            found.iter().map(|(q, _)| (q.start, q.end)).collect();
                        let window = window(&chars, q.start, q.end);
                        unreachable(&chars, &mentions, &quoted, window, speaker)
                    }
                }
            };
            *table.entry((class, part.clone())).or_default() += 1;
            if class.unreachable() {
                let w = window(&chars, q.start, q.end);
                let e = near.entry(class).or_default();
                if at.is_some_and(|a| a >= w.0 && a < w.1) {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
                if args.list {
                    list(&chars, &mentions, doc, q.start, q.end, speaker, class, at);
                    if let Some(k) = hit {
                        let names: Vec<&str> = found[k].1.iter().map(|c| c.name.as_str()).collect();
                        println!(
                            "   rules: {:?} candidates: {}",
                            found[k].0.speaker,
                            names.join(" | ")
                        );
                    }
                }
            }
        }
    }
    print_table(&table, &sets, &near);
    print_scores(&table, &sets, &given);
    Ok(())
}

/// Where the learned step looks for candidates: from the paragraph before the quote's to the
/// end of the paragraph the quote ends in.
fn window(chars: &[char], start: usize, end: usize) -> (usize, usize) {
    let para_start = |at: usize| {
        (0..at)
            .rev()
            .find(|&k| chars[k] == '\n')
            .map_or(0, |k| k + 1)
    };
    let own = para_start(start.min(chars.len()));
    let mut back = own;
    while back > 0 && chars[back - 1] == '\n' {
        back -= 1;
    }
    let from = para_start(back);
    let to = (end.min(chars.len())..chars.len())
        .find(|&k| chars[k] == '\n')
        .unwrap_or(chars.len());
    (from, to)
}

/// The class of a quote whose gold speaker no candidate carries, and where in the text the
/// evidence is (the nearest occurrence of the name), if anywhere.
fn unreachable(
    chars: &[char],
    mentions: &[Mention],
    quoted: &[(usize, usize)],
    window: (usize, usize),
    speaker: &str,
) -> (Class, Option<usize>) {
    let inside = |m: &Mention| quoted.iter().any(|&(a, b)| m.start >= a && m.end <= b);
    let named = |m: &&Mention| same_speaker(&m.canonical, speaker);
    let nearest = |ms: &[&Mention]| {
        ms.iter()
            .min_by_key(|m| distance(m.start, window))
            .map(|m| m.start)
    };
    let speaking: Vec<&Mention> = mentions
        .iter()
        .filter(named)
        .filter(|m| matches!(m.kind, EntityKind::Person | EntityKind::Org))
        .collect();
    if !speaking.is_empty() {
        let outside: Vec<&Mention> = speaking.iter().copied().filter(|m| !inside(m)).collect();
        if outside.is_empty() {
            return (Class::TaggedOnlyQuoted, nearest(&speaking));
        }
        let at = nearest(&outside);
        let in_window = outside
            .iter()
            .any(|m| m.start >= window.0 && m.end <= window.1);
        return if in_window {
            (Class::TaggedNotOffered, at)
        } else {
            (Class::TaggedFar, at)
        };
    }
    let other_kind: Vec<&Mention> = mentions.iter().filter(named).collect();
    if !other_kind.is_empty() {
        return (Class::WrongKind, nearest(&other_kind));
    }
    // Written as the name, but the tagger's canonical name for it is another (`Behar` filed
    // under a headline's `Joy Behar Slams Bolton`).
    let misnamed: Vec<&Mention> = mentions
        .iter()
        .filter(|m| same_speaker(&m.text, speaker))
        .collect();
    if !misnamed.is_empty() {
        return (Class::Glued, nearest(&misnamed));
    }
    let last = speaker.split_whitespace().last().unwrap_or(speaker);
    let needle: Vec<char> = last.chars().collect();
    let found: Vec<usize> = occurrences(chars, &needle);
    if found.is_empty() {
        return (Class::NotWritten, None);
    }
    let covered = |at: usize| {
        mentions
            .iter()
            .any(|m| m.start < at + needle.len() && m.end > at)
    };
    let glued: Vec<usize> = found.iter().copied().filter(|&a| covered(a)).collect();
    let best = |v: &[usize]| v.iter().copied().min_by_key(|&a| distance(a, window));
    if glued.is_empty() {
        (Class::Untagged, best(&found))
    } else {
        (Class::Glued, best(&glued))
    }
}

/// Word-bounded occurrences of a word, case as written.
fn occurrences(chars: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    (0..chars.len().saturating_sub(needle.len() - 1))
        .filter(|&k| {
            chars[k..k + needle.len()] == *needle
                && (k == 0 || !chars[k - 1].is_alphanumeric())
                && chars
                    .get(k + needle.len())
                    .is_none_or(|c| !c.is_alphanumeric())
        })
        .collect()
}

fn distance(at: usize, window: (usize, usize)) -> usize {
    if at < window.0 {
        window.0 - at
    } else {
        at.saturating_sub(window.1)
    }
}

#[allow(clippy::too_many_arguments)]
fn list(
    chars: &[char],
    mentions: &[Mention],
    doc: &str,
    start: usize,
    end: usize,
    speaker: &str,
    class: Class,
    at: Option<usize>,
) {
    let snippet = |a: usize, b: usize| -> String {
        chars[a.min(chars.len())..b.min(chars.len())]
            .iter()
            .map(|c| if c.is_whitespace() { ' ' } else { *c })
            .collect()
    };
    println!(
        "## {} | {doc} {start}-{end} | gold={speaker}",
        class.label()
    );
    println!("   quote: {}", snippet(start, (start + 60).min(end)));
    if let Some(a) = at {
        println!("   name:  {}", snippet(a.saturating_sub(90), a + 90));
        let near: Vec<String> = mentions
            .iter()
            .filter(|m| m.end + 90 > a && m.start < a + 90)
            .map(|m| format!("{:?}:{}={}", m.kind, m.text, m.canonical))
            .collect();
        println!("   tags:  {}", near.join(" | "));
    } else {
        println!("   after: {}", snippet(end, end + 120));
        println!("   before:{}", snippet(start.saturating_sub(150), start));
    }
}

fn print_table(
    table: &BTreeMap<(Class, String), usize>,
    sets: &[&str],
    near: &BTreeMap<Class, (usize, usize)>,
) {
    let classes: Vec<Class> = {
        let mut v: Vec<Class> = table.keys().map(|(c, _)| *c).collect();
        v.dedup();
        v
    };
    print!("| class |");
    for s in sets {
        print!(" {s} |");
    }
    println!(" all | name in window / not |");
    print!("| --- |");
    for _ in sets {
        print!(" --- |");
    }
    println!(" --- | --- |");
    for c in classes {
        print!("| {} |", c.label());
        let mut all = 0;
        for s in sets {
            let n = table.get(&(c, s.to_string())).copied().unwrap_or(0);
            all += n;
            print!(" {n} |");
        }
        let (a, b) = near.get(&c).copied().unwrap_or((0, 0));
        if c.unreachable() {
            println!(" {all} | {a} / {b} |");
        } else {
            println!(" {all} | |");
        }
    }
}

/// Speaker precision and recall per set, as `scripts/quotes-eval` computes them: a quick check
/// that a change to the candidates did not buy its right speakers with wrong ones.
fn print_scores(
    table: &BTreeMap<(Class, String), usize>,
    sets: &[&str],
    given: &BTreeMap<String, usize>,
) {
    println!();
    println!("| set | speakers P / R (right / given / gold) |");
    println!("| --- | --- |");
    let (mut right_all, mut given_all, mut gold_all) = (0, 0, 0);
    for s in sets {
        let right = table
            .get(&(Class::Right, s.to_string()))
            .copied()
            .unwrap_or(0);
        let gold: usize = table
            .iter()
            .filter(|((_, set), _)| set == s)
            .map(|(_, n)| n)
            .sum();
        let g = given.get(*s).copied().unwrap_or(0);
        println!("| {s} | {} |", cell(right, g, gold));
        right_all += right;
        given_all += g;
        gold_all += gold;
    }
    println!("| all | {} |", cell(right_all, given_all, gold_all));
}

fn cell(right: usize, given: usize, gold: usize) -> String {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    format!(
        "{:.3} / {:.3} ({right} / {given} / {gold})",
        ratio(right, given),
        ratio(right, gold)
    )
}
