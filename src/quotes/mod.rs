//! Who said what: direct quotes in an article's body and the entity each one is attributed to.
//!
//! A pure function over a text and the tagger's mentions of it ([`extract_with_mentions`]), so
//! the index writer, `newsdex quotes` and the evaluation all see the same answer. It lives beside
//! `entities/` (layer 1) because a speaker is an entity: the speaker of a quote is always the
//! canonical name of a mention the tagger found, never a word of the text that no mention covers.
//!
//! Three steps, each in its own file: `marks` pairs quotation marks into spans (straight, curly,
//! guillemets, low-high, and the convention of a quote running over several paragraphs that
//! re-open it and close it only at the last), `classify` tells quotes from scare quotes, titles
//! and nicknames, and `attribute` finds the speech verb next to a quote and resolves its subject
//! (a name, a pronoun, a role noun such as "the minister", or the previous quote of the same
//! paragraph), with `referents` saying which names can speak at all (no datelines, no storms) and
//! which pronoun each person takes, as the text itself shows. When the text gives no attribution
//! a quote keeps no speaker: precision first.
use serde::Serialize;

use crate::entities::{EntityKind, Mention};

mod attribute;
mod classify;
mod frames;
pub mod learned;
mod marks;
mod referents;
mod words;

/// How a quote's speaker was found, so a reader (and the evaluation) can weigh it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribution {
    /// The speaker is named next to the speech verb ("said Elena Vasquez", "the council said").
    Named,
    /// "he said", "she told reporters": the nearest person named before it.
    Pronoun,
    /// "the minister said": the person named earlier with that role.
    Role,
    /// A quote that goes on in the same paragraph after an attributed one.
    Continued,
    /// Chosen by the learned model among the entities named near the quote.
    Learned,
    /// No attribution the text supports.
    None,
}

/// One direct quote of a text.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Quote {
    /// The words inside the marks; the marks re-opening each paragraph of a quote that runs over
    /// several are left out and its paragraphs joined by one space.
    pub text: String,
    /// Character (not byte) offsets of the quoted words in the text, `[start, end)`, marks
    /// excluded.
    pub start: usize,
    pub end: usize,
    /// The speaker's canonical name, or `None` when the text does not say who spoke.
    pub speaker: Option<String>,
    /// The kind of entity the speaker is.
    pub speaker_kind: Option<EntityKind>,
    pub attribution: Attribution,
}

/// The quotes of one text, tagging it with the embedded entity model first.
pub fn extract(text: &str) -> Vec<Quote> {
    let mentions = crate::entities::extract(text);
    extract_with_mentions(text, &mentions)
}

/// The quotes of one text whose entity mentions are already known (the index writer has them).
/// Quotes come in text order.
pub fn extract_with_mentions(text: &str, mentions: &[Mention]) -> Vec<Quote> {
    let model = learned::embedded();
    if model.cut.policy == learned::Policy::Rules {
        return by_rules(text, mentions, Rank::None)
            .into_iter()
            .map(|(q, _)| q)
            .collect();
    }
    // Most quotes have a rule speaker: rank them only when the model may overrule it.
    let rank = if model.cut.may_overrule() {
        Rank::All
    } else {
        Rank::Gaps
    };
    by_rules(text, mentions, rank)
        .into_iter()
        .map(|(q, candidates)| combine(model, q, &candidates))
        .collect()
}

/// Which quotes [`by_rules`] ranks candidates for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rank {
    None,
    /// Every quote: the trainer, and policies that may overrule a rule speaker.
    All,
    /// Only quotes the rules gave no speaker.
    Gaps,
}

/// The rules' quotes of one text, each with the candidates the learned model would rank: what
/// the trainer learns from and cross-validates the combination on.
pub fn extract_with_candidates(
    text: &str,
    mentions: &[Mention],
) -> Vec<(Quote, Vec<learned::Candidate>)> {
    by_rules(text, mentions, Rank::All)
}

/// One quote's speaker as the model and the rules together decide it.
fn combine(model: &learned::Model, mut q: Quote, candidates: &[learned::Candidate]) -> Quote {
    let probs: Vec<f64> = candidates.iter().map(|c| model.probability(c)).collect();
    let rule = q
        .speaker
        .as_ref()
        .and_then(|s| candidates.iter().position(|c| &c.name == s));
    match learned::decide(model.cut, rule, &probs) {
        learned::Decision::Keep => {}
        learned::Decision::Drop => {
            q.speaker = None;
            q.speaker_kind = None;
            q.attribution = Attribution::None;
        }
        learned::Decision::Choose(k) => {
            q.speaker = Some(candidates[k].name.clone());
            q.speaker_kind = Some(candidates[k].kind);
            q.attribution = Attribution::Learned;
        }
    }
    q
}

