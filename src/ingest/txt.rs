//! Plain text articles: headline on line 1, optional standfirst, paragraphs, optional source line.
//!
//! Plain text has no markup, so structure is inferred from layout. The heuristics lean towards
//! leaving text in the body: a wrongly promoted standfirst or source hides real body text, and a
//! missed one merely leaves a line in the body.
use super::text::{collapse_ws, non_empty, split_authors, split_paragraphs};
use super::{Article, SkipReason, Warning, date, source};

/// Longest line accepted as a standfirst.
const MAX_STANDFIRST_CHARS: usize = 200;
/// Limits for a closing line naming the publication.
const MAX_SOURCE_CHARS: usize = 60;
const MAX_SOURCE_WORDS: usize = 6;
/// Lowercase words allowed inside a publication name ("The Bank of England Gazette").
const NAME_PARTICLES: &[&str] = &[
    "of", "the", "and", "for", "on", "in", "at", "de", "la", "le", "du", "&", "-", "—",
];

/// Labels that mark a dateline paragraph ("Published: 4 March 2025").
const DATE_LABELS: &[&str] = &["published", "date", "updated", "posted"];

pub fn parse_txt(text: &str, warnings: &mut Vec<Warning>) -> Result<Article, SkipReason> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(head_idx) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Err(SkipReason::Empty);
    };
    let headline = collapse_ws(lines[head_idx]);
    let rest = &lines[head_idx + 1..];

    let (signoff, rest) = take_signoff_line(rest);
    let (standfirst, rest) = split_standfirst(rest);
    let mut paras = split_paragraphs(&rest.join("\n"));
    // Byline and dateline may come in either order before the body.
    let mut authors = take_byline(&mut paras);
    let date = take_dateline(&mut paras, warnings);
    if authors.is_empty() {
        authors = take_byline(&mut paras);
    }
    let source = signoff.or_else(|| take_source_line(&mut paras));
    Ok(Article {
        headline,
        standfirst,
        body: paras.join("\n\n"),
        source,
        authors,
        date,
        ..Default::default()
    })
}

/// A first paragraph that is only a date, optionally labelled ("Published: ..."), is the
/// publication date. An unlabelled paragraph counts only if it parses, so prose is never taken;
/// a labelled one that does not parse is a bad date (warned, and removed from the body).
fn take_dateline(
    paras: &mut Vec<String>,
    warnings: &mut Vec<Warning>,
) -> Option<chrono::NaiveDate> {
    if paras.len() < 2 {
        return None;
    }
    let (labelled, value) = dateline_value(paras.first()?)?;
    let value = value.to_string();
    match date::parse_dateline(&value) {
        Ok(Some(d)) => {
            paras.remove(0);
            Some(d)
        }
        // A labelled line is a dateline whatever its value: warn, and keep it out of the body.
        Ok(None) if labelled => {
            warnings.push(Warning::date(None, value, date::DateError::Unrecognised));
            paras.remove(0);
            None
        }
        Err(err) if labelled => {
            warnings.push(Warning::date(None, value, err));
            paras.remove(0);
            None
        }
        _ => None,
    }
}

