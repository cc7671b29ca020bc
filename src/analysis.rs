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

/// The exact analyzer's tokens of a text, produced without an allocation per token: a hot path
/// for snippets, which analyse stored bodies at query time. ASCII words (almost all of them in
/// English news) are split and lower-cased here; a word with other characters goes through the
/// real analyzer, so the output is always what [`exact`] would produce.
#[derive(Debug, Default)]
pub struct ExactTokens {
    /// Every token's text, back to back.
    texts: String,
    /// Per token: byte range in the analysed text, byte range in `texts`.
    spans: Vec<([usize; 2], [usize; 2])>,
}

impl ExactTokens {
    pub fn clear(&mut self) {
        self.texts.clear();
        self.spans.clear();
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn text(&self, i: usize) -> &str {
        let [a, b] = self.spans[i].1;
        &self.texts[a..b]
    }

    /// `[from, to)` byte offsets of token `i` in the analysed text.
    pub fn offsets(&self, i: usize) -> [usize; 2] {
        self.spans[i].0
    }

    /// Append the tokens of `text`, which starts at byte `base` of the whole text and must not
    /// begin or end inside a word.
    pub fn extend(&mut self, exact: &mut TextAnalyzer, text: &str, base: usize) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let (alnum, len) = alnum_at(text, i);
            if !alnum {
                i += len;
                continue;
            }
            let start = i;
            let mut ascii = true;
            while i < bytes.len() {
                let (alnum, len) = alnum_at(text, i);
                if !alnum {
                    break;
                }
                ascii &= len == 1;
                i += len;
            }
            self.push_word(exact, &text[start..i], base + start, ascii);
        }
    }

    fn push_word(&mut self, exact: &mut TextAnalyzer, word: &str, at: usize, ascii: bool) {
        let from = self.texts.len();
        if ascii {
            if word.len() >= MAX_TOKEN_BYTES {
                return;
            }
            self.texts.push_str(word);
            self.texts[from..].make_ascii_lowercase();
        } else {
            let mut stream = exact.token_stream(word);
            if !stream.advance() {
                return;
            }
            self.texts.push_str(&stream.token().text);
        }
        self.spans
            .push(([at, at + word.len()], [from, self.texts.len()]));
    }
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
    terms(&mut keyword(), value.trim())
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Vec<(String, [usize; 2])> {
        let mut t = ExactTokens::default();
        t.extend(&mut exact(), text, 0);
        (0..t.len())
            .map(|i| (t.text(i).to_string(), t.offsets(i)))
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

    #[test]
    fn exact_tokens_extend_keeps_offsets_of_the_whole_text() {
        let text = "Rates rose. Markets fell sharply.";
        let cut = text.find(' ').unwrap();
        let mut t = ExactTokens::default();
        t.extend(&mut exact(), &text[..cut], 0);
        t.extend(&mut exact(), &text[cut..], cut);
        let whole: Vec<_> = (0..t.len())
            .map(|i| (t.text(i).to_string(), t.offsets(i)))
            .collect();
        assert_eq!(whole, reference(text));
    }
}
