//! Text analyzers, registered on every index we open (tantivy does not persist them).
//!
//! Both text analyzers split with the same tokenizer and never drop tokens, so the stemmed and the
//! exact token streams of one text line up position by position; snippets rely on that.
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token,
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

/// A keyword value as the index stores it.
pub fn normalize_keyword(value: &str) -> String {
    terms(&mut keyword(), value.trim())
        .into_iter()
        .next()
        .unwrap_or_default()
}