/// A standfirst is either a short line directly under the headline (no blank line between)
/// followed by a blank line, or, after a blank line, a short single-line paragraph that does
/// not end like a sentence. Both need body text after them. BBC-style one-sentence ledes end
/// with a full stop after a blank line, so they stay in the body.
fn split_standfirst<'a>(rest: &'a [&'a str]) -> (Option<String>, &'a [&'a str]) {
    let has_body_after = |from: usize| {
        rest.get(from..)
            .is_some_and(|r| r.iter().any(|l| !l.trim().is_empty()))
    };
    let blank = |i: usize| rest.get(i).is_some_and(|l| l.trim().is_empty());
    let candidate = |line: &str| {
        let n = line.trim().chars().count();
        n > 0
            && n <= MAX_STANDFIRST_CHARS
            && !line.trim_end().ends_with(':')
            && !is_byline(line)
            && !is_dateline(line)
    };

    // Directly under the headline.
    if let Some(&line) = rest.first() {
        if !line.trim().is_empty() && candidate(line) && blank(1) && has_body_after(2) {
            return (non_empty(line), &rest[1..]);
        }
        if !line.trim().is_empty() {
            return (None, rest);
        }
    }
    // After a blank line: a single-line paragraph without closing sentence punctuation.
    let Some(i) = rest.iter().position(|l| !l.trim().is_empty()) else {
        return (None, rest);
    };
    let line = rest[i];
    let ends_like_sentence = line
        .trim_end()
        .ends_with(['.', '!', '?', '"', '\'', '”', '’', ')', ',', ';', '…']);
    if candidate(line)
        && !ends_like_sentence
        && blank(i + 1)
        && has_body_after(i + 2)
        && line.split_whitespace().count() >= 3
    {
        return (non_empty(line), &rest[i + 1..]);
    }
    (None, rest)
}

/// "By Name and Name": short, no sentence punctuation, capitalised names.
fn is_byline(line: &str) -> bool {
    let line = line.trim();
    line.len() <= 100
        && line.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by "))
        && !line.ends_with(['.', '!', '?'])
        && line[3..]
            .split_whitespace()
            .all(|w| starts_upper(w) || is_particle(w) || w.ends_with(','))
}

/// A first paragraph that is a byline is authors, not body text.
fn take_byline(paras: &mut Vec<String>) -> Vec<String> {
    match paras.first() {
        Some(first) if paras.len() > 1 && is_byline(first) => split_authors(&paras.remove(0)),
        _ => Vec::new(),
    }
}

/// A line that is only a date, or a labelled date ("Published: ..."), whether or not it parses.
fn is_dateline(line: &str) -> bool {
    dateline_value(line).is_some()
}

/// The date text of a dateline: the value after a known label, or the whole line if it parses.
fn dateline_value(line: &str) -> Option<(bool, &str)> {
    let line = line.trim();
    if line.chars().count() > 60 {
        return None;
    }
    match line.split_once(':') {
        Some((label, v)) if DATE_LABELS.contains(&label.trim().to_lowercase().as_str()) => {
            Some((true, v.trim()))
        }
        _ => matches!(date::parse_dateline(line), Ok(Some(_))).then_some((false, line)),
    }
}

/// A last paragraph that names the publication ("Reuters", "The Harbour Gazette") becomes the
/// source. It must be short, unpunctuated at the end, digit-free and made of capitalised words,
/// so closing sentence fragments and "Copyright 2024" lines stay in the body.
fn take_source_line(paras: &mut Vec<String>) -> Option<String> {
    if paras.len() < 2 {
        return None;
    }
    let name = signoff_name(paras.last()?)?;
    paras.pop();
    Some(name)
}

/// A sign-off on a line of its own directly under the last sentence (no blank line between):
/// the line above must end a sentence, so a name that merely wraps onto the last line
/// ("...said the chief of\nNorthfield Council") stays in the body. A name run into the last
/// sentence on the same line is never taken.
fn take_signoff_line<'a>(rest: &'a [&'a str]) -> (Option<String>, &'a [&'a str]) {
    let Some(last) = rest.iter().rposition(|l| !l.trim().is_empty()) else {
        return (None, rest);
    };
    let above = last.checked_sub(1).map(|i| rest[i].trim_end());
    let ends_sentence =
        above.is_some_and(|l| !l.is_empty() && l.ends_with(['.', '!', '?', '"', '”', '’', '\'']));
    if !ends_sentence {
        return (None, rest);
    }
    match signoff_name(rest[last]) {
        Some(name) => (Some(name), &rest[..last]),
        None => (None, rest),
    }
}

/// The publication a standalone closing line names, cleaned, if it looks like one.
fn signoff_name(line: &str) -> Option<String> {
    let raw = strip_source_prefix(line);
    let name = source::clean(raw)?;
    // A full stop after a one- or two-word name is a sign-off's ("Reuters."); after more words
    // it ends a sentence fragment.
    let trimmed = raw.trim_end_matches(|c: char| c.is_control() || c.is_whitespace());
    let dot_only = trimmed.ends_with('.') && !trimmed.ends_with("..");
    if dot_only && name.split_whitespace().count() > 2 {
        return None;
    }
    looks_like_publication(&name).then_some(name)
}

fn strip_source_prefix(line: &str) -> &str {
    let t = line.trim().trim_start_matches(['—', '–', '-']).trim_start();
    match t.split_once(':') {
        Some((label, name)) if label.trim().eq_ignore_ascii_case("source") => name.trim(),
        _ => t,
    }
}

fn looks_like_publication(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_SOURCE_WORDS || name.chars().count() > MAX_SOURCE_CHARS
    {
        return false;
    }
    if name.ends_with(['.', '!', '?', ':', ';', '"', '\'', ',', '”', '’', ')', '…']) {
        return false;
    }
    let first = words[0].to_lowercase();
    if name.chars().any(|c| c.is_ascii_digit() || c == '©')
        || [
            "copyright",
            "all",
            "ends",
            "end",
            "more",
            "continued",
            "photo",
            "image",
        ]
        .contains(&first.as_str())
    {
        return false;
    }
    let capitalised = words.iter().filter(|w| starts_upper(w)).count();
    let others_ok = words.iter().all(|w| starts_upper(w) || is_particle(w));
    capitalised >= 1 && others_ok && starts_upper(words[0])
}

fn starts_upper(word: &str) -> bool {
    word.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_uppercase)
}

fn is_particle(word: &str) -> bool {
    NAME_PARTICLES.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_txt(text: &str) -> Result<Article, SkipReason> {
        super::parse_txt(text, &mut Vec::new())
    }

    const BODY: &str = "The council met on Tuesday evening and voted to delay the budget by a month, officials said.\n\nA second paragraph follows with more detail about the vote.";

    #[test]
    fn bbc_style_lede_stays_in_body() {
        let text = "Chelsea sack striker\n\nChelsea have sacked their striker after he failed a drugs test.\n\nThe 25-year-old tested positive in October.\n";
        let a = parse_txt(text).unwrap();
        assert_eq!(a.headline, "Chelsea sack striker");
        assert_eq!(a.standfirst, None);
        assert!(a.body.starts_with("Chelsea have sacked"));
        assert_eq!(a.source, None);
    }

    #[test]
    fn standfirst_directly_under_headline() {
        let text = format!(
            "Budget delayed\nCouncillors want more time to study the figures.\n\n{BODY}\n\nThe Harbour Gazette\n"
        );
        let a = parse_txt(&text).unwrap();
        assert_eq!(
            a.standfirst.as_deref(),
            Some("Councillors want more time to study the figures.")
        );
        assert_eq!(a.source.as_deref(), Some("The Harbour Gazette"));
        assert!(a.body.starts_with("The council met"));
        assert!(a.body.ends_with("the vote."));
    }

    #[test]
    fn unpunctuated_short_paragraph_is_standfirst() {
        let text = format!(
            "Budget delayed\n\nCouncillors want more time to study the figures\n\n{BODY}\n"
        );
        let a = parse_txt(&text).unwrap();
        assert_eq!(
            a.standfirst.as_deref(),
            Some("Councillors want more time to study the figures")
        );
        assert!(a.body.starts_with("The council met"));
    }

    #[test]
    fn long_line_under_headline_is_body() {
        let long = "word ".repeat(60);
        let text = format!("Headline\n{long}\n\n{BODY}\n");
        let a = parse_txt(&text).unwrap();
        assert_eq!(a.standfirst, None);
        assert!(a.body.starts_with("word word"));
    }

    #[test]
    fn single_newline_text_has_no_standfirst() {
        let a = parse_txt("Headline\nShort first line\nSecond line of body\n").unwrap();
        assert_eq!(a.standfirst, None);
        assert_eq!(a.body, "Short first line\n\nSecond line of body");
    }

    #[test]
    fn source_line_positive_cases() {
        for src in [
            "Reuters",
            "The Wall Street Journal",
            "Capital Ledger",
            "Source: Meridian Wire",
            "— Northfield Courier",
        ] {
            let a = parse_txt(&format!("H\n\n{BODY}\n\n{src}\n")).unwrap();
            assert!(a.source.is_some(), "{src} not detected");
            assert!(
                !a.body
                    .contains(src.trim_start_matches("Source: ").trim_start_matches("— ")),
                "{src}"
            );
        }
        let a = parse_txt(&format!("H\n\n{BODY}\n\nSource: Meridian Wire\n")).unwrap();
        assert_eq!(a.source.as_deref(), Some("Meridian Wire"));
    }

    #[test]
    fn source_line_negative_cases() {
        for last in [
            "Copyright 2024",
            "And so it goes",
            "He said.",
            "Ends",
            "Read more: Meridian Wire",
            "\"We will win\"",
            "The Very Long Name Of A Publication That Is Too Long",
            "More to follow",
        ] {
            let a = parse_txt(&format!("H\n\n{BODY}\n\n{last}\n")).unwrap();
            assert_eq!(a.source, None, "{last} wrongly taken as source");
            assert!(a.body.ends_with(last), "{last} dropped from body");
        }
    }

    #[test]
    fn only_paragraph_is_never_source() {
        let a = parse_txt("Headline\n\nReuters\n").unwrap();
        assert_eq!(a.source, None);
        assert_eq!(a.body, "Reuters");
    }

    #[test]
    fn byline_becomes_authors() {
        let a = parse_txt(&format!("H\n\nBy Ana Ruiz and Ben Okafor\n\n{BODY}\n")).unwrap();
        assert_eq!(a.authors, vec!["Ana Ruiz", "Ben Okafor"]);
        assert!(a.body.starts_with("The council"));
    }

    #[test]
    fn whitespace_collapsed_and_crlf_handled() {
        let a = parse_txt("  Big   news \r\n\r\nOne  two\r\nthree\r\n\r\nfour  more.\r\n").unwrap();
        assert_eq!(a.headline, "Big news");
        assert_eq!(a.body, "One two three\n\nfour more.");
    }

    #[test]
    fn dateline_in_either_order_with_byline() {
        let a = parse_txt(&format!("H\n\n12 March 2025\n\nBy Ana Ruiz\n\n{BODY}\n")).unwrap();
        assert_eq!(a.date, chrono::NaiveDate::from_ymd_opt(2025, 3, 12));
        assert_eq!(a.authors, vec!["Ana Ruiz"]);
        let a = parse_txt(&format!(
            "H\n\nBy Ana Ruiz\n\nPublished: 2024-06-01\n\n{BODY}\n"
        ))
        .unwrap();
        assert_eq!(a.date, chrono::NaiveDate::from_ymd_opt(2024, 6, 1));
        assert!(a.body.starts_with("The council met"));
    }

    #[test]
    fn bad_labelled_dateline_warns() {
        let mut w = Vec::new();
        let a =
            super::parse_txt(&format!("H\n\nPublished: 2024-13-01\n\n{BODY}\n"), &mut w).unwrap();
        assert_eq!(a.date, None);
        assert_eq!(
            w,
            vec![Warning::BadDate {
                record: None,
                value: "2024-13-01".into()
            }]
        );
        assert!(a.body.starts_with("The council met"));
    }

    #[test]
    fn prose_first_paragraph_is_not_a_dateline() {
        let a = parse_txt(&format!("H\n\nMarch was wet.\n\n{BODY}\n")).unwrap();
        assert_eq!(a.date, None);
        assert!(a.body.starts_with("March was wet."));
    }

    #[test]
    fn headline_only() {
        let a = parse_txt("\n\nJust a headline\n").unwrap();
        assert_eq!(a.headline, "Just a headline");
        assert_eq!(a.body, "");
    }
}
