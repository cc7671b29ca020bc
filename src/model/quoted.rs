//! Which of a hit's quotes a search shows: with `--speaker`, that speaker's quotes (those that
//! also match the query's `quote:` words first); otherwise the quotes that hold a `quote:` word
//! or phrase; otherwise none, so hits stay small. One rule for both engines, applied to each hit
//! they build.
use super::query::{MatchMode, Node, Scope, parse};
use super::request::SearchRequest;
use crate::quotes::Quote;

/// The request's quote selection, made once per search.
#[derive(Debug, Clone, Default)]
pub struct QuoteFilter {
    speakers: Vec<String>,
    /// Each a sequence of folded words that must appear in order in the quote.
    leaves: Vec<Vec<String>>,
}

impl QuoteFilter {
    pub fn new(req: &SearchRequest) -> QuoteFilter {
        let mut leaves = Vec::new();
        if let Ok(node) = parse(&req.query, MatchMode::All) {
            collect(&node, &mut leaves);
        }
        QuoteFilter {
            speakers: req.speakers.iter().map(|s| s.to_lowercase()).collect(),
            leaves,
        }
    }

    /// Whether this search shows no article's quotes: its hits need not read them.
    pub fn shows_none(&self) -> bool {
        self.speakers.is_empty() && self.leaves.is_empty()
    }

    /// The quotes of one article to show with its hit.
    pub fn select(&self, quotes: Vec<Quote>) -> Vec<Quote> {
        if self.shows_none() {
            return Vec::new();
        }
        let by_speaker: Vec<Quote> = if self.speakers.is_empty() {
            quotes
        } else {
            quotes
                .into_iter()
                .filter(|q| {
                    q.speaker
                        .as_ref()
                        .is_some_and(|s| self.speakers.contains(&s.to_lowercase()))
                })
                .collect()
        };
        if self.leaves.is_empty() {
            return by_speaker;
        }
        let matching: Vec<Quote> = by_speaker
            .iter()
            .filter(|q| self.matches(&q.text))
            .cloned()
            .collect();
        if matching.is_empty() && !self.speakers.is_empty() {
            by_speaker
        } else {
            matching
        }
    }

    fn matches(&self, text: &str) -> bool {
        let words = fold(text);
        self.leaves
            .iter()
            .any(|leaf| words.windows(leaf.len()).any(|w| w == leaf.as_slice()))
    }
}

/// Positive `quote:` leaves of a query tree, as folded word sequences.
fn collect(node: &Node, out: &mut Vec<Vec<String>>) {
    match node {
        Node::Word {
            scope: Scope::Quote,
            text,
        }
        | Node::Phrase {
            scope: Scope::Quote,
            text,
            ..
        } => {
            let words = fold(text);
            if !words.is_empty() {
                out.push(words);
            }
        }
        Node::Group(children) => {
            for (occur, child) in children {
                if *occur != super::query::Occur::MustNot {
                    collect(child, out);
                }
            }
        }
        _ => {}
    }
}

/// Lower-cased words, the way the exact analysis splits them (letters and digits).
fn fold(text: &str) -> Vec<String> {
    let mut exact = crate::analysis::exact();
    crate::analysis::terms(&mut exact, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::Attribution;

    fn quote(text: &str, speaker: Option<&str>) -> Quote {
        Quote {
            text: text.into(),
            start: 0,
            end: text.chars().count(),
            speaker: speaker.map(str::to_string),
            speaker_kind: None,
            attribution: Attribution::None,
        }
    }

    fn filter(query: &str, speakers: &[&str]) -> QuoteFilter {
        QuoteFilter::new(&SearchRequest {
            query: query.into(),
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
            ..SearchRequest::default()
        })
    }

    #[test]
    fn phrase_words_in_order_and_speakers() {
        let qs = vec![
            quote("We will not negotiate, ever.", Some("Elena Vasquez")),
            quote("Negotiate? We will not.", Some("Elena Vasquez")),
            quote("We will not negotiate either.", Some("Tomas Brenner")),
        ];
        let got = filter("quote:\"will not negotiate\"", &[]).select(qs.clone());
        assert_eq!(got.len(), 2);
        let got = filter("quote:\"will not negotiate\"", &["elena vasquez"]).select(qs.clone());
        assert_eq!(got, vec![qs[0].clone()]);
        let got = filter("harbour", &["Tomas Brenner"]).select(qs.clone());
        assert_eq!(got, vec![qs[2].clone()]);
        assert!(filter("harbour", &[]).select(qs).is_empty());
    }
}
