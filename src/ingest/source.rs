//! Source names: one spelling per outlet.
//!
//! The same outlet reaches an archive written many ways: upper and mixed case, with a carriage
//! return or a caret-notation `^M` left by a Windows tool, wrapped in dashes or parentheses, with
//! a trailing "..." or full stop. [`clean`] removes what is never part of a name (control
//! characters, stray punctuation at the ends, extra whitespace) and [`key`] folds what only
//! differs in case or punctuation into one key. The index stores the cleaned spelling for display
//! and the key for filters and facets; which spelling a facet shows, and which keys are one
//! outlet under `--source-alias`, is decided at query time (see `model::sources`).

/// Characters that may end a name ("Smith & Co.", "Yahoo!" lose their punctuation in the key
/// only, not in the cleaned spelling), as opposed to stray marks around it.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '&' | '!' | '+' | '\'' | '’')
}

/// A source string as stored for display, or `None` if nothing of a name is left.
pub fn clean(raw: &str) -> Option<String> {
    let no_controls: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut s = no_controls.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let before = s.len();
        s = strip_caret_controls(&s).to_string();
        s = s
            .trim_end_matches(|c: char| !is_name_char(c) && c != ')')
            .trim_start_matches(|c: char| !is_name_char(c) && c != '(')
            .trim()
            .to_string();
        s = unwrap_parens(&s).to_string();
        if s.len() == before {
            break;
        }
    }
    s.chars().any(char::is_alphanumeric).then_some(s)
}

/// Caret notation of a control character at the end (`^M`, `^Z`), as some tools print them.
fn strip_caret_controls(s: &str) -> &str {
    let mut s = s.trim_end();
    while let Some(rest) = s.strip_suffix(|c: char| c.is_ascii_uppercase() || "@[\\]^_".contains(c))
    {
        match rest.strip_suffix('^') {
            Some(r) => s = r.trim_end(),
            None => break,
        }
    }
    s
}

/// `(Reuters)` is `Reuters`; `Reuters (UK)` keeps its parentheses.
fn unwrap_parens(s: &str) -> &str {
    match s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner.trim(),
        _ => s,
    }
}

/// The key that spellings of one name share: letters and digits only, lower-cased and
/// accent-folded, words separated by single spaces ("The A.P." and "the AP" differ, "REUTERS",
/// "Reuters." and "reuters" do not).
pub fn key(name: &str) -> String {
    let folded = crate::analysis::normalize_keyword(name);
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else if c.is_whitespace() || !matches!(c, '.' | '\'' | '’') {
            // Dots and apostrophes join ("A.P." is "ap", "Reuters'" is "reuters"); other marks
            // separate words.
            gap = true;
        }
    }
    out
}

/// One `FROM=TO` alias, both sides cleaned; an error message naming the problem otherwise.
pub fn parse_alias(spec: &str) -> Result<(String, String), String> {
    let (from, to) = spec
        .split_once('=')
        .ok_or_else(|| format!("source alias '{spec}' is not FROM=TO"))?;
    let from = clean(from).ok_or_else(|| format!("source alias '{spec}': FROM is empty"))?;
    let to = clean(to).ok_or_else(|| format!("source alias '{spec}': TO is empty"))?;
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_outlet_clean_to_one_key() {
        let spellings = [
            "Reuters",
            "REUTERS",
            "Reuters\r",
            "Reuters^M",
            "  reuters ...",
            "(Reuters)",
            "-- Reuters.",
            "Reuters…",
        ];
        for s in spellings {
            let cleaned = clean(s).unwrap_or_default();
            assert_eq!(key(&cleaned), "reuters", "{s:?} cleaned to {cleaned:?}");
        }
        assert_eq!(clean("REUTERS^M").as_deref(), Some("REUTERS"));
        assert_eq!(clean("(Reuters)").as_deref(), Some("Reuters"));
    }

    #[test]
    fn names_keep_their_own_punctuation_and_words() {
        assert_eq!(clean("Yahoo! News").as_deref(), Some("Yahoo! News"));
        assert_eq!(clean("Reuters (UK)").as_deref(), Some("Reuters (UK)"));
        assert_eq!(key("The Harbour-Gazette"), "the harbour gazette");
        assert_eq!(key("A.P."), "ap");
        assert_ne!(key("Fox News"), key("Fox Online News"));
        assert_eq!(clean(" ... "), None);
        assert_eq!(clean("\u{7}"), None);
    }

    #[test]
    fn aliases_parse_and_name_their_problems() {
        assert_eq!(
            parse_alias("Fox Online News = Fox News"),
            Ok(("Fox Online News".into(), "Fox News".into()))
        );
        assert!(parse_alias("Fox News").unwrap_err().contains("FROM=TO"));
        assert!(parse_alias("=Fox").unwrap_err().contains("FROM"));
    }
}
