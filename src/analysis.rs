//! Text analysis shared by everything: the analyzers the embedded index registers on every open
//! (tantivy does not persist them), which the OpenSearch mapping mirrors and the snippets, entity
//! pages and query builders of both engines use to fold, stem and tokenize alike.
//!
//! Both text analyzers split with the same tokenizer and never drop tokens, so the stemmed and the
//! exact token streams of one text line up position by position; snippets rely on that.
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, StopWordFilter, TextAnalyzer, Token,
};

/// Stemmed English, lower-cased, accent-folded: unquoted words.
pub const STEMMED: &str = "newsdex_stem";
/// Lower-cased and accent-folded, no stemming, no stop words: exact phrases and prefixes.
pub const EXACT: &str = "newsdex_exact";
/// A whole value, lower-cased and folded: source and section filters.
pub const KEYWORD: &str = "newsdex_keyword";

const MAX_TOKEN_BYTES: usize = 64;

pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn exact() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn keyword() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// One lower-cased word in, nothing out if it is an English stop word (tantivy's list, the one
/// Lucene uses): for query words that carry no topic, never for indexing, so phrases keep them.
pub fn stop_words() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder.filter(stop).build(),
        None => builder.build(),
    }
}

/// Whether a word is an English stop word.
pub fn is_stop_word(stop: &mut TextAnalyzer, word: &str) -> bool {
    terms(stop, word).is_empty()
}

pub fn register(index: &Index) {
    let manager = index.tokenizers();
    manager.register(STEMMED, stemmed());
    manager.register(EXACT, exact());
    manager.register(KEYWORD, keyword());
}

/// All tokens of `text` under `analyzer`, with byte offsets and positions.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

/// The terms of `text` under `analyzer`, as strings.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyzer, text).into_iter().map(|t| t.text).collect()
}

/// One word of a text as the analyzers' tokenizer splits it: letters and digits (as
/// `char::is_alphanumeric` decides), by byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    /// All ASCII: its exact token is the word lower-cased, no analyzer needed.
    pub ascii: bool,
}

/// The words of `text`, without running an analyzer or allocating: a hot path for snippets,
/// which look at stored bodies at query time and want most words only to skip them. A word
/// becomes its exact token through [`fold_word`], and is a token at all only if [`is_token`].
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for Words<'_> {
    type Item = Word;

    fn next(&mut self) -> Option<Word> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = self.at;
        // ASCII bytes are decided in tight loops; a character beyond ASCII is decoded.
        loop {
            while i < bytes.len() && bytes[i] < 0x80 && !bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i >= bytes.len() {
                self.at = i;
                return None;
            }
            if bytes[i] < 0x80 {
                break;
            }
            let (alnum, len) = alnum_at(text, i);
            if alnum {
                break;
            }
            i += len;
        }
        let start = i;
        let mut ascii = true;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i < bytes.len() && bytes[i] >= 0x80 {
                let (alnum, len) = alnum_at(text, i);
                if alnum {
                    ascii = false;
                    i += len;
                    continue;
                }
            }
            break;
        }
        self.at = i;
        Some(Word {
            start,
            end: i,
            ascii,
        })
    }
}

/// Whether an all-ASCII word survives the analyzers (which drop over-long tokens, leaving no
/// position behind in a token list).
#[inline]
pub fn is_ascii_token(word: &str) -> bool {
    word.len() < MAX_TOKEN_BYTES
}

/// Append the exact analyzer's token of `word` (one of [`words`]) to `out`; false, with nothing
/// appended, when the analyzer drops it. ASCII words (almost all of them in English news) are
/// lower-cased here; any other goes through the real analyzer, so the token is always what
/// [`exact`] would produce.
pub fn fold_word(exact: &mut TextAnalyzer, word: &str, ascii: bool, out: &mut String) -> bool {
    if ascii {
        if !is_ascii_token(word) {
            return false;
        }
        let from = out.len();
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return true;
    }
    let mut stream = exact.token_stream(word);
    if !stream.advance() {
        return false;
    }
    out.push_str(&stream.token().text);
    true
}

/// Whether the character at byte `i` is part of a word (as the tokenizer decides), and its length.
#[inline]
fn alnum_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b.is_ascii_alphanumeric(), 1);
    }
    let c = text[i..].chars().next().unwrap_or(' ');
    (c.is_alphanumeric(), c.len_utf8())
}

/// A keyword value as the index stores it.
pub fn normalize_keyword(value: &str) -> String {
    thread_local! {
        /// A served source facet folds every spelling it counted: one analyzer per thread, not
        /// one per value.
        static KEYWORD: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(keyword());
    }
    let fold = |analyzer: &mut TextAnalyzer| terms(analyzer, value.trim()).into_iter().next();
    KEYWORD
        .try_with(|k| fold(&mut k.borrow_mut()))
        .unwrap_or_else(|_| fold(&mut keyword()))
        .unwrap_or_default()
}

/// A memo of a pure function of a text (a word's stem, a spelling's key), for caches kept
/// across requests: a result never goes stale, and a memo that reaches `cap` entries starts
/// over, so a long-running server over ever new text holds a bounded amount.
pub struct Memo<V> {
    kept: rustc_hash::FxHashMap<Box<str>, V>,
    cap: usize,
}

impl<V> Memo<V> {
    pub fn new(cap: usize) -> Memo<V> {
        Memo {
            kept: rustc_hash::FxHashMap::default(),
            cap,
        }
    }

    pub fn get(&self, text: &str) -> Option<&V> {
        self.kept.get(text)
    }

    /// Remember `value` for `text`, starting over first when full.
    pub fn insert(&mut self, text: &str, value: V) {
        if self.kept.len() >= self.cap {
            self.kept.clear();
        }
        self.kept.insert(text.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Vec<(String, [usize; 2])> {
        let mut exact = exact();
        words(text)
            .filter_map(|w| {
                let mut token = String::new();
                fold_word(&mut exact, &text[w.start..w.end], w.ascii, &mut token)
                    .then_some((token, [w.start, w.end]))
            })
            .collect()
    }

    fn reference(text: &str) -> Vec<(String, [usize; 2])> {
        tokens(&mut exact(), text)
            .into_iter()
            .map(|t| (t.text, [t.offset_from, t.offset_to]))
            .collect()
    }

    #[test]
    fn exact_tokens_equal_the_analyzer() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        let just_short = "y".repeat(MAX_TOKEN_BYTES - 1);
        let samples = [
            "The Bank of England's rate, 4.5%, rose -- again!",
            "Café Zoë in São Paulo; naïve résumé; ÉCOLE; straße; İstanbul",
            "“Quoted” words—dashes… and 'apostrophes' don’t split 2024-11-28",
            "Ω omega, 東京 Tokyo, مرحبا, emoji 🙂 here, ½ and ² digits",
            &format!("{long} {just_short} é{long}"),
            "",
            "   \n\t  ",
        ];
        for text in samples {
            assert_eq!(fast(text), reference(text), "on {text:?}");
        }
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
            .expect("corpus folder")
            .flatten()
        {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                assert_eq!(fast(&text), reference(&text), "on {:?}", entry.path());
            }
        }
    }
}
