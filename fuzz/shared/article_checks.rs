//! What every format parser owes its callers, checked on each fuzzed input: no panic, and each
//! article it returns is addressable and has text.
use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use newsdex::ingest::{Format, ParseOptions, SkipReason, parse_bytes, parse_jsonl_chunk};

/// Panics inside a dependency that the bounded PDF and office parsers turned into skips, each
/// printed once so a run's log lists them (a panic in newsdex's own code aborts instead).
static CAUGHT: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fn note_caught_panic(reason: &SkipReason) {
    if let SkipReason::Malformed(m) = reason
        && m.contains("parser failed on this file")
    {
        let mut seen = CAUGHT.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get_or_insert_with(HashSet::new).insert(m.clone()) {
            eprintln!("caught dependency panic, reported as a skip: {m}");
        }
    }
}

pub fn parse_and_check(format: Format, rel: &str, data: &[u8]) {
    let root = Path::new("/fuzz-root");
    let opts = ParseOptions::default();
    let result = parse_bytes(root, rel, format, data, &opts);
    if let Err(reason) = &result {
        note_caught_panic(reason);
    }
    if let Ok(parsed) = result {
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
