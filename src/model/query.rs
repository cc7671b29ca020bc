//! The query language, parsed into our own syntax tree.
//!
//! We parse queries ourselves rather than with tantivy's parser because words and phrases go to
//! different fields (stemmed vs exact), prefixes must really be prefixes, and the snippet generator
//! must know which parts of the query are positive. Errors carry the character position.
use std::ops::Bound;

use chrono::NaiveDate;

use crate::entities::EntityKind;
use crate::{Error, Result};

/// Which text a leaf applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Headline and body (the default).
    Text,
    Headline,
    Body,
    Source,
    Section,
    Author,
    Entity(EntityKind),
    /// Words inside the article's direct quotes.
    Quote,
}

impl Scope {
    fn from_name(name: &str) -> Option<Scope> {
        Some(match name.to_ascii_lowercase().as_str() {
            "headline" | "title" => Scope::Headline,
            "body" | "text" => Scope::Body,
            "source" => Scope::Source,
            "section" => Scope::Section,
            "author" | "authors" => Scope::Author,
            "person" => Scope::Entity(EntityKind::Person),
            "org" => Scope::Entity(EntityKind::Org),
            "place" => Scope::Entity(EntityKind::Place),
            "misc" => Scope::Entity(EntityKind::Misc),
            "quote" | "quotes" => Scope::Quote,
            _ => return None,
        })
    }

    /// Whether highlights of this scope belong in the headline / in the body.
    pub fn covers_headline(self) -> bool {
        matches!(self, Scope::Text | Scope::Headline)
    }

    pub fn covers_body(self) -> bool {
        matches!(self, Scope::Text | Scope::Body)
    }
}

const FIELD_NAMES: &str =
    "headline, body, source, section, author, person, org, place, misc, quote, date";

/// How a clause takes part in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    Must,
    Should,
    MustNot,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An unquoted word: stemmed match.
    Word {
        scope: Scope,
        text: String,
    },
    /// `word*`: every exact term starting with the text.
    Prefix {
        scope: Scope,
        text: String,
    },
    /// A quoted phrase: exact words in order, with optional slop.
    Phrase {
        scope: Scope,
        text: String,
        slop: u32,
    },
    DateRange {
        lower: Bound<NaiveDate>,
        upper: Bound<NaiveDate>,
    },
    Group(Vec<(Occur, Node)>),
}

/// How bare words combine: all must match (default) or any may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    #[default]
    All,
    Any,
}

/// Parse a query string. An empty query is `Group([])`, which matches everything.
pub fn parse(query: &str, mode: MatchMode) -> Result<Node> {
    let tokens = lex(query)?;
    let mut parser = Parser {
        query,
        tokens,
        at: 0,
        mode,
    };
    let node = parser.or_expr(Scope::Text)?;
    if let Some(tok) = parser.peek() {
        return Err(Error::query(query, tok.pos, "unexpected ')'"));
    }
    Ok(node)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String, u32),
    Field(String),
    /// The raw text of a `date:` value.
    DateValue(String),
    Open,
    Close,
    Minus,
    Plus,
    Or,
    And,
    Not,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '(' | ')' | '"')
}

fn lex(query: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token {
                    tok: Tok::Open,
                    pos,
                });
                i += 1;
            }
            ')' => {
                out.push(Token {
                    tok: Tok::Close,
                    pos,
                });
                i += 1;
            }
            '"' => {
                let (text, slop, next) = lex_quoted(query, &chars, i)?;
                out.push(Token {
                    tok: Tok::Quoted(text, slop),
                    pos,
                });
                i = next;
            }
            '-' | '+'
                if chars
                    .get(i + 1)
                    .is_some_and(|&n| is_word_char(n) || n == '"' || n == '(') =>
            {
                let tok = if c == '-' { Tok::Minus } else { Tok::Plus };
                out.push(Token { tok, pos });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                    if chars[i - 1] == ':' && field_prefix(&chars[start..i - 1]) {
                        break;
                    }
                }
                let word: String = chars[start..i].iter().collect();
                if let Some(name) = word.strip_suffix(':').filter(|n| field_prefix_str(n)) {
                    i = lex_field(query, &chars, name, start, i, &mut out)?;
                    continue;
                }
                let tok = match word.as_str() {
                    "OR" | "||" => Tok::Or,
                    "AND" | "&&" => Tok::And,
                    "NOT" => Tok::Not,
                    _ => Tok::Word(word),
                };
                out.push(Token { tok, pos: start });
            }
        }
    }
    Ok(out)
}

/// Alphabetic run followed by ':' is a field name (known or not: unknown ones are errors).
fn field_prefix(chars: &[char]) -> bool {
    !chars.is_empty() && chars.iter().all(|c| c.is_ascii_alphabetic() || *c == '_')
}