/// The rules' answer, with the candidates of the quotes `rank` asks for.
fn by_rules(text: &str, mentions: &[Mention], rank: Rank) -> Vec<(Quote, Vec<learned::Candidate>)> {
    let chars: Vec<char> = text.chars().collect();
    let spans = marks::spans(&chars);
    if spans.is_empty() {
        // No quotation marks, no quotes: the attribution's preparation would be wasted.
        return Vec::new();
    }
    let mentions = referents::untagged_acronyms(&chars, &referents::shared_surnames(mentions));
    let mentions = referents::spelled_out_acronyms(referents::glued_canonicals(mentions));
    let table = words::Table::new(&chars);
    let mentions = frames::framed_names(&table, &chars, &spans, mentions);
    let doc = attribute::Doc::new(&table, &chars, &mentions, &spans);
    let mut out: Vec<(Quote, Vec<learned::Candidate>)> = Vec::new();
    let mut found: Vec<attribute::Found> = (0..spans.len()).map(|i| doc.attribute(i)).collect();
    // `"open to each other" and "avoid all extremism," according to Kern`: a quote joined to
    // the next by "and" alone shares the next one's attribution.
    for i in (0..spans.len().saturating_sub(1)).rev() {
        if let (attribute::Found::Nothing, attribute::Found::Speaker(next)) =
            (&found[i], &found[i + 1])
            && doc.paired_with_next(i)
        {
            found[i] = attribute::Found::Speaker(next.clone());
        }
    }
    let tally = std::cell::OnceCell::new();
    let mut previous: Option<(usize, attribute::Speaker)> = None;
    let mut last_speaker: Option<String> = None;
    for (i, (span, found)) in spans.iter().zip(found).enumerate() {
        // An attribution whose subject is no entity ("one resident said") says the speaker is
        // nobody the text names: the model is not asked to find one.
        let anonymous = matches!(found, attribute::Found::Unresolved);
        let speaker = match (found, &previous) {
            (attribute::Found::Speaker(s), _) => Some(doc.full_name(s)),
            (attribute::Found::Nothing, Some((j, prev))) if doc.continues(*j, i, &prev.name) => {
                Some(attribute::Speaker {
                    via: Attribution::Continued,
                    ..prev.clone()
                })
            }
            _ => None,
        };
        // A span that continues the speaker of a quote in an earlier sentence must read as
        // speech by itself: a short phrase in marks there is as often a scare quote. In the
        // same sentence (`a "witch hunt" and a "total hoax"`) it shares the attribution.
        let attributed = speaker.as_ref().is_some_and(|s| {
            s.via != Attribution::Continued
                || previous
                    .as_ref()
                    .is_some_and(|(j, _)| doc.same_sentence(*j, i))
        });
        if classify::names_programme(&table, &chars, span) {
            // `Hickox told NBC's "Today" that she doesn't "plan on …"`: the programme is no
            // quote, but its sentence's attribution goes on to the quotes after it.
            if let Some(s) = &speaker {
                previous = Some((i, s.clone()));
            }
            continue;
        }
        if !classify::is_quote(&table, &chars, span, attributed) {
            continue;
        }
        let ranked = match rank {
            Rank::None => false,
            Rank::All => true,
            Rank::Gaps => speaker.is_none(),
        };
        let candidates = if ranked && !anonymous {
            learned::Context {
                doc: &doc,
                tally: tally.get_or_init(|| learned::Tally::new(&doc, &chars)),
                chars: &chars,
                spans: &spans,
                i,
                rule: speaker.as_ref(),
                previous: last_speaker.as_deref(),
            }
            .candidates()
        } else {
            Vec::new()
        };
        last_speaker = speaker.as_ref().map(|s| s.name.clone());
        if let Some(s) = &speaker {
            previous = Some((i, s.clone()));
        }
        let quote = Quote {
            text: span.text(&chars),
            start: span.start,
            end: span.end,
            speaker_kind: speaker.as_ref().map(|s| s.kind),
            attribution: speaker.as_ref().map_or(Attribution::None, |s| s.via),
            speaker: speaker.map(|s| s.name),
        };
        out.push((quote, candidates));
    }
    out
}

/// The distinct speakers of a list of quotes, most quoted first (ties: first quoted). This is
/// what the indexer keeps as the speaker facet.
pub fn speakers(quotes: &[Quote]) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for name in quotes.iter().filter_map(|q| q.speaker.as_ref()) {
        match counts.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 += 1,
            None => counts.push((name.clone(), 1)),
        }
    }
    counts.sort_by_key(|e| std::cmp::Reverse(e.1));
    counts.into_iter().map(|(n, _)| n).collect()
}

#[cfg(test)]
mod tests;
