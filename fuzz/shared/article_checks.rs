//! What every format parser owes its callers, checked on each fuzzed input: no panic, and each
//! article it returns is addressable and has text.
use std::path::Path;

use newsdex::ingest::{Format, ParseOptions, parse_bytes, parse_jsonl_chunk};

pub fn parse_and_check(format: Format, rel: &str, data: &[u8]) {
    let root = Path::new("/fuzz-root");
    let opts = ParseOptions::default();
    if let Ok(parsed) = parse_bytes(root, rel, format, data, &opts) {
        for a in &parsed.articles {
            assert!(
                a.path.starts_with(rel),
                "path {:?} is not under {rel:?}",
                a.path
            );
            assert_eq!(a.id.len(), 16, "id {:?}", a.id);
            assert!(
                !(a.headline.trim().is_empty() && a.body.trim().is_empty()),
                "an article with no text was returned"
            );
            // Every message about the file must be printable as words.
            for w in &parsed.warnings {
                assert!(!w.to_string().is_empty());
            }
        }
    }
    if format == Format::JsonLines {
        let _ = parse_jsonl_chunk(root, rel, data, 7, &opts);
    }
}
