//! Snippets and highlights: the first line is a query, the rest an article. Whatever the text
//! (multi-byte characters at every boundary), highlights stay inside the text they mark.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::engines::tantivy::Fields;
use newsdex::model::query::MatchMode;
use newsdex::model::ranking::Bm25fParams;
use newsdex::engines::tantivy::build::Builder;
use newsdex::model::query::parse;
use newsdex::model::snippet::{Marked, SnippetGenerator};

fn check(m: &Marked) {
    let chars = m.text.chars().count();
    let mut last = 0;
    for &[start, end] in &m.highlights {
        assert!(
            start < end && end <= chars,
            "{start}..{end} in {chars} chars"
        );
        assert!(start >= last, "highlights overlap or go backwards");
        last = end;
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (query, body) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(node) = parse(query, MatchMode::Any) else {
        return;
    };
    let fields = Fields::from_schema(&Fields::build_schema()).expect("schema");
    let mut builder = Builder::new(&fields, Bm25fParams::default());
    let _ = builder.build(&node);
    let mut snippets = SnippetGenerator::new(builder.highlights);
    let headline = body.lines().next().unwrap_or("");
    check(&snippets.headline(headline));
    check(&snippets.body(body));
});
