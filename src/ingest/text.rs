//! Text shaping shared by every parser: whitespace, paragraphs, fallback headlines, names.
//!
//! Each format finds its fields differently, but the indexer and snippets need one shape for the
//! result (single spaces inside paragraphs, `"\n\n"` between them), so that shape lives here once.

/// Longest headline synthesised from a body when a record has none.
const MAX_DERIVED_HEADLINE: usize = 120;

/// Collapse every run of whitespace (including newlines) into one space and trim the ends.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    out
}

/// Append `s` with whitespace collapsed (as [`collapse_ws`]), without an intermediate string.
fn push_collapsed(out: &mut String, s: &str) {
    for (i, word) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// `None` when the collapsed text is empty, so absent and blank fields look the same downstream.
pub fn non_empty(s: &str) -> Option<String> {
    let c = collapse_ws(s);
    (!c.is_empty()).then_some(c)
}

/// Split raw text into paragraphs.
///
/// Blank lines separate paragraphs and single newlines inside one are hard wraps. Text with no
/// blank line at all but several lines (common in scraped JSON) uses one line per paragraph,
/// because joining those would glue unrelated paragraphs together.
pub fn split_paragraphs(text: &str) -> Vec<String> {
    let mut paras = Vec::new();
    each_paragraph(text, |lines| {
        let mut para = String::new();
        push_lines(&mut para, lines);
        paras.push(para);
    });
    paras
}

/// Call `f` with the (never blank) lines of each paragraph of `text`, as [`split_paragraphs`]
/// finds them, so callers can build their output without a string per paragraph.
fn each_paragraph<'t>(text: &'t str, mut f: impl FnMut(&[&'t str])) {
    let lines: Vec<&str> = text.lines().collect();
    let blank = |l: &&str| l.trim().is_empty();
    let first = lines.iter().position(|l| !blank(l));
    let last = lines.iter().rposition(|l| !blank(l));
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let lines = &lines[first..=last];
    if !lines.iter().any(blank) {
        for line in lines {
            f(std::slice::from_ref(line));
        }
        return;
    }
    for para in lines.split(blank).filter(|p| !p.is_empty()) {
        f(para);
    }
}

/// Append the lines of one paragraph, whitespace collapsed, joined by single spaces.
fn push_lines(out: &mut String, lines: &[&str]) {
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_collapsed(out, line);
    }
}

/// Move `current` (collapsed) into `paras` if it holds any text.
pub fn push_para(paras: &mut Vec<String>, current: &mut String) {
    if let Some(p) = non_empty(current) {
        paras.push(p);
    }
    current.clear();
}

/// Normalise a body held in one string (JSON, front-matter markdown) into the canonical shape:
/// the paragraphs of [`split_paragraphs`] joined by blank lines, written into one string.
pub fn normalize_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    each_paragraph(text, |lines| {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        push_lines(&mut out, lines);
    });
    out
}

/// A headline for a record that has a body but no title: its first sentence or line, cut at a
/// word boundary so it stays readable in result lists.
pub fn headline_from_body(body: &str) -> String {
    let first_line = body.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = collapse_ws(first_line);
    let sentence = first_sentence(&line);
    if sentence.chars().count() <= MAX_DERIVED_HEADLINE {
        return sentence.to_string();
    }
    let mut out = String::new();
    for word in sentence.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > MAX_DERIVED_HEADLINE - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = sentence.chars().take(MAX_DERIVED_HEADLINE - 1).collect();
    }
    out.push('…');
    out
}

/// Text up to and including the first `.`, `!` or `?` that is followed by a space and a capital,
/// so abbreviations such as "U.S. officials" rarely cut a sentence short.
fn first_sentence(line: &str) -> &str {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for w in chars.windows(3) {
        let (i, c) = w[0];
        if matches!(c, '.' | '!' | '?') && w[1].1 == ' ' && w[2].1.is_uppercase() {
            return &line[..i + c.len_utf8()];
        }
    }
    line
}

/// Split an author field ("A, B and C", "By A & B; C") into names.
pub fn split_authors(s: &str) -> Vec<String> {
    let s = collapse_ws(s);
    let s = strip_by(&s);
    s.replace(" and ", ",")
        .replace(" & ", ",")
        .replace(';', ",")
        .split(',')
        .filter_map(|name| non_empty(strip_by(name.trim())))
        .collect()
}

/// Drop a leading "By " byline marker.
fn strip_by(s: &str) -> &str {
    let t = s.trim();
    match t.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("by ") => t[3..].trim(),
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace() {
        assert_eq!(collapse_ws("  a \t b\n\n c  "), "a b c");
        assert_eq!(non_empty(" \n "), None);
    }

    #[test]
    fn paragraphs_blank_line_separated_with_wraps() {
        let p = split_paragraphs("one\ntwo\n\n\nthree  four\n");
        assert_eq!(p, vec!["one two", "three four"]);
    }

    #[test]
    fn paragraphs_one_per_line_when_no_blank_lines() {
        assert_eq!(split_paragraphs("a\nb\nc"), vec!["a", "b", "c"]);
    }

    #[test]
    fn derived_headline_is_first_sentence() {
        let h = headline_from_body("The U.S. team won. Then it rained.\n\nMore.");
        assert_eq!(h, "The U.S. team won.");
    }

    #[test]
    fn derived_headline_is_capped() {
        let long = "word ".repeat(60);
        let h = headline_from_body(&long);
        assert!(h.chars().count() <= 120, "{}", h.len());
        assert!(h.ends_with('…'));
    }

    #[test]
    fn authors_split_on_commas_and_and() {
        assert_eq!(
            split_authors("By Ana Ruiz, Ben Okafor and Chloé Martin"),
            vec!["Ana Ruiz", "Ben Okafor", "Chloé Martin"]
        );
        assert_eq!(split_authors("  "), Vec::<String>::new());
    }
}