fn field_prefix_str(name: &str) -> bool {
    field_prefix(&name.chars().collect::<Vec<_>>())
}

fn lex_field(
    query: &str,
    chars: &[char],
    name: &str,
    start: usize,
    mut i: usize,
    out: &mut Vec<Token>,
) -> Result<usize> {
    let lower = name.to_ascii_lowercase();
    if lower == "date" {
        let value_start = i;
        if chars.get(i) == Some(&'[') || chars.get(i) == Some(&'{') {
            while i < chars.len() && chars[i] != ']' && chars[i] != '}' {
                i += 1;
            }
            if i == chars.len() {
                return Err(Error::query(
                    query,
                    value_start,
                    "date range is missing its closing ']'",
                ));
            }
            i += 1;
        } else {
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
        }
        let value: String = chars[value_start..i].iter().collect();
        if value.is_empty() {
            return Err(Error::query(
                query,
                value_start,
                "date: needs a value, e.g. date:2024-05 or date:[2024-01-01 TO 2024-06-30]",
            ));
        }
        out.push(Token {
            tok: Tok::DateValue(value),
            pos: start,
        });
        return Ok(i);
    }
    if Scope::from_name(&lower).is_none() {
        return Err(Error::query(
            query,
            start,
            format!("unknown field '{name}' (fields: {FIELD_NAMES})"),
        ));
    }
    if i >= chars.len() || chars[i].is_whitespace() || chars[i] == ')' {
        return Err(Error::query(query, i, format!("{name}: needs a value")));
    }
    out.push(Token {
        tok: Tok::Field(lower),
        pos: start,
    });
    Ok(i)
}

fn lex_quoted(query: &str, chars: &[char], open: usize) -> Result<(String, u32, usize)> {
    let mut i = open + 1;
    while i < chars.len() && chars[i] != '"' {
        i += 1;
    }
    if i == chars.len() {
        return Err(Error::query(query, open, "unterminated quote"));
    }
    let text: String = chars[open + 1..i].iter().collect();
    i += 1;
    let mut slop = 0;
    if chars.get(i) == Some(&'~') {
        let digits_start = i + 1;
        let mut j = digits_start;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        let digits: String = chars[digits_start..j].iter().collect();
        slop = digits
            .parse::<u32>()
            .ok()
            .filter(|s| *s <= 100)
            .ok_or_else(|| {
                Error::query(
                    query,
                    digits_start,
                    "'~' needs a number of words from 0 to 100",
                )
            })?;
        i = j;
    }
    Ok((text, slop, i))
}

struct Parser<'q> {
    query: &'q str,
    tokens: Vec<Token>,
    at: usize,
    mode: MatchMode,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn end_pos(&self) -> usize {
        self.query.chars().count()
    }

    fn or_expr(&mut self, scope: Scope) -> Result<Node> {
        let mut alternatives = vec![self.and_expr(scope)?];
        while matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            let or = self.next().map(|t| t.pos).unwrap_or(0);
            if matches!(
                self.peek(),
                None | Some(Token {
                    tok: Tok::Close,
                    ..
                })
            ) {
                return Err(Error::query(
                    self.query,
                    or,
                    "OR needs something on its right",
                ));
            }
            alternatives.push(self.and_expr(scope)?);
        }
        if alternatives.len() == 1 {
            return Ok(alternatives.pop().unwrap_or(Node::Group(vec![])));
        }
        Ok(Node::Group(
            alternatives
                .into_iter()
                .map(|n| (Occur::Should, n))
                .collect(),
        ))
    }

    fn and_expr(&mut self, scope: Scope) -> Result<Node> {
        let mut clauses = Vec::new();
        let default = match self.mode {
            MatchMode::All => Occur::Must,
            MatchMode::Any => Occur::Should,
        };
        loop {
            match self.peek().map(|t| t.tok.clone()) {
                None | Some(Tok::Close) | Some(Tok::Or) => break,
                Some(Tok::And) => {
                    let pos = self.next().map(|t| t.pos).unwrap_or(0);
                    if clauses.is_empty() {
                        return Err(Error::query(
                            self.query,
                            pos,
                            "AND needs something on its left",
                        ));
                    }
                    // Explicit AND makes both neighbours required, whatever the match mode.
                    if let Some(last) = clauses.last_mut() {
                        let (occur, _): &mut (Occur, Node) = last;
                        if *occur == Occur::Should {
                            *occur = Occur::Must;
                        }
                    }
                    if matches!(
                        self.peek(),
                        None | Some(Token {
                            tok: Tok::Close | Tok::Or,
                            ..
                        })
                    ) {
                        return Err(Error::query(
                            self.query,
                            pos,
                            "AND needs something on its right",
                        ));
                    }
                    let node = self.unary(scope)?;
                    let occur = if node.1 == Occur::MustNot {
                        Occur::MustNot
                    } else {
                        Occur::Must
                    };
                    clauses.push((occur, node.0));
                }
                Some(_) => {
                    let (node, occur) = self.unary(scope)?;
                    let occur = if occur == Occur::Should {
                        default
                    } else {
                        occur
                    };
                    clauses.push((occur, node));
                }
            }
        }
        if clauses.len() == 1 && clauses[0].0 != Occur::MustNot {
            return Ok(clauses.pop().map(|c| c.1).unwrap_or(Node::Group(vec![])));
        }
        Ok(Node::Group(clauses))
    }

    /// A clause with its explicit marker; `Should` means "no marker".
    fn unary(&mut self, scope: Scope) -> Result<(Node, Occur)> {
        let occur = match self.peek().map(|t| &t.tok) {
            Some(Tok::Minus) | Some(Tok::Not) => Occur::MustNot,
            Some(Tok::Plus) => Occur::Must,
            _ => Occur::Should,
        };
        if occur != Occur::Should {
            let marker = self.next().map(|t| t.pos).unwrap_or(0);
            if matches!(
                self.peek(),
                None | Some(Token {
                    tok: Tok::Close | Tok::Or | Tok::And,
                    ..
                })
            ) {
                return Err(Error::query(
                    self.query,
                    marker,
                    "nothing follows this operator",
                ));
            }
        }
        Ok((self.primary(scope)?, occur))
    }

    fn primary(&mut self, scope: Scope) -> Result<Node> {
        let Some(token) = self.next() else {
            return Err(Error::query(
                self.query,
                self.end_pos(),
                "query ends too soon",
            ));
        };
        match token.tok {
            Tok::Open => {
                let inner = self.or_expr(scope)?;
                match self.next() {
                    Some(Token {
                        tok: Tok::Close, ..
                    }) => Ok(inner),
                    _ => Err(Error::query(self.query, token.pos, "unclosed '('")),
                }
            }
            Tok::Close => Err(Error::query(self.query, token.pos, "unexpected ')'")),
            Tok::Field(name) => {
                let inner = Scope::from_name(&name).unwrap_or(Scope::Text);
                if scope != Scope::Text && scope != inner {
                    return Err(Error::query(
                        self.query,
                        token.pos,
                        "a field inside another field",
                    ));
                }
                self.primary(inner)
            }
            Tok::DateValue(raw) => parse_date_value(self.query, token.pos, &raw),
            Tok::Quoted(text, slop) => Ok(Node::Phrase { scope, text, slop }),
            Tok::Word(word) => Ok(word_node(scope, word)),
            Tok::Minus | Tok::Plus | Tok::Not => Err(Error::query(
                self.query,
                token.pos,
                "operator in the wrong place",
            )),
            Tok::Or | Tok::And => Err(Error::query(
                self.query,
                token.pos,
                "OR/AND needs something on its left",
            )),
        }
    }
}

/// The unquoted words of a query that are optional (`Should`) at the top level or in a group.
pub fn optional_words(node: &Node) -> Vec<&str> {
    let mut out = Vec::new();
    if let Node::Word { text, .. } = node {
        out.push(text.as_str());
    }
    if let Node::Group(clauses) = node {
        for (occur, child) in clauses {
            match (occur, child) {
                (Occur::Should, Node::Word { text, .. }) => out.push(text.as_str()),
                (Occur::MustNot, _) => {}
                (_, child @ Node::Group(_)) => out.extend(optional_words(child)),
                _ => {}
            }
        }
    }
    out
}

fn word_node(scope: Scope, word: String) -> Node {
    match word.strip_suffix('*') {
        Some(stem) if !stem.is_empty() && !stem.ends_with('*') => Node::Prefix {
            scope,
            text: stem.to_string(),
        },
        _ => Node::Word { scope, text: word },
    }
}

fn parse_date_value(query: &str, pos: usize, raw: &str) -> Result<Node> {
    let err = |msg: &str| Error::query(query, pos, format!("date: {msg}"));
    if let Some(inner) = raw
        .strip_prefix(['[', '{'])
        .and_then(|r| r.strip_suffix([']', '}']))
    {
        let inclusive_lo = raw.starts_with('[');
        let inclusive_hi = raw.ends_with(']');
        let parts: Vec<&str> = inner.split_whitespace().collect();
        if parts.len() != 3 || !parts[1].eq_ignore_ascii_case("TO") {
            return Err(err(
                "a range is written [FROM TO UNTIL], e.g. [2024-01-01 TO 2024-06-30]",
            ));
        }
        let lower = match parts[0] {
            "*" => Bound::Unbounded,
            d => {
                let (first, last) =
                    date_span(d).ok_or_else(|| err(&format!("'{d}' is not a date")))?;
                if inclusive_lo {
                    Bound::Included(first)
                } else {
                    Bound::Excluded(last)
                }
            }
        };
        let upper = match parts[2] {
            "*" => Bound::Unbounded,
            d => {
                let (first, last) =
                    date_span(d).ok_or_else(|| err(&format!("'{d}' is not a date")))?;
                if inclusive_hi {
                    Bound::Included(last)
                } else {
                    Bound::Excluded(first)
                }
            }
        };
        return Ok(Node::DateRange { lower, upper });
    }
    let (op, value) = ["<=", ">=", "<", ">"]
        .iter()
        .find_map(|op| raw.strip_prefix(op).map(|v| (*op, v)))
        .unwrap_or(("=", raw));
    let (first, last) = date_span(value).ok_or_else(|| {
        err(&format!(
            "'{value}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        ))
    })?;
    let (lower, upper) = match op {
        "<=" => (Bound::Unbounded, Bound::Included(last)),
        "<" => (Bound::Unbounded, Bound::Excluded(first)),
        ">=" => (Bound::Included(first), Bound::Unbounded),
        ">" => (Bound::Excluded(last), Bound::Unbounded),
        _ => (Bound::Included(first), Bound::Included(last)),
    };
    Ok(Node::DateRange { lower, upper })
}

/// The first and last day a written date covers: `2024`, `2024-05` or `2024-05-17`.
pub fn date_span(s: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [y] if y.len() == 4 => {
            let y = num(y)? as i32;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
            ))
        }
        [y, m] if y.len() == 4 => {
            let first = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next.pred_opt()?))
        }
        [y, m, d] if y.len() == 4 => {
            let day = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?)?;
            Some((day, day))
        }
        // Anything else a user might type ("29 Sep 2024", "9/29/24") is one day.
        _ => {
            let day = crate::ingest::date::parse_date(s).ok().flatten()?;
            Some((day, day))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Node {
        parse(q, MatchMode::All).unwrap()
    }

    #[test]
    fn words_are_required_by_default_and_optional_with_any() {
        let all = p("rates inflation");
        let Node::Group(clauses) = all else {
            panic!("group expected")
        };
        assert!(clauses.iter().all(|c| c.0 == Occur::Must));
        let any = parse("rates inflation", MatchMode::Any).unwrap();
        let Node::Group(clauses) = any else {
            panic!("group expected")
        };
        assert!(clauses.iter().all(|c| c.0 == Occur::Should));
    }

    #[test]
    fn phrase_slop_prefix_negation_and_fields() {
        let Node::Group(c) = p("\"bank of england\"~2 infla* -budget headline:storm") else {
            panic!()
        };
        assert_eq!(
            c[0].1,
            Node::Phrase {
                scope: Scope::Text,
                text: "bank of england".into(),
                slop: 2
            }
        );
        assert_eq!(
            c[1].1,
            Node::Prefix {
                scope: Scope::Text,
                text: "infla".into()
            }
        );
        assert_eq!(c[2].0, Occur::MustNot);
        assert_eq!(
            c[3].1,
            Node::Word {
                scope: Scope::Headline,
                text: "storm".into()
            }
        );
    }

    #[test]
    fn or_and_parentheses() {
        let Node::Group(c) = p("(flood OR storm) coast") else {
            panic!()
        };
        assert_eq!(c.len(), 2);
        let Node::Group(inner) = &c[0].1 else {
            panic!()
        };
        assert!(inner.iter().all(|x| x.0 == Occur::Should));
    }

    #[test]
    fn date_ranges() {
        assert_eq!(
            p("date:2024-02"),
            Node::DateRange {
                lower: Bound::Included(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
                upper: Bound::Included(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            }
        );
        assert!(matches!(
            p("date:[2024-01-01 TO *]"),
            Node::DateRange {
                upper: Bound::Unbounded,
                ..
            }
        ));
    }

    fn err_pos(q: &str) -> usize {
        match parse(q, MatchMode::All) {
            Err(Error::Query { position, .. }) => position,
            other => panic!("expected a query error for {q:?}, got {other:?}"),
        }
    }

    #[test]
    fn malformed_queries_report_positions() {
        assert_eq!(err_pos("rates \"bank of"), 6);
        assert_eq!(err_pos("(rates OR"), 7);
        assert_eq!(err_pos("rates )"), 6);
        assert_eq!(err_pos("colour:red"), 0);
        assert_eq!(err_pos("date:[2024 TO"), 5);
        assert_eq!(err_pos("a \"b\"~x"), 6);
    }
}
